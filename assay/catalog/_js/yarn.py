"""yarn.lock, classic (v1) and berry (v2+), read by one line parser.

Both formats are a list of entries: an unindented header of comma-separated
specifiers (``"a@^1.0.0", "a@^1.2.0":``), then two-space fields and
four-space members of blocks such as ``dependencies:``.  v1 writes
``key "value"``, berry ``key: value``.  An entry's name comes from:

* v1: the package path of a registry ``resolved`` URL when there is one (so an
  alias or a scope rename reports the real package, as syft does), else the
  specifier;
* berry: the ``resolution`` when it is an ``npm:`` one (aliases), else the
  specifier, so ``workspace:`` entries keep their own name (and take the
  version of their package.json over berry's ``0.0.0-use.local`` placeholder).

Duplicate specifiers collapse to one package per name@version.  Dependencies
resolve through the exact specifiers the entry headers list.  Dev packages are
marked when the project's package.json (and, for berry, each workspace's) sits
beside the lockfile: a package reachable only from devDependencies is dev.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ...model import Location
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error
from .common import (
    DEV,
    PROD,
    Entry,
    build,
    dep_map,
    in_node_modules,
    mark_dev,
    read_manifest,
    split_spec,
)

__all__ = ["Block", "parse_blocks", "parse_yarn_lock", "yarn_entries"]

_DEP_SECTIONS = ("dependencies", "optionalDependencies")
_REGISTRY_URL = re.compile(r"/((?:@[^/]+(?:/|%2[fF]))?[^/@]+)/-/[^/]+?-(\d[^/]*?)\.tgz")


@dataclass
class Block:
    """One lockfile entry: where it starts, its specifiers, scalar fields and member sections."""

    line: int
    specs: list[str]
    fields: dict[str, str] = field(default_factory=dict)
    sections: dict[str, dict[str, str]] = field(default_factory=dict)


def _token(s: str, loc: Location, lineno: int) -> tuple[str, str]:
    """A leading (maybe double-quoted) token and the rest of the line."""
    if s.startswith('"'):
        i = 1
        while i < len(s):
            if s[i] == "\\":
                i += 2
                continue
            if s[i] == '"':
                break
            i += 1
        if i >= len(s):
            raise parse_error(loc, "unterminated quoted string", lineno)
        try:
            return json.loads(s[: i + 1]), s[i + 1 :]
        except ValueError:
            return s[1:i], s[i + 1 :]
    return s, ""


def _kv(s: str, berry: bool, loc: Location, lineno: int) -> tuple[str, str, bool]:
    """``key value`` (v1) or ``key: value`` (berry) -> (key, value, opens_a_block)."""
    if s.startswith('"'):
        key, rest = _token(s, loc, lineno)
        rest = rest.lstrip()
        rest = rest.removeprefix(":")
    elif berry:
        key, sep, rest = s.partition(": ")
        if not sep:
            if s.endswith(":"):
                return s[:-1], "", True
            raise parse_error(loc, f"expected 'key: value', got {s[:60]!r}", lineno)
    else:
        if s.endswith(":") and " " not in s:
            return s[:-1], "", True
        key, _, rest = s.partition(" ")
    rest = rest.strip()
    if not rest:
        return key, "", s.endswith(":")
    value, _ = _token(rest, loc, lineno) if rest.startswith('"') else (rest, "")
    return key, value, False


def parse_blocks(text: str, loc: Location) -> tuple[list[Block], bool]:
    """The entries of a yarn.lock and whether it is berry; errors name the line."""
    berry = "# yarn lockfile v1" not in text and bool(re.search(r"^__metadata:", text, re.MULTILINE))
    blocks: list[Block] = []
    cur: Block | None = None
    section: str | None = None
    for lineno, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent == 0:
            if not stripped.endswith(":"):
                raise parse_error(loc, f"expected an entry header ending in ':', got {stripped[:60]!r}", lineno)
            header = stripped[:-1].strip()
            if header.startswith('"') and header.endswith('"') and header.count('"') == 2:
                header = header[1:-1]
            specs = [s.strip().strip('"') for s in header.split(",") if s.strip().strip('"')]
            cur = Block(lineno, specs)
            blocks.append(cur)
            section = None
            continue
        if cur is None:
            raise parse_error(loc, "indented line before any entry", lineno)
        if indent == 2:
            key, value, opens = _kv(stripped, berry, loc, lineno)
            if opens:
                section = key
                cur.sections.setdefault(key, {})
            else:
                cur.fields[key] = value
                section = None
        elif indent == 4 and section is not None:
            key, value, _ = _kv(stripped, berry, loc, lineno)
            cur.sections[section][key] = value
        # deeper levels (dependenciesMeta.<dep>.optional, ...) are not needed
    return blocks, berry


def _registry_name(resolved: str) -> tuple[str, str]:
    """(name, version) from a registry tarball URL such as ``.../@scope/name/-/name-1.2.3.tgz``."""
    m = _REGISTRY_URL.search(resolved.split("#", 1)[0])
    if m is None:
        return "", ""
    return m.group(1).replace("%2f", "/").replace("%2F", "/"), m.group(2)


def _identity(b: Block, berry: bool) -> tuple[str, str]:
    name = split_spec(b.specs[0])[0] if b.specs else ""
    version = b.fields.get("version", "")
    if berry:
        resolution = b.fields.get("resolution", "")
        rname, rest = split_spec(resolution)
        if rname and rest.startswith("npm:"):
            name = rname
    else:
        uname, uversion = _registry_name(b.fields.get("resolved", ""))
        if uname:
            name = uname
            version = version or uversion
    return name, version


def _workspace_roots(resolver: FileResolver, base: str, manifest: dict) -> list[dict]:
    """The root manifest plus the manifests of yarn v1 workspaces (``workspaces`` globs)."""
    out = [manifest]
    ws = manifest.get("workspaces")
    patterns = ws.get("packages") if isinstance(ws, dict) else ws
    if isinstance(patterns, list):
        for pattern in patterns:
            if not isinstance(pattern, str) or pattern.startswith("!"):
                continue
            for wloc in resolver.glob(posixpath.normpath(f"{base}/{pattern}") + "/package.json"):
                if in_node_modules(wloc.path):
                    continue
                doc = read_manifest(resolver, wloc.path)
                if doc is not None:
                    out.append(doc)
    return out


def yarn_entries(blocks: Iterable[Block], berry: bool, resolver: FileResolver | None = None, base: str = "") -> list[Entry]:
    """Entries (one per name@version) with dependencies resolved through the header specifiers."""
    by_spec: dict[str, str] = {}
    by_name: dict[str, set[str]] = {}
    chosen: dict[str, tuple[Block, str, str]] = {}
    for b in blocks:
        if b.specs and b.specs[0] == "__metadata":
            continue
        name, version = _identity(b, berry)
        if not name or (not version and not berry):
            continue
        key = f"{name}@{version}"
        chosen.setdefault(key, (b, name, version))
        for s in b.specs:
            by_spec[s] = key
            by_name.setdefault(split_spec(s)[0], set()).add(key)

    def find(dep: str, spec: str) -> str | None:
        for cand in (f"{dep}@{spec}", f"{dep}@npm:{spec}"):
            if cand in by_spec:
                return by_spec[cand]
        keys = by_name.get(dep, set())
        return next(iter(keys)) if len(keys) == 1 else None

    workspaces: dict[str, str] = {}  # berry: entry key -> workspace folder (relative to the lockfile)
    raw: dict[str, list[tuple[str, str]]] = {}  # entry key -> [(dependency name, target key)]
    for key, (b, _, _) in chosen.items():
        raw[key] = []
        for section in _DEP_SECTIONS:
            for dep, spec in b.sections.get(section, {}).items():
                target = find(dep, spec)
                if target is not None:
                    raw[key].append((dep, target))
        rest = split_spec(b.fields.get("resolution", ""))[1]  # "name@workspace:packages/lib"
        if rest.startswith("workspace:"):
            workspaces[key] = rest[len("workspace:") :]

    # dev-only dependency names per project root, from the manifests beside the lockfile
    dev_names: dict[str, set[str]] = {}
    ws_versions: dict[str, str] = {}  # berry writes 0.0.0-use.local for workspaces; the manifest knows better
    prod_seeds: list[str] = []
    dev_seeds: list[str] = []
    if resolver is not None:
        for key, folder in workspaces.items():  # berry lists workspaces, dev dependencies merged in
            doc = read_manifest(resolver, posixpath.normpath(f"{base}/{folder}/package.json"))
            if doc is not None:
                dev_names[key] = _dev_only_names(doc)
                prod_seeds.append(key)
                if isinstance(doc.get("version"), str) and doc["version"].strip():
                    ws_versions[key] = doc["version"].strip()
        manifest = read_manifest(resolver, f"{base}/package.json")
        for doc in _workspace_roots(resolver, base, manifest) if manifest is not None else ():
            for f in ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies"):
                for dep, spec in dep_map(doc, f).items():
                    target = find(dep, spec)
                    if target is not None:
                        (dev_seeds if f == "devDependencies" else prod_seeds).append(target)

    entries: list[Entry] = []
    for key, (b, name, version) in chosen.items():
        ws_dev = dev_names.get(key, set())
        deps = [(t, DEV if dep in ws_dev else PROD) for dep, t in raw[key]]
        dev_seeds.extend(t for t, kind in deps if kind == DEV)
        metadata = {k: v for k, v in (("resolved", b.fields.get("resolved") or b.fields.get("resolution", "")),
                                      ("integrity", b.fields.get("integrity") or b.fields.get("checksum", ""))) if v}  # fmt: skip
        if version == "0.0.0-use.local" and key in ws_versions:
            version = ws_versions[key]
        entries.append(Entry(key=key, name=name, version=version, deps=deps, metadata=metadata))
    if prod_seeds or dev_seeds:
        mark_dev(entries, prod_seeds, dev_seeds)
    return entries


def _dev_only_names(doc: dict) -> set[str]:
    """Names a manifest lists in devDependencies and nowhere else."""
    others: set[str] = set()
    for f in ("dependencies", "optionalDependencies", "peerDependencies"):
        others.update(dep_map(doc, f))
    return set(dep_map(doc, "devDependencies")) - others


def parse_yarn_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and dependency edges of one yarn.lock (classic or berry)."""
    if in_node_modules(loc.access_path or loc.path):
        return Parsed()
    blocks, berry = parse_blocks(resolver.read_text(loc), loc)
    entries = yarn_entries(blocks, berry, resolver, posixpath.dirname(loc.path))
    return build(resolver, loc, entries)
