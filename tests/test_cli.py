"""The CLI as a user meets it: one-line errors, outputs, determinism, the demo."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from assay.demo import sample_image


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "assay", *args], capture_output=True, text=True, cwd=cwd, env=e, timeout=180)


@pytest.mark.parametrize(
    "args, message",
    [
        (["sbom", "dir:/nonexistent/x"], "not a directory"),
        (["sbom", "assay-sample-missing.tar", "-o", "nope"], "unknown format 'nope'"),
        (["sbom", ".", "-o", "cyclonedx-json@9.9"], "version 9.9 is not supported"),
        (["sbom", ".", "-o", "table", "-o", "cyclonedx-json"], "only one -o may go to stdout"),
        (["sbom", ".", "-o", "table=/nonexistent/dir/out.txt"], "does not exist"),
        (["sbom", "docker:alpine"], "daemons are not supported"),
        (["convert", "/nonexistent.json"], "cannot read"),
        (["sbom", ".", "--bogus-flag"], "unrecognized arguments"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assay: error:") and message in lines[0], proc.stderr
    assert os.listdir(tmp_path) == []


def test_broken_json_is_rejected_by_convert(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [')
    proc = run("convert", "bad.json", "-o", "spdx-json=out.json", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and not (tmp_path / "out.json").exists()


def test_many_outputs_from_one_scan_and_byte_identical_reruns(tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    outs = []
    for n in (1, 2):
        d = tmp_path / str(n)
        d.mkdir()
        proc = run(
            "sbom", sample_image(), "-o", "cyclonedx-json=a.cdx.json", "-o", "spdx-json=a.spdx.json", "-o", "spdx3-json=a.spdx3.json",
            "-o", "cyclonedx-xml=a.cdx.xml", "-o", "spdx-tag-value=a.spdx", "-o", "table", cwd=d, env=env,
        )
        assert proc.returncode == 0, proc.stderr
        assert "libc6" in proc.stdout
        outs.append({p.name: p.read_bytes() for p in sorted(d.iterdir())})
    assert outs[0] == outs[1]
    cdx = json.loads(outs[0]["a.cdx.json"])
    assert cdx["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"


def test_output_to_a_device_is_written_in_place(tmp_path: Path) -> None:
    proc = run("-q", "sbom", sample_image(), "-o", "cyclonedx-json=/dev/null", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_convert_round_trip(tmp_path: Path) -> None:
    assert run("-q", "sbom", sample_image(), "-o", "cyclonedx-json=in.json", cwd=tmp_path).returncode == 0
    proc = run("convert", "in.json", "-o", "spdx-json=out.spdx.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out.spdx.json").read_text())
    names = {p["name"] for p in doc["packages"]}
    assert {"libc6", "bash", "dpkg"} <= names


def test_demo_runs_offline(tmp_path: Path) -> None:
    proc = run("demo", "--out", "demo", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "demo" / "sbom.cdx.json").is_file()
    assert "packages" in proc.stdout
    assert "1 signature and 2 attestations verified" in proc.stdout
    assert "scan: 4 findings (CVE-2011-3374, CVE-2016-2781, CVE-2017-18018)" in proc.stdout
    assert (tmp_path / "demo" / "gl-container-scanning-report.json").is_file()
    assert (tmp_path / "demo" / "image" / "index.json").is_file()
    assert not list((tmp_path / "demo").glob("*.key"))  # the ephemeral key is never written


def test_debug_shows_traceback(tmp_path: Path) -> None:
    proc = run("--debug", "sbom", "dir:/nonexistent/x", cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_global_flags_after_the_command(tmp_path: Path) -> None:
    proc = run("sbom", sample_image(), "-o", "table=out.txt", "-q", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == ""
    proc = run("sbom", "dir:/nonexistent/x", "--debug", cwd=tmp_path)
    assert "Traceback" in proc.stderr


def test_version_is_the_installed_distributions(tmp_path: Path) -> None:
    from importlib.metadata import version

    r = run("version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == f"assay {version('assay')}\n"
