"""JavaScript catalogers: node_modules trees and npm/yarn/pnpm/bun/deno lockfiles.

The project's own fixtures (tests/catalog/fixtures/javascript/ and trees built
in tmp_path) run everywhere; the syft corpus cases skip without ../shared.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from assay.catalog import Environment, Parsed, catalog
from assay.catalog._js.bun import strip_jsonc
from assay.catalog._js.common import authors, license_values
from assay.catalog._js.deno import npm_key, remote_module
from assay.catalog._js.pnpm import parse_key, strip_v5_peer
from assay.catalog.javascript import (
    CATALOGERS,
    LOCK_CATALOGER,
    PACKAGE_CATALOGER,
    npm_purl,
    parse_bun_lock,
    parse_deno_lock,
    parse_package_lock,
    parse_pnpm_lock,
    parse_yarn_lock,
)
from assay.errors import CatalogError
from assay.model import Package, RelType
from assay.source.directory import DirectorySource
from tests.conftest import corpus_path, read_expected

FIXTURES = Path(__file__).parent / "fixtures" / "javascript"
INSTALLED, LOCKS = CATALOGERS


def parse_file(path: Path, parser) -> tuple[Parsed, Environment]:  # type: ignore[no-untyped-def]
    resolver = DirectorySource(str(path.parent)).resolver()
    env = Environment()
    return parser(resolver, env, resolver.location("/" + path.name)), env


def run(cataloger, root: Path) -> tuple[Parsed, Environment]:  # type: ignore[no-untyped-def]
    env = Environment()
    return cataloger.catalog(DirectorySource(str(root)).resolver(), env), env


def ident(p: Package) -> str:
    return f"{p.name}@{p.version}"


def edges(got: Parsed) -> set[tuple[str, str, str]]:
    by_id = {p.id: ident(p) for p in got.packages}
    return {(by_id[r.source], by_id[r.target], r.type.value) for r in got.relationships}


def versions(got: Parsed) -> dict[str, bool]:
    """name@version -> dev flag."""
    return {ident(p): p.dev for p in got.packages}


def write_json(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


# -- purls and package.json fields ------------------------------------------------------


@pytest.mark.parametrize(
    "name,version,qualifiers,split,want",
    [
        ("@types/react", "18.0.17", None, True, "pkg:npm/%40types/react@18.0.17"),
        ("c0n-fab_u.laTION", "7.7.7", None, True, "pkg:npm/c0n-fab_u.laTION@7.7.7"),  # case kept
        ("@std/bytes", "1.0.2", {"repository_url": "https://jsr.io"}, True, "pkg:npm/%40std/bytes@1.0.2?repository_url=https%3A%2F%2Fjsr.io"),
        ("deno.land/std", "0.140.0", {"repository_url": "https://deno.land"}, False, "pkg:npm/deno.land%2Fstd@0.140.0?repository_url=https%3A%2F%2Fdeno.land"),
        ("semver", "1.0.0+build.5", None, True, "pkg:npm/semver@1.0.0%2Bbuild.5"),
        ("git-dep", "github:user/repo#abc", None, True, "pkg:npm/git-dep@github%3Auser%2Frepo%23abc"),
        ("noversion", "", None, True, "pkg:npm/noversion"),
    ],
)
def test_npm_purl(name, version, qualifiers, split, want):
    assert npm_purl(name, version, qualifiers, split=split) == want


def test_license_fields():
    assert license_values({"license": "(MIT OR Apache-2.0)"}) == ["(MIT OR Apache-2.0)"]
    assert license_values({"license": {"type": "ISC", "url": "https://opensource.org/licenses/ISC"}}) == ["ISC"]
    assert license_values({"licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}) == ["MIT", "Apache-2.0"]
    assert license_values({"licenses": ["MIT", "MIT"]}) == ["MIT"]
    assert license_values({"license": 3}) == []
    assert license_values({}) == []


def test_author_fields():
    doc = {
        "author": "Isaac Z. Schlueter <i@izs.me> (http://blog.izs.me)",
        "contributors": [{"name": "Raynos"}, {"name": "Jordan Harband", "url": "https://github.com/ljharb"}],
        "maintainers": {"name": "Charlie", "email": "c@example.com"},
    }
    assert authors(doc) == (
        "Isaac Z. Schlueter <i@izs.me> (http://blog.izs.me), Raynos, Jordan Harband (https://github.com/ljharb), Charlie <c@example.com>"
    )
    assert authors({"author": {"name": "npm Inc.", "url": "https://www.npmjs.com/", "organization": True}}) == "npm Inc. (https://www.npmjs.com/)"
    assert authors({"authors": ["A <a@x.org>", "A <a@x.org>"]}) == "A <a@x.org>"
    assert authors({"author": ["not", {"bogus": 1}], "contributors": 7}) == "not"


# -- package-lock.json ------------------------------------------------------------------


def test_package_lock_v3_workspaces():
    got, env = parse_file(FIXTURES / "npm-v3-workspaces" / "package-lock.json", parse_package_lock)
    assert env.warnings == []
    assert versions(got) == {
        "shop@2.1.0": False, "@shop/ui@0.3.0": False, "express@4.18.2": False, "debug@2.6.9": False,
        "ms@2.0.0": False, "ms@2.1.3": False, "lodash@4.17.21": False, "react@18.2.0": False,
        "loose-envify@1.4.0": False, "jest@29.7.0": True, "jest-util@29.7.0": True, "typescript@5.4.5": True,
    }  # fmt: skip
    assert edges(got) == {
        ("shop@2.1.0", "express@4.18.2", "depends-on"),
        ("shop@2.1.0", "@shop/ui@0.3.0", "depends-on"),  # through the link: true entry
        ("shop@2.1.0", "lodash@4.17.21", "depends-on"),  # the alias key lodash-alias
        ("shop@2.1.0", "jest@29.7.0", "dev-depends-on"),
        ("@shop/ui@0.3.0", "react@18.2.0", "depends-on"),
        ("@shop/ui@0.3.0", "typescript@5.4.5", "dev-depends-on"),
        ("express@4.18.2", "debug@2.6.9", "depends-on"),
        ("express@4.18.2", "ms@2.1.3", "depends-on"),
        ("debug@2.6.9", "ms@2.0.0", "depends-on"),  # the nested copy wins over the hoisted one
        ("jest@29.7.0", "jest-util@29.7.0", "depends-on"),
        ("jest@29.7.0", "ms@2.1.3", "depends-on"),
        ("react@18.2.0", "loose-envify@1.4.0", "depends-on"),
    }
    pkgs = {ident(p): p for p in got.packages}
    lodash = pkgs["lodash@4.17.21"]
    assert lodash.purl == "pkg:npm/lodash@4.17.21"
    assert lodash.found_by == LOCK_CATALOGER and lodash.type == "npm" and lodash.language == "javascript"
    assert [(l.value, l.spdx) for l in pkgs["typescript@5.4.5"].licenses] == [("Apache-2.0", "Apache-2.0")]
    assert lodash.metadata["resolved"] == "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz"


def test_package_lock_v1_nested_and_aliases(tmp_path):
    write_json(tmp_path / "package-lock.json", {
        "name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": True,
        "dependencies": {
            "a": {"version": "1.0.0", "requires": {"b": "^2.0.0", "c-alias": "npm:c@^3"},
                  "dependencies": {"b": {"version": "2.0.0", "requires": {"c-alias": "npm:c@^3"}}}},
            "b": {"version": "1.0.0"},
            "c-alias": {"version": "npm:c@3.1.0"},
            "@scope/d": {"version": "4.0.0", "dev": True, "requires": {"e": "*"},
                         "dependencies": {"e": {"version": "5.0.0"}}},
            "e": {"version": "5.0.0", "requires": {"b": "1"}},
        },
    })  # fmt: skip
    got, _ = parse_file(tmp_path / "package-lock.json", parse_package_lock)
    # e@5.0.0 appears twice (once under the dev @scope/d, once top-level and not dev): one package, not dev
    assert versions(got) == {"a@1.0.0": False, "b@2.0.0": False, "b@1.0.0": False, "c@3.1.0": False, "@scope/d@4.0.0": True, "e@5.0.0": False}
    assert edges(got) == {
        ("a@1.0.0", "b@2.0.0", "depends-on"),  # the copy nested under a
        ("a@1.0.0", "c@3.1.0", "depends-on"),
        ("b@2.0.0", "c@3.1.0", "depends-on"),  # found walking up the scopes
        ("@scope/d@4.0.0", "e@5.0.0", "depends-on"),
        ("e@5.0.0", "b@1.0.0", "depends-on"),
    }
    assert all(ident(p) != "app@1.0.0" for p in got.packages)  # v1 has no root entry to report


def test_shrinkwrap_wins_and_node_modules_lockfiles_are_skipped(tmp_path):
    lock = {"lockfileVersion": 3, "packages": {"": {"name": "app", "version": "1.0.0"}, "node_modules/x": {"version": "1.0.0"}}}
    write_json(tmp_path / "package-lock.json", lock)
    write_json(tmp_path / "npm-shrinkwrap.json", {**lock, "packages": {**lock["packages"], "node_modules/x": {"version": "2.0.0"}}})
    write_json(tmp_path / "node_modules" / "dep" / "package-lock.json", lock)
    got, env = run(LOCKS, tmp_path)
    assert env.warnings == []
    assert sorted(versions(got)) == ["app@1.0.0", "x@2.0.0"]
    assert {p.locations[0].path for p in got.packages} == {"/npm-shrinkwrap.json"}


def test_lock_licenses_from_installed_package_json(tmp_path):
    write_json(tmp_path / "package-lock.json", {"lockfileVersion": 1, "dependencies": {"x": {"version": "1.0.0"}, "y": {"version": "2.0.0"}}})
    write_json(tmp_path / "node_modules" / "x" / "package.json", {"name": "x", "version": "1.0.0", "license": "BSD-3-Clause"})
    write_json(tmp_path / "node_modules" / "y" / "package.json", {"name": "y", "version": "9.9.9", "license": "MIT"})
    got, _ = parse_file(tmp_path / "package-lock.json", parse_package_lock)
    lic = {p.name: [(l.value, l.location) for l in p.licenses] for p in got.packages}
    assert lic == {"x": [("BSD-3-Clause", "/node_modules/x/package.json")], "y": []}  # y is another version


def test_package_lock_malformed(tmp_path):
    (tmp_path / "package-lock.json").write_text('{\n  "lockfileVersion": 2,\n  "packages": {,}\n}\n')
    with pytest.raises(CatalogError, match=r"/package-lock.json:3: invalid package-lock JSON"):
        parse_file(tmp_path / "package-lock.json", parse_package_lock)
    got, env = run(LOCKS, tmp_path)  # through the cataloger: a warning, not a failure
    assert got.packages == () and len(env.warnings) == 1 and "package-lock.json:3" in env.warnings[0]


# -- yarn.lock --------------------------------------------------------------------------


def test_yarn_berry_workspaces():
    got, env = parse_file(FIXTURES / "yarn-berry-workspaces" / "yarn.lock", parse_yarn_lock)
    assert env.warnings == []
    assert versions(got) == {
        "shop@0.0.0-use.local": False, "@shop/lib@1.4.0": False, "chalk@5.3.0": False,
        "strip-ansi@6.0.1": False,  # the alias strip-ansi-cjs resolves to the real package
        "ansi-regex@5.0.1": False, "left-pad@1.3.0": False, "vitest@1.6.0": True, "tinypool@0.8.4": True,
    }  # fmt: skip
    assert edges(got) == {
        ("shop@0.0.0-use.local", "@shop/lib@1.4.0", "depends-on"),
        ("shop@0.0.0-use.local", "chalk@5.3.0", "depends-on"),
        ("shop@0.0.0-use.local", "strip-ansi@6.0.1", "depends-on"),
        ("shop@0.0.0-use.local", "vitest@1.6.0", "dev-depends-on"),
        ("@shop/lib@1.4.0", "left-pad@1.3.0", "depends-on"),
        ("strip-ansi@6.0.1", "ansi-regex@5.0.1", "depends-on"),
        ("vitest@1.6.0", "chalk@5.3.0", "depends-on"),
        ("vitest@1.6.0", "tinypool@0.8.4", "depends-on"),
    }


YARN_V1 = """\
# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.10.4"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.10.4.tgz#168da1a36e90da68ae8d49c0f1b48c7c6249213a"
  integrity sha512-vG6SvB6oYEhvgisZNFRmRCUkLz11c7rp+tbNTynGqc6mS1d5ATd/sGyV6W0KZZnXRKMTzZDRgQT3Ou9jhpAfUg==
  dependencies:
    "@babel/highlight" "^7.10.4"

"@babel/highlight@^7.10.4":
  version "7.10.4"
  resolved "https://registry.yarnpkg.com/@babel/highlight/-/highlight-7.10.4.tgz#7d1bdfd65753538fabe6c38596cdb76d9ac60143"
  dependencies:
    js-tokens "^4.0.0"

js-tokens@^4.0.0, js-tokens@^4.0.1:
  version "4.0.0"
  resolved "https://registry.yarnpkg.com/js-tokens/-/js-tokens-4.0.0.tgz#19203fb59991df98e3a287050d4647cdeaf32499"

js-tokens@^4.0.0:
  version "4.0.0"
  resolved "https://registry.yarnpkg.com/js-tokens/-/js-tokens-4.0.0.tgz#19203fb59991df98e3a287050d4647cdeaf32499"

"string-width-cjs@npm:string-width@^4.2.0":
  version "4.2.3"
  resolved "https://registry.yarnpkg.com/string-width/-/string-width-4.2.3.tgz#269c7117d27b05ad2e536830a8ec895ef9c6d010"

left-pad@1.3.0:
  version "1.3.0"
  resolved "https://artifactory.example.com/api/npm/npm-remote/left-pad/-/left-pad-1.3.0.tgz"
  dependencies:
    js-tokens "^4.0.1"

"my-fork@https://github.com/me/my-fork.git#v2":
  version "2.0.0"
  resolved "https://github.com/me/my-fork.git#0123456789abcdef"
"""


def test_yarn_v1_with_manifest(tmp_path):
    (tmp_path / "yarn.lock").write_text(YARN_V1)
    write_json(tmp_path / "package.json", {
        "name": "app", "workspaces": ["packages/*"],
        "dependencies": {"string-width-cjs": "npm:string-width@^4.2.0", "my-fork": "https://github.com/me/my-fork.git#v2"},
        "devDependencies": {"@babel/code-frame": "^7.10.4"},
    })  # fmt: skip
    write_json(tmp_path / "packages" / "tool" / "package.json", {"name": "tool", "dependencies": {"left-pad": "1.3.0"}})
    got, env = parse_file(tmp_path / "yarn.lock", parse_yarn_lock)
    assert env.warnings == []
    assert versions(got) == {
        "@babel/code-frame@7.10.4": True, "@babel/highlight@7.10.4": True,
        "js-tokens@4.0.0": False,  # also needed by left-pad, which a workspace member depends on
        "string-width@4.2.3": False, "left-pad@1.3.0": False, "my-fork@2.0.0": False,
    }  # fmt: skip
    assert edges(got) == {
        ("@babel/code-frame@7.10.4", "@babel/highlight@7.10.4", "depends-on"),
        ("@babel/highlight@7.10.4", "js-tokens@4.0.0", "depends-on"),
        ("left-pad@1.3.0", "js-tokens@4.0.0", "depends-on"),
    }
    # without a manifest nothing is guessed to be dev
    (tmp_path / "package.json").unlink()
    got, _ = parse_file(tmp_path / "yarn.lock", parse_yarn_lock)
    assert not any(p.dev for p in got.packages)


def test_yarn_malformed(tmp_path):
    (tmp_path / "yarn.lock").write_text('# yarn lockfile v1\n\nleft-pad@1.3.0:\n  version "1.3.0"\nbroken line\n')
    with pytest.raises(CatalogError, match=r"/yarn.lock:5: expected an entry header"):
        parse_file(tmp_path / "yarn.lock", parse_yarn_lock)
    (tmp_path / "yarn.lock").write_text('  version "1.3.0"\n')
    with pytest.raises(CatalogError, match=r"/yarn.lock:1: indented line before any entry"):
        parse_file(tmp_path / "yarn.lock", parse_yarn_lock)


# -- pnpm-lock.yaml ---------------------------------------------------------------------


def test_pnpm_key_forms():
    assert parse_key("/@babel/runtime/7.16.7", v5=True) == ("@babel/runtime", "7.16.7")
    assert parse_key("/acorn-jsx/5.3.2_acorn@8.8.0", v5=True) == ("acorn-jsx", "5.3.2")
    assert parse_key("/@types/node@14.18.12", v5=False) == ("@types/node", "14.18.12")
    assert parse_key("@babel/helper-plugin-utils@7.24.7(@babel/core@7.24.7)", v5=False) == ("@babel/helper-plugin-utils", "7.24.7")
    assert parse_key("nonsense", v5=False) == ("", "")
    assert strip_v5_peer("4.10.0_fzn43tb6bdtdxy2s3aqevve2su") == "4.10.0"
    assert strip_v5_peer("link:../foo_bar") == "link:../foo_bar"


def test_pnpm_v9_workspaces():
    got, env = parse_file(FIXTURES / "pnpm-v9-workspaces" / "pnpm-lock.yaml", parse_pnpm_lock)
    assert env.warnings == []
    assert versions(got) == {
        "js-tokens@4.0.0": False, "loose-envify@1.4.0": False, "react@18.2.0": False, "react-dom@18.2.0": False,
        "scheduler@0.23.2": False, "string-width@4.2.3": False, "vitest@1.6.0": True, "tinypool@0.8.4": True,
    }  # fmt: skip
    assert edges(got) == {
        ("loose-envify@1.4.0", "js-tokens@4.0.0", "depends-on"),
        ("react-dom@18.2.0", "loose-envify@1.4.0", "depends-on"),
        ("react-dom@18.2.0", "react@18.2.0", "depends-on"),
        ("react-dom@18.2.0", "scheduler@0.23.2", "depends-on"),
        ("react@18.2.0", "loose-envify@1.4.0", "depends-on"),
        ("scheduler@0.23.2", "loose-envify@1.4.0", "depends-on"),
        ("vitest@1.6.0", "tinypool@0.8.4", "depends-on"),
    }
    integrity = {p.name: p.metadata.get("integrity", "") for p in got.packages}
    assert integrity["react"].startswith("sha512-/3IjMdb2L9QbBdWiW5e3P2")


PNPM_V5 = """\
lockfileVersion: 5.4

specifiers:
  acorn-jsx: ^5.3.2
  eslint: ^8.21.0

dependencies:
  acorn-jsx: 5.3.2_acorn@8.8.0

devDependencies:
  eslint: 8.21.0

packages:

  /acorn/8.8.0:
    resolution: {integrity: sha512-QOxyigPVrpZ2GXT+PFyZTl6TtOFc5egxHIP9IlQ+RbupQuX4RkT/Bee4/kQuC02Xkzg84JcT7oLYtDIQxp+v7w==}
    engines: {node: '>=0.4.0'}
    hasBin: true

  /acorn-jsx/5.3.2_acorn@8.8.0:
    resolution: {integrity: sha512-rq9s+JNhf0IChjtDXxllJ7g41oZk5SlXtp0LHwyA5cejwn7vKmKp4pPri6YEePv2PU65sAsegbXtIinmDFDXgQ==}
    peerDependencies:
      acorn: ^6.0.0 || ^7.0.0 || ^8.0.0
    dependencies:
      acorn: 8.8.0

  /eslint/8.21.0:
    resolution: {integrity: sha512-AAA=}
    dependencies:
      espree: 9.3.3_acorn@8.8.0
    dev: true

  /espree/9.3.3_acorn@8.8.0:
    resolution: {integrity: sha512-BBB=}
    dependencies:
      acorn: 8.8.0
      acorn-jsx: 5.3.2_acorn@8.8.0
    dev: true
"""

PNPM_V6 = """\
lockfileVersion: '6.0'

dependencies:
  '@testing-library/react':
    specifier: ^13.4.0
    version: 13.4.0(react-dom@18.2.0)(react@18.2.0)
  react:
    specifier: ^18.2.0
    version: 18.2.0

packages:

  /@testing-library/react@13.4.0(react-dom@18.2.0)(react@18.2.0):
    resolution: {integrity: sha512-CCC=}
    dependencies:
      react: 18.2.0
    dev: false

  /react@18.2.0:
    resolution: {integrity: sha512-DDD=}
    dev: false

  /string-width-cjs@4.2.3:
    resolution: {integrity: sha512-EEE=}
    dev: true
"""


def test_pnpm_v5_peer_suffixes_and_dev(tmp_path):
    (tmp_path / "pnpm-lock.yaml").write_text(PNPM_V5)
    got, _ = parse_file(tmp_path / "pnpm-lock.yaml", parse_pnpm_lock)
    assert versions(got) == {"acorn@8.8.0": False, "acorn-jsx@5.3.2": False, "eslint@8.21.0": True, "espree@9.3.3": True}
    assert edges(got) == {
        ("acorn-jsx@5.3.2", "acorn@8.8.0", "depends-on"),
        ("eslint@8.21.0", "espree@9.3.3", "depends-on"),
        ("espree@9.3.3", "acorn@8.8.0", "depends-on"),
        ("espree@9.3.3", "acorn-jsx@5.3.2", "depends-on"),
    }


def test_pnpm_v6(tmp_path):
    (tmp_path / "pnpm-lock.yaml").write_text(PNPM_V6)
    got, _ = parse_file(tmp_path / "pnpm-lock.yaml", parse_pnpm_lock)
    assert versions(got) == {"@testing-library/react@13.4.0": False, "react@18.2.0": False, "string-width-cjs@4.2.3": True}
    assert edges(got) == {("@testing-library/react@13.4.0", "react@18.2.0", "depends-on")}


def test_pnpm_multi_document(tmp_path):
    first = "---\nlockfileVersion: '9.0'\n\nimporters:\n  .:\n    packageManagerDependencies:\n      pnpm:\n        specifier: 9.1.0\n        version: 9.1.0\n\npackages:\n\n  pnpm@9.1.0:\n    resolution: {integrity: sha512-FFF=}\n\nsnapshots:\n\n  pnpm@9.1.0: {}\n\n"
    (tmp_path / "pnpm-lock.yaml").write_text(first + "---\n" + PNPM_V5)
    got, _ = parse_file(tmp_path / "pnpm-lock.yaml", parse_pnpm_lock)
    assert set(versions(got)) == {"pnpm@9.1.0", "acorn@8.8.0", "acorn-jsx@5.3.2", "eslint@8.21.0", "espree@9.3.3"}


def test_pnpm_malformed(tmp_path):
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: 5.4\n\nspecifi\nlution: {integrity: sha512-0hYQ8SB4Db5zvZB4axd==}\n    dev: true\n")
    with pytest.raises(CatalogError, match=r"/pnpm-lock.yaml:\d+: invalid YAML"):
        parse_file(tmp_path / "pnpm-lock.yaml", parse_pnpm_lock)
    (tmp_path / "pnpm-lock.yaml").write_text("lockfileVersion: banana\npackages: {}\n")
    with pytest.raises(CatalogError, match="unsupported lockfileVersion"):
        parse_file(tmp_path / "pnpm-lock.yaml", parse_pnpm_lock)


# -- bun.lock / deno.lock ---------------------------------------------------------------


def test_strip_jsonc():
    text = '{\n  "a": [1, 2,], // note, with "quotes"\n  "b": "keeps // and , ] inside",\n  /* block\n  */ "c": {"d": 1,},\n}\n'
    cleaned = strip_jsonc(text)
    assert json.loads(cleaned) == {"a": [1, 2], "b": "keeps // and , ] inside", "c": {"d": 1}}
    assert cleaned.count("\n") == text.count("\n")  # error line numbers stay right


def test_bun_lock():
    got, env = parse_file(FIXTURES / "bun" / "bun.lock", parse_bun_lock)
    assert env.warnings == []
    # the workspace member @cli/core and the root are the project's own folders: not reported
    assert versions(got) == {
        "cliui@8.0.1": False, "string-width@4.2.3": False, "strip-ansi@6.0.1": False, "ansi-regex@5.0.1": False,
        "string-width@7.1.0": False, "strip-ansi@7.1.0": False, "ansi-regex@6.0.1": False, "typescript@5.4.5": True,
    }  # fmt: skip
    assert edges(got) == {
        ("cliui@8.0.1", "string-width@4.2.3", "depends-on"),  # cliui/string-width, not the hoisted 7.1.0
        ("cliui@8.0.1", "strip-ansi@6.0.1", "depends-on"),
        ("string-width@4.2.3", "strip-ansi@6.0.1", "depends-on"),  # sibling under cliui/
        ("strip-ansi@6.0.1", "ansi-regex@5.0.1", "depends-on"),
        ("string-width@7.1.0", "strip-ansi@7.1.0", "depends-on"),
        ("strip-ansi@7.1.0", "ansi-regex@6.0.1", "depends-on"),
    }


def test_bun_lockb_is_reported_not_skipped(tmp_path):
    (tmp_path / "bun.lockb").write_bytes(b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\x00\x01")
    got, env = run(LOCKS, tmp_path)
    assert got.packages == ()
    assert len(env.warnings) == 1 and "bun.lockb is not supported" in env.warnings[0]
    (tmp_path / "bun.lock").write_text('{"lockfileVersion": 1, "workspaces": {}, "packages": {}}')
    _, env = run(LOCKS, tmp_path)
    assert env.warnings == []  # the text lockfile beside it is read instead


def test_deno_lock():
    got, env = parse_file(FIXTURES / "deno" / "deno.lock", parse_deno_lock)
    assert env.warnings == []
    assert {ident(p): p.purl for p in got.packages} == {
        "@std/assert@1.0.6": "pkg:npm/%40std/assert@1.0.6?repository_url=https%3A%2F%2Fjsr.io",
        "@std/internal@1.0.4": "pkg:npm/%40std/internal@1.0.4?repository_url=https%3A%2F%2Fjsr.io",
        "preact@10.24.3": "pkg:npm/preact@10.24.3",
        "preact-render-to-string@6.5.11": "pkg:npm/preact-render-to-string@6.5.11",
        "deno.land/std@0.224.0": "pkg:npm/deno.land%2Fstd@0.224.0?repository_url=https%3A%2F%2Fdeno.land",
        "deno.land/x/oak@v12.6.1": "pkg:npm/deno.land%2Fx%2Foak@v12.6.1?repository_url=https%3A%2F%2Fdeno.land",
    }
    assert edges(got) == {
        ("@std/assert@1.0.6", "@std/internal@1.0.4", "depends-on"),
        ("preact-render-to-string@6.5.11", "preact@10.24.3", "depends-on"),
    }
    assert npm_key("@algolia/autocomplete@1.17.9_@algolia+client-search@5.50.0") == ("@algolia/autocomplete", "1.17.9")
    assert remote_module("https://deno.land/x/oak/mod.ts") == ("deno.land", "")


# -- installed node_modules -------------------------------------------------------------


def app_tree(root: Path) -> Path:
    """A project with nested versions, a scope, a workspace symlink, pnpm-style links and stray package.json files."""
    app = root / "app"
    write_json(app / "package.json", {
        "name": "shop", "private": True, "workspaces": ["packages/*"],
        "dependencies": {"express": "^4", "@shop/ui": "*", "lodash-alias": "npm:lodash@^4"},
        "devDependencies": {"jest": "^29"},
    })  # fmt: skip
    nm = app / "node_modules"
    write_json(nm / "express" / "package.json", {
        "name": "express", "version": "4.18.2", "license": "MIT", "description": "Fast web framework",
        "homepage": "http://expressjs.com/", "author": "TJ Holowaychuk <tj@vision-media.ca>",
        "repository": {"type": "git", "url": "git+https://github.com/expressjs/express.git"},
        "dependencies": {"debug": "2.6.9", "ms": "2.1.3"}, "devDependencies": {"mocha": "*"},
    })  # fmt: skip
    write_json(nm / "debug" / "package.json", {"name": "debug", "version": "2.6.9", "dependencies": {"ms": "2.0.0"}})
    write_json(nm / "debug" / "node_modules" / "ms" / "package.json", {"name": "ms", "version": "2.0.0"})
    write_json(nm / "ms" / "package.json", {"name": "ms", "version": "2.1.3", "license": "MIT"})
    write_json(nm / "lodash-alias" / "package.json", {"name": "lodash", "version": "4.17.21"})
    write_json(nm / "jest" / "package.json", {"name": "jest", "version": "29.7.0", "dependencies": {"jest-util": "^29", "ms": "^2"}})
    write_json(nm / "jest-util" / "package.json", {"name": "jest-util", "version": "29.7.0", "peerDependencies": {"react": "*"}})
    write_json(nm / "react" / "package.json", {"name": "react", "version": "18.2.0", "license": "MIT", "optionalDependencies": {"not-installed": "*"}})
    # things that are not packages
    write_json(nm / "debug" / "test" / "fixtures" / "package.json", {"name": "fixture", "version": "0.0.1"})
    write_json(nm / "express" / "lib" / "package.json", {"type": "commonjs"})
    write_json(nm / ".cache" / "package.json", {"name": "cache", "version": "1.0.0"})
    (nm / "broken").mkdir()
    (nm / "broken" / "package.json").write_text("{not json")
    # a workspace member, linked into node_modules the way npm does it
    write_json(app / "packages" / "ui" / "package.json", {
        "name": "@shop/ui", "version": "0.3.0", "dependencies": {"react": "^18"}, "devDependencies": {"typescript": "^5"},
    })  # fmt: skip
    (nm / "@shop").mkdir()
    os.symlink("../../packages/ui", nm / "@shop" / "ui")
    write_json(nm / "typescript" / "package.json", {"name": "typescript", "version": "5.4.5", "license": "Apache-2.0"})
    # a pnpm store: left-pad's dependency is a sibling symlink inside .pnpm
    store = nm / ".pnpm"
    write_json(store / "left-pad@1.3.0" / "node_modules" / "left-pad" / "package.json",
               {"name": "left-pad", "version": "1.3.0", "dependencies": {"repeat": "1"}})  # fmt: skip
    write_json(store / "repeat@1.0.0" / "node_modules" / "repeat" / "package.json", {"name": "repeat", "version": "1.0.0"})
    os.symlink("../../repeat@1.0.0/node_modules/repeat", store / "left-pad@1.3.0" / "node_modules" / "repeat")
    # an unrelated project elsewhere in the image, without a version: a root, not a package
    write_json(root / "srv" / "tool" / "package.json", {"name": "tool", "dependencies": {"ms": "*"}})
    write_json(root / "srv" / "tool" / "node_modules" / "ms" / "package.json", {"name": "ms", "version": "2.1.2"})
    return root


def test_installed_tree(tmp_path):
    got, env = run(INSTALLED, app_tree(tmp_path))
    assert len(env.warnings) == 1 and "/app/node_modules/broken/package.json:1: invalid package.json" in env.warnings[0]
    assert sorted((ident(p), p.locations[0].path, p.dev) for p in got.packages) == [
        ("@shop/ui@0.3.0", "/app/packages/ui/package.json", False),
        ("debug@2.6.9", "/app/node_modules/debug/package.json", False),
        ("express@4.18.2", "/app/node_modules/express/package.json", False),
        ("jest-util@29.7.0", "/app/node_modules/jest-util/package.json", True),
        ("jest@29.7.0", "/app/node_modules/jest/package.json", True),
        ("left-pad@1.3.0", "/app/node_modules/.pnpm/left-pad@1.3.0/node_modules/left-pad/package.json", False),
        ("lodash@4.17.21", "/app/node_modules/lodash-alias/package.json", False),
        ("ms@2.0.0", "/app/node_modules/debug/node_modules/ms/package.json", False),
        ("ms@2.1.2", "/srv/tool/node_modules/ms/package.json", False),
        ("ms@2.1.3", "/app/node_modules/ms/package.json", False),
        ("react@18.2.0", "/app/node_modules/react/package.json", False),
        ("repeat@1.0.0", "/app/node_modules/.pnpm/repeat@1.0.0/node_modules/repeat/package.json", False),
        ("typescript@5.4.5", "/app/node_modules/typescript/package.json", True),
    ]
    assert edges(got) == {
        ("express@4.18.2", "debug@2.6.9", "depends-on"),
        ("express@4.18.2", "ms@2.1.3", "depends-on"),
        ("debug@2.6.9", "ms@2.0.0", "depends-on"),  # the nearest node_modules wins
        ("jest@29.7.0", "jest-util@29.7.0", "depends-on"),
        ("jest@29.7.0", "ms@2.1.3", "depends-on"),
        ("jest-util@29.7.0", "react@18.2.0", "depends-on"),  # peer dependency, installed
        ("@shop/ui@0.3.0", "react@18.2.0", "depends-on"),
        ("@shop/ui@0.3.0", "typescript@5.4.5", "dev-depends-on"),
        ("left-pad@1.3.0", "repeat@1.0.0", "depends-on"),  # through the .pnpm symlink
    }
    express = next(p for p in got.packages if p.name == "express")
    assert express.purl == "pkg:npm/express@4.18.2" and express.found_by == PACKAGE_CATALOGER
    assert (express.author, express.description, express.homepage) == ("TJ Holowaychuk <tj@vision-media.ca>", "Fast web framework", "http://expressjs.com/")
    assert [(l.value, l.location) for l in express.licenses] == [("MIT", "/app/node_modules/express/package.json")]
    assert express.metadata["url"] == "git+https://github.com/expressjs/express.git"


def test_installed_root_package_edges(tmp_path):
    """A versioned project root is a package (syft reports it, private or not) with its own edges."""
    root = app_tree(tmp_path)
    doc = json.loads((root / "app" / "package.json").read_text())
    write_json(root / "app" / "package.json", {**doc, "version": "2.1.0"})
    got, _ = run(INSTALLED, root)
    shop = next(p for p in got.packages if p.name == "shop")
    assert shop.metadata["private"] is True and not shop.dev
    assert {e for e in edges(got) if e[0] == "shop@2.1.0"} == {
        ("shop@2.1.0", "express@4.18.2", "depends-on"),
        ("shop@2.1.0", "@shop/ui@0.3.0", "depends-on"),  # through the workspace symlink
        ("shop@2.1.0", "lodash@4.17.21", "depends-on"),
        ("shop@2.1.0", "jest@29.7.0", "dev-depends-on"),
    }


def test_catalog_keeps_edges(tmp_path):
    """Through assay.catalog.catalog: the edges survive its filtering (both ends are reported)."""
    result = catalog(DirectorySource(str(app_tree(tmp_path))).resolver(), [INSTALLED])
    assert len(result.relationships) == 9
    assert {r.type for r in result.relationships} == {RelType.DEPENDS_ON, RelType.DEV_DEPENDS_ON}


def test_installed_performance(tmp_path):
    """2,000 installed packages (1,800 top-level, 200 nested) catalog well under a second."""
    app = tmp_path / "app"
    names = [f"pkg{i}" if i % 5 else f"@scope{i % 7}/pkg{i}" for i in range(2000)]
    write_json(app / "package.json", {"name": "app", "dependencies": {n: "*" for n in names[:30]}, "devDependencies": {"zz-dev": "*"}})
    write_json(app / "node_modules" / "zz-dev" / "package.json", {"name": "zz-dev", "version": "1.0.0"})
    for i, n in enumerate(names[:1800]):
        deps = {names[(i * 7 + k) % 2000]: "^1" for k in range(1, 5)}
        write_json(app / "node_modules" / n / "package.json", {
            "name": n, "version": f"1.{i}.0", "license": "MIT", "author": "A <a@example.org>",
            "description": "x" * 200, "dependencies": deps, "keywords": ["k"] * 20,
        })  # fmt: skip
        if i < 200:
            m = names[1800 + i]
            write_json(app / "node_modules" / n / "node_modules" / m / "package.json", {"name": m, "version": "2.0.0", "dependencies": {names[0]: "*"}})
    resolver = DirectorySource(str(tmp_path)).resolver()
    resolver.tree.names()  # building the file index is the source's cost, not the cataloger's
    start = time.perf_counter()
    got = INSTALLED.catalog(resolver, Environment())
    elapsed = time.perf_counter() - start
    assert len(got.packages) == 2001
    assert [p.name for p in got.packages if p.dev] == ["zz-dev"]
    assert len(got.relationships) > 6000
    assert elapsed < 1.0, f"{elapsed:.2f}s"


# -- the syft corpus --------------------------------------------------------------------

JS = "syft/pkg/cataloger/javascript"
# expected file -> (fixture, parser, dev packages compared too?)
# syft's parser tests exclude dev dependencies for package-lock (default config) and
# include them for pnpm and bun (IncludeDevDependencies: true), as the expected headers say.
CORPUS_FILES = {
    "js_bun.lock.tsv": (f"{JS}/test-fixtures/bun/bun.lock", parse_bun_lock, True),
    "js_deno.lock.tsv": (f"{JS}/test-fixtures/deno/deno.lock", parse_deno_lock, True),
    "js_package-lock_v1.tsv": (f"{JS}/testdata/pkg-lock/package-lock.json", parse_package_lock, False),
    "js_package-lock_v1_nested.tsv": (f"{JS}/testdata/pkg-lock/nested-package-lock-1.json", parse_package_lock, False),
    "js_package-lock_v2.tsv": (f"{JS}/testdata/pkg-lock/package-lock-2.json", parse_package_lock, False),
    "js_package-lock_v3.tsv": (f"{JS}/testdata/pkg-lock/package-lock-3.json", parse_package_lock, False),
    "js_pnpm_multi_doc.tsv": (f"{JS}/testdata/pnpm-multi-doc/pnpm-lock.yaml", parse_pnpm_lock, True),
    "js_pnpm_v5.tsv": (f"{JS}/testdata/pnpm/pnpm-lock.yaml", parse_pnpm_lock, True),
    "js_pnpm_v5_peer_suffix.tsv": (f"{JS}/testdata/pnpm-v5-peer-suffix/pnpm-lock.yaml", parse_pnpm_lock, True),
    "js_pnpm_v6.tsv": (f"{JS}/testdata/pnpm-v6/pnpm-lock.yaml", parse_pnpm_lock, True),
    "js_pnpm_v9.tsv": (f"{JS}/testdata/pnpm-v9/pnpm-lock.yaml", parse_pnpm_lock, True),
    "js_pnpm_v9_snapshots.tsv": (f"{JS}/testdata/pnpm-v9-snapshots/pnpm-lock.yaml", parse_pnpm_lock, True),
    "js_yarn_berry.tsv": (f"{JS}/testdata/yarn-berry/yarn.lock", parse_yarn_lock, True),
    "js_yarn_berry_dups.tsv": (f"{JS}/testdata/yarn-berry-dups/yarn.lock", parse_yarn_lock, True),
    "js_yarn_v1.tsv": (f"{JS}/testdata/yarn/yarn.lock", parse_yarn_lock, True),
    "js_yarn_v1_deps.tsv": (f"{JS}/testdata/yarn-v1-deps/yarn.lock", parse_yarn_lock, True),
    "js_yarn_v1_dups.tsv": (f"{JS}/testdata/yarn-dups/yarn.lock", parse_yarn_lock, True),
}
SPECIAL = {"js_package-lock_alias.tsv", "js_package.json_each.tsv", "js_pkg-lock_dir.tsv"}


def expected_set(rows: list[list[str]]) -> set[tuple[str, str, str]]:
    return {(r[0], r[1], r[2] if len(r) > 2 else "") for r in rows}


def got_set(got: Parsed, include_dev: bool) -> set[tuple[str, str, str]]:
    return {(p.name, p.version, p.purl) for p in got.packages if include_dev or not p.dev}


@pytest.mark.corpus
def test_corpus_files_are_all_covered():
    names = {p.name for p in corpus_path("syft", "expected").glob("js_*.tsv")}
    assert names == set(CORPUS_FILES) | SPECIAL


@pytest.mark.corpus
@pytest.mark.parametrize("expected", sorted(CORPUS_FILES))
def test_corpus_lockfile(expected):
    header, rows = read_expected(expected)
    fixture, parser, include_dev = CORPUS_FILES[expected]
    assert header["fixture"] == fixture
    got, env = parse_file(corpus_path("syft", fixture), parser)
    assert env.warnings == []
    assert got_set(got, include_dev) == expected_set(rows)


@pytest.mark.corpus
def test_corpus_package_lock_v2_dev_and_edges():
    got, _ = parse_file(corpus_path("syft", JS, "testdata", "pkg-lock", "package-lock-2.json"), parse_package_lock)
    assert versions(got)["async@3.2.4"] is True  # reported and marked, not dropped
    assert edges(got) == {  # the note: @types/prop-types, @types/scheduler, csstype -> @types/react -> npm
        ("@types/react@18.0.17", "@types/prop-types@15.7.5", "depends-on"),
        ("@types/react@18.0.17", "@types/scheduler@0.16.2", "depends-on"),
        ("@types/react@18.0.17", "csstype@3.1.0", "depends-on"),
        ("npm@6.14.6", "@types/react@18.0.17", "depends-on"),
        ("npm@6.14.6", "async@3.2.4", "dev-depends-on"),
    }


@pytest.mark.corpus
def test_corpus_package_lock_aliases():
    _, rows = read_expected("js_package-lock_alias.tsv")
    want = expected_set(rows)
    v1, _ = parse_file(corpus_path("syft", JS, "testdata", "pkg-lock", "alias-package-lock-1.json"), parse_package_lock)
    v2, _ = parse_file(corpus_path("syft", JS, "testdata", "pkg-lock", "alias-package-lock-2.json"), parse_package_lock)
    assert got_set(v2, False) == want
    assert got_set(v1, False) == {r for r in want if r[0] != "alias-check"}  # the v2 root only


@pytest.mark.corpus
def test_corpus_package_json_each():
    from assay.catalog._js.installed import package_from_manifest
    from assay.model import Location

    _, rows = read_expected("js_package.json_each.tsv")
    for name, version, purl, fixture in rows:
        doc = json.loads(corpus_path("syft", JS, fixture).read_text())
        p = package_from_manifest(doc, Location(path="/" + fixture))
        assert p is not None and (p.name, p.version, p.purl) == (name, version, purl), fixture
    partial = json.loads(corpus_path("syft", JS, "testdata", "pkg-json", "package-partial.json").read_text())
    assert package_from_manifest(partial, Location(path="/package-partial.json")) is None


@pytest.mark.corpus
def test_corpus_pkg_lock_directory():
    _, rows = read_expected("js_pkg-lock_dir.tsv")
    got, env = run(LOCKS, corpus_path("syft", JS, "testdata", "pkg-lock"))
    assert env.warnings == []
    assert got_set(got, False) == expected_set(rows)
    lic = {p.name: [l.value for l in p.licenses] for p in got.packages if p.licenses}
    assert lic == {"@actions/core": ["MIT"], "cowsay": ["MIT"]}


@pytest.mark.corpus
@pytest.mark.parametrize(
    "fixture,parser",
    [
        (f"{JS}/testdata/corrupt/package-lock.json", parse_package_lock),
        (f"{JS}/testdata/corrupt/pnpm-lock.yaml", parse_pnpm_lock),
        (f"{JS}/test-fixtures/deno/corrupt/deno.lock", parse_deno_lock),
    ],
)
def test_corpus_corrupt(fixture, parser):
    with pytest.raises(CatalogError, match=r":\d+: invalid"):
        parse_file(corpus_path("syft", fixture), parser)


@pytest.mark.corpus
def test_corpus_yarn_dev_deps():
    for d in ("yarn-dev-deps", "yarn-berry-dev-deps"):
        got, _ = parse_file(corpus_path("syft", JS, "testdata", d, "yarn.lock"), parse_yarn_lock)
        assert versions(got) == {"dev-pkg@1.0.0": True, "dev-only-transitive@1.0.0": True, "prod-pkg@1.0.0": False, "shared-pkg@1.0.0": False}, d


@pytest.mark.corpus
def test_corpus_bun_variants():
    tc, _ = parse_file(corpus_path("syft", JS, "test-fixtures", "bun-trailing-comma", "bun.lock"), parse_bun_lock)
    assert {p.name for p in tc.packages} == {"axios", "follow-redirects", "lodash"}
    vt, _ = parse_file(corpus_path("syft", JS, "test-fixtures", "bun-variable-tuples", "bun.lock"), parse_bun_lock)
    by_name = {p.name: p for p in vt.packages}
    assert set(by_name) == {"axios", "follow-redirects", "ghostty-web", "tracestrings"}
    assert by_name["ghostty-web"].metadata["integrity"].startswith("sha512-nLx3R2hPwQvmL42LbiaQvbJpPZAX")

