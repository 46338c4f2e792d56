"""An in-memory registry behind ``httpx.MockTransport`` for unit tests.

It implements just enough of the distribution spec (manifests, blobs, upload
sessions with PATCH/PUT, mounts, tag pagination, optional referrers API and
optional bearer/basic auth) to exercise :class:`RegistryClient` end to end,
and records every request so tests can assert on what was sent.  Failures are
injected with :meth:`FakeRegistry.fail`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx

HOST = "reg.example"
REALM = "https://auth.example/token"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def err(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"errors": [{"code": code, "message": message}]}, headers=headers)


@dataclass
class FakeRegistry:
    blobs: dict[str, bytes] = field(default_factory=dict)
    manifests: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    repo_blobs: set[tuple[str, str]] = field(default_factory=set)
    uploads: dict[str, bytearray] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    referrers_api: bool = False
    tags_page: int = 0  # >0: paginate tag lists with this many per page
    bearer: bool = False  # require a bearer token from REALM
    basic: tuple[str, str] | None = None  # require these basic credentials
    users: dict[str, str] = field(default_factory=dict)  # token-server logins
    refresh_tokens: set[str] = field(default_factory=set)  # accepted OAuth2 refresh tokens
    tokens: dict[str, set[str]] = field(default_factory=dict)  # token -> granted scopes
    token_field: str = "token"
    _failures: list[tuple[Callable[[httpx.Request], bool], httpx.Response | Exception]] = field(default_factory=list)

    # --- setup helpers -----------------------------------------------------------

    def add_blob(self, repo: str, data: bytes) -> str:
        d = sha(data)
        self.blobs[d] = data
        self.repo_blobs.add((repo, d))
        return d

    def add_manifest(self, repo: str, body: bytes, media_type: str, tag: str | None = None) -> str:
        d = sha(body)
        self.manifests[(repo, d)] = (body, media_type)
        if tag:
            self.manifests[(repo, tag)] = (body, media_type)
        return d

    def fail(self, match: Callable[[httpx.Request], bool], response: httpx.Response | Exception, times: int = 1) -> None:
        """Answer the next ``times`` matching requests with ``response``."""
        for _ in range(times):
            self._failures.append((match, response))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def sent(self, method: str, pattern: str = "") -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and re.search(pattern, str(r.url))]

    # --- request handling ----------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for i, (match, response) in enumerate(self._failures):
            if match(request):
                del self._failures[i]
                if isinstance(response, Exception):
                    raise response
                return response
        if str(request.url).startswith(REALM):
            return self._token(request)
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        path = request.url.path
        routes = [
            (r"/v2/", self._ping),
            (r"/v2/(?P<repo>.+)/manifests/(?P<ref>[^/]+)", self._manifest),
            (r"/v2/(?P<repo>.+)/blobs/uploads/(?P<id>[^/]*)", self._upload),
            (r"/v2/(?P<repo>.+)/blobs/(?P<digest>[^/]+)", self._blob),
            (r"/v2/(?P<repo>.+)/tags/list", self._tags),
            (r"/v2/(?P<repo>.+)/referrers/(?P<digest>[^/]+)", self._referrers),
        ]
        for pattern, fn in routes:
            m = re.fullmatch(pattern, path)
            if m:
                return fn(request, **m.groupdict())
        return err(404, "NOT_FOUND", "no route")

    def _needed_scope(self, request: httpx.Request) -> str:
        m = re.match(r"/v2/(.+)/(manifests|blobs|tags|referrers)/", request.url.path)
        if not m:
            return ""
        action = "pull" if request.method in ("GET", "HEAD") else "push"
        return f"repository:{m.group(1)}:{action}"

    def _check_auth(self, request: httpx.Request) -> httpx.Response | None:
        header = request.headers.get("authorization", "")
        if self.basic is not None:
            good = "Basic " + base64.b64encode(f"{self.basic[0]}:{self.basic[1]}".encode()).decode()
            if header != good:
                return err(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": 'Basic realm="fake"'})
        if self.bearer:
            need = self._needed_scope(request)
            token = header[7:] if header.startswith("Bearer ") else ""
            granted = self.tokens.get(token)
            if granted is None or (need and need not in granted):
                scope = f',scope="{need.replace(":push", ":pull,push")}"' if need else ""
                challenge = f'Bearer realm="{REALM}",service="fake-registry"{scope}'
                return err(401, "UNAUTHORIZED", "authentication required", {"WWW-Authenticate": challenge})
        return None

    def _token(self, request: httpx.Request) -> httpx.Response:
        q = parse_qs(request.url.query.decode())
        header = request.headers.get("authorization", "")
        user = ""
        if request.method == "POST":  # OAuth2 refresh-token grant
            form = parse_qs(request.content.decode())
            if form.get("grant_type") != ["refresh_token"] or form.get("refresh_token", [""])[0] not in self.refresh_tokens:
                return httpx.Response(401, json={"error": "invalid_grant"})
            user = "oauth"
            q = {"scope": form.get("scope", [""])[0].split()}
        elif header.startswith("Basic "):
            user, _, pw = base64.b64decode(header[6:]).decode().partition(":")
            if self.users.get(user) != pw:
                return httpx.Response(401, json={"details": "incorrect username or password"})
        granted: set[str] = set()
        for scope in q.get("scope", []):
            kind, _, rest = scope.partition(":")
            repo, _, actions = rest.rpartition(":")
            for action in actions.split(","):
                if action == "push" and not user:
                    continue  # anonymous users may only pull
                granted.add(f"{kind}:{repo}:{action}")
        token = f"tok-{uuid.uuid4().hex}"
        self.tokens[token] = granted
        return httpx.Response(200, json={self.token_field: token, "expires_in": 300})

    def _ping(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    def _manifest(self, request: httpx.Request, repo: str, ref: str) -> httpx.Response:
        if request.method == "PUT":
            body = request.content
            media_type = request.headers.get("content-type", "")
            d = self.add_manifest(repo, body, media_type, None if ref.startswith("sha256:") else ref)
            return httpx.Response(201, headers={"Docker-Content-Digest": d, "Location": f"/v2/{repo}/manifests/{d}"})
        found = self.manifests.get((repo, ref))
        if found is None:
            return err(404, "MANIFEST_UNKNOWN", "manifest unknown")
        body, media_type = found
        accept = request.headers.get("accept", "")
        if media_type.startswith("application/vnd.oci") and media_type not in accept:
            # like Debian's docker-registry: OCI content is invisible without the right Accept
            return err(404, "MANIFEST_UNKNOWN", "OCI manifest found, but accept header does not support OCI manifests")
        headers = {"Content-Type": media_type, "Docker-Content-Digest": sha(body), "Content-Length": str(len(body))}
        if request.method == "HEAD":
            return httpx.Response(200, headers=headers)
        return httpx.Response(200, content=body, headers=headers)

    def _blob(self, request: httpx.Request, repo: str, digest: str) -> httpx.Response:
        if (repo, digest) not in self.repo_blobs:
            return err(404, "BLOB_UNKNOWN", "blob unknown to registry")
        data = self.blobs[digest]
        headers = {"Docker-Content-Digest": digest, "Content-Length": str(len(data))}
        if request.method == "HEAD":
            return httpx.Response(200, headers=headers)
        return httpx.Response(200, content=data, headers=headers)

    def _upload(self, request: httpx.Request, repo: str, id: str) -> httpx.Response:
        q = parse_qs(request.url.query.decode())
        if request.method == "POST":
            mount, source = q.get("mount", [""])[0], q.get("from", [""])[0]
            if mount and (source, mount) in self.repo_blobs:
                self.repo_blobs.add((repo, mount))
                return httpx.Response(201, headers={"Docker-Content-Digest": mount, "Location": f"/v2/{repo}/blobs/{mount}"})
            upload = uuid.uuid4().hex
            self.uploads[upload] = bytearray()
            return httpx.Response(202, headers={"Location": f"/v2/{repo}/blobs/uploads/{upload}?_state=abc", "Range": "0-0"})
        if id not in self.uploads:
            return err(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown")
        buf = self.uploads[id]
        if request.method == "PATCH":
            start, _, end = request.headers.get("content-range", "").partition("-")
            if start and (int(start) != len(buf) or int(end) != len(buf) + len(request.content) - 1):
                return httpx.Response(416)
            buf += request.content
            return httpx.Response(
                202, headers={"Location": f"/v2/{repo}/blobs/uploads/{id}?_state=n{len(buf)}", "Range": f"0-{len(buf) - 1}"}
            )
        if request.method == "PUT":
            buf += request.content
            digest = q.get("digest", [""])[0]
            if sha(bytes(buf)) != digest:
                return err(400, "DIGEST_INVALID", "provided digest did not match uploaded content")
            del self.uploads[id]
            self.add_blob(repo, bytes(buf))
            return httpx.Response(201, headers={"Docker-Content-Digest": digest, "Location": f"/v2/{repo}/blobs/{digest}"})
        if request.method == "DELETE":
            del self.uploads[id]
            return httpx.Response(204)
        return httpx.Response(405)

    def _tags(self, request: httpx.Request, repo: str) -> httpx.Response:
        tags = sorted({ref for (r, ref) in self.manifests if r == repo and not ref.startswith("sha256:")})
        if not any(r == repo for r, _ in self.manifests):
            return err(404, "NAME_UNKNOWN", "repository name not known to registry")
        q = parse_qs(request.url.query.decode())
        n = int(q.get("n", [str(self.tags_page or 0)])[0]) or len(tags)
        last = q.get("last", [""])[0]
        rest = [t for t in tags if t > last]
        page, more = rest[:n], rest[n:]
        headers = {}
        if more:
            headers["Link"] = f'</v2/{repo}/tags/list?last={page[-1]}&n={n}>; rel="next"'
        return httpx.Response(200, json={"name": repo, "tags": page}, headers=headers)

    def _referrers(self, request: httpx.Request, repo: str, digest: str) -> httpx.Response:
        if not self.referrers_api:
            return err(404, "NOT_FOUND", "page not found")
        entries = []
        for (r, ref), (body, media_type) in self.manifests.items():
            if r != repo or not ref.startswith("sha256:"):
                continue
            obj = json.loads(body)
            if obj.get("subject", {}).get("digest") == digest:
                entries.append(
                    {
                        "mediaType": media_type,
                        "digest": ref,
                        "size": len(body),
                        "artifactType": obj.get("artifactType") or obj.get("config", {}).get("mediaType", ""),
                    }
                )
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries}
        return httpx.Response(200, json=index, headers={"Content-Type": "application/vnd.oci.image.index.v1+json"})
