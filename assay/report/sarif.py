"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One rule per vulnerability id (its description, a help text and table, a link,
and ``properties.security-severity``: the score behind the rating, which GitHub
turns back into critical/high/medium/low); one result per vulnerable package,
at the file the package was found in.  As grype does, a path inside an image is
written ``image/<path>`` so that it cannot be mistaken for a file of the
repository; directory scans give paths relative to the scanned directory.

Levels: critical and high are ``error``, medium ``warning``, the rest ``note``.
Ignored matches are left out (not every SARIF consumer honours suppressions);
the scan's warnings become tool notifications.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from ..match.finding import SEVERITY_ORDER, Finding, ScanResult
from ._common import (
    SEVERITY_TITLE,
    ReportOptions,
    dumps,
    fix_text,
    http_urls,
    id_info,
    image_name,
    ordered,
    package_path,
    primary_score,
)

__all__ = ["SCHEMA_URI", "render"]

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {"critical": "error", "high": "error", "medium": "warning"}
_HELP_ROWS = 25  # packages listed in a rule's help; a CVE can hit hundreds of packages


def _level(severity: str) -> str:
    return _LEVEL.get(severity, "note")


def _security_severity(f: Finding) -> float | None:
    if f.severity in ("unknown", "negligible"):
        return None
    return primary_score(f)


def _uri(result: ScanResult, f: Finding) -> str:
    src = result.sbom.source
    path = package_path(f.package)
    if not path:
        if src.input.startswith("sbom:"):
            return quote(src.input[len("sbom:") :].lstrip("/") or "sbom", safe="/-._~@+")
        return "image" if src.kind == "image" else "."
    if src.kind == "image":
        return "image" + quote(path, safe="/-._~@+")
    return quote(path.lstrip("/"), safe="/-._~@+") or "."


def _fingerprint(result: ScanResult, f: Finding) -> str:
    p = f.package
    key = "\x00".join((f.id, p.purl or f"{p.type}/{p.name}@{p.version}", package_path(p), image_name(result)))
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rule(vid: str, findings: list[Finding]) -> dict[str, Any]:
    top = findings[0]  # most severe (findings are in report order)
    info = id_info(vid)
    link = info.url or next(iter(http_urls(top.urls)), "")
    summary = next((f.summary for f in findings if f.summary), "")
    short = f"{vid}: {summary}" if summary else f"{vid} ({top.severity})"
    if len(short) > 1000:
        short = short[:997] + "..."
    packages = sorted({f"{f.package.name} {f.package.version} ({f.package.type})" for f in findings})
    text_lines = [f"Vulnerability {vid}", f"Severity: {top.severity}"]
    if top.aliases:
        text_lines.append("Aliases: " + ", ".join(sorted(top.aliases)))
    more = f" and {len(packages) - _HELP_ROWS} more" if len(packages) > _HELP_ROWS else ""
    text_lines.append("Packages: " + "; ".join(packages[:_HELP_ROWS]) + more)
    if link:
        text_lines.append(f"Link: {link}")
    md = [f"**Vulnerability {vid}**", "", "| Severity | Package | Version | Fixed in | Type |", "| --- | --- | --- | --- | --- |"]
    for f in findings[:_HELP_ROWS]:
        p = f.package
        md.append(f"| {SEVERITY_TITLE.get(f.severity, f.severity)} | {_md(p.name)} | {_md(p.version)} | {_md(fix_text(f))} | {p.type} |")
    if len(findings) > _HELP_ROWS:
        md.append(f"| | {len(findings) - _HELP_ROWS} more | | | |")
    if summary:
        md += ["", _md(summary)]
    if link:
        md += ["", f"[{vid}]({link})"]
    props: dict[str, Any] = {"tags": ["security", "vulnerability", top.severity]}
    scores = [s for s in (_security_severity(f) for f in findings) if s is not None]
    if scores:
        props["security-severity"] = f"{max(scores):.1f}"
    rule: dict[str, Any] = {
        "id": vid,
        "name": vid,
        "shortDescription": {"text": short},
        "fullDescription": {"text": summary or short},
        "defaultConfiguration": {"level": _level(top.severity)},
    }
    if link:
        rule["helpUri"] = link
    rule["help"] = {"text": "\n".join(text_lines), "markdown": "\n".join(md)}
    rule["properties"] = props
    return rule


def _message(result: ScanResult, f: Finding) -> str:
    p = f.package
    where = package_path(p)
    text = f"{p.name} {p.version} ({p.type})"
    if where:
        text += f" at {where}"
    text += f" is vulnerable to {f.id} ({f.severity})"
    fixed = fix_text(f)
    if f.fix_state == "fixed" and fixed:
        text += f"; fixed in {fixed}"
    elif f.fix_state == "wont-fix":
        text += "; the maintainers will not fix it"
    elif f.fix_state == "not-fixed":
        text += "; no fix yet"
    if result.sbom.source.kind == "image":
        text += f", in image {image_name(result)}"
    return text + "."


def render(result: ScanResult, options: ReportOptions) -> bytes:
    findings = ordered(result.findings)
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.id, []).append(f)
    rule_ids = sorted(by_rule, key=lambda vid: (-SEVERITY_ORDER.get(by_rule[vid][0].severity, 0), vid))
    index = {vid: i for i, vid in enumerate(rule_ids)}
    results = []
    for f in findings:
        p = f.package
        logical: dict[str, Any] = {"name": p.name, "kind": "package"}
        if p.purl:
            logical["fullyQualifiedName"] = p.purl
        entry: dict[str, Any] = {
            "ruleId": f.id,
            "ruleIndex": index[f.id],
            "level": _level(f.severity),
            "message": {"text": _message(result, f)},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": _uri(result, f)}, "region": {"startLine": 1}},
                    "logicalLocations": [logical],
                }
            ],
            "partialFingerprints": {"assayFinding/v1": _fingerprint(result, f)},
        }
        props: dict[str, Any] = {"package": p.name, "version": p.version, "type": p.type, "fixState": f.fix_state}
        if f.fixed_versions:
            props["fixedVersions"] = list(f.fixed_versions)
        if f.aliases:
            props["aliases"] = sorted(f.aliases)
        if f.kev:
            props["knownExploited"] = True
        if f.epss is not None:
            props["epss"] = f.epss
        entry["properties"] = props
        results.append(entry)
    driver: dict[str, Any] = {"name": "assay", "version": options.tool_version, "semanticVersion": options.tool_version}
    driver["rules"] = [_rule(vid, by_rule[vid]) for vid in rule_ids]
    invocation: dict[str, Any] = {"executionSuccessful": True, "startTimeUtc": options.started, "endTimeUtc": options.finished}
    if result.warnings:
        invocation["toolExecutionNotifications"] = [{"level": "warning", "message": {"text": w}} for w in result.warnings]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if result.ignored:
        run["properties"] = {"ignoredMatches": len(result.ignored)}
    return dumps({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]})
