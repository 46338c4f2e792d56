"""bun.lock, Bun's text lockfile (JSON with comments and trailing commas).

``packages`` maps an install path (``axios``, ``cliui/string-width``,
``parent/@scope/name``) to a tuple whose shape depends on the source:
registry ``[id, registry, {info}, integrity]``, git/github ``[id, {info},
resolved, integrity?]``, workspace ``[id]``, root ``[id, {info}]``.  The id is
``name@version``; the info object and the integrity are found by type, not by
position.  Root and workspace entries are the project's own folders and are not
reported (as syft does).  Dependencies resolve to the nearest install path
walking up from the dependent (``a/b/c`` then ``a/c`` then ``c``); dev packages
are those reachable only from a workspace's devDependencies.

The binary ``bun.lockb`` (Bun < 1.2) is a different, undocumented format: it is
not read, and its presence without a ``bun.lock`` is reported as a warning.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping
from typing import Any

from ...model import Location
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error
from .common import PROD, Entry, build, dep_map, in_node_modules, mark_dev, split_spec

__all__ = ["bun_entries", "parse_bun_lock", "parse_bun_lockb", "strip_jsonc"]

_LOCAL = ("root:", "workspace:", "link:")


_COMMENTS = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?(?:\*/|\Z)', re.DOTALL)
_TRAILING = re.compile(r'"(?:[^"\\]|\\.)*"|,(\s*[\]}])')


def strip_jsonc(text: str) -> str:
    """Remove ``//`` and ``/* */`` comments, then trailing commas, outside strings (line numbers kept)."""

    def comment(m: re.Match[str]) -> str:
        s = m.group(0)
        return s if s[0] == '"' else "\n" * s.count("\n")

    def comma(m: re.Match[str]) -> str:
        return m.group(1) if m.group(1) is not None else m.group(0)

    if "/" in text:
        text = _COMMENTS.sub(comment, text)
    return _TRAILING.sub(comma, text)


def _path(key: str) -> list[str]:
    """``parent/@scope/name`` -> [parent, @scope/name]."""
    parts = key.split("/")
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i].startswith("@") and i + 1 < len(parts):
            out.append(parts[i] + "/" + parts[i + 1])
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


def _split_id(ident: str) -> tuple[str, str]:
    name, version = split_spec(ident)
    return name, version


def bun_entries(doc: Mapping[str, Any]) -> list[Entry]:
    packages = doc.get("packages")
    if not isinstance(packages, Mapping):
        return []
    keys = {k for k in packages if isinstance(k, str)}

    def find(start: list[str], dep: str) -> str | None:
        for i in range(len(start), -1, -1):
            cand = "/".join(start[:i] + [dep])
            if cand in keys:
                return cand
        return None

    out: list[Entry] = []
    for key, tup in packages.items():
        if not isinstance(tup, list) or not tup or not isinstance(tup[0], str):
            continue
        name, version = _split_id(tup[0])
        if not name:
            name = _path(key)[-1]
        info = next((x for x in tup[1:] if isinstance(x, Mapping)), {})
        integrity = next((x for x in reversed(tup[1:]) if isinstance(x, str) and x.startswith(("sha512-", "sha256-", "sha1-"))), "")
        deps: list[tuple[str, str]] = []
        here = _path(key)
        for f in ("dependencies", "optionalDependencies", "peerDependencies"):
            for dep in dep_map(info, f):
                target = find(here, dep)
                if target is not None and target != key:
                    deps.append((target, PROD))
        out.append(
            Entry(
                key=key,
                name=name,
                version=version,
                deps=deps,
                metadata={"integrity": integrity} if integrity else {},
                report=not version.startswith(_LOCAL),
            )
        )
    prod: list[str] = []
    dev: list[str] = []
    workspaces = doc.get("workspaces")
    for folder, ws in (workspaces.items() if isinstance(workspaces, Mapping) else ()):
        if not isinstance(ws, Mapping):
            continue
        start = [ws["name"]] if folder and isinstance(ws.get("name"), str) else []
        for f in ("dependencies", "optionalDependencies", "peerDependencies", "devDependencies"):
            for dep in dep_map(ws, f):
                target = find(start, dep)
                if target is not None:
                    (dev if f == "devDependencies" else prod).append(target)
    mark_dev(out, prod, dev)
    return out


def parse_bun_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and dependency edges of one bun.lock."""
    if in_node_modules(loc.access_path or loc.path):
        return Parsed()
    try:
        doc = json.loads(strip_jsonc(resolver.read_text(loc)))
    except json.JSONDecodeError as exc:
        raise parse_error(loc, f"invalid bun.lock: {exc.msg}", exc.lineno) from None
    if not isinstance(doc, Mapping):
        raise parse_error(loc, "bun.lock must be a JSON object")
    return build(resolver, loc, bun_entries(doc))


def parse_bun_lockb(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """The binary lockfile is not read; say so unless a text bun.lock describes the same project."""
    if in_node_modules(loc.access_path or loc.path) or resolver.location(posixpath.dirname(loc.path) + "/bun.lock"):
        return Parsed()
    raise parse_error(loc, "binary bun.lockb is not supported (bun >= 1.2 writes the text bun.lock; `bun install --save-text-lockfile` converts)")
