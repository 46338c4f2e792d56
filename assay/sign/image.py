"""Sign and attest container images the way ``cosign sign`` / ``cosign attest`` do.

Signing never signs a tag: the target is resolved to its manifest digest
first, and that digest goes into the payload (``docker-manifest-digest``)
and names the ``sha256-HEX.sig`` tag.  For a multi-arch image the digest is
the index's; ``recursive`` signs the index and then every manifest it lists.

A signature or attestation identical to one already attached (same payload,
valid signature by the same key) is not added twice, like cosign's
duplicate detector; anything else is appended.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import SigningError

if TYPE_CHECKING:  # pragma: no cover
    from ..oci.cosign import AttachedLayer, Attachments, Target
    from .keys import Signer

__all__ = [
    "SignResult",
    "attest_in_layout",
    "attest_target",
    "sign_image_in_layout",
    "sign_target",
]

SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"


@dataclass(frozen=True, slots=True)
class SignResult:
    """What one signature or attestation did: ``image`` is repository@digest,
    ``tag`` the attachment tag written, ``added`` False when an identical
    one was already there."""

    image: str
    digest: str
    tag: str
    manifest_digest: str
    layers: int
    added: bool
    payload: bytes = b""
    signature: str = ""  # base64, for image signatures (attestations sign inside the envelope)


def _sign_one(target: Target, digest: str, signer: Signer, annotations: Mapping[str, str] | None, identity: str | None) -> SignResult:
    from ..oci.cosign import SIGNATURE_ANNOTATION, append_layer
    from .simplesigning import make_payload

    payload = make_payload(identity or target.repository, digest, annotations)
    payload_digest = _sha256(payload)
    pub = signer.public_key

    def duplicate(existing: Attachments, layer: AttachedLayer) -> bool:
        if layer.media_type != SIMPLE_SIGNING or layer.digest != payload_digest:
            return False
        try:
            sig = base64.b64decode(layer.annotations.get(SIGNATURE_ANNOTATION, ""), validate=True)
        except ValueError:
            return False
        return bool(sig) and pub.verify(payload, sig)

    sig = base64.b64encode(signer.sign(payload)).decode()
    res = append_layer(target, digest, "sig", payload, SIMPLE_SIGNING, {SIGNATURE_ANNOTATION: sig}, duplicate=duplicate)
    return SignResult(target.pinned(digest), digest, res.tag, res.manifest_digest, res.layers, res.added, payload, sig)


def sign_target(
    target: Target,
    signer: Signer,
    *,
    digest: str | None = None,
    annotations: Mapping[str, str] | None = None,
    recursive: bool = False,
    identity: str | None = None,
) -> list[SignResult]:
    """Sign the image ``target`` resolves to (or ``digest``); with
    ``recursive``, also every manifest of an index.  ``identity`` replaces
    the claimed ``docker-reference`` (cosign's ``--sign-container-identity``)."""
    from ..oci.cosign import child_digests

    top = digest or target.resolve()
    digests = [top]
    if recursive:
        digests += [d for d in child_digests(target, top) if d != top]
    return [_sign_one(target, d, signer, annotations, identity) for d in digests]


def _sha256(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def attest_target(
    target: Target,
    signer: Signer,
    predicate: bytes,
    type_name: str = "custom",
    *,
    digest: str | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> SignResult:
    """Attach a signed in-toto attestation of ``predicate`` (``type_name``:
    a ``--type`` name or a predicate-type URI) to the image."""
    from ..oci.cosign import PREDICATE_TYPE_ANNOTATION, SIGNATURE_ANNOTATION, append_layer
    from . import dsse
    from .intoto import make_statement, predicate_type_uri

    d = digest or target.resolve()
    uri = predicate_type_uri(type_name)
    algo, _, hexpart = d.partition(":")
    if algo != "sha256":
        raise SigningError(f"{target.pinned(d)}: only sha256 image digests can be attested")
    statement = make_statement(predicate, type_name, [(target.repository, {"sha256": hexpart})], now=now)
    envelope = dsse.sign(statement, signer).to_json()
    pub = signer.public_key

    def duplicate(existing: Attachments, layer: AttachedLayer) -> bool:
        if layer.media_type != DSSE_ENVELOPE or layer.annotations.get(PREDICATE_TYPE_ANNOTATION) != uri:
            return False
        try:
            env = dsse.Envelope.from_json(existing.payload(target, layer, 128 * 1024 * 1024))
            return env.payload == statement and dsse.verify(env, [pub]) == statement
        except Exception:  # noqa: BLE001 - an unreadable layer is simply not a duplicate
            return False

    def same_type(existing: Attachments, layer: AttachedLayer) -> bool:
        return layer.media_type == DSSE_ENVELOPE and layer.annotations.get(PREDICATE_TYPE_ANNOTATION) == uri

    res = append_layer(
        target,
        d,
        "att",
        envelope,
        DSSE_ENVELOPE,
        {SIGNATURE_ANNOTATION: "", PREDICATE_TYPE_ANNOTATION: uri},
        duplicate=duplicate,
        replace=same_type if replace else None,
    )
    return SignResult(target.pinned(d), d, res.tag, res.manifest_digest, res.layers, res.added, envelope)


def sign_image_in_layout(
    layout_dir: str,
    digest: str,
    signer: Signer,
    *,
    annotations: Mapping[str, str] | None = None,
    repository: str = "",
    recursive: bool = False,
) -> list[SignResult]:
    """Sign image ``digest`` of an OCI layout directory in place (the
    ``sha256-HEX.sig`` manifest is added to its index.json).  ``repository``
    is the name signatures claim (default ``localhost/<directory name>``)."""
    from ..oci.cosign import LayoutTarget

    target = LayoutTarget(layout_dir, digest=digest, repository=repository)
    return sign_target(target, signer, digest=target.resolve(), annotations=annotations, recursive=recursive)


def attest_in_layout(
    layout_dir: str,
    digest: str,
    signer: Signer,
    predicate: bytes,
    type_name: str = "cyclonedx",
    *,
    repository: str = "",
    replace: bool = False,
    now: datetime | None = None,
) -> SignResult:
    """Attach a signed attestation to image ``digest`` of an OCI layout directory."""
    from ..oci.cosign import LayoutTarget

    target = LayoutTarget(layout_dir, digest=digest, repository=repository)
    return attest_target(target, signer, predicate, type_name, digest=target.resolve(), replace=replace, now=now)
