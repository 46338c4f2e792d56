"""``assay db update`` over HTTP and ``assay db push``/``pull`` through a registry."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.advisories.db import AdvisoryDB, DatabaseError, import_inputs
from assay.advisories.distribute import (
    CONFIG_MEDIA_TYPE,
    LAYER_MEDIA_TYPE,
    config_sources,
    download,
    pull,
    push,
    update,
)
from assay.errors import UsageError

FIX = Path(__file__).parent / "fixtures"


def osv_zip(*ids: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in ids:
            rec = {"id": i, "modified": "2099-01-01T00:00:00Z",
                   "affected": [{"package": {"ecosystem": "PyPI", "name": "alpha"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2"}]}]}]}  # fmt: skip
            zf.writestr(f"{i}.json", json.dumps(rec))
    return buf.getvalue()


class Feed:
    """A tiny HTTP server with one file per path, honouring If-None-Match and If-Modified-Since."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict[str, str], int]] = []
        feed = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = feed.files.get(self.path)
                headers = {k.lower(): v for k, v in self.headers.items()}
                if body is None:
                    code = 404
                    self.send_response(code)
                    self.end_headers()
                else:
                    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    if headers.get("if-none-match") == etag:
                        code = 304
                        self.send_response(code)
                        self.send_header("ETag", etag)
                        self.end_headers()
                    else:
                        code = 200
                        self.send_response(code)
                        self.send_header("ETag", etag)
                        self.send_header("Last-Modified", "Wed, 01 Jan 2099 00:00:00 GMT")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                feed.requests.append((self.path, headers, code))

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed() -> Iterator[Feed]:
    f = Feed()
    yield f
    f.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_update_downloads_then_gets_304(tmp_path: Path, feed: Feed) -> None:
    db = tmp_path / "assay.db"
    feed.files["/PyPI/all.zip"] = osv_zip("PYSEC-1", "PYSEC-2")
    url = feed.url + "/PyPI/all.zip"
    first = update(db, [url])
    assert first.downloaded == (url,) and first.imported is not None and first.imported.total == 2
    with AdvisoryDB.open(db) as d:
        assert len(d.affected("pypi", "alpha")) == 2
        built = d.status().built
        (src,) = d.status().sources
        validators = json.loads(d.meta("http"))
    assert src.location == url  # the URL, not the temporary file
    assert validators[url]["etag"].startswith('"') and validators[url]["last_modified"] == "Wed, 01 Jan 2099 00:00:00 GMT"

    second = update(db, [url])
    assert second.imported is None and second.not_modified == (url,)
    assert feed.requests[-1][2] == 304 and feed.requests[-1][1]["if-none-match"] == validators[url]["etag"]
    assert feed.requests[-1][1]["if-modified-since"] == "Wed, 01 Jan 2099 00:00:00 GMT"
    with AdvisoryDB.open(db) as d:
        assert d.status().built == built  # untouched

    feed.files["/PyPI/all.zip"] = osv_zip("PYSEC-1", "PYSEC-2", "PYSEC-3")
    third = update(db, [url])
    assert third.downloaded == (url,) and third.imported is not None
    with AdvisoryDB.open(db) as d:
        assert len(d.affected("pypi", "alpha")) == 3


def test_update_without_network_fails_in_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/PyPI/all.zip"
    with pytest.raises(DatabaseError) as exc:
        update(tmp_path / "assay.db", [url])
    msg = exc.value.diagnostics()
    assert msg.startswith(f"cannot download {url}: ") and "refused" in msg and "\n" not in msg
    assert not (tmp_path / "assay.db").exists()


def test_update_http_error_and_no_sources(tmp_path: Path, feed: Feed) -> None:
    with pytest.raises(DatabaseError, match=r"cannot download .*/missing.zip: HTTP 404"):
        update(tmp_path / "db", [feed.url + "/missing.zip"])
    with pytest.raises(UsageError, match="no advisory sources"):
        update(tmp_path / "db", [])


def test_import_from_url(tmp_path: Path, feed: Feed) -> None:
    feed.files["/x/all.zip"] = osv_zip("PYSEC-7")
    report = import_inputs(tmp_path / "db", [feed.url + "/x/all.zip"])
    assert report.records == {"osv": 1}


def test_download_progress(tmp_path: Path, feed: Feed) -> None:
    feed.files["/f.zip"] = osv_zip(*[f"PYSEC-{i}" for i in range(50)])
    seen: list[tuple[int, int | None]] = []
    d = download(feed.url + "/f.zip", tmp_path / "f.zip", progress=lambda done, total, _l: seen.append((done, total)))
    assert d.size == len(feed.files["/f.zip"]) and seen[-1] == (d.size, d.size)


def test_config_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / ".assay.yaml"
    cfg.write_text("db:\n  sources:\n    - https://example.invalid/PyPI/all.zip\n    - https://example.invalid/Go/all.zip\n")
    assert config_sources(cfg) == ["https://example.invalid/PyPI/all.zip", "https://example.invalid/Go/all.zip"]
    monkeypatch.chdir(tmp_path)
    assert config_sources() == ["https://example.invalid/PyPI/all.zip", "https://example.invalid/Go/all.zip"]
    cfg.write_text("db:\n  sources: https://x\n")
    with pytest.raises(UsageError, match="must be a list"):
        config_sources(cfg)
    with pytest.raises(UsageError, match="does not exist"):
        config_sources(tmp_path / "nope.yaml")
    cfg.unlink()
    assert config_sources() == []


@pytest.mark.slow
def test_push_and_pull_through_a_registry(tmp_path: Path, registry: str) -> None:
    import httpx

    src = tmp_path / "src.db"
    import_inputs(src, [str(FIX / "osv"), str(FIX / "distro")], kev=str(FIX / "kev.json"))
    ref = f"{registry}/assay/advisories:test"
    digest = push(src, ref, insecure=True)
    assert digest.startswith("sha256:")

    manifest = httpx.get(f"http://{registry}/v2/assay/advisories/manifests/test",
                         headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).json()  # fmt: skip
    assert manifest["config"]["mediaType"] == CONFIG_MEDIA_TYPE
    assert [layer["mediaType"] for layer in manifest["layers"]] == [LAYER_MEDIA_TYPE]

    dest = tmp_path / "pulled" / "assay.db"
    assert pull(ref, dest, insecure=True) == digest
    assert dest.read_bytes() == src.read_bytes()
    with AdvisoryDB.open(dest) as d:
        assert d.get("PYSEC-2099-1") is not None and d.kev("CVE-2099-1001") is not None
    assert [p.name for p in dest.parent.iterdir() if p.name.endswith(".tmp")] == []

    _push_plain_image(registry)
    with pytest.raises(DatabaseError, match="is not an assay database artifact"):
        pull(f"{registry}/plain/image:latest", tmp_path / "other.db", insecure=True)
    assert not (tmp_path / "other.db").exists()


def _push_plain_image(registry: str) -> None:
    from assay.oci.client import RegistryClient

    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    with RegistryClient(registry, insecure=True) as c:
        cd = c.put_blob("plain/image", config)
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
                    "layers": []}  # fmt: skip
        c.put_manifest("plain/image", "latest", json.dumps(manifest).encode(), "application/vnd.oci.image.manifest.v1+json")


def test_pull_rejects_tampered_content(tmp_path: Path) -> None:
    """A registry serving a layer that does not match the config's sqlite digest."""
    import httpx
    import zstandard

    src = tmp_path / "src.db"
    import_inputs(src, [str(FIX / "osv")])
    data = src.read_bytes()
    layer = zstandard.ZstdCompressor().compress(data[:-1] + bytes([data[-1] ^ 1]))  # one bit flipped
    config = json.dumps({"schemaVersion": 1, "sqlite": {"digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}}).encode()
    blobs = {"sha256:" + hashlib.sha256(b).hexdigest(): b for b in (layer, config)}
    manifest = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": "sha256:" + hashlib.sha256(config).hexdigest(), "size": len(config)},
        "layers": [{"mediaType": LAYER_MEDIA_TYPE, "digest": "sha256:" + hashlib.sha256(layer).hexdigest(), "size": len(layer)}],
    }).encode()  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v2/":
            return httpx.Response(200)
        if path.endswith("/manifests/v1"):
            return httpx.Response(200, content=manifest, headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        digest = path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=blobs[digest]) if digest in blobs else httpx.Response(404)

    dest = tmp_path / "dest.db"
    with pytest.raises(DatabaseError, match="database content does not match its config"):
        pull("registry.invalid/assay/db:v1", dest, transport=httpx.MockTransport(handler))
    assert not dest.exists() and [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
