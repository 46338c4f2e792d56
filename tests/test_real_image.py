"""assay against real images: Debian bookworm built by debootstrap, packed by umoci and
converted by skopeo (slow, cached; see tests/images.py), and the embedded sample image.

The package lists are checked against ``dpkg-query`` itself, layer attribution
against the layer digests umoci wrote, and the CLI's CycloneDX output for the
image's OCI labels and for byte-identical reruns under SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests import images

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "assay" / "data" / "sample-image"
SAMPLE_LIMIT = 1024 * 1024  # the sample image ships in the wheel: keep it under 1 MB

sys.path.insert(0, str(ROOT / "tools"))
import make_sample_image  # noqa: E402  (tools/ is not a package)


def _sbom(uri: str, **kw: object):  # type: ignore[no-untyped-def]
    from assay.pipeline import make_sbom

    return make_sbom(uri, **kw).sbom  # type: ignore[arg-type]


def _debs(sbom) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return {(p.name, p.version, p.arch) for p in sbom.packages if p.type == "deb"}


CLI_TIMEOUT = 180  # seconds; one run on these images takes about a second


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "assay", *args]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"assay {' '.join(args)} did not finish in {CLI_TIMEOUT} s")
    assert proc.returncode == 0, f"assay {' '.join(args)} exited {proc.returncode}: {proc.stderr[-2000:]}"
    return proc


def _properties(node: object) -> list[tuple[str, str]]:
    """Every CycloneDX property (name, value) anywhere below ``node``."""
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for p in node.get("properties", ()) or ():
            if isinstance(p, dict) and "name" in p:
                out.append((p["name"], str(p.get("value", ""))))
        for k, v in node.items():
            if k != "properties":
                out.extend(_properties(v))
    elif isinstance(node, list):
        for v in node:
            out.extend(_properties(v))
    return out


def _assert_labels(doc: dict, labels: dict[str, str]) -> None:
    props = _properties(doc["metadata"])
    for key, value in labels.items():
        assert any(n.endswith(key) and v == value for n, v in props), f"label {key}={value} not in metadata properties {props}"


# --- the bookworm image (slow) -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bookworm() -> images.BuiltImage:
    return images.bookworm_image()


def _uri(img: images.BuiltImage, kind: str) -> str:
    if kind == "oci-dir":
        return img.oci_dir
    if kind == "docker-archive":
        return f"docker-archive:{img.docker_archive()}"
    if kind == "oci-archive":
        return f"oci-archive:{img.oci_archive()}"
    raise AssertionError(kind)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["docker-archive", "oci-dir", "oci-archive"])
def test_dpkg_packages_equal_dpkg_query(bookworm: images.BuiltImage, kind: str) -> None:
    expected = bookworm.dpkg_packages()
    assert len(expected) > 80 and any(name == "hello" for name, _, _ in expected)
    assert _debs(_sbom(_uri(bookworm, kind))) == expected


@pytest.mark.slow
def test_dpkg_packages_equal_dpkg_query_from_registry(bookworm: images.BuiltImage) -> None:
    images.require("skopeo")
    from assay.source import RegistryOptions
    from tests.registry import registry_server, skopeo_push

    with registry_server() as host:
        skopeo_push(bookworm.layout, host, "assay-test/bookworm", bookworm.tag, src_tag=bookworm.tag)
        sbom = _sbom(f"registry:{host}/assay-test/bookworm:{bookworm.tag}", registry=RegistryOptions(insecure=True))
    assert _debs(sbom) == bookworm.dpkg_packages()
    assert sbom.source.image is not None
    assert [l.diff_id for l in sbom.source.image.layers] == list(bookworm.diff_ids)
    assert [l.digest for l in sbom.source.image.layers] == list(bookworm.layer_digests)  # pushed with --preserve-digests


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["docker-archive", "oci-dir"])
def test_layer_attribution(bookworm: images.BuiltImage, kind: str) -> None:
    from assay.source import open_source

    base, lang, hello_layer = bookworm.diff_ids
    uri = _uri(bookworm, kind)
    sbom = _sbom(uri)
    debs = [p for p in sbom.packages if p.type == "deb"]
    assert {p.name: p.layer for p in debs if p.layer != base} == {"hello": hello_layer}
    for p in sbom.packages:  # language packages, when their catalogers run, come from the second layer
        if p.type in ("python", "npm"):
            assert p.locations and p.locations[0].layer == lang, p

    src = open_source(uri)
    try:
        r = src.resolver()
        site = f"/{images.SITE_PACKAGES}"
        assert r.location(f"{site}/six-1.16.0.dist-info/METADATA").layer == lang
        assert r.location(f"/{images.NPM_PREFIX}/node_modules/is-odd/node_modules/is-number/package.json").layer == lang
        assert r.location("/var/lib/dpkg/info/bash.list").layer == base
        assert r.location("/var/lib/dpkg/status").layer == hello_layer  # rewritten by the last install
        info = src.describe()
    finally:
        src.close()
    assert info.image is not None
    assert [l.diff_id for l in info.image.layers] == list(bookworm.diff_ids)
    if kind == "oci-dir":
        assert [l.digest for l in info.image.layers] == list(bookworm.layer_digests)


@pytest.mark.slow
def test_cli_cyclonedx_has_labels_and_layers(bookworm: images.BuiltImage, tmp_path: Path) -> None:
    out = tmp_path / "bom.json"
    proc = _cli("-q", "sbom", bookworm.oci_dir, "-o", f"cyclonedx-json={out}", "-o", "table")
    doc = json.loads(out.read_bytes())
    _assert_labels(doc, dict(bookworm.labels))
    comps = {c["name"]: c for c in doc["components"] if c.get("purl", "").startswith("pkg:deb/")}
    assert {(n, c["version"]) for n, c in comps.items()} == {(n, v) for n, v, _ in bookworm.dpkg_packages()}
    layer_props = [v for n, v in _properties(comps["hello"]) if n.endswith("layerID")]
    assert layer_props and set(layer_props) == {bookworm.diff_ids[2]}  # every file of hello is in the last layer
    assert "hello" in proc.stdout and "2.10-3" in proc.stdout  # the table went to stdout


@pytest.mark.slow
def test_cli_output_is_byte_identical_with_source_date_epoch(bookworm: images.BuiltImage, tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    outs = []
    for i in range(2):
        out = tmp_path / f"run{i}.json"
        _cli("-q", "sbom", f"docker-archive:{bookworm.docker_archive()}", "-o", f"cyclonedx-json={out}", env=env)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert json.loads(outs[0])["metadata"]["timestamp"].startswith("2023-11-14T22:13:20")


@pytest.mark.slow
def test_sample_image_builder_is_reproducible_from_debootstrap(tmp_path: Path) -> None:
    rootfs, extras = images.bookworm_rootfs(), images.bookworm_extras()
    a = make_sample_image.build(rootfs, extras, tmp_path / "a", 1704067200)
    b = make_sample_image.build(rootfs, extras, tmp_path / "b", 1704067200)
    assert _tree_bytes(a) == _tree_bytes(b)
    assert _layer_members(a, 0) >= {"var/lib/dpkg/status", "usr/lib/os-release", "etc/debian_version"}
    assert not any(m.startswith("usr/bin/") for m in _layer_members(a, 0))  # metadata only, no binaries


# --- the embedded sample image (fast) -----------------------------------------------------------


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _blob(layout: Path, digest: str) -> bytes:
    algo, _, hexd = digest.partition(":")
    return (layout / "blobs" / algo / hexd).read_bytes()


def _manifest(layout: Path) -> tuple[dict, dict]:
    index = json.loads((layout / "index.json").read_bytes())
    manifest = json.loads(_blob(layout, index["manifests"][0]["digest"]))
    config = json.loads(_blob(layout, manifest["config"]["digest"]))
    return manifest, config


def _layer_members(layout: Path, i: int) -> set[str]:
    manifest, _ = _manifest(layout)
    with tarfile.open(fileobj=gzip.GzipFile(fileobj=__import__("io").BytesIO(_blob(layout, manifest["layers"][i]["digest"])))) as tf:
        return {m.name for m in tf}


def _extract_layer(layout: Path, i: int, dest: Path) -> Path:
    manifest, _ = _manifest(layout)
    dest.mkdir(parents=True)
    with tarfile.open(layout / "blobs" / "sha256" / manifest["layers"][i]["digest"].split(":")[1], "r:gz") as tf:
        tf.extractall(dest, filter="tar")
    return dest


def test_sample_image_is_a_valid_small_oci_layout() -> None:
    files = _tree_bytes(SAMPLE)
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    assert sum(len(b) for b in files.values()) < SAMPLE_LIMIT
    for name, data in files.items():
        if name.startswith("blobs/sha256/"):
            assert hashlib.sha256(data).hexdigest() == name.rsplit("/", 1)[1], f"{name} does not match its digest"
    index = json.loads(files["index.json"])
    (desc,) = index["manifests"]
    assert desc["annotations"]["org.opencontainers.image.ref.name"] == make_sample_image.TAG
    manifest, config = _manifest(SAMPLE)
    assert desc["size"] == len(_blob(SAMPLE, desc["digest"]))
    assert len(manifest["layers"]) == len(config["rootfs"]["diff_ids"]) == 2
    for layer, diff_id in zip(manifest["layers"], config["rootfs"]["diff_ids"], strict=True):
        blob = _blob(SAMPLE, layer["digest"])
        assert layer["size"] == len(blob) and layer["mediaType"].endswith("tar+gzip")
        assert "sha256:" + hashlib.sha256(gzip.decompress(blob)).hexdigest() == diff_id
    assert config["config"]["Labels"]["org.opencontainers.image.title"] == "assay sample image"


def test_sample_image_rebuilds_byte_identical_from_its_own_layers(tmp_path: Path) -> None:
    """tools/make_sample_image.py is deterministic: fed the sample's own layers it writes the same layers."""
    rootfs = _extract_layer(SAMPLE, 0, tmp_path / "rootfs")
    extras = _extract_layer(SAMPLE, 1, tmp_path / "extras")
    _, config = _manifest(SAMPLE)
    epoch = make_sample_image.DEFAULT_EPOCH
    assert config["created"] == "2024-01-01T00:00:00Z"
    out = make_sample_image.build(rootfs, extras, tmp_path / "out", epoch)
    # the config names the uncompressed layers' digests, so equal configs mean equal layer tars;
    # the gzip bytes (hence the manifest) may differ with another zlib version
    (old_manifest, old_config), (new_manifest, new_config) = _manifest(SAMPLE), _manifest(out)
    assert new_config == old_config
    assert _blob(out, new_manifest["config"]["digest"]) == _blob(SAMPLE, old_manifest["config"]["digest"])


def test_sample_image_dpkg_packages_equal_dpkg_query(tmp_path: Path) -> None:
    images.require("dpkg-query")
    admindir = _extract_layer(SAMPLE, 0, tmp_path / "rootfs") / "var" / "lib" / "dpkg"
    (admindir / "updates").mkdir(exist_ok=True)
    expected = images.dpkg_query(admindir)
    assert len(expected) > 80
    sbom = _sbom(f"oci-dir:{SAMPLE}")
    assert _debs(sbom) == expected
    assert sbom.distro is not None and sbom.distro.id == "debian"


def test_sample_image_cli_sbom_offline(tmp_path: Path) -> None:
    out = tmp_path / "bom.json"
    _cli("-q", "sbom", f"oci-dir:{SAMPLE}", "-o", f"cyclonedx-json={out}")
    doc = json.loads(out.read_bytes())
    _, config = _manifest(SAMPLE)
    _assert_labels(doc, config["config"]["Labels"])
    purls = {c.get("purl", "") for c in doc["components"]}
    assert any(p.startswith("pkg:deb/debian/base-files@") and "distro=debian-12" in p for p in purls), sorted(purls)[:10]
