"""Local image stores: OCI layout directories, OCI archives and docker-archive tarballs.

Archives are indexed by tar header only (member name -> offset and size); blobs
are then read in place as slices of the archive file, never extracted.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
from typing import IO, Any

from ..errors import SourceError
from ..model import SourceInfo
from .image import LayerBlob, short
from .oci import ImageSource, choose_manifest, image_layers, info_from, parse_json, resolve_image, verify_digest
from .tree import normpath

__all__ = ["open_oci_dir", "open_oci_archive", "open_docker_archive"]

BLOB_LIMIT = 64 * 1024 * 1024  # manifests and configs; layers are streamed
_HEX64 = re.compile(r"[0-9a-f]{64}")


class _Slice(io.RawIOBase):
    """A read-only window onto part of a file."""

    def __init__(self, path: str, offset: int, size: int) -> None:
        self._fh = open(path, "rb")
        self._fh.seek(offset)
        self._left = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        if n is None or n < 0 or n > self._left:
            n = self._left
        data = self._fh.read(n)
        self._left -= len(data)
        return data

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Store:
    """Blobs by path inside a directory or an uncompressed tar archive."""

    def __init__(self, path: str, *, archive: bool) -> None:
        self.path = path
        self.archive = archive
        self.members: dict[str, tuple[int, int]] = {}
        if archive:
            try:
                with tarfile.open(path, "r:") as tf:
                    for m in tf:
                        if m.isreg():
                            self.members[normpath(m.name)] = (m.offset_data, m.size)
                        elif m.islnk():
                            tgt = self.members.get(normpath(m.linkname))
                            if tgt:
                                self.members[normpath(m.name)] = tgt
            except tarfile.ReadError as exc:
                raise SourceError(f"{path}: not an uncompressed tar archive ({exc})") from exc
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise SourceError(f"{path}: truncated or corrupt archive ({exc})") from exc

    def has(self, rel: str) -> bool:
        rel = normpath(rel)
        if self.archive:
            return rel in self.members
        return os.path.isfile(self.path + rel) and not os.path.islink(self.path + rel)

    def size(self, rel: str) -> int:
        rel = normpath(rel)
        if self.archive:
            return self.members[rel][1]
        return os.path.getsize(self.path + rel)

    def read(self, rel: str, what: str) -> bytes:
        if not self.has(rel):
            raise SourceError(f"{what} is missing from {self.path} ({rel.lstrip('/')})")
        if self.size(rel) > BLOB_LIMIT:
            raise SourceError(f"{what} is larger than {BLOB_LIMIT} bytes")
        with self.open(rel) as fh:
            return fh.read()

    def open(self, rel: str) -> IO[bytes]:
        rel = normpath(rel)
        if self.archive:
            off, size = self.members[rel]
            return _Slice(self.path, off, size)  # type: ignore[return-value]
        fd = os.open(self.path + rel, os.O_RDONLY | os.O_NOFOLLOW)
        return os.fdopen(fd, "rb")

    def local(self, rel: str) -> tuple[str, int, int]:
        rel = normpath(rel)
        if self.archive:
            off, size = self.members[rel]
            return (self.path, off, size)
        return (self.path + rel, 0, os.path.getsize(self.path + rel))

    def layer(self, rel: str, digest: str, media_type: str, size: int) -> LayerBlob:
        if not self.has(rel):
            raise SourceError(f"layer {short(digest) if digest else rel} is missing from {self.path}")
        return LayerBlob(digest, media_type, size or self.size(rel), "", lambda: self.open(rel), self.local(rel))


def _blob_path(digest: str) -> str:
    algo, _, hexd = digest.partition(":")
    if not algo.isalnum() or not re.fullmatch(r"[0-9a-f]{32,128}", hexd or ""):
        raise SourceError(f"invalid digest {digest!r}")
    return f"/blobs/{algo}/{hexd}"


def _open_layout(store: _Store, *, input: str, tag: str, platform: str, name: str, version: str, progress) -> ImageSource:  # type: ignore[no-untyped-def]
    what = store.path
    if not store.has("/index.json"):
        raise SourceError(f"{what}: not an OCI layout (no index.json)")
    index = parse_json(store.read("/index.json", "index.json"), f"{what}/index.json")
    if not isinstance(index, dict):
        raise SourceError(f"{what}/index.json is not an OCI index")
    desc = choose_manifest(index, platform, tag=tag, what=f"{what}/index.json")
    digest = str(desc.get("digest", ""))

    def get_blob(d: str) -> bytes:
        return store.read(_blob_path(d), f"blob {short(d)}")

    top = get_blob(digest)
    verify_digest(top, digest, f"manifest {short(digest)}")
    img = resolve_image(get_blob, top, digest, str(desc.get("mediaType", "")), platform=platform, what=f"manifest {short(digest)}")
    layers = image_layers(
        img.manifest,
        img.config,
        lambda d: store.layer(_blob_path(str(d.get("digest", ""))), str(d.get("digest", "")), str(d.get("mediaType", "")), int(d.get("size") or 0)),
    )
    ref_name = str((desc.get("annotations") or {}).get("org.opencontainers.image.ref.name", ""))
    tags = tuple(t for t in (tag or ref_name,) if t)
    info = info_from(
        img.config,
        manifest_digest=img.manifest_digest,
        manifest_media_type=img.manifest_media_type,
        config_digest=img.config_digest,
        index_digest=img.index_digest,
        tags=tags,
        layers=tuple(lb.to_model() for lb in layers),
        size=sum(lb.size for lb in layers),
    )
    return ImageSource(SourceInfo(kind="image", input=input, name=name or input, version=version, path=store.path, digest=img.manifest_digest, image=info), layers, progress=progress)


def open_oci_dir(path: str, *, tag: str = "", platform: str = "", input: str = "", name: str = "", version: str = "", progress=None) -> ImageSource:  # type: ignore[no-untyped-def]
    if not os.path.isdir(path):
        raise SourceError(f"{path}: not a directory")
    return _open_layout(_Store(os.path.realpath(path), archive=False), input=input or f"oci-dir:{path}", tag=tag, platform=platform, name=name, version=version, progress=progress)


def open_oci_archive(path: str, *, tag: str = "", platform: str = "", input: str = "", name: str = "", version: str = "", progress=None) -> ImageSource:  # type: ignore[no-untyped-def]
    if not os.path.isfile(path):
        raise SourceError(f"{path}: no such file")
    return _open_layout(_Store(path, archive=True), input=input or f"oci-archive:{path}", tag=tag, platform=platform, name=name, version=version, progress=progress)


def open_docker_archive(path: str, *, tag: str = "", platform: str = "", input: str = "", name: str = "", version: str = "", progress=None) -> ImageSource:  # type: ignore[no-untyped-def]
    """A ``docker save`` / ``skopeo copy docker-archive:`` tarball."""
    if not os.path.isfile(path):
        raise SourceError(f"{path}: no such file")
    store = _Store(path, archive=True)
    if not store.has("/manifest.json"):
        if store.has("/index.json"):
            return _open_layout(store, input=input or f"docker-archive:{path}", tag=tag, platform=platform, name=name, version=version, progress=progress)
        raise SourceError(f"{path}: not a docker archive (no manifest.json)")
    entries = parse_json(store.read("/manifest.json", "manifest.json"), f"{path}: manifest.json")
    if not isinstance(entries, list) or not entries or not all(isinstance(e, dict) for e in entries):
        raise SourceError(f"{path}: manifest.json is not a docker-archive manifest")
    entry: dict[str, Any] = entries[0]
    if tag:
        hits = [e for e in entries if any(t == tag or t.endswith(":" + tag) for t in e.get("RepoTags") or [])]
        if not hits:
            raise SourceError(f"{path}: no image tagged {tag!r}")
        entry = hits[0]
    elif len(entries) > 1:
        tags = [t for e in entries for t in e.get("RepoTags") or []]
        raise SourceError(f"{path} holds {len(entries)} images: choose one with docker-archive:{path}:TAG ({', '.join(tags)})")
    cfg_path = str(entry.get("Config", ""))
    cfg_bytes = store.read("/" + cfg_path, "image config")
    cfg_digest = _digest_from_name(cfg_path)
    if cfg_digest:
        verify_digest(cfg_bytes, cfg_digest, "image config")
    else:
        import hashlib

        cfg_digest = "sha256:" + hashlib.sha256(cfg_bytes).hexdigest()
    config = parse_json(cfg_bytes, "image config")
    if not isinstance(config, dict):
        raise SourceError("image config is not a JSON object")
    sources = entry.get("LayerSources") or {}
    descs = []
    for lp in entry.get("Layers") or []:
        lp = str(lp)
        named = _digest_from_name(lp)
        descs.append({"path": lp, "digest": named, "mediaType": (sources.get(named) or {}).get("mediaType", "")})
    def blob(d: dict[str, Any]) -> LayerBlob:
        return store.layer("/" + d["path"], d["digest"], "", 0)

    # a layer named by its blob digest is checked against it; a legacy <id>/layer.tar
    # against its diff-id from the config
    layers = image_layers({"layers": descs}, config, blob)
    repo_tags = tuple(str(t) for t in entry.get("RepoTags") or [])
    info = info_from(
        config,
        config_digest=cfg_digest,
        tags=repo_tags,
        layers=tuple(lb.to_model() for lb in layers),
        size=sum(lb.size for lb in layers),
    )
    inp = input or f"docker-archive:{path}"
    return ImageSource(SourceInfo(kind="image", input=inp, name=name or (repo_tags[0] if repo_tags else inp), version=version, path=path, digest=cfg_digest, image=info), layers, progress=progress)


def _digest_from_name(name: str) -> str:
    m = _HEX64.search(name.rsplit("/", 1)[-1]) or (_HEX64.search(name) if name.startswith("blobs/") else None)
    return f"sha256:{m.group(0)}" if m else ""
