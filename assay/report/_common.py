"""What every scan report needs: options, canonical order, severities, scores, ids, suppressions.

Reporters are pure functions of a :class:`~assay.match.finding.ScanResult` and
:class:`ReportOptions`; nothing here reads the clock or the environment, so the
same input always gives the same bytes.  Times that a report must carry (GitLab
and cosign want when the scan ran) come from the options, else from the SBOM's
creation time, else from the database's build time.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from ..advisories.model import Severity
from ..match.finding import Finding, Ignored, ScanResult
from ..model import Package, tool_version

__all__ = [
    "SEVERITY_TITLE",
    "IdInfo",
    "ReportOptions",
    "Suppression",
    "cve_of",
    "cvss_severities",
    "cvss_version",
    "dumps",
    "epss_record",
    "fix_text",
    "http_urls",
    "id_info",
    "ids_ordered",
    "image_name",
    "jsonable",
    "kev_record",
    "namespace_of",
    "ordered",
    "ordered_ignored",
    "os_name",
    "package_path",
    "primary_score",
    "primary_severity",
    "risk",
    "score_band",
    "suppression",
    "utc_timestamp",
]

EPOCH = "1970-01-01T00:00:00Z"

SEVERITY_TITLE = {
    "critical": "Critical",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    "negligible": "Negligible",
    "unknown": "Unknown",
}

# a score standing for a rating that came without one (a distro's urgency, a GHSA level):
# the middle of the CVSS v3 band, so that sorting and GitHub's security-severity agree with it
_BAND_SCORE = {"critical": 9.5, "high": 8.0, "medium": 5.5, "low": 2.5}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportOptions:
    """What a report says beyond the scan result; every field has a deterministic default.

    ``started``/``finished`` are RFC 3339 UTC times of the scan (default: the SBOM's
    creation time, else the database's build time); ``parameters`` the command line,
    and ``invocation_uri``/``event_id``/``builder_id`` the CI run, for the cosign-vuln
    predicate; ``configuration`` the effective configuration, shown in the JSON
    report's descriptor as grype does.
    """

    started: str = ""
    finished: str = ""
    tool_version: str = ""
    parameters: tuple[str, ...] | None = None
    invocation_uri: str = ""
    event_id: str = ""
    builder_id: str = ""
    configuration: Mapping[str, Any] | None = None
    sort_by: str = "severity"  # table and json order: one of SORT_KEYS

    def resolve(self, result: ScanResult) -> ReportOptions:
        """These options with the defaults filled in from ``result``."""
        fallback = utc_timestamp(result.sbom.created) or utc_timestamp(str(result.db.get("built", ""))) or EPOCH
        started = utc_timestamp(self.started) or fallback
        finished = utc_timestamp(self.finished) or started
        return replace(self, started=started, finished=finished, tool_version=self.tool_version or tool_version())


def utc_timestamp(value: str) -> str:
    """``value`` as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC, or "" when it is not an RFC 3339 time."""
    if not value or not isinstance(value, str):
        return ""
    try:
        t = _dt.datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return ""
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.UTC)
    return t.astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(doc: Any) -> bytes:
    """JSON in the layout of the SBOM encoders (two-space indent, small objects on one line)."""
    from ..sbom.cyclonedx_json import dumps as _dumps

    return _dumps(doc)


# ---------------------------------------------------------------------------- order


def _order_key(f: Finding) -> tuple[Any, ...]:
    p = f.package
    return (-f.severity_rank, f.kev is None, -(f.epss if f.epss is not None else -1.0), p.name.casefold(), p.name, p.version, p.type, p.id, f.id)


SORT_KEYS = ("severity", "kev", "epss", "package", "vulnerability")


def ordered(findings: Iterable[Finding], sort_by: str = "severity") -> list[Finding]:
    """Most urgent first: severity, then CISA KEV listing, then EPSS; ties by package name (any case) and id.

    ``sort_by`` puts another key first (as grype's ``--sort-by``): ``kev`` (listed first),
    ``epss`` (highest first), ``package`` (name, version) or ``vulnerability`` (id).
    """
    base = sorted(findings, key=_order_key)
    if sort_by == "kev":
        return sorted(base, key=lambda f: f.kev is None)
    if sort_by == "epss":
        return sorted(base, key=lambda f: -(f.epss if f.epss is not None else -1.0))
    if sort_by == "package":
        return sorted(base, key=lambda f: (f.package.name.casefold(), f.package.version))
    if sort_by == "vulnerability":
        return sorted(base, key=lambda f: f.id)
    return base


def ordered_ignored(ignored: Iterable[Ignored]) -> list[Ignored]:
    return sorted(ignored, key=lambda i: (_order_key(i.finding), i.kind, i.reason))


# ---------------------------------------------------------------------------- ids


@dataclass(frozen=True, slots=True)
class IdInfo:
    source: str  # who publishes ids of this kind, e.g. "NVD"
    url: str  # the id's page there ("" when there is no stable one)
    type: str  # identifier type as GitLab names them: cve, ghsa, usn, ...


_OSV = "https://osv.dev/vulnerability/{}"
_DEBIAN = "https://security-tracker.debian.org/tracker/{}"
_ID_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("CVE-", "NVD", "https://nvd.nist.gov/vuln/detail/{}"),
    ("GHSA-", "GitHub Advisory Database", "https://github.com/advisories/{}"),
    ("PYSEC-", "PyPA Advisory Database", _OSV),
    ("GO-", "Go Vulnerability Database", "https://pkg.go.dev/vuln/{}"),
    ("RUSTSEC-", "RustSec Advisory Database", "https://rustsec.org/advisories/{}.html"),
    ("DSA-", "Debian Security Tracker", _DEBIAN),
    ("DLA-", "Debian Security Tracker", _DEBIAN),
    ("DTSA-", "Debian Security Tracker", _DEBIAN),
    ("TEMP-", "Debian Security Tracker", _DEBIAN),
    ("USN-", "Ubuntu Security Notices", "https://ubuntu.com/security/notices/{}"),
    ("RHSA-", "Red Hat Product Errata", "https://access.redhat.com/errata/{}"),
    ("RHBA-", "Red Hat Product Errata", "https://access.redhat.com/errata/{}"),
    ("RHEA-", "Red Hat Product Errata", "https://access.redhat.com/errata/{}"),
    ("ELSA-", "Oracle Linux Errata", "https://linux.oracle.com/errata/{}.html"),
    ("ALSA-", "AlmaLinux Errata", _OSV),
    ("RLSA-", "Rocky Linux Errata", _OSV),
    ("ALAS", "Amazon Linux Security Center", ""),
    ("CGA-", "Chainguard Security", _OSV),
    ("BIT-", "Bitnami Vulnerability Database", _OSV),
    ("MAL-", "OSV", _OSV),
    ("GSD-", "OSV", _OSV),
    ("OSV-", "OSV", _OSV),
)
_ID_TYPE = re.compile(r"^([A-Za-z]+)")


def id_info(vid: str) -> IdInfo:
    upper = vid.upper()
    for prefix, source, url in _ID_SOURCES:
        if upper.startswith(prefix):
            return IdInfo(source, url.format(quote(vid, safe="")) if url else "", prefix.rstrip("-").lower())
    m = _ID_TYPE.match(vid)
    return IdInfo("", "", m.group(1).lower() if m else "advisory")


def cve_of(f: Finding) -> str:
    """The finding's CVE id (its primary id or an alias), or ""."""
    for vid in f.all_ids:
        if vid.upper().startswith("CVE-"):
            return vid
    return ""


def ids_ordered(f: Finding) -> list[str]:
    """Every id of ``f`` once: the CVE first (what other scanners key on), then the primary id, then aliases."""
    out: list[str] = []
    cve = cve_of(f)
    for vid in (cve, f.id, *sorted(f.aliases)):
        if vid and vid not in out:
            out.append(vid)
    return out


def namespace_of(f: Finding) -> str:
    """The advisory namespace the finding was matched in (``debian:12``, ``pypi``...), or ""."""
    return f.details[0].ecosystem if f.details else ""


# ---------------------------------------------------------------------------- severity and scores


def score_band(score: float) -> str:
    """The CVSS qualitative rating of a base score (0.0 counts as negligible)."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return "negligible"


def primary_severity(f: Finding) -> Severity | None:
    """The severity entry that gave the finding its rating (``severity_source`` = ``source[:kind]``)."""
    source, _, kind = f.severity_source.partition(":")
    if not source:
        return None
    for s in f.severities:
        if s.source == source and (not kind or s.kind == kind):
            return s
    return None


def primary_score(f: Finding) -> float | None:
    """A 0-10 score that stands for the finding's rating.

    The score of the entry that gave the rating; else the highest CVSS score whose
    band is that rating; else the middle of the rating's band; None when the rating
    is unknown or negligible and nothing was scored.
    """
    s = primary_severity(f)
    if s is not None and s.score is not None:
        return float(s.score)
    agreeing = [float(x.score) for x in f.severities if x.score is not None and x.kind.startswith("CVSS") and (x.rating or score_band(x.score)) == f.severity]
    if agreeing:
        return max(agreeing)
    return _BAND_SCORE.get(f.severity)


def cvss_version(s: Severity) -> str:
    if s.kind == "CVSS_V2":
        return "2.0"
    if s.kind == "CVSS_V3":
        return "3.0" if s.vector.startswith("CVSS:3.0/") else "3.1"
    if s.kind == "CVSS_V4":
        return "4.0"
    return ""


def cvss_severities(f: Finding) -> list[Severity]:
    """The finding's CVSS entries (vector or score known), primary first, then by version and source."""
    primary = primary_severity(f)
    entries = [s for s in f.severities if s.kind.startswith("CVSS") and (s.vector or s.score is not None)]
    return sorted(entries, key=lambda s: (s is not primary, -float(cvss_version(s) or 0), s.source, s.vector))


def risk(f: Finding) -> float:
    """0-100: how likely exploitation is (1 when CISA lists it as exploited, else EPSS) times impact (score / 10).

    A finding with neither a KEV listing nor an EPSS score has no known threat and a risk of 0.
    """
    threat = 1.0 if f.kev else (f.epss or 0.0)
    impact = (primary_score(f) or 0.0) / 10.0
    return round(100.0 * threat * impact, 2)


def kev_record(f: Finding) -> dict[str, Any] | None:
    """The CISA KEV entry in grype's ``knownExploited`` shape (CISA's own field names are read too)."""
    k = f.kev
    if not k:
        return None
    if not isinstance(k, Mapping):  # listed, without the catalog entry
        k = {}
    out: dict[str, Any] = {"cve": str(k.get("cveID") or k.get("cve") or cve_of(f) or f.id)}
    for key in ("vendorProject", "product", "dateAdded", "requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes"):
        v = k.get(key)
        if v:
            out[key] = str(v)
    out.setdefault("knownRansomwareCampaignUse", "Unknown")
    for key in ("urls", "cwes"):
        v = k.get(key)
        if isinstance(v, str):
            v = [v]
        if v:
            out[key] = [str(x) for x in v]
    return out


def epss_record(f: Finding, date: str = "") -> dict[str, Any] | None:
    if f.epss is None:
        return None
    return {"cve": cve_of(f) or f.id, "epss": f.epss, "percentile": f.epss_percentile if f.epss_percentile is not None else 0.0, "date": date}


def fix_text(f: Finding) -> str:
    """What the FIXED-IN column says: versions, ``(won't fix)``, or ""."""
    if f.fix_state == "fixed" and f.fixed_versions:
        return ", ".join(f.fixed_versions)
    if f.fix_state == "wont-fix":
        return "(won't fix)"
    return ""


def http_urls(urls: Iterable[str]) -> list[str]:
    """The http(s) URLs among ``urls``, each once, in the order given."""
    out: list[str] = []
    for u in urls:
        if u.startswith(("https://", "http://")) and not any(c.isspace() for c in u) and u not in out:
            out.append(u)
    return out


# ---------------------------------------------------------------------------- suppressions

# VEX statuses as OpenVEX, CSAF and CycloneDX spell them -> one vocabulary
_VEX_STATUS = {
    "not_affected": "not_affected",
    "known_not_affected": "not_affected",
    "false_positive": "not_affected",
    "fixed": "fixed",
    "resolved": "fixed",
    "resolved_with_pedigree": "fixed",
    "affected": "affected",
    "known_affected": "affected",
    "exploitable": "affected",
    "under_investigation": "under_investigation",
    "in_triage": "under_investigation",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """Why a match was not reported, in the terms the report formats use."""

    kind: str  # Ignored.kind
    reason: str
    status: str = ""  # VEX status: not_affected | fixed | affected | under_investigation | ""
    justification: str = ""  # as the statement gave it (OpenVEX / CSAF / CycloneDX vocabulary)
    detail: str = ""  # impact statement / analysis detail
    responses: tuple[str, ...] = ()
    rule: Mapping[str, Any] | None = None  # the rule or statement, JSON-safe


def _text(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


def suppression(ig: Ignored) -> Suppression:
    """Read the rule or VEX statement of ``ig`` (OpenVEX, CSAF, CycloneDX and grype-rule keys)."""
    rule = ig.rule if isinstance(ig.rule, Mapping) else None
    if rule is None:
        return Suppression(kind=ig.kind, reason=ig.reason)
    raw = _text(rule.get("status")) or _text(rule.get("vex-status")) or _text(rule.get("state"))
    status = _VEX_STATUS.get(raw.lower().replace("-", "_"), "") if raw else ""
    justification = _text(rule.get("justification")) or _text(rule.get("vex-justification"))
    if not justification:
        flags = rule.get("flags")
        if isinstance(flags, list):
            labels = [_text(x.get("label")) for x in flags if isinstance(x, Mapping)]
            justification = next((x for x in labels if x), "")
    detail = _text(rule.get("impact_statement")) or _text(rule.get("detail")) or _text(rule.get("status_notes"))
    response = rule.get("response")
    responses = tuple(str(x) for x in response) if isinstance(response, (list, tuple)) else ((response,) if isinstance(response, str) and response else ())
    reason = ig.reason or _text(rule.get("reason")) or detail
    return Suppression(
        kind=ig.kind,
        reason=reason,
        status=status,
        justification=justification,
        detail=detail,
        responses=responses,
        rule=jsonable(rule),
    )


def jsonable(x: Any) -> Any:
    """``x`` as plain JSON values: mappings keep their order, sets are sorted, dates become ISO strings."""
    if x is None or isinstance(x, (str, bool, int)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else str(x)
    if isinstance(x, Mapping):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted((jsonable(v) for v in x), key=repr)
    if isinstance(x, (_dt.date, _dt.datetime, _dt.time)):
        return x.isoformat()
    return str(x)


# ---------------------------------------------------------------------------- the scanned thing


def image_name(result: ScanResult) -> str:
    """A name for what was scanned: the image reference, directory or SBOM file."""
    src = result.sbom.source
    if src.name:
        return src.name
    if src.image is not None and src.image.tags:
        return src.image.tags[0]
    return src.input or src.path or "unknown"


def os_name(result: ScanResult) -> str:
    """``debian:12`` style, from ``--distro`` or the SBOM; "" when unknown."""
    if result.distro_override:
        return result.distro_override
    d = result.sbom.distro
    if d is None or not d.id:
        return ""
    return f"{d.id}:{d.version_id}" if d.version_id else d.id


def package_path(p: Package) -> str:
    """The file the package was found in ("" when the SBOM did not say)."""
    return p.locations[0].path if p.locations else ""
