"""``assay scan`` end to end on an SBOM file: exit codes, outputs, config, VEX, distro override."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import assay.cli
import assay.scan
from assay.advisories import Advisory, Affected, MemoryProvider, Range, Severity
from assay.model import Distro, Package, Sbom, SourceInfo
from assay.sbom import encode
from assay.scan import scan
from assay.scan_cli import add_scan_parser

OPENSSL = Package(name="openssl", version="3.0.11-1~deb12u2", type="deb", purl="pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12")
LIBC = Package(name="libc6", version="2.36-9+deb12u4", type="deb", source_name="glibc", purl="pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12")
REQUESTS = Package(name="requests", version="2.25.0", type="python", purl="pkg:pypi/requests@2.25.0")


def _fixed(eco: str, pkg: str, v: str) -> Affected:
    return Affected(ecosystem=eco, package=pkg, ranges=(Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", v))),), fix_state="fixed", fixed_versions=(v,))


ADVISORIES = [
    Advisory(id="CVE-2024-0727", affected=(_fixed("debian:12", "openssl", "3.0.13-1~deb12u1"),), severities=(Severity(source="debian", kind="rating", rating="low"),)),
    Advisory(id="CVE-2023-5678", affected=(_fixed("debian:12", "openssl", "3.0.13-1~deb12u1"),), severities=(Severity(source="debian", kind="rating", rating="high"),)),
    Advisory(id="CVE-2023-4911", affected=(_fixed("debian:12", "glibc", "2.36-9+deb12u3"),)),  # libc6 is past the fix
    Advisory(id="GHSA-j8r2-6x86-q33q", aliases=("CVE-2023-32681",), affected=(_fixed("pypi", "requests", "2.31.0"),), severities=(Severity(source="ghsa", kind="rating", rating="moderate"),)),
]


@pytest.fixture
def sbom_file(tmp_path: Path) -> Path:
    sbom = Sbom(packages=(OPENSSL, LIBC, REQUESTS), source=SourceInfo(kind="image", name="example/app", input="registry:example/app:1"))
    path = tmp_path / "sbom.cdx.json"
    path.write_bytes(encode(sbom, "cyclonedx-json"))
    return path


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The scan reads this in-memory database whatever --db says (the path is recorded)."""
    seen: dict[str, Any] = {"db": None}

    def open_db(db: Any) -> MemoryProvider:
        seen["db"] = db
        return MemoryProvider(ADVISORIES)

    monkeypatch.setattr(assay.scan, "open_db", open_db)
    return seen


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """``assay ARGS`` through assay.cli.main (with ``scan`` registered if the lead has not wired it yet)."""
    original = assay.cli.build_parser

    def build_parser():  # type: ignore[no-untyped-def]
        parser = original()
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        if "scan" not in sub.choices:
            add_scan_parser(sub)
        return parser

    monkeypatch.setattr(assay.cli, "build_parser", build_parser)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSAY_DB", raising=False)

    def _run(*args: str) -> int:
        return assay.cli.main(list(args))

    return _run


def test_scan_an_sbom_file_to_json(run, provider, sbom_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.json"
    assert run("scan", f"sbom:{sbom_file}", "--db", "/x/advisories.db", "--distro", "debian:12", "-o", f"json={out}", "-o", "table") == 0
    assert provider["db"] == "/x/advisories.db"
    doc = json.loads(out.read_bytes())
    ids = sorted(m["vulnerability"]["id"] for m in doc["matches"])
    assert ids == ["CVE-2023-5678", "CVE-2024-0727", "GHSA-j8r2-6x86-q33q"]
    assert [m["vulnerability"]["id"] for m in doc["ignoredMatches"]] == ["CVE-2023-4911"]
    captured = capsys.readouterr()
    assert "CVE-2023-5678" in captured.out  # the table went to stdout
    assert "3 findings (1 ignored) in 3 packages" in captured.err


def test_fail_on_exits_2_and_honours_ignore_rules_and_vex(run, provider, sbom_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    base = ("scan", str(sbom_file), "--distro", "debian:12", "-o", f"json={tmp_path / 'r.json'}")
    assert run(*base, "--fail-on", "high") == 2
    assert "failing: findings at or above high remain" in capsys.readouterr().err
    assert run(*base, "--fail-on", "critical") == 0
    # accept the high one in .assay.yaml (picked up from the working directory) ...
    (tmp_path / ".assay.yaml").write_text("ignore:\n  - vulnerability: CVE-2023-5678\n    reason: accepted until the rebuild\n")
    assert run(*base, "--fail-on", "high") == 0
    assert run(*base, "--fail-on", "medium") == 2  # requests' moderate GHSA remains
    # ... and the medium one by VEX
    vex = tmp_path / "vex.json"
    vex.write_text(json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": "CVE-2023-32681"}, "products": [{"@id": "pkg:pypi/requests"}], "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"}]}))  # fmt: skip
    assert run(*base, "--fail-on", "medium", "--vex", str(vex)) == 0
    doc = json.loads((tmp_path / "r.json").read_bytes())
    assert sorted(m["vulnerability"]["id"] for m in doc["ignoredMatches"]) == ["CVE-2023-4911", "CVE-2023-5678", "GHSA-j8r2-6x86-q33q"]


def test_fail_on_from_a_grype_config(run, provider, sbom_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "ci.yaml").write_text("fail-on-severity: high\nonly-fixed: true\n")
    assert run("scan", f"sbom:{sbom_file}", "--distro", "debian:12", "--config", str(tmp_path / "ci.yaml"), "-o", f"json={tmp_path / 'r.json'}") == 2


def test_no_distro_warns_and_purls_fill_in(run, provider, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    bare = tmp_path / "bare.json"
    bare.write_bytes(encode(Sbom(packages=(Package(name="openssl", version="3.0.11-1~deb12u2", type="deb"),)), "cyclonedx-json"))
    assert run("scan", f"sbom:{bare}", "-o", f"json={tmp_path / 'r.json'}") == 0
    err = capsys.readouterr().err
    assert "assay: warning: 1 deb packages were not matched: the SBOM names no distro; pass --distro debian:12" in err
    assert run("scan", f"sbom:{bare}", "--distro", "debian:12", "-o", f"json={tmp_path / 'r.json'}", "--fail-on", "low") == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (("--fail-on", "severe"), "assay: error: severity 'severe' is not one of"),
        (("--distro", "debian"), "assay: error: --distro 'debian': expected ID:VERSION"),
        (("--ignore-states", "later"), "assay: error: fix state 'later' is not one of"),
        (("-o", "pdf"), "assay: error: unknown report format 'pdf'"),
        (("--vex", "/nonexistent.json"), "assay: error: cannot read VEX document /nonexistent.json"),
        (("--config", "/nonexistent.yaml"), "assay: error: cannot read /nonexistent.yaml"),
    ],
)
def test_bad_input_exits_1_with_one_line(run, provider, sbom_file: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    assert run("scan", f"sbom:{sbom_file}", *args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message)


def test_unreadable_sbom_is_one_line(run, provider, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}')
    assert run("scan", f"sbom:{junk}") == 1
    assert capsys.readouterr().err.startswith("assay: error: not a recognised SBOM")


def test_old_database_warns(run, monkeypatch: pytest.MonkeyPatch, sbom_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    class Old(MemoryProvider):
        def status(self) -> dict[str, str]:
            return {"built": "2020-01-01T00:00:00Z", "schema": "1"}

    monkeypatch.setattr(assay.scan, "open_db", lambda db: Old(ADVISORIES))
    assert run("scan", f"sbom:{sbom_file}", "--distro", "debian:12", "-o", f"json={tmp_path / 'r.json'}") == 0
    assert "the advisory database was built" in capsys.readouterr().err
    assert run("scan", f"sbom:{sbom_file}", "--distro", "debian:12", "--max-db-age", "0", "-o", f"json={tmp_path / 'r.json'}") == 0
    assert "the advisory database was built" not in capsys.readouterr().err


def test_library_api_on_a_decoded_sbom(sbom_file: Path) -> None:
    result = scan(f"sbom:{sbom_file}", db=MemoryProvider(ADVISORIES), distro="debian:12", only_fixed=True)
    assert result.distro_override == "debian:12"
    assert sorted(f.id for f in result.findings) == ["CVE-2023-5678", "CVE-2024-0727", "GHSA-j8r2-6x86-q33q"]
    assert [(i.finding.id, i.kind) for i in result.ignored] == [("CVE-2023-4911", "distro-fixed")]
    # a Distro works as well as its string form, and a plain path to an SBOM file needs no sbom: prefix
    again = scan(str(sbom_file), db=MemoryProvider(ADVISORIES), distro=Distro(id="debian", version_id="12"))
    assert [f.id for f in again.findings] == [f.id for f in result.findings]


def test_scan_against_a_real_database(run, sbom_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    """No stand-in provider: the SQLite database ``assay db`` writes, read through --db."""
    from assay.advisories.db import DatabaseWriter
    from assay.advisories.feeds import Record

    db = tmp_path / "advisories.db"
    with DatabaseWriter(db, rebuild=True) as writer:
        for adv in ADVISORIES:
            writer.add(Record("test", adv))
        writer.commit()
    out = tmp_path / "r.json"
    assert run("scan", f"sbom:{sbom_file}", "--db", str(db), "--distro", "debian:12", "-o", f"json={out}", "--fail-on", "high") == 2
    doc = json.loads(out.read_bytes())
    assert sorted(m["vulnerability"]["id"] for m in doc["matches"]) == ["CVE-2023-5678", "CVE-2024-0727", "GHSA-j8r2-6x86-q33q"]
    assert "the advisory database was built" not in capsys.readouterr().err
    assert run("scan", f"sbom:{sbom_file}", "--db", str(tmp_path / "missing.db")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("assay: error:") and "missing.db" in err[0]
