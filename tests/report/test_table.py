"""The terminal table: columns, order (severity, then KEV, then EPSS) and the summary line."""

from __future__ import annotations

from dataclasses import replace

from assay.match.finding import ScanResult
from assay.report import render

from .conftest import OPTIONS


def _lines(r: ScanResult) -> list[str]:
    return render(r, "table", OPTIONS).decode().splitlines()


def test_columns_and_order(result: ScanResult) -> None:
    lines = _lines(result)
    assert lines[0].split() == ["NAME", "INSTALLED", "FIXED-IN", "TYPE", "VULNERABILITY", "SEVERITY", "EPSS", "KEV"]
    rows = lines[1 : lines.index("")]
    assert [r.split()[0] for r in rows] == ["zlib1g", "busybox", "Pillow", "lodash", "libssl3", "libc6", "minimist"]
    pillow = rows[2]
    assert "10.0.1" in pillow and "GHSA-j7hp-h8jx-5ppr" in pillow and "93.9% p99" in pillow and pillow.endswith("yes")
    assert "(won't fix)" in rows[0]
    # columns line up: every value starts where its heading does
    col = lines[0].index("VULNERABILITY")
    assert all(r[col:].startswith(("CVE-", "GHSA-")) for r in rows)
    assert all(line == line.rstrip() for line in lines)


def test_summary_line(result: ScanResult) -> None:
    assert _lines(result)[-1] == "7 vulnerabilities (2 critical, 3 high, 1 negligible, 1 unknown), 1 known exploited (CISA KEV), 2 ignored"


def test_kev_beats_epss_within_a_severity(result: ScanResult) -> None:
    # without the KEV listing, Pillow still leads the highs on EPSS; with no EPSS at all, by name (any case)
    no_kev = replace(result, findings=tuple(replace(f, kev=None) for f in result.findings))
    rows = [line.split()[0] for line in _lines(no_kev)[1:6]]
    assert rows[2:] == ["Pillow", "lodash", "libssl3"]
    assert "KEV" not in _lines(no_kev)[0]
    flat = replace(no_kev, findings=tuple(replace(f, epss=None, epss_percentile=None) for f in no_kev.findings))
    header = _lines(flat)[0].split()
    assert "EPSS" not in header and "KEV" not in header
    assert [line.split()[0] for line in _lines(flat)[1:6]][2:] == ["libssl3", "lodash", "Pillow"]


def test_nothing_found() -> None:
    from .conftest import scan_result

    assert _lines(scan_result(findings=(), ignored=())) == ["No vulnerabilities found"]
    one_ignored = scan_result(findings=())
    assert _lines(one_ignored) == ["No vulnerabilities found, 2 ignored"]
    one = scan_result(findings=scan_result().findings[:1], ignored=())
    assert _lines(one)[-1] == "1 vulnerability (1 high)"


def test_sort_by_puts_another_key_first(result: ScanResult) -> None:
    from assay.report._common import ordered

    by_pkg = ordered(result.findings, "package")
    assert [f.package.name.casefold() for f in by_pkg] == sorted(f.package.name.casefold() for f in by_pkg)
    by_epss = ordered(result.findings, "epss")
    scores = [f.epss if f.epss is not None else -1.0 for f in by_epss]
    assert scores == sorted(scores, reverse=True)
    by_kev = ordered(result.findings, "kev")
    assert by_kev[0].kev is not None
    assert [f.id for f in ordered(result.findings, "vulnerability")] == sorted(f.id for f in result.findings)
