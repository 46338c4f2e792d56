"""Distro identification: syft's corpus cases, project fixtures, and the pure parsers."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from assay.catalog import distro as distro_mod
from assay.catalog.distro import (
    GLOBS,
    busybox_version,
    identify,
    parse_alpine_release,
    parse_debian_version,
    parse_fedora_release,
    parse_os_release,
    parse_redhat_release,
    parse_system_release_cpe,
)
from assay.model import Distro
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, SYMLINK, FileResolver, FileTree, Node, bytes_opener
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "distro"
EXPECTED = "linux_os-release.tsv"


def _identify_dir(path: Path) -> Distro | None:
    return identify(DirectorySource(str(path)).resolver())


def _tree(files: dict[str, bytes | str], links: dict[str, str] | None = None) -> FileResolver:
    """An in-memory tree: ``files`` path -> content, ``links`` path -> symlink target."""
    tree = FileTree()
    for path, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        tree.add(path, Node(FILE, size=len(data), ref=data))
    for path, target in (links or {}).items():
        tree.add(path, Node(SYMLINK, link=target))
    return FileResolver(tree, bytes_opener)


# -- acceptance: syft's TestIdentifyRelease / TestParse* -------------------------------


def _corpus_rows() -> list:
    try:
        _, rows = read_expected(EXPECTED)
    except pytest.skip.Exception:
        return [pytest.param(None, None, None, marks=pytest.mark.skip(reason="corpus not available"), id="corpus-absent")]
    return [pytest.param(*row[:3], id=row[0]) for row in rows]


@pytest.mark.corpus
@pytest.mark.parametrize(("fixture", "want_id", "want_version"), _corpus_rows())
def test_syft_linux_release_corpus(fixture: str, want_id: str, want_version: str) -> None:
    path = corpus_path("syft", "syft", "linux", *fixture.split("/"))
    if path.is_dir():
        got = _identify_dir(path)
    else:
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.name.endswith("system-release-cpe"):
            got = parse_system_release_cpe(text)
        elif path.name.endswith("redhat-release"):
            got = parse_redhat_release(text)
        else:
            got = parse_os_release(text)

    if want_id == "<nil>":
        assert got is None
        return
    assert got is not None
    if want_id.startswith("(empty; ID_LIKE="):
        assert got.id == ""
        assert want_id[len("(empty; ID_LIKE=") : -1] in got.id_like
    else:
        assert got.id == want_id
    assert got.version_id == want_version


# -- project fixtures ------------------------------------------------------------------


def test_debian12_through_symlinked_os_release_with_point_release() -> None:
    got = _identify_dir(FIXTURES / "debian12")
    assert got == Distro(
        id="debian",
        version_id="12.5",  # /etc/debian_version refines os-release's "12"
        version="12 (bookworm)",
        version_codename="bookworm",
        name="Debian GNU/Linux",
        pretty_name="Debian GNU/Linux 12 (bookworm)",
        home_url="https://www.debian.org/",
    )
    assert got.purl_distro == "debian-12.5"


def test_alpine_wins_over_its_busybox() -> None:
    got = _identify_dir(FIXTURES / "alpine")
    assert got is not None
    assert (got.id, got.version_id, got.pretty_name) == ("alpine", "3.19.1", "Alpine Linux v3.19")


def test_rhel_from_redhat_release() -> None:
    got = _identify_dir(FIXTURES / "rhel")
    assert got == Distro(
        id="rhel",
        id_like=("rhel",),
        name="Red Hat Enterprise Linux",
        pretty_name="Red Hat Enterprise Linux release 8.10 (Ootpa)",
        version="8.10 (Ootpa)",
        version_id="8.10",
    )


def test_busybox_version_from_binary_bytes() -> None:
    got = _identify_dir(FIXTURES / "busybox")
    assert got == Distro(
        id="busybox", id_like=("busybox",), name="busybox", pretty_name="BusyBox v1.36.1", version="1.36.1", version_id="1.36.1"
    )


def test_empty_rootfs_is_none() -> None:
    assert _identify_dir(FIXTURES / "empty") is None


def test_os_release_symlink_loop_falls_back_to_usr_lib() -> None:
    assert os.path.islink(FIXTURES / "loop" / "etc" / "os-release")
    got = _identify_dir(FIXTURES / "loop")
    assert got is not None
    assert (got.id, got.version_id) == ("fedora", "40")


def test_symlink_loop_without_fallback_is_none(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    os.symlink("b", tmp_path / "etc" / "os-release")
    os.symlink("os-release", tmp_path / "etc" / "b")
    assert _identify_dir(tmp_path) is None


def test_link_leaving_the_root_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    os.symlink("../../../../../../etc/os-release", tmp_path / "etc" / "os-release")
    (tmp_path / "etc" / "redhat-release").write_text("CentOS Linux release 7.9.2009 (Core)\n")
    got = _identify_dir(tmp_path)
    assert got is not None
    assert (got.id, got.version, got.version_id) == ("centos", "7.9", "7.9")


# -- identify(): order and precedence --------------------------------------------------


def test_etc_os_release_takes_precedence_over_usr_lib() -> None:
    r = _tree({"/etc/os-release": "ID=ubuntu\nVERSION_ID=22.04\n", "/usr/lib/os-release": "ID=debian\nVERSION_ID=12\n"})
    got = identify(r)
    assert got is not None and (got.id, got.version_id) == ("ubuntu", "22.04")


def test_empty_etc_os_release_falls_through_to_usr_lib() -> None:
    r = _tree({"/etc/os-release": "\n# nothing here\n", "/usr/lib/os-release": "ID=debian\nVERSION_ID=12\n"})
    got = identify(r)
    assert got is not None and got.id == "debian"


def test_os_release_beats_redhat_release_and_busybox() -> None:
    r = _tree(
        {
            "/etc/os-release": 'ID="ol"\nVERSION_ID="8.3"\n',
            "/etc/redhat-release": "Red Hat Enterprise Linux release 8.3 (Ootpa)\n",
            "/bin/busybox": b"BusyBox v1.31.1\x00",
        }
    )
    got = identify(r)
    assert got is not None and got.id == "ol"


def test_system_release_cpe_beats_redhat_release() -> None:
    r = _tree({"/etc/system-release-cpe": "cpe:/o:centos:linux:6:GA\n", "/etc/redhat-release": "CentOS release 6.10 (Final)\n"})
    got = identify(r)
    assert got is not None and (got.version_id, got.cpe_name) == ("6", "cpe:/o:centos:linux:6:GA")


def test_debian_version_when_os_release_has_none() -> None:
    r = _tree({"/etc/os-release": 'PRETTY_NAME="Distroless"\nID="debian"\n', "/etc/debian_version": "10.8\n"})
    got = identify(r)
    assert got is not None
    assert (got.version_id, got.version, got.purl_distro) == ("10.8", "10.8", "debian-10.8")


def test_non_numeric_debian_version_is_ignored() -> None:
    r = _tree({"/etc/os-release": "ID=debian\nVERSION_ID=13\n", "/etc/debian_version": "trixie/sid\n"})
    got = identify(r)
    assert got is not None and got.version_id == "13"


def test_debian_version_only_refines_debian() -> None:
    r = _tree({"/etc/os-release": "ID=ubuntu\nVERSION_ID=22.04\n", "/etc/debian_version": "12.5\n"})
    got = identify(r)
    assert got is not None and got.version_id == "22.04"


def test_debian_version_loop_keeps_os_release_version() -> None:
    r = _tree({"/etc/os-release": "ID=debian\nVERSION_ID=12\n"}, links={"/etc/debian_version": "/etc/debian_version"})
    got = identify(r)
    assert got is not None and got.version_id == "12"


def test_oversized_release_file_is_skipped() -> None:
    big = "ID=bogus\n" + "#" * (distro_mod.TEXT_READ_LIMIT + 1)
    r = _tree({"/etc/os-release": big, "/usr/lib/os-release": "ID=debian\nVERSION_ID=12\n"})
    got = identify(r)
    assert got is not None and got.id == "debian"


def test_fallback_release_files_before_busybox() -> None:
    assert identify(_tree({"/etc/alpine-release": "3.18.4\n", "/bin/busybox": b"BusyBox v1.36.1\x00"})) == Distro(
        id="alpine", name="Alpine Linux", version_id="3.18.4"
    )
    fedora = identify(_tree({"/etc/redhat-release": "Fedora release 39 (Thirty Nine)\n", "/etc/fedora-release": "Fedora release 39 (Thirty Nine)\n"}))
    assert fedora is not None and (fedora.id, fedora.version_id) == ("fedora", "39")


def test_directory_where_a_file_should_be_is_skipped() -> None:
    tree = FileTree()
    tree.add("/etc/os-release/x", Node(FILE, size=0, ref=b""))
    tree.add("/etc/redhat-release", Node(FILE, size=26, ref=b"CentOS release 5.7 (Final)"))
    got = identify(FileResolver(tree, bytes_opener))
    assert got is not None and (got.id, got.version_id) == ("centos", "5.7")


def test_globs_cover_every_path_identify_reads() -> None:
    asked: list[str] = []

    class Recording(FileResolver):
        def location(self, path: str):  # type: ignore[no-untyped-def]
            asked.append(path)
            return super().location(path)

    r = _tree({"/etc/os-release": "ID=debian\n"})
    identify(Recording(r.tree, bytes_opener))  # debian: also asks for debian_version
    identify(Recording(FileTree(), bytes_opener))  # nothing: tries every file down to busybox
    assert set(asked) == set(GLOBS)
    assert GLOBS[:2] == ("/etc/os-release", "/usr/lib/os-release") and GLOBS[-1] == "/bin/busybox"


# -- parse_os_release ------------------------------------------------------------------


def test_os_release_quoting_comments_and_escapes() -> None:
    text = "\n".join(
        [
            "# a comment",
            "",
            "not a key value line",
            'NAME="My \\"Quoted\\" OS"',
            "ID='single'",
            "ID_LIKE=\"rhel  fedora\"",
            "  VERSION_ID = 1.2 ",
            'PRETTY_NAME="costs \\$5 \\\\ more"',
            "BUILD_ID=rolling",
            "VARIANT_ID=container",
            "CPE_NAME=cpe:/o:x:y:1",
            "HOME_URL=https://example.org/",
            "VERSION_CODENAME=first",
            "VERSION_CODENAME=second",
        ]
    )
    got = parse_os_release(text)
    assert got == Distro(
        id="single",
        id_like=("rhel", "fedora"),
        name='My "Quoted" OS',
        pretty_name="costs $5 \\ more",
        version_id="1.2",
        build_id="rolling",
        variant_id="container",
        cpe_name="cpe:/o:x:y:1",
        home_url="https://example.org/",
        version_codename="second",
    )


def test_os_release_crlf_and_unprintable_characters() -> None:
    got = parse_os_release('ID=debian\r\nVERSION_ID="8"\r\nNAME="Deb\x00ian\x1b"\r\n')
    assert got is not None
    assert (got.id, got.version_id, got.name) == ("debian", "8", "Debian")


@pytest.mark.parametrize("text", ["", "\n\n", "# only comments\n", "garbage without equals\n", "ANSI_COLOR=0;31\n", "\x00\x01\x02\xff"])
def test_os_release_without_known_keys_is_none(text: str) -> None:
    assert parse_os_release(text) is None


def test_os_release_partial_fields() -> None:
    assert parse_os_release('NAME="Debian GNU/Linux"\nID_LIKE=debian\n') == Distro(name="Debian GNU/Linux", id_like=("debian",))
    only_like = parse_os_release("ID_LIKE=debian\n")
    assert only_like is not None and only_like.id == "" and only_like.purl_distro == ""


# -- legacy parsers --------------------------------------------------------------------


def test_system_release_cpe() -> None:
    assert parse_system_release_cpe("cpe:/o:CentOS:linux:6:GA\n") == Distro(
        id="centos", id_like=("centos",), name="centos", pretty_name="CentOS", version="6", version_id="6", cpe_name="cpe:/o:CentOS:linux:6:GA"
    )
    assert parse_system_release_cpe("cpe:/o:centos:6:GA") is None
    assert parse_system_release_cpe("") is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Rocky Linux release 8.10 (Green Obsidian)\n", ("rocky", ("rhel",), "8.10", "8.10 (Green Obsidian)")),
        ("AlmaLinux release 9.4 (Seafoam Ocelot)", ("almalinux", ("rhel",), "9.4", "9.4 (Seafoam Ocelot)")),
        ("Scientific Linux release 7.9 (Nitrogen)", ("scientific", ("rhel",), "7.9", "7.9 (Nitrogen)")),
        ("CentOS Linux release 7.9.2009 (Core)", ("centos", ("centos",), "7.9", "7.9")),
        ("Red Hat Enterprise Linux Server release 7.3 (Maipo)", ("rhel", ("rhel",), "7.3", "7.3 (Maipo)")),
        ("Red Hat Enterprise Linux release 10.0 (Coughlan)", ("rhel", ("rhel",), "10.0", "10.0 (Coughlan)")),
        ("Oracle Linux Server release 7.9", ("oracle linux server", ("oracle linux server",), "7.9", "7.9")),
    ],
)
def test_redhat_release(text: str, want: tuple) -> None:
    got = parse_redhat_release(text)
    assert got is not None
    assert (got.id, got.id_like, got.version_id, got.version) == want


@pytest.mark.parametrize("text", ["CentOS release 5 (Final)", "", "release 8.1", "no release here", "Fedora release 39 (Thirty Nine)"])
def test_redhat_release_without_minor_version_is_none(text: str) -> None:
    assert parse_redhat_release(text) is None


def test_fedora_and_alpine_release() -> None:
    assert parse_fedora_release("Fedora release 36 (Thirty Six)\n") == Distro(
        id="fedora", name="Fedora", pretty_name="Fedora release 36 (Thirty Six)", version="36 (Thirty Six)", version_id="36"
    )
    assert parse_fedora_release("CentOS release 6.10 (Final)") is None
    assert parse_alpine_release("3.20.0_alpha20240315\n") is not None
    assert parse_alpine_release("edge\n") is None
    assert parse_debian_version(" 11.9 \n") == "11.9"
    assert parse_debian_version("bookworm/sid\n") == ""
    assert parse_debian_version("12.5.1") == ""


# -- busybox ---------------------------------------------------------------------------


def test_busybox_version_across_chunk_boundaries() -> None:
    blob = b"\x00" * 100 + b"BusyBox v1.36.1 (2023)" + b"\x00" * 50
    for chunk in (1, 3, 7, 64, 105, 110, 1 << 20):
        assert busybox_version(io.BytesIO(blob), chunk_size=chunk) == "1.36.1", chunk


def test_busybox_version_at_end_of_file_and_first_match_wins() -> None:
    assert busybox_version(io.BytesIO(b"xxBusyBox v1.2.3"), chunk_size=4) == "1.2.3"
    assert busybox_version(io.BytesIO(b"BusyBox v1.0 ... BusyBox v9.9 "), chunk_size=5) == "1.0"
    assert busybox_version(io.BytesIO(b"BusyBox vX and busybox v1.0")) == ""


def test_busybox_scan_is_capped() -> None:
    blob = b"\x00" * 4096 + b"BusyBox v1.36.1\x00"

    class Counting(io.BytesIO):
        total = 0

        def read(self, n: int = -1) -> bytes:  # type: ignore[override]
            assert n != -1, "busybox must be read in bounded chunks"
            data = super().read(n)
            Counting.total += len(data)
            return data

    stream = Counting(blob)
    assert busybox_version(stream, limit=4000, chunk_size=512) == ""
    assert Counting.total == 4000
    assert busybox_version(io.BytesIO(blob), limit=len(blob), chunk_size=512) == "1.36.1"


def test_busybox_without_marker_is_none() -> None:
    assert identify(_tree({"/bin/busybox": b"\x7fELF" + b"\x00" * 1000})) is None
