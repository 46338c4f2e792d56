"""assay against a real image full of language packages, checked against each ecosystem's own tools.

The image (:func:`tests.images.languages_image`, cached) is Debian bookworm
minbase + python3, then one layer each of: ``pip install --target`` of about 35
PyPI distributions; an npm project with about 100 installed packages (express's
tree, nested duplicate versions, a scoped package carrying real Go binaries,
a dev-only subtree); a Go program built offline with every kind of dependency
line, Debian's commons-lang3 jar and a static busybox (both copied out of their
.debs, so dpkg does not own them).

Ground truth comes from the trees the layers were made of, read by the tools
that installed them, never by assay's code:

* python: ``pip list --path DIR --format json`` for every directory holding
  ``*.dist-info``/``*.egg-info``;
* npm: ``npm ls --all --json`` in every project with a node_modules folder
  (every name@version in the tree, deduplicated, the project itself included)
  and ``npm ls --all --omit=dev --json`` for which of them are dev-only;
* go-module: ``go version -m`` over every tree (main module, dependencies,
  ``stdlib`` at the toolchain's version), per binary path, with ``h1:`` sums;
* java-archive: the jar's own ``META-INF/maven/*/*/pom.properties`` and its SHA-1;
* binary: busybox's own banner (``busybox --help``);
* deb: ``dpkg-query`` over the final image's dpkg database.

Each ecosystem is compared as exact sets: every package with the right version,
nothing invented; any package type the image does not hold is invented too.
So are the dependency edges (``npm ls``'s tree; Requires-Dist as pip resolves
it, read with ``importlib.metadata`` and ``packaging``; a Go binary's main
module to each of its modules), npm's dev marks, Go ``h1:`` sums, the jar's
purl and SHA-1, and the layer each package came from.  Both the OCI layout and
the docker-archive are read, through the CLI.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests import images

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CLI_TIMEOUT = 180  # seconds; one run takes a few seconds
KINDS = ("oci-dir", "docker-archive")

# Python project names are compared PEP 503-normalized (pip shows the METADATA spelling,
# "Jinja2"; the normalized name is the project's identity); the spelling itself is
# checked separately against the package's metadata.
_SEP = re.compile(r"[-_.]+")


def pep503(name: str) -> str:
    return _SEP.sub("-", name).lower()


# --- ground truth ---------------------------------------------------------------------------------


@dataclass
class Truth:
    """What the ecosystems' own tools say the image holds, per package type."""

    packages: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)  # type -> keys (see _key)
    python_spelling: dict[tuple[str, ...], str] = field(default_factory=dict)  # (normalized, version) -> pip's name
    npm_prod: set[tuple[str, ...]] = field(default_factory=set)
    go_sums: dict[tuple[str, ...], str] = field(default_factory=dict)  # (binary, module, version) -> h1:
    jars: dict[str, tuple[str, str, str, str]] = field(default_factory=dict)  # image path -> (group, artifact, version, sha1)
    layer_of: dict[str, int] = field(default_factory=dict)  # image path prefix -> layer index
    edges: dict[str, set[tuple[tuple[str, ...], tuple[str, ...], str]]] = field(default_factory=dict)  # type -> (from, to, rel)


def _run(cmd: list[str], cwd: Path | None = None, ok: Iterable[int] = (0,)) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode not in ok:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return proc.stdout


def python_truth(trees: Iterable[Path], truth: Truth) -> None:
    """``pip list --path`` of every directory that holds distribution metadata."""
    got: set[tuple[str, ...]] = set()
    edges: set[tuple[tuple[str, ...], tuple[str, ...], str]] = set()
    for tree in trees:
        for d, dirs, files in os.walk(tree):
            if any(n.endswith((".dist-info", ".egg-info")) for n in (*dirs, *files)):
                for row in json.loads(_run([sys.executable, "-m", "pip", "list", "--path", d, "--format", "json", "--disable-pip-version-check"])):
                    key = (pep503(row["name"]), row["version"])
                    got.add(key)
                    truth.python_spelling[key] = row["name"]
                edges |= python_edges(Path(d))
    truth.packages["python"] = got
    truth.edges["python"] = edges


def python_edges(site: Path) -> set[tuple[tuple[str, ...], tuple[str, ...], str]]:
    """Requires-Dist edges between the distributions of ``site``, as pip resolves them: markers
    evaluated for this Python; a requirement under an extra only when some dependency asks for
    ``pkg[extra]`` (nobody asks for one here).  Read with ``importlib.metadata`` and ``packaging``."""
    import importlib.metadata

    from packaging.requirements import Requirement

    dists = {pep503(d.metadata["Name"]): d for d in importlib.metadata.distributions(path=[str(site)])}
    reqs = {name: [Requirement(line) for line in d.requires or ()] for name, d in dists.items()}
    edges: set[tuple[tuple[str, ...], tuple[str, ...], str]] = set()
    queue = [(name, "") for name in dists]
    seen = set(queue)
    while queue:
        name, extra = queue.pop()
        for req in reqs[name]:
            base = req.marker is None or req.marker.evaluate({"extra": ""})
            # the base requirements, or those that only this extra brings
            holds = not extra and base or bool(extra) and req.marker is not None and not base and req.marker.evaluate({"extra": extra})
            dep = pep503(req.name)
            if not holds or dep not in dists:
                continue
            edges.add(((name, dists[name].version), (dep, dists[dep].version), "depends-on"))
            for e in req.extras:
                if (dep, pep503(e)) not in seen:
                    seen.add((dep, pep503(e)))
                    queue.append((dep, pep503(e)))
    return edges


def _flatten(node: dict, out: set[tuple[str, str]], edges: set | None = None, dev: Iterable[str] = ()) -> None:
    """Every installed name@version below ``node`` of ``npm ls --json`` (and parent -> child edges,
    those to the root's devDependencies marked dev)."""
    here = (node.get("name", ""), node.get("version", ""))
    for name, child in (node.get("dependencies") or {}).items():
        if not child.get("version") or child.get("missing"):  # optional deps for other platforms have no version
            continue
        nv = (child.get("name", name), child["version"])
        out.add(nv)
        if edges is not None:
            edges.add((here, nv, "dev-depends-on" if name in dev else "depends-on"))
        child = {**child, "name": nv[0]}
        _flatten(child, out, edges)


def npm_truth(trees: Iterable[Path], truth: Truth) -> None:
    """``npm ls --all --json`` in every project (a folder with node_modules, not inside one);
    package.json files elsewhere outside node_modules (name and version) are packages too."""
    allp: set[tuple[str, ...]] = set()
    edges: set[tuple[tuple[str, ...], tuple[str, ...], str]] = set()
    for tree in trees:
        for d, dirs, files in os.walk(tree):
            if "node_modules" in Path(d).parts:
                dirs[:] = []
                continue
            if "package.json" in files:
                manifest = json.loads(Path(d, "package.json").read_bytes())
                if manifest.get("name") and manifest.get("version"):
                    allp.add((manifest["name"], manifest["version"]))
                    truth.npm_prod.add((manifest["name"], manifest["version"]))
            if "node_modules" in dirs:
                everything: set[tuple[str, str]] = set()
                prod: set[tuple[str, str]] = set()
                dev = json.loads(Path(d, "package.json").read_bytes()).get("devDependencies") or {}
                _flatten(json.loads(_run(["npm", "ls", "--all", "--json"], cwd=Path(d))), everything, edges, dev)
                _flatten(json.loads(_run(["npm", "ls", "--all", "--omit=dev", "--json"], cwd=Path(d))), prod)
                allp |= everything
                truth.npm_prod |= prod
    truth.packages["npm"] = allp
    truth.edges["npm"] = edges


def _replaced(dep: tuple[str, str], repl: tuple[str, str]) -> tuple[str, str]:
    """A dependency replaced by another module is that module; replaced by a local
    directory it keeps its path, at the directory's version ``(devel)``."""
    path, version = repl
    if path.startswith(("./", "../", "/")):
        return dep[0], version
    return path, version


def go_truth(trees: Iterable[Path], truth: Truth) -> None:
    """``go version -m`` over every tree: per binary, its modules and ``stdlib``."""
    got: set[tuple[str, ...]] = set()
    mains: dict[str, tuple[str, ...]] = {}
    for tree in trees:
        out = _run(["go", "version", "-m", str(tree)])
        binary = ""
        last: tuple[str, str] | None = None
        for line in out.splitlines():
            if not line.startswith("\t"):
                host_path, _, go_version = line.rpartition(": ")
                binary = "/" + Path(host_path).relative_to(tree).as_posix()
                got.add((binary, "stdlib", go_version.strip()))
                continue
            cols = line.strip("\t").split("\t")
            if cols[0] in ("mod", "dep"):
                last = (cols[1], cols[2])
                got.add((binary, *last))
                if cols[0] == "mod":
                    mains[binary] = (binary, *last)
                if len(cols) > 3 and cols[3]:
                    truth.go_sums[(binary, *last)] = cols[3]
            elif cols[0] == "=>":
                assert last is not None, line
                got.discard((binary, *last))
                truth.go_sums.pop((binary, *last), None)
                new = _replaced(last, (cols[1], cols[2]))
                got.add((binary, *new))
                if len(cols) > 3 and cols[3]:
                    truth.go_sums[(binary, *new)] = cols[3]
            elif cols[0] == "build":
                # with VCS stamps or -ldflags the main module's "(devel)" would be refined; none here
                assert not cols[1].startswith(("vcs.", "-ldflags")), f"{binary}: {line.strip()}"
    truth.packages["go-module"] = got
    truth.edges["go-module"] = {(mains[k[0]], k, "depends-on") for k in got if k != mains[k[0]]}  # main -> every module


def java_truth(trees: Iterable[Path], truth: Truth) -> None:
    """Every jar's pom.properties (one per jar here) and SHA-1."""
    got: set[tuple[str, ...]] = set()
    for tree in trees:
        for d, _, files in os.walk(tree):
            for f in files:
                if not f.endswith(".jar") or Path(d, f).is_symlink():
                    continue
                data = Path(d, f).read_bytes()
                with zipfile.ZipFile(Path(d, f)) as z:
                    props = [n for n in z.namelist() if n.startswith("META-INF/maven/") and n.endswith("/pom.properties")]
                    assert len(props) == 1, f"{f}: {props}"
                    kv = dict(
                        line.split("=", 1) for line in z.read(props[0]).decode().splitlines() if "=" in line and not line.startswith("#")
                    )
                path = "/" + Path(d, f).relative_to(tree).as_posix()
                truth.jars[path] = (kv["groupId"].strip(), kv["artifactId"].strip(), kv["version"].strip(), hashlib.sha1(data).hexdigest())
                got.add((kv["artifactId"].strip(), kv["version"].strip()))
    truth.packages["java-archive"] = got


def binary_truth(binaries: Path, truth: Truth) -> None:
    """busybox says its own version; dpkg-owned runtimes (python3.11) are not expected."""
    banner = _run([str(binaries / images.LANG_BUSYBOX), "--help"], ok=(0, 1)).splitlines()[0]
    m = re.match(r"BusyBox v(\d+\.\d+\.\d+)", banner)
    assert m, banner
    truth.packages["binary"] = {("busybox", m[1])}


@pytest.fixture(scope="module")
def lang() -> images.LanguagesImage:
    images.require("npm", "go", "dpkg-query")
    return images.languages_image()


@pytest.fixture(scope="module")
def truth(lang: images.LanguagesImage) -> Truth:
    t = Truth()
    python_truth(lang.trees, t)
    npm_truth(lang.trees, t)
    go_truth(lang.trees, t)
    java_truth(lang.trees, t)
    binary_truth(lang.binaries, t)
    t.packages["deb"] = {(n, v) for n, v, _ in lang.image.dpkg_packages()}
    t.layer_of = {f"/{images.LANG_SITE}/": 1, f"/{images.LANG_APP}/": 2, f"/{images.LANG_GO_BINARY}": 3,
                  f"/{images.LANG_JAR}": 3, f"/{images.LANG_BUSYBOX}": 3}
    return t


# --- assay's view ---------------------------------------------------------------------------------


def _key(p: dict) -> tuple[str, ...]:
    """How a package is compared: python by normalized name, go per binary, the rest by name."""
    if p["type"] == "python":
        return (pep503(p["name"]), p["version"])
    if p["type"] == "go-module":
        return (p["locations"][0]["path"], p["name"], p["version"])
    return (p["name"], p["version"])


@pytest.fixture(scope="module", params=KINDS)
def sbom(request: pytest.FixtureRequest, lang: images.LanguagesImage, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """assay's SBOM (assay-json, through the CLI) of the image read as ``request.param``."""
    uri = lang.image.oci_dir if request.param == "oci-dir" else f"docker-archive:{lang.image.docker_archive()}"
    out = tmp_path_factory.mktemp("sbom") / "sbom.json"
    cmd = [sys.executable, "-m", "assay", "-q", "sbom", uri, "-o", f"assay-json={out}"]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, timeout=CLI_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"assay sbom {uri} did not finish in {CLI_TIMEOUT} s")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_bytes())


def _diff(name: str, expected: set, got: set) -> str:
    missing, invented = sorted(expected - got), sorted(got - expected)
    return (f"{name}: {len(expected & got)} match, {len(missing)} missing {missing[:8]}, "
            f"{len(invented)} invented {invented[:8]}")


# --- tests ----------------------------------------------------------------------------------------


def test_ground_truth_is_what_the_image_was_built_to_hold(truth: Truth) -> None:
    """The recipe gave the promised sizes, so the comparisons below are not vacuous."""
    t = truth.packages
    assert len(t["python"]) >= 30 and ("flask", "3.0.3") in t["python"]
    assert len(t["npm"]) >= 50 and ("express", "4.19.2") in t["npm"]
    assert {v for n, v in t["npm"] if n == "is-number"} >= {"7.0.0", "6.0.0", "3.0.0"}  # nested versions
    assert t["npm"] - truth.npm_prod, "no dev-only npm packages"
    binaries = {b for b, _, _ in t["go-module"]}
    assert f"/{images.LANG_GO_BINARY}" in binaries and len(binaries) >= 2
    assert (f"/{images.LANG_GO_BINARY}", "example.com/assay/legacy", "v1.0.0") not in t["go-module"]  # replaced
    assert (f"/{images.LANG_GO_BINARY}", "example.com/assay/fork", "v0.4.0") in t["go-module"]
    assert (f"/{images.LANG_GO_BINARY}", "example.com/assay/lib", "(devel)") in t["go-module"]
    assert t["java-archive"] == {("commons-lang3", "3.12.0")}
    assert len(t["deb"]) > 80 and any(n == "python3.11-minimal" for n, _ in t["deb"])


@pytest.mark.parametrize("eco", ["deb", "python", "npm", "go-module", "java-archive", "binary"])
def test_packages_equal_ground_truth(sbom: dict, truth: Truth, eco: str) -> None:
    got = {_key(p) for p in sbom["packages"] if p["type"] == eco}
    expected = truth.packages[eco]
    assert got == expected, _diff(eco, expected, got)


def test_no_package_of_a_type_the_image_does_not_hold(sbom: dict, truth: Truth) -> None:
    others = sorted({(p["type"], p["name"], p["version"]) for p in sbom["packages"] if p["type"] not in truth.packages})
    assert not others, f"invented: {others[:10]}"


def test_python_names_keep_their_metadata_spelling(sbom: dict, truth: Truth) -> None:
    for p in sbom["packages"]:
        if p["type"] == "python":
            key = _key(p)
            assert p.get("metadata", {}).get("name") == truth.python_spelling.get(key), p["name"]
            assert p["purl"] == f"pkg:pypi/{p['name']}@{p['version']}"


def test_npm_dev_packages_are_marked(sbom: dict, truth: Truth) -> None:
    """Packages only devDependencies reach are reported with dev=True, the others without."""
    dev = {_key(p) for p in sbom["packages"] if p["type"] == "npm" and p.get("dev")}
    prod = {_key(p) for p in sbom["packages"] if p["type"] == "npm" and not p.get("dev")}
    expected_dev = truth.packages["npm"] - truth.npm_prod
    assert dev == expected_dev, _diff("npm dev", expected_dev, dev)
    assert prod == truth.npm_prod, _diff("npm prod", truth.npm_prod, prod)


def test_go_modules_carry_their_h1_sums(sbom: dict, truth: Truth) -> None:
    got = {_key(p): p.get("metadata", {}).get("h1Digest") for p in sbom["packages"] if p["type"] == "go-module"}
    wrong = {k: (v, got.get(k)) for k, v in truth.go_sums.items() if got.get(k) != v}
    assert not wrong, f"{len(wrong)} of {len(truth.go_sums)} h1 sums differ, e.g. {list(wrong.items())[:3]}"


def test_jar_identity_and_digest(sbom: dict, truth: Truth) -> None:
    jars = [p for p in sbom["packages"] if p["type"] == "java-archive"]
    got = {p["locations"][0]["path"]: p for p in jars}
    assert set(got) == set(truth.jars)
    for path, (group, artifact, version, sha1) in truth.jars.items():
        p = got[path]
        assert p["purl"] == f"pkg:maven/{group}/{artifact}@{version}"
        assert {"algorithm": "sha1", "value": sha1} in p.get("digests", []), p.get("digests")


def _expected_layer(truth: Truth, path: str) -> int | None:
    return next((i for prefix, i in truth.layer_of.items() if path.startswith(prefix)), None)


def test_language_packages_are_located_in_their_layers(sbom: dict, truth: Truth, lang: images.LanguagesImage) -> None:
    """Every language package's first location names the layer its files came from."""
    diff_ids = lang.image.diff_ids
    wrong = []
    for p in sbom["packages"]:
        if p["type"] != "deb":
            loc = p["locations"][0]
            want = _expected_layer(truth, loc["path"])
            if want is None or loc.get("layer") != diff_ids[want]:
                wrong.append((p["type"], p["name"], loc["path"], loc.get("layer"), want))
    assert not wrong, f"{len(wrong)} packages located in an unexpected layer: {wrong[:5]}"


def test_package_layer_is_set_for_every_type(sbom: dict) -> None:
    """``Package.layer`` (the layer that introduced the package) is filled for image packages
    of every type, equal to the layer of its first location for language packages."""
    wrong = sorted({(p["type"], p.get("found_by", "")) for p in sbom["packages"]
                    if not p.get("layer") or (p["type"] != "deb" and p["layer"] != p["locations"][0].get("layer"))})
    assert not wrong, f"packages without their layer, by (type, cataloger): {wrong}"


@pytest.mark.parametrize("eco", ["python", "npm", "go-module"])
def test_dependency_edges_equal_ground_truth(sbom: dict, truth: Truth, eco: str) -> None:
    """Edges between packages (by name and version) equal what the ecosystem's tools say."""
    by_id = {p["id"]: _key(p) for p in sbom["packages"] if p["type"] == eco}
    got = {(by_id[r["source"]], by_id[r["target"]], r["type"]) for r in sbom["relationships"]
           if r["source"] in by_id and r["target"] in by_id}
    expected = truth.edges[eco]
    assert got == expected, _diff(f"{eco} edges", expected, got)
