"""Build small images in tests: layers from entry lists, written as OCI layouts or docker archives."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Entry:
    name: str
    data: bytes = b""
    kind: str = "file"  # file, dir, symlink, hardlink
    link: str = ""


def F(name: str, data: bytes | str = b"") -> Entry:
    return Entry(name, data.encode() if isinstance(data, str) else data)


def D(name: str) -> Entry:
    return Entry(name, kind="dir")


def L(name: str, target: str) -> Entry:
    return Entry(name, kind="symlink", link=target)


def H(name: str, target: str) -> Entry:
    return Entry(name, kind="hardlink", link=target)


def tar_bytes(entries: Iterable[Entry]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e.name)
            ti.mtime = 0
            if e.kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            elif e.kind == "symlink":
                ti.type, ti.linkname = tarfile.SYMTYPE, e.link
                tf.addfile(ti)
            elif e.kind == "hardlink":
                ti.type, ti.linkname = tarfile.LNKTYPE, e.link
                tf.addfile(ti)
            else:
                ti.size, ti.mode = len(e.data), 0o644
                tf.addfile(ti, io.BytesIO(e.data))
    return raw.getvalue()


@dataclass
class Layer:
    tar: bytes
    compression: str = "gzip"  # gzip, zstd, none
    media_type: str | None = None
    blob_override: bytes | None = None  # bytes stored instead of the real blob (tampering)

    @property
    def blob(self) -> bytes:
        if self.compression == "gzip":
            return gzip.compress(self.tar, mtime=0)
        if self.compression == "zstd":
            import zstandard

            return zstandard.ZstdCompressor().compress(self.tar)
        return self.tar

    @property
    def mt(self) -> str:
        if self.media_type is not None:
            return self.media_type
        return {
            "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
            "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
            "none": "application/vnd.oci.image.layer.v1.tar",
        }[self.compression]


def layer(*entries: Entry, compression: str = "gzip", **kw) -> Layer:  # type: ignore[no-untyped-def]
    return Layer(tar_bytes(entries), compression, **kw)


@dataclass
class Image:
    layers: list[Layer]
    labels: dict[str, str] = field(default_factory=dict)
    architecture: str = "amd64"

    def config(self) -> bytes:
        return json.dumps(
            {
                "architecture": self.architecture,
                "os": "linux",
                "created": "2024-01-02T03:04:05Z",
                "config": {"Labels": self.labels},
                "rootfs": {"type": "layers", "diff_ids": [sha(l.tar) for l in self.layers]},
            },
            sort_keys=True,
        ).encode()


def write_oci_dir(root: Path, image: Image, tag: str = "latest", *, drop_blob: str | None = None) -> str:
    """Write ``image`` as an OCI layout; returns the manifest digest.  ``drop_blob``: 'config' or 'layer0' to omit."""
    blobs = root / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def put(data: bytes, stored: bytes | None = None, skip: bool = False) -> str:
        d = sha(data)
        if not skip:
            (blobs / d[7:]).write_bytes(stored if stored is not None else data)
        return d

    cfg = image.config()
    layers = []
    for i, l in enumerate(image.layers):
        b = l.blob
        layers.append({"mediaType": l.mt, "digest": put(b, l.blob_override, drop_blob == f"layer{i}"), "size": len(b)})
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cfg, skip=drop_blob == "config"), "size": len(cfg)},
            "layers": layers,
        },
        sort_keys=True,
    ).encode()
    md = put(manifest)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": tag}}]})
    )
    return md


def tar_dir(src: Path, out: Path) -> Path:
    with tarfile.open(out, "w") as tf:
        for p in sorted(src.rglob("*")):
            tf.add(p, arcname=str(p.relative_to(src)), recursive=False)
    return out


def write_docker_archive(out: Path, image: Image, tag: str = "example.com/app:1") -> Path:
    """A legacy docker save tarball: <id>/layer.tar (uncompressed), config <hex>.json, manifest.json."""
    cfg = image.config()
    cfg_name = sha(cfg)[7:] + ".json"
    with tarfile.open(out, "w") as tf:

        def add(name: str, data: bytes) -> None:
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))

        names = []
        for l in image.layers:
            name = f"{hashlib.sha256(l.tar).hexdigest()}/layer.tar"
            add(name, l.blob_override if l.blob_override is not None else (l.tar if l.compression == "none" else l.blob))
            names.append(name)
        add(cfg_name, cfg)
        add("manifest.json", json.dumps([{"Config": cfg_name, "RepoTags": [tag], "Layers": names}]).encode())
    return out


def sparse_tar_entry(name: str, size: int) -> bytes:
    """A GNU sparse tar holding one file of ``size`` bytes with (almost) no stored data."""

    header = bytearray(512)

    def put(off: int, length: int, value: bytes) -> None:
        header[off : off + len(value)] = value

    put(0, 100, name.encode())
    put(100, 8, b"0000644\0")
    put(108, 8, b"0000000\0")
    put(116, 8, b"0000000\0")
    put(124, 12, b"%011o\0" % 0)  # stored size: no data blocks
    put(136, 12, b"00000000000\0")
    header[156] = ord("S")  # GNU sparse
    put(257, 8, b"ustar  \0")
    # one sparse region of length 0 at offset size (GNU header: sp[0] at 386, realsize at 483)
    put(386, 12, b"%011o\0" % size)
    put(398, 12, b"%011o\0" % 0)
    put(483, 12, b"%011o\0" % size)
    header[148:156] = b" " * 8
    chk = sum(header)
    put(148, 8, b"%06o\0 " % chk)
    return bytes(header) + b"\0" * 1024
