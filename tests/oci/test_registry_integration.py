"""RegistryClient against a real registry (Debian's docker-registry 2.8),
cross-checked with skopeo.  Marked slow: they start a registry process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from assay.errors import RegistryError
from assay.oci import mediatypes as mt
from assay.oci.auth import Credentials
from assay.oci.client import RegistryClient, referrers_tag
from assay.oci.mediatypes import select_platform
from assay.oci.reference import compute_digest, parse_reference
from tests.registry import (
    free_port,
    layer_tar_gz,
    skopeo_inspect_raw,
    skopeo_push,
    write_oci_layout,
)

pytestmark = pytest.mark.slow


def _client(address: str, **kw: object) -> RegistryClient:
    return RegistryClient(address, insecure=True, backoff=0.01, **kw)  # type: ignore[arg-type]


def _push_image(c: RegistryClient, repo: str, tag: str, files: dict[str, bytes], arch: str = "amd64") -> tuple[str, bytes]:
    """Push config + one layer + manifest with our client; return (digest, manifest)."""
    layer, diff_id = layer_tar_gz(files)
    config = json.dumps({"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
    config_digest = c.put_blob(repo, config)
    layer_digest = c.put_blob(repo, layer)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "config": {"mediaType": mt.OCI_CONFIG, "digest": config_digest, "size": len(config)},
            "layers": [{"mediaType": mt.OCI_LAYER_GZIP, "digest": layer_digest, "size": len(layer)}],
        }
    ).encode()
    return c.put_manifest(repo, tag, manifest, mt.OCI_MANIFEST), manifest


def test_push_and_pull_round_trip(registry: str) -> None:
    c = _client(registry)
    digest, manifest = _push_image(c, "assay/roundtrip", "v1", {"etc/hello": b"hi\n"})
    # by tag and by digest, verified
    assert c.get_manifest("assay/roundtrip", "v1") == (manifest, mt.OCI_MANIFEST, digest)
    assert c.get_manifest("assay/roundtrip", digest) == (manifest, mt.OCI_MANIFEST, digest)
    assert c.resolve(parse_reference(f"{registry}/assay/roundtrip:v1")) == digest
    desc = c.head_manifest("assay/roundtrip", "v1")
    assert desc is not None and (desc.digest, desc.size, desc.media_type) == (digest, len(manifest), mt.OCI_MANIFEST)
    m = json.loads(manifest)
    layer = m["layers"][0]
    assert c.head_blob("assay/roundtrip", layer["digest"]) == layer["size"]
    with c.open_blob("assay/roundtrip", layer["digest"], size=layer["size"]) as blob:
        data = blob.read()
    assert compute_digest(data) == layer["digest"]
    # an independent client sees exactly the bytes we pushed
    assert skopeo_inspect_raw(registry, "assay/roundtrip:v1") == manifest
    with pytest.raises(RegistryError, match=f"^manifest unknown: {registry}/assay/roundtrip:nope$"):
        c.get_manifest("assay/roundtrip", "nope")


def test_oci_image_pushed_by_skopeo(registry: str, tmp_path: Path) -> None:
    expected = write_oci_layout(tmp_path / "layout", {"etc/os-release": b"ID=assaytest\n", "usr/bin/tool": b"\x7fELF"})
    skopeo_push(tmp_path / "layout", registry, "assay/skopeo", "v1")
    c = _client(registry)
    body, media_type, digest = c.get_manifest("assay/skopeo", "v1")
    assert (media_type, digest) == (mt.OCI_MANIFEST, expected)
    # this registry hides OCI manifests from clients that do not list the OCI type
    with pytest.raises(RegistryError, match="manifest unknown"):
        c.get_manifest("assay/skopeo", "v1", accept=[mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST])
    config = json.loads(c.get_blob("assay/skopeo", json.loads(body)["config"]["digest"]))
    assert config["architecture"] == "amd64"


def test_chunked_upload_and_tags(registry: str) -> None:
    c = _client(registry, chunk_size=64 * 1024)
    data = bytes(range(256)) * 1000  # 256 KB -> 4 PATCH requests
    d = c.put_blob("assay/chunked", io.BytesIO(data))
    assert d == compute_digest(data)
    assert c.get_blob("assay/chunked", d) == data
    _, manifest = _push_image(c, "assay/chunked", "t0", {"a": b"a"})
    for tag in ("t1", "t2", "t3"):
        c.put_manifest("assay/chunked", tag, manifest, mt.OCI_MANIFEST)
    assert sorted(c.list_tags("assay/chunked")) == ["t0", "t1", "t2", "t3"]
    with pytest.raises(RegistryError, match=f"^repository unknown: {registry}/assay/none$"):
        c.list_tags("assay/none")


def test_cross_repo_mount(registry: str) -> None:
    c = _client(registry)
    d = c.put_blob("assay/mount-src", b"a shared layer")
    assert c.head_blob("assay/mount-dst", d) is None
    assert c.mount_blob("assay/mount-dst", d, "assay/mount-src") is True
    assert c.get_blob("assay/mount-dst", d) == b"a shared layer"
    assert c.mount_blob("assay/mount-dst", compute_digest(b"absent"), "assay/mount-src") is False
    assert c.head_blob("assay/mount-dst", compute_digest(b"absent")) is None


def test_index_platform_selection(registry: str) -> None:
    c = _client(registry)
    entries = []
    for arch in ("amd64", "arm64"):
        digest, manifest = _push_image(c, "assay/multi", f"only-{arch}", {"arch": arch.encode()}, arch=arch)
        entries.append({"mediaType": mt.OCI_MANIFEST, "digest": digest, "size": len(manifest), "platform": {"os": "linux", "architecture": arch}})
    index = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": entries}).encode()
    c.put_manifest("assay/multi", "latest", index, mt.OCI_INDEX)
    body, media_type, _ = c.get_manifest("assay/multi", "latest")
    assert media_type == mt.OCI_INDEX
    chosen = select_platform(body, "linux/arm64")
    assert chosen.digest == entries[1]["digest"]
    config_digest = json.loads(c.get_manifest("assay/multi", chosen.digest)[0])["config"]["digest"]
    assert json.loads(c.get_blob("assay/multi", config_digest))["architecture"] == "arm64"


def test_referrers_fallback_on_registry_without_api(registry: str) -> None:
    c = _client(registry)
    subject, manifest = _push_image(c, "assay/refs", "v1", {"x": b"x"})
    assert c.referrers("assay/refs", subject) == []
    empty = c.put_blob("assay/refs", b"{}")
    sig = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "artifactType": mt.COSIGN_ARTIFACT_SIGNATURE,
            "config": {"mediaType": mt.OCI_EMPTY, "digest": empty, "size": 2},
            "layers": [{"mediaType": mt.OCI_EMPTY, "digest": empty, "size": 2}],
            "subject": {"mediaType": mt.OCI_MANIFEST, "digest": subject, "size": len(manifest)},
        }
    ).encode()
    sig_digest = c.put_manifest("assay/refs", compute_digest(sig), sig, mt.OCI_MANIFEST)
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_INDEX,
            "manifests": [
                {"mediaType": mt.OCI_MANIFEST, "digest": sig_digest, "size": len(sig), "artifactType": mt.COSIGN_ARTIFACT_SIGNATURE}
            ],
        }
    ).encode()
    c.put_manifest("assay/refs", referrers_tag(subject), index, mt.OCI_INDEX)
    (found,) = c.referrers("assay/refs", subject, artifact_type=mt.COSIGN_ARTIFACT_SIGNATURE)
    assert found.digest == sig_digest
    assert c.referrers("assay/refs", subject, artifact_type="application/other") == []


def test_basic_auth_registry(auth_registry: tuple[str, str, str]) -> None:
    address, user, password = auth_registry
    good = _client(address, auth=Credentials(username=user, password=password))
    digest, _ = _push_image(good, "assay/private", "v1", {"secret": b"data"})
    assert good.get_manifest("assay/private", "v1")[2] == digest
    with pytest.raises(RegistryError) as info:
        _client(address).get_manifest("assay/private", "v1")
    assert str(info.value).startswith(f"unauthorized: manifest {address}/assay/private:v1")
    with pytest.raises(RegistryError) as info:
        _client(address, auth=Credentials(username=user, password="wrong-password")).get_manifest("assay/private", "v1")
    assert str(info.value).startswith("unauthorized:") and "wrong-password" not in str(info.value)


def test_registry_down_is_one_clear_line() -> None:
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    c = RegistryClient(address, insecure=True, retries=3, backoff=0.01)
    with pytest.raises(RegistryError) as info:
        c.get_manifest("assay/any", "latest")
    assert str(info.value) == f"registry {address} is unreachable: connection refused"
    assert info.value.diagnostics() == str(info.value)
