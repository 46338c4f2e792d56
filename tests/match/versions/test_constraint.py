import pytest

from assay.errors import MatchError
from assay.match.versions.constraint import describe, parse_constraint, satisfies


@pytest.mark.parametrize(
    ("constraint", "parsed"),
    [
        ("", ()),
        ("   ", ()),
        (">= 1.0, < 2.0", (((">=", "1.0"), ("<", "2.0")),)),
        (">= 1.0, < 2.0 || = 3.1", (((">=", "1.0"), ("<", "2.0")), (("=", "3.1"),))),
        (">=1.0 <2.0", (((">=", "1.0"), ("<", "2.0")),)),  # space-separated conditions are ANDed
        (">=1.0<2.0", (((">=", "1.0"), ("<", "2.0")),)),
        ("1.0", ((("=", "1.0"),),)),  # no operator means "="
        ("== 1.0 || != 2.0", ((("==", "1.0"),), (("!=", "2.0"),))),
        ("'4.5.1' || \"4.5.2\"", ((("=", "4.5.1"),), (("=", "4.5.2"),))),
        ("< 1!2.0", ((("<", "1!2.0"),),)),  # PEP 440 epochs keep their "!"
        ("  <=  1:2.3-4  ", ((("<=", "1:2.3-4"),),)),
    ],
)
def test_parse(constraint: str, parsed: tuple) -> None:
    assert parse_constraint(constraint) == parsed


@pytest.mark.parametrize(
    ("constraint", "message"),
    [
        ("~1.2", "unsupported operator '~'"),
        ("^1.2", "unsupported operator '\\^'"),
        ("=> 1.0", "unsupported operator '=>'"),
        (">=", "missing version after '>='"),
        ("< 1.0 >=", "missing version after '>='"),
        ("1.0,,2.0", "empty condition"),
        ("< 1.0 ||", "empty condition"),
    ],
)
def test_parse_errors(constraint: str, message: str) -> None:
    with pytest.raises(MatchError, match=message):
        parse_constraint(constraint)
    with pytest.raises(MatchError, match="invalid version constraint"):
        satisfies("semver", "1.0.0", constraint)


@pytest.mark.parametrize(
    ("scheme", "version", "constraint", "expected"),
    [
        ("semver", "1.5.0", "", True),
        ("semver", "1.5.0", ">= 1.0, < 2.0", True),
        ("semver", "2.0.0", ">= 1.0, < 2.0", False),
        ("semver", "3.1.0", ">= 1.0, < 2.0 || = 3.1", True),
        ("semver", "3.1.1", ">= 1.0, < 2.0 || = 3.1", False),
        ("semver", "2.0.0", "!= 2.0", False),
        ("semver", "2.0.1", "!= 2.0", True),
        ("dpkg", "1.0", "< 1:0.5", True),  # a missing Debian epoch is 0
        ("rpm", "1.0", "< 1:0.5", False),  # an rpm epoch on one side only is ignored
        ("rpm", "0:1.0", "< 1:0.5", True),
        ("pep440", "2.0+cgr.1", "<= 2.0", True),  # specifier: the local label is ignored...
        ("pep440", "2.0+cgr.1", "<= 2.0+cgr.0", False),  # ...unless the bound has one
        ("apk", "1.1_rc1", ">= 1.1", False),
        ("maven", "1.0-SNAPSHOT", "< 1.0", True),
        ("go", "v1.2.4-0.20200101000000-abcdefabcdef", "> v1.2.3, < v1.2.4", True),
        ("generic", "1.0.2k", ">= 1.0.2, < 1.0.2m", True),
        ("unknown-scheme", "1.0.2k", "< 1.0.2m", True),  # unknown schemes are fuzzy
    ],
)
def test_satisfies(scheme: str, version: str, constraint: str, expected: bool) -> None:
    assert satisfies(scheme, version, constraint) is expected


def test_empty_constraint_accepts_any_version() -> None:
    assert satisfies("pep440", "not a version", "") is True


def test_unparseable_versions_are_one_line_match_errors() -> None:
    with pytest.raises(MatchError, match=r"^cannot evaluate 'not a version' against '< 1.0' \(pep440\): invalid pep440 version"):
        satisfies("pep440", "not a version", "< 1.0")
    with pytest.raises(MatchError, match="invalid apk version 'x'"):
        satisfies("apk", "1.0", "< x")
    try:
        satisfies("dpkg", "1.0", "< :x")
    except MatchError as e:
        assert "\n" not in e.diagnostics()


def test_describe() -> None:
    assert describe(">=1.0,<2.0", "pep440") == ">= 1.0, < 2.0 (pep440)"
    assert describe("1.0 || 2.0", "semver") == "= 1.0 || = 2.0 (semver)"
    assert describe("", "dpkg") == "none (dpkg)"
