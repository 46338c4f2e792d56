"""Maven versions, ordered like Maven's ``ComparableVersion`` (the POM "version order spec").

Parsing (case-insensitive): the string is split on ``.`` and ``-`` and on every
switch between digits and letters; a switch counts like a ``-``.  ``-`` (and a
switch) opens a nested list, so ``1.0-alpha-1`` is ``[1, 0, [alpha, [1]]]``;
empty parts are ``0``.  ``a``/``b``/``m`` directly followed by a digit mean
``alpha``/``beta``/``milestone``; ``ga``/``final``/``release`` mean ``""``, ``cr``
means ``rc``.  Trailing "null" items (``0``, ``""``, empty lists) are dropped from
every list.

Ordering, item by item, padding the shorter list with "null": numbers compare
numerically; known qualifiers ``alpha < beta < milestone < rc < snapshot < "" <
sp``, unknown ones after those in lexical order; a number beats a list which beats
a qualifier (so ``1.0.1 > 1.0-1 > 1.0-sp > 1.0 > 1.0-SNAPSHOT``).

Like grype, a Java-runtime qualifier ``.jreNN``/``.jdkNN`` (``12.10.2.jre11``) is
dropped first: it names a build flavour, not a newer version.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import ComparableKey, invalid, sign

NAME = "maven"

_QUALIFIERS = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}
_RUNTIME = re.compile(r"[.-](?:jre|jdk)[0-9]+$", re.IGNORECASE)

# An item is an int, a str (qualifier) or a tuple (nested list).


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _item(text: str, followed_by_digit: bool = False) -> int | str:
    if text.isascii() and text.isdigit():
        return int(text)
    if followed_by_digit and text in _SHORT:
        return _SHORT[text]
    return _ALIASES.get(text, text)


def _is_null(item: object) -> bool:
    return item == 0 or item == "" or item == ()


def _normalize(items: list) -> list:
    """Drop trailing null items, looking through (non-null) trailing lists like Maven."""
    i = len(items) - 1
    while i >= 0:
        it = items[i]
        if _is_null(it):
            del items[i]
        elif not isinstance(it, tuple):
            break
        i -= 1
    return items


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple:
    s = _RUNTIME.sub("", v.strip()).lower()
    if not s:
        raise invalid(NAME, v, "empty version")
    if any(c.isspace() for c in s):
        raise invalid(NAME, v, "contains whitespace")
    # a stack of open lists; closing happens at the end, innermost first
    stack: list[list] = [[]]
    start, is_digit = 0, False
    for i, c in enumerate(s):
        cur = stack[-1]
        if c in ".-":
            cur.append(0 if i == start else _item(s[start:i]))
            start = i + 1
            if c == "-":
                stack.append([])
        elif _is_digit(c):
            if not is_digit and i > start:
                cur.append(_item(s[start:i], followed_by_digit=True))
                start = i
                stack.append([])
            is_digit = True
        else:
            if is_digit and i > start:
                cur.append(_item(s[start:i]))
                start = i
                stack.append([])
            is_digit = False
    if len(s) > start:
        stack[-1].append(_item(s[start:]))
    # close the lists innermost first, so a list emptied by normalisation is itself null
    closed: tuple = tuple(_normalize(stack.pop()))
    while stack:
        parent = stack.pop()
        parent.append(closed)
        closed = tuple(_normalize(parent))
    return closed


def _qualifier_rank(q: str) -> tuple[int, str]:
    rank = _QUALIFIERS.get(q)
    return (rank, "") if rank is not None else (len(_QUALIFIERS), q)


def _cmp_item(a: Any, b: Any) -> int:
    """ComparableVersion's Item.compareTo; ``None`` is the padding "null"."""
    if a is None:
        return -_cmp_item(b, None) if b is not None else 0
    if isinstance(a, int):
        if b is None:
            return 1 if a else 0
        if isinstance(b, int):
            return sign(a - b)
        return 1  # number > list > string
    if isinstance(a, str):
        if b is None:
            b = ""
        if isinstance(b, str):
            ra, rb = _qualifier_rank(a), _qualifier_rank(b)
            return (ra > rb) - (ra < rb)
        return -1
    # a is a list
    if b is None:  # the whole list against "null", not just its head (MNG-6964)
        for it in a:
            r = _cmp_item(it, None)
            if r:
                return r
        return 0
    if isinstance(b, int):
        return -1
    if isinstance(b, str):
        return 1
    for i in range(max(len(a), len(b))):
        r = _cmp_item(a[i] if i < len(a) else None, b[i] if i < len(b) else None)
        if r:
            return r
    return 0


def _compare_parsed(a: Any, b: Any) -> int:
    return _cmp_item(a, b)


@lru_cache(maxsize=65536)
def key(v: str) -> ComparableKey:
    return ComparableKey(parse(v), _compare_parsed)


def compare(a: str, b: str) -> int:
    return _cmp_item(parse(a), parse(b))
