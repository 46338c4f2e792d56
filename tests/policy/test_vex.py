"""VEX documents (OpenVEX, CycloneDX, CSAF) suppressing findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assay.errors import FormatError
from assay.match.finding import Finding
from assay.model import ImageInfo, Package, Sbom, SourceInfo
from assay.policy.vex import ImageIdentity, apply_vex, load_vex, parse_vex, purl_matches
from tests.conftest import corpus_path

DIGEST = "sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126"
LIBCRYPTO = Package(name="libcrypto3", version="3.0.8-r3", type="apk", purl="pkg:apk/alpine/libcrypto3@3.0.8-r3?arch=x86_64&upstream=openssl&distro=alpine-3.17.3")
LIBSSL = Package(name="libssl3", version="3.0.8-r3", type="apk", purl="pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64&upstream=openssl&distro=alpine-3.17.3")
CURL = Package(name="curl", version="8.1.2-r0", type="apk", purl="pkg:apk/alpine/curl@8.1.2-r0?arch=x86_64&distro=alpine-3.17.3")
IMAGE = Sbom(
    packages=(LIBCRYPTO, LIBSSL, CURL),
    source=SourceInfo(kind="image", input="registry:alpine:3.17", name="alpine", digest=DIGEST, image=ImageInfo(repo_digests=(f"alpine@{DIGEST}",))),
)


def f(pkg: Package, vid: str, *aliases: str) -> Finding:
    return Finding(id=vid, aliases=aliases, package=pkg)


def doc(data: Any) -> bytes:
    return json.dumps(data).encode()


def openvex(*statements: dict[str, Any], timestamp: str = "2023-07-17T18:28:47.696004345-06:00") -> bytes:
    return doc({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a", "timestamp": timestamp, "version": 1, "statements": list(statements)})


def suppressed(findings: list[Finding], data: bytes, sbom: Sbom = IMAGE) -> list[tuple[str, str]]:
    _, ignored = apply_vex(findings, sbom, parse_vex(data, "vex.json"))
    return [(i.finding.package.name, i.finding.id) for i in ignored]


@pytest.mark.parametrize(
    "statement, package, matches",
    [
        ("pkg:apk/alpine/libssl3@3.0.8-r3", LIBSSL.purl, True),  # qualifiers optional
        ("pkg:apk/alpine/libssl3", LIBSSL.purl, True),  # version optional
        ("pkg:apk/alpine/libssl3@3.0.8-r4", LIBSSL.purl, False),
        ("pkg:apk/alpine/libssl3?arch=aarch64", LIBSSL.purl, False),
        ("pkg:apk/alpine/libssl3?arch=x86_64", LIBSSL.purl, True),
        ("pkg:apk/wolfi/libssl3", LIBSSL.purl, False),
        ("pkg:deb/alpine/libssl3", LIBSSL.purl, False),
        ("libssl3", LIBSSL.purl, False),
    ],
)
def test_purl_matching(statement: str, package: str, matches: bool) -> None:
    assert purl_matches(statement, package) is matches


def test_package_product_suppresses_with_the_justification() -> None:
    data = openvex(
        {
            "vulnerability": {"name": "CVE-2023-3817"},
            "products": [{"@id": "pkg:apk/alpine/libcrypto3@3.0.8-r3"}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_present",
            "impact_statement": "the code path is not built",
        }
    )
    kept, ignored = apply_vex([f(LIBCRYPTO, "CVE-2023-3817"), f(LIBSSL, "CVE-2023-3817")], IMAGE, parse_vex(data, "vex.json"))
    assert [k.package.name for k in kept] == ["libssl3"]
    (ig,) = ignored
    assert ig.kind == "vex" and ig.reason == "VEX not_affected (vulnerable_code_not_present): the code path is not built [vex.json]"
    assert ig.rule is not None and ig.rule["justification"] == "vulnerable_code_not_present" and ig.rule["format"] == "openvex"


def test_image_product_with_subcomponents_and_without() -> None:
    with_subs = openvex(
        {
            "vulnerability": {"name": "CVE-2023-1255"},
            "products": [{"@id": f"pkg:oci/alpine@{DIGEST.replace(':', '%3A')}", "subcomponents": [{"@id": "pkg:apk/alpine/libssl3@3.0.8-r3"}]}],
            "status": "fixed",
        }
    )
    findings = [f(LIBSSL, "CVE-2023-1255"), f(CURL, "CVE-2023-1255")]
    assert suppressed(findings, with_subs) == [("libssl3", "CVE-2023-1255")]
    whole = openvex({"vulnerability": {"name": "CVE-2023-1255"}, "products": [{"@id": f"pkg:oci/alpine@{DIGEST}"}], "status": "fixed"})
    assert len(suppressed(findings, whole)) == 2
    other_image = openvex({"vulnerability": {"name": "CVE-2023-1255"}, "products": [{"@id": "pkg:oci/alpine@sha256:" + "0" * 64}], "status": "fixed"})
    assert suppressed(findings, other_image) == []
    by_name = openvex({"vulnerability": "CVE-2023-1255", "products": ["docker.io/library/alpine:3.17"], "status": "fixed"})
    assert len(suppressed(findings, by_name)) == 2
    by_purl_name = openvex({"vulnerability": "CVE-2023-1255", "products": [{"@id": "pkg:oci/alpine?repository_url=index.docker.io/library"}], "status": "fixed"})
    assert len(suppressed(findings, by_purl_name)) == 2
    # not an image scan: an image product never matches
    assert suppressed(findings, whole, Sbom(packages=(LIBSSL, CURL))) == []


def test_the_latest_statement_wins_and_affected_keeps_the_finding() -> None:
    prod = [{"@id": "pkg:apk/alpine/libssl3"}]
    data = openvex(
        {"vulnerability": {"name": "CVE-1"}, "products": prod, "status": "not_affected", "justification": "component_not_present", "timestamp": "2024-01-01T00:00:00Z"},
        {"vulnerability": {"name": "CVE-1"}, "products": prod, "status": "affected", "timestamp": "2024-02-01T00:00:00+01:00"},
        {"vulnerability": {"name": "CVE-2"}, "products": prod, "status": "under_investigation"},
    )
    assert suppressed([f(LIBSSL, "CVE-1"), f(LIBSSL, "CVE-2")], data) == []


def test_statements_match_any_alias() -> None:
    data = openvex({"vulnerability": {"name": "CVE-2023-5", "aliases": ["GHSA-aaaa-bbbb-cccc"]}, "products": ["pkg:apk/alpine/curl"], "status": "fixed"})
    assert suppressed([f(CURL, "GHSA-aaaa-bbbb-cccc")], data) == [("curl", "GHSA-aaaa-bbbb-cccc")]
    assert suppressed([f(CURL, "GHSA-zzzz-bbbb-cccc", "CVE-2023-5")], data) == [("curl", "GHSA-zzzz-bbbb-cccc")]


def test_cyclonedx_vex() -> None:
    data = doc(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "components": [{"bom-ref": "libssl", "type": "library", "name": "libssl3", "purl": "pkg:apk/alpine/libssl3@3.0.8-r3"}],
            "vulnerabilities": [
                {"id": "CVE-1", "analysis": {"state": "not_affected", "justification": "code_not_reachable", "detail": "no TLS"}, "affects": [{"ref": "libssl"}]},
                {"id": "CVE-2", "analysis": {"state": "resolved"}, "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:apk/alpine/curl@8.1.2-r0"}]},
                {"id": "CVE-3", "analysis": {"state": "exploitable"}, "affects": [{"ref": "libssl"}]},
                {"id": "CVE-4", "ratings": [], "affects": [{"ref": "libssl"}]},
            ],
        }
    )
    findings = [f(LIBSSL, "CVE-1"), f(CURL, "CVE-2"), f(LIBSSL, "CVE-3"), f(LIBSSL, "CVE-4")]
    _, ignored = apply_vex(findings, IMAGE, parse_vex(data, "bom.json"))
    assert [(i.finding.package.name, i.finding.id, i.rule["status"] if i.rule else "") for i in ignored] == [
        ("libssl3", "CVE-1", "not_affected"),
        ("curl", "CVE-2", "fixed"),
    ]
    assert ignored[0].reason == "VEX not_affected (code_not_reachable): no TLS [bom.json]"


def test_csaf_vex_with_a_component_of_relationship() -> None:
    data = doc(
        {
            "document": {"category": "csaf_vex", "csaf_version": "2.0", "tracking": {"current_release_date": "2024-01-01T00:00:00Z"}},
            "product_tree": {
                "branches": [
                    {
                        "category": "vendor",
                        "name": "Example",
                        "branches": [
                            {"category": "product_version", "name": "img", "product": {"name": "image", "product_id": "IMG", "product_identification_helper": {"purl": f"pkg:oci/alpine@{DIGEST}"}}},
                            {"category": "product_version", "name": "ssl", "product": {"name": "libssl3", "product_id": "SSL", "product_identification_helper": {"purl": "pkg:apk/alpine/libssl3@3.0.8-r3"}}},
                        ],
                    }
                ],
                "relationships": [
                    {"category": "default_component_of", "product_reference": "SSL", "relates_to_product_reference": "IMG", "full_product_name": {"name": "ssl in image", "product_id": "IMG:SSL"}}
                ],
            },
            "vulnerabilities": [
                {
                    "cve": "CVE-2023-1255",
                    "product_status": {"known_not_affected": ["IMG:SSL"], "known_affected": ["SSL"]},
                    "flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["IMG:SSL"]}],
                    "threats": [{"category": "impact", "details": "never called", "product_ids": ["IMG:SSL"]}],
                },
                {"cve": "CVE-2023-9", "product_status": {"fixed": ["SSL"]}},
            ],
        }
    )
    statements = parse_vex(data, "csaf.json")
    assert {(s.vulnerability, s.status) for s in statements} == {("CVE-2023-1255", "not_affected"), ("CVE-2023-1255", "affected"), ("CVE-2023-9", "fixed")}
    # both CVE-2023-1255 statements apply to libssl3 in this image with the same time: the later one (affected) wins
    assert suppressed([f(LIBSSL, "CVE-2023-1255"), f(LIBSSL, "CVE-2023-9"), f(CURL, "CVE-2023-9")], data) == [("libssl3", "CVE-2023-9")]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"{not json", r"x\.json: not JSON"),
        (b"[]", r"x\.json: expected a JSON object"),
        (b'{"bomFormat": "SPDX"}', r"x\.json: not a VEX document"),
        (b'{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"products": []}]}', r"statements\[0\] needs a vulnerability and a status"),
    ],
)
def test_bad_documents_fail_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_vex(data, "x.json")


def test_image_identity_from_repo_digests_and_names() -> None:
    ident = ImageIdentity.of(IMAGE)
    assert ident.matches(DIGEST) and ident.matches(f"alpine@{DIGEST}") and ident.matches("alpine")
    assert ident.matches("index.docker.io/library/alpine:3.17") and not ident.matches("quay.io/alpine")
    assert not ImageIdentity.of(Sbom()).matches(DIGEST)


# -- grype's own VEX fixtures (../shared/corpus) ---------------------------------------------------------


GRYPE_CASES = [
    ("csaf-demo1.json", {("libcrypto3", "CVE-2023-1255")}),
    ("csaf-demo2.json", {("libcrypto3", "CVE-2023-3817")}),
    ("openvex-demo1.json", {("libcrypto3", "CVE-2023-1255"), ("libssl3", "CVE-2023-1255")}),
    ("openvex-demo2.json", {("libcrypto3", "CVE-2023-1255"), ("libcrypto3", "CVE-2023-2975"), ("libcrypto3", "CVE-2023-3817"), ("libssl3", "CVE-2023-1255")}),
    ("openvex-image-no-subcomponents.json", {("libcrypto3", "CVE-2023-1255"), ("libssl3", "CVE-2023-1255")}),
    ("openvex-package-product.json", {("libcrypto3", "CVE-2023-1255")}),
]


@pytest.mark.corpus
@pytest.mark.parametrize("name, expected", GRYPE_CASES, ids=[c[0] for c in GRYPE_CASES])
def test_grype_vex_documents(name: str, expected: set[tuple[str, str]]) -> None:
    path: Path = corpus_path("grype", "grype", "vex", "testdata", "vex-docs", name)
    findings = [f(LIBCRYPTO, "CVE-2023-3817"), f(LIBCRYPTO, "CVE-2023-1255"), f(LIBCRYPTO, "CVE-2023-2975"), f(LIBSSL, "CVE-2023-1255")]
    _, ignored = apply_vex(findings, IMAGE, load_vex(path))
    # grype's tests select statements by status with rules; assay honours every not_affected and fixed statement
    assert {(i.finding.package.name, i.finding.id) for i in ignored} == expected


# -- real VEX documents (../shared/realdata/vex) -------------------------------------------------------


def _real_vex_files() -> list[Path]:
    from tests.conftest import SHARED

    root = SHARED / "realdata" / "vex"
    return sorted(p for p in root.rglob("*.json") if "json_schema" not in p.parts) if root.is_dir() else []


@pytest.mark.corpus
def test_real_vex_documents_read_or_fail_in_one_line() -> None:
    files = _real_vex_files()
    if not files:
        pytest.skip("../shared/realdata/vex not available")
    read = 0
    statuses: set[str] = set()
    for path in files:
        try:
            statements = load_vex(path)
        except FormatError as exc:
            assert "\n" not in exc.diagnostics() and str(path) in str(exc)
            continue
        read += 1
        statuses.update(s.status for s in statements)
        assert all(s.vulnerability and s.document == str(path) for s in statements)
    assert read > 50 and {"not_affected", "fixed", "affected", "under_investigation"} <= statuses


@pytest.mark.corpus
def test_canonical_usn_openvex_suppresses_the_fixed_debs() -> None:
    from tests.conftest import SHARED

    path = SHARED / "realdata" / "vex" / "ubuntu-security-notices-sample" / "vex" / "usn" / "USN-2169-1.json"
    if not path.exists():
        pytest.skip("../shared/realdata/vex not available")
    statements = load_vex(path)
    st = statements[0]
    assert st.status == "fixed" and st.products
    purl = st.products[0].id
    pkg = Package(name=purl.split("/")[-1].split("@")[0], version="x", type="deb", purl=purl)
    vid = st.vulnerability
    kept, ignored = apply_vex([f(pkg, vid)], Sbom(packages=(pkg,)), statements)
    assert not kept and ignored[0].rule and ignored[0].rule["status"] == "fixed"
