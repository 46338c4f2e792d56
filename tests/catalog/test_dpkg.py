"""The dpkg / distroless / opkg cataloger, on fixtures taken from a Debian 12 system and on the syft corpus."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from assay.catalog import Environment, catalog
from assay.catalog.dpkg import (
    CATALOGERS,
    NAME,
    parse_copyright,
    parse_dpkg_db,
    parse_installed_size,
    parse_stanzas,
    split_relations,
)
from assay.errors import CatalogError
from assay.model import Distro, Location, Package, RelType
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, SYMLINK, FileResolver, FileTree, Node, bytes_opener
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "dpkg"
BOOKWORM = Distro(id="debian", version_id="12", version_codename="bookworm", name="Debian GNU/Linux")
CATALOGER = CATALOGERS[0]


def run(root: Path | str, distro: Distro | None = BOOKWORM) -> tuple[dict[str, Package], dict[str, set[str]], Environment]:
    """Catalog a directory; return packages by name, dependency names by package name, and the env."""
    env = Environment(distro=distro)
    got = CATALOGER.catalog(DirectorySource(str(root)).resolver(), env)
    pkgs = {p.name: p for p in got.packages}
    assert len(pkgs) == len(got.packages), "one package per name in these fixtures"
    names = {p.id: p.name for p in got.packages}
    deps: dict[str, set[str]] = {}
    for r in got.relationships:
        assert r.type == RelType.DEPENDS_ON
        deps.setdefault(names[r.source], set()).add(names[r.target])
    return pkgs, deps, env


# -- a Debian 12 root file system --------------------------------------------------------


@pytest.fixture(scope="module")
def bookworm() -> tuple[dict[str, Package], dict[str, set[str]], Environment]:
    return run(FIXTURES / "rootfs")


def test_installed_packages_only(bookworm):
    pkgs, _, env = bookworm
    assert env.warnings == []
    assert sorted(pkgs) == [
        "base-files", "debconf", "gcc-12-base", "libc6", "libgcc-s1",
        "libpam-runtime", "libpcre2-8-0", "libselinux1", "mawk", "zlib1g",
    ]  # fmt: skip
    # "deinstall ok config-files" (libpam-modules-bin) and "purge ok not-installed" (libgdbm6) are gone
    assert all(p.type == "deb" and p.found_by == NAME for p in pkgs.values())


def test_identity_fields(bookworm):
    pkgs, _, _ = bookworm
    z = pkgs["zlib1g"]
    assert (z.version, z.epoch, z.arch) == ("1:1.2.13.dfsg-1", 1, "amd64")
    assert (z.source_name, z.source_version) == ("zlib", "1:1.2.13.dfsg-1")
    assert z.supplier == "Mark Brown <broonie@debian.org>"
    assert z.description == "compression library - runtime"
    assert z.homepage == "http://zlib.net/"
    assert z.metadata["installed_size"] == 168
    assert z.metadata["provides"] == ["libz1"]
    sel = pkgs["libselinux1"]
    assert (sel.source_name, sel.source_version, sel.version) == ("libselinux", "3.4-1", "3.4-1+b6")
    deb = pkgs["debconf"]
    assert (deb.source_name, deb.source_version, deb.epoch) == ("debconf", "1.5.82", None)  # no Source: itself


def test_purls(bookworm):
    pkgs, _, _ = bookworm
    assert pkgs["zlib1g"].purl == "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib"
    assert pkgs["libselinux1"].purl == "pkg:deb/debian/libselinux1@3.4-1%2Bb6?arch=amd64&distro=debian-12&upstream=libselinux%403.4-1"
    assert pkgs["debconf"].purl == "pkg:deb/debian/debconf@1.5.82?arch=all&distro=debian-12"
    assert pkgs["libpam-runtime"].purl == "pkg:deb/debian/libpam-runtime@1.5.2-6%2Bdeb12u1?arch=all&distro=debian-12&upstream=pam"


def test_purl_needs_a_debian_like_distro():
    ubuntu = Distro(id="ubuntu", version_id="22.04", id_like=("debian",))
    pkgs, _, _ = run(FIXTURES / "rootfs", ubuntu)
    assert pkgs["mawk"].purl == "pkg:deb/ubuntu/mawk@1.3.4.20200120-3.1?arch=amd64&distro=ubuntu-22.04"
    pkgs, _, _ = run(FIXTURES / "rootfs", None)
    assert {p.purl for p in pkgs.values()} == {""}
    pkgs, _, _ = run(FIXTURES / "rootfs", Distro(id="fedora", version_id="39"))
    assert {p.purl for p in pkgs.values()} == {""}


def test_files_from_multiarch_list(bookworm):
    pkgs, _, _ = bookworm
    z = pkgs["zlib1g"]
    assert "/var/lib/dpkg/info/zlib1g:amd64.list" in [l.path for l in z.locations]
    assert "/lib/x86_64-linux-gnu/libz.so.1.2.13" in z.files
    assert "/usr/share/doc/zlib1g/copyright" in z.files
    # directories the .list also names are not owned files
    assert "/lib/x86_64-linux-gnu" not in z.files and "/usr" not in z.files and "/." not in z.files
    mawk = pkgs["mawk"]  # Multi-Arch: foreign -> plain <pkg>.list
    assert "/var/lib/dpkg/info/mawk.list" in [l.path for l in mawk.locations]
    assert "/usr/bin/mawk" in mawk.files


def test_files_without_a_list_come_from_conffiles(bookworm):
    pkgs, _, _ = bookworm
    pam = pkgs["libpam-runtime"]
    assert "/var/lib/dpkg/info/libpam-runtime.conffiles" in [l.path for l in pam.locations]
    assert pam.files == ("/etc/pam.conf", "/etc/pam.d/other")  # Conffiles field + info/<pkg>.conffiles
    assert pam.metadata["conffiles"] == [
        {"path": "/etc/pam.conf", "md5": "87fc76f18e98ee7d3848f6b81b3391e5"},
        {"path": "/etc/pam.d/other", "md5": "31aa7f2181889ffb00b87df4126d1701"},
    ]
    assert pkgs["libc6"].files == ("/etc/ld.so.conf.d/x86_64-linux-gnu.conf",)  # only its Conffiles field


def test_locations_start_with_the_status_file(bookworm):
    pkgs, _, _ = bookworm
    for p in pkgs.values():
        assert p.locations[0].path == "/var/lib/dpkg/status"
        assert len({l.path for l in p.locations}) == len(p.locations)


def test_licenses_from_copyright(bookworm):
    pkgs, _, _ = bookworm
    lic = {name: [(l.value, l.spdx) for l in p.licenses] for name, p in pkgs.items()}
    assert lic["zlib1g"] == [("Zlib", "Zlib")]
    assert lic["debconf"] == [("BSD-2-clause", "BSD-2-Clause")]
    # not machine-readable: the /usr/share/common-licenses references
    assert lic["libselinux1"] == [("GPL-2", "GPL-2.0-only"), ("LGPL-2.1", "LGPL-2.1-only")]
    assert [v for v, _ in lic["libpcre2-8-0"]] == ["BSD-2-clause", "BSD-3-clause", "BSD-3-clause-Cambridge", "X11", "public-domain"]
    assert lic["libc6"] == []  # no copyright file in the fixture
    z = pkgs["zlib1g"]
    assert z.licenses[0].location == "/usr/share/doc/zlib1g/copyright"
    assert "/usr/share/doc/zlib1g/copyright" in [l.path for l in z.locations]


def test_dependencies(bookworm):
    _, deps, _ = bookworm
    assert deps == {
        "base-files": {"mawk"},  # Pre-Depends: awk, a virtual package mawk provides
        "libpam-runtime": {"debconf"},  # debconf | debconf-2.0, debconf | cdebconf; libpam-modules absent
        "libgcc-s1": {"gcc-12-base", "libc6"},
        "libc6": {"libgcc-s1"},
        "libpcre2-8-0": {"libc6"},
        "libselinux1": {"libc6", "libpcre2-8-0"},
        "mawk": {"libc6"},
        "zlib1g": {"libc6"},
    }


def test_split_relations():
    assert split_relations("debconf (>= 0.5) | debconf-2.0, libc6 (>= 2.34)") == [["debconf", "debconf-2.0"], ["libc6"]]
    assert split_relations("perl:any, python3:any (>= 3.9~)") == [["perl"], ["python3"]]
    assert split_relations(" kernel-headers-2.2.10 [!hurd-i386],\n hurd-dev [hurd-i386]") == [["kernel-headers-2.2.10"], ["hurd-dev"]]
    assert split_relations("foo <!nocheck>, ") == [["foo"]]
    assert split_relations("") == []


def test_alternatives_link_every_installed_choice():
    text = (
        "Package: mutt\nStatus: install ok installed\nVersion: 1.3\n"
        "Depends: libc6 (>= 2.2.1), default-mta | mail-transport-agent | not-installed\n\n"
        "Package: exim4\nStatus: install ok installed\nVersion: 4.96\nProvides: mail-transport-agent\n\n"
        "Package: default-mta\nStatus: install ok installed\nVersion: 1\n\n"
        "Package: libc6\nStatus: install ok installed\nVersion: 2.36\n"
    )
    res = tree_resolver({"/var/lib/dpkg/status": (text, 0)}, ["sha256:l0"])
    got = CATALOGER.catalog(res, Environment())
    names = {p.id: p.name for p in got.packages}
    assert {(names[r.source], names[r.target]) for r in got.relationships} == {
        ("mutt", "libc6"), ("mutt", "default-mta"), ("mutt", "exim4"),
    }  # fmt: skip


# -- distroless status.d and opkg -------------------------------------------------------------


def test_distroless_status_d():
    pkgs, deps, env = run(FIXTURES / "distroless")
    assert env.warnings == []
    assert sorted(pkgs) == ["libc6", "libdb5.3", "zlib1g"]  # the .md5sums files are not packages
    z = pkgs["zlib1g"]
    assert [l.path for l in z.locations] == [
        "/var/lib/dpkg/status.d/zlib1g",
        "/var/lib/dpkg/status.d/zlib1g.md5sums",
        "/usr/share/doc/zlib1g/copyright",
    ]
    assert "/lib/x86_64-linux-gnu/libz.so.1.2.13" in z.files
    assert [l.value for l in z.licenses] == ["Zlib"]
    assert z.purl == "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib"
    # one database across the per-package files
    assert deps == {"zlib1g": {"libc6"}, "libdb5.3": {"libc6"}}  # libc6's libgcc-s1 is not installed


def test_opkg_status():
    pkgs, deps, env = run(FIXTURES / "opkg", Distro(id="openwrt", version_id="23.05.0", id_like=("lede", "openwrt")))
    assert env.warnings == []
    assert {n: p.version for n, p in pkgs.items()} == {"libc": "1.2.4-4", "libgcc1": "12.3.0-4", "busybox": "1.36.1-1", "dropbear": "2022.82-6"}
    bb = pkgs["busybox"]
    assert bb.type == "deb" and bb.found_by == NAME
    assert [(l.value, l.spdx, l.location) for l in bb.licenses] == [("GPL-2.0-only", "GPL-2.0-only", "/usr/lib/opkg/status")]
    assert bb.files == ("/bin/busybox", "/bin/sh", "/bin/ash", "/etc/syslog.conf", "/usr/bin/wget")
    assert bb.locations[0].path == "/usr/lib/opkg/status"  # info/busybox.control is not a second record
    assert bb.purl == ""  # syft writes deb purls for Debian-like distros only
    assert deps == {"libc": {"libgcc1"}, "busybox": {"libc"}, "dropbear": {"libc"}}


def test_opkg_control_files_without_status():
    control = "Package: busybox\nVersion: 1.36.1-1\nDepends: libc\nLicense: GPL-2.0-only\nArchitecture: x86_64\n"
    res = tree_resolver({"/usr/lib/opkg/info/busybox.control": (control, 0), "/usr/lib/opkg/info/busybox.list": ("/bin/busybox\n", 0)}, ["sha256:a"])
    got = CATALOGER.catalog(res, Environment())
    assert [(p.name, p.version, p.files) for p in got.packages] == [("busybox", "1.36.1-1", ("/bin/busybox",))]


# -- errors -----------------------------------------------------------------------------------


def test_corrupt_file_names_the_line_and_others_still_cataloged():
    pkgs, _, env = run(FIXTURES / "corrupt")
    assert sorted(pkgs) == ["mawk"]
    assert len(env.warnings) == 1
    assert env.warnings[0].startswith(f"{NAME}: /var/lib/dpkg/status.d/zlib1g:16: expected 'Field: value'")


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("Package: a\nPackage: b\n", 2, "duplicate field 'Package'"),
        ("  Package: apt\n\n", 1, "continuation line without a field"),
        ("Package: a\n\n continued\n", 3, "continuation line without a field"),
        ("Package: a\nVersion: 1\nthis is prose\n", 3, "expected 'Field: value'"),
        ("Package: a\nSome Field: x\n", 2, "expected 'Field: value'"),
    ],
)
def test_parse_stanzas_errors(text, line, message):
    with pytest.raises(CatalogError, match=re.escape(f"/var/lib/dpkg/status:{line}: {message}")):
        parse_stanzas(text, Location(path="/var/lib/dpkg/status"))


def test_parse_stanzas_fields():
    text = "\n\nPackage: a\nDepends:\n b,\n c\nDescription: short\n long line\n .\n more\n\n\n# comment\nPackage: d\n"
    got = parse_stanzas(text, Location(path="/s"))
    assert got == [
        (3, {"Package": "a", "Depends": "\nb,\nc", "Description": "short\nlong line\n.\nmore"}),
        (14, {"Package": "d"}),
    ]


def test_parse_installed_size():
    assert parse_installed_size("4064") == 4064
    assert parse_installed_size("4KB") == 4000
    assert parse_installed_size("10kib") == 10240
    assert parse_installed_size("1 mb") == 1000000
    assert parse_installed_size("1bla") is None
    assert parse_installed_size("") is None


def test_parse_copyright():
    dep5 = (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nCopyright: 2020 A\nLicense: GPL-2+ with OpenSSL exception\n\n"
        "Files: lib/*\nLicense: MPL-1.1 or LGPL-2.1\n\n"
        "License: GPL-2+\n On Debian systems see /usr/share/common-licenses/GPL-2.\n\n"
        "License: none\n"
    )
    assert parse_copyright(dep5) == ("GPL-2", "GPL-2+", "LGPL-2.1", "MPL-1.1")
    prose = (
        "This is the Debian prepackaged version of foo.\n"
        "License: This software is provided 'as-is', without any warranty.\n"
        "License: # Licensed to PSF under a Contributor Agreement\n"
        "License: see above\n"
        "The full text is in `/usr/share/common-licenses/Apache-2.0'.\n"
    )
    assert parse_copyright(prose) == ("Apache-2.0",)
    assert parse_copyright("") == ()


# -- layers -----------------------------------------------------------------------------------


def tree_resolver(files: dict[str, tuple[str, int]], layers: list[str]) -> FileResolver:
    """A resolver over an in-memory tree: path -> (content, layer index)."""
    tree = FileTree(layers)
    for path, (text, layer) in files.items():
        data = text.encode()
        tree.add(path, Node(FILE, size=len(data), layer=layer, ref=data))
    return FileResolver(tree, bytes_opener)


def test_layer_is_where_the_package_was_installed():
    base = "Package: base-files\nStatus: install ok installed\nVersion: 12.4\nArchitecture: amd64\n"
    curl = "Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10\nArchitecture: amd64\nDepends: base-files\n"
    nolist = "Package: tzdata\nStatus: install ok installed\nVersion: 2024a-0\nArchitecture: all\n"
    res = tree_resolver(
        {
            # layer 0 installed base-files; layer 1 installed curl and tzdata and rewrote the status file
            "/var/lib/dpkg/info/base-files.list": ("/.\n/etc\n/etc/debian_version\n", 0),
            "/etc/debian_version": ("12.4\n", 0),
            "/var/lib/dpkg/info/curl.list": ("/.\n/usr\n/usr/bin\n/usr/bin/curl\n", 1),
            "/var/lib/dpkg/status": (f"{base}\n{curl}\n{nolist}", 1),
        },
        ["sha256:base", "sha256:app"],
    )
    got = CATALOGER.catalog(res, Environment(distro=BOOKWORM))
    layers = {p.name: p.layer for p in got.packages}
    assert layers == {"base-files": "sha256:base", "curl": "sha256:app", "tzdata": "sha256:app"}
    by_name = {p.name: p for p in got.packages}
    assert by_name["base-files"].locations[0] == Location(path="/var/lib/dpkg/status", layer="sha256:app")
    assert by_name["base-files"].locations[1] == Location(path="/var/lib/dpkg/info/base-files.list", layer="sha256:base")
    assert by_name["curl"].files == ("/usr/bin/curl",)
    assert [(r.source, r.target) for r in got.relationships] == [(by_name["curl"].id, by_name["base-files"].id)]


def test_a_chroot_database_is_separate():
    stanza = "Package: {n}\nStatus: install ok installed\nVersion: 1\n{extra}\n"
    res = tree_resolver(
        {
            "/var/lib/dpkg/status": (stanza.format(n="app", extra="Depends: libfoo"), 0),
            "/srv/chroot/var/lib/dpkg/status": (stanza.format(n="libfoo", extra=""), 0),
            "/srv/chroot/usr/share/doc/libfoo/copyright": ("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nLicense: MIT\n", 0),
        },
        ["sha256:x"],
    )
    got = CATALOGER.catalog(res, Environment())
    assert got.relationships == ()
    libfoo = next(p for p in got.packages if p.name == "libfoo")
    assert [l.value for l in libfoo.licenses] == ["MIT"]


def test_a_hostile_symlink_is_just_a_missing_file():
    res = tree_resolver({"/var/lib/dpkg/status": ("Package: evil\nStatus: install ok installed\nVersion: 1\n", 0)}, ["sha256:x"])
    res.tree.add("/usr/share/doc/evil/copyright", Node(SYMLINK, link="../../../../../etc/shadow"))
    res.tree.add("/var/lib/dpkg/info/evil.list", Node(SYMLINK, link="evil.list"))  # a loop
    got = CATALOGER.catalog(res, Environment())
    assert [(p.name, p.licenses, p.files) for p in got.packages] == [("evil", (), ())]


# -- speed -------------------------------------------------------------------------------------


def test_parsing_3000_stanzas_is_fast():
    one = (FIXTURES / "rootfs" / "var" / "lib" / "dpkg" / "status").read_text().strip("\n")
    stanzas = one.split("\n\n")
    text = "\n\n".join(s.replace("Package: ", f"Package: p{i}-", 1) for i in range(3000 // len(stanzas) + 1) for s in stanzas) + "\n"
    loc = Location(path="/var/lib/dpkg/status")
    best = min(_timed(parse_stanzas, text, loc) for _ in range(3))
    assert len(parse_stanzas(text, loc)) >= 3000
    assert best < 0.1, f"{best:.3f}s for {text.count(chr(10))} lines"


def _timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


# -- acceptance: syft's expectations (../shared/corpus) -----------------------------------------

DEBIAN_EXPECTED = [
    "debian_image-distroless-deb.tsv",
    "debian_image-dpkg.tsv",
    "debian_opkg_status.tsv",
    "debian_status.d_corrupt.tsv",
    "debian_status.d_deinstall.tsv",
    "debian_status.d_installed-size-4KB.tsv",
    "debian_status.d_multiple.tsv",
    "debian_status.d_single.tsv",
]


@pytest.mark.corpus
@pytest.mark.parametrize("name", DEBIAN_EXPECTED)
def test_syft_expected(name):
    header, rows = read_expected(name)
    fixture = corpus_path("syft", *header["fixture"].split("/"))
    expect_error = "EXPECT ERROR" in header.get("notes", "")
    if header["mode"].startswith("directory"):
        res = DirectorySource(str(fixture)).resolver()
        result = catalog(res, [CATALOGER])  # distro from the fixture's os-release, as in a real scan
        pkgs = list(result.packages)
    else:
        res = DirectorySource(str(fixture.parent)).resolver()
        loc = res.location("/" + fixture.name)
        assert loc is not None
        if expect_error:
            with pytest.raises(CatalogError, match=rf"^/{re.escape(fixture.name)}:\d+: "):
                parse_dpkg_db(res, Environment(), loc)
            pkgs = []
        else:
            pkgs = list(parse_dpkg_db(res, Environment(), loc).packages)
    assert {(p.name, p.version) for p in pkgs} == {(r[0], r[1]) for r in rows}
    purls = {r[0]: r[2] for r in rows if len(r) > 2 and r[2]}
    for p in pkgs:
        if p.name in purls:
            assert p.purl == purls[p.name]
    m = re.search(r"InstalledSize[= ](\d+)", header.get("notes", ""))
    if m:
        assert [p.metadata.get("installed_size") for p in pkgs] == [int(m.group(1))]


@pytest.mark.corpus
def test_syft_image_dpkg_licenses_and_evidence():
    header, _ = read_expected("debian_image-dpkg.tsv")
    fixture = corpus_path("syft", *header["fixture"].split("/"))
    (p,) = catalog(DirectorySource(str(fixture)).resolver(), [CATALOGER]).packages
    assert [l.value for l in p.licenses] == ["GPL-1", "GPL-2", "LGPL-2.1"]  # from the header notes
    assert [l.path for l in p.locations] == [
        "/var/lib/dpkg/status",
        "/var/lib/dpkg/info/libpam-runtime.md5sums",
        "/var/lib/dpkg/info/libpam-runtime.conffiles",
        "/usr/share/doc/libpam-runtime/copyright",
    ]


@pytest.mark.corpus
def test_syft_distroless_licenses_and_source():
    header, _ = read_expected("debian_image-distroless-deb.tsv")
    fixture = corpus_path("syft", *header["fixture"].split("/"))
    (p,) = catalog(DirectorySource(str(fixture)).resolver(), [CATALOGER], distro=BOOKWORM).packages
    assert sorted(l.value for l in p.licenses) == sorted(["public-domain", "GPL-2+", "GPL-2"])
    assert (p.arch, p.source_name) == ("arm64", "sqlite3")


@pytest.mark.corpus
@pytest.mark.parametrize(
    "fixture, expected",
    [
        # syft parse_dpkg_db_test.go:Test_associateRelationships (dependent: its dependencies)
        (
            "coreutils-relationships",
            {
                "coreutils": {"libacl1", "libattr1", "libc6", "libgmp10", "libselinux1"},
                "libacl1": {"libc6"}, "libattr1": {"libc6"}, "libc6": {"libgcc-s1"},
                "libgcc-s1": {"gcc-12-base", "libc6"}, "libgmp10": {"libc6"},
                "libpcre2-8-0": {"libc6"}, "libselinux1": {"libc6", "libpcre2-8-0"},
            },
        ),
        (
            "doc-examples",
            {
                "made-up-package-1": {"kernel-headers-2.2.10", "hurd-dev", "gnumach-dev"},
                "made-up-package-2": {"libluajit5.1-dev", "liblua5.1-dev"},
                "made-up-package-3": {"foo", "bar"},
                "made-up-package-4": {"made-up-package-5"},
                "mutt": {"libc6", "default-mta", "mail-transport-agent"},
            },
        ),
        ("libpam-runtime", {"libpam-runtime": {"debconf1", "debconf-2.0", "debconf2", "cdebconf", "libpam-modules"}}),
    ],
)  # fmt: skip
def test_syft_dependency_fixtures(fixture, expected):
    d = corpus_path("syft", "syft", "pkg", "cataloger", "debian", "testdata", "var", "lib", "dpkg", "status.d")
    tree = FileTree()
    data = (d / fixture).read_bytes()
    tree.add("/var/lib/dpkg/status", Node(FILE, size=len(data), ref=data))
    got = CATALOGER.catalog(FileResolver(tree, bytes_opener), Environment())
    names = {p.id: p.name for p in got.packages}
    deps: dict[str, set[str]] = {}
    for r in got.relationships:
        deps.setdefault(names[r.source], set()).add(names[r.target])
    assert deps == expected
