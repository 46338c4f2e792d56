"""Image manifests and configs (OCI and Docker v2), independent of where the blobs live."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import SourceError
from ..model import ImageInfo, SourceInfo
from ..oci.mediatypes import DOCKER_CONFIG, INDEX_TYPES, MANIFEST_TYPES, OCI_CONFIG, OCI_INDEX, OCI_MANIFEST
from .image import ImageReader, LayerBlob, short
from .tree import FileResolver

__all__ = [
    "MANIFEST_TYPES",
    "INDEX_TYPES",
    "ImageSource",
    "verify_digest",
    "parse_json",
    "choose_manifest",
    "image_layers",
]

DEFAULT_PLATFORM = "linux/amd64"
IMAGE_CONFIG_TYPES = frozenset({OCI_CONFIG, DOCKER_CONFIG})


def verify_digest(data: bytes, digest: str, what: str) -> None:
    algo, _, hexd = digest.partition(":")
    if algo not in ("sha256", "sha384", "sha512") or not hexd:
        raise SourceError(f"{what}: unsupported digest {digest!r}")
    if hashlib.new(algo, data).hexdigest() != hexd:
        raise SourceError(f"{what} does not match its digest {short(digest)}")


def parse_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(f"{what} is not valid JSON: {exc}") from exc


def media_type_of(doc: dict[str, Any], declared: str = "") -> str:
    mt = doc.get("mediaType") or declared
    if not mt:
        if "manifests" in doc:
            return OCI_INDEX
        if "layers" in doc and "config" in doc:
            return OCI_MANIFEST
    return str(mt)


def choose_manifest(index: dict[str, Any], platform: str, *, tag: str = "", what: str = "index") -> dict[str, Any]:
    """Pick one descriptor from an index: by ``org.opencontainers.image.ref.name`` tag, else by platform."""
    from ..oci.mediatypes import select_platform

    manifests = [m for m in index.get("manifests") or [] if isinstance(m, dict)]
    if not manifests:
        raise SourceError(f"{what} lists no manifests")
    if tag:
        hits = [m for m in manifests if _ref_name(m) == tag or _ref_name(m).endswith(":" + tag)]
        if not hits:
            names = sorted({_ref_name(m) for m in manifests if _ref_name(m)})
            raise SourceError(f"{what} has no image tagged {tag!r} (tags: {', '.join(names) or 'none'})")
        manifests = hits
    if len(manifests) == 1 and (not platform or "platform" not in manifests[0]):
        return manifests[0]
    return select_platform({"manifests": manifests}, platform or DEFAULT_PLATFORM, where=what).to_json()


def _ref_name(desc: dict[str, Any]) -> str:
    return str((desc.get("annotations") or {}).get("org.opencontainers.image.ref.name", ""))


@dataclass
class ResolvedImage:
    manifest: dict[str, Any]
    manifest_digest: str
    manifest_media_type: str
    config: dict[str, Any]
    config_digest: str
    index_digest: str = ""


def resolve_image(
    get_blob: Callable[[str], bytes],
    top: bytes,
    top_digest: str,
    top_media_type: str,
    *,
    platform: str,
    what: str,
    get_manifest: Callable[[str], bytes] | None = None,
) -> ResolvedImage:
    """From a manifest or index (bytes, already digest-checked) to a manifest + config."""
    doc = parse_json(top, what)
    if not isinstance(doc, dict):
        raise SourceError(f"{what} is not a manifest")
    mt = media_type_of(doc, top_media_type)
    index_digest = ""
    digest = top_digest
    if mt in INDEX_TYPES:
        index_digest = top_digest
        desc = choose_manifest(doc, platform or DEFAULT_PLATFORM, what=what)
        digest = str(desc.get("digest", ""))
        data = (get_manifest or get_blob)(digest)
        verify_digest(data, digest, f"manifest {short(digest)}")
        doc = parse_json(data, f"manifest {short(digest)}")
        mt = media_type_of(doc, str(desc.get("mediaType", "")))
    if mt not in MANIFEST_TYPES:
        if "schemaVersion" in doc and doc.get("schemaVersion") == 1:
            raise SourceError(f"{what}: Docker schema 1 manifests are not supported")
        raise SourceError(f"{what}: unsupported manifest media type {mt!r}")
    cfg_desc = doc.get("config") or {}
    cfg_type = cfg_desc.get("mediaType", "")
    if cfg_type and cfg_type not in IMAGE_CONFIG_TYPES:
        raise SourceError(f"{what} is not a container image (config media type {cfg_type!r}): an artifact such as a signature or SBOM?")
    cfg_digest = str(cfg_desc.get("digest", ""))
    cfg_bytes = get_blob(cfg_digest)
    verify_digest(cfg_bytes, cfg_digest, f"image config {short(cfg_digest)}")
    config = parse_json(cfg_bytes, "image config")
    if not isinstance(config, dict):
        raise SourceError("image config is not a JSON object")
    return ResolvedImage(doc, digest, mt, config, cfg_digest, index_digest)


def image_layers(manifest: dict[str, Any], config: dict[str, Any], blob: Callable[[dict[str, Any]], LayerBlob]) -> list[LayerBlob]:
    descs = manifest.get("layers") or []
    diff_ids = list((config.get("rootfs") or {}).get("diff_ids") or [])
    if diff_ids and len(diff_ids) != len(descs):
        raise SourceError(f"image config lists {len(diff_ids)} diff-ids for {len(descs)} layers")
    out = []
    for n, d in enumerate(descs):
        lb = blob(d)
        if diff_ids:
            lb = LayerBlob(lb.digest, lb.media_type, lb.size, str(diff_ids[n]), lb.opener, lb.local)
        out.append(lb)
    return out


def info_from(config: dict[str, Any], **kw: Any) -> ImageInfo:
    inner = config.get("config") or {}
    labels = inner.get("Labels") or {}
    return ImageInfo(
        labels=tuple(sorted((str(k), str(v)) for k, v in labels.items())),
        architecture=str(config.get("architecture", "")),
        os=str(config.get("os", "")),
        variant=str(config.get("variant", "")),
        created=str(config.get("created", "")),
        **kw,
    )


class ImageSource:
    """An image from any store: a :class:`SourceInfo` plus its layers."""

    def __init__(self, info: SourceInfo, layers: list[LayerBlob], *, progress: Callable[[str], None] | None = None, closer: Callable[[], None] | None = None) -> None:
        self._info = info
        self.reader = ImageReader(layers, progress=progress)
        self._closer = closer

    def describe(self) -> SourceInfo:
        return self._info

    def resolver(self, prefetch=(), analyzers=()) -> FileResolver:  # type: ignore[no-untyped-def]
        return self.reader.resolver(prefetch, analyzers)

    def close(self) -> None:
        self.reader.close()
        if self._closer:
            self._closer()
            self._closer = None

    def __enter__(self) -> "ImageSource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
