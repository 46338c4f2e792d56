"""A small OCI distribution-spec client over httpx.

One :class:`RegistryClient` talks to one registry.  It does what ``crane``
and ``skopeo`` need for pulling and pushing images and signatures:
manifests (get/head/put), blobs (get, streamed open, head, upload with
POST+PUT or chunked PATCH, cross-repository mount), tag listing with Link
pagination, and the referrers API with the ``sha256-<hex>`` tag fallback.

Guarantees callers rely on:

* every manifest and blob that comes back is checked against its digest — a
  body that does not hash to the digest that was asked for is an error;
* transient failures (429 honouring ``Retry-After``, 5xx, timeouts,
  connection errors) are retried with exponential backoff and jitter;
* every failure is a one-line :class:`~assay.errors.RegistryError`, with
  credentials and tokens scrubbed out;
* ``https`` is used unless ``insecure=True``; then, like crane and skopeo,
  https is tried first without certificate checks and plain http is used when
  the TLS handshake fails.  localhost is not special-cased: a plain-http local
  registry needs ``insecure=True`` too.

The httpx transport is injectable (``transport=httpx.MockTransport(...)``) so
unit tests never touch the network; ``sleep`` is injectable for the same
reason.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Self

from ..errors import RegistryError
from .auth import Authenticator, Credentials, _registry_message, resolve_credentials
from .mediatypes import (
    ALL_MANIFEST_TYPES,
    DOCKER_MANIFEST_V1,
    DOCKER_MANIFEST_V1_SIGNED,
    OCI_INDEX,
    Descriptor,
)
from .reference import (
    DOCKER_HUB,
    InvalidReference,
    Reference,
    compute_digest,
    new_hasher,
    parse_digest,
)

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = ["BlobReader", "DigestMismatch", "RegistryClient", "referrers_tag"]

log = logging.getLogger("assay.oci")

MIB = 1024 * 1024
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_GENERIC_TYPES = frozenset({"", "application/json", "text/plain", "application/octet-stream", "binary/octet-stream"})


class DigestMismatch(RegistryError):
    """Content whose hash is not the digest it was fetched (or pushed) by."""


def referrers_tag(digest: str) -> str:
    """The fallback tag of the OCI referrers tag schema: ``sha256-<hex>``."""
    algo, _, hexpart = parse_digest(digest).partition(":")
    return f"{algo}-{hexpart}"


def _api_host(registry: str) -> str:
    """Docker Hub's API lives on registry-1.docker.io, not index.docker.io."""
    return "registry-1.docker.io" if registry == DOCKER_HUB else registry


def _bare_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _check_ref(ref: str) -> str:
    """A tag or a digest, validated (digests contain ':', tags never do)."""
    if ":" in ref:
        return parse_digest(ref)
    if not _TAG.fullmatch(ref):
        raise InvalidReference(f"invalid tag {ref!r}")
    return ref


def _reason(exc: BaseException) -> str:
    """A short, lower-case reason for a transport error."""
    import httpx

    if isinstance(exc, httpx.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    text = str(exc) or type(exc).__name__
    # the innermost errno text is the useful part: "[Errno 111] Connection refused"
    m = re.findall(r"\[Errno -?\d+\] ([^\]\)]+)", text)
    if m:
        text = m[-1]
    text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", text)
    text = " ".join(text.split())
    if "SSL" in text or "CERTIFICATE" in text:
        hint = " (a plain-http registry needs insecure mode)" if "WRONG_VERSION_NUMBER" in text else ""
        return "TLS error: " + re.sub(r"^\[SSL[^\]]*\]\s*", "", text) + hint
    if text[:2].istitle():  # "Connection refused" -> "connection refused", but keep "TLS"
        text = text[:1].lower() + text[1:]
    return text


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    import email.utils

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class RegistryClient:
    """A client for one registry (``host[:port]``, as in :attr:`Reference.registry`).

    ``auth`` is an :class:`Authenticator`, :class:`Credentials`, or None for
    anonymous access; :meth:`for_reference` looks credentials up the way
    docker does.  ``retries`` counts attempts per request (>= 1); delays grow
    from ``backoff`` seconds, doubling up to ``backoff_cap``.  Thread-safe:
    layers may be fetched from several threads with one client.
    """

    def __init__(
        self,
        registry: str,
        *,
        auth: Authenticator | Credentials | None = None,
        insecure: bool = False,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.2,
        backoff_cap: float = 5.0,
        max_retry_after: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        chunk_size: int = 16 * MIB,
        max_manifest_size: int = 4 * MIB,
        max_blob_size: int = 64 * MIB,
        user_agent: str = "assay",
    ) -> None:
        import httpx

        if retries < 1:
            raise ValueError("retries must be >= 1")
        self.registry = registry
        self.host = _api_host(registry)
        self.auth = auth if isinstance(auth, Authenticator) else Authenticator(auth)
        self.insecure = insecure
        self.retries = retries
        self.backoff = backoff
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.chunk_size = chunk_size
        self.max_manifest_size = max_manifest_size
        self.max_blob_size = max_blob_size
        self._sleep = sleep
        self._scheme: str | None = None if insecure else "https"
        self._scheme_lock = threading.Lock()
        self._http = httpx.Client(
            transport=transport,
            verify=not insecure,
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            headers={"User-Agent": user_agent},
        )

    @classmethod
    def for_reference(
        cls, ref: Reference, *, username: str | None = None, password: str | None = None, insecure: bool = False, **kwargs: Any
    ) -> RegistryClient:
        """A client for ``ref``'s registry with credentials found by
        :func:`~assay.oci.auth.resolve_credentials` (explicit ones first)."""
        creds = resolve_credentials(ref.registry, ref.repository, username=username, password=password)
        return cls(ref.registry, auth=creds, insecure=insecure, **kwargs)

    def __repr__(self) -> str:
        return f"RegistryClient({self.registry!r}, insecure={self.insecure})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- plumbing ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``scheme://host``; with ``insecure`` the scheme is probed once."""
        if self._scheme is None:
            with self._scheme_lock:
                if self._scheme is None:
                    self._scheme = self._probe_scheme()
        return f"{self._scheme}://{self.host}"

    def _probe_scheme(self) -> str:
        import httpx

        try:
            self._http.get(f"https://{self.host}/v2/").close()
            return "https"
        except httpx.TransportError as exc:
            log.debug("https to %s failed (%s); using plain http", self.host, _reason(exc))
            return "http"

    def _url(self, path: str) -> str:
        return path if "://" in path else self.base_url + path

    def _fail(self, message: str, cls: type[RegistryError] = RegistryError) -> RegistryError:
        return cls(" ".join(self.auth.scrub(message).split()))

    def _delay(self, attempt: int) -> float:
        """Exponential backoff with 'equal jitter': half fixed, half random."""
        d = min(self.backoff_cap, self.backoff * (2 ** (attempt - 1)))
        return d / 2 + random.uniform(0, d / 2)

    def _fetch(self, method: str, url: str, *, params: Any = None, headers: Mapping[str, str] | None = None, data: Any = None) -> httpx.Response:
        """Unauthenticated request with retries (used for token requests)."""
        return self._send(method, url, scopes=None, params=params, headers=headers, data=data)

    def _send(
        self,
        method: str,
        url: str,
        *,
        scopes: Sequence[str] | None,
        params: Any = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        data: Any = None,
        stream: bool = False,
    ) -> httpx.Response:
        """One logical request: auth challenge answered once, transient
        failures retried; the final response is returned whatever its status
        (except exhausted retries, which raise)."""
        import httpx

        url = self._url(url)
        if scopes is not None and httpx.URL(url).netloc.decode() != self.host:
            scopes = None  # never send registry credentials to another host
        attempt = 0
        auth_retried = False
        while True:
            hdrs = dict(headers or {})
            if scopes is not None:
                authz = self.auth.authorization(scopes, self._fetch)
                if authz:
                    hdrs["Authorization"] = authz
            request = self._http.build_request(method, url, params=params, headers=hdrs, content=content, data=data)
            path = request.url.path
            try:
                resp = self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                attempt += 1
                if attempt >= self.retries:
                    raise self._fail(f"registry {self.registry} is unreachable: {_reason(exc)}") from None
                delay = self._delay(attempt)
                log.debug("%s %s failed (%s); retry %d in %.2fs", method, path, _reason(exc), attempt, delay)
                self._sleep(delay)
                continue
            if resp.status_code == 401 and scopes is not None and not auth_retried:
                challenge = resp.headers.get("www-authenticate", "")
                auth_retried = True
                if self.auth.on_challenge(challenge, scopes, self._fetch, allow_http=self.insecure):
                    resp.close()
                    continue
                return resp
            if resp.status_code in _RETRY_STATUS:
                attempt += 1
                if attempt >= self.retries:
                    msg = self._message(resp)
                    kind = "too many requests" if resp.status_code == 429 else f"registry {self.registry} failed"
                    raise self._fail(
                        f"{kind}: HTTP {resp.status_code} on {method} {path} after {attempt} attempts"
                        + (f": {msg}" if msg else "")
                    )
                wait = _retry_after(resp.headers.get("retry-after")) if resp.status_code in (429, 503) else None
                delay = min(wait, self.max_retry_after) if wait is not None else self._delay(attempt)
                log.debug("%s %s: HTTP %d; retry %d in %.2fs", method, path, resp.status_code, attempt, delay)
                resp.close()
                self._sleep(delay)
                continue
            return resp

    @staticmethod
    def _message(resp: httpx.Response) -> str:
        """The registry's error message in ``resp`` (read if streamed), or ''."""
        try:
            resp.read()
            return _registry_message(resp)
        except Exception:  # noqa: BLE001 - best effort: the status alone still says enough
            return ""
        finally:
            resp.close()

    def _error(self, resp: httpx.Response, what: str) -> RegistryError:
        """The one-line error for an unexpected response about ``what``."""
        msg = self._message(resp)
        code = resp.status_code
        tail = f": {msg}" if msg else ""
        if code == 401:
            hint = "" if self.auth.credentials else " (no credentials; use --registry-username/--registry-password or docker login)"
            return self._fail(f"unauthorized: {what}{tail}{hint}")
        if code == 403:
            return self._fail(f"denied: {what}{tail}")
        if code == 404:
            return self._fail(f"not found: {what}{tail}")
        return self._fail(f"registry {self.registry} returned HTTP {code} for {what}{tail}")

    def _read_capped(self, resp: httpx.Response, cap: int, what: str) -> bytes:
        """The body of a streamed response, refusing more than ``cap`` bytes."""
        length = resp.headers.get("content-length")
        if length and length.isdigit() and int(length) > cap:
            resp.close()
            raise self._fail(f"{what} is too large ({int(length)} bytes, limit {cap})")
        buf = bytearray()
        try:
            for chunk in resp.iter_bytes():
                buf += chunk
                if len(buf) > cap:
                    raise self._fail(f"{what} is too large (over {cap} bytes)")
        except _transport_errors() as exc:
            raise self._fail(f"download of {what} from {self.registry} failed: {_reason(exc)}") from None
        finally:
            resp.close()
        return bytes(buf)

    def _pull(self, repo: str) -> list[str]:
        return [f"repository:{repo}:pull"]

    def _push(self, repo: str) -> list[str]:
        return [f"repository:{repo}:pull,push"]

    def _name(self, repo: str, ref: str) -> str:
        sep = "@" if ":" in ref else ":"
        return f"{self.registry}/{repo}{sep}{ref}"

    # --- manifests ---------------------------------------------------------------------

    def get_manifest(self, repo: str, ref: str, accept: Sequence[str] = ALL_MANIFEST_TYPES) -> tuple[bytes, str, str]:
        """``(body, media_type, digest)`` of the manifest ``repo:ref`` (tag or digest).

        The body is verified against the requested digest, or, for a tag,
        against ``Docker-Content-Digest`` when the registry sends one.
        """
        found = self._get_manifest(repo, ref, accept)
        if found is None:
            raise self._fail(f"manifest unknown: {self._name(repo, ref)}")
        return found

    def find_manifest(self, repo: str, ref: str, accept: Sequence[str] = ALL_MANIFEST_TYPES) -> tuple[bytes, str, str] | None:
        """:meth:`get_manifest`, or None when the registry has no such manifest (one request)."""
        return self._get_manifest(repo, ref, accept)

    def _get_manifest(self, repo: str, ref: str, accept: Sequence[str]) -> tuple[bytes, str, str] | None:
        """:meth:`get_manifest`, but None when the registry answers 404."""
        ref = _check_ref(ref)
        name = self._name(repo, ref)
        resp = self._send(
            "GET",
            f"/v2/{repo}/manifests/{ref}",
            scopes=self._pull(repo),
            headers={"Accept": ", ".join(accept)},
            stream=True,
        )
        if resp.status_code == 404:
            resp.close()
            return None
        if resp.status_code != 200:
            raise self._error(resp, f"manifest {name}")
        body = self._read_capped(resp, self.max_manifest_size, f"manifest {name}")
        digest = self._verify_manifest(body, ref, resp.headers.get("docker-content-digest"), name)
        media_type = self._media_type(body, resp.headers.get("content-type", ""), name)
        return body, media_type, digest

    def _verify_manifest(self, body: bytes, ref: str, header: str | None, name: str) -> str:
        if ":" in ref:
            got = compute_digest(body, ref.partition(":")[0])
            if got != ref:
                raise self._fail(f"manifest digest mismatch for {name}: content is {got}", DigestMismatch)
            return ref
        if header:
            try:
                parse_digest(header)
            except InvalidReference:
                log.debug("ignoring malformed Docker-Content-Digest %r for %s", header, name)
            else:
                got = compute_digest(body, header.partition(":")[0])
                if got != header:
                    raise self._fail(
                        f"manifest digest mismatch for {name}: registry says {header}, content is {got}", DigestMismatch
                    )
                return header
        return compute_digest(body)

    def _media_type(self, body: bytes, content_type: str, name: str) -> str:
        media_type = _bare_type(content_type)
        declared: str = ""
        try:
            obj = json.loads(body)
        except ValueError:
            raise self._fail(f"manifest {name} is not valid JSON") from None
        if isinstance(obj, dict):
            declared = obj["mediaType"] if isinstance(obj.get("mediaType"), str) else ""
            if obj.get("schemaVersion") == 1:
                media_type = media_type or DOCKER_MANIFEST_V1
        if media_type in _GENERIC_TYPES:
            media_type = declared or media_type
        if media_type in (DOCKER_MANIFEST_V1, DOCKER_MANIFEST_V1_SIGNED):
            raise self._fail(f"manifest {name} uses the obsolete Docker schema 1, which is not supported")
        if not media_type:
            raise self._fail(f"manifest {name} has no media type")
        return media_type

    def head_manifest(self, repo: str, ref: str, accept: Sequence[str] = ALL_MANIFEST_TYPES) -> Descriptor | None:
        """The descriptor of ``repo:ref`` without downloading it, or None if
        it does not exist.  Falls back to GET when the registry sends no
        ``Docker-Content-Digest``."""
        ref = _check_ref(ref)
        resp = self._send("HEAD", f"/v2/{repo}/manifests/{ref}", scopes=self._pull(repo), headers={"Accept": ", ".join(accept)})
        resp.close()
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise self._error(resp, f"manifest {self._name(repo, ref)}")
        digest = resp.headers.get("docker-content-digest", "")
        media_type = _bare_type(resp.headers.get("content-type", ""))
        length = resp.headers.get("content-length", "")
        if digest and ":" in ref and digest != ref:
            raise self._fail(f"manifest digest mismatch for {self._name(repo, ref)}: registry says {digest}", DigestMismatch)
        try:
            if digest and media_type not in _GENERIC_TYPES and length.isdigit():
                return Descriptor(media_type=media_type, digest=parse_digest(digest), size=int(length))
        except InvalidReference:
            pass
        body, media_type, digest = self.get_manifest(repo, ref, accept)
        return Descriptor(media_type=media_type, digest=digest, size=len(body))

    def resolve(self, ref: Reference) -> str:
        """The manifest digest ``ref`` points at (its own digest if pinned)."""
        if ref.digest:
            return ref.digest
        desc = self.head_manifest(ref.repository, ref.identifier)
        if desc is None:
            raise self._fail(f"manifest unknown: {ref}")
        return desc.digest

    def put_manifest(self, repo: str, tag_or_digest: str, data: bytes, media_type: str) -> str:
        """Upload a manifest under a tag (or its digest); return its digest."""
        ref = _check_ref(tag_or_digest)
        digest = compute_digest(data, ref.partition(":")[0] if ":" in ref else "sha256")
        if ":" in ref and digest != ref:
            raise self._fail(f"manifest for {self._name(repo, ref)} does not match that digest (content is {digest})", DigestMismatch)
        name = self._name(repo, ref)
        resp = self._send(
            "PUT", f"/v2/{repo}/manifests/{ref}", scopes=self._push(repo), headers={"Content-Type": media_type}, content=data
        )
        if resp.status_code not in (200, 201, 202):
            raise self._error(resp, f"push of manifest {name}")
        resp.close()
        said = resp.headers.get("docker-content-digest")
        if said and said.partition(":")[0] == digest.partition(":")[0] and said != digest:
            raise self._fail(f"registry stored manifest {name} as {said}, expected {digest}", DigestMismatch)
        return digest

    def delete_manifest(self, repo: str, digest: str) -> None:
        """Delete a manifest by digest (registries refuse deletion by tag)."""
        digest = parse_digest(digest)
        resp = self._send("DELETE", f"/v2/{repo}/manifests/{digest}", scopes=[f"repository:{repo}:delete"])
        resp.close()
        if resp.status_code not in (200, 202):
            raise self._error(resp, f"delete of manifest {self._name(repo, digest)}")

    # --- blobs ------------------------------------------------------------------------------

    def head_blob(self, repo: str, digest: str) -> int | None:
        """The size of blob ``digest`` in ``repo``, or None when it is absent."""
        digest = parse_digest(digest)
        resp = self._send("HEAD", f"/v2/{repo}/blobs/{digest}", scopes=self._pull(repo))
        resp.close()
        if resp.status_code == 404:
            return None
        if resp.status_code != 200:
            raise self._error(resp, f"blob {self._name(repo, digest)}")
        length = resp.headers.get("content-length", "")
        return int(length) if length.isdigit() else 0

    def _open(self, repo: str, digest: str) -> httpx.Response:
        digest = parse_digest(digest)
        resp = self._send(
            "GET", f"/v2/{repo}/blobs/{digest}", scopes=self._pull(repo), headers={"Accept-Encoding": "identity"}, stream=True
        )
        if resp.status_code == 404:
            resp.close()
            raise self._fail(f"blob unknown: {self._name(repo, digest)}")
        if resp.status_code != 200:
            raise self._error(resp, f"blob {self._name(repo, digest)}")
        return resp

    def get_blob(self, repo: str, digest: str, *, max_size: int | None = None) -> bytes:
        """A whole blob (configs, signatures), verified; at most ``max_size``
        bytes (default :attr:`max_blob_size`) — stream layers with :meth:`open_blob`."""
        name = self._name(repo, digest)
        body = self._read_capped(self._open(repo, digest), max_size or self.max_blob_size, f"blob {name}")
        got = compute_digest(body, digest.partition(":")[0])
        if got != digest:
            raise self._fail(f"blob digest mismatch for {name}: content is {got}", DigestMismatch)
        return body

    def open_blob(self, repo: str, digest: str, *, size: int | None = None) -> BlobReader:
        """A streaming, read-only file object over a blob.  The digest (and
        ``size``, if given) is checked when the end is reached; read to EOF
        or call :meth:`BlobReader.finish` before trusting what was read."""
        return BlobReader(self._open(repo, digest), digest, size=size, name=self._name(repo, digest), fail=self._fail)

    def mount_blob(self, repo: str, digest: str, from_repo: str) -> bool:
        """Cross-repository mount of ``digest`` from ``from_repo``; False (and
        nothing uploaded) when the registry declines."""
        location = self._start_upload(repo, digest=parse_digest(digest), mount_from=from_repo)
        if location is None:
            return True
        self._cancel_upload(repo, location)
        return False

    def _start_upload(self, repo: str, *, digest: str | None = None, mount_from: str | None = None) -> str | None:
        """POST a new upload session; None when a mount made it unnecessary."""
        params = {"mount": digest, "from": mount_from} if mount_from and digest else None
        scopes = self._push(repo) + ([f"repository:{mount_from}:pull"] if params else [])
        resp = self._send("POST", f"/v2/{repo}/blobs/uploads/", scopes=scopes, params=params, content=b"")
        resp.close()
        if resp.status_code == 201 and params:
            return None
        if resp.status_code != 202 or not resp.headers.get("location"):
            raise self._error(resp, f"blob upload to {self.registry}/{repo}")
        return self._http_url(resp.headers["location"])

    def _http_url(self, location: str) -> str:
        import httpx

        return str(httpx.URL(self.base_url + "/").join(location))

    def _cancel_upload(self, repo: str, location: str) -> None:
        try:
            self._send("DELETE", location, scopes=self._push(repo)).close()
        except Exception:  # noqa: BLE001 - cleanup only; the registry expires sessions anyway
            log.debug("could not cancel upload session on %s", self.registry)

    def put_blob(
        self, repo: str, data: bytes | BinaryIO, digest: str | None = None, *, mount_from: str | None = None
    ) -> str:
        """Upload a blob (bytes or a readable binary stream); return its digest.

        Skips the upload when the blob already exists, tries a cross-repo
        mount when ``mount_from`` is given, sends small blobs as POST + PUT
        and larger ones as POST + PATCH chunks + PUT.  A ``digest`` that does
        not match the content fails before anything is committed.
        """
        if isinstance(data, (bytes, bytearray, memoryview)):
            got = compute_digest(bytes(data), parse_digest(digest).partition(":")[0] if digest else "sha256")
            if digest is not None and got != digest:
                raise self._fail(f"blob for {self._name(repo, digest)} does not match that digest (content is {got})", DigestMismatch)
            digest = got
        if digest is not None and self.head_blob(repo, parse_digest(digest)) is not None:
            return digest
        location = self._start_upload(repo, digest=digest, mount_from=mount_from)
        if location is None:
            return digest  # type: ignore[return-value]  # mounted: digest was given
        try:
            if isinstance(data, (bytes, bytearray, memoryview)) and len(data) <= self.chunk_size:
                body = bytes(data)
                final = digest or compute_digest(body)
                return self._finish_upload(repo, location, final, body)
            stream = io.BytesIO(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else data
            algo = digest.partition(":")[0] if digest else "sha256"
            hasher = hashlib.new(algo)
            offset = 0
            while True:
                chunk = stream.read(self.chunk_size)
                if not chunk:
                    break
                hasher.update(chunk)
                location = self._patch(repo, location, chunk, offset)
                offset += len(chunk)
            got = f"{algo}:{hasher.hexdigest()}"
            if digest and got != digest:
                raise self._fail(f"blob for {self._name(repo, digest)} does not match that digest (content is {got})", DigestMismatch)
            return self._finish_upload(repo, location, got, b"")
        except BaseException:
            self._cancel_upload(repo, location)
            raise

    def _patch(self, repo: str, location: str, chunk: bytes, offset: int) -> str:
        resp = self._send(
            "PATCH",
            location,
            scopes=self._push(repo),
            headers={
                "Content-Type": "application/octet-stream",
                "Content-Range": f"{offset}-{offset + len(chunk) - 1}",
            },
            content=chunk,
        )
        resp.close()
        if resp.status_code != 202:
            raise self._error(resp, f"blob upload to {self.registry}/{repo}")
        return self._http_url(resp.headers.get("location") or location)

    def _finish_upload(self, repo: str, location: str, digest: str, body: bytes) -> str:
        import httpx

        url = httpx.URL(location)
        url = url.copy_merge_params({"digest": digest})
        resp = self._send(
            "PUT", str(url), scopes=self._push(repo), headers={"Content-Type": "application/octet-stream"}, content=body
        )
        resp.close()
        if resp.status_code not in (201, 204):
            raise self._error(resp, f"blob upload of {self._name(repo, digest)}")
        said = resp.headers.get("docker-content-digest")
        if said and said != digest:
            raise self._fail(f"registry stored blob as {said}, expected {digest}", DigestMismatch)
        return digest

    # --- tags and referrers -------------------------------------------------------------

    def _pages(self, repo: str, path: str, what: str, params: Mapping[str, str] | None, accept: str) -> Iterator[httpx.Response]:
        """GET ``path`` and every ``Link: <...>; rel="next"`` page after it."""
        url: str | None = path
        seen: set[str] = set()
        while url:
            resp = self._send("GET", url, scopes=self._pull(repo), params=params, headers={"Accept": accept})
            yield resp
            params = None  # the next link carries its own query
            nxt = resp.links.get("next", {}).get("url")
            url = self._http_url(nxt) if nxt else None
            if url in seen:
                raise self._fail(f"registry {self.registry} returned a pagination loop for {what}")
            if url:
                seen.add(url)

    def list_tags(self, repo: str, *, page_size: int | None = None) -> list[str]:
        """Every tag of ``repo``, following Link pagination."""
        tags: list[str] = []
        params = {"n": str(page_size)} if page_size else None
        what = f"tags of {self.registry}/{repo}"
        for resp in self._pages(repo, f"/v2/{repo}/tags/list", what, params, "application/json"):
            if resp.status_code == 404:
                raise self._fail(f"repository unknown: {self.registry}/{repo}")
            if resp.status_code != 200:
                raise self._error(resp, what)
            try:
                page = resp.json().get("tags") or []
            except (ValueError, AttributeError):
                raise self._fail(f"registry {self.registry} returned invalid JSON for {what}") from None
            tags.extend(t for t in page if isinstance(t, str))
        return tags

    def referrers(self, repo: str, digest: str, artifact_type: str | None = None) -> list[Descriptor]:
        """Manifests whose ``subject`` is ``digest`` (OCI 1.1 referrers).

        Uses the referrers API; when the registry lacks it (404) the
        ``<alg>-<hex>`` tag of the referrers tag schema is read instead.  An
        ``artifact_type`` filter is applied client-side too, because
        registries may ignore it.
        """
        digest = parse_digest(digest)
        what = f"referrers of {self._name(repo, digest)}"
        params = {"artifactType": artifact_type} if artifact_type else None
        found: list[Descriptor] = []
        for resp in self._pages(repo, f"/v2/{repo}/referrers/{digest}", what, params, OCI_INDEX):
            if resp.status_code in (404, 405):
                return self._referrers_by_tag(repo, digest, artifact_type)
            if resp.status_code != 200:
                raise self._error(resp, what)
            found.extend(self._index_entries(resp.content, what))
        return [d for d in found if not artifact_type or d.artifact_type == artifact_type]

    def _referrers_by_tag(self, repo: str, digest: str, artifact_type: str | None) -> list[Descriptor]:
        tag = referrers_tag(digest)
        found = self._get_manifest(repo, tag, ALL_MANIFEST_TYPES)
        if found is None:
            return []
        entries = self._index_entries(found[0], f"referrers tag {self._name(repo, tag)}")
        return [d for d in entries if not artifact_type or d.artifact_type == artifact_type]

    def _index_entries(self, body: bytes, what: str) -> list[Descriptor]:
        try:
            obj = json.loads(body)
        except ValueError:
            raise self._fail(f"{what}: invalid JSON") from None
        manifests = obj.get("manifests") if isinstance(obj, dict) else None
        if manifests is None:
            return []
        if not isinstance(manifests, list):
            raise self._fail(f"{what}: 'manifests' is not a list")
        return [Descriptor.from_json(m, where=what) for m in manifests]


def _transport_errors() -> tuple[type[BaseException], ...]:
    import httpx

    return (httpx.TransportError, httpx.StreamError)


class BlobReader(io.RawIOBase):
    """A read-only stream over a blob download that hashes what passes
    through and raises :class:`DigestMismatch` (a SourceError) at EOF when the
    content does not match its digest (or exceeds/falls short of ``size``)."""

    def __init__(
        self,
        response: httpx.Response,
        digest: str,
        *,
        size: int | None = None,
        name: str = "",
        fail: Callable[..., RegistryError] = lambda m, cls=RegistryError: cls(m),
    ) -> None:
        super().__init__()
        self.digest = digest
        self.size = size
        self.name = name or digest
        self._resp = response
        self._chunks = response.iter_bytes()
        self._buf = b""
        self._pos = 0
        self._hasher = new_hasher(digest)
        self._count = 0
        self._eof = False
        self._fail = fail

    def readable(self) -> bool:
        return True

    @property
    def bytes_read(self) -> int:
        return self._count

    def _next_chunk(self) -> bytes:
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._finish_check()
            return b""
        except _transport_errors() as exc:
            self.close()
            raise self._fail(f"download of blob {self.name} was interrupted: {_reason(exc)}") from None
        self._hasher.update(chunk)
        self._count += len(chunk)
        if self.size is not None and self._count > self.size:
            self.close()
            raise self._fail(f"blob {self.name} is larger than its declared size {self.size}", DigestMismatch)
        return chunk

    def _finish_check(self) -> None:
        if self._eof:
            return
        self._eof = True
        self._resp.close()
        got = f"{self.digest.partition(':')[0]}:{self._hasher.hexdigest()}"
        if got != self.digest:
            raise self._fail(f"blob digest mismatch for {self.name}: content is {got}", DigestMismatch)
        if self.size is not None and self._count != self.size:
            raise self._fail(f"blob {self.name} is {self._count} bytes, expected {self.size}", DigestMismatch)

    def readinto(self, b: Any) -> int:
        if self.closed:
            raise ValueError("I/O operation on closed blob")
        while self._pos >= len(self._buf) and not self._eof:
            self._buf, self._pos = self._next_chunk(), 0
        n = min(len(b), len(self._buf) - self._pos)
        b[:n] = self._buf[self._pos : self._pos + n]
        self._pos += n
        return n

    def finish(self) -> None:
        """Read (and discard) the rest, so the digest gets verified."""
        while not self._eof:
            self._next_chunk()
        self._buf, self._pos = b"", 0

    def close(self) -> None:
        if not self.closed:
            self._resp.close()
        super().close()

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None and not self.closed:
                self.finish()
        finally:
            self.close()
