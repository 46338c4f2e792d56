#!/usr/bin/env python3
"""Where one ``assay sbom`` run spends its time, phase by phase (wall clock, in-process).

    python bench/sbom_phases.py IMG.tar [-n 5]

Runs the same stages as ``assay sbom docker-archive:IMG.tar -o cyclonedx-json=...``
through the library API, in a fresh interpreter per run, and prints the median of
each phase.  The interpreter's own start-up and exit are not included (see
``python -c pass`` in bench/sbom.py's output).  Run it under the interpreter of a
clean venv (``VENV/bin/python bench/sbom_phases.py ...``) to measure what users get.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

_CHILD = r"""
import gc, json, sys, time
gc.set_threshold(50_000, 20, 20)  # as the assay program does (assay.cli.entry)
t0 = time.perf_counter()
marks = []
def mark(name):
    marks.append((name, time.perf_counter()))
import assay.cli
mark("import assay.cli (model, errors, argparse)")
from assay.catalog import all_analyzers, all_catalogers, all_globs, catalog
from assay.source import open_source
from assay.sbom import parse_format_spec
mark("import catalog, source, sbom")
src = open_source("docker-archive:" + sys.argv[1])
info = src.describe()
mark("open the archive, read manifest and config")
cats = all_catalogers((), info.kind)
globs, analyzers = all_globs(cats), all_analyzers(cats)
mark("import the catalogers, collect globs and analyzers")
resolver = src.resolver(globs, analyzers)
mark("walk the layers (sha256 of each on a second thread)")
result = catalog(resolver, cats)
src.close()
mark("catalog (parse the files the globs found)")
from assay.model import Sbom
fmt, version, _ = parse_format_spec("cyclonedx-json")
sbom = Sbom(packages=result.packages, relationships=result.relationships, source=info, distro=result.distro,
            created="2026-01-01T00:00:00Z", tool_version="bench")
fmt.encode(sbom, version)
mark("encode CycloneDX JSON")
out, prev = [], t0
for name, t in marks:
    out.append((name, t - prev))
    prev = t
out.append(("total", prev - t0))
print(json.dumps(out))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("image", help="a docker-archive tar")
    ap.add_argument("-n", type=int, default=5, help="runs (median reported)")
    args = ap.parse_args()
    runs: list[list[tuple[str, float]]] = []
    for _ in range(args.n):
        proc = subprocess.run([sys.executable, "-c", _CHILD, args.image], capture_output=True, text=True, check=True)
        runs.append(json.loads(proc.stdout))
    print(f"| phase | median of {args.n} |\n|---|---:|")
    for i, (name, _) in enumerate(runs[0]):
        print(f"| {name} | {statistics.median(r[i][1] for r in runs) * 1e3:.0f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
