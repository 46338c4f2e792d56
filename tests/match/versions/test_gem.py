import pytest

from assay.match.versions import gem

from ._table import check_invalid, check_pair, check_sorted, order_cases

# Gem::Version: letters make a pre-release, strings sort below numbers, padding with 0
ASCENDING = [
    ["0.beta.1", "0.0.beta.1"],
    ["0", ""],
    ["1.0.a", "1.a", "1.0.0.a"],
    ["1.0.a.1", "1.0.a1"],
    ["1.0.a.2"],
    ["1.0.a.10"],
    ["1.0.b1", "1.0.b.1"],
    ["1.0.0-beta.2", "1.0.0.pre.beta.2"],
    ["1.0.rc1"],
    ["1", "1.0", "1.0.0"],
    ["1.0.1"],
    ["1.9"],
    ["1.9.3.1"],
    ["1.10"],
    ["5.x"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(gem, a, b, expected)


def test_sort() -> None:
    check_sorted(gem, ASCENDING)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.19.3-x86_64-linux-gnu", "1.19.3", 0),  # installed platform gems
        ("1.19.3-aarch64-linux-musl", "1.19.3", 0),
        ("0.6.0-universal-darwin-9", "0.6.0", 0),
        ("1.2.0-x86-mingw32", "1.2.0", 0),
        ("1.2.0-java", "1.2.0", 0),
        ("1.2.0-alpha-x86-linux", "1.2.0", -1),  # the pre-release stays
        ("1.2.0-alpha-x86-linux", "1.2.0-alpha", 0),
    ],
)
def test_platforms(a: str, b: str, expected: int) -> None:
    check_pair(gem, a, b, expected)


def test_prerelease() -> None:
    assert gem.is_prerelease("1.0.0-rc1")
    assert gem.is_prerelease("1.0.a")
    assert not gem.is_prerelease("1.0.0")


@pytest.mark.parametrize("bad", ["a1.0", "1..0", "1.0 beta", "1.0_1", "-1"])
def test_invalid(bad: str) -> None:
    check_invalid(gem, bad)
