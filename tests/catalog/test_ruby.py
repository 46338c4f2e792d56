"""Ruby catalogers: Gemfile.lock and installed gem specifications, on project fixtures and the syft corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.catalog import Environment, catalog
from assay.catalog.ruby import (
    CATALOGERS,
    GEMSPEC_NAME,
    LOCK_NAME,
    gem_purl,
    gem_requirement_holds,
    gem_version_cmp,
    parse_gemfile_lock,
    parse_gemspec,
    read_gemspec,
)
from assay.errors import CatalogError
from assay.model import Package
from assay.source.directory import DirectorySource
from assay.source.tree import FILE, FileResolver, FileTree, Node, bytes_opener
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "ruby"
LOCK, GEMSPECS = CATALOGERS
SPECS = "/usr/local/bundle/specifications"


def label(p: Package) -> str:
    return f"{p.name}@{p.version}"


def edges(result) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    names = {p.id: label(p) for p in result.packages}
    out: dict[str, set[str]] = {}
    for r in result.relationships:
        out.setdefault(names[r.source], set()).add(names[r.target])
    return out


@pytest.fixture(scope="module")
def lock():  # type: ignore[no-untyped-def]
    return catalog(DirectorySource(str(FIXTURES / "app")).resolver(), [LOCK])


@pytest.fixture(scope="module")
def installed():  # type: ignore[no-untyped-def]
    return catalog(DirectorySource(str(FIXTURES / "rootfs")).resolver(), [GEMSPECS])


# -- Gemfile.lock ------------------------------------------------------------------------------


def test_gemfile_lock_packages(lock):
    assert lock.warnings == ()
    assert sorted((label(p), p.purl) for p in lock.packages) == [
        ("billing@1.0.0", "pkg:gem/billing@1.0.0"),
        ("concurrent-ruby@1.2.2", "pkg:gem/concurrent-ruby@1.2.2"),
        ("forked@0.2.0", "pkg:gem/forked@0.2.0"),
        ("i18n@1.14.1", "pkg:gem/i18n@1.14.1"),
        ("money@6.16.0", "pkg:gem/money@6.16.0"),
        ("nokogiri@1.16.0", "pkg:gem/nokogiri@1.16.0?platform=arm64-darwin"),
        ("nokogiri@1.16.0", "pkg:gem/nokogiri@1.16.0?platform=x86_64-linux"),
        ("racc@1.7.3", "pkg:gem/racc@1.7.3"),
        ("rack@3.0.8", "pkg:gem/rack@3.0.8"),
    ]
    assert all(p.type == "gem" and p.language == "ruby" and p.found_by == LOCK_NAME for p in lock.packages)
    by = {p.name: p for p in lock.packages}
    assert by["forked"].metadata["source"] == "GIT"
    assert by["forked"].metadata["revision"] == "3f1c2a9b7e5d4c6b8a0f1e2d3c4b5a6978685746"
    assert by["billing"].metadata["remote"] == "engines/billing"
    assert by["billing"].metadata.get("direct") and not by["money"].metadata.get("direct")


def test_gemfile_lock_dependencies(lock):
    assert edges(lock) == {
        "forked@0.2.0": {"rack@3.0.8"},
        "billing@1.0.0": {"money@6.16.0"},
        "money@6.16.0": {"i18n@1.14.1"},
        "i18n@1.14.1": {"concurrent-ruby@1.2.2"},
        "nokogiri@1.16.0": {"racc@1.7.3"},  # both platform variants
    }
    assert sum(1 for r in lock.relationships) == 6


def test_gemfile_lock_malformed_spec_names_the_line():
    res = DirectorySource(str(FIXTURES / "broken")).resolver()
    with pytest.raises(CatalogError, match=r"^/Gemfile.lock:4: expected 'name \(version\)', got 'rack 3.0.8'"):
        parse_gemfile_lock(res, Environment(), res.location("/Gemfile.lock"))


# -- installed gem specifications ---------------------------------------------------------------


def test_installed_gemspecs(installed):
    assert sorted(label(p) for p in installed.packages) == ["json@2.6.3", "rack-session@2.0.0", "rack@2.2.8", "rack@3.0.8"]
    assert installed.warnings == (f"{GEMSPEC_NAME}: {SPECS}/computed.gemspec: no literal s.name and s.version assignments",)
    by = {label(p): p for p in installed.packages}
    rack = by["rack@3.0.8"]
    assert (rack.purl, rack.author, rack.homepage) == ("pkg:gem/rack@3.0.8", "Leah Neukirchen <leah@vuxu.org>", "https://github.com/rack/rack")
    assert rack.description == "A modular Ruby webserver interface."
    assert [(l.value, l.spdx) for l in rack.licenses] == [("MIT", "MIT")]
    assert rack.metadata["dependencies"] == [{"name": "minitest", "requirements": ["~> 5.0"], "type": "development"}]
    session = by["rack-session@2.0.0"]
    assert session.author == "Samuel Williams, Jeremy Evans, José Valim"
    assert session.homepage == "https://github.com/rack/rack-session"  # "#{s.name}" resolved
    assert session.files == ("/usr/local/bundle/gems/rack-session-2.0.0/lib/rack/session.rb", "/usr/local/bundle/gems/rack-session-2.0.0/license.md")
    json_gem = by["json@2.6.3"]  # a default gem, under specifications/default/
    assert json_gem.metadata["gem_home"] == "/usr/local/bundle"
    assert [l.value for l in json_gem.licenses] == ["Ruby", "BSD-2-Clause"]
    assert all(p.found_by == GEMSPEC_NAME and p.locations[0].path.startswith(SPECS) for p in installed.packages)


def test_installed_dependencies_pick_the_matching_version(installed):
    # rack-session wants rack >= 3.0.0: of the two installed racks only 3.0.8 fits; "missing" is not installed
    assert edges(installed) == {"rack-session@2.0.0": {"rack@3.0.8"}}


def test_read_gemspec_literals():
    text = (
        '  s.name = %q{tricky}\n'
        "  s.version = '1.0'.freeze\n"
        '  s.authors = ["A \\"quoted\\" name".freeze,\n     "B"]\n'
        "  s.summary = \"tab\\there #{s.version}\"\n"
        '  s.homepage = "https://x/#{unknown}"\n'
        "  s.add_runtime_dependency(%q<dep>.freeze, [\">= 1\", \"< 2\"])\n"
        "  s.add_dependency 'other'\n"
        "  s.version_requirement = 1\n"
    )
    fields = read_gemspec(text)
    assert fields["name"] == "tricky" and fields["version"] == "1.0"
    assert fields["authors"] == ['A "quoted" name', "B"]
    assert fields["summary"] == "tab\there 1.0"
    assert fields["homepage"] == "https://x/#{unknown}"
    assert fields["dependencies"] == [("dep", [">= 1", "< 2"], "runtime"), ("other", [], "runtime")]


def test_gem_versions():
    assert gem_version_cmp("1.0.0.pre1", "1.0.0") == -1 and gem_version_cmp("1.10", "1.9") == 1 and gem_version_cmp("1.0", "1") == 0
    assert gem_requirement_holds("2.5.9", ["~> 2.5.4"]) and not gem_requirement_holds("2.6.0", ["~> 2.5.4"])
    assert gem_requirement_holds("1.5", [">= 1.0, < 2"]) and not gem_requirement_holds("2.0", [">= 1.0", "< 2"])
    assert gem_requirement_holds("3.0", ["~> 3"]) and not gem_requirement_holds("4.0", ["~> 3"])
    assert gem_purl("x", "1.0", "ruby") == "pkg:gem/x@1.0"


def test_gemspecs_need_a_specifications_directory():
    tree = FileTree()
    for path in ("/app/my.gemspec", "/gems/specifications/a-1.0.gemspec"):
        data = b's.name = "a"\ns.version = "1.0"\n'
        tree.add(path, Node(FILE, size=len(data), ref=data))
    got = catalog(FileResolver(tree, bytes_opener), [GEMSPECS])
    assert [p.locations[0].path for p in got.packages] == ["/gems/specifications/a-1.0.gemspec"]


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


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["ruby_Gemfile.lock.tsv", "ruby_gemspec.tsv"])
def test_syft_expected(name):
    header, rows = read_expected(name)
    pkgs: list[Package] = []
    for path in fixture_paths(header["fixture"]):
        res = DirectorySource(str(path.parent)).resolver()
        parser = parse_gemfile_lock if path.name == "Gemfile.lock" else parse_gemspec
        pkgs += parser(res, Environment(), res.location("/" + path.name)).packages
    assert sorted((p.name, p.version, p.purl) for p in pkgs) == sorted((r[0], r[1], r[2]) for r in rows)


@pytest.mark.corpus
def test_syft_gemspec_fields():
    header, _ = read_expected("ruby_gemspec.tsv")
    by = {}
    for path in fixture_paths(header["fixture"]):
        res = DirectorySource(str(path.parent)).resolver()
        (p,) = parse_gemspec(res, Environment(), res.location("/" + path.name)).packages
        by[p.name] = p
    assert by["formatador"].homepage == "https://github.com/geemus/formatador"  # string interpolation
    assert by["bundler"].metadata["authors"][0] == "André Arko"  # \u00E9
    assert [l.value for l in by["bundler"].licenses] == ["MIT"]


@pytest.mark.corpus
def test_syft_gemfile_lock_dependencies():
    d = corpus_path("syft", "syft", "pkg", "cataloger", "ruby", "testdata")
    res = DirectorySource(str(d)).resolver()
    got = parse_gemfile_lock(res, Environment(), res.location("/Gemfile.lock"))
    deps = edges(got)
    assert deps["rails@4.1.1"] == {
        "actionmailer@4.1.1", "actionpack@4.1.1", "actionview@4.1.1", "activemodel@4.1.1", "activerecord@4.1.1",
        "activesupport@4.1.1", "railties@4.1.1", "sprockets-rails@2.1.3",
    }  # fmt: skip  -- bundler is listed but is not a spec of the lock
    assert deps["turbolinks@3.0.0"] == {"coffee-rails@4.0.1"}  # a GIT spec
    assert "bad-entry" not in {p.name for p in got.packages}  # BAD-SECTION is not a source section
