"""``assay scan``: the command-line adapter of :mod:`assay.scan`.

    assay scan TARGET [--db PATH] [--fail-on SEV] [--only-fixed] [--ignore-states LIST]
                      [--config .assay.yaml] [--vex FILE ...] [--distro ID:VERSION]
                      [-o FORMAT[=FILE] ...] [--max-db-age DAYS] [registry flags]

Exit codes follow Grype: 0 when the scan ran and nothing at or above
``--fail-on`` remains after ignore rules and VEX, 2 when something does, 1 for
bad input (one line on stderr).  Reports go to stdout or files; progress and
warnings to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

__all__ = ["add_scan_parser", "cmd_scan", "EXIT_FAIL_ON", "DEFAULT_MAX_DB_AGE"]

EXIT_FAIL_ON = 2
DEFAULT_MAX_DB_AGE = 5.0  # days, as Grype's default 120h


def add_scan_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``scan`` on an ``argparse`` subparsers object and return its parser."""
    from .cli import add_registry_flags

    p = subparsers.add_parser(
        "scan",
        help="find known vulnerabilities in an image, directory or SBOM",
        description="Match an image, directory or SBOM (sbom:FILE) against the advisory database.",
    )
    p.add_argument("target", help="any source of `assay sbom` (registry:REF, oci-dir:PATH, docker-archive:PATH, dir:PATH...) or sbom:FILE")
    p.add_argument("--db", default=os.environ.get("ASSAY_DB", ""), help="advisory database (default: the cache path of `assay db`; env ASSAY_DB)")
    p.add_argument("--fail-on", default="", metavar="SEVERITY", help="exit 2 when a finding at or above negligible|low|medium|high|critical remains")
    p.add_argument("--only-fixed", action="store_true", default=None, help="ignore findings that have no fixed version")
    p.add_argument("--ignore-states", default=None, metavar="STATES", help="ignore findings in these fix states (comma-separated: fixed,not-fixed,wont-fix,unknown)")
    p.add_argument("--config", default="", help="ignore rules and settings (default: ./.assay.yaml, else ./.grype.yaml)")
    p.add_argument("--vex", action="append", default=[], metavar="FILE", help="OpenVEX, CycloneDX VEX or CSAF VEX document (repeatable)")
    p.add_argument("--distro", default="", metavar="ID:VERSION", help="the distro of the OS packages, e.g. debian:12, ubuntu:22.04, ubuntu:16.04+esm, rhel:9.4+eus")
    p.add_argument("-o", "--output", action="append", metavar="FORMAT[=FILE]", help="repeatable; formats: table, json, sarif, gitlab, cyclonedx-vex, cosign-vuln (default: table)")
    p.add_argument("--sort-by", choices=("severity", "kev", "epss", "package", "vulnerability"), default="severity", help="order of the table and json reports (default severity, then KEV, then EPSS)")
    p.add_argument("--max-db-age", type=float, default=DEFAULT_MAX_DB_AGE, metavar="DAYS", help="warn when the database is older than this (default 5; 0 turns it off)")
    add_registry_flags(p)
    p.set_defaults(func=cmd_scan)
    return p


def _outputs(specs: list[str] | None) -> list[tuple[Any, str | None]]:
    from .errors import UsageError
    from .report import parse_output_spec

    outputs = [parse_output_spec(s) for s in (specs or ["table"])]
    if sum(1 for _, path in outputs if path is None) > 1:
        raise UsageError("only one -o may go to stdout; give the others a file: -o FORMAT=FILE")
    return outputs


def _now() -> str:
    from .pipeline import created_timestamp

    return created_timestamp()


def cmd_scan(args: argparse.Namespace) -> int:
    from .cli import Progress, registry_options, warn, write_atomic
    from .policy import ScanConfig, fails, find_config, load_config, parse_severity
    from .report import ReportOptions
    from .scan import db_age_days, scan

    outputs = _outputs(args.output)
    config_path = args.config or find_config(".")
    config = load_config(config_path) if config_path else ScanConfig()
    fail_on = parse_severity(args.fail_on) if args.fail_on else (config.fail_on or "")
    quiet = getattr(args, "quiet", False)
    progress = Progress(quiet)
    started = _now()
    t0 = time.perf_counter()
    try:
        result = scan(
            args.target,
            db=args.db or None,
            distro=args.distro or None,
            config=config,
            vex=args.vex,
            only_fixed=args.only_fixed,
            ignore_states=args.ignore_states,
            platform=args.platform,
            registry=registry_options(args),
            progress=progress,
        )
    finally:
        progress.stop()
    for w in result.warnings:
        warn(w)
    age = db_age_days(result.db)
    if args.max_db_age and age is not None and age > args.max_db_age:
        warn(f"the advisory database was built {age:.1f} days ago (more than --max-db-age {args.max_db_age:g}); run `assay db update`")
    options = ReportOptions(started=started, finished=_now(), parameters=tuple(sys.argv[1:]), configuration={"fail-on-severity": fail_on} if fail_on else None, sort_by=args.sort_by)
    rendered = [(fmt.render(result, options), path) for fmt, path in outputs]
    for data, path in rendered:
        write_atomic(path or "-", data)
    failed = fails(result.findings, fail_on)
    if not quiet:
        s = result.sbom
        summary = f"assay: {len(result.findings)} findings ({len(result.ignored)} ignored) in {len(s.packages)} packages in {time.perf_counter() - t0:.2f}s"
        if failed:
            summary += f"; failing: findings at or above {fail_on} remain"
        print(summary, file=sys.stderr)
    return EXIT_FAIL_ON if failed else 0
