import pytest

from assay.match.versions import (
    ECOSYSTEM_SCHEMES,
    SCHEMES,
    IncomparableVersions,
    InvalidVersion,
    get_scheme,
    scheme_for_ecosystem,
)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_every_scheme_module_has_the_interface(name: str) -> None:
    scheme = get_scheme(name)
    assert scheme.NAME == name or SCHEMES[name] == "semver"  # npm/cargo/hex/pub are SemVer aliases
    assert scheme.compare("1.0", "1.0") == 0
    assert scheme.compare("1.0", "2.0") == -1
    assert scheme.key("1.0") < scheme.key("2.0")
    assert scheme.key("1.0") is scheme.key("1.0")  # cached: a scan compares the same strings again and again


def test_every_ecosystem_maps_to_a_known_scheme() -> None:
    assert set(ECOSYSTEM_SCHEMES.values()) <= set(SCHEMES)
    assert scheme_for_ecosystem("debian:12") == "dpkg"
    assert scheme_for_ecosystem("rhel:8+eus") == "rpm"
    assert scheme_for_ecosystem("bitnami") == "bitnami"
    assert scheme_for_ecosystem("conan") == "generic"


def test_unknown_scheme_names_are_fuzzy() -> None:
    assert get_scheme("no-such-scheme") is get_scheme("generic")


def test_comparable_keys_of_different_schemes_do_not_mix() -> None:
    with pytest.raises(IncomparableVersions):
        _ = get_scheme("maven").key("1.0") < get_scheme("gem").key("1.0")
    assert get_scheme("maven").key("1.0") != get_scheme("gem").key("1.0")


def test_invalid_version_is_a_one_line_match_error() -> None:
    with pytest.raises(InvalidVersion) as info:
        get_scheme("semver").key("not\na version")
    assert "\n" not in info.value.diagnostics()
    assert info.value.diagnostics().startswith("invalid semver version")
