import pytest

from assay.match.versions import pep440

from ._table import check_invalid, check_pair, check_sorted, order_cases

# the ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering")
ASCENDING = [
    ["1.0.dev456", "1.0-dev456", "1.0dev456"],
    ["1.0a1", "1.0alpha1", "1.0-a1", "1.0.a.1", "1.0A1"],
    ["1.0a2.dev456"],
    ["1.0a12.dev456"],
    ["1.0a12"],
    ["1.0b1.dev456"],
    ["1.0b2", "1.0beta2", "1.0-beta-2"],
    ["1.0b2.post345.dev456"],
    ["1.0b2.post345"],
    ["1.0rc1.dev456"],
    ["1.0rc1", "1.0c1", "1.0pre1", "1.0preview1", "1.0-rc1"],
    ["1.0", "1.0.0", "v1.0", "1.0.0.0", " 1.0 ", "0!1.0"],
    ["1.0+abc.5", "1.0+abc-5", "1.0+ABC_5"],
    ["1.0+abc.7"],
    ["1.0+5"],
    ["1.0.post456.dev34"],
    ["1.0.post456", "1.0-456", "1.0.r456", "1.0-rev456"],
    ["1.0.15"],
    ["1.1.dev1"],
    ["1!0.1"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(pep440, a, b, expected)


def test_sort() -> None:
    check_sorted(pep440, ASCENDING)


def test_implicit_numbers() -> None:
    check_pair(pep440, "1.0a", "1.0a0", 0)
    check_pair(pep440, "1.0.post", "1.0.post0", 0)
    check_pair(pep440, "1.0-r", "1.0.post0", 0)
    check_pair(pep440, "1.0.dev", "1.0.dev0", 0)


def test_specifier_ignores_candidate_local_label() -> None:
    assert pep440.constraint_compare("2.0+cgr.1", "2.0") == 0
    assert pep440.constraint_compare("2.0+cgr.1", "2.0+cgr.2") == -1
    assert pep440.constraint_compare("2.0", "2.0+cgr.1") == -1
    assert pep440.compare("2.0+cgr.1", "2.0") == 1  # plain ordering keeps it


@pytest.mark.parametrize("bad", ["", "abc", "1.0-foo", "1.0+", "1.0+a..b", "1.0.a.b", "1..0", "1.0 1"])
def test_invalid(bad: str) -> None:
    check_invalid(pep440, bad)
