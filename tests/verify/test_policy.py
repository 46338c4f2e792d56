"""Policies fail closed and say why in one line."""

from __future__ import annotations

import base64
import logging
import re

import pytest

from assay.errors import VerificationError
from assay.sign import dsse
from assay.sign.intoto import make_statement
from assay.sign.keys import generate
from assay.sign.simplesigning import make_payload
from assay.verify.policy import (
    AllOf,
    AnyOf,
    Candidate,
    DigestClaim,
    MediaTypeIs,
    OptionalClaims,
    PredicateTypeIs,
    ReferenceClaim,
    SignedWith,
    UnsafeNoOp,
    attestation_policy,
    signature_policy,
)

D = "sha256:" + "ab" * 32
SIMPLE = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE = "application/vnd.dsse.envelope.v1+json"


def sig_candidate(signer, payload: bytes, **ann: str) -> Candidate:  # type: ignore[no-untyped-def]
    annotations = {"dev.cosignproject.cosign/signature": base64.b64encode(signer.sign(payload)).decode(), **ann}
    return Candidate("x.sig layer 0", SIMPLE, payload, annotations)


def test_empty_combinators_are_invalid() -> None:
    with pytest.raises(ValueError, match="accept anything"):
        AllOf(())
    with pytest.raises(ValueError):
        AnyOf(())
    with pytest.raises(ValueError):
        SignedWith(())


def test_signature_policy_accepts_the_right_signature() -> None:
    s = generate()
    cand = sig_candidate(s, make_payload("r.example/app", D, {"env": "prod"}))
    signature_policy([s.public_key], D, "r.example/app", {"env": "prod"}).verify(cand)
    signature_policy([s.public_key], D, "r.example/app:ignored-tag", None).verify(cand)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (lambda k: SignedWith((generate().public_key,)), "signature does not verify"),
        (lambda k: DigestClaim("sha256:" + "cd" * 32), "the signature is for " + D),
        (lambda k: ReferenceClaim("r.example/other"), "docker-reference 'r.example/app', not r.example/other"),
        (lambda k: OptionalClaims({"env": "dev"}), "annotation 'env' is 'prod', not 'dev'"),
        (lambda k: OptionalClaims({"team": "x"}), "no annotation 'team'"),
        (lambda k: MediaTypeIs(DSSE), "expected application/vnd.dsse.envelope.v1+json"),
    ],
)
def test_each_policy_fails_with_its_reason(policy, message: str) -> None:  # type: ignore[no-untyped-def]
    s = generate()
    cand = sig_candidate(s, make_payload("r.example/app", D, {"env": "prod"}))
    with pytest.raises(VerificationError, match=re.escape(message)):
        policy(s).verify(cand)


def test_signature_annotation_problems() -> None:
    s = generate()
    payload = make_payload("r/app", D)
    for ann, message in (
        ({}, "no dev.cosignproject.cosign/signature annotation"),
        ({"dev.cosignproject.cosign/signature": ""}, "annotation is empty"),
        ({"dev.cosignproject.cosign/signature": "!!not base64!!"}, "annotation is not base64"),
    ):
        with pytest.raises(VerificationError, match=message):
            SignedWith((s.public_key,)).verify(Candidate("l", SIMPLE, payload, ann))


def test_claims_are_not_read_before_the_signature() -> None:
    """AllOf stops at the signature: a forged payload's claims never get parsed."""
    s = generate()
    cand = Candidate("l", SIMPLE, b"not even json", {"dev.cosignproject.cosign/signature": base64.b64encode(b"junk").decode()})
    with pytest.raises(VerificationError, match="signature does not verify"):
        signature_policy([s.public_key], D, "r/app").verify(cand)
    assert "payload" not in cand._cache


def test_attestation_policy() -> None:
    s = generate()
    st = make_statement(b"{}", "cyclonedx", [("r.example/app", {"sha256": D.split(":")[1]})])
    cand = Candidate("x.att layer 0", DSSE, dsse.sign(st, s).to_json(), {"predicateType": "https://cyclonedx.org/bom"})
    attestation_policy([s.public_key], D, "r.example/app", "https://cyclonedx.org/bom").verify(cand)
    with pytest.raises(VerificationError, match="predicate type is https://cyclonedx.org/bom, not https://spdx.dev/Document"):
        PredicateTypeIs("https://spdx.dev/Document").verify(cand)
    with pytest.raises(VerificationError, match="subject names \\('r.example/app'\\) do not name r.example/other"):
        ReferenceClaim("r.example/other").verify(cand)
    with pytest.raises(VerificationError, match="does not match any subject"):
        DigestClaim("sha256:" + "00" * 32).verify(cand)
    wrong_type = Candidate("l", DSSE, dsse.sign(st, s, payload_type="application/json").to_json())
    with pytest.raises(VerificationError, match="not application/vnd.in-toto\\+json"):
        PredicateTypeIs("x").verify(wrong_type)


def test_any_of_reports_every_reason() -> None:
    s = generate()
    cand = sig_candidate(s, make_payload("r/app", D))
    AnyOf((ReferenceClaim("r/other"), DigestClaim(D))).verify(cand)
    with pytest.raises(VerificationError, match="0 of 2 policies succeeded: .*r/other.*; .*is for"):
        AnyOf((ReferenceClaim("r/other"), DigestClaim("sha256:" + "00" * 32))).verify(cand)


def test_unsafe_noop_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="assay.verify"):
        UnsafeNoOp().verify(Candidate("layer 9", SIMPLE, b""))
    assert "layer 9: accepted without verification" in caplog.text
