"""GitLab container-scanning report: GitLab's schema (15.2.4), stable ids, identifiers, severities."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

import jsonschema
import pytest

from assay.match.finding import ScanResult
from assay.report import ReportOptions, render

from .conftest import OPTIONS, load_schema, scan_result


def _doc(r: ScanResult, options: ReportOptions = OPTIONS) -> dict[str, Any]:
    return json.loads(render(r, "gitlab", options))


def _validate(doc: dict[str, Any]) -> None:
    schema = load_schema("gitlab-container-scanning-report-format-15.2.4.json")
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(doc))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def _vuln(doc: dict[str, Any], name: str) -> dict[str, Any]:
    (v,) = [v for v in doc["vulnerabilities"] if v["name"] == name]
    return v


def test_validates_against_gitlabs_schema(result: ScanResult) -> None:
    _validate(_doc(result))


def test_schema_check_is_not_vacuous(result: ScanResult) -> None:
    doc = _doc(result)
    doc["scan"]["start_time"] = "2024-05-02T10:00:00Z"  # GitLab wants no zone suffix
    with pytest.raises(AssertionError, match="start_time"):
        _validate(doc)


def test_scan_block(result: ScanResult) -> None:
    doc = _doc(result)
    assert doc["version"] == "15.0.7"
    scan = doc["scan"]
    assert scan["type"] == "container_scanning" and scan["status"] == "success"
    assert (scan["start_time"], scan["end_time"]) == ("2024-05-02T10:00:00", "2024-05-02T10:00:03")
    assert scan["analyzer"]["version"] == scan["scanner"]["version"] == "1.2.3"
    assert scan["messages"] == [{"level": "warn", "value": "2 packages have no version and were not matched"}]


def test_vulnerabilities(result: ScanResult) -> None:
    doc = _doc(result)
    assert len(doc["vulnerabilities"]) == len(result.findings)  # ignored matches are left out
    pillow = _vuln(doc, "CVE-2023-4863 in Pillow")
    assert pillow["severity"] == "High"
    assert [i["value"] for i in pillow["identifiers"]] == ["CVE-2023-4863", "GHSA-j7hp-h8jx-5ppr", "PYSEC-2023-175"]
    assert [i["type"] for i in pillow["identifiers"]] == ["cve", "ghsa", "pysec"]
    assert pillow["solution"] == "Upgrade Pillow to 10.0.1"
    assert pillow["location"] == {
        "dependency": {"package": {"name": "Pillow"}, "version": "9.5.0"},
        "operating_system": "debian:12",
        "image": "registry.example.com/acme/app:1.2.3",
    }
    assert {"url": "https://github.com/advisories/GHSA-j7hp-h8jx-5ppr"} in pillow["links"]
    assert _vuln(doc, "CVE-2010-4756 in libc6")["severity"] == "Info"  # negligible
    assert _vuln(doc, "CVE-2010-4756 in libc6")["cvss_vectors"] == [{"vendor": "nvd", "vector": "AV:N/AC:L/Au:S/C:N/I:N/A:P"}]
    assert _vuln(doc, "GHSA-vh95-rmgr-6w4m in minimist")["severity"] == "Unknown"
    assert _vuln(doc, "CVE-2023-45853 in zlib1g")["solution"] == "The maintainers of zlib1g will not fix this vulnerability"
    # CVSS v4 is left out (schema 15.0.7 predates it), v3.1 kept
    assert _vuln(doc, "CVE-2021-23337 in lodash")["cvss_vectors"] == [{"vendor": "ghsa", "vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}]


def test_ids_are_uuids_stable_and_distinct(result: ScanResult) -> None:
    ids = [v["id"] for v in _doc(result)["vulnerabilities"]]
    assert len(set(ids)) == len(ids)
    assert all(uuid.UUID(i).version == 5 for i in ids)
    # same finding, later scan, other options: same id; another image: another id
    later = _doc(scan_result(), replace(OPTIONS, started="2025-01-01T00:00:00Z", tool_version="2.0.0"))
    assert [v["id"] for v in later["vulnerabilities"]] == ids
    other = replace(result, sbom=replace(result.sbom, source=replace(result.sbom.source, name="registry.example.com/acme/other:1")))
    assert not set(ids) & {v["id"] for v in _doc(other)["vulnerabilities"]}


def test_unknown_os_and_no_warnings(result: ScanResult) -> None:
    doc = _doc(replace(result, sbom=replace(result.sbom, distro=None), warnings=()))
    _validate(doc)
    assert {v["location"]["operating_system"] for v in doc["vulnerabilities"]} == {"Unknown"}
    assert "messages" not in doc["scan"]
