"""cosign's storage layout: the .sig/.att manifests, configs and layers we write
match the cosign specs field for field; appending keeps what was there."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from assay.errors import SourceError, UsageError, VerificationError
from assay.oci.cosign import (
    LayoutTarget,
    append_layer,
    attachment_tag,
    build_config,
    build_manifest,
    open_target,
    read_attachments,
)
from assay.sign import attest_in_layout, generate, sign_image_in_layout
from assay.sign.simplesigning import make_payload
from tests.registry import write_oci_layout

SIMPLE = "application/vnd.dev.cosign.simplesigning.v1+json"
DSSE = "application/vnd.dsse.envelope.v1+json"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def layout(tmp_path: Path) -> tuple[str, str]:
    d = tmp_path / "app"
    return str(d), write_oci_layout(d)


def _blob(layout_dir: str, digest: str) -> bytes:
    return (Path(layout_dir) / "blobs" / "sha256" / digest.split(":")[1]).read_bytes()


def _manifest(layout_dir: str, tag: str) -> tuple[bytes, dict]:
    index = json.loads((Path(layout_dir) / "index.json").read_text())
    entry = next(m for m in index["manifests"] if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    body = _blob(layout_dir, entry["digest"])
    assert sha(body) == entry["digest"] and len(body) == entry["size"]
    return body, json.loads(body)


def test_attachment_tags() -> None:
    d = "sha256:" + "0f" * 32
    assert attachment_tag(d, "sig") == "sha256-" + "0f" * 32 + ".sig"
    assert attachment_tag(d, "att").endswith(".att") and attachment_tag(d, "sbom").endswith(".sbom")
    with pytest.raises(ValueError):
        attachment_tag(d, "bundle")


def test_config_is_go_containerregistrys() -> None:
    one = build_config(["sha256:" + "a" * 64])
    # the config of the ATTESTATION_SPEC example has size 233 for one layer
    assert len(one) == 233
    assert one == (
        b'{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":"0001-01-01T00:00:00Z"}],'
        b'"os":"","rootfs":{"type":"layers","diff_ids":["sha256:' + b"a" * 64 + b'"]},"config":{}}'
    )


def test_config_append_keeps_foreign_fields_in_struct_order() -> None:
    # what containers/image writes for a copied .sig (no created, no history)
    base = {"architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "a" * 64]}, "variant": "v8"}
    out = json.loads(build_config(["sha256:" + "a" * 64, "sha256:" + "b" * 64], base))
    assert list(out) == ["architecture", "created", "history", "os", "rootfs", "config", "variant"]
    assert len(out["history"]) == 2 and out["rootfs"]["diff_ids"][1] == "sha256:" + "b" * 64


def test_signature_manifest_matches_the_spec(layout: tuple[str, str]) -> None:
    path, digest = layout
    signer = generate()
    [res] = sign_image_in_layout(path, digest, signer, annotations={"build": "7"})
    assert res.added and res.tag == attachment_tag(digest, "sig")
    body, m = _manifest(path, res.tag)
    # key order and values exactly as cosign's go-containerregistry writes them
    assert list(m) == ["schemaVersion", "mediaType", "config", "layers"]
    assert m["schemaVersion"] == 2 and m["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert list(m["config"]) == ["mediaType", "size", "digest"]
    assert m["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json"
    [layer] = m["layers"]
    assert list(layer) == ["mediaType", "size", "digest", "annotations"]
    assert layer["mediaType"] == SIMPLE
    assert list(layer["annotations"]) == ["dev.cosignproject.cosign/signature"]
    assert b" " not in body
    config = _blob(path, m["config"]["digest"])
    assert len(config) == m["config"]["size"] == 233
    assert json.loads(config)["rootfs"]["diff_ids"] == [layer["digest"]]
    payload = _blob(path, layer["digest"])
    assert payload == make_payload(LayoutTarget(path).repository, digest, {"build": "7"}) == res.payload
    assert len(payload) == layer["size"]
    sig = base64.b64decode(layer["annotations"]["dev.cosignproject.cosign/signature"])
    assert signer.public_key.verify(payload, sig)


def test_attestation_manifest_matches_the_spec(layout: tuple[str, str]) -> None:
    path, digest = layout
    signer = generate()
    res = attest_in_layout(path, digest, signer, b'{"bomFormat":"CycloneDX","specVersion":"1.6"}', "cyclonedx")
    _, m = _manifest(path, attachment_tag(digest, "att"))
    [layer] = m["layers"]
    assert layer["mediaType"] == DSSE
    # cosign: an empty signature annotation (the signature is inside the envelope) and the predicate type
    assert layer["annotations"] == {"dev.cosignproject.cosign/signature": "", "predicateType": "https://cyclonedx.org/bom"}
    assert list(layer["annotations"]) == ["dev.cosignproject.cosign/signature", "predicateType"]
    envelope = json.loads(_blob(path, layer["digest"]))
    assert list(envelope) == ["payloadType", "payload", "signatures"]
    assert envelope["payloadType"] == "application/vnd.in-toto+json" and envelope["signatures"][0]["keyid"] == ""
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert list(statement) == ["_type", "predicateType", "subject", "predicate"]
    assert statement["subject"] == [{"name": LayoutTarget(path).repository, "digest": {"sha256": digest.split(":")[1]}}]
    assert res.payload == _blob(path, layer["digest"])


def test_second_signature_is_appended_and_duplicates_are_not(layout: tuple[str, str]) -> None:
    path, digest = layout
    a, b = generate(), generate("ed25519")
    sign_image_in_layout(path, digest, a)
    [again] = sign_image_in_layout(path, digest, a)
    assert not again.added and again.layers == 1  # identical payload, valid signature by the same key
    [second] = sign_image_in_layout(path, digest, b)
    assert second.added and second.layers == 2
    [third] = sign_image_in_layout(path, digest, a, annotations={"env": "prod"})
    assert third.layers == 3
    _, m = _manifest(path, attachment_tag(digest, "sig"))
    config = json.loads(_blob(path, m["config"]["digest"]))
    assert config["rootfs"]["diff_ids"] == [layer["digest"] for layer in m["layers"]]
    assert len(config["history"]) == 3
    # one index entry per tag: the tag moved, nothing was duplicated
    index = json.loads((Path(path) / "index.json").read_text())
    names = [e["annotations"]["org.opencontainers.image.ref.name"] for e in index["manifests"]]
    assert sorted(names) == sorted(["latest", attachment_tag(digest, "sig")])


def test_attestations_sit_side_by_side_and_replace(layout: tuple[str, str]) -> None:
    path, digest = layout
    s = generate()
    attest_in_layout(path, digest, s, b'{"bomFormat":"CycloneDX"}', "cyclonedx")
    attest_in_layout(path, digest, s, b'{"builder":{"id":"ci"},"buildType":"x"}', "slsaprovenance")
    assert not attest_in_layout(path, digest, s, b'{"bomFormat":"CycloneDX"}', "cyclonedx").added
    r = attest_in_layout(path, digest, s, b'{"bomFormat":"CycloneDX","version":2}', "cyclonedx")
    assert r.added and r.layers == 3
    r = attest_in_layout(path, digest, s, b'{"bomFormat":"CycloneDX","version":3}', "cyclonedx", replace=True)
    assert r.layers == 2
    att = read_attachments(LayoutTarget(path), digest, "att")
    assert att is not None
    assert sorted(x.annotations["predicateType"] for x in att.layers) == ["https://cyclonedx.org/bom", "https://slsa.dev/provenance/v0.2"]


def test_append_refuses_a_corrupt_attachment_manifest(layout: tuple[str, str]) -> None:
    path, digest = layout
    target = LayoutTarget(path)
    config = build_config(["sha256:" + "a" * 64])
    target.put_blob(config)
    bad = build_manifest(config, [{"mediaType": SIMPLE, "size": -1, "digest": "sha256:" + "a" * 64}])
    target.put_manifest(attachment_tag(digest, "sig"), bad, "application/vnd.oci.image.manifest.v1+json")
    with pytest.raises(VerificationError, match="layer 0: invalid size -1; not appending"):
        append_layer(target, digest, "sig", b"{}", SIMPLE, {})


def test_layout_target_selection(tmp_path: Path) -> None:
    d = tmp_path / "multi"
    first = write_oci_layout(d, tag="one")
    index = json.loads((d / "index.json").read_text())
    second = write_oci_layout(tmp_path / "tmp2", {"etc/x": b"2"}, tag="two")
    for name in ("blobs/sha256",):
        for f in (tmp_path / "tmp2" / name).iterdir():
            (d / name / f.name).write_bytes(f.read_bytes())
    index["manifests"] += json.loads((tmp_path / "tmp2" / "index.json").read_text())["manifests"]
    (d / "index.json").write_text(json.dumps(index))
    assert open_target(f"oci-dir:{d}:one").resolve() == first
    assert open_target(f"oci-dir:{d}:two").resolve() == second
    assert open_target(f"oci-dir:{d}@{second}").resolve() == second
    with pytest.raises(SourceError, match="holds 2 images"):
        open_target(f"oci-dir:{d}").resolve()
    with pytest.raises(SourceError, match="no image tagged 'three'"):
        open_target(f"oci-dir:{d}:three").resolve()
    with pytest.raises(SourceError, match="no such OCI layout"):
        open_target(f"oci-dir:{tmp_path}/absent")
    # attachments do not count as images
    sign_image_in_layout(str(d), first, generate())
    assert LayoutTarget(str(d), tag="one").resolve() == first


def test_layout_repository_name(tmp_path: Path) -> None:
    d = tmp_path / "My_App.v2"
    write_oci_layout(d)
    assert LayoutTarget(str(d)).repository == "localhost/my-app-v2"
    assert LayoutTarget(str(d), repository="ghcr.io/acme/app:1.0").repository == "ghcr.io/acme/app"
    with pytest.raises(UsageError, match="invalid repository name"):
        LayoutTarget(str(d), repository="acme/bad name!")


def test_layout_blob_tampering_is_detected(layout: tuple[str, str]) -> None:
    path, digest = layout
    [res] = sign_image_in_layout(path, digest, generate())
    _, m = _manifest(path, res.tag)
    layer = Path(path) / "blobs" / "sha256" / m["layers"][0]["digest"].split(":")[1]
    layer.write_bytes(layer.read_bytes().replace(b"cosign", b"cosigN"))
    with pytest.raises(SourceError, match="does not match its digest"):
        LayoutTarget(path).blob(m["layers"][0]["digest"])
