"""Registry credentials and the HTTP authentication dance.

Two halves:

* :func:`resolve_credentials` finds credentials for a registry the way docker,
  podman and crane do: explicit ``--registry-username/--registry-password``
  first, then ``$REGISTRY_AUTH_FILE`` (containers-auth.json), then
  ``$DOCKER_CONFIG/config.json`` — or ``~/.docker/config.json`` when
  ``DOCKER_CONFIG`` is unset, exactly like the docker CLI.  In a config file a
  ``credHelpers`` entry wins, then an ``auths`` entry (``auth`` base64,
  ``username``/``password`` or ``identitytoken``), then ``credsStore``.
  Helpers are run as ``docker-credential-<name> get`` with a timeout.
  No credentials means anonymous access.

* :class:`Authenticator` answers a registry's ``401`` challenge
  (``WWW-Authenticate: Bearer realm=..,service=..,scope=..`` or ``Basic``):
  it fetches a bearer token from the realm (with basic credentials or an
  OAuth2 refresh token when it has them), caches it per scope, and sends it
  proactively on later requests.  It performs no I/O of its own: the client
  hands it a ``fetch`` callable, so the transport stays injectable.

Secrets never reach logs or error messages: :class:`Credentials` hides them in
its repr, and every message built here goes through :meth:`Authenticator.scrub`.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import RegistryError, UsageError
from .reference import DOCKER_HUB

if TYPE_CHECKING:  # pragma: no cover
    import httpx

__all__ = [
    "Authenticator",
    "Challenge",
    "Credentials",
    "parse_www_authenticate",
    "resolve_credentials",
    "scrub",
]

log = logging.getLogger("assay.oci")

HUB_SERVER = "https://index.docker.io/v1/"
_HUB_KEYS = frozenset({"index.docker.io", "docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
HELPER_TIMEOUT = 10.0
REDACTED = "***"

#: ``fetch(method, url, params=..., headers=..., data=...) -> httpx.Response``
Fetch = Callable[..., "httpx.Response"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """Secrets for one registry; ``source`` says where they came from (for
    messages), the secrets themselves are never shown by ``repr``."""

    username: str = ""
    password: str = field(default="", repr=False)
    identity_token: str = field(default="", repr=False)
    registry_token: str = field(default="", repr=False)
    source: str = ""

    def __repr__(self) -> str:
        shown = [f"username={self.username!r}"]
        for name in ("password", "identity_token", "registry_token"):
            if getattr(self, name):
                shown.append(f"{name}={REDACTED}")
        if self.source:
            shown.append(f"source={self.source!r}")
        return f"Credentials({', '.join(shown)})"

    __str__ = __repr__

    @property
    def has_basic(self) -> bool:
        return bool(self.username and self.password)

    def basic_header(self) -> str:
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def secrets(self) -> list[str]:
        """Every string that must never be printed."""
        out = [s for s in (self.password, self.identity_token, self.registry_token) if s]
        if self.has_basic:
            out.append(self.basic_header().split(" ", 1)[1])
        return out


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (and any Authorization-looking value) masked."""
    for s in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        text = text.replace(s, REDACTED)
    return re.sub(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}", r"\1 " + REDACTED, text)


# --- credential lookup -------------------------------------------------------------


def _norm_key(key: str) -> str:
    """Normalise an ``auths``/``credHelpers`` key to ``host[:port][/path]``.

    Docker writes URLs (``https://index.docker.io/v1/``) whose path is
    meaningless; containers-auth.json allows ``registry/namespace`` keys whose
    path narrows the entry to a repository prefix.
    """
    key = key.strip()
    if "://" in key:
        key = urlsplit(key).netloc
    key = key.rstrip("/")
    host, _, path = key.partition("/")
    if host.lower() in _HUB_KEYS:
        host = DOCKER_HUB
    return f"{host}/{path}" if path else host


def _candidates(registry: str, repository: str) -> list[str]:
    """Lookup keys from most to least specific: reg/a/b, reg/a, reg."""
    host = DOCKER_HUB if registry.lower() in _HUB_KEYS else registry
    parts = [p for p in repository.split("/") if p]
    keys = [f"{host}/{'/'.join(parts[:i])}" for i in range(len(parts), 0, -1)]
    return keys + [host]


def _helper_server(registry: str) -> str:
    """The server URL docker passes to credential helpers."""
    return HUB_SERVER if registry.lower() in _HUB_KEYS else registry


def run_credential_helper(name: str, server: str, *, timeout: float = HELPER_TIMEOUT) -> Credentials | None:
    """``docker-credential-<name> get`` for ``server``; None when the helper
    is not installed or has nothing stored for the server."""
    prog = f"docker-credential-{name}"
    try:
        proc = subprocess.run([prog, "get"], input=server.encode(), capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        log.warning("credential helper %s is not installed; continuing without credentials for %s", prog, server)
        return None
    except subprocess.TimeoutExpired:
        raise RegistryError(f"credential helper {prog} timed out after {timeout:g}s for {server}") from None
    except OSError as exc:
        raise RegistryError(f"credential helper {prog} could not run: {exc.strerror or exc}") from None
    out = proc.stdout.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        if "credentials not found" in out.lower() or "credentials not found" in proc.stderr.decode("utf-8", "replace").lower():
            return None
        # the helper's own message; helpers print errors, never secrets, but keep it short
        msg = (proc.stderr.decode("utf-8", "replace").strip() or out).splitlines()
        detail = msg[0][:200] if msg else f"exit status {proc.returncode}"
        raise RegistryError(f"credential helper {prog} failed for {server}: {detail}")
    try:
        obj = json.loads(out)
        user, secret = obj.get("Username", ""), obj.get("Secret", "")
    except (ValueError, AttributeError):
        raise RegistryError(f"credential helper {prog} returned invalid output for {server}") from None
    if not isinstance(user, str) or not isinstance(secret, str) or not secret:
        return None
    src = f"credential helper {prog}"
    if user == "<token>":
        return Credentials(identity_token=secret, source=src)
    return Credentials(username=user, password=secret, source=src)


def _from_auth_entry(entry: Any, source: str) -> Credentials | None:
    if not isinstance(entry, Mapping):
        return None
    user = entry.get("username") or ""
    password = entry.get("password") or ""
    raw = entry.get("auth") or ""
    if raw and isinstance(raw, str):
        try:
            decoded = base64.b64decode(raw.strip(), validate=False).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise RegistryError(f"{source}: an 'auth' entry is not valid base64") from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise RegistryError(f"{source}: an 'auth' entry is not base64 of user:password")
    identity = entry.get("identitytoken") or ""
    registry_token = entry.get("registrytoken") or ""
    if not all(isinstance(v, str) for v in (user, password, identity, registry_token)):
        raise RegistryError(f"{source}: malformed auths entry")
    if not (user and password) and not identity and not registry_token:
        return None
    return Credentials(username=user, password=password, identity_token=identity, registry_token=registry_token, source=source)


def _load_config(path: Path) -> Mapping[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read registry credentials: {exc.strerror or exc}") from None
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise RegistryError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(obj, Mapping):
        raise RegistryError(f"{path}: expected a JSON object")
    return obj


def _lookup_in_config(
    config: Mapping[str, Any], path: Path, registry: str, repository: str, timeout: float
) -> Credentials | None:
    keys = _candidates(registry, repository)
    helpers = config.get("credHelpers")
    if isinstance(helpers, Mapping):
        by_key = {_norm_key(k): v for k, v in helpers.items() if isinstance(v, str)}
        for key in keys:
            if key in by_key:
                return run_credential_helper(by_key[key], _helper_server(registry), timeout=timeout)
    auths = config.get("auths")
    if isinstance(auths, Mapping):
        by_key = {}
        for k, v in auths.items():
            by_key.setdefault(_norm_key(k), v)
        for key in keys:
            creds = _from_auth_entry(by_key.get(key), str(path))
            if creds is not None:
                return creds
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return run_credential_helper(store, _helper_server(registry), timeout=timeout)
    return None


def config_paths(env: Mapping[str, str] | None = None, home: str | os.PathLike[str] | None = None) -> list[Path]:
    """Files consulted, in order (existing or not)."""
    env = os.environ if env is None else env
    paths = []
    if env.get("REGISTRY_AUTH_FILE"):
        paths.append(Path(env["REGISTRY_AUTH_FILE"]))
    if env.get("DOCKER_CONFIG"):
        paths.append(Path(env["DOCKER_CONFIG"]) / "config.json")
    else:
        base = Path(home) if home is not None else Path(env.get("HOME") or Path.home())
        paths.append(base / ".docker" / "config.json")
    return paths


def resolve_credentials(
    registry: str,
    repository: str = "",
    *,
    username: str | None = None,
    password: str | None = None,
    env: Mapping[str, str] | None = None,
    home: str | os.PathLike[str] | None = None,
    helper_timeout: float = HELPER_TIMEOUT,
) -> Credentials | None:
    """Credentials for ``registry`` (and, for namespaced auth-file keys,
    ``repository``), or None for anonymous access."""
    if username or password:
        if not (username and password):
            raise UsageError("--registry-username and --registry-password must be given together")
        return Credentials(username=username, password=password, source="command line")
    for path in config_paths(env, home):
        config = _load_config(path)
        if config is None:
            continue
        creds = _lookup_in_config(config, path, registry, repository, helper_timeout)
        if creds is not None:
            log.debug("using registry credentials for %s from %s", registry, creds.source)
            return creds
    return None


# --- challenges ---------------------------------------------------------------------

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: scheme (lower case) and params."""

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def realm(self) -> str:
        return self.params.get("realm", "")

    @property
    def service(self) -> str:
        return self.params.get("service", "")

    @property
    def scopes(self) -> tuple[str, ...]:
        return tuple(self.params.get("scope", "").split())


def _quoted(s: str, i: int) -> tuple[str, int]:
    """Read a quoted-string starting at s[i] == '"'; return (value, next index)."""
    out = []
    i += 1
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    return "".join(out), i


def parse_www_authenticate(header: str) -> list[Challenge]:
    """Parse a ``WWW-Authenticate`` value (RFC 7235), which may hold several
    challenges and quoted values containing commas (``scope="repo:a:pull,push"``)."""
    s, i, n = header, 0, len(header)
    out: list[Challenge] = []

    def skip(i: int, chars: str = " \t") -> int:
        while i < n and s[i] in chars:
            i += 1
        return i

    while True:
        i = skip(i, " \t,")
        m = _TOKEN.match(s, i)
        if not m:
            break
        scheme, i = m.group().lower(), m.end()
        params: dict[str, str] = {}
        while True:
            save = i
            i = skip(i, " \t,")
            m = _TOKEN.match(s, i)
            if not m:
                break
            j = skip(m.end())
            if j >= n or s[j] != "=":
                i = save  # the next challenge's scheme
                break
            j = skip(j + 1)
            if j < n and s[j] == '"':
                value, i = _quoted(s, j)
            else:
                vm = re.compile(r"[^,\s]*").match(s, j)
                value, i = vm.group(), vm.end()  # type: ignore[union-attr]
            params[m.group().lower()] = value
        out.append(Challenge(scheme, params))
        if i >= n:
            break
    return out


# --- the authenticator ----------------------------------------------------------------


def _registry_message(resp: httpx.Response) -> str:
    """A short message from an error response body (registry or token server)."""
    try:
        obj = resp.json()
    except Exception:  # noqa: BLE001 - any non-JSON body
        text = resp.text.strip().splitlines()
        return text[0][:200] if text else ""
    if isinstance(obj, Mapping):
        errs = obj.get("errors")
        if isinstance(errs, list) and errs and isinstance(errs[0], Mapping):
            return str(errs[0].get("message") or errs[0].get("code") or "")[:200]
        for key in ("error_description", "error", "details", "message"):
            if isinstance(obj.get(key), str):
                return obj[key][:200]
    return ""


class Authenticator:
    """Answers one registry's authentication challenges; thread-safe.

    Bearer tokens are cached per (realm, service, scopes) until they expire;
    after the first bearer challenge, tokens for new scopes are fetched before
    the request instead of after a 401.
    """

    #: tokens without expires_in live this long (the distribution spec's minimum)
    DEFAULT_TTL = 60.0

    def __init__(self, credentials: Credentials | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._bearer: Challenge | None = None
        self._basic = False
        self._tokens: dict[tuple[str, str, frozenset[str]], tuple[str, float]] = {}
        self._issued: set[str] = set()  # every token ever received, for scrubbing

    def __repr__(self) -> str:
        return f"Authenticator({self.credentials!r})"

    # what may never be printed
    def secrets(self) -> list[str]:
        out = self.credentials.secrets() if self.credentials else []
        out.extend(self._issued)
        return out

    def scrub(self, text: str) -> str:
        return scrub(text, self.secrets())

    def authorization(self, scopes: Sequence[str], fetch: Fetch) -> str | None:
        """The ``Authorization`` value to send up front, if any is known."""
        creds = self.credentials
        if creds is not None and creds.registry_token:
            return f"Bearer {creds.registry_token}"
        if self._basic and creds is not None and creds.has_basic:
            return creds.basic_header()
        if self._bearer is not None:
            return f"Bearer {self._token(self._bearer, scopes, fetch, fresh=False)}"
        return None

    def on_challenge(self, header: str, scopes: Sequence[str], fetch: Fetch, *, allow_http: bool = False) -> bool:
        """Handle the ``WWW-Authenticate`` of a 401; True when the request
        should be retried with :meth:`authorization`."""
        challenges = parse_www_authenticate(header or "")
        creds = self.credentials
        for ch in challenges:
            if ch.scheme == "bearer" and ch.realm:
                self._check_realm(ch.realm, allow_http)
                wanted = tuple(dict.fromkeys([*scopes, *ch.scopes]))
                self._bearer = ch
                self._token(ch, wanted, fetch, fresh=True)
                if tuple(scopes) != wanted:
                    # remember the token under the caller's scopes too
                    with self._lock:
                        key = (ch.realm, ch.service, frozenset(wanted))
                        self._tokens[(ch.realm, ch.service, frozenset(scopes))] = self._tokens[key]
                return True
        for ch in challenges:
            if ch.scheme == "basic" and creds is not None and creds.has_basic:
                if self._basic:
                    return False  # the same credentials were already refused
                self._basic = True
                return True
        return False

    def _check_realm(self, realm: str, allow_http: bool) -> None:
        parts = urlsplit(realm)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise RegistryError(f"registry sent an invalid token realm: {realm}")
        if parts.scheme == "http" and not allow_http and self.credentials is not None:
            raise RegistryError(f"refusing to send credentials to token realm {parts.netloc} over plain http")

    def _token(self, ch: Challenge, scopes: Sequence[str], fetch: Fetch, *, fresh: bool) -> str:
        key = (ch.realm, ch.service, frozenset(scopes))
        with self._lock:
            cached = self._tokens.get(key)
            if cached and not fresh and cached[1] > self._clock():
                return cached[0]
            token, ttl = self._request_token(ch, scopes, fetch)
            self._issued.add(token)
            # refresh a little early so a token never expires mid-request
            self._tokens[key] = (token, self._clock() + max(ttl - min(10.0, ttl / 2), 1.0))
            return token

    def _request_token(self, ch: Challenge, scopes: Sequence[str], fetch: Fetch) -> tuple[str, float]:
        creds = self.credentials
        params = [("service", ch.service)] if ch.service else []
        params += [("scope", s) for s in scopes]
        host = urlsplit(ch.realm).netloc
        if creds is not None and creds.identity_token:
            # OAuth2 refresh-token grant, as docker does with an identity token
            data = {"grant_type": "refresh_token", "refresh_token": creds.identity_token, "client_id": "assay"}
            if ch.service:
                data["service"] = ch.service
            if scopes:
                data["scope"] = " ".join(scopes)
            resp = fetch("POST", ch.realm, params=[], headers={}, data=data)
        else:
            headers = {"Authorization": creds.basic_header()} if creds is not None and creds.has_basic else {}
            resp = fetch("GET", ch.realm, params=params, headers=headers, data=None)
        try:
            if resp.status_code != 200:
                what = " ".join(scopes) or "registry access"
                msg = self.scrub(_registry_message(resp))
                kind = "unauthorized" if resp.status_code in (401, 403) else "token request failed"
                who = f" as {creds.username}" if creds is not None and creds.username else " anonymously"
                raise RegistryError(
                    f"{kind}: token server {host} refused {what}{who} (HTTP {resp.status_code})" + (f": {msg}" if msg else "")
                )
            try:
                body = resp.json()
            except ValueError:
                raise RegistryError(f"token server {host} returned a non-JSON response") from None
        finally:
            resp.close()
        token = body.get("token") or body.get("access_token") if isinstance(body, Mapping) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"token server {host} returned no token")
        ttl = body.get("expires_in")
        ttl = float(ttl) if isinstance(ttl, (int, float)) and not isinstance(ttl, bool) and ttl > 0 else self.DEFAULT_TTL
        return token, ttl
