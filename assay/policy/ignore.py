"""Ignore rules and the scan configuration file (``.assay.yaml``; a ``.grype.yaml`` is read as is).

    ignore:
      - vulnerability: CVE-2023-1234          # the finding's id or any alias
        reason: not reachable from our code
        expires: 2025-06-30                   # assay's addition: after this day the rule stops applying (and warns)
        fix-state: not-fixed                  # fixed | not-fixed | wont-fix | unknown
        namespace: debian:12                  # the advisory namespace that matched
        match-type: exact-indirect-match
        package:
          name: libssl.*                      # a regular expression, anchored (as grype)
          version: 3.0.11-1~deb12u2           # exact
          type: deb                           # exact
          language: python                    # exact
          location: "/usr/lib/**"             # a glob over the package's paths (** spans directories)
          upstream-name: openssl              # the source/origin package
    fail-on-severity: high                    # also: only-fixed, ignore-states (ignore-wontfix), vex-documents

A rule applies when every criterion it gives holds (a rule with none never
applies), like grype's.  Errors name the file and line.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .._internal.globs import compile_glob
from ..errors import UsageError
from ..match.finding import Finding, Ignored, SEVERITY_ORDER

__all__ = ["IgnoreRule", "ScanConfig", "load_config", "find_config", "apply_ignore_rules", "FIX_STATES", "CONFIG_NAMES"]

FIX_STATES = ("fixed", "not-fixed", "wont-fix", "unknown")
CONFIG_NAMES = (".assay.yaml", ".assay.yml", ".grype.yaml", ".grype.yml")

_PACKAGE_KEYS = {"name", "version", "language", "type", "location", "upstream-name"}
_RULE_KEYS = {"vulnerability", "reason", "namespace", "fix-state", "package", "vex-status", "vex-justification", "match-type", "expires", "include-aliases"}


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoreRule:
    vulnerability: str = ""
    reason: str = ""
    namespace: str = ""
    fix_state: str = ""
    match_type: str = ""
    package_name: str = ""
    package_version: str = ""
    package_language: str = ""
    package_type: str = ""
    package_location: str = ""
    upstream_name: str = ""
    vex_status: str = ""
    expires: _dt.date | None = None
    where: str = ""  # "FILE:LINE" of the rule
    raw: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def has_conditions(self) -> bool:
        return any(
            (self.vulnerability, self.namespace, self.fix_state, self.match_type, self.package_name, self.package_version,
             self.package_language, self.package_type, self.package_location, self.upstream_name)
        )  # fmt: skip

    def expired(self, today: _dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def applies(self, f: Finding) -> bool:
        """Whether every criterion of the rule holds for ``f`` (expiry is the caller's business)."""
        if not self.has_conditions or self.vex_status:
            return False
        p = f.package
        if self.vulnerability and self.vulnerability.upper() not in {i.upper() for i in f.all_ids}:
            return False
        if self.fix_state and self.fix_state != f.fix_state:
            return False
        if self.namespace and not any(d.ecosystem == self.namespace or self.namespace.endswith(":" + d.ecosystem) for d in f.details):
            return False
        if self.match_type and not any(d.type == self.match_type for d in f.details):
            return False
        if self.package_name and not _name_matches(self.package_name, p.name):
            return False
        if self.package_version and self.package_version != p.version:
            return False
        if self.package_language and self.package_language != p.language:
            return False
        if self.package_type and self.package_type != p.type:
            return False
        if self.upstream_name and self.upstream_name != p.source_name:
            return False
        if self.package_location:
            pattern = compile_glob(self.package_location)
            paths = [x for loc in p.locations for x in (loc.path, loc.access_path) if x]
            if not any(pattern.match(x.lstrip("/")) for x in paths):
                return False
        return True

    @property
    def label(self) -> str:
        what = self.vulnerability or self.package_name or "rule"
        return f"{what} ({self.where})" if self.where else what


def _name_matches(pattern: str, name: str) -> bool:
    """grype's rule: the name is a regular expression anchored at both ends; the literal
    name always matches too (``c++`` is a valid but unhelpful regular expression)."""
    if pattern == name:
        return True
    try:
        return re.fullmatch(pattern, name) is not None
    except re.error:
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanConfig:
    """What a configuration file says; command-line flags override it."""

    path: str = ""
    ignore: tuple[IgnoreRule, ...] = ()
    fail_on: str = ""
    only_fixed: bool = False
    ignore_states: tuple[str, ...] = ()
    vex: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def _fail(path: str, line: int | None, msg: str) -> UsageError:
    return UsageError(f"{path}:{line}: {msg}" if line else f"{path}: {msg}")


def _date(value: Any, path: str, line: int | None) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise _fail(path, line, f"expires: {value!r} is not a date (use YYYY-MM-DD)")


def _str(value: Any, key: str, path: str, line: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise _fail(path, line, f"{key}: expected a string, got {type(value).__name__}")


def _rule(item: Any, path: str, line: int | None) -> tuple[IgnoreRule, list[str]]:
    if not isinstance(item, Mapping):
        raise _fail(path, line, "each ignore rule must be a mapping (vulnerability:, package:, ...)")
    warnings: list[str] = []
    unknown = sorted(set(map(str, item)) - _RULE_KEYS)
    if unknown:
        raise _fail(path, line, f"unknown ignore-rule key {unknown[0]!r} (known: {', '.join(sorted(_RULE_KEYS))})")
    pkg = item.get("package") or {}
    if not isinstance(pkg, Mapping):
        raise _fail(path, line, "package: expected a mapping (name:, version:, type:, location:)")
    unknown = sorted(set(map(str, pkg)) - _PACKAGE_KEYS)
    if unknown:
        raise _fail(path, line, f"unknown package key {unknown[0]!r} (known: {', '.join(sorted(_PACKAGE_KEYS))})")
    fix_state = _str(item.get("fix-state"), "fix-state", path, line)
    if fix_state and fix_state not in FIX_STATES:
        raise _fail(path, line, f"fix-state: {fix_state!r} is not one of {', '.join(FIX_STATES)}")
    where = f"{path}:{line}" if line else path
    rule = IgnoreRule(
        vulnerability=_str(item.get("vulnerability"), "vulnerability", path, line).strip(),
        reason=_str(item.get("reason"), "reason", path, line).strip(),
        namespace=_str(item.get("namespace"), "namespace", path, line),
        fix_state=fix_state,
        match_type=_str(item.get("match-type"), "match-type", path, line),
        package_name=_str(pkg.get("name"), "package.name", path, line),
        package_version=_str(pkg.get("version"), "package.version", path, line),
        package_language=_str(pkg.get("language"), "package.language", path, line),
        package_type=_str(pkg.get("type"), "package.type", path, line),
        package_location=_str(pkg.get("location"), "package.location", path, line),
        upstream_name=_str(pkg.get("upstream-name"), "package.upstream-name", path, line),
        vex_status=_str(item.get("vex-status"), "vex-status", path, line),
        expires=_date(item["expires"], path, line) if item.get("expires") not in (None, "") else None,
        where=where,
        raw=_jsonable(item),
    )
    if rule.vex_status:
        warnings.append(f"{where}: vex-status rules are not used: VEX not_affected and fixed statements always suppress (--vex)")
    elif not rule.has_conditions:
        warnings.append(f"{where}: the ignore rule gives no criteria and never applies")
    return rule, warnings


def _jsonable(value: Any) -> Any:
    """The rule as plain JSON values (dates as ISO strings), for reports."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return value


def _line_of_items(node: Any, key: str) -> list[int | None]:
    """1-based lines of the items of the top-level sequence ``key`` in a composed YAML document."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return []
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in v.value]
    return []


def _states(value: Any, path: str, line: int | None) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value.split(",") if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
    if items is None:
        raise _fail(path, line, "ignore-states: expected a comma-separated list")
    out = tuple(str(s).strip() for s in items if str(s).strip())
    for s in out:
        if s not in FIX_STATES:
            raise _fail(path, line, f"ignore-states: {s!r} is not one of {', '.join(FIX_STATES)}")
    return out


def load_config(path: str | os.PathLike[str]) -> ScanConfig:
    """Read a ``.assay.yaml`` / ``.grype.yaml``; one-line errors name the file and line."""
    import yaml

    p = str(path)
    try:
        text = Path(p).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {p}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{p}: not UTF-8 text") from exc
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).split("\n", 1)[0]
        raise _fail(p, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from exc
    if data is None:
        return ScanConfig(path=p)
    if not isinstance(data, Mapping):
        raise _fail(p, 1, "expected a mapping at the top level (ignore:, fail-on-severity:, ...)")
    raw_rules = data.get("ignore") or []
    if not isinstance(raw_rules, list):
        raise _fail(p, None, "ignore: expected a list of rules")
    lines = _line_of_items(node, "ignore")
    rules: list[IgnoreRule] = []
    warnings: list[str] = []
    for i, item in enumerate(raw_rules):
        rule, w = _rule(item, p, lines[i] if i < len(lines) else None)
        rules.append(rule)
        warnings += w
    fail_on = _str(data.get("fail-on-severity", data.get("fail-on")), "fail-on-severity", p, None).lower()
    if fail_on and fail_on not in SEVERITY_ORDER:
        raise _fail(p, None, f"fail-on-severity: {fail_on!r} is not one of {', '.join(SEVERITY_ORDER)}")
    vex = data.get("vex-documents") or []
    if isinstance(vex, str):
        vex = [vex]
    if not isinstance(vex, list):
        raise _fail(p, None, "vex-documents: expected a list of paths")
    base = Path(p).parent
    return ScanConfig(
        path=p,
        ignore=tuple(rules),
        fail_on=fail_on,
        only_fixed=bool(data.get("only-fixed", False)),
        ignore_states=_states(data.get("ignore-states", data.get("ignore-wontfix")), p, None),
        vex=tuple(str(base / str(v)) for v in vex),
        warnings=tuple(warnings),
    )


def find_config(directory: str | Path = ".") -> str | None:
    """The first of ``.assay.yaml``, ``.assay.yml``, ``.grype.yaml``, ``.grype.yml`` in ``directory``."""
    for name in CONFIG_NAMES:
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    return None


def apply_ignore_rules(
    findings: Iterable[Finding], rules: Sequence[IgnoreRule], *, today: _dt.date
) -> tuple[list[Finding], list[Ignored], list[str]]:
    """Split ``findings`` into kept and ignored; expired rules do not apply and are reported."""
    active = [r for r in rules if not r.expired(today)]
    warnings = [
        f"ignore rule {r.label} expired on {r.expires.isoformat()} and no longer applies" for r in rules if r.expired(today) and r.expires
    ]
    kept: list[Finding] = []
    ignored: list[Ignored] = []
    for f in findings:
        rule = next((r for r in active if r.applies(f)), None)
        if rule is None:
            kept.append(f)
            continue
        reason = rule.reason or f"ignore rule {rule.where or rule.label}"
        raw = dict(rule.raw)
        if rule.where:
            raw.setdefault("source", rule.where)
        ignored.append(Ignored(finding=f, kind="rule", reason=reason, rule=raw))
    return kept, ignored, warnings
