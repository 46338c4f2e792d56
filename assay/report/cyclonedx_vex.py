"""CycloneDX 1.6 JSON with vulnerabilities: a VDR for what was found, VEX analysis for what was suppressed.

The document is the scanned SBOM as ``assay sbom -o cyclonedx-json`` writes it
(same components, same bom-refs) plus ``vulnerabilities``: one entry per finding
and per suppressed match, with the source of the id, the aliases as references,
every rating (CVSS v2/v3.x/v4 with vector and score, distro and GHSA ratings as
``other``), a recommendation, the advisories' URLs, and ``affects`` pointing at the
package's bom-ref.  A match suppressed by a VEX statement keeps that statement as
``analysis`` (state, justification mapped to CycloneDX's vocabulary, responses and
detail); one the distribution says is fixed or not affected is ``resolved`` or
``not_affected``; one dropped by an ignore rule or a filter keeps the reason as
``analysis.detail``.  EPSS and CISA KEV data, which CycloneDX has no field for,
are ``assay:*`` properties.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from ..match.finding import Finding, Ignored, ScanResult
from ..sbom._cyclonedx import bom_ref, to_document
from ._common import (
    ReportOptions,
    Suppression,
    cvss_severities,
    dumps,
    http_urls,
    id_info,
    ordered,
    ordered_ignored,
    suppression,
)

__all__ = ["JUSTIFICATIONS", "document", "render"]

VERSION = "1.6"

_SEVERITY = {"critical": "critical", "high": "high", "medium": "medium", "low": "low", "negligible": "info", "unknown": "unknown"}

_STATE = {"not_affected": "not_affected", "fixed": "resolved", "affected": "exploitable", "under_investigation": "in_triage"}

# OpenVEX / CSAF justifications -> CycloneDX's (CycloneDX's own pass through unchanged)
JUSTIFICATIONS = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}
_CDX_JUSTIFICATIONS = frozenset(
    {
        "code_not_present",
        "code_not_reachable",
        "requires_configuration",
        "requires_dependency",
        "requires_environment",
        "protected_by_compiler",
        "protected_at_runtime",
        "protected_at_perimeter",
        "protected_by_mitigating_control",
    }
)
_RESPONSES = frozenset({"can_not_fix", "will_not_fix", "update", "rollback", "workaround_available"})


def _source(vid: str) -> dict[str, str]:
    info = id_info(vid)
    out = {"name": info.source or "unknown"}
    if info.url:
        out["url"] = info.url
    return out


def _method(kind: str, vector: str) -> str:
    if kind == "CVSS_V2":
        return "CVSSv2"
    if kind == "CVSS_V3":
        return "CVSSv3" if vector.startswith("CVSS:3.0/") else "CVSSv31"
    if kind == "CVSS_V4":
        return "CVSSv4"
    return "other"


def _ratings(f: Finding) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for s in cvss_severities(f):
        r: dict[str, Any] = {"source": {"name": s.source or "unknown"}}
        if s.score is not None:
            r["score"] = s.score
        if s.rating:
            r["severity"] = _SEVERITY.get(s.rating, "unknown")
        r["method"] = _method(s.kind, s.vector)
        if s.vector:
            r["vector"] = s.vector
        out.append(r)
    for s in sorted((s for s in f.severities if s.kind == "rating" and s.rating), key=lambda s: (s.source, s.rating)):
        out.append({"source": {"name": s.source or "unknown"}, "severity": _SEVERITY.get(s.rating, "unknown"), "method": "other"})
    if not out and f.severity != "unknown":
        out.append({"source": {"name": "assay"}, "severity": _SEVERITY.get(f.severity, "unknown"), "method": "other"})
    return out


def _recommendation(f: Finding) -> str:
    p = f.package
    if f.fix_state == "fixed" and f.fixed_versions:
        return f"Upgrade {p.name} to {' or '.join(f.fixed_versions)}."
    if f.fix_state == "wont-fix":
        return f"The maintainers of {p.name} will not fix this vulnerability."
    if f.fix_state == "not-fixed":
        return f"No fixed version of {p.name} is available yet."
    return ""


def _properties(f: Finding) -> list[dict[str, str]]:
    props = [("assay:fix-state", f.fix_state), ("assay:severity", f.severity)]
    if f.severity_source:
        props.append(("assay:severity-source", f.severity_source))
    if f.epss is not None:
        props.append(("assay:epss", repr(f.epss)))
    if f.epss_percentile is not None:
        props.append(("assay:epss-percentile", repr(f.epss_percentile)))
    if f.kev:
        props.append(("assay:cisa-kev", "true"))
        added = f.kev.get("dateAdded")
        if added:
            props.append(("assay:cisa-kev:date-added", str(added)))
    for d in f.details:
        props.append(("assay:match", f"{d.matcher} {d.record} {d.ecosystem} {d.constraint}".strip()))
    return [{"name": k, "value": v} for k, v in props]


def _analysis(s: Suppression) -> dict[str, Any]:
    out: dict[str, Any] = {}
    detail = s.detail or s.reason
    if s.kind == "vex":
        state = _STATE.get(s.status, "")
        if state:
            out["state"] = state
        if s.justification:
            mapped = s.justification if s.justification in _CDX_JUSTIFICATIONS else JUSTIFICATIONS.get(s.justification, "")
            if mapped and state == "not_affected":
                out["justification"] = mapped
            if mapped != s.justification:
                detail = f"{detail} (justification: {s.justification})" if detail else f"justification: {s.justification}"
        responses = [r for r in s.responses if r in _RESPONSES]
        if responses:
            out["response"] = responses
    elif s.kind == "distro-not-affected":
        out["state"] = "not_affected"
    elif s.kind == "distro-fixed":
        out["state"] = "resolved"
    elif s.kind == "rule":
        detail = f"ignored by rule: {detail}" if detail else "ignored by rule"
    else:
        detail = f"not reported ({s.kind}): {detail}" if detail else f"not reported ({s.kind})"
    if detail:
        out["detail"] = detail
    return out


def _vulnerability(f: Finding, ig: Ignored | None) -> dict[str, Any]:
    p = f.package
    ref = bom_ref(p)
    analysis = _analysis(suppression(ig)) if ig is not None else {}
    status = "unaffected" if analysis.get("state") in ("not_affected", "resolved") else "affected"
    out: dict[str, Any] = {
        "bom-ref": f"vulnerability:{f.id}:{p.id}",
        "id": f.id,
        "source": _source(f.id),
    }
    refs = [{"id": a, "source": _source(a)} for a in sorted(set(f.aliases) - {f.id})]
    if refs:
        out["references"] = refs
    ratings = _ratings(f)
    if ratings:
        out["ratings"] = ratings
    if f.summary:
        out["description"] = f.summary
    rec = _recommendation(f)
    if rec:
        out["recommendation"] = rec
    advisories = [{"url": u} for u in http_urls(f.urls)]
    if advisories:
        out["advisories"] = advisories
    if analysis:
        out["analysis"] = analysis
    out["affects"] = [{"ref": ref, "versions": [{"version": p.version, "status": status}]}]
    out["properties"] = _properties(f)
    return out


def document(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    doc = to_document(result.sbom, VERSION)
    vulns = [_vulnerability(f, None) for f in ordered(result.findings)]
    vulns += [_vulnerability(ig.finding, ig) for ig in ordered_ignored(result.ignored)]
    seen: dict[str, int] = {}
    for v in vulns:  # a match suppressed twice (rule and VEX) still needs unique refs
        n = seen.get(v["bom-ref"], 0)
        seen[v["bom-ref"]] = n + 1
        if n:
            v["bom-ref"] = f"{v['bom-ref']}:{n}"
    h = hashlib.sha256(b"assay-vex\x00" + result.sbom.content_digest().encode())
    for v in vulns:
        h.update(f"{v['bom-ref']}\x00{v.get('analysis', {}).get('state', '')}\x00".encode())
    doc["serialNumber"] = f"urn:uuid:{uuid.UUID(h.hexdigest()[:32], version=4)}"
    meta = doc["metadata"]
    meta["timestamp"] = options.finished
    meta["tools"] = {"components": [{"type": "application", "name": "assay", "version": options.tool_version}]}
    doc["metadata"] = {k: meta[k] for k in ("timestamp", "tools", "authors", "component") if k in meta}
    doc["vulnerabilities"] = vulns
    return doc


def render(result: ScanResult, options: ReportOptions) -> bytes:
    return dumps(document(result, options))
