"""Sources: where files come from.  ``open_source(uri)`` picks one by scheme or by guessing.

Every source offers ``describe() -> SourceInfo``, ``resolver(prefetch, analyzers) -> FileResolver``
and ``close()``.  Schemes, as syft spells them:

    docker-archive:PATH      docker save / skopeo docker-archive tarball
    oci-dir:PATH[:TAG]       OCI image layout directory
    oci-archive:PATH[:TAG]   tar of an OCI image layout
    registry:REF             pull from a registry (distribution API)
    dir:PATH                 a directory (e.g. a rootfs or a source tree)
    file:PATH                a single file
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from ..errors import SourceError, UsageError
from ..model import SourceInfo
from .tree import Analyzer, FileResolver

__all__ = ["Source", "RegistryOptions", "open_source", "SCHEMES", "split_scheme"]

SCHEMES = ("docker-archive", "oci-dir", "oci-archive", "registry", "dir", "file")


class Source(Protocol):
    def describe(self) -> SourceInfo: ...

    def resolver(self, prefetch: Sequence[str] = (), analyzers: Sequence[Analyzer] = ()) -> FileResolver: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class RegistryOptions:
    username: str = ""
    password: str = ""
    insecure: bool = False  # allow plain HTTP and unverified TLS
    timeout: float = 30.0
    retries: int = 4

    def __repr__(self) -> str:  # never print credentials
        return f"RegistryOptions(username={self.username!r}, password={'***' if self.password else ''!r}, insecure={self.insecure})"


def split_scheme(uri: str) -> tuple[str, str]:
    for s in SCHEMES:
        if uri.startswith(s + ":"):
            return s, uri[len(s) + 1 :]
    if uri.startswith("docker:") or uri.startswith("podman:"):
        raise UsageError(f"{uri.split(':', 1)[0]}: daemons are not supported: save the image (docker-archive:) or use registry:")
    return "", uri


def _split_tag(rest: str) -> tuple[str, str]:
    """``path[:tag]`` for oci-dir/oci-archive: the tag is what follows the last colon, when the path exists without it."""
    if os.path.exists(rest):
        return rest, ""
    path, sep, tag = rest.rpartition(":")
    if sep and path and "/" not in tag and os.path.exists(path):
        return path, tag
    return rest, ""


def guess_scheme(target: str) -> str:
    if os.path.isdir(target):
        if os.path.isfile(os.path.join(target, "oci-layout")) and os.path.isfile(os.path.join(target, "index.json")):
            return "oci-dir"
        return "dir"
    if os.path.isfile(target):
        try:
            with tarfile.open(target, "r:") as tf:
                names = set()
                for m in tf:
                    names.add(m.name.lstrip("./"))
                    if "manifest.json" in names:
                        return "docker-archive"
                if "oci-layout" in names and "index.json" in names:
                    return "oci-archive"
        except (tarfile.TarError, OSError, EOFError):
            pass
        return "file"
    if os.path.lexists(target):
        raise SourceError(f"{target}: not a file or directory")
    looks_like_ref = ("/" in target or ":" in target) and not target.startswith(("/", "./", "../", "~"))
    if looks_like_ref or target.replace("-", "").replace("_", "").replace(".", "").isalnum():
        return "registry"
    raise SourceError(f"{target}: no such file, directory or image reference")


def open_source(
    uri: str,
    *,
    platform: str = "",
    name: str = "",
    version: str = "",
    registry: RegistryOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Source:
    scheme, rest = split_scheme(uri)
    if not rest:
        raise UsageError(f"{uri!r}: empty source")
    if not scheme:
        scheme = guess_scheme(rest)
    kw = dict(name=name, version=version)
    if scheme == "dir":
        from .directory import DirectorySource

        return DirectorySource(rest, input=uri, **kw)
    if scheme == "file":
        from .directory import FileSource

        return FileSource(rest, input=uri, **kw)
    if scheme in ("oci-dir", "oci-archive", "docker-archive"):
        from . import layout

        path, tag = _split_tag(rest)
        opener = {"oci-dir": layout.open_oci_dir, "oci-archive": layout.open_oci_archive, "docker-archive": layout.open_docker_archive}[scheme]
        return opener(path, tag=tag, platform=platform, input=uri, progress=progress, **kw)
    if scheme == "registry":
        from .registry import open_registry

        return open_registry(rest, platform=platform, options=registry or RegistryOptions(), input=uri, progress=progress, **kw)
    raise UsageError(f"unknown source scheme {scheme!r}")
