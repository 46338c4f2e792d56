import pytest

from assay.match.versions import semver

from ._table import check_invalid, check_pair, check_sorted, order_cases

# SemVer 2.0.0 §11 example, plus release-level neighbours
ASCENDING = [
    ["0.9.12"],
    ["1.0.0-alpha", "1.0.0.alpha", "v1.0.0-alpha"],
    ["1.0.0-alpha.1"],
    ["1.0.0-alpha.beta"],
    ["1.0.0-beta"],
    ["1.0.0-beta.2"],
    ["1.0.0-beta.11"],
    ["1.0.0-rc.1"],
    ["1.0.0", "v1.0.0", "V1.0.0", "1.0", "1", "1.0.0+build.5", "1.0.0.0"],
    ["1.0.1"],
    ["1.0.1.1"],
    ["1.1.0"],
    ["1.10.0"],
    ["2.0.0"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(semver, a, b, expected)


def test_sort() -> None:
    check_sorted(semver, ASCENDING)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.21rc2", "1.21.0-rc2", 0),  # pre-release without the hyphen
        ("1.0.0.beta2", "1.0.0-beta2", 0),  # Ruby-style dotted pre-release
        ("1.0.0.rc.alpha", "1.0.0-rc-alpha", 0),
        ("1.0.0-2", "1.0.0-10", -1),  # numeric identifiers compare numerically
        ("1.0.0-10", "1.0.0-a", -1),  # ... and below alphanumerics
        ("1.0.0-B", "1.0.0-a", -1),  # ASCII order
    ],
)
def test_tolerated_forms(a: str, b: str, expected: int) -> None:
    check_pair(semver, a, b, expected)


@pytest.mark.parametrize("bad", ["", "abc", "1.0.0-", "1.0.0+", "1..0", "1.0.0 beta", "1.0.0-a..b", "x1.0"])
def test_invalid(bad: str) -> None:
    check_invalid(semver, bad)
