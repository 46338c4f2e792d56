"""Debian packages from the dpkg database (and opkg, which uses the same format).

Reads ``**/lib/dpkg/status`` (one stanza per package), the distroless layout
``**/lib/dpkg/status.d/*`` (one file per package, ``<pkg>.md5sums`` beside it),
and opkg's ``**/lib/opkg/status`` / ``**/lib/opkg/info/*.control``.  Each
installed stanza becomes a ``deb`` package, enriched with:

* owned files from ``info/<pkg>[:<arch>].list`` (or ``.md5sums`` + conffiles when
  there is no list, as in distroless images);
* licenses from ``/usr/share/doc/<pkg>/copyright`` (DEP-5 ``License:`` fields and
  ``/usr/share/common-licenses/*`` references) or an inline ``License:`` (opkg);
* ``Depends``/``Pre-Depends`` resolved through names and ``Provides`` to the
  installed packages of the same database (every installed alternative of
  ``a | b`` counts, like syft).

The purl follows syft: ``pkg:deb/<distro id>/<name>@<version>?arch=..&distro=..
&upstream=<src>[@<srcver>]`` and only for Debian-like distros.  Package.layer is
the layer of the package's ``.list``/``.md5sums`` file (written once when the
package was installed), not of the status file every later install rewrites.
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Iterable, Sequence

from packageurl import PackageURL

from ..errors import SourceError
from ..model import License, Location, Package, Relationship, RelType
from .._internal.licenses import licenses_from, to_license, to_spdx
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error

__all__ = [
    "NAME",
    "GLOBS",
    "NEEDS",
    "CATALOGERS",
    "DpkgCataloger",
    "Stanza",
    "parse_stanzas",
    "parse_dpkg_db",
    "parse_copyright",
    "declared_licenses",
    "parse_installed_size",
    "split_relations",
    "resolve_dependencies",
]

NAME = "dpkg-db-cataloger"
GLOBS = (
    "**/lib/dpkg/status",
    "**/lib/dpkg/status.d/*",
    "**/lib/opkg/status",
    "**/lib/opkg/info/*.control",
)
NEEDS = (
    "**/lib/dpkg/info/*.list",
    "**/lib/dpkg/info/*.md5sums",
    "**/lib/dpkg/info/*.conffiles",
    "**/lib/dpkg/status.d/*.md5sums",
    "**/lib/opkg/info/*.list",
    "**/usr/share/doc/*/copyright",
)

DOCS = "/usr/share/doc"
# dpkg control-area files that live beside package files in status.d/ and info/.
_CONTROL_EXTS = frozenset(
    ("md5sums", "conffiles", "list", "preinst", "postinst", "prerm", "postrm", "triggers", "shlibs", "symbols", "templates", "config")
)
# Status values (third word of "want flag status") whose files are no longer on disk.
_GONE = frozenset(("not-installed", "config-files"))
_COPYRIGHT_LIMIT = 8 << 20

Stanza = dict[str, str]


# -- the control-file format ---------------------------------------------------------


def parse_stanzas(text: str, loc: Location) -> list[tuple[int, Stanza]]:
    """Split a dpkg control file into stanzas: ``(first line number, {Field: value})``.

    Continuation lines are joined to the field with ``"\\n"`` (leading blank
    kept off).  A continuation with no field before it, a line that is not
    ``Field: value`` and a repeated field are errors naming the line, as dpkg
    itself refuses such a file.  Written as one tight loop: a 3,000-package
    status file is ~100k lines.
    """
    out: list[tuple[int, Stanza]] = []
    cur: Stanza = {}
    start = 0
    key = ""
    parts: list[str] = []  # value lines of the current field
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line or line.isspace():
            if key:
                cur[key] = "\n".join(parts)
                key = ""
            if cur:
                out.append((start, cur))
                cur = {}
            continue
        first = line[0]
        if first == " " or first == "\t":
            if not key:
                raise parse_error(loc, f"continuation line without a field: {line.strip()[:60]!r}", lineno)
            parts.append(line.strip())
            continue
        if first == "#":  # comments are allowed in control files (deb-control(5))
            continue
        colon = line.find(":")
        name = line[:colon] if colon > 0 else ""
        if not name or " " in name or "\t" in name:
            raise parse_error(loc, f"expected 'Field: value', got {line.strip()[:60]!r}", lineno)
        if key:
            cur[key] = "\n".join(parts)
        elif not cur:
            start = lineno
        if name in cur:
            raise parse_error(loc, f"duplicate field {name!r} in one stanza", lineno)
        key = name
        parts = [line[colon + 1 :].strip()]
        cur[key] = ""  # reserve the name so a duplicate is seen before the field ends
    if key:
        cur[key] = "\n".join(parts)
    if cur:
        out.append((start, cur))
    return out


_UNITS = {
    "": 1, "b": 1, "byte": 1, "bytes": 1,
    "k": 1000, "kb": 1000, "ki": 1024, "kib": 1024,
    "m": 1000**2, "mb": 1000**2, "mi": 1024**2, "mib": 1024**2,
    "g": 1000**3, "gb": 1000**3, "gi": 1024**3, "gib": 1024**3,
}  # fmt: skip
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*\Z")


def parse_installed_size(value: str) -> int | None:
    """``Installed-Size`` as syft reads it: a bare number, or one with a unit (``4KB`` = 4000)."""
    m = _SIZE.match(value)
    if not m:
        return None
    unit = _UNITS.get(m.group(2).lower())
    if unit is None:
        return None
    return int(float(m.group(1)) * unit)


def _strip_relation(item: str) -> str:
    """``libc6 (>= 2.34) [amd64] <!nocheck>`` -> ``libc6``; ``perl:any`` -> ``perl``."""
    item = item.strip()
    for i, ch in enumerate(item):
        if ch in "([<>= \t\n":
            item = item[:i]
            break
    name = item.strip()
    colon = name.find(":")
    return name[:colon] if colon > 0 else name


def split_relations(value: str) -> list[list[str]]:
    """A ``Depends``-style field as a list of alternatives groups of package names."""
    groups: list[list[str]] = []
    for clause in value.split(","):
        names = [n for n in (_strip_relation(a) for a in clause.split("|")) if n]
        if names:
            groups.append(names)
    return groups


def _source(value: str) -> tuple[str, str]:
    """``Source: pam`` -> ("pam", ""); ``Source: glibc (2.36-9)`` -> ("glibc", "2.36-9")."""
    value = value.strip()
    if not value:
        return "", ""
    name, _, rest = value.partition(" ")
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        return name, rest[1:-1].strip()
    return name, ""


# -- copyright files -----------------------------------------------------------------

_LICENSE_FIELD = re.compile(r"\nLicense:[ \t]*(.*)")  # matched against "\n" + text: a literal prefix is fast
_COMMON_LICENSE = re.compile(r"/usr/share/common-licenses/([0-9A-Za-z_.+\-]+)")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+\-]*\Z")
_JOINERS = frozenset(("or", "and", "OR", "AND", "|", "&"))


def _license_names(value: str) -> list[str]:
    """The short names in a ``License:`` first line; [] when it is prose, not names.

    ``GPL-2+`` -> [GPL-2+]; ``MPL-1.1 or GPL-2`` -> [MPL-1.1, GPL-2];
    ``GPL-2+ with OpenSSL exception`` -> [GPL-2+]; ``This software is ...`` -> [].
    """
    words = value.split()
    if not words:
        return []
    if len(words) >= 2 and words[1].lower() == "with":
        words = words[:1]
    names = words[0::2]
    if any(j not in _JOINERS for j in words[1::2]):
        return []
    out = []
    for n in names:
        n = n.strip("()").rstrip(",.")
        if not _ID.match(n) or n.lower() == "none":
            return []
        out.append(n)
    return out


@functools.lru_cache(maxsize=256)
def parse_copyright(text: str) -> tuple[str, ...]:
    """License short names a Debian copyright file declares, sorted and unique.

    DEP-5 ``License:`` fields (only when they hold short names; prose in
    non-machine-readable files is ignored) and references to
    ``/usr/share/common-licenses/<name>``, the way Debian points at the full text.
    """
    found: set[str] = set()
    for m in _LICENSE_FIELD.finditer("\n" + text):
        found.update(_license_names(m.group(1)))
    for m in _COMMON_LICENSE.finditer(text):
        name = m.group(1).rstrip(".")
        if name:
            found.add(name)
    return tuple(sorted(found))


def declared_licenses(raw: str, location: str) -> tuple[License, ...]:
    """An inline license field (opkg, apk ``L:``) as syft reads it: one expression when it
    parses, otherwise one license per word (``MIT BSD GPL2+``)."""
    raw = " ".join(raw.split())
    if not raw:
        return ()
    if to_spdx(raw):
        return (to_license(raw, location),)
    return licenses_from(raw.split(), location)


# -- building packages ---------------------------------------------------------------


def _db_root(path: str) -> str:
    """The database a status file belongs to: ``/var/lib/dpkg`` for status, status.d/* and info/*."""
    d = posixpath.dirname(path)
    if posixpath.basename(d) in ("status.d", "info"):
        d = posixpath.dirname(d)
    return d


_DB_DIRS = ("/var/lib/dpkg", "/usr/lib/dpkg", "/lib/dpkg", "/var/lib/opkg", "/usr/lib/opkg", "/lib/opkg")


def _rootfs(status_path: str) -> str:
    """The root the database belongs to ("" for ``/var/lib/dpkg``, ``/srv/chroot`` for a chroot's)."""
    root = _db_root(status_path)
    for d in _DB_DIRS:
        if root.endswith(d):
            return root[: -len(d)]
    return ""


def _info_dir(status_path: str) -> str:
    d = posixpath.dirname(status_path)
    return d if posixpath.basename(d) in ("status.d", "info") else d + "/info"


def _locate(resolver: FileResolver, path: str) -> Location | None:
    """Where a supporting file is; a symlink loop or escape counts as missing."""
    try:
        return resolver.location(path)
    except SourceError:
        return None


def _find(resolver: FileResolver, base: str, keys: Sequence[str], ext: str) -> Location | None:
    for k in keys:
        loc = _locate(resolver, f"{base}/{k}{ext}")
        if loc is not None:
            return loc
    return None


def _read(resolver: FileResolver, loc: Location, env: Environment, limit: int | None = None) -> str | None:
    try:
        return resolver.read_text(loc, limit)
    except SourceError as exc:
        env.warn(f"{NAME}: {exc.diagnostics()}")
        return None


def _list_files(text: str) -> list[str]:
    """Owned paths from a ``.list`` file, without the directories it also lists."""
    entries = [e for e in text.split("\n") if e and e != "/."]
    parents = {e[: e.rfind("/")] for e in entries}
    return [e for e in entries if e not in parents]


def _md5_files(text: str) -> list[str]:
    out = []
    for line in text.split("\n"):
        _, sep, path = line.partition("  ")
        path = path.strip()
        if sep and path:
            out.append(path if path.startswith("/") else "/" + path)
    return out


def _conffiles(value: str) -> list[tuple[str, str]]:
    """The ``Conffiles`` field: ``(path, md5)`` pairs (a trailing ``obsolete`` flag is dropped)."""
    out = []
    for line in value.split("\n"):
        words = line.split()
        if words and words[0].startswith("/"):
            out.append((words[0], words[1] if len(words) > 1 else ""))
    return out


def _purl(st: Stanza, name: str, version: str, env: Environment) -> str:
    distro = env.distro
    if distro is None or not distro.id or (distro.id != "debian" and "debian" not in distro.id_like):
        return ""
    qualifiers: dict[str, str] = {}
    arch = st.get("Architecture", "").strip()
    if arch:
        qualifiers["arch"] = arch
    src, srcver = _source(st.get("Source", ""))
    if src:
        qualifiers["upstream"] = f"{src}@{srcver}" if srcver else src
    if distro.purl_distro:
        qualifiers["distro"] = distro.purl_distro
    return PackageURL(type="deb", namespace=distro.id, name=name, version=version or None, qualifiers=qualifiers).to_string()


def _epoch(version: str) -> int | None:
    head, sep, _ = version.partition(":")
    return int(head) if sep and head.isdigit() else None


def _installed(st: Stanza) -> bool:
    status = st.get("Status", "").split()
    return not status or status[-1] not in _GONE


def _package(resolver: FileResolver, env: Environment, loc: Location, st: Stanza) -> Package:
    name = st["Package"].strip()
    version = st.get("Version", "").strip()
    arch = st.get("Architecture", "").strip()
    src, srcver = _source(st.get("Source", ""))
    info = _info_dir(loc.path)
    keys = [f"{name}:{arch}", name] if arch and arch != "all" else [name]

    evidence: list[Location] = []
    files: list[str] = []
    conffiles = _conffiles(st.get("Conffiles", ""))
    list_loc = _find(resolver, info, keys, ".list")
    md5_loc = None
    if list_loc is not None:
        evidence.append(list_loc)
        text = _read(resolver, list_loc, env)
        if text is not None:
            files = _list_files(text)
    else:
        md5_loc = _find(resolver, info, keys, ".md5sums")
        if md5_loc is not None:
            evidence.append(md5_loc)
            text = _read(resolver, md5_loc, env)
            if text is not None:
                files = _md5_files(text)
        files += [p for p, _ in conffiles]
        conf_loc = _find(resolver, info, keys, ".conffiles")
        if conf_loc is not None:
            evidence.append(conf_loc)
            text = _read(resolver, conf_loc, env)
            if text is not None:
                files += [p.strip() for p in text.split("\n") if p.strip().startswith("/")]
        files = list(dict.fromkeys(files))

    licenses: list[License] = list(declared_licenses(st.get("License", ""), loc.path))
    copyright_loc = _locate(resolver, f"{_rootfs(loc.path)}{DOCS}/{name}/copyright")
    if copyright_loc is not None:
        text = _read(resolver, copyright_loc, env, _COPYRIGHT_LIMIT)
        if text is not None:
            evidence.append(copyright_loc)
            licenses.extend(to_license(v, copyright_loc.path) for v in parse_copyright(text))

    installed_size = parse_installed_size(st.get("Installed-Size", ""))
    metadata: dict[str, object] = {
        "package": name,
        "source": src,
        "source_version": srcver,
        "version": version,
        "architecture": arch,
        "maintainer": st.get("Maintainer", "").strip(),
        "depends": [d.strip() for d in st.get("Depends", "").split(",") if d.strip()],
        "pre_depends": [d.strip() for d in st.get("Pre-Depends", "").split(",") if d.strip()],
        "provides": [d.strip() for d in st.get("Provides", "").split(",") if d.strip()],
    }
    if installed_size is not None:
        metadata["installed_size"] = installed_size
    if conffiles:
        metadata["conffiles"] = [{"path": p, "md5": h} for p, h in conffiles]
    for field, key in (("Status", "status"), ("Section", "section"), ("Priority", "priority"), ("Multi-Arch", "multi_arch")):
        if st.get(field):
            metadata[key] = st[field].strip()

    owner = list_loc or md5_loc
    return Package(
        name=name,
        version=version,
        type="deb",
        found_by=NAME,
        purl=_purl(st, name, version, env),
        licenses=tuple(dict.fromkeys(licenses)),
        supplier=st.get("Maintainer", "").strip(),
        description=st.get("Description", "").split("\n", 1)[0].strip(),
        homepage=st.get("Homepage", "").strip(),
        arch=arch,
        epoch=_epoch(version),
        source_name=src or name,
        source_version=srcver or version,
        layer=owner.layer if owner is not None else loc.layer,
        locations=(loc, *dict.fromkeys(e for e in evidence if e.path != loc.path)),
        files=tuple(files),
        metadata=metadata,
    )


def parse_dpkg_db(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Packages of one status file (or one status.d / opkg control file)."""
    base = posixpath.basename(loc.path)
    if "/status.d/" in loc.path and base.rpartition(".")[2] in _CONTROL_EXTS and "." in base:
        return Parsed()  # a <pkg>.md5sums (or script) next to the distroless status files
    if loc.path.endswith(".control") and resolver.exists(_db_root(loc.path) + "/status"):
        return Parsed()  # opkg keeps both; the status file is the record of what is installed
    text = resolver.read_text(loc)
    pkgs = [
        _package(resolver, env, loc, st)
        for _, st in parse_stanzas(text, loc)
        if st.get("Package", "").strip() and _installed(st)
    ]
    return Parsed.of(pkgs)


# -- dependencies --------------------------------------------------------------------


def resolve_dependencies(packages: Iterable[Package]) -> list[Relationship]:
    """DEPENDS_ON edges from Depends/Pre-Depends to the installed packages providing them.

    Resolution stays inside one database (``/var/lib/dpkg``) so a chroot in an
    image does not satisfy the host's dependencies.  Every installed
    alternative of ``a | b`` gets an edge, and virtual names resolve through
    ``Provides``.
    """
    by_db: dict[str, list[Package]] = {}
    for p in packages:
        if p.type == "deb" and p.locations:
            by_db.setdefault(_db_root(p.locations[0].path), []).append(p)
    rels: set[Relationship] = set()
    for pkgs in by_db.values():
        providers: dict[str, list[str]] = {}
        for p in pkgs:
            provided = [p.name] + [n for g in split_relations(", ".join(p.metadata.get("provides", ()))) for n in g]
            for n in dict.fromkeys(provided):
                providers.setdefault(n, []).append(p.id)
        for p in pkgs:
            wanted = list(p.metadata.get("depends", ())) + list(p.metadata.get("pre_depends", ()))
            for group in split_relations(", ".join(wanted)):
                for n in group:
                    for target in providers.get(n, ()):
                        if target != p.id:
                            rels.add(Relationship(source=p.id, target=target, type=RelType.DEPENDS_ON))
    return sorted(rels)


class DpkgCataloger:
    """The dpkg database cataloger: per-file parsing, then dependency resolution across files."""

    NAME = NAME
    GLOBS = GLOBS
    NEEDS = NEEDS

    def __init__(self) -> None:
        self._files = GlobCataloger(NAME, [(g, parse_dpkg_db) for g in GLOBS], needs=NEEDS)

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        got = self._files.catalog(resolver, env)
        return Parsed(got.packages, got.relationships + tuple(resolve_dependencies(got.packages)))


CATALOGERS = (DpkgCataloger(),)
