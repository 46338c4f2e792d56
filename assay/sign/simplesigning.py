"""The "simple signing" payload that a cosign image signature signs.

Format (containers-signature(5) with cosign's conventions)::

    {"critical":{"identity":{"docker-reference":"REGISTRY/REPO"},
                 "image":{"docker-manifest-digest":"sha256:..."},
                 "type":"cosign container image signature"},
     "optional":{...} | null}

written without whitespace, keys in exactly this order, ``optional`` sorted
(``null`` when there are no annotations), as sigstore's ``payload.Cosign``
marshals it.  ``docker-manifest-digest`` is what binds the signature to one
image: a verifier must compare it with the digest it resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import VerificationError

__all__ = ["COSIGN_SIGNATURE_TYPE", "SimpleSigningPayload", "make_payload", "parse_payload"]

COSIGN_SIGNATURE_TYPE = "cosign container image signature"


def make_payload(docker_reference: str, digest: str, optional: Mapping[str, Any] | None = None) -> bytes:
    """The payload bytes cosign would produce for ``digest`` in ``docker_reference``."""
    from ._json import Struct, dumps

    return dumps(
        Struct(
            critical=Struct(
                identity=Struct(**{"docker-reference": docker_reference}),
                image=Struct(**{"docker-manifest-digest": digest}),
                type=COSIGN_SIGNATURE_TYPE,
            ),
            optional=dict(optional) if optional else None,
        )
    )


@dataclass(frozen=True, slots=True)
class SimpleSigningPayload:
    """A parsed payload; ``raw`` is the exact bytes that were signed."""

    docker_reference: str
    digest: str
    type: str
    optional: Mapping[str, Any] | None = field(default=None, hash=False)
    raw: bytes = field(default=b"", repr=False)

    def to_dict(self) -> dict[str, Any]:
        from ._json import loads

        return loads(self.raw)


def parse_payload(raw: bytes, where: str = "payload") -> SimpleSigningPayload:
    """Parse a simple-signing payload, failing with a one-line
    :class:`VerificationError` when it is not a cosign image signature."""
    from ._json import loads

    try:
        obj = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError(f"{where}: the signed payload is not valid JSON ({exc})") from None
    critical = obj.get("critical") if isinstance(obj, dict) else None
    if not isinstance(critical, dict):
        raise VerificationError(f"{where}: the signed payload has no 'critical' section")
    identity, image, kind = critical.get("identity"), critical.get("image"), critical.get("type")
    if kind != COSIGN_SIGNATURE_TYPE:
        raise VerificationError(f"{where}: the signed payload is of an unknown type {kind!r}")
    ref = identity.get("docker-reference") if isinstance(identity, dict) else None
    digest = image.get("docker-manifest-digest") if isinstance(image, dict) else None
    if not isinstance(digest, str) or not digest:
        raise VerificationError(f"{where}: the signed payload has no critical.image.docker-manifest-digest")
    if not isinstance(ref, str):
        raise VerificationError(f"{where}: the signed payload has no critical.identity.docker-reference")
    optional = obj.get("optional")
    if optional is not None and not isinstance(optional, dict):
        raise VerificationError(f"{where}: the signed payload's 'optional' is not an object")
    return SimpleSigningPayload(ref, digest, kind, optional, raw)
