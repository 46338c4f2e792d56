"""Real feeds from ../shared/realdata and grype's fixture databases from ../shared/corpus (skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.advisories.db import AdvisoryDB, import_inputs
from assay.advisories.feeds import Record, read_input
from tests.conftest import CORPUS, SHARED

REAL = SHARED / "realdata"
ADV = REAL / "advisories"
FEEDS = REAL / "distro-feeds"

pytestmark = pytest.mark.corpus


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real data not available: {path}")
    return path


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    inputs = [
        _need(ADV / "pypa-advisory-database"),
        _need(ADV / "golang-vulndb"),
        _need(ADV / "rustsec-advisory-db" / "osv-branch"),
        _need(FEEDS / "alpine-secdb"),
        _need(FEEDS / "debian-security-tracker-excerpt"),
    ]
    kev = _need(REAL / "exploit-intel" / "cisa-kev-data" / "known_exploited_vulnerabilities.json")
    db = tmp_path_factory.mktemp("real") / "assay.db"
    warnings: list[str] = []
    import_inputs(db, [str(p) for p in inputs], kev=str(kev), warn=warnings.append)
    return db, warnings


def _count(sql: str, db: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_every_real_record_imports(real_db: tuple[Path, list[str]]) -> None:
    db, warnings = real_db
    assert warnings == []
    pypa = len(list((ADV / "pypa-advisory-database" / "vulns").rglob("*.yaml")))
    go = len(list((ADV / "golang-vulndb" / "data" / "osv").glob("*.json")))
    rust = len(list((ADV / "rustsec-advisory-db" / "osv-branch" / "crates").glob("*.json")))
    assert (pypa, go, rust) == (2661, 4291, 1206)  # INDEX.md
    assert _count("SELECT COUNT(*) FROM advisory WHERE feed = 'osv' AND id LIKE 'PYSEC-%'", db) == pypa
    assert _count("SELECT COUNT(*) FROM advisory WHERE feed = 'osv' AND id LIKE 'GO-%'", db) == go
    assert _count("SELECT COUNT(*) FROM advisory WHERE feed = 'osv' AND id LIKE 'RUSTSEC-%'", db) == rust
    with AdvisoryDB.open(db) as d:
        st = d.status()
    assert st.kev["count"] == 1404 and st.kev["catalogVersion"] == "2025.08.25"
    feeds = {s.feed for s in st.sources}
    assert len([f for f in feeds if f.startswith("alpine-secdb:")]) == 40  # 41 files; v3.3/community lists no package
    assert st.newest_modified.startswith("2026-08-2")  # golang/rustsec snapshots of 2026-08-21


def test_real_spot_records(real_db: tuple[Path, list[str]]) -> None:
    db, _ = real_db
    with AdvisoryDB.open(db) as d:
        django = {a.id: f for a, f in d.affected("pypi", "django")}
        assert len(django) == 116  # INDEX.md: django has 116 advisories
        f = django["PYSEC-2024-102"]
        assert f.fixed_versions == ("5.1.1", "5.0.9", "4.2.16") and "4.2.15" in f.versions
        go = d.get("GO-2022-0969")
        assert [(a.package, a.fixed_versions) for a in go.affected] == [
            ("stdlib", ("1.18.6", "1.19.1")),
            ("golang.org/x/net", ("0.0.0-20220906165146-f3363e06e74c",)),
        ]
        assert d.get("RUSTSEC-2019-0031") is None  # withdrawn
        assert d.get_all("RUSTSEC-2019-0031", include_withdrawn=True)[0].withdrawn == "2020-10-08T12:00:00Z"
        found = d.get_all("CVE-2024-45230")  # Alpine's py3-django records first (that id), then PYSEC by alias
        assert found[-1].id == "PYSEC-2024-102" and {a.source for a in found[:-1]} == {"alpine-secdb"}
        openssl = {a.id: f for a, f in d.affected("alpine:3.20", "openssl")}
        assert openssl["CVE-2024-0727"].fixed_versions == ("3.1.4-r5",)
        assert d.kev("CVE-2025-48384")["product"] == "Git"
        ((adv, aff),) = d.affected("debian:9", "txt2man")
        assert (adv.id, aff.fixed_versions, adv.severities[0].rating) == ("CVE-2013-1444", ("1.5.5-4.1",), "low")


def test_alpine_secdb_counts_match_the_files() -> None:
    """Every id of every secdb file becomes one record of that file's feed."""
    from assay.advisories.alpine import parse_ids

    root = _need(FEEDS / "alpine-secdb" / "alpine")
    files = sorted(root.glob("*/*.json"))
    assert len(files) == 41
    for f in files:
        doc = json.loads(f.read_text())
        ids = {parse_ids(e)[0] for p in doc["packages"] for es in (p["pkg"].get("secfixes") or {}).values() for e in es or () if parse_ids(e)}
        recs = [i for i in read_input(f, lambda m: pytest.fail(m)) if isinstance(i, Record)]
        assert {r.advisory.id for r in recs} == ids, f
    v320 = json.loads((root / "v3.20" / "main.json").read_text())
    assert len(v320["packages"]) == 255


def _grype_fixture_dirs() -> list[Path]:
    dirs = sorted(CORPUS.glob("grype/grype/matcher/*/testdata/*"))
    dirs += sorted(CORPUS.glob("grype/internal/dbtest/testdata/shared/*"))
    dirs += [CORPUS / "grype" / "grype" / "testdata" / "unaffected-db"]
    return [d for d in dirs if d.is_dir()]


@pytest.mark.parametrize("fixture", _grype_fixture_dirs() or [pytest.param(None, marks=pytest.mark.skip("corpus absent"))],
                         ids=lambda p: "/".join(p.parts[-3:]) if p else "none")  # fmt: skip
def test_grype_fixture_dir_loads(fixture: Path, tmp_path: Path) -> None:
    results = [
        f for f in fixture.rglob("*.json")
        if "results" in f.parts and f.name != "metadata.json"
    ]  # fmt: skip
    warnings: list[str] = []
    report = import_inputs(tmp_path / "db", [str(fixture)], warn=warnings.append)
    assert warnings == []
    assert report.total + report.eol == len(results) > 0
    with AdvisoryDB.open(tmp_path / "db") as d:
        assert d.status().advisories == report.total


def test_grype_fixture_records_look_right(tmp_path: Path) -> None:
    m = _need(CORPUS / "grype" / "grype" / "matcher")
    shared = CORPUS / "grype" / "internal" / "dbtest" / "testdata" / "shared"
    import_inputs(tmp_path / "db", [str(p) for p in _grype_fixture_dirs()])
    with AdvisoryDB.open(tmp_path / "db") as d:
        (a, f) = [x for x in d.affected("rhel:8", "openssl") if x[0].id == "CVE-2018-0735"][0]
        assert f.fixed_versions == ("1:1.1.1c-2.el8",) and f.qualifiers["vendor_advisories"] == ["RHSA-2019:3700"]
        nak = [x for x in d.affected("alpine:3.18", "bind") if x[0].id == "CVE-2019-6470"][0][1]
        assert nak.fix_state == "not-affected"
        esm = [x for x in d.affected("ubuntu:16.04+esm", "wayland") if x[0].id == "CVE-2021-3782"][0][1]
        assert esm.fixed_versions == ("1.12.0-1~ubuntu16.04.3+esm1",)
        assert {a.id for a, _ in d.affected("pypi", "oslo-utils")} >= {"GHSA-v933-vx5p-j7w2"}
        httpd = [x for x in d.affected("almalinux:8", "httpd") if x[0].id == "ALSA-2021:4537"][0][1]
        assert httpd.qualifiers["rpm_modularity"] == "httpd:2.4"
        glibc = [f for a, f in d.affected("hummingbird:1", "glibc") if a.id == "CVE-2026-5928"]
        assert [(f.fix_state, f.qualifiers["arch"]) for f in glibc] == [("not-fixed", "binary")]  # glibc.src dropped
        assert [a.aliases for a, f in d.affected("almalinux:8", "patch")] == [("CVE-2019-13636",)]  # ALSA "related"
        perl_b = [f for a, f in d.affected("hummingbird:1", "perl-B") if a.id == "CVE-2018-18311"][0]
        assert perl_b.fixed_versions == ("1.89-524.1.hum1",)
        java = [f for a, f in d.affected("cpe", "oracle:java_se") if a.id == "CVE-2024-20919"][0]
        assert "< 1.8.0_401" in [r.constraint for r in java.ranges]
        cga = [x for x in d.affected("chainguard:rolling", "langfuse-3-worker")][0][1]
        assert cga.qualifiers["arch"] == "x86_64"
        assert d.eol("rhel:7")["isEol"] is True
    assert m.exists() and shared.exists()
