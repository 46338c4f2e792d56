"""The sample advisories shipped in assay/data/advisories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assay.advisories.cli import sample_advisories_path
from assay.advisories.db import AdvisoryDB, import_inputs
from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(sample_advisories_path())


def test_sample_is_small_and_documented() -> None:
    files = [f for f in SAMPLE.rglob("*") if f.is_file()]
    assert sum(f.stat().st_size for f in files) < 300_000
    readme = (SAMPLE / "README.md").read_text()
    assert "CC-BY-4.0" in readme and "Attribution" in readme
    osv = [f for f in files if "osv" in f.parts]
    assert len(osv) == 28


def test_sample_imports_cleanly(tmp_path: Path) -> None:
    warnings: list[str] = []
    report = import_inputs(tmp_path / "db", [str(SAMPLE)], warn=warnings.append)
    assert warnings == [] and report.records == {"osv": 28, "debian-tracker:12": 71}
    with AdvisoryDB.open(tmp_path / "db") as d:
        open_issues = sorted(
            (f.package, a.id)
            for pkg in ("apt", "coreutils", "glibc", "tar", "systemd", "gzip")
            for a, f in d.affected("debian:12", pkg)
            if f.fix_state == "not-fixed"
        )
        assert open_issues == [("apt", "CVE-2011-3374"), ("coreutils", "CVE-2016-2781"), ("coreutils", "CVE-2017-18018")]
        (gzip,) = [f for a, f in d.affected("debian:12", "gzip") if a.id == "CVE-2022-1271"]
        assert gzip.fixed_versions == ("1.12-1",)
        assert [f.fixed_versions for a, f in d.affected("pypi", "idna")] == [("3.7",)]
        assert d.get("PYSEC-2022-43059") is None  # withdrawn


def test_osv_files_are_verbatim_copies() -> None:
    real = SHARED / "realdata" / "advisories"
    if not real.exists():
        pytest.skip("../shared/realdata not available")
    index = {p.name: p for p in real.rglob("*") if p.suffix in (".json", ".yaml")}
    for f in (SAMPLE / "osv").rglob("*"):
        if f.is_file():
            assert f.read_bytes() == index[f.name].read_bytes(), f


@pytest.mark.slow
def test_sample_is_reproducible(tmp_path: Path) -> None:
    if not (SHARED / "realdata").exists():
        pytest.skip("../shared/realdata not available")
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_sample_advisories.py"), "--realdata", str(SHARED / "realdata"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    made = {f.relative_to(tmp_path): f.read_bytes() for f in tmp_path.rglob("*") if f.is_file()}
    shipped = {f.relative_to(SAMPLE): f.read_bytes() for f in SAMPLE.rglob("*") if f.is_file() and f.name != "README.md"}
    assert made == shipped
