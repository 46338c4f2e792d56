#!/usr/bin/env python3
"""(Re)build ``assay/data/advisories``, the sample advisories shipped with assay.

Two parts, both real data from ``../shared/realdata`` (see its INDEX.md):

* ``osv/``: a few dozen OSV records copied byte for byte from the PyPA
  advisory database (CC-BY-4.0), the Go vulnerability database (CC-BY-4.0)
  and the RustSec advisory database (CC0-1.0) — the ids are listed below;
* ``debian/bookworm-oval-excerpt.json``: Debian tracker JSON for the source
  packages installed in ``assay/data/sample-image``, converted from Debian's
  OVAL for bookworm by ``tools/oval_to_tracker.py`` (open issues only for
  packages without a stable update since the snapshot; the two newest fixed
  issues per package).

Usage::

    python tools/make_sample_advisories.py [--realdata ../shared/realdata] [--out assay/data/advisories]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import oval_to_tracker  # noqa: E402

PYPA = [
    "requests/PYSEC-2018-28.yaml",
    "requests/PYSEC-2023-74.yaml",
    "urllib3/PYSEC-2021-108.yaml",
    "urllib3/PYSEC-2023-192.yaml",
    "urllib3/PYSEC-2023-207.yaml",
    "urllib3/PYSEC-2023-212.yaml",
    "jinja2/PYSEC-2019-217.yaml",
    "jinja2/PYSEC-2021-66.yaml",
    "flask/PYSEC-2023-62.yaml",
    "werkzeug/PYSEC-2023-57.yaml",
    "werkzeug/PYSEC-2023-58.yaml",
    "werkzeug/PYSEC-2023-221.yaml",
    "idna/PYSEC-2024-60.yaml",
    "django/PYSEC-2024-28.yaml",
    "django/PYSEC-2024-102.yaml",
    "pyyaml/PYSEC-2021-142.yaml",
    "aiohttp/PYSEC-2022-43059.yaml",  # withdrawn
]
GO = ["GO-2021-0265", "GO-2022-0635", "GO-2022-0969", "GO-2023-1840", "GO-2023-2102", "GO-2024-2687"]
RUST = ["RUSTSEC-2019-0031", "RUSTSEC-2020-0071", "RUSTSEC-2021-0003", "RUSTSEC-2023-0044", "RUSTSEC-2024-0336"]


def dpkg_status_of_image(layout: Path) -> bytes:
    """``var/lib/dpkg/status`` from the OCI layout's single image (last layer wins)."""
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":", 1)[1]
    manifest = json.loads((layout / "blobs" / "sha256" / digest).read_text())
    found = b""
    for layer in manifest["layers"]:
        blob = layout / "blobs" / "sha256" / layer["digest"].split(":", 1)[1]
        with tarfile.open(blob, "r:*") as tf:
            for member in tf:
                if member.name.lstrip("./") == "var/lib/dpkg/status" and member.isfile():
                    fh = tf.extractfile(member)
                    found = fh.read() if fh else found
    if not found:
        raise SystemExit(f"{layout}: no var/lib/dpkg/status in the image")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--realdata", default=str(ROOT.parent / "shared" / "realdata"))
    ap.add_argument("--image", default=str(ROOT / "assay" / "data" / "sample-image"))
    ap.add_argument("--out", default=str(ROOT / "assay" / "data" / "advisories"))
    args = ap.parse_args(argv)
    real, out = Path(args.realdata), Path(args.out)
    copies = [(real / "advisories/pypa-advisory-database/vulns" / p, out / "osv/pypa" / Path(p).name) for p in PYPA]
    copies += [(real / "advisories/golang-vulndb/data/osv" / f"{g}.json", out / "osv/go" / f"{g}.json") for g in GO]
    copies += [(real / "advisories/rustsec-advisory-db/osv-branch/crates" / f"{r}.json", out / "osv/rustsec" / f"{r}.json") for r in RUST]
    for src, dst in copies:
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
    with tempfile.NamedTemporaryFile(suffix="-status") as tmp:
        tmp.write(dpkg_status_of_image(Path(args.image)))
        tmp.flush()
        codename, entries = oval_to_tracker.read_oval(str(real / "distro-feeds/debian-oval/oval-definitions-bookworm.xml.bz2"))
        doc = oval_to_tracker.convert(
            entries, codename, installed=oval_to_tracker.installed_sources(tmp.name), open_unless_updated=True, fixed_per_package=2
        )
    target = out / "debian" / "bookworm-oval-excerpt.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print(f"wrote {len(copies)} OSV records and {sum(len(v) for v in doc.values())} Debian entries to {out} ({total / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
