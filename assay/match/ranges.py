"""Is a package version inside an advisory's affected ranges?  OSV semantics, plus grype constraints.

:func:`is_affected` follows the OSV schema's evaluation algorithm
(https://ossf.github.io/osv-schema/#evaluation):

* a version listed in ``Affected.versions`` is affected (exact string, or equal
  in the scheme);
* for each range (any one holding is enough): if the range has ``limit`` events
  the version must be below one of them (``*`` is infinity); then the events are
  sorted by version and replayed: ``introduced`` at or below the version makes it
  vulnerable (``"0"`` sorts before everything), ``fixed`` at or below, or
  ``last_affected`` strictly below, makes it not vulnerable; the final state wins;
* ``ECOSYSTEM`` ranges compare in the ecosystem's scheme, ``SEMVER`` ranges always
  with SemVer precedence (Go keeps its own scheme: its versions *are* SemVer,
  written with a ``v``); ``GIT`` ranges name commits and never match a version;
* ``CONSTRAINT`` ranges (grype/vunnel records) are constraint strings evaluated by
  :mod:`assay.match.versions.constraint`.

Nothing here raises for bad data.  If the version or a bound cannot be parsed in
the scheme and the version at least starts with a digit, that range is evaluated
with the ``generic`` (fuzzy) scheme instead, and the description says so;
otherwise (and for a constraint with broken syntax) the range does not match.
An exact entry of the ``versions`` list matches whatever the version looks like.
The second element of the result describes what held, e.g.
``>= 1.0, < 1.2.3 (pep440)``, or is ``""`` when the version is not affected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cmp_to_key, lru_cache

from ..advisories.model import Affected, Range
from ..errors import MatchError
from .versions import get_scheme, scheme_for_ecosystem
from .versions.constraint import describe, satisfies

__all__ = ["is_affected", "range_holds"]

_FALLBACK = "generic"
_KIND_ORDER = {"introduced": 0, "fixed": 1, "last_affected": 1}


def is_affected(scheme_name: str, version: str, affected: Affected) -> tuple[bool, str]:
    """(affected?, the constraint that held) for ``version`` against one ``Affected`` entry."""
    scheme_name = scheme_name or affected.version_scheme or scheme_for_ecosystem(affected.ecosystem)
    listed = _listed(scheme_name, version, affected.versions)
    if listed is not None:
        return True, f"= {listed} ({scheme_name})"
    for rng in affected.ranges:
        held = range_holds(scheme_name, version, rng)
        if held:
            return True, held
    return False, ""


def range_holds(scheme_name: str, version: str, rng: Range) -> str:
    """The description of ``rng`` if ``version`` is inside it, else ``""``."""
    kind = rng.type.upper()
    if kind == "GIT":
        return ""
    if kind == "CONSTRAINT":
        return _constraint_holds(scheme_name, version, rng.constraint)
    if kind == "SEMVER" and scheme_name != "go":
        scheme_name = "semver"
    try:
        return _events_hold(scheme_name, version, rng.events)
    except MatchError:  # InvalidVersion, chiefly
        if scheme_name == _FALLBACK or not _looks_like_version(version):
            return ""
        return _events_hold(_FALLBACK, version, rng.events)


def _listed(scheme_name: str, version: str, versions: Iterable[str]) -> str | None:
    """The entry of ``versions`` equal to ``version`` (string first, then scheme equality)."""
    wanted = version.strip()
    for v in versions:
        if v.strip() == wanted:
            return v
    scheme = get_scheme(scheme_name)
    try:
        scheme.key(version)
    except MatchError:
        return None  # only an exact string can match a version the scheme cannot read
    for v in versions:
        try:
            if scheme.compare(version, v) == 0:
                return v
        except MatchError:
            continue
    return None


def _constraint_holds(scheme_name: str, version: str, constraint: str) -> str:
    try:
        return describe(constraint, scheme_name) if satisfies(scheme_name, version, constraint) else ""
    except MatchError:
        if not _looks_like_version(version):
            return ""
    # unparseable version or bound (bad syntax fails again here and never matches)
    try:
        return describe(constraint, _FALLBACK) if satisfies(_FALLBACK, version, constraint) else ""
    except MatchError:
        return ""


def _looks_like_version(version: str) -> bool:
    """Worth a fuzzy comparison: starts with a digit (after an optional ``v``)."""
    s = version.strip()
    s = s[1:] if s[:1] in ("v", "V") else s
    return s[:1].isdigit()


def _is_zero(kind: str, v: str) -> bool:
    return kind == "introduced" and v.strip() == "0"


@lru_cache(maxsize=16384)
def _sorted_events(scheme_name: str, events: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Non-limit events in version order ("introduced: 0" first, introduced before a close at a tie)."""
    compare = get_scheme(scheme_name).compare

    def order(a: tuple[str, str], b: tuple[str, str]) -> int:
        za, zb = _is_zero(*a), _is_zero(*b)
        if za or zb:
            return zb - za if za != zb else 0
        c = compare(a[1], b[1])
        return c or _KIND_ORDER.get(a[0], 1) - _KIND_ORDER.get(b[0], 1)

    body = [e for e in events if e[0] in _KIND_ORDER]
    return tuple(sorted(body, key=cmp_to_key(order)))


def _events_hold(scheme_name: str, version: str, events: tuple[tuple[str, str], ...]) -> str:
    compare: Callable[[str, str], int] = get_scheme(scheme_name).compare
    limits = [v for k, v in events if k == "limit"]
    limit_held = ""
    if limits:
        for lim in limits:
            if "*" in lim:
                break
            if compare(version, lim) < 0:
                limit_held = lim
                break
        else:
            return ""
    ordered = _sorted_events(scheme_name, events)
    opened = -1  # index of the introduced event that left the version vulnerable
    for i, (kind, bound) in enumerate(ordered):
        if kind == "introduced":
            if _is_zero(kind, bound) or compare(version, bound) >= 0:
                opened = i
        elif kind == "fixed":
            if compare(version, bound) >= 0:
                opened = -1
        elif compare(version, bound) > 0:  # last_affected
            opened = -1
    if opened < 0:
        return ""
    parts = [f">= {ordered[opened][1]}"]
    for kind, bound in ordered[opened + 1 :]:
        if kind == "fixed":
            parts.append(f"< {bound}")
            break
        if kind == "last_affected":
            parts.append(f"<= {bound}")
            break
    if limit_held:
        parts.append(f"< {limit_held}")
    if len(parts) > 1 and _is_zero(*ordered[opened]):
        parts.pop(0)
    return f"{', '.join(parts)} ({scheme_name})"
