"""The fallback scheme for versions of unknown or unsupported ecosystems (grype's "fuzzy").

``compare`` uses SemVer precedence when both sides look like semantic versions
(``v?N[.N[.N]]`` with an optional ``-``/``alpha``/``beta``/``rc`` pre-release and
``+build``, no leading zeros); otherwise :func:`fuzzy_compare`, a best-effort
string comparison that works for things like ``1.0.2k < 1.0.2l``, ``95SE < 98SP1``
and ``16.3.2 > 3.7.0``:

* a leading ``v`` is ignored, and both strings are walked part by part, a part
  ending at any ASCII punctuation character;
* parts compare as alternating runs of digits and non-digits: digit runs
  numerically (``8p9 < 8p15``; a missing run counts as 0), other runs lexically;
* when one string runs out of parts, the longer string is newer.

It never raises: any string is comparable.  Mixing the two comparisons is not
transitive for every triple, which is the price of guessing; it is only used when
the real scheme is unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import ComparableKey, InvalidVersion, cmp
from . import semver as _semver

NAME = "generic"

# semver-looking: partial versions, optional v, no leading zeros (grype's pseudoSemverPattern)
_PSEUDO_SEMVER = re.compile(
    r"v?(0|[1-9]\d*)(\.(0|[1-9]\d*))?(\.(0|[1-9]\d*))?"
    r"(?:(-|alpha|beta|rc)((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)


def _is_separator(c: str) -> bool:
    return "!" <= c <= "~" and not c.isalnum()


def _parts(v: str) -> tuple[str, ...]:
    """The separator-delimited parts of ``v`` (empty parts kept)."""
    out = []
    pos, n = 0, len(v)
    while pos < n:
        end = pos
        while end < n and not _is_separator(v[end]):
            end += 1
        out.append(v[pos:end])
        pos = end + 1
    return tuple(out)


def _digits_end(s: str, i: int) -> int:
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    return i


def _text_end(s: str, i: int) -> int:
    while i < len(s) and not "0" <= s[i] <= "9":
        i += 1
    return i


def _cmp_part(a: str, b: str) -> int:
    """Natural comparison of one part: digit runs by value, other runs as text."""
    i = j = 0
    while i < len(a) or j < len(b):
        ea, eb = _digits_end(a, i), _digits_end(b, j)
        da, db = a[i:ea], b[j:eb]
        if da != db:
            width = max(len(da), len(db))
            c = cmp(da.rjust(width, "0"), db.rjust(width, "0"))
            if c:
                return c
        i, j = ea, eb
        ea, eb = _text_end(a, i), _text_end(b, j)
        if a[i:ea] != b[j:eb]:
            return cmp(a[i:ea], b[j:eb])
        i, j = ea, eb
    return 0


@lru_cache(maxsize=65536)
def _fuzzy(v: str) -> tuple[str, tuple[str, ...]]:
    s = v.removeprefix("v")
    return s, _parts(s)


def fuzzy_compare(a: str, b: str) -> int:
    """The string-only comparison (no SemVer attempt); see the module docstring."""
    sa, pa = _fuzzy(a)
    sb, pb = _fuzzy(b)
    for ta, tb in zip(pa, pb):
        c = _cmp_part(ta, tb)
        if c:
            return c
    return cmp(len(sa), len(sb))


@lru_cache(maxsize=65536)
def _parse(v: str) -> tuple[tuple | None, str]:
    """(semver key when the string looks like a semantic version, raw string)."""
    s = v.strip()
    sv = None
    if _PSEUDO_SEMVER.fullmatch(s):
        try:
            sv = _semver.key(s)
        except InvalidVersion:
            sv = None
    return sv, s


def _compare_parsed(a: tuple, b: tuple) -> int:  # type: ignore[type-arg]
    if a[0] is not None and b[0] is not None:
        return cmp(a[0], b[0])
    return fuzzy_compare(a[1], b[1])


@lru_cache(maxsize=65536)
def key(v: str) -> ComparableKey:
    return ComparableKey(_parse(v), _compare_parsed)  # type: ignore[arg-type]


def compare(a: str, b: str) -> int:
    return _compare_parsed(_parse(a), _parse(b))
