"""What the JavaScript parsers share: purls, package.json fields, and lockfile entries -> packages.

Every lockfile format is parsed into :class:`Entry` values (one per place the
lockfile lists a package, with its dependencies already resolved to other
entries' keys) and handed to :func:`build`, so deduplication, dev marking,
licenses and dependency edges work the same way for npm, yarn, pnpm, bun and
deno.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from ..._internal.licenses import to_license
from ...errors import SourceError
from ...model import License, Location, Package, Relationship, RelType
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error

__all__ = [
    "LOCK_CATALOGER",
    "PACKAGE_CATALOGER",
    "Entry",
    "authors",
    "build",
    "dev_only",
    "in_node_modules",
    "license_values",
    "load_json",
    "npm_purl",
    "repository_url",
    "split_spec",
]

PACKAGE_CATALOGER = "javascript-package-cataloger"
LOCK_CATALOGER = "javascript-lock-cataloger"

PROD, DEV = "prod", "dev"


# -- identifiers ---------------------------------------------------------------------


def _esc(s: str) -> str:
    """Percent-encode one purl segment as syft's Go purl library does (``url.QueryEscape``)."""
    return quote(s, safe="")


def npm_purl(name: str, version: str, qualifiers: Mapping[str, str] | None = None, *, split: bool = True) -> str:
    """``pkg:npm/%40scope/name@version`` exactly as syft writes it.

    Unlike packageurl-python this keeps the name's case (``c0n-fab_u.laTION``)
    and escapes like Go's ``url.QueryEscape`` (``deno.land%2Fstd``,
    ``repository_url=https%3A%2F%2Fjsr.io``).  ``split=False`` keeps a ``/`` in
    the name instead of taking the part before it as the namespace (deno remote
    modules).
    """
    ns = ""
    if split and "/" in name:
        ns, name = name.split("/", 1)
    out = "pkg:npm/" + (_esc(ns) + "/" if ns else "") + _esc(name)
    if version:
        out += "@" + _esc(version)
    if qualifiers:
        out += "?" + "&".join(f"{_esc(k)}={_esc(v)}" for k, v in sorted(qualifiers.items()) if v)
    return out


def in_node_modules(path: str) -> bool:
    """True when a path has a ``node_modules`` directory in it (lockfiles there are a package's own)."""
    return "/node_modules/" in path or path.startswith("node_modules/")


def split_spec(spec: str) -> tuple[str, str]:
    """``@babel/core@^7.0.0`` -> (``@babel/core``, ``^7.0.0``); ``lodash`` -> (``lodash``, "")."""
    spec = spec.strip()
    at = spec.find("@", 1)
    if at <= 0:
        return spec, ""
    return spec[:at], spec[at + 1 :]


def load_json(resolver: FileResolver, loc: Location, what: str = "JSON") -> Any:
    """A JSON file's value, or a CatalogError naming the file and line."""
    data = resolver.read(loc)
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise parse_error(loc, f"not UTF-8 {what}: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise parse_error(loc, f"invalid {what}: {exc.msg}", exc.lineno) from None


# -- package.json fields -------------------------------------------------------------


def _license_value(v: Any) -> str:
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, dict):
        t = v.get("type")
        return t.strip() if isinstance(t, str) else ""
    return ""


def license_values(doc: Mapping[str, Any]) -> list[str]:
    """Declared licenses: ``license`` (string, or the deprecated ``{type, url}`` object), else ``licenses``.

    A list in either field is read item by item (strings or ``{type}`` objects),
    which is more lenient than npm's schema but never invents a value.
    """
    out: list[str] = []
    for key in ("license", "licenses"):
        v = doc.get(key)
        items = v if isinstance(v, list) else [v]
        out = [s for s in (_license_value(i) for i in items) if s]
        if out:
            break
    return list(dict.fromkeys(out))


_PERSON = re.compile(r"^\s*(?P<name>[^<(]*)(?:\s+<(?P<email>.*)>)?(?:\s\((?P<url>.*)\))?\s*$")


def _person(v: Any) -> str:
    """One person field (``"Name <mail> (url)"`` or ``{name, email, url}``) in npm's string form."""
    if isinstance(v, str):
        m = _PERSON.match(v)
        if m is None:
            return v.strip()
        name, email, url = (m.group("name") or "").strip(), m.group("email") or "", m.group("url") or ""
    elif isinstance(v, dict):
        name, email, url = (str(v.get(k) or "").strip() for k in ("name", "email", "url"))
    else:
        return ""
    out = name
    if email:
        out += f" <{email}>"
    if url:
        out += f" ({url})"
    return out.strip()


def authors(doc: Mapping[str, Any]) -> str:
    """``author``, ``authors``, ``contributors`` and ``maintainers``, joined with ", " (as syft does)."""
    people: list[str] = []
    for key in ("author", "authors", "contributors", "maintainers"):
        v = doc.get(key)
        for item in v if isinstance(v, list) else [v]:
            p = _person(item)
            if p:
                people.append(p)
    return ", ".join(dict.fromkeys(people))


def repository_url(doc: Mapping[str, Any]) -> str:
    repo = doc.get("repository")
    if isinstance(repo, str):
        return repo
    if isinstance(repo, dict) and isinstance(repo.get("url"), str):
        return repo["url"]
    return ""


def as_map(v: Any) -> Mapping[str, Any]:
    """A JSON/YAML object, or {} for anything else (a malformed field reads as empty)."""
    return v if isinstance(v, Mapping) else {}


def text(v: Any) -> str:
    """A string field, or "" for anything else (numbers, objects, null)."""
    return v.strip() if isinstance(v, str) else ""


# -- lockfile entries ----------------------------------------------------------------


@dataclass
class Entry:
    """One package as a lockfile lists it.

    ``key`` is unique within the file (a path, a ``name@version`` or a
    specifier); ``deps`` are ``(key of another entry, PROD|DEV)`` already
    resolved by the format's own rules.  ``dev`` is None when the file does not
    say (:func:`mark_dev` fills it in from reachability; still None means not dev).
    """

    key: str
    name: str
    version: str
    dev: bool | None = None
    deps: list[tuple[str, str]] = field(default_factory=list)
    licenses: tuple[str, ...] = ()
    purl: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    report: bool = True  # False for the project's own folders (unnamed roots, bun workspaces)


def dev_only(graph: Mapping[str, Iterable[tuple[str, str]]], prod_seeds: Iterable[str], dev_seeds: Iterable[str]) -> set[str]:
    """Keys reachable from the dev seeds but not from the prod seeds (walking PROD edges).

    A package that a production dependency also needs is not dev, however many
    dev paths lead to it.
    """

    def reach(seeds: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        todo = deque(seeds)
        while todo:
            k = todo.popleft()
            if k in seen:
                continue
            seen.add(k)
            for t, kind in graph.get(k, ()):
                if kind == PROD and t not in seen:
                    todo.append(t)
        return seen

    prod = reach(prod_seeds)
    return reach(dev_seeds) - prod


def _sibling_licenses(resolver: FileResolver, base: str, name: str, version: str) -> tuple[License, ...]:
    """Licenses from ``<lockfile dir>/node_modules/<name>/package.json`` when it is that version (syft reads it too)."""
    try:
        loc = resolver.location(f"{base}/node_modules/{name}/package.json")
    except SourceError:
        return ()
    if loc is None:
        return ()
    try:
        doc = json.loads(resolver.read(loc))
    except (SourceError, ValueError):
        return ()
    if not isinstance(doc, dict) or (version and text(doc.get("version")) not in ("", version)):
        return ()
    return tuple(to_license(v, loc.path) for v in license_values(doc))


def build(resolver: FileResolver | None, loc: Location, entries: Iterable[Entry], *, found_by: str = LOCK_CATALOGER) -> Parsed:
    """Packages (one per name@version) and edges for the entries of one lockfile.

    Copies of one name@version at several places in the file become one
    package, dev only if every copy is.  An edge from a dev-only dependency
    keeps ``DEPENDS_ON`` (it is how that package works); ``DEV_DEPENDS_ON``
    marks only the edges a project declares in devDependencies.
    """
    entries = list(entries)
    base = posixpath.dirname(loc.path)
    node_modules = resolver is not None and resolver.is_dir(f"{base}/node_modules")
    groups: dict[tuple[str, str, str], list[Entry]] = {}  # (name, version, purl override)
    for e in entries:
        if e.report and e.name:
            groups.setdefault((e.name, e.version, e.purl), []).append(e)
    pkgs: dict[tuple[str, str, str], Package] = {}
    for (name, version, purl), es in groups.items():
        declared = list(dict.fromkeys(v for e in es for v in e.licenses))
        licenses = tuple(to_license(v, loc.path) for v in declared)
        if not licenses and node_modules:
            assert resolver is not None
            licenses = _sibling_licenses(resolver, base, name, version)
        metadata = dict(es[0].metadata)
        pkgs[(name, version, purl)] = Package(
            name=name,
            version=version,
            type="npm",
            found_by=found_by,
            purl=purl or npm_purl(name, version),
            licenses=licenses,
            language="javascript",
            dev=all(bool(e.dev) for e in es),
            locations=(loc,),
            metadata=metadata,
        )
    by_key = {e.key: pkgs[(e.name, e.version, e.purl)] for e in entries if e.report and e.name}
    edges: dict[tuple[str, str], RelType] = {}
    for e in entries:
        src = by_key.get(e.key)
        if src is None:
            continue
        for target, kind in e.deps:
            dst = by_key.get(target)
            if dst is None or dst.id == src.id:
                continue
            rel = RelType.DEV_DEPENDS_ON if kind == DEV else RelType.DEPENDS_ON
            if edges.get((src.id, dst.id)) != RelType.DEPENDS_ON:
                edges[(src.id, dst.id)] = rel
    rels = [Relationship(source=s, target=t, type=r) for (s, t), r in edges.items()]
    return Parsed.of(sorted(pkgs.values(), key=lambda p: p.sort_key), sorted(rels))


def mark_dev(entries: list[Entry], prod_seeds: Iterable[str], dev_seeds: Iterable[str]) -> None:
    """Set ``dev`` on entries the file does not mark, from reachability (see :func:`dev_only`)."""
    graph = {e.key: e.deps for e in entries}
    dev_keys = dev_only(graph, prod_seeds, dev_seeds)
    for e in entries:
        if e.dev is None:
            e.dev = e.key in dev_keys


def read_manifest(resolver: FileResolver, path: str) -> dict[str, Any] | None:
    """A project's package.json next to a lockfile, or None when missing or unreadable."""
    try:
        loc = resolver.location(path)
        if loc is None:
            return None
        doc = json.loads(resolver.read(loc))
    except (SourceError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def dep_map(doc: Mapping[str, Any], key: str) -> dict[str, str]:
    """A dependencies-style field as {name: spec}, ignoring anything malformed."""
    v = doc.get(key)
    if not isinstance(v, dict):  # JSON and YAML objects load as dicts
        return {}
    return {str(k): (s if isinstance(s, str) else "") for k, s in v.items() if k}


def env_warn(env: Environment | None, message: str) -> None:
    if env is not None:
        env.warn(message)
