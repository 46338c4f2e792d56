"""Java archives (jar, war, ear, ...) read from memory, nested ones included.

What one archive yields, following syft:

* a **main package** when the archive has a ``META-INF/MANIFEST.MF`` (unless the
  manifest has ``Weave-Classes``: New Relic instrumentation jars would otherwise
  pass for the library they instrument).  Its name and version come from the
  ``pom.properties`` whose artifactId matches the file name (its pom.xml fills
  gaps), else from a pom.xml whose artifactId matches, else from the manifest and
  the file name.  Its digest is the SHA-1 of the archive bytes;
* one package per other ``pom.properties`` (shaded / fat jars), each a
  dependency of the main package; one that describes the main package itself
  only completes it;
* the packages of every nested archive (``BOOT-INF/lib/*.jar``,
  ``WEB-INF/lib/*.jar``, ear modules, ...), each nested main package a
  dependency of the package that contains it.

Entry names are only ever labels (``outer.jar:BOOT-INF/lib/x.jar``, kept as the
Location's access path and as ``metadata["virtualPath"]``); nothing is written
to disk, so ``../`` in a name cannot escape anywhere.  Reading is bounded: the
entry count (from the end-of-central-directory record, before zipfile builds its
index), each entry's declared size against a per-entry cap and against a budget
of uncompressed bytes shared by the whole nest, the compression ratio of large
entries, the nesting depth and the number of nested archives.  zipfile never
returns more than an entry's declared size, and a CRC mismatch (a lying header)
makes the entry unreadable.  Anything skipped is reported through ``warn``.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ...model import License, Location, Package, Relationship, RelType
from . import ARCHIVE_EXTENSIONS
from .licenses import bundle_licenses, pom_license
from .manifest import Manifest, parse_manifest
from .naming import (
    JAVA_PKG,
    JENKINS_PKG,
    ArchiveName,
    archive_filename,
    group_id,
    is_jenkins_group,
    manifest_license_values,
    maven_purl,
    pkg_type_for,
    select_name,
    select_version,
)
from .pom import (
    PomError,
    PomProject,
    PomProperties,
    PomResolver,
    parse_pom_properties,
    parse_pom_xml,
)

__all__ = ["ARCHIVE_EXTENSIONS", "ArchiveError", "ArchiveLimits", "catalog_archive"]

MANIFEST_PATH = "META-INF/MANIFEST.MF"
_JENKINS_PURL_MARKERS = ("io.jenkins.plugins", "org.jenkins-ci.plugins")


class ArchiveError(Exception):
    """An archive that cannot be read at all (one line; the caller names the file)."""


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    max_archive_bytes: int = 512 << 20  # a top-level archive file
    max_total_bytes: int = 1 << 30  # uncompressed bytes read from one top-level archive and its nest
    max_entry_bytes: int = 256 << 20  # one nested archive
    max_meta_bytes: int = 4 << 20  # one MANIFEST.MF / pom.properties / pom.xml
    max_ratio: int = 200  # uncompressed:compressed above which a large entry is a bomb
    ratio_floor: int = 1 << 20  # entries up to this size are never judged by their ratio
    max_depth: int = 6  # nesting levels below the top-level archive
    max_entries: int = 250_000  # central-directory entries of one archive
    max_archives: int = 10_000  # nested archives read under one top-level archive
    max_maven_files: int = 5_000  # pom.properties + pom.xml files read from one archive


class _Skip(Exception):
    pass


@dataclass
class _Budget:
    remaining: int
    archives: int = 0
    warned_archives: bool = False


@dataclass(eq=False)
class _Draft:
    """A package while the archive is being read (syft updates them in place too)."""

    name: str
    version: str
    type: str
    location: Location
    virtual_path: str
    manifest: Manifest | None = None
    properties: PomProperties | None = None
    project: PomProject | None = None
    project_group: str = ""
    licenses: list[License] = field(default_factory=list)
    digests: tuple[tuple[str, str], ...] = ()
    parent: _Draft | None = None
    package: Package | None = None


def _entry_count(data: bytes) -> int | None:
    """Entries declared by the end-of-central-directory record (zip64 aware); None when not found."""
    idx = data.rfind(b"PK\x05\x06", max(0, len(data) - (1 << 16) - 22))
    if idx < 0 or idx + 22 > len(data):
        return None
    count = int.from_bytes(data[idx + 10 : idx + 12], "little")
    if count == 0xFFFF and idx >= 20 and data[idx - 20 : idx - 16] == b"PK\x06\x07":
        off = int.from_bytes(data[idx - 12 : idx - 4], "little")
        if data[off : off + 4] == b"PK\x06\x06" and off + 40 <= len(data):
            count = int.from_bytes(data[off + 32 : off + 40], "little")
    return count


def _open_zip(data: bytes, limits: ArchiveLimits) -> zipfile.ZipFile:
    count = _entry_count(data)
    if count is not None and count > limits.max_entries:
        raise ArchiveError(f"zip declares {count} entries, over the limit of {limits.max_entries}")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise ArchiveError(f"not a readable zip archive: {exc}") from None


def _matches(artifact: str, file_name: str, artifacts: set[str]) -> bool:
    """Does a pom's artifactId describe the archive named ``file_name`` (syft's rule)?"""
    if not artifact or not file_name:
        return False
    if file_name in artifacts:
        return artifact == file_name
    return artifact.startswith(file_name) or file_name.endswith(artifact)


class _Walker:
    def __init__(self, limits: ArchiveLimits, warn: Callable[[str], None], top: str) -> None:
        self.limits = limits
        self.warn = warn
        self.top = top
        self.budget = _Budget(remaining=limits.max_total_bytes)
        self.drafts: list[_Draft] = []
        self.edges: list[tuple[_Draft, _Draft]] = []  # (dependent, dependency)

    # -- bounded reading ------------------------------------------------------------------
    def _read(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
        size = info.file_size
        lim = self.limits
        if size > cap:
            raise _Skip(f"{size} bytes uncompressed, over the {cap}-byte limit")
        if size > self.budget.remaining:
            raise _Skip(f"reading its {size} bytes would pass the {lim.max_total_bytes}-byte total for {self.top}")
        if size > lim.ratio_floor and size > lim.max_ratio * max(info.compress_size, 1):
            raise _Skip(f"compression ratio {size // max(info.compress_size, 1)}:1 is over {lim.max_ratio}:1 (zip bomb?)")
        try:
            with zf.open(info) as fh:
                data = fh.read(size)  # never more than the declared size
                if len(data) == size:
                    fh.read(1)  # reach EOF so zipfile checks the CRC
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as exc:
            raise _Skip(f"unreadable entry: {exc}") from None
        self.budget.remaining -= len(data)
        return data

    def _maven_files(self, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], virtual: str) -> tuple[dict[str, PomProperties], dict[str, PomProject]]:
        props: dict[str, PomProperties] = {}
        projects: dict[str, PomProject] = {}
        wanted = [i for i in infos if i.filename.endswith(("pom.properties", "pom.xml"))]
        if len(wanted) > self.limits.max_maven_files:
            self.warn(f"{virtual}: {len(wanted)} pom files, only the first {self.limits.max_maven_files} read")
            wanted = wanted[: self.limits.max_maven_files]
        for info in wanted:
            name = info.filename
            try:
                raw = self._read(zf, info, self.limits.max_meta_bytes)
                if name.endswith("pom.properties"):
                    p = parse_pom_properties(raw.decode("utf-8", errors="replace"), name)
                    if p.version and p.artifact_id:
                        props[posixpath.dirname(name)] = p
                else:
                    projects[posixpath.dirname(name)] = parse_pom_xml(raw, name)
            except (_Skip, PomError) as exc:
                self.warn(f"{virtual}:{name}: {exc}")
        return props, projects

    # -- one archive ---------------------------------------------------------------------------
    def walk(self, data: bytes, location: Location, virtual: str, depth: int, parent: _Draft | None) -> None:
        with _open_zip(data, self.limits) as zf:
            try:
                infos = [i for i in zf.infolist() if not i.is_dir()]
            except (ValueError, OSError) as exc:
                raise ArchiveError(f"unreadable central directory: {exc}") from None
            fname = archive_filename(virtual.rsplit(":", 1)[-1])
            manifests = [i for i in infos if i.filename == MANIFEST_PATH]
            if len(manifests) > 1:
                raise ArchiveError(f"found {len(manifests)} {MANIFEST_PATH} entries")
            manifest = None
            if manifests:
                try:
                    manifest = parse_manifest(self._read(zf, manifests[0], self.limits.max_meta_bytes).decode("utf-8", errors="replace"))
                except _Skip as exc:
                    self.warn(f"{virtual}:{MANIFEST_PATH}: {exc}")
            props, projects = self._maven_files(zf, infos, virtual)
            main = None
            if manifest is not None and not manifest.has("Weave-Classes"):
                main = self._main(data, manifest, props, projects, location, virtual, fname)
            if main is not None:
                main.parent = parent
                self.drafts.append(main)
                if parent is not None:
                    self.edges.append((parent, main))
                for aux in self._aux(main, props, projects, location, virtual):
                    self.drafts.append(aux)
                    self.edges.append((main, aux))
            self._nested(zf, infos, location, virtual, depth, main or parent)

    def _main(
        self,
        data: bytes,
        manifest: Manifest,
        props: dict[str, PomProperties],
        projects: dict[str, PomProject],
        location: Location,
        virtual: str,
        fname: ArchiveName,
    ) -> _Draft | None:
        chosen: PomProperties | None = None
        parsed: PomProject | None = None
        artifacts = {p.artifact_id for p in props.values()}
        for d in sorted(props):
            if _matches(props[d].artifact_id, fname.name, artifacts):
                chosen = props[d]
                if d in projects:
                    parsed = projects[d]
                    break
        group = chosen.group_id if chosen else ""
        name = chosen.artifact_id if chosen else ""
        version = chosen.version if chosen else ""
        attached: PomProject | None = None
        if parsed is not None:
            rid = PomResolver([parsed]).id()
            group, name, version = group or rid.group_id, name or rid.artifact_id, version or rid.version
        elif chosen is None and projects:
            # no pom.properties names this archive: a pom.xml whose artifactId does stands in
            ids = {d: PomResolver([projects[d]]).id() for d in sorted(projects)}
            known = {i.artifact_id for i in ids.values()}
            for d, rid in ids.items():
                if _matches(rid.artifact_id, fname.name, known):
                    parsed = attached = projects[d]
                    group, name, version = rid.group_id, rid.artifact_id, rid.version
                    break
        name = name or select_name(manifest, fname)
        version = version or select_version(manifest, fname)
        if not name:
            self.warn(f"{virtual}: no package name in its manifest, poms or file name")
            return None
        licenses = [lic for v in manifest_license_values(manifest) for lic in bundle_licenses(v, location.path)]
        if not licenses and parsed is not None:
            licenses = [l for l in (pom_license(x.name, x.url, location.path) for x in PomResolver([parsed]).licenses()) if l]
        return _Draft(
            name=name,
            version=version,
            type=pkg_type_for(fname),
            location=location,
            virtual_path=virtual,
            manifest=manifest,
            project=attached,
            project_group=group if attached is not None else "",
            licenses=licenses,
            digests=(("sha1", hashlib.sha1(data).hexdigest()),),
        )

    def _aux(
        self,
        main: _Draft,
        props: dict[str, PomProperties],
        projects: dict[str, PomProject],
        location: Location,
        virtual: str,
    ) -> Iterator[_Draft]:
        for d in sorted(props):
            p = props[d]
            project = projects.get(d)
            parent_group = _group_of(main)
            same_key = (parent_group, main.name, main.version) == (p.group_id, p.artifact_id, p.version)
            vpath = virtual if same_key else f"{virtual}:{p.group_id}:{p.artifact_id}"
            ptype = JENKINS_PKG if is_jenkins_group(p.group_id) else JAVA_PKG
            own_group = group_id(p.artifact_id, p.version, properties=p, project=project)
            if (own_group, p.artifact_id, p.version) == (parent_group, main.name, main.version) or vpath == main.virtual_path or p.artifact_id == main.name:
                # this pom.properties describes the archive itself: it is the better source
                main.name, main.version, main.type = p.artifact_id, p.version, ptype
                if main.properties is None:
                    main.properties = p
                continue
            licenses: list[License] = []
            project_group = ""
            if project is not None:
                resolver = PomResolver([project])
                project_group = resolver.id().group_id
                licenses = [l for l in (pom_license(x.name, x.url, location.path) for x in resolver.licenses()) if l]
            yield _Draft(
                name=p.artifact_id,
                version=p.version,
                type=ptype,
                location=location,
                virtual_path=vpath,
                properties=p,
                project=project,
                project_group=project_group,
                licenses=licenses,
                parent=main,
            )

    def _nested(self, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], location: Location, virtual: str, depth: int, parent: _Draft | None) -> None:
        nested = [i for i in infos if i.filename.endswith(ARCHIVE_EXTENSIONS)]
        if not nested:
            return
        if depth >= self.limits.max_depth:
            self.warn(f"{virtual}: {len(nested)} nested archive(s) not read: deeper than {self.limits.max_depth} levels")
            return
        for info in nested:
            child_virtual = f"{virtual}:{info.filename}"
            if self.budget.archives >= self.limits.max_archives:
                if not self.budget.warned_archives:
                    self.warn(f"{self.top}: more than {self.limits.max_archives} nested archives, the rest not read")
                    self.budget.warned_archives = True
                return
            self.budget.archives += 1
            try:
                child = self._read(zf, info, self.limits.max_entry_bytes)
            except _Skip as exc:
                self.warn(f"{child_virtual}: {exc}")
                continue
            child_location = Location(path=location.path, layer=location.layer, access_path=child_virtual)
            try:
                self.walk(child, child_location, child_virtual, depth + 1, parent)
            except ArchiveError as exc:
                self.warn(f"{child_virtual}: {exc}")


def _group_of(d: _Draft) -> str:
    return group_id(d.name, d.version, properties=d.properties, project=d.project, project_group=d.project_group, manifest=d.manifest)


def _finalize(d: _Draft, found_by: str) -> Package:
    purl = maven_purl(d.name, d.version, _group_of(d))
    ptype = JENKINS_PKG if any(m in purl for m in _JENKINS_PURL_MARKERS) else d.type
    metadata: dict[str, object] = {"virtualPath": d.virtual_path}
    if d.manifest is not None:
        metadata["manifest"] = d.manifest.to_dict()
    if d.properties is not None:
        metadata["pomProperties"] = d.properties.to_dict()
    description = homepage = ""
    if d.project is not None:
        resolver = PomResolver([d.project])
        rid = resolver.id()
        metadata["pomProject"] = {
            "path": d.project.path,
            "groupId": rid.group_id,
            "artifactId": rid.artifact_id,
            "version": rid.version,
            "name": resolver.resolve(d.project.name),
        }
        description = resolver.resolve(d.project.description)
        homepage = resolver.resolve(d.project.url)
    if d.parent is not None:
        metadata["parent"] = d.parent.virtual_path
    return Package(
        name=d.name,
        version=d.version,
        type=ptype,
        found_by=found_by,
        purl=purl,
        licenses=tuple(dict.fromkeys(d.licenses)),
        description=description,
        homepage=homepage,
        language="java",
        locations=(d.location,),
        digests=d.digests,
        metadata=metadata,
    )


def catalog_archive(
    data: bytes,
    location: Location,
    *,
    found_by: str,
    warn: Callable[[str], None],
    limits: ArchiveLimits = ArchiveLimits(),
) -> tuple[list[Package], list[Relationship]]:
    """Packages and dependency edges of one archive's bytes (and of the archives nested in it).

    Raises :class:`ArchiveError` when the top-level archive cannot be read at all;
    problems below it are passed to ``warn`` and skipped.
    """
    virtual = location.access_path or location.path
    walker = _Walker(limits, warn, virtual)
    walker.walk(data, location, virtual, 0, None)
    for d in walker.drafts:
        d.package = _finalize(d, found_by)
    # the same library nested twice in one archive (e.g. under two lib/ folders) is one package
    unique: dict[str, Package] = {}
    for d in walker.drafts:
        if d.package is not None:
            unique.setdefault(d.package.id, d.package)
    packages = list(unique.values())
    rels = [
        Relationship(source=a.package.id, target=b.package.id, type=RelType.DEPENDS_ON)
        for a, b in walker.edges
        if a.package is not None and b.package is not None and a.package.id != b.package.id
    ]
    return packages, list(dict.fromkeys(rels))
