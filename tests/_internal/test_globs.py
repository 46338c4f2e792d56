from __future__ import annotations

import pytest

from assay._internal.globs import AnyGlob, combine, compile_glob, expand_braces, glob_basename, literal_hint
from assay.source.tree import FILE, FileResolver, FileTree, Node

CASES = [
    # pattern, path (no leading /), matches
    ("**/var/lib/dpkg/status", "var/lib/dpkg/status", True),
    ("**/var/lib/dpkg/status", "x/var/lib/dpkg/status", True),
    ("**/var/lib/dpkg/status", "var/lib/dpkg/status.d/x", False),
    ("**/*.jar", "opt/app/lib/a.jar", True),
    ("**/*.jar", "a.jar", True),
    ("**/*.jar", "opt/a.jar/x", False),
    ("usr/lib/*.so", "usr/lib/x.so", True),
    ("usr/lib/*.so", "usr/lib/y/x.so", False),
    ("**/lib/apk/db/installed", "lib/apk/db/installed", True),
    ("**/{package,bower}.json", "app/bower.json", True),
    ("**/python?.?", "usr/bin/python3.1", True),
    ("**/[!a]*.txt", "b.txt", True),
    ("**/[!a]*.txt", "a.txt", False),
    ("**/status", "statuses", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), CASES)
def test_compile_glob_and_combine_agree(pattern: str, path: str, expected: bool) -> None:
    assert bool(compile_glob(pattern).match(path)) is expected
    any_glob = combine((pattern,))
    assert any_glob is not None and any_glob.match(path) is expected


def test_combine_matches_any_and_compiles_on_first_use() -> None:
    assert combine(()) is None
    g = AnyGlob(("**/*.jar", "**/var/lib/dpkg/status"))
    assert g._rx is None  # nothing compiled until asked
    assert g.match("var/lib/dpkg/status") and g.match("a/b.jar") and not g.match("a/b.war")
    assert g._rx is not None


def test_glob_basename() -> None:
    assert glob_basename("**/var/lib/dpkg/status") == "status"
    assert glob_basename("**/*.jar") is None
    assert glob_basename("**/{a,b}.json") is None


def _tree(paths: list[str]) -> FileResolver:
    tree = FileTree(["l0"])
    for p in paths:
        tree.add(p, Node(FILE, size=1, layer=0, ref=("mem", b"x")))
    return FileResolver(tree, lambda node: None)  # type: ignore[arg-type,return-value]


def test_resolver_glob_anywhere_fast_path_equals_the_regex() -> None:
    paths = ["/status", "/var/lib/dpkg/status", "/x/status", "/statusx", "/var/lib/dpkg/status.d/a"]
    r = _tree(paths)
    for pattern in ("**/status", "/**/status", "**/dpkg/status", "var/lib/dpkg/status", "**/status.d/*"):
        want = sorted(p for p in paths if compile_glob(pattern).match(p[1:]))
        assert [loc.path for loc in r.glob(pattern)] == want, pattern


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("a/b", ["a/b"]),
        ("**/{a,b}.json", ["**/a.json", "**/b.json"]),
        ("{x,y}/{1,2}", ["x/1", "x/2", "y/1", "y/2"]),
        ("**/{var/lib,usr/share}/rpm/{Packages,rpmdb.sqlite}", ["**/var/lib/rpm/Packages", "**/var/lib/rpm/rpmdb.sqlite", "**/usr/share/rpm/Packages", "**/usr/share/rpm/rpmdb.sqlite"]),
    ],
)
def test_expand_braces(pattern: str, expected: list[str]) -> None:
    assert expand_braces(pattern) == expected
    paths = [e.replace("**/", "x/") for e in expected] + ["x/other"]
    for path in paths:  # the expansion matches exactly what the pattern matches
        assert bool(compile_glob(pattern).match(path)) == any(compile_glob(e).match(path) for e in expected)


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        ("**/lib/dpkg/status.d/*", "/lib/dpkg/status.d/"),
        ("**/*.jar", ".jar"),
        ("usr/lib/[abc]*.so", "usr/lib/"),
        ("**/{package,bower}.json", ".json"),
        ("**/x[", "/x["),
        ("*", ""),
    ],
)
def test_literal_hint(pattern: str, hint: str) -> None:
    assert literal_hint(pattern) == hint


def test_resolver_glob_with_braces_and_wildcard_names_equals_the_regex() -> None:
    paths = ["/var/lib/rpm/Packages", "/usr/share/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/Packages.db", "/var/lib/rpm/Other",
             "/var/lib/dpkg/status.d/base", "/var/lib/dpkg/status.d/libc6.md5sums", "/lib/dpkg/status.d/x", "/other/status.d/y"]
    r = _tree(paths)
    for pattern in ("**/{var/lib,usr/share,usr/lib/sysimage}/rpm/{Packages,Packages.db,rpmdb.sqlite}", "**/lib/dpkg/status.d/*", "**/status.d/*.md5sums", "**/[vu]*/rpm/*"):
        want = sorted(p for p in paths if compile_glob(pattern).match(p[1:]))
        assert [loc.path for loc in r.glob(pattern)] == want, pattern
