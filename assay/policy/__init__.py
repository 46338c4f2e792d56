"""Policy: what to do with findings after matching.

``apply_policy`` moves findings to the ignored list, in this order (the first
that applies is the one recorded):

1. ignore rules (``.assay.yaml`` / ``.grype.yaml``), expired rules warn instead;
2. VEX statements (``not_affected`` and ``fixed`` suppress, with the justification);
3. ``only_fixed``: findings without a fixed version;
4. ``ignore_states``: findings in the given fix states (``wont-fix,not-fixed,unknown``).

``fails(findings, fail_on)`` is the gate: true when a remaining finding is at or
above the severity (Grype's ``--fail-on``, exit code 2).
"""

from __future__ import annotations

import datetime as _dt
from typing import Iterable, Sequence

from ..errors import UsageError
from ..match.finding import SEVERITY_ORDER, Finding, Ignored
from ..model import Sbom
from .ignore import FIX_STATES, IgnoreRule, ScanConfig, apply_ignore_rules, find_config, load_config
from .vex import Statement, apply_vex, load_vex, parse_vex

__all__ = [
    "apply_policy",
    "fails",
    "parse_severity",
    "parse_states",
    "IgnoreRule",
    "ScanConfig",
    "Statement",
    "load_config",
    "find_config",
    "load_vex",
    "parse_vex",
    "FIX_STATES",
]


def parse_severity(value: str) -> str:
    v = value.strip().lower()
    if v not in SEVERITY_ORDER or v == "unknown":
        raise UsageError(f"severity {value!r} is not one of {', '.join(s for s in SEVERITY_ORDER if s != 'unknown')}")
    return v


def parse_states(value: str | Iterable[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    out = tuple(dict.fromkeys(s.strip() for s in items if s.strip()))
    for s in out:
        if s not in FIX_STATES:
            raise UsageError(f"fix state {s!r} is not one of {', '.join(FIX_STATES)}")
    return out


def apply_policy(
    findings: Iterable[Finding],
    sbom: Sbom,
    *,
    rules: Sequence[IgnoreRule] = (),
    vex: Sequence[Statement] = (),
    only_fixed: bool = False,
    ignore_states: Sequence[str] = (),
    today: _dt.date | None = None,
) -> tuple[list[Finding], list[Ignored], list[str]]:
    """Split ``findings`` into those that remain and those the policy suppresses (with why)."""
    today = today or _dt.datetime.now(_dt.timezone.utc).date()
    kept, ignored, warnings = apply_ignore_rules(findings, rules, today=today)
    if vex:
        kept, suppressed = apply_vex(kept, sbom, vex)
        ignored += suppressed
    if only_fixed or ignore_states:
        remaining: list[Finding] = []
        for f in kept:
            if only_fixed and f.fix_state != "fixed":
                ignored.append(Ignored(finding=f, kind="only-fixed", reason=f"--only-fixed: fix state {f.fix_state}"))
            elif f.fix_state in ignore_states:
                ignored.append(Ignored(finding=f, kind="fix-state", reason=f"--ignore-states: fix state {f.fix_state}"))
            else:
                remaining.append(f)
        kept = remaining
    return kept, ignored, warnings


def fails(findings: Iterable[Finding], fail_on: str) -> bool:
    """Whether a finding at or above ``fail_on`` remains."""
    if not fail_on:
        return False
    threshold = SEVERITY_ORDER[parse_severity(fail_on)]
    return any(f.severity_rank >= threshold for f in findings)
