"""Advisories as assay stores and matches them: frozen values, no I/O.

Every feed (OSV, Alpine secdb, the Debian tracker, grype/vunnel results) is
imported into these types.  ``Affected.ecosystem`` is a normalised namespace:

    distros:   debian:12  ubuntu:22.04  ubuntu:16.04+esm  alpine:3.19  wolfi:rolling
               chainguard:rolling  rhel:8  almalinux:8  rocky:9  ol:8  amzn:2023  sles:15.6
               mariner:2.0  azurelinux:3.0  photon:5.0
    languages: pypi  npm  go  maven  cargo  gem  nuget  composer  hex  pub  bitnami
    other:     cpe   (NVD-style CPE configurations; package = "vendor:product")

``Affected.package`` is the name as matched: the *source* package for debian/ubuntu,
the *origin* for apk, the *source rpm name* for rpm distros, and the ecosystem's
normalised name for languages (PEP 503 for pypi, lower-case for nuget/composer,
``group:artifact`` for maven).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = ["Severity", "Range", "Affected", "Advisory", "FIX_STATES", "RATINGS", "rating_for_score"]

FIX_STATES = ("fixed", "not-fixed", "wont-fix", "not-affected", "unknown")
RATINGS = ("unknown", "negligible", "low", "medium", "high", "critical")


def rating_for_score(score: float, kind: str) -> str:
    """The qualitative rating of a CVSS base score (v2 has no "none" or "critical" band)."""
    if kind == "CVSS_V2":
        return "low" if score < 4.0 else "medium" if score < 7.0 else "high"
    if score == 0.0:
        return "negligible"
    return "low" if score < 4.0 else "medium" if score < 7.0 else "high" if score < 9.0 else "critical"


@dataclass(frozen=True, slots=True, kw_only=True)
class Severity:
    source: str  # who said so: "nvd", "ghsa", "debian", "alpine", "osv", the CNA, ...
    kind: str  # "CVSS_V2" | "CVSS_V3" | "CVSS_V4" | "rating"
    vector: str = ""
    score: float | None = None
    rating: str = ""  # one of RATINGS ("" when only a vector is known and not yet scored)


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    """One OSV range (``events`` in order), or a grype-style constraint string."""

    type: str  # "ECOSYSTEM" | "SEMVER" | "GIT" | "CONSTRAINT"
    events: tuple[tuple[str, str], ...] = ()  # ("introduced"|"fixed"|"last_affected"|"limit", version)
    constraint: str = ""  # for CONSTRAINT: e.g. ">= 1.0, < 1.2.3 || = 2.0" (comma = AND, || = OR)


@dataclass(frozen=True, slots=True, kw_only=True)
class Affected:
    ecosystem: str
    package: str
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()  # explicitly affected versions
    fix_state: str = "unknown"  # one of FIX_STATES
    fixed_versions: tuple[str, ...] = ()
    version_scheme: str = ""  # dpkg rpm apk pep440 semver go maven gem nuget composer hex pub generic ("" = ecosystem default)
    qualifiers: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)  # e.g. rpm_modularity, platform_cpes, arch, vendor_advisories


@dataclass(frozen=True, slots=True, kw_only=True)
class Advisory:
    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severities: tuple[Severity, ...] = ()
    published: str = ""
    modified: str = ""
    withdrawn: str = ""
    references: tuple[str, ...] = ()
    source: str = ""  # the feed: "osv:PyPI", "alpine-secdb", "debian-tracker", "vunnel:ubuntu", ...
    affected: tuple[Affected, ...] = ()

    @property
    def all_ids(self) -> tuple[str, ...]:
        return (self.id, *[a for a in self.aliases if a != self.id])
