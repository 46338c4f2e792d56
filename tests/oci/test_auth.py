from __future__ import annotations

import base64
import json
import logging
import os
import stat
from pathlib import Path

import httpx
import pytest

from assay.errors import RegistryError, UsageError
from assay.oci import mediatypes as mt
from assay.oci.auth import (
    Authenticator,
    Credentials,
    parse_www_authenticate,
    resolve_credentials,
    scrub,
)
from assay.oci.client import RegistryClient
from tests.oci.fake import HOST, REALM, FakeRegistry

MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": mt.OCI_MANIFEST, "config": {}, "layers": []}).encode()


# --- WWW-Authenticate parsing -------------------------------------------------------------


def test_parse_bearer_with_quoted_commas() -> None:
    (ch,) = parse_www_authenticate(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push"'
    )
    assert ch.scheme == "bearer"
    assert ch.realm == "https://auth.docker.io/token" and ch.service == "registry.docker.io"
    assert ch.scopes == ("repository:library/alpine:pull,push",)


def test_parse_several_challenges_and_escapes() -> None:
    chs = parse_www_authenticate(
        'Basic realm="a \\"quoted\\" realm", Bearer realm=https://x/token , scope="a:b:pull c:d:push", error=insufficient_scope'
    )
    assert [c.scheme for c in chs] == ["basic", "bearer"]
    assert chs[0].realm == 'a "quoted" realm'
    assert chs[1].realm == "https://x/token"
    assert chs[1].scopes == ("a:b:pull", "c:d:push")
    assert chs[1].params["error"] == "insufficient_scope"
    assert parse_www_authenticate("") == []


# --- credentials ----------------------------------------------------------------------


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _write(path: Path, obj: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj))
    return path


def test_explicit_credentials_win(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "d" / "config.json", {"auths": {"reg.example": {"auth": _b64("file:pw")}}})
    env = {"DOCKER_CONFIG": str(cfg.parent)}
    creds = resolve_credentials("reg.example", username="cli", password="pw2", env=env)
    assert creds is not None and (creds.username, creds.password, creds.source) == ("cli", "pw2", "command line")
    with pytest.raises(UsageError, match="must be given together"):
        resolve_credentials("reg.example", username="cli", env=env)


def test_docker_config_auth_forms(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path / "d" / "config.json",
        {
            "auths": {
                "https://index.docker.io/v1/": {"auth": _b64("hubuser:hub:pw")},
                "reg.example": {"username": "u", "password": "p"},
                "http://other.example:5000/v2/": {"identitytoken": "refresh-tok"},
                "empty.example": {},
            }
        },
    )
    env = {"DOCKER_CONFIG": str(cfg.parent)}
    hub = resolve_credentials("index.docker.io", "library/alpine", env=env)
    assert hub is not None and (hub.username, hub.password) == ("hubuser", "hub:pw")  # split at the first ':'
    assert hub.source == str(cfg)
    reg = resolve_credentials("reg.example", env=env)
    assert reg is not None and (reg.username, reg.password) == ("u", "p")
    other = resolve_credentials("other.example:5000", env=env)
    assert other is not None and other.identity_token == "refresh-tok" and not other.has_basic
    assert resolve_credentials("empty.example", env=env) is None
    assert resolve_credentials("unknown.example", env=env) is None


def test_registry_auth_file_first_and_namespaced(tmp_path: Path) -> None:
    auth_file = _write(
        tmp_path / "auth.json",
        {"auths": {"reg.example/team": {"auth": _b64("team:1")}, "reg.example/team/app": {"auth": _b64("app:2")}}},
    )
    docker = _write(tmp_path / "d" / "config.json", {"auths": {"reg.example": {"auth": _b64("docker:3")}}})
    env = {"REGISTRY_AUTH_FILE": str(auth_file), "DOCKER_CONFIG": str(docker.parent)}

    def user(repo: str) -> str:
        creds = resolve_credentials("reg.example", repo, env=env)
        assert creds is not None
        return creds.username

    assert user("team/app") == "app"  # most specific key
    assert user("team/other") == "team"
    assert user("elsewhere/x") == "docker"  # falls through to the docker config


def test_docker_config_env_replaces_home(tmp_path: Path) -> None:
    _write(tmp_path / "home" / ".docker" / "config.json", {"auths": {"reg.example": {"auth": _b64("home:1")}}})
    creds = resolve_credentials("reg.example", env={}, home=tmp_path / "home")
    assert creds is not None and creds.username == "home"
    (tmp_path / "empty").mkdir()
    assert resolve_credentials("reg.example", env={"DOCKER_CONFIG": str(tmp_path / "empty")}, home=tmp_path / "home") is None


@pytest.mark.parametrize(
    "content, error",
    [
        ("{oops", "invalid JSON"),
        ("[]", "expected a JSON object"),
        ('{"auths": {"reg.example": {"auth": "bm9jb2xvbg=="}}}', "not base64 of user:password"),
    ],
)
def test_malformed_config(tmp_path: Path, content: str, error: str) -> None:
    (tmp_path / "config.json").write_text(content)
    with pytest.raises(RegistryError, match=error) as info:
        resolve_credentials("reg.example", env={"DOCKER_CONFIG": str(tmp_path)})
    assert str(tmp_path / "config.json") in str(info.value)


def _helper(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / f"docker-credential-{name}"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def helpers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    # the helper echoes back the server it was asked about, so the test sees it
    _helper(bin_dir, "good", 'read s; printf \'{"ServerURL":"%s","Username":"helper-user","Secret":"helper-%s"}\' "$s" "$s"\n')
    _helper(bin_dir, "token", 'read s; echo \'{"Username":"<token>","Secret":"id-token"}\'\n')
    _helper(bin_dir, "none", "echo 'credentials not found in native keychain'; exit 1\n")
    _helper(bin_dir, "broken", "echo 'cannot unlock keyring' >&2; exit 3\n")
    _helper(bin_dir, "slow", "exec sleep 5\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return tmp_path


def test_credential_helpers(helpers: Path) -> None:
    cfg = _write(
        helpers / "d" / "config.json",
        {
            "credHelpers": {"reg.example": "good", "tok.example": "token", "nf.example": "none", "bad.example": "broken"},
            "credsStore": "good",
            "auths": {"reg.example": {"auth": _b64("ignored:x")}},
        },
    )
    env = {"DOCKER_CONFIG": str(cfg.parent)}
    reg = resolve_credentials("reg.example", env=env)
    assert reg is not None and (reg.username, reg.password) == ("helper-user", "helper-reg.example")
    assert reg.source == "credential helper docker-credential-good"
    # credsStore for everything else; Docker Hub is asked for by its v1 URL
    hub = resolve_credentials("index.docker.io", env=env)
    assert hub is not None and hub.password == "helper-https://index.docker.io/v1/"
    tok = resolve_credentials("tok.example", env=env)
    assert tok is not None and tok.identity_token == "id-token" and not tok.username
    assert resolve_credentials("nf.example", env=env) is None
    with pytest.raises(RegistryError, match="docker-credential-broken failed for bad.example: cannot unlock keyring"):
        resolve_credentials("bad.example", env=env)


def test_credential_helper_timeout_and_missing(helpers: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg = _write(helpers / "d" / "config.json", {"credHelpers": {"slow.example": "slow", "gone.example": "missing"}})
    env = {"DOCKER_CONFIG": str(cfg.parent)}
    with pytest.raises(RegistryError, match=r"docker-credential-slow timed out after 0.3s"):
        resolve_credentials("slow.example", env=env, helper_timeout=0.3)
    with caplog.at_level(logging.WARNING, logger="assay.oci"):
        assert resolve_credentials("gone.example", env=env) is None
    assert "docker-credential-missing is not installed" in caplog.text


def test_credentials_never_shown() -> None:
    creds = Credentials(username="alice", password="hunter2", identity_token="idtok", source="x")
    text = repr(creds) + str(creds)
    assert "hunter2" not in text and "idtok" not in text and "alice" in text
    b64 = _b64("alice:hunter2")
    assert scrub(f"pw hunter2 header Basic {b64} and Bearer abc.def.ghi-jkl", creds.secrets()) == (
        "pw *** header Basic *** and Bearer ***"
    )


# --- challenge flows against the fake registry ------------------------------------------------


def _client(fake: FakeRegistry, creds: Credentials | None = None, **kw: object) -> RegistryClient:
    return RegistryClient(HOST, auth=creds, transport=fake.transport(), sleep=lambda s: None, **kw)  # type: ignore[arg-type]


def test_bearer_anonymous_pull_with_scope_and_cache() -> None:
    fake = FakeRegistry(bearer=True)
    fake.add_manifest("team/app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    with _client(fake) as c:
        body, media_type, _ = c.get_manifest("team/app", "v1")
        assert body == MANIFEST and media_type == mt.OCI_MANIFEST
        (token_req,) = fake.sent("GET", REALM)
        assert token_req.url.params.get_list("scope") == ["repository:team/app:pull"]
        assert token_req.url.params["service"] == "fake-registry"
        assert "authorization" not in token_req.headers  # anonymous
        # cached: a second pull neither fetches a token nor hits a 401
        before = len(fake.requests)
        c.get_manifest("team/app", "v1")
        assert len(fake.requests) == before + 1
        # a new scope is fetched proactively, without a 401 first
        fake.add_manifest("team/other", MANIFEST, mt.OCI_MANIFEST, tag="v1")
        c.get_manifest("team/other", "v1")
        assert [r.method for r in fake.requests[before + 1 :]] == ["GET", "GET"]
        assert len(fake.sent("GET", REALM)) == 2


def test_bearer_push_with_basic_credentials_and_access_token() -> None:
    fake = FakeRegistry(bearer=True, users={"alice": "pw"}, token_field="access_token")
    with _client(fake, Credentials(username="alice", password="pw")) as c:
        digest = c.put_manifest("team/app", "v1", MANIFEST, mt.OCI_MANIFEST)
    assert fake.manifests[("team/app", "v1")][0] == MANIFEST and digest.startswith("sha256:")
    (token_req,) = fake.sent("GET", REALM)
    assert token_req.headers["authorization"] == "Basic " + _b64("alice:pw")
    assert token_req.url.params.get_list("scope") == ["repository:team/app:pull,push"]


def test_bearer_push_denied_is_one_line_without_secrets() -> None:
    fake = FakeRegistry(bearer=True)  # anonymous tokens never grant push
    with _client(fake) as c, pytest.raises(RegistryError) as info:
        c.put_manifest("team/app", "v1", MANIFEST, mt.OCI_MANIFEST)
    msg = str(info.value)
    assert msg.startswith("unauthorized: push of manifest reg.example/team/app:v1: authentication required")
    assert "--registry-username" in msg and "\n" not in msg
    assert "tok-" not in msg


def test_wrong_password_at_token_server() -> None:
    fake = FakeRegistry(bearer=True, users={"alice": "right"})
    fake.add_manifest("team/app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    with _client(fake, Credentials(username="alice", password="wrong-pw")) as c, pytest.raises(RegistryError) as info:
        c.get_manifest("team/app", "v1")
    msg = str(info.value)
    assert msg == (
        "unauthorized: token server auth.example refused repository:team/app:pull as alice (HTTP 401): "
        "incorrect username or password"
    )
    assert "wrong-pw" not in msg


def test_identity_token_uses_oauth_refresh_grant() -> None:
    fake = FakeRegistry(bearer=True, refresh_tokens={"refresh-me"})
    fake.add_manifest("team/app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    # the token server fails once: token requests are retried like any other
    fake.fail(lambda r: r.method == "POST" and str(r.url).startswith(REALM), httpx.Response(503))
    with _client(fake, Credentials(identity_token="refresh-me")) as c:
        c.get_manifest("team/app", "v1")
    posts = fake.sent("POST", REALM)
    assert len(posts) == 2
    form = dict(httpx.QueryParams(posts[-1].content.decode()))
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == "refresh-me"
    assert form["service"] == "fake-registry" and form["scope"] == "repository:team/app:pull"
    with _client(fake, Credentials(identity_token="revoked")) as c, pytest.raises(RegistryError) as info:
        c.get_manifest("team/app", "v1")
    assert str(info.value) == (
        "unauthorized: token server auth.example refused repository:team/app:pull anonymously (HTTP 401): invalid_grant"
    )


def test_basic_auth_registry() -> None:
    fake = FakeRegistry(basic=("bob", "pw"))
    fake.add_manifest("app", MANIFEST, mt.OCI_MANIFEST, tag="v1")
    with _client(fake, Credentials(username="bob", password="pw")) as c:
        c.get_manifest("app", "v1")
        c.get_manifest("app", "v1")
    # one 401, then basic credentials sent up front
    assert [r.headers.get("authorization", "") != "" for r in fake.requests] == [False, True, True]
    with _client(fake) as c, pytest.raises(RegistryError, match=r"^unauthorized: manifest reg.example/app:v1"):
        c.get_manifest("app", "v1")
    with _client(fake, Credentials(username="bob", password="nope")) as c, pytest.raises(RegistryError) as info:
        c.get_manifest("app", "v1")
    assert str(info.value).startswith("unauthorized:") and "nope" not in str(info.value)


def test_plain_http_realm_refused_with_credentials() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, headers={"WWW-Authenticate": 'Bearer realm="http://evil.example/token"'})

    transport = httpx.MockTransport(handler)
    c = RegistryClient(HOST, auth=Credentials(username="a", password="b"), transport=transport, sleep=lambda s: None)
    with pytest.raises(RegistryError, match="refusing to send credentials to token realm evil.example over plain http"):
        c.get_manifest("x", "latest")


def test_authenticator_token_expiry() -> None:
    now = [0.0]
    calls: list[str] = []

    def fetch(method: str, url: str, **kw: object) -> httpx.Response:
        calls.append(url)
        return httpx.Response(200, json={"token": f"secret-{len(calls)}", "expires_in": 60})

    auth = Authenticator(clock=lambda: now[0])
    assert auth.on_challenge(f'Bearer realm="{REALM}",service="s"', ["repository:a:pull"], fetch)
    assert auth.authorization(["repository:a:pull"], fetch) == "Bearer secret-1"
    now[0] = 45.0  # still valid (refreshed 10 s early)
    assert auth.authorization(["repository:a:pull"], fetch) == "Bearer secret-1"
    now[0] = 55.0
    assert auth.authorization(["repository:a:pull"], fetch) == "Bearer secret-2"
    assert auth.scrub("token secret-2 leaked, secret-1 too") == "token *** leaked, *** too"
    assert "secret" not in repr(auth)
