"""DSSE envelopes (Dead Simple Signing Envelope, v1).

What is signed is never the payload itself but its pre-authentication
encoding (PAE)::

    "DSSEv1" SP len(type) SP type SP len(body) SP body

(lengths are ASCII decimal byte counts), so a signature cannot be replayed
under another payload type.  The JSON form is the one cosign writes::

    {"payloadType":"...","payload":"<base64>","signatures":[{"keyid":"","sig":"<base64>"}]}

cosign leaves ``keyid`` empty for key-based signatures; so does assay.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import VerificationError

if TYPE_CHECKING:  # pragma: no cover
    from .keys import PublicKey, Signer

__all__ = ["INTOTO_PAYLOAD_TYPE", "Envelope", "EnvelopeSignature", "pae", "sign", "verify"]

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE v1 pre-authentication encoding of ``payload``."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


@dataclass(frozen=True, slots=True)
class EnvelopeSignature:
    sig: bytes
    keyid: str = ""


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed DSSE envelope.  ``payload`` is the decoded body; nothing in it
    is trustworthy until :func:`verify` has returned."""

    payload_type: str
    payload: bytes
    signatures: tuple[EnvelopeSignature, ...]

    def to_json(self) -> bytes:
        """The envelope exactly as cosign marshals it."""
        from ._json import Struct, dumps

        return dumps(
            Struct(
                payloadType=self.payload_type,
                payload=base64.b64encode(self.payload).decode(),
                signatures=[Struct(keyid=s.keyid, sig=base64.b64encode(s.sig).decode()) for s in self.signatures],
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object (for embedding into other documents)."""
        from ._json import loads

        return loads(self.to_json())

    @classmethod
    def from_json(cls, data: bytes | str, where: str = "envelope") -> Envelope:
        """Parse an envelope; a one-line :class:`VerificationError` for
        anything that is not a well-formed DSSE envelope."""
        from ._json import loads

        try:
            obj = loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise VerificationError(f"{where}: not a DSSE envelope (invalid JSON: {exc})") from None
        return cls.from_dict(obj, where)

    @classmethod
    def from_dict(cls, obj: Any, where: str = "envelope") -> Envelope:
        if not isinstance(obj, dict) or "payloadType" not in obj or "payload" not in obj:
            raise VerificationError(f"{where}: not a DSSE envelope (no payloadType/payload); a plain document cannot be verified as an attestation")
        ptype, payload, sigs = obj.get("payloadType"), obj.get("payload"), obj.get("signatures")
        if not isinstance(ptype, str) or not isinstance(payload, str):
            raise VerificationError(f"{where}: malformed DSSE envelope: payloadType and payload must be strings")
        if not isinstance(sigs, list):
            raise VerificationError(f"{where}: malformed DSSE envelope: signatures must be a list")
        parsed = []
        for i, s in enumerate(sigs):
            if not isinstance(s, dict) or not isinstance(s.get("sig"), str):
                raise VerificationError(f"{where}: malformed DSSE envelope: signature {i} has no 'sig' string")
            keyid = s.get("keyid", "")
            parsed.append(EnvelopeSignature(_b64(s["sig"], f"{where}: signature {i}"), keyid if isinstance(keyid, str) else ""))
        return cls(ptype, _b64(payload, f"{where}: payload"), tuple(parsed))


def _b64(text: str, where: str) -> bytes:
    """Standard base64 (padding optional) or URL-safe base64, as DSSE allows."""
    padded = text + "=" * (-len(text) % 4)
    for alt in (None, b"-_"):
        try:
            return base64.b64decode(padded, altchars=alt, validate=True)
        except (binascii.Error, ValueError):
            continue
    raise VerificationError(f"{where} is not valid base64")


def sign(payload: bytes, signer: Signer, payload_type: str = INTOTO_PAYLOAD_TYPE, keyid: str = "") -> Envelope:
    """An envelope over ``payload`` with one signature by ``signer``."""
    return Envelope(payload_type, payload, (EnvelopeSignature(signer.sign(pae(payload_type, payload)), keyid),))


def verify(envelope: Envelope, keys: Sequence[PublicKey], where: str = "envelope") -> bytes:
    """The payload, once at least one signature verifies with one of ``keys``.

    Fails closed: no signatures, or none that verifies, raises
    :class:`VerificationError`.
    """
    if not envelope.signatures:
        raise VerificationError(f"{where}: the DSSE envelope has no signatures")
    if not keys:
        raise VerificationError(f"{where}: no key to verify with")
    message = pae(envelope.payload_type, envelope.payload)
    for s in envelope.signatures:
        for key in keys:
            if key.verify(message, s.sig):
                return envelope.payload
    names = ", ".join(sorted({k.source or k.algorithm for k in keys}))
    raise VerificationError(f"{where}: no signature in the DSSE envelope verifies with {names} (key and signature don't match)")
