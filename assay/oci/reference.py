"""Image references (``registry/repo:tag@sha256:...``) and content digests.

Parsing follows the grammar of docker/distribution's ``reference`` package and
the normalisation of go-containerregistry's ``name`` package:

* the first path component is a registry only if it contains ``.`` or ``:``,
  is ``localhost``, or has upper-case letters; otherwise the registry is
  ``index.docker.io`` (``docker.io`` is an alias of it);
* a single-component repository on Docker Hub gets ``library/``;
* with neither tag nor digest the tag is ``latest``; with both, both are kept
  (the digest is what gets pulled).

Digests are ``algorithm:hex`` for sha256/sha384/sha512 with exactly the right
number of lower-case hex digits: a digest assay cannot verify is rejected here
rather than trusted later.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from ..errors import SourceError

__all__ = [
    "DOCKER_HUB",
    "InvalidReference",
    "Reference",
    "compute_digest",
    "is_digest",
    "new_hasher",
    "parse_digest",
    "parse_reference",
]

DOCKER_HUB = "index.docker.io"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"})
DEFAULT_TAG = "latest"
NAME_MAX = 255

_HEX_LEN = {"sha256": 64, "sha384": 96, "sha512": 128}
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*")
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(
    rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]{{1,5}})?"
)
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_HEX = re.compile(r"[0-9a-f]+")


class InvalidReference(SourceError):
    """An image reference or digest that does not parse."""


def parse_digest(value: str, *, what: str = "digest") -> str:
    """Validate ``algorithm:hex`` and return it unchanged.

    Only algorithms assay can verify are accepted (sha256, sha384, sha512),
    and the hex part must be lower case with the algorithm's exact length.
    """
    algo, sep, hexpart = value.partition(":")
    if not sep:
        raise InvalidReference(f"invalid {what} {value!r}: expected algorithm:hex, e.g. sha256:<64 hex digits>")
    if algo not in _HEX_LEN:
        raise InvalidReference(f"invalid {what} {value!r}: unsupported algorithm {algo!r} (use sha256, sha384 or sha512)")
    if len(hexpart) != _HEX_LEN[algo] or not _HEX.fullmatch(hexpart):
        raise InvalidReference(f"invalid {what} {value!r}: {algo} needs {_HEX_LEN[algo]} lower-case hex digits")
    return value


def is_digest(value: str) -> bool:
    """True when ``value`` is a digest :func:`parse_digest` accepts."""
    try:
        parse_digest(value)
    except InvalidReference:
        return False
    return True


def new_hasher(digest: str):  # -> hashlib._Hash
    """A fresh hashlib object for the algorithm of ``digest``."""
    return hashlib.new(parse_digest(digest).partition(":")[0])


def compute_digest(data: bytes, algorithm: str = "sha256") -> str:
    """``algorithm:hex`` of ``data``."""
    if algorithm not in _HEX_LEN:
        raise InvalidReference(f"unsupported digest algorithm {algorithm!r}")
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


@dataclass(frozen=True, slots=True)
class Reference:
    """A parsed image reference.

    ``tag`` and ``digest`` may both be None only for a repository reference
    (what :meth:`context` returns); :func:`parse_reference` always sets one.
    """

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    def __str__(self) -> str:
        out = f"{self.registry}/{self.repository}"
        if self.tag:
            out += f":{self.tag}"
        if self.digest:
            out += f"@{self.digest}"
        return out

    @property
    def name(self) -> str:
        """``registry/repository``, without tag or digest."""
        return f"{self.registry}/{self.repository}"

    @property
    def identifier(self) -> str:
        """What to ask the registry for: the digest if known, else the tag."""
        return self.digest or self.tag or DEFAULT_TAG

    def with_digest(self, digest: str) -> Reference:
        """The same reference pinned to ``digest`` (the tag is kept for display)."""
        return replace(self, digest=parse_digest(digest))

    def with_tag(self, tag: str) -> Reference:
        """The same repository at ``tag`` (any digest is dropped)."""
        if not _TAG.fullmatch(tag):
            raise InvalidReference(f"invalid tag {tag!r}")
        return replace(self, tag=tag, digest=None)

    def context(self) -> Reference:
        """The repository alone (registry + repository, no tag or digest),
        like go-containerregistry's ``Reference.Context()``."""
        return Reference(self.registry, self.repository)


def _split_registry(name: str, default_registry: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.lower() != first):
        registry, path = first, rest
    else:
        registry, path = default_registry, name
    if registry.lower() in _HUB_ALIASES:
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return registry, path


def parse_reference(value: str, *, default_registry: str = DOCKER_HUB, default_tag: str = DEFAULT_TAG) -> Reference:
    """Parse an image reference; raise :class:`InvalidReference` (a
    SourceError) with a one-line reason when it is malformed."""

    def bad(reason: str) -> InvalidReference:
        return InvalidReference(f"invalid image reference {value!r}: {reason}")

    text = value.strip()
    if not text:
        raise bad("empty")
    if "://" in text:
        raise bad("drop the URL scheme; expected [registry/]repository[:tag][@digest]")
    name, at, digest = text.partition("@")
    if at:
        try:
            parse_digest(digest)
        except InvalidReference as exc:
            raise bad(str(exc)) from None
    # a tag is the part after the last ':' that follows the last '/'
    tag = None
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.fullmatch(tag):
            raise bad(f"invalid tag {tag!r}")
    if not name:
        raise bad("no repository name")
    registry, path = _split_registry(name, default_registry)
    if not _DOMAIN.fullmatch(registry):
        raise bad(f"invalid registry {registry!r}")
    for part in path.split("/"):
        if not part:
            raise bad("empty path component")
        if not _PATH_COMPONENT.fullmatch(part):
            if part.lower() != part and _PATH_COMPONENT.fullmatch(part.lower()):
                raise bad("repository name must be lowercase")
            raise bad(f"invalid repository component {part!r}")
    if len(name) > NAME_MAX:
        raise bad(f"repository name longer than {NAME_MAX} characters")
    if tag is None and not at:
        tag = default_tag
    return Reference(registry, path, tag, digest if at else None)
