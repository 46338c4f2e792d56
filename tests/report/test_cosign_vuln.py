"""The cosign vuln/v1 predicate: cosign's shape (its test predicate), the JSON report as the result."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from assay.match.finding import ScanResult
from assay.report import ReportOptions, render
from assay.report.cosign_vuln import PREDICATE_TYPE, invocation_from_env
from tests.conftest import corpus_path

from .conftest import OPTIONS


def _doc(r: ScanResult, options: ReportOptions = OPTIONS) -> dict[str, Any]:
    return json.loads(render(r, "cosign-vuln", options))


def _shape(x: Any) -> Any:
    """Keys (recursively) of the objects in ``x``; leaves are dropped."""
    if isinstance(x, dict):
        return {k: _shape(v) for k, v in x.items()}
    return None


def test_same_shape_as_cosigns_test_predicate(result: ScanResult) -> None:
    sample = json.loads(corpus_path("cosign", "test", "testdata", "attestations", "vuln-predicate.json").read_text())
    doc = _doc(result)
    doc["scanner"]["result"] = None  # the sample has no scan result
    doc["invocation"]["parameters"] = None
    assert _shape(doc) == _shape(sample)


def test_predicate_fields(result: ScanResult) -> None:
    doc = _doc(result)
    assert PREDICATE_TYPE == "https://cosign.sigstore.dev/attestation/vuln/v1"
    assert set(doc) == {"invocation", "scanner", "metadata"}
    assert doc["invocation"] == {
        "parameters": ["scan", "registry:registry.example.com/acme/app:1.2.3", "-o", "cosign-vuln"],
        "uri": "https://github.com/acme/app/actions/runs/42",
        "event_id": "42",
        "builder.id": "GitHub Actions",
    }
    assert doc["scanner"]["uri"] == "pkg:generic/assay@1.2.3"
    assert doc["scanner"]["version"] == "1.2.3"
    assert doc["scanner"]["db"] == {"uri": "", "version": "v1-2024-05-01T00:00:00Z"}
    assert doc["metadata"] == {"scanStartedOn": "2024-05-02T10:00:00Z", "scanFinishedOn": "2024-05-02T10:00:03Z"}
    assert doc["scanner"]["result"] == json.loads(render(result, "json", OPTIONS))


def test_without_invocation_parameters_is_null_as_in_cosigns_sample(result: ScanResult) -> None:
    doc = _doc(result, ReportOptions(tool_version="1.2.3"))
    assert doc["invocation"] == {"parameters": None, "uri": "", "event_id": "", "builder.id": ""}
    # the scan times default to the SBOM's creation time (never the clock)
    assert doc["metadata"] == {"scanStartedOn": "2024-05-02T09:59:00Z", "scanFinishedOn": "2024-05-02T09:59:00Z"}
    db = _doc(replace(result, db={"schema": 3, "built": "2024-06-01T00:00:00Z", "uri": "oci://registry.internal/assay-db:latest"}))["scanner"]["db"]
    assert db == {"uri": "oci://registry.internal/assay-db:latest", "version": "v3-2024-06-01T00:00:00Z"}


def test_invocation_from_ci_environment() -> None:
    gh = {"GITHUB_RUN_ID": "1071875574", "GITHUB_REPOSITORY": "acme/app", "GITHUB_SERVER_URL": "https://github.com"}
    assert invocation_from_env(gh) == {
        "invocation_uri": "https://github.com/acme/app/actions/runs/1071875574",
        "event_id": "1071875574",
        "builder_id": "GitHub Actions",
    }
    gl = {"CI_JOB_URL": "https://gitlab.example.com/acme/app/-/jobs/7", "CI_JOB_ID": "7"}
    assert invocation_from_env(gl)["builder_id"] == "GitLab CI"
    assert invocation_from_env({"HOME": "/root"}) == {}
    opts = ReportOptions(tool_version="1.2.3", **invocation_from_env(gh))
    assert opts.invocation_uri.endswith("/runs/1071875574")
