"""JSON encoded the way Go's ``encoding/json.Marshal`` encodes it.

cosign writes every document (simple-signing payloads, in-toto statements,
DSSE envelopes, manifests, configs) with ``json.Marshal``.  Producing the same
bytes matters: digests of manifests and configs, and payloads that other
tools re-hash, must not depend on which tool wrote them.  Go's rules:

* no whitespace;
* struct fields in declaration order, maps with keys sorted — here a
  :class:`Struct` keeps its insertion order and a plain ``dict`` is sorted;
* ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as ``\\u003c`` etc., other
  non-ASCII text written as UTF-8; control characters as ``\\n``, ``\\r``,
  ``\\t``, ``\\b``, ``\\f`` or ``\\u00XX``;
* numbers decoded into ``interface{}`` are float64: integers beyond 2**53 lose
  precision, and very large or small values use exponent notation
  (``1e+21``, ``1e-7``).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

__all__ = ["Struct", "dumps", "loads"]

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_NEEDS_ESCAPE = frozenset(_ESCAPES) | {chr(c) for c in range(0x20)}
_FLOAT64_EXACT = 2**53


class Struct(dict):  # type: ignore[type-arg]
    """A JSON object whose keys keep their order (a Go struct); plain dicts
    are written with sorted keys (a Go map)."""


def _string(s: str) -> str:
    if not any(c in _NEEDS_ESCAPE for c in s):
        return f'"{s}"'
    out = []
    for c in s:
        esc = _ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif c < " ":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def _float(f: float) -> str:
    """``strconv.FormatFloat(f, 'f' or 'e', -1, 64)`` as encoding/json picks it."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"unsupported JSON value {f!r}")
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    a = abs(f)
    text = repr(f)  # shortest round-trip digits, like Go's -1 precision
    if 1e-6 <= a < 1e21:
        s = format(Decimal(text), "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return s
    # outside [1e-6, 1e21) Python's repr is in exponent form too ("1e+21",
    # "1.5e-07"), with Go's two-digit minimum; encoding/json then shortens a
    # negative two-digit exponent with a leading zero ("e-07" -> "e-7").
    mant, _, exp = text.partition("e")
    if len(exp) == 3 and exp.startswith("-0"):
        exp = "-" + exp[2]
    return f"{mant}e{exp}"


def _number(n: float) -> str:
    if isinstance(n, bool):  # pragma: no cover - handled by the caller
        return "true" if n else "false"
    if isinstance(n, int):
        if -_FLOAT64_EXACT <= n <= _FLOAT64_EXACT:
            return str(n)
        return _float(float(n))
    return _float(n)


def _encode(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(_string(v))
    elif isinstance(v, (int, float)):
        out.append(_number(v))
    elif isinstance(v, dict):
        items = v.items() if isinstance(v, Struct) else sorted(v.items())
        out.append("{")
        first = True
        for k, val in items:
            if not isinstance(k, str):
                raise TypeError(f"JSON object keys must be strings, not {type(k).__name__}")
            if not first:
                out.append(",")
            first = False
            out.append(_string(k))
            out.append(":")
            _encode(val, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _encode(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot encode {type(v).__name__} as JSON")


def dumps(value: Any) -> bytes:
    """``value`` as Go's ``json.Marshal`` would write it (UTF-8 bytes)."""
    out: list[str] = []
    _encode(value, out)
    return "".join(out).encode("utf-8")


def loads(data: bytes | str) -> Any:
    """Parse JSON strictly: duplicate keys, NaN and Infinity are refused
    (they make two parsers disagree about what was signed)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for k, v in items:
            if k in obj:
                raise ValueError(f"duplicate key {k!r}")
            obj[k] = v
        return obj

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    return json.loads(data, object_pairs_hook=pairs, parse_constant=constant)
