import pytest

from assay.match.versions import dpkg

from ._table import check_invalid, check_pair, check_sorted, order_cases

# Debian Policy §5.6.12 ordering: "~" before everything, letters before other characters
ASCENDING = [
    ["1.0~~"],
    ["1.0~~a"],
    ["1.0~"],
    ["1.0~rc1-1"],
    ["1.0", "0:1.0", "1.0-0", "1.00"],
    ["1.0-1", "1.0-01"],
    ["1.0-1ubuntu0.1"],  # letters sort before "."
    ["1.0-1.1"],
    ["1.0-2"],
    ["1.0-10"],
    ["1.0a"],
    ["1.0+dfsg"],
    ["1.0.1"],
    ["1.1"],
    ["1.10"],
    ["1:0.1"],
    ["2:0"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(dpkg, a, b, expected)


def test_sort() -> None:
    check_sorted(dpkg, ASCENDING)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.12.0-1~ubuntu16.04.3+esm1", "1.12.0-1", -1),  # backport to an older release
        ("1.1.1n-0+deb11u5", "1.1.1n-0+deb11u4", 1),
        ("2:1.2.11.dfsg-2+deb11u2", "1:1.2.13.dfsg-1", 1),  # epoch beats everything
        ("7u151-2.6.11-2ubuntu0.14.04.1", "7u151-2.6.11", 1),  # revision after the LAST hyphen
        ("1.2.3-1", "1.2.3-1", 0),
    ],
)
def test_real_world(a: str, b: str, expected: int) -> None:
    check_pair(dpkg, a, b, expected)


@pytest.mark.parametrize("bad", ["", "  ", "a:1.0", "\u00b2:1.0", "1.0-", "-1", "1.0 beta", "1.0_1"])
def test_invalid(bad: str) -> None:
    check_invalid(dpkg, bad)
