"""Image sources: layers, whiteouts, links, formats, and bad input (one line, exit 1, nothing written)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assay.errors import SourceError
from assay.source import open_source
from tests.source.imagebuild import D, F, H, Image, L, Layer, layer, sha, sparse_tar_entry, tar_dir, write_docker_archive, write_oci_dir

STATUS = """Package: hello
Status: install ok installed
Priority: optional
Section: devel
Installed-Size: 100
Maintainer: Jane Doe <jane@example.org>
Architecture: amd64
Version: 2.10-3
Description: example package
"""
OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n'


def base_image(**kw) -> Image:  # type: ignore[no-untyped-def]
    return Image(
        [
            layer(D("etc"), D("usr"), D("usr/lib"), F("usr/lib/os-release", OS_RELEASE), L("etc/os-release", "../usr/lib/os-release"), F("etc/gone", "x"), D("opt"), F("opt/old", "o")),
            layer(D("var"), D("var/lib"), D("var/lib/dpkg"), F("var/lib/dpkg/status", STATUS), F("etc/.wh.gone"), D("opt"), F("opt/.wh..wh..opq"), F("opt/new", "n"), H("opt/hard", "opt/new")),
        ],
        labels={"org.opencontainers.image.revision": "0123abc", "org.opencontainers.image.source": "https://example.com/repo.git", "org.opencontainers.image.created": "2024-01-02T03:04:05Z"},
        **kw,
    )


@pytest.mark.parametrize("compression", ["gzip", "zstd", "none"])
def test_oci_dir_squashes_layers(tmp_path: Path, compression: str) -> None:
    img = base_image()
    for l in img.layers:
        l.compression = compression
    digest = write_oci_dir(tmp_path / "lay", img)
    src = open_source(f"oci-dir:{tmp_path / 'lay'}:latest")
    info = src.describe()
    assert info.digest == digest and info.image is not None
    assert info.image.label("org.opencontainers.image.revision") == "0123abc"
    assert [l.diff_id for l in info.image.layers] == [sha(l.tar) for l in img.layers]
    r = src.resolver(["**/var/lib/dpkg/status"])
    assert r.read("/etc/os-release").startswith(b"PRETTY_NAME")
    loc = r.location("/etc/os-release")
    assert loc is not None and loc.path == "/usr/lib/os-release" and loc.access_path == "/etc/os-release"
    assert loc.layer == sha(img.layers[0].tar)
    assert not r.exists("/etc/gone")  # whiteout
    assert not r.exists("/opt/old") and r.read("/opt/new") == b"n"  # opaque dir keeps same-layer entries
    assert r.read("/opt/hard") == b"n"  # hardlink
    status = r.glob("**/var/lib/dpkg/status")
    assert [s.layer for s in status] == [sha(img.layers[1].tar)]


def test_sbom_from_every_local_format_is_identical(tmp_path: Path) -> None:
    img = base_image()
    write_oci_dir(tmp_path / "lay", img)
    tar_dir(tmp_path / "lay", tmp_path / "img.oci.tar")
    write_docker_archive(tmp_path / "img.docker.tar", img)
    names = []
    for uri in (f"oci-dir:{tmp_path / 'lay'}", f"oci-archive:{tmp_path / 'img.oci.tar'}", f"docker-archive:{tmp_path / 'img.docker.tar'}", str(tmp_path / "img.docker.tar"), str(tmp_path / "lay")):
        src = open_source(uri)
        from assay.catalog import catalog

        res = catalog(src.resolver())
        names.append(sorted((p.name, p.version, p.layer) for p in res.packages))
        assert res.distro is not None and res.distro.id == "debian"
    assert all(n == names[0] for n in names) and names[0][0][:2] == ("hello", "2.10-3")


def test_guess_scheme(tmp_path: Path) -> None:
    from assay.source import guess_scheme

    write_oci_dir(tmp_path / "lay", base_image())
    tar_dir(tmp_path / "lay", tmp_path / "img.oci.tar")
    write_docker_archive(tmp_path / "d.tar", base_image())
    (tmp_path / "plain.txt").write_text("x")
    assert guess_scheme(str(tmp_path / "lay")) == "oci-dir"
    assert guess_scheme(str(tmp_path / "img.oci.tar")) == "oci-archive"
    assert guess_scheme(str(tmp_path / "d.tar")) == "docker-archive"
    assert guess_scheme(str(tmp_path / "plain.txt")) == "file"
    assert guess_scheme(str(tmp_path)) == "dir"
    assert guess_scheme("ghcr.io/acme/app:1.0") == "registry"


def test_lazy_read_of_a_file_not_prefetched(tmp_path: Path) -> None:
    write_oci_dir(tmp_path / "lay", base_image())
    r = open_source(f"oci-dir:{tmp_path / 'lay'}").resolver([])
    assert r.read("/var/lib/dpkg/status").startswith(b"Package: hello")


def test_index_with_two_tags(tmp_path: Path) -> None:
    lay = tmp_path / "lay"
    write_oci_dir(lay, base_image(), tag="one")
    first = json.loads((lay / "index.json").read_text())["manifests"][0]
    write_oci_dir(lay, Image([layer(F("etc/os-release", "ID=alpine\nVERSION_ID=3.19.1\n"))]), tag="two")
    second = json.loads((lay / "index.json").read_text())["manifests"][0]
    (lay / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [first, second]}))
    assert open_source(f"oci-dir:{lay}:two").describe().digest == second["digest"]
    assert open_source(f"oci-dir:{lay}:one").describe().digest == first["digest"]
    with pytest.raises(SourceError, match="no image tagged 'three'"):
        open_source(f"oci-dir:{lay}:three")


# -- bad input: each is one line on stderr, exit 1, and no output file -------------------


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assay", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def bad_case(tmp_path: Path, name: str) -> str:  # returns the source URI
    lay = tmp_path / "lay"
    if name == "path-traversal":
        write_oci_dir(lay, Image([layer(F("../../../../tmp/assay-evil", "x"))]))
    elif name == "abs-traversal":
        write_oci_dir(lay, Image([layer(F("var/lib/dpkg/placeholder", "x"), L("var/lib/dpkg/status", "/../../../../etc/passwd"))]))
    elif name == "rel-symlink-outside":
        write_oci_dir(lay, Image([layer(D("var/lib/dpkg"), L("var/lib/dpkg/status", "../../../../../etc/passwd"))]))
    elif name == "symlink-loop":
        write_oci_dir(lay, Image([layer(D("var/lib/dpkg"), L("var/lib/dpkg/status", "status2"), L("var/lib/dpkg/status2", "status"))]))
    elif name == "digest-mismatch":
        img = base_image()  # a valid layer, but not the one the manifest names
        img.layers[1].blob_override = layer(D("var"), F("var/evil", "tampered")).blob
        write_oci_dir(lay, img)
    elif name == "truncated-gzip":
        img = base_image()
        blob = img.layers[1].blob
        img.layers[1].blob_override = blob[: len(blob) // 2]
        write_oci_dir(lay, img)
        # make the manifest digest match the truncated blob, so only the gzip error can fire
        m_path = next(p for p in (lay / "blobs/sha256").iterdir() if b'"layers"' in p.read_bytes())
        manifest = json.loads(m_path.read_bytes())
        manifest["layers"][1]["digest"] = sha(blob[: len(blob) // 2])
        (lay / "blobs/sha256" / sha(blob[: len(blob) // 2])[7:]).write_bytes(blob[: len(blob) // 2])
        data = json.dumps(manifest, sort_keys=True).encode()
        (lay / "blobs/sha256" / sha(data)[7:]).write_bytes(data)
        index = json.loads((lay / "index.json").read_text())
        index["manifests"][0].update(digest=sha(data), size=len(data))
        (lay / "index.json").write_text(json.dumps(index))
    elif name == "missing-blob":
        write_oci_dir(lay, base_image(), drop_blob="layer1")
    elif name == "missing-config":
        write_oci_dir(lay, base_image(), drop_blob="config")
    elif name == "unsupported-media-type":
        img = base_image()
        img.layers[0].media_type = "application/vnd.example.weird+tar"
        write_oci_dir(lay, img)
    elif name == "not-a-tar":
        write_oci_dir(lay, Image([Layer(b"this is not a tar archive at all" * 40, "none")]))
    elif name == "broken-index":
        write_oci_dir(lay, base_image())
        (lay / "index.json").write_text("{ not json")
    elif name == "huge-sparse-entry":
        huge = Layer(sparse_tar_entry("var/lib/dpkg/status", 10 * 1024**3), "gzip")
        write_oci_dir(lay, Image([layer(F("etc/os-release", OS_RELEASE)), huge]))
    elif name == "truncated-archive":
        write_docker_archive(tmp_path / "d.tar", base_image())
        data = (tmp_path / "d.tar").read_bytes()
        (tmp_path / "d.tar").write_bytes(data[: len(data) // 3])
        return f"docker-archive:{tmp_path / 'd.tar'}"
    else:
        raise AssertionError(name)
    return f"oci-dir:{lay}"


BAD = {
    "path-traversal": "escapes the image root",
    "abs-traversal": "points outside the source root",
    "rel-symlink-outside": "points outside the source root",
    "symlink-loop": "symlink loop",
    "digest-mismatch": "does not match its digest",
    "truncated-gzip": "truncated",
    "missing-blob": "is missing",
    "missing-config": "is missing",
    "unsupported-media-type": "unsupported media type",
    "not-a-tar": "not a valid tar",
    "broken-index": "not valid JSON",
    "truncated-archive": "archive",
    "huge-sparse-entry": "over the 536870912-byte read limit",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_exit_1(tmp_path: Path, case: str) -> None:
    uri = bad_case(tmp_path, case)
    out = tmp_path / "out"
    out.mkdir()
    before = sorted(os.listdir(tmp_path))
    proc = run_cli("sbom", uri, "-o", f"cyclonedx-json={out / 'sbom.json'}", cwd=out)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assay: error: "), proc.stderr
    assert BAD[case] in lines[0]
    assert "Traceback" not in proc.stderr
    assert os.listdir(out) == []  # no output, no temp files
    assert sorted(os.listdir(tmp_path)) == before
    assert not Path("/tmp/assay-evil").exists()


def test_huge_sparse_entry_costs_no_memory(tmp_path: Path) -> None:
    import resource

    uri = bad_case(tmp_path, "huge-sparse-entry")
    proc = run_cli("-q", "sbom", uri, "-o", "table", cwd=tmp_path)
    assert proc.returncode == 1 and "read limit" in proc.stderr
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 512 * 1024  # KiB: far below 10 GB


def test_directory_source_never_follows_links_out_of_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "etc").mkdir()
    os.symlink("/etc/passwd", root / "var/lib/dpkg/status")  # absolute: means ROOT/etc/passwd
    r = open_source(f"dir:{root}").resolver()
    assert r.glob("**/var/lib/dpkg/status") == []  # ROOT/etc/passwd does not exist
    (root / "etc/passwd").write_text(STATUS)
    assert r.glob("**/var/lib/dpkg/status") == []  # tree was built before; a new resolver sees it
    r2 = open_source(f"dir:{root}").resolver()
    assert r2.read("/var/lib/dpkg/status").startswith(b"Package: hello")


def test_docker_archive_metadata(tmp_path: Path) -> None:
    img = base_image()
    write_docker_archive(tmp_path / "d.tar", img, tag="example.com/app:1")
    info = open_source(f"docker-archive:{tmp_path / 'd.tar'}").describe()
    assert info.image is not None
    assert info.image.tags == ("example.com/app:1",)
    assert info.image.config_digest == sha(img.config())
    assert info.image.label("org.opencontainers.image.source") == "https://example.com/repo.git"


def test_analyzers_run_while_streaming_and_on_directories(tmp_path: Path) -> None:
    from assay.source.tree import Analyzer

    calls: list[str] = []

    def analyze(path: str, data: bytes):  # type: ignore[no-untyped-def]
        calls.append(path)
        return data.count(b"\x7fELF") or None

    elf = Analyzer("elf", lambda path, size, mode: bool(mode & 0o111) or path.endswith(".so"), analyze)
    img = Image([layer(F("usr/lib/a.so", b"\x7fELF..."), F("usr/lib/b.so", b"not elf"), F("usr/lib/gone.so", b"\x7fELF")), layer(F("usr/lib/.wh.gone.so"), H("usr/lib/c.so", "usr/lib/a.so"))])
    write_oci_dir(tmp_path / "lay", img)
    r = open_source(f"oci-dir:{tmp_path / 'lay'}").resolver([], [elf])
    assert r.analysis("elf") == {"/usr/lib/a.so": 1, "/usr/lib/c.so": 1}  # whiteout drops gone.so; hardlink keeps notes
    assert len(calls) == 3  # once per file, during the single pass
    root = tmp_path / "root/usr/lib"
    root.mkdir(parents=True)
    (root / "a.so").write_bytes(b"\x7fELF")
    (root / "b.so").write_bytes(b"x")
    d = open_source(f"dir:{tmp_path / 'root'}").resolver([], [elf])
    assert d.analysis("elf") == {"/usr/lib/a.so": 1}


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_analyzers_skip_elf_files_without_their_sections(tmp_path: Path, compression: str) -> None:
    """From an uncompressed local layer only an ELF's section table is read to rule it out."""
    from assay.source.tree import Analyzer
    from tests._internal.test_binfmt import make_elf

    calls: list[str] = []

    def analyze(path: str, data: bytes):  # type: ignore[no-untyped-def]
        calls.append(path)
        return len(data)

    go = Analyzer("go", lambda path, size, mode: True, analyze, elf_sections=(".go.buildinfo",))
    c_elf = make_elf([(".text", 0x401000, b"\x90" * 64, False)])
    go_elf = make_elf([(".go.buildinfo", 0x403000, b"\xff Go buildinf:", True)])
    bare = make_elf([(".go.buildinfo", 0x403000, b"x", True)], section_headers=False)
    img = Image([layer(F("bin/c", c_elf), F("bin/go", go_elf), F("bin/bare", bare), F("etc/motd", b"hello"), compression=compression)])
    write_docker_archive(tmp_path / "d.tar", img) if compression == "none" else write_oci_dir(tmp_path / "d", img)
    uri = f"docker-archive:{tmp_path / 'd.tar'}" if compression == "none" else f"oci-dir:{tmp_path / 'd'}"
    found = open_source(uri).resolver([], [go]).analysis("go")
    assert set(found) == {"/bin/go", "/bin/bare", "/etc/motd"} | ({"/bin/c"} if compression == "gzip" else set())
    assert sorted(calls) == sorted(found)


@pytest.mark.parametrize("compression", ["none", "gzip"])
def test_elf_lazy_analyzers_get_a_read_at_from_local_layers(tmp_path: Path, compression: str) -> None:
    """An analyzer that reads ELF files lazily gets a ReadAt over an uncompressed local layer, the bytes elsewhere;
    the other analyzers of the same file still get its bytes."""
    from assay._internal.binfmt import ReadAt
    from assay.source.tree import Analyzer
    from tests._internal.test_binfmt import make_elf

    kinds: dict[str, list[tuple[str, str]]] = {"lazy": [], "eager": []}

    def analyzer(name: str, **kw):  # type: ignore[no-untyped-def]
        def analyze(path: str, data):  # type: ignore[no-untyped-def]
            kinds[name].append((path, type(data).__name__))
            return bytes(data[0:4])

        return Analyzer(name, lambda path, size, mode: True, analyze, elf_sections=(".go.buildinfo",), **kw)

    go_elf = make_elf([(".text", 0x401000, b"\x90" * 200_000, False), (".go.buildinfo", 0x480000, b"\xff Go buildinf:", True)])
    img = Image([layer(F("bin/go", go_elf), compression=compression)])
    write_docker_archive(tmp_path / "d.tar", img) if compression == "none" else write_oci_dir(tmp_path / "d", img)
    uri = f"docker-archive:{tmp_path / 'd.tar'}" if compression == "none" else f"oci-dir:{tmp_path / 'd'}"
    res = open_source(uri).resolver([], [analyzer("lazy", elf_lazy=True), analyzer("eager")])
    assert res.analysis("lazy") == {"/bin/go": b"\x7fELF"} and res.analysis("eager") == {"/bin/go": b"\x7fELF"}
    assert kinds["lazy"] == [("/bin/go", ReadAt.__name__ if compression == "none" else "bytes")]
    assert kinds["eager"] == [("/bin/go", "bytes")]


def test_layer_hashing_starts_at_open_and_stops_at_close(tmp_path: Path) -> None:
    write_docker_archive(tmp_path / "d.tar", base_image())
    interval = sys.getswitchinterval()
    src = open_source(f"docker-archive:{tmp_path / 'd.tar'}")
    hasher = src.reader._hasher  # type: ignore[attr-defined]
    assert hasher._t is not None  # started with the source, before any resolver is asked for
    src.close()
    assert not hasher._t.is_alive() and sys.getswitchinterval() == interval
    src = open_source(f"docker-archive:{tmp_path / 'd.tar'}")
    assert src.resolver([], []).exists("/opt/new")
    src.close()
    assert not src.reader._hasher._t.is_alive() and sys.getswitchinterval() == interval  # type: ignore[attr-defined]
