"""grype's own version-comparison and constraint cases (../shared/corpus/grype/expected/*.tsv).

Each row of ``version_constraints.tsv`` and ``version_compare.tsv`` is one test;
grype's format names map onto assay schemes below.  The whole module skips when
the corpus is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.errors import MatchError
from assay.match.versions import generic, get_scheme
from assay.match.versions.constraint import satisfies
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus

EXPECTED = CORPUS / "grype" / "expected"

SCHEMES = {
    "deb": "dpkg",
    "rpm": "rpm",
    "apk": "apk",
    "pep440": "pep440",
    "python": "pep440",
    "semver": "semver",
    "golang": "go",
    "maven": "maven",
    "gem": "gem",
    "fuzzy": "generic",
    "jvm": "jvm",
    "bitnami": "bitnami",
}
OUT_OF_SCOPE = {
    "portage": "Gentoo: no advisory ecosystem in assay maps to portage versions",
    "pacman": "Arch Linux: no advisory ecosystem in assay maps to pacman versions",
    "kb": "Microsoft KB ids: Windows updates are not catalogued or matched by assay",
}


def _rows(name: str, width: int) -> list:
    path = EXPECTED / name
    if not path.exists():
        return [pytest.param(*([""] * width), marks=pytest.mark.skip(reason=f"corpus not available: {path}"))]
    params = []
    for lineno, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")[:width]
        fmt = fields[0]
        marks = [pytest.mark.skip(reason=OUT_OF_SCOPE[fmt])] if fmt in OUT_OF_SCOPE else []
        params.append(pytest.param(*fields, marks=marks, id=f"{name.split('.')[0]}:{lineno}:{fmt}"))
    return params


def _unescape(constraint: str) -> str:
    # the corpus transcribes Go string literals: \" stands for "
    return constraint.replace('\\"', '"')


@pytest.mark.parametrize(("fmt", "version", "constraint", "expected"), _rows("version_constraints.tsv", 4))
def test_constraint(fmt: str, version: str, constraint: str, expected: str) -> None:
    scheme = SCHEMES[fmt]
    if expected == "error":
        with pytest.raises(MatchError):
            satisfies(scheme, version, _unescape(constraint))
        return
    assert satisfies(scheme, version, _unescape(constraint)) is (expected == "true")


@pytest.mark.parametrize(("fmt", "a", "b", "expected"), _rows("version_compare.tsv", 4))
def test_compare(fmt: str, a: str, b: str, expected: str) -> None:
    # grype's TestFuzzyVersionComparison exercises the string walk alone (no SemVer attempt)
    compare = generic.fuzzy_compare if fmt == "fuzzy" else get_scheme(SCHEMES[fmt]).compare
    assert compare(a, b) == int(expected)
    assert compare(b, a) == -int(expected)


def test_corpus_formats_are_all_accounted_for() -> None:
    path = EXPECTED / "version_constraints.tsv"
    if not path.exists():
        pytest.skip(f"corpus not available: {path}")
    formats = {
        line.split("\t")[0]
        for name in ("version_constraints.tsv", "version_compare.tsv")
        for line in Path(EXPECTED / name).read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert formats <= set(SCHEMES) | set(OUT_OF_SCOPE)
