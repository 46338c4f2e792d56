"""The grype-compatible JSON report: grype's published schema, and what each field carries."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from assay.match.finding import ScanResult
from assay.model import SourceInfo
from assay.report import ReportOptions, render

from .conftest import OPTIONS, load_schema


def _doc(r: ScanResult, options: ReportOptions = OPTIONS) -> dict[str, Any]:
    return json.loads(render(r, "json", options))


def _validate(doc: dict[str, Any]) -> None:
    schema = load_schema("grype-document-1.0.0.json")
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def _match(doc: dict[str, Any], vid: str, key: str = "matches") -> dict[str, Any]:
    (m,) = [m for m in doc[key] if m["vulnerability"]["id"] == vid]
    return m


def test_validates_against_grypes_schema(result: ScanResult) -> None:
    _validate(_doc(result))


def test_schema_check_is_not_vacuous(result: ScanResult) -> None:
    doc = _doc(result)
    del doc["matches"][0]["artifact"]["purl"]
    with pytest.raises(AssertionError, match="purl"):
        _validate(doc)


@pytest.mark.parametrize(
    "source",
    [
        SourceInfo(kind="directory", input="dir:./app", path="/work/app"),
        SourceInfo(kind="unknown", input="sbom:./sbom.cdx.json"),
        SourceInfo(kind="unknown"),
        SourceInfo(kind="image", input="docker-archive:app.tar", digest="sha256:" + "ab" * 32),
    ],
)
def test_other_sources_validate(result: ScanResult, source: SourceInfo) -> None:
    r = replace(result, sbom=replace(result.sbom, source=source, distro=None))
    doc = _doc(r)
    _validate(doc)
    assert doc["distro"] == {"name": "", "version": "", "idLike": []}


def test_source_kinds(result: ScanResult) -> None:
    doc = _doc(result)
    assert doc["source"]["type"] == "image"
    target = doc["source"]["target"]
    assert target["userInput"] == "registry:registry.example.com/acme/app:1.2.3"
    assert target["manifestDigest"] == "sha256:" + "a1" * 32
    assert [layer["digest"] for layer in target["layers"]] == ["sha256:" + "11" * 32, "sha256:" + "22" * 32]
    sbom_file = replace(result, sbom=replace(result.sbom, source=SourceInfo(kind="unknown", input="sbom:./sbom.cdx.json")))
    assert _doc(sbom_file)["source"] == {"type": "sbom-file", "target": "./sbom.cdx.json"}


def test_matches_in_report_order_and_only_vulnerable_packages(result: ScanResult) -> None:
    doc = _doc(result)
    assert [m["vulnerability"]["id"] for m in doc["matches"]] == [
        "CVE-2023-45853",  # critical, EPSS
        "CVE-2022-48174",  # critical
        "GHSA-j7hp-h8jx-5ppr",  # high, KEV
        "GHSA-35jh-r3h4-6jhm",  # high, EPSS 0.9%
        "CVE-2023-5363",  # high, EPSS 0.3%
        "CVE-2010-4756",
        "GHSA-vh95-rmgr-6w4m",
    ]
    assert "curl" not in {m["artifact"]["name"] for m in doc["matches"]}


def test_vulnerability_fields(result: ScanResult) -> None:
    m = _match(_doc(result), "GHSA-j7hp-h8jx-5ppr")
    v = m["vulnerability"]
    assert v["dataSource"] == "https://github.com/advisories/GHSA-j7hp-h8jx-5ppr"
    assert v["namespace"] == "pypi"
    assert v["severity"] == "High"
    assert v["severitySource"] == "ghsa:CVSS_V3"
    assert v["aliases"] == ["CVE-2023-4863", "PYSEC-2023-175"]
    assert v["fix"] == {"versions": ["10.0.1"], "state": "fixed"}
    assert [(c["source"], c["type"], c["version"], c["metrics"]["baseScore"]) for c in v["cvss"]] == [
        ("ghsa", "Primary", "3.1", 8.8),
        ("nvd", "Secondary", "3.1", 8.8),
    ]
    (kev,) = v["knownExploited"]
    assert kev["cve"] == "CVE-2023-4863" and kev["dateAdded"] == "2023-09-13" and kev["cwes"] == ["CWE-787"]
    assert v["epss"] == [{"cve": "CVE-2023-4863", "epss": 0.93912, "percentile": 0.99906, "date": "2024-05-01"}]
    # risk: exploited (threat 1) x impact 8.8/10
    assert v["risk"] == 88.0
    related = {r["id"]: r for r in m["relatedVulnerabilities"]}
    assert set(related) == {"CVE-2023-4863", "PYSEC-2023-175"}
    assert related["CVE-2023-4863"]["namespace"] == "nvd:cpe"
    assert related["CVE-2023-4863"]["severity"] == "High"
    assert [c["source"] for c in related["CVE-2023-4863"]["cvss"]] == ["nvd"]
    assert related["PYSEC-2023-175"]["urls"] == ["https://osv.dev/vulnerability/PYSEC-2023-175"]


def test_fix_states_ratings_and_advisories(result: ScanResult) -> None:
    doc = _doc(result)
    assert _match(doc, "CVE-2023-45853")["vulnerability"]["fix"] == {"versions": [], "state": "wont-fix"}
    glibc = _match(doc, "CVE-2010-4756")["vulnerability"]
    assert glibc["fix"]["state"] == "not-fixed" and glibc["severity"] == "Negligible"
    assert glibc["ratings"] == [{"source": "debian", "severity": "Negligible"}]
    assert glibc["cvss"][0]["version"] == "2.0"
    assert glibc["risk"] == 0  # neither KEV nor EPSS
    unknown = _match(doc, "GHSA-vh95-rmgr-6w4m")["vulnerability"]
    assert unknown["severity"] == "Unknown" and unknown["fix"]["state"] == "unknown" and unknown["cvss"] == []
    openssl = _match(doc, "CVE-2023-5363")["vulnerability"]
    assert openssl["advisories"] == [{"id": "DSA-5532-1", "link": "https://security-tracker.debian.org/tracker/DSA-5532-1"}]


def test_match_details_and_artifact(result: ScanResult) -> None:
    m = _match(_doc(result), "CVE-2023-5363")
    assert [d["found"]["vulnerabilityID"] for d in m["matchDetails"]] == ["CVE-2023-5363", "DSA-5532-1"]
    d = m["matchDetails"][0]
    assert d["type"] == "exact-indirect-match" and d["matcher"] == "dpkg-matcher"
    assert d["searchedBy"] == {
        "distro": {"type": "debian", "version": "12"},
        "namespace": "debian:12",
        "package": {"name": "openssl", "version": "3.0.11-1~deb12u1"},
    }
    assert d["found"]["versionConstraint"] == "< 3.0.11-1~deb12u2 (dpkg)"
    assert d["fix"] == {"suggestedVersion": "3.0.11-1~deb12u2"}
    a = m["artifact"]
    assert a["name"] == "libssl3" and a["type"] == "deb" and a["licenses"] == ["Apache-2.0"]
    assert a["upstreams"] == [{"name": "openssl"}]
    assert a["locations"] == [{"path": "/var/lib/dpkg/status", "layerID": "sha256:" + "11" * 32, "accessPath": "/var/lib/dpkg/status"}]
    assert a["cpes"] == ["cpe:2.3:a:libssl3:libssl3:3.0.11-1~deb12u1:*:*:*:*:*:*:*"]
    lodash = _match(_doc(result), "GHSA-35jh-r3h4-6jhm")["matchDetails"][0]["searchedBy"]
    assert lodash["language"] == "javascript" and "distro" not in lodash


def test_ignored_matches_keep_the_rule_and_the_vex_statement(result: ScanResult) -> None:
    doc = _doc(result)
    assert [m["vulnerability"]["id"] for m in doc["ignoredMatches"]] == ["GHSA-9wx4-h78v-vm56", "GHSA-c2qf-rxjj-qqgw"]
    (rule,) = _match(doc, "GHSA-9wx4-h78v-vm56", "ignoredMatches")["appliedIgnoreRules"]
    assert rule == {
        "vulnerability": "CVE-2024-35195",
        "reason": "the application never disables certificate verification",
        "namespace": "",
        "package": {"name": "requests", "language": "", "type": "python"},
        "expires": "2030-01-01",
        "kind": "rule",
    }
    (vex,) = _match(doc, "GHSA-c2qf-rxjj-qqgw", "ignoredMatches")["appliedIgnoreRules"]
    assert vex["vulnerability"] == "CVE-2022-25883"
    assert vex["vex-status"] == "not_affected"
    assert vex["vex-justification"] == "vulnerable_code_not_in_execute_path"
    assert vex["kind"] == "vex"
    assert vex["statement"]["impact_statement"] == "semver only parses the versions in our own package.json"
    assert vex["statement"]["document"] == "vex/app.openvex.json"


def test_descriptor_distro_and_warnings(result: ScanResult) -> None:
    opts = replace(OPTIONS, configuration={"fail-on": "high", "only-fixed": False})
    doc = _doc(result, opts)
    assert doc["descriptor"]["name"] == "assay" and doc["descriptor"]["version"] == "1.2.3"
    assert doc["descriptor"]["configuration"] == {"fail-on": "high", "only-fixed": False}
    assert doc["descriptor"]["db"]["built"] == "2024-05-01T00:00:00Z"
    assert doc["descriptor"]["timestamp"] == "2024-05-02T10:00:03Z"
    assert doc["distro"] == {"name": "debian", "version": "12", "idLike": []}
    assert doc["warnings"] == ["2 packages have no version and were not matched"]
    overridden = _doc(replace(result, distro_override="ubuntu:22.04"))
    assert overridden["distro"] == {"name": "ubuntu", "version": "22.04", "idLike": []}


def test_kev_flag_without_catalog_entry(result: ScanResult) -> None:
    f = result.findings[0]
    r = replace(result, findings=(replace(f, kev={"listed": True}),), ignored=())
    doc = _doc(r)
    _validate(doc)
    assert doc["matches"][0]["vulnerability"]["knownExploited"] == [{"cve": "CVE-2023-5363", "knownRansomwareCampaignUse": "Unknown"}]
