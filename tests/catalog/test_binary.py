"""Binary classifiers: runtimes found by file name and byte patterns, the syft snippet corpus, and drop_owned."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from assay.catalog import catalog
from assay.catalog._binary.classifiers import classifiers
from assay.catalog._binary.matchers import Rx
from assay.catalog.binary import (
    ANALYZER,
    CATALOGERS,
    NAME,
    FileFindings,
    Hit,
    analyze_file,
    drop_owned,
    needed_libraries,
)
from assay.catalog.dpkg import CATALOGERS as DPKG_CATALOGERS
from assay.model import Location, Package
from assay.source.directory import DirectorySource, FileSource
from assay.source.tree import FILE, FileResolver, FileTree, Node
from tests._internal.test_binfmt import make_elf
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "binary"
CATALOGER = CATALOGERS[0]
SNIPPETS = ("syft", "syft", "pkg", "cataloger", "binary", "testdata", "classifiers")


def run(root: Path | str) -> list[Package]:
    res = catalog(DirectorySource(str(root)).resolver(analyzers=[ANALYZER]), [CATALOGER])
    assert res.warnings == ()
    return list(res.packages)


def triples(pkgs: list[Package]) -> set[tuple[str, str, str]]:
    return {(p.name, p.version, p.purl) for p in pkgs}


def by_name(pkgs: list[Package]) -> dict[str, Package]:
    out = {p.name: p for p in pkgs}
    assert len(out) == len(pkgs)
    return out


# -- a synthetic root file system --------------------------------------------------------------


@pytest.fixture(scope="module")
def rootfs() -> dict[str, Package]:
    return by_name(run(FIXTURES / "rootfs"))


def test_rootfs_runtimes(rootfs):
    assert {(p.name, p.version, p.purl, p.type) for p in rootfs.values()} == {
        ("python", "3.12.4", "pkg:generic/python@3.12.4", "binary"),
        ("node", "22.3.0", "pkg:generic/node@22.3.0", "binary"),
        ("go", "1.22.5", "pkg:generic/go@1.22.5", "binary"),
        ("openjdk", "21.0.3+9-LTS", "pkg:generic/oracle/openjdk@21.0.3%2B9-LTS", "binary"),
        ("redis", "7.2.4", "pkg:generic/redis@7.2.4", "binary"),
        ("nginx", "1.27.0", "pkg:generic/nginx@1.27.0", "binary"),
        ("postgresql", "16.3", "pkg:generic/postgresql@16.3", "binary"),
        ("openssl", "3.3.1", "pkg:generic/openssl@3.3.1", "binary"),
        ("aws-lc", "1.30.0", "pkg:generic/aws-lc@1.30.0", "binary"),
        ("busybox", "1.36.1", "pkg:generic/busybox@1.36.1", "binary"),
        ("curl", "8.8.0", "pkg:generic/curl@8.8.0", "binary"),
        ("helm", "3.15.2", "pkg:golang/helm.sh/helm@3.15.2", "go-module"),  # a golang purl makes a go-module, as in syft
        ("firefox", "127.0.2", "pkg:generic/firefox@127.0.2", "binary"),
    }
    assert {p.found_by for p in rootfs.values()} == {NAME}


def test_same_runtime_in_two_places_is_one_package_with_both_locations(rootfs):
    assert [loc.path for loc in rootfs["python"].locations] == ["/opt/other/python3.12", "/usr/local/bin/python3.12"]
    assert [m["classifier"] for m in rootfs["python"].metadata["matches"]] == ["python-binary", "python-binary"]
    # the go binary (go-binary comes first) and the toolchain's VERSION file
    assert [loc.path for loc in rootfs["go"].locations] == ["/usr/local/go/bin/go", "/usr/local/go/VERSION"]


def test_cpes_carry_the_version(rootfs):
    assert rootfs["python"].cpes == (
        "cpe:2.3:a:python_software_foundation:python:3.12.4:*:*:*:*:*:*:*",
        "cpe:2.3:a:python:python:3.12.4:*:*:*:*:*:*:*",
    )
    assert rootfs["openjdk"].cpes == ("cpe:2.3:a:oracle:openjdk:21.0.3\\+9-LTS:*:*:*:*:*:*:*",)
    assert rootfs["nginx"].cpes == ("cpe:2.3:a:f5:nginx:1.27.0:*:*:*:*:*:*:*", "cpe:2.3:a:nginx:nginx:1.27.0:*:*:*:*:*:*:*")


def test_metadata_is_syft_binary_signature(rootfs):
    meta = rootfs["node"].metadata
    assert meta["metadataType"] == "binary-signature"
    assert meta["matches"] == [{"classifier": "nodejs-binary", "location": {"path": "/usr/local/bin/node", "accessPath": "/usr/local/bin/node"}}]


def test_aws_lc_is_not_also_openssl(rootfs):
    assert [loc.path for loc in rootfs["aws-lc"].locations] == ["/opt/aws/bin/openssl"]
    assert [loc.path for loc in rootfs["openssl"].locations] == ["/usr/bin/openssl"]


def test_firefox_needs_its_executable_and_its_name(rootfs):
    # Thunderbird's application.ini and one without a firefox beside it give nothing
    assert [loc.path for loc in rootfs["firefox"].locations] == ["/opt/firefox/firefox", "/opt/firefox/application.ini"]


def test_version_files_must_start_with_go(rootfs):
    assert all("not-a-toolchain" not in loc.path for p in rootfs.values() for loc in p.locations)


# -- symlinks, shared libraries ------------------------------------------------------------------


def test_symlink_named_like_a_runtime_is_read_through(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "[").write_bytes(b"\x00BusyBox v1.37.0 (2024-09-26)\x00")
    os.symlink("[", tmp_path / "bin" / "busybox")
    (pkg,) = run(tmp_path)
    assert (pkg.name, pkg.version) == ("busybox", "1.37.0")
    assert pkg.locations == (Location(path="/bin/[", access_path="/bin/busybox"),)


def _dynamic(needed: list[str]) -> tuple[bytes, bytes]:
    strtab = bytearray(b"\x00")
    entries = b""
    for lib in needed:
        entries += struct.pack("<qQ", 1, len(strtab))
        strtab += lib.encode() + b"\x00"
    return entries + struct.pack("<qQ", 0, 0), bytes(strtab)


def elf_needing(*libs: str) -> bytes:
    dyn, strtab = _dynamic(list(libs))
    return make_elf([(".dynstr", 0x1000, strtab, False), (".dynamic", 0x2000, dyn, True)])


def test_needed_libraries():
    assert needed_libraries(elf_needing("libpython3.12.so.1.0", "libc.so.6")) == ("libpython3.12.so.1.0", "libc.so.6")
    assert needed_libraries(b"#!/bin/sh\n") == ()
    assert needed_libraries(b"\x7fELF\x02\x01\x01" + bytes(10)) == ()  # cut short: no libraries, no error


def test_interpreter_linked_to_libpython_takes_the_library_version(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "bin" / "python3.12").write_bytes(elf_needing("libpython3.12.so.1.0", "libc.so.6"))
    os.symlink("python3.12", tmp_path / "bin" / "python3")
    (tmp_path / "lib" / "libpython3.12.so.1.0").write_bytes(b"\x00linux\x003.12.4\x00%.80s (%.80s) %.80s\x00")
    os.symlink("libpython3.12.so.1.0", tmp_path / "lib" / "libpython3.12.so")
    (pkg,) = run(tmp_path)
    assert (pkg.name, pkg.version, pkg.purl) == ("python", "3.12.4", "pkg:generic/python@3.12.4")
    assert [loc.path for loc in pkg.locations] == ["/bin/python3.12", "/lib/libpython3.12.so.1.0"]
    assert [m["classifier"] for m in pkg.metadata["matches"]] == ["python-binary"]  # the library added nothing new


def test_ruby_without_its_own_version_string_takes_libruby(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "lib").mkdir()
    (tmp_path / "bin" / "ruby").write_bytes(elf_needing("libruby.so.3.3", "libc.so.6"))
    (tmp_path / "lib" / "libruby.so.3.3").write_bytes(b"\x00ruby 3.3.4 (2024-07-09 revision be1089c8ec) [x86_64-linux]\x00")
    (pkg,) = run(tmp_path)  # the library alone is no package: only the interpreter names it
    assert (pkg.name, pkg.version, [loc.path for loc in pkg.locations]) == ("ruby", "3.3.4", ["/bin/ruby", "/lib/libruby.so.3.3"])


def test_libpython_version_left_only_in_the_build_directory_name(tmp_path):
    # a linker that merged "3.11.7" into ".../Python-3.11.7" leaves no [NUL]3.11.7[NUL]
    (tmp_path / "libpython3.11.so.1.0").write_bytes(b"\x00/tmp/python-build.2024/Python-3.11.7\x00./Modules/getbuildinfo.c\x00")
    (pkg,) = run(tmp_path)
    assert (pkg.name, pkg.version) == ("python", "3.11.7")


def test_unrelated_files_are_not_read():
    assert not ANALYZER.wants("/usr/share/doc/README", 100, 0o644)
    assert not ANALYZER.wants("/usr/bin/node", 0, 0o755)  # empty
    assert ANALYZER.wants("/usr/bin/node", 100, 0o755)
    assert ANALYZER.wants("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", 100, 0o644)
    assert ANALYZER.wants("/usr/local/go/VERSION", 100, 0o644)
    assert not ANALYZER.wants("/usr/local/go/VERSION", 10 << 20, 0o644)  # a 10 MB "VERSION" is no toolchain's
    assert ANALYZER.wants("/usr/lib/elixir/lib/elixir/ebin/elixir.app", 100, 0o644)
    assert not ANALYZER.wants("/usr/lib/other/ebin/elixir.app", 100, 0o644)


def test_image_sources_analyzed_while_streaming_are_not_read_again():
    """With the analyzer's results already on the tree (as an image source leaves them), no file is opened."""
    tree = FileTree(["sha256:aaa"])
    data = b"\x00node.js/v18.20.3\x00"
    node = Node(FILE, size=len(data), layer=0, ref=data)
    node.notes = {ANALYZER.name: ANALYZER.analyze("/usr/local/bin/node", data)}
    tree.add("/usr/local/bin/node", node)
    tree.analyzed.add(ANALYZER.name)

    def no_reads(n: Node):
        raise AssertionError("file read again")

    res = catalog(FileResolver(tree, no_reads, analyzers=[ANALYZER]), [CATALOGER])
    (pkg,) = res.packages
    assert (pkg.name, pkg.version, pkg.layer) == ("node", "18.20.3", "sha256:aaa")
    assert pkg.locations == (Location(path="/usr/local/bin/node", layer="sha256:aaa"),)


def test_findings_are_small():
    got = analyze_file("/opt/java/bin/java", b"\x00openjdk\x00java\x001.8\x001.8.0_352-b08\x00")
    assert got == FileFindings((Hit("java-binary-openjdk-with-update", "1.8.0_352-b08", (("primary", "1.8.0"), ("release", "1.8"), ("update", "352"))),))


def test_java_update_goes_into_the_cpe(tmp_path):
    (tmp_path / "java").write_bytes(b"\x00openjdk\x00java\x001.8\x001.8.0_352-b08\x00")
    (pkg,) = run(tmp_path)
    assert (pkg.name, pkg.purl) == ("openjdk", "pkg:generic/oracle/openjdk@1.8.0_352-b08")
    assert pkg.cpes == ("cpe:2.3:a:oracle:openjdk:1.8.0:update352:*:*:*:*:*:*",)


# -- the byte pattern machinery --------------------------------------------------------------------


def test_anchored_search_finds_what_a_plain_search_finds():
    pattern = rb"(?<![0-9])(?P<version>\d+\.\d+\.\d+)buildkitsandbox-\d+"
    plain, anchored = Rx(pattern), Rx(pattern, anchors=(b"buildkitsandbox-",))
    filler = bytes(range(256)) * 40
    for data in (
        filler + b"\x007.2.4buildkitsandbox-17090000\x00" + filler + b"\x008.0.0buildkitsandbox-1\x00",
        b"7.2.4buildkitsandbox-1",
        filler + b"buildkitsandbox-" + filler,  # anchor without a match around it
        filler,
    ):
        m1, m2 = plain.search(data), anchored.search(data)
        assert (m1 and m1.span()) == (m2 and m2.span())


def test_last_match_on_the_line_wins_like_a_leading_greedy_dot_star():
    rx = Rx(rb"/percona-xtrabackup-(?P<version>\d+(?:\.\d+)?(?:\.\d+)?)", last_in_line=True)
    data = b"\x00/ws/percona-xtrabackup-8.0-RELEASE/BUILD/percona-xtrabackup-8.0.35-30/x\n/percona-xtrabackup-9.9.9/"
    assert rx.search(data)["version"] == b"8.0.35"
    assert re.search(rb"(?m).*/percona-xtrabackup-(?P<version>\d+(?:\.\d+)?(?:\.\d+)?)", data)["version"] == b"8.0.35"


def test_classifier_ids_are_unique_and_globs_are_named():
    table = classifiers()
    assert len({c.id for c in table}) == len(table)
    assert all(g.startswith("**/") for c in table for g in c.globs)
    assert {c.lib[1] for c in table if c.lib} <= {c.id for c in table}


# -- what a package manager installed is its, not the classifier's ---------------------------------


def _dpkg_root(root: Path) -> None:
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink("usr/bin", root / "bin")  # merged /usr
    (root / "usr" / "bin" / "bash").write_bytes(b"\x00@(#)Bash version 5.2.15(1) release GNU\x00")
    (root / "usr" / "local" / "bin").mkdir(parents=True)
    (root / "usr" / "local" / "bin" / "bash").write_bytes(b"\x00@(#)Bash version 5.3.0(1) release GNU\x00")
    info = root / "var" / "lib" / "dpkg" / "info"
    info.mkdir(parents=True)
    (root / "var" / "lib" / "dpkg" / "status").write_text(
        "Package: bash\nStatus: install ok installed\nPriority: required\nSection: shells\n"
        "Maintainer: Matthias Klose <doko@debian.org>\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n"
        "Description: GNU Bourne Again SHell\n"
    )
    (info / "bash.list").write_text("/.\n/bin\n/bin/bash\n/usr\n/usr/share/doc/bash/copyright\n")


def test_dpkg_owned_binary_is_dropped(tmp_path):
    _dpkg_root(tmp_path)
    resolver = DirectorySource(str(tmp_path)).resolver(analyzers=[ANALYZER])
    from assay.catalog import Environment

    env = Environment()
    raw = [p for c in (*DPKG_CATALOGERS, CATALOGER) for p in c.catalog(resolver, env).packages]
    assert sorted((p.name, p.version, p.type) for p in raw) == [
        ("bash", "5.2.15", "binary"),
        ("bash", "5.2.15-2+b2", "deb"),
        ("bash", "5.3.0", "binary"),
    ]
    kept = drop_owned(raw, resolver)
    # dpkg lists /bin/bash, which is /usr/bin/bash through the /bin symlink; /usr/local/bin/bash is nobody's
    assert sorted((p.name, p.version, p.type) for p in kept) == [("bash", "5.2.15-2+b2", "deb"), ("bash", "5.3.0", "binary")]
    # without the resolver only the literal path is compared
    assert len(drop_owned(raw)) == 3
    # catalog() applies the rule itself
    res = catalog(resolver, [*DPKG_CATALOGERS, CATALOGER])
    assert sorted((p.name, p.version, p.type) for p in res.packages) == sorted((p.name, p.version, p.type) for p in kept)


def _pkg(name: str, version: str, ptype: str, path: str, **kw) -> Package:
    return Package(name=name, version=version, type=ptype, locations=(Location(path=path),), **kw)


def test_drop_owned_compares_access_paths_and_keeps_other_types():
    rpm = _pkg("python3", "3.9.18-1.el9", "rpm", "/var/lib/rpm/rpmdb.sqlite", files=("/usr/bin/python3.9",))
    via_link = Package(name="python", version="3.9.18", type="binary", found_by=NAME, locations=(Location(path="/usr/libexec/py", access_path="/usr/bin/python3.9"),))
    helm = _pkg("helm", "3.15.2", "go-module", "/usr/bin/python3.9", found_by=NAME)  # not a binary-type package
    assert drop_owned([rpm, via_link, helm]) == (rpm, helm)


def test_java_launchers_inside_a_reported_jvm_are_dropped():
    jvm = _pkg("openjdk", "21.0.3+9", "binary", "/opt/java/openjdk/release", found_by="java-jvm-cataloger", metadata={"installDir": "/opt/java/openjdk"})
    java = _pkg("openjdk", "21.0.3+9-LTS", "binary", "/opt/java/openjdk/bin/java", found_by=NAME, metadata={"matches": [{"classifier": "java-binary"}]})
    other = _pkg("openjdk", "17.0.1", "binary", "/opt/java/openjdk17/bin/java", found_by=NAME, metadata={"matches": [{"classifier": "java-binary"}]})
    node = _pkg("node", "22.3.0", "binary", "/opt/java/openjdk/bin/node", found_by=NAME, metadata={"matches": [{"classifier": "nodejs-binary"}]})
    assert drop_owned([jvm, java, other, node]) == (jvm, other, node)


# -- real executables on this machine -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name", "flag", "pattern"),
    [
        ("/usr/bin/python3.11", "python", "--version", r"Python (\S+)"),
        ("/usr/bin/node", "node", "--version", r"v(\S+)"),
    ],
)
def test_real_executable_matches_its_own_version_output(path, name, flag, pattern):
    if not os.access(path, os.X_OK):
        pytest.skip(f"{path} not installed")
    out = subprocess.run([path, flag], check=False, capture_output=True, text=True, timeout=60)
    expected = re.search(pattern, out.stdout + out.stderr).group(1)
    res = catalog(FileSource(path).resolver(analyzers=[ANALYZER]), [CATALOGER])
    assert [(p.name, p.version) for p in res.packages] == [(name, expected)]


# -- the syft corpus ---------------------------------------------------------------------------------


def _expected() -> dict[str, set[tuple[str, str, str]]]:
    try:
        _, rows = read_expected("binary_classifier_snippets.tsv")
    except pytest.skip.Exception:
        return {}
    out: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for fixture, name, version, purl in rows:
        out[fixture].add((name, version, purl))
    return dict(out)


EXPECTED = _expected()


def materialize(src: Path, dst: Path) -> None:
    """Copy a snippet directory, turning back into symlinks the files that stand for one.

    git stores a symlink as a blob holding its target; the corpus copy kept those
    blobs as small files (``busybox`` holding ``./[``).  One is recognised as a
    short single-line file naming an existing file beside it.
    """
    shutil.copytree(src, dst)
    for root, dirs, files in os.walk(dst):
        os.chmod(root, 0o755)
        for f in files:
            p = Path(root) / f
            os.chmod(p, 0o644)
            data = p.read_bytes()
            if not data or len(data) > 200 or b"\n" in data or b"\x00" in data:
                continue
            target = data.decode("latin-1")
            if (Path(root) / target).is_file():
                p.unlink()
                os.symlink(target, p)


@pytest.mark.skipif(not EXPECTED, reason="corpus not available")
@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_syft_snippets(fixture, tmp_path):
    src = corpus_path(*SNIPPETS, "snippets", *fixture.split("/"))
    materialize(src, tmp_path / "root")
    assert triples(run(tmp_path / "root")) == EXPECTED[fixture]


@pytest.mark.parametrize("name", ["busybox", "firefox", "go", "gzip", "libpython2.7.so", "python2.6", "traefik"])
def test_syft_negative_snippets(name, tmp_path):
    src = corpus_path(*SNIPPETS, "negative", name)
    root = tmp_path / "root"
    if src.is_dir():
        materialize(src, root)
    else:
        root.mkdir()
        shutil.copyfile(src, root / name)
    assert run(root) == []
