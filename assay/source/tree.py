"""The squashed file tree every source presents, and the resolver catalogers read through.

A :class:`FileTree` holds metadata only (names, types, sizes, link targets, the
layer each entry came from and an opaque reference to its content).  Content is
read on demand through a ``ContentOpener`` supplied by the source, so an image is
never extracted to disk.

Symlinks are resolved with chroot semantics: absolute targets are relative to the
source root, ``..`` never climbs above it (a link that tries is an error), and
more than :data:`MAX_LINK_HOPS` hops is a loop.
"""

from __future__ import annotations

import io
import posixpath
import re
from dataclasses import dataclass
from typing import IO, Any, Callable, Iterable, Iterator, Sequence

from ..errors import SourceError
from ..model import Location
from .._internal.globs import compile_glob, expand_braces, glob_basename, literal_hint

__all__ = ["Node", "FileTree", "FileResolver", "Analyzer", "DEFAULT_READ_LIMIT", "MAX_LINK_HOPS", "normpath"]

MAX_LINK_HOPS = 40
DEFAULT_READ_LIMIT = 512 * 1024 * 1024

FILE, DIR, SYMLINK, OTHER = "f", "d", "l", "o"


class Node:
    __slots__ = ("kind", "size", "mode", "link", "layer", "ref", "children", "notes")

    def __init__(self, kind: str, *, size: int = 0, mode: int = 0o644, link: str = "", layer: int = -1, ref: Any = None) -> None:
        self.kind = kind
        self.size = size
        self.mode = mode
        self.link = link
        self.layer = layer
        self.ref = ref
        self.children: dict[str, Node] | None = {} if kind == DIR else None
        self.notes: dict[str, Any] | None = None  # analyzer name -> result, for regular files


@dataclass(frozen=True, slots=True)
class Analyzer:
    """Looks at file contents while a source is read (for files no glob can name, e.g. binaries).

    Image sources run ``analyze`` on every regular file for which ``wants(path, size,
    mode)`` is true, as its layer streams past, and keep only the (small) result;
    other sources run it on demand.  ``analyze`` returns None when it finds nothing.
    """

    name: str
    wants: Callable[[str, int, int], bool]
    analyze: Callable[[str, bytes], Any]
    max_size: int = 256 * 1024 * 1024
    # When set, an ELF file whose section table names none of these sections is
    # skipped unread, by sources that can read its headers alone (a layer in a
    # local file); an ELF without a section table is always analyzed.
    elf_sections: tuple[str, ...] = ()
    # With ``elf_sections``: an ELF file whose section table names one of them may be
    # handed to ``analyze`` as a :class:`~assay._internal.binfmt.ReadAt` that reads
    # only what is asked for, instead of the file's bytes.
    elf_lazy: bool = False


def normpath(path: str) -> str:
    """Normalise an in-source path to ``/a/b``; raise on ``..`` that leaves the root."""
    p = path.strip("/")
    if "//" not in p and "/." not in p and p[:1] != "." and "\\" not in p:
        return "/" + p  # already normal: the common case, kept cheap
    parts: list[str] = []
    for seg in path.replace("\\", "/").split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if not parts:
                raise SourceError(f"path {path!r} escapes the source root")
            parts.pop()
            continue
        parts.append(seg)
    return "/" + "/".join(parts)


class FileTree:
    """A mutable tree while a source is being read; read-only once :meth:`freeze` is called."""

    def __init__(self, layers: Sequence[str] = ()) -> None:
        self.root = Node(DIR, layer=0, mode=0o755)
        self.layers: list[str] = list(layers)  # index -> layer digest
        self._names: dict[str, list[str]] | None = None
        self._exts: dict[str, list[str]] | None = None
        self._exts_of: object = None  # the names index _exts was built from
        self._dirs: dict[str, Node] = {}  # directory path -> node, while building (entries come grouped by directory)
        self.analyzed: set[str] = set()  # analyzers already run over every file while building
        self.noted: list[tuple[str, Node]] = []  # files given analyzer notes while building (some may be hidden since)

    # -- building -----------------------------------------------------------------
    def _dir(self, parts: list[str], layer: int) -> Node:
        node = self.root
        for seg in parts:
            assert node.children is not None
            child = node.children.get(seg)
            if child is None or child.kind != DIR:
                child = Node(DIR, layer=layer, mode=0o755)
                node.children[seg] = child
            node = child
        return node

    def add(self, path: str, node: Node, *, normalized: bool = False) -> None:
        if not normalized:
            path = normpath(path)
        if path == "/":
            return  # the root itself
        where, _, name = path.rpartition("/")
        parent = self._dirs.get(where)
        if parent is None:
            parent = self._dirs[where] = self._dir(where.split("/")[1:], node.layer)
        assert parent.children is not None
        old = parent.children.get(name)
        if old is not None and old.kind == DIR:
            if node.kind == DIR:
                old.mode, old.layer = node.mode, node.layer  # keep the children of lower layers
                return
            self._dirs.clear()  # a directory replaced by a file: forget what was under it
        parent.children[name] = node
        self._names = None
        if node.notes:
            self.noted.append((path, node))

    def get(self, path: str) -> Node | None:
        """The node at ``path`` without following any symlink."""
        node = self.root
        for seg in normpath(path).split("/")[1:]:
            if node.children is None:
                return None
            nxt = node.children.get(seg)
            if nxt is None:
                return None
            node = nxt
        return node

    def whiteout(self, path: str, layer: int) -> None:
        """Hide ``path`` as seen from lower layers (``.wh.<name>``)."""
        p = normpath(path)
        parent = self.get(posixpath.dirname(p))
        if parent is None or parent.children is None:
            return
        name = posixpath.basename(p)
        node = parent.children.get(name)
        if node is None:
            return
        if node.layer < layer:
            del parent.children[name]
        else:
            _prune_below(node, layer)
        self._names = None
        self._dirs.clear()

    def opaque(self, path: str, layer: int) -> None:
        """Hide every lower-layer entry under the directory ``path`` (``.wh..wh..opq``)."""
        node = self.get(path)
        if node is not None and node.kind == DIR:
            _prune_below(node, layer)
            self._names = None
            self._dirs.clear()

    # -- reading ------------------------------------------------------------------
    def resolve(self, path: str, *, follow_last: bool = True) -> tuple[str, Node | None]:
        """Follow symlinks in every component; return the real path and its node (None if missing)."""
        hops = 0
        todo = normpath(path).split("/")[1:]
        done: list[str] = []
        node = self.root
        while todo:
            seg = todo.pop(0)
            if node.children is None:
                return "/" + "/".join(done + [seg] + todo), None
            child = node.children.get(seg)
            if child is None:
                return "/" + "/".join(done + [seg] + todo), None
            if child.kind == SYMLINK and (todo or follow_last):
                hops += 1
                if hops > MAX_LINK_HOPS:
                    raise SourceError(f"symlink loop at {path} (more than {MAX_LINK_HOPS} links)")
                target = child.link
                if target.startswith("/"):
                    base: list[str] = []
                else:
                    base = list(done)
                new: list[str] = []
                for t in [*base, *target.split("/")]:
                    if t in ("", "."):
                        continue
                    if t == "..":
                        if not new:
                            raise SourceError(
                                f"symlink {'/' + '/'.join(done + [seg])} -> {target} points outside the source root"
                            )
                        new.pop()
                    else:
                        new.append(t)
                todo = new + todo
                done = []
                node = self.root
                continue
            done.append(seg)
            node = child
        return "/" + "/".join(done), node

    def walk(self) -> Iterator[tuple[str, Node]]:
        """Every non-directory entry, depth first, in name order."""
        stack: list[tuple[str, Node]] = [("", self.root)]
        while stack:
            prefix, node = stack.pop()
            assert node.children is not None
            for name in sorted(node.children, reverse=True):
                child = node.children[name]
                path = f"{prefix}/{name}"
                if child.kind == DIR:
                    stack.append((path, child))
                else:
                    yield path, child

    def names(self) -> dict[str, list[str]]:
        """basename -> paths of non-directory entries (built once, after the tree is complete)."""
        if self._names is None:
            idx: dict[str, list[str]] = {}
            for path, _ in self.walk():
                idx.setdefault(path.rsplit("/", 1)[1], []).append(path)
            self._names = idx
        return self._names

    def extensions(self) -> dict[str, list[str]]:
        """extension (after the last ".") -> basenames in :meth:`names` with it, for ``*.jar`` globs."""
        if self._exts is None or self._exts_of is not self._names:
            exts: dict[str, list[str]] = {}
            for name in self.names():
                dot = name.rfind(".")
                if dot >= 0:
                    exts.setdefault(name[dot + 1 :], []).append(name)
            self._exts, self._exts_of = exts, self._names
        return self._exts

    def count(self) -> int:
        return sum(len(v) for v in self.names().values())


def _prune_below(node: Node, layer: int) -> None:
    if node.children is None:
        return
    for name in list(node.children):
        child = node.children[name]
        if child.layer < layer:
            del node.children[name]
        else:
            _prune_below(child, layer)


ContentOpener = Callable[[Node], IO[bytes]]


@dataclass(frozen=True, slots=True)
class _Hit:
    real: str
    access: str
    node: Node


class FileResolver:
    """What catalogers see: globbing, symlink-safe lookup and reading of the squashed tree."""

    def __init__(self, tree: FileTree, opener: ContentOpener, *, read_limit: int = DEFAULT_READ_LIMIT, analyzers: Sequence[Analyzer] = ()) -> None:
        self.tree = tree
        self._open = opener
        self.read_limit = read_limit
        self._analyzers = {a.name: a for a in analyzers}
        self._analysis: dict[str, dict[str, Any]] = {}

    # -- analyzers ----------------------------------------------------------------
    def analysis(self, name: str) -> dict[str, Any]:
        """path -> result of the analyzer ``name`` for every regular file it found something in."""
        if name in self._analysis:
            return self._analysis[name]
        out: dict[str, Any] = {}
        if name in self.tree.analyzed:
            for path, node in sorted(self.tree.noted, key=lambda pn: pn[0]):
                if node.notes and name in node.notes and self.tree.get(path) is node:  # not hidden by a later layer
                    out[path] = node.notes[name]
        else:
            analyzer = self._analyzers.get(name)
            if analyzer is None:
                raise KeyError(f"analyzer {name!r} was not given to this resolver")
            for path, node in self.tree.walk():
                if node.kind != FILE or node.size > analyzer.max_size or not analyzer.wants(path, node.size, node.mode):
                    continue
                with self._open(node) as fh:
                    result = analyzer.analyze(path, fh.read())
                if result is not None:
                    out[path] = result
        self._analysis[name] = out
        return out

    def location_of(self, path: str) -> Location:
        """The Location of a file known to exist (e.g. a path from :meth:`analysis`)."""
        node = self.tree.get(path)
        if node is None:
            raise SourceError(f"{path}: no such file in the source")
        return self._location(path, path, node)

    # -- locating -----------------------------------------------------------------
    def _location(self, real: str, access: str, node: Node) -> Location:
        layer = self.tree.layers[node.layer] if 0 <= node.layer < len(self.tree.layers) else ""
        return Location(path=real, layer=layer, access_path=access if access != real else "")

    def location(self, path: str) -> Location | None:
        """Where ``path`` really is (symlinks followed), or None when it does not exist or is not a file."""
        real, node = self.tree.resolve(path)
        if node is None or node.kind != FILE:
            return None
        return self._location(real, normpath(path), node)

    def exists(self, path: str) -> bool:
        try:
            return self.tree.resolve(path)[1] is not None
        except SourceError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            node = self.tree.resolve(path)[1]
        except SourceError:
            return False
        return node is not None and node.kind == DIR

    def listdir(self, path: str) -> list[str]:
        real, node = self.tree.resolve(path)
        if node is None or node.children is None:
            return []
        return sorted(node.children)

    def glob(self, *patterns: str) -> list[Location]:
        """Regular files (or symlinks to them) whose path matches any pattern, sorted by path.

        A matching symlink whose target is missing is skipped; one that loops or
        leaves the root raises :class:`SourceError`.
        """
        names = self.tree.names()
        found: dict[str, Location] = {}
        # "{a,b}" alternatives are looked up one by one: each may name its file literally
        for pattern in dict.fromkeys(p for pat in patterns for p in expand_braces(pat)):
            base = glob_basename(pattern)
            # "**/NAME" matches every path named NAME: no need to compile or run the glob
            anywhere = base is not None and pattern.lstrip("/") == "**/" + base
            rx: re.Pattern[str] | None = None  # compiled when a candidate needs it
            if base is not None:
                candidates: Iterable[str] = names.get(base, ())
            else:
                last = pattern.rstrip("/").rsplit("/", 1)[-1]
                suffix = last[1:]
                if last.startswith("*") and "." in suffix and not any(ch in suffix for ch in "*?[{"):
                    # "*.jar", "*.deps.json": only the names with that extension are looked at
                    ext = suffix.rsplit(".", 1)[1]
                    candidates = (p for n in self.tree.extensions().get(ext, ()) if n.endswith(suffix) for p in names[n])
                else:
                    brx = compile_glob(last)
                    hint = literal_hint(pattern)  # e.g. "/status.d/" of "**/lib/dpkg/status.d/*"
                    candidates = (p for n, ps in names.items() for p in ps if hint in p and brx.match(n))
            for path in candidates:
                if path in found:
                    continue
                if not anywhere:
                    if rx is None:
                        rx = compile_glob(pattern)
                    if not rx.match(path[1:]):
                        continue
                node = self.tree.get(path)
                if node is None:
                    continue
                if node.kind == SYMLINK:
                    real, target = self.tree.resolve(path)
                    if target is None or target.kind != FILE:
                        continue
                    found[path] = self._location(real, path, target)
                elif node.kind == FILE:
                    found[path] = self._location(path, path, node)
        return [found[k] for k in sorted(found)]

    def files(self) -> Iterator[Location]:
        """Every regular file (symlinks are not followed)."""
        for path, node in self.tree.walk():
            if node.kind == FILE:
                yield self._location(path, path, node)

    # -- reading ------------------------------------------------------------------
    def _node(self, what: Location | str) -> tuple[str, Node]:
        path = what.path if isinstance(what, Location) else what
        real, node = self.tree.resolve(path)
        if node is None:
            raise SourceError(f"{path}: no such file in the source")
        if node.kind != FILE:
            raise SourceError(f"{path}: not a regular file")
        return real, node

    def size(self, what: Location | str) -> int:
        return self._node(what)[1].size

    def open(self, what: Location | str) -> IO[bytes]:
        _, node = self._node(what)
        return self._open(node)

    def read(self, what: Location | str, limit: int | None = None) -> bytes:
        real, node = self._node(what)
        cap = self.read_limit if limit is None else limit
        if node.size > cap:
            raise SourceError(f"{real} is {node.size} bytes, over the {cap}-byte read limit")
        with self._open(node) as fh:
            data = fh.read(cap + 1)
        if len(data) > cap:
            raise SourceError(f"{real} is larger than the {cap}-byte read limit")
        return data

    def read_text(self, what: Location | str, limit: int | None = None) -> str:
        return self.read(what, limit).decode("utf-8", errors="replace")


def bytes_opener(node: Node) -> IO[bytes]:
    """Opener for nodes whose ``ref`` holds their bytes (tests, small captured files)."""
    return io.BytesIO(node.ref or b"")
