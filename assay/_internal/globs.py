"""Path globs as syft writes them: ``**`` spans directories, ``*`` and ``?`` stay in one."""

from __future__ import annotations

import functools
import re

__all__ = ["compile_glob", "glob_basename", "combine"]


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


def combine(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join("(?:" + _translate(p) + r"\Z)" for p in patterns))


def glob_basename(pattern: str) -> str | None:
    """The literal last segment of a pattern, or None when it has wildcards."""
    last = pattern.rstrip("/").rsplit("/", 1)[-1]
    if any(ch in last for ch in "*?[{"):
        return None
    return last
