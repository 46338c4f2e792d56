"""The rpm cataloger: packages, purls, licenses, files and dependencies from rpmdbs and the Mariner manifest."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from assay.catalog import Environment, catalog, rpm
from assay.catalog._rpmdb import read_packages
from assay.errors import CatalogError
from assay.model import Distro, RelType
from assay.source.directory import DirectorySource

from ..conftest import corpus_path, read_expected
from .test_rpmdb import build_bdb, build_ndb, package_header

FIXTURE_ROOT = Path(__file__).parent / "fixtures" / "rpm" / "sqlite-root"
CATALOGER = rpm.CATALOGERS[0]


def _run(root: Path | str, distro: Distro | None = None):  # type: ignore[no-untyped-def]
    env = Environment(distro=distro)
    got = CATALOGER.catalog(DirectorySource(str(root)).resolver(), env)
    return got, env


def _by_name(parsed):  # type: ignore[no-untyped-def]
    return {p.name: p for p in parsed.packages}


def _edges(parsed) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    names = {p.id: p.name for p in parsed.packages}
    assert all(r.type == RelType.DEPENDS_ON for r in parsed.relationships)
    return {(names[r.source], names[r.target]) for r in parsed.relationships}


# -- the project's own rpmdb (made by rpm 4.18) ---------------------------------------------


def test_fixture_rpmdb_packages() -> None:
    got, env = _run(FIXTURE_ROOT)
    assert env.warnings == []
    pkgs = _by_name(got)
    assert sorted(pkgs) == ["alpha", "beta", "gamma"]
    a, b, g = pkgs["alpha"], pkgs["beta"], pkgs["gamma"]
    assert (a.version, a.epoch, a.arch, a.type, a.found_by) == ("2:1.0-1.fx", 2, "noarch", "rpm", "rpm-db-cataloger")
    assert a.purl == "pkg:rpm/alpha@1.0-1.fx?arch=noarch&epoch=2&upstream=alpha-1.0-1.fx.src.rpm"
    assert (b.version, b.epoch) == ("2.0-3.fx", None)
    assert b.purl == "pkg:rpm/beta@2.0-3.fx?arch=noarch&upstream=beta-2.0-3.fx.src.rpm"
    assert (a.source_name, a.source_version) == ("alpha", "1.0-1.fx")
    assert [(l.value, l.spdx) for l in a.licenses] == [("MIT", "MIT")]
    assert [(l.value, l.spdx) for l in b.licenses] == [("GPLv2+ and LGPLv2+", "GPL-2.0-or-later AND LGPL-2.0-or-later")]
    assert [l.spdx for l in g.licenses] == ["Apache-2.0"]
    assert a.licenses[0].location == "/var/lib/rpm/rpmdb.sqlite"
    assert a.supplier == "Assay Test Vendor"
    assert b.supplier == "Beta Packager <beta@example.org>"  # no vendor: the packager
    assert (a.description, a.homepage) == ("Alpha test package", "https://example.org/alpha")
    assert [loc.path for loc in a.locations] == ["/var/lib/rpm/rpmdb.sqlite"]
    assert a.files == ("/usr/share/alpha", "/usr/share/alpha/data.txt")
    assert g.files == ("/usr/bin/gamma-tool",)


def test_fixture_rpmdb_metadata() -> None:
    got, _ = _run(FIXTURE_ROOT)
    a = _by_name(got)["alpha"].metadata
    assert {k: a[k] for k in ("name", "version", "epoch", "architecture", "release", "sourceRpm", "vendor", "modularityLabel")} == {
        "name": "alpha",
        "version": "1.0",
        "epoch": 2,
        "architecture": "noarch",
        "release": "1.fx",
        "sourceRpm": "alpha-1.0-1.fx.src.rpm",
        "vendor": "Assay Test Vendor",
        "modularityLabel": "alpha:1:20240101:abcd",
    }
    assert "alpha-capability" in a["provides"] and "(beta or gamma)" in a["requires"]
    data = {f["path"]: f for f in a["files"]}["/usr/share/alpha/data.txt"]
    assert data["digest"] == {"algorithm": "sha256", "value": data["digest"]["value"]} and len(data["digest"]["value"]) == 64
    assert (data["mode"], data["size"], data["userName"], data["groupName"], data["flags"]) == (0o100644, 6, "root", "root", "cn")
    assert _by_name(got)["beta"].metadata["modularityLabel"] == ""


def test_metadata_files_only_for_files_present(tmp_path: Path) -> None:
    """Like syft, file records are kept for files in the scanned tree; Package.files lists all owned paths."""
    db = tmp_path / "var" / "lib" / "rpm"
    db.mkdir(parents=True)
    (db / "rpmdb.sqlite").write_bytes((FIXTURE_ROOT / "var/lib/rpm/rpmdb.sqlite").read_bytes())
    got, _ = _run(tmp_path)
    g = _by_name(got)["gamma"]
    assert g.files == ("/usr/bin/gamma-tool",)
    assert g.metadata["files"] == []


def test_fixture_rpmdb_dependencies() -> None:
    got, _ = _run(FIXTURE_ROOT)
    # alpha: "beta" by name, "/usr/bin/gamma-tool" by owned file; "(beta or gamma)" is a rich
    # dependency (skipped); gamma: "libbeta.so.1" by provides, "gamma" is itself, "/bin/true" unprovided
    assert _edges(got) == {("alpha", "beta"), ("alpha", "gamma"), ("gamma", "beta")}


def test_distro_namespace_and_qualifier() -> None:
    got, _ = _run(FIXTURE_ROOT, Distro(id="rhel", version_id="9.4"))
    assert _by_name(got)["alpha"].purl == (
        "pkg:rpm/redhat/alpha@1.0-1.fx?arch=noarch&distro=rhel-9.4&epoch=2&upstream=alpha-1.0-1.fx.src.rpm"
    )
    cases = {
        Distro(id="fedora", version_id="40"): ("pkg:rpm/fedora/", "distro=fedora-40"),
        Distro(id="opensuse-leap", version_id="15.5"): ("pkg:rpm/opensuse/", "distro=opensuse-leap-15.5"),
        Distro(id="hummingbird", build_id="20250101"): ("pkg:rpm/redhat/", "distro=hummingbird-20250101"),
        Distro(id="mariner"): ("pkg:rpm/mariner/", "distro=mariner&"),
    }
    for distro, (prefix, qualifier) in cases.items():
        purl = rpm.rpm_purl("libstdc++", "11.2.0", "1.cm2", arch="x86_64", source_rpm="gcc-11.2.0-1.cm2.src.rpm", distro=distro)
        assert purl.startswith(prefix + "libstdc%2B%2B@11.2.0-1.cm2?arch=x86_64&") and qualifier in purl, purl


def test_whole_catalog_uses_os_release() -> None:
    result = catalog(DirectorySource(str(FIXTURE_ROOT)).resolver())
    rpms = {p.name: p for p in result.packages if p.type == "rpm"}
    assert sorted(rpms) == ["alpha", "beta", "gamma"]
    assert rpms["gamma"].purl == "pkg:rpm/fedora/gamma@0.5-1.fx?arch=noarch&distro=fedora-40&upstream=gamma-0.5-1.fx.src.rpm"
    assert len([r for r in result.relationships if r.source in {p.id for p in rpms.values()}]) == 3


# -- identity helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "srpm, expected",
    [
        ("openssl-1.1.1k-5.el8_5.src.rpm", ("openssl", "1.1.1k-5.el8_5")),
        ("util-linux-2.32.1-42.el8_8.src.rpm", ("util-linux", "2.32.1-42.el8_8")),
        ("gcc11-11.2.1+git610-1.3.9.src.rpm", ("gcc11", "11.2.1+git610-1.3.9")),
        ("kernel-5.14.0-1.nosrc.rpm", ("kernel", "5.14.0-1")),
        ("", ("", "")),
        ("(none)", ("", "")),
        ("broken.src.rpm", ("", "")),
        ("a-b.src.rpm", ("", "")),
    ],
)
def test_split_source_rpm(srpm: str, expected: tuple[str, str]) -> None:
    assert rpm.split_source_rpm(srpm) == expected


def test_el_version() -> None:
    assert rpm.el_version(None, "1.0", "1") == "1.0-1"
    assert rpm.el_version(0, "1.0", "1") == "0:1.0-1"
    assert rpm.el_version(2, "9.0", "1.cm2") == "2:9.0-1.cm2"


# -- other database formats and odd files through the cataloger --------------------------------


def _root_with(tmp_path: Path, rel: str, data: bytes) -> Path:
    p = tmp_path / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return tmp_path


def test_bdb_and_ndb_through_the_cataloger(tmp_path: Path) -> None:
    blobs = [
        package_header("libfoo", "1.0", "1", provides=("libfoo.so.1()(64bit)",), files=("/usr/lib64/libfoo.so.1",)),
        package_header("app", "2.0", "3", epoch=1, requires=("libfoo.so.1()(64bit)", "rpmlib(PayloadIsZstd)", "/usr/lib64/libfoo.so.1", "app")),
    ]
    _root_with(tmp_path / "bdb", "var/lib/rpm/Packages", build_bdb(blobs, order=">"))
    _root_with(tmp_path / "ndb", "usr/lib/sysimage/rpm/Packages.db", build_ndb(blobs))
    # a format found by content: an NDB database under the BerkeleyDB name
    _root_with(tmp_path / "odd", "var/lib/rpm/Packages", build_ndb(blobs))
    for sub in ("bdb", "ndb", "odd"):
        got, env = _run(tmp_path / sub, Distro(id="sles", version_id="15.3"))
        pkgs = _by_name(got)
        assert env.warnings == [] and sorted(pkgs) == ["app", "libfoo"]
        assert pkgs["app"].version == "1:2.0-3"
        assert pkgs["app"].purl == "pkg:rpm/sles/app@2.0-3?arch=x86_64&distro=sles-15.3&epoch=1&upstream=app-2.0-3.src.rpm"
        assert _edges(got) == {("app", "libfoo")}


def test_path_requirement_resolved_through_symlinks(tmp_path: Path) -> None:
    blobs = [
        package_header("glibc", files=("/usr/sbin/ldconfig",)),
        package_header("libuuid", requires=("/sbin/ldconfig", "/bin/sh")),
    ]
    root = _root_with(tmp_path, "var/lib/rpm/Packages", build_bdb(blobs))
    (root / "usr" / "sbin").mkdir(parents=True)
    (root / "usr" / "sbin" / "ldconfig").write_bytes(b"")
    os.symlink("usr/sbin", root / "sbin")
    got, _ = _run(root)
    assert _edges(got) == {("libuuid", "glibc")}


def test_malformed_databases_become_one_line_warnings(tmp_path: Path) -> None:
    blob = bytearray(package_header("x"))
    blob[4:8] = b"\x7f\xff\xff\xff"  # data length far beyond the blob
    _root_with(tmp_path, "var/lib/rpm/Packages", b"this is not a real RPM file\n")
    _root_with(tmp_path, "usr/lib/sysimage/rpm/Packages.db", build_ndb([bytes(blob)]))
    _root_with(tmp_path, "usr/share/rpm/rpmdb.sqlite", b"")  # rpm's empty placeholder: no packages, no warning
    got, env = _run(tmp_path)
    assert got.packages == ()
    assert env.warnings == [
        "rpm-db-cataloger: /usr/lib/sysimage/rpm/Packages.db: package 1 (blob at offset 0x1000): malformed rpm header: data length 2147483647",
        "rpm-db-cataloger: /var/lib/rpm/Packages: not an rpm database (no sqlite, BerkeleyDB hash or NDB magic)",
    ]


def test_sqlite_wal_is_read_next_to_the_database(tmp_path: Path) -> None:
    db = tmp_path / "var" / "lib" / "rpm" / "rpmdb.sqlite"
    db.parent.mkdir(parents=True)
    db.write_bytes((FIXTURE_ROOT / "var/lib/rpm/rpmdb.sqlite").read_bytes())
    con = sqlite3.connect(db)
    try:
        con.execute("PRAGMA wal_autocheckpoint = 0")
        con.execute("INSERT INTO Packages (blob) VALUES (?)", (package_header("late", requires=("beta",)),))
        con.commit()
        snapshot = {p: p.read_bytes() for p in db.parent.iterdir()}
    finally:
        con.close()
    for p, data in snapshot.items():
        p.write_bytes(data)  # the files as a crashed or still-running rpm leaves them
    assert (db.parent / "rpmdb.sqlite-wal").stat().st_size > 0
    got, env = _run(tmp_path)
    assert env.warnings == []
    assert sorted(_by_name(got)) == ["alpha", "beta", "gamma", "late"]
    assert ("late", "beta") in _edges(got)


# -- globs ------------------------------------------------------------------------------------------


GLOB_HITS = [
    "var/lib/rpm/Packages",
    "var/lib/rpm/Packages.db",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/share/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpmmanifest/container-manifest-2",
    "nested/root/var/lib/rpm/Packages",
]
GLOB_MISSES = ["var/lib/rpm/Packages.bak", "var/lib/rpm/Basenames", "opt/rpm/Packages", "var/lib/rpm/rpmdb.sqlite-wal", "dive-0.10.0.rpm"]


def test_globs(tmp_path: Path) -> None:
    for rel in GLOB_HITS + GLOB_MISSES:
        _root_with(tmp_path, rel, b"x")
    resolver = DirectorySource(str(tmp_path)).resolver()
    found = sorted(loc.path for loc in resolver.glob(*CATALOGER.GLOBS))
    assert found == sorted("/" + p for p in GLOB_HITS)
    assert [loc.path for loc in resolver.glob(*CATALOGER.NEEDS)] == ["/var/lib/rpm/rpmdb.sqlite-wal"]


@pytest.mark.corpus
def test_syft_glob_paths() -> None:
    root = corpus_path("syft", "syft", "pkg", "cataloger", "redhat", "testdata", "glob-paths")
    resolver = DirectorySource(str(root)).resolver()
    assert sorted(loc.path for loc in resolver.glob(*CATALOGER.GLOBS)) == [
        "/usr/lib/sysimage/rpm/Packages",
        "/usr/lib/sysimage/rpm/Packages.db",
        "/usr/lib/sysimage/rpm/rpmdb.sqlite",
        "/usr/share/rpm/Packages",
        "/usr/share/rpm/Packages.db",
        "/usr/share/rpm/rpmdb.sqlite",
        "/var/lib/rpm/Packages",
        "/var/lib/rpm/Packages.db",
        "/var/lib/rpm/rpmdb.sqlite",
        "/var/lib/rpmmanifest/container-manifest-2",
    ]


# -- the Mariner manifest ----------------------------------------------------------------------------

MANIFEST_LINE = "vim\t9.0-1.cm2\t1653816591\t1653753130\tMicrosoft Corporation\t2\t45000\tx86_64\t2\tvim-9.0-1.cm2.src.rpm"


def test_manifest_fields(tmp_path: Path) -> None:
    root = _root_with(tmp_path, "var/lib/rpmmanifest/container-manifest-2", (MANIFEST_LINE + "\n\n").encode())
    got, env = _run(root, Distro(id="mariner", version_id="2.0"))
    (vim,) = got.packages
    assert env.warnings == []
    assert (vim.name, vim.version, vim.epoch, vim.arch, vim.supplier) == ("vim", "2:9.0-1.cm2", 2, "x86_64", "Microsoft Corporation")
    assert (vim.source_name, vim.source_version, vim.found_by) == ("vim", "9.0-1.cm2", "rpm-db-cataloger")
    # syft gives manifest packages no distro, even when it knows one
    assert vim.purl == "pkg:rpm/vim@9.0-1.cm2?arch=x86_64&epoch=2&upstream=vim-9.0-1.cm2.src.rpm"
    assert vim.metadata["size"] == 45000 and vim.metadata["release"] == "1.cm2"


def test_manifest_bad_lines(tmp_path: Path) -> None:
    lines = [MANIFEST_LINE, "short\tline", MANIFEST_LINE.replace("9.0-1.cm2\t", "9.0-1-x\t", 1), MANIFEST_LINE.replace("\t2\tvim", "\tx\tvim")]
    root = _root_with(tmp_path, "var/lib/rpmmanifest/container-manifest-2", "\n".join(lines).encode())
    got, env = _run(root)
    assert [p.name for p in got.packages] == ["vim"]
    assert env.warnings == [
        "rpm-db-cataloger: /var/lib/rpmmanifest/container-manifest-2:2: expected 10 tab-separated fields, found 2",
        "rpm-db-cataloger: /var/lib/rpmmanifest/container-manifest-2:3: version field '9.0-1-x' is not VERSION-RELEASE",
        "rpm-db-cataloger: /var/lib/rpmmanifest/container-manifest-2:4: epoch 'x' is not a number",
    ]
    garbage = _root_with(tmp_path / "g", "var/lib/rpmmanifest/container-manifest-2", b"bogus\n")
    resolver = DirectorySource(str(garbage)).resolver()
    loc = resolver.location("/var/lib/rpmmanifest/container-manifest-2")
    assert loc is not None
    with pytest.raises(CatalogError, match=r"^/var/lib/rpmmanifest/container-manifest-2:1: expected 10 .* \(not an rpm manifest\?\)$"):
        rpm.parse_manifest(resolver, Environment(), loc)


# -- corpus: syft's expectations ----------------------------------------------------------------------


def _syft_fixture_dir(header: dict[str, str]) -> tuple[Path, str]:
    path = corpus_path("syft", *header["fixture"].split("/"))
    return path.parent, path.name


@pytest.mark.corpus
@pytest.mark.parametrize(
    "expected, parser",
    [("rpm_Packages-bdb.tsv", rpm.parse_rpmdb), ("rpm_container-manifest-2.tsv", rpm.parse_manifest)],
)
def test_syft_expected(expected: str, parser) -> None:  # type: ignore[no-untyped-def]
    header, rows = read_expected(expected)
    directory, name = _syft_fixture_dir(header)
    resolver = DirectorySource(str(directory)).resolver()
    loc = resolver.location("/" + name)
    assert loc is not None
    env = Environment()
    got = parser(resolver, env, loc)
    assert env.warnings == []
    assert [[p.name, p.version] for p in got.packages] == [r[:2] for r in rows]
    for p, row in zip(got.packages, rows):
        if len(row) > 2 and row[2]:
            assert p.purl == row[2]


@pytest.mark.corpus
def test_syft_bdb_details() -> None:
    root = corpus_path("syft", "syft", "pkg", "cataloger", "redhat", "testdata")
    resolver = DirectorySource(str(root)).resolver()
    loc = resolver.location("/Packages")
    assert loc is not None
    (dive,) = rpm.parse_rpmdb(resolver, Environment(), loc).packages
    assert [l.spdx for l in dive.licenses] == ["MIT"]
    assert dive.metadata["size"] == 12406784 and dive.files == ("/usr/local/bin/dive",)
    (record,) = read_packages(resolver.read(loc), loc.path)[0].files()
    assert (record.digest, record.mode) == ("81d29f327ba23096b3c52ff6fe1c425641e618bc87b5c05ee377edc650afaa55", 33261)
    assert record.digest_algorithm == "sha256"


@pytest.mark.corpus
@pytest.mark.parametrize(
    "expected", ["cbl-mariner-2.0_rpmdb.sqlite.tsv", "libuuid_Packages.tsv", "sle15-bci_Packages.db.tsv"]
)
def test_go_rpmdb_through_the_cataloger(expected: str) -> None:
    header, rows = read_expected(expected, base="go-rpmdb/expected")
    path = corpus_path(*header["fixture"].split()[0].split("/"))
    resolver = DirectorySource(str(path.parent)).resolver()
    loc = resolver.location("/" + path.name)
    assert loc is not None
    env = Environment()
    got = rpm.parse_rpmdb(resolver, env, loc)
    assert env.warnings == []
    want = [[r[1], (r[0] + ":" if r[0] else "") + f"{r[2]}-{r[3]}"] for r in rows]
    assert [[p.name, p.version] for p in got.packages] == want
    for p, (epoch, name, version, release, arch, srpm) in zip(got.packages, rows):
        purl = f"pkg:rpm/{name}@{version}-{release}?arch={arch}" + (f"&epoch={epoch}" if epoch else "") + f"&upstream={srpm}"
        assert p.purl == purl.replace("+", "%2B")
