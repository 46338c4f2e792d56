"""Evidence matchers for binary classifiers: byte regexes with named groups, and ways to combine them.

A matcher is ``matcher(path, data) -> dict | None``: the named groups it found
(``version`` and maybe ``update``/``primary``), ``{}`` for a match that found no
version (a path test), or None.  ``path`` is the file's real path in the source.

Searching a 100 MB executable with a pattern that starts with no literal costs
about a second in :mod:`re`; an :class:`Rx` given ``anchors`` (literals every
match contains) only searches windows around the anchors' occurrences, found
with ``bytes.find`` at memory speed.  Patterns that start with a literal need no
anchor: :mod:`re` already skips ahead to it.

Patterns are compiled on first use: the table has hundreds of them, and a scan
needs only those of the classifiers whose file names it meets.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..._internal.globs import compile_glob

__all__ = [
    "Classifier",
    "Groups",
    "Matcher",
    "Rx",
    "all_of",
    "any_of",
    "contents",
    "filename_template",
    "in_path",
    "path_regex",
]

Groups = dict[str, str]
Matcher = Callable[[str, bytes], "Groups | None"]

_MAX_ANCHOR_HITS = 200_000  # past this many occurrences a plain search is as cheap

_compile = functools.cache(re.compile)  # on first use (see above), once per pattern


class Rx:
    """A byte pattern, optionally searched only near its ``anchors``."""

    __slots__ = ("_rx", "anchors", "last_in_line", "pattern", "window")

    def __init__(self, pattern: bytes, anchors: tuple[bytes, ...] = (), window: int = 1100, last_in_line: bool = False) -> None:
        self.pattern = pattern
        self._rx: re.Pattern[bytes] | None = None
        self.anchors = anchors
        self.window = window  # how far a match may reach either side of an anchor
        # syft's ``.*/mysql-(?P<version>...)``: the greedy ``.*`` makes the last match on the first
        # matching line win; searched here without the quadratic ``.*``
        self.last_in_line = last_in_line

    @property
    def rx(self) -> re.Pattern[bytes]:
        if self._rx is None:
            self._rx = _compile(self.pattern)
        return self._rx

    def search(self, data: bytes) -> re.Match[bytes] | None:
        """The leftmost match (as ``re.search``), looking only around anchor occurrences when there are anchors."""
        m = self._first(data)
        if m is None or not self.last_in_line:
            return m
        eol = data.find(b"\n", m.start())
        eol = len(data) if eol == -1 else eol
        while True:
            nxt = self.rx.search(data, m.start() + 1, eol)
            if nxt is None:
                return m
            m = nxt

    def _first(self, data: bytes) -> re.Match[bytes] | None:
        if not self.anchors:
            return self.rx.search(data)
        hits: list[int] = []
        for a in self.anchors:
            i = data.find(a)
            while i != -1:
                hits.append(i)
                if len(hits) > _MAX_ANCHOR_HITS:
                    return self.rx.search(data, max(0, min(hits) - self.window))
                i = data.find(a, i + 1)
        if not hits:
            return None
        hits.sort()
        w = self.window
        start, end = max(0, hits[0] - w), hits[0] + w
        for h in hits[1:]:
            if h - w <= end:  # overlapping windows are searched once
                end = h + w
                continue
            m = self.rx.search(data, start, end)
            if m is not None:
                return m
            start, end = h - w, h + w
        return self.rx.search(data, start, end)


def _groups(m: re.Match[bytes]) -> Groups:
    return {k: v.decode("latin-1") for k, v in m.groupdict().items() if v is not None}


def contents(*patterns: Rx | bytes, unless: bytes = b"") -> Matcher:
    """Every pattern must match; their named groups are merged (later ones win).  ``unless`` vetoes the match."""
    rxs = tuple(p if isinstance(p, Rx) else Rx(p) for p in patterns)
    veto = Rx(unless) if unless else None

    def match(path: str, data: bytes) -> Groups | None:
        out: Groups = {}
        for rx in rxs:
            m = rx.search(data)
            if m is None:
                return None
            out.update(_groups(m))
        if veto is not None and veto.search(data):
            return None
        return out

    return match


def any_of(*matchers: Matcher) -> Matcher:
    """The result of the first matcher that matches."""

    def match(path: str, data: bytes) -> Groups | None:
        for m in matchers:
            got = m(path, data)
            if got is not None:
                return got
        return None

    return match


def all_of(*matchers: Matcher) -> Matcher:
    """Every matcher must match; groups merged."""

    def match(path: str, data: bytes) -> Groups | None:
        out: Groups = {}
        for m in matchers:
            got = m(path, data)
            if got is None:
                return None
            out.update(got)
        return out

    return match


def in_path(glob: str) -> Matcher:
    """Matches (without groups) when the real path matches ``glob`` (e.g. ``**/*zulu*/**``)."""

    def match(path: str, data: bytes) -> Groups | None:
        return {} if compile_glob(glob).match(path.lstrip("/")) else None

    return match


def path_regex(pattern: str) -> Matcher:
    """Matches (with its named groups) when ``pattern`` is found in the real path."""

    def match(path: str, data: bytes) -> Groups | None:
        m = _compile(pattern).search(path)
        return None if m is None else {k: v for k, v in m.groupdict().items() if v is not None}

    return match


@functools.lru_cache(maxsize=256)
def _template_rx(template: bytes, values: tuple[tuple[str, str], ...]) -> re.Pattern[bytes]:
    out = template
    for k, v in values:
        out = out.replace(b"{" + k.encode() + b"}", re.escape(v.encode()))
    return re.compile(out)


def filename_template(path_pattern: str, template: bytes) -> Matcher:
    """A content pattern made from groups of the file name: ``python3.11`` -> ``\\x00(?P<version>3\\.11...)\\x00``.

    ``{name}`` in ``template`` is replaced by the escaped value of the group
    ``name`` of ``path_pattern`` (searched in the real path); no path match, no match.
    """

    def match(path: str, data: bytes) -> Groups | None:
        pm = _compile(path_pattern).search(path)
        if pm is None:
            return None
        values = tuple(sorted((k, v) for k, v in pm.groupdict().items() if v is not None))
        m = _template_rx(template, values).search(data)
        return None if m is None else _groups(m)

    return match


@dataclass(frozen=True, slots=True)
class Classifier:
    """One kind of runtime or tool recognised from a file's name and bytes (as syft's binary classifiers).

    ``purl`` is ``(type, namespace, name)``; ``cpes`` are ``(vendor, product)``
    pairs, given the found version (and, with ``cpe_update``, the ``primary``
    and ``update`` groups as version and update).  Classifiers sharing a
    ``group`` are tried in table order on a file and the first that matches
    wins (syft's branching matchers).  ``lib`` = (pattern of a DT_NEEDED
    library name, id of the classifier whose finding on that library gives the
    version), tried before the own matcher when ``lib_first``.  ``sibling`` names
    the package's main file, beside the matched one, which must exist (Firefox's
    ``firefox`` beside its ``application.ini``).  ``emit=False`` classifiers only
    feed ``lib`` lookups.  ``max_size`` > 0 skips bigger files.
    """

    id: str
    cls: str
    globs: tuple[str, ...]
    matcher: Matcher
    package: str
    purl: tuple[str, str, str]
    cpes: tuple[tuple[str, str], ...] = ()
    cpe_update: bool = False
    group: str = ""
    lib: tuple[str, str] | None = None
    lib_first: bool = False
    sibling: str = ""
    emit: bool = True
    max_size: int = 0
