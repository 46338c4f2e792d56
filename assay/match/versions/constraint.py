"""grype-style version constraints, evaluated in any scheme.

Syntax: ``>= 1.0, < 2.0 || = 3.1`` — ``||`` separates alternatives (OR), ``,``
separates the conditions of one alternative (AND); conditions written one after
the other with only spaces between them (``>= 1.0 < 2.0``) are ANDed too.  A
condition is an operator ``< <= > >= = == !=`` and a version; no operator means
``=``; quotes around a version are ignored.  The empty constraint is always
satisfied.

Comparisons use the scheme's ``constraint_compare`` when it has one (PEP 440
ignores the candidate's local label unless the bound has one), else ``compare``.
Errors (bad syntax, a version the scheme cannot parse) are :class:`MatchError`
one-liners naming the constraint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ...errors import MatchError
from . import get_scheme

__all__ = ["Condition", "describe", "parse_constraint", "satisfies"]

Condition = tuple[str, str]  # (operator, version)

_OPS: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
    "=": lambda c: c == 0,
    "==": lambda c: c == 0,
    "!=": lambda c: c != 0,
}
_CONDITION = re.compile(r"\s*(?P<op>[<>=!~^]*)\s*(?P<version>[^\s<>=!~^][^\s<>=]*)\s*")
_QUOTES = "'\"`"


def _bad(constraint: str, why: str) -> MatchError:
    return MatchError(f"invalid version constraint {constraint!r}: {why}")


@lru_cache(maxsize=16384)
def parse_constraint(constraint: str) -> tuple[tuple[Condition, ...], ...]:
    """OR-list of AND-lists of (operator, version); () for the empty constraint."""
    if not constraint.strip():
        return ()
    alternatives = []
    for alt in constraint.split("||"):
        conditions: list[Condition] = []
        for unit in alt.split(","):
            if not unit.strip():
                raise _bad(constraint, "empty condition")
            pos = 0
            while pos < len(unit):
                m = _CONDITION.match(unit, pos)
                if not m:
                    rest = unit[pos:].strip()
                    if rest.strip("<>=!~^"):
                        raise _bad(constraint, f"cannot parse {rest!r}")
                    raise _bad(constraint, f"missing version after {rest!r}")
                op = m["op"] or "="
                if op not in _OPS:
                    raise _bad(constraint, f"unsupported operator {op!r}")
                version = m["version"].strip(_QUOTES)
                if not version:
                    raise _bad(constraint, "missing version")
                conditions.append((op, version))
                pos = m.end()
        alternatives.append(tuple(conditions))
    return tuple(alternatives)


def _comparator(scheme_name: str) -> Callable[[str, str], int]:
    scheme = get_scheme(scheme_name)
    return getattr(scheme, "constraint_compare", scheme.compare)


def satisfies(scheme_name: str, version: str, constraint: str) -> bool:
    """Whether ``version`` satisfies ``constraint`` under ``scheme_name``'s ordering."""
    alternatives = parse_constraint(constraint)
    if not alternatives:
        return True
    compare = _comparator(scheme_name)
    try:
        for conditions in alternatives:
            if all(_OPS[op](compare(version, bound)) for op, bound in conditions):
                return True
    except MatchError as e:
        raise MatchError(f"cannot evaluate {version!r} against {constraint!r} ({scheme_name}): {e}") from e
    return False


def describe(constraint: str, scheme_name: str) -> str:
    """Human-readable form of a constraint, e.g. ``>= 1.0, < 2.0 (pep440)``."""
    alternatives = parse_constraint(constraint)
    if not alternatives:
        return f"none ({scheme_name})"
    text = " || ".join(", ".join(f"{op} {v}" for op, v in conds) for conds in alternatives)
    return f"{text} ({scheme_name})"
