"""Rust crates: Cargo.lock in source trees, cargo-auditable data in binaries.

**Cargo.lock** (``rust-cargo-lock-cataloger``), every format version (v1 with
its ``[metadata]`` checksum table and, in the oldest, a ``[root]`` table; v2
without a version key; v3; v4): each
``[[package]]`` is a crate (several versions of one crate, and one version from
both crates.io and git, are all kept apart).  Its ``dependencies`` entries name
other entries as ``name``, ``name version`` or ``name version (source)`` (the
source without the ``#commit`` fragment), whichever is unambiguous; each
becomes a depends-on edge.  The ``checksum`` is the SHA-256 of the ``.crate``
file and is kept as the package digest.

**Binaries** (``cargo-auditable-binary-cataloger``): ``cargo auditable build``
embeds a zlib-compressed JSON list of the crates linked in, in a ``.dep-v0``
section (ELF, PE, Mach-O), with dependency edges by index.  As in syft, only
``runtime`` crates are reported; ``build`` dependencies (build scripts, proc
macros) run at compile time and are not in the binary.

purls are ``pkg:cargo/<name>@<version>`` for every crate, as syft writes them.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from .._internal import binfmt
from .._internal.binfmt import BinaryError
from ..model import Location, Package, Relationship, RelType
from ..source.tree import Analyzer, FileResolver
from . import AnalyzerCataloger, Environment, GlobCataloger, Parsed, Unreadable, guarded, parse_error

__all__ = [
    "ANALYZER",
    "AUDIT_NAME",
    "CATALOGERS",
    "LOCK_NAME",
    "AUDIT_CATALOGER",
    "AuditCrate",
    "Unreadable",
    "analyze_binary",
    "cargo_purl",
    "parse_cargo_lock",
    "read_audit_data",
]

LOCK_NAME = "rust-cargo-lock-cataloger"
AUDIT_NAME = "cargo-auditable-binary-cataloger"
AUDIT_LIMIT = 8 << 20  # the limit rust-audit-info puts on the decompressed JSON

_DEP_REF = re.compile(r"(?P<name>\S+)(?: (?P<version>\S+))?(?: \((?P<source>[^)]*)\))?\Z")


def cargo_purl(name: str, version: str) -> str:
    return PackageURL(type="cargo", name=name, version=version or None).to_string()


def _crate_id(found_by: str, name: str, version: str, source: str, path: str) -> str:
    """Package id that keeps one version of a crate from two sources (crates.io, git) apart."""
    key = f"rust-crate\x00{name}\x00{version}\x00{source}\x00{found_by}\x00{path}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


# -- Cargo.lock ------------------------------------------------------------------------


def parse_cargo_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Crates and their dependency edges from one Cargo.lock."""
    import tomllib  # only where a Cargo.lock is found

    try:
        doc = tomllib.loads(resolver.read_text(loc))
    except UnicodeDecodeError as exc:
        raise parse_error(loc, f"not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+)", str(exc))
        raise parse_error(loc, f"invalid TOML: {str(exc).split(' (at ')[0]}", int(m.group(1)) if m else None) from None
    entries = doc.get("package", [])
    if not isinstance(entries, list):
        raise parse_error(loc, "'package' is not an array of tables")
    if isinstance(doc.get("root"), dict):  # the first lockfiles kept the root crate apart
        entries = [doc["root"], *entries]
    checksums = _v1_checksums(doc.get("metadata"))

    crates: list[tuple[dict[str, Any], Package]] = []
    by_name: dict[str, list[tuple[dict[str, Any], Package]]] = {}
    for i, e in enumerate(entries):
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not isinstance(e.get("version"), str):
            raise parse_error(loc, f"[[package]] number {i + 1} has no name or version")
        name, version = e["name"], e["version"]
        source = e.get("source", "") if isinstance(e.get("source"), str) else ""
        checksum = e.get("checksum") or checksums.get(f"{name} {version} ({source})", "")
        deps = [d for d in e.get("dependencies", []) if isinstance(d, str)]
        meta: dict[str, Any] = {"name": name, "version": version, "dependencies": deps}
        if source:
            meta["source"] = source
        if checksum:
            meta["checksum"] = checksum
        pkg = Package(
            name=name,
            version=version,
            type="rust-crate",
            found_by=LOCK_NAME,
            purl=cargo_purl(name, version),
            language="rust",
            layer=loc.layer,
            locations=(loc,),
            digests=(("sha256", checksum),) if re.fullmatch(r"[0-9a-f]{64}", checksum or "") else (),
            metadata=meta,
            id=_crate_id(LOCK_NAME, name, version, source, loc.path),
        )
        crates.append((e, pkg))
        by_name.setdefault(name, []).append((e, pkg))

    rels: list[Relationship] = []
    for e, pkg in crates:
        for ref in pkg.metadata["dependencies"]:
            target = _resolve(ref, by_name)
            if target is not None and target.id != pkg.id:
                rels.append(Relationship(source=pkg.id, target=target.id, type=RelType.DEPENDS_ON))
    return Parsed.of([p for _, p in crates], rels)


def _v1_checksums(meta: Any) -> dict[str, str]:
    """``[metadata]`` of v1 lockfiles: ``"checksum name version (source)" = "<sha256>"``."""
    out: dict[str, str] = {}
    if isinstance(meta, dict):
        for k, v in meta.items():
            if k.startswith("checksum ") and isinstance(v, str) and v != "<none>":
                out[k[len("checksum ") :]] = v
    return out


def _resolve(ref: str, by_name: dict[str, list[tuple[dict[str, Any], Package]]]) -> Package | None:
    m = _DEP_REF.match(ref.strip())
    if m is None:
        return None
    cands = by_name.get(m["name"], [])
    if m["version"]:
        cands = [c for c in cands if c[1].version == m["version"]]
    if m["source"] is not None:
        want = m["source"]
        cands = [c for c in cands if str(c[0].get("source", "")).split("#", 1)[0] == want.split("#", 1)[0]]
    return cands[0][1] if cands else None


# -- cargo-auditable -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditCrate:
    name: str
    version: str
    source: str  # "crates.io", "git", "local", "registry" or another registry's name
    kind: str  # "runtime" or "build"
    dependencies: tuple[int, ...]  # indexes into the crate list
    root: bool = False


def read_audit_data(blob: bytes) -> tuple[AuditCrate, ...]:
    """Decode a ``.dep-v0`` section: zlib, then JSON ``{"packages": [...]}``.

    Raises :class:`BinaryError` on data that is not that (or inflates past 8 MiB).
    """
    d = zlib.decompressobj()
    try:
        raw = d.decompress(blob, AUDIT_LIMIT + 1)
    except zlib.error as exc:
        raise BinaryError(f"cargo-auditable data is not zlib-compressed ({exc})") from None
    if len(raw) > AUDIT_LIMIT:
        raise BinaryError("cargo-auditable data inflates past 8 MiB")
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BinaryError(f"cargo-auditable data is not JSON ({exc})") from None
    pkgs = doc.get("packages") if isinstance(doc, dict) else None
    if not isinstance(pkgs, list):
        raise BinaryError("cargo-auditable data without a 'packages' list")
    out: list[AuditCrate] = []
    for i, p in enumerate(pkgs):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not isinstance(p.get("version"), str):
            raise BinaryError(f"cargo-auditable package {i} has no name or version")
        deps = p.get("dependencies", [])
        if not isinstance(deps, list) or not all(isinstance(x, int) and 0 <= x < len(pkgs) for x in deps):
            raise BinaryError(f"cargo-auditable package {i} ({p['name']}) has bad dependency indexes")
        out.append(
            AuditCrate(
                name=p["name"],
                version=p["version"],
                source=str(p.get("source", "")),
                kind=str(p.get("kind", "runtime")),
                dependencies=tuple(deps),
                root=bool(p.get("root", False)),
            )
        )
    return tuple(out)


_SECTION_NAME = binfmt.RUST_AUDIT_SECTION.encode()


def analyze_binary(path: str, data: bytes) -> tuple[AuditCrate, ...] | Unreadable | None:
    """The crates recorded in the file's ``.dep-v0`` section, if it has one."""
    # the section's name is spelled out in every format's section table: no name, no section
    if not binfmt.looks_executable(data) or _SECTION_NAME not in data:
        return None
    try:
        exes = binfmt.parse(data)
    except BinaryError:
        return None
    for exe in exes:
        s = exe.section(binfmt.RUST_AUDIT_SECTION)
        if s is None:
            continue
        try:
            return read_audit_data(exe.data[s.offset : s.offset + s.size])
        except BinaryError as exc:
            return Unreadable(exc.diagnostics())
    return None


ANALYZER = Analyzer(name="rust-audit", wants=binfmt.may_be_compiled, analyze=guarded(analyze_binary), elf_sections=(binfmt.RUST_AUDIT_SECTION,))


def audit_packages(crates: tuple[AuditCrate, ...], loc: Location) -> tuple[list[Package], list[Relationship]]:
    """Runtime crates of one binary and the edges between them."""
    made: dict[int, Package] = {}
    for i, c in enumerate(crates):
        if c.kind != "runtime" or not c.name:
            continue
        meta: dict[str, Any] = {"name": c.name, "version": c.version, "source": c.source}
        if c.root:
            meta["root"] = True
        made[i] = Package(
            name=c.name,
            version=c.version,
            type="rust-crate",
            found_by=AUDIT_NAME,
            purl=cargo_purl(c.name, c.version),
            language="rust",
            layer=loc.layer,
            locations=(loc,),
            metadata=meta,
            id=_crate_id(AUDIT_NAME, c.name, c.version, c.source, loc.path),
        )
    rels = [
        Relationship(source=made[i].id, target=made[j].id, type=RelType.DEPENDS_ON)
        for i, c in enumerate(crates)
        if i in made
        for j in c.dependencies
        if j in made and j != i
    ]
    return list(made.values()), rels


#: Crates from cargo-auditable's ``.dep-v0`` section of every Rust executable.
AUDIT_CATALOGER = AnalyzerCataloger(AUDIT_NAME, ANALYZER, audit_packages)


CATALOGERS = (
    GlobCataloger(LOCK_NAME, [("**/Cargo.lock", parse_cargo_lock)]),
    AUDIT_CATALOGER,
)
