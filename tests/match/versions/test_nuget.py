import pytest

from assay.match.versions import nuget

from ._table import check_invalid, check_pair, check_sorted, order_cases

ASCENDING = [
    ["1.0.0-alpha", "1.0.0-ALPHA", "1.0-alpha"],
    ["1.0.0-alpha.1"],
    ["1.0.0-alpha.beta"],
    ["1.0.0-beta", "1.0.0-Beta"],
    ["1.0.0-beta.2"],
    ["1.0.0-beta.11"],
    ["1.0.0-rc.1", "1.0.0-RC.1"],
    ["1.0.0", "1.0", "1", "1.0.0.0", "01.0.0", "1.0.0+meta", "v1.0.0"],
    ["1.0.0.1"],
    ["1.0.1"],
    ["1.1"],
    ["3.7.10.6"],
    ["13.0.1"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(nuget, a, b, expected)


def test_sort() -> None:
    check_sorted(nuget, ASCENDING)


@pytest.mark.parametrize("bad", ["", "abc", "1.0.0.0.0", "1.0-", "1.0.0-a..b", "1.0.0 beta"])
def test_invalid(bad: str) -> None:
    check_invalid(nuget, bad)
