"""Runtimes shipped without a package manager, recognised by their executables (syft's binary classifiers).

A Python built into ``/usr/local``, a Node.js or Go toolchain unpacked from a
tarball, a ``redis-server`` copied into a distroless image: no package database
lists them, so the ``binary-classifier-cataloger`` looks at files with known
names (``**/python*``, ``**/node``, ``**/redis-server`` ...; the table is in
:mod:`assay.catalog._binary.classifiers`) and finds the version in their bytes.
Each finding is a package ``pkg:generic/<name>@<version>`` (a few Go programs get
``pkg:golang/...`` and type ``go-module``, as in syft) with the classifier's CPEs.

Files are read once: :data:`ANALYZER` runs every matching classifier on a file
while an image's layer streams past and keeps only the versions found.  A symlink
whose name a classifier wants but whose target's name it does not (``busybox`` ->
``/bin/[``) is read when cataloging.  Python and Ruby interpreters linked against
``libpython``/``libruby`` take the version found in that library.  Identical
packages found in several files (or by several classifiers) are reported once,
with every location.

Binaries a package manager installed are reported by that package manager:
:func:`drop_owned` removes them afterwards (it needs every cataloger's results).
"""

from __future__ import annotations

import posixpath
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from .._internal import binfmt
from .._internal.globs import compile_glob, glob_basename
from ..errors import SourceError
from ..model import Location, Package
from ..source.tree import FILE, SYMLINK, Analyzer, FileResolver
from . import Environment, Parsed
from ._binary.classifiers import classifiers
from ._binary.matchers import Classifier

__all__ = [
    "ANALYZER",
    "CATALOGERS",
    "NAME",
    "BinaryClassifierCataloger",
    "FileFindings",
    "Hit",
    "analyze_file",
    "drop_owned",
    "needed_libraries",
]

NAME = "binary-classifier-cataloger"
JVM_CATALOGER = "java-jvm-cataloger"
OS_PACKAGE_TYPES = frozenset({"deb", "apk", "rpm", "alpm", "portage", "nix"})
_JAVA_CLASSIFIERS = frozenset({"java-binary", "java-jdb-binary"})
_CPE_SPECIAL = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True, slots=True)
class Hit:
    """A classifier that matched a file: its id, the version, and the other named groups."""

    classifier: str
    version: str
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class FileFindings:
    """What the classifiers found in one file (kept per file while an image streams)."""

    hits: tuple[Hit, ...]
    needed: tuple[str, ...] = ()  # DT_NEEDED libraries a classifier takes its version from


# -- which classifiers look at which file ----------------------------------------------------


class _Index:
    """Classifiers by file name: a dict for literal names, one combined regex for wildcard ones."""

    def __init__(self, table: Sequence[Classifier]) -> None:
        self.order = {c.id: i for i, c in enumerate(table)}
        self.by_name: dict[str, list[tuple[Classifier, re.Pattern[str] | None]]] = {}
        wild: list[tuple[re.Pattern[str], Classifier, re.Pattern[str] | None]] = []
        wild_bases: list[str] = []
        for c in table:
            for g in c.globs:
                base_glob = g.rsplit("/", 1)[-1]
                full = None if g == "**/" + base_glob else compile_glob(g)
                literal = glob_basename(g)
                if literal is not None:
                    self.by_name.setdefault(literal, []).append((c, full))
                else:
                    wild.append((compile_glob(base_glob), c, full))
                    wild_bases.append(compile_glob(base_glob).pattern)
        self.wild = wild
        self.wild_any = re.compile("|".join(f"(?:{p})" for p in wild_bases)) if wild_bases else None

    def candidates(self, path: str) -> list[Classifier]:
        """Classifiers whose glob matches ``path``, in table order."""
        base = path.rsplit("/", 1)[-1]
        rel = path.lstrip("/")
        out = [c for c, full in self.by_name.get(base, ()) if full is None or full.match(rel)]
        if self.wild_any is not None and self.wild_any.match(base):
            out.extend(c for brx, c, full in self.wild if brx.match(base) and (full is None or full.match(rel)))
        if len(out) > 1:
            out.sort(key=lambda c: self.order[c.id])
        return out

    def wants_name(self, base: str) -> bool:
        return base in self.by_name or (self.wild_any is not None and self.wild_any.match(base) is not None)


_INDEX: _Index | None = None


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        _INDEX = _Index(classifiers())
    return _INDEX


# -- reading a file ------------------------------------------------------------------------


_DT_NEEDED = 1


def needed_libraries(data: bytes) -> tuple[str, ...]:
    """The DT_NEEDED entries of an ELF file (its shared libraries), () for anything else."""
    if data[:4] != b"\x7fELF":
        return ()
    try:
        exes = binfmt.parse(data)
    except binfmt.BinaryError:
        return ()
    out: list[str] = []
    for exe in exes:
        dyn, strtab = exe.section_data(".dynamic"), exe.section_data(".dynstr")
        if not dyn or not strtab:
            continue
        fmt = (">" if exe.big_endian else "<") + ("qQ" if exe.ptr_size == 8 else "iI")
        size = struct.calcsize(fmt)
        for i in range(0, len(dyn) - size + 1, size):
            tag, val = struct.unpack_from(fmt, dyn, i)
            if tag == 0:  # DT_NULL ends the table
                break
            if tag == _DT_NEEDED and val < len(strtab):
                end = strtab.find(b"\x00", val)
                out.append(strtab[val : end if end != -1 else len(strtab)].decode("utf-8", "replace"))
    return tuple(dict.fromkeys(out))


def analyze_file(path: str, data: bytes, real_path: str = "", only: Iterable[Classifier] | None = None) -> FileFindings | None:
    """Run the classifiers for ``path`` (or just ``only``) on a file's bytes; None when none matched.

    ``real_path`` (default ``path``) is the name version templates and path tests
    look at: for a symlink, the file it points to.
    """
    cands = _index().candidates(path) if only is None else list(only)
    real = real_path or path
    hits: list[Hit] = []
    done: set[str] = set()
    lib_patterns: list[str] = []
    for c in cands:
        if c.max_size and len(data) > c.max_size:
            continue
        if c.lib is not None:
            lib_patterns.append(c.lib[0])
        if c.group and c.group in done:
            continue
        groups = c.matcher(real, data)
        if not groups or not groups.get("version"):
            continue
        extra = tuple(sorted((k, v) for k, v in groups.items() if k != "version"))
        hits.append(Hit(c.id, groups["version"], extra))
        if c.group:
            done.add(c.group)
    needed: tuple[str, ...] = ()
    if lib_patterns:
        needed = tuple(lib for lib in needed_libraries(data) if any(re.match(p, lib) for p in lib_patterns))
    if not hits and not needed:
        return None
    return FileFindings(tuple(hits), needed)


def _wants(path: str, size: int, mode: int) -> bool:
    if size == 0:
        return False
    index = _index()
    if not index.wants_name(path[path.rfind("/") + 1 :]):  # the common case, kept cheap
        return False
    return any(not c.max_size or size <= c.max_size for c in index.candidates(path))


def _analyze(path: str, data: bytes) -> FileFindings | None:
    return analyze_file(path, data)


ANALYZER = Analyzer(name="binary-classifiers", wants=_wants, analyze=_analyze)


# -- packages ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Evidence:
    access: str  # the path the file was found under (a symlink's own path)
    real: str
    findings: FileFindings


def _cpe(vendor: str, product: str, version: str, update: str = "") -> str:
    fields = [vendor, product, version, update, "", "", "", "", "", ""]
    return "cpe:2.3:a:" + ":".join(_CPE_SPECIAL.sub(r"\\\g<0>", f) if f else "*" for f in fields)


def _location(resolver: FileResolver, access: str, real: str) -> Location:
    loc = resolver.location_of(real)
    return loc if access == real else Location(path=loc.path, layer=loc.layer, access_path=access)


def _match_entry(cls: str, loc: Location) -> dict[str, Any]:
    where: dict[str, Any] = {"path": loc.path, "accessPath": loc.access_path or loc.path}
    if loc.layer:
        where["layerID"] = loc.layer
    return {"classifier": cls, "location": where}


class _Packages:
    """Packages in the order found; one per (name, version, type), with every location (as syft merges them)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], dict[str, Any]] = {}

    def add(self, c: Classifier, version: str, extra: dict[str, str], locations: list[Location]) -> None:
        ptype, namespace, pname = c.purl
        kind = "go-module" if ptype == "golang" else "binary"
        key = (c.package, version, kind)
        entry = self.items.get(key)
        if entry is None:
            if c.cpe_update and extra.get("primary"):
                cpes = tuple(_cpe(v, p, extra["primary"], "update" + extra.get("update", "")) for v, p in c.cpes)
            else:
                cpes = tuple(_cpe(v, p, version) for v, p in c.cpes)
            self.items[key] = {
                "classifier": c,
                "kind": kind,
                "purl": PackageURL(type=ptype, namespace=namespace or None, name=pname, version=version).to_string(),
                "cpes": cpes,
                "locations": list(dict.fromkeys(locations)),
                "matches": [_match_entry(c.cls, locations[0])],
            }
            return
        new = [loc for loc in locations if loc not in entry["locations"]]
        if new:  # evidence already recorded (libpython seen by two classifiers) adds nothing
            entry["locations"].extend(new)
            entry["matches"].append(_match_entry(c.cls, locations[0]))

    def packages(self) -> list[Package]:
        out = []
        for (name, version, kind), e in self.items.items():
            out.append(
                Package(
                    name=name,
                    version=version,
                    type=kind,
                    found_by=NAME,
                    purl=e["purl"],
                    cpes=e["cpes"],
                    layer=e["locations"][0].layer,
                    locations=tuple(e["locations"]),
                    metadata={"metadataType": "binary-signature", "matches": e["matches"]},
                )
            )
        return out


class BinaryClassifierCataloger:
    """Runtimes and tools recognised by file name and byte patterns (see :mod:`assay.catalog.binary`)."""

    NAME = NAME
    GLOBS: tuple[str, ...] = ()
    NEEDS: tuple[str, ...] = ()
    ANALYZERS = (ANALYZER,)

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        found: dict[str, FileFindings] = resolver.analysis(ANALYZER.name)
        evidence = [_Evidence(p, p, f) for p, f in sorted(found.items())]
        evidence.extend(self._through_symlinks(resolver, env, found))
        evidence.sort(key=lambda e: e.access)
        index = _index()
        out = _Packages()
        for c in classifiers():
            if not c.emit:
                continue
            for ev in evidence:
                own = next((h for h in ev.findings.hits if h.classifier == c.id), None)
                if c.lib is not None and ev.findings.needed and c in index.candidates(ev.access):
                    via_lib = self._from_libraries(resolver, found, c, ev)
                else:
                    via_lib = []
                if via_lib and (c.lib_first or own is None):
                    for version, extra, lib_loc in via_lib:
                        out.add(c, version, extra, [_location(resolver, ev.access, ev.real), lib_loc])
                elif own is not None:
                    locs = [_location(resolver, ev.access, ev.real)]
                    if c.sibling:
                        main = resolver.location(posixpath.join(posixpath.dirname(ev.access), c.sibling))
                        if main is None:
                            continue
                        locs.insert(0, main)
                    out.add(c, own.version, dict(own.extra), locs)
        return Parsed.of(out.packages())

    @staticmethod
    def _from_libraries(resolver: FileResolver, found: dict[str, FileFindings], c: Classifier, ev: _Evidence) -> list[tuple[str, dict[str, str], Location]]:
        assert c.lib is not None
        pattern, source = c.lib
        got = []
        for lib in ev.findings.needed:
            if not re.match(pattern, lib):
                continue
            for loc in resolver.glob("**/" + glob_escape(lib)):
                f = found.get(loc.path)
                for h in f.hits if f is not None else ():
                    if h.classifier == source:
                        got.append((h.version, dict(h.extra), loc))
        return got

    @staticmethod
    def _through_symlinks(resolver: FileResolver, env: Environment, found: dict[str, FileFindings]) -> list[_Evidence]:
        """Findings for symlinks a classifier wants whose target's own name it does not (``busybox`` -> ``[``)."""
        index = _index()
        tree = resolver.tree
        out: list[_Evidence] = []
        for base, paths in tree.names().items():
            if not index.wants_name(base):
                continue
            for path in paths:
                node = tree.get(path)
                if node is None or node.kind != SYMLINK:
                    continue
                try:
                    real, target = tree.resolve(path)
                except SourceError:
                    continue
                if target is None or target.kind != FILE or target.size == 0:
                    continue
                have = {c.id for c in index.candidates(real)}
                extra = [c for c in index.candidates(path) if c.id not in have and (not c.max_size or target.size <= c.max_size)]
                if not extra or target.size > ANALYZER.max_size:
                    continue
                try:
                    data = resolver.read(real)
                except SourceError as exc:
                    env.warn(f"{NAME}: {exc.diagnostics()}")
                    continue
                f = analyze_file(path, data, real, extra)
                if f is not None:
                    out.append(_Evidence(path, real, f))
        return out


def glob_escape(name: str) -> str:
    """A file name as a glob that matches only itself."""
    return re.sub(r"([*?\[\]{}])", r"[\1]", name)


CATALOGERS = (BinaryClassifierCataloger(),)


# -- after every cataloger ---------------------------------------------------------------------


def drop_owned(packages: Sequence[Package], resolver: FileResolver | None = None) -> tuple[Package, ...]:
    """``packages`` without the ``binary`` packages a package manager already accounts for.

    A ``binary`` package goes when one of its locations is a file a dpkg, rpm or
    apk (...) package owns, as syft's ownership-overlap rule does: the OS package
    is what gets reported and matched.  Owned paths are compared as written and
    with their directory resolved through the source's symlinks (a merged-/usr
    image's dpkg lists ``/bin/bash``, which is ``/usr/bin/bash``).  A Java
    launcher the classifiers found inside a JDK/JRE that the JVM cataloger
    already reported from its ``release`` file goes too.
    """
    binaries = [p for p in packages if p.type == "binary"]
    if not binaries:
        return tuple(packages)
    names = {posixpath.basename(x) for p in binaries for loc in p.locations for x in (loc.path, loc.access_path) if x}
    owned: set[str] = set()
    real_dirs: dict[str, str] = {}
    for p in packages:
        if p.type not in OS_PACKAGE_TYPES:
            continue
        for f in p.files:
            directory, _, base = f.rpartition("/")
            if base not in names:
                continue
            owned.add(f)
            if resolver is not None:
                if directory not in real_dirs:
                    real_dirs[directory] = _real_dir(resolver, directory)
                owned.add(f"{real_dirs[directory]}/{base}")
    jvm_dirs = tuple(
        p.metadata["installDir"].rstrip("/") + "/"
        for p in binaries
        if p.found_by == JVM_CATALOGER and isinstance(p.metadata.get("installDir"), str) and p.metadata["installDir"]
    )
    keep = []
    for p in packages:
        if p.type == "binary" and any(x in owned for loc in p.locations for x in (loc.path, loc.access_path) if x):
            continue
        if jvm_dirs and p.found_by == NAME and _is_java(p) and any(loc.path.startswith(jvm_dirs) for loc in p.locations):
            continue
        keep.append(p)
    return tuple(keep)


def _real_dir(resolver: FileResolver, directory: str) -> str:
    try:
        real, node = resolver.tree.resolve(directory or "/")
    except SourceError:
        return directory
    return real.rstrip("/") if node is not None else directory


def _is_java(p: Package) -> bool:
    return any(m.get("classifier") in _JAVA_CLASSIFIERS for m in p.metadata.get("matches", ()))
