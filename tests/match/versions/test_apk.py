import pytest

from assay.match.versions import apk

from ._table import check_invalid, check_pair, check_sorted, order_cases

# apk-tools: pre-release suffixes < release < -rN < post-release suffixes < letter < more digits
ASCENDING = [
    ["1.0_alpha"],
    ["1.0_alpha1"],
    ["1.0_alpha2"],
    ["1.0_beta"],
    ["1.0_pre1"],
    ["1.0_rc1"],
    ["1.0"],
    ["1.0-r0"],  # any revision is newer than none
    ["1.0-r1"],
    ["1.0-r10"],
    ["1.0~1a2b3c"],
    ["1.0_cvs"],
    ["1.0_git20230717"],
    ["1.0_git20230717-r4"],
    ["1.0_p1"],
    ["1.0_p2"],
    ["1.0a"],
    ["1.0b"],
    ["1.0.001"],
    ["1.0.01"],
    ["1.0.1"],
    ["1.0.2"],
    ["1.0.10"],
    ["1.1"],
    ["2"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(apk, a, b, expected)


def test_sort() -> None:
    check_sorted(apk, ASCENDING)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.05", "1.5", -1),  # a leading zero compares as a string
        ("1.05", "1.10", -1),
        ("01.5", "1.5", 0),  # ... but not in the first number
        ("1.2.4_git20230717-r4", "1.2.4-r4", 1),
        ("3.1.4-r5", "3.1.4-r0", 1),
    ],
)
def test_edge_cases(a: str, b: str, expected: int) -> None:
    check_pair(apk, a, b, expected)


@pytest.mark.parametrize("bad", ["", "a1.0", "1.0a1", "1.0_foo", "1.0-1", "1.0-r", "1..0", "1.0-r1-r2", "1.0~", "1.0_p1.2"])
def test_invalid(bad: str) -> None:
    check_invalid(apk, bad)
