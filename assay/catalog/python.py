"""Python packages: installed distributions and a project's lock / requirement files.

Two catalogers, named as syft names them:

``python-installed-package-cataloger`` reads the core metadata of installed
distributions (``*.dist-info/METADATA``, ``*.egg-info/PKG-INFO``, a single-file
``*.egg-info``, ``EGG-INFO/PKG-INFO`` inside an ``.egg``) with what sits beside
it: ``RECORD`` (or ``installed-files.txt``) for the owned files, ``top_level.txt``,
``direct_url.json`` (a VCS install becomes the purl's ``vcs_url`` qualifier, as
syft writes it) and, for eggs, ``requires.txt``.  Licenses come from
``License-Expression``, else ``License``, else the ``License ::`` classifiers.
``Requires-Dist`` becomes DEPENDS_ON edges to the distributions installed in the
same environment: one ``site-packages`` directory, or a virtualenv plus the
system site-packages its ``pyvenv.cfg`` lets it see.  Markers are evaluated for
a Linux CPython of that environment's version (from ``lib/pythonX.Y`` or
``pyvenv.cfg``; any of 3.8-3.13 when unknown).  A requirement under an extra
counts when something in the environment asks for ``pkg[extra]``, or when every
requirement of that extra is installed (nothing records what the user asked
``pip install`` for, and Python code uses an optional import when it is there).

``python-package-cataloger`` reads what a project declares:
``*requirements*.txt`` (pinned ``==``/``===`` lines only; ``-r`` includes that
the glob does not already find are followed inside the tree), ``Pipfile.lock``
(``default`` only, like syft: ``develop`` is left out), ``poetry.lock``,
``uv.lock`` / ``*.py.lock`` and ``pdm.lock``.  Lock files are universal, so only
extra markers matter there: a dependency's ``[extra]`` pulls in that extra's
requirements.  Packages only a development group needs are reported with
``dev=True``: from poetry's ``category``/``groups``, from the project package's
``dev-dependencies`` in ``uv.lock``, or from the ``pyproject.toml`` beside the
lock (poetry groups, PDM dev groups, PEP 735 ``[dependency-groups]``).

Names are normalised as PEP 503 says (``Pygments`` -> ``pygments``), which is
also what syft reports; the name as written stays in the metadata.
"""

from __future__ import annotations

import functools
import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

from packageurl import PackageURL

from ..errors import SourceError
from ..model import License, Location, Package, Relationship, RelType
from .._internal.globs import compile_glob
from .._internal.licenses import to_license
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error
from ._pymarkers import evaluate as evaluate_marker

__all__ = [
    "INSTALLED_NAME",
    "DECLARED_NAME",
    "INSTALLED_GLOBS",
    "INSTALLED_NEEDS",
    "DECLARED_GLOBS",
    "CATALOGERS",
    "InstalledCataloger",
    "Requirement",
    "normalize_name",
    "parse_requirement",
    "marker_holds",
    "parse_metadata",
    "metadata_licenses",
    "parse_record",
    "parse_installed",
    "parse_requirements_txt",
    "parse_pipfile_lock",
    "parse_poetry_lock",
    "parse_uv_lock",
    "parse_pdm_lock",
    "pypi_purl",
    "resolve_installed",
]

INSTALLED_NAME = "python-installed-package-cataloger"
DECLARED_NAME = "python-package-cataloger"

INSTALLED_GLOBS = (
    "**/*.egg-info",
    "**/*dist-info/METADATA",
    "**/*egg-info/PKG-INFO",
    "**/*DIST-INFO/METADATA",
    "**/*EGG-INFO/PKG-INFO",
)
INSTALLED_NEEDS = (
    "**/*dist-info/RECORD",
    "**/*DIST-INFO/RECORD",
    "**/*egg-info/RECORD",
    "**/*EGG-INFO/RECORD",
    "**/*egg-info/installed-files.txt",
    "**/*dist-info/top_level.txt",
    "**/*egg-info/top_level.txt",
    "**/*EGG-INFO/top_level.txt",
    "**/*DIST-INFO/top_level.txt",
    "**/*dist-info/direct_url.json",
    "**/*DIST-INFO/direct_url.json",
    "**/*egg-info/requires.txt",
    "**/*EGG-INFO/requires.txt",
    "**/pyvenv.cfg",
)
DECLARED_GLOBS = (
    "**/*requirements*.txt",
    "**/poetry.lock",
    "**/Pipfile.lock",
    "**/uv.lock",
    "**/*.py.lock",
    "**/pdm.lock",
)
DECLARED_NEEDS = ("**/pyproject.toml",)

_SMALL = 16 << 20  # cap for metadata side files (RECORD of a huge distribution is still far below)
_LARGE = 128 << 20  # cap for lock and requirement files


def _read_text(resolver: FileResolver, loc: Location, cap: int = _LARGE) -> str:
    """A file's text; one larger than ``cap`` is a CatalogError (a warning), not a failed scan."""
    size = resolver.size(loc)
    if size > cap:
        raise parse_error(loc, f"{size} bytes, over the {cap >> 20} MiB this cataloger reads")
    return resolver.read_text(loc, cap)


# -- names, requirements and markers -------------------------------------------------

_SEPARATORS = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503: lower case, runs of ``-_.`` become one ``-`` (``FrIeNdLy-_-bArD`` -> ``friendly-bard``)."""
    return _SEPARATORS.sub("-", name.strip()).lower()


@dataclass(frozen=True, slots=True)
class Requirement:
    """One PEP 508 requirement: ``name[extras] specifier ; marker`` (``url`` for ``name @ url``)."""

    name: str  # normalised
    extras: tuple[str, ...] = ()  # normalised
    specifier: str = ""
    marker: str = ""
    url: str = ""

    @property
    def pin(self) -> str:
        """The version of an exact ``==``/``===`` pin (no wildcard), else ""."""
        spec = self.specifier.strip()
        m = _PIN.match(spec)
        return m.group(1) if m else ""


_PIN = re.compile(r"^={2,3}\s*([^\s,*;=<>!~]+)\s*$")
_REQ = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$", re.S)


@functools.lru_cache(maxsize=8192)
def parse_requirement(text: str) -> Requirement | None:
    """A PEP 508 string (also poetry's ``name (>=1.0)`` form) as a Requirement, None when it has no name."""
    m = _REQ.match(text)
    if not m:
        return None
    name, extras, rest = m.group(1), m.group(2) or "", m.group(3).strip()
    marker = ""
    url = ""
    if rest.startswith("@"):
        # name @ url ; marker -- the marker follows whitespace and a semicolon
        url, sep, marker = rest[1:].partition(" ;")
        if not sep:
            url, _, marker = url.partition("; ")
        url = url.strip()
        spec = ""
    else:
        spec, _, marker = rest.partition(";")
        spec = spec.strip()
        if spec.startswith("(") and spec.endswith(")"):
            spec = spec[1:-1].strip()
    return Requirement(
        name=normalize_name(name),
        extras=tuple(normalize_name(e) for e in extras.split(",") if e.strip()),
        specifier=spec,
        marker=marker.strip(),
        url=url,
    )


# Versions tried when an environment's Python version is unknown (e.g. /usr/lib/python3/dist-packages).
_ANY_PYTHON = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")


def _marker_env(python: str, extra: str) -> dict[str, str]:
    full = python if python.count(".") >= 2 else python + ".0"
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": "x86_64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": full,
        "python_version": ".".join(full.split(".")[:2]),
        "sys_platform": "linux",
        "extra": extra,
    }


@functools.lru_cache(maxsize=4096)
def _marker(text: str):  # type: ignore[no-untyped-def]
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(text)
    except InvalidMarker:
        return None


@functools.lru_cache(maxsize=16384)
def marker_holds(marker: str, python: str = "", extra: str = "") -> bool:
    """Whether ``marker`` is true on Linux CPython ``python`` (any recent 3.x when "") with ``extra``.

    An unparsable marker counts as true: the dependency is declared, only its
    condition is unreadable.
    """
    if not marker:
        return True
    versions = (python,) if python else _ANY_PYTHON
    fast = [evaluate_marker(marker, _marker_env(v, extra)) for v in versions]  # the common forms
    if None not in fast:
        return any(fast)
    m = _marker(marker)
    if m is None:
        return True
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName

    for version in versions:
        try:
            if m.evaluate(_marker_env(version, extra)):
                return True
        except (UndefinedComparison, UndefinedEnvironmentName, ValueError):  # unreadable: counts as true
            return True
    return False


_EXTRA_IN_MARKER = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]|['"]([^'"]+)['"]\s*==\s*extra\b""")


def _marker_extras(marker: str) -> list[str]:
    """The extras a marker names (``extra == "socks"``), normalised."""
    return [normalize_name(a or b) for a, b in _EXTRA_IN_MARKER.findall(marker)]


# -- purls ---------------------------------------------------------------------------


def pypi_purl(name: str, version: str, vcs_url: str = "") -> str:
    """``pkg:pypi/<name>@<version>`` and, for VCS installs, ``?vcs_url=`` fully percent-encoded as syft writes it."""
    base = PackageURL(type="pypi", name=name, version=version or None).to_string()
    if vcs_url:
        base += "?vcs_url=" + quote(vcs_url, safe="")
    return base


# -- the dependency graph (shared by installed packages and lock files) ----------------


@dataclass(slots=True)
class _Node:
    """A package (or a pseudo root) with its requirements: base ones and one list per extra."""

    id: str
    name: str
    version: str = ""
    requires: list[Requirement] = field(default_factory=list)
    extras: dict[str, list[Requirement]] = field(default_factory=dict)


def _candidates(by_name: Mapping[str, list[_Node]], req: Requirement) -> list[_Node]:
    cands = by_name.get(req.name, [])
    if len(cands) <= 1:
        return cands
    pin = req.pin
    if pin:
        chosen = [c for c in cands if c.version == pin]
        return chosen or cands
    if req.specifier:
        chosen = _satisfying(cands, req.specifier)
        return chosen or cands
    return cands


def _satisfying(cands: list[_Node], spec: str) -> list[_Node]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        ss = SpecifierSet(spec.replace(" ", ""), prereleases=True)
    except InvalidSpecifier:
        return []
    return [c for c in cands if _contains(ss, c.version)]


def _contains(ss: Any, version: str) -> bool:
    try:
        return bool(ss.contains(version))
    except ValueError:  # not a PEP 440 version
        return False


def _link(nodes: Sequence[_Node], active_extras: Iterable[tuple[_Node, str]] = ()) -> set[tuple[str, str]]:
    """(dependent id, dependency id) pairs: every base requirement, plus the requirements of each
    extra something asks for (``pkg[extra]``), transitively."""
    by_name: dict[str, list[_Node]] = {}
    for n in nodes:
        by_name.setdefault(n.name, []).append(n)
    edges: set[tuple[str, str]] = set()
    active: set[tuple[str, str]] = set()
    queue: list[tuple[_Node, list[Requirement]]] = [(n, n.requires) for n in nodes]
    for n, extra in active_extras:
        if (n.id, extra) not in active and extra in n.extras:
            active.add((n.id, extra))
            queue.append((n, n.extras[extra]))
    while queue:
        n, reqs = queue.pop()
        for r in reqs:
            for t in _candidates(by_name, r):
                if t is not n:
                    edges.add((n.id, t.id))
                for e in r.extras:
                    if (t.id, e) not in active and e in t.extras:
                        active.add((t.id, e))
                        queue.append((t, t.extras[e]))
    return edges


def _reach(start: str, edges: Iterable[tuple[str, str]]) -> set[str]:
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    seen: set[str] = set()
    stack = [start]
    while stack:
        for b in succ.get(stack.pop(), ()):
            if b not in seen:
                seen.add(b)
                stack.append(b)
    return seen


_MAIN_ROOT = "\x00main"
_DEV_ROOT = "\x00dev"


def _resolve_lock(
    nodes: list[_Node],
    main_roots: Sequence[Requirement] = (),
    dev_roots: Sequence[Requirement] = (),
) -> tuple[set[tuple[str, str]], set[str]]:
    """Edges between the lock's packages, and the ids only the development roots reach."""
    roots = []
    if main_roots:
        roots.append(_Node(id=_MAIN_ROOT, name=_MAIN_ROOT, requires=list(main_roots)))
    if dev_roots:
        roots.append(_Node(id=_DEV_ROOT, name=_DEV_ROOT, requires=list(dev_roots)))
    edges = _link(nodes + roots)
    dev_only: set[str] = set()
    if dev_roots:
        dev_only = _reach(_DEV_ROOT, edges) - _reach(_MAIN_ROOT, edges)
    return {(a, b) for a, b in edges if not a.startswith("\x00")}, dev_only


def _relationships(edges: Iterable[tuple[str, str]], rel: RelType = RelType.DEPENDS_ON) -> list[Relationship]:
    return [Relationship(source=a, target=b, type=rel) for a, b in sorted(edges)]


# -- core metadata ---------------------------------------------------------------------

_MULTI = frozenset(
    ("classifier", "requires-dist", "provides-extra", "license-file", "licensefile", "project-url", "platform", "dynamic", "requires-external", "supported-platform", "obsoletes-dist", "provides-dist")
)


def parse_metadata(text: str, loc: Location) -> dict[str, Any]:
    """The header block of METADATA / PKG-INFO: lower-cased keys; multi-use fields as lists.

    Parsing stops at the first empty line (the description body follows).
    Continuation lines (leading space or tab) extend the previous field; one
    before any field is an error naming the line.
    """
    fields: dict[str, Any] = {}
    key = ""
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line:
            if fields:
                break
            continue
        if line[0] in " \t":
            if not key:
                raise parse_error(loc, f"continuation line without a field: {line.strip()[:60]!r}", lineno)
            value = fields[key]
            if isinstance(value, list):
                value[-1] = value[-1] + "\n" + line.strip()
            else:
                fields[key] = value + "\n" + line.strip()
            continue
        colon = line.find(":")
        if colon <= 0:
            continue  # not a header: skipped, as pip and syft do
        key = line[:colon].strip().lower()
        value = line[colon + 1 :].strip()
        if key in _MULTI:
            fields.setdefault(key, []).append(value)
        else:
            fields[key] = value
    return fields


# Trove license classifiers -> SPDX ids.  Classifiers that name no single license
# ("BSD License", "Apache Software License", "GNU General Public License (GPL)") have none.
_CLASSIFIER_SPDX: dict[str, str] = {
    "Attribution Assurance License": "AAL",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)": "CECILL-2.1",
    "CMU License (MIT-CMU)": "MIT-CMU",
    "Common Development and Distribution License 1.0 (CDDL-1.0)": "CDDL-1.0",
    "Common Public License": "CPL-1.0",
    "Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Educational Community License, Version 2.0 (ECL-2.0)": "ECL-2.0",
    "European Union Public Licence 1.0 (EUPL 1.0)": "EUPL-1.0",
    "European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "IBM Public License": "IPL-1.0",
    "ISC License (ISCL)": "ISC",
    "Intel Open Source License": "Intel",
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "MirOS License (MirOS)": "MirOS",
    "Motosoto License": "Motosoto",
    "Mozilla Public License 1.0 (MPL)": "MPL-1.0",
    "Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "Mulan Permissive Software License v2 (MulanPSL-2.0)": "MulanPSL-2.0",
    "Nethack General Public License": "NGPL",
    "Nokia Open Source License": "Nokia",
    "Open Group Test Suite License": "OGTSL",
    "Open Software License 3.0 (OSL-3.0)": "OSL-3.0",
    "PostgreSQL License": "PostgreSQL",
    "Python License (CNRI Python License)": "CNRI-Python",
    "Python Software Foundation License": "PSF-2.0",
    "Qt Public License (QPL)": "QPL-1.0",
    "Ricoh Source Code Public License": "RSCPL",
    "SIL Open Font License 1.1 (OFL-1.1)": "OFL-1.1",
    "Sleepycat License": "Sleepycat",
    "Sun Industry Standards Source License (SISSL)": "SISSL",
    "Sun Public License": "SPL-1.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Universal Permissive License (UPL)": "UPL-1.0",
    "University of Illinois/NCSA Open Source License": "NCSA",
    "Vovida Software License 1.0": "VSL-1.0",
    "W3C License": "W3C",
    "X.Net License": "Xnet",
    "zlib/libpng License": "Zlib",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}
_NOT_LICENSES = frozenset(("OSI Approved", "DFSG approved"))
# Names Python projects commonly write in ``License:`` that are not SPDX ids (lower-cased).
_LICENSE_NAMES: dict[str, str] = {
    "mit license": "MIT",
    "the mit license": "MIT",
    "mit license (mit)": "MIT",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "bsd 3-clause license": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "isc license": "ISC",
    "psf license": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "zpl 2.1": "ZPL-2.1",
    "the unlicense": "Unlicense",
}


def _classifier_license(classifier: str, location: str) -> License | None:
    parts = [p.strip() for p in classifier.split("::")]
    if len(parts) < 2 or parts[0] != "License" or parts[-1] in _NOT_LICENSES:
        return None
    name = parts[-1]
    return License(value=name, spdx=_CLASSIFIER_SPDX.get(name, ""), location=location)


def _declared_license(value: str, location: str) -> License:
    """A ``License:`` / ``License-Expression`` value, mapped through the common Python spellings too."""
    lic = to_license(value, location)
    if lic.spdx:
        return lic
    spdx = _LICENSE_NAMES.get(" ".join(value.lower().split())) or _CLASSIFIER_SPDX.get(value.strip(), "")
    return License(value=lic.value, spdx=spdx, location=location)


def _usable_license_field(value: str) -> bool:
    """A ``License:`` value that names a license, not "UNKNOWN" nor a pasted license text."""
    v = value.strip()
    return bool(v) and v.upper() not in ("UNKNOWN", "NONE") and "\n" not in v and len(v) <= 200


def metadata_licenses(fields: Mapping[str, Any], location: str) -> tuple[License, ...]:
    """Licenses a distribution declares: License-Expression, else License, else its classifiers."""
    expr = str(fields.get("license-expression", "")).strip()
    if expr:
        return (_declared_license(expr, location),)
    value = str(fields.get("license", ""))
    if _usable_license_field(value):
        return (_declared_license(value.strip(), location),)
    found: dict[str, License] = {}
    for c in fields.get("classifier", ()):
        lic = _classifier_license(c, location)
        if lic is not None:
            found.setdefault(lic.value, lic)
    if found:
        return tuple(found.values())
    if value.strip() and value.strip().upper() not in ("UNKNOWN", "NONE"):
        first = value.strip().split("\n", 1)[0].strip()[:200]  # a pasted license text: its title
        return (_declared_license(first, location),)
    return ()


def _person(name: str, email: str) -> str:
    name, email = name.strip(), email.strip()
    if name.upper() == "UNKNOWN":
        name = ""
    if email.upper() == "UNKNOWN":
        email = ""
    if name and email and "<" not in email:
        return f"{name} <{email}>"
    return email or name


def _homepage(fields: Mapping[str, Any]) -> str:
    home = str(fields.get("home-page", "")).strip()
    if home and home.upper() != "UNKNOWN":
        return home
    for entry in fields.get("project-url", ()):
        label, _, url = entry.partition(",")
        if label.strip().lower().replace("-", "").replace("_", "") in ("homepage", "home", "source", "repository"):
            return url.strip()
    return ""


def parse_record(text: str) -> list[tuple[str, str, str]]:
    """RECORD rows ``(path, "algo=digest" or "", size)``; lines that are not CSV records are skipped."""
    import csv

    out: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        row = next(csv.reader([line]), []) if '"' in line else line.split(",")  # quoted only when a path has a comma
        if len(row) < 2 or not row[0].strip():
            continue  # e.g. merge-conflict markers left in a RECORD
        path = row[0].strip()
        digest = row[1].strip()
        size = row[2].strip() if len(row) > 2 else ""
        out.append((path, digest, size))
    return out


def _egg_requires(text: str) -> list[str]:
    """``requires.txt`` of an egg as Requires-Dist strings: ``[extra:marker]`` sections become markers."""
    out: list[str] = []
    extra = marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            extra, _, marker = line[1:-1].partition(":")
            extra, marker = extra.strip(), marker.strip()
            continue
        conds = []
        if marker:
            conds.append(f"({marker})")
        if extra:
            conds.append(f'extra == "{extra}"')
        out.append(line + ("; " + " and ".join(conds) if conds else ""))
    return out


# -- installed distributions --------------------------------------------------------------

_EGG_INFO_FILE = compile_glob("**/*.egg-info")
_PYTHON_DIR = re.compile(r"/python(\d+\.\d+)(?:/|$)")


def _metadata_dir(path: str) -> str:
    """The directory holding a distribution's side files ("" for a single-file egg-info)."""
    return "" if _EGG_INFO_FILE.match(path[1:]) else posixpath.dirname(path)


def _install_root(path: str) -> str:
    """Where RECORD paths are relative to: the directory the metadata (directory) sits in."""
    d = _metadata_dir(path)
    return posixpath.dirname(d) if d else posixpath.dirname(path)


def site_dir(path: str) -> str:
    """The site-packages (or dist-packages) directory a metadata file belongs to."""
    parts = path.split("/")
    for i in range(len(parts) - 2, 0, -1):
        if parts[i] in ("site-packages", "dist-packages"):
            return "/".join(parts[: i + 1])
    return _install_root(path)


def _sibling(resolver: FileResolver, env: Environment, directory: str, name: str) -> tuple[Location, str] | None:
    if not directory:
        return None
    try:
        loc = resolver.location(f"{directory}/{name}")
        if loc is None:
            return None
        return loc, resolver.read_text(loc, _SMALL)
    except SourceError as exc:
        env.warn(f"{INSTALLED_NAME}: {exc.diagnostics()}")
        return None


def _owned(root: str, rel: str) -> str:
    """An absolute path for a RECORD / installed-files.txt entry (relative to ``root``)."""
    if rel.startswith(("/", ".")) or "/." in rel or "//" in rel:
        return posixpath.normpath(posixpath.join(root, rel))
    return f"{root.rstrip('/')}/{rel}"


def _vcs_url(direct: Mapping[str, Any]) -> str:
    vcs = direct.get("vcs_info")
    if not isinstance(vcs, dict) or not vcs.get("vcs"):
        return ""
    return f"{vcs.get('vcs', '')}+{direct.get('url', '')}@{vcs.get('commit_id', '')}"


def parse_installed(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """One installed distribution from its METADATA / PKG-INFO (and the files beside it)."""
    fields = parse_metadata(_read_text(resolver, loc, _SMALL), loc)
    raw_name = str(fields.get("name", "")).strip()
    if not raw_name or raw_name == "Python":
        # no name (an empty egg-info) or the interpreter's own Python-X.Y.egg-info: not a package
        return Parsed()
    version = str(fields.get("version", "")).strip()
    meta_dir = _metadata_dir(loc.path)
    root = _install_root(loc.path)
    evidence: list[Location] = []
    files: list[str] = []
    record_rows = 0

    got = _sibling(resolver, env, meta_dir, "RECORD")
    if got is not None:
        evidence.append(got[0])
        rows = parse_record(got[1])
        record_rows = len(rows)
        files = [_owned(root, p) for p, _, _ in rows]
    if not files:
        got = _sibling(resolver, env, meta_dir, "installed-files.txt")
        if got is not None:
            evidence.append(got[0])
            files = [_owned(meta_dir, l.strip()) for l in got[1].splitlines() if l.strip()]

    top_level: list[str] = []
    got = _sibling(resolver, env, meta_dir, "top_level.txt")
    if got is not None:
        evidence.append(got[0])
        top_level = [l.strip() for l in got[1].splitlines() if l.strip()]

    vcs_url = ""
    direct: dict[str, Any] = {}
    got = _sibling(resolver, env, meta_dir, "direct_url.json")
    if got is not None:
        evidence.append(got[0])
        try:
            parsed = json.loads(got[1])
        except ValueError as exc:
            env.warn(f"{INSTALLED_NAME}: {got[0].path}: not JSON: {exc}")
            parsed = None
        if isinstance(parsed, dict):
            direct = parsed
            vcs_url = _vcs_url(parsed)

    requires = list(fields.get("requires-dist", ()))
    if not requires:
        got = _sibling(resolver, env, meta_dir, "requires.txt")
        if got is not None:
            evidence.append(got[0])
            requires = _egg_requires(got[1])

    name = normalize_name(raw_name)
    author = _person(str(fields.get("author", "")), str(fields.get("author-email", "")))
    maintainer = _person(str(fields.get("maintainer", "")), str(fields.get("maintainer-email", "")))
    metadata: dict[str, Any] = {
        "name": raw_name,
        "version": version,
        "site_packages_root_path": site_dir(loc.path),
        "requires_dist": requires,
        "provides_extra": [normalize_name(e) for e in fields.get("provides-extra", ())],
        "top_level_packages": top_level,
    }
    for key, out in (("requires-python", "requires_python"), ("platform", "platform"), ("metadata-version", "metadata_version")):
        v = fields.get(key)
        if v:
            metadata[out] = ", ".join(v) if isinstance(v, list) else v
    if direct:
        metadata["direct_url"] = {k: direct[k] for k in ("url", "vcs_info", "archive_info", "dir_info") if k in direct}
    license_files = list(fields.get("license-file", ())) + list(fields.get("licensefile", ()))
    if license_files:
        metadata["license_files"] = license_files
    if record_rows:
        metadata["record_entries"] = record_rows

    return Parsed.of(
        [
            Package(
                name=name,
                version=version,
                type="python",
                found_by=INSTALLED_NAME,
                purl=pypi_purl(name, version, vcs_url),
                licenses=metadata_licenses(fields, loc.path),
                supplier=maintainer or author,
                author=author,
                description=str(fields.get("summary", "")).strip(),
                homepage=_homepage(fields),
                language="python",
                layer=loc.layer,
                locations=(loc, *dict.fromkeys(e for e in evidence if e.path != loc.path)),
                files=tuple(dict.fromkeys(files)),
                metadata=metadata,
            )
        ]
    )


# -- environments and their dependency edges ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Venv:
    root: str
    version: str
    system_site: bool


def _parse_pyvenv(text: str, path: str) -> _Venv:
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        k, _, v = line.partition("=")
        values[k.strip()] = v.strip()
    version = values.get("version") or values.get("version_info") or ""
    version = ".".join(version.split(".")[:2])
    return _Venv(root=posixpath.dirname(path), version=version, system_site=values.get("include-system-site-packages", "").lower() == "true")


def _site_version(site: str) -> str:
    m = _PYTHON_DIR.search(site)
    return m.group(1) if m else ""


def _environments(resolver: FileResolver, env: Environment, sites: Sequence[str]) -> list[tuple[list[str], str]]:
    """Each environment as (site dirs in lookup order, python X.Y or ""): one per virtualenv, one per other site dir."""
    venvs: list[tuple[_Venv, str]] = []
    claimed: set[str] = set()
    for loc in resolver.glob("**/pyvenv.cfg"):
        try:
            cfg = _parse_pyvenv(resolver.read_text(loc, 1 << 20), loc.path)
        except SourceError as exc:
            env.warn(f"{INSTALLED_NAME}: {exc.diagnostics()}")
            continue
        prefix = cfg.root.rstrip("/") + "/lib/"
        mine = [s for s in sites if s.startswith(prefix) and (not cfg.version or _site_version(s) in (cfg.version, ""))]
        if len(mine) == 1:
            venvs.append((cfg, mine[0]))
            claimed.add(mine[0])
    system = [s for s in sites if s not in claimed]
    out: list[tuple[list[str], str]] = [([s], _site_version(s)) for s in system]
    for cfg, site in venvs:
        version = cfg.version or _site_version(site)
        dirs = [site]
        if cfg.system_site and version:
            dirs += [s for s in system if _site_version(s) == version]
        out.append((dirs, version))
    return out


def _installed_node(p: Package, python: str) -> _Node:
    """A package's requirements on Linux CPython ``python``: base ones, and one list per extra."""
    node = _Node(id=p.id, name=p.name, version=p.version)
    provided = p.metadata.get("provides_extra", ())
    for text in p.metadata.get("requires_dist", ()):
        req = parse_requirement(text)
        if req is None:
            continue
        if marker_holds(req.marker, python, ""):
            node.requires.append(req)
            continue
        if "extra" not in req.marker:
            continue
        # the extras the marker names; every declared one only when it names none literally
        for extra in dict.fromkeys(_marker_extras(req.marker) or provided):
            if marker_holds(req.marker, python, extra):
                node.extras.setdefault(extra, []).append(req)
    return node


def resolve_installed(resolver: FileResolver, env: Environment, packages: Sequence[Package]) -> list[Relationship]:
    """DEPENDS_ON edges from Requires-Dist to the distributions each environment can import."""
    by_site: dict[str, list[Package]] = {}
    for p in packages:
        by_site.setdefault(str(p.metadata.get("site_packages_root_path", "")), []).append(p)
    edges: set[tuple[str, str]] = set()
    for dirs, python in _environments(resolver, env, sorted(by_site)):
        visible: dict[str, Package] = {}
        for d in dirs:  # the first directory that has a name wins, as on sys.path
            for p in by_site[d]:
                visible.setdefault(p.name, p)
        primary = {p.id for p in by_site[dirs[0]]}
        nodes = [_installed_node(p, python) for p in visible.values()]
        # only extras something asks for (``pkg[extra]``) add edges: an extra whose requirements
        # merely happen to be installed for other reasons is not in use (pip's own view)
        edges.update((a, b) for a, b in _link(nodes) if a in primary)
    return _relationships(edges)


class InstalledCataloger:
    """Installed distributions, then the edges between those each environment can see."""

    NAME = INSTALLED_NAME
    GLOBS = INSTALLED_GLOBS
    NEEDS = INSTALLED_NEEDS

    def __init__(self) -> None:
        self._files = GlobCataloger(INSTALLED_NAME, [(g, parse_installed) for g in INSTALLED_GLOBS], needs=INSTALLED_NEEDS)

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        got = self._files.catalog(resolver, env)
        return Parsed(got.packages, got.relationships + tuple(resolve_installed(resolver, env, got.packages)))


# -- declared packages: shared helpers -------------------------------------------------------


def _declared(
    name: str, version: str, loc: Location, metadata: dict[str, Any], *, dev: bool = False, description: str = ""
) -> Package:
    norm = normalize_name(name)
    return Package(
        name=norm,
        version=version,
        type="python",
        found_by=DECLARED_NAME,
        purl=pypi_purl(norm, version),
        description=description,
        language="python",
        dev=dev,
        layer=loc.layer,
        locations=(loc,),
        metadata=metadata,
    )


def _toml(resolver: FileResolver, loc: Location) -> dict[str, Any]:
    import tomllib  # lock files and pyproject.toml: source trees only, so not imported up front

    text = _read_text(resolver, loc)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise parse_error(loc, f"not TOML: {exc}", int(m.group(1)) if m else None) from None


def _pyproject(resolver: FileResolver, env: Environment, lock: Location) -> dict[str, Any]:
    """The pyproject.toml beside a lock file ({} when absent or unreadable: it only refines dev marking)."""
    import tomllib

    path = posixpath.join(posixpath.dirname(lock.path), "pyproject.toml")
    try:
        loc = resolver.location(path)
        if loc is None:
            return {}
        return tomllib.loads(resolver.read_text(loc, _SMALL))
    except (SourceError, tomllib.TOMLDecodeError) as exc:
        env.warn(f"{DECLARED_NAME}: {path}: {exc}")
        return {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _poetry_dep(name: str, value: Any) -> Requirement:
    """A ``[tool.poetry.dependencies]``-style entry: ``"^1.0"``, ``{version, extras}`` or a list of them."""
    extras: list[str] = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, dict):
            extras += [normalize_name(e) for e in _strings(v.get("extras"))]
    return Requirement(name=normalize_name(name), extras=tuple(dict.fromkeys(extras)))


def _project_roots(project: Mapping[str, Any]) -> tuple[list[Requirement], list[Requirement]]:
    """(main, development) requirements a pyproject.toml declares, for dev marking.

    Main: ``[project]`` dependencies and optional-dependencies (extras are
    optional, not development), and ``[tool.poetry.dependencies]``.
    Development: poetry's ``dev-dependencies`` and ``group.*.dependencies``,
    PDM's ``dev-dependencies``, PEP 735 ``[dependency-groups]``.
    """
    main: list[Requirement] = []
    dev: list[Requirement] = []

    def add(out: list[Requirement], texts: Iterable[str]) -> None:
        out.extend(r for r in (parse_requirement(t) for t in texts) if r is not None)

    proj = _table(project.get("project"))
    add(main, _strings(proj.get("dependencies")))
    for extra in _table(proj.get("optional-dependencies")).values():
        add(main, _strings(extra))
    tool = _table(project.get("tool"))
    poetry = _table(tool.get("poetry"))
    for n, v in _table(poetry.get("dependencies")).items():
        if n.lower() != "python":
            main.append(_poetry_dep(n, v))
    for n, v in _table(poetry.get("dev-dependencies")).items():
        dev.append(_poetry_dep(n, v))
    for group in _table(poetry.get("group")).values():
        for n, v in _table(_table(group).get("dependencies")).items():
            if n.lower() != "python":
                dev.append(_poetry_dep(n, v))
    pdm = _table(tool.get("pdm"))
    for texts in _table(pdm.get("dev-dependencies")).values():
        add(dev, _strings(texts))
    for texts in _table(project.get("dependency-groups")).values():
        add(dev, _strings(texts))  # {include-group = ...} entries are tables, and their groups are listed anyway
    return main, dev


def _finish(
    pkgs: list[Package], nodes: list[_Node], main_roots: Sequence[Requirement], dev_roots: Sequence[Requirement], dev_ids: Iterable[str] = ()
) -> Parsed:
    """Edges within a lock, and ``dev=True`` for what only development roots (or the lock) say is dev."""
    edges, dev_only = _resolve_lock(nodes, main_roots, dev_roots)
    dev_only |= set(dev_ids)
    out = [p.evolve(dev=True, id=p.id) if p.id in dev_only and not p.dev else p for p in pkgs]
    return Parsed.of(out, _relationships(edges))


# -- requirements.txt ----------------------------------------------------------------------

_COMMENT = re.compile(r"(^|\s)#.*$")
_INCLUDE = re.compile(r"^(?:-r|--requirement)(?:\s+|=)(\S+)")
_OPTION_TAIL = re.compile(r"\s+--?[A-Za-z].*$")
_REQUIREMENTS_GLOB = compile_glob("**/*requirements*.txt")


def _requirement_lines(text: str) -> Iterable[tuple[int, str]]:
    """Logical lines (continuations joined, comments dropped) with the number of their first line."""
    buf: list[str] = []
    start = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if not buf:
            start = lineno
        if line.endswith("\\"):
            buf.append(line[:-1])
            continue
        buf.append(line)
        joined = " ".join(part.strip() for part in buf).strip()
        buf = []
        if joined:
            yield start, joined


def _parse_requirements(
    resolver: FileResolver, env: Environment, loc: Location, seen: set[str]
) -> list[Package]:
    seen.add(loc.path)
    pkgs: list[Package] = []
    for lineno, line in _requirement_lines(_read_text(resolver, loc)):
        if line.startswith("-"):
            m = _INCLUDE.match(line)
            if m:
                pkgs += _include(resolver, env, loc, m.group(1), seen)
            continue  # other options: -e, -c, --index-url, --hash on its own line...
        line = _OPTION_TAIL.sub("", line)  # per-requirement options such as --hash
        req = parse_requirement(line)
        if req is None or req.url:
            continue
        spec = req.specifier.split(" @", 1)[0].strip()  # "== 3.7.1 @ git+https://..." pins 3.7.1
        version = Requirement(name=req.name, specifier=spec).pin
        if not version:
            continue
        raw = _REQ.match(line)
        metadata: dict[str, Any] = {"name": raw.group(1) if raw else req.name, "version_constraint": spec, "line": lineno}
        if req.extras:
            metadata["extras"] = list(req.extras)
        if req.marker:
            metadata["markers"] = req.marker
        pkgs.append(_declared(req.name, version, loc, metadata))
    return pkgs


def _include(resolver: FileResolver, env: Environment, loc: Location, target: str, seen: set[str]) -> list[Package]:
    """Packages of a ``-r`` file inside the tree, unless the glob finds (and reports) it by itself."""
    path = posixpath.normpath(target if target.startswith("/") else posixpath.join(posixpath.dirname(loc.path), target))
    if path in seen or _REQUIREMENTS_GLOB.match(path[1:]):
        return []
    try:
        inc = resolver.location(path)
    except SourceError as exc:
        env.warn(f"{DECLARED_NAME}: {exc.diagnostics()}")
        return []
    if inc is None:
        return []
    return _parse_requirements(resolver, env, inc, seen)


def parse_requirements_txt(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Pinned requirements (``==``/``===``, no wildcard) of a requirements file and its ``-r`` includes."""
    return Parsed.of(_parse_requirements(resolver, env, loc, set()))


# -- Pipfile.lock ---------------------------------------------------------------------------


def parse_pipfile_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """The ``default`` section of a Pipfile.lock (``develop`` is left out, as syft does)."""
    try:
        doc = json.loads(_read_text(resolver, loc))
    except ValueError as exc:
        raise parse_error(loc, f"not JSON: {getattr(exc, 'msg', exc)}", getattr(exc, "lineno", None)) from None
    if not isinstance(doc, dict):
        raise parse_error(loc, "not a Pipfile.lock object")
    meta = _table(doc.get("_meta"))
    sources = {s.get("name"): s.get("url") for s in meta.get("sources", ()) if isinstance(s, dict)}
    pkgs = []
    for name, entry in sorted(_table(doc.get("default")).items()):
        entry = _table(entry)
        version = str(entry.get("version", "")).strip()
        version = version.removeprefix("===") if version.startswith("===") else version.removeprefix("==")
        metadata: dict[str, Any] = {"name": name, "hashes": _strings(entry.get("hashes"))}
        index = entry.get("index")
        if index:
            metadata["index"] = sources.get(index, index)
        if entry.get("markers"):
            metadata["markers"] = entry["markers"]
        pkgs.append(_declared(name, version.strip(), loc, metadata))
    return Parsed.of(pkgs)


# -- poetry.lock ------------------------------------------------------------------------------


def _poetry_lock_requirements(deps: Mapping[str, Any]) -> list[Requirement]:
    """[package.dependencies] entries that are not behind an extra; their requested extras kept."""
    out = []
    for name, value in deps.items():
        variants = value if isinstance(value, list) else [value]
        extras: list[str] = []
        optional_only = True
        for v in variants:
            if isinstance(v, dict):
                extras += [normalize_name(e) for e in _strings(v.get("extras"))]
                if not (v.get("optional") is True or "extra ==" in str(v.get("markers", ""))):
                    optional_only = False
            else:
                optional_only = False
        if not optional_only:
            out.append(Requirement(name=normalize_name(name), extras=tuple(dict.fromkeys(extras))))
    return out


def parse_poetry_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Every ``[[package]]`` of a poetry.lock; dev by category/groups or by the pyproject.toml beside it."""
    doc = _toml(resolver, loc)
    pkgs: list[Package] = []
    nodes: list[_Node] = []
    lock_dev: set[str] = set()
    for entry in doc.get("package", ()):
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name, version = str(entry["name"]), str(entry.get("version", ""))
        groups = _strings(entry.get("groups"))
        category = str(entry.get("category", ""))
        dev = category == "dev" or bool(groups and "main" not in groups)
        deps = _table(entry.get("dependencies"))
        metadata: dict[str, Any] = {"name": name, "index": _table(entry.get("source")).get("url", ""), "dependencies": sorted(deps)}
        if category:
            metadata["category"] = category
        if groups:
            metadata["groups"] = groups
        extras = {normalize_name(k): v for k, v in _table(entry.get("extras")).items()}
        if extras:
            metadata["extras"] = sorted(extras)
        p = _declared(name, version, loc, metadata, dev=dev, description=str(entry.get("description", "")))
        pkgs.append(p)
        if dev:
            lock_dev.add(p.id)
        node = _Node(id=p.id, name=p.name, version=version, requires=_poetry_lock_requirements(deps))
        for extra, texts in extras.items():
            node.extras[extra] = [r for r in (parse_requirement(t) for t in _strings(texts)) if r is not None]
        nodes.append(node)
    main, dev_roots = _project_roots(_pyproject(resolver, env, loc))
    return _finish(pkgs, nodes, main, dev_roots, lock_dev)


# -- uv.lock ------------------------------------------------------------------------------------


def _uv_requirements(entries: Any) -> list[Requirement]:
    out = []
    for d in entries if isinstance(entries, list) else ():
        if isinstance(d, dict) and d.get("name"):
            out.append(
                Requirement(
                    name=normalize_name(str(d["name"])),
                    extras=tuple(normalize_name(e) for e in _strings(d.get("extra"))),
                    specifier=f"=={d['version']}" if d.get("version") else "",
                    marker=str(d.get("marker", "")),
                )
            )
    return out


def parse_uv_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Every ``[[package]]`` of a uv.lock (the project itself included, as syft does).

    The project packages (``source = {editable|virtual = ...}``) are the roots:
    their ``dev-dependencies`` groups give DEV_DEPENDS_ON edges, and what only
    those reach is marked dev.
    """
    doc = _toml(resolver, loc)
    version = doc.get("version", 1)
    if isinstance(version, int) and version > 1:
        raise parse_error(loc, f"unsupported uv.lock version {version}")
    pkgs: list[Package] = []
    nodes: list[_Node] = []
    roots: list[tuple[_Node, list[Requirement]]] = []
    for entry in doc.get("package", ()):
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name, ver = str(entry["name"]), str(entry.get("version", ""))
        source = _table(entry.get("source"))
        metadata: dict[str, Any] = {"name": name, "source": source}
        p = _declared(name, ver, loc, metadata)
        pkgs.append(p)
        base = [r for r in _uv_requirements(entry.get("dependencies")) if "extra ==" not in r.marker]
        node = _Node(id=p.id, name=p.name, version=ver, requires=base)
        for extra, deps in _table(entry.get("optional-dependencies")).items():
            node.extras[normalize_name(extra)] = _uv_requirements(deps)
        nodes.append(node)
        if "editable" in source or "virtual" in source:
            dev_deps = [r for deps in _table(entry.get("dev-dependencies")).values() for r in _uv_requirements(deps)]
            roots.append((node, dev_deps))
    main = [Requirement(name=n.name, extras=tuple(n.extras)) for n, _ in roots]
    dev_roots = [r for _, deps in roots for r in deps]
    got = _finish(pkgs, nodes, main, dev_roots)
    by_name: dict[str, list[_Node]] = {}
    for n in nodes:
        by_name.setdefault(n.name, []).append(n)
    dev_edges = {(n.id, t.id) for n, deps in roots for r in deps for t in _candidates(by_name, r) if t is not n}
    dev_edges -= {(r.source, r.target) for r in got.relationships}
    return Parsed(got.packages, got.relationships + tuple(_relationships(dev_edges, RelType.DEV_DEPENDS_ON)))


# -- pdm.lock ----------------------------------------------------------------------------------


def parse_pdm_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Every package of a pdm.lock: PDM writes one entry per extras combination, merged here into one."""
    doc = _toml(resolver, loc)
    pkgs: list[Package] = []
    nodes: dict[tuple[str, str], _Node] = {}
    for entry in doc.get("package", ()):
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name, ver = str(entry["name"]), str(entry.get("version", ""))
        key = (normalize_name(name), ver)
        reqs = [r for r in (parse_requirement(t) for t in _strings(entry.get("dependencies"))) if r is not None]
        extras = [normalize_name(e) for e in _strings(entry.get("extras"))]
        node = nodes.get(key)
        if node is None:
            metadata: dict[str, Any] = {"name": name, "groups": _strings(entry.get("groups"))}
            if entry.get("marker"):
                metadata["marker"] = entry["marker"]
            if entry.get("requires_python"):
                metadata["requires_python"] = entry["requires_python"]
            p = _declared(name, ver, loc, metadata, description=str(entry.get("summary", "")))
            pkgs.append(p)
            node = nodes[key] = _Node(id=p.id, name=p.name, version=ver)
        if extras:
            for e in extras:  # the base package itself is among an extras entry's dependencies
                node.extras[e] = [r for r in reqs if r.name != node.name]
        else:
            node.requires = reqs
    project = _pyproject(resolver, env, loc)
    main, dev_roots = _project_roots(project)
    return _finish(pkgs, list(nodes.values()), main, dev_roots)


# -- the catalogers ------------------------------------------------------------------------------

_DECLARED_PARSERS: tuple[tuple[str, Callable[[FileResolver, Environment, Location], Parsed]], ...] = (
    ("**/*requirements*.txt", parse_requirements_txt),
    ("**/poetry.lock", parse_poetry_lock),
    ("**/Pipfile.lock", parse_pipfile_lock),
    ("**/uv.lock", parse_uv_lock),
    ("**/*.py.lock", parse_uv_lock),
    ("**/pdm.lock", parse_pdm_lock),
)

CATALOGERS = (
    InstalledCataloger(),
    GlobCataloger(DECLARED_NAME, _DECLARED_PARSERS, needs=DECLARED_NEEDS),
)
