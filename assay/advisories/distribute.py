"""Moving advisory data around: HTTP downloads for ``assay db update``, and the
database as an OCI artifact for ``assay db push``/``pull`` (air-gapped CI).

``update`` downloads each configured URL (``.assay.yaml``: ``db: {sources:
[url, ...]}``, or ``--url``) with ``If-None-Match``/``If-Modified-Since``
from the validators stored in the database's meta, imports only what changed,
and stores the new validators in the same atomic write.  Without a network it
fails with one line naming the URL and the reason.

The OCI artifact is an image manifest (OCI 1.1 artifact style) with

* ``artifactType`` :data:`ARTIFACT_TYPE`,
* a config blob :data:`CONFIG_MEDIA_TYPE` (JSON: schema version, build time,
  counts, and the sha256 and size of the uncompressed SQLite file),
* one layer :data:`LAYER_MEDIA_TYPE`: the SQLite file compressed with zstd.

``pull`` checks the manifest's media types and the schema version before
downloading, verifies the layer digest (the client does) and the
uncompressed file's sha256 from the config, then installs it atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence, cast

from ..errors import UsageError
from .db import SCHEMA_VERSION, AdvisoryDB, DatabaseError, DatabaseWriter, ImportReport, _fsync_dir, default_db_path, import_inputs
from .feeds import Warn

__all__ = [
    "ARTIFACT_TYPE",
    "CONFIG_MEDIA_TYPE",
    "LAYER_MEDIA_TYPE",
    "Download",
    "UpdateReport",
    "download",
    "download_to_temp",
    "config_sources",
    "update",
    "push",
    "pull",
]

ARTIFACT_TYPE = "application/vnd.assay.db.v1"
CONFIG_MEDIA_TYPE = "application/vnd.assay.db.config.v1+json"
LAYER_MEDIA_TYPE = "application/vnd.assay.db.layer.v1.sqlite+zstd"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

ByteProgress = Callable[[int, "int | None", str], None]  # (done, total, label)


def _reason(exc: BaseException) -> str:
    from ..oci.client import _reason as oci_reason

    return oci_reason(exc)


# -- HTTP ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Download:
    url: str
    path: str = ""  # '' when not modified
    not_modified: bool = False
    etag: str = ""
    last_modified: str = ""
    size: int = 0


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    validators: Mapping[str, str] | None = None,
    progress: ByteProgress | None = None,
    timeout: float = 60.0,
    transport: Any = None,
) -> Download:
    """GET ``url`` into ``dest`` (conditional when ``validators`` has ``etag``/``last_modified``).

    Raises :class:`DatabaseError` with one line on any network or HTTP failure.
    """
    import httpx

    headers = {"User-Agent": "assay"}
    v = validators or {}
    if v.get("etag"):
        headers["If-None-Match"] = v["etag"]
    if v.get("last_modified"):
        headers["If-Modified-Since"] = v["last_modified"]
    try:
        with httpx.Client(transport=transport, timeout=httpx.Timeout(timeout), follow_redirects=True) as client:
            with client.stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return Download(url=url, not_modified=True, etag=v.get("etag", ""), last_modified=v.get("last_modified", ""))
                if resp.status_code != 200:
                    raise DatabaseError(f"cannot download {url}: HTTP {resp.status_code}")
                total = resp.headers.get("content-length")
                total_n = int(total) if total and total.isdigit() else None
                done = 0
                with open(dest, "wb") as fh:
                    for chunk in resp.iter_bytes(1 << 20):
                        fh.write(chunk)
                        done += len(chunk)
                        if progress is not None:
                            progress(done, total_n, url)
                return Download(
                    url=url,
                    path=str(dest),
                    etag=resp.headers.get("etag", ""),
                    last_modified=resp.headers.get("last-modified", ""),
                    size=done,
                )
    except httpx.HTTPError as exc:
        raise DatabaseError(f"cannot download {url}: {_reason(exc)}") from None
    except OSError as exc:
        raise DatabaseError(f"cannot write {dest}: {exc.strerror or exc}") from None


def _suffix(url: str) -> str:
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    for suffix in (".json.gz", ".csv.gz", ".tar.gz", ".zip", ".json", ".yaml", ".yml", ".gz", ".bz2", ".xz", ".zst", ".csv"):
        if name.lower().endswith(suffix):
            return suffix
    return ""


def download_to_temp(url: str, *, progress: ByteProgress | None = None, transport: Any = None) -> str:
    """Download ``url`` to a new temporary file; the caller deletes it."""
    fd, tmp = tempfile.mkstemp(prefix="assay-dl-", suffix=_suffix(url))
    os.close(fd)
    try:
        download(url, tmp, progress=progress, transport=transport)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def config_sources(config: str | os.PathLike[str] | None = None) -> list[str]:
    """``db.sources`` from ``config`` (default ``./.assay.yaml`` when present)."""
    path = Path(config) if config else Path(".assay.yaml")
    if not path.is_file():
        if config:
            raise UsageError(f"config file {path} does not exist")
        return []
    from .feeds import load_yaml

    try:
        doc = load_yaml(path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - yaml errors are many types
        raise UsageError(f"{path}: invalid YAML: {' '.join(str(exc).split())[:200]}") from None
    db = doc.get("db") if isinstance(doc, Mapping) else None
    sources = db.get("sources") if isinstance(db, Mapping) else None
    if sources is None:
        return []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise UsageError(f"{path}: db.sources must be a list of URLs")
    return list(sources)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateReport:
    path: str
    downloaded: tuple[str, ...] = ()
    not_modified: tuple[str, ...] = ()
    imported: ImportReport | None = None
    seconds: float = 0.0


def update(
    db_path: str | os.PathLike[str] | None,
    urls: Sequence[str],
    *,
    rebuild: bool = False,
    warn: Warn | None = None,
    progress: ByteProgress | None = None,
    import_progress: Callable[[int, str], None] | None = None,
    transport: Any = None,
) -> UpdateReport:
    """Download ``urls`` (conditionally) and import what changed, atomically."""
    if not urls:
        raise UsageError("no advisory sources to update from: give --url URL or list them in .assay.yaml under db: {sources: [...]}")
    path = Path(db_path) if db_path is not None else default_db_path()
    started = time.perf_counter()
    validators: dict[str, dict[str, str]] = {}
    if path.is_file() and not rebuild:
        try:
            with AdvisoryDB.open(path) as db:
                validators = json.loads(db.meta("http", "{}") or "{}")
        except (DatabaseError, ValueError):
            validators = {}
    tmpdir = tempfile.mkdtemp(prefix="assay-update-")
    try:
        fetched: list[Download] = []
        for n, url in enumerate(urls):
            dest = Path(tmpdir, f"{n}{_suffix(url)}")
            fetched.append(download(url, dest, validators=None if rebuild else validators.get(url), progress=progress, transport=transport))
        changed = [d for d in fetched if not d.not_modified]
        for d in fetched:
            validators[d.url] = {k: v for k, v in (("etag", d.etag), ("last_modified", d.last_modified)) if v}
        report = None
        if changed or not path.is_file():
            by_path = {d.path: d.url for d in changed}
            report = import_inputs(
                path,
                [d.path for d in changed],
                rebuild=rebuild,
                warn=warn,
                progress=import_progress,
                meta={"http": validators, "update_checked": formatdate(usegmt=True)},
                fetch=None,
                locations=by_path,
            )
        return UpdateReport(
            path=str(path),
            downloaded=tuple(d.url for d in changed),
            not_modified=tuple(d.url for d in fetched if d.not_modified),
            imported=report,
            seconds=time.perf_counter() - started,
        )
    finally:
        import shutil

        shutil.rmtree(tmpdir, ignore_errors=True)


# -- OCI ----------------------------------------------------------------------------------------


def _client(ref: Any, *, username: str = "", password: str = "", insecure: bool = False, transport: Any = None) -> Any:
    from ..oci.client import RegistryClient

    kwargs: dict[str, Any] = {"max_blob_size": 1 << 20}
    if transport is not None:
        kwargs["transport"] = transport
    return RegistryClient.for_reference(ref, username=username or None, password=password or None, insecure=insecure, **kwargs)


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return "sha256:" + h.hexdigest(), size


def push(
    db_path: str | os.PathLike[str] | None,
    reference: str,
    *,
    username: str = "",
    password: str = "",
    insecure: bool = False,
    transport: Any = None,
    level: int = 10,
) -> str:
    """Push the database to ``reference`` (``registry/repo:tag``); returns the manifest digest."""
    import zstandard

    from ..oci.reference import parse_reference

    path = Path(db_path) if db_path is not None else default_db_path()
    with AdvisoryDB.open(path) as db:  # refuses a missing or foreign file before any upload
        status = db.status()
    ref = parse_reference(reference)
    sqlite_digest, sqlite_size = _sha256_file(path)
    with tempfile.TemporaryDirectory(prefix="assay-push-") as tmp:
        layer_path = Path(tmp, "assay.db.zst")
        h = hashlib.sha256()
        size = 0

        class _Hashing:
            def write(self, data: bytes) -> int:
                nonlocal size
                h.update(data)
                size += len(data)
                return out.write(data)

        with open(path, "rb") as src, open(layer_path, "wb") as out:
            zstandard.ZstdCompressor(level=level, threads=-1).copy_stream(src, cast(Any, _Hashing()))
        layer_digest = "sha256:" + h.hexdigest()
        config = json.dumps(
            {
                "schemaVersion": SCHEMA_VERSION,
                "built": status.built,
                "newestModified": status.newest_modified,
                "advisories": status.advisories,
                "affectedRows": status.affected_rows,
                "ecosystems": dict(status.ecosystems),
                "sqlite": {"digest": sqlite_digest, "size": sqlite_size},
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        client = _client(ref, username=username, password=password, insecure=insecure, transport=transport)
        with client:
            config_digest = client.put_blob(ref.repository, config)
            with open(layer_path, "rb") as fh:
                client.put_blob(ref.repository, fh, layer_digest)
            manifest = {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "artifactType": ARTIFACT_TYPE,
                "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": config_digest, "size": len(config)},
                "layers": [
                    {
                        "mediaType": LAYER_MEDIA_TYPE,
                        "digest": layer_digest,
                        "size": size,
                        "annotations": {"org.opencontainers.image.title": "assay.db.zst"},
                    }
                ],
                "annotations": {
                    "org.opencontainers.image.created": status.built,
                    "dev.assay.db.schema-version": str(SCHEMA_VERSION),
                },
            }
            body = json.dumps(manifest, separators=(",", ":")).encode()
            return client.put_manifest(ref.repository, ref.identifier, body, OCI_MANIFEST)


def pull(
    reference: str,
    db_path: str | os.PathLike[str] | None,
    *,
    username: str = "",
    password: str = "",
    insecure: bool = False,
    transport: Any = None,
    progress: ByteProgress | None = None,
) -> str:
    """Fetch the database artifact at ``reference`` and install it at ``db_path`` atomically; returns the manifest digest."""
    import zstandard

    from ..oci.reference import parse_reference

    ref = parse_reference(reference)
    path = Path(db_path) if db_path is not None else default_db_path()
    client = _client(ref, username=username, password=password, insecure=insecure, transport=transport)
    with client:
        body, media_type, digest = client.get_manifest(ref.repository, ref.identifier, accept=(OCI_MANIFEST,))
        try:
            manifest = json.loads(body)
            config_desc = manifest["config"]
            layers = manifest["layers"]
        except (ValueError, KeyError, TypeError):
            raise DatabaseError(f"{ref} is not an assay database artifact (unreadable manifest)") from None
        if config_desc.get("mediaType") != CONFIG_MEDIA_TYPE:
            raise DatabaseError(f"{ref} is not an assay database artifact (config media type {config_desc.get('mediaType')!r})")
        layer = next((lyr for lyr in layers if isinstance(lyr, Mapping) and lyr.get("mediaType") == LAYER_MEDIA_TYPE), None)
        if layer is None:
            raise DatabaseError(f"{ref} has no {LAYER_MEDIA_TYPE} layer")
        try:
            config = json.loads(client.get_blob(ref.repository, config_desc["digest"]))
            sqlite_info = config["sqlite"]
            schema = int(config["schemaVersion"])
        except (ValueError, KeyError, TypeError):
            raise DatabaseError(f"{ref}: invalid assay database config") from None
        if schema != SCHEMA_VERSION:
            raise DatabaseError(f"{ref} holds database schema {schema}, this assay reads schema {SCHEMA_VERSION}")
        writer = DatabaseWriter(path)  # for its lock and temp-file handling; the content comes from the registry
        writer.open()
        try:
            assert writer.conn is not None and writer.tmp is not None
            writer.conn.close()
            writer.conn = None
            h = hashlib.sha256()
            size = 0
            reader = client.open_blob(ref.repository, layer["digest"], size=layer.get("size"))
            try:
                with open(writer.tmp, "wb") as out:
                    dctx = zstandard.ZstdDecompressor()
                    with dctx.stream_reader(reader, read_across_frames=True, closefd=False) as zin:
                        while chunk := zin.read(1 << 20):
                            h.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                            if progress is not None:
                                progress(size, int(sqlite_info.get("size") or 0) or None, str(ref))
                    reader.finish()
                    out.flush()
                    os.fsync(out.fileno())
            except zstandard.ZstdError as exc:
                raise DatabaseError(f"{ref}: corrupt database layer ({exc})") from None
            finally:
                reader.close()
            got = "sha256:" + h.hexdigest()
            if got != sqlite_info.get("digest") or size != sqlite_info.get("size"):
                raise DatabaseError(f"{ref}: database content does not match its config (sha256 {got}, expected {sqlite_info.get('digest')})")
            try:
                AdvisoryDB.open(writer.tmp).close()
            except DatabaseError as exc:
                raise DatabaseError(f"{ref}: pulled file is not a usable database: {exc}") from None
            os.replace(writer.tmp, path)
            writer.tmp = None
            _fsync_dir(path.parent)
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"{ref}: pulled file is not a usable database: {exc}") from None
        finally:
            writer.abort()
    return digest
