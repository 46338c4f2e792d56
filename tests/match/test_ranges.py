"""OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation) and grype constraints."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.advisories.model import Affected, Range
from assay.match.ranges import is_affected, range_holds
from assay.match.versions import SCHEMES


def osv(*events: tuple[str, str], type: str = "ECOSYSTEM") -> Range:
    return Range(type=type, events=tuple(events))


def affected(*ranges: Range, versions: tuple[str, ...] = (), ecosystem: str = "pypi", scheme: str = "") -> Affected:
    return Affected(ecosystem=ecosystem, package="pkg", ranges=ranges, versions=versions, version_scheme=scheme)


# --- the schema's own examples ---------------------------------------------------


def test_unfixed_vulnerability_affects_every_version() -> None:
    a = affected(osv(("introduced", "0"), type="SEMVER"), ecosystem="npm")
    assert is_affected("", "0.0.1", a) == (True, ">= 0 (semver)")
    assert is_affected("", "99.0.0", a)[0]


@pytest.mark.parametrize(("version", "hit"), [("0.1.0", True), ("1.0.1", True), ("1.0.2", False), ("2.0.0", False)])
def test_fixed_vulnerability(version: str, hit: bool) -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1.0.2"), type="SEMVER"), ecosystem="npm")
    assert is_affected("", version, a) == ((True, "< 1.0.2 (semver)") if hit else (False, ""))


@pytest.mark.parametrize(
    ("version", "held"),
    [
        ("0.9.0", ""),
        ("1.0.0", ">= 1.0.0, < 1.0.2 (semver)"),
        ("1.0.2", ""),
        ("2.9.9", ""),
        ("3.0.0", ">= 3.0.0, < 3.2.5 (semver)"),
        ("3.2.4", ">= 3.0.0, < 3.2.5 (semver)"),
        ("3.2.5", ""),
    ],
)
def test_multiple_intervals_in_one_range(version: str, held: str) -> None:
    a = affected(
        osv(("introduced", "1.0.0"), ("fixed", "1.0.2"), ("introduced", "3.0.0"), ("fixed", "3.2.5"), type="SEMVER"),
        ecosystem="npm",
    )
    assert is_affected("", version, a) == (bool(held), held)


def test_last_affected_is_inclusive_and_fixed_is_not() -> None:
    last = affected(osv(("introduced", "0"), ("last_affected", "2.1.214")), ecosystem="maven")
    fixed = affected(osv(("introduced", "0"), ("fixed", "2.1.214")), ecosystem="maven")
    assert is_affected("", "2.1.214", last) == (True, "<= 2.1.214 (maven)")
    assert is_affected("", "2.1.215", last) == (False, "")
    assert is_affected("", "2.1.214", fixed) == (False, "")
    assert is_affected("", "2.1.213", fixed) == (True, "< 2.1.214 (maven)")


def test_limit_events() -> None:
    rng = osv(("introduced", "1.0"), ("limit", "1.5"), ("limit", "2.5"))
    a = affected(rng)
    assert is_affected("", "1.2", a) == (True, ">= 1.0, < 1.5 (pep440)")
    assert is_affected("", "2.0", a) == (True, ">= 1.0, < 2.5 (pep440)")
    assert is_affected("", "3.0", a) == (False, "")
    assert is_affected("", "3.0", affected(osv(("introduced", "1.0"), ("limit", "*"))))[0]


# --- evaluation details ----------------------------------------------------------


def test_events_are_sorted_before_replay() -> None:
    a = affected(osv(("fixed", "3.2.5"), ("introduced", "3.0.0"), ("fixed", "1.0.2"), ("introduced", "1.0.0")))
    assert is_affected("", "1.0.1", a) == (True, ">= 1.0.0, < 1.0.2 (pep440)")
    assert is_affected("", "2.0", a) == (False, "")
    assert is_affected("", "3.1", a) == (True, ">= 3.0.0, < 3.2.5 (pep440)")


def test_introduced_and_fixed_at_the_same_version_affect_nothing() -> None:
    a = affected(osv(("introduced", "1.0"), ("fixed", "1.0")))
    assert is_affected("", "1.0", a) == (False, "")


def test_any_range_is_enough() -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1.0")), osv(("introduced", "2.0"), ("fixed", "2.1")))
    assert is_affected("", "2.0.5", a) == (True, ">= 2.0, < 2.1 (pep440)")


def test_ecosystem_ranges_use_the_ecosystem_scheme() -> None:
    # PEP 440 reads "1.0.0-1" as a post-release of 1.0.0; SemVer as a pre-release
    eco = affected(osv(("introduced", "0"), ("fixed", "1.0.0")))
    sem = affected(osv(("introduced", "0"), ("fixed", "1.0.0"), type="SEMVER"))
    assert is_affected("", "1.0.0-1", eco) == (False, "")
    assert is_affected("", "1.0.0-1", sem) == (True, "< 1.0.0 (semver)")


def test_scheme_comes_from_caller_then_record_then_ecosystem() -> None:
    rng = osv(("introduced", "0"), ("fixed", "1.0"))
    assert is_affected("", "1.0~rc1", affected(rng, ecosystem="debian:12"))[1] == "< 1.0 (dpkg)"
    assert is_affected("", "1.0~rc1", affected(rng, ecosystem="debian:12", scheme="rpm"))[1] == "< 1.0 (rpm)"
    assert is_affected("apk", "0.9", affected(rng, ecosystem="debian:12", scheme="rpm"))[1] == "< 1.0 (apk)"


def test_go_semver_ranges_keep_go_versions() -> None:
    rng = osv(("introduced", "0"), ("fixed", "1.19.10"), ("introduced", "1.20.0"), ("fixed", "1.20.5"), type="SEMVER")
    a = affected(rng, ecosystem="go")
    assert is_affected("", "go1.18.6", a) == (True, "< 1.19.10 (go)")
    assert is_affected("", "go1.20.5", a) == (False, "")
    assert is_affected("", "v1.20.1", a) == (True, ">= 1.20.0, < 1.20.5 (go)")
    pseudo = affected(osv(("introduced", "0"), ("fixed", "0.0.0-20220314234659-1baeb1ce4c0b"), type="SEMVER"), ecosystem="go")
    assert is_affected("", "v0.0.0-20211209124913-491a49abca63", pseudo)[0]
    assert not is_affected("", "v0.1.0", pseudo)[0]


def test_rpm_ranges_use_the_matching_order() -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1:1.1.1c-2.el8")), ecosystem="rhel:8")
    assert is_affected("", "1:1.1.1b-1.el8", a) == (True, "< 1:1.1.1c-2.el8 (rpm)")
    assert not is_affected("", "1:1.1.1c-2.el8", a)[0]
    assert not is_affected("", "2:1.1.1b-1.el8", a)[0]  # higher epoch
    assert is_affected("", "0:1.1.1z-99.el8", a)[0]  # explicit epochs on both sides: epoch decides
    assert not is_affected("", "1.1.1z-99.el8", a)[0]  # epoch on one side only: versions alone decide


def test_git_ranges_never_match_a_version() -> None:
    rng = osv(("introduced", "0"), ("fixed", "c43455749b914feef56b178b256f29b3016146eb"), type="GIT")
    assert is_affected("", "1.0", affected(rng)) == (False, "")
    assert range_holds("semver", "1.0.0", rng) == ""


# --- explicit versions -----------------------------------------------------------


def test_listed_versions_match_exactly_or_by_scheme_equality() -> None:
    a = affected(versions=("1.0.0", "1.1"))
    assert is_affected("", "1.1", a) == (True, "= 1.1 (pep440)")
    assert is_affected("", "1.0", a) == (True, "= 1.0.0 (pep440)")
    assert is_affected("", "1.2", a) == (False, "")


def test_listed_versions_count_even_when_unparseable() -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1.0")), versions=("2023-custom-build",))
    assert is_affected("", "2023-custom-build", a) == (True, "= 2023-custom-build (pep440)")


# --- grype/vunnel constraint ranges ----------------------------------------------


def test_constraint_ranges() -> None:
    a = affected(Range(type="CONSTRAINT", constraint=">= 0.5, < 1.1 || = 2.0"), ecosystem="ubuntu:22.04")
    assert is_affected("", "1.0-1ubuntu1", a) == (True, ">= 0.5, < 1.1 || = 2.0 (dpkg)")
    assert is_affected("", "1.1-1", a) == (False, "")
    assert is_affected("", "2.0", a)[0]


# --- bad data never raises ------------------------------------------------------


def test_unparseable_version_falls_back_to_fuzzy_when_it_looks_like_one() -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1.2")))
    assert is_affected("", "1.0-custom-build", a) == (True, "< 1.2 (generic)")
    assert is_affected("", "1.3-custom-build", a) == (False, "")
    assert is_affected("", "custom-build", a) == (False, "")
    assert is_affected("", "", a) == (False, "")


def test_unparseable_bound_falls_back_to_fuzzy() -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1.2.x-fix")))
    assert is_affected("", "1.1", a) == (True, "< 1.2.x-fix (generic)")


@pytest.mark.parametrize("constraint", [">>> 1", "~1.0", "< 1.0,,", "|| ||"])
def test_malformed_constraints_do_not_match_or_raise(constraint: str) -> None:
    a = affected(Range(type="CONSTRAINT", constraint=constraint))
    assert is_affected("", "0.1", a) == (False, "")


def test_unknown_scheme_and_ecosystem_are_fuzzy() -> None:
    a = affected(osv(("introduced", "0"), ("fixed", "1.0.2l")), ecosystem="conan")
    assert is_affected("", "1.0.2k", a) == (True, "< 1.0.2l (generic)")


# --- property: no input makes evaluation raise -----------------------------------

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.from_regex(
    r"[0-9v][0-9a-z.~^:+_-]{0,10}", fullmatch=True
)
_events = st.lists(st.tuples(st.sampled_from(["introduced", "fixed", "last_affected", "limit", "bogus"]), _text), max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    scheme=st.sampled_from(sorted(SCHEMES)),
    version=_text,
    events=_events,
    rtype=st.sampled_from(["ECOSYSTEM", "SEMVER", "GIT", "CONSTRAINT", "odd"]),
    listed=st.lists(_text, max_size=3),
)
def test_is_affected_never_raises(scheme: str, version: str, events: list, rtype: str, listed: list) -> None:
    rng = Range(type=rtype, events=tuple(events), constraint=" ".join(v for _, v in events))
    hit, held = is_affected(scheme, version, affected(rng, versions=tuple(listed)))
    assert hit is bool(held)
