"""RPM versions: ``[epoch:]version[-release]``, ordered by ``rpmvercmp``.

``rpmvercmp`` ignores separators (anything not alphanumeric, ``~`` or ``^``) and
compares the remaining runs in turn: ``~`` (pre-release) sorts before everything,
even the end of the string; ``^`` (post-release) sorts after the end of the string
but before any further run; a numeric run is newer than an alphabetic one; numbers
compare numerically, letters as bytes; if one string runs out first, the longer one
is newer.  ``release`` is what follows the last ``-``.

Two orders are exposed, on purpose:

* ``key(v)`` is rpm's own total order (a missing epoch is 0), for sorting;
* ``compare(a, b)`` is the order vulnerability matching uses (grype's rules):
  epochs are compared only when *both* sides state one -- advisory feeds and
  package databases are inconsistent about writing ``0:``, and a one-sided epoch
  says more about the data source than about the package, so ``1:1.0`` vs ``1.1``
  compares the versions alone (``-1``); and when one side merely has extra
  trailing zero runs the two are equal (``el8`` = ``el8.0.0``), because advisories
  pad releases that packages do not.  This relation is not transitive across
  mixed inputs, which is why it is not the sort key.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid

NAME = "rpm"

_TOKENS = re.compile(r"~|\^|[0-9]+|[A-Za-z]+")
# token ranks: "~" < end of string < "^" < letters < digits
_TILDE, _END, _CARET, _ALPHA, _NUM = 0, 1, 2, 3, 4


@lru_cache(maxsize=65536)
def vercmp_key(s: str) -> tuple:
    """Sort key equivalent to ``rpmvercmp`` for a version or release string."""
    out: list[tuple] = []  # type: ignore[type-arg]
    for tok in _TOKENS.findall(s):
        if tok == "~":
            out.append((_TILDE,))
        elif tok == "^":
            out.append((_CARET,))
        elif tok[0].isdigit():
            out.append((_NUM, int(tok)))
        else:
            out.append((_ALPHA, tok))
    out.append((_END,))
    return tuple(out)


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple[int | None, tuple, tuple]:
    """(epoch or None when absent, version key, release key)."""
    s = v.strip()
    if not s:
        raise invalid(NAME, v, "empty version")
    epoch: int | None = None
    head, colon, rest = s.partition(":")
    if colon:
        if not (head.strip().isascii() and head.strip().isdigit()):
            raise invalid(NAME, v, "epoch is not a number")
        epoch, s = int(head), rest
    version, dash, release = s.rpartition("-")
    if not dash:
        version, release = s, ""
    if not version:
        raise invalid(NAME, v, "empty version part")
    if any(c.isspace() for c in s):
        raise invalid(NAME, v, "contains whitespace")
    return epoch, vercmp_key(version), vercmp_key(release)


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    """rpm's total order: (epoch, version, release), a missing epoch being 0."""
    epoch, version, release = parse(v)
    return (epoch or 0, version, release)


def _cmp_padded(a: tuple, b: tuple) -> int:
    """rpmvercmp on keys, except that extra trailing zero runs on one side do not count."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            longer, rest_from = (a, i) if y == (_END,) else (b, i) if x == (_END,) else (None, 0)
            if longer is not None and all(t == (_NUM, 0) for t in longer[rest_from:-1]):
                return 0
            return cmp(x, y)
    return 0


def compare(a: str, b: str) -> int:
    """Matching order: epochs only count when both sides have one; trailing zeros are padding."""
    ea, va, ra = parse(a)
    eb, vb, rb = parse(b)
    if ea is not None and eb is not None and ea != eb:
        return cmp(ea, eb)
    return _cmp_padded(va, vb) or _cmp_padded(ra, rb)
