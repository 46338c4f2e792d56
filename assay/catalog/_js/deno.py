"""deno.lock (versions 3 to 5): jsr, npm and remote modules.

* ``jsr``: ``@std/bytes@1.0.2`` -> npm purl with ``repository_url=https://jsr.io``
  (as syft writes it);
* ``npm``: ``typedoc@0.28.19_typescript@6.0.3`` -> typedoc 0.28.19 (the peer
  list after ``_`` is dropped);
* ``remote``: ``https://deno.land/std@0.140.0/path/mod.ts`` -> ``deno.land/std``
  0.140.0 with the host as ``repository_url``; one package per module root.

Dependencies (``"jsr:@std/bytes@^1.0.0"``, ``"npm:chalk@5"``, ``"ansi-styles"``)
resolve through the lockfile's ``specifiers`` map, then by name when a single
version is locked.  Version 3 nests jsr/npm/specifiers under ``packages``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ...model import Location
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error
from .common import PROD, Entry, as_map, build, load_json, npm_purl

__all__ = ["deno_entries", "npm_key", "parse_deno_lock", "remote_module"]


def npm_key(key: str) -> tuple[str, str]:
    """``@scope/name@1.2.3_@scope+peer@4.5.6`` -> (``@scope/name``, ``1.2.3``)."""
    at = key.find("@", 1)
    if at <= 0:
        return "", ""
    version = key[at + 1 :].split("_", 1)[0]
    return key[:at], version


def remote_module(url: str) -> tuple[str, str]:
    """``https://deno.land/std@0.140.0/path/mod.ts`` -> (``deno.land/std``, ``0.140.0``)."""
    rest = url.split("://", 1)[-1]
    at = rest.find("@")
    if at < 0:
        return rest.split("/", 1)[0], ""
    return rest[:at], rest[at + 1 :].split("/", 1)[0]


def _dep_name(dep: str) -> tuple[str, str]:
    """``jsr:@std/bytes@^1.0.0`` -> (``jsr``, ``@std/bytes``)."""
    kind = "npm"
    for prefix in ("jsr:", "npm:"):
        if dep.startswith(prefix):
            kind, dep = prefix[:-1], dep[len(prefix) :]
    at = dep.find("@", 1)
    return kind, dep[:at] if at > 0 else dep


def deno_entries(doc: Mapping[str, Any]) -> list[Entry]:
    holder = as_map(doc.get("packages")) or doc  # version 3 nests everything under "packages"
    specifiers = as_map(holder.get("specifiers"))
    sections = {kind: as_map(holder.get(kind)) for kind in ("jsr", "npm")}
    entries: dict[str, Entry] = {}
    by_name: dict[tuple[str, str], list[str]] = {}
    raw: dict[str, list[str]] = {}
    for kind, section in sections.items():
        for key, meta in section.items():
            if kind == "jsr":
                at = key.rfind("@")
                name, version = (key[:at], key[at + 1 :]) if at > 0 else ("", "")
                purl = npm_purl(name, version, {"repository_url": "https://jsr.io"})
            else:
                name, version = npm_key(key)
                purl = npm_purl(name, version)
            if not name or not version:
                continue
            meta = meta if isinstance(meta, Mapping) else {}
            ekey = f"{kind}:{key}"
            integrity = meta.get("integrity") if isinstance(meta.get("integrity"), str) else ""
            entries[ekey] = Entry(key=ekey, name=name, version=version, purl=purl, metadata={"integrity": integrity} if integrity else {})
            by_name.setdefault((kind, name), []).append(ekey)
            deps = meta.get("dependencies")
            raw[ekey] = [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []

    def find(dep: str, default_kind: str) -> str | None:
        kind, name = _dep_name(dep)
        if not dep.startswith(("jsr:", "npm:")):
            kind = default_kind
            if f"{kind}:{dep}" in entries:
                return f"{kind}:{dep}"
        resolved = specifiers.get(dep)
        if isinstance(resolved, str):
            cand = f"{kind}:{name}@{resolved}"
            if cand in entries:
                return cand
        keys = by_name.get((kind, name), [])
        return keys[0] if len(keys) == 1 else None

    for ekey, deps in raw.items():
        default = ekey.split(":", 1)[0]
        for d in deps:
            target = find(d, default)
            if target is not None:
                entries[ekey].deps.append((target, PROD))

    remote = as_map(doc.get("remote"))
    for url, integrity in remote.items():
        name, version = remote_module(url)
        if not name:
            continue
        parts = urlsplit(url)
        repo = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        ekey = f"remote:{name}@{version}"
        if ekey not in entries:
            entries[ekey] = Entry(
                key=ekey,
                name=name,
                version=version,
                purl=npm_purl(name, version, {"repository_url": repo} if repo else None, split=False),
                metadata={"url": url},
            )
    return list(entries.values())


def parse_deno_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and dependency edges of one deno.lock."""
    doc = load_json(resolver, loc, "deno.lock JSON")
    if not isinstance(doc, Mapping):
        raise parse_error(loc, "deno.lock must be a JSON object")
    return build(resolver, loc, deno_entries(doc))
