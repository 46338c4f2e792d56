"""in-toto Statements: what an attestation says about an artifact.

``assay attest`` wraps a predicate (an SBOM, provenance, a vulnerability
report...) in a Statement v1 whose subject is the image (or blob) digest::

    {"_type":"https://in-toto.io/Statement/v1","predicateType":URI,
     "subject":[{"name":REPO,"digest":{"sha256":HEX}}],"predicate":{...}}

Field order and encoding follow cosign (``json.Marshal`` of in-toto-golang's
statement): the header in this order, the predicate re-encoded from its
parsed JSON with sorted keys, except for the typed predicates cosign decodes
into Go structs (SLSA provenance, cosign's vuln report), whose top-level
fields keep the struct order.  ``custom`` wraps any text as
``{"Data": TEXT, "Timestamp": RFC3339}``; ``spdx`` (tag-value) embeds the
document as a JSON string.

Verification (:func:`parse_statement`, :func:`find_subject`) accepts
Statement v0.1 and v1, which cosign and other producers still write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import UsageError, VerificationError

__all__ = [
    "PREDICATE_TYPES",
    "STATEMENT_V01",
    "STATEMENT_V1",
    "Statement",
    "Subject",
    "find_subject",
    "make_statement",
    "parse_statement",
    "predicate_type_uri",
]

STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_V01 = "https://in-toto.io/Statement/v0.1"
_STATEMENT_TYPES = frozenset({STATEMENT_V1, STATEMENT_V01})

CUSTOM = "https://cosign.sigstore.dev/attestation/v1"
VULN = "https://cosign.sigstore.dev/attestation/vuln/v1"
SLSA02 = "https://slsa.dev/provenance/v0.2"
SLSA1 = "https://slsa.dev/provenance/v1"
CYCLONEDX = "https://cyclonedx.org/bom"
SPDX = "https://spdx.dev/Document"

#: ``--type`` names -> predicate type URIs (cosign's table, plus openvex).
PREDICATE_TYPES: Mapping[str, str] = {
    "custom": CUSTOM,
    "slsaprovenance": SLSA02,
    "slsaprovenance02": SLSA02,
    "slsaprovenance1": SLSA1,
    "spdx": SPDX,
    "spdxjson": SPDX,
    "cyclonedx": CYCLONEDX,
    "cyclonedxxml": CYCLONEDX,
    "link": "https://in-toto.io/Link/v1",
    "vuln": VULN,
    "openvex": "https://openvex.dev/ns",
}

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")

# top-level field order of the predicates cosign decodes into Go structs, and
# the fields those structs require (cosign refuses a predicate without them).
_STRUCT_ORDER: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "slsaprovenance": (("builder", "buildType", "invocation", "buildConfig", "metadata", "materials"), ("builder", "buildType")),
    "slsaprovenance02": (("builder", "buildType", "invocation", "buildConfig", "metadata", "materials"), ("builder", "buildType")),
    "slsaprovenance1": (("buildDefinition", "runDetails"), ("buildDefinition", "runDetails")),
    "vuln": (("invocation", "scanner", "metadata"), ()),
}


def predicate_type_uri(type_name: str) -> str:
    """The predicate type URI for a ``--type`` value (a known name or a URI)."""
    uri = PREDICATE_TYPES.get(type_name)
    if uri:
        return uri
    if _URI.match(type_name):
        return type_name
    raise UsageError(f"invalid predicate type {type_name!r}: use one of {', '.join(PREDICATE_TYPES)} or a URI")


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    digest: Mapping[str, str] = field(hash=False)


@dataclass(frozen=True, slots=True)
class Statement:
    """A parsed statement; ``raw`` is the exact payload that was signed."""

    type: str
    predicate_type: str
    subjects: tuple[Subject, ...]
    predicate: Any = field(hash=False)
    raw: bytes = field(default=b"", repr=False)

    def to_dict(self) -> dict[str, Any]:
        from ._json import loads

        return loads(self.raw)


def _predicate(type_name: str, uri: str, data: bytes, now: datetime | None) -> Any:
    from ._json import Struct, loads

    if uri == CUSTOM and type_name in ("custom", CUSTOM):
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return Struct(Data=data.decode("utf-8", errors="replace"), Timestamp=stamp)
    if type_name == "spdx":
        return data.decode("utf-8", errors="replace")
    if type_name == "cyclonedxxml":
        return data.decode("utf-8", errors="replace")
    try:
        value = loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"the predicate for type {type_name} must be JSON: {exc}") from None
    order = _STRUCT_ORDER.get(type_name)
    if order is None:
        return value
    if not isinstance(value, dict):
        raise UsageError(f"the {type_name} predicate must be a JSON object")
    missing = [f for f in order[1] if f not in value]
    if missing:
        raise UsageError(f"the {type_name} predicate is missing required field {missing[0]!r}")
    ordered = Struct((k, value[k]) for k in order[0] if k in value)
    for k in sorted(value):
        if k not in ordered:
            ordered[k] = value[k]
    return ordered


def make_statement(
    predicate: bytes,
    type_name: str,
    subjects: Sequence[tuple[str, Mapping[str, str]]],
    *,
    now: datetime | None = None,
    statement_type: str = STATEMENT_V1,
) -> bytes:
    """The statement payload for ``predicate`` (the file's bytes) about
    ``subjects`` = ``[(name, {"sha256": hex}), ...]``."""
    from ._json import Struct, dumps

    uri = predicate_type_uri(type_name)
    body = _predicate(type_name, uri, predicate, now)
    return dumps(
        Struct(
            _type=statement_type,
            predicateType=uri,
            subject=[Struct(name=name, digest=dict(digest)) for name, digest in subjects],
            predicate=body,
        )
    )


def parse_statement(raw: bytes, where: str = "statement") -> Statement:
    """Parse a signed in-toto statement (v0.1 or v1); one-line
    :class:`VerificationError` when it is malformed."""
    from ._json import loads

    try:
        obj = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise VerificationError(f"{where}: the attestation payload is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise VerificationError(f"{where}: the attestation payload is not a JSON object")
    kind = obj.get("_type")
    if kind not in _STATEMENT_TYPES:
        raise VerificationError(f"{where}: not an in-toto statement (_type {kind!r})")
    ptype = obj.get("predicateType")
    if not isinstance(ptype, str) or not ptype:
        raise VerificationError(f"{where}: the statement has no predicateType")
    raw_subjects = obj.get("subject")
    if not isinstance(raw_subjects, list):
        raise VerificationError(f"{where}: the statement's subject is not a list")
    subjects = []
    for i, s in enumerate(raw_subjects):
        if not isinstance(s, dict) or not isinstance(s.get("digest", {}), dict):
            raise VerificationError(f"{where}: subject {i} of the statement is malformed")
        digest = {k: v for k, v in s.get("digest", {}).items() if isinstance(k, str) and isinstance(v, str)}
        name = s.get("name", "")
        subjects.append(Subject(name if isinstance(name, str) else "", digest))
    return Statement(kind, ptype, tuple(subjects), obj.get("predicate"), raw)


def find_subject(statement: Statement, digest: str, where: str = "statement") -> Subject:
    """The subject whose digest is ``digest`` (``alg:hex``).

    Fails when the statement has no subject, when no subject carries a digest
    of that algorithm, or when none matches.
    """
    algo, _, hexpart = digest.partition(":")
    if not statement.subjects:
        raise VerificationError(f"{where}: the statement has no subject")
    with_algo = [s for s in statement.subjects if algo in s.digest]
    if not with_algo:
        raise VerificationError(f"{where}: no subject of the statement has a {algo} digest")
    for s in with_algo:
        if s.digest[algo].lower() == hexpart:
            return s
    raise VerificationError(f"{where}: the provided artifact digest {digest} does not match any subject of the statement")
