"""pnpm-lock.yaml, lockfile versions 5 to 9, including multi-document streams.

* v5 (``/name/1.2.3_peer``) and v6-v8 (``/name@1.2.3(peer@1)``): every
  ``packages`` entry plus the top-level ``dependencies`` (as syft reads them);
  ``dev: true`` marks dev packages.
* v9: ``packages`` hold the identities, ``snapshots`` the dependency graph;
  dev packages are those reachable only from an importer's devDependencies.
* Peer suffixes are stripped: ``(react@18.2.0)`` in v6+, ``_acorn@8.8.0`` and
  ``_<hash>`` in v5.  ``link:`` and ``file:`` targets are workspace folders,
  not registry packages, and get no entry.
* Every YAML document is read (pnpm keeps its own pinned version in a leading
  document); the last entry for a name@version wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from ...model import Location
from ...source.tree import FileResolver
from .. import Environment, Parsed, parse_error
from .common import PROD, Entry, build, in_node_modules, mark_dev, split_spec

__all__ = ["parse_key", "parse_pnpm_lock", "pnpm_entries", "strip_v5_peer"]

try:  # libyaml is ~10x faster; the pure-Python loader gives the same result
    _Loader: Any = yaml.CBaseLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.BaseLoader


def strip_v5_peer(version: str) -> str:
    """``5.3.2_acorn@8.8.0`` -> ``5.3.2``; only registry-looking versions (leading digit) are cut."""
    i = version.find("_")
    if i <= 0 or not version[0].isdigit():
        return version
    return version[:i]


def parse_key(key: str, v5: bool) -> tuple[str, str]:
    """A ``packages``/``snapshots`` key -> (name, version), peer suffixes removed."""
    key = key.split("(", 1)[0].lstrip("/")
    if v5:
        name, sep, version = key.rpartition("/")
        return (name, strip_v5_peer(version)) if sep and name else ("", "")
    name, version = split_spec(key)
    return (name, version) if version else ("", "")


def _target(dep: str, value: Any, v5: bool) -> tuple[str, str] | None:
    """A dependency value (``1.2.3(peer)``, ``1.2.3_peer``, an alias ``/real/1.0.0`` or ``real@1.0.0``)."""
    if isinstance(value, Mapping):  # importer form: {specifier, version}
        value = value.get("version")
    if not isinstance(value, str) or not value:
        return None
    if value.startswith(("link:", "file:", "workspace:")):
        return None
    if value.startswith("/"):
        name, version = parse_key(value, v5)
        return (name, version) if name else None
    version = value.split("(", 1)[0]
    if not version[0].isdigit() and "@" in version[1:]:
        name, version = split_spec(version)  # v9 alias: "string-width@4.2.3"
        return name, version
    return dep, strip_v5_peer(version) if v5 else version


def _version(doc: Mapping[str, Any], loc: Location, established: float) -> float:
    raw = doc.get("lockfileVersion")
    try:
        return float(str(raw).strip("'\""))
    except ValueError:
        if established:
            return established
        raise parse_error(loc, f"unsupported lockfileVersion {raw!r}") from None


def _section(m: Any) -> Mapping[str, Any]:
    return m if isinstance(m, Mapping) else {}


def pnpm_entries(doc: Mapping[str, Any], version: float) -> list[Entry]:
    """Entries of one lockfile document (keys are ``name@version``)."""
    v5 = version < 6.0
    entries: dict[str, Entry] = {}

    def add(name: str, ver: str, dev: bool | None, meta: Mapping[str, Any]) -> Entry:
        key = f"{name}@{ver}"
        integrity = _section(meta.get("resolution")).get("integrity", "")
        e = Entry(key=key, name=name, version=ver, dev=dev, metadata={"integrity": integrity} if integrity else {})
        entries[key] = e
        return e

    def dev_flag(meta: Mapping[str, Any]) -> bool | None:
        v = meta.get("dev")
        return None if v is None else str(v).lower() == "true"

    if version < 9.0:
        for dep, value in _section(doc.get("dependencies")).items():
            t = _target(dep, value, v5)
            if t is not None and f"{t[0]}@{t[1]}" not in entries:
                add(t[0], t[1], None, {})
        for key, meta in _section(doc.get("packages")).items():
            meta = _section(meta)
            name, ver = parse_key(key, v5)
            if not name:
                continue
            e = add(name, ver, dev_flag(meta), meta)
            for f in ("dependencies", "optionalDependencies"):
                for dep, value in _section(meta.get(f)).items():
                    t = _target(dep, value, v5)
                    if t is not None:
                        e.deps.append((f"{t[0]}@{t[1]}", PROD))
        out = list(entries.values())
        for e in out:
            e.deps = [d for d in e.deps if d[0] in entries]
        return out

    for key, meta in _section(doc.get("packages")).items():
        meta = _section(meta)
        name, ver = parse_key(key, False)
        if name:
            add(name, ver, dev_flag(meta), meta)
    for key, meta in _section(doc.get("snapshots")).items():
        name, ver = parse_key(key, False)
        snap = entries.get(f"{name}@{ver}")
        if snap is None:
            continue
        for f in ("dependencies", "optionalDependencies"):
            for dep, value in _section(_section(meta).get(f)).items():
                t = _target(dep, value, False)
                if t is not None and f"{t[0]}@{t[1]}" in entries:
                    snap.deps.append((f"{t[0]}@{t[1]}", PROD))
    prod: list[str] = []
    dev: list[str] = []
    for importer in _section(doc.get("importers")).values():
        importer = _section(importer)
        for f in ("dependencies", "optionalDependencies", "devDependencies"):
            for dep, value in _section(importer.get(f)).items():
                t = _target(dep, value, False)
                if t is not None:
                    (dev if f == "devDependencies" else prod).append(f"{t[0]}@{t[1]}")
    out = list(entries.values())
    mark_dev(out, prod, dev)
    return out


def parse_pnpm_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages and dependency edges of one pnpm-lock.yaml (every document of it)."""
    if in_node_modules(loc.access_path or loc.path):
        return Parsed()
    text = resolver.read_text(loc)
    merged: dict[str, Entry] = {}
    established = 0.0
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        raise parse_error(loc, f"invalid YAML: {problem}", mark.line + 1 if mark is not None else None) from None
    for doc in docs:
        if not isinstance(doc, Mapping):
            if doc in (None, ""):
                continue
            raise parse_error(loc, "a pnpm lockfile document must be a mapping")
        version = _version(doc, loc, established)
        established = established or version
        for e in pnpm_entries(doc, version):
            merged[e.key] = e
    return build(resolver, loc, merged.values())
