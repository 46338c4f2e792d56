"""SPDX 2.2/2.3 JSON and tag-value: golden files, spdx-tools validity, round trips, syft's corpus, bad input."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from assay import sbom as formats
from assay.errors import FormatError
from assay.model import (
    Distro,
    License,
    Location,
    Package,
    Relationship,
    RelType,
    Sbom,
    SourceInfo,
)
from assay.sbom import _spdx, spdx_json, spdx_tagvalue
from tests.conftest import SHARED, corpus_path, read_expected

from ._samples import LAYER1, MANIFEST_DIGEST, sample_sbom

GOLDEN = Path(__file__).parent / "golden"
MODULES = {"json": spdx_json, "tv": spdx_tagvalue}
SUFFIX = {"json": "json", "tv": "spdx"}
VERSIONS = ("2.3", "2.2")
FIELDS = (
    "name", "version", "type", "found_by", "purl", "cpes", "supplier", "author", "description", "homepage", "arch",
    "epoch", "source_name", "source_version", "language", "dev", "layer", "locations", "digests", "id",
)


def _doc(sbom: Sbom, version: str = "2.3") -> dict:
    return json.loads(spdx_json.encode(sbom, version))


def _validate(kind: str, data: bytes, tmp_path: Path) -> None:
    """spdx-tools parses the document and its validator reports nothing."""
    pytest.importorskip("spdx_tools")
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import (
        validate_full_spdx_document,
    )

    path = tmp_path / f"doc.{'spdx.json' if kind == 'json' else 'spdx'}"
    path.write_bytes(data)
    messages = validate_full_spdx_document(parse_file(str(path)))
    assert [m.validation_message for m in messages] == []


def _awkward() -> list[Sbom]:
    """SBOMs at the edges: no packages, a directory, odd names, non-SPDX licenses, no source at all."""
    odd = Package(
        name="we ird/näme:1 (beta)",
        version="",
        type="binary",
        licenses=(License(value="Custom: see COPYING\nsecond line"), License(value="LicenseRef-Already-Ref"), License(value="MIT", spdx="MIT")),
        supplier="Jane (the maintainer) Doe <jane@example.org>",
        author="jane@example.org",
        description="<text>multi\nline</text> and trailing space ",
        homepage="not a url",
        digests=(("sha1", "not-hex"), ("sha256", "ab" * 32), ("blake3", "cd" * 32)),
        cpes=("cpe:/a:vendor:product:1.0",),
        locations=(Location(path="/usr/bin/odd"),),
    )
    dep = Package(name="dep", version="1", type="go-module", purl="pkg:golang/example.com/dep@1")
    return [
        Sbom(source=SourceInfo(kind="directory", path="/src", name="/src"), created="2024-01-01T00:00:00.123+02:00"),
        Sbom(
            packages=(odd, dep),
            relationships=(
                Relationship(source=odd.id, target=dep.id, type=RelType.OPTIONAL_DEPENDS_ON),
                Relationship(source=odd.id, target="missing", type=RelType.DEPENDS_ON),
                Relationship(source="root", target=dep.id, type=RelType.CONTAINS),
            ),
            source=SourceInfo(kind="file", name="app.tar", path="/tmp/app.tar", digest="sha256:" + "12" * 32),
            distro=Distro(id="alpine", version_id="3.19.1", cpe_name="cpe:2.3:o:alpinelinux:alpine_linux:3.19.1:*:*:*:*:*:*:*"),
        ),
        Sbom(packages=(dep,)),
    ]


# --------------------------------------------------------------------- golden, validity, determinism


@pytest.mark.parametrize("kind", ["json", "tv"])
@pytest.mark.parametrize("version", VERSIONS)
def test_golden(kind: str, version: str) -> None:
    got = MODULES[kind].encode(sample_sbom(), version)
    path = GOLDEN / f"spdx-{version}.{SUFFIX[kind]}"
    if os.environ.get("ASSAY_UPDATE_GOLDEN") == "1":
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{path.name} differs: rerun with ASSAY_UPDATE_GOLDEN=1 if the change is intended"


@pytest.mark.parametrize("kind", ["json", "tv"])
@pytest.mark.parametrize("version", VERSIONS)
def test_spdx_tools_finds_no_errors(kind: str, version: str, tmp_path: Path) -> None:
    _validate(kind, MODULES[kind].encode(sample_sbom(), version), tmp_path)


@pytest.mark.parametrize("kind", ["json", "tv"])
@pytest.mark.parametrize("index", range(3))
def test_spdx_tools_finds_no_errors_in_awkward_sboms(kind: str, index: int, tmp_path: Path) -> None:
    _validate(kind, MODULES[kind].encode(_awkward()[index], "2.3"), tmp_path)


def test_output_is_deterministic() -> None:
    a = sample_sbom()
    b = Sbom(
        packages=tuple(reversed(a.packages)),
        relationships=tuple(reversed(a.relationships)),
        source=a.source,
        distro=a.distro,
        created=a.created,
        tool_name=a.tool_name,
        tool_version=a.tool_version,
    )
    for mod in MODULES.values():
        assert mod.encode(a, "2.3") == mod.encode(b, "2.3") == mod.encode(sample_sbom(), "2.3")


def test_namespace_is_derived_from_the_content() -> None:
    s = sample_sbom()
    ns = _doc(s)["documentNamespace"]
    assert ns == f"https://assay.dev/spdxdocs/image/registry.example.com-acme-app-1.2.3-{s.serial_uuid}"
    other = Sbom(packages=s.packages[1:], source=s.source, created=s.created)
    assert _doc(other)["documentNamespace"] != ns


# --------------------------------------------------------------------- content


def test_document_describes_the_image() -> None:
    doc = _doc(sample_sbom())
    assert doc["spdxVersion"] == "SPDX-2.3" and doc["dataLicense"] == "CC0-1.0" and doc["SPDXID"] == "SPDXRef-DOCUMENT"
    assert doc["name"] == "registry.example.com/acme/app:1.2.3"
    assert doc["creationInfo"] == {"creators": ["Organization: assay", "Tool: assay-0.1.0"], "created": "2024-01-02T03:04:05Z"}
    root = doc["packages"][0]
    assert root["SPDXID"] == "SPDXRef-DocumentRoot-Image-registry.example.com-acme-app-1.2.3"
    assert {"spdxElementId": "SPDXRef-DOCUMENT", "relatedSpdxElement": root["SPDXID"], "relationshipType": "DESCRIBES"} in doc["relationships"]
    assert root["versionInfo"] == MANIFEST_DIGEST
    assert root["checksums"] == [{"algorithm": "SHA256", "checksumValue": MANIFEST_DIGEST[7:]}]
    assert root["primaryPackagePurpose"] == "CONTAINER"
    assert root["downloadLocation"] == "https://github.com/acme/app"
    assert root["sourceInfo"] == "image built from https://github.com/acme/app at revision 0123456789abcdef0123456789abcdef01234567"
    assert root["builtDate"] == "2024-01-01T12:00:00Z"
    purl = root["externalRefs"][0]
    assert purl["referenceType"] == "purl"
    assert purl["referenceLocator"] == (
        f"pkg:oci/app@sha256%3A{MANIFEST_DIGEST[7:]}?arch=amd64&repository_url=registry.example.com/acme/app&tag=1.2.3"
    )
    notes = [a["comment"] for a in root["annotations"]]
    for expected in (
        "assay:image:label:org.opencontainers.image.revision=0123456789abcdef0123456789abcdef01234567",
        "assay:image:label:org.opencontainers.image.source=https://github.com/acme/app",
        "assay:image:label:org.opencontainers.image.created=2024-01-01T12:00:00Z",
        f"assay:image:manifest-digest={MANIFEST_DIGEST}",
        "assay:image:config-digest=sha256:" + "c0" * 32,
        "assay:image:tag=registry.example.com/acme/app:latest",
        f"assay:image:layer=sha256:{'b1' * 32} {LAYER1} 29000000 application/vnd.oci.image.layer.v1.tar+gzip",
    ):
        assert expected in notes
    assert all(a["annotator"] == "Tool: assay-0.1.0" and a["annotationType"] == "OTHER" for a in root["annotations"])


def test_distro_is_an_operating_system_package() -> None:
    doc = _doc(sample_sbom())
    os_pkg = doc["packages"][1]
    assert (os_pkg["name"], os_pkg["versionInfo"], os_pkg["primaryPackagePurpose"]) == ("debian", "12", "OPERATING-SYSTEM")
    assert os_pkg["SPDXID"] == "SPDXRef-OperatingSystem-debian-12"
    assert os_pkg["description"] == "Debian GNU/Linux 12 (bookworm)"
    root = doc["packages"][0]["SPDXID"]
    assert {"spdxElementId": root, "relatedSpdxElement": os_pkg["SPDXID"], "relationshipType": "CONTAINS"} in doc["relationships"]


def test_packages_carry_ntia_fields() -> None:
    doc = _doc(sample_sbom())
    by_name = {p["name"]: p for p in doc["packages"][2:]}
    libc = by_name["libc6"]
    assert libc["SPDXID"] == f"SPDXRef-Package-deb-libc6-{next(p.id for p in sample_sbom().packages if p.name == 'libc6')}"
    assert libc["versionInfo"] == "2.36-9+deb12u4"
    assert libc["supplier"] == "Organization: GNU Libc Maintainers (debian-glibc@lists.debian.org)"
    assert libc["downloadLocation"] == "NOASSERTION" and libc["filesAnalyzed"] is False
    assert libc["licenseConcluded"] == "NOASSERTION" and libc["copyrightText"] == "NOASSERTION"
    assert libc["licenseDeclared"] == "GPL-2.0-only AND LGPL-2.1-only"
    assert libc["sourceInfo"] == "acquired package info from DPKG DB: /var/lib/dpkg/status, /usr/share/doc/libc6/copyright"
    refs = {(r["referenceCategory"], r["referenceType"], r["referenceLocator"]) for r in libc["externalRefs"]}
    assert ("PACKAGE-MANAGER", "purl", "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc") in refs
    assert ("SECURITY", "cpe23Type", "cpe:2.3:a:gnu:glibc:2.36-9\\+deb12u4:*:*:*:*:*:*:*") in refs
    notes = [a["comment"] for a in libc["annotations"]]
    assert "assay:found-by=dpkg-db-cataloger" in notes and f"assay:layer={LAYER1}" in notes
    assert by_name["busybox"]["supplier"] == "Person: Sören Tempel (soeren+alpine@soeren-tempel.net)"
    assert by_name["requests"]["originator"] == "Person: Kenneth Reitz (me@kennethreitz.org)"
    assert by_name["requests"]["checksums"] == [{"algorithm": "SHA256", "checksumValue": "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"}]
    assert by_name["vim-minimal"]["supplier"] == "Organization: Microsoft Corporation"
    assert by_name["urllib3"]["supplier"] == "NOASSERTION"


def test_non_spdx_licenses_become_license_refs_with_their_text() -> None:
    doc = _doc(sample_sbom())
    by_name = {p["name"]: p for p in doc["packages"]}
    assert by_name["@acme/app"]["licenseDeclared"] == "LicenseRef-SEE-LICENSE-IN-LICENSE.md"
    assert by_name["lodash"]["licenseDeclared"] == "MIT OR Apache-2.0"
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert extracted["LicenseRef-SEE-LICENSE-IN-LICENSE.md"]["extractedText"] == "SEE LICENSE IN LICENSE.md"
    used = {ref for p in doc["packages"] for ref in _spdx._LICENSE_REF.findall(p["licenseDeclared"])}
    assert used == set(extracted)


def test_relationships() -> None:
    s = sample_sbom()
    doc = _doc(s)
    ids = {p.name: _spdx.package_spdx_id(p) for p in s.packages}
    rels = doc["relationships"]
    assert rels[0]["relationshipType"] == "DESCRIBES"
    contains = [r["relatedSpdxElement"] for r in rels if r["relationshipType"] == "CONTAINS"]
    assert set(ids.values()) | {"SPDXRef-OperatingSystem-debian-12"} == set(contains)
    deps = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in rels if r["relationshipType"] != "CONTAINS"}
    assert (ids["libssl3"], "DEPENDS_ON", ids["libc6"]) in deps
    assert (ids["requests"], "DEPENDS_ON", ids["urllib3"]) in deps
    assert (ids["lodash"], "DEV_DEPENDENCY_OF", ids["@acme/app"]) in deps
    assert len(deps) == 4  # the three edges and DESCRIBES


def test_relationships_to_unknown_packages_are_dropped_and_optional_edges_kept() -> None:
    s = _awkward()[1]
    doc = _doc(s)
    odd, dep = (_spdx.package_spdx_id(p) for p in sorted(s.packages, key=lambda p: p.name != "we ird/näme:1 (beta)"))
    deps = [(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"] if r["relationshipType"] not in ("CONTAINS", "DESCRIBES")]
    assert deps == [(dep, "OPTIONAL_DEPENDENCY_OF", odd)]
    assert "we-ird-n-me-1--beta-" in odd


def test_version_2_2_leaves_out_2_3_fields() -> None:
    doc = _doc(sample_sbom(), "2.2")
    assert doc["spdxVersion"] == "SPDX-2.2"
    assert not any("primaryPackagePurpose" in p or "builtDate" in p for p in doc["packages"])
    back = spdx_json.decode(spdx_json.encode(sample_sbom(), "2.2"))
    assert back.source.kind == "image" and back.distro is not None and back.distro.id == "debian"


def test_awkward_values() -> None:
    s = _awkward()[1]
    doc = _doc(s)
    odd = next(p for p in doc["packages"] if p["name"].startswith("we ird"))
    assert odd["supplier"] == "Person: Jane the maintainer Doe (jane@example.org)"
    assert odd["originator"] == "Person: jane@example.org (jane@example.org)"
    assert "homepage" not in odd  # not a URL
    assert odd["checksums"] == [{"algorithm": "SHA256", "checksumValue": "ab" * 32}]  # not hex, or too short for spdx-tools
    assert odd["licenseDeclared"] == "LicenseRef-Custom--see-COPYING-second-line AND LicenseRef-Already-Ref AND MIT"
    assert {"referenceCategory": "SECURITY", "referenceType": "cpe22Type", "referenceLocator": "cpe:/a:vendor:product:1.0"} in odd["externalRefs"]
    assert "versionInfo" not in odd
    root = doc["packages"][0]
    assert root["SPDXID"] == "SPDXRef-DocumentRoot-File-app.tar" and root["primaryPackagePurpose"] == "FILE"
    assert _doc(_awkward()[0])["creationInfo"]["created"] == "2023-12-31T22:00:00Z"
    assert _doc(_awkward()[2])["packages"][0]["SPDXID"] == "SPDXRef-DocumentRoot-Unknown-unknown"


def test_tag_value_wraps_multi_line_text() -> None:
    text = spdx_tagvalue.encode(_awkward()[1], "2.3").decode()
    assert "PackageDescription: <text><\u200b/text>" not in text
    assert "PackageDescription: <text><text>multi\nline<\u200b/text> and trailing space </text>" in text
    assert "ExtractedText: <text>Custom: see COPYING\nsecond line</text>" in text
    assert "PackageName: we ird/näme:1 (beta)" in text
    back = spdx_tagvalue.decode(text.encode())
    odd = next(p for p in back.packages if p.name.startswith("we ird"))
    assert odd.description == "<text>multi\nline<\u200b/text> and trailing space "
    assert odd.licenses[0].value == "Custom: see COPYING\nsecond line"


# --------------------------------------------------------------------- round trips


def _same_packages(a: Sbom, b: Sbom) -> None:
    assert len(a.packages) == len(b.packages)
    for x, y in zip(a.packages, b.packages):
        for f in FIELDS:
            assert getattr(x, f) == getattr(y, f), (x.name, f)
        assert [l.best for l in x.licenses] == [l.best for l in y.licenses], x.name


@pytest.mark.parametrize("kind", ["json", "tv"])
@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_restores_the_model(kind: str, version: str) -> None:
    s = sample_sbom()
    back = MODULES[kind].decode(MODULES[kind].encode(s, version))
    _same_packages(s, back)
    assert back.source == s.source
    assert back.distro == s.distro
    assert back.relationships == s.relationships
    assert (back.created, back.tool_name, back.tool_version) == (s.created, "assay", "0.1.0")


@pytest.mark.parametrize("kind", ["json", "tv"])
@pytest.mark.parametrize("index", range(3))
def test_round_trip_is_byte_identical(kind: str, index: int) -> None:
    mod = MODULES[kind]
    s = _awkward()[index] if index else sample_sbom()
    data = mod.encode(s, "2.3")
    again = mod.encode(mod.decode(data), "2.3")
    if index != 1:  # the second awkward SBOM has edges to unknown ids, which are not written
        assert again == data
    assert mod.encode(mod.decode(again), "2.3") == again


def test_json_and_tag_value_say_the_same() -> None:
    s = sample_sbom()
    a = spdx_json.decode(spdx_json.encode(s, "2.3"))
    b = spdx_tagvalue.decode(spdx_tagvalue.encode(s, "2.3"))
    assert spdx_json.encode(a, "2.3") == spdx_json.encode(b, "2.3")
    assert spdx_tagvalue.parse(spdx_tagvalue.encode(s, "2.3").decode())["packages"] == _doc(s)["packages"]


# --------------------------------------------------------------------- decoding other tools' documents


FOREIGN = {
    "spdxVersion": "SPDX-2.3",
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "alpine:3.19",
    "creationInfo": {"creators": ["Tool: trivy-0.50.1", "Organization: aquasecurity"], "created": "2024-03-01T00:00:00Z"},
    "documentDescribes": ["SPDXRef-ContainerImage-1"],
    "packages": [
        {"name": "alpine:3.19", "SPDXID": "SPDXRef-ContainerImage-1", "primaryPackagePurpose": "CONTAINER", "versionInfo": "sha256:" + "ee" * 32},
        {"name": "alpine", "SPDXID": "SPDXRef-OperatingSystem-1", "versionInfo": "3.19.1", "primaryPackagePurpose": "OPERATING-SYSTEM"},
        {
            "name": "musl",
            "SPDXID": "SPDXRef-Package-1",
            "versionInfo": "1.2.4_git20230717-r4",
            "supplier": "Person: Timo Teräs (timo.teras@iki.fi)",
            "licenseDeclared": "MIT AND (GPL-2.0-only OR LicenseRef-x)",
            "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&upstream=musl&distro=3.19.1"}],
            "checksums": [{"algorithm": "SHA1", "checksumValue": "aa" * 20}],
        },
        {"name": "musl-utils", "SPDXID": "SPDXRef-Package-2", "versionInfo": "1", "licenseConcluded": "BSD-2-Clause"},
    ],
    "hasExtractedLicensingInfos": [{"licenseId": "LicenseRef-x", "extractedText": "x"}],
    "relationships": [
        {"spdxElementId": "SPDXRef-ContainerImage-1", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-Package-1"},
        {"spdxElementId": "SPDXRef-Package-1", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-Package-2"},
        {"spdxElementId": "SPDXRef-Package-2", "relationshipType": "CONTAINED_BY", "relatedSpdxElement": "SPDXRef-Package-1"},
    ],
}


def test_decode_foreign_json() -> None:
    s = spdx_json.decode(json.dumps(FOREIGN).encode())
    assert (s.tool_name, s.tool_version, s.created) == ("trivy", "0.50.1", "2024-03-01T00:00:00Z")
    assert s.source.kind == "image" and s.source.name == "alpine:3.19" and s.source.digest == "sha256:" + "ee" * 32
    assert s.distro is not None and (s.distro.id, s.distro.version_id) == ("alpine", "3.19.1")
    musl, utils = s.packages
    assert (musl.name, musl.type, musl.arch, musl.source_name, musl.supplier) == ("musl", "apk", "x86_64", "musl", "Timo Teräs <timo.teras@iki.fi>")
    assert [l.value for l in musl.licenses] == ["MIT", "GPL-2.0-only OR LicenseRef-x"]
    assert musl.digests == (("sha1", "aa" * 20),)
    assert [l.best for l in utils.licenses] == ["BSD-2-Clause"] and utils.type == "unknown"
    assert set(s.relationships) == {
        Relationship(source=utils.id, target=musl.id, type=RelType.DEPENDS_ON),
        Relationship(source=musl.id, target=utils.id, type=RelType.CONTAINS),
    }


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("json", b"bogus!", "spdx-json: not valid JSON"),
        ("json", b"[1, 2]", "not an SPDX JSON document"),
        ("json", b'{"spdxVersion": "SPDX-2.3", "packages": {}}', "packages must be a list"),
        ("json", b'{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a"}]}', r"packages\[0\] \(SPDXRef-a\): missing name"),
        ("json", b'{"spdxVersion": "SPDX-2.3", "packages": [{"SPDXID": "SPDXRef-a", "name": "a", "filesAnalyzed": "false"}]}', "filesAnalyzed must be true or false"),
        ("json", b'{"spdxVersion": "SPDX-2.3", "creationInfo": {"creators": [{"Person": "x"}]}}', r"creators\[0\]: must be a string"),
        ("json", b'{"spdxVersion": "SPDX-3.0"}', "unsupported version"),
        ("tv", b"not an sbom!", "not an SPDX tag-value document"),
        ("tv", b"SPDXVersion: SPDX-2.3\nthis line is no tag\n", "line 2: expected 'Tag: value'"),
        ("tv", b"SPDXVersion: SPDX-2.3\nPackageName: a\nSPDXID: SPDXRef-a\nFilesAnalyzed: maybe\n", "line 4: FilesAnalyzed must be true or false"),
        ("tv", b"SPDXVersion: SPDX-2.3\nPackageName: a\nPackageDescription: <text>never closed\n", "line 3: <text> for PackageDescription is never closed"),
        ("tv", b"SPDXVersion: SPDX-2.3\nRelationship: A CONTAINS\n", "Relationship needs 'A TYPE B'"),
    ],
)
def test_bad_input_is_a_one_line_format_error(kind: str, data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as err:
        MODULES[kind].decode(data)
    assert "\n" not in err.value.diagnostics()


def test_encode_refuses_unknown_versions() -> None:
    with pytest.raises(FormatError, match="2.1"):
        spdx_json.encode(sample_sbom(), "2.1")
    with pytest.raises(FormatError, match="not supported"):
        formats.get_format("spdx-json").encode(sample_sbom(), "2.1")


def test_identify() -> None:
    s = sample_sbom()
    assert spdx_json.identify(spdx_json.encode(s, "2.3")) == "2.3"
    assert spdx_json.identify(spdx_json.encode(s, "2.2")) == "2.2"
    assert spdx_tagvalue.identify(spdx_tagvalue.encode(s, "2.2")) == "2.2"
    assert spdx_tagvalue.identify(b"# comment\n\nSPDXVersion: SPDX-2.1\n") == "2.1"
    assert spdx_json.identify(spdx_tagvalue.encode(s, "2.3")) is None
    assert spdx_tagvalue.identify(spdx_json.encode(s, "2.3")) is None
    assert spdx_json.identify(b'{"spdxVersion": "SPDX-3.0"}') is None
    assert spdx_tagvalue.identify(b"PackageName: x\nSPDXVersion: SPDX-2.3\n") is None
    for spec, version in (("spdx-json", "2.3"), ("spdx-tag-value", "2.2")):
        fmt, got, _ = formats.decode(formats.encode(s, f"{spec}@{version}"))
        assert (fmt.name, got) == (spec, version)


# --------------------------------------------------------------------- performance


def _many(n: int) -> Sbom:
    base = sample_sbom()
    pkgs = []
    for i in range(n):
        p = base.packages[i % len(base.packages)]
        pkgs.append(p.evolve(name=f"{p.name}-{i}", purl=f"pkg:generic/{p.name.lstrip('@')}-{i}@{p.version}"))
    rels = tuple(Relationship(source=pkgs[i].id, target=pkgs[i + 1].id) for i in range(0, n - 1, 2))
    return Sbom(packages=tuple(pkgs), relationships=rels, source=base.source, distro=base.distro, created=base.created)


@pytest.mark.parametrize("kind", ["json", "tv"])
def test_encoding_5000_packages_is_fast(kind: str) -> None:
    big = _many(5000)
    start = time.perf_counter()
    data = MODULES[kind].encode(big, "2.3")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{kind}: {elapsed:.2f}s"  # measured ~0.15-0.2s; the bound only catches blow-ups
    back = MODULES[kind].decode(data)
    assert len(back.packages) == 5000 and len(back.relationships) == 2500


# --------------------------------------------------------------------- syft's corpus


def _identify_rows() -> list[tuple[str, str, str]]:
    try:
        _, rows = read_expected("sbom_format_identify.tsv")
    except pytest.skip.Exception:
        return []
    return [(r[0], r[1], r[2]) for r in rows if r[1] in ("spdxjson", "spdxtagvalue") and not r[2].startswith("3")]


@pytest.mark.corpus
@pytest.mark.parametrize("row", _identify_rows() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))])
def test_corpus_identify_and_decode(row: tuple[str, str, str]) -> None:
    path, fmt, version = row
    data = corpus_path("syft", *path.split("/")).read_bytes()
    mod, other = (spdx_json, spdx_tagvalue) if fmt == "spdxjson" else (spdx_tagvalue, spdx_json)
    assert mod.identify(data) == version
    assert other.identify(data) is None
    got = formats.identify(data)
    assert got is not None and got[0].module == mod.__name__.rsplit(".", 1)[1] and got[1] == version
    s = mod.decode(data)
    assert [(p.name, p.version, p.type) for p in s.packages] == [
        ("github.com/wagoodman/go-partybus", "v0.0.0-20230516145632-8ccac152c651", "go-module")
    ]
    p = s.packages[0]
    assert p.purl == "pkg:golang/github.com/wagoodman/go-partybus@v0.0.0-20230516145632-8ccac152c651"
    assert p.id == "2ff71a67fb024c86" and len(p.cpes) == 2
    assert p.locations == (Location(path="/go.mod"),)
    assert s.source.kind == "file" and s.source.name == "go.mod"
    assert s.source.digest == "sha256:dc333f342905248a52e424d8dfd061251d01867d01a4f9d7397144a775ff9ebd"
    assert (s.tool_name, s.tool_version) == ("syft", "0.91.0")


def _bad_files() -> list[str]:
    try:
        base = corpus_path("syft", "syft", "format")
    except pytest.skip.Exception:
        return []
    files = sorted(base.glob("spdxjson/testdata/spdx/bad/*")) + [base / "spdxtagvalue" / "testdata" / "bad-sbom"]
    return [str(f.relative_to(base)) for f in files]


@pytest.mark.corpus
@pytest.mark.parametrize("name", _bad_files() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))])
def test_corpus_bad_sboms_are_rejected(name: str) -> None:
    data = corpus_path("syft", "syft", "format", *name.split("/")).read_bytes()
    with pytest.raises(FormatError) as err:
        formats.decode(data)
    assert "\n" not in err.value.diagnostics()
    for mod in MODULES.values():
        with pytest.raises(FormatError):
            mod.decode(data)


@pytest.mark.corpus
def test_corpus_good_twins_of_the_bad_samples_decode() -> None:
    base = corpus_path("syft", "syft", "format", "spdxjson", "testdata", "spdx")
    golang = spdx_json.decode((base / "example7-golang.spdx.json").read_bytes())
    assert sorted((p.name, p.version) for p in golang.packages) == [("go", "1.16.4"), ("go1.16.4.linux-amd64", "1.16.4")]
    lic = next(p for p in golang.packages if p.name == "go1.16.4.linux-amd64").licenses
    assert [l.value for l in lic] == ["LicenseRef-Golang-BSD-plus-Patents"]
    third = spdx_json.decode((base / "example7-third-party-modules.spdx.json").read_bytes())
    assert sorted(p.name for p in third.packages) == ["golang.org/x/text", "rsc.io/quote", "rsc.io/sampler"]
    syft = spdx_json.decode((base / "alpine-3.10.syft.spdx.json").read_bytes())
    busybox = next(p for p in syft.packages if p.name == "busybox")
    assert (busybox.version, busybox.type, busybox.arch) == ("1.30.1-r5", "apk", "x86_64")
    assert busybox.author == "Natanael Copa <ncopa@alpinelinux.org>" and [l.best for l in busybox.licenses] == ["GPL-2.0-only"]
    assert busybox.locations == (Location(path="/lib/apk/db/installed"),)


@pytest.mark.corpus
def test_corpus_tag_value_sample() -> None:
    s = spdx_tagvalue.decode(corpus_path("syft", "syft", "format", "spdxtagvalue", "testdata", "tag-value.spdx").read_bytes())
    assert [(p.name, p.version, p.type) for p in s.packages][:1] == [("busybox", "1.31.1-r19", "apk")]
    busybox = s.packages[0]
    assert busybox.author == "Natanael Copa <ncopa@alpinelinux.org>" and busybox.description.startswith("Size optimized")
    assert busybox.purl == "pkg:apk/alpine/busybox@1.31.1-r19?arch=x86_64&upstream=busybox&distro=alpine-3.12.5"
    jars = [p for p in s.packages if p.name == "my-app"]
    assert len(jars) == 2 and {p.id for p in jars} == {"4e39fdbdf089a141", "ad62c29113227c17"}
    assert jars[0].digests in ((("sha1", "11d42fc32de6a699c5705f6e58d2e387c5e9c8b5"),), ())


@pytest.mark.corpus
@pytest.mark.parametrize("kind", ["json", "tv"])
@pytest.mark.parametrize("name", ["ImageEncoder", "DirectoryEncoder"])
def test_corpus_syft_snapshots_decode(kind: str, name: str) -> None:
    sub, prefix = ("spdxjson", "TestSPDXJSON") if kind == "json" else ("spdxtagvalue", "TestSPDXTagValue")
    data = corpus_path("syft", "syft", "format", sub, "testdata", "snapshot", f"{prefix}{name}.golden").read_bytes()
    s = MODULES[kind].decode(data)
    by_name = {p.name: p for p in s.packages}
    assert set(by_name) == {"package-1", "package-2"}
    assert by_name["package-1"].type == "python" and [l.best for l in by_name["package-1"].licenses] == ["MIT"]
    assert by_name["package-2"].purl == "pkg:deb/debian/package-2@2.0.1"
    assert s.source.kind == ("image" if name == "ImageEncoder" else "directory")


def _realdata_spdx() -> list[str]:
    root = SHARED / "realdata" / "sboms"
    if not root.exists():
        return []
    out = []
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.stat().st_size < 8_000_000 and ("spdx" in f.name.lower() or f.suffix == ".spdx"):
            out.append(str(f.relative_to(root)))
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("name", _realdata_spdx() or [pytest.param(None, marks=pytest.mark.skip("realdata not available"))])
def test_realdata_spdx_decodes_or_fails_cleanly(name: str) -> None:
    """Real SBOMs (syft, trivy, tern, k8s bom, MS sbom-tool, hand-written) never crash the decoders."""
    data = (SHARED / "realdata" / "sboms" / name).read_bytes()
    got = formats.identify(data)
    if got is None or got[0].name not in ("spdx-json", "spdx-tag-value", "spdx3-json"):
        pytest.skip("not SPDX")
    try:
        s = got[0].decode(data)
    except FormatError as err:
        assert "\n" not in err.diagnostics()
        assert name.endswith(("istio-source.spdx", "vast-sbom.spdx")), err.diagnostics()  # truncated / SPDXID before PackageName
        return
    raw = data.decode("utf-8", "replace")
    if got[0].name == "spdx-json":
        declared = raw.count('"SPDXID"')
        assert len(s.packages) <= declared
    assert all(p.name for p in s.packages)
