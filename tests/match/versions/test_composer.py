import pytest

from assay.match.versions import composer

from ._table import check_invalid, check_pair, check_sorted, order_cases

# VersionParser normalisation + version_compare: dev < alpha < beta < RC < stable < patch
ASCENDING = [
    ["1.0.0-dev", "1.0.0.0-dev", "1.0-dev"],
    ["1.0.0-alpha1", "1.0.0-a1", "1.0.0alpha1", "1.0.0-ALPHA.1", "1.0.0.alpha1"],
    ["1.0.0-alpha2"],
    ["1.0.0-beta1-dev"],
    ["1.0.0-beta1", "1.0.0-b1", "1.0.0_beta1"],
    ["1.0.0-beta1.1"],
    ["1.0.0-beta2"],
    ["1.0.0-beta10"],
    ["1.0.0-RC1", "1.0.0-rc1", "1.0.0RC1"],
    ["1.0.0", "v1.0.0", "1.0", "1", "1.0.0.0", "1.0.0-stable", "1.0.0+build.1"],
    ["1.0.0-p1", "1.0.0-pl1", "1.0.0-patch1"],
    ["1.0.0.1"],
    ["1.0.1"],
    ["1.0.x-dev", "1.0.*-dev"],
    ["1.1"],
    ["10.0"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(composer, a, b, expected)


def test_sort() -> None:
    check_sorted(composer, ASCENDING)


@pytest.mark.parametrize("bad", ["", "dev-main", "dev-master", "1.0.0-foo", "1.2.3.4.5", "1.x", "abc"])
def test_invalid(bad: str) -> None:
    check_invalid(composer, bad)
