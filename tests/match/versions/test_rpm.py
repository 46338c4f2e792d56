import pytest

from assay.match.versions import rpm

from ._table import check_invalid, check_pair, check_sorted, order_cases

# rpmvercmp: "~" before everything, "^" after the end but before more segments,
# numbers newer than letters, separators ignored
ASCENDING = [
    ["1.0~rc1"],
    ["1.0~rc2"],
    ["1.0", "1_0", "1.0.", "1.00", "1..0"],
    ["1.0^20200101git"],
    ["1.0a"],
    ["1.0b"],
    ["1.0.1"],
    ["1.0.10"],
    ["1.1"],
    ["2.0"],
]

RELEASES = [
    ["1.0-1"],
    ["1.0-1.el8"],
    ["1.0-1.el8_1"],
    ["1.0-2.el8"],
    ["1.0-10.el8"],
    ["1.0.1-1"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING) + order_cases(RELEASES))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(rpm, a, b, expected)


def test_sort() -> None:
    check_sorted(rpm, ASCENDING)
    check_sorted(rpm, RELEASES)


def test_epoch_counts_when_both_sides_have_one() -> None:
    assert rpm.compare("1:1.0-1", "0:2.0-1") == 1
    assert rpm.compare("0:2.0-1", "1:1.0-1") == -1
    assert rpm.compare("2:1.0-1", "2:1.0-1") == 0


def test_one_sided_epoch_is_ignored_when_matching_but_not_when_sorting() -> None:
    # matching (grype): the versions alone decide
    assert rpm.compare("1:1.0-1", "2.0-1") == -1
    assert rpm.compare("2.0-1", "1:1.0-1") == 1
    assert rpm.compare("5:1.0-1", "1.0-1") == 0
    # sorting: rpm's own rule, a missing epoch is 0
    assert rpm.key("1:1.0-1") > rpm.key("2.0-1")
    assert rpm.key("0:1.0-1") == rpm.key("1.0-1")


def test_trailing_zero_runs_are_padding_when_matching() -> None:
    # grype's rule for advisories that pad releases ("el8" vs "el8.0.0")
    assert rpm.compare("8.3.1-5.el8", "8.3.1-5.el8.0.0") == 0
    assert rpm.compare("8.3.1-5.el8.0.0", "8.3.1-5.el8") == 0
    assert rpm.compare("1.0", "1") == 0
    assert rpm.key("1.0") > rpm.key("1")  # rpm's own order: more segments is newer
    check_pair(rpm, "8.3.1-5.el8.0.1", "8.3.1-5.el8", 1)
    check_pair(rpm, "1.0~rc1", "1", 1)  # a tilde after padding zeros is not padding
    assert rpm.compare("1.0~rc1", "1.0") == -1


@pytest.mark.parametrize("bad", ["", "x:1.0", "\u00b2:1.0", "1.0 -1", ":1.0", "-1"])
def test_invalid(bad: str) -> None:
    check_invalid(rpm, bad)
