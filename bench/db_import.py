#!/usr/bin/env python3
"""Benchmark ``assay db import`` and build the large database ``bench/scan.py`` matches against.

Import rate: at least 100,000 OSV records go through the real import path
(``import_inputs``: zip reading, JSON parsing, normalisation, SQLite writes,
the atomic rename).  The records are the real ones of ../shared/realdata
(PyPA, Go, RustSec: ~8,200) plus variations of them until the count is reached
— each variation gets a new id, its aliases renumbered, half of them a new
package name, and every version shifted (the last number of each version is
raised), so the database grows as it would with more real records.  They are
written as one zip, the way osv.dev publishes ``<Ecosystem>/all.zip``.
Without ../shared the templates are synthetic OSV records of the same shape.

``build_bench_db(path, n_affected)`` writes a database of at least
``n_affected`` affected-package rows for the scan benchmark: every real record
(OSV, every Alpine secdb branch, and Debian 12 entries converted from the real
bookworm OVAL — 25,000 definitions over real source package names), then
variations of them; pass ``names`` (``(ecosystem, package, installed version)``
triples) to also give the scanned SBOM's own packages advisories.

    python bench/db_import.py                       # 100k records; prints records/s and DB size
    python bench/db_import.py --records 200000 --json out.json
    python bench/db_import.py --build-scan-db /tmp/bench.db --affected 200000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("ASSAY_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "realdata"

__all__ = ["BenchDB", "build_bench_db", "bench_import", "osv_records"]

_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def _vary_version(version: str, k: int) -> str:
    """``1.2.3`` -> ``1.2.(3+k)``; ``0`` (introduced at the beginning) stays."""
    if version in ("0", "") or not _LAST_NUMBER.search(version):
        return version
    return _LAST_NUMBER.sub(lambda m: str(int(m.group(1)) + k), version, count=1)


def _vary(rec: dict[str, Any], k: int, rename: bool) -> dict[str, Any]:
    """Variation ``k`` of an OSV record (a new record, never the same id)."""
    out = dict(rec)
    out["id"] = f"{rec['id']}-V{k}"
    out["aliases"] = [f"{a}-V{k}" for a in rec.get("aliases") or ()]
    affected = []
    for aff in rec.get("affected") or ():
        a = dict(aff)
        pkg = dict(a.get("package") or {})
        if rename and pkg.get("name"):
            pkg["name"] = f"{pkg['name']}-v{k}"
        pkg.pop("purl", None)
        a["package"] = pkg
        a["ranges"] = [
            {**r, "events": [{kk: (vv if r.get("type") == "GIT" else _vary_version(str(vv), k)) for kk, vv in ev.items()} for ev in r.get("events", ())]}
            for r in a.get("ranges") or ()
        ]
        if a.get("versions"):
            a["versions"] = [_vary_version(str(v), k) for v in a["versions"]]
        affected.append(a)
    out["affected"] = affected
    return out


def _synthetic(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """OSV records shaped like real ones, for when ../shared is absent."""
    rnd = random.Random(seed)
    ecos = [("PyPI", "pkg"), ("Go", "example.com/mod"), ("crates.io", "crate"), ("npm", "@scope/lib"), ("Maven", "org.example:artifact")]
    out = []
    for i in range(n):
        eco, stem = ecos[i % len(ecos)]
        major, minor = rnd.randint(0, 9), rnd.randint(0, 30)
        out.append({
            "id": f"SYN-{2000 + i % 25}-{i}", "modified": f"20{10 + i % 15}-0{1 + i % 9}-01T00:00:00Z",
            "published": "2010-01-01T00:00:00Z", "aliases": [f"CVE-{2000 + i % 25}-{10000 + i}"],
            "summary": "Synthetic advisory for benchmarking", "details": "x" * rnd.randint(100, 800),
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": eco, "name": f"{stem}{i % 3000}"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": f"{major}.{minor}.{rnd.randint(1, 20)}"}]}]}],
            "references": [{"type": "WEB", "url": f"https://example.invalid/{i}"}],
        })  # fmt: skip
    return out


def osv_records() -> list[dict[str, Any]]:
    """The real OSV records of ../shared/realdata (PyPA YAML, Go and RustSec JSON), or synthetic ones."""
    from assay.advisories.feeds import load_yaml

    dirs = [
        (REAL / "advisories/pypa-advisory-database/vulns", "*.yaml"),
        (REAL / "advisories/golang-vulndb/data/osv", "*.json"),
        (REAL / "advisories/rustsec-advisory-db/osv-branch/crates", "*.json"),
    ]
    out: list[dict[str, Any]] = []
    for d, pattern in dirs:
        if not d.is_dir():
            continue
        for f in sorted(d.rglob(pattern)):
            data = f.read_bytes()
            out.append(load_yaml(data) if f.suffix == ".yaml" else json.loads(data))
    return out or _synthetic(8000)


def _stream(templates: list[dict[str, Any]], n: int) -> Iterator[dict[str, Any]]:
    """``n`` records: the templates first, then variations of them (k = 1, 2, ...)."""
    count = 0
    k = 0
    while count < n:
        for i, rec in enumerate(templates):
            if count >= n:
                return
            yield rec if k == 0 else _vary(rec, k, rename=bool((i + k) % 2))
            count += 1
        k += 1


def write_osv_zip(path: Path, records: Iterable[dict[str, Any]]) -> int:
    n = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for rec in records:
            zf.writestr(f"{rec['id']}.json", json.dumps(rec))
            n += 1
    return n


def bench_import(n: int, workdir: Path) -> dict[str, Any]:
    """Import ``n`` OSV records from one zip into a new database; rate and size."""
    from assay.advisories.db import AdvisoryDB, import_inputs

    templates = osv_records()
    real = sum(1 for t in templates if not t["id"].startswith("SYN-"))
    src = workdir / f"osv-{n}.zip"
    if not src.exists():
        write_osv_zip(src, _stream(templates, n))
    db = workdir / f"import-{n}.db"
    if db.exists():
        db.unlink()
    t0, c0 = time.perf_counter(), time.process_time()
    report = import_inputs(db, [str(src)], rebuild=True)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with AdvisoryDB.open(db) as d:
        st = d.status()
    return {
        "records": report.total,
        "real_templates": real,
        "affected_rows": st.affected_rows,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "records_per_second": round(report.total / wall),
        "db_bytes": st.size,
        "db_mb": round(st.size / 1e6, 1),
        "zip_mb": round(src.stat().st_size / 1e6, 1),
        "warnings": report.warnings,
    }


# -- the scan benchmark's database -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenchDB:
    path: Path
    affected_rows: int
    advisories: int
    seconds: float
    keys: tuple[tuple[str, str], ...]  # (ecosystem, package) with at least one advisory, a sample


def _real_items(warn: Any) -> Iterator[Any]:
    from assay.advisories.feeds import Record, read_input

    for rel in ("advisories/pypa-advisory-database", "advisories/golang-vulndb", "advisories/rustsec-advisory-db/osv-branch", "distro-feeds/alpine-secdb"):
        p = REAL / rel
        if p.exists():
            for item in read_input(p, warn):
                if isinstance(item, Record):
                    yield item
    oval = REAL / "distro-feeds/debian-oval/oval-definitions-bookworm.xml.bz2"
    if oval.exists():
        sys.path.insert(0, str(ROOT / "tools"))
        import oval_to_tracker  # type: ignore[import-not-found]

        from assay.advisories.debian import parse_tracker

        codename, entries = oval_to_tracker.read_oval(str(oval))
        yield from parse_tracker(oval_to_tracker.convert(entries, codename), where=str(oval), warn=warn)


def build_bench_db(
    path: str | os.PathLike[str],
    n_affected: int = 200_000,
    *,
    names: Iterable[tuple[str, str, str]] | None = None,
    seed: int = 0,
) -> BenchDB:
    """A database with at least ``n_affected`` affected-package rows (real records first, then variations).

    ``names``: (ecosystem, package, installed version) of the SBOM to be scanned;
    each gets a few advisories (Zipf-like), most of them fixed before the
    installed version, so a scan finds a realistic share of matches.
    """
    from assay.advisories.db import AdvisoryDB, DatabaseWriter
    from assay.advisories.feeds import Record
    from assay.advisories.model import Advisory, Affected, Range
    from assay.advisories.osv import parse_osv

    t0 = time.perf_counter()
    rnd = random.Random(seed)
    path = Path(path)
    rows = 0
    templates: list[Any] = []
    with DatabaseWriter(path, rebuild=True) as writer:

        def add(rec: Any) -> None:
            nonlocal rows
            writer.add(rec)
            if not rec.advisory.withdrawn:
                rows += len(rec.advisory.affected)

        for rec in _real_items(lambda _m: None):
            add(rec)
            if rec.feed == "osv":
                templates.append(rec)
        for i, (eco, pkg, installed) in enumerate(names or ()):
            for j in range(max(1, int(4 / (1 + i % 50) ** 0.5))):
                fixed = installed if rnd.random() < 0.8 else _vary_version(installed, 1)
                aff = Affected(ecosystem=eco, package=pkg, ranges=(Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", fixed))),),
                               fix_state="fixed", fixed_versions=(fixed,))  # fmt: skip
                add(Record("bench", Advisory(id=f"BENCH-{i}-{j}", aliases=(f"CVE-2099-{i * 10 + j}",), source="bench", affected=(aff,))))
        raw = osv_records() if not templates else None
        k = 0
        while rows < n_affected:
            k += 1
            if templates:
                for i, rec in enumerate(templates):
                    if rows >= n_affected:
                        break
                    adv = rec.advisory
                    rename = bool((i + k) % 2)
                    add(Record(rec.feed, Advisory(
                        id=f"{adv.id}-V{k}", aliases=tuple(f"{a}-V{k}" for a in adv.aliases), summary=adv.summary,
                        details=adv.details, severities=adv.severities, published=adv.published, modified=adv.modified,
                        references=adv.references, source=adv.source,
                        affected=tuple(Affected(
                            ecosystem=f.ecosystem, package=f"{f.package}-v{k}" if rename else f.package,
                            ranges=tuple(Range(type=r.type, events=tuple((e, v if r.type == "GIT" else _vary_version(v, k)) for e, v in r.events),
                                               constraint=r.constraint) for r in f.ranges),
                            versions=tuple(_vary_version(v, k) for v in f.versions), fix_state=f.fix_state,
                            fixed_versions=tuple(_vary_version(v, k) for v in f.fixed_versions), qualifiers=f.qualifiers)
                            for f in adv.affected),
                    )))  # fmt: skip
            else:
                for rec in (_vary(r, k, rename=bool(k % 2)) for r in raw or ()):
                    if rows >= n_affected:
                        break
                    add(parse_osv(rec))
        writer.commit()
    with AdvisoryDB.open(path) as d:
        st = d.status()
        import sqlite3

        conn = sqlite3.connect(path)
        keys = tuple(conn.execute("SELECT DISTINCT ecosystem, package FROM affected ORDER BY random() LIMIT 5000").fetchall())
        conn.close()
    return BenchDB(path=path, affected_rows=st.affected_rows, advisories=st.advisories, seconds=time.perf_counter() - t0, keys=keys)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--records", type=int, default=100_000, help="OSV records to import (default 100000)")
    ap.add_argument("--workdir", default=None, help="keep the generated zip and databases here")
    ap.add_argument("--build-scan-db", metavar="PATH", help="instead: build the scan benchmark database at PATH")
    ap.add_argument("--affected", type=int, default=200_000, help="affected rows for --build-scan-db (default 200000)")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)
    if args.build_scan_db:
        b = build_bench_db(args.build_scan_db, args.affected)
        result: dict[str, Any] = {"path": str(b.path), "affected_rows": b.affected_rows, "advisories": b.advisories,
                                  "seconds": round(b.seconds, 1), "db_mb": round(b.path.stat().st_size / 1e6, 1)}  # fmt: skip
    else:
        with tempfile.TemporaryDirectory(prefix="assay-bench-") as tmp:
            workdir = Path(args.workdir) if args.workdir else Path(tmp)
            workdir.mkdir(parents=True, exist_ok=True)
            result = bench_import(args.records, workdir)
    for key, value in result.items():
        print(f"{key:>20}: {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
