"""The report registry: names, aliases, -o FORMAT[=FILE] parsing, and errors."""

from __future__ import annotations

import pytest

from assay.errors import FormatError
from assay.report import (
    FORMAT_NAMES,
    FORMATS,
    ReportOptions,
    get_format,
    parse_output_spec,
    render,
)

from .conftest import scan_result


def test_formats_of_the_issue_are_registered() -> None:
    assert FORMAT_NAMES == ("table", "json", "sarif", "gitlab", "cyclonedx-vex", "cosign-vuln")
    assert len({f.module for f in FORMATS}) == len(FORMATS)


@pytest.mark.parametrize(
    ("spec", "name", "path"),
    [
        ("table", "table", None),
        ("sarif=out.sarif", "sarif", "out.sarif"),
        ("json=reports/scan=1.json", "json", "reports/scan=1.json"),
        ("cdx-vex=vex.json", "cyclonedx-vex", "vex.json"),
        ("gitlab-container-scanning=gl.json", "gitlab", "gl.json"),
    ],
)
def test_parse_output_spec(spec: str, name: str, path: str | None) -> None:
    fmt, got = parse_output_spec(spec)
    assert (fmt.name, got) == (name, path)


@pytest.mark.parametrize(("spec", "message"), [("xml", "unknown report format 'xml'"), ("sarif=", "empty output path")])
def test_parse_output_spec_errors(spec: str, message: str) -> None:
    with pytest.raises(FormatError, match=message) as exc:
        parse_output_spec(spec)
    assert "\n" not in exc.value.diagnostics()


def test_render_by_name_and_alias_agree() -> None:
    r = scan_result()
    opts = ReportOptions(tool_version="9.9.9", started="2024-01-01T00:00:00Z")
    assert render(r, "cyclonedx-vex", opts) == render(r, "cdx-vex", opts)
    with pytest.raises(FormatError):
        render(r, "nope", opts)


def test_get_format_lists_choices() -> None:
    with pytest.raises(FormatError, match="choose from table, json, sarif"):
        get_format("html")


def test_options_defaults_come_from_the_result_not_the_clock() -> None:
    r = scan_result()
    resolved = ReportOptions().resolve(r)
    assert (resolved.started, resolved.finished) == ("2024-05-02T09:59:00Z", "2024-05-02T09:59:00Z")
    assert resolved.tool_version  # the installed version
    # no SBOM time: the database's build time; neither: the epoch
    from dataclasses import replace

    no_time = replace(r, sbom=replace(r.sbom, created=""))
    assert ReportOptions().resolve(no_time).started == "2024-05-01T00:00:00Z"
    assert ReportOptions().resolve(replace(no_time, db={})).started == "1970-01-01T00:00:00Z"
    # offsets are converted to UTC, garbage is ignored
    assert ReportOptions(started="2024-05-02T12:00:00+02:00").resolve(r).started == "2024-05-02T10:00:00Z"
    assert ReportOptions(started="yesterday").resolve(r).started == "2024-05-02T09:59:00Z"
