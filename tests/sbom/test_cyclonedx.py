"""CycloneDX JSON and XML: golden files, schema validity, round trips, syft's corpus, bad input."""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assay import sbom as formats
from assay.errors import FormatError
from assay.model import (
    Distro,
    ImageInfo,
    License,
    Location,
    Package,
    Relationship,
    RelType,
    Sbom,
    SourceInfo,
)
from assay.sbom import cyclonedx_json as cdx_json
from assay.sbom import cyclonedx_xml as cdx_xml
from tests.conftest import corpus_path, read_expected

from ._samples import LABELS, LAYER1, MANIFEST_DIGEST, sample_sbom

GOLDEN = Path(__file__).parent / "golden"
NS = "{http://cyclonedx.org/schema/bom/1.6}"
VERSIONS = ("1.4", "1.5", "1.6")
MODULES = {"json": cdx_json, "xml": cdx_xml}


def _schema(version: str):  # type: ignore[no-untyped-def]
    schema = pytest.importorskip("cyclonedx.schema")
    return getattr(schema.SchemaVersion, "V" + version.replace(".", "_"))


def _validate(kind: str, version: str, data: bytes) -> None:
    sv = _schema(version)
    if kind == "json":
        from cyclonedx.validation.json import JsonStrictValidator

        err = JsonStrictValidator(sv).validate_str(data.decode())
    else:
        from cyclonedx.validation.xml import XmlValidator

        err = XmlValidator(sv).validate_str(data.decode())
    assert err is None, f"{kind} {version}: {err}"


def _doc(sbom: Sbom, version: str = "1.6") -> dict:
    return json.loads(cdx_json.encode(sbom, version))


def _props(component: dict) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


def _by_name(doc: dict) -> dict[str, dict]:
    return {c["name"]: c for c in doc["components"]}


# --------------------------------------------------------------------- golden files and schema


@pytest.mark.parametrize(
    "kind,version",
    [("json", "1.4"), ("json", "1.5"), ("json", "1.6"), ("xml", "1.6")],
)
def test_golden(kind: str, version: str) -> None:
    got = MODULES[kind].encode(sample_sbom(), version)
    path = GOLDEN / f"cyclonedx-{version}.{kind}"
    if os.environ.get("ASSAY_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{path.name} differs: rerun with ASSAY_UPDATE_GOLDEN=1 if the change is intended"


@pytest.mark.parametrize("kind", ["json", "xml"])
@pytest.mark.parametrize("version", VERSIONS)
def test_schema_valid(kind: str, version: str) -> None:
    _validate(kind, version, MODULES[kind].encode(sample_sbom(), version))


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_schema_valid_for_awkward_sboms(kind: str) -> None:
    """Empty SBOMs, directories, odd strings and bad digests still validate."""
    odd = Package(
        name='we"ird & <name>',
        version="1.0\ttab",
        type="binary",
        description="line one\nline two\r\n\x01control\x7f é ☃ \U0001f600",
        homepage="not a url at all",
        supplier="Nobody <not-an-email>",
        licenses=(License(value="Custom: see file"), License(value="MIT", spdx="MIT"), License(value="x", spdx="GPL-2.0-only WITH Classpath-exception-2.0")),
        digests=(("sha256", "zz-not-hex"), ("xxh64", "abcd"), ("SHA-1", "da39a3ee5e6b4b0d3255bfef95601890afd80709")),
        locations=(Location(path="/a b/c&d"),),
    )
    sboms = [
        Sbom(),
        Sbom(packages=(odd,), source=SourceInfo(kind="directory", input="dir:/src", name="/src", path="/src"), distro=Distro(id="alpine")),
        Sbom(packages=(odd,), source=SourceInfo(kind="file", name="app.tar", digest="sha256:" + "ab" * 32)),
        Sbom(source=SourceInfo(kind="image", name="oci-dir:/tmp/x", image=ImageInfo(tags=("1.0",)))),
    ]
    for s in sboms:
        for version in VERSIONS:
            data = MODULES[kind].encode(s, version)
            _validate(kind, version, data)
            assert MODULES[kind].encode(MODULES[kind].decode(data), version) == data


# --------------------------------------------------------------------- round trips


@pytest.mark.parametrize("kind", ["json", "xml"])
@pytest.mark.parametrize("version", VERSIONS)
def test_round_trip_is_byte_identical(kind: str, version: str) -> None:
    mod = MODULES[kind]
    first = mod.encode(sample_sbom(), version)
    again = mod.encode(mod.decode(first), version)
    assert again == first


def test_json_and_xml_carry_the_same_content() -> None:
    s = sample_sbom()
    for version in VERSIONS:
        from_xml = cdx_xml.decode(cdx_xml.encode(s, version))
        assert cdx_json.encode(from_xml, version) == cdx_json.encode(s, version)


def test_decode_restores_the_model() -> None:
    s = sample_sbom()
    d = cdx_json.decode(cdx_json.encode(s))
    assert d.source == s.source
    assert d.distro == s.distro
    assert d.relationships == s.relationships
    assert d.created == s.created and d.tool_name == "assay" and d.tool_version == "0.1.0"
    assert d.serial_uuid == s.serial_uuid
    assert [p.id for p in d.packages] == [p.id for p in s.packages]
    for want, got in zip(s.packages, d.packages):
        for field in ("name", "version", "type", "found_by", "purl", "cpes", "supplier", "author", "description", "homepage"):
            assert getattr(got, field) == getattr(want, field), (want.name, field)
        for field in ("arch", "epoch", "source_name", "source_version", "language", "dev", "layer", "locations", "digests"):
            assert getattr(got, field) == getattr(want, field), (want.name, field)
        assert [x.best for x in got.licenses] == [x.best for x in want.licenses]
        assert got.files == ()  # owned files are not written to CycloneDX


def test_output_is_deterministic() -> None:
    a = cdx_json.encode(sample_sbom())
    b = cdx_json.encode(sample_sbom())
    assert a == b and a.endswith(b"}\n")
    later = Sbom(**{**{f: getattr(sample_sbom(), f) for f in ("packages", "relationships", "source", "distro", "tool_name", "tool_version")}, "created": "2025-01-01T00:00:00Z"})
    diff = [(x, y) for x, y in zip(a.decode().splitlines(), cdx_json.encode(later).decode().splitlines()) if x != y]
    assert len(diff) == 1 and "timestamp" in diff[0][0]


# --------------------------------------------------------------------- content


def test_metadata_describes_the_image() -> None:
    doc = _doc(sample_sbom())
    assert doc["serialNumber"] == f"urn:uuid:{sample_sbom().serial_uuid}"
    meta = doc["metadata"]
    assert meta["timestamp"] == "2024-01-02T03:04:05Z"
    assert meta["tools"] == {"components": [{"type": "application", "name": "assay", "version": "0.1.0"}]}
    assert meta["authors"] == [{"name": "assay"}]
    root = meta["component"]
    assert root["type"] == "container"
    assert root["version"] == MANIFEST_DIGEST
    assert root["purl"].startswith("pkg:oci/app@sha256:")
    assert "repository_url=registry.example.com/acme/app" in root["purl"] and "tag=1.2.3" in root["purl"]
    assert root["hashes"] == [{"alg": "SHA-256", "content": MANIFEST_DIGEST[7:]}]
    assert root["externalReferences"] == [{"type": "vcs", "url": "https://github.com/acme/app"}]
    props = _props(root)
    for key, value in LABELS:
        assert props[f"assay:image:label:{key}"] == [value]
    assert props["assay:image:configDigest"] == ["sha256:" + "c0" * 32]
    assert props["assay:image:tag:0"] == ["registry.example.com/acme/app:1.2.3"]
    assert props["assay:image:layer:0:diffID"] == [LAYER1] and "assay:image:layer:1" in props


def test_tools_in_1_4_are_an_array() -> None:
    doc = _doc(sample_sbom(), "1.4")
    assert doc["metadata"]["tools"] == [{"vendor": "assay", "name": "assay", "version": "0.1.0"}]


def test_distro_is_an_operating_system_component() -> None:
    os_comp = [c for c in _doc(sample_sbom())["components"] if c["type"] == "operating-system"]
    assert len(os_comp) == 1
    c = os_comp[0]
    assert (c["bom-ref"], c["name"], c["version"], c["description"]) == ("os:debian@12", "debian", "12", "Debian GNU/Linux 12 (bookworm)")
    assert _props(c)["syft:distro:versionCodename"] == ["bookworm"]
    assert c["externalReferences"] == [{"type": "website", "url": "https://www.debian.org/"}]


def test_components_carry_ntia_fields_and_syft_properties() -> None:
    doc = _doc(sample_sbom())
    comps = _by_name(doc)
    for c in comps.values():
        if c["type"] == "operating-system":
            continue
        assert c["name"] and c["version"] and c["purl"] and c["bom-ref"]
        assert "supplier" in c  # every sample package has a supplier or an author
        props = _props(c)
        assert props["syft:package:type"] and props["syft:location:0:path"] and props["syft:package:foundBy"]
    libc = comps["libc6"]
    assert libc["supplier"] == {"name": "GNU Libc Maintainers", "contact": [{"email": "debian-glibc@lists.debian.org"}]}
    assert libc["bom-ref"].endswith("&package-id=" + next(p.id for p in sample_sbom().packages if p.name == "libc6"))
    assert libc["cpe"].startswith("cpe:2.3:a:libc6:libc6")
    props = _props(libc)
    assert props["syft:cpe23"] == ["cpe:2.3:a:gnu:glibc:2.36-9\\+deb12u4:*:*:*:*:*:*:*"]
    assert props["syft:metadata:source"] == ["glibc"] and props["syft:package:metadataType"] == ["dpkg-db-entry"]
    assert props["syft:location:0:layerID"] == [LAYER1]
    assert libc["externalReferences"] == [{"type": "website", "url": "https://www.gnu.org/software/libc/libc.html"}]
    vim = _props(comps["vim-minimal"])
    assert vim["syft:metadata:epoch"] == ["2"] and vim["syft:metadata:sourceRpm"] == ["vim-9.0-1.cm2.src.rpm"]
    assert _props(comps["busybox"])["syft:metadata:originPackage"] == ["busybox"]
    assert comps["busybox"]["supplier"]["name"] == "Sören Tempel"
    assert comps["requests"]["author"] == "Kenneth Reitz <me@kennethreitz.org>"
    assert comps["requests"]["supplier"] == {"name": "Kenneth Reitz", "contact": [{"email": "me@kennethreitz.org"}]}
    assert comps["requests"]["hashes"] == [{"alg": "SHA-256", "content": "58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f"}]
    assert _props(comps["requests"])["syft:location:0:accessPath"][0].startswith("/usr/lib/python3.11/")
    assert _props(comps["lodash"])["assay:package:dev"] == ["true"]
    assert comps["lodash"]["hashes"][0]["alg"] == "SHA-512"


def test_licenses_use_ids_expressions_and_names() -> None:
    comps = _by_name(_doc(sample_sbom()))
    assert comps["libc6"]["licenses"] == [{"license": {"id": "GPL-2.0-only"}}, {"license": {"id": "LGPL-2.1-only"}}]
    assert comps["lodash"]["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    assert comps["@acme/app"]["licenses"] == [{"license": {"name": "SEE LICENSE IN LICENSE.md"}}]
    # an expression next to another license cannot be an expression (1.5+): it becomes a name
    assert comps["libssl3"]["licenses"] == [
        {"license": {"id": "Apache-2.0"}},
        {"license": {"name": "Artistic-1.0-Perl OR GPL-1.0-or-later"}},
    ]
    assert comps["requests"]["licenses"] == [{"license": {"id": "Apache-2.0"}}]


def test_dependencies_reference_existing_components_only() -> None:
    s = sample_sbom()
    doc = _doc(s)
    refs = {c["bom-ref"] for c in doc["components"]} | {doc["metadata"]["component"]["bom-ref"]}
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert set(deps) == refs  # every component listed, the root too
    for targets in deps.values():
        assert set(targets) <= refs and targets == sorted(targets)
    comps = _by_name(doc)
    ref = {name: c["bom-ref"] for name, c in comps.items()}
    assert deps[ref["libssl3"]] == [ref["libc6"]]
    assert deps[ref["requests"]] == [ref["urllib3"]]
    assert deps[ref["@acme/app"]] == [ref["lodash"]]
    assert _props(comps["@acme/app"])["assay:relationship:dev-depends-on"] == [ref["lodash"]]
    root = deps[doc["metadata"]["component"]["bom-ref"]]
    assert set(root) == {ref[n] for n in ("libssl3", "requests", "@acme/app", "busybox", "vim-minimal")}


def test_relationships_to_unknown_ids_are_dropped() -> None:
    s = sample_sbom()
    extra = Sbom(
        packages=s.packages,
        relationships=s.relationships + (Relationship(source="source", target=s.packages[0].id, type=RelType.CONTAINS),),
        source=s.source,
    )
    doc = _doc(extra)
    refs = {c["bom-ref"] for c in doc["components"]} | {doc["metadata"]["component"]["bom-ref"]}
    assert all(set(d["dependsOn"]) <= refs for d in doc["dependencies"])


def test_contains_between_packages_survives() -> None:
    outer = Package(name="app.war", version="1", type="java-archive", purl="pkg:maven/acme/app.war@1")
    inner = Package(name="dep.jar", version="2", type="java-archive", purl="pkg:maven/acme/dep.jar@2")
    s = Sbom(packages=(outer, inner), relationships=(Relationship(source=outer.id, target=inner.id, type=RelType.CONTAINS),))
    assert cdx_json.decode(cdx_json.encode(s)).relationships == s.relationships


def test_xml_shape() -> None:
    root = ET.fromstring(cdx_xml.encode(sample_sbom()))
    assert root.tag == NS + "bom" and root.get("version") == "1"
    assert root.get("serialNumber") == f"urn:uuid:{sample_sbom().serial_uuid}"
    names = [el.text for el in root.iter(NS + "property") if el.get("name") == "assay:image:label:org.opencontainers.image.title"]
    assert names == ["app & <friends>"]
    comps = root.find(NS + "components")
    assert comps is not None and len(comps) == 9


def test_xml_replaces_characters_xml_cannot_carry() -> None:
    p = Package(name="x", version="1", type="deb", description="bell\x07 and nul\x00 and \ud800 end")
    data = cdx_xml.encode(Sbom(packages=(p,)))
    assert cdx_xml.decode(data).packages[0].description == "bell\ufffd and nul\ufffd and \ufffd end"


# --------------------------------------------------------------------- decoding other producers


def test_decode_foreign_json() -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {
            "tools": {"components": [{"name": "cdxgen", "version": "10.0.0"}]},
            "component": {"type": "container", "name": "alpine:3.19", "version": "sha256:" + "ee" * 32},
            "properties": [{"name": "syft:image:labels:maintainer", "value": "me"}],
        },
        "components": [
            {
                "type": "application",
                "bom-ref": "app",
                "name": "app",
                "version": "1",
                "components": [
                    {"type": "library", "bom-ref": "uuid-1", "group": "@types", "name": "react", "version": "18.0.20", "purl": "pkg:npm/%40types/react@18.0.20"},
                    {"type": "library", "bom-ref": "pkg:golang/golang.org/x/net@v0.1.0", "name": "golang.org/x/net", "version": "v0.1.0"},
                ],
            },
            {
                "type": "library",
                "name": "commons-text",
                "group": "org.apache.commons",
                "version": "1.9",
                "purl": "pkg:maven/org.apache.commons/commons-text@1.9",
                "licenses": [{"expression": "Apache-2.0 OR MIT"}],
                "authors": [{"name": "Apache", "email": "dev@commons.apache.org"}],
                "supplier": {"name": "The Apache Software Foundation", "url": ["https://apache.org"]},
                "hashes": [{"alg": "SHA-1", "content": "da39a3ee5e6b4b0d3255bfef95601890afd80709"}],
            },
            {"type": "operating-system", "name": "alpine", "version": "3.19.1", "description": "Alpine Linux v3.19"},
            {"type": "file", "name": "/etc/passwd"},
        ],
        "dependencies": [{"ref": "app", "dependsOn": ["uuid-1", "pkg:golang/golang.org/x/net@v0.1.0", "missing"]}],
    }
    s = cdx_json.decode(json.dumps(doc).encode())
    by_name = {p.name: p for p in s.packages}
    assert set(by_name) == {"app", "@types/react", "golang.org/x/net", "commons-text"}
    assert by_name["@types/react"].type == "npm"
    assert by_name["golang.org/x/net"].type == "go-module" and by_name["golang.org/x/net"].purl == "pkg:golang/golang.org/x/net@v0.1.0"
    java = by_name["commons-text"]
    assert java.type == "java-archive" and java.author == "Apache <dev@commons.apache.org>"
    assert java.supplier == "The Apache Software Foundation"
    assert [x.best for x in java.licenses] == ["Apache-2.0 OR MIT"]
    assert java.digests == (("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),)
    assert by_name["app"].type == "unknown"
    assert {(r.source, r.target) for r in s.relationships} == {
        (by_name["app"].id, by_name["@types/react"].id),
        (by_name["app"].id, by_name["golang.org/x/net"].id),
    }
    assert s.distro == Distro(id="alpine", version_id="3.19.1", pretty_name="Alpine Linux v3.19")
    assert s.source.kind == "image" and s.source.digest == "sha256:" + "ee" * 32
    assert s.source.image is not None and s.source.image.labels == (("maintainer", "me"),)
    assert (s.tool_name, s.tool_version) == ("cdxgen", "10.0.0")


def test_decoded_license_expressions_are_written_back_validly() -> None:
    def comp(name: str, licenses: list) -> dict:
        return {"type": "library", "name": name, "version": "1", "licenses": licenses}

    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "components": [
            comp("a", [{"expression": "LicenseRef-foo OR MIT"}]),
            comp("b", [{"expression": "Foo"}]),
            comp("c", [{"expression": "mit or apache-2.0"}]),
            comp("d", [{"license": {"id": "MIT"}}, {"license": {"name": "Apache 2.0"}}, {"license": {"url": "https://x"}}]),
        ],
    }
    s = cdx_json.decode(json.dumps(doc).encode())
    got = {p.name: [(x.value, x.spdx) for x in p.licenses] for p in s.packages}
    assert got == {
        "a": [("LicenseRef-foo OR MIT", "LicenseRef-foo OR MIT")],
        "b": [("Foo", "")],
        "c": [("mit or apache-2.0", "MIT OR Apache-2.0")],
        "d": [("MIT", "MIT"), ("Apache 2.0", "Apache-2.0")],
    }
    comps = _by_name(_doc(s))
    assert comps["a"]["licenses"] == [{"expression": "LicenseRef-foo OR MIT"}]
    assert comps["b"]["licenses"] == [{"license": {"name": "Foo"}}]
    for version in VERSIONS:
        _validate("json", version, cdx_json.encode(s, version))
        _validate("xml", version, cdx_xml.encode(s, version))


def test_decode_old_xml() -> None:
    data = b"""<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.0" version="1">
  <components>
    <component type="library">
      <name>openssl</name><version>1.1.1k</version>
      <hashes><hash alg="SHA-256">""" + b"ab" * 32 + b"""</hash></hashes>
      <licenses><license><name>OpenSSL</name></license></licenses>
      <purl>pkg:rpm/centos/openssl@1.1.1k-5.el8?arch=x86_64&amp;epoch=1</purl>
      <modified>false</modified>
      <components>
        <component type="library"><name>nested</name><version>2</version><purl>pkg:pypi/nested@2</purl></component>
      </components>
    </component>
  </components>
</bom>"""
    assert cdx_xml.identify(data) == "1.0"
    s = cdx_xml.decode(data)
    by_name = {p.name: p for p in s.packages}
    assert by_name["openssl"].type == "rpm" and by_name["openssl"].digests == (("sha256", "ab" * 32),)
    assert [x.best for x in by_name["openssl"].licenses] == ["OpenSSL"]
    assert by_name["nested"].type == "python"


# --------------------------------------------------------------------- identify and bad input


def test_identify() -> None:
    j = cdx_json.encode(sample_sbom(), "1.5")
    x = cdx_xml.encode(sample_sbom(), "1.4")
    assert cdx_json.identify(j) == "1.5" and cdx_xml.identify(j) is None
    assert cdx_xml.identify(x) == "1.4" and cdx_json.identify(x) is None
    prefixed = b'<?xml version="1.0"?>\n<!-- a <bom> comment -->\n<c:bom xmlns:c="http://cyclonedx.org/schema/bom/1.3" version="1"/>'
    assert cdx_xml.identify(prefixed) == "1.3"
    assert cdx_json.identify(b'{"spdxVersion": "SPDX-2.3", "name": "bomFormat"}') is None
    assert cdx_json.identify(b"") is None and cdx_xml.identify(b"") is None
    assert cdx_xml.identify(b"<html><bom xmlns='http://cyclonedx.org/schema/bom/1.4'/></html>") is None


def test_registry_uses_these_modules() -> None:
    data = formats.encode(sample_sbom(), "cyclonedx-json@1.5")
    fmt, version, s = formats.decode(data)
    assert (fmt.name, version) == ("cyclonedx-json", "1.5") and len(s.packages) == 8
    fmt, version, _ = formats.decode(formats.encode(sample_sbom(), "cyclonedx-xml"))
    assert (fmt.name, version) == ("cyclonedx-xml", "1.6")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library">
<name>&lol3;</name></component></components></bom>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1"><components><component type="library">
<name>&xxe;</name></component></components></bom>"""


@pytest.mark.parametrize(
    "kind,data,message",
    [
        ("json", b"{not json", "invalid JSON at line 1"),
        ("json", b"", "invalid JSON"),
        ("json", b"\xff\xfe{}", "not UTF-8"),
        ("json", b'{"spdxVersion": "SPDX-2.3"}', "not a CycloneDX document"),
        ("json", b"[1, 2]", "not a CycloneDX document"),
        ("json", b'{"bomFormat": "CycloneDX", "specVersion": "1.1"}', "unsupported specVersion '1.1'"),
        ("json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {"a": 1}}', "components is not an array"),
        ("json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [1]}', "components[0] is not an object"),
        ("json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "metadata": []}', "metadata is not an object"),
        ("json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library", "name": "x", "properties": "no"}]}', "properties is not an array"),
        ("json", b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "dependencies": [{"ref": "a", "dependsOn": 3}]}', "dependsOn is not an array"),
        ("json", b"[" * 100000, "nested too deeply"),
        ("xml", b'<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>', "not well-formed XML"),
        ("xml", b"", "not well-formed XML"),
        ("xml", BILLION_LAUGHS, "DOCTYPE"),
        ("xml", EXTERNAL_ENTITY, "DOCTYPE"),
        ("xml", b'<bom xmlns="http://example.com/bom"/>', "not a CycloneDX document"),
        (
            "xml",
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>'
            + b'<component type="library"><name>x</name><components>' * 5000
            + b"</components></component>" * 5000
            + b"</components></bom>",
            "nested too deeply",
        ),
        ("xml", b'<bom xmlns="http://cyclonedx.org/schema/bom/2.0"/>', "unsupported specVersion '2.0'"),
    ],
)
def test_bad_input_is_a_one_line_format_error(kind: str, data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=re.escape(message)) as info:
        MODULES[kind].decode(data)
    assert "\n" not in info.value.diagnostics()


def test_encode_refuses_unknown_versions() -> None:
    with pytest.raises(FormatError, match="1.3"):
        cdx_json.encode(sample_sbom(), "1.3")


# --------------------------------------------------------------------- performance


def _many(n: int) -> Sbom:
    base = sample_sbom()
    pkgs = []
    for i in range(n):
        p = base.packages[i % len(base.packages)]
        pkgs.append(p.evolve(name=f"{p.name}-{i}", purl=f"pkg:generic/{p.name.lstrip('@')}-{i}@{p.version}"))
    rels = tuple(Relationship(source=pkgs[i].id, target=pkgs[i + 1].id) for i in range(0, n - 1, 2))
    return Sbom(packages=tuple(pkgs), relationships=rels, source=base.source, distro=base.distro, created=base.created)


@pytest.mark.parametrize("kind", ["json", "xml"])
def test_encoding_5000_packages_is_fast(kind: str) -> None:
    big = _many(5000)
    start = time.perf_counter()
    data = MODULES[kind].encode(big, "1.6")
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{kind}: {elapsed:.2f}s"  # measured ~0.2s; the bound only catches blow-ups
    assert len(MODULES[kind].decode(data).packages) == 5000


# --------------------------------------------------------------------- syft's corpus


def _identify_rows() -> list[tuple[str, str, str]]:
    try:
        _, rows = read_expected("sbom_format_identify.tsv")
    except pytest.skip.Exception:
        return []
    return [(r[0], r[1], r[2]) for r in rows if r[1].startswith("cyclonedx")]


@pytest.mark.corpus
@pytest.mark.parametrize("row", _identify_rows() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))])
def test_corpus_identify_and_decode(row: tuple[str, str, str]) -> None:
    path, fmt, version = row
    data = corpus_path("syft", *path.split("/")).read_bytes()
    mod, other = (cdx_json, cdx_xml) if fmt == "cyclonedxjson" else (cdx_xml, cdx_json)
    assert mod.identify(data) == version
    assert other.identify(data) is None
    s = mod.decode(data)
    assert len(s.packages) == 1
    p = s.packages[0]
    if "micronaut" in path:
        assert p.name.endswith("netty-codec-http2") and p.version == "4.1.73.Final"
        assert "cpe:2.3:a:codec:netty-codec-http2:4.1.73.Final:*:*:*:*:*:*:*" in p.cpes
    else:
        assert (p.name, p.version) == ("github.com/wagoodman/go-partybus", "v0.0.0-20230516145632-8ccac152c651")
        assert p.type == "go-module" and p.purl.startswith("pkg:golang/github.com/wagoodman/go-partybus@")
    if version not in ("1.0", "1.1") and "micronaut" not in path:
        assert s.source.name == "go.mod" and s.tool_name == "syft"


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["cyclonedxjson", "cyclonedxxml"])
def test_corpus_bad_sbom_is_rejected(fmt: str) -> None:
    data = corpus_path("syft", "syft", "format", fmt, "testdata", "bad-sbom").read_bytes()
    mod = cdx_json if fmt == "cyclonedxjson" else cdx_xml
    assert mod.identify(data) is None
    with pytest.raises(FormatError):
        mod.decode(data)


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["cyclonedxjson", "cyclonedxxml"])
@pytest.mark.parametrize("name", ["TestCycloneDxImageEncoder", "TestCycloneDxDirectoryEncoder"])
def test_corpus_syft_snapshots_decode(fmt: str, name: str) -> None:
    data = corpus_path("syft", "syft", "format", fmt, "testdata", "snapshot", f"{name}.golden").read_bytes()
    mod = cdx_json if fmt == "cyclonedxjson" else cdx_xml
    assert mod.identify(data) == "1.7"
    s = mod.decode(data)
    by_name = {p.name: p for p in s.packages}
    assert set(by_name) == {"package-1", "package-2"}
    p1, p2 = by_name["package-1"], by_name["package-2"]
    assert (p1.version, p1.type, p1.found_by, p1.language) == ("1.0.1", "python", "the-cataloger-1", "python")
    assert [x.best for x in p1.licenses] == ["MIT"]
    assert (p2.version, p2.type, p2.purl) == ("2.0.1", "deb", "pkg:deb/debian/package-2@2.0.1")
    assert p2.id == ("4b756c6f6fb127a3" if "Image" in name else "39392bb5e270f669")  # from the bom-ref's package-id
    assert s.distro is not None and (s.distro.id, s.distro.version_id, s.distro.id_like) == ("debian", "1.2.3", ("like!",))
    assert (s.tool_name, s.tool_version) == ("syft", "v0.42.0-bogus")
    if "Image" in name:
        assert s.source.kind == "image" and s.source.name == "user-image-input"
        assert p1.locations == (Location(path="/somefile-1.txt", layer="sha256:redacted"),)
    else:
        assert s.source.kind == "file" and s.source.name == "some/path"
    # what we read we can write again, validly
    for version in VERSIONS:
        _validate("json", version, cdx_json.encode(s, version))
