"""cosign's storage layout: signatures and attestations next to an image.

For an image whose manifest digest is ``sha256:HEX`` cosign keeps, in the
same repository:

* ``sha256-HEX.sig`` — an OCI image manifest whose layers are simple-signing
  payloads (``application/vnd.dev.cosign.simplesigning.v1+json``), each with
  its base64 signature in the layer annotation
  ``dev.cosignproject.cosign/signature``;
* ``sha256-HEX.att`` — the same shape, layers are DSSE envelopes
  (``application/vnd.dsse.envelope.v1+json``) with annotations
  ``dev.cosignproject.cosign/signature: ""`` and ``predicateType: URI``;
* ``sha256-HEX.sbom`` — an SBOM attached with the old ``cosign attach sbom``.

A new signature or attestation is appended as one more layer; existing
layers are never dropped (unless an attestation ``replace`` is asked for).
The manifest and its config are written byte for byte as cosign's
go-containerregistry ``mutate.Append`` over ``empty.Image`` writes them::

    manifest: {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
               "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":N,"digest":D},
               "layers":[{"mediaType":M,"size":N,"digest":D,"annotations":{...}}, ...]}
    config:   {"architecture":"","created":"0001-01-01T00:00:00Z",
               "history":[{"created":"0001-01-01T00:00:00Z"}, ...],"os":"",
               "rootfs":{"type":"layers","diff_ids":[D, ...]},"config":{}}

A :class:`Target` is where the image and its attachments live: a registry
repository (:class:`RegistryTarget`) or an OCI image layout directory
(:class:`LayoutTarget`, ``oci-dir:PATH``), where attachment tags are index
entries named by ``org.opencontainers.image.ref.name`` — the layout
``skopeo copy oci:PATH:sha256-HEX.sig`` reads.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

from ..errors import SourceError, UsageError, VerificationError
from .mediatypes import (
    ALL_MANIFEST_TYPES,
    DOCKER_MANIFEST,
    OCI_CONFIG,
    OCI_MANIFEST,
    is_index,
)
from .reference import InvalidReference, Reference, compute_digest, is_digest, parse_digest, parse_reference

__all__ = [
    "ATT",
    "BUNDLE_ANNOTATION",
    "CERTIFICATE_ANNOTATION",
    "CHAIN_ANNOTATION",
    "PREDICATE_TYPE_ANNOTATION",
    "REF_NAME_ANNOTATION",
    "SBOM",
    "SIG",
    "SIGNATURE_ANNOTATION",
    "AppendResult",
    "AttachedLayer",
    "Attachments",
    "LayoutTarget",
    "RegistryTarget",
    "Target",
    "append_layer",
    "attachment_tag",
    "build_config",
    "build_manifest",
    "child_digests",
    "open_target",
    "read_attachments",
]

SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
CERTIFICATE_ANNOTATION = "dev.sigstore.cosign/certificate"
CHAIN_ANNOTATION = "dev.sigstore.cosign/chain"
BUNDLE_ANNOTATION = "dev.sigstore.cosign/bundle"
PREDICATE_TYPE_ANNOTATION = "predicateType"
REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name"

SIG, ATT, SBOM = "sig", "att", "sbom"
_KINDS = (SIG, ATT, SBOM)
_ZERO_TIME = "0001-01-01T00:00:00Z"
#: attachments are small; a bigger manifest or layer is refused rather than read.
MAX_ATTACHMENT_MANIFEST = 4 * 1024 * 1024


def attachment_tag(digest: str, kind: str) -> str:
    """``sha256-HEX.sig`` / ``.att`` / ``.sbom`` for an image digest."""
    if kind not in _KINDS:
        raise ValueError(f"unknown attachment kind {kind!r}")
    algo, _, hexpart = parse_digest(digest).partition(":")
    return f"{algo}-{hexpart}.{kind}"


# --- targets -------------------------------------------------------------------------


class Target:
    """Where an image and its cosign attachments live.

    ``display`` names it for messages; ``repository`` is the name signatures
    claim (``critical.identity.docker-reference``, the in-toto subject name).
    """

    display: str
    repository: str

    def resolve(self) -> str:
        """The manifest digest the target's tag (or digest) points at."""
        raise NotImplementedError

    def manifest(self, ref: str) -> tuple[bytes, str, str] | None:
        """``(body, media_type, digest)`` of a tag or digest, verified; None when absent."""
        raise NotImplementedError

    def blob(self, digest: str, max_size: int | None = None) -> bytes:
        """A blob, verified against its digest."""
        raise NotImplementedError

    def put_blob(self, data: bytes) -> str:
        raise NotImplementedError

    def put_manifest(self, tag: str, data: bytes, media_type: str) -> str:
        raise NotImplementedError

    def pinned(self, digest: str) -> str:
        """``repository@digest`` for messages."""
        return f"{self.display}@{digest}"

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RegistryTarget(Target):
    """A repository in a registry, through :class:`~assay.oci.RegistryClient`."""

    def __init__(self, client: Any, ref: Reference) -> None:
        self.client = client
        self.ref = ref
        self.display = ref.name
        self.repository = ref.name
        self._resolved: str | None = None

    def resolve(self) -> str:
        if self._resolved is None:
            self._resolved = self.client.resolve(self.ref)
        return self._resolved

    @property
    def input(self) -> str:
        return str(self.ref)

    def manifest(self, ref: str) -> tuple[bytes, str, str] | None:
        return self.client.find_manifest(self.ref.repository, ref, ALL_MANIFEST_TYPES)

    def blob(self, digest: str, max_size: int | None = None) -> bytes:
        return self.client.get_blob(self.ref.repository, digest, max_size=max_size)

    def put_blob(self, data: bytes) -> str:
        return self.client.put_blob(self.ref.repository, data)

    def put_manifest(self, tag: str, data: bytes, media_type: str) -> str:
        return self.client.put_manifest(self.ref.repository, tag, data, media_type)

    def close(self) -> None:
        self.client.close()


_LAYOUT_NAME = re.compile(r"[^a-z0-9]+")


class LayoutTarget(Target):
    """An OCI image layout directory (``oci-layout``, ``index.json``, ``blobs/``).

    ``tag`` selects the image by ``org.opencontainers.image.ref.name``,
    ``digest`` pins it; with neither, the layout must hold exactly one image
    besides attachments.  ``repository`` defaults to ``localhost/<directory
    name>`` (signatures claim it); pass the name the image will be pushed
    under to make signatures carry that instead.  One writer at a time:
    index.json is rewritten whole (atomically) on every tag update.
    """

    def __init__(self, path: str, *, tag: str = "", digest: str = "", repository: str = "") -> None:
        self.path = os.path.abspath(path)
        if not os.path.isfile(os.path.join(self.path, "index.json")):
            raise SourceError(f"{path}: not an OCI image layout (no index.json)")
        self.tag = tag
        self.digest = parse_digest(digest) if digest else ""
        self.display = f"oci-dir:{path}"
        self.input = self.display + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
        if repository:
            try:
                self.repository = parse_reference(repository).name
            except InvalidReference as exc:
                raise UsageError(f"invalid repository name {repository!r}: {exc}") from None
        else:
            base = _LAYOUT_NAME.sub("-", os.path.basename(self.path).lower()).strip("-") or "image"
            self.repository = f"localhost/{base}"

    # index.json ---------------------------------------------------------------------
    def _index(self) -> dict[str, Any]:
        path = os.path.join(self.path, "index.json")
        try:
            with open(path, "rb") as fh:
                obj = json.load(fh)
        except (OSError, ValueError) as exc:
            raise SourceError(f"{path}: cannot read the layout index: {exc}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("manifests", []), list):
            raise SourceError(f"{path}: malformed layout index")
        obj.setdefault("manifests", [])
        return obj

    def _entries(self) -> list[dict[str, Any]]:
        return [m for m in self._index()["manifests"] if isinstance(m, dict) and isinstance(m.get("digest"), str)]

    @staticmethod
    def _name(entry: Mapping[str, Any]) -> str:
        ann = entry.get("annotations")
        return str(ann.get(REF_NAME_ANNOTATION, "")) if isinstance(ann, dict) else ""

    def _by_tag(self, tag: str) -> dict[str, Any] | None:
        for m in self._entries():
            name = self._name(m)
            if name == tag or name.endswith(":" + tag):
                return m
        return None

    def resolve(self) -> str:
        if self.digest:
            if not self._has(self.digest):
                raise SourceError(f"{self.display}: no manifest {self.digest}")
            return self.digest
        if self.tag:
            entry = self._by_tag(self.tag)
            if entry is None:
                raise SourceError(f"{self.display}: no image tagged {self.tag!r}")
            return parse_digest(entry["digest"])
        images = [m for m in self._entries() if not _is_attachment_name(self._name(m))]
        if len(images) != 1:
            names = sorted(self._name(m) or m["digest"] for m in images)
            raise SourceError(f"{self.display}: holds {len(images)} images; pick one with oci-dir:PATH:TAG or @DIGEST ({', '.join(names)[:200]})")
        return parse_digest(images[0]["digest"])

    # blobs --------------------------------------------------------------------------
    def _blob_path(self, digest: str) -> str:
        algo, _, hexpart = parse_digest(digest).partition(":")
        return os.path.join(self.path, "blobs", algo, hexpart)

    def _has(self, digest: str) -> bool:
        return os.path.isfile(self._blob_path(digest))

    def blob(self, digest: str, max_size: int | None = None) -> bytes:
        path = self._blob_path(digest)
        limit = max_size or 64 * 1024 * 1024
        try:
            size = os.path.getsize(path)
            if size > limit:
                raise SourceError(f"{self.display}: blob {digest} is too large ({size} bytes, limit {limit})")
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise SourceError(f"{self.display}: blob {digest} is missing") from None
        except OSError as exc:
            raise SourceError(f"{self.display}: cannot read blob {digest}: {exc.strerror}") from None
        got = compute_digest(data, digest.partition(":")[0])
        if got != digest:
            from .client import DigestMismatch

            raise DigestMismatch(f"{self.display}: blob {digest} does not match its digest (content is {got})")
        return data

    def manifest(self, ref: str) -> tuple[bytes, str, str] | None:
        if is_digest(ref):
            digest, media_type = ref, ""
            for m in self._entries():
                if m["digest"] == ref:
                    media_type = str(m.get("mediaType", ""))
            if not self._has(digest):
                return None
        else:
            entry = self._by_tag(ref)
            if entry is None:
                return None
            digest, media_type = parse_digest(entry["digest"]), str(entry.get("mediaType", ""))
        body = self.blob(digest, MAX_ATTACHMENT_MANIFEST)
        if not media_type:
            try:
                media_type = str(json.loads(body).get("mediaType", "")) or OCI_MANIFEST
            except (ValueError, AttributeError):
                raise SourceError(f"{self.display}: manifest {digest} is not valid JSON") from None
        return body, media_type, digest

    def put_blob(self, data: bytes) -> str:
        digest = compute_digest(data)
        path = self._blob_path(digest)
        if os.path.isfile(path):
            return digest
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _atomic_write(path, data)
        return digest

    def put_manifest(self, tag: str, data: bytes, media_type: str) -> str:
        digest = self.put_blob(data)
        index = self._index()
        kept = [m for m in index["manifests"] if not (isinstance(m, dict) and self._name(m) == tag)]
        kept.append({"mediaType": media_type, "digest": digest, "size": len(data), "annotations": {REF_NAME_ANNOTATION: tag}})
        index["manifests"] = kept
        index.setdefault("schemaVersion", 2)
        _atomic_write(os.path.join(self.path, "index.json"), json.dumps(index, indent=None, separators=(",", ":")).encode())
        return digest


def _is_attachment_name(name: str) -> bool:
    return bool(re.fullmatch(r"sha(256|384|512)-[0-9a-f]+\.(sig|att|sbom)", name))


def _atomic_write(path: str, data: bytes) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".assay-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def open_target(
    image: str,
    *,
    insecure: bool = False,
    username: str = "",
    password: str = "",
    repository: str = "",
    client_factory: Callable[..., Any] | None = None,
) -> Target:
    """The target named on the command line: ``oci-dir:PATH[:TAG|@DIGEST]``,
    or an image reference (``registry:`` prefix optional).

    ``repository`` overrides the name an OCI layout's signatures claim.
    ``client_factory`` (tests) replaces :meth:`RegistryClient.for_reference`.
    """
    if image.startswith("oci-dir:"):
        rest = image[len("oci-dir:") :]
        path, digest, tag = rest, "", ""
        if "@" in rest:
            path, _, digest = rest.rpartition("@")
        if not os.path.isdir(path):
            head, sep, t = path.rpartition(":")
            if sep and head and "/" not in t and os.path.isdir(head):
                path, tag = head, t
        if not os.path.isdir(path):
            raise SourceError(f"{image}: no such OCI layout directory")
        return LayoutTarget(path, tag=tag, digest=digest, repository=repository)
    image = image.removeprefix("registry:")
    ref = parse_reference(image)
    if client_factory is not None:
        client = client_factory(ref)
    else:
        from .client import RegistryClient

        client = RegistryClient.for_reference(ref, username=username or None, password=password or None, insecure=insecure)
    return RegistryTarget(client, ref)


# --- documents --------------------------------------------------------------------------


def _descriptor(d: Mapping[str, Any]) -> dict[str, Any]:
    """A descriptor in go-containerregistry's field order (v1.Descriptor)."""
    from ..sign._json import Struct

    out = Struct(mediaType=d["mediaType"], size=d["size"], digest=d["digest"])
    for key in ("data", "urls", "annotations", "platform", "artifactType"):
        if d.get(key):
            out[key] = d[key]
    return out


def build_config(layer_digests: Sequence[str], base: Mapping[str, Any] | None = None) -> bytes:
    """The config of an attachment image, as go-containerregistry writes a
    ``v1.ConfigFile`` after appending the layers (``base``: the existing config)."""
    from ..sign._json import Struct, dumps

    base = base or {}
    history = [h for h in base.get("history") or [] if isinstance(h, dict)]
    history = history[: len(layer_digests)]
    while len(history) < len(layer_digests):
        history.append({})
    hist = []
    for h in history:
        entry = Struct()
        if h.get("author"):
            entry["author"] = h["author"]
        entry["created"] = h.get("created") or _ZERO_TIME
        for key in ("created_by", "comment", "empty_layer"):
            if h.get(key):
                entry[key] = h[key]
        hist.append(entry)
    cfg = Struct(architecture=str(base.get("architecture") or ""))
    for key in ("author", "container"):
        if base.get(key):
            cfg[key] = base[key]
    cfg["created"] = base.get("created") or _ZERO_TIME
    if base.get("docker_version"):
        cfg["docker_version"] = base["docker_version"]
    if hist:
        cfg["history"] = hist
    cfg["os"] = str(base.get("os") or "")
    cfg["rootfs"] = Struct(type="layers", diff_ids=list(layer_digests))
    cfg["config"] = base.get("config") if isinstance(base.get("config"), dict) else {}
    for key in ("os.version", "variant", "os.features"):
        if base.get(key):
            cfg[key] = base[key]
    return dumps(cfg)


def build_manifest(
    config: bytes,
    layers: Sequence[Mapping[str, Any]],
    *,
    media_type: str = OCI_MANIFEST,
    config_media_type: str = OCI_CONFIG,
    annotations: Mapping[str, str] | None = None,
) -> bytes:
    """The attachment manifest (go-containerregistry's v1.Manifest order)."""
    from ..sign._json import Struct, dumps

    doc = Struct(
        schemaVersion=2,
        mediaType=media_type,
        config=Struct(mediaType=config_media_type, size=len(config), digest=compute_digest(config)),
        layers=[_descriptor(layer) for layer in layers],
    )
    if annotations:
        doc["annotations"] = dict(annotations)
    return dumps(doc)


# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttachedLayer:
    """One layer of a ``.sig``/``.att`` manifest.  ``problem`` is set (and
    the layer unusable) when its descriptor is malformed."""

    index: int
    media_type: str
    digest: str
    size: int
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)
    problem: str = ""

    def to_descriptor(self) -> dict[str, Any]:
        d: dict[str, Any] = {"mediaType": self.media_type, "size": self.size, "digest": self.digest}
        if self.annotations:
            d["annotations"] = dict(self.annotations)
        return d


@dataclass(frozen=True, slots=True)
class Attachments:
    """The parsed manifest of ``sha256-HEX.sig`` (or ``.att``/``.sbom``)."""

    tag: str
    manifest_digest: str
    media_type: str
    layers: tuple[AttachedLayer, ...]
    config_digest: str = ""
    config_media_type: str = OCI_CONFIG
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)

    def payload(self, target: Target, layer: AttachedLayer, max_size: int | None = None) -> bytes:
        """The layer's blob, checked against the descriptor's digest and size."""
        data = target.blob(layer.digest, max_size)
        if len(data) != layer.size:
            raise VerificationError(f"{self.tag} layer {layer.index}: blob is {len(data)} bytes, the manifest says {layer.size}")
        return data


def _parse_layer(i: int, raw: Any) -> AttachedLayer:
    if not isinstance(raw, dict):
        return AttachedLayer(i, "", "", 0, {}, "descriptor is not an object")
    media_type, digest, size, ann = raw.get("mediaType"), raw.get("digest"), raw.get("size"), raw.get("annotations", {})
    problem = ""
    if not isinstance(media_type, str):
        problem, media_type = "no mediaType", ""
    if not isinstance(digest, str) or not is_digest(digest):
        problem, digest = problem or f"invalid digest {digest!r}", ""
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        problem, size = problem or f"invalid size {size!r}", 0
    if ann is None:
        ann = {}
    if not isinstance(ann, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ann.items()):
        problem, ann = problem or "malformed annotations (not a string map)", {}
    return AttachedLayer(i, media_type, digest, size, ann, problem)


def read_attachments(target: Target, digest: str, kind: str) -> Attachments | None:
    """The ``kind`` attachments of image ``digest``, or None when there are none."""
    tag = attachment_tag(digest, kind)
    found = target.manifest(tag)
    if found is None:
        return None
    body, media_type, mdigest = found
    where = f"{target.display}:{tag}"
    try:
        obj = json.loads(body)
    except ValueError:
        raise VerificationError(f"{where}: the manifest is not valid JSON") from None
    if not isinstance(obj, dict) or is_index(str(obj.get("mediaType") or media_type)):
        raise VerificationError(f"{where}: not an image manifest")
    raw_layers = obj.get("layers")
    if not isinstance(raw_layers, list):
        raise VerificationError(f"{where}: the manifest has no layers list")
    config: dict[str, Any] = obj["config"] if isinstance(obj.get("config"), dict) else {}
    ann: dict[str, Any] = obj["annotations"] if isinstance(obj.get("annotations"), dict) else {}
    return Attachments(
        tag=tag,
        manifest_digest=mdigest,
        media_type=str(obj.get("mediaType") or media_type or OCI_MANIFEST),
        layers=tuple(_parse_layer(i, raw) for i, raw in enumerate(raw_layers)),
        config_digest=str(config.get("digest", "")),
        config_media_type=str(config.get("mediaType") or OCI_CONFIG),
        annotations={str(k): str(v) for k, v in ann.items()},
    )


def child_digests(target: Target, digest: str) -> list[str]:
    """The manifests an index lists (empty for a single-image manifest)."""
    found = target.manifest(digest)
    if found is None:
        raise SourceError(f"{target.pinned(digest)}: manifest not found")
    body, media_type, _ = found
    try:
        obj = json.loads(body)
    except ValueError:
        raise SourceError(f"{target.pinned(digest)}: manifest is not valid JSON") from None
    if not isinstance(obj, dict) or not is_index(str(obj.get("mediaType") or media_type)):
        return []
    out = []
    for m in obj.get("manifests") or []:
        if isinstance(m, dict) and isinstance(m.get("digest"), str) and is_digest(m["digest"]):
            out.append(m["digest"])
    return out


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppendResult:
    tag: str
    manifest_digest: str
    layer_digest: str
    layers: int
    added: bool  # False: an identical signature was already there


def append_layer(
    target: Target,
    digest: str,
    kind: str,
    payload: bytes,
    media_type: str,
    annotations: Mapping[str, str],
    *,
    duplicate: Callable[[Attachments, AttachedLayer], bool] | None = None,
    replace: Callable[[Attachments, AttachedLayer], bool] | None = None,
) -> AppendResult:
    """Add one layer to the ``kind`` attachments of ``digest`` and push.

    Existing layers are kept in order.  ``duplicate(existing, layer)`` may
    say an equivalent layer is already present (then nothing is written);
    ``replace(existing, layer)`` drops matching layers first (``attest
    --replace``).  Layers with malformed descriptors are kept untouched.
    """
    tag = attachment_tag(digest, kind)
    existing = read_attachments(target, digest, kind)
    layers: list[dict[str, Any]] = []
    base: dict[str, Any] | None = None
    manifest_type, config_type, manifest_ann = OCI_MANIFEST, OCI_CONFIG, None
    layer_digest = compute_digest(payload)
    if existing is not None:
        bad = [layer for layer in existing.layers if layer.problem]
        if bad:
            raise VerificationError(f"{target.display}:{tag} layer {bad[0].index}: {bad[0].problem}; not appending to a corrupt attachment manifest")
        if duplicate is not None:
            for layer in existing.layers:
                if duplicate(existing, layer):
                    return AppendResult(tag, existing.manifest_digest, layer.digest, len(existing.layers), False)
        kept = [layer for layer in existing.layers if not (replace and replace(existing, layer))]
        layers = [layer.to_descriptor() for layer in kept]
        if existing.media_type in (OCI_MANIFEST, DOCKER_MANIFEST):
            manifest_type, config_type = existing.media_type, existing.config_media_type
        manifest_ann = dict(existing.annotations) or None
        if len(kept) == len(existing.layers) and existing.config_digest:
            try:
                cfg = json.loads(target.blob(existing.config_digest, MAX_ATTACHMENT_MANIFEST))
                base = cfg if isinstance(cfg, dict) else None
            except (SourceError, ValueError):
                base = None
    layers.append({"mediaType": media_type, "size": len(payload), "digest": layer_digest, "annotations": dict(annotations)})
    config = build_config([layer["digest"] for layer in layers], base)
    manifest = build_manifest(config, layers, media_type=manifest_type, config_media_type=config_type, annotations=manifest_ann)
    target.put_blob(payload)
    target.put_blob(config)
    mdigest = target.put_manifest(tag, manifest, manifest_type)
    return AppendResult(tag, mdigest, layer_digest, len(layers), True)
