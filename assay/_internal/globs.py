"""Path globs as syft writes them: ``**`` spans directories, ``*`` and ``?`` stay in one."""

from __future__ import annotations

import functools
import re

__all__ = ["compile_glob", "glob_basename", "combine", "AnyGlob", "expand_braces", "literal_hint"]


def _translate(pattern: str) -> str:
    pat = pattern.lstrip("/")
    out: list[str] = []
    i = 0
    n = len(pat)
    while i < n:
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
        elif c == "{":
            j = pat.find("}", i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                alts = pat[i + 1 : j].split(",")
                out.append("(?:" + "|".join(_translate(a) for a in alts) + ")")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """Compile a glob; match it against a path without its leading ``/``."""
    return re.compile(_translate(pattern) + r"\Z")


class AnyGlob:
    """Matches a path (without its leading ``/``) against any of several globs.

    They are compiled into one regular expression on the first ``match``: a source
    that never asks (a seekable layer reads files when they are opened) never pays.
    """

    __slots__ = ("_rx", "patterns")

    def __init__(self, patterns: tuple[str, ...]) -> None:
        self.patterns = patterns
        self._rx: re.Pattern[str] | None = None

    def match(self, path: str) -> bool:
        if self._rx is None:
            self._rx = re.compile("|".join("(?:" + _translate(p) + r"\Z)" for p in self.patterns))
        return self._rx.match(path) is not None


def combine(patterns: tuple[str, ...]) -> AnyGlob | None:
    return AnyGlob(patterns) if patterns else None


def glob_basename(pattern: str) -> str | None:
    """The literal last segment of a pattern, or None when it has wildcards."""
    last = pattern.rstrip("/").rsplit("/", 1)[-1]
    if any(ch in last for ch in "*?[{"):
        return None
    return last


def expand_braces(pattern: str) -> list[str]:
    """``a/{b,c}/d`` -> ``["a/b/d", "a/c/d"]`` (every alternation expanded, as the glob reads them)."""
    i = pattern.find("{")
    j = pattern.find("}", i + 1) if i != -1 else -1
    if j == -1:
        return [pattern]
    head, tail = pattern[:i], pattern[j + 1 :]
    return [x for alt in pattern[i + 1 : j].split(",") for x in expand_braces(head + alt + tail)]


def literal_hint(pattern: str) -> str:
    """The longest run of literal characters every path matching ``pattern`` contains."""
    runs: list[str] = []
    cur: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c in "*?{":
            runs.append("".join(cur))
            cur = []
            if c == "{":  # alternatives: none of them is certain
                j = pattern.find("}", i + 1)
                i = n if j == -1 else j
        elif c == "[" and pattern.find("]", i + 1) != -1:  # a lone "[" is literal (see _translate)
            runs.append("".join(cur))
            cur = []
            i = pattern.find("]", i + 1)
        else:
            cur.append(c)
        i += 1
    runs.append("".join(cur))
    return max(runs, key=len)
