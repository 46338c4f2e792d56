import pytest

from assay.match.versions import jvm

from ._table import check_invalid, check_pair, check_sorted, order_cases

ASCENDING = [
    ["1.6.0"],
    ["1.7.0_80", "7.0.80"],
    ["1.8", "1.8.0", "1.8.0_0", "8.0.0", "8"],
    ["1.8.0_131-ea", "1.8.0_131-ea-b03", "8.0.131-ea+3"],
    ["1.8.0_131", "1.8.0_131-b11", "1.8.0_131-b12", "8.0.131", "8.0.131+11", "1.8.0-update131-b02", "8.0-update131"],
    ["1.8.0_132"],
    ["1.8.0_400-b07"],
    ["9.0.0-ea"],
    ["9", "9.0.0"],
    ["11.0.4"],
    ["11.0.10"],
    ["17.0.2+8", "17.0.2"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(jvm, a, b, expected)


def test_sort() -> None:
    check_sorted(jvm, ASCENDING)


@pytest.mark.parametrize("bad", ["", "abc", "jdk8"])
def test_invalid(bad: str) -> None:
    check_invalid(jvm, bad)
