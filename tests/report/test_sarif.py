"""SARIF 2.1.0: the official schema, rules per vulnerability, GitHub's security-severity, locations."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from assay.match.finding import ScanResult
from assay.model import SourceInfo
from assay.report import render

from .conftest import OPTIONS, load_schema


def _doc(r: ScanResult) -> dict[str, Any]:
    return json.loads(render(r, "sarif", OPTIONS))


def _validate(doc: dict[str, Any]) -> None:
    schema = load_schema("sarif-schema-2.1.0.json")
    v = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = list(v.iter_errors(doc))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_validates_against_the_sarif_schema(result: ScanResult) -> None:
    _validate(_doc(result))


def test_schema_check_is_not_vacuous(result: ScanResult) -> None:
    doc = _doc(result)
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(AssertionError, match="fatal"):
        _validate(doc)


def test_rules_one_per_vulnerability_with_security_severity(result: ScanResult) -> None:
    run = _doc(result)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len(rules) == len(result.findings)
    assert run["tool"]["driver"]["name"] == "assay" and run["tool"]["driver"]["version"] == "1.2.3"
    # the score behind the rating, as GitHub reads it
    assert rules["CVE-2023-45853"]["properties"]["security-severity"] == "9.8"
    assert rules["GHSA-j7hp-h8jx-5ppr"]["properties"]["security-severity"] == "8.8"
    assert rules["GHSA-35jh-r3h4-6jhm"]["properties"]["security-severity"] == "7.2"  # the v3.1 score that rated it, not v4's
    # negligible and unknown get none (GitHub would show a made-up severity)
    assert "security-severity" not in rules["CVE-2010-4756"]["properties"]
    assert "security-severity" not in rules["GHSA-vh95-rmgr-6w4m"]["properties"]
    r = rules["CVE-2023-5363"]
    assert r["helpUri"] == "https://nvd.nist.gov/vuln/detail/CVE-2023-5363"
    assert "libssl3" in r["help"]["markdown"] and "3.0.11-1~deb12u2" in r["help"]["markdown"]
    assert r["shortDescription"]["text"].startswith("CVE-2023-5363: Incorrect cipher key")
    assert r["defaultConfiguration"]["level"] == "error"
    assert "security" in r["properties"]["tags"]


def test_results_levels_and_rule_index(result: ScanResult) -> None:
    run = _doc(result)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    levels = {}
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        levels[res["ruleId"]] = res["level"]
    assert levels == {
        "CVE-2023-45853": "error",
        "CVE-2022-48174": "error",
        "GHSA-j7hp-h8jx-5ppr": "error",
        "GHSA-35jh-r3h4-6jhm": "error",
        "CVE-2023-5363": "error",
        "CVE-2010-4756": "note",
        "GHSA-vh95-rmgr-6w4m": "note",
    }
    # ignored matches are not results
    assert not {"GHSA-9wx4-h78v-vm56", "GHSA-c2qf-rxjj-qqgw"} & set(levels)
    assert run["properties"] == {"ignoredMatches": 2}
    fingerprints = [r["partialFingerprints"]["assayFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_locations_point_at_the_package_file(result: ScanResult) -> None:
    res = {r["ruleId"]: r for r in _doc(result)["runs"][0]["results"]}
    loc = res["CVE-2023-5363"]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "image/var/lib/dpkg/status"
    assert loc["logicalLocations"][0]["fullyQualifiedName"].startswith("pkg:deb/debian/libssl3@")
    assert "in image registry.example.com/acme/app:1.2.3" in res["CVE-2023-5363"]["message"]["text"]
    assert res["CVE-2023-45853"]["message"]["text"].endswith("the maintainers will not fix it, in image registry.example.com/acme/app:1.2.3.")


@pytest.mark.parametrize(
    ("source", "uri"),
    [
        (SourceInfo(kind="directory", input="dir:.", path="/src"), "var/lib/dpkg/status"),
        (SourceInfo(kind="unknown", input="sbom:./sbom.cdx.json"), "var/lib/dpkg/status"),
    ],
)
def test_locations_for_other_sources(result: ScanResult, source: SourceInfo, uri: str) -> None:
    doc = _doc(replace(result, sbom=replace(result.sbom, source=source)))
    _validate(doc)
    res = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert res["CVE-2023-5363"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


def test_package_without_location_points_at_the_sbom(result: ScanResult) -> None:
    f = result.findings[0]
    bare = replace(f, package=replace(f.package, locations=(), id=f.package.id))
    r = replace(result, findings=(bare,), ignored=(), sbom=replace(result.sbom, source=SourceInfo(kind="unknown", input="sbom:out/sbom file.json")))
    doc = _doc(r)
    _validate(doc)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "out/sbom%20file.json"


def test_warnings_become_notifications(result: ScanResult) -> None:
    inv = _doc(result)["runs"][0]["invocations"][0]
    assert inv["toolExecutionNotifications"] == [{"level": "warning", "message": {"text": "2 packages have no version and were not matched"}}]
    assert (inv["startTimeUtc"], inv["endTimeUtc"]) == ("2024-05-02T10:00:00Z", "2024-05-02T10:00:03Z")


def test_rule_help_is_bounded_for_a_vulnerability_in_many_packages(result: ScanResult) -> None:
    f = result.findings[0]
    many = tuple(replace(f, package=f.package.evolve(name=f"{f.package.name}-{i:03}")) for i in range(60))
    r = replace(result, findings=many, ignored=(), sbom=replace(result.sbom, packages=tuple(x.package for x in many)))
    doc = _doc(r)
    _validate(doc)
    (rule,) = doc["runs"][0]["tool"]["driver"]["rules"]
    assert "; and 35 more" not in rule["help"]["text"] and " and 35 more\n" in rule["help"]["text"]
    assert rule["help"]["markdown"].count("\n| High |") == 25 and "| | 35 more |" in rule["help"]["markdown"]
    assert len(doc["runs"][0]["results"]) == 60
