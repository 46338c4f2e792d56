"""NuGet package versions (NuGet's SemVer 2.0 dialect).

``Major[.Minor[.Patch[.Revision]]][-prerelease][+metadata]``: missing parts are
0 (``1.0`` = ``1.0.0`` = ``1.0.0.0``), leading zeros do not matter, a pre-release
is lower than its release, pre-release labels compare one by one like SemVer
(numbers numerically and below text) except that text compares
case-insensitively (``1.0.0-RC1`` = ``1.0.0-rc1``); metadata is ignored.  A
leading ``v`` is tolerated.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid
from .semver import prerelease_key

NAME = "nuget"

_NUGET = re.compile(
    r"[vV]?(?P<release>[0-9]+(?:\.[0-9]+){0,3})"
    r"(?:-(?P<pre>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
    r"(?:\+(?P<meta>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    m = _NUGET.fullmatch(v.strip())
    if not m:
        raise invalid(NAME, v, "not a NuGet version")
    parts = [int(x) for x in m["release"].split(".")]
    parts += [0] * (4 - len(parts))
    return (tuple(parts), prerelease_key(m["pre"] or "", fold_case=True))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
