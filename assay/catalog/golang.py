"""Go modules: build info in compiled binaries, and go.mod/go.sum in source trees.

**Binaries** (``go-module-binary-cataloger``).  The Go linker embeds a build
info blob that starts with ``\\xff Go buildinf:`` (its own ``.go.buildinfo``
section in ELF and PE, ``__go_buildinfo`` in Mach-O; in a binary stripped of
section headers it still opens the first writable segment).  Its 32-byte header
holds the pointer size and flags; then either (Go 1.18+, flag bit 2) the Go
version and the module info inline as varint-prefixed strings, or (older
toolchains) two pointers to Go string headers that are followed through the
virtual address space.  The module info is the text ``go version -m`` prints:
``path``, ``mod``, ``dep``, ``=>`` (replacement of the line before) and
``build key=value`` lines.  Every binary gives

* the main module, version ``(devel)`` unless, as syft does, a version is found
  in ``-ldflags`` (``-X main.version=1.2.3`` -> ``v1.2.3``) or a pseudo-version
  is made from ``vcs.revision`` and ``vcs.time``;
* every dependency with its version and ``h1:`` sum (``metadata["h1Digest"]``),
  replacements applied (one by a local directory keeps the module's name, with
  the version the build info gives it, ``(devel)``; syft would name it ``./dir``);
* the toolchain as ``stdlib`` version ``go1.21.3``, purl ``pkg:golang/stdlib@1.21.3``
  and CPE ``cpe:2.3:a:golang:go:1.21.3:-:...``;

with the main module depending on all the others.  Binaries are read by an
:class:`~assay.source.tree.Analyzer` while the image streams; a UPX-packed one
cannot be read and becomes a warning rather than silence (every UPX-packed
executable does: packing hides whether it was built by Go).

**Source trees** (``go-module-file-cataloger``): ``go.mod`` requirements (direct
and ``// indirect``) with ``exclude`` and ``replace`` applied (a replacement by
a local directory keeps the module's name with an empty version), and ``h1:``
hashes from the ``go.sum`` beside it.  The module itself is not reported.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from packageurl import PackageURL

from .._internal import binfmt
from .._internal.binfmt import BinaryError, Executable
from .._internal.licenses import to_license
from ..errors import CatalogError
from ..model import Location, Package, Relationship, RelType
from ..source.tree import Analyzer, FileResolver
from . import AnalyzerCataloger, Environment, GlobCataloger, Parsed, Unreadable, guarded, parse_error

__all__ = [
    "ANALYZER",
    "BINARY_NAME",
    "CATALOGERS",
    "MOD_NAME",
    "BuildInfo",
    "BINARY_CATALOGER",
    "GoMod",
    "Module",
    "Unreadable",
    "analyze_binary",
    "binary_packages",
    "go_purl",
    "main_module_version",
    "parse_go_mod",
    "parse_go_sum",
    "parse_modinfo",
    "read_buildinfo",
    "stdlib_cpe",
]

BINARY_NAME = "go-module-binary-cataloger"
MOD_NAME = "go-module-file-cataloger"
DEVEL = "(devel)"

_INFO_ALIGN = 16
_INFO_HEADER = 32
_MAX_STRING = 1 << 20  # the Go reader's limit on a pointed-to string
_MAX_BLOB = 16 << 20  # far more than any inline module list
_FLAG_BIG_ENDIAN = 1
_FLAG_INLINE = 2


# -- build info ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    version: str
    sum: str = ""
    replace: Module | None = None

    @property
    def effective(self) -> Module:
        """The module really linked in: the replacement when there is one."""
        return self.replace or self


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What ``go version -m`` shows for one binary (one slice of a fat Mach-O)."""

    go_version: str  # "go1.21.3", possibly followed by " X:experiment,..."
    path: str  # main package path
    main: Module | None
    deps: tuple[Module, ...]
    settings: tuple[tuple[str, str], ...]
    arch: str = ""  # from the executable header, for binaries without a GOARCH setting

    def setting(self, key: str) -> str | None:
        for k, v in self.settings:
            if k == key:
                return v
        return None


def _uvarint(data: bytes, at: int) -> tuple[int, int]:
    """(value, next offset) of the LEB128 varint at ``at``; next offset -1 when malformed."""
    value = shift = 0
    for i in range(at, min(at + 10, len(data))):
        b = data[i]
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i + 1
        shift += 7
    return 0, -1


def _inline_string(data: bytes, at: int) -> tuple[str, int]:
    n, at = _uvarint(data, at)
    if at < 0 or n > len(data) - at:
        raise BinaryError("Go build info string runs past its section")
    return data[at : at + n].decode("utf-8", "replace"), at + n


def _pointed_string(exe: Executable, addr: int, ptr: int, order: str) -> str:
    hdr = exe.read(addr, 2 * ptr)
    if hdr is None:
        raise BinaryError(f"Go build info points to unmapped address {addr:#x}")
    endian: Literal["big", "little"] = "big" if order == ">" else "little"
    data_addr = int.from_bytes(hdr[:ptr], endian)
    length = int.from_bytes(hdr[ptr:], endian)
    if length > _MAX_STRING:
        raise BinaryError(f"Go build info string of {length} bytes")
    raw = exe.read(data_addr, length)
    if raw is None:
        raise BinaryError(f"Go build info string at unmapped address {data_addr:#x}")
    return raw.decode("utf-8", "replace")


def read_buildinfo(exe: Executable) -> BuildInfo | None:
    """The build info of one executable image; None when it is not a Go binary.

    Raises :class:`BinaryError` when the blob is there but cannot be decoded.
    """
    span = binfmt.go_buildinfo_span(exe)
    if span is None:
        return None
    _, start, size = span
    end = start + size
    at = exe.data.find(binfmt.GO_BUILDINFO_MAGIC, start, end)
    while at >= 0 and (at - start) % _INFO_ALIGN:
        at = exe.data.find(binfmt.GO_BUILDINFO_MAGIC, at + 1, end)
    if at < 0:
        return None
    if end - at < _INFO_HEADER:
        raise BinaryError("Go build info header cut short")
    # The blob: a 32-byte header, then (1.18+) the two strings.
    blob = exe.data[at : min(end, at + _MAX_BLOB)]
    ptr, flags = blob[14], blob[15]
    if flags & _FLAG_INLINE:
        version, nxt = _inline_string(blob, _INFO_HEADER)
        modinfo, _ = _inline_string(blob, nxt)
    else:
        if ptr not in (4, 8):
            raise BinaryError(f"Go build info with pointer size {ptr}")
        order = ">" if flags & _FLAG_BIG_ENDIAN else "<"
        endian: Literal["big", "little"] = "big" if order == ">" else "little"
        vaddr = int.from_bytes(blob[16 : 16 + ptr], endian)
        maddr = int.from_bytes(blob[16 + ptr : 16 + 2 * ptr], endian)
        version = _pointed_string(exe, vaddr, ptr, order)
        modinfo = _pointed_string(exe, maddr, ptr, order)
    if not version:
        return None
    # The module text is framed by 16-byte sentinels (cmd/go's infoStart/infoEnd).
    if len(modinfo) >= 33 and modinfo[-17] == "\n":
        modinfo = modinfo[16:-16]
    else:
        modinfo = ""
    path, main, deps, settings = parse_modinfo(modinfo)
    return BuildInfo(version, path, main, deps, settings, exe.arch)


def parse_modinfo(text: str) -> tuple[str, Module | None, tuple[Module, ...], tuple[tuple[str, str], ...]]:
    """(path, main module, deps, build settings) from the module info text.

    The text is what ``go version -m`` prints after its first line; a line
    that is not one of the known kinds is an error, as in Go's own parser.
    """
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    last: str = ""  # "main" or "dep": what a "=>" line replaces
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        kind, _, rest = line.partition("\t")
        if kind == "path":
            path = rest
        elif kind == "mod":
            main, last = _module_line(rest, lineno), "main"
        elif kind == "dep":
            deps.append(_module_line(rest, lineno))
            last = "dep"
        elif kind == "=>":
            repl = _module_line(rest, lineno)
            if last == "main" and main is not None:
                main = Module(main.path, main.version, main.sum, repl)
            elif last == "dep":
                d = deps[-1]
                deps[-1] = Module(d.path, d.version, d.sum, repl)
            else:
                raise BinaryError(f"Go build info line {lineno}: replacement with no module before it")
            last = ""
        elif kind == "build":
            settings.append(_build_line(rest, lineno))
        elif kind == "go":
            continue  # only in the text form of `go version -m`; the version is kept separately
        else:
            raise BinaryError(f"Go build info line {lineno}: unexpected line {line[:60]!r}")
    return path, main, tuple(deps), tuple(settings)


def _module_line(rest: str, lineno: int) -> Module:
    elem = rest.split("\t")
    if len(elem) not in (2, 3) or not elem[0]:
        raise BinaryError(f"Go build info line {lineno}: expected 2 or 3 columns, got {len(elem)}")
    return Module(elem[0], elem[1], elem[2] if len(elem) == 3 else "")


def _build_line(kv: str, lineno: int) -> tuple[str, str]:
    if not kv or kv[0] == "=":
        raise BinaryError(f"Go build info line {lineno}: build setting without a key")
    if kv[0] in "\"`":
        end = _quoted_end(kv)
        if end < 0 or end >= len(kv) or kv[end] != "=":
            raise BinaryError(f"Go build info line {lineno}: badly quoted build setting key")
        key, raw = _go_unquote(kv[:end]), kv[end + 1 :]
    else:
        key, eq, raw = kv.partition("=")
        if not eq:
            raise BinaryError(f"Go build info line {lineno}: build setting without '='")
    value = _go_unquote(raw) if raw[:1] in ("\"", "`") else raw
    return key, value


def _quoted_end(s: str) -> int:
    """Index just past the Go quoted string that starts ``s``; -1 when unterminated."""
    q = s[0]
    i = 1
    while i < len(s):
        c = s[i]
        if c == "\\" and q == '"':
            i += 2
            continue
        if c == q:
            return i + 1
        i += 1
    return -1


_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92, "'": 39, '"': 34}


def _go_unquote(s: str) -> str:
    """Undo Go's strconv.Quote (double quotes with escapes) or a raw backquoted string."""
    if len(s) >= 2 and s[0] == s[-1] == "`":
        return s[1:-1]
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        return s
    try:
        return _unescape(s[1:-1])
    except (ValueError, IndexError):  # a malformed escape: keep the text as written
        return s[1:-1]


def _unescape(body: str) -> str:
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 >= len(body):
            out += c.encode("utf-8")
            i += 1
            continue
        e = body[i + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 2
        elif e == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif e in "uU":
            n = 4 if e == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + n], 16)).encode("utf-8", "surrogatepass")
            i += 2 + n
        elif e in "01234567":
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out += ("\\" + e).encode("utf-8")
            i += 2
    return out.decode("utf-8", "replace")


# -- the analyzer ----------------------------------------------------------------------


def analyze_binary(path: str, data: bytes) -> tuple[BuildInfo, ...] | Unreadable | None:
    """Build info of every image in the file; :class:`Unreadable` when it cannot be had."""
    if not binfmt.looks_executable(data):
        return None
    # Go's linker has written the build info magic into every binary since Go 1.13, and
    # UPX leaves its mark near the start of what it packs: a file with neither is not
    # worth parsing (most executables in an image are C, and this test is a memchr).
    # A ReadAt comes from a source that found ".go.buildinfo" in the section table.
    if not isinstance(data, binfmt.ReadAt) and binfmt.GO_BUILDINFO_MAGIC not in data and data.find(b"UPX", 0, 4096) < 0:
        return None
    try:
        exes = binfmt.parse(data)
    except BinaryError as exc:
        if binfmt.GO_BUILDINFO_MAGIC in data:
            return Unreadable(f"unreadable executable headers ({exc.diagnostics()})")
        return None
    if not exes:
        return None
    infos: list[BuildInfo] = []
    for exe in exes:
        try:
            bi = read_buildinfo(exe)
        except BinaryError as exc:
            return Unreadable(exc.diagnostics())
        if bi is not None and bi not in infos:
            infos.append(bi)
    if infos:
        return tuple(infos)
    if binfmt.is_upx_packed(data, exes[0]):
        return Unreadable("packed (UPX)")
    return None


ANALYZER = Analyzer(name="go-buildinfo", wants=binfmt.may_be_compiled, analyze=guarded(analyze_binary), elf_sections=(".go.buildinfo",), elf_lazy=True)


# -- packages --------------------------------------------------------------------------


def go_purl(path: str, version: str) -> str:
    """``pkg:golang/<namespace>/<name>@<version>``: the last path element is the name."""
    namespace, _, name = path.rpartition("/")
    return PackageURL(type="golang", namespace=namespace or None, name=name, version=version or None).to_string()


_STDLIB_VERSION = re.compile(r"go(?P<version>\d+(?:\.\d+)*)(?P<candidate>(?:rc|beta|alpha)\d*)?\Z")


def stdlib_cpe(go_version: str) -> str:
    """``cpe:2.3:a:golang:go:1.21.3:-:...`` (release candidates go to the update field); "" if not a release."""
    m = _STDLIB_VERSION.match(go_version.split("+", 1)[0])
    if m is None:
        return ""
    return f"cpe:2.3:a:golang:go:{m['version']}:{m['candidate'] or '-'}:*:*:*:*:*:*"


# ldflags that carry the main module's version: -X main.version=1.2.3, -X .../version.Tag=v1.2.3 ...
# (the variable names syft looks for; the version is taken whole, pre-release and build included)
_SEMVER = r"(?P<version>v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)"
_LDFLAG_VERSION = (
    re.compile(r"\.(?:[gG]it)?(?:[bB]uild)?[vV]er(?:sion)?=(?:\S+/)*" + _SEMVER),
    re.compile(r"\.[tT]ag=(?:\S+/)*" + _SEMVER),
)


def main_module_version(version: str, settings: Iterable[tuple[str, str]]) -> str:
    """The main module's version as syft reports it.

    A real version is kept.  ``(devel)`` becomes the version in ``-ldflags``
    when there is one, else the pseudo-version ``v0.0.0-<vcs.time>-<revision[:12]>``
    when the build recorded both, else stays ``(devel)``.
    """
    if version != DEVEL:
        return version
    kv = dict(settings)
    for pattern in _LDFLAG_VERSION:
        m = pattern.search(kv.get("-ldflags", ""))
        if m:
            v = m["version"]
            return v if v.startswith("v") else "v" + v
    rev, when = kv.get("vcs.revision"), kv.get("vcs.time")
    if rev and when:
        import datetime as _dt  # only for binaries built from a VCS checkout

        try:
            ts = _dt.datetime.fromisoformat(when)
            ts = ts.astimezone(_dt.UTC) if ts.tzinfo else ts  # RFC 3339 from the go command: always zoned
            stamp = ts.strftime("%Y%m%d%H%M%S")
        except ValueError:
            stamp = "00010101000000"
        return f"v0.0.0-{stamp}-{rev[:12]}"
    return version


def binary_packages(bi: BuildInfo, loc: Location) -> tuple[list[Package], list[Relationship]]:
    """Packages for one binary's build info: deps, main module, stdlib; main depends on the rest."""
    go_version, _, extra = bi.go_version.partition(" ")
    experiments = [x for chunk in extra.split() if chunk.startswith("X:") for x in chunk[2:].split(",") if x]
    arch = bi.setting("GOARCH") or bi.arch
    main_path = bi.main.path if bi.main else bi.path

    def make(mod: Module, version: str, settings: list[dict[str, str]] | None) -> Package:
        meta: dict[str, Any] = {"goCompiledVersion": go_version, "architecture": arch, "mainModule": main_path}
        name, h1 = mod.path, mod.sum
        if mod.replace is not None:
            if _is_dir_path(mod.replace.path):  # built from a local directory: still that module
                meta["replacedBy"] = mod.replace.path
            else:
                name = mod.replace.path
                meta["replaces"] = f"{mod.path}@{mod.version}"
            version, h1 = mod.replace.version, mod.replace.sum
        if h1:
            meta["h1Digest"] = h1
        if settings is not None:
            meta["goBuildSettings"] = settings
        if experiments:
            meta["goExperiments"] = experiments
        return Package(
            name=name,
            version=version,
            type="go-module",
            found_by=BINARY_NAME,
            purl=go_purl(name, version),
            language="go",
            layer=loc.layer,
            locations=(loc,),
            metadata=meta,
        )

    pkgs = [make(dep, dep.version, None) for dep in bi.deps if dep.effective.path]
    main_mod = bi.main or (Module(bi.path, DEVEL) if bi.path else None)
    rels: list[Relationship] = []
    if main_mod is not None:
        settings = [{"key": k, "value": v} for k, v in bi.settings]
        main = make(main_mod, main_module_version(main_mod.version, bi.settings), settings)
        rels = [Relationship(source=main.id, target=p.id, type=RelType.DEPENDS_ON) for p in pkgs]
        pkgs.append(main)
        cpe = stdlib_cpe(go_version)
        if cpe:
            std = Package(
                name="stdlib",
                version=go_version,
                type="go-module",
                found_by=BINARY_NAME,
                purl=go_purl("stdlib", go_version[2:]),
                cpes=(cpe,),
                licenses=(to_license("BSD-3-Clause", loc.path),),
                language="go",
                layer=loc.layer,
                locations=(loc,),
                metadata={"goCompiledVersion": go_version, "architecture": arch},
            )
            pkgs.append(std)
            rels.append(Relationship(source=main.id, target=std.id, type=RelType.DEPENDS_ON))
    return pkgs, rels


def _binary_result(result: list[Any], loc: Location) -> tuple[list[Package], list[Relationship]]:
    """Packages and edges of every build info in one executable (several in a fat Mach-O)."""
    pkgs: list[Package] = []
    rels: list[Relationship] = []
    for bi in result:
        p, r = binary_packages(bi, loc)
        pkgs.extend(p)
        rels.extend(r)
    return pkgs, rels


#: Go modules from the build info of every Go executable (read by :data:`ANALYZER`).
BINARY_CATALOGER = AnalyzerCataloger(BINARY_NAME, ANALYZER, _binary_result, "{name}: {reason}, build info unreadable: {path}")


# -- go.mod / go.sum -----------------------------------------------------------------

_VERBS = frozenset(("module", "go", "toolchain", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"))
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|//.*|\S+')


@dataclass(frozen=True, slots=True)
class Require:
    path: str
    version: str
    indirect: bool
    line: int


@dataclass(frozen=True, slots=True)
class Replace:
    old_path: str
    old_version: str  # "" replaces every version
    new_path: str
    new_version: str  # "" when new_path is a directory
    line: int


@dataclass(frozen=True, slots=True)
class GoMod:
    module: str
    go: str
    requires: tuple[Require, ...]
    replaces: tuple[Replace, ...]
    excludes: tuple[tuple[str, str], ...]


def _tokens(line: str) -> tuple[list[str], str]:
    """(tokens, trailing // comment text) of one go.mod line; quoted tokens unquoted."""
    toks: list[str] = []
    comment = ""
    for m in _TOKEN.finditer(line):
        t = m.group()
        if t.startswith("//"):
            comment = t[2:].strip()
            break
        toks.append(_go_unquote(t) if t[0] in "\"`" else t)
    return toks, comment


def _is_dir_path(p: str) -> bool:
    return p.startswith(("./", "../", "/", ".\\", "..\\")) or p in (".", "..") or bool(re.match(r"[A-Za-z]:[\\/]", p))


def parse_go_mod(text: str, loc: Location) -> GoMod:
    """The directives of a go.mod file that say which modules are used; errors name the line."""
    module = go = ""
    requires: list[Require] = []
    replaces: list[Replace] = []
    excludes: list[tuple[str, str]] = []
    block = ""
    for lineno, raw in enumerate(text.splitlines(), 1):
        toks, comment = _tokens(raw)
        if not toks:
            continue
        if block:
            if toks == [")"]:
                block = ""
                continue
            verb, args = block, toks
        else:
            verb, args = toks[0], toks[1:]
            if verb not in _VERBS:
                raise parse_error(loc, f"unknown directive: {verb}", lineno)
            if args == ["("]:
                block = verb
                continue
        if verb == "module":
            if len(args) != 1:
                raise parse_error(loc, "usage: module module/path", lineno)
            module = args[0]
        elif verb == "go":
            if len(args) != 1:
                raise parse_error(loc, "usage: go 1.23", lineno)
            go = args[0]
        elif verb == "require":
            if len(args) != 2:
                raise parse_error(loc, "usage: require module/path v1.2.3", lineno)
            indirect = comment == "indirect" or comment.startswith("indirect;")
            requires.append(Require(args[0], args[1], indirect, lineno))
        elif verb == "exclude":
            if len(args) != 2:
                raise parse_error(loc, "usage: exclude module/path v1.2.3", lineno)
            excludes.append((args[0], args[1]))
        elif verb == "replace":
            replaces.append(_replace(args, loc, lineno))
    if block:
        raise parse_error(loc, f"'{block} (' block is never closed")
    return GoMod(module, go, tuple(requires), tuple(replaces), tuple(excludes))


def _replace(args: list[str], loc: Location, lineno: int) -> Replace:
    if "=>" not in args:
        raise parse_error(loc, "usage: replace module/path [v1.2.3] => other/module v1.4", lineno)
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1 :]
    if len(old) not in (1, 2) or len(new) not in (1, 2):
        raise parse_error(loc, "usage: replace module/path [v1.2.3] => other/module v1.4", lineno)
    if len(new) == 1 and not _is_dir_path(new[0]):
        raise parse_error(loc, "replacement module without version must be a directory path (rooted or starting with ./ or ../)", lineno)
    if len(new) == 2 and _is_dir_path(new[0]):
        raise parse_error(loc, "replacement directory cannot have a version", lineno)
    return Replace(old[0], old[1] if len(old) == 2 else "", new[0], new[1] if len(new) == 2 else "", lineno)


def parse_go_sum(text: str) -> dict[tuple[str, str], str]:
    """(module, version) -> ``h1:`` hash of the module content (the ``/go.mod`` lines are skipped)."""
    out: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[1].endswith("/go.mod"):
            continue
        out[(parts[0], parts[1])] = parts[2]
    return out


def _parse_go_mod_file(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    try:
        text = resolver.read_text(loc)
    except UnicodeDecodeError as exc:
        raise parse_error(loc, f"not UTF-8 text ({exc.reason})") from None
    mod = parse_go_mod(text, loc)
    sums: dict[tuple[str, str], str] = {}
    sum_loc = resolver.location(posixpath.join(posixpath.dirname(loc.path), "go.sum"))
    if sum_loc is not None:
        try:
            sums = parse_go_sum(resolver.read_text(sum_loc))
        except (UnicodeDecodeError, CatalogError):
            env.warn(f"{MOD_NAME}: {sum_loc.path}: unreadable go.sum, hashes left out")

    excluded = set(mod.excludes)
    exact = {(r.old_path, r.old_version): r for r in mod.replaces if r.old_version}
    anyver = {r.old_path: r for r in mod.replaces if not r.old_version}
    found: dict[tuple[str, str], Package] = {}
    for req in mod.requires:
        if (req.path, req.version) in excluded:
            continue
        meta: dict[str, Any] = {}
        rep = exact.get((req.path, req.version)) or anyver.get(req.path)
        if rep is None:
            name, version = req.path, req.version
        elif not rep.new_version:  # a local directory: the code is there, its version unknown
            name, version = req.path, ""
            meta["replacedBy"] = rep.new_path
        else:
            name, version = rep.new_path, rep.new_version
            meta["replaces"] = f"{req.path}@{req.version}"
        if req.indirect:
            meta["indirect"] = True
        h1 = sums.get((name, version))
        if h1:
            meta["h1Digest"] = h1
        found.setdefault(
            (name, version),
            Package(
                name=name,
                version=version,
                type="go-module",
                found_by=MOD_NAME,
                purl=go_purl(name, version),
                language="go",
                layer=loc.layer,
                locations=(loc,),
                metadata=meta,
            ),
        )
    return Parsed.of(sorted(found.values(), key=lambda p: (p.name, p.version)))


CATALOGERS = (
    GlobCataloger(MOD_NAME, [("**/go.mod", _parse_go_mod_file)], needs=["**/go.sum"]),
    BINARY_CATALOGER,
)
