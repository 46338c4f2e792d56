"""npm's package-lock.json (and npm-shrinkwrap.json), lockfile versions 1, 2 and 3.

* v2/v3 ``packages``: keys are install paths (``node_modules/a/node_modules/b``);
  the root ``""`` is reported when it has a name (as syft does); an entry's
  ``name`` field is the real package behind an alias key; ``link: true`` entries
  are workspace symlinks, followed to the folder entry they resolve to.
  Dependencies resolve the way Node does: the nearest ``node_modules/<name>``
  walking up from the dependent's path.
* v1 ``dependencies``: nested trees; ``"version": "npm:real@1.2.3"`` aliases
  resolve to the real name; ``requires`` resolve through the nesting scopes.
* ``dev: true`` -> Package.dev; the root's devDependencies -> DEV_DEPENDS_ON.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from ...model import Location
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error
from .common import DEV, PROD, Entry, build, dep_map, in_node_modules, load_json, text

__all__ = ["entries_v1", "entries_v2", "parse_package_lock"]

_PROD_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


def _licenses(v: Any) -> tuple[str, ...]:
    items = v if isinstance(v, list) else [v]
    return tuple(s.strip() for s in items if isinstance(s, str) and s.strip())


def _ancestors(key: str):
    """``node_modules/a/node_modules/b`` -> itself, ``node_modules/a/node_modules``, ..., ``""``."""
    while True:
        yield key
        if not key:
            return
        key = posixpath.dirname(key)


def entries_v2(packages: Mapping[str, Any]) -> list[Entry]:
    """Entries of a v2/v3 ``packages`` map, dependencies resolved by Node's lookup rules."""
    links: dict[str, str | None] = {}  # link entry -> the folder entry it points at
    for key, e in packages.items():
        if isinstance(e, Mapping) and e.get("link"):
            resolved = text(e.get("resolved"))
            target = posixpath.normpath(resolved) if resolved else None
            links[key] = "" if target == "." else target

    def find(start: str, name: str) -> str | None:
        for d in _ancestors(start):
            if posixpath.basename(d) == "node_modules":
                continue
            cand = f"{d}/node_modules/{name}" if d else f"node_modules/{name}"
            if cand in links:
                target = links[cand]
                return target if target is not None and target in packages else None
            if cand in packages:
                return cand
        return None

    out: list[Entry] = []
    for key, e in packages.items():
        if not isinstance(e, Mapping) or e.get("link"):
            continue
        name = text(e.get("name"))
        if not name and key:
            tail = key.rsplit("node_modules/", 1)[-1]
            name = tail if "node_modules/" in key else posixpath.basename(key)
        deps: list[tuple[str, str]] = []
        fields = _PROD_FIELDS + (("devDependencies",) if not in_node_modules(key) else ())
        for f in fields:
            kind = DEV if f == "devDependencies" else PROD
            for dep in dep_map(e, f):
                target = find(key, dep)
                if target is not None:
                    deps.append((target, kind))
        metadata = {k: text(e.get(k)) for k in ("resolved", "integrity") if text(e.get(k))}
        out.append(
            Entry(
                key=key,
                name=name,
                version=text(e.get("version")),
                dev=bool(e.get("dev")),
                deps=deps,
                licenses=_licenses(e.get("license")),
                metadata=metadata,
                report=bool(name),
            )
        )
    return out


def _alias(name: str, version: str) -> tuple[str, str]:
    """``("case-alias", "npm:case@1.6.3")`` -> ``("case", "1.6.3")``."""
    if not version.startswith("npm:"):
        return name, version
    real = version[4:]
    at = real.rfind("@")
    if at <= 0:
        return name, version
    return real[:at], real[at + 1 :]


def entries_v1(dependencies: Mapping[str, Any]) -> list[Entry]:
    """Entries of a v1 ``dependencies`` tree; nested entries inherit a dev parent's flag."""
    out: list[Entry] = []
    known: set[tuple[str, ...]] = set()
    pending: list[tuple[tuple[str, ...], Mapping[str, Any], bool]] = []

    stack: list[tuple[tuple[str, ...], Mapping[str, Any], bool]] = [((), dependencies, False)]
    while stack:
        path, level, parent_dev = stack.pop()
        for name, e in level.items():
            if not isinstance(e, Mapping):
                continue
            here = path + (name,)
            known.add(here)
            dev = bool(e.get("dev")) or parent_dev
            pending.append((here, e, dev))
            nested = e.get("dependencies")
            if isinstance(nested, Mapping):
                stack.append((here, nested, dev))

    def find(path: tuple[str, ...], name: str) -> tuple[str, ...] | None:
        for i in range(len(path), -1, -1):
            cand = path[:i] + (name,)
            if cand in known:
                return cand
        return None

    for here, e, dev in pending:
        name, version = _alias(here[-1], text(e.get("version")))
        deps: list[tuple[str, str]] = []
        requires = e.get("requires")
        if isinstance(requires, Mapping):
            for dep in requires:
                target = find(here, str(dep))
                if target is not None:
                    deps.append(("\0".join(target), PROD))
        metadata = {k: text(e.get(k)) for k in ("resolved", "integrity") if text(e.get(k))}
        out.append(Entry(key="\0".join(here), name=name, version=version, dev=dev, deps=deps, metadata=metadata))
    return out


def parse_package_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and dependency edges of one package-lock.json / npm-shrinkwrap.json."""
    if in_node_modules(loc.access_path or loc.path):
        return Parsed()  # a dependency's own lockfile says nothing about what is installed
    base = posixpath.dirname(loc.path)
    if loc.path.endswith("/package-lock.json") and resolver.location(f"{base}/npm-shrinkwrap.json") is not None:
        return Parsed()  # npm ignores package-lock.json when a shrinkwrap sits beside it
    doc = load_json(resolver, loc, "package-lock JSON")
    if not isinstance(doc, Mapping):
        raise parse_error(loc, "a package lock must be a JSON object")
    version = doc.get("lockfileVersion")
    packages, dependencies = doc.get("packages"), doc.get("dependencies")
    if isinstance(packages, Mapping) and version != 1:
        entries = entries_v2(packages)
    elif isinstance(dependencies, Mapping):
        entries = entries_v1(dependencies)
    else:
        entries = []
    return build(resolver, loc, entries)
