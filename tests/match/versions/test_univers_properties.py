"""Property tests: our schemes agree with ``univers`` (a test dependency) on generated versions.

dpkg, rpm, semver, maven, gem, nuget and composer are compared on the domain where
univers implements the same specification (pep440 is checked against
``packaging`` in test_pep440_properties.py).  Deliberate exclusions, each where
univers departs from the specification or we deliberately follow grype:

  - rpm: compared through ``key`` (rpm's own order); ``compare`` adds grype's
    one-sided-epoch and trailing-zero rules on purpose;
  - semver: no build metadata (univers ranks it, SemVer 2.0 §10 says ignore it);
  - maven: no ``release`` qualifier (univers ports an older Maven, which lacks that
    alias), no pair whose order hinges on MNG-6964 (a list compared with the
    padding "null" is compared whole; univers still looks only at its head), and
    no version univers leaves with an empty nested list (it normalises each list
    before its sub-lists are complete; Maven normalises innermost-first at the end,
    so ``1-0-0`` is ``1`` there);
  - gem: no platform suffixes (we drop them like grype; univers does not);
  - composer: univers treats Composer versions as SemVer, so only the shared
    subset (x.y.z with lower-case alpha/beta/rc and one digit) is compared.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assay.match.versions import composer, dpkg, gem, maven, nuget, rpm, semver

univers = pytest.importorskip("univers.versions")

SETTINGS = settings(
    max_examples=int(os.environ.get("ASSAY_HYPOTHESIS_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _sign(x: int) -> int:
    return (x > 0) - (x < 0)


def _ucmp(x: object, y: object) -> int:
    return (x > y) - (x < y)  # type: ignore[operator]


small = st.integers(min_value=0, max_value=12)
num = st.one_of(small, st.integers(min_value=0, max_value=10**6))

# --- dpkg ------------------------------------------------------------------------


@st.composite
def dpkg_versions(draw: st.DrawFn) -> str:
    s = f"{draw(small)}:" if draw(st.booleans()) else ""
    s += str(draw(small)) + draw(st.text(alphabet="0123456789.+~abzAZ", max_size=8))
    if draw(st.booleans()):
        s += "-" + draw(st.text(alphabet="0123456789.+~abzu", min_size=1, max_size=8))
    return s


@SETTINGS
@given(dpkg_versions(), dpkg_versions())
def test_dpkg_orders_like_univers(a: str, b: str) -> None:
    assume(univers.DebianVersion.is_valid(a) and univers.DebianVersion.is_valid(b))
    assert dpkg.compare(a, b) == _ucmp(univers.DebianVersion(a), univers.DebianVersion(b))


# --- rpm -------------------------------------------------------------------------


@st.composite
def rpm_versions(draw: st.DrawFn) -> str:
    s = f"{draw(small)}:" if draw(st.booleans()) else ""
    s += str(draw(small)) + draw(st.text(alphabet="0123456789._~^abzAZ", max_size=8))
    if draw(st.booleans()):
        s += "-" + draw(st.text(alphabet="0123456789._~^abel", min_size=1, max_size=8))
    return s


@SETTINGS
@given(rpm_versions(), rpm_versions())
def test_rpm_key_orders_like_univers(a: str, b: str) -> None:
    expected = _ucmp(univers.RpmVersion(a), univers.RpmVersion(b))
    assert _ucmp(rpm.key(a), rpm.key(b)) == expected


# --- semver ----------------------------------------------------------------------

_ident = st.one_of(
    st.integers(0, 30).map(str),  # numeric identifiers have no leading zeros
    st.from_regex(r"[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*", fullmatch=True).filter(lambda s: 0 < len(s) <= 6),
)


@st.composite
def semver_versions(draw: st.DrawFn) -> str:
    s = f"{draw(num)}.{draw(num)}.{draw(num)}"
    if draw(st.booleans()):
        s += "-" + ".".join(draw(st.lists(_ident, min_size=1, max_size=4)))
    return s


@SETTINGS
@given(semver_versions(), semver_versions())
def test_semver_orders_like_univers(a: str, b: str) -> None:
    assert semver.compare(a, b) == _ucmp(univers.SemverVersion(a), univers.SemverVersion(b))


# --- maven -----------------------------------------------------------------------

_maven_token = st.one_of(
    num.map(str),
    st.sampled_from(["alpha", "beta", "milestone", "rc", "cr", "snapshot", "ga", "final", "sp", "a", "b", "m", "foo", "xyz", "SNAPSHOT", "RC"]),
)


@st.composite
def maven_versions(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(_maven_token, min_size=1, max_size=6))
    s = str(draw(num))
    for t in tokens:
        s += draw(st.sampled_from([".", "-", ""])) + t
    return s


def _empty_sublist(item: object) -> bool:
    return isinstance(item, tuple) and any(x == () or _empty_sublist(x) for x in item)


def _null_headed_sublist(item: object) -> bool:
    """A nested list whose first item is null-equal but which has more: MNG-6964 territory."""
    if not isinstance(item, tuple):
        return False
    if len(item) > 1 and item[0] in (0, "", ()):
        return True
    return any(_null_headed_sublist(x) for x in item)


@SETTINGS
@given(maven_versions(), maven_versions())
def test_maven_orders_like_univers(a: str, b: str) -> None:
    pa, pb = maven.parse(a), maven.parse(b)
    assume(not any(_null_headed_sublist(x) for x in (*pa, *pb)))
    ua, ub = univers.MavenVersion(a).value, univers.MavenVersion(b).value
    assume(not _empty_sublist(ua._parsed) and not _empty_sublist(ub._parsed))
    assert maven.compare(a, b) == _sign(ua.__cmp__(ub))


# --- gem -------------------------------------------------------------------------


@st.composite
def gem_versions(draw: st.DrawFn) -> str:
    segs = draw(st.lists(st.one_of(num.map(str), st.from_regex(r"[a-z]{1,4}[0-9]{0,2}", fullmatch=True)), max_size=4))
    s = ".".join([str(draw(num)), *segs])
    if draw(st.booleans()):
        s += "-" + ".".join(draw(st.lists(st.from_regex(r"[0-9a-z]{1,5}", fullmatch=True), min_size=1, max_size=3)))
    return s


@SETTINGS
@given(gem_versions(), gem_versions())
def test_gem_orders_like_univers(a: str, b: str) -> None:
    assume("-" not in a or not gem._PLATFORM.search(a))  # platform-looking suffixes: see module docstring
    assume("-" not in b or not gem._PLATFORM.search(b))
    assert gem.compare(a, b) == _ucmp(univers.RubygemsVersion(a), univers.RubygemsVersion(b))


# --- nuget -----------------------------------------------------------------------


@st.composite
def nuget_versions(draw: st.DrawFn) -> str:
    s = ".".join(str(draw(num)) for _ in range(draw(st.integers(1, 4))))
    if draw(st.booleans()):
        s += "-" + ".".join(draw(st.lists(_ident, min_size=1, max_size=3)))
    return s


@SETTINGS
@given(nuget_versions(), nuget_versions())
def test_nuget_orders_like_univers(a: str, b: str) -> None:
    assert nuget.compare(a, b) == _ucmp(univers.NugetVersion(a), univers.NugetVersion(b))


# --- composer --------------------------------------------------------------------


@st.composite
def composer_versions(draw: st.DrawFn) -> str:
    s = draw(st.sampled_from(["", "v"])) + f"{draw(num)}.{draw(num)}.{draw(num)}"
    if draw(st.booleans()):
        s += f"-{draw(st.sampled_from(['alpha', 'beta', 'rc']))}{draw(st.integers(0, 9))}"
    return s


@SETTINGS
@given(composer_versions(), composer_versions())
def test_composer_orders_like_univers_on_the_shared_subset(a: str, b: str) -> None:
    assert composer.compare(a, b) == _ucmp(univers.ComposerVersion(a), univers.ComposerVersion(b))


# --- every scheme: key() is a consistent total order on its own inputs -----------


@SETTINGS
@given(st.lists(dpkg_versions(), min_size=3, max_size=3))
def test_dpkg_key_is_transitive(vs: list[str]) -> None:
    a, b, c = sorted(vs, key=dpkg.key)
    assert dpkg.compare(a, c) <= 0 and dpkg.compare(a, b) <= 0 and dpkg.compare(b, c) <= 0
