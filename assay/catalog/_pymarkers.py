"""PEP 508 environment markers: the common forms, evaluated without :mod:`packaging`.

Importing ``packaging.markers`` costs ~35 ms (its tokenizer compiles large regular
expressions): more than reading every Python package of an image.  The markers
found in wheel metadata are nearly all ``extra == "x"``, ``python_version <
"3.11"`` and ``platform_python_implementation == "CPython"``, joined by ``and``
and ``or``.  :func:`evaluate` decides those exactly as packaging does (the tests
compare it with packaging on every form it accepts) and returns None for anything
else: ``in``, ``~=``, ``===``, a literal on the left, a version that is not plain
release numbers, a name the environment lacks, text it cannot parse.  The caller
then asks packaging.
"""

from __future__ import annotations

import functools
import operator
import re
from typing import Callable, Mapping

__all__ = ["evaluate"]

_TOKEN = re.compile(r"""\s*(\(|\)|===|==|!=|<=|>=|~=|<|>|'[^']*'|"[^"]*"|[A-Za-z_][A-Za-z0-9_.]*)""")
_OPS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# The names packaging compares as versions (PEP 440) rather than as strings.
_VERSION_NAMES = frozenset({"python_version", "python_full_version", "implementation_version", "platform_release"})
_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_VERSIONISH = re.compile(r"\s*[vV]?\d")  # could be read as a version by some packaging release
_SEPARATORS = re.compile(r"[-_.]+")


class _Fallback(Exception):
    """Not a form this module decides: packaging must."""


def evaluate(marker: str, env: Mapping[str, str]) -> bool | None:
    """``Marker(marker).evaluate(env)`` for the common forms; None for the others."""
    tokens = _tokens(marker)
    if tokens is None:
        return None
    try:
        value, rest = _or(tokens, 0, env)
    except (_Fallback, IndexError):
        return None
    return value if rest == len(tokens) else None


@functools.lru_cache(maxsize=4096)
def _tokens(marker: str) -> tuple[str, ...] | None:
    """The marker's tokens, once per marker (it is evaluated in several environments); None if it has others."""
    tokens: list[str] = []
    pos, end = 0, len(marker)
    while pos < end:
        m = _TOKEN.match(marker, pos)
        if m is None:
            if marker[pos:].strip():
                return None
            break
        tokens.append(m.group(1))
        pos = m.end()
    return tuple(tokens)


def _or(t: tuple[str, ...], i: int, env: Mapping[str, str]) -> tuple[bool, int]:
    value, i = _and(t, i, env)
    while i < len(t) and t[i] == "or":
        other, i = _and(t, i + 1, env)  # both sides parsed: a form we cannot decide anywhere falls back
        value = value or other
    return value, i


def _and(t: tuple[str, ...], i: int, env: Mapping[str, str]) -> tuple[bool, int]:
    value, i = _atom(t, i, env)
    while i < len(t) and t[i] == "and":
        other, i = _atom(t, i + 1, env)
        value = value and other
    return value, i


def _atom(t: tuple[str, ...], i: int, env: Mapping[str, str]) -> tuple[bool, int]:
    if t[i] == "(":
        value, i = _or(t, i + 1, env)
        if t[i] != ")":
            raise _Fallback
        return value, i + 1
    name, op, literal = t[i], t[i + 1], t[i + 2]
    if op not in _OPS or literal[:1] not in ("'", '"') or not (name[:1].isalpha() or name[:1] == "_") or name in ("and", "or", "in", "not"):
        raise _Fallback
    if name not in env:
        raise _Fallback
    return _compare(name, env[name], op, literal[1:-1]), i + 3


def _compare(name: str, value: str, op: str, literal: str) -> bool:
    if name == "extra":
        if op not in ("==", "!="):
            raise _Fallback
        same = _canonical(value) == _canonical(literal)  # PEP 685: extras compare normalised
        return same if op == "==" else not same
    if name in _VERSION_NAMES:
        if not _RELEASE.fullmatch(literal) or not _RELEASE.fullmatch(value):
            raise _Fallback
        a = [int(x) for x in value.split(".")]
        b = [int(x) for x in literal.split(".")]
        width = max(len(a), len(b))  # PEP 440: release segments compare padded with zeros
        a += [0] * (width - len(a))
        b += [0] * (width - len(b))
        return _OPS[op](a, b)
    if _VERSIONISH.match(literal):
        raise _Fallback  # some packaging releases compare any version-like literal as a version
    return _OPS[op](value, literal)


def _canonical(name: str) -> str:
    # packaging's canonicalize_name; not python.normalize_name, which also strips spaces
    return _SEPARATORS.sub("-", name).lower()
