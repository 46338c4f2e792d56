"""CVSS scoring, vendor ratings and the choice of one rating (assay.match.severity)."""

from __future__ import annotations

import pytest

from assay.advisories.model import Severity
from assay.match.severity import choose, normalize_rating, rating_for_score, score_vector, scored


@pytest.mark.parametrize(
    "vector, score",
    [
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4),  # NVD, CVE-2014-0224
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4),  # Red Hat, CVE-2018-17199
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("AV:N/AC:M/Au:N/C:P/I:P/A:N", 5.8),  # v2, CVE-2014-0224
        ("(AV:N/AC:L/Au:N/C:C/I:C/A:C)", 10.0),  # v2 as some feeds write it
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ],
)
def test_vectors_are_scored(vector: str, score: float) -> None:
    assert score_vector(vector) == score


@pytest.mark.parametrize("vector", ["", "CVSS:3.1/AV:X", "not a vector", "CVSS:4.0/AV:N"])
def test_bad_vectors_score_none(vector: str) -> None:
    assert score_vector(vector) is None
    assert scored(Severity(source="x", kind="CVSS_V3", vector=vector)).rating == "unknown"


@pytest.mark.parametrize(
    "score, kind, rating",
    [(0.0, "CVSS_V3", "negligible"), (3.9, "CVSS_V3", "low"), (4.0, "CVSS_V3", "medium"), (6.9, "CVSS_V4", "medium"),
     (7.0, "CVSS_V3", "high"), (8.9, "CVSS_V3", "high"), (9.0, "CVSS_V3", "critical"), (10.0, "CVSS_V2", "high"), (3.9, "CVSS_V2", "low")],
)  # fmt: skip
def test_rating_bands(score: float, kind: str, rating: str) -> None:
    assert rating_for_score(score, kind) == rating


@pytest.mark.parametrize(
    "word, rating",
    [("Important", "high"), ("MODERATE", "medium"), ("unimportant", "negligible"), ("Negligible", "negligible"),
     ("not yet assigned", "unknown"), ("Critical", "critical"), ("low**", "low"), ("None", "negligible"), ("whatever", "unknown")],
)  # fmt: skip
def test_vendor_words(word: str, rating: str) -> None:
    assert normalize_rating(word) == rating
    assert scored(Severity(source="v", kind="rating", rating=word)).rating == rating


def test_the_first_group_with_a_rating_decides_and_says_which_source() -> None:
    debian = [Severity(source="debian", kind="rating", rating="not yet assigned")]
    nvd = [
        Severity(source="nvd", kind="CVSS_V2", vector="AV:N/AC:M/Au:N/C:P/I:P/A:N"),
        Severity(source="nvd", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N"),
    ]
    rating, source, every = choose([debian, nvd])
    assert (rating, source) == ("high", "nvd:CVSS_V3")  # v3 before v2 within one source
    assert [s.score for s in every] == [None, 5.8, 7.4]
    rating, source, _ = choose([[Severity(source="ubuntu", kind="rating", rating="low")], nvd])
    assert (rating, source) == ("low", "ubuntu")  # the distro's own word beats NVD's score


def test_within_a_group_a_rating_beats_vectors_and_the_highest_wins_among_equals() -> None:
    group = [
        Severity(source="ghsa", kind="CVSS_V3", vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        Severity(source="ghsa", kind="rating", rating="moderate"),
    ]
    assert choose([group])[:2] == ("medium", "ghsa")
    two_cnas = [Severity(source="a", kind="CVSS_V3", score=5.0), Severity(source="b", kind="CVSS_V3", score=8.0)]
    assert choose([two_cnas])[:2] == ("high", "b:CVSS_V3")


def test_nothing_known_is_unknown() -> None:
    assert choose([[], [Severity(source="alpine", kind="rating", rating="Unknown")]])[:2] == ("unknown", "")
