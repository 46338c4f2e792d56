"""Real data from ../shared/realdata (skipped without it): CISA's KEV catalog and published VEX statements."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.match.finding import Ignored, ScanResult
from assay.report import render
from tests.conftest import SHARED

from .conftest import OPTIONS, load_schema

REALDATA = SHARED / "realdata"


def _real(*parts: str) -> Path:
    p = REALDATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"realdata not available: {p}")
    return p


def test_real_kev_entry(result: ScanResult) -> None:
    catalog = json.loads(_real("exploit-intel", "cisa-kev-data", "known_exploited_vulnerabilities.json").read_text())
    (entry,) = [v for v in catalog["vulnerabilities"] if v["cveID"] == "CVE-2023-4863"]
    findings = tuple(replace(f, kev=entry) if f.kev else f for f in result.findings)
    doc = json.loads(render(replace(result, findings=findings), "json", OPTIONS))
    errors = list(jsonschema.Draft202012Validator(load_schema("grype-document-1.0.0.json")).iter_errors(doc))
    assert not errors, errors[0].message
    (kev,) = [m for m in doc["matches"] if m["vulnerability"].get("knownExploited")]
    got = kev["vulnerability"]["knownExploited"][0]
    assert got["cve"] == entry["cveID"] and got["dueDate"] == entry["dueDate"] and got["notes"] == entry["notes"]
    assert got["knownRansomwareCampaignUse"] == entry["knownRansomwareCampaignUse"]


def _cyclonedx_analyses() -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for path in sorted(_real("vex", "cyclonedx-bom-examples", "VEX").rglob("*.json")):
        doc = json.loads(path.read_text())
        for v in doc.get("vulnerabilities") or []:
            if isinstance(v.get("analysis"), dict):
                seen.setdefault(json.dumps(v["analysis"], sort_keys=True), v["analysis"])
    assert seen, "no CycloneDX VEX analysis found"
    return list(seen.values())


def _openvex_statements() -> list[dict[str, Any]]:
    out = []
    for path in (
        _real("vex", "openvex-vexctl-examples", "examples", "openvex", "demo.vex.json"),
        _real("vex", "ubuntu-security-notices-sample", "vex", "usn", "USN-2169-1.json"),
    ):
        out.extend(json.loads(path.read_text())["statements"])
    return out


def _render_with(result: ScanResult, rule: dict[str, Any]) -> dict[str, Any]:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    target = result.findings[0]
    ig = Ignored(finding=target, kind="vex", reason="", rule=rule)
    text = render(replace(result, findings=result.findings[1:], ignored=(ig,)), "cyclonedx-vex", OPTIONS).decode()
    err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert err is None, str(err)
    (v,) = [v for v in json.loads(text)["vulnerabilities"] if v["id"] == target.id]
    return v


def test_published_cyclonedx_analyses_survive(result: ScanResult) -> None:
    for analysis in _cyclonedx_analyses():
        got = _render_with(result, analysis)["analysis"]
        assert got["state"] == analysis["state"]
        if analysis["state"] == "not_affected" and "justification" in analysis:
            assert got["justification"] == analysis["justification"]
        assert got.get("response", []) == analysis.get("response", [])
        assert got.get("detail", "") == analysis.get("detail", "")


def test_published_openvex_statements(result: ScanResult) -> None:
    states = {"fixed": "resolved", "not_affected": "not_affected", "affected": "exploitable", "under_investigation": "in_triage"}
    for statement in _openvex_statements():
        v = _render_with(result, statement)
        assert v["analysis"]["state"] == states[statement["status"]]
        json_doc = json.loads(render(replace(result, ignored=(Ignored(finding=result.findings[0], kind="vex", rule=statement),)), "json", OPTIONS))
        (applied,) = json_doc["ignoredMatches"][0]["appliedIgnoreRules"]
        assert applied["vex-status"] == statement["status"] and applied["vulnerability"] == statement["vulnerability"]["name"]
