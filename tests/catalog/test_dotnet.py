""".NET catalogers: *.deps.json and NuGet packages.lock.json, on own fixtures and the syft corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.catalog import Environment, Parsed
from assay.catalog.dotnet import (
    CATALOGERS,
    DEPS_CATALOGER,
    LOCK_CATALOGER,
    nuget_purl,
    parse_deps_json,
    parse_packages_lock,
)
from assay.errors import CatalogError
from assay.model import RelType
from assay.source.directory import DirectorySource
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "dotnet"
DEPS, LOCK = CATALOGERS


def parse_file(path: Path, parser) -> Parsed:  # type: ignore[no-untyped-def]
    resolver = DirectorySource(str(path.parent)).resolver()
    return parser(resolver, Environment(), resolver.location("/" + path.name))


def edges(got: Parsed) -> set[tuple[str, str]]:
    by_id = {p.id: f"{p.name}@{p.version}" for p in got.packages}
    assert all(r.type == RelType.DEPENDS_ON for r in got.relationships)
    return {(by_id[r.source], by_id[r.target]) for r in got.relationships}


def test_nuget_purl():
    assert nuget_purl("Microsoft.Extensions.Logging", "6.0.0") == "pkg:nuget/Microsoft.Extensions.Logging@6.0.0"
    assert nuget_purl("Foo", "1.0.0+sha.abc") == "pkg:nuget/Foo@1.0.0%2Bsha.abc"
    assert nuget_purl("Contoso.Shared", "") == "pkg:nuget/Contoso.Shared"


def test_deps_json():
    got = parse_file(FIXTURES / "app" / "MyService.deps.json", parse_deps_json)
    pkgs = {f"{p.name}@{p.version}": p for p in got.packages}
    # the reference-assembly facade (no sha512, no path) is not a shipped package; one with evidence is kept
    assert list(pkgs) == [
        "MyService@1.0.0",  # the root project first
        "Dapper@2.1.35",
        "Legacy.Interop@2.0.0",
        "MyService.Data@1.0.0",
        "Serilog@3.1.1",
        "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64@8.0.4",  # from the runtime-specific section
    ]
    root = pkgs["MyService@1.0.0"]
    assert root.metadata == {"name": "MyService", "version": "1.0.0", "type": "project", "root": True}
    dapper = pkgs["Dapper@2.1.35"]
    assert (dapper.type, dapper.language, dapper.found_by, dapper.purl) == ("dotnet", "dotnet", DEPS_CATALOGER, "pkg:nuget/Dapper@2.1.35")
    assert dapper.metadata["path"] == "dapper/2.1.35" and dapper.metadata["hashPath"] == "dapper.2.1.35.nupkg.sha512"
    assert dapper.metadata["sha512"].startswith("sha512-YKRwjVfrG7GYOovlGyQoMvr1")
    assert "root" not in pkgs["MyService.Data@1.0.0"].metadata
    assert edges(got) == {
        ("MyService@1.0.0", "MyService.Data@1.0.0"),
        ("MyService@1.0.0", "Serilog@3.1.1"),
        ("MyService@1.0.0", "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64@8.0.4"),
        ("MyService.Data@1.0.0", "Dapper@2.1.35"),
        ("MyService.Data@1.0.0", "Legacy.Interop@2.0.0"),
    }


def test_packages_lock():
    got = parse_file(FIXTURES / "packages.lock.json", parse_packages_lock)
    pkgs = {f"{p.name}@{p.version}": p for p in got.packages}
    assert sorted(pkgs) == [
        "Contoso.Shared@",  # a project reference: NuGet locks no version for it
        "Newtonsoft.Json@13.0.1",
        "Polly.Core@8.4.0",
        "Polly@7.2.4",  # net6.0 and net8.0 lock different versions: both are reported
        "Polly@8.4.0",
        "System.IO.Ports@8.0.0",
        "newtonsoft.json@13.0.3",  # spelled two ways across sections: one package
    ]
    assert pkgs["Polly@8.4.0"].metadata == {
        "name": "Polly", "version": "8.4.0", "type": "Direct", "requested": "[8.4.0, )",
        "contentHash": "z2EeUutuy49jBQyZ5s2FUuTCGx3GCzJ0cJ2HbjWwks94TsC6bKTtAHKBkMZOa/DyYRl5yIX7MshvMTWl1J6RNg==",
    }  # fmt: skip
    assert pkgs["Polly@8.4.0"].found_by == LOCK_CATALOGER
    assert edges(got) == {
        ("Contoso.Shared@", "newtonsoft.json@13.0.3"),  # case-insensitive, same framework
        ("Polly@8.4.0", "Polly.Core@8.4.0"),
        ("System.IO.Ports@8.0.0", "Polly.Core@8.4.0"),  # net8.0/linux-x64 resolves through its base net8.0
    }


def test_through_the_catalogers():
    resolver = DirectorySource(str(FIXTURES)).resolver()
    env = Environment()
    deps = DEPS.catalog(resolver, env)
    lock = LOCK.catalog(resolver, env)
    assert env.warnings == []
    assert {p.found_by for p in deps.packages} == {DEPS_CATALOGER} and len(deps.packages) == 6
    assert {p.found_by for p in lock.packages} == {LOCK_CATALOGER} and len(lock.packages) == 7


@pytest.mark.parametrize(
    "name,text,message",
    [
        ("bad.deps.json", '{\n  "targets": {\n    "x": [\n}', r"/bad.deps.json:4: invalid deps.json"),
        ("none.deps.json", '{"libraries": {}}', r"/none.deps.json: deps.json has no 'targets' object"),
        ("packages.lock.json", '[1, 2]', r"/packages.lock.json: packages.lock.json must be a JSON object"),
    ],
)
def test_malformed(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    parser = parse_packages_lock if name == "packages.lock.json" else parse_deps_json
    with pytest.raises(CatalogError, match=message):
        parse_file(tmp_path / name, parser)
    env = Environment()
    resolver = DirectorySource(str(tmp_path)).resolver()
    for c in CATALOGERS:
        assert c.catalog(resolver, env).packages == ()
    assert len(env.warnings) == 1  # the cataloger turns it into one warning and goes on


# -- the syft corpus --------------------------------------------------------------------

DOTNET = "syft/pkg/cataloger/dotnet/testdata"


@pytest.mark.corpus
@pytest.mark.parametrize(
    "expected,fixture,parser",
    [
        ("dotnet_deps.json.tsv", f"{DOTNET}/dir-example-1/TestLibrary.deps.json", parse_deps_json),
        ("dotnet_packages.lock.json.tsv", f"{DOTNET}/packages.lock.json", parse_packages_lock),
    ],
)
def test_corpus(expected, fixture, parser):
    header, rows = read_expected(expected)
    assert header["fixture"] == fixture
    got = parse_file(corpus_path("syft", fixture), parser)
    assert {(p.name, p.version, p.purl) for p in got.packages} == {(r[0], r[1], r[2]) for r in rows}


@pytest.mark.corpus
def test_corpus_files_are_all_covered():
    assert {p.name for p in corpus_path("syft", "expected").glob("dotnet_*.tsv")} == {"dotnet_deps.json.tsv", "dotnet_packages.lock.json.tsv"}


@pytest.mark.corpus
def test_corpus_deps_edges_and_root():
    got = parse_file(corpus_path("syft", DOTNET, "dir-example-1", "TestLibrary.deps.json"), parse_deps_json)
    assert got.packages[0].name == "TestLibrary" and got.packages[0].metadata["root"] is True
    e = edges(got)
    assert ("TestLibrary@1.0.0", "TestCommon@1.0.0") in e and ("TestCommon@1.0.0", "AWSSDK.Core@3.7.10.6") in e
    assert ("Serilog.Sinks.Console@4.0.1", "Serilog@2.10.0") in e
    assert len(e) == 19


@pytest.mark.corpus
def test_corpus_reference_assemblies_skipped():
    got = parse_file(corpus_path("syft", DOTNET, "deps-with-referenceassembly", "MyApp.deps.json"), parse_deps_json)
    assert sorted(f"{p.name}@{p.version}" for p in got.packages) == ["MyApp@1.0.0", "Newtonsoft.Json@13.0.3"]
