import pytest

from assay.match.versions import bitnami

from ._table import check_pair, check_sorted, order_cases

ASCENDING = [
    ["2.3.1-rc1"],
    ["2.3.1", "2.3.1-1", "2.3.1-2", "2.3.1-10"],  # the Bitnami revision is a rebuild
    ["2.3.2-0"],
    ["2.10.0"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(ASCENDING))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(bitnami, a, b, expected)


def test_sort() -> None:
    check_sorted(bitnami, ASCENDING)
