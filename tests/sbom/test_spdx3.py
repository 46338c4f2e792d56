"""SPDX 3.0.1 JSON-LD: golden file, validity, the graph's shape, round trips, corpus documents, bad input.

The official SPDX 3.0.1 JSON schema is not in ../shared/realdata/schemas (only the
2.3 one is), so validity is checked with ``spdx-python-model``: the SPDX project's
bindings generated from the same SHACL model the schema is generated from.  Its
deserializer rejects unknown classes and properties, values outside the
vocabularies (purposes, relationship types, hash algorithms...) and malformed
IRIs; serializing the loaded graph enforces the required properties.
"""

from __future__ import annotations

import io
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assay import sbom as formats
from assay.errors import FormatError
from assay.model import License, Relationship, RelType, Sbom, SourceInfo
from assay.sbom import spdx3_json
from tests.conftest import SHARED, corpus_path, read_expected

from ._samples import MANIFEST_DIGEST, sample_sbom
from .test_spdx import FIELDS, _awkward, _many

GOLDEN = Path(__file__).parent / "golden"


def _graph(sbom: Sbom) -> list[dict[str, Any]]:
    doc = json.loads(spdx3_json.encode(sbom))
    assert doc["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    return doc["@graph"]


def _by_type(graph: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in graph:
        out.setdefault(e["type"], []).append(e)
    return out


def _validate(data: bytes) -> int:
    """Load ``data`` with the SPDX 3.0.1 bindings, link it, write it back; the number of objects."""
    model = pytest.importorskip("spdx_python_model.bindings.v3_0_1.model")
    objects = model.SHACLObjectSet()
    model.JSONLDDeserializer().read(io.StringIO(data.decode()), objects)
    missing = objects.link()
    assert not missing, f"references to elements not in the document: {sorted(missing)[:5]}"
    model.JSONLDSerializer().write(objects, io.BytesIO())
    return len(objects.objects)


def test_golden() -> None:
    got = spdx3_json.encode(sample_sbom())
    path = GOLDEN / "spdx3-3.0.1.json"
    if os.environ.get("ASSAY_UPDATE_GOLDEN") == "1":
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{path.name} differs: rerun with ASSAY_UPDATE_GOLDEN=1 if the change is intended"


def test_valid_for_the_spdx_3_0_1_model() -> None:
    data = spdx3_json.encode(sample_sbom())
    assert _validate(data) >= len(json.loads(data)["@graph"])


@pytest.mark.parametrize("index", range(3))
def test_valid_for_awkward_sboms(index: int) -> None:
    _validate(spdx3_json.encode(_awkward()[index]))


def test_the_validator_is_not_a_rubber_stamp() -> None:
    doc = json.loads(spdx3_json.encode(sample_sbom()))
    for e in doc["@graph"]:
        if e["type"] == "software_Package":
            e["software_primaryPurpose"] = "bogus"
    with pytest.raises(Exception, match="bogus"):
        _validate(json.dumps(doc).encode())


def test_ids_are_unique_iris_and_every_reference_resolves() -> None:
    graph = _graph(sample_sbom())
    ids = [e.get("spdxId") or e["@id"] for e in graph]
    assert len(ids) == len(set(ids))
    base = graph[3]["spdxId"].split("#")[0]
    assert base == f"https://assay.dev/spdxdocs/image/registry.example.com-acme-app-1.2.3-{sample_sbom().serial_uuid}"
    assert all(i.startswith(base + "#") for i in ids if i != "_:creationinfo")
    known = set(ids)
    for e in graph:
        for key in ("createdBy", "createdUsing", "rootElement", "element", "to"):
            for ref in e.get(key, []):
                assert ref in known, (e.get("spdxId"), key, ref)
        for key in ("from", "subject", "suppliedBy", "dataLicense", "creationInfo"):
            if key in e:
                assert e[key] in known, (e.get("spdxId"), key)


def test_creation_info_document_and_sbom() -> None:
    by = _by_type(_graph(sample_sbom()))
    (ci,) = by["CreationInfo"]
    assert (ci["specVersion"], ci["created"]) == ("3.0.1", "2024-01-02T03:04:05Z")
    (org,) = [o for o in by["Organization"] if o["name"] == "assay"]
    assert ci["createdBy"] == [org["spdxId"]] and org["externalRef"][0]["locator"] == ["https://assay.dev"]
    (tool,) = by["Tool"]
    assert ci["createdUsing"] == [tool["spdxId"]] and tool["name"] == "assay-0.1.0"
    (doc,) = by["SpdxDocument"]
    (bom,) = by["software_Sbom"]
    assert doc["rootElement"] == [bom["spdxId"]]
    assert doc["profileConformance"] == ["core", "software", "simpleLicensing"]
    lic = next(e for e in by["simplelicensing_LicenseExpression"] if e["spdxId"] == doc["dataLicense"])
    assert lic["simplelicensing_licenseExpression"] == "CC0-1.0"
    assert bom["software_sbomType"] == ["analyzed"]
    root = next(e for e in by["software_Package"] if e["spdxId"] == bom["rootElement"][0])
    assert root["software_primaryPurpose"] == "container"
    assert root["software_packageVersion"] == MANIFEST_DIGEST
    assert root["verifiedUsing"] == [{"type": "Hash", "algorithm": "sha256", "hashValue": MANIFEST_DIGEST[7:]}]
    assert root["software_packageUrl"].startswith("pkg:oci/app@sha256%3A")
    assert root["software_downloadLocation"] == "https://github.com/acme/app" and root["builtTime"] == "2024-01-01T12:00:00Z"
    members = set(bom["element"])
    assert {e["spdxId"] for e in by["software_Package"]} <= members
    note = next(a for a in by["Annotation"] if a["subject"] == root["spdxId"])["statement"].splitlines()
    for label in ("revision", "source", "created"):
        assert any(line.startswith(f"assay:image:label:org.opencontainers.image.{label}=") for line in note)


def test_packages_licenses_and_relationships() -> None:
    s = sample_sbom()
    by = _by_type(_graph(s))
    pkgs = {e["name"]: e for e in by["software_Package"]}
    os_pkg = pkgs["debian"]
    assert (os_pkg["software_primaryPurpose"], os_pkg["software_packageVersion"]) == ("operatingSystem", "12")
    libc = pkgs["libc6"]
    assert libc["software_packageVersion"] == "2.36-9+deb12u4" and libc["software_primaryPurpose"] == "library"
    assert libc["software_packageUrl"].startswith("pkg:deb/debian/libc6@")
    assert {"type": "ExternalIdentifier", "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:a:gnu:glibc:2.36-9\\+deb12u4:*:*:*:*:*:*:*"} in libc["externalIdentifier"]
    agents = {e["spdxId"]: e for t in ("Person", "Organization") for e in by.get(t, [])}
    supplier = agents[libc["suppliedBy"]]
    assert (supplier["type"], supplier["name"]) == ("Organization", "GNU Libc Maintainers")
    assert supplier["externalIdentifier"] == [{"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": "debian-glibc@lists.debian.org"}]
    assert agents[pkgs["requests"]["originatedBy"][0]]["type"] == "Person"
    rels = by["Relationship"] + by.get("LifecycleScopedRelationship", [])
    lics = {e["spdxId"]: e["simplelicensing_licenseExpression"] for e in by["simplelicensing_LicenseExpression"]}
    declared = {r["from"]: lics[r["to"][0]] for r in rels if r["relationshipType"] == "hasDeclaredLicense"}
    assert declared[libc["spdxId"]] == "GPL-2.0-only AND LGPL-2.1-only"
    assert declared[pkgs["lodash"]["spdxId"]] == "MIT OR Apache-2.0"
    custom = next(e for e in by["simplelicensing_LicenseExpression"] if "simplelicensing_customIdToUri" in e)
    text = next(e for e in by["simplelicensing_SimpleLicensingText"] if e["spdxId"] == custom["simplelicensing_customIdToUri"][0]["value"])
    assert text["simplelicensing_licenseText"] == "SEE LICENSE IN LICENSE.md"
    kinds = Counter((r["type"], r["relationshipType"], r.get("scope", "")) for r in rels)
    assert kinds[("Relationship", "describes", "")] == 1
    assert kinds[("Relationship", "contains", "")] == 1
    assert kinds[("Relationship", "dependsOn", "")] == 2
    assert kinds[("LifecycleScopedRelationship", "dependsOn", "development")] == 1
    contains = next(r for r in rels if r["relationshipType"] == "contains")
    assert len(contains["to"]) == len(s.packages) + 1
    dev = next(r for r in rels if r.get("scope") == "development")
    assert (dev["from"], dev["to"]) == (pkgs["@acme/app"]["spdxId"], [pkgs["lodash"]["spdxId"]])


def test_output_is_deterministic() -> None:
    a = sample_sbom()
    b = Sbom(packages=tuple(reversed(a.packages)), relationships=a.relationships, source=a.source, distro=a.distro, created=a.created, tool_version="0.1.0")
    assert spdx3_json.encode(a) == spdx3_json.encode(b) == spdx3_json.encode(sample_sbom())


def test_round_trip_restores_the_model() -> None:
    s = sample_sbom()
    data = spdx3_json.encode(s)
    back = spdx3_json.decode(data)
    assert len(back.packages) == len(s.packages)
    for x, y in zip(s.packages, back.packages):
        for f in FIELDS:
            assert getattr(x, f) == getattr(y, f), (x.name, f)
        assert [l.best for l in x.licenses] == [l.best for l in y.licenses]
    assert (back.source, back.distro, back.relationships) == (s.source, s.distro, s.relationships)
    assert (back.created, back.tool_name, back.tool_version) == (s.created, "assay", "0.1.0")
    assert spdx3_json.encode(back) == data


def test_identify() -> None:
    assert spdx3_json.identify(spdx3_json.encode(sample_sbom())) == "3.0.1"
    assert spdx3_json.identify(b'{"@context": "https://spdx.org/rdf/3.0.0/spdx-context.jsonld", "@graph": []}') == "3.0.0"
    assert spdx3_json.identify(b'{"spdxVersion": "SPDX-2.3"}') is None
    assert spdx3_json.identify(b'{"@context": "https://schema.org", "@graph": []}') is None
    fmt, version, _ = formats.decode(formats.encode(sample_sbom(), "spdx3-json"))
    assert (fmt.name, version) == ("spdx3-json", "3.0.1")


def test_decode_nested_and_foreign_shapes() -> None:
    doc = {
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": [
            {"type": "CreationInfo", "@id": "_:c", "specVersion": "3.0.1", "created": "2024-05-05T00:00:00Z",
             "createdUsing": [{"type": "Tool", "spdxId": "urn:t", "name": "sbom-tool-2.2.7", "creationInfo": "_:c"}]},
            {"type": "SpdxDocument", "spdxId": "urn:doc", "name": "demo", "creationInfo": "_:c", "rootElement": ["urn:app"]},
            {"type": "software_Package", "spdxId": "urn:app", "name": "app", "software_packageVersion": "1.0", "creationInfo": "_:c",
             "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl", "identifier": "pkg:npm/app@1.0"}],
             "suppliedBy": {"type": "Organization", "spdxId": "urn:acme", "name": "ACME", "creationInfo": "_:c"}},
            {"type": "software_Package", "spdxId": "urn:left-pad", "name": "left-pad", "software_packageVersion": "1.3.0",
             "software_packageUrl": "pkg:npm/left-pad@1.3.0", "creationInfo": "_:c",
             "verifiedUsing": [{"type": "Hash", "algorithm": "sha512", "hashValue": "ab" * 64}]},
            {"type": "Relationship", "spdxId": "urn:r1", "from": "urn:app", "relationshipType": "dependsOn", "to": ["urn:left-pad", "urn:nowhere"], "creationInfo": "_:c"},
            {"type": "Relationship", "spdxId": "urn:r2", "from": "urn:left-pad", "relationshipType": "hasConcludedLicense", "to": ["urn:l"], "creationInfo": "_:c"},
            {"type": "simplelicensing_LicenseExpression", "spdxId": "urn:l", "simplelicensing_licenseExpression": "WTFPL", "creationInfo": "_:c"},
        ],
    }
    s = spdx3_json.decode(json.dumps(doc).encode())
    assert (s.tool_name, s.tool_version, s.created) == ("sbom-tool", "2.2.7", "2024-05-05T00:00:00Z")
    assert s.source == SourceInfo(kind="unknown", name="demo")
    app, pad = s.packages
    assert (app.name, app.purl, app.type, app.supplier, app.language) == ("app", "pkg:npm/app@1.0", "npm", "ACME", "javascript")
    assert pad.digests == (("sha512", "ab" * 64),) and pad.licenses == (License(value="WTFPL", spdx="WTFPL"),)
    assert s.relationships == (Relationship(source=app.id, target=pad.id, type=RelType.DEPENDS_ON),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"bogus!", "not valid JSON"),
        (b'{"@graph": []}', "not an SPDX 3 JSON-LD document"),
        (b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": {}}', "@graph must be a list"),
        (b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "Relationship", "spdxId": "urn:r"}]}', "needs from and relationshipType"),
        (b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "software_Package", "spdxId": "urn:p", "name": ""}]}', "package without a name"),
        (b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": [{"type": "software_Package", "spdxId": "urn:p", "name": ["x"]}]}', "name must be a string"),
    ],
)
def test_bad_input_is_a_one_line_format_error(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message) as err:
        spdx3_json.decode(data)
    assert "\n" not in err.value.diagnostics()


def test_encode_refuses_other_versions() -> None:
    with pytest.raises(FormatError):
        spdx3_json.encode(sample_sbom(), "2.3")


def test_encoding_5000_packages_is_fast() -> None:
    big = _many(5000)
    start = time.perf_counter()
    data = spdx3_json.encode(big)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0, f"{elapsed:.2f}s"  # measured ~0.25s; the bound only catches blow-ups
    back = spdx3_json.decode(data)
    assert len(back.packages) == 5000 and len(back.relationships) == 2500


# --------------------------------------------------------------------- corpus


def _rows() -> list[tuple[str, str, str]]:
    try:
        _, rows = read_expected("sbom_format_identify.tsv")
    except pytest.skip.Exception:
        return []
    return [(r[0], r[1], r[2]) for r in rows if r[2].startswith("3")]


@pytest.mark.corpus
@pytest.mark.parametrize("row", _rows() or [pytest.param(None, marks=pytest.mark.skip("corpus not available"))])
def test_corpus_identify_and_decode(row: tuple[str, str, str]) -> None:
    path, _, version = row
    data = corpus_path("syft", *path.split("/")).read_bytes()
    got = spdx3_json.identify(data)
    assert got is not None and (got == version or got.startswith(version + "."))  # syft reports 3.0 for this 3.0.1 document
    fmt = formats.identify(data)
    assert fmt is not None and fmt[0].name == "spdx3-json"
    s = spdx3_json.decode(data)
    assert [(p.name, [l.best for l in p.licenses]) for p in s.packages] == [("hello", ["GPL-3.0-or-later"])]
    assert s.created == "2021-08-26T01:46:00Z"


def _example(*parts: str) -> bytes:
    path = SHARED.joinpath("realdata", "sboms", "spdx-examples", *parts)
    if not path.exists():
        pytest.skip("realdata not available")
    return path.read_bytes()


@pytest.mark.corpus
def test_realdata_spdx_examples() -> None:
    lib = spdx3_json.decode(_example("software", "example6", "spdx3.0", "example6-lib.json"))
    by = {p.name: p for p in lib.packages}
    assert by["go-1.15"].version == "1.15.4" and [l.value for l in by["go-1.15"].licenses] == ["LicenseRef-Golang-BSD-plus-Patents"]
    rust = spdx3_json.decode(_example("software", "example11", "spdx3.0", "sbom.spdx3.json"))
    assert {(p.name, p.type) for p in rust.packages} >= {("hyper", "rust-crate"), ("tokio", "rust-crate")}
    maven = spdx3_json.decode(_example("software", "example14", "spdx3.0", "examplemaven-0.0.1-enriched.spdx3.json"))
    app = next(p for p in maven.packages if p.name == "examplemaven")
    junit = next(p for p in maven.packages if p.name.startswith("JUnit"))
    assert Relationship(source=app.id, target=junit.id, type=RelType.DEV_DEPENDS_ON) in maven.relationships  # test scope
    assert [l.best for l in app.licenses] == ["Apache-2.0"]
