"""Python catalogers: installed distributions and lock/requirement files, on project fixtures and the syft corpus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from assay.catalog import Environment, catalog
from assay.catalog.python import (
    CATALOGERS,
    DECLARED_NAME,
    INSTALLED_NAME,
    Requirement,
    marker_holds,
    metadata_licenses,
    normalize_name,
    parse_installed,
    parse_metadata,
    parse_pdm_lock,
    parse_pipfile_lock,
    parse_poetry_lock,
    parse_record,
    parse_requirement,
    parse_requirements_txt,
    parse_uv_lock,
    pypi_purl,
)
from assay.errors import CatalogError
from assay.model import Location, Package, RelType
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, FileResolver, FileTree, Node, bytes_opener
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "python"
INSTALLED, DECLARED = CATALOGERS
SITE = "/usr/local/lib/python3.11/site-packages"
VENV = "/app/venv/lib/python3.11/site-packages"


def label(p: Package) -> str:
    return f"{p.name}@{p.version}"


def edges(result) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    names = {p.id: label(p) for p in result.packages}
    out: dict[str, set[str]] = {}
    for r in result.relationships:
        out.setdefault(names[r.source], set()).add(names[r.target] + ("" if r.type == RelType.DEPENDS_ON else f" ({r.type.value})"))
    return out


def tree_resolver(files: dict[str, str]) -> FileResolver:
    tree = FileTree()
    for path, text in files.items():
        data = text.encode()
        tree.add(path, Node(FILE, size=len(data), ref=data))
    return FileResolver(tree, bytes_opener)


@pytest.fixture(scope="module")
def installed():  # type: ignore[no-untyped-def]
    return catalog(DirectorySource(str(FIXTURES / "rootfs")).resolver(), [INSTALLED])


@pytest.fixture(scope="module")
def declared():  # type: ignore[no-untyped-def]
    return catalog(DirectorySource(str(FIXTURES / "project")).resolver(), [DECLARED])


# -- installed distributions ------------------------------------------------------------------


def test_installed_packages(installed):
    assert installed.warnings == ()
    by_dir = {(p.metadata["site_packages_root_path"], label(p)) for p in installed.packages}
    assert by_dir == {
        (SITE, "requests@2.31.0"), (SITE, "urllib3@2.0.7"), (SITE, "idna@3.4"), (SITE, "certifi@2023.7.22"),
        (SITE, "charset-normalizer@3.3.2"), (SITE, "pysocks@1.7.1"), (SITE, "legacy-thing@1.0"),
        (SITE, "typing-extensions@4.8.0"), (SITE, "mylib@0.1.0"), (SITE, "six@1.16.0"), (SITE, "simplejson@3.19.1"),
        (SITE, "distro-info@1.0"),
        (VENV, "flask@3.0.0"), (VENV, "werkzeug@3.0.1"), (VENV, "markupsafe@2.1.3"), (VENV, "itsdangerous@2.1.2"),
        (VENV, "click@8.1.7"), (VENV, "requests@2.28.0"), (VENV, "httpie-ish@1.0"),
        ("/opt/isolated/lib/python3.11/site-packages", "tool@2.0"),
    }  # fmt: skip  -- Python-3.11.egg-info (the interpreter) is not a package
    assert all(p.type == "python" and p.language == "python" and p.found_by == INSTALLED_NAME for p in installed.packages)


def test_installed_fields(installed):
    (req,) = [p for p in installed.packages if label(p) == "requests@2.31.0"]
    assert req.purl == "pkg:pypi/requests@2.31.0"
    assert req.author == req.supplier == "Kenneth Reitz <me@kennethreitz.org>"
    assert (req.description, req.homepage) == ("Python HTTP for Humans.", "https://requests.readthedocs.io")
    assert [(l.value, l.spdx) for l in req.licenses] == [("Apache 2.0", "Apache-2.0")]
    d = f"{SITE}/requests-2.31.0.dist-info"
    assert [l.path for l in req.locations] == [f"{d}/METADATA", f"{d}/RECORD", f"{d}/top_level.txt"]
    assert req.files == (f"{SITE}/requests/__init__.py", f"{SITE}/requests/api.py", f"{d}/RECORD", f"{SITE}/requests/__pycache__/api.cpython-311.pyc")
    md = req.metadata
    assert md["name"] == "requests" and md["top_level_packages"] == ["requests"]
    assert md["provides_extra"] == ["security", "socks", "use-chardet-on-py3"]
    assert "PySocks (!=1.5.7,>=1.5.6) ; extra == 'socks'" in md["requires_dist"]
    (u3,) = [p for p in installed.packages if p.name == "urllib3"]
    assert u3.author == "Andrey Petrov <andrey.petrov@shazow.net>"
    assert u3.supplier == "Seth Michael Larson <sethmichaellarson@gmail.com>, Quentin Pradet <quentin@pradet.me>"
    assert u3.homepage == "https://github.com/urllib3/urllib3"  # from Project-URL
    assert u3.metadata["license_files"] == ["LICENSE.txt"]


def test_vcs_install_gets_a_vcs_url_qualifier(installed):
    (mylib,) = [p for p in installed.packages if p.name == "mylib"]
    assert mylib.purl == (
        "pkg:pypi/mylib@0.1.0?vcs_url=git%2Bhttps%3A%2F%2Fgithub.com%2Fexample%2Fmylib.git%40"
        "0123456789abcdef0123456789abcdef01234567"
    )
    assert mylib.metadata["direct_url"]["vcs_info"]["requested_revision"] == "v0.1.0"


def test_installed_licenses(installed):
    lic = {p.name: [(l.value, l.spdx) for l in p.licenses] for p in installed.packages}
    assert lic["urllib3"] == [("MIT", "MIT")]  # License-Expression
    assert lic["idna"] == [("BSD License", "")]  # a classifier naming no single license
    assert lic["legacy-thing"] == [("GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later")]  # UNKNOWN -> classifier
    assert lic["simplejson"] == [("MIT License", "MIT")]
    assert lic["charset-normalizer"] == [("MIT", "MIT")]  # License wins over the classifiers
    assert lic["typing-extensions"] == []


def test_metadata_licenses_fallbacks():
    pasted = {"license": "Copyright (c) 2020 Someone\nPermission is hereby granted, free of charge"}
    assert [l.value for l in metadata_licenses(pasted, "/m")] == ["Copyright (c) 2020 Someone"]
    both = {"license": "UNKNOWN", "classifier": ["License :: OSI Approved :: MIT License", "License :: OSI Approved"]}
    assert [(l.value, l.spdx, l.location) for l in metadata_licenses(both, "/m")] == [("MIT License", "MIT", "/m")]
    assert [l.spdx for l in metadata_licenses({"license-expression": "Apache-2.0 OR MIT"}, "/m")] == ["Apache-2.0 OR MIT"]


def test_egg_info_directory_and_file(installed):
    by = {p.name: p for p in installed.packages}
    six = by["six"]
    egg = f"{SITE}/six-1.16.0-py3.11.egg-info"
    assert six.files == (f"{SITE}/six.py", f"{SITE}/__pycache__/six.cpython-311.pyc", f"{egg}/PKG-INFO", f"{egg}/top_level.txt")
    assert [l.path for l in six.locations] == [f"{egg}/PKG-INFO", f"{egg}/installed-files.txt", f"{egg}/top_level.txt"]
    assert six.metadata["platform"] == "UNKNOWN"
    assert by["simplejson"].metadata["requires_dist"] == ['idna>=2; (sys_platform != "win32") and extra == "speedups"', 'sphinx; extra == "docs"']
    assert [l.path for l in by["distro-info"].locations] == [f"{SITE}/distro_info-1.0.egg-info"]


def test_installed_dependencies(installed):
    assert edges(installed) == {
        # mylib asks for requests[socks]: that extra is in use; nothing asks for urllib3[socks]
        # (pysocks being installed does not make an extra in use)
        "requests@2.31.0": {"certifi@2023.7.22", "charset-normalizer@3.3.2", "idna@3.4", "urllib3@2.0.7", "pysocks@1.7.1"},
        "mylib@0.1.0": {"six@1.16.0", "requests@2.31.0"},
        "legacy-thing@1.0": {"six@1.16.0"},  # typing-extensions only below 3.8, pywin32 only on Windows
        # simplejson's [speedups:sys_platform != "win32"] section of requires.txt is an extra nobody asks for
        "flask@3.0.0": {"werkzeug@3.0.1", "itsdangerous@2.1.2", "click@8.1.7"},  # blinker is missing
        "werkzeug@3.0.1": {"markupsafe@2.1.3"},
        # the venv sees the system site-packages, and its own requests shadows the system one
        "httpie-ish@1.0": {"requests@2.28.0", "certifi@2023.7.22"},
        "requests@2.28.0": {"idna@3.4", "certifi@2023.7.22"},
    }  # fmt: skip  -- tool@2.0 is in an isolated venv: its certifi is not there


def test_parse_metadata_fields_and_errors():
    loc = Location(path="/x/METADATA")
    text = "Name: a\nClassifier: One\nClassifier: Two\nDescription: first\n        second\n\nBody: not a header\n"
    assert parse_metadata(text, loc) == {"name": "a", "classifier": ["One", "Two"], "description": "first\nsecond"}
    with pytest.raises(CatalogError, match=r"^/x/METADATA:2: continuation line without a field"):
        parse_metadata("\n   indented first\nName: a\n", loc)


def test_parse_record_skips_what_is_not_a_record():
    text = "a.py,sha256=x,10\n<<<<<<< HEAD\n\"b,c.py\",,\n=======\nd.py\n"
    assert parse_record(text) == [("a.py", "sha256=x", "10"), ("b,c.py", "", "")]


def test_an_unreadable_metadata_file_is_a_warning_and_others_go_on():
    res = tree_resolver({
        f"{SITE}/bad-1.0.dist-info/METADATA": "  starts with a continuation\n",
        f"{SITE}/good-1.0.dist-info/METADATA": "Name: good\nVersion: 1.0\n",
        f"{SITE}/empty-1.0.egg-info": "",
    })  # fmt: skip
    result = catalog(res, [INSTALLED])
    assert [label(p) for p in result.packages] == ["good@1.0"]
    assert result.warnings == (f"{INSTALLED_NAME}: {SITE}/bad-1.0.dist-info/METADATA:1: continuation line without a field: 'starts with a continuation'",)


def test_an_oversized_metadata_file_is_a_warning_not_a_failed_scan():
    tree = FileTree()
    tree.add(f"{SITE}/huge-1.0.dist-info/METADATA", Node(FILE, size=17 << 20, ref=b"Name: huge\n"))
    result = catalog(FileResolver(tree, bytes_opener), [INSTALLED])
    assert result.packages == ()
    assert result.warnings == (f"{INSTALLED_NAME}: {SITE}/huge-1.0.dist-info/METADATA: {17 << 20} bytes, over the 16 MiB this cataloger reads",)


def test_three_hundred_distributions_are_fast():
    files: dict[str, str] = {}
    for i in range(300):
        deps = "".join(f"Requires-Dist: pkg-{j} (>=1.0) ; python_version >= '3.8'\n" for j in range(max(0, i - 5), i))
        d = f"{SITE}/pkg_{i}-1.{i}.dist-info"
        files[f"{d}/METADATA"] = f"Metadata-Version: 2.1\nName: pkg_{i}\nVersion: 1.{i}\nLicense: MIT\n{deps}Requires-Dist: extra-thing ; extra == 'x'\nProvides-Extra: x\n\nbody\n"
        files[f"{d}/RECORD"] = "".join(f"pkg_{i}/m{k}.py,sha256=abc,{k}\n" for k in range(40))
        files[f"{d}/top_level.txt"] = f"pkg_{i}\n"
    timings = []
    for _ in range(3):  # best of three: the machine may be busy with other work
        parse_requirement.cache_clear()
        marker_holds.cache_clear()
        res = tree_resolver(files)
        start = time.perf_counter()
        result = catalog(res, [INSTALLED])
        timings.append(time.perf_counter() - start)
    assert len(result.packages) == 300 and len(result.relationships) == sum(min(i, 5) for i in range(300))
    assert min(timings) < 0.5, timings


# -- requirements, markers, names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("requests", Requirement(name="requests")),
        ("Foo.Bar_baz [Socks, security] (>=1.0) ; python_version < '3.8'",
         Requirement(name="foo-bar-baz", extras=("socks", "security"), specifier=">=1.0", marker="python_version < '3.8'")),
        ("pkg @ https://example.org/pkg.whl ; os_name == 'posix'", Requirement(name="pkg", marker="os_name == 'posix'", url="https://example.org/pkg.whl")),
        ("coverage[toml]>=5.2.1", Requirement(name="coverage", extras=("toml",), specifier=">=5.2.1")),
        ("==1.0", None),
    ],
)  # fmt: skip
def test_parse_requirement(text, expected):
    assert parse_requirement(text) == expected


def test_requirement_pin():
    assert Requirement(name="a", specifier="==1.2.3+local").pin == "1.2.3+local"
    assert Requirement(name="a", specifier="===1.0").pin == "1.0"
    assert Requirement(name="a", specifier="== 2.8.*").pin == ""
    assert Requirement(name="a", specifier=">=1,==2").pin == ""


def test_marker_holds():
    assert marker_holds('python_version < "3.8"', "3.7") and not marker_holds('python_version < "3.8"', "3.11")
    assert not marker_holds('sys_platform == "win32"', "3.11")
    assert marker_holds('platform_system == "Linux" and os_name == "posix"', "3.11")
    assert not marker_holds("extra == 'socks'", "3.11") and marker_holds("extra == 'socks'", "3.11", "socks")
    assert marker_holds('python_version < "3.9"', "")  # unknown version: any recent 3.x
    assert marker_holds("this is not a marker", "3.11")


def test_names_and_purls():
    assert normalize_name("FrIeNdLy-_-bArD") == "friendly-bard" and normalize_name("dots-._allowed") == "dots-allowed"
    assert pypi_purl("local-version", "1.2.3+gcr.2") == "pkg:pypi/local-version@1.2.3%2Bgcr.2"
    assert pypi_purl("no-version", "") == "pkg:pypi/no-version"


# -- declared packages ---------------------------------------------------------------------------


def declared_in(result, path: str) -> list[Package]:  # type: ignore[no-untyped-def]
    return [p for p in result.packages if p.locations[0].path == path]


def test_requirements_txt_and_includes(declared):
    got = {(p.locations[0].path, label(p)) for p in declared.packages if p.locations[0].path.endswith((".txt", ".in"))}
    assert got == {
        ("/requirements.txt", "flask@3.0.0"),
        ("/requirements.txt", "uvloop@0.19.0"),
        ("/base.in", "django@4.2.7"),  # reached through -r base.in (which includes requirements.txt back: no loop)
        ("/requirements-dev.txt", "pytest@7.4.3"),  # found by the glob itself, so reported once
    }  # -c constraints are not requirements; >=, wildcards and -e lines are not pins
    (flask,) = [p for p in declared.packages if p.name == "flask"]
    assert flask.metadata == {"name": "Flask", "version_constraint": "==3.0.0", "line": 6, "extras": ["async"]}
    assert flask.found_by == DECLARED_NAME and flask.purl == "pkg:pypi/flask@3.0.0"
    (uvloop,) = [p for p in declared.packages if p.name == "uvloop"]
    assert uvloop.metadata["markers"] == 'sys_platform != "win32"'


def test_pipfile_lock_default_only(declared):
    got = declared_in(declared, "/pipenv/Pipfile.lock")
    assert sorted(label(p) for p in got) == ["certifi@2023.7.22", "jinja2@3.1.2"]
    (jinja,) = [p for p in got if p.name == "jinja2"]
    assert jinja.metadata["index"] == "https://pypi.org/simple" and jinja.metadata["name"] == "Jinja2"


def test_poetry_lock_dev_from_pyproject_and_extras(declared):
    got = declared_in(declared, "/poetry/poetry.lock")
    assert {label(p): p.dev for p in got} == {
        "certifi@2023.7.22": False, "colorama@0.4.6": True, "iniconfig@2.0.0": True, "pysocks@1.7.1": False,
        "pytest@7.4.3": True, "requests@2.31.0": False, "urllib3@2.0.7": False,
    }  # fmt: skip
    ids = {p.id for p in got}
    sub = edges(type("R", (), {"packages": got, "relationships": [r for r in declared.relationships if r.source in ids]})())
    assert sub == {
        "requests@2.31.0": {"certifi@2023.7.22", "urllib3@2.0.7", "pysocks@1.7.1"},  # requests[socks] in pyproject
        "pytest@7.4.3": {"colorama@0.4.6", "iniconfig@2.0.0"},
    }


def test_poetry_groups_mark_dev(declared):
    got = declared_in(declared, "/poetry2/poetry.lock")
    assert {label(p): p.dev for p in got} == {"django@5.0.1": False, "asgiref@3.7.2": False, "ruff@0.1.9": True}


def test_uv_lock_roots_dev_and_forks(declared):
    got = declared_in(declared, "/uv/uv.lock")
    assert {label(p): p.dev for p in got} == {
        "demo@0.1.0": False, "click@8.1.7": False, "h2@4.1.0": False, "httpx@0.27.0": False,
        "iniconfig@2.0.0": True, "numpy@1.24.4": False, "numpy@2.0.2": False, "pytest@8.0.0": True,
    }  # fmt: skip  -- click is also the project's cli extra, so not dev-only
    ids = {p.id for p in got}
    sub = edges(type("R", (), {"packages": got, "relationships": [r for r in declared.relationships if r.source in ids]})())
    assert sub == {
        "demo@0.1.0": {"numpy@1.24.4", "numpy@2.0.2", "httpx@0.27.0", "click@8.1.7", "pytest@8.0.0 (dev-depends-on)"},
        "httpx@0.27.0": {"h2@4.1.0"},  # asked for as httpx[http2]
        "pytest@8.0.0": {"iniconfig@2.0.0", "click@8.1.7"},
    }


def test_pdm_lock_merges_extras_entries(declared):
    got = declared_in(declared, "/pdm/pdm.lock")
    assert {label(p): p.dev for p in got} == {
        "coverage@7.4.1": True, "pytest-cov@4.1.0": True, "requests@2.31.0": False, "tomli@2.0.1": False,
        "urllib3@1.26.18": False, "urllib3@2.1.0": False,
    }  # fmt: skip  -- tomli is also the project's toml extra
    ids = {p.id for p in got}
    sub = edges(type("R", (), {"packages": got, "relationships": [r for r in declared.relationships if r.source in ids]})())
    assert sub == {
        "pytest-cov@4.1.0": {"coverage@7.4.1"},
        "coverage@7.4.1": {"tomli@2.0.1"},  # coverage[toml]
        "requests@2.31.0": {"urllib3@1.26.18", "urllib3@2.1.0"},  # both satisfy <3,>=1.21.1
    }


def test_broken_lock_files_are_warnings_with_the_line(declared):
    assert declared.warnings == (
        f"{DECLARED_NAME}: /broken/poetry.lock:5: not TOML: Expected ']]' at the end of an array declaration (at line 5, column 10)",
        f"{DECLARED_NAME}: /broken/Pipfile.lock:1: not JSON: Expecting property name enclosed in double quotes",
    )


def test_lock_parsers_raise_catalog_errors():
    res = tree_resolver({"/uv.lock": "version = 2\n", "/pdm.lock": "[[package]\n"})
    with pytest.raises(CatalogError, match=r"^/uv.lock: unsupported uv.lock version 2"):
        parse_uv_lock(res, Environment(), res.location("/uv.lock"))
    with pytest.raises(CatalogError, match=r"^/pdm.lock:1: not TOML"):
        parse_pdm_lock(res, Environment(), res.location("/pdm.lock"))


# -- acceptance: syft's expectations (../shared/corpus) -----------------------------------------------

PYTHON_EXPECTED = [
    "python_egg-info_ignored.tsv",
    "python_pdm.lock.tsv",
    "python_pipfile.lock.tsv",
    "python_poetry_dev-deps.tsv",
    "python_requirements.txt.tsv",
    "python_site-packages_license.tsv",
    "python_site-packages_malformed-record.tsv",
    "python_site-packages_nested.tsv",
    "python_site-packages_no-version.tsv",
    "python_site-packages_partial.dist-info.tsv",
    "python_site-packages_test.tsv",
    "python_site-packages_uppercase.tsv",
    "python_uv_simple-deps.tsv",
]

_FILE_PARSERS = {
    "requirements.txt": parse_requirements_txt,
    "Pipfile.lock": parse_pipfile_lock,
    "poetry.lock": parse_poetry_lock,
    "uv.lock": parse_uv_lock,
    "pdm.lock": parse_pdm_lock,
}


def fixture_paths(fixture: str) -> list[Path]:
    """The header's fixture (``a/b/x and y``: later names are looked up from x's directory upwards)."""
    parts = [p.strip() for p in fixture.split(" and ")]
    first = corpus_path("syft", *parts[0].split("/"))
    out = [first]
    for part in parts[1:]:
        d = first.parent
        while not (d / part).exists() and d != d.parent:
            d = d.parent
        out.append(corpus_path(str(d / part)))
    return out


def run_expected(header: dict[str, str]) -> list[Package]:
    pkgs: list[Package] = []
    for path in fixture_paths(header["fixture"]):
        res = DirectorySource(str(path.parent)).resolver()
        if path.is_dir():  # a directory tree cataloged as a whole (its name may itself be a *.dist-info)
            result = catalog(res, [INSTALLED])
            assert result.warnings == ()
            prefix = f"/{path.name}/"
            pkgs += [p for p in result.packages if p.locations[0].path.startswith(prefix)]
            continue
        loc = res.location("/" + path.name)
        parser = _FILE_PARSERS.get(path.name, parse_installed)
        env = Environment()
        pkgs += parser(res, env, loc).packages
        assert env.warnings == []
    return pkgs


@pytest.mark.corpus
@pytest.mark.parametrize("name", PYTHON_EXPECTED)
def test_syft_expected(name):
    header, rows = read_expected(name)
    pkgs = run_expected(header)
    assert {(p.name, p.version) for p in pkgs} == {(r[0], r[1]) for r in rows}
    expected_purls = {(r[0], r[1], r[2]) for r in rows if len(r) > 2 and r[2]}
    assert {(p.name, p.version, p.purl) for p in pkgs if (p.name, p.version) in {e[:2] for e in expected_purls}} == expected_purls


@pytest.mark.corpus
def test_syft_poetry_dev_deps_are_marked():
    header, _ = read_expected("python_poetry_dev-deps.tsv")
    assert all(p.dev for p in run_expected(header))  # "all 4 are category=dev" (header notes)


@pytest.mark.corpus
def test_syft_uv_simple_deps_relationships():
    header, _ = read_expected("python_uv_simple-deps.tsv")
    (path,) = fixture_paths(header["fixture"])
    res = DirectorySource(str(path.parent)).resolver()
    got = parse_uv_lock(res, Environment(), res.location("/uv.lock"))
    names = {p.id: p.name for p in got.packages}
    # header notes: certifi, charset-normalizer, idna, urllib3 -> requests; requests -> testpkg (dependency-of)
    assert {(names[r.target], names[r.source]) for r in got.relationships} == {
        ("certifi", "requests"), ("charset-normalizer", "requests"), ("idna", "requests"), ("urllib3", "requests"),
        ("requests", "testpkg"),
    }  # fmt: skip


@pytest.mark.corpus
def test_syft_poetry_relationships():
    # syft cataloger_test.go Test_PoetryLockCataloger_Relationships, "simple dependencies"
    d = corpus_path("syft", "syft", "pkg", "cataloger", "python", "testdata", "poetry", "simple-deps")
    got = catalog(DirectorySource(str(d)).resolver(), [DECLARED])
    names = {p.id: label(p) for p in got.packages}
    assert {f"{names[r.target]} [dependency-of] {names[r.source]}" for r in got.relationships} == {
        "certifi@2024.2.2 [dependency-of] requests@2.32.2",
        "charset-normalizer@3.3.2 [dependency-of] requests@2.32.2",
        "idna@3.7 [dependency-of] requests@2.32.2",
        "urllib3@2.2.1 [dependency-of] requests@2.32.2",
    }


@pytest.mark.corpus
def test_syft_dist_info_details():
    # syft cataloger_test.go Test_PackageCataloger "dist-info directory": license, author, requires
    header, _ = read_expected("python_site-packages_nested.tsv")
    by = {p.name: p for p in run_expected(header)}
    pyg = by["pygments"]
    assert [l.value for l in pyg.licenses] == ["BSD License"]
    assert pyg.metadata["name"] == "Pygments" and pyg.metadata["top_level_packages"] == ["pygments", "something_else"]
    assert pyg.metadata["requires_dist"] == ["soupsieve (>1.2)", "html5lib ; extra == 'html5lib'", "lxml ; extra == 'lxml'"]
    assert pyg.author == "Georg Brandl <georg@python.org>"
    assert [l.value for l in by["requests"].licenses] == ["Apache 2.0"]
