"""The apk installed-database cataloger, on an Alpine 3.19 fixture and on the syft corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assay.catalog import Environment, catalog
from assay.catalog.apk import CATALOGERS, NAME, parse_apk_db, parse_installed, release_from_repositories
from assay.errors import CatalogError
from assay.model import Distro, Location, Package, RelType
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, FileResolver, FileTree, Node, bytes_opener
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "apk"
ALPINE = Distro(id="alpine", version_id="3.19.1", name="Alpine Linux")
CATALOGER = CATALOGERS[0]
DB = "/lib/apk/db/installed"


def run(resolver: FileResolver, distro: Distro | None = ALPINE) -> tuple[dict[str, Package], dict[str, set[str]], Environment]:
    env = Environment(distro=distro)
    got = CATALOGER.catalog(resolver, env)
    pkgs = {p.name: p for p in got.packages}
    names = {p.id: p.name for p in got.packages}
    deps: dict[str, set[str]] = {}
    for r in got.relationships:
        assert r.type == RelType.DEPENDS_ON
        deps.setdefault(names[r.source], set()).add(names[r.target])
    return pkgs, deps, env


def tree_resolver(files: dict[str, tuple[str, int]], layers: list[str]) -> FileResolver:
    tree = FileTree(layers)
    for path, (text, layer) in files.items():
        data = text.encode()
        tree.add(path, Node(FILE, size=len(data), layer=layer, ref=data))
    return FileResolver(tree, bytes_opener)


@pytest.fixture(scope="module")
def alpine() -> tuple[dict[str, Package], dict[str, set[str]], Environment]:
    return run(DirectorySource(str(FIXTURES / "rootfs")).resolver())


def test_packages(alpine):
    pkgs, _, env = alpine
    assert env.warnings == []
    assert {n: p.version for n, p in pkgs.items()} == {
        "musl": "1.2.4_git20230717-r4", "busybox": "1.36.1-r15", "busybox-binsh": "1.36.1-r15",
        "alpine-baselayout-data": "3.4.3-r2", "zlib": "1.3.1-r0", "libcrypto3": "3.1.4-r5", "libssl3": "3.1.4-r5",
        "ssl_client": "1.36.1-r15", "scanelf": "1.3.7-r2", "musl-utils": "1.2.4_git20230717-r4", "libc-utils": "0.7.2-r5",
    }  # fmt: skip
    assert all(p.type == "apk" and p.found_by == NAME for p in pkgs.values())


def test_fields(alpine):
    pkgs, _, _ = alpine
    ssl = pkgs["libssl3"]
    assert (ssl.arch, ssl.source_name, ssl.source_version) == ("x86_64", "openssl", "3.1.4-r5")
    assert ssl.supplier == "Ariadne Conill <ariadne@dereferenced.org>"
    assert ssl.description == "SSL shared libraries"
    assert ssl.homepage == "https://www.openssl.org/"
    assert ssl.files == ("/lib/libssl.so.3",)
    assert ssl.locations == (Location(path=DB),)
    md = ssl.metadata
    assert (md["size"], md["installed_size"], md["build_time"]) == (345040, 622592, 1706710939)
    assert md["checksum"] == "Q1F2pu1o2J5Y0sZ0TvW3Lb8cG6w3I="
    assert md["commit"] == "f6ed12a0a6eab70e20b2a4e2ea1ab4a09ab8ad4f"
    assert md["dependencies"] == ["so:libc.musl-x86_64.so.1", "so:libcrypto.so.3", "!libressl-libssl"]
    assert md["provides"] == ["so:libssl.so.3=3"]
    # owned files: F: directory + R: name; empty D:/p: lines are skipped
    assert pkgs["busybox"].files == ("/bin/busybox", "/etc/securetty", "/etc/udhcpd.conf")
    assert pkgs["musl-utils"].files == ("/sbin/ldconfig", "/usr/bin/iconv", "/usr/bin/ldd")
    assert pkgs["alpine-baselayout-data"].metadata["dependencies"] == []


def test_purls(alpine):
    pkgs, _, _ = alpine
    assert pkgs["musl"].purl == "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"
    assert pkgs["libcrypto3"].purl == "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl"
    assert pkgs["libc-utils"].purl == "pkg:apk/alpine/libc-utils@0.7.2-r5?arch=x86_64&distro=alpine-3.19.1&upstream=libc-dev"


def test_distro_from_repositories_when_the_scan_found_none():
    pkgs, _, _ = run(DirectorySource(str(FIXTURES / "rootfs")).resolver(), None)
    assert pkgs["zlib"].purl == "pkg:apk/alpine/zlib@1.3.1-r0?arch=x86_64&distro=alpine-3.19"
    res = tree_resolver({DB: ("P:zlib\nV:1.3.1-r0\nA:x86_64\n", 0)}, ["sha256:a"])
    pkgs, _, _ = run(res, None)
    assert pkgs["zlib"].purl == ""
    wolfi = Distro(id="wolfi", version_id="20230201")
    pkgs, _, _ = run(res, wolfi)
    assert pkgs["zlib"].purl == "pkg:apk/wolfi/zlib@1.3.1-r0?arch=x86_64&distro=wolfi-20230201"


def test_release_from_repositories():
    assert release_from_repositories("https://dl-cdn.alpinelinux.org/alpine/v3.18/main\n").version_id == "3.18"
    assert release_from_repositories("#comment\nhttp://mirror.example.org/pub/alpine/v3.20/community\n").version_id == "3.20"
    assert release_from_repositories("https://dl-cdn.alpinelinux.org/alpine/edge/main\n") is None
    assert release_from_repositories("") is None


def test_licenses(alpine):
    pkgs, _, _ = alpine
    lic = {n: [(l.value, l.spdx) for l in p.licenses] for n, p in pkgs.items()}
    assert lic["musl"] == [("MIT", "MIT")]
    assert lic["musl-utils"] == [("MIT AND BSD-2-Clause AND GPL-2.0-or-later", "MIT AND BSD-2-Clause AND GPL-2.0-or-later")]
    assert pkgs["zlib"].licenses[0].location == DB
    # not an expression: one license per word, as syft splits them
    res = tree_resolver({DB: ("P:musl-utils\nV:1.1.24-r2\nL:MIT BSD GPL2+\n", 0)}, ["sha256:a"])
    pkgs, _, _ = run(res)
    assert [l.value for l in pkgs["musl-utils"].licenses] == ["MIT", "BSD", "GPL2+"]


def test_dependencies(alpine):
    _, deps, _ = alpine
    assert deps == {
        "busybox": {"musl"},
        "busybox-binsh": {"busybox"},  # busybox=1.36.1-r15
        "zlib": {"musl"},
        "libcrypto3": {"musl"},
        "libssl3": {"musl", "libcrypto3"},  # !libressl-libssl is a conflict
        "ssl_client": {"musl", "libcrypto3", "libssl3"},  # so: names through p: provides
        "scanelf": {"musl"},
        "musl-utils": {"musl", "scanelf"},
        "libc-utils": {"musl-utils"},
    }


def test_file_path_dependencies_and_cmd_provides():
    db = (
        "P:bash\nV:5.2.21-r0\nD:/bin/sh so:libc.musl-x86_64.so.1 cmd:env\n\n"
        "P:busybox-binsh\nV:1.36.1-r15\np:/bin/sh cmd:sh=1.36.1-r15\n\n"
        "P:coreutils-env\nV:9.4-r2\np:cmd:env=9.4-r2\n\n"
        "P:busybox-env\nV:1.36.1-r15\np:cmd:env=1.36.1-r15\n\n"
        "P:musl\nV:1.2.4-r4\np:so:libc.musl-x86_64.so.1=1\n"
    )
    _, deps, _ = run(tree_resolver({DB: (db, 0)}, ["sha256:a"]))
    assert deps == {"bash": {"busybox-binsh", "musl", "coreutils-env", "busybox-env"}}


def test_layer_of_the_first_owned_file():
    db = (
        "P:musl\nV:1.2.4-r4\nF:lib\nR:ld-musl-x86_64.so.1\n\n"
        "P:curl\nV:8.5.0-r0\nF:etc\nR:curlrc\nF:usr/bin\nR:curl\n\n"
        "P:meta\nV:1\n"
    )
    res = tree_resolver(
        {
            "/lib/ld-musl-x86_64.so.1": ("elf", 0),
            "/etc/curlrc": ("edited later", 1),
            "/usr/bin/curl": ("elf", 1),
            DB: (db, 1),
        },
        ["sha256:base", "sha256:app"],
    )
    pkgs, _, _ = run(res)
    assert {n: p.layer for n, p in pkgs.items()} == {"musl": "sha256:base", "curl": "sha256:app", "meta": "sha256:app"}
    assert pkgs["musl"].locations == (Location(path=DB, layer="sha256:app"),)


def test_corrupt_db_names_the_line():
    res = DirectorySource(str(FIXTURES / "corrupt")).resolver()
    pkgs, _, env = run(res)
    assert pkgs == {}
    assert env.warnings == [f"{NAME}: {DB}:41: expected 'X:value', got 'this line was not written by apk'"]
    with pytest.raises(CatalogError, match=re.escape(f"{DB}:41: ")):
        parse_apk_db(res, Environment(), res.location(DB))


@pytest.mark.parametrize("text, line", [("P:a\nV:1\nVersion:2\n", 3), ("P:a\n\n continued\n", 3), ("x\n", 1)])
def test_parse_installed_errors(text, line):
    with pytest.raises(CatalogError, match=re.escape(f"/db:{line}: expected 'X:value'")):
        parse_installed(text, Location(path="/db"))


def test_parse_installed_without_trailing_blank_line():
    got = parse_installed("P:a\nV:1\nF:usr/lib\nR:liba.so\nM:0:0:755\na:0:0:755\nZ:Q1abc=\n\n\nR:stray\n\nP:b\nR:top\n", Location(path="/db"))
    assert got == [
        {"P": "a", "V": "1", "files": ["/usr/lib/liba.so"]},
        {"P": "b", "files": ["/top"]},
    ]


# -- acceptance: syft's expectations (../shared/corpus) -----------------------------------------

ALPINE_EXPECTED = [
    "alpine_base.tsv",
    "alpine_corrupt.tsv",
    "alpine_empty-deps-and-provides.tsv",
    "alpine_multiple-1.tsv",
    "alpine_multiple-2.tsv",
    "alpine_single.tsv",
]


@pytest.mark.corpus
@pytest.mark.parametrize("name", ALPINE_EXPECTED)
def test_syft_expected(name):
    header, rows = read_expected(name)
    fixture = corpus_path("syft", *header["fixture"].split("/"))
    notes = header.get("notes", "")
    rels = ()
    if header["mode"].startswith("directory"):
        result = catalog(DirectorySource(str(fixture)).resolver(), [CATALOGER])
        pkgs, rels = list(result.packages), result.relationships
        if "EXPECT ERROR" in notes:
            assert len(result.warnings) == 1 and re.match(rf"{NAME}: {DB}:\d+: ", result.warnings[0])
    else:
        res = DirectorySource(str(fixture.parent)).resolver()
        pkgs = list(parse_apk_db(res, Environment(), res.location("/" + fixture.name)).packages)
    assert {(p.name, p.version) for p in pkgs} == {(r[0], r[1]) for r in rows}
    purls = {r[0]: r[2] for r in rows if len(r) > 2 and r[2]}
    for p in pkgs:
        if p.name in purls:
            assert p.purl == purls[p.name]
    names = {p.id: p.name for p in pkgs}
    got: dict[str, set[str]] = {}
    for r in rels:
        got.setdefault(names[r.source], set()).add(names[r.target])
    if "Expected deps" in notes:  # "pkg:{dep,dep}; ..."
        want = {k: set(v.split(",")) for k, v in re.findall(r"(\S+):\{([^}]*)\}", notes)}
        assert want and got == want
    elif "relationships (dependency-of)" in notes:  # "dependency->dependent, ..."
        want = {}
        for dep, dependent in re.findall(r"([\w.+-]+)->([\w.+-]+)", notes):
            want.setdefault(dependent, set()).add(dep)
        assert want and got == want
    m = re.search(r"(\S+) license (\S+)", notes)
    if m:
        by_name = {p.name: p for p in pkgs}
        assert [l.value for l in by_name[m.group(1)].licenses] == [m.group(2)]
