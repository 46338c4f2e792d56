"""Verification policies: what a signature or attestation must satisfy.

A policy is any object with ``verify(candidate) -> None`` that raises
:class:`~assay.errors.VerificationError` (one line, naming the layer) when
the candidate does not satisfy it.  Policies fail closed:

* a candidate is accepted only when ``verify`` returns;
* :class:`AllOf` and :class:`AnyOf` refuse to be empty;
* :class:`AllOf` stops at the first failure, so claims inside a payload are
  looked at only after :class:`SignedWith` (first in the standard policies)
  authenticated it;
* :class:`UnsafeNoOp` exists for experiments and logs a warning every time.

A :class:`Candidate` is one layer of a cosign ``.sig`` or ``.att`` manifest
(or a detached blob signature): its media type, annotations and body.  The
body of a signature layer is the simple-signing payload (the signature is in
an annotation); the body of an attestation layer is a DSSE envelope.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import VerificationError

if TYPE_CHECKING:  # pragma: no cover
    from ..sign.dsse import Envelope
    from ..sign.intoto import Statement
    from ..sign.keys import PublicKey
    from ..sign.simplesigning import SimpleSigningPayload

__all__ = [
    "AllOf",
    "AnyOf",
    "Candidate",
    "DigestClaim",
    "MediaTypeIs",
    "OptionalClaims",
    "Policy",
    "PredicateTypeIs",
    "ReferenceClaim",
    "SignedWith",
    "UnsafeNoOp",
    "attestation_policy",
    "signature_policy",
]

log = logging.getLogger("assay.verify")

SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE_ENVELOPE = "application/vnd.dsse.envelope.v1+json"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One signature or attestation under evaluation.

    ``where`` names it in messages (``REPO:sha256-HEX.sig layer 0``).  Parsed
    forms are computed on first use and cached.
    """

    where: str
    media_type: str
    body: bytes = field(repr=False)
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @property
    def is_attestation(self) -> bool:
        return self.media_type == DSSE_ENVELOPE

    def envelope(self) -> Envelope:
        from ..sign.dsse import Envelope

        if "envelope" not in self._cache:
            self._cache["envelope"] = Envelope.from_json(self.body, self.where)
        return self._cache["envelope"]

    def signature(self) -> bytes:
        """The detached signature of a simple-signing layer (its annotation)."""
        if SIGNATURE_ANNOTATION not in self.annotations:
            raise VerificationError(f"{self.where}: no {SIGNATURE_ANNOTATION} annotation")
        text = self.annotations[SIGNATURE_ANNOTATION]
        if not text:
            raise VerificationError(f"{self.where}: the {SIGNATURE_ANNOTATION} annotation is empty")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise VerificationError(f"{self.where}: the {SIGNATURE_ANNOTATION} annotation is not base64") from None

    def payload(self) -> SimpleSigningPayload:
        from ..sign.simplesigning import parse_payload

        if "payload" not in self._cache:
            self._cache["payload"] = parse_payload(self.body, self.where)
        return self._cache["payload"]

    def statement(self) -> Statement:
        from ..sign.intoto import parse_statement

        if "statement" not in self._cache:
            env = self.envelope()
            from ..sign.dsse import INTOTO_PAYLOAD_TYPE

            if env.payload_type != INTOTO_PAYLOAD_TYPE:
                raise VerificationError(f"{self.where}: DSSE payload type is {env.payload_type!r}, not {INTOTO_PAYLOAD_TYPE}")
            self._cache["statement"] = parse_statement(env.payload, self.where)
        return self._cache["statement"]


@runtime_checkable
class Policy(Protocol):
    def verify(self, candidate: Candidate) -> None:
        """Return when ``candidate`` satisfies the policy; raise
        :class:`VerificationError` otherwise."""


@dataclass(frozen=True, slots=True)
class MediaTypeIs:
    """The layer has the media type cosign gives this kind of attachment."""

    media_type: str

    def verify(self, candidate: Candidate) -> None:
        if candidate.media_type != self.media_type:
            raise VerificationError(f"{candidate.where}: media type {candidate.media_type or '(none)'!r}, expected {self.media_type}")


@dataclass(frozen=True, slots=True)
class SignedWith:
    """The candidate carries a valid signature by one of ``keys``: over the
    simple-signing payload, or over the DSSE envelope's PAE."""

    keys: tuple[PublicKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("SignedWith needs at least one key")

    def verify(self, candidate: Candidate) -> None:
        if candidate.is_attestation:
            from ..sign.dsse import verify

            verify(candidate.envelope(), self.keys, candidate.where)
            return
        sig = candidate.signature()
        if any(k.verify(candidate.body, sig) for k in self.keys):
            return
        names = ", ".join(sorted({k.source or k.algorithm for k in self.keys}))
        raise VerificationError(f"{candidate.where}: signature does not verify with {names} (wrong key, or the payload was tampered with)")


@dataclass(frozen=True, slots=True)
class DigestClaim:
    """The signed claims are about ``digest``: the simple-signing
    ``docker-manifest-digest``, or one in-toto subject's digest."""

    digest: str

    def verify(self, candidate: Candidate) -> None:
        if candidate.is_attestation:
            from ..sign.intoto import find_subject

            find_subject(candidate.statement(), self.digest, candidate.where)
            return
        claimed = candidate.payload().digest
        if claimed != self.digest:
            raise VerificationError(f"{candidate.where}: the signature is for {claimed}, not this image's digest {self.digest}")


def _normal_name(name: str) -> str | None:
    from ..oci.reference import InvalidReference, parse_reference

    try:
        return parse_reference(name).name
    except InvalidReference:
        return None


@dataclass(frozen=True, slots=True)
class ReferenceClaim:
    """The signed identity names ``repository`` (``registry/repo``): the
    simple-signing ``docker-reference``, or the in-toto subject's name."""

    repository: str

    def verify(self, candidate: Candidate) -> None:
        want = _normal_name(self.repository) or self.repository
        if candidate.is_attestation:
            # the subject whose digest matched; DigestClaim ran before us in the standard policy
            names = [s.name for s in candidate.statement().subjects]
            if any(_normal_name(n) == want for n in names if n):
                return
            shown = ", ".join(repr(n) for n in names) or "none"
            raise VerificationError(
                f"{candidate.where}: the statement's subject names ({shown}) do not name {want} (use --allow-reference-mismatch to accept)"
            )
        claimed = candidate.payload().docker_reference
        if _normal_name(claimed) != want:
            raise VerificationError(
                f"{candidate.where}: the signature claims docker-reference {claimed!r}, not {want} (use --allow-reference-mismatch to accept)"
            )


@dataclass(frozen=True, slots=True)
class OptionalClaims:
    """The simple-signing payload's ``optional`` section holds these
    key/value pairs (``assay verify -a key=value``)."""

    claims: Mapping[str, str] = field(hash=False)

    def verify(self, candidate: Candidate) -> None:
        optional = candidate.payload().optional or {}
        for key, want in self.claims.items():
            if key not in optional:
                raise VerificationError(f"{candidate.where}: the signature has no annotation {key!r}")
            got = optional[key]
            if (got if isinstance(got, str) else str(got)) != want:
                raise VerificationError(f"{candidate.where}: annotation {key!r} is {got!r}, not {want!r}")


@dataclass(frozen=True, slots=True)
class PredicateTypeIs:
    """The attestation's statement has predicate type ``uri``."""

    uri: str

    def verify(self, candidate: Candidate) -> None:
        got = candidate.statement().predicate_type
        if got != self.uri:
            raise VerificationError(f"{candidate.where}: predicate type is {got}, not {self.uri}")


@dataclass(frozen=True, slots=True)
class AllOf:
    """Every policy, in order; the first failure is the reason."""

    policies: tuple[Policy, ...]

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError("AllOf needs at least one policy (an empty policy would accept anything)")

    def verify(self, candidate: Candidate) -> None:
        for p in self.policies:
            p.verify(candidate)


@dataclass(frozen=True, slots=True)
class AnyOf:
    """At least one policy; otherwise every reason is reported."""

    policies: tuple[Policy, ...]

    def __post_init__(self) -> None:
        if not self.policies:
            raise ValueError("AnyOf needs at least one policy (an empty policy would accept nothing, silently)")

    def verify(self, candidate: Candidate) -> None:
        reasons = []
        for p in self.policies:
            try:
                p.verify(candidate)
                return
            except VerificationError as exc:
                reasons.append(str(exc))
        raise VerificationError(f"{candidate.where}: 0 of {len(self.policies)} policies succeeded: " + "; ".join(reasons))


class UnsafeNoOp:
    """Accepts everything.  Never use it outside experiments."""

    def verify(self, candidate: Candidate) -> None:
        log.warning("%s: accepted without verification (UnsafeNoOp policy)", candidate.where)


def signature_policy(keys: Sequence[PublicKey], digest: str, repository: str | None, claims: Mapping[str, str] | None = None) -> AllOf:
    """The policy ``assay verify`` applies to each ``.sig`` layer: media
    type, signature, digest claim, then (unless None) the reference and the
    required ``optional`` annotations."""
    policies: list[Policy] = [MediaTypeIs(SIMPLE_SIGNING), SignedWith(tuple(keys)), DigestClaim(digest)]
    if repository is not None:
        policies.append(ReferenceClaim(repository))
    if claims:
        policies.append(OptionalClaims(dict(claims)))
    return AllOf(tuple(policies))


def attestation_policy(keys: Sequence[PublicKey], digest: str | None, repository: str | None, predicate_type: str | None) -> AllOf:
    """The policy ``assay verify-attestation`` applies to each ``.att`` layer."""
    policies: list[Policy] = [MediaTypeIs(DSSE_ENVELOPE), SignedWith(tuple(keys))]
    if predicate_type is not None:
        policies.append(PredicateTypeIs(predicate_type))
    if digest is not None:
        policies.append(DigestClaim(digest))
    if repository is not None:
        policies.append(ReferenceClaim(repository))
    return AllOf(tuple(policies))
