"""RubyGems versions, ordered like ``Gem::Version``.

A version is ``N(.X)*`` optionally followed by ``-...`` (``-`` is read as
``.pre.``).  It splits into numeric and alphabetic segments; any letter makes it a
pre-release.  Comparison uses the canonical segments (trailing zeros dropped from
the numeric head and from the string tail), padding the shorter side with ``0``:
numbers compare numerically, strings as bytes, and a string is lower than a number
(``1.0.a < 1.0 < 1.0.1``).  An empty version is ``0``.

Installed gems often carry a platform (``1.19.3-x86_64-linux-gnu``,
``0.6.0-universal-darwin-9``): like grype, the platform is dropped before parsing,
since it names a build, not a release.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import ComparableKey, cmp, invalid

NAME = "gem"

_CORRECT = re.compile(r"[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+")
# "-<cpu>[-<os>[-<version>]]" at the end of an installed gem's version
_PLATFORM = re.compile(
    r"-(?:x86_64|x86|x64|i[3-6]86|universal|arm64|aarch64|armv?[0-9]*[a-z]*|powerpc64le|powerpc|ppc64le|ppc64|ppc"
    r"|sparc64|sparc|s390x|riscv64|loongarch64|mswin32|mswin64|mswin|mingw32|mingw|java|jruby|dalvik[0-9]*)"
    r"(?:-[0-9A-Za-z_.]+)*$"
)


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple:
    """Canonical segments: ints and strs, trailing zeros of head and tail dropped."""
    s = _PLATFORM.sub("", v.strip()) or "0"
    if not _CORRECT.fullmatch(s):
        raise invalid(NAME, v, "malformed version number string")
    segments: list[int | str] = [int(x) if x.isdigit() else x for x in _SEGMENT.findall(s.replace("-", ".pre."))]
    first_str = next((i for i, x in enumerate(segments) if isinstance(x, str)), len(segments))
    head, tail = segments[:first_str], segments[first_str:]
    while head and head[-1] == 0:
        head.pop()
    while tail and tail[-1] == 0:
        tail.pop()
    return tuple(head + tail)


def _compare_parsed(a: tuple, b: tuple) -> int:  # type: ignore[type-arg]
    if a == b:
        return 0
    for i in range(max(len(a), len(b))):
        x = a[i] if i < len(a) else 0
        y = b[i] if i < len(b) else 0
        if x == y:
            continue
        if isinstance(x, str) and isinstance(y, int):
            return -1
        if isinstance(x, int) and isinstance(y, str):
            return 1
        return cmp(x, y)
    return 0


@lru_cache(maxsize=65536)
def key(v: str) -> ComparableKey:
    return ComparableKey(parse(v), _compare_parsed)  # type: ignore[arg-type]


def compare(a: str, b: str) -> int:
    return _compare_parsed(parse(a), parse(b))


def is_prerelease(v: str) -> bool:
    return any(isinstance(x, str) for x in parse(v))
