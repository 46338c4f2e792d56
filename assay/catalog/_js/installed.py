"""Installed packages: the package.json files of node_modules trees (and of the projects around them).

Which files count:

* inside a ``node_modules`` tree, only ``node_modules/<name>/package.json`` and
  ``node_modules/@scope/<name>/package.json`` are packages; the package.json
  files a package carries in its own subfolders (test fixtures, ``"type":
  "module"`` markers, ``.pnpm`` internals) are not read at all;
* outside node_modules, every package.json with a name and a version is a
  package, as syft reports it (the project itself, workspace members, private
  packages included, with ``metadata["private"]``); one without a version is
  still read as a project root that dependencies hang from.

Dependencies resolve with Node's algorithm: from the dependent's folder, the
first ``<dir>/node_modules/<name>`` walking up, following symlinks (npm and
yarn workspaces, pnpm's ``.pnpm`` store).  ``dependencies``,
``optionalDependencies`` and ``peerDependencies`` give DEPENDS_ON edges; a
project's ``devDependencies`` give DEV_DEPENDS_ON, and installed packages that
only those reach are marked dev.  Several versions of one package nested at
different depths are separate packages with their own locations.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any

from ..._internal.licenses import to_license
from ...errors import AssayError, SourceError
from ...model import Location, Package, Relationship, RelType
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error
from .common import (
    DEV,
    PACKAGE_CATALOGER,
    PROD,
    authors,
    dep_map,
    dev_only,
    license_values,
    npm_purl,
    repository_url,
    text,
)

__all__ = ["InstalledCataloger", "package_from_manifest", "package_position"]

_PROD_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


def package_position(path: str) -> tuple[bool, bool]:
    """(read it?, inside node_modules?) for a package.json path."""
    parts = path.split("/")
    try:
        i = len(parts) - 1 - parts[::-1].index("node_modules")
    except ValueError:
        return True, False
    between = parts[i + 1 : -1]
    if len(between) == 1:
        ok = not between[0].startswith((".", "@"))
    elif len(between) == 2:
        ok = between[0].startswith("@") and not between[1].startswith(".")
    else:
        ok = False
    return ok, True


def package_from_manifest(doc: dict[str, Any], loc: Location, *, dev: bool = False) -> Package | None:
    """The npm package a package.json describes, or None without a name and a version."""
    name, version = text(doc.get("name")), text(doc.get("version"))
    if not name or not version:
        return None
    metadata: dict[str, Any] = {"name": name, "version": version}
    url = repository_url(doc)
    if url:
        metadata["url"] = url
    if doc.get("private") is True:
        metadata["private"] = True
    return Package(
        name=name,
        version=version,
        type="npm",
        found_by=PACKAGE_CATALOGER,
        purl=npm_purl(name, version),
        licenses=tuple(to_license(v, loc.path) for v in license_values(doc)),
        author=authors(doc),
        description=text(doc.get("description")),
        homepage=text(doc.get("homepage")),
        language="javascript",
        dev=dev,
        locations=(loc,),
        metadata=metadata,
    )


@dataclass
class _Node:
    loc: Location
    dir: str  # real folder of the package.json
    doc: dict[str, Any]
    installed: bool  # inside node_modules (else a project / workspace folder)


def _load(resolver: FileResolver, loc: Location) -> dict[str, Any] | None:
    data = resolver.read(loc)
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise parse_error(loc, f"package.json is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise parse_error(loc, f"invalid package.json: {exc.msg}", exc.lineno) from None
    return doc if isinstance(doc, dict) else None


class _Resolver:
    """Node's module lookup over the package folders found (symlinks followed only when needed)."""

    def __init__(self, resolver: FileResolver, by_dir: dict[str, int]) -> None:
        self.resolver = resolver
        self.by_dir = by_dir
        self._linked: dict[str, int | None] = {}

    @staticmethod
    def _candidates(start: str, name: str) -> list[str]:
        """``<dir>/node_modules/<name>`` for the start folder and each ancestor not itself a node_modules."""
        out = []
        d = start.rstrip("/")
        while True:
            if not d.endswith("/node_modules"):
                out.append(f"{d}/node_modules/{name}")
            if not d:
                return out
            d = d[: d.rfind("/")]

    def find(self, start: str, name: str) -> int | None:
        cands = self._candidates(start, name)
        for c in cands:
            i = self.by_dir.get(c)
            if i is not None:
                return i
        for c in cands:  # a symlinked folder (workspace member, pnpm store entry)?
            if c not in self._linked:
                self._linked[c] = self._follow(c)
            if self._linked[c] is not None:
                return self._linked[c]
        return None

    def _follow(self, cand: str) -> int | None:
        try:
            loc = self.resolver.location(cand + "/package.json")
        except SourceError:
            return None
        return None if loc is None else self.by_dir.get(posixpath.dirname(loc.path))


class InstalledCataloger:
    """``javascript-package-cataloger``: every package.json in the tree, with resolved dependency edges."""

    NAME = PACKAGE_CATALOGER
    GLOBS = ("**/package.json",)
    TAGS = ("installed", "image", "language", "javascript", "node")

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        nodes: list[_Node] = []
        seen: set[str] = set()
        for loc in resolver.glob(*self.GLOBS):
            ok, installed = package_position(loc.access_path or loc.path)
            if not ok or loc.path in seen:
                continue
            seen.add(loc.path)
            try:
                doc = _load(resolver, loc)
            except SourceError:
                raise
            except AssayError as exc:
                env.warn(f"{self.NAME}: {exc.diagnostics()}")
                continue
            if doc is not None:
                nodes.append(_Node(loc, posixpath.dirname(loc.path), doc, installed))

        by_dir = {n.dir: i for i, n in enumerate(nodes)}
        lookup = _Resolver(resolver, by_dir)
        graph: dict[int, list[tuple[int, str]]] = {}
        prod_seeds: list[int] = []
        dev_seeds: list[int] = []
        for i, n in enumerate(nodes):
            fields = _PROD_FIELDS if n.installed else _PROD_FIELDS + ("devDependencies",)
            edges: dict[int, str] = {}
            for f in fields:
                kind = DEV if f == "devDependencies" else PROD
                for dep in dep_map(n.doc, f):
                    j = lookup.find(n.dir, dep)
                    if j is not None and j != i and edges.get(j) != PROD:
                        edges[j] = kind
            graph[i] = [(j, k) for j, k in edges.items()]
            if not n.installed:
                prod_seeds.append(i)
                dev_seeds.extend(j for j, k in graph[i] if k == DEV)
        dev = dev_only(graph, prod_seeds, dev_seeds)  # type: ignore[arg-type]

        pkgs: dict[int, Package] = {}
        for i, n in enumerate(nodes):
            p = package_from_manifest(n.doc, n.loc, dev=i in dev)
            if p is not None:
                pkgs[i] = p
        rels = [
            Relationship(source=pkgs[i].id, target=pkgs[j].id, type=RelType.DEV_DEPENDS_ON if k == DEV else RelType.DEPENDS_ON)
            for i, edges in graph.items()
            if i in pkgs
            for j, k in edges
            if j in pkgs
        ]
        return Parsed.of(pkgs.values(), rels)
