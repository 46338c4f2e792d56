"""The SBOM model: frozen values, no I/O, no knowledge of output formats.

Everything a cataloger finds and every encoder writes goes through these types.
Collections are tuples kept in a canonical order so that identical input gives
byte-identical output.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Mapping

__all__ = [
    "Location",
    "License",
    "Package",
    "RelType",
    "Relationship",
    "Distro",
    "Layer",
    "ImageInfo",
    "SourceInfo",
    "Sbom",
    "TOOL_NAME",
    "tool_version",
]

TOOL_NAME = "assay"


def tool_version() -> str:
    # not importlib.metadata: importing it (and email, which it parses METADATA with) costs
    # more than 10 ms of every run
    from . import __version__

    return __version__


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Location:
    """Where evidence for a package was found.

    ``path`` is the real path inside the source root (absolute, ``/``-separated);
    ``access_path`` the path it was asked for under (differs when reached through
    a symlink); ``layer`` the digest (diff-id) of the image layer the file came from.
    """

    path: str
    layer: str = ""
    access_path: str = ""

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            object.__setattr__(self, "path", "/" + self.path)

    def to_dict(self) -> dict[str, str]:
        d = {"path": self.path}
        if self.layer:
            d["layer"] = self.layer
        if self.access_path and self.access_path != self.path:
            d["accessPath"] = self.access_path
        return d


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class License:
    """A license as declared (``value``) and, where it maps, as an SPDX expression."""

    value: str
    spdx: str = ""  # SPDX license expression, "" when it does not map
    location: str = ""  # file that declared it

    @property
    def best(self) -> str:
        return self.spdx or self.value


class RelType(str, Enum):
    CONTAINS = "contains"  # source/package contains package or file
    DEPENDS_ON = "depends-on"  # from depends on to (runtime)
    DEV_DEPENDS_ON = "dev-depends-on"
    OPTIONAL_DEPENDS_ON = "optional-depends-on"
    DESCRIBES = "describes"


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Relationship:
    source: str  # package id (or the source's id for CONTAINS)
    target: str
    type: RelType = RelType.DEPENDS_ON


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """One package.  ``id`` is derived from the identifying fields when not given."""

    name: str
    version: str
    type: str  # syft's package types: deb, apk, rpm, python, npm, go-module, java-archive, ...
    found_by: str = ""
    purl: str = ""
    cpes: tuple[str, ...] = ()
    licenses: tuple[License, ...] = ()
    supplier: str = ""  # raw supplier/maintainer/packager, e.g. "Jane Doe <jane@example.org>"
    author: str = ""
    description: str = ""
    homepage: str = ""
    arch: str = ""
    epoch: int | None = None
    source_name: str = ""  # source package (deb), origin (apk), source rpm name (rpm)
    source_version: str = ""
    language: str = ""
    dev: bool = False  # a development-only dependency
    layer: str = ""  # digest of the layer that introduced the package ("" for directories)
    locations: tuple[Location, ...] = ()
    files: tuple[str, ...] = ()  # files the package owns (package-manager view)
    digests: tuple[tuple[str, str], ...] = ()  # (algorithm, hex) of the package artifact, e.g. ("sha1", ...)
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    id: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("package without a name")
        if not self.id:
            object.__setattr__(self, "id", self.compute_id())

    def compute_id(self) -> str:
        key = "\x00".join(
            [
                self.type,
                self.name,
                self.version,
                self.purl,
                self.arch,
                self.found_by,
                self.locations[0].path if self.locations else "",
            ]
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def evolve(self, **changes: Any) -> "Package":
        if "id" not in changes:
            changes["id"] = ""
        return replace(self, **changes)

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.name, self.version, self.type, self.id)


@dataclass(frozen=True, slots=True, kw_only=True)
class Distro:
    """The operating system of a source, as os-release describes it."""

    id: str = ""
    version_id: str = ""
    version_codename: str = ""
    id_like: tuple[str, ...] = ()
    name: str = ""
    pretty_name: str = ""
    version: str = ""
    cpe_name: str = ""
    home_url: str = ""
    build_id: str = ""
    variant_id: str = ""

    @property
    def purl_distro(self) -> str:
        """``distro=`` qualifier as syft writes it, e.g. ``debian-12``."""
        if not self.id:
            return ""
        return f"{self.id}-{self.version_id}" if self.version_id else self.id

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in ("id", "version_id", "version_codename", "name", "pretty_name", "version", "cpe_name", "home_url", "build_id", "variant_id"):
            v = getattr(self, k)
            if v:
                out[k] = v
        if self.id_like:
            out["id_like"] = list(self.id_like)
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    digest: str  # blob digest as in the manifest
    media_type: str = ""
    size: int = 0
    diff_id: str = ""  # digest of the uncompressed tar


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageInfo:
    manifest_digest: str = ""
    manifest_media_type: str = ""
    config_digest: str = ""
    index_digest: str = ""
    tags: tuple[str, ...] = ()
    repo_digests: tuple[str, ...] = ()
    layers: tuple[Layer, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    architecture: str = ""
    os: str = ""
    variant: str = ""
    created: str = ""
    size: int = 0

    def label(self, key: str) -> str:
        for k, v in self.labels:
            if k == key:
                return v
        return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceInfo:
    """What was scanned."""

    kind: str  # "image", "directory", "file" or "unknown" (decoded SBOMs)
    input: str = ""  # what the user typed, e.g. "registry:localhost:5000/app:1"
    name: str = ""
    version: str = ""
    path: str = ""
    digest: str = ""  # image manifest digest, or file sha256
    image: ImageInfo | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.input or self.path or "unknown"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sbom:
    packages: tuple[Package, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    source: SourceInfo = SourceInfo(kind="unknown")
    distro: Distro | None = None
    created: str = ""  # RFC 3339 UTC, e.g. 2024-01-01T00:00:00Z
    tool_name: str = TOOL_NAME
    tool_version: str = ""

    def __post_init__(self) -> None:
        unique: dict[str, Package] = {}
        for p in self.packages:
            unique.setdefault(p.id, p)
        object.__setattr__(self, "packages", tuple(sorted(unique.values(), key=lambda p: p.sort_key)))
        object.__setattr__(self, "relationships", tuple(sorted(set(self.relationships))))

    def package(self, pid: str) -> Package | None:
        return self.by_id.get(pid)

    @property
    def by_id(self) -> dict[str, Package]:
        return {p.id: p for p in self.packages}

    def dependencies_of(self, pid: str) -> list[str]:
        return [r.target for r in self.relationships if r.source == pid and r.type != RelType.CONTAINS]

    def content_digest(self) -> str:
        """A digest of what the SBOM says (not when it was made): seeds the serial number."""
        h = hashlib.sha256()
        h.update(json.dumps([self.source.input, self.source.digest, self.source.name, self.source.version], sort_keys=True).encode())
        for p in self.packages:
            h.update(json.dumps([p.id, p.name, p.version, p.purl, [l.best for l in p.licenses]]).encode())
        for r in self.relationships:
            h.update(f"{r.source}>{r.target}:{r.type.value}".encode())
        return h.hexdigest()

    @property
    def serial_uuid(self) -> str:
        """A version-4 UUID made of the content digest: same content, same serial number."""
        return uuid4_text(self.content_digest()[:32])


def uuid4_text(hex32: str) -> str:
    """``str(uuid.UUID(hex32, version=4))``, without importing :mod:`uuid` (and :mod:`platform`) for it."""
    n = int(hex32, 16)
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    n = (n & ~(0xF000 << 64)) | (4 << 76)  # version 4
    x = f"{n:032x}"
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"
