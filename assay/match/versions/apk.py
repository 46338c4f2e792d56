"""Alpine (apk-tools) versions: ``digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}``.

Implements apk-tools' tokenizer and comparison (``src/version.c``):

* tokens are, in order: the initial number, more ``.``-numbers, one optional lower
  case letter, any number of ``_suffix[N]`` (pre-release ``alpha < beta < pre < rc``,
  post-release ``cvs < svn < git < hg < p``), an optional ``~commit-hash``, and an
  optional ``-rN`` package revision; anything else is invalid;
* tokens of the same kind compare by value: numbers numerically, except that a
  ``.``-number with a leading zero compares as a string (``1.05 < 1.5``, Gentoo
  style); letters and hashes as bytes; suffixes by their rank;
* when one version runs out of tokens or the kinds differ, a pre-release suffix is
  older than anything, otherwise the token kind that comes *later* in the grammar
  is older: ``1.0 < 1.0-r1 < 1.0.1``, ``1.0_rc1 < 1.0 < 1.0_p1``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid

NAME = "apk"

# token kinds, in grammar order (apk-tools' enum PARTS)
_INITIAL, _DIGIT, _LETTER, _SUFFIX, _SUFFIX_NO, _HASH, _REVISION, _END = range(8)
_SUFFIXES = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3, "cvs": 5, "svn": 6, "git": 7, "hg": 8, "p": 9}
_NONE = 4  # suffix ranks below this are pre-releases
_PRE_RELEASE_RANK = -100  # where a pre-release suffix sorts when token kinds differ

_NUM = re.compile(r"[0-9]+")
_LOWER = re.compile(r"[a-z]*")
_HEX = re.compile(r"[0-9a-f]*")


def _span(pattern: re.Pattern[str], v: str, pos: int) -> int:
    """End of the (possibly empty) run of ``pattern`` at ``pos``."""
    m = pattern.match(v, pos)
    return m.end() if m else pos


def _tokens(v: str) -> list[tuple[int, object]]:
    """(kind, value) tokens of ``v``; raises InvalidVersion where apk-tools would."""
    m = _NUM.match(v)
    if not m:
        raise invalid(NAME, v, "must start with a number")
    toks: list[tuple[int, object]] = [(_INITIAL, int(m.group()))]
    pos, kind, n = m.end(), _INITIAL, len(v)
    value: object
    while pos < n:
        c = v[pos]
        if "a" <= c <= "z":
            if kind > _DIGIT:
                raise invalid(NAME, v, f"unexpected letter at {pos}")
            kind, value, pos = _LETTER, c, pos + 1
        elif c == "." or "0" <= c <= "9":
            if c == ".":
                if kind > _DIGIT:
                    raise invalid(NAME, v, f"unexpected '.' at {pos}")
                pos += 1
            if kind in (_INITIAL, _DIGIT):
                kind = _DIGIT
            elif kind == _SUFFIX:
                kind = _SUFFIX_NO
            else:
                raise invalid(NAME, v, f"unexpected number at {pos}")
            m = _NUM.match(v, pos)
            if not m:
                raise invalid(NAME, v, f"missing number at {pos}")
            text, pos = m.group(), m.end()
            if kind == _DIGIT and text[0] == "0":
                value = (0, text)  # leading zero: compare as a string, before any plain number
            elif kind == _DIGIT:
                value = (1, int(text))
            else:
                value = int(text)
        elif c == "_":
            if kind > _SUFFIX_NO:
                raise invalid(NAME, v, f"unexpected suffix at {pos}")
            end = _span(_LOWER, v, pos + 1)
            rank = _SUFFIXES.get(v[pos + 1 : end])
            if rank is None:
                raise invalid(NAME, v, f"unknown suffix {v[pos + 1 : end]!r}")
            kind, value, pos = _SUFFIX, rank, end
        elif c == "~":
            if kind >= _HASH:
                raise invalid(NAME, v, f"unexpected '~' at {pos}")
            end = _span(_HEX, v, pos + 1)
            if end == pos + 1:
                raise invalid(NAME, v, "empty commit hash")
            kind, value, pos = _HASH, v[pos + 1 : end], end
        elif c == "-" and v.startswith("-r", pos):
            if kind >= _REVISION:
                raise invalid(NAME, v, "more than one revision")
            m = _NUM.match(v, pos + 2)
            if not m:
                raise invalid(NAME, v, "revision is not a number")
            kind, value, pos = _REVISION, int(m.group()), m.end()
        else:
            raise invalid(NAME, v, f"unexpected {c!r} at {pos}")
        toks.append((kind, value))
    return toks


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    """Tokens as (rank, value) pairs closed by an end token.

    The rank makes tuple comparison reproduce apk-tools' rule for diverging token
    kinds: pre-release suffixes lowest, otherwise later grammar kinds lower.
    """
    out = []
    for kind, value in _tokens(v.strip()):
        if kind == _SUFFIX and value < _NONE:  # type: ignore[operator]
            rank = _PRE_RELEASE_RANK
        else:
            rank = -kind
        out.append((rank, value))
    out.append((-_END, 0))
    return tuple(out)


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
