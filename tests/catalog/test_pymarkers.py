"""The marker fast path against packaging, the oracle, on every form it decides."""

from __future__ import annotations

import itertools

import pytest
from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName

from assay.catalog._pymarkers import evaluate
from assay.catalog.python import _marker_env, marker_holds

ATOMS = [
    'python_version < "3.11"',
    "python_version < '3.8'",
    'python_version >= "3.8"',
    'python_version == "3.11"',
    'python_version != "3.11"',
    'python_version <= "3.10"',
    'python_version > "3"',
    'python_full_version >= "3.11.2"',
    'python_full_version == "3.11"',
    'python_full_version != "3.11.0"',
    'implementation_version < "3.12"',
    "platform_python_implementation == 'CPython'",
    "platform_python_implementation != 'CPython'",
    'sys_platform == "win32"',
    'sys_platform != "darwin"',
    'os_name == "nt"',
    'platform_system == "Linux"',
    'platform_machine == "x86_64"',
    'platform_machine < "b"',
    'implementation_name == "cpython"',
    'extra == "tests"',
    "extra == 'Tests_Mypy'",
    'extra != "docs"',
    'extra == "zstd"',
]
ENVS = [_marker_env(v, e) for v in ("3.8", "3.10", "3.11", "3.11.2", "3.13") for e in ("", "tests", "tests-mypy", "zstd", "docs")]


def _oracle(marker: str, env: dict[str, str]) -> bool | str:
    try:
        return Marker(marker).evaluate(env)
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName) as exc:
        return type(exc).__name__


def _markers() -> list[str]:
    out = list(ATOMS)
    for a, b in itertools.combinations(ATOMS[::3], 2):
        out += [f"{a} and {b}", f"{a} or {b}", f"({a}) and {b}", f"({a} or {b}) and extra == 'tests'"]
    out += [f"({ATOMS[0]} and ({ATOMS[11]} or {ATOMS[20]})) or {ATOMS[13]}"]
    return out


@pytest.mark.parametrize("marker", _markers())
def test_fast_path_decides_common_forms_as_packaging_does(marker: str) -> None:
    for env in ENVS:
        got = evaluate(marker, env)
        assert got is not None, f"{marker!r} fell back"
        assert got == _oracle(marker, env), (marker, env["python_full_version"], env["extra"])


@pytest.mark.parametrize(
    "marker",
    [
        'python_version ~= "3.8"',
        'python_version === "3.8"',
        '"3.8" < python_version',
        'sys_platform in "linux darwin"',
        'sys_platform not in "win32"',
        'python_version < "3.8rc1"',
        'python_version == "3.*"',
        'platform_release >= "5.4.0-1"',
        'platform_machine == "386"',
        'os.name == "posix"',
        'unknown_name == "x"',
        'python_version < "3.8" and',
        '(python_version < "3.8"',
        'python_version < "3.8")',
        'python_version <',
        "python_version < '3.8' xor extra == 'a'",
        "",
        "extra < 'a'",
    ],
)
def test_everything_else_falls_back_to_packaging(marker: str) -> None:
    for env in ENVS[:3]:
        assert evaluate(marker, env) is None


@pytest.mark.parametrize("marker", _markers()[:40] + ['sys_platform in "linux darwin"', 'python_version ~= "3.8"', "garbage ((("])
def test_marker_holds_is_the_same_with_or_without_the_fast_path(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from assay.catalog import python

    for py, extra in (("", ""), ("3.11", "tests"), ("3.8", "")):
        fast = marker_holds.__wrapped__(marker, py, extra)
        monkeypatch.setattr(python, "evaluate_marker", lambda m, env: None)
        slow = marker_holds.__wrapped__(marker, py, extra)
        monkeypatch.undo()
        assert fast == slow, (marker, py, extra)
