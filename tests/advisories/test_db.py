"""The SQLite database: lookups, updates by id, atomic writes, status and age."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from assay.advisories import MemoryProvider
from assay.advisories.db import (
    AdvisoryDB,
    DatabaseError,
    DatabaseMissing,
    DatabaseWriter,
    check_age,
    decode_advisory,
    default_db_path,
    encode_advisory,
    import_inputs,
)
from assay.advisories.feeds import Record, read_input

FIX = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


def osv(ident: str, packages: list[str], *, aliases: list[str] | None = None, modified: str = "2099-01-01T00:00:00Z", **extra: object) -> dict:
    return {
        "id": ident,
        "modified": modified,
        "aliases": aliases or [],
        "affected": [
            {"package": {"ecosystem": "PyPI", "name": p}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}
            for p in packages
        ],
        **extra,
    }


def write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def fixture_db(tmp_path: Path) -> Path:
    db = tmp_path / "assay.db"
    import_inputs(db, [str(FIX / "osv"), str(FIX / "distro"), str(FIX / "vunnel")], kev=str(FIX / "kev.json"), epss=str(FIX / "epss.csv"))
    return db


def test_default_path() -> None:
    assert default_db_path({"ASSAY_DB": "/x/y.db"}) == Path("/x/y.db")
    assert default_db_path({"XDG_CACHE_HOME": "/c"}) == Path("/c/assay/db/assay.db")
    assert default_db_path({}) == Path(os.path.expanduser("~"), ".cache", "assay", "db", "assay.db")


def test_encoding_round_trips_every_fixture_record() -> None:
    n = 0
    for item in read_input(FIX, lambda _m: None):
        if isinstance(item, Record):
            adv = item.advisory
            back = decode_advisory(encode_advisory(adv))
            assert back == adv
            assert [dict(a.qualifiers) for a in back.affected] == [dict(a.qualifiers) for a in adv.affected]
            n += 1
    assert n > 15


def test_lookups_match_a_memory_provider(fixture_db: Path) -> None:
    advisories = [i.advisory for i in read_input(FIX, lambda _m: None) if isinstance(i, Record)]
    memory = MemoryProvider(advisories)
    keys = {(a.ecosystem, a.package) for adv in advisories for a in adv.affected}
    with AdvisoryDB.open(fixture_db) as db:
        for key in sorted(keys):
            got = sorted((adv.id, aff.fix_state, aff.ranges) for adv, aff in db.affected(*key))
            want = sorted((adv.id, aff.fix_state, aff.ranges) for adv, aff in memory.affected(*key))
            assert got == want, key
        assert db.affected("alpine:3.19", "busybox") == []  # only a withdrawn advisory
        assert db.affected("pypi", "no-such-package") == []


def test_prefetch_gives_the_same_answers(fixture_db: Path) -> None:
    keys = [("pypi", "example-pkg"), ("debian:12", "openssl"), ("cpe", "openssl:openssl"), ("pypi", "nothing")]
    with AdvisoryDB.open(fixture_db) as a, AdvisoryDB.open(fixture_db) as b:
        b.prefetch(keys)
        for key in keys:
            assert [(x.id, y) for x, y in a.affected(*key)] == [(x.id, y) for x, y in b.affected(*key)]


def test_advisories_from_lookups_are_complete(fixture_db: Path) -> None:
    with AdvisoryDB.open(fixture_db) as db:
        ((adv, aff),) = [(a, f) for a, f in db.affected("npm", "@scope/example")]
        assert adv.id == "GHSA-aaaa-bbbb-cccc" and len(adv.affected) == 3 and aff is adv.affected[1]


def test_get_by_id_and_alias(fixture_db: Path) -> None:
    with AdvisoryDB.open(fixture_db) as db:
        assert db.get("CVE-2099-5001").source == "nvd"
        assert db.get("GHSA-xxxx-yyyy-zzzz").id == "GHSA-xxxx-yyyy-zzzz"
        assert db.get("CVE-2099-4001").id == "GHSA-xxxx-yyyy-zzzz"  # by alias
        assert {a.id for a in db.get_all("CVE-2099-1001")} == {"PYSEC-2099-1", "GHSA-aaaa-bbbb-cccc"}
        # no NVD or OSV record for it: the other feeds, in feed order
        assert [a.source for a in db.get_all("CVE-2024-0727")] == ["alpine-secdb"] + ["debian-tracker"] * 4
        assert db.get("ALPINE-CVE-2099-2004") is None  # withdrawn
        assert db.get_all("ALPINE-CVE-2099-2004", include_withdrawn=True)[0].withdrawn
        assert db.get("NOPE-1") is None


def test_kev_epss_eol(fixture_db: Path) -> None:
    with AdvisoryDB.open(fixture_db) as db:
        assert db.kev("CVE-2099-4001")["knownRansomwareCampaignUse"] == "Known"
        assert db.kev("CVE-2000-0001") is None
        assert db.epss("CVE-2099-1001") == (0.97, 0.999)
        assert db.epss("CVE-2000-0001") is None
        assert db.eol("rhel:7")["eolFrom"] == "2024-06-30"
        st = db.status()
    assert st.kev["count"] == 2 and st.kev["catalogVersion"] == "2099.01.02"
    assert st.epss == {**st.epss, "count": 2, "modelVersion": "v2099.01.01"}


def test_status(fixture_db: Path) -> None:
    with AdvisoryDB.open(fixture_db) as db:
        st = db.status()
    assert st.schema_version == 1
    assert st.path == str(fixture_db) and st.size == fixture_db.stat().st_size
    assert abs(st.age_days() or 99) < 0.01
    assert st.newest_modified == "2099-11-03T22:16:34"
    assert st.withdrawn == 1
    feeds = {s.feed: s for s in st.sources}
    assert (feeds["alpine-secdb:3.19/main"].records, feeds["alpine-secdb:3.19/main"].ecosystems) == (8, {"alpine:3.19": 8})
    assert feeds["osv"].location == str(FIX / "vunnel")  # the last input that brought records of the feed
    assert feeds["osv"].records == 6 and feeds["osv"].ecosystems["ubuntu:16.04+esm"] == 1
    assert feeds["debian-tracker:12"].ecosystems == {"debian:12": 4}
    assert sorted(feeds) == [
        "alpine-secdb:3.19/main", "debian-tracker:10", "debian-tracker:11", "debian-tracker:12", "debian-tracker:13",
        "debian-tracker:unstable", "osv", "vunnel:github", "vunnel:nvd", "vunnel:rhel:8",
    ]  # fmt: skip
    assert st.ecosystems["cpe"] == 1 and st.ecosystems["pypi"] == 3
    with AdvisoryDB.open(fixture_db) as db:
        assert db.ecosystems() == dict(st.ecosystems) and "alpine:3.19" in db.ecosystems()
    assert (st.advisories, st.affected_rows) == (27, 38)
    d = st.to_dict()
    assert d["schemaVersion"] == 1 and d["sources"][0]["feed"]


def test_check_age(fixture_db: Path) -> None:
    with AdvisoryDB.open(fixture_db) as db:
        st = db.status()
    assert check_age(st, 5) is None
    later = datetime.now(timezone.utc) + timedelta(days=7)
    msg = check_age(st, 5, now=later)
    assert msg is not None and "is 7.0 days old" in msg and "limit 5 days" in msg and "assay db update" in msg
    assert check_age(st, 0, now=later) is None
    assert check_age(st, None, now=later) is None


def test_reimport_updates_by_id(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    src = tmp_path / "in"
    src.mkdir()
    write(src / "a.json", osv("PYSEC-1", ["alpha", "beta"], aliases=["CVE-1"]))
    write(src / "b.json", osv("PYSEC-2", ["alpha"]))
    import_inputs(db, [str(src)])
    write(src / "a.json", osv("PYSEC-1", ["alpha"], aliases=["CVE-9"], summary="v2"))
    report = import_inputs(db, [str(src / "a.json")])
    assert report.records == {"osv": 1}
    with AdvisoryDB.open(db) as d:
        assert sorted(a.id for a, _ in d.affected("pypi", "alpha")) == ["PYSEC-1", "PYSEC-2"]
        assert d.affected("pypi", "beta") == []
        assert d.get("CVE-1") is None and d.get("CVE-9").summary == "v2"
        st = d.status()
    assert st.advisories == 2 and st.affected_rows == 2
    # a record that becomes withdrawn leaves the index
    write(src / "a.json", osv("PYSEC-1", ["alpha"], withdrawn="2099-02-01T00:00:00Z"))
    import_inputs(db, [str(src / "a.json")])
    with AdvisoryDB.open(db) as d:
        assert [a.id for a, _ in d.affected("pypi", "alpha")] == ["PYSEC-2"]


def test_rebuild_starts_empty(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    import_inputs(db, [str(write(tmp_path / "a.json", osv("PYSEC-1", ["alpha"])))])
    import_inputs(db, [str(write(tmp_path / "b.json", osv("PYSEC-2", ["beta"])))], rebuild=True)
    with AdvisoryDB.open(db) as d:
        assert d.get("PYSEC-1") is None and d.get("PYSEC-2") is not None


def test_malformed_record_is_skipped_with_a_warning(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    write(src / "good.json", osv("PYSEC-1", ["alpha"]))
    write(src / "bad.json", {"id": "PYSEC-BAD", "affected": [{"package": {"ecosystem": "PyPI"}}]})
    (src / "worse.yaml").write_text("id: [unclosed\n")
    warnings: list[str] = []
    report = import_inputs(tmp_path / "db", [str(src)], warn=warnings.append)
    assert report.records == {"osv": 1} and report.warnings == 2
    assert any("PYSEC-BAD" in w and str(src / "bad.json") in w for w in warnings)
    assert any(str(src / "worse.yaml") in w for w in warnings)


def test_missing_foreign_and_old_databases(tmp_path: Path) -> None:
    with pytest.raises(DatabaseMissing) as exc:
        AdvisoryDB.open(tmp_path / "none.db")
    msg = exc.value.diagnostics()
    assert "\n" not in msg and "assay db import" in msg and "assay db update" in msg and "assay db pull" in msg
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="not an assay advisory database"):
        AdvisoryDB.open(junk)
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="schema 0, this assay reads schema 1"):
        AdvisoryDB.open(old)
    warnings: list[str] = []
    import_inputs(old, [str(FIX / "osv")], warn=warnings.append)  # replaced, with a warning
    assert any("not a schema 1 assay database" in w for w in warnings)
    AdvisoryDB.open(old).close()


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    with DatabaseWriter(db):
        with pytest.raises(DatabaseError, match="another assay process is writing"):
            DatabaseWriter(db).open()
    with DatabaseWriter(db) as w:  # the lock is released
        w.commit()


def test_interrupted_import_leaves_the_old_database(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    import_inputs(db, [str(FIX / "osv")])
    before = db.read_bytes()
    src = tmp_path / "many"
    src.mkdir()
    for i in range(600):
        write(src / f"{i}.json", osv(f"PYSEC-X-{i}", [f"pkg{i}"]))

    def interrupt(done: int, where: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_inputs(db, [str(src)], progress=interrupt)
    assert db.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    with AdvisoryDB.open(db) as d:
        assert d.get("PYSEC-X-1") is None and d.get("PYSEC-2099-1") is not None


def _big_zip(path: Path, n: int) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for i in range(n):
            zf.writestr(f"PYSEC-K-{i}.json", json.dumps(osv(f"PYSEC-K-{i}", [f"pkg{i}", f"other{i}"], summary="x" * 200)))


def test_sigkill_mid_import_leaves_the_old_database_usable(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    import_inputs(db, [str(FIX / "osv")])
    with AdvisoryDB.open(db) as d:
        before = d.status()
    big = tmp_path / "all.zip"
    _big_zip(big, 40000)
    code = "import sys; from assay.advisories.db import import_inputs; import_inputs(sys.argv[1], [sys.argv[2]])"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code, str(db), str(big)], env=env)
    try:
        deadline = time.monotonic() + 60
        tmp = None
        while time.monotonic() < deadline and proc.poll() is None:
            found = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            if found and found[0].stat().st_size > before.size + 200_000:
                tmp = found[0]
                break
            time.sleep(0.02)
        assert tmp is not None and proc.poll() is None, "import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with AdvisoryDB.open(db) as d:  # the old database, intact
        after = d.status()
        assert d.get("PYSEC-K-1") is None and d.get("PYSEC-2099-1") is not None
    assert (after.built, after.advisories) == (before.built, before.advisories)
    # the next import cleans up the orphaned temporary file
    import_inputs(db, [str(write(tmp_path / "one.json", osv("PYSEC-Y-1", ["y"])))])
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
