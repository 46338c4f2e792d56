"""PHP catalogers: composer.lock, vendor/composer/installed.json and the PEAR registry, on project fixtures and the syft corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.catalog import Environment, catalog
from assay.catalog.php import (
    CATALOGERS,
    INSTALLED_NAME,
    LOCK_NAME,
    PEAR_NAME,
    composer_purl,
    parse_composer_lock,
    parse_installed_json,
    parse_pear_registry,
    php_unserialize,
)
from assay.errors import CatalogError
from assay.model import Package
from assay.source.directory import DirectorySource
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "php"
REGISTRY = "/usr/local/lib/php/.registry"


def label(p: Package) -> str:
    return f"{p.name}@{p.version}"


def edges(result) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    names = {p.id: label(p) for p in result.packages}
    out: dict[str, set[str]] = {}
    for r in result.relationships:
        out.setdefault(names[r.source], set()).add(names[r.target])
    return out


@pytest.fixture(scope="module")
def app():  # type: ignore[no-untyped-def]
    return catalog(DirectorySource(str(FIXTURES / "app")).resolver(), list(CATALOGERS))


def test_composer_lock_packages_without_dev(app):
    lock = [p for p in app.packages if p.found_by == LOCK_NAME]
    assert sorted((label(p), p.purl) for p in lock) == [
        ("acme/app-plugin@dev-main", "pkg:composer/acme/app-plugin@dev-main"),
        ("laminas/laminas-zendframework-bridge@1.8.0", "pkg:composer/laminas/laminas-zendframework-bridge@1.8.0"),
        ("monolog/monolog@3.5.0", "pkg:composer/monolog/monolog@3.5.0"),
        ("psr/log@3.0.0", "pkg:composer/psr/log@3.0.0"),
        ("symfony/polyfill-php80@v1.28.0", "pkg:composer/symfony/polyfill-php80@v1.28.0"),
    ]  # phpunit/phpunit is only in packages-dev
    (monolog,) = [p for p in lock if p.name == "monolog/monolog"]
    assert monolog.author == "Jordi Boggiano <j.boggiano@seld.be>"
    assert (monolog.homepage, monolog.language, monolog.type) == ("https://github.com/Seldaek/monolog", "php", "php-composer")
    assert monolog.description.startswith("Sends your logs")
    assert [(l.value, l.spdx) for l in monolog.licenses] == [("MIT", "MIT")]
    assert monolog.metadata["source"]["reference"] == "c915e2634718dbc8a4a15c61b0e62e7a44e14448"
    (bridge,) = [p for p in lock if p.name.startswith("laminas/")]
    assert [l.value for l in bridge.licenses] == ["BSD-3-Clause"]  # a license string, not a list


def test_composer_lock_dependencies_through_provide_and_replace(app):
    lock = type("R", (), {"packages": [p for p in app.packages if p.found_by == LOCK_NAME], "relationships": app.relationships})
    ids = {p.id for p in lock.packages}
    lock.relationships = [r for r in app.relationships if r.source in ids]
    assert edges(lock) == {
        "monolog/monolog@3.5.0": {"psr/log@3.0.0"},
        # zendframework/zend-bridge is replaced by the laminas bridge, psr/log-implementation provided by monolog
        "acme/app-plugin@dev-main": {"laminas/laminas-zendframework-bridge@1.8.0", "monolog/monolog@3.5.0"},
    }


def test_installed_json_marks_dev_packages(app):
    inst = [p for p in app.packages if p.found_by == INSTALLED_NAME]
    assert {label(p): p.dev for p in inst} == {"psr/log@3.0.0": False, "monolog/monolog@3.5.0": False, "phpunit/phpunit@10.5.5": True}
    assert {p.locations[0].path for p in inst} == {"/vendor/composer/installed.json"}
    ids = {p.id for p in inst}
    sub = type("R", (), {"packages": inst, "relationships": [r for r in app.relationships if r.source in ids]})
    assert edges(sub) == {"monolog/monolog@3.5.0": {"psr/log@3.0.0"}, "phpunit/phpunit@10.5.5": {"psr/log@3.0.0"}}
    assert app.warnings == ()


def test_broken_composer_lock_names_the_line():
    res = DirectorySource(str(FIXTURES / "broken")).resolver()
    with pytest.raises(CatalogError, match=r"^/composer.lock:3: not JSON: Expecting value"):
        parse_composer_lock(res, Environment(), res.location("/composer.lock"))


def test_pear_registry():
    result = catalog(DirectorySource(str(FIXTURES / "rootfs")).resolver(), list(CATALOGERS))
    assert sorted((label(p), p.purl, p.type) for p in result.packages) == [
        ("Archive_Tar@1.4.14", "pkg:pear/pear.php.net/Archive_Tar@1.4.14", "php-pear"),
        ("redis@6.0.2", "pkg:pear/pecl.php.net/redis@6.0.2", "php-pear"),
    ]
    (redis,) = [p for p in result.packages if p.name == "redis"]
    assert redis.description == "PHP extension for interfacing with Redis — fast"  # s:<bytes>: with a multi-byte char
    assert [(l.value, l.spdx) for l in redis.licenses] == [("PHP-3.01", "PHP-3.01")]
    assert redis.metadata == {"name": "redis", "channel": "pecl.php.net", "version": "6.0.2", "license": ["PHP-3.01"]}
    assert redis.found_by == PEAR_NAME
    assert result.warnings == (
        f"{PEAR_NAME}: {REGISTRY}/.channel.pecl.php.net/truncated.reg: not a PHP serialized value: string of 5 bytes runs past the end at offset 21",
    )


def test_php_unserialize():
    assert php_unserialize(b'a:3:{i:0;b:1;s:1:"k";d:1.5;i:1;N;}') == {0: True, "k": 1.5, 1: None}
    assert php_unserialize(b'O:3:"Foo":1:{s:1:"a";i:-2;}') == {"a": -2, "__class__": "Foo"}
    with pytest.raises(ValueError, match="unsupported type"):
        php_unserialize(b"x:1;")


def test_composer_purls():
    assert composer_purl("vendor/name", "1.0") == "pkg:composer/vendor/name@1.0"
    assert composer_purl("a/b/c", "1.0") == "pkg:composer/a/b-c@1.0"
    assert composer_purl("solo", "") == "pkg:composer/solo"


# -- acceptance: syft's expectations (../shared/corpus) ---------------------------------------------


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


_PARSERS = {"composer.lock": parse_composer_lock, "installed.json": parse_installed_json}


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["php_composer.lock.tsv", "php_installed.json.tsv", "php_pecl.reg.tsv"])
def test_syft_expected(name):
    header, rows = read_expected(name)
    paths = fixture_paths(header["fixture"])
    expected = sorted((r[0], r[1], r[2]) for r in rows)
    for path in paths:  # "same expectation for both" files where the header names two
        res = DirectorySource(str(path.parent)).resolver()
        parser = _PARSERS.get(path.name, parse_pear_registry)
        got = parser(res, Environment(), res.location("/" + path.name)).packages
        assert sorted({(p.name, p.version, p.purl) for p in got}) == expected


@pytest.mark.corpus
def test_syft_composer2_dev_package_names():
    d = corpus_path("syft", "syft", "pkg", "cataloger", "php", "testdata", "vendor", "composer_2")
    res = DirectorySource(str(d)).resolver()
    got = parse_installed_json(res, Environment(), res.location("/installed.json")).packages
    assert {p.name: p.dev for p in got} == {"asm89/stack-cors": False, "behat/mink": True}  # listed in dev-package-names
