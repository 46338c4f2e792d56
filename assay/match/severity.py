"""Severity: score CVSS vectors, normalise vendor ratings, pick the most trusted one.

Every advisory carries zero or more :class:`~assay.advisories.model.Severity`
values (a vendor rating such as Debian's urgency or Red Hat's "Important", and
CVSS v2/v3.x/v4 vectors).  :func:`scored` fills in score and rating for vectors
(with the ``cvss`` package); :func:`choose` picks one rating from groups of
severities ordered by trust, and names the source that gave it.

Trust follows grype's conventions: for a distro package the distro's own rating
wins (it knows how the package is built and patched), then the distro's CVSS, then
NVD's; for a language package the ecosystem advisory (GHSA, OSV) wins, then NVD.
Within one source an explicit rating beats a vector, CVSS v3.x beats v4 beats v2
(v3 is what NVD and GHSA rate with; v4 scores are not comparable yet).
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Iterable, Sequence

from ..advisories.model import RATINGS, Severity, rating_for_score

__all__ = ["normalize_rating", "rating_for_score", "score_vector", "scored", "choose", "RANK"]

RANK = {r: i for i, r in enumerate(RATINGS)}  # unknown=0 ... critical=5

# vendor words -> assay rating
_WORDS = {
    "unknown": "unknown",
    "not yet assigned": "unknown",
    "unassigned": "unknown",
    "end-of-life": "unknown",
    "none": "negligible",
    "negligible": "negligible",
    "unimportant": "negligible",
    "informational": "negligible",
    "info": "negligible",
    "low": "low",
    "minor": "low",
    "medium": "medium",
    "moderate": "medium",
    "high": "high",
    "important": "high",
    "critical": "critical",
}

_KIND_ORDER = {"rating": 0, "CVSS_V3": 1, "CVSS_V4": 2, "CVSS_V2": 3}


def normalize_rating(text: str) -> str:
    """A vendor's word (``Important``, ``MODERATE``, ``unimportant``, ``medium**``) as one of RATINGS."""
    t = text.strip().strip("*").strip().lower()
    return _WORDS.get(t, "unknown")


def _kind_of(vector: str) -> str:
    v = vector.strip().upper()
    if v.startswith("CVSS:4"):
        return "CVSS_V4"
    if v.startswith("CVSS:3"):
        return "CVSS_V3"
    return "CVSS_V2"


@lru_cache(maxsize=8192)
def score_vector(vector: str, kind: str = "") -> float | None:
    """The base score of a CVSS vector, or None when the vector does not parse."""
    from cvss import CVSS2, CVSS3, CVSS4
    from cvss.exceptions import CVSSError

    kind = kind or _kind_of(vector)
    try:
        if kind == "CVSS_V4":
            return float(CVSS4(vector.strip()).base_score)
        if kind == "CVSS_V3":
            return float(CVSS3(vector.strip()).scores()[0])
        return float(CVSS2(vector.strip().removeprefix("(").removesuffix(")")).scores()[0])
    except (CVSSError, ValueError, KeyError, IndexError, TypeError):
        return None


@lru_cache(maxsize=65536)
def scored(sev: Severity) -> Severity:
    """``sev`` with score and rating filled in where a vector or a word allows it (cached: feeds repeat them)."""
    if sev.kind == "rating":
        rating = sev.rating if sev.rating in RANK else normalize_rating(sev.rating or sev.vector)
        return sev if rating == sev.rating else replace(sev, rating=rating)
    score = sev.score
    if score is None and sev.vector:
        kind = sev.kind if sev.kind in _KIND_ORDER else _kind_of(sev.vector)
        score = score_vector(sev.vector, kind)
    rating = sev.rating if sev.rating in RANK and sev.rating not in ("", "unknown") else ""
    if not rating and score is not None:
        rating = rating_for_score(score, sev.kind)
    rating = rating or "unknown"
    if score == sev.score and rating == sev.rating:
        return sev
    return replace(sev, score=score, rating=rating)


def _label(sev: Severity) -> str:
    src = sev.source or "unknown"
    return src if sev.kind == "rating" else f"{src}:{sev.kind}"


def choose(groups: Sequence[Iterable[Severity]]) -> tuple[str, str, tuple[Severity, ...]]:
    """Pick a rating from ``groups`` (most trusted first).

    Returns ``(rating, source label, every severity scored and de-duplicated)``; the
    first group holding a known rating decides, and within it the kind order
    rating > CVSS v3 > v4 > v2, then the highest rating (two CNAs may disagree).
    """
    if len(groups) == 1:
        only = groups[0] if isinstance(groups[0], (list, tuple)) else list(groups[0])
        if len(only) == 1:  # the common case: one record with one severity
            s = scored(only[0])
            return (s.rating, _label(s), (s,)) if s.rating not in ("", "unknown") else ("unknown", "", (s,))
        groups = [only]
    seen: set[tuple[str, str, str, str]] = set()
    every: list[Severity] = []
    best: tuple[str, str] | None = None
    for group in groups:
        candidates: list[Severity] = []
        for sev in group:
            s = scored(sev)
            key = (s.source, s.kind, s.vector, s.rating)
            if key not in seen:
                seen.add(key)
                every.append(s)
            if s.rating not in ("", "unknown"):
                candidates.append(s)
        if best is None and candidates:
            top = min(candidates, key=lambda s: (_KIND_ORDER.get(s.kind, 9), -RANK.get(s.rating, 0)))
            best = (top.rating, _label(top))
    rating, source = best or ("unknown", "")
    return rating, source, tuple(every)
