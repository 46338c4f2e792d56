#!/usr/bin/env python3
"""(Re)build ``assay/data/sample-image``, the small OCI image ``assay sbom`` can read offline.

The image is made of REAL package metadata, not binaries:

* layer 1, from a ``debootstrap --variant=minbase bookworm`` root: the dpkg
  database (``var/lib/dpkg/status`` and ``info/*.list``, ``*.md5sums``,
  ``*.conffiles``), every ``usr/share/doc/*/copyright``, ``os-release``,
  ``debian_version``, the merged-/usr symlinks and a few small files of ``/etc``;
* layer 2: the ``*.dist-info`` directories of real pip-installed packages, with
  ``six.py`` itself, and an npm project (``package.json``, ``package-lock.json``
  and each installed package's ``package.json``).

The layers are gzip tars written here, not by umoci, so the output is
byte-for-byte reproducible from the same inputs: entries sorted, owner root,
every mtime set to ``SOURCE_DATE_EPOCH`` (default below), gzip header mtime 0,
canonical JSON.  The result is an OCI image layout directory, about 0.5 MB.

Usage (as root, with debootstrap, npm and network access to the mirrors)::

    python tools/make_sample_image.py                 # build the inputs (cached) and write assay/data/sample-image
    python tools/make_sample_image.py --rootfs DIR --extras DIR --out OUT
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "assay" / "data" / "sample-image"
DEFAULT_EPOCH = 1704067200  # 2024-01-01T00:00:00Z
TAG = "latest"

# Small real files of the base system, copied as they are (symlinks stay symlinks).
BASE_FILES = (
    "bin",
    "sbin",
    "lib",
    "lib64",
    "etc/os-release",
    "usr/lib/os-release",
    "etc/debian_version",
    "etc/passwd",
    "etc/group",
    "etc/shells",
    "etc/issue",
    "etc/host.conf",
    "etc/apt/sources.list.d/debian.sources",
    "var/lib/dpkg/status",
)
DPKG_INFO_SUFFIXES = (".list", ".md5sums", ".conffiles")
PIP_EXTRA_FILES = ("six.py",)


def base_paths(rootfs: Path) -> list[str]:
    """Paths (relative to ``rootfs``) of layer 1."""
    paths = [p for p in BASE_FILES if os.path.lexists(rootfs / p)]
    info = rootfs / "var/lib/dpkg/info"
    paths += [f"var/lib/dpkg/info/{n}" for n in sorted(os.listdir(info)) if n.endswith(DPKG_INFO_SUFFIXES)]
    doc = rootfs / "usr/share/doc"
    for name in sorted(os.listdir(doc)):
        entry = doc / name
        if entry.is_symlink():  # e.g. a library's doc dir pointing at its source package's
            paths.append(f"usr/share/doc/{name}")
        elif os.path.lexists(entry / "copyright"):
            paths.append(f"usr/share/doc/{name}/copyright")
    return paths


def language_paths(extras: Path) -> list[str]:
    """Paths (relative to ``extras``) of layer 2: dist-info dirs, six.py, npm manifests."""
    out: list[str] = []
    for site in sorted(extras.glob("usr/local/lib/python3*/site-packages")):
        rel = site.relative_to(extras).as_posix()
        for entry in sorted(site.iterdir()):
            if entry.name.endswith(".dist-info"):
                out += [f"{rel}/{entry.name}/{f.name}" for f in sorted(entry.iterdir()) if f.is_file()]
            elif entry.name in PIP_EXTRA_FILES:
                out.append(f"{rel}/{entry.name}")
    for app in sorted(extras.glob("srv/*")):
        rel = app.relative_to(extras).as_posix()
        for name in ("package.json", "package-lock.json"):
            if (app / name).is_file():
                out.append(f"{rel}/{name}")
        for manifest in sorted(app.glob("node_modules/**/package.json")):
            out.append(manifest.relative_to(extras).as_posix())
        lock = app / "node_modules/.package-lock.json"
        if lock.is_file():
            out.append(lock.relative_to(extras).as_posix())
    return out


def layer_tar(root: Path, paths: Iterable[str], mtime: int) -> bytes:
    """An uncompressed tar of ``paths`` under ``root`` plus their parent directories,
    sorted, owned by root, every mtime ``mtime``."""
    wanted: set[str] = set()
    for p in paths:
        wanted.add(p)
        parent = os.path.dirname(p)
        while parent:
            wanted.add(parent)
            parent = os.path.dirname(parent)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel in sorted(wanted):
            src = root / rel
            st = os.lstat(src)
            info = tarfile.TarInfo(rel)
            info.mode = stat.S_IMODE(st.st_mode)
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mtime = mtime
            if stat.S_ISLNK(st.st_mode):
                info.type = tarfile.SYMTYPE
                info.linkname = os.readlink(src)
                tar.addfile(info)
            elif stat.S_ISDIR(st.st_mode):
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif stat.S_ISREG(st.st_mode):
                data = src.read_bytes()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                raise SystemExit(f"{src}: not a file, directory or symlink")
    return buf.getvalue()


def canonical_json(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def dpkg_arch(status: bytes) -> str:
    """The architecture of ``base-files`` in a dpkg status file (the image's architecture)."""
    for stanza in status.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line.startswith(" "))
        if fields.get("Package") == "base-files":
            return fields.get("Architecture", "amd64")
    return "amd64"


def os_release(rootfs: Path) -> dict[str, str]:
    out = {}
    for line in (rootfs / "usr/lib/os-release").read_text().splitlines():
        k, sep, v = line.partition("=")
        if sep:
            out[k] = v.strip().strip('"')
    return out


def build(rootfs: Path, extras: Path, out: Path, epoch: int) -> Path:
    """Write the OCI layout to ``out`` (replacing it); return ``out``."""
    created = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    osr = os_release(rootfs)
    tars = [layer_tar(rootfs, base_paths(rootfs), epoch), layer_tar(extras, language_paths(extras), epoch)]
    blobs: dict[str, bytes] = {}
    layers = []
    for t in tars:
        gz = gzip.compress(t, compresslevel=9, mtime=0)
        blobs[sha256(gz)] = gz
        layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha256(gz), "size": len(gz)})
    arch = dpkg_arch((rootfs / "var/lib/dpkg/status").read_bytes())
    labels = {
        "org.opencontainers.image.title": "assay sample image",
        "org.opencontainers.image.description": "Package metadata (no binaries) of a debootstrap minbase "
        f"Debian {osr.get('VERSION_ID', '')} root, plus pip and npm packages; built by tools/make_sample_image.py",
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.version": (rootfs / "etc/debian_version").read_text().strip(),
        "org.opencontainers.image.base.name": f"debian:{osr.get('VERSION_CODENAME', 'bookworm')}",
        "org.opencontainers.image.vendor": "assay",
    }
    config = {
        "created": created,
        "architecture": arch,
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["bash"], "Labels": labels},
        "rootfs": {"type": "layers", "diff_ids": [sha256(t) for t in tars]},
        "history": [
            {"created": created, "created_by": "debootstrap --variant=minbase: dpkg database, copyright files, os-release"},
            {"created": created, "created_by": "pip install --target and npm install: package metadata"},
        ],
    }
    config_bytes = canonical_json(config)
    blobs[sha256(config_bytes)] = config_bytes
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(config_bytes), "size": len(config_bytes)},
        "layers": layers,
    }
    manifest_bytes = canonical_json(manifest)
    blobs[sha256(manifest_bytes)] = manifest_bytes
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": sha256(manifest_bytes),
                "size": len(manifest_bytes),
                "platform": {"architecture": arch, "os": "linux"},
                "annotations": {"org.opencontainers.image.ref.name": TAG},
            }
        ],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".sample-image-", dir=out.parent))
    try:
        (tmp / "blobs/sha256").mkdir(parents=True)
        for digest, data in sorted(blobs.items()):
            (tmp / "blobs/sha256" / digest.split(":", 1)[1]).write_bytes(data)
        (tmp / "oci-layout").write_bytes(canonical_json({"imageLayoutVersion": "1.0.0"}))
        (tmp / "index.json").write_bytes(canonical_json(index))
        for p in tmp.rglob("*"):
            p.chmod(0o755 if p.is_dir() else 0o644)
        tmp.chmod(0o755)
        if out.exists():
            shutil.rmtree(out)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rootfs", type=Path, help="a debootstrap root (default: build/reuse the test cache's bookworm minbase)")
    ap.add_argument("--extras", type=Path, help="a tree with usr/local/lib/python3*/site-packages and srv/app (default: the test cache's)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output OCI layout directory (default {DEFAULT_OUT.relative_to(REPO)})")
    args = ap.parse_args(argv)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", DEFAULT_EPOCH))
    if args.rootfs is None or args.extras is None:
        sys.path.insert(0, str(REPO))
        from tests import images

        args.rootfs = args.rootfs or images.debootstrap()
        args.extras = args.extras or images.language_tree()
    out = build(args.rootfs, args.extras, args.out, epoch)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {out} ({size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
