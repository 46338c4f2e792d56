"""Signing and verification against registries.

Fast tests use the in-memory registry of tests/oci/fake.py behind the
client's injectable transport.  The slow ones use a real Debian
docker-registry, skopeo as the independent second client (push, ``copy
--all`` with ``use-sigstore-attachments``), a small fault-injecting proxy for
retries, and a dead port for "registry down"."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

import httpx
import pytest

from assay.errors import VerificationError
from assay.oci.client import DigestMismatch, RegistryClient
from assay.oci.cosign import attachment_tag, open_target
from assay.sign import attest_target, generate, sign_target
from assay.sign_cli import run
from assay.verify import verify_attestations, verify_signatures
from tests.oci.fake import HOST, FakeRegistry, sha
from tests.registry import free_port, skopeo_inspect_raw, skopeo_push, write_oci_layout

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip() and not x.startswith("assay: warning")]
    assert len(lines) == 1 and lines[0].startswith("assay: error: "), err
    return lines[0]


# --- fake registry ------------------------------------------------------------------------------


@pytest.fixture
def fake() -> tuple[FakeRegistry, str]:
    reg = FakeRegistry()
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    reg.add_blob("acme/app", config)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(config), "size": len(config)},
            "layers": [],
        }
    ).encode()
    return reg, reg.add_manifest("acme/app", manifest, OCI_MANIFEST, tag="v1")


def _target(reg: FakeRegistry, image: str = f"{HOST}/acme/app:v1"):  # type: ignore[no-untyped-def]
    return open_target(image, client_factory=lambda ref: RegistryClient(ref.registry, transport=reg.transport(), sleep=lambda s: None))


def test_sign_and_verify_through_the_client(fake: tuple[FakeRegistry, str]) -> None:
    reg, digest = fake
    signer = generate()
    [res] = sign_target(_target(reg), signer)
    assert res.digest == digest and res.tag == attachment_tag(digest, "sig")
    # the tag was resolved once, and never signed: the digest names the .sig tag
    assert not reg.sent("PUT", r"/manifests/v1$")
    assert reg.sent("PUT", rf"/manifests/{attachment_tag(digest, 'sig')}$")
    result = verify_signatures(_target(reg), [signer.public_key])
    assert result.digest == digest and len(result.verified) == 1
    attest_target(_target(reg), signer, b'{"bomFormat":"CycloneDX"}', "cyclonedx")
    assert verify_attestations(_target(reg), [signer.public_key], predicate_type="https://cyclonedx.org/bom").verified


def test_500_twice_then_200_passes_after_retries(fake: tuple[FakeRegistry, str]) -> None:
    reg, digest = fake
    signer = generate()
    sign_target(_target(reg), signer)
    tag = attachment_tag(digest, "sig")
    reg.requests.clear()
    reg.fail(lambda r: r.method == "GET" and r.url.path.endswith(f"/manifests/{tag}"), httpx.Response(500), times=2)
    assert verify_signatures(_target(reg), [signer.public_key]).verified
    assert len(reg.sent("GET", rf"/manifests/{tag}$")) == 3


def test_signature_manifest_not_matching_its_digest_is_rejected(fake: tuple[FakeRegistry, str]) -> None:
    reg, digest = fake
    signer = generate()
    sign_target(_target(reg), signer)
    tag = attachment_tag(digest, "sig")
    body, media_type = reg.manifests[("acme/app", tag)]
    tampered = body.replace(b'"layers":[', b'"layers":[ ')
    reg.fail(
        lambda r: r.method == "GET" and r.url.path.endswith(f"/manifests/{tag}"),
        httpx.Response(200, content=tampered, headers={"Content-Type": media_type, "Docker-Content-Digest": sha(body)}),
    )
    with pytest.raises(DigestMismatch, match=f"manifest digest mismatch for {HOST}/acme/app:{tag}"):
        verify_signatures(_target(reg), [signer.public_key])


def test_payload_blob_not_matching_its_digest_is_rejected(fake: tuple[FakeRegistry, str]) -> None:
    reg, _ = fake
    signer = generate()
    [res] = sign_target(_target(reg), signer)
    layer = sha(res.payload)
    reg.blobs[layer] = res.payload.replace(b"cosign container", b"cosign-container")
    with pytest.raises(VerificationError, match="layer 0: blob digest mismatch"):
        verify_signatures(_target(reg), [signer.public_key])


def test_pinned_digest_is_used_as_is(fake: tuple[FakeRegistry, str]) -> None:
    reg, digest = fake
    signer = generate()
    sign_target(_target(reg, f"{HOST}/acme/app@{digest}"), signer)
    assert not reg.sent("HEAD", r"/manifests/v1$")
    assert verify_signatures(_target(reg), [signer.public_key]).verified


# --- real registry ----------------------------------------------------------------------------


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.setenv("ASSAY_PASSWORD", "registry-pw")
    assert run(["-q", "keygen", "--output-key-prefix", str(tmp_path / "cosign")]) == 0
    return str(tmp_path / "cosign.key"), str(tmp_path / "cosign.pub")


def _push(tmp_path: Path, registry: str, repo: str, tag: str = "v1", files: dict[str, bytes] | None = None) -> str:
    layout = tmp_path / f"layout-{repo.replace('/', '-')}-{tag}"
    digest = write_oci_layout(layout, files)
    skopeo_push(layout, registry, repo, tag)
    return digest


@pytest.mark.slow
def test_cli_end_to_end_and_the_json_in_the_registry(
    tmp_path: Path, registry: str, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    key, pub = keys
    digest = _push(tmp_path, registry, "e2e/app")
    image = f"{registry}/e2e/app:v1"
    flags = ["--allow-insecure-registry"]
    assert run(["sign", "--key", key, "-a", "ci=yes", *flags, image]) == 0
    assert f"signed {registry}/e2e/app@{digest} (tag 'v1' resolved to this digest)" in capsys.readouterr().err
    other_key = tmp_path / "second"
    assert run(["-q", "keygen", "--output-key-prefix", str(other_key)]) == 0
    assert run(["sign", "--key", f"{other_key}.key", *flags, image]) == 0
    capsys.readouterr()
    # two signatures side by side, as another client (skopeo) sees them
    sig = json.loads(skopeo_inspect_raw(registry, f"e2e/app:{attachment_tag(digest, 'sig')}"))
    assert [x["mediaType"] for x in sig["layers"]] == ["application/vnd.dev.cosign.simplesigning.v1+json"] * 2
    assert all(list(x["annotations"]) == ["dev.cosignproject.cosign/signature"] for x in sig["layers"])
    for k in (pub, f"{other_key}.pub"):
        assert run(["verify", "--key", k, *flags, image]) == 0
    assert capsys.readouterr().out.count("1 of 2 signatures valid") == 2
    sbom = tmp_path / "sbom.cdx.json"
    sbom.write_text(
        json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "zlib", "version": "1.3"}]})
    )
    vuln = tmp_path / "vuln.json"
    vuln.write_text(
        json.dumps(
            {
                "scanner": {"uri": "pkg:github/anchore/grype", "version": "0", "result": {}},
                "metadata": {"scanStartedOn": "2026-01-01T00:00:00Z", "scanFinishedOn": "2026-01-01T00:00:01Z"},
            }
        )
    )
    assert run(["attest", "--key", key, "--type", "cyclonedx", "--predicate", str(sbom), *flags, image]) == 0
    assert run(["attest", "--key", key, "--type", "vuln", "--predicate", str(vuln), *flags, image]) == 0
    att = json.loads(skopeo_inspect_raw(registry, f"e2e/app:{attachment_tag(digest, 'att')}"))
    assert [x["annotations"]["predicateType"] for x in att["layers"]] == [
        "https://cyclonedx.org/bom",
        "https://cosign.sigstore.dev/attestation/vuln/v1",
    ]
    capsys.readouterr()
    assert run(["verify-attestation", "--key", pub, "--type", "vuln", "-o", "json", *flags, image]) == 0
    [statement] = json.loads(capsys.readouterr().out)
    assert list(statement["predicate"]) == ["scanner", "metadata"]  # cosign's struct order
    assert run(["download", "sbom", *flags, image]) == 0
    assert json.loads(capsys.readouterr().out)["components"][0]["name"] == "zlib"
    assert run(["tree", *flags, image]) == 0
    out = capsys.readouterr().out
    assert out.count("└── sha256:") == 4 and "https://cosign.sigstore.dev/attestation/vuln/v1" in out


@pytest.mark.slow
def test_skopeo_copy_carries_our_signature(tmp_path: Path, registry: str, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("skopeo") is None:
        pytest.skip("skopeo not installed")
    key, pub = keys
    digest = _push(tmp_path, registry, "interop/src")
    src = f"{registry}/interop/src:v1"
    assert run(["-q", "sign", "--key", key, "--allow-insecure-registry", src]) == 0
    sbom = tmp_path / "sbom.spdx.json"
    sbom.write_text(json.dumps({"spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "src"}))
    assert run(["-q", "attest", "--key", key, "--type", "spdxjson", "--predicate", str(sbom), "--allow-insecure-registry", src]) == 0
    regd = tmp_path / "registries.d"
    regd.mkdir()
    (regd / "default.yaml").write_text("default-docker:\n  use-sigstore-attachments: true\n")
    proc = subprocess.run(
        [
            "skopeo",
            "--insecure-policy",
            "--registries.d",
            str(regd),
            "copy",
            "--all",
            "--preserve-digests",
            "--src-tls-verify=false",
            "--dest-tls-verify=false",
            f"docker://{src}",
            f"docker://{registry}/interop/dst:v1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    src_sig = json.loads(skopeo_inspect_raw(registry, f"interop/src:{attachment_tag(digest, 'sig')}"))
    dst_sig = json.loads(skopeo_inspect_raw(registry, f"interop/dst:{attachment_tag(digest, 'sig')}"))
    # skopeo rewrites the manifest and config, but the signed layer and its annotation arrive intact
    assert [(x["digest"], x["annotations"]) for x in dst_sig["layers"]] == [(x["digest"], x["annotations"]) for x in src_sig["layers"]]
    capsys.readouterr()
    dst = f"{registry}/interop/dst:v1"
    assert run(["verify", "--key", pub, "--allow-insecure-registry", "--allow-reference-mismatch", dst]) == 0
    # the payload still names the source repository
    assert run(["verify", "--key", pub, "--allow-insecure-registry", dst]) == 1
    assert f"claims docker-reference '{registry}/interop/src', not {registry}/interop/dst" in _one_line(capsys.readouterr().err)
    # containers/image carries signatures only; the attestation stays verifiable at the source
    assert run(["verify-attestation", "--key", pub, "--type", "spdxjson", "--allow-insecure-registry", src]) == 0
    # and we can append to the manifest skopeo wrote
    assert run(["-q", "sign", "--key", key, "--allow-insecure-registry", dst]) == 0
    assert run(["verify", "--key", pub, "--allow-insecure-registry", dst]) == 0
    assert "1 of 2 signatures valid" in capsys.readouterr().out


@pytest.mark.slow
def test_recursive_signing_of_a_pushed_index(tmp_path: Path, registry: str, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    key, pub = keys
    layout = tmp_path / "multi"
    amd = write_oci_layout(layout, architecture="amd64")
    arm_dir = tmp_path / "arm"
    arm = write_oci_layout(arm_dir, {"etc/os-release": b"ID=arm\n"}, architecture="arm64")
    for f in (arm_dir / "blobs" / "sha256").iterdir():
        (layout / "blobs" / "sha256" / f.name).write_bytes(f.read_bytes())
    blobs = layout / "blobs" / "sha256"
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": d, "size": (blobs / d[7:]).stat().st_size, "platform": {"os": "linux", "architecture": a}}
                for d, a in ((amd, "amd64"), (arm, "arm64"))
            ],
        }
    ).encode()
    idx = sha(index)
    (blobs / idx[7:]).write_bytes(index)
    (layout / "index.json").write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": "application/vnd.oci.image.index.v1+json",
                        "digest": idx,
                        "size": len(index),
                        "annotations": {"org.opencontainers.image.ref.name": "latest"},
                    }
                ],
            }
        )
    )
    proc = subprocess.run(
        [
            "skopeo",
            "--insecure-policy",
            "copy",
            "--all",
            "--preserve-digests",
            "--dest-tls-verify=false",
            f"oci:{layout}:latest",
            f"docker://{registry}/multi/app:v1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    image = f"{registry}/multi/app:v1"
    assert run(["sign", "--key", key, "--allow-insecure-registry", image]) == 0
    err = capsys.readouterr().err
    assert f"signed {registry}/multi/app@{idx}" in err and "is an image index of 2 manifests" in err
    assert run(["-q", "sign", "--key", key, "--recursive", "--allow-insecure-registry", image]) == 0
    for d in (idx, amd, arm):
        assert run(["verify", "--key", pub, "--allow-insecure-registry", f"{registry}/multi/app@{d}"]) == 0


class _FaultProxy:
    """A tiny HTTP proxy in front of the registry that answers 500 to the
    next N requests whose path matches a pattern (bounded, loopback only)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.faults: list[tuple[str, str]] = []  # (method, path regex)
        self.seen: list[tuple[str, str, int]] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                for i, (method, pattern) in enumerate(proxy.faults):
                    if method == self.command and re.search(pattern, self.path):
                        del proxy.faults[i]
                        proxy.seen.append((self.command, self.path, 500))
                        self.send_response(500)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                conn = http.client.HTTPConnection(proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                proxy.seen.append((self.command, self.path, resp.status))
                self.send_response(resp.status)
                for k, v in resp.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(registry: str) -> Iterator[_FaultProxy]:
    with _FaultProxy(registry) as p:
        yield p


@pytest.mark.slow
def test_cli_verify_passes_after_two_500s(tmp_path: Path, proxy: _FaultProxy, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    key, pub = keys
    digest = _push(tmp_path, proxy.upstream, "retry/app")
    image = f"{proxy.address}/retry/app:v1"
    assert run(["-q", "sign", "--key", key, "--allow-insecure-registry", image]) == 0
    tag = attachment_tag(digest, "sig")
    proxy.faults += [("GET", rf"/manifests/{tag}$")] * 2
    proxy.seen.clear()
    assert run(["verify", "--key", pub, "--allow-insecure-registry", image]) == 0
    assert [s for _, p, s in proxy.seen if p.endswith(f"/manifests/{tag}")] == [500, 500, 200]
    capsys.readouterr()
    # five 500s in a row exhaust the retries: one clear line
    proxy.faults += [("GET", rf"/manifests/{tag}$")] * 5
    assert run(["verify", "--key", pub, "--allow-insecure-registry", image]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"HTTP 500 on GET /v2/retry/app/manifests/{tag} after 4 attempts" in line


@pytest.mark.slow
def test_registry_down_is_one_line(tmp_path: Path, keys: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    _, pub = keys
    port = free_port()
    assert run(["verify", "--key", pub, "--allow-insecure-registry", f"127.0.0.1:{port}/nobody/home:v1"]) == 1
    line = _one_line(capsys.readouterr().err)
    assert f"registry 127.0.0.1:{port} is unreachable: connection refused" in line
