"""RegistryClient against the in-memory fake registry (httpx.MockTransport)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

import httpx
import pytest

from assay.errors import RegistryError, SourceError
from assay.oci import mediatypes as mt
from assay.oci.client import DigestMismatch, RegistryClient, referrers_tag
from assay.oci.reference import parse_reference
from tests.oci.fake import HOST, FakeRegistry, err, sha

MANIFEST = json.dumps(
    {"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "config": {"mediaType": mt.OCI_CONFIG, "digest": sha(b"{}"), "size": 2}, "layers": []}
).encode()
DOCKER_MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": mt.DOCKER_MANIFEST, "config": {}, "layers": []}).encode()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(fake: FakeRegistry, **kw: object) -> tuple[RegistryClient, Sleeps]:
    sleeps = Sleeps()
    return RegistryClient(HOST, transport=fake.transport(), sleep=sleeps, **kw), sleeps  # type: ignore[arg-type]


def is_manifest_get(r: httpx.Request) -> bool:
    return r.method == "GET" and "/manifests/" in r.url.path


# --- retries ---------------------------------------------------------------------------


def test_500_twice_then_ok() -> None:
    fake = FakeRegistry()
    fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    fake.fail(is_manifest_get, err(500, "UNKNOWN", "boom"), times=2)
    c, sleeps = client(fake)
    body, media_type, digest = c.get_manifest("app", "v1")
    assert body == MANIFEST and media_type == mt.OCI_MANIFEST and digest == sha(MANIFEST)
    assert len(fake.sent("GET", "/manifests/")) == 3
    # exponential backoff with jitter: base 0.2 -> [0.1, 0.2], then [0.2, 0.4]
    assert len(sleeps) == 2 and 0.1 <= sleeps[0] <= 0.2 and 0.2 <= sleeps[1] <= 0.4


def test_429_honours_retry_after() -> None:
    fake = FakeRegistry()
    fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    fake.fail(is_manifest_get, httpx.Response(429, headers={"Retry-After": "3"}))
    fake.fail(is_manifest_get, httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    fake.fail(is_manifest_get, httpx.Response(429, headers={"Retry-After": "7200"}))
    c, sleeps = client(fake, max_retry_after=30.0)
    c.get_manifest("app", "v1")
    # 3 s as asked; a date in the past means now; an absurd wait is capped
    assert sleeps == [3.0, 0.0, 30.0]


def test_always_500_fails_with_one_line() -> None:
    fake = FakeRegistry()
    fake.fail(is_manifest_get, err(500, "UNKNOWN", "storage\nbackend down"), times=10)
    c, sleeps = client(fake, retries=4)
    with pytest.raises(RegistryError) as info:
        c.get_manifest("app", "v1")
    assert str(info.value) == (
        "registry reg.example failed: HTTP 500 on GET /v2/app/manifests/v1 after 4 attempts: storage backend down"
    )
    assert len(fake.sent("GET", "/manifests/")) == 4 and len(sleeps) == 3
    # the cap bounds the delay however many attempts there are
    c2, sleeps2 = client(fake, retries=6, backoff=1.0, backoff_cap=2.0)
    with pytest.raises(RegistryError, match="after 6 attempts"):
        c2.get_manifest("app", "v1")
    assert max(sleeps2) <= 2.0


def test_429_exhausted() -> None:
    fake = FakeRegistry()
    fake.fail(is_manifest_get, err(429, "TOOMANYREQUESTS", "pull rate limit", {"Retry-After": "0"}), times=5)
    c, _ = client(fake, retries=2)
    with pytest.raises(RegistryError, match=r"^too many requests: HTTP 429 on GET /v2/app/manifests/v1 after 2 attempts: pull rate limit$"):
        c.get_manifest("app", "v1")


@pytest.mark.parametrize(
    "exc, reason",
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection refused"),
        (httpx.ConnectTimeout("timed out"), "connection timed out"),
        (httpx.ReadTimeout("read timed out"), "timed out"),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "name or service not known"),
    ],
)
def test_transport_errors_retried_then_one_line(exc: Exception, reason: str) -> None:
    fake = FakeRegistry()
    fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    fake.fail(is_manifest_get, exc, times=3)
    c, sleeps = client(fake)
    assert c.get_manifest("app", "v1")[0] == MANIFEST  # 3 failures, 4th attempt works
    assert len(sleeps) == 3
    fake.fail(is_manifest_get, exc, times=4)
    with pytest.raises(RegistryError) as info:
        c.get_manifest("app", "v1")
    assert str(info.value) == f"registry reg.example is unreachable: {reason}"


# --- manifests ---------------------------------------------------------------------------


def test_accept_lists_every_manifest_type() -> None:
    fake = FakeRegistry()
    fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    c, _ = client(fake)
    c.get_manifest("app", "v1")
    accept = fake.requests[-1].headers["accept"]
    assert all(t in accept for t in (mt.OCI_MANIFEST, mt.OCI_INDEX, mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST))
    # the fake (like Debian's registry) hides OCI manifests from clients that do not accept them
    with pytest.raises(RegistryError, match=r"^manifest unknown: reg.example/app:v1$"):
        c.get_manifest("app", "v1", accept=[mt.DOCKER_MANIFEST])


def test_manifest_by_digest_and_head_and_resolve() -> None:
    fake = FakeRegistry()
    digest = fake.add_manifest("team/app", DOCKER_MANIFEST, mt.DOCKER_MANIFEST, tag="v1")
    c, _ = client(fake)
    assert c.get_manifest("team/app", digest) == (DOCKER_MANIFEST, mt.DOCKER_MANIFEST, digest)
    desc = c.head_manifest("team/app", "v1")
    assert desc is not None and (desc.digest, desc.media_type, desc.size) == (digest, mt.DOCKER_MANIFEST, len(DOCKER_MANIFEST))
    assert c.head_manifest("team/app", "nope") is None
    assert c.resolve(parse_reference(f"{HOST}/team/app:v1")) == digest
    pinned = parse_reference(f"{HOST}/team/app@{digest}")
    n = len(fake.requests)
    assert c.resolve(pinned) == digest and len(fake.requests) == n  # no request for a pinned reference
    with pytest.raises(RegistryError, match=r"^manifest unknown: reg.example/team/app:gone$"):
        c.resolve(parse_reference(f"{HOST}/team/app:gone"))


def test_manifest_digest_mismatch_rejected() -> None:
    fake = FakeRegistry()
    other = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "evil": True}).encode()
    wanted = sha(MANIFEST)
    fake.manifests[("app", wanted)] = (other, mt.OCI_MANIFEST)  # registry serves the wrong body
    c, _ = client(fake)
    with pytest.raises(DigestMismatch) as info:
        c.get_manifest("app", wanted)
    assert str(info.value) == f"manifest digest mismatch for reg.example/app@{wanted}: content is {sha(other)}"
    assert isinstance(info.value, SourceError)
    # by tag: the body must match what Docker-Content-Digest claims
    fake.fail(
        is_manifest_get,
        httpx.Response(200, content=other, headers={"Content-Type": mt.OCI_MANIFEST, "Docker-Content-Digest": wanted}),
    )
    with pytest.raises(DigestMismatch, match=f"registry says {wanted}, content is {sha(other)}"):
        c.get_manifest("app", "v1")


def test_media_type_from_body_and_schema1_rejected() -> None:
    fake = FakeRegistry()
    fake.fail(is_manifest_get, httpx.Response(200, content=DOCKER_MANIFEST, headers={"Content-Type": "application/json"}))
    c, _ = client(fake)
    assert c.get_manifest("app", "v1")[1] == mt.DOCKER_MANIFEST
    v1 = json.dumps({"schemaVersion": 1, "name": "app", "fsLayers": []}).encode()
    fake.fail(is_manifest_get, httpx.Response(200, content=v1, headers={"Content-Type": mt.DOCKER_MANIFEST_V1_SIGNED}))
    with pytest.raises(RegistryError, match="obsolete Docker schema 1"):
        c.get_manifest("app", "v1")
    fake.fail(is_manifest_get, httpx.Response(200, content=b"<html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(RegistryError, match="manifest reg.example/app:v1 is not valid JSON"):
        c.get_manifest("app", "v1")


def test_manifest_size_cap() -> None:
    fake = FakeRegistry()
    fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    c, _ = client(fake, max_manifest_size=10)
    with pytest.raises(RegistryError, match=r"manifest reg.example/app:v1 is too large \(\d+ bytes, limit 10\)"):
        c.get_manifest("app", "v1")


def test_put_manifest_by_digest_checks_content() -> None:
    fake = FakeRegistry()
    c, _ = client(fake)
    d = sha(MANIFEST)
    assert c.put_manifest("app", d, MANIFEST, mt.OCI_MANIFEST) == d
    assert fake.sent("PUT")[-1].headers["content-type"] == mt.OCI_MANIFEST
    with pytest.raises(DigestMismatch, match="does not match that digest"):
        c.put_manifest("app", sha(b"other"), MANIFEST, mt.OCI_MANIFEST)
    assert len(fake.sent("PUT")) == 1  # nothing sent for the bad one
    with pytest.raises(SourceError, match="invalid tag"):
        c.put_manifest("app", "bad tag!", MANIFEST, mt.OCI_MANIFEST)


def test_errors_are_one_line() -> None:
    fake = FakeRegistry()
    fake.fail(lambda r: r.method == "PUT", err(400, "MANIFEST_BLOB_UNKNOWN", "blob unknown to registry"))
    fake.fail(is_manifest_get, err(403, "DENIED", "requested access to the resource is denied"))
    c, _ = client(fake)
    with pytest.raises(RegistryError) as info:
        c.put_manifest("app", "v1", MANIFEST, mt.OCI_MANIFEST)
    assert str(info.value) == (
        "registry reg.example returned HTTP 400 for push of manifest reg.example/app:v1: blob unknown to registry"
    )
    with pytest.raises(RegistryError, match=r"^denied: manifest reg.example/app:v1: requested access to the resource is denied$"):
        c.get_manifest("app", "v1")


# --- blobs ---------------------------------------------------------------------------------


def test_get_and_head_blob() -> None:
    fake = FakeRegistry()
    d = fake.add_blob("app", b"config-bytes")
    c, _ = client(fake)
    assert c.get_blob("app", d) == b"config-bytes"
    assert c.head_blob("app", d) == len(b"config-bytes")
    assert c.head_blob("other", d) is None
    with pytest.raises(RegistryError, match=f"^blob unknown: reg.example/other@{d}$"):
        c.get_blob("other", d)
    with pytest.raises(RegistryError, match="is too large"):
        c.get_blob("app", d, max_size=4)


def test_blob_digest_mismatch() -> None:
    fake = FakeRegistry()
    d = fake.add_blob("app", b"good")
    fake.blobs[d] = b"evil"
    c, _ = client(fake)
    with pytest.raises(DigestMismatch, match=f"blob digest mismatch for reg.example/app@{d}: content is {sha(b'evil')}"):
        c.get_blob("app", d)
    reader = c.open_blob("app", d)
    assert reader.read(2) == b"ev"  # streaming hands data over as it comes...
    with pytest.raises(DigestMismatch):  # ...and refuses at EOF
        reader.read()
    with pytest.raises(DigestMismatch), c.open_blob("app", d) as r:
        r.read(1)  # leaving the block verifies the rest


def _layer(n_files: int = 50) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(n_files):
            data = f"file {i}\n".encode() * 200
            info = tarfile.TarInfo(f"dir/f{i}.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def test_open_blob_streams_into_tarfile() -> None:
    layer = _layer()
    fake = FakeRegistry()
    d = fake.add_blob("app", layer)
    c, _ = client(fake)
    with c.open_blob("app", d, size=len(layer)) as blob:
        with tarfile.open(fileobj=blob, mode="r|gz") as tar:
            names = [m.name for m in tar]
        blob.finish()
        assert blob.bytes_read == len(layer)
    assert names == [f"dir/f{i}.txt" for i in range(50)]
    # a wrong declared size is caught
    with pytest.raises(DigestMismatch, match="larger than its declared size 10"):
        c.open_blob("app", d, size=10).read()


def test_blob_redirect_drops_authorization() -> None:
    fake = FakeRegistry(basic=("u", "p"))
    d = fake.add_blob("app", b"payload")
    storage: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "storage.example":
            storage.append(request)
            return httpx.Response(200, content=b"payload")
        if request.method == "GET" and "/blobs/" in request.url.path and request.headers.get("authorization"):
            fake.requests.append(request)
            return httpx.Response(307, headers={"Location": "https://storage.example/blob?sig=1"})
        return fake.handle(request)

    from assay.oci.auth import Credentials

    c = RegistryClient(HOST, auth=Credentials(username="u", password="p"), transport=httpx.MockTransport(handler))
    assert c.get_blob("app", d) == b"payload"
    assert len(storage) == 1 and "authorization" not in storage[0].headers


def test_put_blob_post_then_put() -> None:
    fake = FakeRegistry()
    c, _ = client(fake)
    d = c.put_blob("app", b"hello blob")
    assert d == sha(b"hello blob") and fake.blobs[d] == b"hello blob"
    assert [(r.method, r.url.path) for r in fake.requests] == [
        ("HEAD", f"/v2/app/blobs/{d}"),
        ("POST", "/v2/app/blobs/uploads/"),
        ("PUT", fake.requests[2].url.path),
    ]
    put = fake.requests[2]
    assert put.url.params["digest"] == d and put.url.params["_state"] == "abc"  # session state kept
    assert put.content == b"hello blob"
    assert "digest" not in fake.requests[1].url.params  # never a single monolithic POST
    # already there: only a HEAD
    n = len(fake.requests)
    assert c.put_blob("app", b"hello blob", d) == d
    assert [r.method for r in fake.requests[n:]] == ["HEAD"]


def test_put_blob_chunked() -> None:
    fake = FakeRegistry()
    c, _ = client(fake, chunk_size=10)
    data = bytes(range(25))
    d = c.put_blob("app", io.BytesIO(data))
    assert d == sha(data) and fake.blobs[d] == data
    patches = fake.sent("PATCH")
    assert [p.headers["content-range"] for p in patches] == ["0-9", "10-19", "20-24"]
    assert [p.content for p in patches] == [data[:10], data[10:20], data[20:]]
    final = fake.sent("PUT")[-1]
    assert final.url.params["digest"] == d and final.content == b""
    # large bytes are chunked too
    c.put_blob("other", data * 2)
    assert len(fake.sent("PATCH")) == 3 + 5


def test_put_blob_wrong_digest() -> None:
    fake = FakeRegistry()
    c, _ = client(fake, chunk_size=4)
    with pytest.raises(DigestMismatch, match="does not match that digest"):
        c.put_blob("app", b"data", sha(b"other"))
    assert fake.requests == []  # caught before anything is sent
    with pytest.raises(DigestMismatch):
        c.put_blob("app", io.BytesIO(b"streamed data"), sha(b"other"))
    assert fake.sent("DELETE") and not fake.uploads  # the upload session was cancelled
    assert sha(b"streamed data") not in fake.blobs


def test_cross_repo_mount() -> None:
    fake = FakeRegistry()
    d = fake.add_blob("base", b"shared layer")
    c, _ = client(fake)
    assert c.mount_blob("app", d, "base") is True
    assert ("app", d) in fake.repo_blobs
    post = fake.sent("POST")[-1]
    assert post.url.params["mount"] == d and post.url.params["from"] == "base"
    # not mountable: the session the registry opened is cancelled
    assert c.mount_blob("app2", sha(b"missing"), "base") is False
    assert fake.sent("DELETE") and not fake.uploads
    # put_blob with mount_from uses the mount and uploads nothing
    n = len(fake.requests)
    assert c.put_blob("app3", b"shared layer", d, mount_from="base") == d
    assert [r.method for r in fake.requests[n:]] == ["HEAD", "POST"]


# --- tags and referrers ----------------------------------------------------------------------------


def test_list_tags_paginated() -> None:
    fake = FakeRegistry(tags_page=2)
    for t in ["v1", "v2", "v3", "v4", "v5"]:
        fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag=t)
    c, _ = client(fake)
    assert c.list_tags("app") == ["v1", "v2", "v3", "v4", "v5"]
    assert len(fake.sent("GET", "/tags/list")) == 3
    assert c.list_tags("app", page_size=10) == ["v1", "v2", "v3", "v4", "v5"]
    with pytest.raises(RegistryError, match="^repository unknown: reg.example/nothing$"):
        c.list_tags("nothing")


def test_list_tags_pagination_loop() -> None:
    fake = FakeRegistry()
    fake.fail(
        lambda r: "/tags/list" in r.url.path,
        httpx.Response(200, json={"tags": ["a"]}, headers={"Link": '</v2/app/tags/list?last=a>; rel="next"'}),
        times=3,
    )
    c, _ = client(fake)
    with pytest.raises(RegistryError, match="pagination loop"):
        c.list_tags("app")


def _artifact(subject: str, artifact_type: str) -> bytes:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": mt.OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": {"mediaType": mt.OCI_EMPTY, "digest": mt.OCI_EMPTY_DIGEST, "size": 2},
            "layers": [],
            "subject": {"mediaType": mt.OCI_MANIFEST, "digest": subject, "size": len(MANIFEST)},
        }
    ).encode()


def test_referrers_api() -> None:
    fake = FakeRegistry(referrers_api=True)
    subject = fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    sig = fake.add_manifest("app", _artifact(subject, mt.COSIGN_ARTIFACT_SIGNATURE), mt.OCI_MANIFEST)
    sbom = fake.add_manifest("app", _artifact(subject, "application/spdx+json"), mt.OCI_MANIFEST)
    c, _ = client(fake)
    assert {d.digest for d in c.referrers("app", subject)} == {sig, sbom}
    (only,) = c.referrers("app", subject, artifact_type=mt.COSIGN_ARTIFACT_SIGNATURE)
    assert only.digest == sig and only.artifact_type == mt.COSIGN_ARTIFACT_SIGNATURE
    assert fake.sent("GET", "/referrers/")[-1].url.params["artifactType"] == mt.COSIGN_ARTIFACT_SIGNATURE
    assert c.referrers("app", sha(b"nothing")) == []


def test_referrers_fallback_to_tag_schema() -> None:
    fake = FakeRegistry(referrers_api=False)
    subject = fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    c, _ = client(fake)
    assert c.referrers("app", subject) == []  # no API and no fallback tag
    sig_body = _artifact(subject, mt.COSIGN_ARTIFACT_SIGNATURE)
    index = {
        "schemaVersion": 2,
        "mediaType": mt.OCI_INDEX,
        "manifests": [
            {"mediaType": mt.OCI_MANIFEST, "digest": sha(sig_body), "size": len(sig_body), "artifactType": mt.COSIGN_ARTIFACT_SIGNATURE},
            {"mediaType": mt.OCI_MANIFEST, "digest": sha(b"x"), "size": 1, "artifactType": "application/spdx+json"},
        ],
    }
    tag = referrers_tag(subject)
    assert tag == "sha256-" + subject.split(":")[1]
    fake.add_manifest("app", json.dumps(index).encode(), mt.OCI_INDEX, tag=tag)
    assert [d.artifact_type for d in c.referrers("app", subject)] == [mt.COSIGN_ARTIFACT_SIGNATURE, "application/spdx+json"]
    (sig,) = c.referrers("app", subject, artifact_type=mt.COSIGN_ARTIFACT_SIGNATURE)
    assert sig.digest == sha(sig_body)


# --- schemes and hosts ------------------------------------------------------------------------------


def test_https_by_default_and_docker_hub_host() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(404)

    c = RegistryClient("index.docker.io", transport=httpx.MockTransport(handler))
    assert c.head_blob("library/alpine", sha(b"x")) is None
    assert seen == [f"https://registry-1.docker.io/v2/library/alpine/blobs/{sha(b'x')}"]


@pytest.mark.parametrize("https_works", [True, False])
def test_insecure_probes_https_then_http(https_works: bool) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.scheme} {request.url.path}")
        if request.url.scheme == "https" and not https_works:
            raise httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")
        return httpx.Response(404)

    c = RegistryClient("127.0.0.1:5000", insecure=True, transport=httpx.MockTransport(handler), sleep=lambda s: None)
    c.head_blob("a", sha(b"x"))
    c.head_blob("a", sha(b"y"))
    scheme = "https" if https_works else "http"
    assert seen == ["https /v2/", f"{scheme} /v2/a/blobs/{sha(b'x')}", f"{scheme} /v2/a/blobs/{sha(b'y')}"]


def test_secure_client_never_falls_back_to_http() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.scheme == "https"
        raise httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)")

    c = RegistryClient("127.0.0.1:5000", transport=httpx.MockTransport(handler), sleep=lambda s: None)
    with pytest.raises(RegistryError) as info:
        c.head_blob("a", sha(b"x"))
    assert str(info.value) == "registry 127.0.0.1:5000 is unreachable: TLS error: wrong version number (a plain-http registry needs insecure mode)"


def test_open_blob_interrupted_mid_stream() -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self):  # type: ignore[no-untyped-def]
            yield b"abc"
            raise httpx.ReadError("[Errno 104] Connection reset by peer")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Broken())

    c = RegistryClient(HOST, transport=httpx.MockTransport(handler))
    d = sha(b"abcdef")
    blob = c.open_blob("app", d)
    assert blob.read(3) == b"abc"
    with pytest.raises(RegistryError) as info:
        blob.read(3)
    assert str(info.value) == f"download of blob reg.example/app@{d} was interrupted: connection reset by peer"
    with pytest.raises(RegistryError, match="failed: connection reset by peer"):
        c.get_blob("app", d)


def test_credentials_not_sent_to_foreign_upload_location() -> None:
    fake = FakeRegistry(basic=("u", "p"))
    foreign: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "upload.example":
            foreign.append(request)
            return httpx.Response(201, headers={"Docker-Content-Digest": sha(b"data")})
        if request.method == "POST" and request.headers.get("authorization"):
            return httpx.Response(202, headers={"Location": "https://upload.example/session/1?sig=x"})
        return fake.handle(request)

    from assay.oci.auth import Credentials

    c = RegistryClient(HOST, auth=Credentials(username="u", password="p"), transport=httpx.MockTransport(handler))
    assert c.put_blob("app", b"data") == sha(b"data")
    (put,) = foreign
    assert put.method == "PUT" and "authorization" not in put.headers and put.url.params["digest"] == sha(b"data")


def test_for_reference_uses_explicit_credentials() -> None:
    ref = parse_reference("reg.example/team/app:v1")
    c = RegistryClient.for_reference(ref, username="u", password="p", transport=FakeRegistry().transport())
    assert c.registry == "reg.example" and c.auth.credentials is not None and c.auth.credentials.username == "u"
    assert "p" not in repr(c.auth).replace("password", "")
