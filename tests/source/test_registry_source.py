"""registry: sources against a real docker-registry (pushed with skopeo), incl. multi-arch and auth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assay.errors import SourceError
from assay.source import RegistryOptions, open_source
from tests.source.imagebuild import F, Image, layer, write_oci_dir
from tests.source.test_image import base_image

pytestmark = pytest.mark.slow


def push(layout: Path, registry: str, ref: str, *, multi: bool = False) -> None:
    from tests.registry import skopeo_push

    repo, tag = ref.split(":")
    if multi:
        proc = subprocess.run(
            ["skopeo", "--insecure-policy", "copy", "--quiet", "--all", "--dest-tls-verify=false", f"oci:{layout}", f"docker://{registry}/{ref}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
    else:
        skopeo_push(layout, registry, repo, tag)


def test_registry_source_matches_oci_dir(tmp_path: Path, registry: str) -> None:
    img = base_image()
    digest = write_oci_dir(tmp_path / "lay", img)
    push(tmp_path / "lay", registry, "acme/app:1.0")
    src = open_source(f"registry:{registry}/acme/app:1.0", registry=RegistryOptions(insecure=True))
    info = src.describe()
    assert info.digest == digest
    assert info.image is not None and info.image.repo_digests == (f"{registry}/acme/app@{digest}",)
    assert info.image.label("org.opencontainers.image.revision") == "0123abc"
    r = src.resolver(["**/var/lib/dpkg/status"])
    assert r.read("/var/lib/dpkg/status").startswith(b"Package: hello")
    src.close()


def test_multi_arch_index_by_platform(tmp_path: Path, registry: str) -> None:
    lay = tmp_path / "lay"
    amd = write_oci_dir(lay, Image([layer(F("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"))], architecture="amd64"), tag="x")
    amd_desc = json.loads((lay / "index.json").read_text())["manifests"][0]
    arm = write_oci_dir(lay, Image([layer(F("etc/os-release", "ID=alpine\nVERSION_ID=3.20.0\n"))], architecture="arm64"), tag="x")
    arm_desc = json.loads((lay / "index.json").read_text())["manifests"][0]
    amd_desc["platform"] = {"os": "linux", "architecture": "amd64"}
    arm_desc["platform"] = {"os": "linux", "architecture": "arm64", "variant": "v8"}
    for d in (amd_desc, arm_desc):
        d.pop("annotations")
    inner = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [amd_desc, arm_desc]}).encode()
    import hashlib

    idx_digest = "sha256:" + hashlib.sha256(inner).hexdigest()
    (lay / "blobs/sha256" / idx_digest[7:]).write_bytes(inner)
    (lay / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": idx_digest, "size": len(inner), "annotations": {"org.opencontainers.image.ref.name": "multi"}}]})
    )
    # the oci-dir source resolves the nested index itself
    assert open_source(f"oci-dir:{lay}:multi", platform="linux/arm64").describe().digest == arm
    push(lay, registry, "acme/multi:1", multi=True)
    opts = RegistryOptions(insecure=True)
    assert open_source(f"registry:{registry}/acme/multi:1", registry=opts).describe().digest == amd  # default linux/amd64
    src = open_source(f"registry:{registry}/acme/multi:1", platform="linux/arm64", registry=opts)
    assert src.describe().digest == arm and src.describe().image.index_digest == idx_digest  # type: ignore[union-attr]
    with pytest.raises(SourceError, match="linux/s390x.*available: linux/amd64, linux/arm64"):
        open_source(f"registry:{registry}/acme/multi:1", platform="linux/s390x", registry=opts)


def test_registry_errors_are_one_line(tmp_path: Path, registry: str) -> None:
    from tests.registry import free_port

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "assay", "sbom", *args], capture_output=True, text=True, timeout=120, cwd=tmp_path)

    down = run(f"registry:127.0.0.1:{free_port()}/x/y:1", "--allow-insecure-registry")
    assert down.returncode == 1 and down.stderr.count("\n") == 1 and "unreachable" in down.stderr
    missing = run(f"registry:{registry}/nope/nope:1", "--allow-insecure-registry")
    assert missing.returncode == 1 and "manifest unknown" in missing.stderr and missing.stderr.count("\n") == 1
    https_only = run(f"registry:{registry}/nope/nope:1")
    assert https_only.returncode == 1 and "insecure" in https_only.stderr
