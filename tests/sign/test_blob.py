"""Blob signatures and attestations, through the CLI, plus the corpus acceptance
cases: cosign's verify-blob-attestation tests and grype's attestation files."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from assay.errors import UsageError, VerificationError
from assay.sign.blob import Artifact, attest_blob, max_attachment_size, read_artifact, verify_blob_attestation
from assay.sign.keys import encrypt_pem, generate
from assay.sign_cli import run
from tests.conftest import corpus_path, read_expected


@pytest.fixture
def keypair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("ASSAY_PASSWORD", "blob-pw")
    monkeypatch.delenv("COSIGN_PASSWORD", raising=False)
    assert run(["-q", "keygen", "--output-key-prefix", str(tmp_path / "cosign")]) == 0
    return str(tmp_path / "cosign.key"), str(tmp_path / "cosign.pub")


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("assay: error: "), err
    return lines[0]


def test_sign_blob_then_verify(tmp_path: Path, keypair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    key, pub = keypair
    blob = tmp_path / "artifact.bin"
    blob.write_bytes(b"release artifact\n")
    assert run(["sign-blob", "--key", key, str(blob)]) == 0
    sig = capsys.readouterr().out.strip()
    base64.b64decode(sig, validate=True)
    assert run(["verify-blob", "--key", pub, "--signature", sig, str(blob)]) == 0
    assert "Verified OK" in capsys.readouterr().err
    sigfile = tmp_path / "artifact.sig"
    assert run(["-q", "sign-blob", "--key", key, "--output-signature", str(sigfile), str(blob)]) == 0
    assert run(["verify-blob", "--key", pub, "--signature", str(sigfile), "--insecure-ignore-tlog", str(blob)]) == 0
    capsys.readouterr()
    blob.write_bytes(b"release artifact, changed\n")
    assert run(["verify-blob", "--key", pub, "--signature", str(sigfile), str(blob)]) == 1
    assert "invalid signature" in _one_line_error(capsys.readouterr().err)


def test_raw_signature_output(tmp_path: Path, keypair: tuple[str, str]) -> None:
    key, pub = keypair
    blob = tmp_path / "b"
    blob.write_bytes(b"x")
    raw = tmp_path / "b.sig"
    assert run(["-q", "sign-blob", "--key", key, "--b64=false", "--output-signature", str(raw), str(blob)]) == 0
    assert raw.read_bytes()[:1] == b"\x30"  # a DER ECDSA signature, not base64
    assert run(["verify-blob", "--key", pub, "--signature", str(raw), str(blob)]) == 0


def test_tlog_upload_is_refused_rather_than_ignored(tmp_path: Path, keypair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    key, _ = keypair
    blob = tmp_path / "b"
    blob.write_bytes(b"x")
    assert run(["sign-blob", "--key", key, "--tlog-upload=true", str(blob)]) == 1
    assert "not supported with keys yet" in _one_line_error(capsys.readouterr().err)
    assert run(["sign-blob", "--key", key, "--tlog-upload=false", str(blob)]) == 0


def test_attest_blob_round_trip(tmp_path: Path, keypair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    key, pub = keypair
    blob = tmp_path / "app.tar.gz"
    blob.write_bytes(b"tarball")
    pred = tmp_path / "prov.json"
    pred.write_text(json.dumps({"builder": {"id": "ci"}, "buildType": "make"}))
    env = tmp_path / "app.att.json"
    assert (
        run(["-q", "attest-blob", "--key", key, "--predicate", str(pred), "--type", "slsaprovenance", "--output-signature", str(env), str(blob)]) == 0
    )
    envelope = json.loads(env.read_bytes())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert statement["subject"] == [{"name": "app.tar.gz", "digest": {"sha256": read_artifact(str(blob)).sha256}}]
    assert statement["predicateType"] == "https://slsa.dev/provenance/v0.2"
    assert run(["verify-blob-attestation", "--key", pub, "--signature", str(env), "--type", "slsaprovenance", str(blob)]) == 0
    capsys.readouterr()
    assert run(["verify-blob-attestation", "--key", pub, "--signature", str(env), "--type", "cyclonedx", str(blob)]) == 1
    assert "predicate type is https://slsa.dev/provenance/v0.2" in _one_line_error(capsys.readouterr().err)
    other = tmp_path / "other"
    other.write_bytes(b"other")
    assert run(["verify-blob-attestation", "--key", pub, "--signature", str(env), str(other)]) == 1
    assert "does not match any subject" in _one_line_error(capsys.readouterr().err)
    assert run(["verify-blob-attestation", "--key", pub, "--signature", str(env), "--check-claims=false", str(other)]) == 0


def test_attest_blob_by_hash(tmp_path: Path, keypair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    key, pub = keypair
    pred = tmp_path / "p.json"
    pred.write_text("{}")
    digest = "cd" * 32
    assert run(["attest-blob", "--key", key, "--predicate", str(pred), "--type", "https://example.com/p", "--hash", digest]) == 0
    env = tmp_path / "e.json"
    env.write_text(capsys.readouterr().out)
    assert run(["verify-blob-attestation", "--key", pub, "--signature", str(env), "--digest", digest, "--digestAlg", "sha256"]) == 0
    assert run(["verify-blob-attestation", "--key", pub, "--signature", str(env), f"sha256:{digest}"]) == 0


def test_library_blob_attestation() -> None:
    signer = generate("ed25519")
    art = Artifact("f", "ab" * 32)
    env = attest_blob(art, b'{"x":1}', "https://example.com/t", signer)
    st = verify_blob_attestation(env, [signer.public_key], artifact=art, predicate_type="https://example.com/t")
    assert st is not None and st.predicate == {"x": 1}
    with pytest.raises(UsageError, match="needs the artifact"):
        verify_blob_attestation(env, [signer.public_key])
    with pytest.raises(VerificationError, match="key and signature don't match"):
        verify_blob_attestation(env, [generate().public_key], artifact=art)


def test_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "big"
    f.write_bytes(b"x" * 200)
    monkeypatch.setenv("COSIGN_MAX_ATTACHMENT_SIZE", "128")
    assert max_attachment_size() == 128
    with pytest.raises(VerificationError, match="over the 128-byte limit"):
        read_artifact(str(f))
    monkeypatch.setenv("ASSAY_MAX_ATTACHMENT_SIZE", "1KiB")
    assert max_attachment_size() == 1024 and read_artifact(str(f)).data == b"x" * 200
    monkeypatch.setenv("ASSAY_MAX_ATTACHMENT_SIZE", "lots")
    with pytest.raises(UsageError, match="expected a size"):
        max_attachment_size()


def test_wrong_password_on_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "cosign.key"
    key.write_bytes(encrypt_pem(generate().pkcs8(), b"correct horse"))
    blob = tmp_path / "b"
    blob.write_bytes(b"x")
    monkeypatch.setenv("COSIGN_PASSWORD", "battery staple")
    monkeypatch.delenv("ASSAY_PASSWORD", raising=False)
    assert run(["sign-blob", "--key", str(key), str(blob)]) == 1
    err = _one_line_error(capsys.readouterr().err)
    assert "cannot decrypt the private key: wrong password" in err
    assert "battery" not in err and "horse" not in err


# --- corpus: cosign verify-blob-attestation cases ------------------------------------------------

#: why a FAIL row must fail, keyed by a phrase of the cosign test-case column
_COSIGN_REASONS = {
    "incorrect predicate": "predicate type is",
    "incorrect blob": "does not match any subject",
    "no subject": "has no subject",
    "missing sha256": "has a sha256 digest",
    "different predicate type": "invalid predicate type",
    "none has correct sha256": "does not match any subject",
    "file size limit": "limit",
}


def _cosign_rows() -> list[list[str]]:
    if not corpus_available():
        return []
    _, rows = read_expected("expected.tsv", base="cosign")
    return [r for r in rows if r[0].endswith(".dsse.json")]  # section A: key-based; B is a keyless bundle


def corpus_available() -> bool:
    from tests.conftest import CORPUS

    return (CORPUS / "cosign" / "expected.tsv").exists()


@pytest.mark.corpus
@pytest.mark.parametrize(
    "row",
    _cosign_rows() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))],
    ids=lambda r: r and f"{r[0]}-{r[1].split()[0]}-{r[2]}-{r[3]}",
)
def test_cosign_verify_blob_attestation_corpus(row: list[str] | None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert row is not None
    base = corpus_path("cosign", "extracted", "verify-blob-attestation")
    envelope, artifact, ptype, check, env, expected, case = (row + [""] * 7)[:7]
    if env:
        name, _, value = env.partition("=")
        monkeypatch.setenv(name, value)
    args = [
        "verify-blob-attestation",
        "--key",
        str(base / "cosign.pub"),
        "--signature",
        str(base / envelope),
        f"--check-claims={check}",
        "--insecure-ignore-tlog",
    ]
    if ptype != "(default)":
        args += ["--type", ptype]
    artifacts: list[list[str]]
    if artifact.startswith("sha256:"):
        artifacts = [[artifact.split()[0]]]
    elif artifact.startswith("(none)"):
        artifacts = [[], ["/dev/null"]]
    else:
        artifacts = [[str(base / artifact)]]
    for extra in artifacts:
        code = run(args + extra)
        err = capsys.readouterr().err
        if expected == "PASS":
            assert code == 0, err
        else:
            assert code == 1
            line = _one_line_error(err)
            reason = next((v for k, v in _COSIGN_REASONS.items() if k in case), None)
            assert reason is not None and reason in line, (case, line)


# --- corpus: grype's attestation files -------------------------------------------------------------


def _grype_rows() -> list[list[str]]:
    from tests.conftest import CORPUS

    if not (CORPUS / "grype" / "expected" / "attestations.tsv").exists():
        return []
    return read_expected("attestations.tsv", base="grype/expected")[1]


@pytest.mark.corpus
@pytest.mark.parametrize(
    "row", _grype_rows() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))], ids=lambda r: r and f"{r[0]}-{r[1]}"
)
def test_grype_attestations_corpus(row: list[str] | None, capsys: pytest.CaptureFixture[str]) -> None:
    from assay.sbom import decode
    from assay.sign.dsse import Envelope

    assert row is not None
    base = corpus_path("grype", "grype", "pkg", "testdata")
    envelope, key, expected, count = row[:4]
    data = (base / envelope).read_bytes()
    if key == "(none)":
        # a plain SBOM that merely mentions the in-toto media type: it is not an envelope...
        with pytest.raises(VerificationError, match="not a DSSE envelope"):
            Envelope.from_json(data)
        # ...and decodes as an SBOM
        assert expected.startswith("PASS") and len(decode(data)[2].packages) == int(count)
        return
    code = run(["verify-blob-attestation", "--key", str(base / key), "--signature", str(base / envelope), "--check-claims=false"])
    err = capsys.readouterr().err
    if expected == "FAIL":
        assert code == 1
        line = _one_line_error(err)
        reasons = {"another_cosign.pub": "key and signature don't match", "cosign_broken.pub": "cannot decode public key"}
        want = reasons.get(key) or ("not a DSSE envelope" if "syft-spring" in envelope else "key and signature don't match")
        assert want in line, line
        return
    assert code == 0, err
    statement = json.loads(Envelope.from_json(data).payload)
    assert len(decode(json.dumps(statement["predicate"]).encode())[2].packages) == int(count)
