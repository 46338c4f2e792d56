"""Real container images for the slow tests and the benchmark, built with Debian's own tools.

A Debian bookworm root filesystem comes from ``debootstrap --variant=minbase``;
a second tree holds real language packages (pip ``--target`` and ``npm
install``).  ``umoci`` packs them as an OCI layout with OCI labels, one layer
each, plus a third layer made by ``dpkg --install hello`` (so packages come from
different layers and layer attribution can be checked), and ``skopeo`` converts
that layout to a docker-archive or an oci-archive.

Every slow step is cached under ``$ASSAY_TEST_CACHE`` (default
``~/.cache/assay-tests``) by a key derived from everything that goes into it,
built in a temporary directory next to its final place and renamed into place
only when complete, under a file lock so parallel test workers never build the
same thing twice.  A cold build of the bookworm image takes about 35 s (25 s of
it debootstrap); a warm one is free.

When a tool is missing, :func:`require` skips the calling test and names the
Debian package that provides it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BOOKWORM_LABELS",
    "NPM_PACKAGES",
    "PIP_PACKAGES",
    "TOOLS",
    "BuiltImage",
    "LanguagesImage",
    "binaries_tree",
    "bookworm_extras",
    "bookworm_image",
    "bookworm_rootfs",
    "build_image",
    "cache_dir",
    "cached",
    "deb_tree",
    "debian_mirror",
    "debootstrap",
    "download_debs",
    "dpkg_install",
    "dpkg_query",
    "go_binary",
    "image_layers",
    "language_tree",
    "languages_image",
    "missing_tools",
    "npm_tree",
    "pack_oci",
    "pip_tree",
    "require",
    "to_docker_archive",
    "to_oci_archive",
]

# Bump when a recipe below changes in a way the cache keys do not capture.
RECIPE_VERSION = "1"

# tool -> Debian package that provides it (named in skip reasons and for CI).
TOOLS: dict[str, str] = {
    "debootstrap": "debootstrap",
    "umoci": "umoci",
    "skopeo": "skopeo",
    "dpkg-query": "dpkg",
    "dpkg": "dpkg",
    "apt-get": "apt",
    "npm": "npm",
    "go": "golang-go",
    "dpkg-deb": "dpkg",
}

PIP_PACKAGES: tuple[str, ...] = ("six==1.16.0", "idna==3.7")
# is-odd@3.0.1 depends on is-number@^6, so npm nests a second is-number below it.
NPM_PACKAGES: tuple[str, ...] = ("is-number@7.0.0", "is-odd@3.0.1")
SITE_PACKAGES = "usr/local/lib/python3.11/site-packages"
NPM_PREFIX = "srv/app"

BOOKWORM_LABELS: dict[str, str] = {
    "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567",
    "org.opencontainers.image.source": "https://git.example.org/assay/bookworm-fixture",
    "org.opencontainers.image.created": "2024-01-02T03:04:05Z",
    "org.opencontainers.image.title": "assay bookworm test image",
}


def cache_dir() -> Path:
    """Where built images live between runs (created on demand)."""
    base = os.environ.get("ASSAY_TEST_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "assay-tests")
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def missing_tools(*tools: str) -> list[str]:
    """The tools among ``tools`` not on PATH (and "root" when not running as root)."""
    missing = [t for t in tools if shutil.which(t) is None]
    if "debootstrap" in tools and os.geteuid() != 0:
        missing.append("root")
    return missing


def require(*tools: str) -> None:
    """Skip the calling test unless every tool is installed (debootstrap also needs root)."""
    missing = missing_tools(*tools)
    if not missing:
        return
    import pytest

    pkgs = sorted({TOOLS.get(t, t) for t in missing if t != "root"})
    parts = []
    if pkgs:
        parts.append(f"{', '.join(m for m in missing if m != 'root')} not installed (apt-get install {' '.join(pkgs)})")
    if "root" in missing:
        parts.append("debootstrap needs root")
    pytest.skip("; ".join(parts))


def debian_mirror() -> str:
    """The Debian mirror apt uses (``$ASSAY_DEBIAN_MIRROR`` overrides), for debootstrap."""
    env = os.environ.get("ASSAY_DEBIAN_MIRROR")
    if env:
        return env.rstrip("/")
    files = [Path("/etc/apt/sources.list")]
    d = Path("/etc/apt/sources.list.d")
    if d.is_dir():
        files.extend(sorted(d.iterdir()))
    for f in files:
        try:
            text = f.read_text(errors="replace")
        except OSError:
            continue
        if f.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                lines = (line.partition(":") for line in stanza.splitlines() if line and not line.startswith("#"))
                fields = {k.strip().lower(): v.strip() for k, _, v in lines}
                if "bookworm" in fields.get("suites", "").split() and "main" in fields.get("components", "").split():
                    return fields.get("uris", "").split()[0].rstrip("/")
        else:
            for line in text.splitlines():
                words = [w for w in re.sub(r"\[[^]]*\]", "", line).split()]
                if len(words) >= 4 and words[0] == "deb" and words[2] == "bookworm" and "main" in words[3:]:
                    return words[1].rstrip("/")
    return "http://deb.debian.org/debian"


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps([RECIPE_VERSION, *parts], sort_keys=True, default=str).encode()).hexdigest()[:16]


def cached(name: str, build: Callable[[Path], None]) -> Path:
    """Return ``cache_dir()/name``, calling ``build(tmp)`` once to create it.

    ``build`` fills a fresh temporary path (a directory that exists, or a file it
    creates at that path) which is renamed to the final name only on success.  A
    lock file serialises builders across processes; leftovers of a builder that
    died are removed before building again.
    """
    root = cache_dir()
    final = root / name
    if final.exists():
        return final
    with open(root / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.exists():
            return final
        for stale in root.glob(f".{name}.tmp*"):
            _remove(stale)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp", dir=root))
        try:
            build(tmp)
            os.rename(tmp, final)
        except BaseException:
            _remove(tmp)
            raise
    return final


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _run(cmd: Sequence[str | os.PathLike[str]], **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure raise with its output tail so the test log says why."""
    proc = subprocess.run([str(c) for c in cmd], check=False, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{tail}")
    return proc


# --- root filesystems ---------------------------------------------------------------------------


def debootstrap(include: Sequence[str] = (), suite: str = "bookworm", *, mirror: str | None = None) -> Path:
    """A cached ``debootstrap --variant=minbase`` root, with extra packages in ``include``.

    Like Debian's official images it drops apt's package lists and caches, so
    the tree is what an image holds.
    """
    mirror = mirror or debian_mirror()
    include = tuple(sorted(include))
    name = f"{suite}-minbase-{_key('debootstrap', suite, mirror, include)}"

    def build(tmp: Path) -> None:
        target = tmp / "rootfs"
        cmd = ["debootstrap", "--variant=minbase"]
        if include:
            cmd.append("--include=" + ",".join(include))
        _run([*cmd, suite, target, mirror])
        for sub in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for p in (target / sub).glob("*"):
                if p.is_file() and p.name != "lock":
                    p.unlink()
        for p in (target / "var/cache/apt").glob("*.bin"):
            p.unlink()

    return cached(name, build) / "rootfs"


def bookworm_rootfs() -> Path:
    """A minimal Debian bookworm root filesystem (about 90 real dpkg packages)."""
    require("debootstrap")
    return debootstrap()


def language_tree(pip: Sequence[str] = PIP_PACKAGES, npm: Sequence[str] = NPM_PACKAGES, *, pip_deps: bool = False) -> Path:
    """A cached tree holding real pip packages under /usr/local/lib/python3.11/site-packages
    and an npm project under /srv/app, to be laid over a root filesystem as its own layer.
    pip installs only the named packages unless ``pip_deps``; npm installs dependencies."""
    name = f"lang-{_key('lang', list(pip), list(npm), pip_deps)}"

    def build(tmp: Path) -> None:
        tree = tmp / "tree"
        if pip:
            site = tree / SITE_PACKAGES
            site.mkdir(parents=True)
            _run(
                [sys.executable, "-m", "pip", "install", "--quiet", *([] if pip_deps else ["--no-deps"]), "--no-compile", "--disable-pip-version-check",
                 "--no-input", "--target", site, *pip]
            )
        if npm:
            app = tree / NPM_PREFIX
            app.mkdir(parents=True)
            (app / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", "private": True}, indent=2) + "\n")
            _run(["npm", "install", "--prefix", app, "--no-audit", "--no-fund", "--no-update-notifier", "--save-exact", *npm],
                 cwd=app)

    if npm:
        require("npm")
    return cached(name, build) / "tree"


def bookworm_extras() -> Path:
    """The language-package tree used as the bookworm image's second layer."""
    return language_tree()


def dpkg_query(admindir: Path) -> set[tuple[str, str, str]]:
    """(name, version, arch) of every package dpkg lists as installed in ``admindir``
    (a ``var/lib/dpkg`` directory)."""
    require("dpkg-query")
    out = _run(
        ["dpkg-query", f"--admindir={admindir}", "-W", "-f", "${db:Status-Abbrev}\t${Package}\t${Version}\t${Architecture}\n"]
    ).stdout
    rows = set()
    for line in out.splitlines():
        status, name, version, arch = line.split("\t")
        if status.startswith("ii"):
            rows.add((name, version, arch))
    return rows


# --- packing ------------------------------------------------------------------------------------


Layer = Path | Callable[[Path], None]


def pack_oci(
    rootfs: Path,
    layout: Path,
    tag: str,
    *,
    extra_layers: Sequence[Layer] = (),
    labels: Mapping[str, str] | None = None,
    created: str = "2024-01-02T03:04:05Z",
    keep_dpkg: Path | None = None,
) -> None:
    """Pack ``rootfs`` and then each of ``extra_layers`` on top, one layer each, into the
    OCI layout ``layout`` under ``tag`` with umoci, setting ``labels`` in the image config.

    A layer is a tree copied over the root so far, or a function that changes
    the root in place (e.g. installs a .deb with dpkg).  The trees are copied into
    an unpacked umoci bundle and repacked (``umoci insert`` is avoided: it writes
    broken tars).  Ownership is kept, so run as root.  ``keep_dpkg``, when given,
    receives a copy of the final ``/var/lib/dpkg`` (for ``dpkg-query --admindir``).
    """
    require("umoci")
    ref = f"{layout}:{tag}"
    if not (layout / "index.json").exists():
        _run(["umoci", "init", "--layout", layout])
    _run(["umoci", "new", "--image", ref])
    cfg = ["umoci", "config", "--image", ref, "--created", created, "--os", "linux", "--architecture", _goarch(),
           "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "--config.cmd", "bash",
           "--history.created", created, "--history.created_by", "assay tests: image config"]
    for k, v in sorted((labels or {}).items()):
        cfg += ["--config.label", f"{k}={v}"]
    _run(cfg)
    with tempfile.TemporaryDirectory(prefix="umoci-bundle-", dir=layout.parent) as tmp:
        bundle = Path(tmp) / "bundle"
        _run(["umoci", "unpack", "--image", ref, bundle])
        for i, layer in enumerate([rootfs, *extra_layers]):
            if callable(layer):
                layer(bundle / "rootfs")
                what = getattr(layer, "__doc__", None) or getattr(layer, "__name__", "a change")
            else:
                _run(["cp", "-a", "--", f"{layer}/.", bundle / "rootfs"])
                what = f"copy of {Path(layer).parent.name}"
            _run(["umoci", "repack", "--refresh-bundle", "--image", ref, "--history.created", created,
                  "--history.created_by", f"assay tests: layer {i}: {what}", bundle])
        if keep_dpkg is not None:
            _run(["cp", "-a", "--", bundle / "rootfs/var/lib/dpkg", keep_dpkg])
    _run(["umoci", "gc", "--layout", layout])


def download_debs(*names: str) -> list[Path]:
    """Cached ``apt-get download NAMES`` from the host's apt (the host must be bookworm too)."""
    require("apt-get")
    name = f"debs-{_key('debs', sorted(names))}"

    def build(tmp: Path) -> None:
        tmp.chmod(0o755)  # lets apt's sandbox user write there
        try:
            _run(["apt-get", "download", "-q", *names], cwd=tmp)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n(run apt-get update first?)") from None

    return sorted(cached(name, build).glob("*.deb"))


def dpkg_install(debs: Sequence[Path]) -> Callable[[Path], None]:
    """A layer function: ``dpkg --root=ROOT --install DEBS`` (packages without maintainer scripts)."""

    def install(root: Path) -> None:
        _run(["dpkg", f"--root={root}", "--force-not-root", "--log=/dev/null", "--install", *debs])

    install.__doc__ = "dpkg --install " + " ".join(d.name for d in debs)
    return install


def _goarch() -> str:
    machine = os.uname().machine
    return {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}.get(machine, machine)


def to_docker_archive(layout: Path, tag: str, out: Path, name: str | None = None) -> None:
    """``skopeo copy oci:LAYOUT:TAG docker-archive:OUT:NAME:TAG`` (layers end up uncompressed)."""
    require("skopeo")
    name = name or "assay-test/image"
    _run(["skopeo", "--insecure-policy", "copy", "--quiet", f"oci:{layout}:{tag}", f"docker-archive:{out}:{name}:{tag}"])


def to_oci_archive(layout: Path, tag: str, out: Path) -> None:
    """``skopeo copy oci:LAYOUT:TAG oci-archive:OUT:TAG``."""
    require("skopeo")
    _run(["skopeo", "--insecure-policy", "copy", "--quiet", f"oci:{layout}:{tag}", f"oci-archive:{out}:{tag}"])


def image_layers(layout: Path, tag: str) -> tuple[list[str], list[str]]:
    """(layer blob digests, layer diff-ids) of ``tag`` in an OCI layout, base layer first."""
    index = json.loads((layout / "index.json").read_text())
    for desc in index["manifests"]:
        if desc.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag:
            break
    else:
        raise KeyError(f"{tag} not in {layout}")
    manifest = json.loads(_blob(layout, desc["digest"]))
    config = json.loads(_blob(layout, manifest["config"]["digest"]))
    return [l["digest"] for l in manifest["layers"]], list(config["rootfs"]["diff_ids"])


def _blob(layout: Path, digest: str) -> bytes:
    algo, _, hexd = digest.partition(":")
    return (layout / "blobs" / algo / hexd).read_bytes()


# --- the bookworm test image --------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltImage:
    """A cached test image in every on-disk form the tests read."""

    rootfs: Path  # the base layer's tree
    layout: Path  # OCI layout directory
    tag: str
    labels: Mapping[str, str]
    admindir: Path  # copy of the final image's /var/lib/dpkg (for dpkg-query --admindir)
    layer_digests: tuple[str, ...]  # blob digests in the OCI layout (gzip), base first
    diff_ids: tuple[str, ...]  # digests of the uncompressed layer tars, base first

    @property
    def oci_dir(self) -> str:
        return f"oci-dir:{self.layout}:{self.tag}"

    def docker_archive(self, name: str = "assay-test/image") -> Path:
        """The image as ``docker save`` would write it, layers uncompressed (cached)."""
        key = f"docker-archive-{_key('docker', self.layout.parent.name, self.tag, name)}"
        return cached(key, lambda tmp: to_docker_archive(self.layout, self.tag, tmp / "image.tar", name)) / "image.tar"

    def oci_archive(self) -> Path:
        """The image as an oci-archive tar (cached)."""
        key = f"oci-archive-{_key('oci-archive', self.layout.parent.name, self.tag)}"
        return cached(key, lambda tmp: to_oci_archive(self.layout, self.tag, tmp / "image.tar")) / "image.tar"

    def dpkg_packages(self) -> set[tuple[str, str, str]]:
        """What dpkg-query says is installed in the final image: (name, version, arch)."""
        return dpkg_query(self.admindir)


def build_image(rootfs: Path, extra_layers: Sequence[Layer], tag: str, labels: Mapping[str, str]) -> BuiltImage:
    """Pack (cached) an OCI layout of ``rootfs`` plus ``extra_layers``, see :func:`pack_oci`.

    The cache key names the cached inputs (whose own names are content keys) and
    the docstrings of layer functions, which say what they do.
    """
    require("umoci")
    parts = [rootfs.parent.name, [l.__doc__ if callable(l) else Path(l).parent.name for l in extra_layers], tag, dict(labels)]
    name = f"oci-{_key('oci', parts)}"

    def build(tmp: Path) -> None:
        pack_oci(rootfs, tmp / "layout", tag, extra_layers=extra_layers, labels=labels, keep_dpkg=tmp / "dpkg")

    out = cached(name, build)
    digests, diff_ids = image_layers(out / "layout", tag)
    return BuiltImage(rootfs, out / "layout", tag, dict(labels), out / "dpkg", tuple(digests), tuple(diff_ids))


def bookworm_image() -> BuiltImage:
    """The bookworm test image, three layers: debootstrap minbase; pip and npm packages
    (six, idna; is-number, is-odd); ``hello`` installed by dpkg (its own layer, so
    package layers differ)."""
    require("debootstrap", "umoci", "skopeo", "npm", "dpkg")
    rootfs = bookworm_rootfs()
    return build_image(rootfs, [bookworm_extras(), dpkg_install(download_debs("hello"))], "bookworm", BOOKWORM_LABELS)


# --- the languages image (issue 5: real language packages, ground truth from their own tools) ----

# Top-level pins; pip resolves their dependencies (about 35 distributions, pure and binary wheels).
LANG_PIP: tuple[str, ...] = (
    "requests==2.32.3", "flask==3.0.3", "attrs==23.2.0", "rich==13.7.1", "pyyaml==6.0.1", "pydantic==2.7.1",
    "httpx==0.27.0", "python-dateutil==2.9.0.post0", "pytz==2024.1", "packaging==24.0", "jsonschema==4.22.0",
    "tabulate==0.9.0", "toml==0.10.2",
)
# About 100 installed packages: express's tree, several versions of debug/ms/is-number nested,
# a scoped package whose platform-specific optional dependency carries real Go binaries (buf).
LANG_NPM: tuple[str, ...] = (
    "express@4.19.2", "lodash@4.17.21", "axios@1.6.8", "chalk@4.1.2", "commander@12.0.0", "debug@4.3.4",
    "semver@7.6.0", "uuid@9.0.1", "is-odd@3.0.1", "is-number@7.0.0", "@bufbuild/buf@1.75.0",
)
LANG_NPM_DEV: tuple[str, ...] = ("is-even@1.0.0",)  # dev-only subtree: is-even -> is-odd@0.1 -> is-number@3 -> kind-of
LANG_BASE_DEBS: tuple[str, ...] = ("python3",)  # a Python service's base: Debian's interpreter, owned by dpkg
LANG_SITE = "usr/local/lib/python3.11/dist-packages"  # where pip puts packages for Debian's python3
LANG_APP = "srv/app"
LANG_GO_BINARY = "usr/local/bin/hello-go"
LANG_JAR = "opt/app/lib/commons-lang3.jar"
LANG_BUSYBOX = "usr/local/bin/busybox"
LANG_LABELS: dict[str, str] = {"org.opencontainers.image.title": "assay languages test image"}

# A tiny Go program whose build info has every kind of dependency line, built offline:
# a module from a file:// GOPROXY (with an h1: sum), a module replaced by another module
# path (a fork, also from the proxy) and one replaced by a local directory.
GO_PROXY_MODULES: dict[tuple[str, str], tuple[str, dict[str, str]]] = {
    # (module path, version) -> (the path its go.mod declares, files)
    ("example.com/assay/greet", "v1.2.3"): (
        "example.com/assay/greet", {"greet.go": 'package greet\n\nfunc Hello(n string) string { return "hello, " + n }\n'}),
    ("example.com/assay/fork", "v0.4.0"): (
        "example.com/assay/legacy", {"legacy.go": 'package legacy\n\nconst Name = "legacy (fork)"\n'}),
}
GO_BUILD_FLAGS: tuple[str, ...] = ("-trimpath", "-buildvcs=false")  # no VCS here: the main module stays "(devel)"
GO_SOURCES: dict[str, str] = {
    "lib/go.mod": "module example.com/assay/lib\n\ngo 1.19\n",
    "lib/lib.go": "package lib\n\nconst Answer = 42\n",
    "app/go.mod": (
        "module example.com/assay/app\n\ngo 1.19\n\nrequire (\n\texample.com/assay/greet v1.2.3\n"
        "\texample.com/assay/legacy v1.0.0\n\texample.com/assay/lib v0.0.0\n)\n\n"
        "replace example.com/assay/legacy v1.0.0 => example.com/assay/fork v0.4.0\n\n"
        "replace example.com/assay/lib => ../lib\n"
    ),
    "app/main.go": (
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/assay/greet"\n\t"example.com/assay/legacy"\n'
        '\t"example.com/assay/lib"\n)\n\n'
        'func main() { fmt.Println(greet.Hello("assay"), legacy.Name, lib.Answer) }\n'
    ),
}


def _write_go_proxy(root: Path) -> None:
    """A file:// GOPROXY holding :data:`GO_PROXY_MODULES` (info, mod and zip per version)."""
    import zipfile

    for (path, version), (declared, files) in GO_PROXY_MODULES.items():
        d = root / path / "@v"
        d.mkdir(parents=True, exist_ok=True)
        gomod = f"module {declared}\n\ngo 1.19\n"
        (d / f"{version}.mod").write_text(gomod)
        (d / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2024-01-02T03:04:05Z"}))
        with zipfile.ZipFile(d / f"{version}.zip", "w") as z:
            for name, text in {"go.mod": gomod, **files}.items():
                z.writestr(f"{path}@{version}/{name}", text)
        (d / "list").write_text(version + "\n")


def go_binary() -> Path:
    """The Go program of :data:`GO_SOURCES`, built (cached) by the host's ``go`` with no network."""
    require("go")
    toolchain = _run(["go", "version"]).stdout.strip()
    modules = {f"{p}@{v}": m for (p, v), m in GO_PROXY_MODULES.items()}
    name = f"go-hello-{_key('go', toolchain, GO_BUILD_FLAGS, GO_SOURCES, modules)}"

    def build(tmp: Path) -> None:
        work = tmp / "work"
        _write_go_proxy(work / "proxy")
        for rel, text in GO_SOURCES.items():
            (work / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / "src" / rel).write_text(text)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "GOPATH": str(work / "gopath"),
               "GOCACHE": str(work / "cache"), "GOFLAGS": "-mod=mod", "GOPROXY": f"file://{work / 'proxy'}", "GOSUMDB": "off",
               "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
        _run(["go", "build", *GO_BUILD_FLAGS, "-o", tmp / "hello-go", "."],
             cwd=work / "src" / "app", env=env)
        _run(["chmod", "-R", "u+w", work])  # the module cache is read-only
        shutil.rmtree(work)

    return cached(name, build) / "hello-go"


def deb_tree(*names: str) -> Path:
    """The files of the Debian packages ``names`` (``apt-get download``, then ``dpkg-deb -x``), cached;
    unpacked only, so dpkg does not know them when they are copied into an image."""
    require("dpkg-deb")
    debs = download_debs(*names)
    name = f"debtree-{_key('debtree', [d.name for d in debs])}"

    def build(tmp: Path) -> None:
        for deb in debs:
            _run(["dpkg-deb", "-x", deb, tmp / "tree"])

    return cached(name, build) / "tree"


def pip_tree(packages: Sequence[str] = LANG_PIP, site: str = LANG_SITE) -> Path:
    """A cached tree with ``pip install --target SITE PACKAGES`` (dependencies included)."""
    import importlib.util

    if importlib.util.find_spec("pip") is None:
        import pytest

        pytest.skip(f"pip is not installed for {sys.executable} (apt-get install python3-pip, or python -m ensurepip)")
    # wheels for bookworm's Python whatever the host's is (the site directory says python3.11)
    flags = ["--python-version", "3.11", "--only-binary=:all:"]
    name = f"pip-{_key('pip', list(packages), site, flags)}"

    def build(tmp: Path) -> None:
        target = tmp / "tree" / site
        target.mkdir(parents=True)
        _run([sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--disable-pip-version-check", "--no-input",
              *flags, "--target", target, *packages])

    return cached(name, build) / "tree"


def npm_tree(packages: Sequence[str] = LANG_NPM, dev: Sequence[str] = LANG_NPM_DEV, prefix: str = LANG_APP) -> Path:
    """A cached tree with an npm project under ``prefix``: ``npm install`` of ``packages``, then of
    ``dev`` as devDependencies (install scripts are not run)."""
    require("npm")
    name = f"npm-{_key('npm', list(packages), list(dev), prefix)}"

    def build(tmp: Path) -> None:
        app = tmp / "tree" / prefix
        app.mkdir(parents=True)
        (app / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", "private": True}, indent=2) + "\n")
        common = ["npm", "install", "--prefix", str(app), "--no-audit", "--no-fund", "--no-update-notifier", "--save-exact", "--ignore-scripts"]
        _run([*common, *packages], cwd=app)
        if dev:
            _run([*common, "--save-dev", *dev], cwd=app)

    return cached(name, build) / "tree"


def binaries_tree() -> Path:
    """A cached tree with a Go program (:func:`go_binary`), Debian's commons-lang3 jar and a static
    busybox, none of them owned by dpkg (copied out of their .debs)."""
    go = go_binary()
    debs = deb_tree("libcommons-lang3-java", "busybox-static")
    name = f"binaries-{_key('binaries', go.parent.name, debs.parent.name)}"

    def build(tmp: Path) -> None:
        tree = tmp / "tree"
        jars = sorted(p for p in (debs / "usr/share/java").glob("commons-lang3*.jar") if not p.is_symlink())
        if len(jars) != 1:
            raise RuntimeError(f"expected one commons-lang3 jar in {debs}, found {jars}")
        for src, rel in ((go, LANG_GO_BINARY), (jars[0], LANG_JAR), (debs / "bin/busybox", LANG_BUSYBOX)):
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, tree / rel)

    return cached(name, build) / "tree"


@dataclass(frozen=True)
class LanguagesImage:
    """The languages image and the trees its layers were made from (for ground truth)."""

    image: BuiltImage
    rootfs: Path  # base layer: debootstrap minbase + python3
    python: Path  # layer 1: pip --target LANG_SITE
    npm: Path  # layer 2: npm project at LANG_APP
    binaries: Path  # layer 3: Go program, jar, busybox

    @property
    def trees(self) -> tuple[Path, ...]:
        """Every layer's tree, base first (all layers only add files)."""
        return (self.rootfs, self.python, self.npm, self.binaries)


def languages_image() -> LanguagesImage:
    """Bookworm minbase + python3, then one layer each of pip packages, an npm project and
    a Go program + a jar + busybox (see the LANG_* constants); cached like the others."""
    require("debootstrap", "umoci", "skopeo", "npm", "go", "dpkg-deb")
    rootfs = debootstrap(LANG_BASE_DEBS)
    python, npm, binaries = pip_tree(), npm_tree(), binaries_tree()
    built = build_image(rootfs, [python, npm, binaries], "languages", LANG_LABELS)
    return LanguagesImage(built, rootfs, python, npm, binaries)
