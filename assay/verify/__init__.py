"""Verify cosign signatures and attestations of an image.

The steps, for ``assay verify --key K IMAGE``:

1. resolve IMAGE to its manifest digest D (a tag is resolved once; a pinned
   digest is used as is);
2. read ``sha256-D.sig`` (a missing tag: "no signatures found");
3. for each layer, apply :func:`~assay.verify.policy.signature_policy`:
   simple-signing media type, a signature that verifies with K over the
   payload blob (fetched and checked against its digest), a payload whose
   ``docker-manifest-digest`` is D — a signature copied from another image
   fails here — and, unless ``allow_reference_mismatch``, a
   ``docker-reference`` naming IMAGE's repository;
4. succeed when at least one layer passes; otherwise fail with the reason of
   the layer that got furthest (one line).

``verify-attestation`` is the same over ``sha256-D.att`` with DSSE envelopes,
optionally requiring a predicate type.  Nothing a layer claims is looked at
before its signature verified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import VerificationError
from .policy import AllOf, Candidate, attestation_policy, signature_policy

if TYPE_CHECKING:  # pragma: no cover
    from ..oci.cosign import Target
    from ..sign.intoto import Statement
    from ..sign.keys import PublicKey
    from ..sign.simplesigning import SimpleSigningPayload

__all__ = [
    "VerificationResult",
    "Verified",
    "verify_attestations",
    "verify_image",
    "verify_image_attestations",
    "verify_in_layout",
    "verify_signatures",
]


@dataclass(frozen=True, slots=True)
class Verified:
    """One layer that passed: ``payload`` (signatures) or ``statement``
    (attestations) is its verified content; ``body`` the layer blob."""

    where: str
    layer_digest: str
    body: bytes = field(repr=False)
    payload: SimpleSigningPayload | None = None
    statement: Statement | None = None

    def to_dict(self) -> dict[str, Any]:
        """The verified payload (simple-signing) or statement as JSON."""
        if self.statement is not None:
            return self.statement.to_dict()
        assert self.payload is not None
        return self.payload.to_dict()


@dataclass(frozen=True, slots=True)
class VerificationResult:
    image: str  # repository@digest
    digest: str
    verified: tuple[Verified, ...]
    checked: int


def _first_failure(policy: AllOf, cand: Candidate) -> tuple[int, str] | None:
    """None when ``cand`` passes; else (index of the failing policy, reason)."""
    for stage, p in enumerate(policy.policies):
        try:
            p.verify(cand)
        except VerificationError as exc:
            return stage, str(exc)
    return None


def _run(target: Target, digest: str, kind: str, policy: AllOf, *, max_layer: int, what: str) -> VerificationResult:
    from ..oci.client import DigestMismatch
    from ..oci.cosign import attachment_tag, read_attachments

    pinned = target.pinned(digest)
    att = read_attachments(target, digest, kind)
    if att is None:
        raise VerificationError(f"{pinned}: no {what}s found (no {attachment_tag(digest, kind)})")
    if not att.layers:
        raise VerificationError(f"{pinned}: no {what}s found ({att.tag} has no layers)")
    passed: list[Verified] = []
    best: tuple[int, str] = (-2, "")
    for layer in att.layers:
        where = f"{att.tag} layer {layer.index}"
        failure: tuple[int, str] | None
        if layer.problem:
            failure = (-1, f"{where}: {layer.problem}")
        else:
            try:
                body = att.payload(target, layer, max_layer)
            except (DigestMismatch, VerificationError) as exc:
                failure = (-1, f"{where}: {exc}")
            else:
                cand = Candidate(where, layer.media_type, body, layer.annotations)
                failure = _first_failure(policy, cand)
                if failure is None:
                    passed.append(
                        Verified(
                            where,
                            layer.digest,
                            body,
                            payload=None if cand.is_attestation else cand.payload(),
                            statement=cand.statement() if cand.is_attestation else None,
                        )
                    )
                    continue
        if failure[0] > best[0]:
            best = failure
    if not passed:
        n = len(att.layers)
        raise VerificationError(f"{pinned}: no valid {what} ({n} checked): {best[1]}")
    return VerificationResult(pinned, digest, tuple(passed), len(att.layers))


MAX_LAYER = 128 * 1024 * 1024


def verify_signatures(
    target: Target,
    keys: Sequence[PublicKey],
    *,
    digest: str | None = None,
    allow_reference_mismatch: bool = False,
    annotations: Mapping[str, str] | None = None,
) -> VerificationResult:
    """Verify the cosign signatures of ``target`` (at ``digest``, default:
    what it resolves to); ``annotations`` must appear in the payload's
    ``optional`` section."""
    d = digest or target.resolve()
    policy = signature_policy(keys, d, None if allow_reference_mismatch else target.repository, annotations)
    return _run(target, d, "sig", policy, max_layer=MAX_LAYER, what="signature")


def verify_attestations(
    target: Target,
    keys: Sequence[PublicKey],
    *,
    predicate_type: str | None = None,
    digest: str | None = None,
    allow_reference_mismatch: bool = False,
) -> VerificationResult:
    """Verify the attestations of ``target``; ``predicate_type`` (a URI)
    keeps only attestations of that type (at least one must verify)."""
    d = digest or target.resolve()
    policy = attestation_policy(keys, d, None if allow_reference_mismatch else target.repository, predicate_type)
    what = "attestation" + (f" of type {predicate_type}" if predicate_type else "")
    return _run(target, d, "att", policy, max_layer=MAX_LAYER, what=what)


def verify_image(
    image: str,
    key: str | PublicKey,
    *,
    allow_reference_mismatch: bool = False,
    annotations: Mapping[str, str] | None = None,
    insecure: bool = False,
    username: str = "",
    password: str = "",
) -> VerificationResult:
    """:func:`verify_signatures` for an image reference or ``oci-dir:PATH``."""
    from ..oci.cosign import open_target
    from ..sign.keys import load_public_key

    pub = load_public_key(key) if isinstance(key, str) else key
    with open_target(image, insecure=insecure, username=username, password=password) as target:
        return verify_signatures(target, [pub], allow_reference_mismatch=allow_reference_mismatch, annotations=annotations)


def verify_image_attestations(
    image: str,
    key: str | PublicKey,
    *,
    predicate_type: str | None = None,
    allow_reference_mismatch: bool = False,
    insecure: bool = False,
    username: str = "",
    password: str = "",
) -> VerificationResult:
    """:func:`verify_attestations` for an image reference or ``oci-dir:PATH``
    (``predicate_type``: a ``--type`` name or URI)."""
    from ..oci.cosign import open_target
    from ..sign.intoto import predicate_type_uri
    from ..sign.keys import load_public_key

    pub = load_public_key(key) if isinstance(key, str) else key
    uri = predicate_type_uri(predicate_type) if predicate_type else None
    with open_target(image, insecure=insecure, username=username, password=password) as target:
        return verify_attestations(target, [pub], predicate_type=uri, allow_reference_mismatch=allow_reference_mismatch)


def verify_in_layout(
    layout_dir: str,
    digest: str,
    key: PublicKey,
    *,
    attestations: bool = False,
    predicate_type: str | None = None,
    repository: str = "",
    allow_reference_mismatch: bool = False,
) -> VerificationResult:
    """Verify signatures (or, with ``attestations``, attestations) of the
    image ``digest`` inside an OCI layout directory — no registry needed.
    ``repository`` must be what signing was given (default: derived from
    the directory name)."""
    from ..oci.cosign import LayoutTarget
    from ..sign.intoto import predicate_type_uri

    target = LayoutTarget(layout_dir, digest=digest, repository=repository)
    if attestations:
        uri = predicate_type_uri(predicate_type) if predicate_type else None
        return verify_attestations(target, [key], predicate_type=uri, allow_reference_mismatch=allow_reference_mismatch)
    return verify_signatures(target, [key], allow_reference_mismatch=allow_reference_mismatch)
