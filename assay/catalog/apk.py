"""Alpine (and Wolfi/Chainguard) packages from apk's installed database.

``**/lib/apk/db/installed`` is a text file of ``X:value`` lines, one blank-line
separated entry per package (https://wiki.alpinelinux.org/wiki/Apk_spec):
``P`` name, ``V`` version, ``A`` arch, ``o`` origin (source package), ``L``
license, ``m`` maintainer, ``T`` description, ``U`` url, ``C`` control checksum,
``D`` dependencies, ``p`` provides, ``t`` build time, ``c`` commit, and the file
list as ``F`` (directory) / ``R`` (file in the last directory) lines.

``D:`` entries (``so:libc.musl-x86_64.so.1``, ``cmd:sh``, ``/bin/sh``,
``musl>=1.2``) resolve through every package's name and ``p:`` provides to
DEPENDS_ON edges; ``!name`` conflicts are not dependencies.  The purl follows
syft: ``pkg:apk/<distro id>/<name>@<version>?arch=..&distro=..&upstream=<origin>``
(upstream only when the origin differs from the name).  When the scan found no
distro, the release is taken from ``etc/apk/repositories`` next to the database,
as syft does.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Iterable

from packageurl import PackageURL

from ..errors import SourceError
from ..model import Distro, Location, Package, Relationship, RelType
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error
from .dpkg import declared_licenses

__all__ = [
    "NAME",
    "GLOBS",
    "NEEDS",
    "CATALOGERS",
    "ApkCataloger",
    "ApkEntry",
    "parse_installed",
    "parse_apk_db",
    "release_from_repositories",
    "resolve_dependencies",
]

NAME = "apk-db-cataloger"
GLOBS = ("**/lib/apk/db/installed",)
NEEDS = ("**/etc/apk/repositories",)

_REPO = re.compile(r"^\s*(?:@\S+\s+)?https?://[^\s]*/alpine/v([0-9][^/\s]*)/[A-Za-z0-9_]+/?\s*$", re.M)
# Files a later layer or the admin may rewrite; their layer says nothing about the install.
_MUTABLE_PREFIXES = ("/etc/", "/var/")


# One database entry: single-letter fields, plus "files" (the owned paths).
ApkEntry = dict[str, Any]


def parse_installed(text: str, loc: Location) -> list[ApkEntry]:
    """Split the installed database into entries.

    A line that is not ``X:value`` (one letter, a colon) is an error naming the
    line: apk never writes one, so the file is corrupt.  Fields with an empty
    value (``D:``) are skipped, like syft.
    """
    entries: list[ApkEntry] = []
    cur: ApkEntry = {}
    files: list[str] = []
    directory = ""
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line:
            if cur:
                cur["files"] = files
                entries.append(cur)
            cur, files, directory = {}, [], ""
            continue
        if len(line) < 2 or line[1] != ":" or line[0] in " \t":
            raise parse_error(loc, f"expected 'X:value', got {line.strip()[:60]!r}", lineno)
        key, value = line[0], line[2:]
        if not value:
            continue
        if key == "F":
            directory = value.strip("/")
        elif key == "R":
            files.append(f"/{directory}/{value}" if directory else f"/{value}")
        elif key in "MaZ":
            continue  # per-file/directory ACLs and checksums
        else:
            cur[key] = value
    if cur:
        cur["files"] = files
        entries.append(cur)
    return entries


def release_from_repositories(text: str) -> Distro | None:
    """The Alpine release an ``/etc/apk/repositories`` file points at (``.../alpine/v3.19/main``)."""
    m = _REPO.search(text)
    if not m:
        return None
    return Distro(id="alpine", name="Alpine Linux", version_id=m.group(1))


def _purl(e: ApkEntry, distro: Distro | None) -> str:
    if distro is None or not distro.id:
        return ""
    name, origin = e.get("P", ""), e.get("o", "")
    qualifiers: dict[str, str] = {}
    if e.get("A"):
        qualifiers["arch"] = e["A"]
    if origin and origin != name:
        qualifiers["upstream"] = origin
    if distro.purl_distro:
        qualifiers["distro"] = distro.purl_distro
    return PackageURL(type="apk", namespace=distro.id.lower(), name=name, version=e.get("V") or None, qualifiers=qualifiers).to_string()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _layer(resolver: FileResolver, files: list[str], default: str) -> str:
    """The layer of the package's first owned, install-time-only file (the db is rewritten by every install)."""
    for path in files:
        if path.startswith(_MUTABLE_PREFIXES):
            continue
        try:
            loc = resolver.location(path)
        except SourceError:
            continue
        if loc is not None:
            return loc.layer
    return default


def _release_near(resolver: FileResolver, db: Location) -> Distro | None:
    """The release named by ``etc/apk/repositories`` of the root the database is in."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(db.path), "../../../etc/apk/repositories"))
    try:
        loc = resolver.location(path)
        return release_from_repositories(resolver.read_text(loc, 1 << 20)) if loc is not None else None
    except SourceError:
        return None


def parse_apk_db(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages of one apk installed database."""
    entries = parse_installed(resolver.read_text(loc), loc)
    distro = env.distro
    if distro is None:
        distro = _release_near(resolver, loc)
    pkgs = []
    for e in entries:
        name = e.get("P", "").strip()
        if not name:
            continue
        version = e.get("V", "")
        files: list[str] = e["files"]
        metadata: dict[str, object] = {
            "package": name,
            "origin": e.get("o", ""),
            "version": version,
            "architecture": e.get("A", ""),
            "maintainer": e.get("m", ""),
            "url": e.get("U", ""),
            "description": e.get("T", ""),
            "checksum": e.get("C", ""),
            "commit": e.get("c", ""),
            "dependencies": e.get("D", "").split(),
            "provides": e.get("p", "").split(),
        }
        for key, field in (("size", "S"), ("installed_size", "I"), ("build_time", "t")):
            n = _int(e.get(field))
            if n is not None:
                metadata[key] = n
        if e.get("r"):
            metadata["replaces"] = e["r"].split()
        pkgs.append(
            Package(
                name=name,
                version=version,
                type="apk",
                found_by=NAME,
                purl=_purl(e, distro),
                licenses=declared_licenses(e.get("L", ""), loc.path),
                supplier=e.get("m", ""),
                description=e.get("T", ""),
                homepage=e.get("U", ""),
                arch=e.get("A", ""),
                source_name=e.get("o", "") or name,
                source_version=version,
                layer=_layer(resolver, files, loc.layer),
                locations=(loc,),
                files=tuple(files),
                metadata=metadata,
            )
        )
    return Parsed.of(pkgs)


def _strip(spec: str) -> str:
    """``musl>=1.2`` -> ``musl``; ``cmd:scanelf=1.3.4-r0`` -> ``cmd:scanelf``."""
    for i, ch in enumerate(spec):
        if ch in "<>=~":
            return spec[:i]
    return spec


def resolve_dependencies(packages: Iterable[Package]) -> list[Relationship]:
    """DEPENDS_ON edges from each package's ``D:`` entries to the packages providing them.

    Resolution stays inside one database file.  A requirement provided by
    several packages links to each of them, like syft.
    """
    by_db: dict[str, list[Package]] = {}
    for p in packages:
        if p.type == "apk" and p.locations:
            by_db.setdefault(p.locations[0].path, []).append(p)
    rels: set[Relationship] = set()
    for pkgs in by_db.values():
        providers: dict[str, list[str]] = {}
        for p in pkgs:
            for n in dict.fromkeys([p.name, *(_strip(x) for x in p.metadata.get("provides", ()))]):
                if n:
                    providers.setdefault(n, []).append(p.id)
        for p in pkgs:
            for dep in p.metadata.get("dependencies", ()):
                if dep.startswith("!"):
                    continue  # a conflict, not a dependency
                for target in providers.get(_strip(dep), ()):
                    if target != p.id:
                        rels.add(Relationship(source=p.id, target=target, type=RelType.DEPENDS_ON))
    return sorted(rels)


class ApkCataloger:
    """The apk database cataloger: per-file parsing, then dependency resolution."""

    NAME = NAME
    GLOBS = GLOBS
    NEEDS = NEEDS

    def __init__(self) -> None:
        self._files = GlobCataloger(NAME, [(g, parse_apk_db) for g in GLOBS], needs=NEEDS)

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        got = self._files.catalog(resolver, env)
        return Parsed(got.packages, got.relationships + tuple(resolve_dependencies(got.packages)))


CATALOGERS = (ApkCataloger(),)
