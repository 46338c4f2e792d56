import pytest

from assay.match.versions import maven

from ._table import check_invalid, check_pair, check_sorted, order_cases

# POM version order spec: alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp
# < unknown qualifiers < "-number" < ".number"
ASCENDING = [
    ["1-alpha", "1-ALPHA", "1.0-alpha"],
    ["1-alpha-1", "1-a1", "1alpha1", "1.0-alpha1"],
    ["1-alpha-2"],
    ["1-beta", "1-BETA"],
    ["1-beta-2", "1b2"],
    ["1-milestone"],
    ["1-m1", "1-milestone-1"],
    ["1-rc", "1-cr", "1-RC"],
    ["1-rc-2", "1cr2"],
    ["1-SNAPSHOT", "1.0-SNAPSHOT", "1-snapshot"],
    ["1", "1.0", "1.0.0", "1-ga", "1-final", "1-release", "1.0-0", "1-0", "01"],
    ["1-sp", "1-SP"],
    ["1-sp-1"],
    ["1-abc"],
    ["1-b"],  # a/b/m alone (not followed by a digit) are unknown qualifiers
    ["1-m"],
    ["1-xyz"],
    ["1-1", "1-01"],
    ["1-2"],
    ["1.0.1"],
    ["1.1", "1.01"],
    ["1.10"],
    ["2"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(maven, a, b, expected)


def test_sort() -> None:
    check_sorted(maven, ASCENDING)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1", -1),
        ("2.0.1", "2.0.1-xyz", -1),
        ("2.0.1-xyz", "2.0.1-123", -1),
        ("5.2.25.RELEASE", "5.2.25", 0),
        ("2.414.2-cb-5", "2.414.2", 1),
        ("12.10.2.jre11", "12.10.2", 0),  # Java runtime flavour is not a version
        ("12.10.2.jre8", "12.10.2.jdk17", 0),
        ("12.10.1.jre11", "12.10.2", -1),
        ("31.1-jre", "31.1-android", 1),  # Guava flavours are ordinary qualifiers
    ],
)
def test_edge_cases(a: str, b: str, expected: int) -> None:
    check_pair(maven, a, b, expected)


@pytest.mark.parametrize("bad", ["", "   ", "1.0 beta"])
def test_invalid(bad: str) -> None:
    check_invalid(maven, bad)
