import pytest

from assay.match.versions import golang

from ._table import check_invalid, check_pair, check_sorted, order_cases

MODULES = [
    ["v0.0.0-20191109021931-daa7c04131f5", "0.0.0-20191109021931-daa7c04131f5"],
    ["v0.0.0-20200101000000-aaaaaaaaaaaa"],
    ["v0.1.0"],
    ["v1.2.3-pre.1"],
    ["v1.2.3-rc.1"],
    ["v1.2.3", "1.2.3", "v1.2.3+incompatible"],
    ["v1.2.4-0.20200101000000-abcdefabcdef"],  # pseudo-version after v1.2.3
    ["v1.2.4"],
    ["v2.0.0+incompatible", "v2"],
    ["v17.12.0-ce-rc1.0.20200309214505-aa6a9891b09c+incompatible"],
]

TOOLCHAIN = [
    ["go1.18beta1", "1.18.0-beta.1"],
    ["go1.18rc1", "1.18.0-rc.1"],
    ["go1.18", "go1.18.0", "1.18.0"],
    ["go1.18.1"],
    ["go1.18.10"],
    ["go1.19rc2", "1.19rc2"],
    ["go1.19", "v1.19.0"],
    ["go1.21.3"],
]


@pytest.mark.parametrize(("a", "b", "expected"), order_cases(MODULES) + order_cases(TOOLCHAIN))
def test_order(a: str, b: str, expected: int) -> None:
    check_pair(golang, a, b, expected)


def test_sort() -> None:
    check_sorted(golang, MODULES)
    check_sorted(golang, TOOLCHAIN)


@pytest.mark.parametrize("bad", ["", "(devel)", "latest", "v1.2.3-", "gox1.2", "1.2.3.4.5"])
def test_invalid(bad: str) -> None:
    check_invalid(golang, bad)
