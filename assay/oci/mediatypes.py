"""What the JSON documents of an OCI/Docker registry mean: media types,
descriptors and platforms.

Media types are plain string constants (OCI image-spec, Docker schema 2 and the
cosign/sigstore conventions).  :class:`Descriptor` is the frozen form of a
content descriptor, and :func:`select_platform` picks one manifest out of an
image index or Docker manifest list; it is shared by the registry and the
oci-dir sources so both report platforms the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import SourceError

__all__ = [
    "ACCEPT_MANIFESTS",
    "ALL_MANIFEST_TYPES",
    "COSIGN_ARTIFACT_ATTESTATION",
    "COSIGN_ARTIFACT_SBOM",
    "COSIGN_ARTIFACT_SIGNATURE",
    "COSIGN_SIMPLE_SIGNING",
    "DOCKER_ATTESTATION_MANIFEST",
    "DOCKER_CONFIG",
    "DOCKER_FOREIGN_LAYER",
    "DOCKER_LAYER",
    "DOCKER_LAYER_GZIP",
    "DOCKER_LAYER_ZSTD",
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "DOCKER_MANIFEST_V1",
    "DOCKER_MANIFEST_V1_SIGNED",
    "DSSE_ENVELOPE",
    "INDEX_TYPES",
    "IN_TOTO",
    "LAYER_TYPES",
    "MANIFEST_TYPES",
    "OCI_CONFIG",
    "OCI_EMPTY",
    "OCI_EMPTY_DIGEST",
    "OCI_INDEX",
    "OCI_LAYER",
    "OCI_LAYER_GZIP",
    "OCI_LAYER_NONDIST",
    "OCI_LAYER_NONDIST_GZIP",
    "OCI_LAYER_NONDIST_ZSTD",
    "OCI_LAYER_ZSTD",
    "OCI_MANIFEST",
    "SIGSTORE_BUNDLE_V03",
    "Descriptor",
    "Platform",
    "host_platform",
    "index_platforms",
    "is_foreign_layer",
    "is_index",
    "is_layer",
    "is_manifest",
    "layer_compression",
    "parse_platform",
    "select_platform",
]

# --- OCI image-spec -------------------------------------------------------
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
#: digest of the two-byte empty JSON object ``{}`` (OCI 1.1 "empty descriptor").
OCI_EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar"
OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"

# --- Docker image manifest v2 schema 2 --------------------------------------
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
#: schema 1 manifests are obsolete; recognised only to reject them clearly.
DOCKER_MANIFEST_V1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_MANIFEST_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"
DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd"
DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
#: buildx stores provenance/SBOM attestations as index entries of this kind
#: (platform ``unknown/unknown``); they are never a runnable image.
DOCKER_ATTESTATION_MANIFEST = "application/vnd.docker.attestation.manifest.v1+json"

# --- cosign / sigstore ---------------------------------------------------------
COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
COSIGN_ARTIFACT_SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json"
COSIGN_ARTIFACT_ATTESTATION = "application/vnd.dev.cosign.artifact.att.v1+json"
COSIGN_ARTIFACT_SBOM = "application/vnd.dev.cosign.artifact.sbom.v1+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"
IN_TOTO = "application/vnd.in-toto+json"
SIGSTORE_BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"

# --- groups ------------------------------------------------------------------
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_MANIFEST_LIST})
#: what a client asks for when fetching a manifest.  Order matters to a few
#: registries (Debian's docker-registry answers 404 for an OCI manifest unless
#: the OCI type is accepted), so every type is always listed explicitly.
ALL_MANIFEST_TYPES: tuple[str, ...] = (OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST)
ACCEPT_MANIFESTS = ", ".join(ALL_MANIFEST_TYPES)

_COMPRESSION = {
    OCI_LAYER: None,
    OCI_LAYER_GZIP: "gzip",
    OCI_LAYER_ZSTD: "zstd",
    OCI_LAYER_NONDIST: None,
    OCI_LAYER_NONDIST_GZIP: "gzip",
    OCI_LAYER_NONDIST_ZSTD: "zstd",
    DOCKER_LAYER: None,
    DOCKER_LAYER_GZIP: "gzip",
    DOCKER_LAYER_ZSTD: "zstd",
    DOCKER_FOREIGN_LAYER: "gzip",
}
LAYER_TYPES = frozenset(_COMPRESSION)
_FOREIGN = frozenset({DOCKER_FOREIGN_LAYER, OCI_LAYER_NONDIST, OCI_LAYER_NONDIST_GZIP, OCI_LAYER_NONDIST_ZSTD})


def _str(value: Any) -> str:
    """``value`` if it is a string, else '' (JSON fields of the wrong type)."""
    return value if isinstance(value, str) else ""


def _bare(media_type: str) -> str:
    """The media type without parameters (``type; charset=...``) or case."""
    return media_type.split(";", 1)[0].strip().lower()


def is_index(media_type: str) -> bool:
    """True for an OCI image index or a Docker manifest list."""
    return _bare(media_type) in INDEX_TYPES


def is_manifest(media_type: str) -> bool:
    """True for a single-image manifest (OCI or Docker schema 2)."""
    return _bare(media_type) in MANIFEST_TYPES


def is_layer(media_type: str) -> bool:
    """True for any filesystem layer type assay can read."""
    return _bare(media_type) in LAYER_TYPES


def is_foreign_layer(media_type: str) -> bool:
    """True for layers that registries may not serve (Windows base layers)."""
    return _bare(media_type) in _FOREIGN


def layer_compression(media_type: str) -> str | None:
    """``"gzip"``, ``"zstd"`` or ``None`` (plain tar) for a layer media type.

    Raises :class:`SourceError` for a type that is not a layer at all, so a
    caller never silently feeds e.g. a signature blob to tarfile.
    """
    bare = _bare(media_type)
    if bare not in _COMPRESSION:
        raise SourceError(f"unsupported layer media type: {media_type}")
    return _COMPRESSION[bare]


# --- platforms -----------------------------------------------------------------

_ARCH_ALIASES = {
    "x86_64": ("amd64", ""),
    "x86-64": ("amd64", ""),
    "aarch64": ("arm64", ""),
    "armhf": ("arm", "v7"),
    "armel": ("arm", "v6"),
    "i386": ("386", ""),
    "i686": ("386", ""),
    "x86": ("386", ""),
}
#: the variant an architecture has when none is written down.
_DEFAULT_VARIANT = {"arm64": "v8", "arm": "v7"}


@dataclass(frozen=True, slots=True)
class Platform:
    """``os/architecture[/variant]`` as in the OCI image index.

    Architecture aliases are normalised (``x86_64`` -> ``amd64``, ``aarch64``
    -> ``arm64``) and default variants are filled in (``arm64`` -> ``v8``,
    ``arm`` -> ``v7``) so equal platforms compare equal.
    """

    os: str
    architecture: str
    variant: str = ""
    os_version: str = ""

    @classmethod
    def of(cls, os: str, architecture: str, variant: str = "", os_version: str = "") -> Platform:
        os = os.lower()
        architecture = architecture.lower()
        variant = variant.lower()
        if architecture in _ARCH_ALIASES:
            architecture, alias_variant = _ARCH_ALIASES[architecture]
            variant = variant or alias_variant
        if architecture == "arm64" and variant in ("8", "v8"):
            variant = "v8"
        elif variant and variant[0].isdigit():
            variant = "v" + variant
        return cls(os, architecture, variant or _DEFAULT_VARIANT.get(architecture, ""), os_version)

    @classmethod
    def from_json(cls, obj: Any) -> Platform | None:
        """The platform of an index entry, or None when absent/malformed."""
        if not isinstance(obj, Mapping):
            return None
        os, arch = obj.get("os"), obj.get("architecture")
        if not isinstance(os, str) or not isinstance(arch, str) or not os or not arch:
            return None
        return cls.of(os, arch, _str(obj.get("variant")), _str(obj.get("os.version")))

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def matches(self, wanted: Platform, *, explicit_variant: bool) -> bool:
        """Does this (available) platform satisfy ``wanted``?

        When the user named no variant, any variant of the architecture is
        acceptable (callers rank the default variant first).
        """
        if (self.os, self.architecture) != (wanted.os, wanted.architecture):
            return False
        return self.variant == wanted.variant if explicit_variant else True


def parse_platform(value: str) -> tuple[Platform, bool]:
    """Parse ``os/arch[/variant]`` into a Platform and whether a variant was given."""
    parts = value.strip().split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise SourceError(f"invalid platform {value!r}: expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8")
    variant = parts[2] if len(parts) == 3 else ""
    return Platform.of(parts[0], parts[1], variant), bool(variant)


def host_platform() -> str:
    """The platform assay runs on, as ``linux/<arch>`` (images are Linux)."""
    import platform

    p = Platform.of("linux", platform.machine() or "amd64")
    return str(p)


@dataclass(frozen=True, slots=True)
class Descriptor:
    """An OCI content descriptor: what a manifest or index points at."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    artifact_type: str = ""
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)
    urls: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: Any, *, where: str = "descriptor") -> Descriptor:
        """Build from the JSON form; ``where`` names the document in errors."""
        if not isinstance(obj, Mapping):
            raise SourceError(f"{where}: descriptor is not an object")
        media_type, digest, size = obj.get("mediaType", ""), obj.get("digest"), obj.get("size")
        if not isinstance(digest, str) or not digest:
            raise SourceError(f"{where}: descriptor has no digest")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise SourceError(f"{where}: descriptor {digest} has an invalid size")
        if not isinstance(media_type, str):
            raise SourceError(f"{where}: descriptor {digest} has an invalid mediaType")
        ann = obj.get("annotations")
        annotations = {str(k): str(v) for k, v in ann.items()} if isinstance(ann, Mapping) else {}
        urls = obj.get("urls")
        return cls(
            media_type=media_type,
            digest=digest,
            size=size,
            platform=Platform.from_json(obj.get("platform")),
            artifact_type=_str(obj.get("artifactType")),
            annotations=annotations,
            urls=tuple(u for u in urls if isinstance(u, str)) if isinstance(urls, list) else (),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON form, with only the fields that are set."""
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.artifact_type:
            out["artifactType"] = self.artifact_type
        if self.platform is not None:
            plat: dict[str, str] = {"architecture": self.platform.architecture, "os": self.platform.os}
            if self.platform.variant:
                plat["variant"] = self.platform.variant
            if self.platform.os_version:
                plat["os.version"] = self.platform.os_version
            out["platform"] = plat
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if self.urls:
            out["urls"] = list(self.urls)
        return out


def _index_manifests(index: bytes | str | Mapping[str, Any], where: str) -> list[Descriptor]:
    if isinstance(index, (bytes, str)):
        try:
            index = json.loads(index)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceError(f"{where}: not valid JSON: {exc}") from None
    if not isinstance(index, Mapping) or not isinstance(index.get("manifests"), list):
        raise SourceError(f"{where}: not an image index (no manifests list)")
    return [Descriptor.from_json(m, where=where) for m in index["manifests"]]


def _is_image_entry(d: Descriptor) -> bool:
    """Entries that are real images (not buildx attestations or unknown/unknown)."""
    if d.annotations.get("vnd.docker.reference.type") == "attestation-manifest":
        return False
    return d.platform is not None and d.platform.os != "unknown"


def index_platforms(index: bytes | str | Mapping[str, Any], *, where: str = "image index") -> list[str]:
    """The platforms an index offers, in index order, without attestation entries."""
    seen: list[str] = []
    for d in _index_manifests(index, where):
        if _is_image_entry(d) and str(d.platform) not in seen:
            seen.append(str(d.platform))
    return seen


def select_platform(
    index: bytes | str | Mapping[str, Any], platform: str | None = None, *, where: str = "image index"
) -> Descriptor:
    """The descriptor in ``index`` for ``platform`` (default: the host's).

    ``platform`` is ``os/arch[/variant]``.  Without a variant any variant of
    the architecture matches, preferring the default one (``arm64/v8``).
    Raises :class:`SourceError` naming the available platforms when nothing
    matches, so the user can pick one with ``--platform``.
    """
    wanted, explicit = parse_platform(platform or host_platform())
    entries = _index_manifests(index, where)
    candidates = [d for d in entries if _is_image_entry(d)]
    if not candidates and platform is None:
        # an index that states no platforms at all but holds exactly one image
        images = [d for d in entries if d.platform is None and is_manifest(d.media_type)]
        if len(images) == 1:
            return images[0]
    matching = [d for d in candidates if d.platform is not None and d.platform.matches(wanted, explicit_variant=explicit)]
    if not matching:
        available = ", ".join(dict.fromkeys(str(d.platform) for d in candidates)) or "none"
        raise SourceError(f"{where}: no image for platform {platform or str(wanted)} (available: {available})")
    # stable preference: the default variant first, then index order
    matching.sort(key=lambda d: d.platform is None or d.platform.variant != wanted.variant)
    return matching[0]
