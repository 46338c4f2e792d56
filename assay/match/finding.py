"""What a scan finds: matches (with how they were made), ignored matches (with why), and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..advisories.model import Severity
from ..model import Package, Sbom

__all__ = ["MatchDetail", "Finding", "Ignored", "ScanResult", "SEVERITY_ORDER"]

SEVERITY_ORDER = {"unknown": 0, "negligible": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchDetail:
    """How one advisory record matched one package (grype's matchDetails)."""

    matcher: str  # "dpkg-matcher", "apk-matcher", "rpm-matcher", "python-matcher", ... "cpe-matcher"
    type: str  # "exact-direct-match" | "exact-indirect-match" (via source/origin package) | "cpe-match"
    record: str  # the advisory record that matched
    ecosystem: str  # search key: namespace searched
    package: str  # search key: name searched
    version: str  # search key: version compared
    constraint: str  # the range that held, human readable, e.g. "< 1.1.1n-0+deb11u5 (dpkg)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One vulnerability in one package: aliases merged, every matching record kept in ``details``."""

    id: str  # primary id (the matched record's id; CVE when the record is a distro record for a CVE)
    aliases: tuple[str, ...] = ()  # every other id: CVE, GHSA, DSA/DLA, USN, ALAS, PYSEC, GO-...
    package: Package
    severity: str = "unknown"  # one of SEVERITY_ORDER
    severity_source: str = ""  # who gave that rating (e.g. "nvd:CVSS_V3", "debian", "ghsa")
    severities: tuple[Severity, ...] = ()  # every score/rating known, scored
    fix_state: str = "unknown"  # fixed | not-fixed | wont-fix | unknown
    fixed_versions: tuple[str, ...] = ()
    summary: str = ""
    urls: tuple[str, ...] = ()
    details: tuple[MatchDetail, ...] = ()
    kev: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)  # CISA KEV entry when listed
    epss: float | None = None
    epss_percentile: float | None = None

    @property
    def all_ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    @property
    def severity_rank(self) -> int:
        return SEVERITY_ORDER.get(self.severity, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Ignored:
    """A match that was suppressed, and the rule or statement that suppressed it."""

    finding: Finding
    kind: str  # "rule" (ignore rule) | "vex" | "distro-fixed" | "distro-not-affected" | "only-fixed" | "fix-state"
    reason: str = ""  # human readable
    rule: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)  # the ignore rule / VEX statement as given


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanResult:
    sbom: Sbom
    findings: tuple[Finding, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    db: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)  # database status (built, sources, schema)
    warnings: tuple[str, ...] = ()
    distro_override: str = ""
