"""Simple-signing payloads and in-toto statements, byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from assay.errors import UsageError, VerificationError
from assay.sign.intoto import (
    PREDICATE_TYPES,
    STATEMENT_V01,
    STATEMENT_V1,
    find_subject,
    make_statement,
    parse_statement,
    predicate_type_uri,
)
from assay.sign.simplesigning import COSIGN_SIGNATURE_TYPE, make_payload, parse_payload

DIGEST = "sha256:" + "ab" * 32
HEX = "ab" * 32


# --- simple signing ------------------------------------------------------------------------


def test_payload_bytes_match_cosign() -> None:
    # sigstore's payload.Cosign.MarshalJSON: critical{identity,image,type}, optional null when empty
    assert make_payload("index.docker.io/library/alpine", DIGEST) == (
        b'{"critical":{"identity":{"docker-reference":"index.docker.io/library/alpine"},'
        b'"image":{"docker-manifest-digest":"' + DIGEST.encode() + b'"},'
        b'"type":"cosign container image signature"},"optional":null}'
    )


def test_payload_optional_is_sorted_and_go_escaped() -> None:
    raw = make_payload("r.example/app", DIGEST, {"z": "1", "a": "<b>"})
    assert raw.endswith(b'"optional":{"a":"\\u003cb\\u003e","z":"1"}}')
    p = parse_payload(raw)
    assert (p.docker_reference, p.digest, p.type, p.optional) == ("r.example/app", DIGEST, COSIGN_SIGNATURE_TYPE, {"a": "<b>", "z": "1"})
    assert p.raw == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{", "not valid JSON"),
        (b"[]", "no 'critical' section"),
        (
            b'{"critical":{"type":"atomic container signature","image":{"docker-manifest-digest":"x"},"identity":{"docker-reference":"r"}}}',
            "unknown type",
        ),
        (b'{"critical":{"type":"cosign container image signature","identity":{"docker-reference":"r"}}}', "no critical.image.docker-manifest-digest"),
        (b'{"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":"d"}}}', "no critical.identity.docker-reference"),
        (
            b'{"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":"d"},"identity":{"docker-reference":"r"}},"optional":[1]}',
            "'optional' is not an object",
        ),
    ],
)
def test_malformed_payloads(raw: bytes, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        parse_payload(raw, "layer 0")


# --- in-toto ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "uri"),
    [
        ("cyclonedx", "https://cyclonedx.org/bom"),
        ("spdxjson", "https://spdx.dev/Document"),
        ("spdx", "https://spdx.dev/Document"),
        ("slsaprovenance", "https://slsa.dev/provenance/v0.2"),
        ("slsaprovenance1", "https://slsa.dev/provenance/v1"),
        ("vuln", "https://cosign.sigstore.dev/attestation/vuln/v1"),
        ("openvex", "https://openvex.dev/ns"),
        ("custom", "https://cosign.sigstore.dev/attestation/v1"),
        ("https://example.com/my/predicate/v1", "https://example.com/my/predicate/v1"),
    ],
)
def test_predicate_types(name: str, uri: str) -> None:
    assert predicate_type_uri(name) == uri


def test_unknown_predicate_type() -> None:
    with pytest.raises(UsageError, match="invalid predicate type 'notreallyslsaprovenance'"):
        predicate_type_uri("notreallyslsaprovenance")
    assert set(PREDICATE_TYPES) >= {"cyclonedx", "spdxjson", "spdx", "slsaprovenance", "slsaprovenance1", "vuln", "openvex", "custom"}


def test_cyclonedx_statement_layout() -> None:
    raw = make_statement(b'{"specVersion":"1.5","bomFormat":"CycloneDX"}', "cyclonedx", [("r.example/app", {"sha256": HEX})])
    assert raw == (
        b'{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://cyclonedx.org/bom",'
        b'"subject":[{"name":"r.example/app","digest":{"sha256":"' + HEX.encode() + b'"}}],'
        b'"predicate":{"bomFormat":"CycloneDX","specVersion":"1.5"}}'
    )
    st = parse_statement(raw)
    assert (st.type, st.predicate_type, st.subjects[0].name) == (STATEMENT_V1, "https://cyclonedx.org/bom", "r.example/app")


def test_custom_wraps_text_with_a_timestamp() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    raw = make_statement(b"any text", "custom", [("f", {"sha256": HEX})], now=now)
    assert json.loads(raw)["predicate"] == {"Data": "any text", "Timestamp": "2026-01-02T03:04:05Z"}
    assert b'"predicate":{"Data":"any text","Timestamp":"2026-01-02T03:04:05Z"}' in raw


def test_spdx_tag_value_is_embedded_as_a_string() -> None:
    raw = make_statement(b"SPDXVersion: SPDX-2.3\n", "spdx", [("f", {"sha256": HEX})])
    assert json.loads(raw)["predicate"] == "SPDXVersion: SPDX-2.3\n"


def test_slsa_provenance_keeps_struct_order_and_required_fields() -> None:
    raw = make_statement(b'{"materials":[],"buildType":"x","builder":{"id":"2"},"zzz":1}', "slsaprovenance", [("f", {"sha256": HEX})])
    assert b'"predicate":{"builder":{"id":"2"},"buildType":"x","materials":[],"zzz":1}' in raw
    with pytest.raises(UsageError, match="missing required field 'builder'"):
        make_statement(b'{"buildType":"x"}', "slsaprovenance", [("f", {"sha256": HEX})])
    with pytest.raises(UsageError, match="must be JSON"):
        make_statement(b"<bom/>", "cyclonedx", [("f", {"sha256": HEX})])


def test_parse_accepts_statement_v01_and_v1() -> None:
    for kind in (STATEMENT_V01, STATEMENT_V1):
        raw = json.dumps({"_type": kind, "predicateType": "p", "subject": [{"name": "n", "digest": {"sha256": HEX}}], "predicate": {}}).encode()
        assert parse_statement(raw).type == kind


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"_type": "https://example.com/other"}, "not an in-toto statement"),
        ({"_type": STATEMENT_V1, "subject": []}, "no predicateType"),
        ({"_type": STATEMENT_V1, "predicateType": "p", "subject": {}}, "subject is not a list"),
        ({"_type": STATEMENT_V1, "predicateType": "p", "subject": ["x"]}, "subject 0 of the statement is malformed"),
    ],
)
def test_malformed_statements(obj: dict, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        parse_statement(json.dumps(obj).encode())


def test_find_subject() -> None:
    def st(subjects: list) -> bytes:
        return json.dumps({"_type": STATEMENT_V1, "predicateType": "p", "subject": subjects}).encode()

    other = "cd" * 32
    two = parse_statement(st([{"name": "a", "digest": {"sha256": other}}, {"name": "b", "digest": {"sha256": HEX}}]))
    assert find_subject(two, DIGEST).name == "b"
    with pytest.raises(VerificationError, match="does not match any subject"):
        find_subject(two, "sha256:" + "ef" * 32)
    with pytest.raises(VerificationError, match="has no subject"):
        find_subject(parse_statement(st([])), DIGEST)
    with pytest.raises(VerificationError, match="no subject of the statement has a sha256 digest"):
        find_subject(parse_statement(st([{"name": "a", "digest": {"sha512": "00"}}])), DIGEST)
