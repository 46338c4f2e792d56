import pytest

from assay.advisories.ecosystems import github_ecosystem, normalize_ecosystem, normalize_package, purl_ecosystem, vunnel_namespace


@pytest.mark.parametrize(
    ("osv", "expected"),
    [
        ("PyPI", "pypi"),
        ("npm", "npm"),
        ("Go", "go"),
        ("crates.io", "cargo"),
        ("RubyGems", "gem"),
        ("Packagist", "composer"),
        ("NuGet", "nuget"),
        ("Maven", "maven"),
        ("Maven:https://repo.maven.apache.org/maven2/", "maven"),
        ("Hex", "hex"),
        ("Pub", "pub"),
        ("Bitnami", "bitnami"),
        ("Debian:12", "debian:12"),
        ("Debian:bookworm", "debian:12"),
        ("Alpine:v3.19", "alpine:3.19"),
        ("Ubuntu:22.04:LTS", "ubuntu:22.04"),
        ("Ubuntu:24.10", "ubuntu:24.10"),
        ("Ubuntu:Pro:16.04:LTS", "ubuntu:16.04+esm"),
        ("Ubuntu:Pro:FIPS-updates:20.04:LTS", "ubuntu:20.04+fips"),
        ("Red Hat:enterprise_linux:8::appstream", "rhel:8"),
        ("Red Hat:enterprise_linux:9::baseos", "rhel:9"),
        ("Red Hat:rhel_eus:8.4::baseos", "rhel:8.4+eus"),
        ("Red Hat:openshift:4.14::el9", "redhat:openshift:4.14"),
        ("AlmaLinux:8", "almalinux:8"),
        ("Rocky Linux:9", "rocky:9"),
        ("Wolfi", "wolfi:rolling"),
        ("Chainguard", "chainguard:rolling"),
        ("SUSE:Linux Enterprise Server 15 SP6", "sles:15.6"),
        ("SUSE:Linux Enterprise Server 12", "sles:12"),
        ("openSUSE:Leap 15.5", "opensuse-leap:15.5"),
        ("Photon OS:5.0", "photon:5.0"),
        ("Azure Linux:3", "azurelinux:3.0"),
        ("Root:Debian:12", "debian:12"),
        ("Root:PyPI", "pypi"),
        ("GitHub Actions", "github-actions"),
        ("OSS-Fuzz", "oss-fuzz"),
    ],
)
def test_normalize_ecosystem(osv: str, expected: str) -> None:
    assert normalize_ecosystem(osv) == expected


@pytest.mark.parametrize(
    ("ecosystem", "name", "expected"),
    [
        ("pypi", "Oslo_Utils", "oslo-utils"),
        ("pypi", "zope.interface", "zope-interface"),
        ("pypi", "  Django ", "django"),
        ("nuget", "Newtonsoft.Json", "newtonsoft.json"),
        ("composer", "Laravel/Framework", "laravel/framework"),
        ("maven", "org.apache.logging.log4j/log4j-core", "org.apache.logging.log4j:log4j-core"),
        ("maven", "org.example:Core", "org.example:Core"),
        ("npm", "@Babel/traverse", "@Babel/traverse"),
        ("cpe", "OpenSSL:OpenSSL", "openssl:openssl"),
        ("debian:12", "libssl3", "libssl3"),
        ("rhel:8", "NetworkManager", "NetworkManager"),
    ],
)
def test_normalize_package(ecosystem: str, name: str, expected: str) -> None:
    assert normalize_package(ecosystem, name) == expected


def test_vunnel_and_github_namespaces() -> None:
    assert vunnel_namespace("rhel:8") == "rhel:8"
    assert vunnel_namespace("ubuntu:16.04+esm") == "ubuntu:16.04+esm"
    assert vunnel_namespace("oracle:7") == "ol:7"
    assert vunnel_namespace("amazon:2") == "amzn:2"
    assert vunnel_namespace("debian:bookworm") == "debian:12"
    assert vunnel_namespace("wolfi") == "wolfi:rolling"
    assert github_ecosystem("github:python") == "pypi"
    assert github_ecosystem("java") == "maven"
    assert github_ecosystem("rust") == "cargo"
    assert purl_ecosystem("golang") == "go"
    assert purl_ecosystem("deb") == ""
