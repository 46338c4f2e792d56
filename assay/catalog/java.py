"""Java: archives, pom.xml, gradle.lockfile and JVM installations (syft's four Java catalogers).

* ``java-archive-cataloger`` -- every ``*.jar``/``war``/``ear``/``par``/``sar``/
  ``nar``/``jpi``/``hpi``/``kar``/``lpkg``, read from memory with nested archives,
  shaded pom.properties, SHA-1 digests and zip-bomb limits
  (:mod:`assay.catalog._java.archive`);
* ``java-pom-cataloger`` -- ``pom.xml`` files of source trees: the project
  itself and its declared dependencies (profiles included), ``${...}``
  resolved from the pom and from parents found in the same tree (by
  ``relativePath`` or coordinates), versions and scopes from
  dependencyManagement.  ``test`` scope is a development dependency
  (``dev=True``, ``dev-depends-on``), ``<optional>`` an optional one; a
  dependency that is another pom of the tree links to that project;
* ``java-gradle-lockfile-cataloger`` -- ``group:artifact:version=configurations``
  lines of ``gradle.lockfile``; dependencies only in test configurations are
  development dependencies;
* ``java-jvm-cataloger`` -- JDK/JRE ``release`` files (:mod:`assay.catalog._java.jvm`),
  reported as ``binary`` packages with syft's purls and CPEs.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import CatalogError
from ..model import License, Location, Package, Relationship, RelType
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error
from ._java import ARCHIVE_EXTENSIONS

# The readers in ._java (zipfile, expat, many dataclasses) are imported by the
# functions below when a matching file is found, not when the catalogers register.
if TYPE_CHECKING:
    from ._java.archive import ArchiveLimits
    from ._java.pom import MavenId, PomProject, PomResolver

__all__ = [
    "ARCHIVE_GLOBS",
    "ARCHIVE_NAME",
    "CATALOGERS",
    "GRADLE_NAME",
    "JVM_NAME",
    "LIMITS",
    "POM_NAME",
    "PomCataloger",
    "parse_gradle_lockfile",
    "parse_java_archive",
    "parse_jvm_release",
]

ARCHIVE_NAME = "java-archive-cataloger"
POM_NAME = "java-pom-cataloger"
GRADLE_NAME = "java-gradle-lockfile-cataloger"
JVM_NAME = "java-jvm-cataloger"

ARCHIVE_GLOBS = tuple(f"**/*{ext}" for ext in ARCHIVE_EXTENSIONS)
POM_GLOB = "**/pom.xml"
GRADLE_GLOB = "**/gradle.lockfile*"
JVM_GLOB = "**/release"

LIMITS: ArchiveLimits | None = None  # None: ArchiveLimits() (tests set tighter ones)
MAX_POM_BYTES = 16 << 20
MAX_LOCKFILE_BYTES = 64 << 20
MAX_RELEASE_BYTES = 1 << 20
MAX_PARENT_DEPTH = 10


def _read(resolver: FileResolver, loc: Location, cap: int) -> bytes:
    """The file's bytes, or a CatalogError naming it when it is over ``cap`` (never a SourceError)."""
    size = resolver.size(loc)
    if size > cap:
        raise parse_error(loc, f"{size} bytes, over the {cap}-byte limit for this kind of file")
    return resolver.read(loc, limit=cap)


# -- archives -------------------------------------------------------------------------------


def parse_java_archive(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    from ._java.archive import ArchiveError, ArchiveLimits, catalog_archive

    limits = LIMITS or ArchiveLimits()
    data = _read(resolver, loc, limits.max_archive_bytes)
    try:
        pkgs, rels = catalog_archive(data, loc, found_by=ARCHIVE_NAME, warn=lambda m: env.warn(f"{ARCHIVE_NAME}: {m}"), limits=limits)
    except ArchiveError as exc:
        raise parse_error(loc, str(exc)) from None
    return Parsed.of(pkgs, rels)


# -- gradle.lockfile ---------------------------------------------------------------------------


def parse_gradle_lockfile(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    from ._java.naming import JAVA_PKG, group_id, maven_purl
    from ._java.pom import PomProperties

    text = _read(resolver, loc, MAX_LOCKFILE_BYTES).decode("utf-8", errors="replace")
    pkgs: dict[tuple[str, str, str], Package] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        coords, _, configs = line.partition("=")
        parts = [p.strip() for p in coords.split(":")]
        if len(parts) != 3 or not parts[1]:
            continue  # e.g. "empty=annotationProcessor"
        group, artifact, version = parts
        confs = tuple(c.strip() for c in configs.split(",") if c.strip())
        key = (group, artifact, version)
        if key in pkgs:
            continue
        props = PomProperties(group_id=group, artifact_id=artifact, version=version)
        pkgs[key] = Package(
            name=artifact,
            version=version,
            type=JAVA_PKG,
            found_by=GRADLE_NAME,
            purl=maven_purl(artifact, version, group_id(artifact, version, properties=props)),
            language="java",
            dev=bool(confs) and all(c.startswith("test") for c in confs),
            locations=(loc,),
            metadata={"groupId": group, "configurations": list(confs)},
        )
    return Parsed.of(pkgs.values())


# -- JVM installations -----------------------------------------------------------------------------


def parse_jvm_release(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    from ._java.jvm import identify_jvm, parse_release

    if resolver.size(loc) > MAX_RELEASE_BYTES:
        return Parsed()  # "release" is a common name: a big one is not a JVM's
    release = parse_release(resolver.read(loc, limit=MAX_RELEASE_BYTES).decode("utf-8", errors="replace"))
    if release is None:
        return Parsed()
    install = posixpath.dirname(loc.path)
    has_jdk = resolver.exists(posixpath.join(install, "bin", "javac"))
    ident = identify_jvm(release, " ".join(dict.fromkeys((loc.access_path or loc.path, loc.path))), has_jdk)
    if not ident.version:
        raise parse_error(loc, "a JVM release file without a usable version")
    pkg = Package(
        name=ident.product,
        version=ident.version,
        type="binary",
        found_by=JVM_NAME,
        purl=ident.purl,
        cpes=ident.cpes,
        locations=(loc,),
        metadata={"release": release.to_dict(), "installDir": install, "jdk": has_jdk},
    )
    return Parsed.of([pkg])


# -- pom.xml ---------------------------------------------------------------------------------------


@dataclass
class _DepUse:
    location: Location
    scopes: set[str] = field(default_factory=set)


def _scope_type(scope: str, optional: bool) -> RelType:
    if scope == "test":
        return RelType.DEV_DEPENDS_ON
    if optional:
        return RelType.OPTIONAL_DEPENDS_ON
    return RelType.DEPENDS_ON


class PomCataloger:
    """``java-pom-cataloger``: all pom.xml files of the tree at once, so modules can find each other."""

    NAME = POM_NAME
    GLOBS = (POM_GLOB,)

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        from ._java.naming import JAVA_PKG, group_id, maven_purl
        from ._java.pom import PomError, PomProperties, PomResolver, parse_pom_xml

        poms: dict[str, tuple[Location, PomProject]] = {}
        for loc in resolver.glob(POM_GLOB):
            if loc.path in poms:
                continue
            try:
                poms[loc.path] = (loc, parse_pom_xml(_read(resolver, loc, MAX_POM_BYTES), loc.path))
            except PomError as exc:
                env.warn(f"{POM_NAME}: {parse_error(loc, str(exc)).diagnostics()}")
            except CatalogError as exc:
                env.warn(f"{POM_NAME}: {exc.diagnostics()}")
        if not poms:
            return Parsed()
        own_ids = {path: PomResolver([pom]).id() for path, (_, pom) in poms.items()}
        by_coords: dict[tuple[str, str], str] = {}
        for path in sorted(poms):
            by_coords.setdefault((own_ids[path].group_id, own_ids[path].artifact_id), path)

        mains: dict[str, Package] = {}  # pom path -> its project package
        resolved: dict[MavenId, Package] = {}
        resolvers: dict[str, PomResolver] = {}
        for path in sorted(poms):
            loc, pom = poms[path]
            r = PomResolver(self._chain(path, poms, own_ids, by_coords))
            resolvers[path] = r
            rid = r.id()
            if not rid.artifact_id:
                env.warn(f"{POM_NAME}: {path}: no artifactId, the project itself is not reported")
                continue
            pkg = self._project_package(r, rid, loc)
            mains[path] = pkg
            resolved[rid] = pkg

        uses: dict[MavenId, _DepUse] = {}
        edges: list[tuple[str, MavenId, RelType]] = []  # (pom path, dependency id, type)
        for path in sorted(poms):
            loc, pom = poms[path]
            r = resolvers[path]
            for dep in pom.dependencies:
                did, scope, optional = r.dependency(dep)
                if not did.artifact_id:
                    continue
                if did not in resolved:
                    use = uses.setdefault(did, _DepUse(location=loc))
                    use.scopes.add(scope or "compile")
                edges.append((path, did, _scope_type(scope, optional)))

        for did, use in uses.items():
            props = PomProperties(group_id=did.group_id, artifact_id=did.artifact_id, version=did.version)
            resolved[did] = Package(
                name=did.artifact_id,
                version=did.version,
                type=JAVA_PKG,
                found_by=POM_NAME,
                purl=maven_purl(did.artifact_id, did.version, group_id(did.artifact_id, did.version, properties=props)),
                language="java",
                dev=use.scopes == {"test"},
                locations=(use.location,),
                metadata={"pomProperties": {"groupId": did.group_id, "artifactId": did.artifact_id, "scope": ",".join(sorted(use.scopes))}},
            )
        rels = [
            Relationship(source=mains[path].id, target=resolved[did].id, type=rtype)
            for path, did, rtype in edges
            if path in mains and mains[path].id != resolved[did].id
        ]
        pkgs = list(mains.values()) + [resolved[did] for did in uses]
        return Parsed.of(pkgs, dict.fromkeys(rels))

    @staticmethod
    def _chain(
        path: str,
        poms: dict[str, tuple[Location, PomProject]],
        own_ids: dict[str, MavenId],
        by_coords: dict[tuple[str, str], str],
    ) -> list[PomProject]:
        """The pom and the parents found in the tree (relativePath first, then coordinates)."""
        from ._java.pom import PomResolver

        chain = [poms[path][1]]
        seen = {path}
        current = path
        while len(chain) <= MAX_PARENT_DEPTH:
            parent = poms[current][1].parent
            if parent is None:
                break
            own = PomResolver([poms[current][1]])
            want = (own.resolve(parent.group_id), own.resolve(parent.artifact_id))
            found = None
            rel = "../pom.xml" if parent.relative_path is None else parent.relative_path
            if rel:
                cand = posixpath.normpath(posixpath.join(posixpath.dirname(current), rel))
                if not cand.endswith(".xml"):
                    cand = posixpath.join(cand, "pom.xml")
                if cand in poms and (own_ids[cand].group_id, own_ids[cand].artifact_id) == want:
                    found = cand
            if found is None:
                found = by_coords.get(want)
            if found is None or found in seen:
                break
            seen.add(found)
            chain.append(poms[found][1])
            current = found
        return chain

    @staticmethod
    def _project_package(r: PomResolver, rid: MavenId, loc: Location) -> Package:
        from ._java.licenses import pom_license
        from ._java.naming import JAVA_PKG, group_id, maven_purl

        pom = r.pom
        licenses: list[License] = [l for l in (pom_license(x.name, x.url, loc.path) for x in r.licenses()) if l]
        metadata: dict[str, object] = {
            "pomProject": {
                "path": loc.path,
                "groupId": rid.group_id,
                "artifactId": rid.artifact_id,
                "version": rid.version,
                "name": r.resolve(pom.name),
            }
        }
        pid = r.parent_id()
        if pid is not None:
            metadata["pomProject"]["parent"] = {"groupId": pid.group_id, "artifactId": pid.artifact_id, "version": pid.version}  # type: ignore[index]
        return Package(
            name=rid.artifact_id,
            version=rid.version,
            type=JAVA_PKG,
            found_by=POM_NAME,
            purl=maven_purl(rid.artifact_id, rid.version, group_id(rid.artifact_id, rid.version, project=pom, project_group=rid.group_id)),
            licenses=tuple(dict.fromkeys(licenses)),
            description=r.resolve(pom.description),
            homepage=r.resolve(pom.url),
            language="java",
            locations=(loc,),
            metadata=metadata,
        )


CATALOGERS = (
    GlobCataloger(ARCHIVE_NAME, [(g, parse_java_archive) for g in ARCHIVE_GLOBS]),
    PomCataloger(),
    GlobCataloger(GRADLE_NAME, [(GRADLE_GLOB, parse_gradle_lockfile)]),
    GlobCataloger(JVM_NAME, [(JVM_GLOB, parse_jvm_release)]),
)
