#!/usr/bin/env python3
"""Benchmark the matching loop of ``assay scan``: an SBOM of 5,000 components against a
database of 200,000 affected-package rows, and the cost growth when either doubles.

The SBOM's packages are real: every distinct (type, name, version) of the third-party
SBOMs in ../shared/realdata/sboms (syft, cdxgen, cyclonedx-npm/-gomod/-maven... output:
npm, Go modules, Maven, Debian, .NET, Composer...), decoded with ``assay.sbom.decode``.
Without that directory a deterministic synthetic set with the same type mix is used.
Past the real set's size (the doubled SBOM), packages are repeated under other versions.

The database is the SQLite file ``assay db`` writes, opened read-only with
``AdvisoryDB.open`` (a fresh handle every run, so its caches start cold).  It comes
from ``bench/db_import.py:build_bench_db(path, n_affected)`` when the database's own
benchmark provides it; else synthetic records shaped like a real database are
written with ``DatabaseWriter`` (``synthetic_advisories``): an eighth of the rows
name the SBOM's packages, Zipf-like per name, most already fixed in the installed
version; a kernel-sized source package; CVSS vectors drawn from real ones; the rest
spread over names the SBOM does not have.  ``--memory`` puts the same records in a
:class:`~assay.advisories.MemoryProvider` instead (the matcher's own cost, no SQL).
One database serves both SBOM sizes, so "the SBOM doubles" changes only the SBOM.

The SBOMs are written once as CycloneDX files, and each configuration runs in a
fresh interpreter that decodes its SBOM, opens the database and matches, so peak
RSS is that of ``assay scan sbom:FILE`` (without the reports):

    python bench/scan.py                        # 5k x 200k, 5k x 400k, 10k x 200k; 3 runs each (median)
    python bench/scan.py -n 5 --json out.json --workdir ~/.cache/assay-bench/scan   # keep the databases
    python bench/scan.py --memory               # the same without SQLite
    python bench/scan.py --profile              # cProfile top functions of one 5k x 200k match

The figure that counts is ``match`` wall time (after the database is opened, as the
issue asks: the SBOM decoded, the handle open, every lookup and decode inside);
``open`` is reported apart, and CPU time next to wall time because a loaded machine
stretches wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REALDATA = Path(os.environ.get("ASSAY_SHARED", ROOT.parent / "shared")) / "realdata" / "sboms"
TYPE_ECOSYSTEM = {
    "deb": "debian:12",
    "npm": "npm",
    "go-module": "go",
    "java-archive": "maven",
    "dotnet": "nuget",
    "php-composer": "composer",
    "python": "pypi",
    "rust-crate": "cargo",
    "gem": "gem",
}
VECTORS = (
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H",
    "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
    "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N",
    "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N",
    "AV:N/AC:M/Au:N/C:P/I:P/A:N",
)
DEB_RATINGS = ("unimportant", "low", "medium", "high", "not yet assigned")


# -- the SBOM -----------------------------------------------------------------------------------


def real_packages() -> list[Any]:
    from assay.errors import AssayError
    from assay.sbom import decode

    seen: dict[tuple[str, str, str], Any] = {}
    for path in sorted(REALDATA.rglob("*.json")) if REALDATA.is_dir() else []:
        data = path.read_bytes()
        if len(data) > 5_000_000:
            continue
        try:
            _, _, sbom = decode(data)
        except (AssayError, ValueError):
            continue
        for p in sbom.packages:
            if p.type in TYPE_ECOSYSTEM and p.version:
                seen.setdefault((p.type, p.name, p.version), p)
    return [seen[k] for k in sorted(seen)]


def synthetic_packages(n: int, rnd: random.Random) -> list[Any]:
    from assay.model import Package

    mix = [("npm", 0.35), ("go-module", 0.25), ("java-archive", 0.15), ("deb", 0.15), ("dotnet", 0.05), ("python", 0.05)]
    out = []
    for i in range(n):
        t = rnd.choices([m[0] for m in mix], [m[1] for m in mix])[0]
        name = {"java-archive": f"org.example{i % 97}:lib{i}", "go-module": f"github.com/org{i % 211}/mod{i}"}.get(t, f"pkg{i}")
        version = f"{rnd.randint(0, 9)}.{rnd.randint(0, 30)}.{rnd.randint(0, 20)}" + ("-1" if t == "deb" else "")
        out.append(Package(name=name, version=version, type=t, found_by="bench"))
    return out


def make_sbom(n: int, seed: int = 7) -> Any:
    """``n`` components: the real set (minus OS packages of other families), then re-versioned copies."""
    from assay.model import Distro, Package, Sbom

    rnd = random.Random(seed)
    pool = real_packages() or synthetic_packages(6000, rnd)
    picked: list[Any] = []
    generation = 0
    while len(picked) < n:
        for p in pool:
            if len(picked) >= n:
                break
            if generation == 0:
                picked.append(p)
            else:
                picked.append(Package(name=p.name, version=_bump(p.version, generation), type=p.type, purl="", source_name=p.source_name, metadata=p.metadata))
        generation += 1
    return Sbom(packages=tuple(picked), distro=Distro(id="debian", version_id="12"))


def _bump(version: str, generation: int) -> str:
    head, sep, tail = version.partition(".")
    return f"{head}{sep}{tail}+b{generation}" if sep else f"{version}.{generation}"


# -- the database -------------------------------------------------------------------------------


def _search_names(sbom: Any) -> list[tuple[str, str, str]]:
    """(ecosystem, name, installed version) the matcher will look up, one per distinct name."""
    from assay.match.language import package_key

    out: dict[tuple[str, str], str] = {}
    for p in sbom.packages:
        if p.type == "deb":
            out.setdefault(("debian:12", p.source_name or p.name), p.version)
            continue
        key = package_key(p)
        if key is not None:
            out.setdefault((key[0], key[1]), key[2])
    return [(e, n, v) for (e, n), v in sorted(out.items())]


def synthetic_advisories(sbom: Any, n_affected: int, seed: int = 11) -> list[Any]:
    """``n_affected`` single-entry advisories shaped like a real database (see the comments)."""
    from assay.advisories import Advisory, Affected, Range, Severity

    rnd = random.Random(seed)
    names = _search_names(sbom)
    advisories: list[Any] = []
    rows = 0
    serial = 0

    def add(eco: str, name: str, installed: str, hit: bool) -> None:
        nonlocal rows, serial
        serial += 1
        year = 2015 + serial % 11
        cve = f"CVE-{year}-{10000 + serial}"
        if hit:
            events: tuple[tuple[str, str], ...] = (("introduced", "0"), ("fixed", installed + ".1"))
        else:
            events = (("introduced", "0"), ("fixed", "0.0.1"))
        scheme_fixed = events[-1][1]
        if eco.startswith("debian"):
            adv_id, aliases = cve, ()
            sev = (Severity(source="debian", kind="rating", rating=rnd.choice(DEB_RATINGS)),)
        else:
            adv_id = "GHSA-" + "-".join("".join(rnd.choice("23456789cfghjmpqrvwx") for _ in range(4)) for _ in range(3))
            aliases = (cve,)
            sev = (Severity(source="ghsa", kind="CVSS_V3", vector=rnd.choice(VECTORS)),)
        aff = Affected(ecosystem=eco, package=name, ranges=(Range(type="ECOSYSTEM", events=events),), fix_state="fixed", fixed_versions=(scheme_fixed,))
        advisories.append(Advisory(id=adv_id, aliases=aliases, severities=sev, summary=f"{name}: synthetic advisory {serial}", affected=(aff,)))
        rows += 1

    # The SBOM's names get an eighth of the rows (25,000 of 200,000), 80 % of them Debian:
    # Debian's OVAL for bookworm names 5,598 CVE x source pairs for the 311 source packages
    # of the Debian images in ../shared/realdata/sboms (2,157 of them linux); the tracker
    # JSON, with unfixed, not-affected and unimportant entries, has about three times more.
    # Counts per name are Zipf-like; 10 % of Debian records and 15 % of language records
    # affect the installed version (the distro has fixed most of what it lists).
    touched = n_affected // 8
    for share, pick, rate in ((0.8, lambda e: e.startswith("debian"), 0.10), (0.2, lambda e: not e.startswith("debian"), 0.15)):
        group = [n for n in names if pick(n[0])]
        if not group:
            continue
        weights = [1.0 / (i + 1) ** 0.9 for i in range(len(group))]
        rnd.shuffle(group)
        scale = touched * share / sum(weights)
        for (eco, name, installed), w in zip(group, weights):
            for _ in range(int(w * scale)):
                add(eco, name, installed, rnd.random() < rate)
    # a kernel-sized source package (linux-image-* in the SBOM would reach it)
    for _ in range(min(2000, n_affected // 100)):
        add("debian:12", "linux", "6.1.0-1", rnd.random() < 0.05)
    # the rest: names the SBOM does not have
    i = 0
    while rows < n_affected:
        eco = rnd.choice(list(TYPE_ECOSYSTEM.values()))
        add(eco, f"unrelated-{eco.split(':')[0]}-{i // 3}", "1.0.0", False)
        i += 1
    return advisories


def _builder() -> Any:
    """``bench/db_import.py:build_bench_db`` when the database's own benchmark provides it."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from db_import import build_bench_db  # type: ignore[import-not-found]
    except ImportError:
        return None
    return build_bench_db


def build_db(path: Path, n_affected: int, names_from: int) -> str:
    """Write the SQLite database at ``path`` (once); returns how it was made."""
    build = _builder()
    if build is not None:
        if not path.exists():
            build(path, n_affected)
        return f"sqlite, bench/db_import.py:build_bench_db ({path.name})"
    if not path.exists():
        from assay.advisories.db import DatabaseWriter
        from assay.advisories.feeds import Record

        with DatabaseWriter(path, rebuild=True) as writer:
            for adv in synthetic_advisories(make_sbom(names_from), n_affected):
                writer.add(Record("bench", adv))
            writer.commit()
    return f"sqlite, synthetic records written with DatabaseWriter ({path.name})"


def open_db(n_affected: int, names_from: int, workdir: Path, memory: bool) -> tuple[Any, str]:
    """The benchmark database, opened (SQLite), or built in memory with ``memory``."""
    if memory:
        from assay.advisories import MemoryProvider

        return MemoryProvider(synthetic_advisories(make_sbom(names_from), n_affected)), "memory (MemoryProvider, synthetic records)"
    from assay.advisories.db import AdvisoryDB

    path = workdir / f"bench-{n_affected}-{names_from}.db"
    kind = build_db(path, n_affected, names_from)
    return AdvisoryDB.open(path), kind


def sbom_file(workdir: Path, n: int) -> Path:
    """The ``n``-component SBOM as a CycloneDX file (written once): the worker reads it as ``assay scan sbom:FILE`` does."""
    from assay.sbom import encode

    path = workdir / f"sbom-{n}.cdx.json"
    if not path.exists():
        path.write_bytes(encode(make_sbom(n), "cyclonedx-json"))
    return path


# -- one configuration, in this process ---------------------------------------------------------


def worker(n_packages: int, n_affected: int, names_from: int, runs: int, workdir: Path, profile: bool, memory: bool) -> dict[str, Any]:
    from assay.match import match
    from assay.sbom import decode

    t0 = time.perf_counter()
    _, _, sbom = decode(sbom_file(workdir, n_packages).read_bytes())
    decoded = time.perf_counter() - t0
    times: list[float] = []
    cpu: list[float] = []
    result: tuple[Any, ...] = ()
    opened = 0.0
    kind = ""
    for _ in range(runs):
        # a fresh database handle every run: its caches start cold, as in a real scan
        t0 = time.perf_counter()
        provider, kind = open_db(n_affected, names_from, workdir, memory)
        opened = time.perf_counter() - t0
        t = time.perf_counter()
        c = time.process_time()
        if profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            result = match(sbom, provider)
            prof.disable()
            pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        else:
            result = match(sbom, provider)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if hasattr(provider, "close"):
            provider.close()
    findings, ignored, warnings = result
    return {
        "packages": len(sbom.packages),
        "affected_rows": n_affected,
        "db": kind,
        "decode_s": round(decoded, 3),
        "open_s": round(opened, 3),
        "match_s": round(statistics.median(times), 3),
        "match_cpu_s": round(statistics.median(cpu), 3),
        "match_runs_s": [round(t, 3) for t in times],
        "findings": len(findings),
        "ignored": len(ignored),
        "warnings": len(warnings),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=3)
    ap.add_argument("--packages", type=int, default=5000)
    ap.add_argument("--affected", type=int, default=200_000)
    ap.add_argument("--memory", action="store_true", help="an in-memory MemoryProvider instead of the SQLite database")
    ap.add_argument("--json", default="")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--workdir", default="", help="where the databases are built and kept (default: a new temporary directory)")
    ap.add_argument("--worker", nargs=3, type=int, metavar=("PACKAGES", "AFFECTED", "NAMES_FROM"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="assay-bench-scan-"))
    workdir.mkdir(parents=True, exist_ok=True)
    names_from = 2 * args.packages  # one database for both SBOM sizes, so "the SBOM doubles" changes only the SBOM
    if args.worker:
        print(json.dumps(worker(*args.worker, args.runs, workdir, args.profile, args.memory)))
        return 0
    if args.profile:
        sbom_file(workdir, args.packages)
        if not args.memory:
            build_db(workdir / f"bench-{args.affected}-{names_from}.db", args.affected, names_from)
        print(json.dumps(worker(args.packages, args.affected, names_from, 1, workdir, True, args.memory), indent=1))
        return 0
    configs = [(args.packages, args.affected), (args.packages, 2 * args.affected), (2 * args.packages, args.affected)]
    for n_pkgs in sorted({p for p, _ in configs}):
        sbom_file(workdir, n_pkgs)
    built: dict[int, float] = {}
    if not args.memory:
        for n_aff in sorted({a for _, a in configs}):
            t = time.perf_counter()
            build_db(workdir / f"bench-{n_aff}-{names_from}.db", n_aff, names_from)
            built[n_aff] = time.perf_counter() - t
    rows = []
    for n_pkgs, n_aff in configs:
        # one process per run: a scan's peak RSS is its own, not the high-water mark of earlier runs
        cmd = [sys.executable, __file__, "--worker", str(n_pkgs), str(n_aff), str(names_from), "-n", "1", "--workdir", str(workdir)]
        runs = []
        for _ in range(args.runs):
            out = subprocess.run(cmd + (["--memory"] if args.memory else []), check=True, capture_output=True, text=True)
            runs.append(json.loads(out.stdout))
        row = dict(runs[0])
        row["match_runs_s"] = [r["match_s"] for r in runs]
        row["match_s"] = statistics.median(r["match_s"] for r in runs)
        row["match_cpu_s"] = statistics.median(r["match_cpu_s"] for r in runs)
        row["decode_s"] = statistics.median(r["decode_s"] for r in runs)
        row["open_s"] = statistics.median(r["open_s"] for r in runs)
        row["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        rows.append(row)
    base = rows[0]["match_s"] or 1e-9
    print(f"machine: {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print(f"database: {rows[0]['db']}" + "".join(f"; {n:,} rows built in {s:.0f} s" for n, s in built.items()))
    print()
    print("| SBOM components | affected rows | match wall (median) | match CPU | growth | SBOM decode | DB open | findings | ignored | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['packages']:,} | {r['affected_rows']:,} | {r['match_s']:.3f} s | {r['match_cpu_s']:.3f} s | ×{r['match_s'] / base:.2f} "
            f"| {r['decode_s']:.2f} s | {r['open_s']:.3f} s | {r['findings']:,} | {r['ignored']:,} | {r['peak_rss_mb']:.0f} MB |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
