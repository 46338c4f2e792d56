"""The squashed tree: what later layers do to what earlier ones added."""

from __future__ import annotations

import pytest

from assay.errors import SourceError
from assay.source.tree import DIR, FILE, SYMLINK, FileTree, Node, normpath


def paths(tree: FileTree) -> list[str]:
    return sorted(p for p, _ in tree.walk())


@pytest.mark.parametrize(
    "raw,want",
    [
        ("usr/bin/env", "/usr/bin/env"),
        ("./usr/bin/env", "/usr/bin/env"),
        ("/usr//bin/./env", "/usr/bin/env"),
        ("usr/share/", "/usr/share"),
        ("usr/lib/../bin/.hidden", "/usr/bin/.hidden"),
        ("etc\\passwd", "/etc/passwd"),
        ("", "/"),
        (".", "/"),
    ],
)
def test_normpath(raw: str, want: str) -> None:
    assert normpath(raw) == want


@pytest.mark.parametrize("raw", ["..", "../etc/passwd", "usr/../../etc", "./.."])
def test_normpath_refuses_to_leave_the_root(raw: str) -> None:
    with pytest.raises(SourceError, match="escapes"):
        normpath(raw)


def test_a_directory_replaced_by_a_file_loses_its_children() -> None:
    tree = FileTree(["l0", "l1", "l2"])
    tree.add("/a/b/c.txt", Node(FILE, layer=0))
    tree.add("/a/b/d.txt", Node(FILE, layer=0))
    tree.add("/a/b", Node(SYMLINK, link="/x", layer=1))  # layer 1 turns the directory into a link
    tree.add("/a/e.txt", Node(FILE, layer=1))
    assert paths(tree) == ["/a/b", "/a/e.txt"]
    tree.add("/a/b/f.txt", Node(FILE, layer=2))  # and layer 2 makes it a directory again
    assert paths(tree) == ["/a/b/f.txt", "/a/e.txt"]
    assert tree.get("/a/b").kind == DIR


def test_whiteouts_and_opaque_directories_hide_lower_layers_only() -> None:
    tree = FileTree(["l0", "l1"])
    tree.add("/etc/x/one", Node(FILE, layer=0))
    tree.add("/etc/y/two", Node(FILE, layer=0))
    tree.add("/etc/z", Node(FILE, layer=0))
    tree.whiteout("/etc/x", 1)
    tree.add("/etc/x/new", Node(FILE, layer=1))  # re-created after the whiteout
    tree.add("/etc/y/three", Node(FILE, layer=1))
    tree.opaque("/etc/y", 1)
    tree.whiteout("/etc/z", 1)
    assert paths(tree) == ["/etc/x/new", "/etc/y/three"]


def test_glob_by_extension_literal_name_and_wildcard() -> None:
    from assay.source.tree import FileResolver

    tree = FileTree(["l0"])
    for path in (
        "/app/lib/a.jar",
        "/app/lib/b.JAR",
        "/app/lib/notajar",
        "/app/bin/app.deps.json",
        "/app/bin/other.json",
        "/var/lib/dpkg/status.d/base",
        "/var/lib/dpkg/status.d/tzdata.md5sums",
        "/var/lib/dpkg/status",
    ):
        tree.add(path, Node(FILE, layer=0))
    tree.add("/app/lib/link.jar", Node(SYMLINK, link="a.jar", layer=0))
    res = FileResolver(tree, lambda n: None)  # type: ignore[arg-type, return-value]

    def paths(*patterns: str) -> list[str]:
        return [loc.access_path or loc.path for loc in res.glob(*patterns)]

    assert paths("**/*.jar") == ["/app/lib/a.jar", "/app/lib/link.jar"]
    assert paths("**/*.deps.json") == ["/app/bin/app.deps.json"]
    assert paths("**/lib/dpkg/status.d/*") == ["/var/lib/dpkg/status.d/base", "/var/lib/dpkg/status.d/tzdata.md5sums"]
    assert paths("**/lib/dpkg/status") == ["/var/lib/dpkg/status"]
    assert paths("**/*.{jar,JAR}") == ["/app/lib/a.jar", "/app/lib/b.JAR", "/app/lib/link.jar"]
