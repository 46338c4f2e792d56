"""OSV records (https://ossf.github.io/osv-schema/) as :class:`~.model.Advisory`.

Every ecosystem osv.dev publishes comes through here: PyPI, Go, crates.io,
npm, Maven, the distros (Debian, Ubuntu, Alpine, Red Hat, AlmaLinux, Rocky,
SUSE, Wolfi, Chainguard, ...) and the same records inside vunnel results.
Ecosystem strings are normalised by :func:`~.ecosystems.normalize_ecosystem`
(``Ubuntu:Pro:16.04:LTS`` -> ``ubuntu:16.04+esm``), names by
:func:`~.ecosystems.normalize_package`.

Kept: ranges and events exactly as given, explicit ``versions``,
``withdrawn``, aliases (plus ``upstream`` ids, which name the same
vulnerability, and — for distro errata such as ALSA, RLSA, RHSA, USN, DSA —
the ``related`` CVEs the erratum fixes; other records' ``related`` ids are
different vulnerabilities and stay out), every CVSS vector (scored), ``database_specific.severity``
(GHSA ratings) and Ubuntu/Debian priorities as rating severities, and the
qualifiers the matcher needs (``rpm_modularity``, ``arch`` from the purl,
Go ``custom_ranges``).  Fix state: ``fixed`` when a range has a ``fixed``
event, else ``not-fixed``; GIT-only entries are ``unknown``.
"""

from __future__ import annotations

from typing import Any, Mapping

from .ecosystems import normalize_ecosystem, normalize_package
from .feeds import Record, RecordError, cvss_kind, make_severity, rating
from .model import Advisory, Affected, Range, Severity

__all__ = ["parse_osv", "FEED", "id_source"]

FEED = "osv"
_EVENTS = ("introduced", "fixed", "last_affected", "limit")

# advisory id prefix -> who says so (Severity.source)
_ID_SOURCES = {
    "GHSA": "ghsa",
    "PYSEC": "pypa",
    "GO": "go",
    "RUSTSEC": "rustsec",
    "DEBIAN": "debian",
    "DSA": "debian",
    "DLA": "debian",
    "DTSA": "debian",
    "USN": "ubuntu",
    "UBUNTU": "ubuntu",
    "LSN": "ubuntu",
    "ALSA": "almalinux",
    "ALBA": "almalinux",
    "ALEA": "almalinux",
    "RLSA": "rocky",
    "RXSA": "rocky",
    "RHSA": "redhat",
    "RHBA": "redhat",
    "RHEA": "redhat",
    "CGA": "chainguard",
    "BIT": "bitnami",
    "ROOT": "rootio",
    "SUSE": "suse",
    "openSUSE": "suse",
    "MAL": "ossf-malicious",
    "OSV": "osv",
    "PSF": "psf",
    "CURL": "curl",
    "MGASA": "mageia",
    "PHSA": "photon",
    "ALPINE": "alpine",
    "CVE": "nvd",
}


# distro errata: records that fix CVEs rather than describe one (their "related" ids are those CVEs)
_ERRATA = frozenset({"ALSA", "ALBA", "ALEA", "RLSA", "RXSA", "RHSA", "RHBA", "RHEA", "USN", "LSN", "DSA", "DLA", "DTSA",
                     "ELSA", "ALAS", "ALAS2", "ALAS2023", "SUSE", "openSUSE", "MGASA", "PHSA", "CGA", "BIT"})  # fmt: skip


def id_source(ident: str) -> str:
    """Who publishes an id, from its prefix (``GHSA-...`` -> ghsa); ``osv`` when unknown."""
    return _ID_SOURCES.get(ident.split("-", 1)[0], "osv")


def _str(value: Any, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise RecordError(f"{what} is not a string")


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordError(f"{what} is not a list")
    out = [v if type(v) is str else _str(v, what) for v in value if v is not None and v != ""]
    return tuple(dict.fromkeys(out))


def parse_osv(doc: Mapping[str, Any], *, where: str = "", source: str = "") -> Record:
    """One OSV record; raises :class:`RecordError` when it is malformed."""
    if not isinstance(doc, dict):
        raise RecordError("record is not an object")
    ident = doc.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise RecordError("record has no id")
    ident = ident.strip()
    affected_raw = doc.get("affected") or []
    if not isinstance(affected_raw, list):
        raise RecordError("affected is not a list")
    src = id_source(ident)
    severities: list[Severity] = []
    _add_severities(severities, doc.get("severity"), src)
    affected: list[Affected] = []
    first_eco = ""
    for i, entry in enumerate(affected_raw):
        if not isinstance(entry, dict):
            raise RecordError(f"affected[{i}] is not an object")
        aff = _affected(entry, i)
        if aff is None:
            continue
        if not first_eco:
            pkg = entry.get("package") or {}
            first_eco = str(pkg.get("ecosystem", "")).split(":", 1)[0]
        affected.append(aff)
        _add_severities(severities, entry.get("severity"), src)
        for block in ("database_specific", "ecosystem_specific"):
            extra = entry.get(block)
            if isinstance(extra, dict):
                _add_rating(severities, extra.get("urgency"), "debian" if src == "debian" else src)
                _add_rating(severities, extra.get("severity"), src)
    db_specific = doc.get("database_specific")
    if isinstance(db_specific, dict):
        _add_rating(severities, db_specific.get("severity"), src)
    aliases = _strings(doc.get("aliases"), "aliases") + _strings(doc.get("upstream"), "upstream")
    if ident.split("-", 1)[0] in _ERRATA:
        # a distro erratum names the CVEs it fixes in "related": for matching they are the same issue
        aliases += _strings(doc.get("related"), "related")
    refs = []
    for ref in doc.get("references") or ():
        if isinstance(ref, dict) and isinstance(ref.get("url"), str):
            refs.append(ref["url"])
    adv = Advisory(
        id=ident,
        aliases=tuple(a for a in dict.fromkeys(aliases) if a != ident),
        summary=_str(doc.get("summary"), "summary"),
        details=_str(doc.get("details"), "details"),
        severities=tuple(severities),
        published=_str(doc.get("published"), "published"),
        modified=_str(doc.get("modified"), "modified"),
        withdrawn=_str(doc.get("withdrawn"), "withdrawn"),
        references=tuple(dict.fromkeys(refs)),
        source=source or (f"osv:{first_eco}" if first_eco else "osv"),
        affected=tuple(affected),
    )
    return Record(FEED, adv)


def _add_severities(out: list[Severity], value: Any, src: str) -> None:
    if not value:
        return
    if not isinstance(value, list):
        raise RecordError("severity is not a list")
    for sev in value:
        if not isinstance(sev, dict):
            raise RecordError("severity entry is not an object")
        kind = str(sev.get("type", "")).upper()
        score = sev.get("score")
        if not isinstance(score, str) or not score:
            continue
        if kind.startswith("CVSS"):
            item = make_severity(src, cvss_kind(score) if kind not in ("CVSS_V2", "CVSS_V3", "CVSS_V4") else kind, score)
        else:  # "Ubuntu": "medium", ...
            who = kind.lower() or src
            word = rating(score)
            if not word:
                continue
            item = Severity(source=who, kind="rating", rating=word)
        if item not in out:
            out.append(item)


def _add_rating(out: list[Severity], value: Any, src: str) -> None:
    word = rating(value)
    if word:
        item = Severity(source=src, kind="rating", rating=word)
        if item not in out:
            out.append(item)


def _affected(entry: Mapping[str, Any], i: int) -> Affected | None:
    pkg = entry.get("package")
    if pkg is None:
        return None  # GIT-only entries carry no package; nothing to match on
    if not isinstance(pkg, dict):
        raise RecordError(f"affected[{i}].package is not an object")
    eco_raw, name = pkg.get("ecosystem"), pkg.get("name")
    if not isinstance(eco_raw, str) or not eco_raw or not isinstance(name, str) or not name:
        raise RecordError(f"affected[{i}].package needs an ecosystem and a name")
    ecosystem = normalize_ecosystem(eco_raw)
    ranges: list[Range] = []
    fixed: list[str] = []
    usable = False
    for j, rng in enumerate(entry.get("ranges") or ()):
        if not isinstance(rng, dict):
            raise RecordError(f"affected[{i}].ranges[{j}] is not an object")
        rtype = str(rng.get("type") or "ECOSYSTEM").upper()
        events = _events(rng.get("events"), f"affected[{i}].ranges[{j}]")
        ranges.append(Range(type=rtype, events=events))
        if rtype != "GIT":
            usable = True
            fixed.extend(v for k, v in events if k == "fixed")
    versions = _strings(entry.get("versions"), f"affected[{i}].versions")
    if fixed:
        state = "fixed"
    elif usable or versions or not ranges:
        state = "not-fixed"
    else:
        state = "unknown"
    qualifiers: dict[str, Any] = {}
    eco_specific = entry.get("ecosystem_specific")
    if isinstance(eco_specific, dict):
        if isinstance(eco_specific.get("rpm_modularity"), str):
            qualifiers["rpm_modularity"] = eco_specific["rpm_modularity"]
        if isinstance(eco_specific.get("custom_ranges"), list):
            qualifiers["custom_ranges"] = eco_specific["custom_ranges"]
    purl = pkg.get("purl")
    if isinstance(purl, str) and "arch=" in purl:
        arch = purl.split("arch=", 1)[1].split("&", 1)[0]
        if arch:
            qualifiers["arch"] = arch
    if eco_raw.startswith("Root:"):
        qualifiers["vendor"] = "rootio"
    return Affected(
        ecosystem=ecosystem,
        package=normalize_package(ecosystem, name),
        ranges=tuple(ranges),
        versions=versions,
        fix_state=state,
        fixed_versions=tuple(dict.fromkeys(fixed)),
        qualifiers=qualifiers,
    )


def _events(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        raise RecordError(f"{where}.events is not a list")
    out: list[tuple[str, str]] = []
    for ev in value:
        if not isinstance(ev, dict) or not ev:
            raise RecordError(f"{where} has an invalid event")
        for key, ver in ev.items():
            if key not in _EVENTS:
                raise RecordError(f"{where} has an unknown event {key!r}")
            if not isinstance(ver, (str, int, float)) or isinstance(ver, bool):
                raise RecordError(f"{where} has an invalid {key} version")
            out.append((key, str(ver)))
    return tuple(out)
