"""Debian package versions: ``[epoch:]upstream_version[-debian_revision]``.

Ordering follows Debian Policy §5.6.12 (dpkg's ``verrevcmp``): epochs compare as
integers (a missing epoch is 0); upstream version and revision are compared as
alternating runs of non-digits and digits.  In non-digit runs ``~`` sorts before
everything (even the end of the string), then the end of the string, then letters,
then every other character; digit runs compare numerically (empty = 0).  A missing
revision is equivalent to ``0``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid

NAME = "dpkg"

_UPSTREAM = re.compile(r"[0-9A-Za-z.+~:-]+")
_REVISION = re.compile(r"[0-9A-Za-z.+~]*")
_RUNS = re.compile(r"([^0-9]*)([0-9]*)")


def _char_order(c: str) -> int:
    if c == "~":
        return -1
    if c.isascii() and c.isalpha():
        return ord(c)
    return ord(c) + 256


def _part_key(s: str) -> tuple:
    """Sort key for an upstream version or a revision.

    dpkg compares alternating (non-digit run, digit run) pairs, padding the shorter
    string with empty runs.  Flattened, a string is a sequence of integers -- each
    character's weight, 0 closing every non-digit run, then the run's number -- and
    an exhausted string reads as endless zeros.  To make plain tuple comparison do
    that padding, trailing zeros are dropped and every non-zero value is stored
    with the count of zeros before it, ranked so that "a value where the other side
    has a zero" decides by the value's sign; ``(0,)`` closes the key.
    """
    flat: list[int] = []
    for text, digits in _RUNS.findall(s):
        if text or digits:
            flat.extend(_char_order(c) for c in text)
            flat.append(0)
            flat.append(int(digits) if digits else 0)
    out: list[tuple[int, ...]] = []
    zeros = 0
    for value in flat:
        if value == 0:
            zeros += 1
            continue
        out.append((1, -zeros, value) if value > 0 else (-1, zeros, value))
        zeros = 0
    out.append((0,))
    return tuple(out)


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    """(epoch, upstream key, revision key); raises InvalidVersion for malformed input."""
    s = v.strip()
    if not s:
        raise invalid(NAME, v, "empty version")
    epoch = 0
    if ":" in s:
        e, s = s.split(":", 1)
        if not (e.isascii() and e.isdigit()):
            raise invalid(NAME, v, "epoch is not a number")
        epoch = int(e)
    upstream, sep, revision = s.rpartition("-")
    if not sep:
        upstream, revision = s, ""
    if not upstream or not _UPSTREAM.fullmatch(upstream):
        raise invalid(NAME, v, "bad upstream version")
    if sep and not revision or not _REVISION.fullmatch(revision):
        raise invalid(NAME, v, "bad revision")
    return (epoch, _part_key(upstream), _part_key(revision))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
