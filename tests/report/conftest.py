"""A realistic, hand-built scan result shared by the report tests.

An image (Debian 12 base with an Alpine-built busybox, a Python app and a Node
app) scanned against a database: deb findings matched through the source
package, an apk finding through the origin, GHSA findings for python and npm
packages with CVE aliases, CVSS v2/v3.1/v4 vectors and scores, distro ratings,
fix states fixed / not-fixed / wont-fix / unknown, CISA KEV and EPSS data on one
finding, and two ignored matches: one by an ignore rule (with an expiry date, as
YAML gives it), one by an OpenVEX statement with a justification.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from assay.advisories.model import Severity
from assay.match.finding import Finding, Ignored, MatchDetail, ScanResult
from assay.model import (
    Distro,
    ImageInfo,
    Layer,
    License,
    Location,
    Package,
    Sbom,
    SourceInfo,
)
from assay.report import ReportOptions

SCHEMAS = Path(__file__).parent / "schemas"
MANIFEST = "sha256:" + "a1" * 32
CONFIG = "sha256:" + "c0" * 32
LAYER1 = "sha256:" + "11" * 32
LAYER2 = "sha256:" + "22" * 32
OPTIONS = ReportOptions(
    started="2024-05-02T10:00:00Z",
    finished="2024-05-02T10:00:03Z",
    tool_version="1.2.3",
    parameters=("scan", "registry:registry.example.com/acme/app:1.2.3", "-o", "cosign-vuln"),
    invocation_uri="https://github.com/acme/app/actions/runs/42",
    event_id="42",
    builder_id="GitHub Actions",
)


def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text())


def _pkg(name: str, version: str, type_: str, purl: str, path: str, layer: str, **kw: Any) -> Package:
    return Package(name=name, version=version, type=type_, purl=purl, locations=(Location(path=path, layer=layer),), **kw)


def packages() -> dict[str, Package]:
    status = "/var/lib/dpkg/status"
    return {
        "libssl3": _pkg(
            "libssl3", "3.0.11-1~deb12u1", "deb", "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl",
            status, LAYER1, found_by="dpkg-db-cataloger", source_name="openssl", arch="amd64",
            licenses=(License(value="Apache-2.0", spdx="Apache-2.0"),),
            cpes=("cpe:2.3:a:libssl3:libssl3:3.0.11-1~deb12u1:*:*:*:*:*:*:*",),
        ),
        "zlib1g": _pkg(
            "zlib1g", "1:1.2.13.dfsg-1", "deb", "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib",
            status, LAYER1, found_by="dpkg-db-cataloger", source_name="zlib", source_version="1:1.2.13.dfsg-1", arch="amd64", epoch=1,
            licenses=(License(value="Zlib", spdx="Zlib"),),
        ),
        "libc6": _pkg(
            "libc6", "2.36-9+deb12u4", "deb", "pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc",
            status, LAYER1, found_by="dpkg-db-cataloger", source_name="glibc", arch="amd64",
            licenses=(License(value="LGPL-2.1", spdx="LGPL-2.1-only"), License(value="GPL-2"),),
        ),
        "busybox": _pkg(
            "busybox", "1.36.1-r0", "apk", "pkg:apk/alpine/busybox@1.36.1-r0?arch=x86_64&distro=alpine-3.18.4",
            "/lib/apk/db/installed", LAYER2, found_by="apk-db-cataloger", source_name="busybox", arch="x86_64",
            licenses=(License(value="GPL-2.0-only", spdx="GPL-2.0-only"),),
        ),
        "pillow": _pkg(
            "Pillow", "9.5.0", "python", "pkg:pypi/pillow@9.5.0", "/app/.venv/lib/python3.11/site-packages/Pillow-9.5.0.dist-info/METADATA",
            LAYER2, found_by="python-installed-package-cataloger", language="python", licenses=(License(value="HPND", spdx="HPND"),),
        ),
        "requests": _pkg(
            "requests", "2.31.0", "python", "pkg:pypi/requests@2.31.0", "/app/.venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA",
            LAYER2, found_by="python-installed-package-cataloger", language="python", licenses=(License(value="Apache-2.0", spdx="Apache-2.0"),),
        ),
        "lodash": _pkg(
            "lodash", "4.17.20", "npm", "pkg:npm/lodash@4.17.20", "/srv/web/package-lock.json", LAYER2,
            found_by="javascript-lock-cataloger", language="javascript", licenses=(License(value="MIT", spdx="MIT"),),
        ),
        "semver": _pkg(
            "semver", "7.5.1", "npm", "pkg:npm/semver@7.5.1", "/srv/web/package-lock.json", LAYER2,
            found_by="javascript-lock-cataloger", language="javascript", licenses=(License(value="ISC", spdx="ISC"),),
        ),
        "minimist": _pkg(
            "minimist", "1.2.5", "npm", "pkg:npm/minimist@1.2.5", "/srv/web/package-lock.json", LAYER2,
            found_by="javascript-lock-cataloger", language="javascript",
        ),
        "curl": _pkg(  # not vulnerable: must not appear anywhere in the reports
            "curl", "7.88.1-10+deb12u5", "deb", "pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12",
            status, LAYER1, found_by="dpkg-db-cataloger", source_name="curl", arch="amd64",
        ),
    }


def sbom(pkgs: dict[str, Package] | None = None) -> Sbom:
    pkgs = pkgs or packages()
    info = ImageInfo(
        manifest_digest=MANIFEST,
        manifest_media_type="application/vnd.oci.image.manifest.v1+json",
        config_digest=CONFIG,
        tags=("registry.example.com/acme/app:1.2.3",),
        repo_digests=(f"registry.example.com/acme/app@{MANIFEST}",),
        layers=(
            Layer(digest="sha256:" + "b1" * 32, media_type="application/vnd.oci.image.layer.v1.tar+gzip", size=29_000_000, diff_id=LAYER1),
            Layer(digest="sha256:" + "b2" * 32, media_type="application/vnd.oci.image.layer.v1.tar+gzip", size=1_234_567, diff_id=LAYER2),
        ),
        labels=(("org.opencontainers.image.source", "https://github.com/acme/app"),),
        architecture="amd64",
        os="linux",
        size=30_234_567,
    )
    return Sbom(
        packages=tuple(pkgs.values()),
        source=SourceInfo(
            kind="image",
            input="registry:registry.example.com/acme/app:1.2.3",
            name="registry.example.com/acme/app:1.2.3",
            digest=MANIFEST,
            image=info,
        ),
        distro=Distro(id="debian", version_id="12", version_codename="bookworm", name="Debian GNU/Linux", pretty_name="Debian GNU/Linux 12 (bookworm)"),
        created="2024-05-02T09:59:00Z",
        tool_version="1.2.3",
    )


KEV = {
    "cveID": "CVE-2023-4863",
    "vendorProject": "Google",
    "product": "Chromium WebP",
    "vulnerabilityName": "Google Chromium WebP Heap-Based Buffer Overflow Vulnerability",
    "dateAdded": "2023-09-13",
    "shortDescription": "Google Chromium WebP contains a heap-based buffer overflow vulnerability.",
    "requiredAction": "Apply mitigations per vendor instructions or discontinue use of the product if mitigations are unavailable.",
    "dueDate": "2023-10-04",
    "knownRansomwareCampaignUse": "Unknown",
    "notes": "https://chromereleases.googleblog.com/2023/09/stable-channel-update-for-desktop_11.html",
    "cwes": ["CWE-787"],
}


def findings(p: dict[str, Package]) -> tuple[list[Finding], list[Ignored]]:
    v31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    openssl = Finding(
        id="CVE-2023-5363",
        aliases=("DSA-5532-1",),
        package=p["libssl3"],
        severity="high",
        severity_source="nvd:CVSS_V3",
        severities=(
            Severity(source="nvd", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", score=7.5, rating="high"),
            Severity(source="debian", kind="rating", rating="medium"),
        ),
        fix_state="fixed",
        fixed_versions=("3.0.11-1~deb12u2",),
        summary="Incorrect cipher key & IV length processing in OpenSSL 3.0 and 3.1.",
        urls=("https://www.openssl.org/news/secadv/20231024.txt", "https://security-tracker.debian.org/tracker/CVE-2023-5363"),
        details=(
            MatchDetail(matcher="dpkg-matcher", type="exact-indirect-match", record="CVE-2023-5363", ecosystem="debian:12", package="openssl", version="3.0.11-1~deb12u1", constraint="< 3.0.11-1~deb12u2 (dpkg)"),
            MatchDetail(matcher="dpkg-matcher", type="exact-indirect-match", record="DSA-5532-1", ecosystem="debian:12", package="openssl", version="3.0.11-1~deb12u1", constraint="< 3.0.11-1~deb12u2 (dpkg)"),
        ),
        epss=0.00312,
        epss_percentile=0.7061,
    )
    zlib = Finding(
        id="CVE-2023-45853",
        package=p["zlib1g"],
        severity="critical",
        severity_source="nvd:CVSS_V3",
        severities=(Severity(source="nvd", kind="CVSS_V3", vector=v31, score=9.8, rating="critical"), Severity(source="debian", kind="rating", rating="negligible")),
        fix_state="wont-fix",
        summary="MiniZip in zlib through 1.3 has an integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_64.",
        urls=("https://github.com/madler/zlib/pull/843",),
        details=(MatchDetail(matcher="dpkg-matcher", type="exact-indirect-match", record="CVE-2023-45853", ecosystem="debian:12", package="zlib", version="1:1.2.13.dfsg-1", constraint="none (wont-fix) (dpkg)"),),
        epss=0.0123,
        epss_percentile=0.8512,
    )
    glibc = Finding(
        id="CVE-2010-4756",
        package=p["libc6"],
        severity="negligible",
        severity_source="debian",
        severities=(Severity(source="nvd", kind="CVSS_V2", vector="AV:N/AC:L/Au:S/C:N/I:N/A:P", score=4.0, rating="medium"), Severity(source="debian", kind="rating", rating="negligible")),
        fix_state="not-fixed",
        summary="The glob implementation in the GNU C Library allows remote authenticated users to cause a denial of service via crafted glob expressions.",
        details=(MatchDetail(matcher="dpkg-matcher", type="exact-indirect-match", record="CVE-2010-4756", ecosystem="debian:12", package="glibc", version="2.36-9+deb12u4", constraint="< 0 (dpkg)"),),
    )
    busybox = Finding(
        id="CVE-2022-48174",
        package=p["busybox"],
        severity="critical",
        severity_source="nvd:CVSS_V3",
        severities=(Severity(source="nvd", kind="CVSS_V3", vector=v31, score=9.8, rating="critical"),),
        fix_state="fixed",
        fixed_versions=("1.36.1-r1",),
        summary="There is a stack overflow vulnerability in ash.c:6030 in busybox before 1.35.",
        details=(MatchDetail(matcher="apk-matcher", type="exact-direct-match", record="CVE-2022-48174", ecosystem="alpine:3.18", package="busybox", version="1.36.1-r0", constraint="< 1.36.1-r1 (apk)"),),
    )
    pillow = Finding(
        id="GHSA-j7hp-h8jx-5ppr",
        aliases=("CVE-2023-4863", "PYSEC-2023-175"),
        package=p["pillow"],
        severity="high",
        severity_source="ghsa:CVSS_V3",
        severities=(Severity(source="ghsa", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", score=8.8, rating="high"), Severity(source="nvd", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", score=8.8, rating="high")),
        fix_state="fixed",
        fixed_versions=("10.0.1",),
        summary="libwebp: OOB write in BuildHuffmanTable",
        urls=("https://github.com/advisories/GHSA-j7hp-h8jx-5ppr", "https://nvd.nist.gov/vuln/detail/CVE-2023-4863"),
        details=(MatchDetail(matcher="python-matcher", type="exact-direct-match", record="GHSA-j7hp-h8jx-5ppr", ecosystem="pypi", package="pillow", version="9.5.0", constraint="< 10.0.1 (python)"),),
        kev=KEV,
        epss=0.93912,
        epss_percentile=0.99906,
    )
    lodash = Finding(
        id="GHSA-35jh-r3h4-6jhm",
        aliases=("CVE-2021-23337",),
        package=p["lodash"],
        severity="high",
        severity_source="ghsa:CVSS_V3",
        severities=(
            Severity(source="ghsa", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", score=7.2, rating="high"),
            Severity(source="ghsa", kind="CVSS_V4", vector="CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", score=8.6, rating="high"),
        ),
        fix_state="fixed",
        fixed_versions=("4.17.21",),
        summary="Command Injection in lodash",
        urls=("https://github.com/advisories/GHSA-35jh-r3h4-6jhm",),
        details=(MatchDetail(matcher="javascript-matcher", type="exact-direct-match", record="GHSA-35jh-r3h4-6jhm", ecosystem="npm", package="lodash", version="4.17.20", constraint=">= 0, < 4.17.21 (semver)"),),
        epss=0.0094,
        epss_percentile=0.8321,
    )
    minimist = Finding(
        id="GHSA-vh95-rmgr-6w4m",
        package=p["minimist"],
        severity="unknown",
        fix_state="unknown",
        details=(MatchDetail(matcher="javascript-matcher", type="exact-direct-match", record="GHSA-vh95-rmgr-6w4m", ecosystem="npm", package="minimist", version="1.2.5", constraint="< 1.2.6 (semver)"),),
    )
    requests = Finding(
        id="GHSA-9wx4-h78v-vm56",
        aliases=("CVE-2024-35195",),
        package=p["requests"],
        severity="medium",
        severity_source="ghsa:CVSS_V3",
        severities=(Severity(source="ghsa", kind="CVSS_V3", vector="CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N", score=5.6, rating="medium"),),
        fix_state="fixed",
        fixed_versions=("2.32.0",),
        summary="Requests `Session` object does not verify requests after making first request with verify=False",
        details=(MatchDetail(matcher="python-matcher", type="exact-direct-match", record="GHSA-9wx4-h78v-vm56", ecosystem="pypi", package="requests", version="2.31.0", constraint="< 2.32.0 (python)"),),
    )
    semver = Finding(
        id="GHSA-c2qf-rxjj-qqgw",
        aliases=("CVE-2022-25883",),
        package=p["semver"],
        severity="medium",
        severity_source="ghsa:CVSS_V3",
        severities=(Severity(source="ghsa", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", score=5.3, rating="medium"),),
        fix_state="fixed",
        fixed_versions=("7.5.2",),
        summary="semver vulnerable to Regular Expression Denial of Service",
        details=(MatchDetail(matcher="javascript-matcher", type="exact-direct-match", record="GHSA-c2qf-rxjj-qqgw", ecosystem="npm", package="semver", version="7.5.1", constraint=">= 7.0.0, < 7.5.2 (semver)"),),
    )
    rule = {
        "vulnerability": "CVE-2024-35195",
        "package": {"name": "requests", "type": "python"},
        "reason": "the application never disables certificate verification",
        "expires": dt.date(2030, 1, 1),
    }
    statement = {
        "vulnerability": {"name": "CVE-2022-25883"},
        "products": [{"@id": "pkg:npm/semver@7.5.1"}],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "semver only parses the versions in our own package.json",
        "document": "vex/app.openvex.json",
    }
    ignored = [
        Ignored(finding=requests, kind="rule", reason="the application never disables certificate verification", rule=rule),
        Ignored(finding=semver, kind="vex", reason="not_affected: vulnerable_code_not_in_execute_path", rule=statement),
    ]
    return [openssl, zlib, glibc, busybox, pillow, lodash, minimist], ignored


def scan_result(**changes: Any) -> ScanResult:
    p = packages()
    found, ignored = findings(p)
    base: dict[str, Any] = {
        "sbom": sbom(p),
        "findings": tuple(found),
        "ignored": tuple(ignored),
        "db": {"schema": 1, "built": "2024-05-01T00:00:00Z", "sources": ["osv:PyPI", "osv:npm", "debian-tracker", "alpine-secdb"], "epss_date": "2024-05-01"},
        "warnings": ("2 packages have no version and were not matched",),
    }
    base.update(changes)
    return ScanResult(**base)


@pytest.fixture
def result() -> ScanResult:
    return scan_result()


@pytest.fixture
def options() -> ReportOptions:
    return OPTIONS
