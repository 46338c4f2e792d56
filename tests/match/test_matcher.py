"""Matching against hand-made advisories (MemoryProvider): one test per rule of issue 3, point 2."""

from __future__ import annotations

from typing import Any

import pytest

from assay.advisories import Advisory, Affected, MemoryProvider, Range, Severity
from assay.match import MatchOptions, infer_distro, match
from assay.model import Distro, Location, Package, Relationship, RelType, Sbom

DEBIAN12 = Distro(id="debian", version_id="12")
DEBIAN11 = Distro(id="debian", version_id="11")


def rng(*events: tuple[str, str]) -> Range:
    return Range(type="ECOSYSTEM", events=tuple(events))


def fixed_in(eco: str, pkg: str, version: str, **kw: Any) -> Affected:
    return Affected(ecosystem=eco, package=pkg, ranges=(rng(("introduced", "0"), ("fixed", version)),), fix_state="fixed", fixed_versions=(version,), **kw)


def adv(id: str, *affected: Affected, aliases: tuple[str, ...] = (), severities: tuple[Severity, ...] = (), summary: str = "") -> Advisory:
    return Advisory(id=id, aliases=aliases, affected=affected, severities=severities, summary=summary)


def run(packages: list[Package], advisories: list[Advisory], distro: Distro | None = None, **kw: Any):  # type: ignore[no-untyped-def]
    sbom = Sbom(packages=tuple(packages), distro=kw.pop("sbom_distro", None), relationships=tuple(kw.pop("relationships", ())))
    return match(sbom, MemoryProvider(advisories), distro=distro, **kw)


def ids(findings) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(f.package.name, f.id) for f in findings}


# -- deb ------------------------------------------------------------------------------------------------


def test_deb_binary_matches_through_its_source_package() -> None:
    db = [adv("CVE-2024-0727", fixed_in("debian:12", "openssl", "3.0.13-1~deb12u1"))]
    libssl = Package(name="libssl3", version="3.0.11-1~deb12u2", type="deb", source_name="openssl", source_version="3.0.11-1~deb12u2")
    findings, ignored, warnings = run([libssl], db, DEBIAN12)
    assert ids(findings) == {("libssl3", "CVE-2024-0727")}
    (f,) = findings
    assert [d.type for d in f.details] == ["exact-indirect-match"]
    assert f.details[0].ecosystem == "debian:12" and f.details[0].package == "openssl"
    assert f.fix_state == "fixed" and f.fixed_versions == ("3.0.13-1~deb12u1",)
    assert not ignored and not warnings


def test_deb_direct_match_and_other_release_is_not_searched() -> None:
    db = [adv("CVE-2024-0727", fixed_in("debian:11", "openssl", "1.1.1w-0+deb11u2"))]
    ossl = Package(name="openssl", version="1.1.1k-1", type="deb")
    assert ids(run([ossl], db, DEBIAN11)[0]) == {("openssl", "CVE-2024-0727")}
    assert run([ossl], db, DEBIAN12)[0] == []


def test_deb_distro_patched_version_is_ignored_as_distro_fixed() -> None:
    db = [adv("CVE-2022-0778", fixed_in("debian:11", "openssl", "1.1.1n-0+deb11u1"))]
    pkg = Package(name="openssl", version="1.1.1n-0+deb11u5", type="deb")
    findings, ignored, _ = run([pkg], db, DEBIAN11)
    assert findings == []
    (ig,) = ignored
    assert ig.kind == "distro-fixed" and ig.finding.id == "CVE-2022-0778"
    assert "1.1.1n-0+deb11u1" in ig.reason and ig.finding.fix_state == "fixed"


def test_deb_not_affected_is_honoured() -> None:
    db = [adv("CVE-2023-9", Affected(ecosystem="debian:12", package="zlib", fix_state="not-affected"))]
    findings, ignored, _ = run([Package(name="zlib1g", version="1:1.2.13.dfsg-1", type="deb", source_name="zlib")], db, DEBIAN12)
    assert findings == [] and [i.kind for i in ignored] == ["distro-not-affected"]


def test_a_vulnerable_record_wins_over_a_fixed_one_for_the_same_vulnerability() -> None:
    db = [
        adv("CVE-2023-5", fixed_in("debian:12", "src", "2.0-1")),
        adv("DLA-1-1", fixed_in("debian:12", "bin", "1.0-1"), aliases=("CVE-2023-5",)),
    ]
    pkg = Package(name="bin", version="1.5-1", type="deb", source_name="src", source_version="1.5-1")
    findings, ignored, _ = run([pkg], db, DEBIAN12)
    assert [(f.id, f.aliases) for f in findings] == [("CVE-2023-5", ())] and ignored == []


def test_os_package_never_matches_a_language_advisory() -> None:
    db = [adv("GHSA-aaaa-bbbb-cccc", fixed_in("pypi", "django", "4.2.1"))]
    deb = Package(name="django", version="3:3.2.19-1", type="deb", source_name="python-django")
    assert run([deb], db, DEBIAN12)[0] == []


# -- ubuntu ESM --------------------------------------------------------------------------------------------


def test_ubuntu_esm_overlay_replaces_the_base_verdict() -> None:
    db = [
        adv("CVE-2021-3782", Affected(ecosystem="ubuntu:16.04", package="wayland", ranges=(rng(("introduced", "0")),), fix_state="not-fixed")),
        adv("CVE-2021-3782", fixed_in("ubuntu:16.04+esm", "wayland", "1.12.0-1~ubuntu16.04.3+esm1")),
    ]
    old = Package(name="wayland", version="1.11.0-2", type="deb")
    patched = Package(name="wayland", version="1.12.0-1~ubuntu16.04.3+esm1", type="deb")
    esm = Distro(id="ubuntu", version_id="16.04+esm")
    (f,), _, _ = run([old], db, esm)
    assert f.fixed_versions == ("1.12.0-1~ubuntu16.04.3+esm1",) and f.fix_state == "fixed"
    findings, ignored, _ = run([patched], db, esm)
    assert findings == [] and [i.kind for i in ignored] == ["distro-fixed"]
    # without the channel the base "not fixed" stands ...
    (f,), _, _ = run([old], db, Distro(id="ubuntu", version_id="16.04"))
    assert f.fix_state == "not-fixed"
    # ... unless the installed version itself carries +esm
    assert run([patched], db, Distro(id="ubuntu", version_id="16.04"))[0] == []


# -- apk ---------------------------------------------------------------------------------------------------


ALPINE = Distro(id="alpine", version_id="3.18.4")


def test_apk_matches_by_origin_and_nak_is_not_affected() -> None:
    db = [
        adv("CVE-2024-0727", fixed_in("alpine:3.18", "openssl", "3.1.4-r5")),
        adv("CVE-2019-6470", Affected(ecosystem="alpine:3.18", package="bind", fix_state="not-affected", fixed_versions=("0",))),
    ]
    libssl = Package(name="libssl3", version="3.1.4-r0", type="apk", source_name="openssl")
    tools = Package(name="bind-tools", version="9.16.0-r0", type="apk", source_name="bind")
    findings, ignored, _ = run([libssl, tools], db, ALPINE)
    assert ids(findings) == {("libssl3", "CVE-2024-0727")}
    assert findings[0].details[0].ecosystem == "alpine:3.18"
    assert [(i.finding.package.name, i.kind) for i in ignored] == [("bind-tools", "distro-not-affected")]


def test_apk_nvd_cpe_match_is_dropped_when_the_secdb_knows_the_cve() -> None:
    nvd = Affected(ecosystem="cpe", package="openssl:openssl", ranges=(Range(type="CONSTRAINT", constraint=">= 3.1.0, < 3.1.5"),), fixed_versions=("3.1.5",))
    nvd_old = Affected(ecosystem="cpe", package="openssl:openssl", ranges=(Range(type="CONSTRAINT", constraint=">= 1.0.1, < 1.0.1h"),), fixed_versions=("1.0.1h",))
    db = [adv("CVE-2024-0727", fixed_in("alpine:3.18", "openssl", "3.1.4-r5"), nvd), adv("CVE-2014-0224", nvd_old)]
    cpe = "cpe:2.3:a:openssl:openssl:{}:*:*:*:*:*:*:*"
    fixed = Package(name="openssl", version="3.1.4-r5", type="apk", cpes=(cpe.format("3.1.4-r5"),))
    findings, ignored, _ = run([fixed], db, ALPINE)
    assert findings == [] and [i.finding.id for i in ignored] == ["CVE-2024-0727"]
    old = Package(name="openssl", version="1.0.1f-r0", type="apk", cpes=(cpe.format("1.0.1f-r0"),))
    findings, _, _ = run([old], db, ALPINE)
    by_id = {f.id: f for f in findings}
    assert set(by_id) == {"CVE-2024-0727", "CVE-2014-0224"}
    assert by_id["CVE-2014-0224"].details[0].type == "cpe-match"
    assert by_id["CVE-2014-0224"].fix_state == "unknown"  # the secdb, not NVD, says which build fixes it
    # libssl3 reaches NVD's openssl record through its origin
    lib = Package(name="libssl3", version="1.0.1f-r0", type="apk", source_name="openssl", cpes=("cpe:2.3:a:libssl3:libssl3:1.0.1f-r0:*:*:*:*:*:*:*",))
    assert "CVE-2014-0224" in {f.id for f in run([lib], db, ALPINE)[0]}


def test_apk_record_architecture_must_agree() -> None:
    db = [adv("CGA-1", fixed_in("wolfi:rolling", "tool", "2.0-r0", qualifiers={"arch": "x86_64"}))]
    wolfi = Distro(id="wolfi", version_id="20230201")
    assert run([Package(name="tool", version="1.0-r0", type="apk", arch="x86_64")], db, wolfi)[0]
    assert run([Package(name="tool", version="1.0-r0", type="apk", arch="aarch64")], db, wolfi)[0] == []
    assert run([Package(name="tool", version="1.0-r0", type="apk")], db, wolfi)[0]


# -- rpm ---------------------------------------------------------------------------------------------------


RHEL8 = Distro(id="rhel", version_id="8.4")


def test_rpm_epochs() -> None:
    db = [adv("CVE-2018-0735", fixed_in("rhel:8", "openssl", "1:1.1.1c-2.el8"))]

    def verdict(version: str, epoch: int | None) -> str:
        findings, ignored, _ = run([Package(name="openssl", version=version, type="rpm", epoch=epoch)], db, RHEL8)
        return "match" if findings else ignored[0].kind if ignored else "none"

    assert verdict("1:1.1.1b-1.el8", 1) == "match"
    assert verdict("1:1.1.1c-2.el8", 1) == "distro-fixed"
    assert verdict("2:1.1.1b-1.el8", 2) == "distro-fixed"
    assert verdict("1.1.1z-99.el8", None) == "match"  # no epoch: 0
    assert verdict("1.1.1c-2.el8", 0) == "match"  # epoch only in metadata


def test_rpm_source_rpm_indirect_match() -> None:
    db = [adv("CVE-2018-0735", fixed_in("rhel:8", "openssl", "1:1.1.1c-2.el8"))]
    libs = Package(name="openssl-libs", version="1:1.1.1b-1.el8", type="rpm", epoch=1, source_name="openssl", source_version="1.1.1b-1.el8")
    (f,), _, _ = run([libs], db, RHEL8)
    assert f.details[0].type == "exact-indirect-match"


@pytest.mark.parametrize(
    "label, expected",
    [("httpd:2.4:8030020201104025655:c0b1d3e2", True), ("", True), ("httpd:2.6:1234:5678", False), ("httpd:2.40:1:2", False)],
)
def test_rpm_modularity_label(label: str, expected: bool) -> None:
    db = [adv("CVE-2018-17199", fixed_in("rhel:8", "httpd", "0:2.4.37-39.module+el8.4.0+9658+b87b2deb", qualifiers={"rpm_modularity": "httpd:2.4"}))]
    pkg = Package(name="httpd", version="0:2.4.37-30.module+el8.3.0+1.el8", type="rpm", metadata={"modularityLabel": label} if label else {})
    findings, ignored, _ = run([pkg], db, RHEL8)
    assert bool(findings) is expected
    if not expected:
        assert ignored == []


def test_rpm_clone_feed_decides_for_the_vulnerabilities_it_names() -> None:
    rhel = adv("CVE-2021-40438", fixed_in("rhel:8", "httpd", "0:2.4.37-43.module+el8.5.0+13064+c4b14997"))
    alma = adv("ALSA-2021:4537", fixed_in("almalinux:8", "httpd", "2.4.37-43.module_el8.5.0+2597+c4b14997.alma"), aliases=("CVE-2021-40438", "CVE-2021-26691"))
    alma8 = Distro(id="almalinux", version_id="8.5")
    fixed = Package(name="httpd", version="2.4.37-43.module_el8.5.0+2597+c4b14997.alma", type="rpm")
    findings, ignored, _ = run([fixed], [rhel, alma], alma8)
    assert findings == [] and ignored and ignored[0].kind == "distro-fixed"
    old = Package(name="httpd", version="2.4.37-30.module_el8.3.0+1234+abcd", type="rpm")
    (f,), _, _ = run([old], [rhel, alma], alma8)
    # the ALSA fix is the one to install; its other CVE does not leak into this finding
    assert f.id == "CVE-2021-40438" and f.fixed_versions == ("2.4.37-43.module_el8.5.0+2597+c4b14997.alma",)
    assert "ALSA-2021:4537" in f.aliases and "CVE-2021-26691" not in f.aliases


def test_sles_service_pack_and_rhel_minor_versions() -> None:
    db = [adv("CVE-2024-2961", fixed_in("sles:15.6", "glibc", "2.38-150600.14.29.1"))]
    pkg = Package(name="glibc", version="2.36-150600.10.1.1", type="rpm")
    assert run([pkg], db, Distro(id="sles", version_id="15.6"))[0]
    assert run([pkg], db, Distro(id="sles", version_id="15.7"))[0] == []


# -- language packages ---------------------------------------------------------------------------------------


def test_pypi_names_are_pep503_normalised() -> None:
    db = [adv("GHSA-v933-vx5p-j7w2", fixed_in("pypi", "oslo-utils", "3.1.0"))]
    for name in ("oslo.utils", "oslo_utils", "Oslo-Utils"):
        assert ids(run([Package(name=name, version="0.1.0", type="python")], db)[0]) == {(name, "GHSA-v933-vx5p-j7w2")}


def test_npm_scoped_and_unscoped_names_do_not_collide() -> None:
    db = [adv("GHSA-67hx-6x53-jw92", fixed_in("npm", "@babel/traverse", "7.23.2"), fixed_in("npm", "babel-traverse", "99.0.0"))]
    pkgs = [
        Package(name="@babel/traverse", version="7.20.0", type="npm"),
        Package(name="babel-traverse", version="6.26.0", type="npm"),
        Package(name="traverse", version="0.6.7", type="npm"),
    ]
    assert {n for n, _ in ids(run(pkgs, db)[0])} == {"@babel/traverse", "babel-traverse"}
    assert run([Package(name="@babel/traverse", version="7.23.5", type="npm")], db)[0] == []


def test_go_stdlib_is_matched_at_the_toolchain_version() -> None:
    go_range = Range(type="SEMVER", events=(("introduced", "0"), ("fixed", "1.19.10"), ("introduced", "1.20.0-0"), ("fixed", "1.20.5")))
    db = [adv("GO-2023-1840", Affected(ecosystem="go", package="stdlib", ranges=(go_range,), fixed_versions=("1.19.10", "1.20.5")), aliases=("CVE-2023-29403",))]
    (f,), _, _ = run([Package(name="stdlib", version="go1.18.6", type="go-module")], db)
    assert f.fixed_versions == ("1.19.10",)  # the nearest fix above the installed version
    (f,), _, _ = run([Package(name="stdlib", version="go1.20.1", type="go-module")], db)
    assert f.fixed_versions == ("1.20.5",)
    assert run([Package(name="stdlib", version="go1.20.5", type="go-module")], db)[0] == []


def test_maven_uses_group_and_artifact() -> None:
    db = [adv("GHSA-jfh8-c2jp-5v3q", fixed_in("maven", "org.apache.logging.log4j:log4j-core", "2.15.0"))]
    by_purl = Package(name="log4j-core", version="2.14.1", type="java-archive", purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
    by_meta = Package(name="log4j-core", version="2.14.1", type="java-archive", metadata={"pomGroupID": "org.apache.logging.log4j"})
    no_group = Package(name="log4j-core", version="2.14.1", type="java-archive", found_by="x")
    assert len(run([by_purl, by_meta, no_group], db)[0]) == 2


# -- merging, severity, enrichment -----------------------------------------------------------------------------


def test_records_of_one_vulnerability_merge_through_aliases() -> None:
    db = [
        adv("GHSA-xxxx-yyyy-zzzz", fixed_in("pypi", "django", "4.2.1"), aliases=("CVE-2023-1",), severities=(Severity(source="ghsa", kind="rating", rating="high"),)),
        adv("PYSEC-2023-1", fixed_in("pypi", "django", "4.2.1"), aliases=("CVE-2023-1",)),
        adv("PYSEC-2023-2", fixed_in("pypi", "django", "4.2.1"), aliases=("CVE-2023-2",)),
    ]
    findings, _, _ = run([Package(name="Django", version="4.1", type="python")], db)
    assert sorted((f.id, f.aliases) for f in findings) == [("GHSA-xxxx-yyyy-zzzz", ("CVE-2023-1", "PYSEC-2023-1")), ("PYSEC-2023-2", ("CVE-2023-2",))]
    merged = next(f for f in findings if f.id.startswith("GHSA"))
    assert {d.record for d in merged.details} == {"GHSA-xxxx-yyyy-zzzz", "PYSEC-2023-1"}
    assert merged.severity == "high" and merged.severity_source == "ghsa"


def test_a_distro_advisory_naming_several_cves_does_not_merge_them() -> None:
    db = [
        adv("CVE-2023-10", fixed_in("debian:12", "curl", "7.88.1-10+deb12u4")),
        adv("CVE-2023-11", fixed_in("debian:12", "curl", "7.88.1-10+deb12u4")),
        adv("DSA-5555-1", fixed_in("debian:12", "curl", "7.88.1-10+deb12u4"), aliases=("CVE-2023-10", "CVE-2023-11")),
    ]
    findings, _, _ = run([Package(name="curl", version="7.88.1-10", type="deb")], db, DEBIAN12)
    assert sorted((f.id, f.aliases) for f in findings) == [("CVE-2023-10", ("DSA-5555-1",)), ("CVE-2023-11", ("DSA-5555-1",))]
    # alone, the DSA is reported under its own id with its CVEs as aliases
    (f,), _, _ = run([Package(name="curl", version="7.88.1-10", type="deb")], db[2:], DEBIAN12)
    assert (f.id, f.aliases) == ("DSA-5555-1", ("CVE-2023-10", "CVE-2023-11"))


def test_distro_rating_wins_and_nvd_fills_in_when_the_distro_has_none() -> None:
    nvd = Severity(source="nvd", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    db = [
        adv("CVE-2024-1", fixed_in("debian:12", "a", "2.0-1"), severities=(Severity(source="debian", kind="rating", rating="low"), nvd)),
        adv("CVE-2024-2", fixed_in("alpine:3.18", "b", "2.0-r0")),
        adv("CVE-2024-2", Affected(ecosystem="cpe", package="b:b", ranges=(Range(type="CONSTRAINT", constraint="< 2.0"),)), severities=(nvd,)),
    ]
    (f,), _, _ = run([Package(name="a", version="1.0-1", type="deb")], db, DEBIAN12)
    assert (f.severity, f.severity_source) == ("low", "debian")
    assert {s.source: s.rating for s in f.severities} == {"debian": "low", "nvd": "critical"}

    class WithSeverities(MemoryProvider):  # a database can say what every record rates a CVE
        def severities(self, vuln_id: str) -> list[Severity]:
            return [s for a in db if vuln_id in a.all_ids for s in a.severities]

    sbom = Sbom(packages=(Package(name="b", version="1.0-r0", type="apk"),))
    (g,), _, _ = match(sbom, WithSeverities(db), distro=ALPINE)
    assert (g.severity, g.severity_source) == ("critical", "nvd:CVSS_V3")
    (g,), _, _ = match(sbom, MemoryProvider(db), distro=ALPINE)
    assert (g.severity, g.severity_source) == ("unknown", "")


class _Enriched(MemoryProvider):
    def kev(self, cve: str) -> dict[str, str] | None:
        return {"cveID": cve, "dateAdded": "2024-01-01"} if cve == "CVE-2024-1" else None

    def epss(self, cve: str) -> tuple[float, float] | None:
        return (0.5, 0.97) if cve == "CVE-2024-1" else None


def test_kev_and_epss_come_from_providers_that_offer_them() -> None:
    db = [adv("GHSA-aaaa-bbbb-cccc", fixed_in("npm", "x", "2.0.0"), aliases=("CVE-2024-1",)), adv("GHSA-dddd-eeee-ffff", fixed_in("npm", "x", "2.0.0"))]
    findings, _, _ = match(Sbom(packages=(Package(name="x", version="1.0.0", type="npm"),)), _Enriched(db))
    by_id = {f.id: f for f in findings}
    assert by_id["GHSA-aaaa-bbbb-cccc"].kev == {"cveID": "CVE-2024-1", "dateAdded": "2024-01-01"}
    assert (by_id["GHSA-aaaa-bbbb-cccc"].epss, by_id["GHSA-aaaa-bbbb-cccc"].epss_percentile) == (0.5, 0.97)
    assert by_id["GHSA-dddd-eeee-ffff"].kev is None and by_id["GHSA-dddd-eeee-ffff"].epss is None


# -- distro handling ------------------------------------------------------------------------------------------


def test_os_packages_without_a_distro_are_never_skipped_silently() -> None:
    db = [adv("CVE-2024-0727", fixed_in("debian:12", "openssl", "3.0.13-1~deb12u1"))]
    pkgs = [Package(name="openssl", version="3.0.11-1~deb12u2", type="deb"), Package(name="libc6", version="2.36-9", type="deb")]
    findings, _, warnings = run(pkgs, db)
    assert findings == []
    assert warnings == ["2 deb packages were not matched: the SBOM names no distro; pass --distro debian:12"]
    assert ids(run(pkgs, db, DEBIAN12)[0]) == {("openssl", "CVE-2024-0727")}


def test_distro_comes_from_the_purls_when_the_sbom_names_none() -> None:
    pkg = Package(name="openssl", version="3.0.11-1~deb12u2", type="deb", purl="pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12")
    assert infer_distro([pkg]) == Distro(id="debian", version_id="12")
    db = [adv("CVE-2024-0727", fixed_in("debian:12", "openssl", "3.0.13-1~deb12u1"))]
    findings, _, warnings = run([pkg], db)
    assert findings and "using debian:12 from the packages' purls" in warnings[0]


def test_packages_of_another_family_are_reported_not_matched() -> None:
    db = [adv("CVE-2024-0727", fixed_in("alpine:3.18", "openssl", "3.1.4-r5"))]
    findings, _, warnings = run([Package(name="openssl", version="3.1.4-r0", type="apk")], db, DEBIAN12)
    assert findings == [] and warnings == ["1 apk packages were not matched: the distro debian:12 does not use apk packages"]


def test_unknown_versions_are_not_matched() -> None:
    db = [adv("GHSA-aaaa-bbbb-cccc", fixed_in("npm", "x", "2.0.0"))]
    assert run([Package(name="x", version="", type="npm"), Package(name="x", version="UNKNOWN", type="npm")], db)[0] == []


# -- ownership --------------------------------------------------------------------------------------------------


def test_language_package_installed_by_an_os_package_follows_the_distro_verdict() -> None:
    db = [
        adv("CVE-2024-24750", Affected(ecosystem="rhel:10", package="nodejs-undici", fix_state="not-affected")),
        adv("GHSA-m4v8-wqvr-p9f7", fixed_in("npm", "undici", "5.28.3"), aliases=("CVE-2024-24750",)),
        adv("GHSA-9qxr-qj54-h672", fixed_in("npm", "undici", "5.28.3"), aliases=("CVE-2024-24758",)),
    ]
    path = "/usr/lib/node_modules_20/undici/package.json"
    rpm = Package(name="nodejs-undici", version="5.28.0-1.el10", type="rpm", files=(path,))
    npm = Package(name="undici", version="5.28.0", type="npm", locations=(Location(path=path),))
    rhel10 = Distro(id="rhel", version_id="10.0")
    findings, ignored, _ = run([rpm, npm], db, rhel10)
    assert ids(findings) == {("undici", "GHSA-9qxr-qj54-h672")}  # RHEL says nothing about CVE-2024-24758
    by_pkg = {(i.finding.package.name, i.finding.id): i for i in ignored}
    assert by_pkg[("undici", "GHSA-m4v8-wqvr-p9f7")].kind == "distro-not-affected"
    assert "nodejs-undici" in by_pkg[("undici", "GHSA-m4v8-wqvr-p9f7")].reason
    # the same through a contains relationship instead of file ownership
    npm2 = Package(name="undici", version="5.28.0", type="npm")
    rpm2 = Package(name="nodejs-undici", version="5.28.0-1.el10", type="rpm")
    rel = Relationship(source=rpm2.id, target=npm2.id, type=RelType.CONTAINS)
    findings, _, _ = run([rpm2, npm2], db, rhel10, relationships=[rel])
    assert ids(findings) == {("undici", "GHSA-9qxr-qj54-h672")}


def test_cpe_matching_for_language_ecosystems_is_off_by_default() -> None:
    db = [adv("CVE-2021-44228", Affected(ecosystem="cpe", package="apache:log4j", ranges=(Range(type="CONSTRAINT", constraint="< 2.15.0"),)))]
    pkg = Package(name="log4j-core", version="2.14.1", type="java-archive", cpes=("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",), metadata={"pomGroupID": "org.apache.logging.log4j"})
    assert run([pkg], db)[0] == []
    assert ids(run([pkg], db, options=MatchOptions(cpe_ecosystems=frozenset({"maven"})))[0]) == {("log4j-core", "CVE-2021-44228")}
    binary = Package(name="java_se", version="1.8.0_400", type="binary", cpes=("cpe:2.3:a:oracle:java_se:1.8.0:update400:*:*:*:*:*:*",))
    db2 = [adv("CVE-2024-20919", Affected(ecosystem="cpe", package="oracle:java_se", ranges=(Range(type="CONSTRAINT", constraint="< 1.8.0_401"),)))]
    assert ids(run([binary], db2)[0]) == {("java_se", "CVE-2024-20919")}


def test_cpe_target_software_must_agree() -> None:
    rec = Affected(ecosystem="cpe", package="lodash:lodash", ranges=(Range(type="CONSTRAINT", constraint="< 4.17.21"),), qualifiers={"cpes": ["cpe:2.3:a:lodash:lodash:*:*:*:*:*:node.js:*:*"]})
    db = [adv("CVE-2021-23337", rec)]

    def pkg(tsw: str) -> Package:
        return Package(name="lodash", version="4.17.20", type="binary", cpes=(f"cpe:2.3:a:lodash:lodash:4.17.20:*:*:*:*:{tsw}:*:*",))

    assert run([pkg("node.js")], db)[0] and run([pkg("*")], db)[0]
    assert run([pkg("python")], db)[0] == []


def test_a_per_version_not_affected_statement_covers_only_its_versions() -> None:
    from assay.advisories import Advisory, Affected, MemoryProvider, Range
    from assay.match import match
    from assay.model import Distro, Package, Sbom

    adv = Advisory(
        id="CVE-2099-0001",
        affected=(
            Affected(ecosystem="wolfi:rolling", package="zlib", ranges=(Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", "1.3-r5"))),), fix_state="fixed", fixed_versions=("1.3-r5",)),
            Affected(ecosystem="wolfi:rolling", package="zlib", versions=("1.3-r2",), fix_state="not-affected"),
        ),
    )
    provider = MemoryProvider([adv])
    distro = Distro(id="wolfi", version_id="20230201")

    def run(version: str):  # type: ignore[no-untyped-def]
        pkg = Package(name="zlib", version=version, type="apk", source_name="zlib")
        return match(Sbom(packages=(pkg,), distro=distro), provider)

    findings, ignored, _ = run("1.3-r2")
    assert not findings and ignored and ignored[0].kind == "distro-not-affected"
    findings, ignored, _ = run("1.3-r1")
    assert [f.id for f in findings] == ["CVE-2099-0001"]
