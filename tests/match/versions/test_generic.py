import pytest

from assay.match.versions import generic

from ._table import check_pair, check_sorted, order_cases

ASCENDING = [
    ["0.9"],
    ["1.0", "v1.0", "1.0.0"],
    ["1.0.1"],
    ["1.0.2"],
    ["1.0.2a"],
    ["1.0.2k"],
    ["1.0.2l"],
    ["1.0.2zh"],
    ["1.1.0"],
    ["2.0.0-rc1"],
    ["2.0.0"],
    ["10.0"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(generic, a, b, expected)


def test_sort() -> None:
    check_sorted(generic, ASCENDING)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("95SE", "98SP1", -1),
        ("98SP1", "98SP3", -1),
        ("4.2.8p9", "4.2.8p15", -1),  # digit runs inside a part compare by value
        ("16.3.2", "3.7.0", 1),
        ("5-1.15.2", "5-1.16", -1),
        ("1.0.2k-r0", "1.0.2", 1),
        ("v17.12.0-ce", "1.5", 1),
    ],
)
def test_fuzzy(a: str, b: str, expected: int) -> None:
    assert generic.compare(a, b) == expected
    assert generic.compare(b, a) == -expected


def test_semver_when_both_look_semver() -> None:
    assert generic.compare("1.0.0", "1.0.0-dev1") == 1  # SemVer: a pre-release is older
    assert generic.fuzzy_compare("1.0.0", "1.0.0-dev1") == -1  # the string walk alone says newer


@pytest.mark.parametrize("odd", ["", " ", "--", "\u00e9t\u00e9", "(devel)", "v", "1..2", "\x00"])
def test_never_raises(odd: str) -> None:
    assert generic.compare(odd, "1.0") in (-1, 0, 1)
    assert generic.compare(odd, odd) == 0
    sorted([odd, "1.0", "abc"], key=generic.key)
