"""Property tests: our PEP 440 implementation agrees with ``packaging`` (the PyPA reference)."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay.match.versions import InvalidVersion, pep440

packaging_version = pytest.importorskip("packaging.version")

SETTINGS = settings(
    max_examples=int(os.environ.get("ASSAY_HYPOTHESIS_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _ucmp(x: object, y: object) -> int:
    return (x > y) - (x < y)  # type: ignore[operator]


small = st.integers(min_value=0, max_value=12)
num = st.one_of(small, st.integers(min_value=0, max_value=10**6))

@st.composite
def pep440_versions(draw: st.DrawFn) -> str:
    sep = st.sampled_from(["", ".", "-", "_"])
    s = ""
    if draw(st.booleans()) and draw(st.booleans()):
        s += f"{draw(small)}!"
    s += ".".join(str(draw(num)) for _ in range(draw(st.integers(1, 4))))
    if draw(st.booleans()):
        letter = draw(st.sampled_from(["a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "RC", "Alpha"]))
        s += draw(sep) + letter + draw(st.sampled_from(["", draw(sep) + str(draw(small))]))
    if draw(st.booleans()):
        form = draw(st.sampled_from(["-N", "post", "rev", "r"]))
        s += f"-{draw(small)}" if form == "-N" else draw(sep) + form + draw(st.sampled_from(["", str(draw(small))]))
    if draw(st.booleans()):
        s += draw(sep) + "dev" + draw(st.sampled_from(["", str(draw(small))]))
    if draw(st.booleans()):
        parts = draw(st.lists(st.one_of(st.from_regex(r"[a-z]{1,3}", fullmatch=True), small.map(str)), min_size=1, max_size=3))
        s += "+" + draw(st.sampled_from([".", "-", "_"])).join(parts)
    return draw(st.sampled_from(["", "v"])) + s


@SETTINGS
@given(pep440_versions(), pep440_versions())
def test_pep440_orders_like_packaging(a: str, b: str) -> None:
    pa, pb = packaging_version.Version(a), packaging_version.Version(b)
    assert pep440.compare(a, b) == _ucmp(pa, pb)


@SETTINGS
@given(st.text(alphabet="0123456789.-_+!abcdeilnoprstvwxyAR ", max_size=14))
def test_pep440_accepts_what_packaging_accepts(text: str) -> None:
    try:
        packaging_version.Version(text)
        expected_valid = True
    except packaging_version.InvalidVersion:
        expected_valid = False
    try:
        pep440.key(text)
        valid = True
    except InvalidVersion:
        valid = False
    assert valid == expected_valid


