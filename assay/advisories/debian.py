"""The Debian security tracker JSON (``https://security-tracker.debian.org/tracker/data/json``).

Shape: ``{source-package: {CVE: {description, debianbug, releases: {codename:
{status, fixed_version, urgency, nodsa, nodsa_reason, repositories}}}}}``.
Each (release, id) becomes one advisory in the feed ``debian-tracker:<version>``
(``bookworm`` -> ``debian:12``, ``sid`` -> ``debian:unstable``), with one
affected entry per source package, so severities stay per release as the
tracker gives them.

Fix states, from the JSON and from the tracker's text notation alike:

* ``resolved`` with a version -> fixed (range ``introduced 0, fixed V``);
* ``resolved`` with version ``0``, ``<not-affected>``, ``not-affected`` -> not-affected;
* ``open``, ``<unfixed>``, ``postponed`` -> not-fixed;
* ``no-dsa``/``<no-dsa>``, ``ignored``/``<ignored>``, ``end-of-life`` -> wont-fix;
* ``undetermined`` -> unknown.

``urgency`` (``low``, ``medium**``, ``unimportant``...) becomes a rating
severity with source ``debian``; ``not yet assigned`` and ``end-of-life`` are
no rating.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from .ecosystems import DEBIAN_CODENAMES
from .feeds import Record, Warn, rating
from .model import RATINGS, Advisory, Affected, Range, Severity

__all__ = ["parse_tracker", "release_namespace", "fix_state"]

_WONT = {"no-dsa", "ignored", "end-of-life", "<no-dsa>", "<ignored>", "<end-of-life>"}
_OPEN = {"open", "unfixed", "<unfixed>", "postponed", "<postponed>"}
_NOT_AFFECTED = {"not-affected", "<not-affected>", "not affected"}


def release_namespace(codename: str) -> str:
    """``bookworm`` -> ``debian:12``; an unknown codename is kept (``debian:<name>``)."""
    name = codename.strip().lower()
    return f"debian:{DEBIAN_CODENAMES.get(name, name)}"


def fix_state(info: Mapping[str, Any]) -> tuple[str, str]:
    """(fix state, fixed version) of one release entry."""
    status = str(info.get("status") or "").strip().lower()
    fixed = str(info.get("fixed_version") or "").strip()
    urgency = str(info.get("urgency") or "").strip().lower()
    low_fixed = fixed.lower()
    if low_fixed in _NOT_AFFECTED or status in _NOT_AFFECTED or (fixed == "0" and status in ("resolved", "fixed", "")):
        return "not-affected", ""
    if low_fixed in _WONT or status in _WONT:
        return "wont-fix", ""
    if status in ("resolved", "fixed") and fixed and not fixed.startswith("<"):
        return "fixed", fixed
    if status in _OPEN or low_fixed in _OPEN:
        reason = str(info.get("nodsa_reason") or "").strip().lower()
        if urgency.startswith("end-of-life") or (info.get("nodsa") and reason != "postponed"):
            return "wont-fix", ""
        return "not-fixed", ""
    if fixed and not fixed.startswith("<"):
        return "fixed", fixed
    return "unknown", ""


def parse_tracker(doc: Mapping[str, Any], *, where: str, warn: Warn) -> Iterator[Record]:
    """One advisory per (release, id) from the whole tracker document."""
    # (namespace, id) -> [description, bug, [(package, info)]]
    grouped: dict[tuple[str, str], tuple[list[str], list[tuple[str, Mapping[str, Any]]]]] = {}
    for package, cves in doc.items():
        if not isinstance(cves, dict):
            warn(f"skipped malformed package entry {package!r} in {where}")
            continue
        for ident, data in cves.items():
            if not isinstance(data, dict):
                warn(f"skipped malformed record {ident} ({package}) in {where}")
                continue
            releases = data.get("releases") or {}
            if not isinstance(releases, dict):
                if releases:  # the tracker writes "releases": [] for ids it no longer tracks
                    warn(f"skipped malformed record {ident} ({package}) in {where}: releases is not an object")
                continue
            desc = data.get("description") if isinstance(data.get("description"), str) else ""
            bug = data.get("debianbug")
            for codename, info in releases.items():
                if not isinstance(info, dict):
                    warn(f"skipped malformed release {codename} of {ident} ({package}) in {where}")
                    continue
                key = (release_namespace(str(codename)), str(ident))
                meta, entries = grouped.setdefault(key, ([desc or "", str(bug) if bug else ""], []))
                if not meta[0] and desc:
                    meta[0] = desc
                entries.append((str(package), info))
    for (namespace, ident), ((desc, bug), entries) in grouped.items():
        affected = []
        best = ""
        for package, info in entries:
            state, fixed = fix_state(info)
            word = rating(info.get("urgency"))
            if word and RATINGS.index(word) > (RATINGS.index(best) if best else -1):
                best = word
            qualifiers = {"urgency": str(info["urgency"])} if info.get("urgency") else {}
            affected.append(
                Affected(
                    ecosystem=namespace,
                    package=package,
                    ranges=(Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", fixed))),) if fixed else (),
                    fix_state=state,
                    fixed_versions=(fixed,) if fixed else (),
                    version_scheme="dpkg",
                    qualifiers=qualifiers,
                )
            )
        refs = [f"https://security-tracker.debian.org/tracker/{ident}"]
        if bug:
            refs.append(f"https://bugs.debian.org/{bug}")
        yield Record(
            f"debian-tracker:{namespace.split(':', 1)[1]}",
            Advisory(
                id=ident,
                details=desc,
                severities=(Severity(source="debian", kind="rating", rating=best),) if best else (),
                references=tuple(refs),
                source="debian-tracker",
                affected=tuple(affected),
            ),
        )
