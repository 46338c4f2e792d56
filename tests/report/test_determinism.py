"""Every format: golden output, identical bytes for identical input, whatever the input order."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from pathlib import Path

import pytest

from assay.match.finding import ScanResult
from assay.report import FORMAT_NAMES, render

from .conftest import OPTIONS, scan_result

GOLDEN = Path(__file__).parent / "golden"
_EXT = {"table": "txt", "sarif": "sarif"}


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_golden(name: str) -> None:
    got = render(scan_result(), name, OPTIONS)
    path = GOLDEN / f"{name}.{_EXT.get(name, 'json')}"
    if os.environ.get("ASSAY_UPDATE_GOLDEN") == "1":
        path.write_bytes(got)
    assert got == path.read_bytes(), f"{path.name} differs: rerun with ASSAY_UPDATE_GOLDEN=1 if the change is intended"


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_input_order_does_not_matter(name: str) -> None:
    base = scan_result()
    want = render(base, name, OPTIONS)
    rng = random.Random(7)
    for _ in range(3):
        found, ignored = list(base.findings), list(base.ignored)
        rng.shuffle(found)
        rng.shuffle(ignored)
        shuffled: ScanResult = replace(base, findings=tuple(found), ignored=tuple(ignored))
        assert render(shuffled, name, OPTIONS) == want


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_empty_result(name: str) -> None:
    r = scan_result(findings=(), ignored=(), warnings=())
    out = render(r, name, OPTIONS)
    assert out.endswith(b"\n")
    assert b"CVE-" not in out and b"GHSA-" not in out
