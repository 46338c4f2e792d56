"""DSSE: PAE, the envelope as cosign writes it, and interop with securesystemslib."""

from __future__ import annotations

import base64
import json

import pytest

from assay.errors import VerificationError
from assay.sign import dsse
from assay.sign.keys import PublicKey, generate


def test_pae_matches_the_dsse_spec_example() -> None:
    # the worked example of the DSSE v1 protocol document
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    # lengths are byte counts, not character counts
    assert dsse.pae("t\u00e9", b"\xff") == b"DSSEv1 3 t\xc3\xa9 1 \xff"


def test_envelope_json_is_cosigns() -> None:
    signer = generate()
    env = dsse.sign(b'{"_type":"x"}', signer)
    raw = env.to_json()
    assert raw.startswith(b'{"payloadType":"application/vnd.in-toto+json","payload":"eyJfdHlwZSI6IngifQ==","signatures":[{"keyid":"","sig":"')
    assert raw.endswith(b'"}]}') and b" " not in raw
    parsed = dsse.Envelope.from_json(raw)
    assert parsed == env
    assert dsse.verify(parsed, [signer.public_key]) == b'{"_type":"x"}'


def test_signature_covers_the_payload_type() -> None:
    signer = generate()
    env = dsse.sign(b"{}", signer)
    swapped = dsse.Envelope("application/json", env.payload, env.signatures)
    with pytest.raises(VerificationError, match="no signature in the DSSE envelope verifies"):
        dsse.verify(swapped, [signer.public_key])


def test_tampered_payload_and_wrong_key_fail() -> None:
    signer = generate()
    env = dsse.sign(b'{"a":1}', signer)
    with pytest.raises(VerificationError, match="key and signature don't match"):
        dsse.verify(dsse.Envelope(env.payload_type, b'{"a":2}', env.signatures), [signer.public_key])
    with pytest.raises(VerificationError):
        dsse.verify(env, [generate().public_key])


def test_any_of_several_signatures_and_keys() -> None:
    a, b = generate(), generate("ed25519")
    env = dsse.sign(b"{}", a)
    both = dsse.Envelope(env.payload_type, env.payload, env.signatures + dsse.sign(b"{}", b).signatures)
    assert dsse.verify(both, [b.public_key]) == b"{}"
    assert dsse.verify(both, [generate().public_key, a.public_key]) == b"{}"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (b"not json", "invalid JSON"),
        (b'{"bomFormat":"CycloneDX"}', "not a DSSE envelope"),
        (b'{"payloadType":"t","payload":5,"signatures":[]}', "must be strings"),
        (b'{"payloadType":"t","payload":"e30=","signatures":{}}', "signatures must be a list"),
        (b'{"payloadType":"t","payload":"e30=","signatures":[{"keyid":""}]}', "signature 0 has no 'sig'"),
        (b'{"payloadType":"t","payload":"%%%","signatures":[]}', "payload is not valid base64"),
    ],
)
def test_malformed_envelopes(doc: bytes, message: str) -> None:
    with pytest.raises(VerificationError, match=message):
        dsse.Envelope.from_json(doc, "att.json")


def test_no_signatures_fails_closed() -> None:
    env = dsse.Envelope.from_json(b'{"payloadType":"t","payload":"e30=","signatures":[]}')
    with pytest.raises(VerificationError, match="has no signatures"):
        dsse.verify(env, [generate().public_key])
    with pytest.raises(VerificationError, match="no key"):
        dsse.verify(dsse.sign(b"{}", generate()), [])


def test_accepts_unpadded_and_urlsafe_base64() -> None:
    signer = generate()
    env = dsse.sign(b"{}>?", signer)
    obj = json.loads(env.to_json())
    obj["payload"] = base64.urlsafe_b64encode(env.payload).decode().rstrip("=")
    assert dsse.verify(dsse.Envelope.from_dict(obj), [signer.public_key]) == b"{}>?"


# --- interop with securesystemslib (an independent DSSE implementation) ---------------------


def _sslib():  # type: ignore[no-untyped-def]
    sslib_dsse = pytest.importorskip("securesystemslib.dsse")
    signer_mod = pytest.importorskip("securesystemslib.signer")
    return sslib_dsse, signer_mod


def test_assay_envelope_verifies_with_securesystemslib() -> None:
    sslib_dsse, signer_mod = _sslib()
    signer = generate()
    env = dsse.sign(b'{"_type":"https://in-toto.io/Statement/v1"}', signer)
    theirs = sslib_dsse.Envelope.from_dict(json.loads(env.to_json()))
    # cosign (and assay) leave keyid empty; securesystemslib only tries keys
    # whose keyid equals the signature's, so the key is declared with keyid "".
    computed = signer_mod.SSlibKey.from_crypto(signer.key.public_key())
    key = signer_mod.SSlibKey("", computed.keytype, computed.scheme, computed.keyval)
    verified = theirs.verify([key], 1)
    assert list(verified) == [""]
    assert theirs.pae() == dsse.pae(env.payload_type, env.payload)
    # and a tampered copy does not
    theirs.payload = b'{"_type":"evil"}'
    from securesystemslib.exceptions import VerificationError as SslibVerificationError

    with pytest.raises(SslibVerificationError, match="Found: 0"):
        theirs.verify([key], 1)


def test_securesystemslib_envelope_verifies_with_assay() -> None:
    sslib_dsse, signer_mod = _sslib()
    signer = generate()
    ss = signer_mod.CryptoSigner(signer.key)
    theirs = sslib_dsse.Envelope(payload=b'{"hello":"dsse"}', payload_type="application/vnd.in-toto+json", signatures={})
    theirs.sign(ss)
    ours = dsse.Envelope.from_dict(theirs.to_dict())
    assert dsse.verify(ours, [PublicKey(signer.key.public_key(), "sslib")]) == b'{"hello":"dsse"}'
    with pytest.raises(VerificationError):
        dsse.verify(ours, [generate().public_key])
