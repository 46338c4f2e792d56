"""Semantic versions (SemVer 2.0 precedence), tolerant the way npm/cargo/pub/hex data needs.

Precedence is SemVer 2.0 §11: numeric parts compare numerically; a version with a
pre-release is lower than the same version without; pre-release identifiers
compare one by one (numbers numerically and below alphanumerics, which compare in
ASCII order), and a shorter identifier list is lower when all before are equal.
Build metadata (``+...``) is ignored.

Accepted beyond strict SemVer (as grype does for advisory data): a ``v``/``V``
prefix; one to any number of numeric parts (``2`` = ``2.0`` = ``2.0.0``; extra
trailing zeros do not matter); a pre-release without the hyphen when it starts
with a letter (``1.21rc2`` = ``1.21.0-rc2``); and ``.alpha``/``.beta``/``.rc``
written with a dot (Ruby style: ``1.0.0.beta2`` = ``1.0.0-beta2``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid

NAME = "semver"

_DOTTED_PRE = re.compile(r"\.(alpha|beta|rc)")
_SEMVER = re.compile(
    r"""
    [vV]?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:-(?P<pre1>[0-9A-Za-z~-]+(?:\.[0-9A-Za-z~-]+)*)
      |(?P<pre2>[A-Za-z~][0-9A-Za-z~-]*(?:\.[0-9A-Za-z~-]+)*))?
    (?:\+(?P<build>[0-9A-Za-z~-]+(?:\.[0-9A-Za-z~-]+)*))?
    """,
    re.VERBOSE,
)


def prerelease_key(pre: str, *, fold_case: bool = False) -> tuple:
    """SemVer 2.0 §11 key for a dot-separated pre-release ("" = none, sorting last)."""
    if not pre:
        return (1,)
    ids = []
    for ident in pre.split("."):
        if ident.isdigit():
            ids.append((0, int(ident), ""))
        else:
            ids.append((1, 0, ident.lower() if fold_case else ident))
    return (0, tuple(ids))


def release_key(parts: list[int]) -> tuple[int, ...]:
    """Numeric parts with trailing zeros beyond major.minor.patch dropped, padded to three."""
    while len(parts) > 3 and parts[-1] == 0:
        parts.pop()
    while len(parts) < 3:
        parts.append(0)
    return tuple(parts)


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple[tuple[int, ...], str, str]:
    """(numeric parts, pre-release, build) of a tolerant semantic version."""
    s = _DOTTED_PRE.sub(r"-\1", v.strip())
    m = _SEMVER.fullmatch(s)
    if not m:
        raise invalid(NAME, v, "not a semantic version")
    parts = release_key([int(x) for x in m["release"].split(".")])
    return parts, m["pre1"] or m["pre2"] or "", m["build"] or ""


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    parts, pre, _build = parse(v)
    return (parts, prerelease_key(pre))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
