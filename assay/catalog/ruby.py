"""Ruby gems: Bundler lock files and installed gem specifications.

``ruby-gemfile-cataloger`` reads ``**/Gemfile.lock``: every spec (4-space
indented ``name (version)`` line) of the ``GEM``, ``GIT``, ``PATH`` and
``PLUGIN SOURCE`` sections is a gem, and the 6-space lines under it are its
dependencies, resolved by name to DEPENDS_ON edges.  A platform gem
(``nokogiri (1.16.0-x86_64-linux)``) keeps ``1.16.0`` as its version and the
platform as the purl's ``platform`` qualifier (RubyGems versions never contain
``-``, so the split is unambiguous).

``ruby-installed-gemspec-cataloger`` reads ``**/specifications/**/*.gemspec``,
the specifications RubyGems writes when it installs a gem.  They are Ruby code
and are never executed: the ``s.name``, ``s.version``, ``s.licenses``/``s.license``,
``s.authors``, ``s.email``, ``s.homepage``, ``s.summary`` and ``s.files``
assignments are read as literals (double/single-quoted strings with ``\\u``
escapes, ``%q``/``%w`` forms, arrays, ``.freeze``), and ``#{s.name}``-style
interpolation of those fields is resolved.  ``add_dependency`` /
``add_runtime_dependency`` calls become DEPENDS_ON edges to the gems installed
in the same gem home (filtered by the requirement when several versions are
installed).  The purl is ``pkg:gem/<name>@<version>`` as syft writes it.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any, Iterable, Sequence

from packageurl import PackageURL

from ..model import Location, Package, Relationship, RelType
from .._internal.licenses import licenses_from
from ..source.tree import FileResolver
from . import Environment, GlobCataloger, Parsed, parse_error

__all__ = [
    "LOCK_NAME",
    "GEMSPEC_NAME",
    "CATALOGERS",
    "GemspecCataloger",
    "parse_gemfile_lock",
    "parse_gemspec",
    "read_gemspec",
    "gem_purl",
    "gem_version_cmp",
    "gem_requirement_holds",
    "resolve_installed",
]

LOCK_NAME = "ruby-gemfile-cataloger"
GEMSPEC_NAME = "ruby-installed-gemspec-cataloger"
LOCK_GLOBS = ("**/Gemfile.lock",)
GEMSPEC_GLOBS = ("**/specifications/**/*.gemspec",)

_SECTIONS = frozenset(("GEM", "GIT", "PATH", "PLUGIN SOURCE"))


def _read_text(resolver: FileResolver, loc: Location, cap: int = 64 << 20) -> str:
    """A file's text; one larger than ``cap`` is a CatalogError (a warning), not a failed scan."""
    size = resolver.size(loc)
    if size > cap:
        raise parse_error(loc, f"{size} bytes, over the {cap >> 20} MiB this cataloger reads")
    return resolver.read_text(loc, cap)


def gem_purl(name: str, version: str, platform: str = "") -> str:
    qualifiers = {"platform": platform} if platform and platform != "ruby" else None
    return PackageURL(type="gem", name=name, version=version or None, qualifiers=qualifiers).to_string()


def _split_platform(version: str) -> tuple[str, str]:
    """``1.16.0-x86_64-linux`` -> (``1.16.0``, ``x86_64-linux``)."""
    v, sep, platform = version.partition("-")
    return (v, platform) if sep else (version, "")


# -- Gemfile.lock ------------------------------------------------------------------------


def parse_gemfile_lock(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """Gems of a Gemfile.lock with the dependency edges its spec lists give."""
    text = _read_text(resolver, loc)
    section = ""
    remote = revision = ""
    entries: list[tuple[str, str, str, dict[str, Any], list[str]]] = []  # name, version, platform, metadata, deps
    direct: set[str] = set()
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line[0] != " ":
            section = line.strip()
            remote = revision = ""
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if section == "DEPENDENCIES" and indent == 2:
            direct.add(body.split(" ", 1)[0].rstrip("!"))
            continue
        if section not in _SECTIONS:
            continue
        if indent == 2:
            key, _, value = body.partition(":")
            if key == "remote":
                remote = value.strip()
            elif key == "revision":
                revision = value.strip()
            continue
        if indent == 4:
            words = body.split()
            if len(words) != 2 or not (words[1].startswith("(") and words[1].endswith(")")):
                raise parse_error(loc, f"expected 'name (version)', got {body[:60]!r}", lineno)
            version, platform = _split_platform(words[1][1:-1])
            metadata: dict[str, Any] = {"source": section, "dependencies": []}
            if remote:
                metadata["remote"] = remote
            if revision:
                metadata["revision"] = revision
            if platform:
                metadata["platform"] = platform
            entries.append((words[0], version, platform, metadata, metadata["dependencies"]))
            continue
        if indent == 6 and entries:
            entries[-1][4].append(body.split(" ", 1)[0])
    pkgs: list[Package] = []
    by_name: dict[str, list[str]] = {}
    for name, version, platform, metadata, _ in entries:
        if name in direct:
            metadata["direct"] = True
        p = Package(
            name=name,
            version=version,
            type="gem",
            found_by=LOCK_NAME,
            purl=gem_purl(name, version, platform),
            language="ruby",
            layer=loc.layer,
            locations=(loc,),
            metadata=metadata,
        )
        pkgs.append(p)
        by_name.setdefault(name, []).append(p.id)
    rels = {
        Relationship(source=p.id, target=t, type=RelType.DEPENDS_ON)
        for p, (_, _, _, _, deps) in zip(pkgs, entries, strict=True)
        for d in deps
        for t in by_name.get(d, ())
        if t != p.id
    }
    return Parsed.of(pkgs, sorted(rels))


# -- gem specifications: reading Ruby literals without running Ruby ---------------------------

_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "s": " ", "e": "\x1b", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_SUFFIX = re.compile(r"\s*\.(?:freeze|dup|to_s|strip)\b")


def _double_quoted(s: str, i: int, end: str = '"') -> tuple[str, int]:
    """Body of a double-quoted string starting after its opening quote; escapes decoded, ``#{...}`` kept."""
    out: list[str] = []
    n = len(s)
    while i < n:
        c = s[i]
        if c == end:
            return "".join(out), i + 1
        if c == "\\" and i + 1 < n:
            nxt = s[i + 1]
            if nxt == "u":
                m = re.match(r"\{([0-9A-Fa-f ]+)\}|([0-9A-Fa-f]{4})", s[i + 2 :])
                if m:
                    codes = m.group(1).split() if m.group(1) else [m.group(2)]
                    out.extend(chr(int(c2, 16)) for c2 in codes)
                    i += 2 + m.end()
                    continue
            out.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    raise ValueError("unterminated string")


def _single_quoted(s: str, i: int, end: str = "'") -> tuple[str, int]:
    out: list[str] = []
    n = len(s)
    while i < n:
        c = s[i]
        if c == end:
            return "".join(out), i + 1
        if c == "\\" and i + 1 < n and s[i + 1] in (end, "\\"):
            out.append(s[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    raise ValueError("unterminated string")


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\r\n":
        i += 1
    return i


def _literal(s: str, i: int) -> tuple[Any, int] | None:
    """A Ruby string / string array literal at ``s[i:]`` (``.freeze`` skipped), or None."""
    i = _skip_space(s, i)
    if i >= len(s):
        return None
    c = s[i]
    value: Any
    if c == '"':
        value, i = _double_quoted(s, i + 1)
    elif c == "'":
        value, i = _single_quoted(s, i + 1)
    elif c == "%" and i + 2 < len(s) and s[i + 1] in "qQwW" and s[i + 2] in _PAIRS:
        kind, close = s[i + 1], _PAIRS[s[i + 2]]
        j = s.find(close, i + 3)
        if j < 0:
            raise ValueError("unterminated %-literal")
        body = s[i + 3 : j]
        if kind in "wW":
            value = body.split()
        elif kind == "Q":
            value = _double_quoted(body + close, 0, close)[0]
        else:
            value = body
        i = j + 1
    elif c == "[":
        items: list[Any] = []
        i += 1
        while True:
            i = _skip_space(s, i)
            if i < len(s) and s[i] == "]":
                i += 1
                break
            got = _literal(s, i)
            if got is None:
                return None
            items.append(got[0])
            i = _skip_space(s, got[1])
            if i < len(s) and s[i] == ",":
                i += 1
        value = items
    else:
        return None
    m = _SUFFIX.match(s, i)
    while m:
        i = m.end()
        m = _SUFFIX.match(s, i)
    return value, i


_FIELDS = ("name", "version", "licenses", "license", "authors", "author", "email", "homepage", "summary", "description", "files", "platform")
_ASSIGN = re.compile(r"^[ \t]*(\w+)\.(" + "|".join(_FIELDS) + r")[ \t]*=(?!=)", re.M)
_DEPENDENCY = re.compile(r"^[ \t]*\w+\.add_(runtime_|development_)?dependency\b[ \t]*\(?", re.M)
_INTERPOLATION = re.compile(r"#\{\s*(?:\w+\.)?(\w+)\s*\}")


def read_gemspec(text: str) -> dict[str, Any]:
    """The literal fields of a gemspec and its ``dependencies`` as ``(name, [requirements], kind)``.

    Fields assigned something that is not a literal (``Foo::VERSION``) are left out.
    """
    fields: dict[str, Any] = {}
    for m in _ASSIGN.finditer(text):
        try:
            got = _literal(text, m.end())
        except ValueError:
            continue
        if got is not None:
            fields.setdefault(m.group(2), got[0])
    deps: list[tuple[str, list[str], str]] = []
    for m in _DEPENDENCY.finditer(text):
        try:
            got = _literal(text, m.end())
            if got is None or not isinstance(got[0], str):
                continue
            name, i = got
            reqs: list[str] = []
            while True:
                i = _skip_space(text, i)
                if i >= len(text) or text[i] != ",":
                    break
                more = _literal(text, i + 1)
                if more is None:
                    break
                reqs += more[0] if isinstance(more[0], list) else [more[0]]
                i = more[1]
        except ValueError:
            continue
        deps.append((name, [str(r) for r in reqs], "development" if m.group(1) == "development_" else "runtime"))
    known = {k: v for k, v in fields.items() if isinstance(v, str)}

    def expand(v: Any) -> Any:
        if isinstance(v, list):
            return [expand(x) for x in v]
        if isinstance(v, str) and "#{" in v:
            return _INTERPOLATION.sub(lambda mm: known.get(mm.group(1), mm.group(0)), v)
        return v

    out = {k: expand(v) for k, v in fields.items()}
    out["dependencies"] = deps
    return out


def _as_list(v: Any) -> list[str]:
    if isinstance(v, list):
        return [str(x) for x in v if str(x).strip()]
    return [str(v)] if isinstance(v, str) and v.strip() else []


def _gem_home(spec_path: str) -> str:
    """``/usr/lib/ruby/gems/3.1.0`` for ``.../3.1.0/specifications[/default]/x.gemspec``."""
    d = posixpath.dirname(spec_path)
    while d and d != "/" and posixpath.basename(d) != "specifications":
        d = posixpath.dirname(d)
    return posixpath.dirname(d) if posixpath.basename(d) == "specifications" else posixpath.dirname(spec_path)


def parse_gemspec(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
    """One installed gem from its specification (read as text, never evaluated)."""
    fields = read_gemspec(_read_text(resolver, loc, 16 << 20))
    name = fields.get("name")
    version = fields.get("version")
    if not isinstance(name, str) or not name.strip() or not isinstance(version, str) or not version.strip():
        raise parse_error(loc, "no literal s.name and s.version assignments")
    name, version = name.strip(), version.strip()
    platform = fields.get("platform") if isinstance(fields.get("platform"), str) else ""
    licenses = _as_list(fields.get("licenses")) + _as_list(fields.get("license"))
    authors = _as_list(fields.get("authors")) + _as_list(fields.get("author"))
    emails = _as_list(fields.get("email"))
    home = _gem_home(loc.path)
    full = f"{name}-{version}" + (f"-{platform}" if platform and platform != "ruby" else "")
    files = [posixpath.normpath(posixpath.join(home, "gems", full, f)) for f in _as_list(fields.get("files"))]
    metadata: dict[str, Any] = {
        "name": name,
        "version": version,
        "gem_home": home,
        "dependencies": [{"name": n, "requirements": r, "type": k} for n, r, k in fields["dependencies"]],
    }
    if authors:
        metadata["authors"] = authors
    if emails:
        metadata["email"] = emails
    if licenses:
        metadata["licenses"] = licenses
    if platform:
        metadata["platform"] = platform
    author = ", ".join(authors)
    if author and len(emails) == 1 and len(authors) == 1:
        author = f"{author} <{emails[0]}>"
    return Parsed.of(
        [
            Package(
                name=name,
                version=version,
                type="gem",
                found_by=GEMSPEC_NAME,
                purl=gem_purl(name, version, platform or ""),
                licenses=licenses_from(licenses, loc.path),
                author=author,
                description=str(fields.get("summary") or "").strip(),
                homepage=str(fields.get("homepage") or "").strip() if isinstance(fields.get("homepage"), str) else "",
                language="ruby",
                layer=loc.layer,
                locations=(loc,),
                files=tuple(dict.fromkeys(files)),
                metadata=metadata,
            )
        ]
    )


# -- RubyGems versions and requirements (for choosing among installed versions) -----------------


def _segments(version: str) -> list[int | str]:
    return [int(x) if x.isdigit() else x for x in re.findall(r"[0-9]+|[A-Za-z]+", version)]


def gem_version_cmp(a: str, b: str) -> int:
    """RubyGems ordering: numeric segments compare as numbers, a letter segment (pre-release) sorts first."""
    sa, sb = _segments(a), _segments(b)
    for i in range(max(len(sa), len(sb))):
        x = sa[i] if i < len(sa) else 0
        y = sb[i] if i < len(sb) else 0
        if x == y:
            continue
        if isinstance(x, str) != isinstance(y, str):
            return -1 if isinstance(x, str) else 1
        return -1 if x < y else 1  # type: ignore[operator]
    return 0


def _bump(version: str) -> str:
    """The upper bound of ``~> version``: drop the last segment and increment the one before."""
    nums = [s for s in _segments(version) if isinstance(s, int)]
    if len(nums) > 1:
        nums = nums[:-1]
    nums[-1] += 1
    return ".".join(str(n) for n in nums)


_CONSTRAINT = re.compile(r"^\s*(~>|>=|<=|!=|=|>|<)?\s*([0-9][0-9A-Za-z.]*)\s*$")


def gem_requirement_holds(version: str, requirements: Iterable[str]) -> bool:
    """Whether ``version`` meets every constraint (``~> 2.5``, ``>= 1.0, < 2``); unreadable ones are ignored."""
    for req in requirements:
        for part in req.split(","):
            m = _CONSTRAINT.match(part)
            if not m:
                continue
            op, want = m.group(1) or "=", m.group(2)
            c = gem_version_cmp(version, want)
            ok = {
                "=": c == 0,
                "!=": c != 0,
                ">": c > 0,
                "<": c < 0,
                ">=": c >= 0,
                "<=": c <= 0,
                "~>": c >= 0 and gem_version_cmp(version, _bump(want)) < 0,
            }[op]
            if not ok:
                return False
    return True


def resolve_installed(packages: Sequence[Package]) -> list[Relationship]:
    """DEPENDS_ON edges from runtime dependencies to the gems installed in the same gem home."""
    homes: dict[str, dict[str, list[Package]]] = {}
    for p in packages:
        if p.found_by == GEMSPEC_NAME:
            homes.setdefault(str(p.metadata.get("gem_home", "")), {}).setdefault(p.name, []).append(p)
    rels: set[Relationship] = set()
    for by_name in homes.values():
        for gems in by_name.values():
            for p in gems:
                for dep in p.metadata.get("dependencies", ()):
                    if dep.get("type") != "runtime":
                        continue
                    cands = by_name.get(dep["name"], [])
                    if len(cands) > 1:
                        cands = [c for c in cands if gem_requirement_holds(c.version, dep["requirements"])] or cands
                    rels.update(Relationship(source=p.id, target=c.id, type=RelType.DEPENDS_ON) for c in cands if c.id != p.id)
    return sorted(rels)


class GemspecCataloger:
    """Installed gem specifications, then the edges between gems of one gem home."""

    NAME = GEMSPEC_NAME
    GLOBS = GEMSPEC_GLOBS

    def __init__(self) -> None:
        self._files = GlobCataloger(GEMSPEC_NAME, [(g, parse_gemspec) for g in GEMSPEC_GLOBS])

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        got = self._files.catalog(resolver, env)
        return Parsed(got.packages, got.relationships + tuple(resolve_installed(got.packages)))


CATALOGERS = (
    GlobCataloger(LOCK_NAME, [(g, parse_gemfile_lock) for g in LOCK_GLOBS]),
    GemspecCataloger(),
)
