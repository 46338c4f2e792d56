"""Verification against OCI layout directories (no registry): the good path
through the CLI and every kind of bad input, each rejected with one line."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from assay.errors import VerificationError
from assay.oci.cosign import LayoutTarget, attachment_tag, build_config, build_manifest
from assay.sign import attest_in_layout, generate, sign_image_in_layout
from assay.sign.keys import PrivateKeySigner
from assay.sign.simplesigning import make_payload
from assay.sign_cli import run
from assay.verify import verify_in_layout, verify_signatures
from tests.registry import write_oci_layout

SIMPLE = "application/vnd.dev.cosign.simplesigning.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture
def signed(tmp_path: Path) -> tuple[str, str, PrivateKeySigner, str]:
    """A layout with one signed image; returns (dir, digest, signer, cosign.pub path)."""
    d = tmp_path / "app"
    digest = write_oci_layout(d)
    signer = generate()
    sign_image_in_layout(str(d), digest, signer, annotations={"env": "prod"})
    pub = tmp_path / "cosign.pub"
    pub.write_bytes(signer.public_key.pem())
    return str(d), digest, signer, str(pub)


def _one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("assay: error: "), err
    return lines[0]


def _rewrite_sig(layout: str, digest: str, layers: list[dict], tag_digest: str | None = None) -> None:
    """Replace the .sig manifest of ``tag_digest or digest`` with these layer descriptors."""
    t = LayoutTarget(layout)
    config = build_config([x["digest"] for x in layers if isinstance(x, dict) and isinstance(x.get("digest"), str)])
    t.put_blob(config)
    t.put_manifest(attachment_tag(tag_digest or digest, "sig"), build_manifest(config, layers), OCI_MANIFEST)


def _sig_layers(layout: str, digest: str) -> list[dict]:
    t = LayoutTarget(layout)
    found = t.manifest(attachment_tag(digest, "sig"))
    assert found is not None
    return json.loads(found[0])["layers"]


def test_cli_verify_ok_text_and_json(signed: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    layout, digest, _, pub = signed
    assert run(["verify", "--key", pub, f"oci-dir:{layout}"]) == 0
    out = capsys.readouterr().out
    assert out == f"verified oci-dir:{layout}@{digest}: 1 of 1 signature valid for {pub}\n"
    assert run(["verify", "--key", pub, "-o", "json", "-a", "env=prod", f"oci-dir:{layout}"]) == 0
    payloads = json.loads(capsys.readouterr().out)
    assert payloads == [
        {
            "critical": {
                "identity": {"docker-reference": LayoutTarget(layout).repository},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": {"env": "prod"},
        }
    ]


def test_wrong_key(signed: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    layout, digest, _, _ = signed
    other = tmp_path / "other.pub"
    other.write_bytes(generate().public_key.pem())
    assert run(["verify", "--key", str(other), f"oci-dir:{layout}"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"{digest}: no valid signature (1 checked)" in line and "signature does not verify with" in line


def test_tampered_payload(signed: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    """A payload changed and re-uploaded consistently (new digest in the
    manifest) keeps the old signature, which no longer verifies."""
    layout, digest, _, pub = signed
    [layer] = _sig_layers(layout, digest)
    forged = make_payload(LayoutTarget(layout).repository, digest, {"env": "prod", "approved": "yes"})
    fdigest = LayoutTarget(layout).put_blob(forged)
    _rewrite_sig(layout, digest, [{**layer, "digest": fdigest, "size": len(forged)}])
    assert run(["verify", "--key", pub, f"oci-dir:{layout}"]) == 1
    assert "signature does not verify" in _one_line(capsys.readouterr().err)


def test_payload_blob_not_matching_its_digest(signed: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    layout, digest, _, pub = signed
    [layer] = _sig_layers(layout, digest)
    blob = Path(layout) / "blobs" / "sha256" / layer["digest"].split(":")[1]
    blob.write_bytes(blob.read_bytes().replace(b"prod", b"dev!"))
    assert run(["verify", "--key", pub, f"oci-dir:{layout}"]) == 1
    assert "does not match its digest" in _one_line(capsys.readouterr().err)


def test_signature_copied_from_another_image(signed: tuple, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Image B carries the (valid) .sig of image A: rejected, A's digest is not B's."""
    layout, digest_a, _, pub = signed
    b_dir = tmp_path / "b"
    digest_b = write_oci_layout(b_dir, {"etc/os-release": b"ID=other\n"})
    # put B into the same layout, then copy A's signature manifest to B's tag
    t = LayoutTarget(layout)
    for f in (b_dir / "blobs" / "sha256").iterdir():
        t.put_blob(f.read_bytes())
    t.put_manifest("b", t.blob(digest_b), OCI_MANIFEST)
    _rewrite_sig(layout, digest_a, _sig_layers(layout, digest_a), tag_digest=digest_b)
    assert run(["verify", "--key", pub, f"oci-dir:{layout}:b"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"the signature is for {digest_a}, not this image's digest {digest_b}" in line
    assert run(["verify", "--key", pub, f"oci-dir:{layout}:latest"]) == 0


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda layer: {**layer, "annotations": {}}, "no dev.cosignproject.cosign/signature annotation"),
        (lambda layer: {k: v for k, v in layer.items() if k != "annotations"}, "no dev.cosignproject.cosign/signature annotation"),
        (lambda layer: {**layer, "annotations": {"dev.cosignproject.cosign/signature": "%%%"}}, "annotation is not base64"),
        (lambda layer: {**layer, "annotations": {"dev.cosignproject.cosign/signature": ""}}, "annotation is empty"),
        (lambda layer: {**layer, "annotations": "MEUCIQ"}, "malformed annotations (not a string map)"),
        (lambda layer: {**layer, "annotations": {"dev.cosignproject.cosign/signature": 5}}, "malformed annotations (not a string map)"),
        (lambda layer: {**layer, "mediaType": "application/json"}, "media type 'application/json'"),
        (lambda layer: {**layer, "digest": "sha256:nothex"}, "invalid digest"),
        (lambda layer: {**layer, "size": layer["size"] + 1}, "the manifest says"),
    ],
)
def test_malformed_signature_layers(signed: tuple, capsys: pytest.CaptureFixture[str], mutate, reason: str) -> None:  # type: ignore[no-untyped-def]
    layout, digest, _, pub = signed
    [layer] = _sig_layers(layout, digest)
    _rewrite_sig(layout, digest, [mutate(layer)])
    assert run(["verify", "--key", pub, f"oci-dir:{layout}"]) == 1
    assert reason in _one_line(capsys.readouterr().err)


def test_one_good_layer_among_bad_ones_passes_and_the_best_reason_is_reported(signed: tuple) -> None:
    layout, digest, signer, _ = signed
    [good] = _sig_layers(layout, digest)
    _rewrite_sig(layout, digest, [{**good, "annotations": {}}, good])
    result = verify_in_layout(layout, digest, signer.public_key)
    assert (len(result.verified), result.checked) == (1, 2)
    assert result.verified[0].where.endswith("layer 1")
    # a layer that passed the signature check but claims another digest is the most telling failure
    other = "sha256:" + "ee" * 32
    forged = make_payload(LayoutTarget(layout).repository, other)
    fd = LayoutTarget(layout).put_blob(forged)
    sig = base64.b64encode(signer.sign(forged)).decode()
    _rewrite_sig(
        layout,
        digest,
        [
            {**good, "annotations": {}},
            {"mediaType": SIMPLE, "size": len(forged), "digest": fd, "annotations": {"dev.cosignproject.cosign/signature": sig}},
        ],
    )
    with pytest.raises(VerificationError, match=f"no valid signature \\(2 checked\\): .*layer 1: the signature is for {other}"):
        verify_in_layout(layout, digest, signer.public_key)


def test_no_signatures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "plain"
    digest = write_oci_layout(d)
    pub = tmp_path / "k.pub"
    pub.write_bytes(generate().public_key.pem())
    assert run(["verify", "--key", str(pub), f"oci-dir:{d}"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.endswith(f"{digest}: no signatures found (no {attachment_tag(digest, 'sig')})")
    _rewrite_sig(str(d), digest, [])
    assert run(["verify", "--key", str(pub), f"oci-dir:{d}"]) == 1
    assert "has no layers" in _one_line(capsys.readouterr().err)


def test_reference_mismatch_and_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "app"
    digest = write_oci_layout(d)
    signer = generate()
    sign_image_in_layout(str(d), digest, signer, repository="registry.example/team/app")
    with pytest.raises(VerificationError, match="claims docker-reference 'registry.example/team/app', not localhost/app"):
        verify_in_layout(str(d), digest, signer.public_key)
    assert verify_in_layout(str(d), digest, signer.public_key, repository="registry.example/team/app").verified
    assert verify_in_layout(str(d), digest, signer.public_key, allow_reference_mismatch=True).verified
    pub = tmp_path / "k.pub"
    pub.write_bytes(signer.public_key.pem())
    assert run(["verify", "--key", str(pub), f"oci-dir:{d}"]) == 1
    assert "--allow-reference-mismatch" in _one_line(capsys.readouterr().err)
    assert run(["verify", "--key", str(pub), "--allow-reference-mismatch", f"oci-dir:{d}"]) == 0


def test_required_annotations(signed: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    layout, _, _, pub = signed
    assert run(["verify", "--key", pub, "-a", "env=staging", f"oci-dir:{layout}"]) == 1
    assert "annotation 'env' is 'prod', not 'staging'" in _one_line(capsys.readouterr().err)


def test_attestations_in_a_layout(signed: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    layout, digest, signer, pub = signed
    assert run(["verify-attestation", "--key", pub, f"oci-dir:{layout}"]) == 1
    assert "no attestations found" in _one_line(capsys.readouterr().err)
    attest_in_layout(layout, digest, signer, b'{"bomFormat":"CycloneDX","components":[]}', "cyclonedx")
    attest_in_layout(layout, digest, signer, b'{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}', "openvex")
    assert run(["verify-attestation", "--key", pub, "--type", "cyclonedx", "-o", "json", f"oci-dir:{layout}"]) == 0
    [statement] = json.loads(capsys.readouterr().out)
    assert statement["predicateType"] == "https://cyclonedx.org/bom" and statement["predicate"]["bomFormat"] == "CycloneDX"
    assert run(["verify-attestation", "--key", pub, f"oci-dir:{layout}"]) == 0
    assert "2 of 2 attestations valid" in capsys.readouterr().out
    assert run(["verify-attestation", "--key", pub, "--type", "slsaprovenance", f"oci-dir:{layout}"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "no valid attestation of type https://slsa.dev/provenance/v0.2 (2 checked)" in line
    # download prints the envelopes, filtered by predicate type
    assert run(["download", "attestation", "--predicate-type", "openvex", f"oci-dir:{layout}"]) == 0
    [envelope] = capsys.readouterr().out.splitlines()
    assert json.loads(base64.b64decode(json.loads(envelope)["payload"]))["predicateType"] == "https://openvex.dev/ns"
    assert run(["download", "sbom", f"oci-dir:{layout}"]) == 0
    assert json.loads(capsys.readouterr().out) == {"bomFormat": "CycloneDX", "components": []}
    assert run(["tree", "-o", "json", f"oci-dir:{layout}"]) == 0
    tree = json.loads(capsys.readouterr().out)
    assert [s["kind"] for s in tree["attachments"]] == ["signatures", "attestations"]
    assert [x.get("predicateType") for x in tree["attachments"][1]["layers"]] == ["https://cyclonedx.org/bom", "https://openvex.dev/ns"]


def test_tampered_attestation(signed: tuple) -> None:
    layout, digest, signer, _ = signed
    res = attest_in_layout(layout, digest, signer, b'{"bomFormat":"CycloneDX"}', "cyclonedx")
    env = json.loads(res.payload)
    st = json.loads(base64.b64decode(env["payload"]))
    st["predicate"]["components"] = [{"name": "backdoor"}]
    env["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
    body = json.dumps(env).encode()
    t = LayoutTarget(layout)
    d = t.put_blob(body)
    found = t.manifest(attachment_tag(digest, "att"))
    assert found is not None
    layers = json.loads(found[0])["layers"]
    layers[0] = {**layers[0], "digest": d, "size": len(body)}
    config = build_config([x["digest"] for x in layers])
    t.put_blob(config)
    t.put_manifest(attachment_tag(digest, "att"), build_manifest(config, layers), OCI_MANIFEST)
    with pytest.raises(VerificationError, match="key and signature don't match"):
        verify_in_layout(layout, digest, signer.public_key, attestations=True)


def test_recursive_signing_of_an_index(tmp_path: Path) -> None:
    """An index: the index digest is what gets signed; --recursive adds its manifests."""
    d = tmp_path / "multi"
    amd = write_oci_layout(d, architecture="amd64")
    arm = write_oci_layout(tmp_path / "arm", {"etc/os-release": b"ID=arm\n"}, architecture="arm64")
    t = LayoutTarget(str(d))
    for f in (tmp_path / "arm" / "blobs" / "sha256").iterdir():
        t.put_blob(f.read_bytes())
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": amd, "size": len(t.blob(amd)), "platform": {"os": "linux", "architecture": "amd64"}},
                {"mediaType": OCI_MANIFEST, "digest": arm, "size": len(t.blob(arm)), "platform": {"os": "linux", "architecture": "arm64"}},
            ],
        }
    ).encode()
    idx = t.put_manifest("multi", index, "application/vnd.oci.image.index.v1+json")
    signer = generate()
    results = sign_image_in_layout(str(d), idx, signer, recursive=True)
    assert [r.digest for r in results] == [idx, amd, arm]
    target = LayoutTarget(str(d), tag="multi")
    assert target.resolve() == idx
    for digest in (idx, amd, arm):
        assert verify_signatures(target, [signer.public_key], digest=digest).verified


def test_keygen_sign_verify_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "img"
    digest = write_oci_layout(d, tag="v1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COSIGN_PASSWORD", "s3cret")
    monkeypatch.delenv("ASSAY_PASSWORD", raising=False)
    assert run(["keygen"]) == 0
    capsys.readouterr()
    assert (tmp_path / "cosign.key").read_bytes().startswith(b"-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")
    assert run(["keygen"]) == 1  # never overwrites
    assert "already exists" in _one_line(capsys.readouterr().err)
    assert run(["sign", "--key", "cosign.key", "--tlog-upload=false", "-y", f"oci-dir:{d}:v1"]) == 0
    err = capsys.readouterr().err
    assert f"signed oci-dir:{d}@{digest} (tag 'v1' resolved to this digest)" in err
    assert "s3cret" not in err
    assert run(["verify", "--key", "cosign.pub", "--insecure-ignore-tlog", f"oci-dir:{d}@{digest}"]) == 0
    monkeypatch.setenv("COSIGN_PASSWORD", "not-the-pw-zz")
    assert run(["sign", "--key", "cosign.key", f"oci-dir:{d}:v1"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert "cosign.key: cannot decrypt the private key: wrong password" in line and "zz" not in line
