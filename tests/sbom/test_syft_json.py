"""syft JSON: golden file, the 16.0 document shape grype reads, round trips, syft's and grype's corpus, bad input."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from assay import sbom as formats
from assay.errors import FormatError
from assay.model import Location, Package, Sbom
from assay.sbom import syft_json
from tests.conftest import corpus_path, read_expected

from ._samples import CONFIG_DIGEST, LAYER1, MANIFEST_DIGEST, sample_sbom
from .test_spdx import _awkward, _many

GOLDEN = Path(__file__).parent / "golden"

# The required properties of syft's JSON schema 16.0.0 for what the encoder writes
# (Document, Package, Location, License, SourcedCPE, Source, Relationship,
# Descriptor, Schema and the metadata entries), restated as a JSON schema.
_S = {"type": "string"}
_OBJ = {"type": "object"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


DIGEST = _obj(["algorithm", "value"], algorithm=_S, value=_S)
LOCATION = _obj(["path", "accessPath"], path=_S, layerID=_S, accessPath=_S, annotations={"type": "object", "additionalProperties": _S})
METADATA = {
    "dpkg-db-entry": _obj(
        ["package", "source", "version", "sourceVersion", "architecture", "maintainer", "installedSize", "files"],
        installedSize={"type": "integer"},
        files={"type": "array", "items": _obj(["path", "isConfigFile"], isConfigFile={"type": "boolean"})},
    ),
    "apk-db-entry": _obj(
        ["package", "originPackage", "maintainer", "version", "architecture", "url", "description", "size", "installedSize",
         "pullDependencies", "provides", "pullChecksum", "gitCommitOfApkPort", "files"],
        files={"type": "array", "items": _obj(["path"])},
        pullDependencies={"type": "array"},
    ),
    "rpm-db-entry": _obj(
        ["name", "version", "epoch", "architecture", "release", "sourceRpm", "size", "vendor", "files"],
        epoch={"type": ["integer", "null"]},
    ),
    "python-package": _obj(["name", "version", "author", "authorEmail", "platform", "sitePackagesRootPath"]),
    "javascript-npm-package": _obj(["name", "version", "author", "homepage", "description", "url", "private"], private={"type": "boolean"}),
    "java-archive": _obj(
        ["virtualPath"],
        pomProperties=_obj(["path", "name", "groupId", "artifactId", "version"]),
        digest={"type": "array", "items": DIGEST},
    ),
}
DOCUMENT = _obj(
    ["artifacts", "artifactRelationships", "source", "distro", "descriptor", "schema"],
    artifacts={
        "type": "array",
        "items": _obj(
            ["id", "name", "version", "type", "foundBy", "locations", "licenses", "language", "cpes", "purl"],
            id=_S, name=_S, version=_S, type=_S, foundBy=_S, language=_S, purl=_S,
            locations={"type": "array", "items": LOCATION},
            licenses={"type": "array", "items": _obj(["value", "spdxExpression", "type", "urls", "locations"], urls={"type": "array"}, locations={"type": "array", "items": LOCATION})},
            cpes={"type": "array", "items": _obj(["cpe"], cpe=_S, source=_S)},
            metadataType=_S,
        ),
    },
    artifactRelationships={"type": "array", "items": _obj(["parent", "child", "type"], parent=_S, child=_S, type=_S)},
    source=_obj(["id", "name", "version", "type", "metadata"], id=_S, name=_S, version=_S, type=_S),
    distro={"type": "object", "properties": {"idLike": {"type": "array", "items": _S}, "id": _S, "versionID": _S}},
    descriptor=_obj(["name", "version"], name=_S, version=_S),
    schema=_obj(["version", "url"], version=_S, url={"type": "string", "pattern": "anchore/syft"}),
)


def _check_shape(doc: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(doc, DOCUMENT)
    for art in doc["artifacts"]:
        if "metadataType" in art:
            assert art["metadataType"] in METADATA, art["metadataType"]
            jsonschema.validate(art["metadata"], METADATA[art["metadataType"]])


def _doc(sbom: Sbom) -> dict[str, Any]:
    return json.loads(syft_json.encode(sbom))


def test_golden() -> None:
    got = syft_json.encode(sample_sbom())
    path = GOLDEN / "syft-16.0.0.json"
    if os.environ.get("ASSAY_UPDATE_GOLDEN") == "1":
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{path.name} differs: rerun with ASSAY_UPDATE_GOLDEN=1 if the change is intended"


@pytest.mark.parametrize("index", range(4))
def test_document_has_the_16_0_shape(index: int) -> None:
    s = sample_sbom() if index == 3 else _awkward()[index]
    _check_shape(_doc(s))


def test_shape_check_is_not_a_rubber_stamp() -> None:
    pytest.importorskip("jsonschema")
    doc = _doc(sample_sbom())
    del doc["artifacts"][0]["foundBy"]
    with pytest.raises(Exception, match="foundBy"):
        _check_shape(doc)


def test_document_content() -> None:
    s = sample_sbom()
    doc = _doc(s)
    assert doc["schema"] == {"version": "16.0.0", "url": "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.0.json"}
    assert doc["descriptor"] == {"name": "assay", "version": "0.1.0"}
    assert doc["distro"] == {
        "prettyName": "Debian GNU/Linux 12 (bookworm)", "name": "Debian GNU/Linux", "id": "debian", "version": "12 (bookworm)",
        "versionID": "12", "versionCodename": "bookworm", "homeURL": "https://www.debian.org/",
    }
    src = doc["source"]
    assert (src["id"], src["name"], src["type"]) == (MANIFEST_DIGEST[7:], "registry.example.com/acme/app:1.2.3", "image")
    meta = src["metadata"]
    assert (meta["manifestDigest"], meta["imageID"], meta["userInput"]) == (MANIFEST_DIGEST, CONFIG_DIGEST, "registry:registry.example.com/acme/app:1.2.3")
    assert meta["layers"][0] == {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": LAYER1, "size": 29_000_000}
    assert meta["labels"]["org.opencontainers.image.revision"] == "0123456789abcdef0123456789abcdef01234567"
    arts = {a["name"]: a for a in doc["artifacts"]}
    libc = arts["libc6"]
    assert libc["id"] == next(p.id for p in s.packages if p.name == "libc6")
    assert libc["locations"][0] == {"path": "/var/lib/dpkg/status", "layerID": LAYER1, "accessPath": "/var/lib/dpkg/status", "annotations": {"evidence": "primary"}}
    assert libc["locations"][1]["annotations"] == {"evidence": "supporting"}
    assert libc["licenses"][0] == {"value": "GPL-2", "spdxExpression": "GPL-2.0-only", "type": "declared", "urls": [], "locations": [{"path": "/usr/share/doc/libc6/copyright", "accessPath": "/usr/share/doc/libc6/copyright"}]}
    assert libc["cpes"][0] == {"cpe": "cpe:2.3:a:libc6:libc6:2.36-9\\+deb12u4:*:*:*:*:*:*:*"}
    assert libc["metadataType"] == "dpkg-db-entry"
    assert (libc["metadata"]["source"], libc["metadata"]["architecture"], libc["metadata"]["maintainer"]) == (
        "glibc", "amd64", "GNU Libc Maintainers <debian-glibc@lists.debian.org>")
    assert {"path": "/lib/x86_64-linux-gnu/libc.so.6", "isConfigFile": False} in libc["metadata"]["files"]
    vim = arts["vim-minimal"]["metadata"]
    assert (vim["version"], vim["release"], vim["epoch"], vim["sourceRpm"]) == ("9.0", "1.cm2", 2, "vim-9.0-1.cm2.src.rpm")
    assert _doc(Sbom(packages=(Package(name="a", version="1-2", type="rpm", source_name="a", source_version="1-2"),)))["artifacts"][0]["metadata"]["sourceRpm"] == "a-1-2.src.rpm"
    assert arts["busybox"]["metadata"]["originPackage"] == "busybox"
    assert arts["requests"]["metadata"]["author"] == "Kenneth Reitz" and arts["requests"]["metadata"]["authorEmail"] == "me@kennethreitz.org"
    assert arts["requests"]["locations"][0]["accessPath"] == "/usr/lib/python3.11/dist-packages/requests-2.31.0.dist-info/METADATA"
    ids = {p.name: p.id for p in s.packages}
    assert {"parent": ids["libc6"], "child": ids["libssl3"], "type": "dependency-of"} in doc["artifactRelationships"]
    assert {"parent": ids["lodash"], "child": ids["@acme/app"], "type": "dependency-of", "metadata": {"scope": "dev"}} in doc["artifactRelationships"]


def test_directory_and_file_sources() -> None:
    d = _doc(_awkward()[0])["source"]
    assert (d["type"], d["metadata"]) == ("directory", {"path": "/src"})
    f = _doc(_awkward()[1])["source"]
    assert f["type"] == "file" and f["metadata"] == {"path": "/tmp/app.tar", "digests": [{"algorithm": "sha256", "value": "12" * 32}]}
    assert _doc(_awkward()[2])["source"]["type"] == "unknown" and _doc(_awkward()[2])["distro"] == {}


def test_output_is_deterministic() -> None:
    a = sample_sbom()
    b = Sbom(packages=tuple(reversed(a.packages)), relationships=a.relationships, source=a.source, distro=a.distro, created=a.created, tool_version="0.1.0")
    assert syft_json.encode(a) == syft_json.encode(b) == syft_json.encode(sample_sbom())


# what syft JSON has a place for (dev, and homepage/digests outside apk/npm/java metadata, are not)
SYFT_FIELDS = ("name", "version", "type", "found_by", "purl", "cpes", "language", "layer", "locations", "id", "arch", "epoch", "source_name", "source_version")


def test_round_trip_restores_the_model() -> None:
    s = sample_sbom()
    data = syft_json.encode(s)
    back = syft_json.decode(data)
    for x, y in zip(s.packages, back.packages, strict=True):
        for f in SYFT_FIELDS:
            assert getattr(x, f) == getattr(y, f), (x.name, f)
        assert [(l.value, l.best, l.location) for l in x.licenses] == [(l.value, l.best, l.location) for l in y.licenses]
        if x.type in ("deb", "apk", "rpm"):
            assert (x.supplier, x.files) == (y.supplier, y.files)
    by = {p.name: p for p in back.packages}
    assert by["requests"].author == "Kenneth Reitz <me@kennethreitz.org>"
    assert by["busybox"].homepage == "https://busybox.net/"
    assert back.distro == s.distro
    assert back.relationships == s.relationships
    img, orig = back.source.image, s.source.image
    assert img is not None and orig is not None
    assert (back.source.kind, back.source.name, back.source.input, back.source.digest) == ("image", s.source.name, s.source.input, s.source.digest)
    assert (img.manifest_digest, img.config_digest, img.tags, img.labels, img.architecture) == (
        orig.manifest_digest, orig.config_digest, orig.tags, orig.labels, orig.architecture)
    assert [l.diff_id for l in img.layers] == [l.diff_id for l in orig.layers]
    assert (back.tool_name, back.tool_version) == ("assay", "0.1.0")
    assert syft_json.encode(back) == data


def test_metadata_from_catalogers_is_kept_when_it_fits() -> None:
    p = Package(name="curl", version="1:7.76.0-6.cm2", type="rpm", epoch=1, metadata={"modularity_label": "curl:7", "size": 123, "vendor": 5})
    meta = _doc(Sbom(packages=(p,)))["artifacts"][0]["metadata"]
    assert (meta["version"], meta["release"], meta["epoch"], meta["size"], meta["vendor"]) == ("7.76.0", "6.cm2", 1, 123, "")
    assert "modularity_label" not in meta and "modularityLabel" not in meta  # not a field of the rpm-db-entry shape


def test_identify() -> None:
    data = syft_json.encode(sample_sbom())
    assert syft_json.identify(data) == "16.0.0"
    assert syft_json.identify(b'{"schema": {"version": "1.0.0", "url": "https://example.com/other"}}') is None
    assert syft_json.identify(b"{}") is None
    fmt, version, s = formats.decode(data)
    assert (fmt.name, version, len(s.packages)) == ("syft-json", "16.0.0", len(sample_sbom().packages))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"bogus!", "not valid JSON"),
        (b"{}", "not a syft JSON document"),
        (b'{"schema": {"version": "16.0.0", "url": "anchore/syft"}, "artifacts": {}}', "artifacts: must be a list"),
        (b'{"schema": {"version": "16.0.0", "url": "anchore/syft"}, "artifacts": [{"name": ""}]}', r"artifacts\[0\]: artifact without a name"),
        (b'{"schema": {"version": "16.0.0", "url": "anchore/syft"}, "artifacts": [{"name": "a", "cpes": [1]}]}', r"cpes\[0\]"),
        (b'{"schema": {"version": "16.0.0", "url": "anchore/syft"}, "artifacts": [{"name": "a", "version": {}}]}', "version must be a string"),
    ],
)
def test_bad_input_is_a_one_line_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as err:
        syft_json.decode(data)
    assert "\n" not in err.value.diagnostics()


def test_encode_refuses_other_schemas() -> None:
    with pytest.raises(FormatError):
        syft_json.encode(sample_sbom(), "11.0.0")


def test_encoding_5000_packages_is_fast() -> None:
    big = _many(5000)
    start = time.perf_counter()
    data = syft_json.encode(big)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{elapsed:.2f}s"  # measured ~0.1s; the bound only catches blow-ups
    assert len(syft_json.decode(data).packages) == 5000


# --------------------------------------------------------------------- syft's and grype's corpus


def _rows() -> list[tuple[str, str, str]]:
    try:
        _, rows = read_expected("sbom_format_identify.tsv")
    except pytest.skip.Exception:
        return []
    return [(r[0], r[1], r[2]) for r in rows if r[1] == "syftjson"]


@pytest.mark.corpus
@pytest.mark.parametrize("row", _rows() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))])
def test_corpus_identify_and_decode(row: tuple[str, str, str]) -> None:
    path, _, version = row
    data = corpus_path("syft", *path.split("/")).read_bytes()
    assert syft_json.identify(data) == version
    got = formats.identify(data)
    assert got is not None and (got[0].name, got[1]) == ("syft-json", version)
    s = syft_json.decode(data)
    (p,) = s.packages
    assert (p.id, p.name, p.version, p.type, p.found_by) == (
        "2ff71a67fb024c86", "github.com/wagoodman/go-partybus", "v0.0.0-20230516145632-8ccac152c651", "go-module", "go-module-file-cataloger")
    assert p.locations == (Location(path="/go.mod"),) and len(p.cpes) == 2 and p.language == "go"
    assert s.source.kind == "file" and s.source.name == "go.mod" and s.source.path == ".tmp/go.mod"
    assert s.source.digest == "sha256:dc333f342905248a52e424d8dfd061251d01867d01a4f9d7397144a775ff9ebd"
    assert (s.tool_name, s.tool_version, s.distro) == ("syft", "0.91.0", None)


@pytest.mark.corpus
def test_corpus_alpine_syft() -> None:
    s = syft_json.decode(corpus_path("syft", "syft", "format", "testdata", "alpine-syft.json").read_bytes())
    assert len(s.packages) == 14 and s.distro is not None and s.distro.purl_distro == "alpine-3.14.2"
    musl = next(p for p in s.packages if p.name == "musl")
    assert (musl.type, musl.supplier, musl.source_name, musl.arch) == ("apk", "Timo Teräs <timo.teras@iki.fi>", "musl", "x86_64")
    assert musl.files and all(f.startswith("/") for f in musl.files)
    assert s.source.kind == "image" and s.source.name == "alpine:latest" and s.source.image is not None
    assert s.source.image.manifest_digest == s.source.digest and len(s.source.image.layers) == 1


@pytest.mark.corpus
def test_corpus_grype_inputs() -> None:
    base = corpus_path("grype", "grype", "pkg", "testdata")
    old = syft_json.decode((base / "sbom-with-intoto-string.json").read_bytes())  # schema 1.0.1: source.target, idLike string
    assert old.distro is not None and (old.distro.id, old.distro.version_id, old.distro.id_like) == ("ubuntu", "20.04", ("debian",))
    gcc = next(p for p in old.packages if p.name == "gcc-10-base")
    assert (gcc.source_name, gcc.arch, len(gcc.locations)) == ("gcc-10", "amd64", 3)
    assert old.source.kind == "image" and old.source.input == "ubuntu:20.04"
    eco = syft_json.decode((base / "syft-multiple-ecosystems.json").read_bytes())
    base_layout = next(p for p in eco.packages if p.name == "alpine-baselayout")
    assert [l.best for l in base_layout.licenses] == ["GPL-2.0-only"]  # plain-string licenses
    assert base_layout.cpes == ("cpe:2.3:a:alpine:alpine_baselayout:3.2.0-r6:*:*:*:*:*:*:*",)
    spring = syft_json.decode((base / "syft-spring.json").read_bytes())
    assert {p.type for p in spring.packages} == {"java-archive"}
    for bad in ("bad-sbom.json", "invalid.json"):
        with pytest.raises(FormatError):
            formats.decode((base / bad).read_bytes())


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["TestImageEncoder", "TestDirectoryEncoder", "TestEncodeFullJSONDocument"])
def test_corpus_syft_snapshots(name: str) -> None:
    data = corpus_path("syft", "syft", "format", "syftjson", "testdata", "snapshot", f"{name}.golden").read_bytes()
    assert syft_json.identify(data) is None  # syft's snapshots leave out the schema block...
    theirs = json.loads(data)
    theirs["schema"] = {"version": "16.0.0", "url": syft_json.SCHEMA_URL}  # ...which is all that is missing
    s = syft_json.decode(json.dumps(theirs).encode())
    by = {p.name: p for p in s.packages}
    assert set(by) == {"package-1", "package-2"}
    assert by["package-1"].type == "python" and [l.best for l in by["package-1"].licenses] == ["MIT"]
    assert by["package-2"].metadata["metadataType"] == "dpkg-db-entry"
    assert (s.tool_name, s.tool_version) == ("syft", "v0.42.0-bogus")
    if name == "TestImageEncoder":
        assert by["package-1"].layer == "sha256:dfefe618c89b08fef0f9c7f1a2682521dddbe03d6678f4a9fb9b078381d8eb45"
        assert s.source.kind == "image" and s.source.image is not None and len(s.source.image.layers) == 2
        assert s.distro is not None and s.distro.id_like == ("like!",)
    # our re-encoding keeps syft's metadata and the shape of every artifact
    ours = json.loads(syft_json.encode(s))
    for a, b in zip(sorted(ours["artifacts"], key=lambda x: x["id"]), sorted(theirs["artifacts"], key=lambda x: x["id"])):
        assert a["id"] == b["id"] and a["metadata"] == b["metadata"] and a["metadataType"] == b["metadataType"]
        assert set(b) <= set(a)
