""".NET packages from ``*.deps.json`` and NuGet ``packages.lock.json`` files.

``dotnet-deps-cataloger`` reads the dependency manifest the SDK writes next to
an application (``MyApp.deps.json``): every ``name/version`` under
``targets`` (all target frameworks and runtime-specific sections) is a
package, with its ``libraries`` record (type ``package``/``project``/...,
sha512, path) as metadata.  The root project is the ``project`` library named
like the file; other ``project`` libraries (project references) are reported
too, as syft does.  A ``referenceassembly`` with no sha512 and no path is a
framework facade, not a shipped package, and is skipped.  ``dependencies``
under each target give DEPENDS_ON edges.  (syft's default .NET cataloger also
pairs these with the PE files on disk; assay reads the manifests only, and does
not look up licenses in a local NuGet cache.)

``dotnet-packages-lock-cataloger`` reads NuGet's lock file: each framework's
entries (Direct, Transitive, CentralTransitive, Project), one package per
case-insensitive name and resolved version across frameworks (so two
frameworks resolving log4net 2.0.5 and 1.2.15 give two packages), the most
direct type kept in metadata.  An edge names only a lower bound, so it resolves
to the version the same framework (or, for ``net8.0/linux-x64``, its base
``net8.0``) locked.

Purls are ``pkg:nuget/Name@version``; NuGet ids keep their case.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..model import Location, Package, Relationship, RelType
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error

__all__ = [
    "CATALOGERS",
    "DEPS_CATALOGER",
    "LOCK_CATALOGER",
    "nuget_purl",
    "parse_deps_json",
    "parse_packages_lock",
]

DEPS_CATALOGER = "dotnet-deps-cataloger"
LOCK_CATALOGER = "dotnet-packages-lock-cataloger"
_TYPE_RANK = {"Project": 0, "Direct": 1, "CentralTransitive": 2, "Transitive": 3}


def nuget_purl(name: str, version: str) -> str:
    """``pkg:nuget/Name@version``, escaped as syft's Go purl library does."""
    out = "pkg:nuget/" + quote(name, safe="")
    return out + ("@" + quote(version, safe="") if version else "")


def _load(resolver: FileResolver, loc: Location, what: str) -> Mapping[str, Any]:
    try:
        doc = json.loads(resolver.read(loc))
    except UnicodeDecodeError as exc:
        raise parse_error(loc, f"{what} is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise parse_error(loc, f"invalid {what}: {exc.msg}", exc.lineno) from None
    if not isinstance(doc, Mapping):
        raise parse_error(loc, f"{what} must be a JSON object")
    return doc


def _obj(v: Any) -> Mapping[str, Any]:
    """A JSON object, or {} for anything else."""
    return v if isinstance(v, Mapping) else {}


def _str(v: Any) -> str:
    return v.strip() if isinstance(v, str) else ""


def _name_version(key: str) -> tuple[str, str]:
    name, _, version = key.partition("/")
    return name.strip(), version.strip()


def _package(name: str, version: str, loc: Location, found_by: str, metadata: dict[str, Any]) -> Package:
    return Package(
        name=name,
        version=version,
        type="dotnet",
        found_by=found_by,
        purl=nuget_purl(name, version),
        language="dotnet",
        locations=(loc,),
        metadata=metadata,
    )


# -- deps.json -----------------------------------------------------------------------


def _root_name(path: str) -> str:
    """``/app/TestLibrary.deps.json`` -> ``TestLibrary``."""
    base = posixpath.basename(path)
    return base[: -len(".deps.json")] if base.endswith(".deps.json") else ""


def parse_deps_json(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and edges of one ``*.deps.json``."""
    doc = _load(resolver, loc, "deps.json")
    targets = doc.get("targets")
    libraries = _obj(doc.get("libraries"))
    if not isinstance(targets, Mapping):
        raise parse_error(loc, "deps.json has no 'targets' object")
    entries: dict[str, list[Mapping[str, Any]]] = {}
    for section in targets.values():
        if not isinstance(section, Mapping):
            continue
        for key, target in section.items():
            entries.setdefault(key, []).append(_obj(target))

    root = _root_name(loc.path)
    pkgs: dict[str, Package] = {}
    lower: dict[str, str] = {}
    for key in entries:
        name, version = _name_version(key)
        if not name:
            continue
        lib = _obj(libraries.get(key))
        kind, sha, path = _str(lib.get("type")), _str(lib.get("sha512")), _str(lib.get("path"))
        if kind == "referenceassembly" and not sha and not path:
            continue  # a framework reference facade: nothing of it ships with the app
        metadata: dict[str, Any] = {"name": name, "version": version}
        for k, v in (("type", kind), ("path", path), ("sha512", sha), ("hashPath", _str(lib.get("hashPath")))):
            if v:
                metadata[k] = v
        if kind == "project" and name == root:
            metadata["root"] = True
        pkgs[key] = _package(name, version, loc, DEPS_CATALOGER, metadata)
        lower[key.lower()] = key

    rels: set[Relationship] = set()
    for key, targets_of in entries.items():
        src = pkgs.get(key)
        if src is None:
            continue
        for target in targets_of:
            deps = target.get("dependencies")
            if not isinstance(deps, Mapping):
                continue
            for dep, version in deps.items():
                dkey = f"{dep}/{version}"
                dst = pkgs.get(dkey) or pkgs.get(lower.get(dkey.lower(), ""))
                if dst is not None and dst.id != src.id:
                    rels.add(Relationship(source=src.id, target=dst.id, type=RelType.DEPENDS_ON))
    ordered = sorted(pkgs.values(), key=lambda p: (not p.metadata.get("root"), p.sort_key))
    return Parsed.of(ordered, sorted(rels))


# -- packages.lock.json --------------------------------------------------------------


def parse_packages_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and edges of one NuGet ``packages.lock.json``."""
    doc = _load(resolver, loc, "packages.lock.json")
    frameworks = doc.get("dependencies")
    if not isinstance(frameworks, Mapping):
        raise parse_error(loc, "packages.lock.json has no 'dependencies' object")

    # framework -> {lowercased name: (name, entry)}
    by_fw: dict[str, dict[str, tuple[str, Mapping[str, Any]]]] = {}
    for fw in sorted(frameworks):
        section = frameworks[fw]
        if not isinstance(section, Mapping):
            continue
        by_fw[fw] = {str(n).lower(): (str(n), e) for n, e in sorted(section.items()) if isinstance(e, Mapping) and n}

    def ident(name: str, e: Mapping[str, Any]) -> tuple[str, str]:
        return name.lower(), _str(e.get("resolved"))

    chosen: dict[tuple[str, str], tuple[str, Mapping[str, Any]]] = {}
    for fw, section in by_fw.items():
        for name, e in section.values():
            k = ident(name, e)
            old = chosen.get(k)
            if old is None or _TYPE_RANK.get(_str(e.get("type")), 9) < _TYPE_RANK.get(_str(old[1].get("type")), 9):
                chosen[k] = (name, e)

    pkgs: dict[tuple[str, str], Package] = {}
    for k, (name, e) in chosen.items():
        metadata = {"name": name, "version": k[1]}
        for field, key in (("type", "type"), ("requested", "requested"), ("contentHash", "contentHash")):
            if _str(e.get(field)):
                metadata[key] = _str(e.get(field))
        pkgs[k] = _package(name, k[1], loc, LOCK_CATALOGER, metadata)

    rels: set[Relationship] = set()
    for fw, section in by_fw.items():
        base = by_fw.get(fw.split("/", 1)[0], {}) if "/" in fw else {}
        for name, e in section.values():
            src = pkgs.get(ident(name, e))
            deps = e.get("dependencies")
            if src is None or not isinstance(deps, Mapping):
                continue
            for dep in deps:
                hit = section.get(str(dep).lower()) or base.get(str(dep).lower())
                if hit is None:
                    continue
                dst = pkgs.get(ident(*hit))
                if dst is not None and dst.id != src.id:
                    rels.add(Relationship(source=src.id, target=dst.id, type=RelType.DEPENDS_ON))
    return Parsed.of(sorted(pkgs.values(), key=lambda p: p.sort_key), sorted(rels))


def _cataloger(name: str, glob: str, parser, tags: tuple[str, ...]) -> GlobCataloger:  # type: ignore[no-untyped-def]
    c = GlobCataloger(name, [(glob, parser)])
    c.TAGS = tags  # type: ignore[attr-defined]
    return c


# TAGS follow syft's scopes: deps.json ships with an installed app (images and directories);
# packages.lock.json is a source-tree declaration (directories).
CATALOGERS = (
    _cataloger(DEPS_CATALOGER, "**/*.deps.json", parse_deps_json, ("installed", "image", "directory", "language", "dotnet", "c#")),
    _cataloger(LOCK_CATALOGER, "**/packages.lock.json", parse_packages_lock, ("declared", "directory", "language", "dotnet", "c#")),
)
