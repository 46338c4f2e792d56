"""Composer (Packagist) versions, normalised like ``composer/semver``'s VersionParser.

``[v]N[.N[.N[.N]]][<sep>stability[N...]][<sep>dev][+build]``: up to four numeric
parts (missing ones are 0), a stability modifier spelled ``alpha|a``, ``beta|b``,
``RC|rc``, ``stable``, ``patch|pl|p`` (case-insensitive, ``.``/``-``/``_`` or no
separator) with optional numbers, and an optional ``-dev`` suffix.  Order, as PHP's
``version_compare`` gives on the normalised form: release parts, then
``dev < alpha < beta < RC < stable < patch``, then the modifier's numbers; a
trailing ``-dev`` is lower than the same version without it.  ``1.0.x-dev`` style
branch versions become ``1.0.9999999.9999999-dev``; named branches (``dev-main``)
are not ordered (Composer never matches them against ranges) and are invalid here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid

NAME = "composer"

_BRANCH_ALIAS = 9999999
_STABILITY = {"dev": 0, "alpha": 1, "a": 1, "beta": 2, "b": 2, "rc": 3, "stable": 4, "patch": 5, "pl": 5, "p": 5}
_COMPOSER = re.compile(
    r"""
    v?(?P<release>[0-9]+(?:\.(?:[0-9]+|[x*]))*)
    (?:[._-]?(?P<stab>stable|beta|b|rc|alpha|a|patch|pl|p)(?P<nums>(?:[.-]?[0-9]+)*))?
    (?P<dev>[.-]?dev)?
    (?:\+[0-9A-Za-z.-]+)?
    """,
    re.VERBOSE | re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    s = v.strip()
    m = _COMPOSER.fullmatch(s)
    if not m:
        raise invalid(NAME, v, "not a Composer version")
    raw = m["release"].split(".")
    if len(raw) > 4:
        raise invalid(NAME, v, "more than four numeric parts")
    wildcard = any(p in ("x", "X", "*") for p in raw)
    if wildcard and not m["dev"]:
        raise invalid(NAME, v, "wildcard outside a -dev branch version")
    parts = [(_BRANCH_ALIAS if p in ("x", "X", "*") else int(p)) for p in raw]
    if wildcard:
        parts += [_BRANCH_ALIAS] * (4 - len(parts))
    parts += [0] * (4 - len(parts))
    if m["stab"]:
        stability = _STABILITY[m["stab"].lower()]
    elif m["dev"]:
        stability = _STABILITY["dev"]
    else:
        stability = _STABILITY["stable"]
    nums: list[tuple[int, ...]] = [(2, int(n)) for n in re.findall(r"[0-9]+", m["nums"] or "")]
    if m["stab"] and m["dev"]:
        nums.append((0,))  # "-beta2-dev" sorts below "-beta2" and below "-beta2.1"
    nums.append((1,))
    return (tuple(parts), stability, tuple(nums))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
