"""Helpers for the per-scheme table tests: an ascending list of groups of equal versions."""

from __future__ import annotations

from itertools import combinations
from types import ModuleType

import pytest

from assay.match.versions import InvalidVersion


def order_cases(groups: list[list[str]]) -> list[tuple[str, str, int]]:
    """Every (a, b, expected) pair implied by ascending ``groups`` of equal versions."""
    cases = []
    for i, group in enumerate(groups):
        for a, b in combinations(group, 2):
            cases.append((a, b, 0))
        for later in groups[i + 1 :]:
            for a in group:
                for b in later:
                    cases.append((a, b, -1))
    return cases


def check_pair(scheme: ModuleType, a: str, b: str, expected: int) -> None:
    """compare() in both directions, and key() agreeing with it."""
    assert scheme.compare(a, b) == expected, f"compare({a!r}, {b!r})"
    assert scheme.compare(b, a) == -expected, f"compare({b!r}, {a!r})"
    ka, kb = scheme.key(a), scheme.key(b)
    assert (ka > kb) - (ka < kb) == expected, f"key order of {a!r} vs {b!r}"


def check_sorted(scheme: ModuleType, groups: list[list[str]]) -> None:
    """Sorting a shuffled flattening by key() gives the groups back in order."""
    flat = [v for g in groups for v in g]
    shuffled = list(reversed(flat))
    ranks = {v: i for i, g in enumerate(groups) for v in g}
    got = [ranks[v] for v in sorted(shuffled, key=scheme.key)]
    assert got == sorted(got)


def check_invalid(scheme: ModuleType, version: str) -> None:
    with pytest.raises(InvalidVersion, match=f"invalid {scheme.NAME} version"):
        scheme.key(version)
