"""``dir:PATH`` and ``file:PATH`` sources: a directory on the host, read in place.

The tree is built with ``lstat``/``readlink`` only; files are opened with
``O_NOFOLLOW`` at the real path computed inside the root, so a symlink can never
make assay read a host file outside the directory.
"""

from __future__ import annotations

import hashlib
import os
import stat
from typing import IO, Sequence

from ..errors import SourceError
from ..model import SourceInfo
from .tree import DIR, FILE, OTHER, SYMLINK, Analyzer, FileResolver, FileTree, Node

__all__ = ["DirectorySource", "FileSource"]

SKIP_DIRS = {"/proc", "/sys", "/dev"}


class DirectorySource:
    def __init__(self, path: str, *, input: str = "", name: str = "", version: str = "") -> None:
        if not os.path.isdir(path):
            raise SourceError(f"{path}: not a directory")
        self.root = os.path.realpath(path)
        self._info = SourceInfo(kind="directory", input=input or f"dir:{path}", name=name or path, version=version, path=path)
        self._tree: FileTree | None = None

    def describe(self) -> SourceInfo:
        return self._info

    def _build(self) -> FileTree:
        tree = FileTree()
        stack = [""]
        while stack:
            rel = stack.pop()
            try:
                entries = list(os.scandir(self.root + rel))
            except OSError as exc:
                raise SourceError(f"cannot read directory {self.root + rel}: {exc.strerror}") from exc
            for e in entries:
                path = f"{rel}/{e.name}"
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    if path in SKIP_DIRS and rel == "":
                        continue
                    tree.add(path, Node(DIR, mode=st.st_mode & 0o7777, layer=-1))
                    stack.append(path)
                elif stat.S_ISLNK(st.st_mode):
                    tree.add(path, Node(SYMLINK, link=os.readlink(e.path), layer=-1))
                elif stat.S_ISREG(st.st_mode):
                    tree.add(path, Node(FILE, size=st.st_size, mode=st.st_mode & 0o7777, layer=-1, ref=path))
                else:
                    tree.add(path, Node(OTHER, layer=-1))
        return tree

    def _opener(self, node: Node) -> IO[bytes]:
        real = self.root + node.ref
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as exc:
            raise SourceError(f"cannot open {node.ref}: {exc.strerror}") from exc
        return os.fdopen(fd, "rb")

    def resolver(self, prefetch: Sequence[str] = (), analyzers: Sequence[Analyzer] = ()) -> FileResolver:
        if self._tree is None:
            self._tree = self._build()
        return FileResolver(self._tree, self._opener, analyzers=analyzers)

    def close(self) -> None:
        pass

    def __enter__(self) -> "DirectorySource":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FileSource(DirectorySource):
    """A single file, presented as a tree holding just that file at its name."""

    def __init__(self, path: str, *, input: str = "", name: str = "", version: str = "") -> None:
        if not os.path.isfile(path):
            raise SourceError(f"{path}: not a regular file")
        self.root = os.path.dirname(os.path.realpath(path))
        self.file = os.path.basename(os.path.realpath(path))
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        self._info = SourceInfo(
            kind="file", input=input or f"file:{path}", name=name or os.path.basename(path), version=version, path=path, digest="sha256:" + h.hexdigest()
        )
        self._tree = None

    def _build(self) -> FileTree:
        tree = FileTree()
        st = os.stat(os.path.join(self.root, self.file))
        tree.add("/" + self.file, Node(FILE, size=st.st_size, layer=-1, ref="/" + self.file))
        return tree
