"""Rust crates: Cargo.lock v1-v4 with dependency edges, cargo-auditable ``.dep-v0`` sections, and the syft corpus."""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from assay._internal.binfmt import BinaryError
from assay.catalog import Environment, catalog
from assay.catalog.rust import (
    ANALYZER,
    AUDIT_NAME,
    CATALOGERS,
    LOCK_NAME,
    AuditCrate,
    Unreadable,
    analyze_binary,
    audit_packages,
    parse_cargo_lock,
    read_audit_data,
)
from assay.model import Location, Package, RelType
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, FileResolver, FileTree, Node, bytes_opener
from tests._internal.test_binfmt import PE_DATA, PE_TEXT, make_elf, make_macho, make_pe
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "rust"
LOCK_CATALOGER, AUDIT_CATALOGER = CATALOGERS
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"


def lock(root: Path) -> tuple[list[Package], set[tuple[str, str]], list[str]]:
    """Packages, edges as ("name version", "name version") and warnings of the Cargo.lock cataloger over ``root``."""
    res = catalog(DirectorySource(str(root)).resolver(), [LOCK_CATALOGER])
    label = {p.id: f"{p.name} {p.version}" + (" (git)" if p.metadata.get("source", "").startswith("git+") else "") for p in res.packages}
    assert all(r.type == RelType.DEPENDS_ON for r in res.relationships)
    return list(res.packages), {(label[r.source], label[r.target]) for r in res.relationships}, list(res.warnings)


# -- Cargo.lock ------------------------------------------------------------------------------


def test_v1_lockfile_root_table_full_references_and_metadata_checksums():
    pkgs, edges, warnings = lock(FIXTURES / "v1")
    assert warnings == []
    assert sorted((p.name, p.version) for p in pkgs) == [
        ("ansi_term", "0.11.0"),
        ("demo", "0.1.0"),
        ("rand", "0.4.6"),
        ("rand", "0.6.5"),
        ("rand_core", "0.4.0"),
        ("winapi", "0.3.5"),
    ]
    assert edges == {
        ("demo 0.1.0", "ansi_term 0.11.0"),
        ("demo 0.1.0", "rand 0.4.6"),
        ("demo 0.1.0", "rand 0.6.5"),
        ("ansi_term 0.11.0", "winapi 0.3.5"),
        ("rand 0.4.6", "winapi 0.3.5"),
        ("rand 0.6.5", "rand_core 0.4.0 (git)"),
        ("rand 0.6.5", "winapi 0.3.5"),
    }
    by = {(p.name, p.version): p for p in pkgs}
    assert by[("ansi_term", "0.11.0")].digests == (("sha256", "ee49baf6cb617b853aa8d93bf420db2383fab46d314482ca2803b40d5fde979b"),)
    assert by[("winapi", "0.3.5")].digests == () and "checksum" not in by[("winapi", "0.3.5")].metadata  # "<none>"
    assert by[("rand_core", "0.4.0")].purl == "pkg:cargo/rand_core@0.4.0"


def test_v4_lockfile_git_and_registry_versions_path_crates_and_edges():
    pkgs, edges, warnings = lock(FIXTURES / "v4")
    assert warnings == []
    assert sorted((p.name, p.version) for p in pkgs) == [
        ("app", "0.1.0"),
        ("bytes", "1.6.0"),
        ("serde", "1.0.203"),
        ("tokio", "1.38.0"),
        ("tokio", "1.40.0"),
        ("util", "0.2.0"),
    ]  # [[patch.unused]] is not a package
    assert edges == {
        ("app 0.1.0", "serde 1.0.203"),
        ("app 0.1.0", "tokio 1.38.0"),
        ("app 0.1.0", "tokio 1.40.0 (git)"),
        ("app 0.1.0", "util 0.2.0"),
        ("tokio 1.38.0", "bytes 1.6.0"),
        ("tokio 1.40.0 (git)", "bytes 1.6.0"),  # "missing-crate" names nothing: no edge, no error
        ("util 0.2.0", "serde 1.0.203"),
    }
    by = {(p.name, p.version): p for p in pkgs}
    serde = by[("serde", "1.0.203")]
    assert serde.type == "rust-crate" and serde.language == "rust" and serde.found_by == LOCK_NAME
    assert serde.purl == "pkg:cargo/serde@1.0.203" and serde.metadata["source"] == "sparse+https://index.crates.io/"
    assert serde.locations == (Location(path="/Cargo.lock"),)
    assert by[("app", "0.1.0")].metadata["dependencies"][2] == "tokio 1.40.0 (git+https://github.com/tokio-rs/tokio?branch=master)"


def test_same_version_from_two_sources_stays_two_packages():
    text = (
        'version = 3\n[[package]]\nname = "regex"\nversion = "1.0.0"\nsource = "' + CRATES_IO + '"\n'
        '[[package]]\nname = "regex"\nversion = "1.0.0"\nsource = "git+https://example.com/regex.git#abc"\n'
    )
    tree = FileTree()
    tree.add("/Cargo.lock", Node(FILE, size=len(text), ref=text.encode()))
    got = parse_cargo_lock(FileResolver(tree, bytes_opener), Environment(), Location(path="/Cargo.lock"))
    assert len({p.id for p in got.packages}) == 2


def test_broken_lockfiles_are_warnings_naming_the_file():
    _, _, warnings = lock(FIXTURES / "broken")
    assert len(warnings) == 1 and warnings[0].startswith(f"{LOCK_NAME}: /Cargo.lock:3: invalid TOML")
    tree = FileTree()
    for path, text in {"/a/Cargo.lock": '[[package]]\nname = "x"\n', "/b/Cargo.lock": "package = 3\n"}.items():
        tree.add(path, Node(FILE, size=len(text), ref=text.encode()))
    res = catalog(FileResolver(tree, bytes_opener), [LOCK_CATALOGER])
    assert sorted(res.warnings) == [
        f"{LOCK_NAME}: /a/Cargo.lock: [[package]] number 1 has no name or version",
        f"{LOCK_NAME}: /b/Cargo.lock: 'package' is not an array of tables",
    ]


# -- syft corpus -------------------------------------------------------------------------------

RUST_EXPECTED = ["rust_Cargo.lock-with-git-deps.tsv", "rust_Cargo.lock.tsv"]


def _corpus_lock(name: str):  # type: ignore[no-untyped-def]
    header, rows = read_expected(name)
    fixture = corpus_path("syft", *header["fixture"].split("/"))
    resolver = DirectorySource(str(fixture.parent)).resolver()
    return rows, parse_cargo_lock(resolver, Environment(), resolver.location("/" + fixture.name))


@pytest.mark.corpus
@pytest.mark.parametrize("name", RUST_EXPECTED)
def test_syft_corpus(name):
    rows, got = _corpus_lock(name)
    assert {(p.name, p.version) for p in got.packages} == {(r[0], r[1]) for r in rows}
    purls = {(p.name, p.version): p.purl for p in got.packages}
    for r in rows:
        assert purls[(r[0], r[1])] == (r[2] if len(r) > 2 and r[2] else f"pkg:cargo/{r[0]}@{r[1]}")


@pytest.mark.corpus
def test_syft_corpus_git_dependency_edges():
    # syft's TestCargoLockWithGitDependencies lists 21 edges; regex from crates.io and from git stay apart.
    _, got = _corpus_lock("rust_Cargo.lock-with-git-deps.tsv")
    label = {p.id: p.name + ("@git" if p.metadata.get("source", "").startswith("git+") else "") for p in got.packages}
    edges = {(label[r.source], label[r.target]) for r in got.relationships}
    assert len(got.relationships) == 21 == len(edges)
    assert {e for e in edges if e[0] == "hello_world"} == {("hello_world", "nom-regex"), ("hello_world", "regex@git")}
    assert {e for e in edges if e[0] == "regex@git"} == {
        ("regex@git", "aho-corasick"),
        ("regex@git", "memchr"),
        ("regex@git", "regex-automata@git"),
        ("regex@git", "regex-syntax@git"),
    }
    assert ("nom-regex", "regex") in edges and ("regex-automata", "regex-syntax") in edges


def test_corpus_expected_files_are_all_listed():
    expected = corpus_path("syft", "expected")
    assert sorted(p.name for p in expected.glob("rust_*.tsv")) == sorted(RUST_EXPECTED)


# -- cargo-auditable -----------------------------------------------------------------------------

AUDIT_JSON = {
    "packages": [
        {"name": "hello", "version": "0.1.0", "source": "local", "dependencies": [1, 2, 4], "root": True},
        {"name": "serde", "version": "1.0.203", "source": "crates.io", "dependencies": [2, 3]},
        {"name": "serde_derive", "version": "1.0.203", "source": "crates.io", "kind": "build"},
        {"name": "itoa", "version": "1.0.11", "source": "crates.io"},
        {"name": "cc", "version": "1.0.99", "source": "crates.io", "kind": "build", "dependencies": []},
    ]
}


def dep_v0(doc: object = AUDIT_JSON) -> bytes:
    return zlib.compress(json.dumps(doc).encode(), 9)


def test_read_audit_data():
    crates = read_audit_data(dep_v0())
    assert crates[0] == AuditCrate("hello", "0.1.0", "local", "runtime", (1, 2, 4), True)
    assert crates[2].kind == "build" and crates[3].dependencies == ()


@pytest.mark.parametrize(
    "blob,match",
    [
        (b"not zlib at all", "not zlib"),
        (zlib.compress(b"{not json"), "not JSON"),
        (zlib.compress(b'{"crates": []}'), "'packages' list"),
        (zlib.compress(b'{"packages": [{"name": "x"}]}'), "no name or version"),
        (zlib.compress(b'{"packages": [{"name": "x", "version": "1", "dependencies": [7]}]}'), "bad dependency indexes"),
        (zlib.compress(b" " * (9 << 20)), "8 MiB"),
    ],
)
def test_bad_audit_data(blob, match):
    with pytest.raises(BinaryError, match=match):
        read_audit_data(blob)


def test_audit_packages_runtime_only_with_edges():
    loc = Location(path="/usr/bin/hello", layer="sha256:" + "ef" * 32)
    pkgs, rels = audit_packages(read_audit_data(dep_v0()), loc)
    by = {p.name: p for p in pkgs}
    assert set(by) == {"hello", "serde", "itoa"}  # build dependencies are not in the binary
    assert {(by_id.name, t.name) for r in rels for by_id in pkgs for t in pkgs if by_id.id == r.source and t.id == r.target} == {
        ("hello", "serde"),
        ("serde", "itoa"),
    }
    hello = by["hello"]
    assert hello.purl == "pkg:cargo/hello@0.1.0" and hello.found_by == AUDIT_NAME and hello.metadata["root"] is True
    assert all(p.layer == loc.layer and p.locations == (loc,) and p.type == "rust-crate" for p in pkgs)


@pytest.mark.parametrize("fmt", ["elf", "elf32be", "pe", "macho"])
def test_dep_v0_section_in_every_format(fmt):
    blob = dep_v0()
    data = {
        "elf": lambda: make_elf([(".text", 0x401000, b"\x90" * 16, False), (".dep-v0", 0, blob, False)]),
        "elf32be": lambda: make_elf([(".dep-v0", 0, blob, False)], bits=32, big=True, machine=8),
        "pe": lambda: make_pe([(".text", 0x1000, b"\xc3", PE_TEXT), (".dep-v0", 0x2000, blob, PE_DATA)]),
        "macho": lambda: make_macho([("__DATA", 0x100004000, [(".dep-v0", blob)])]),
    }[fmt]()
    got = analyze_binary("/bin/hello", data)
    assert isinstance(got, tuple) and [c.name for c in got] == ["hello", "serde", "serde_derive", "itoa", "cc"]


def test_analyzer_ignores_other_files_and_flags_bad_sections():
    assert analyze_binary("/x", b"plain text" * 100) is None
    assert analyze_binary("/x", make_elf([(".text", 0x401000, b"\x90" * 16, False)])) is None
    bad = analyze_binary("/x", make_elf([(".dep-v0", 0, b"garbage", False)]))
    assert isinstance(bad, Unreadable) and "not zlib" in bad.reason


def _resolver(files: dict[str, bytes]) -> FileResolver:
    tree = FileTree(["sha256:" + "12" * 32])
    for path, data in files.items():
        tree.add(path, Node(FILE, size=len(data), mode=0o755, layer=0, ref=data))
    return FileResolver(tree, bytes_opener, analyzers=[ANALYZER])


def test_audit_cataloger_over_a_resolver():
    files = {
        "/usr/bin/hello": make_elf([(".text", 0x401000, b"\x90" * 1024, False), (".dep-v0", 0, dep_v0(), False)]),
        "/usr/bin/broken": make_elf([(".text", 0x401000, b"\x90" * 1024, False), (".dep-v0", 0, b"\x78\x9c garbage", False)]),
        "/usr/bin/plain": make_elf([(".text", 0x401000, b"\x90" * 1024, False)]),
    }
    res = catalog(_resolver(files), [AUDIT_CATALOGER])
    assert {(p.name, p.locations[0].path) for p in res.packages} == {
        ("hello", "/usr/bin/hello"),
        ("serde", "/usr/bin/hello"),
        ("itoa", "/usr/bin/hello"),
    }
    assert len(res.relationships) == 2
    assert len(res.warnings) == 1 and res.warnings[0].startswith(f"{AUDIT_NAME}: /usr/bin/broken: cargo-auditable data is not zlib")


def test_real_elf_with_section_added_by_objcopy(tmp_path):
    objcopy = shutil.which("objcopy")
    src = next((Path(p) for p in ("/bin/true", "/usr/bin/true") if Path(p).is_file()), None)
    if objcopy is None or src is None:
        pytest.skip("objcopy or /bin/true not available")
    (tmp_path / "audit.bin").write_bytes(dep_v0())
    out = tmp_path / "root" / "usr" / "bin" / "hello"
    out.parent.mkdir(parents=True)
    subprocess.run(
        [objcopy, "--add-section", f".dep-v0={tmp_path / 'audit.bin'}", "--set-section-flags", ".dep-v0=noload,readonly", str(src), str(out)],
        check=True,
        capture_output=True,
    )
    res = catalog(DirectorySource(str(tmp_path / "root")).resolver(analyzers=[ANALYZER]), [AUDIT_CATALOGER])
    assert res.warnings == ()
    assert sorted((p.name, p.version) for p in res.packages) == [("hello", "0.1.0"), ("itoa", "1.0.11"), ("serde", "1.0.203")]
    assert len(res.relationships) == 2
