"""The policy pipeline: rules, VEX, --only-fixed, --ignore-states, and the --fail-on gate."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assay.errors import UsageError
from assay.match.finding import Finding
from assay.model import Package, Sbom
from assay.policy import apply_policy, fails, parse_severity, parse_states, parse_vex
from assay.policy.ignore import IgnoreRule

PKG = Package(name="curl", version="7.88.1-10", type="deb", purl="pkg:deb/debian/curl@7.88.1-10?distro=debian-12")
SBOM = Sbom(packages=(PKG,))


def f(vid: str, severity: str = "high", fix_state: str = "fixed") -> Finding:
    return Finding(id=vid, package=PKG, severity=severity, fix_state=fix_state, fixed_versions=("7.88.1-10+deb12u1",) if fix_state == "fixed" else ())


def test_each_step_records_why_and_the_first_that_applies_wins() -> None:
    findings = [f("CVE-1"), f("CVE-2"), f("CVE-3", fix_state="not-fixed"), f("CVE-4", fix_state="wont-fix"), f("CVE-5")]
    vex = parse_vex(json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": "CVE-1", "products": ["pkg:deb/debian/curl"], "status": "not_affected", "justification": "inline_mitigations_already_exist"},
        {"vulnerability": "CVE-2", "products": ["pkg:deb/debian/curl"], "status": "fixed"},
    ]}).encode(), "v.json")  # fmt: skip
    kept, ignored, warnings = apply_policy(
        findings, SBOM, rules=[IgnoreRule(vulnerability="CVE-1", reason="accepted")], vex=vex, only_fixed=False, ignore_states=("wont-fix",), today=dt.date(2025, 1, 1)
    )
    assert [k.id for k in kept] == ["CVE-3", "CVE-5"]
    assert [(i.finding.id, i.kind) for i in ignored] == [("CVE-1", "rule"), ("CVE-2", "vex"), ("CVE-4", "fix-state")]
    assert warnings == []
    kept, ignored, _ = apply_policy(findings, SBOM, only_fixed=True)
    assert [k.id for k in kept] == ["CVE-1", "CVE-2", "CVE-5"]
    assert {i.kind for i in ignored} == {"only-fixed"} and ignored[0].reason == "--only-fixed: fix state not-fixed"


def test_fail_on_is_at_or_above() -> None:
    assert fails([f("CVE-1", "high")], "high")
    assert fails([f("CVE-1", "critical")], "high")
    assert not fails([f("CVE-1", "medium")], "high")
    assert not fails([], "negligible")
    assert not fails([f("CVE-1", "critical")], "")
    assert fails([f("CVE-1", "negligible")], "negligible")
    assert not fails([f("CVE-1", "unknown")], "negligible")


def test_flag_values_are_checked() -> None:
    assert parse_severity("HIGH") == "high"
    with pytest.raises(UsageError, match="severity 'severe' is not one of negligible, low, medium, high, critical"):
        parse_severity("severe")
    assert parse_states("wont-fix, not-fixed,wont-fix") == ("wont-fix", "not-fixed")
    with pytest.raises(UsageError, match="fix state 'later' is not one of"):
        parse_states("later")
