"""``assay db`` subcommands, run through a parser built the way assay's main CLI builds it."""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
from pathlib import Path

import pytest

from assay.advisories.cli import add_db_parser, sample_advisories_path
from assay.errors import AssayError, UsageError

FIX = Path(__file__).parent / "fixtures"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def run(*argv: str) -> int:
    p = _Parser(prog="assay")
    p.add_argument("-q", "--quiet", action="store_true")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    add_db_parser(sub)
    args = p.parse_args(list(argv))
    return int(args.func(args) or 0)


def test_import_status_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "assay.db")
    assert run("db", "import", "--db", db, str(FIX / "osv"), "--kev", str(FIX / "kev.json"), "--epss", str(FIX / "epss.csv")) == 0
    err = capsys.readouterr().err
    assert "assay: imported 5 records (osv 5, KEV entries 2, EPSS scores 2)" in err and db in err
    assert run("db", "status", "--db", db) == 0
    out, err = capsys.readouterr()
    assert "Schema:           1" in out and "KEV:              2 entries (catalog 2099.01.02)" in out
    assert "ubuntu:16.04+esm" in out and err == ""
    assert run("db", "status", "--db", db, "-o", "json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["schemaVersion"] == 1 and doc["advisories"] == 5 and doc["ecosystems"]["pypi"] == 2
    assert run("db", "show", "--db", db, "CVE-2099-2002") == 0
    assert json.loads(capsys.readouterr().out)["id"] == "USN-9999-1"
    with pytest.raises(UsageError, match="no advisory NOPE-1"):
        run("db", "show", "--db", db, "NOPE-1")


def test_status_warns_when_old(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "assay.db"
    run("-q", "db", "import", "--db", str(db), str(FIX / "osv"))
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value = '2000-01-01T00:00:00Z' WHERE key = 'built'")
    conn.commit()
    conn.close()
    assert run("db", "status", "--db", str(db)) == 0
    err = capsys.readouterr().err
    assert err.startswith("assay: warning: advisory database ") and "days old" in err and err.count("\n") == 1
    run("db", "status", "--db", str(db), "--max-db-age", "0")
    assert capsys.readouterr().err == ""


def test_missing_database_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(AssayError) as exc:
        run("db", "status", "--db", str(tmp_path / "none.db"))
    assert "assay db import" in exc.value.diagnostics() and "\n" not in exc.value.diagnostics()


def test_import_needs_something(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nothing to import"):
        run("db", "import", "--db", str(tmp_path / "x.db"))


def test_sample_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert Path(sample_advisories_path()).is_dir()
    assert run("db", "import", "--sample", "--db", str(tmp_path / "x.db")) == 0
    assert "debian-tracker:12" in capsys.readouterr().err


def test_update_offline(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(AssayError) as exc:
        run("db", "update", "--db", str(tmp_path / "x.db"), "--url", f"http://127.0.0.1:{port}/all.zip")
    assert exc.value.diagnostics().startswith(f"cannot download http://127.0.0.1:{port}/all.zip: ")


def test_update_reads_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match="no advisory sources"):
        run("db", "update", "--db", str(tmp_path / "x.db"))
