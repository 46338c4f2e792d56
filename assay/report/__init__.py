"""Scan reports: one module per format, registered by name, each a pure ``render(result, options) -> bytes``.

    table          the terminal table, most urgent first, with a summary line
    json           grype's JSON document (matches, ignoredMatches, source, distro, descriptor)
    sarif          SARIF 2.1.0 for GitHub code scanning
    gitlab         GitLab container-scanning report (schema 15)
    cyclonedx-vex  CycloneDX 1.6 BOM with vulnerabilities (VDR), VEX analysis for suppressed ones
    cosign-vuln    predicate of https://cosign.sigstore.dev/attestation/vuln/v1

Identical input gives byte-identical output: lists are sorted, ids are derived
from content, and times come from :class:`ReportOptions` (never the clock).
Modules are imported when first used, so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import FormatError
from ..match.finding import ScanResult
from ._common import ReportOptions

__all__ = ["FORMATS", "FORMAT_NAMES", "ReportFormat", "ReportOptions", "get_format", "parse_output_spec", "render"]


@dataclass(frozen=True, slots=True)
class ReportFormat:
    name: str  # user-facing id, e.g. "sarif"
    module: str  # module under assay.report implementing it
    description: str
    aliases: tuple[str, ...] = ()

    def render(self, result: ScanResult, options: ReportOptions | None = None) -> bytes:
        mod = importlib.import_module(f"{__name__}.{self.module}")
        return mod.render(result, (options or ReportOptions()).resolve(result))


FORMATS: tuple[ReportFormat, ...] = (
    ReportFormat("table", "table", "a table for the terminal, most urgent first"),
    ReportFormat("json", "json", "grype-compatible JSON (matches, ignoredMatches, descriptor)", aliases=("grype-json",)),
    ReportFormat("sarif", "sarif", "SARIF 2.1.0 (GitHub code scanning)"),
    ReportFormat("gitlab", "gitlab", "GitLab container-scanning report, schema 15", aliases=("gitlab-container-scanning",)),
    ReportFormat("cyclonedx-vex", "cyclonedx_vex", "CycloneDX 1.6 JSON with vulnerabilities (VDR/VEX)", aliases=("cdx-vex", "cyclonedx-vdr")),
    ReportFormat("cosign-vuln", "cosign_vuln", "cosign vulnerability attestation predicate (vuln/v1)"),
)

FORMAT_NAMES = tuple(f.name for f in FORMATS)


def get_format(name: str) -> ReportFormat:
    for f in FORMATS:
        if name == f.name or name in f.aliases:
            return f
    raise FormatError(f"unknown report format {name!r} (choose from {', '.join(FORMAT_NAMES)})")


def parse_output_spec(spec: str) -> tuple[ReportFormat, str | None]:
    """``sarif=out.sarif`` -> (the sarif format, "out.sarif"); ``table`` -> (table, None for stdout)."""
    name, sep, path = spec.partition("=")
    if sep and not path:
        raise FormatError(f"empty output path in -o {spec}")
    return get_format(name.strip()), (path if sep else None)


def render(result: ScanResult, format_name: str, options: ReportOptions | None = None) -> bytes:
    """``result`` in the format ``format_name`` (a name or alias)."""
    return get_format(format_name).render(result, options)
