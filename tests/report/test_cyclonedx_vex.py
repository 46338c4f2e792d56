"""CycloneDX 1.6 VDR/VEX: cyclonedx-python-lib's strict validator, refs, ratings and VEX analysis."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from assay.match.finding import Ignored, ScanResult
from assay.report import render
from assay.sbom import encode

from .conftest import OPTIONS


def _raw(r: ScanResult) -> str:
    return render(r, "cyclonedx-vex", OPTIONS).decode()


def _doc(r: ScanResult) -> dict[str, Any]:
    return json.loads(_raw(r))


def _validate(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    err = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert err is None, str(err)


def _vuln(doc: dict[str, Any], vid: str) -> dict[str, Any]:
    (v,) = [v for v in doc["vulnerabilities"] if v["id"] == vid]
    return v


def test_validates_strictly_against_cyclonedx_1_6(result: ScanResult) -> None:
    _validate(_raw(result))


def test_schema_check_is_not_vacuous(result: ScanResult) -> None:
    doc = _doc(result)
    doc["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv9"
    with pytest.raises(AssertionError):
        _validate(json.dumps(doc))


def test_components_are_the_sboms_and_every_affect_resolves(result: ScanResult) -> None:
    doc = _doc(result)
    sbom_doc = json.loads(encode(result.sbom, "cyclonedx-json@1.6"))
    assert doc["components"] == sbom_doc["components"]
    assert doc["serialNumber"] != sbom_doc["serialNumber"]
    refs = {c["bom-ref"] for c in doc["components"]}
    for v in doc["vulnerabilities"]:
        assert all(a["ref"] in refs for a in v["affects"])
    bom_refs = [v["bom-ref"] for v in doc["vulnerabilities"]]
    assert len(set(bom_refs)) == len(bom_refs) == len(result.findings) + len(result.ignored)
    assert doc["metadata"]["tools"] == {"components": [{"type": "application", "name": "assay", "version": "1.2.3"}]}
    assert doc["metadata"]["timestamp"] == "2024-05-02T10:00:03Z"


def test_ratings_references_and_recommendation(result: ScanResult) -> None:
    doc = _doc(result)
    lodash = _vuln(doc, "GHSA-35jh-r3h4-6jhm")
    assert [(r["method"], r.get("score")) for r in lodash["ratings"]] == [("CVSSv31", 7.2), ("CVSSv4", 8.6)]
    assert lodash["source"] == {"name": "GitHub Advisory Database", "url": "https://github.com/advisories/GHSA-35jh-r3h4-6jhm"}
    assert lodash["references"] == [{"id": "CVE-2021-23337", "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-23337"}}]
    assert lodash["recommendation"] == "Upgrade lodash to 4.17.21."
    glibc = _vuln(doc, "CVE-2010-4756")
    assert [(r["method"], r["severity"]) for r in glibc["ratings"]] == [("CVSSv2", "medium"), ("other", "info")]
    assert _vuln(doc, "GHSA-vh95-rmgr-6w4m").get("ratings") is None  # nothing known, nothing claimed
    pillow = _vuln(doc, "GHSA-j7hp-h8jx-5ppr")
    props = {p["name"]: p["value"] for p in pillow["properties"]}
    assert props["assay:cisa-kev"] == "true" and props["assay:epss"] == "0.93912"
    # active findings carry no analysis: they are affected
    assert "analysis" not in pillow and pillow["affects"][0]["versions"] == [{"version": "9.5.0", "status": "affected"}]


def test_vex_suppressed_match_keeps_its_analysis(result: ScanResult) -> None:
    semver = _vuln(_doc(result), "GHSA-c2qf-rxjj-qqgw")
    assert semver["analysis"] == {
        "state": "not_affected",
        "justification": "code_not_reachable",
        "detail": "semver only parses the versions in our own package.json (justification: vulnerable_code_not_in_execute_path)",
    }
    assert semver["affects"][0]["versions"] == [{"version": "7.5.1", "status": "unaffected"}]


def test_rule_suppressed_match_keeps_the_reason_without_a_state(result: ScanResult) -> None:
    requests = _vuln(_doc(result), "GHSA-9wx4-h78v-vm56")
    assert requests["analysis"] == {"detail": "ignored by rule: the application never disables certificate verification"}
    assert requests["affects"][0]["versions"][0]["status"] == "affected"


@pytest.mark.parametrize(
    ("kind", "rule", "analysis", "status"),
    [
        ("vex", {"status": "fixed"}, {"state": "resolved"}, "unaffected"),
        ("vex", {"state": "not_affected", "justification": "code_not_present", "response": ["will_not_fix", "bogus"]}, {"state": "not_affected", "justification": "code_not_present", "response": ["will_not_fix"]}, "unaffected"),
        ("vex", {"status": "known_not_affected", "flags": [{"label": "component_not_present"}]}, {"state": "not_affected", "justification": "code_not_present", "detail": "justification: component_not_present"}, "unaffected"),
        ("distro-not-affected", None, {"state": "not_affected", "detail": "debian: not-affected"}, "unaffected"),
        ("only-fixed", None, {"detail": "not reported (only-fixed): debian: not-affected"}, "affected"),
    ],
)
def test_analysis_mapping(result: ScanResult, kind: str, rule: dict[str, Any] | None, analysis: dict[str, Any], status: str) -> None:
    ig = Ignored(finding=result.findings[0], kind=kind, reason="debian: not-affected" if rule is None else "", rule=rule)
    r = replace(result, findings=result.findings[1:], ignored=(ig,))
    text = _raw(r)
    _validate(text)
    v = _vuln(json.loads(text), result.findings[0].id)
    assert v["analysis"] == analysis
    assert v["affects"][0]["versions"][0]["status"] == status


def test_a_match_suppressed_twice_gets_distinct_refs(result: ScanResult) -> None:
    ig = result.ignored[1]
    r = replace(result, ignored=(*result.ignored, replace(ig, kind="rule", rule={"vulnerability": "CVE-2022-25883"})))
    text = _raw(r)
    _validate(text)
    refs = [v["bom-ref"] for v in json.loads(text)["vulnerabilities"]]
    assert len(set(refs)) == len(refs)
