"""The terminal table, as ``grype -o table`` prints it, most urgent first.

    NAME  INSTALLED  FIXED-IN  TYPE  VULNERABILITY  SEVERITY  [EPSS]  [KEV]

Rows are sorted by severity, then CISA KEV listing, then EPSS (the EPSS and KEV
columns appear only when some finding has that data).  A summary line follows:
counts by severity, how many are known exploited, and how many were ignored.
"""

from __future__ import annotations

import math

from ..match.finding import SEVERITY_ORDER, Finding, ScanResult
from ._common import SEVERITY_TITLE, ReportOptions, fix_text, ordered

__all__ = ["render", "summary"]


def _epss(f: Finding) -> str:
    if f.epss is None:
        return ""
    text = f"{f.epss:.1%}"
    if f.epss_percentile is not None:
        text += f" p{math.floor(f.epss_percentile * 100 + 1e-9)}"
    return text


def summary(result: ScanResult) -> str:
    """``5 vulnerabilities (1 critical, 2 high, 2 medium), 1 known exploited (CISA KEV), 2 ignored``."""
    counts: dict[str, int] = {}
    for f in result.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    if result.findings:
        by_sev = sorted(counts.items(), key=lambda kv: -SEVERITY_ORDER.get(kv[0], 0))
        n = len(result.findings)
        text = "1 vulnerability" if n == 1 else f"{n} vulnerabilities"
        text += " (" + ", ".join(f"{n} {sev}" for sev, n in by_sev) + ")"
    else:
        text = "No vulnerabilities found"
    kev = sum(1 for f in result.findings if f.kev)
    if kev:
        text += f", {kev} known exploited (CISA KEV)"
    if result.ignored:
        text += f", {len(result.ignored)} ignored"
    return text


def render(result: ScanResult, options: ReportOptions) -> bytes:
    findings = ordered(result.findings, options.sort_by)
    if not findings:
        return (summary(result) + "\n").encode()
    with_epss = any(f.epss is not None for f in findings)
    with_kev = any(f.kev for f in findings)
    header = ["NAME", "INSTALLED", "FIXED-IN", "TYPE", "VULNERABILITY", "SEVERITY"]
    if with_epss:
        header.append("EPSS")
    if with_kev:
        header.append("KEV")
    rows = [header]
    for f in findings:
        p = f.package
        row = [p.name, p.version, fix_text(f), p.type, f.id, SEVERITY_TITLE.get(f.severity, f.severity)]
        if with_epss:
            row.append(_epss(f))
        if with_kev:
            row.append("yes" if f.kev else "")
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows]
    lines.append("")
    lines.append(summary(result))
    return ("\n".join(lines) + "\n").encode()
