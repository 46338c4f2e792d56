"""Signatures and attestations of plain files ("blobs"), as cosign's
``sign-blob``, ``verify-blob``, ``attest-blob`` and ``verify-blob-attestation``.

* ``sign-blob``: the key's signature over the file's bytes, base64 (what
  ``cosign sign-blob --key`` prints);
* ``attest-blob``: an in-toto statement whose subject is the file (name = its
  base name, digest = its sha256) in a DSSE envelope;
* verification checks the signature, then (``check_claims``, the default)
  that a subject of the statement has the artifact's sha256 and, when asked,
  the predicate type.  The artifact may be given as bytes or as its digest.

The artifact size is capped like cosign's ``COSIGN_MAX_ATTACHMENT_SIZE``
(``$ASSAY_MAX_ATTACHMENT_SIZE`` first; default 128 MiB), so a huge file is
refused rather than read whole.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import UsageError, VerificationError

if TYPE_CHECKING:  # pragma: no cover
    from .intoto import Statement
    from .keys import PublicKey, Signer

__all__ = [
    "Artifact",
    "attest_blob",
    "decode_signature",
    "max_attachment_size",
    "read_artifact",
    "sign_blob",
    "verify_blob",
    "verify_blob_attestation",
]

DEFAULT_MAX_SIZE = 128 * 1024 * 1024
SIZE_ENV = ("ASSAY_MAX_ATTACHMENT_SIZE", "COSIGN_MAX_ATTACHMENT_SIZE")


def max_attachment_size(env: Mapping[str, str] | None = None) -> int:
    """The largest artifact/signature file read, in bytes."""
    env = os.environ if env is None else env
    for name in SIZE_ENV:
        value = env.get(name, "").strip()
        if value:
            try:
                n = _parse_size(value)
            except ValueError:
                raise UsageError(f"${name}={value!r}: expected a size such as 1048576, 64KiB or 128MiB") from None
            return n
    return DEFAULT_MAX_SIZE


def _parse_size(text: str) -> int:
    units = {
        "": 1,
        "b": 1,
        "k": 1000,
        "kb": 1000,
        "kib": 1024,
        "m": 1000**2,
        "mb": 1000**2,
        "mib": 1024**2,
        "g": 1000**3,
        "gb": 1000**3,
        "gib": 1024**3,
    }
    num = text.rstrip("bBkKmMgGiI")
    unit = text[len(num) :].lower()
    if unit not in units or not num.strip().isdigit():
        raise ValueError(text)
    return int(num) * units[unit]


@dataclass(frozen=True, slots=True)
class Artifact:
    """What a blob signature is about: its name, its sha256 and, when it
    was read, its bytes."""

    name: str
    sha256: str
    data: bytes | None = None

    @property
    def digest(self) -> str:
        return f"sha256:{self.sha256}"


def read_artifact(path_or_digest: str, *, limit: int | None = None) -> Artifact:
    """The artifact named on the command line: a file, ``-`` for stdin, or
    ``sha256:<hex>`` (a digest instead of the blob)."""
    from ..oci.reference import is_digest

    limit = max_attachment_size() if limit is None else limit
    if path_or_digest.startswith("sha256:") and not os.path.exists(path_or_digest):
        if not is_digest(path_or_digest):
            raise UsageError(f"{path_or_digest!r}: not a valid sha256 digest")
        return Artifact(path_or_digest, path_or_digest.partition(":")[2])
    try:
        if path_or_digest == "-":
            import sys

            data = sys.stdin.buffer.read(limit + 1)
            name = "-"
        else:
            size = os.path.getsize(path_or_digest)
            if size > limit:
                raise VerificationError(f"{path_or_digest}: file is {size} bytes, over the {limit}-byte limit (COSIGN_MAX_ATTACHMENT_SIZE)")
            with open(path_or_digest, "rb") as fh:
                data = fh.read(limit + 1)
            name = os.path.basename(path_or_digest)
    except FileNotFoundError:
        raise UsageError(f"{path_or_digest}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path_or_digest}: cannot read: {exc.strerror}") from None
    if len(data) > limit:
        raise VerificationError(f"{path_or_digest}: over the {limit}-byte limit (COSIGN_MAX_ATTACHMENT_SIZE)")
    return Artifact(name, hashlib.sha256(data).hexdigest(), data)


def sign_blob(data: bytes, signer: Signer) -> str:
    """The base64 signature of ``data``, as ``cosign sign-blob`` prints it."""
    return base64.b64encode(signer.sign(data)).decode()


def decode_signature(text: bytes | str, where: str = "signature") -> bytes:
    """A signature given as base64 (cosign's default output) or raw bytes."""
    raw = text.encode() if isinstance(text, str) else text
    stripped = b"".join(raw.split())
    try:
        return base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        if isinstance(text, bytes) and stripped:
            return raw  # a raw (--b64=false) signature file
        raise VerificationError(f"{where}: not a base64 signature") from None


def verify_blob(data: bytes, signature: bytes, keys: Sequence[PublicKey], where: str = "blob") -> None:
    """Return when ``signature`` over ``data`` verifies with one of ``keys``."""
    if not signature:
        raise VerificationError(f"{where}: empty signature")
    if any(k.verify(data, signature) for k in keys):
        return
    names = ", ".join(sorted({k.source or k.algorithm for k in keys}))
    raise VerificationError(f"{where}: invalid signature when validating ASN.1 encoded signature with {names} (wrong key, or the blob was changed)")


def attest_blob(
    artifact: Artifact,
    predicate: bytes,
    type_name: str,
    signer: Signer,
    *,
    now: datetime | None = None,
) -> bytes:
    """A DSSE envelope (JSON bytes) over a statement about ``artifact``."""
    from . import dsse
    from .intoto import make_statement

    statement = make_statement(predicate, type_name, [(artifact.name, {"sha256": artifact.sha256})], now=now)
    return dsse.sign(statement, signer).to_json()


def verify_blob_attestation(
    envelope_json: bytes,
    keys: Sequence[PublicKey],
    *,
    artifact: Artifact | None = None,
    predicate_type: str | None = None,
    check_claims: bool = True,
    where: str = "attestation",
) -> Statement | None:
    """Verify a DSSE attestation of a blob; return its statement (None when
    ``check_claims`` is off and the payload is not an in-toto statement).

    ``predicate_type`` is a ``--type`` name or URI; checked only with
    ``check_claims``, like cosign.
    """
    from . import dsse
    from .intoto import find_subject, parse_statement, predicate_type_uri

    env = dsse.Envelope.from_json(envelope_json, where)
    payload = dsse.verify(env, keys, where)
    if not check_claims:
        try:
            return parse_statement(payload, where)
        except VerificationError:
            return None
    if env.payload_type != dsse.INTOTO_PAYLOAD_TYPE:
        raise VerificationError(f"{where}: DSSE payload type is {env.payload_type!r}, not {dsse.INTOTO_PAYLOAD_TYPE}")
    statement = parse_statement(payload, where)
    if predicate_type:
        uri = predicate_type_uri(predicate_type)
        if statement.predicate_type != uri:
            raise VerificationError(f"{where}: predicate type is {statement.predicate_type}, not {uri}")
    if artifact is None:
        raise UsageError("checking claims needs the artifact (a path or sha256:<hex>); pass --check-claims=false to verify only the signature")
    find_subject(statement, artifact.digest, where)
    return statement
