"""RPM packages from the rpmdb (sqlite, BerkeleyDB or NDB) and CBL-Mariner's manifest.

The database is read in pure Python (:mod:`assay.catalog._rpmdb`), its format told
by content, so a ``Packages`` file that is really sqlite still reads.  Each header
becomes an ``rpm`` package as syft reports it:

* version ``[epoch:]version-release`` (``2:9.0-1.cm2``), the epoch also in
  :attr:`Package.epoch`;
* purl ``pkg:rpm/<distro id>/<name>@<version>-<release>?arch=..&distro=..&epoch=..
  &upstream=<source rpm>`` -- the epoch is a qualifier, never part of the purl
  version; the namespace is the distro id (``rhel`` -> ``redhat``, ``opensuse-*``
  -> ``opensuse``) and is absent, like ``distro=``, when the distro is unknown;
* source package name and version from SOURCERPM
  (``openssl-1.1.1k-5.el8_5.src.rpm`` -> ``openssl``, ``1.1.1k-5.el8_5``);
* licenses from LICENSE, supplier from VENDOR (else PACKAGER), owned files from
  DIRNAMES/BASENAMES (or the old FILENAMES);
* REQUIRENAME resolved through the package names, PROVIDENAME and owned files of
  the same database into DEPENDS_ON edges; ``rpmlib(...)`` requirements, rich
  (boolean) dependencies and self-references are skipped.

The Mariner distroless manifest (``var/lib/rpmmanifest/container-manifest-2``) is
the output of ``rpm -qa --qf`` with ten tab-separated fields per line; it has no
dependencies or files, and syft gives its purls no distro, so neither does assay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .._internal.licenses import licenses_from
from ..errors import CatalogError, SourceError
from ..model import Distro, Location, Package, Relationship, RelType
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed

if TYPE_CHECKING:  # the rpmdb readers (sqlite3 among them) are imported when an rpmdb is found
    from ._rpmdb import RpmPackage

__all__ = [
    "CATALOGERS",
    "DB_GLOB",
    "MANIFEST_GLOB",
    "NAME",
    "NEEDS",
    "el_version",
    "parse_manifest",
    "parse_rpmdb",
    "resolve_dependencies",
    "rpm_purl",
    "split_source_rpm",
]

NAME = "rpm-db-cataloger"
DB_GLOB = "**/{var/lib,usr/share,usr/lib/sysimage}/rpm/{Packages,Packages.db,rpmdb.sqlite}"
MANIFEST_GLOB = "**/var/lib/rpmmanifest/container-manifest-2"
# An sqlite rpmdb may keep recent changes in its write-ahead log.
NEEDS = ("**/{var/lib,usr/share,usr/lib/sysimage}/rpm/rpmdb.sqlite-wal",)


# -- identity --------------------------------------------------------------------------


def el_version(epoch: int | None, version: str, release: str) -> str:
    """syft's rpm version string: ``version-release``, prefixed ``epoch:`` when there is one."""
    vr = f"{version}-{release}"
    return f"{epoch}:{vr}" if epoch is not None else vr


def split_source_rpm(srpm: str) -> tuple[str, str]:
    """``openssl-1.1.1k-5.el8_5.src.rpm`` -> ``("openssl", "1.1.1k-5.el8_5")``; ("", "") if it does not parse."""
    for suffix in (".src.rpm", ".nosrc.rpm"):
        if srpm.endswith(suffix):
            base = srpm[: -len(suffix)]
            break
    else:
        return "", ""
    parts = base.rsplit("-", 2)
    if len(parts) != 3 or not all(parts):
        return "", ""
    return parts[0], f"{parts[1]}-{parts[2]}"


def _purl_namespace(distro: Distro | None) -> str:
    ns = distro.id if distro else ""
    if ns in ("rhel", "hummingbird"):
        return "redhat"
    if ns.startswith("opensuse"):
        return "opensuse"
    return ns


def _purl_distro(distro: Distro | None) -> str:
    """syft's ``distro=`` value: id and VERSION_ID (else BUILD_ID), joined by ``-``."""
    if distro is None:
        return ""
    return "-".join(p for p in (distro.id, distro.version_id or distro.build_id) if p)


def rpm_purl(
    name: str, version: str, release: str, *, arch: str = "", epoch: int | None = None, source_rpm: str = "", distro: Distro | None = None
) -> str:
    from packageurl import PackageURL

    qualifiers = {"arch": arch, "epoch": "" if epoch is None else str(epoch), "upstream": source_rpm, "distro": _purl_distro(distro)}
    return PackageURL(
        type="rpm",
        namespace=_purl_namespace(distro) or None,
        name=name,
        version=f"{version}-{release}",
        qualifiers={k: v for k, v in qualifiers.items() if v},
    ).to_string()


# -- the database ----------------------------------------------------------------------


def _wal(resolver: FileResolver, location: Location) -> bytes:
    """The non-empty ``-wal`` file next to an sqlite rpmdb, or b""."""
    try:
        loc = resolver.location(location.path + "-wal")
        if loc is None or resolver.size(loc) == 0:
            return b""
        return resolver.read(loc)
    except SourceError:
        return b""


def parse_rpmdb(resolver: FileResolver, env: Environment, location: Location) -> Parsed:
    """Every package of one rpmdb file, with DEPENDS_ON edges between them."""
    from ._rpmdb import detect, read_packages

    data = resolver.read(location)
    if not data:
        return Parsed()  # rpm leaves empty placeholder files behind; they hold no packages
    wal = _wal(resolver, location) if detect(data) == "sqlite" else b""
    entries = read_packages(data, location.path, wal)
    packages: list[Package] = []
    kept: list[RpmPackage] = []
    present = _Present(resolver)
    for entry in entries:
        if not entry.name:
            env.warn(f"{NAME}: {location.path}: skipped a header without a package name")
            continue
        packages.append(_package(entry, location, env.distro, present))
        kept.append(entry)
    return Parsed.of(packages, resolve_dependencies(zip(packages, kept), resolver))


class _Present:
    """Whether a path exists in the scanned tree, one directory listing per directory.

    rpm file lists name each directory's files together, so listing a directory
    once is far cheaper than resolving every path on its own.
    """

    def __init__(self, resolver: FileResolver) -> None:
        self._resolver = resolver
        self._dirs: dict[str, frozenset[str]] = {}

    def __call__(self, path: str) -> bool:
        parent, _, base = path.rpartition("/")
        if not base:
            return path == "/"
        names = self._dirs.get(parent)
        if names is None:
            try:
                names = frozenset(self._resolver.listdir(parent or "/"))
            except SourceError:
                names = frozenset()
            self._dirs[parent] = names
        return base in names


def _package(entry: RpmPackage, location: Location, distro: Distro | None, present: Callable[[str], bool]) -> Package:
    source_name, source_version = split_source_rpm(entry.source_rpm)
    # As syft, file records are kept only for files present in the scanned tree.
    files = [
        {
            "path": f.path,
            "mode": f.mode,
            "size": f.size,
            "digest": {"algorithm": f.digest_algorithm, "value": f.digest},
            "userName": f.user,
            "groupName": f.group,
            "flags": f.flags,
        }
        for f in entry.files(present)
    ]
    metadata: dict[str, Any] = {
        "name": entry.name,
        "version": entry.version,
        "epoch": entry.epoch,
        "architecture": entry.arch,
        "release": entry.release,
        "sourceRpm": entry.source_rpm,
        "size": entry.size,
        "vendor": entry.vendor,
        "modularityLabel": entry.modularity_label,
        "provides": list(entry.provides),
        "requires": list(entry.requires),
        "files": files,
    }
    return Package(
        name=entry.name,
        version=el_version(entry.epoch, entry.version, entry.release),
        type="rpm",
        found_by=NAME,
        purl=rpm_purl(
            entry.name, entry.version, entry.release, arch=entry.arch, epoch=entry.epoch, source_rpm=entry.source_rpm, distro=distro
        ),
        licenses=licenses_from([entry.license], location.path) if entry.license else (),
        supplier=entry.vendor or entry.packager,
        description=entry.summary,
        homepage=entry.url,
        arch=entry.arch,
        epoch=entry.epoch,
        source_name=source_name,
        source_version=source_version,
        locations=(location,),
        files=entry.paths,
        metadata=metadata,
    )


def _is_dependency_key(key: str) -> bool:
    # rpmlib(...) are features of rpm itself; "(a or b)" rich dependencies are not resolved (as syft)
    return bool(key) and not key.startswith(("rpmlib(", "("))


def resolve_dependencies(pairs: Iterable[tuple[Package, RpmPackage]], resolver: FileResolver | None = None) -> list[Relationship]:
    """DEPENDS_ON edges from each package to every installed package providing one of its requirements.

    A package provides its name, its PROVIDENAME entries and the files it owns.  A
    path requirement that no package owns as written is retried through the
    resolver's symlinks (``/sbin/ldconfig`` owned as ``/usr/sbin/ldconfig``).
    """
    items = list(pairs)
    providers: dict[str, list[str]] = {}
    for pkg, entry in items:
        keys = [k for k in (entry.name, *entry.provides) if _is_dependency_key(k)]
        for key in (*keys, *entry.paths):  # owned paths always start with "/"
            ids = providers.setdefault(key, [])
            if not ids or ids[-1] != pkg.id:
                ids.append(pkg.id)
    rels: set[Relationship] = set()
    for pkg, entry in items:
        for req in entry.requires:
            if not _is_dependency_key(req):
                continue
            targets = providers.get(req)
            if targets is None and req.startswith("/") and resolver is not None:
                targets = providers.get(_real_path(resolver, req), [])
            for target in targets or ():
                if target != pkg.id:
                    rels.add(Relationship(source=pkg.id, target=target, type=RelType.DEPENDS_ON))
    return sorted(rels)


def _real_path(resolver: FileResolver, path: str) -> str:
    try:
        loc = resolver.location(path)
    except SourceError:
        return ""
    return loc.path if loc is not None else ""


# -- the Mariner manifest --------------------------------------------------------------


def parse_manifest(resolver: FileResolver, env: Environment, location: Location) -> Parsed:
    """Packages of a CBL-Mariner ``container-manifest-2`` (``rpm -qa --qf`` output, ten tab-separated fields)."""
    text = resolver.read_text(location)
    packages: list[Package] = []
    problems: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            packages.append(_manifest_package(line, location))
        except ValueError as exc:
            problems.append(f"{location.path}:{lineno}: {exc}")
    if problems and not packages:
        raise CatalogError(f"{problems[0]} (not an rpm manifest?)")
    for problem in problems:
        env.warn(f"{NAME}: {problem}")
    return Parsed.of(packages)


def _manifest_package(line: str, location: Location) -> Package:
    # NAME VERSION-RELEASE INSTALLTIME BUILDTIME VENDOR EPOCH SIZE ARCH EPOCHNUM SOURCERPM
    parts = line.split("\t")
    if len(parts) < 10:
        raise ValueError(f"expected 10 tab-separated fields, found {len(parts)}")
    name = parts[0]
    if not name:
        raise ValueError("empty package name")
    vr = parts[1].split("-")
    if len(vr) != 2 or not all(vr):
        raise ValueError(f"version field {parts[1]!r} is not VERSION-RELEASE")
    version, release = vr
    epoch: int | None = None
    if parts[5] != "(none)":
        try:
            epoch = int(parts[8])
        except ValueError:
            raise ValueError(f"epoch {parts[8]!r} is not a number") from None
    try:
        size = int(parts[6])
    except ValueError:
        size = 0
    vendor, arch, srpm = parts[4], parts[7], parts[9]
    source_name, source_version = split_source_rpm(srpm)
    metadata: dict[str, Any] = {
        "name": name,
        "version": version,
        "epoch": epoch,
        "architecture": arch,
        "release": release,
        "sourceRpm": srpm,
        "size": size,
        "vendor": vendor,
        "files": [],
    }
    return Package(
        name=name,
        version=el_version(epoch, version, release),
        type="rpm",
        found_by=NAME,
        purl=rpm_purl(name, version, release, arch=arch, epoch=epoch, source_rpm=srpm),
        supplier=vendor,
        arch=arch,
        epoch=epoch,
        source_name=source_name,
        source_version=source_version,
        locations=(location,),
        metadata=metadata,
    )


CATALOGERS = (GlobCataloger(NAME, [(DB_GLOB, parse_rpmdb), (MANIFEST_GLOB, parse_manifest)], needs=NEEDS),)
