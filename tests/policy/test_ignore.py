"""Ignore rules and the configuration file (.assay.yaml, .grype.yaml read as is)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from assay.errors import UsageError
from assay.match.finding import Finding, MatchDetail
from assay.model import Location, Package
from assay.policy import load_config
from assay.policy.ignore import IgnoreRule, apply_ignore_rules, find_config

TODAY = dt.date(2025, 3, 1)


def finding(vid: str = "CVE-2023-1234", *, name: str = "libssl3", version: str = "3.0.11-1", type: str = "deb", aliases: tuple[str, ...] = (),
            fix_state: str = "fixed", path: str = "/var/lib/dpkg/status", source: str = "openssl", language: str = "") -> Finding:  # fmt: skip
    pkg = Package(name=name, version=version, type=type, source_name=source, language=language, locations=(Location(path=path),))
    detail = MatchDetail(matcher="dpkg-matcher", type="exact-indirect-match", record=vid, ecosystem="debian:12", package=source, version=version, constraint="< 3.0.13")
    return Finding(id=vid, aliases=aliases, package=pkg, fix_state=fix_state, details=(detail,))


def write(tmp_path: Path, text: str, name: str = ".assay.yaml") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_grype_yaml_is_read_as_is(tmp_path: Path) -> None:
    cfg = load_config(
        write(
            tmp_path,
            """\
# the seed pipeline's accepted risks
ignore:
  # This is the full set of supported rule fields:
  - vulnerability: CVE-2008-4318
    fix-state: unknown
    package:
      name: libcurl
      version: 1.5.1
      type: npm
      location: "/usr/local/lib/node_modules/**"
  - vulnerability: CVE-2014-54321
  - package:
      type: npm
fail-on-severity: high
only-fixed: true
""",
            ".grype.yaml",
        )
    )
    assert [r.vulnerability for r in cfg.ignore] == ["CVE-2008-4318", "CVE-2014-54321", ""]
    assert cfg.ignore[0].package_location == "/usr/local/lib/node_modules/**" and cfg.ignore[0].where.endswith(".grype.yaml:4")
    assert cfg.fail_on == "high" and cfg.only_fixed is True


def test_every_given_criterion_must_hold() -> None:
    rule = IgnoreRule(vulnerability="CVE-2023-1234", package_name="libssl.*", package_type="deb", fix_state="fixed", namespace="debian:12")
    assert rule.applies(finding())
    assert not rule.applies(finding(type="rpm"))
    assert not rule.applies(finding(name="openssl"))  # the name is an anchored regular expression
    assert not rule.applies(finding(fix_state="not-fixed"))
    assert not rule.applies(finding("CVE-2023-9999"))
    assert IgnoreRule(vulnerability="cve-2023-1234").applies(finding("GHSA-aaaa-bbbb-cccc", aliases=("CVE-2023-1234",)))  # any alias
    assert not IgnoreRule().applies(finding())  # no criteria: never applies
    assert IgnoreRule(package_name="c++").applies(finding(name="c++"))  # the literal name matches too
    assert IgnoreRule(upstream_name="openssl").applies(finding())
    assert IgnoreRule(match_type="exact-indirect-match").applies(finding())
    assert not IgnoreRule(match_type="exact-direct-match").applies(finding())
    assert IgnoreRule(package_language="python").applies(finding(language="python"))


@pytest.mark.parametrize(
    "pattern, path, applies",
    [
        ("/usr/local/lib/node_modules/**", "/usr/local/lib/node_modules/x/package.json", True),
        ("/usr/local/lib/node_modules/**", "/usr/lib/node_modules/x/package.json", False),
        ("**/package.json", "/app/node_modules/x/package.json", True),
        ("/app/*/package.json", "/app/node_modules/x/package.json", False),
    ],
)
def test_location_is_a_glob(pattern: str, path: str, applies: bool) -> None:
    assert IgnoreRule(package_location=pattern).applies(finding(path=path)) is applies


def test_expired_rules_no_longer_apply_and_warn(tmp_path: Path) -> None:
    cfg = load_config(
        write(
            tmp_path,
            "ignore:\n  - vulnerability: CVE-2023-1234\n    expires: 2025-02-28\n    reason: waiting for upstream\n"
            "  - vulnerability: CVE-2023-1234\n    expires: '2025-03-01'\n",
        )
    )
    kept, ignored, warnings = apply_ignore_rules([finding()], cfg.ignore[:1], today=TODAY)
    assert kept and not ignored
    assert warnings == [f"ignore rule CVE-2023-1234 ({cfg.ignore[0].where}) expired on 2025-02-28 and no longer applies"]
    kept, ignored, warnings = apply_ignore_rules([finding()], cfg.ignore, today=TODAY)  # the second runs through its day
    assert not kept and ignored[0].kind == "rule" and ignored[0].rule is not None and ignored[0].rule["expires"] == "2025-03-01"
    assert ignored[0].reason == f"ignore rule {cfg.ignore[1].where}"


def test_reason_is_kept() -> None:
    _, ignored, _ = apply_ignore_rules([finding()], [IgnoreRule(vulnerability="CVE-2023-1234", reason="not reachable")], today=TODAY)
    assert ignored[0].reason == "not reachable"


@pytest.mark.parametrize(
    "text, message",
    [
        ("ignore:\n  - vulnerability: [a, b]\n", r"\.assay\.yaml:2: vulnerability: expected a string"),
        ("ignore:\n  - vulnerabilty: CVE-1\n", r"\.assay\.yaml:2: unknown ignore-rule key 'vulnerabilty'"),
        ("ignore:\n  - package:\n      nme: x\n", r"\.assay\.yaml:2: unknown package key 'nme'"),
        ("ignore:\n  - vulnerability: CVE-1\n    expires: soon\n", r"\.assay\.yaml:2: expires: 'soon' is not a date"),
        ("ignore:\n  - fix-state: maybe\n", r"\.assay\.yaml:2: fix-state: 'maybe' is not one of"),
        ("ignore: [\n", r"\.assay\.yaml:2: invalid YAML"),
        ("- a\n- b\n", r"\.assay\.yaml:1: expected a mapping at the top level"),
        ("fail-on-severity: severe\n", r"fail-on-severity: 'severe' is not one of"),
        ("ignore-states: wont-fix,sometimes\n", r"ignore-states: 'sometimes' is not one of"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message) as exc:
        load_config(write(tmp_path, text))
    assert "\n" not in exc.value.diagnostics()


def test_missing_config_file() -> None:
    with pytest.raises(UsageError, match="cannot read /nonexistent/.assay.yaml"):
        load_config("/nonexistent/.assay.yaml")


def test_config_discovery_prefers_assay_over_grype(tmp_path: Path) -> None:
    assert find_config(tmp_path) is None
    write(tmp_path, "ignore: []\n", ".grype.yaml")
    assert find_config(tmp_path) == str(tmp_path / ".grype.yaml")
    write(tmp_path, "ignore: []\n", ".assay.yaml")
    assert find_config(tmp_path) == str(tmp_path / ".assay.yaml")


def test_settings_and_vex_paths_relative_to_the_file(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "ignore-states: wont-fix, not-fixed\nvex-documents: [vex/a.json]\n"))
    assert cfg.ignore_states == ("wont-fix", "not-fixed")
    assert cfg.vex == (str(tmp_path / "vex" / "a.json"),)
    assert load_config(write(tmp_path, "")).ignore == ()


def test_rules_without_effect_warn(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, "ignore:\n  - reason: nothing\n  - vex-status: not_affected\n"))
    assert len(cfg.warnings) == 2 and "never applies" in cfg.warnings[0] and "vex-status" in cfg.warnings[1]
