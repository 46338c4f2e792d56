"""Each importer on the project's own small fixtures: what it reads, and what it skips."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from assay.advisories.alpine import parse_ids
from assay.advisories.debian import fix_state
from assay.advisories.enrich import parse_epss
from assay.advisories.feeds import Eol, Epss, Kev, Record, detect, load_yaml, read_input
from assay.advisories.osv import parse_osv
from assay.advisories.vunnel import normalize_constraint, parse_cpe
from assay.errors import FormatError

FIX = Path(__file__).parent / "fixtures"


def records(path: Path, warnings: list[str] | None = None) -> dict[tuple[str, str], Record]:
    out = {}
    for item in read_input(path, (warnings if warnings is not None else []).append):
        if isinstance(item, Record):
            out[(item.feed, item.advisory.id)] = item
    return out


def one(recs: dict[tuple[str, str], Record], ident: str) -> Record:
    found = [r for (_, i), r in recs.items() if i == ident]
    assert len(found) == 1, f"{ident}: {found}"
    return found[0]


# -- OSV -------------------------------------------------------------------------------------


def test_osv_yaml_keeps_versions_and_dates_as_text() -> None:
    rec = one(records(FIX / "osv"), "PYSEC-2099-1")
    adv = rec.advisory
    assert rec.feed == "osv"
    assert adv.source == "osv:PyPI"
    assert adv.modified == "2099-01-02T03:04:05.123456Z"  # not a datetime
    assert adv.aliases == ("CVE-2099-1001", "GHSA-aaaa-bbbb-cccc")
    (aff,) = adv.affected
    assert (aff.ecosystem, aff.package) == ("pypi", "example-pkg")
    assert aff.versions == ("1.9", "1.0")
    eco = [r for r in aff.ranges if r.type == "ECOSYSTEM"][0]
    assert eco.events == (("introduced", "0"), ("fixed", "1.10"))  # "1.10", not the float 1.1
    assert [r.type for r in aff.ranges] == ["GIT", "ECOSYSTEM"]
    assert aff.fix_state == "fixed" and aff.fixed_versions == ("1.10",)  # the GIT commit is not a version
    (sev,) = adv.severities
    assert (sev.source, sev.kind, sev.score, sev.rating) == ("pypa", "CVSS_V3", 9.8, "critical")
    assert adv.references == ("https://example.invalid/PYSEC-2099-1",)


def test_osv_json_multi_ecosystem_and_ghsa_rating() -> None:
    adv = one(records(FIX / "osv"), "GHSA-aaaa-bbbb-cccc").advisory
    keys = [(a.ecosystem, a.package, a.fix_state) for a in adv.affected]
    assert keys == [
        ("pypi", "example-pkg", "fixed"),
        ("npm", "@scope/example", "not-fixed"),
        ("maven", "org.example:example-core", "fixed"),
    ]
    assert adv.affected[1].ranges[0].events == (("introduced", "2.0.0"), ("last_affected", "2.3.1"))
    kinds = {(s.kind, s.rating) for s in adv.severities}
    assert ("rating", "medium") in kinds  # GHSA "MODERATE"
    v4 = [s for s in adv.severities if s.kind == "CVSS_V4"][0]
    assert v4.score is not None and v4.rating in ("high", "critical")


def test_osv_distro_ecosystems_and_qualifiers() -> None:
    recs = records(FIX / "osv")
    usn = one(recs, "USN-9999-1").advisory
    assert [(a.ecosystem, a.package) for a in usn.affected] == [("ubuntu:22.04", "openssl"), ("ubuntu:16.04+esm", "openssl")]
    assert usn.aliases == ("CVE-2099-2002",)  # "upstream" names the same vulnerability
    assert [(s.source, s.rating) for s in usn.severities] == [("ubuntu", "medium")]
    rhsa = one(recs, "RHSA-2099:0001").advisory
    assert rhsa.aliases == ("CVE-2099-2003",)  # an erratum's "related" ids are the CVEs it fixes
    httpd, libs = rhsa.affected
    assert (httpd.ecosystem, httpd.qualifiers["rpm_modularity"], httpd.qualifiers["arch"]) == ("rhel:8", "httpd:2.4", "x86_64")
    assert libs.ecosystem == "rhel:8.4+eus"
    assert one(recs, "ALPINE-CVE-2099-2004").advisory.withdrawn == "2099-03-04T00:00:00Z"


def test_osv_related_ids_of_other_records_are_not_aliases() -> None:
    rec = parse_osv({"id": "GHSA-1111-2222-3333", "related": ["CVE-2099-7"], "aliases": ["CVE-2099-8"], "affected": []})
    assert rec.advisory.aliases == ("CVE-2099-8",)
    rec = parse_osv({"id": "ALSA-2099:1", "related": ["CVE-2099-7", "CVE-2099-9"], "affected": []})
    assert rec.advisory.aliases == ("CVE-2099-7", "CVE-2099-9")


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"affected": []}, "no id"),
        ({"id": "X-1", "affected": {"package": {}}}, "affected is not a list"),
        ({"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI"}}]}, "needs an ecosystem and a name"),
        ({"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"events": [{"fixd": "1"}]}]}]}, "unknown event"),
        ({"id": "X-1", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"events": "1"}]}]}, "events is not a list"),
    ],
)
def test_osv_malformed_records_raise(doc: dict, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        parse_osv(doc)


def test_osv_zip_as_published_by_osv_dev(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.write(FIX / "osv" / "GHSA-aaaa-bbbb-cccc.json", "GHSA-aaaa-bbbb-cccc.json")
        zf.writestr("PYSEC-2099-2.json", json.dumps({"id": "PYSEC-2099-2", "modified": "2099-01-01T00:00:00Z", "affected": []}))
        zf.writestr("broken.json", "{not json")
    path = tmp_path / "all.zip"
    path.write_bytes(buf.getvalue())
    warnings: list[str] = []
    recs = records(path, warnings)
    assert {i for _, i in recs} == {"GHSA-aaaa-bbbb-cccc", "PYSEC-2099-2"}
    assert len(warnings) == 1 and "all.zip!broken.json" in warnings[0] and "invalid JSON" in warnings[0]


def test_gzip_and_unknown_documents(tmp_path: Path) -> None:
    gz = tmp_path / "records.json.gz"
    gz.write_bytes(gzip.compress((FIX / "osv" / "distros.json").read_bytes()))
    assert len(records(gz)) == 3
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    warnings: list[str] = []
    assert records(other, warnings) == {}
    assert warnings == [f"{other}: not a recognised advisory format (OSV, vunnel, Alpine secdb, Debian tracker, KEV, EPSS); skipped"]
    with pytest.raises(FormatError, match="no such file"):
        list(read_input(tmp_path / "missing.json", print))


def test_yaml_loader_strings() -> None:
    assert load_yaml("a: 1.10\nb: 2024-01-01T00:00:00Z\nc: null\nd: yes\n") == {
        "a": "1.10",
        "b": "2024-01-01T00:00:00Z",
        "c": None,
        "d": "yes",
    }


# -- Alpine ------------------------------------------------------------------------------------


def test_alpine_secdb() -> None:
    warnings: list[str] = []
    recs = records(FIX / "distro" / "alpine-v3.19-main.json", warnings)
    assert {f for f, _ in recs} == {"alpine-secdb:3.19/main"}
    adv = one(recs, "CVE-2024-0727").advisory
    assert [(a.ecosystem, a.package, a.fix_state, a.fixed_versions) for a in adv.affected] == [
        ("alpine:3.19", "openssl", "fixed", ("3.1.4-r5",)),
        ("alpine:3.19", "libssl-legacy", "fixed", ("1.0.0-r0",)),
    ]
    assert adv.affected[0].ranges[0].events == (("introduced", "0"), ("fixed", "3.1.4-r5"))
    assert adv.affected[0].version_scheme == "apk"
    nak = one(recs, "CVE-2019-6470").advisory.affected[0]
    assert (nak.package, nak.fix_state, nak.ranges) == ("bind", "not-affected", ())
    assert one(recs, "CVE-2023-46835").advisory.aliases == ("XSA-445",)
    assert one(recs, "XSA-398").advisory.aliases == ()  # the "CVE-2022-?????" placeholder is dropped
    assert one(recs, "CVE-2019-2426").advisory.affected[0].package == "xen"  # "CVE_2019-2426" typo
    assert warnings == [f"skipped malformed package entry #3 in {FIX / 'distro' / 'alpine-v3.19-main.json'}"]


def test_alpine_ids() -> None:
    assert parse_ids("CVE-2016-9932 XSA-200") == ("CVE-2016-9932", "XSA-200")
    assert parse_ids("GNUTLS-SA-2020-03-31 CVE-2020-11501") == ("CVE-2020-11501", "GNUTLS-SA-2020-03-31")
    assert parse_ids("CVE N/A ZBX-11023") == ("ZBX-11023",)
    assert parse_ids("CVE-2021-35940.patch") == ("CVE-2021-35940",)


# -- Debian tracker ------------------------------------------------------------------------------


def test_debian_tracker() -> None:
    warnings: list[str] = []
    recs = records(FIX / "distro" / "debian-tracker.json", warnings)
    adv = recs[("debian-tracker:12", "CVE-2024-0727")].advisory
    assert [(a.ecosystem, a.package, a.fix_state, a.fixed_versions) for a in adv.affected] == [
        ("debian:12", "openssl", "fixed", ("3.0.13-1~deb12u1",)),
        ("debian:12", "openssl1.0", "not-affected", ()),
    ]
    assert [(s.source, s.kind, s.rating) for s in adv.severities] == [("debian", "rating", "low")]
    assert adv.details.startswith("Processing a maliciously")
    assert "https://bugs.debian.org/1061582" in adv.references
    buster = recs[("debian-tracker:10", "CVE-2024-0727")].advisory.affected[0]
    assert buster.fix_state == "wont-fix"  # open but end-of-life
    assert recs[("debian-tracker:unstable", "CVE-2024-0727")].advisory.affected[0].fixed_versions == ("3.1.5-1",)
    assert recs[("debian-tracker:12", "CVE-2010-0928")].advisory.affected[0].fix_state == "not-fixed"
    assert recs[("debian-tracker:12", "CVE-2010-0928")].advisory.severities[0].rating == "negligible"
    assert recs[("debian-tracker:12", "CVE-2019-1010022")].advisory.affected[0].fix_state == "wont-fix"  # no-dsa, ignored
    assert recs[("debian-tracker:13", "CVE-2023-4911")].advisory.affected[0].fix_state == "not-fixed"  # postponed
    assert recs[("debian-tracker:11", "CVE-2019-1010022")].advisory.affected[0].fix_state == "unknown"  # undetermined
    assert recs[("debian-tracker:12", "CVE-2023-4911")].advisory.severities[0].rating == "high"  # "high**"
    assert not [k for k in recs if k[1] == "CVE-2022-0358"]  # "releases": []
    assert len(warnings) == 1 and "CVE-2099-0001 (broken)" in warnings[0]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"status": "resolved", "fixed_version": "1.2-1"}, ("fixed", "1.2-1")),
        ({"status": "resolved", "fixed_version": "0"}, ("not-affected", "")),
        ({"fixed_version": "<not-affected>"}, ("not-affected", "")),
        ({"status": "not-affected"}, ("not-affected", "")),
        ({"fixed_version": "<unfixed>"}, ("not-fixed", "")),
        ({"status": "open"}, ("not-fixed", "")),
        ({"fixed_version": "<no-dsa>"}, ("wont-fix", "")),
        ({"status": "no-dsa"}, ("wont-fix", "")),
        ({"status": "ignored"}, ("wont-fix", "")),
        ({"fixed_version": "<end-of-life>"}, ("wont-fix", "")),
        ({"status": "undetermined"}, ("unknown", "")),
    ],
)
def test_debian_fix_states(info: dict, expected: tuple[str, str]) -> None:
    assert fix_state(info) == expected


# -- vunnel -------------------------------------------------------------------------------------


def test_vunnel_directory_tree() -> None:
    items = list(read_input(FIX / "vunnel", (warnings := []).append))
    recs = {(i.feed, i.advisory.id): i for i in items if isinstance(i, Record)}
    assert [i.namespace for i in items if isinstance(i, Eol)] == ["rhel:7"]
    assert set(recs) == {
        ("vunnel:rhel:8", "CVE-2099-3001"),
        ("vunnel:github", "GHSA-xxxx-yyyy-zzzz"),
        ("vunnel:nvd", "CVE-2099-5001"),
        ("osv", "ALSA-2099:0001"),
    }
    assert len(warnings) == 1 and "ALSA-2099:0002" in warnings[0] and "broken.json" in warnings[0]


def test_vunnel_os_record() -> None:
    adv = one(records(FIX / "vunnel" / "rhel"), "CVE-2099-3001").advisory
    httpd, http2, ldap, fs, nodejs = adv.affected
    assert (httpd.ecosystem, httpd.package, httpd.fix_state, httpd.version_scheme) == ("rhel:8", "httpd", "fixed", "rpm")
    assert httpd.qualifiers == {"rpm_modularity": "httpd:2.4", "vendor_advisories": ["RHSA-2099:3816"]}
    assert httpd.ranges[0].events == (("introduced", "0"), ("fixed", "0:2.4.37-39.module+el8.4.0+12865+a7065a39.1"))
    assert (http2.fix_state, http2.ranges) == ("not-fixed", ())
    assert ldap.fix_state == "wont-fix"
    assert (fs.fix_state, fs.ranges) == ("not-affected", ())
    assert nodejs.ranges[0].type == "CONSTRAINT"
    assert nodejs.ranges[0].constraint == (
        "< 1:14.15.4-2.module+el8.3.0+9635+ffdf8381 || >= 1:14.18.2, < 1:14.18.2-2.module+el8.5.0+13644+8d46dafd"
    )
    assert nodejs.qualifiers["arch"] == "x86_64"
    assert [(s.source, s.kind, s.rating, s.score) for s in adv.severities] == [
        ("rhel", "rating", "high", None),
        ("rhel", "CVSS_V3", "critical", 9.0),
    ]


def test_vunnel_github_record() -> None:
    adv = one(records(FIX / "vunnel" / "github"), "GHSA-xxxx-yyyy-zzzz").advisory
    assert adv.aliases == ("CVE-2099-4001",)
    a, b = adv.affected
    assert (a.ecosystem, a.package, a.ranges[0].constraint, a.fix_state) == ("pypi", "oslo-utils", ">= 1.22, < 2.6.3", "fixed")
    assert (b.package, b.fix_state, b.fixed_versions) == ("oslo-utils", "not-fixed", ())
    assert adv.references[0] == "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz"
    assert {s.kind for s in adv.severities} == {"rating", "CVSS_V3", "CVSS_V4"}


def test_vunnel_nvd_record() -> None:
    adv = one(records(FIX / "vunnel" / "nvd"), "CVE-2099-5001").advisory
    assert adv.details == "Crash when parsing PKCS12."
    assert [(s.source, s.score) for s in adv.severities] == [("nvd", 5.5), ("cna", 7.5)]
    openssl, agent = adv.affected
    assert (openssl.ecosystem, openssl.package) == ("cpe", "openssl:openssl")
    assert [r.constraint for r in openssl.ranges] == [">= 3.0.0, < 3.0.13", "= 3.2.0", "= 1.0.1-beta1"]
    assert openssl.fixed_versions == ("3.0.13",)
    assert len(openssl.qualifiers["cpes"]) == 3
    assert (agent.package, agent.ranges, agent.fix_state) == ("example:agent", (), "unknown")  # every version
    assert agent.qualifiers["platform_cpes"] == ["cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*"]


def test_constraints_and_cpes() -> None:
    assert normalize_constraint(">= 1.22 < 2.6.3") == ">= 1.22, < 2.6.3"
    assert normalize_constraint(">= 9.5.1, < 9.5.5") == ">= 9.5.1, < 9.5.5"
    assert normalize_constraint("<= 5.28.2") == "<= 5.28.2"
    assert normalize_constraint("== 1.0 || > 2") == "= 1.0 || > 2"
    assert normalize_constraint("") == ""
    assert parse_cpe("cpe:2.3:a:foo\\:bar:baz:1.0:*:*:*:*:*:*:*")[3] == "foo\\:bar"
    with pytest.raises(FormatError):
        parse_cpe("cpe:/a:foo:bar")


# -- KEV / EPSS -----------------------------------------------------------------------------------


def test_kev_and_epss_detected_by_content(tmp_path: Path) -> None:
    (kev,) = list(read_input(FIX / "kev.json", print))
    assert isinstance(kev, Kev) and kev.version == "2099.01.02" and len(kev.entries) == 2
    gz = tmp_path / "epss_scores.csv.gz"
    gz.write_bytes(gzip.compress((FIX / "epss.csv").read_bytes()))
    (epss,) = list(read_input(gz, print))
    assert isinstance(epss, Epss)
    assert epss.model_version == "v2099.01.01" and epss.score_date == "2099-01-02T00:00:00+0000"
    assert epss.rows == (("CVE-2099-1001", 0.97, 0.999), ("CVE-2099-4001", 0.00043, 0.08))
    plain = parse_epss(b"cve,epss,percentile\nCVE-1,0.1,0.2\n", where="x")
    assert plain.rows == (("CVE-1", 0.1, 0.2),) and plain.model_version == ""
    with pytest.raises(FormatError, match=r"x:3: malformed EPSS row"):
        parse_epss(b"cve,epss,percentile\nCVE-1,0.1,0.2\nCVE-2,high\n", where="x")


def test_detect() -> None:
    assert detect({"id": "X", "affected": []}) == "osv"
    assert detect([{"identifier": "a", "item": {}}]) == "vunnel-list"
    assert detect({"provider": "nvd", "schema": {"url": "x"}}) == "skip"
    assert detect({"content_hash": "1", "providers": {}}) == "skip"
    assert detect({"extractions": {}}) == "skip"
    assert detect({"pkg": {"CVE-1": {"releases": {}}}}) == "debian-tracker"
    assert detect({"pkg": {"CVE-1": {"other": {}}}}) == ""
    assert detect("text") == ""
