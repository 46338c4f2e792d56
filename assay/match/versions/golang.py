"""Go module and toolchain versions.

Module versions are SemVer 2.0 with a ``v`` prefix (``v1.2.3``, ``v1.2.3-rc.1``);
pseudo-versions (``v0.0.0-20200101120000-abcdef123456``,
``v1.2.4-0.20200101120000-abcdef123456``) are pre-releases whose timestamp orders
them correctly under SemVer precedence, and ``+incompatible`` is build metadata
(ignored).  The prefix is optional here because OSV records write ``1.2.3``.

The ``stdlib``/toolchain is versioned ``go1.21.3``, ``go1.21rc1``, ``go1.18beta2``,
``go1.20`` (the 1.20.0 release); these map onto SemVer the way the Go
vulnerability database does: ``go1.21rc1`` -> ``1.21.0-rc.1``, ``go1.20`` -> ``1.20.0``.
``(devel)`` and other non-versions are invalid.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid
from .semver import prerelease_key, release_key

NAME = "go"

_MODULE = re.compile(
    r"v?(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+)(?:\.(?P<patch>[0-9]+))?)?"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
_TOOLCHAIN = re.compile(r"(?:go)?(?P<release>[0-9]+(?:\.[0-9]+){1,2})(?:(?P<kind>rc|beta|alpha)(?P<n>[0-9]+))?")


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple[tuple[int, ...], str]:
    """(major, minor, patch), pre-release."""
    s = v.strip()
    m = _MODULE.fullmatch(s)
    if m:
        parts = [int(m["major"]), int(m["minor"] or 0), int(m["patch"] or 0)]
        return release_key(parts), m["pre"] or ""
    m = _TOOLCHAIN.fullmatch(s)
    if m:
        parts = [int(x) for x in m["release"].split(".")]
        pre = f"{m['kind']}.{int(m['n'])}" if m["kind"] else ""
        return release_key(parts), pre
    raise invalid(NAME, v, "not a Go module or toolchain version")


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    parts, pre = parse(v)
    return (parts, prerelease_key(pre))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
