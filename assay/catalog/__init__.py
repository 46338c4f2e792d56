"""Catalogers: find packages in a resolved file tree.

A cataloger is a module (or object) with ``NAME`` (e.g. ``dpkg-db-cataloger``),
``GLOBS`` (the files it starts from), optionally ``NEEDS`` (more globs it reads, so
image sources can capture them while streaming layers), optionally ``ANALYZERS``
(:class:`assay.source.tree.Analyzer` s for files no glob can name, such as
binaries: their results are read with ``resolver.analysis(name)``) and
``catalog(resolver, env) -> Parsed``.  Most are built with :class:`GlobCataloger`
from ``glob -> parser`` pairs.  One failing file never stops the scan: the
failure becomes a warning naming the file, and the rest is still cataloged.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Protocol, Sequence

from ..errors import AssayError, CatalogError, SourceError
from ..model import Distro, Location, Package, Relationship
from ..source.tree import FileResolver

__all__ = [
    "Environment",
    "Parsed",
    "Cataloger",
    "GlobCataloger",
    "AnalyzerCataloger",
    "Unreadable",
    "guarded",
    "lazy_parser",
    "CatalogResult",
    "catalog",
    "all_catalogers",
    "all_globs",
    "all_analyzers",
    "CATALOGER_MODULES",
]

log = logging.getLogger(__name__)


@dataclass
class Environment:
    """What catalogers know besides the file tree: the distro, and where warnings go."""

    distro: Distro | None = None
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        log.warning(message)
        self.warnings.append(message)


@dataclass(frozen=True, slots=True)
class Parsed:
    packages: tuple[Package, ...] = ()
    relationships: tuple[Relationship, ...] = ()

    @staticmethod
    def of(packages: Iterable[Package] = (), relationships: Iterable[Relationship] = ()) -> "Parsed":
        return Parsed(tuple(packages), tuple(relationships))


class Cataloger(Protocol):
    NAME: str
    GLOBS: tuple[str, ...]

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed: ...


Parser = Callable[[FileResolver, Environment, Location], Parsed]


def lazy_parser(module: str, name: str) -> Parser:
    """The parser ``name`` of ``module`` (relative to this package), imported when it first runs.

    Every cataloger module is imported to learn its globs; a parser with costly imports
    (yaml, zipfile, sqlite3, ...) registered this way costs nothing until a file matches.
    """

    def parse(resolver: FileResolver, env: Environment, loc: Location) -> Parsed:
        return getattr(importlib.import_module(module, __name__), name)(resolver, env, loc)

    parse.__name__ = parse.__qualname__ = name
    return parse


class GlobCataloger:
    """Runs ``parser`` on every file matching its glob; stamps ``found_by``; isolates failures."""

    def __init__(self, name: str, parsers: Sequence[tuple[str, Parser]], needs: Sequence[str] = ()) -> None:
        self.NAME = name
        self.parsers = tuple(parsers)
        self.GLOBS = tuple(g for g, _ in self.parsers)
        self.NEEDS = tuple(needs)

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        pkgs: list[Package] = []
        rels: list[Relationship] = []
        seen: set[str] = set()
        for glob, parser in self.parsers:
            for loc in resolver.glob(glob):
                if loc.path in seen:
                    continue
                seen.add(loc.path)
                try:
                    got = parser(resolver, env, loc)
                except SourceError:
                    raise
                except AssayError as exc:
                    env.warn(f"{self.NAME}: {exc.diagnostics()}")
                    continue
                except Exception as exc:  # a parser bug must not lose the rest of the image
                    log.debug("cataloger failed", exc_info=True)
                    env.warn(f"{self.NAME}: {loc.path}: {type(exc).__name__}: {exc}")
                    continue
                pkgs.extend(p if p.found_by else replace(p, found_by=self.NAME) for p in got.packages)  # keeps ids
                rels.extend(got.relationships)
        return Parsed(tuple(pkgs), tuple(rels))


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An analyzer's verdict on a file it should read but cannot (packed, damaged): a warning, no packages."""

    reason: str


def guarded(analyze: Callable[[str, bytes], object]) -> Callable[[str, bytes], object]:
    """``analyze`` for an Analyzer, turning a reader bug into an :class:`Unreadable` verdict
    (it runs while an image streams: one odd binary must not stop the scan)."""

    def run(path: str, data: bytes) -> object:
        try:
            return analyze(path, data)
        except Exception as exc:  # noqa: BLE001 - reported as a warning naming the file
            return Unreadable(f"{type(exc).__name__}: {exc}")

    return run


class AnalyzerCataloger:
    """Packages from the results of one content analyzer (binaries, which no glob can name).

    ``parse(result, location) -> (packages, relationships)`` runs once per file the
    analyzer found something in; an :class:`Unreadable` result becomes a warning worded
    by ``warning`` (a format string with ``{name}``, ``{path}`` and ``{reason}``).
    """

    GLOBS: tuple[str, ...] = ()
    NEEDS: tuple[str, ...] = ()

    def __init__(self, name: str, analyzer, parse: Callable[..., tuple[Sequence[Package], Sequence[Relationship]]], warning: str = "{name}: {path}: {reason}") -> None:  # type: ignore[no-untyped-def]
        self.NAME = name
        self.ANALYZERS = (analyzer,)
        self._parse = parse
        self._warning = warning

    def catalog(self, resolver: FileResolver, env: Environment) -> Parsed:
        pkgs: list[Package] = []
        rels: list[Relationship] = []
        for path, result in sorted(resolver.analysis(self.ANALYZERS[0].name).items()):
            if isinstance(result, Unreadable):
                env.warn(self._warning.format(name=self.NAME, path=path, reason=result.reason))
                continue
            p, r = self._parse(result, resolver.location_of(path))
            pkgs.extend(p)
            rels.extend(r)
        return Parsed.of(pkgs, rels)


# Modules under assay.catalog that expose CATALOGERS (a tuple of catalogers), in run order.
CATALOGER_MODULES: tuple[str, ...] = (
    "dpkg",
    "apk",
    "rpm",
    "golang",
    "rust",
    "java",
    "python",
    "ruby",
    "php",
    "javascript",
    "dotnet",
    "binary",
)


# As in syft, what a scan reports depends on what is scanned: an image reports what is
# installed, a directory (a source tree) what its manifests and lockfiles declare.
# Catalogers of declared dependencies run for directories only; catalogers of
# installed language packages that would double-count a lockfile's, for images only.
DIRECTORY_ONLY = frozenset(
    {
        "go-module-file-cataloger",
        "rust-cargo-lock-cataloger",
        "java-pom-cataloger",
        "java-gradle-lockfile-cataloger",
        "python-package-cataloger",
        "ruby-gemfile-cataloger",
        "php-composer-lock-cataloger",
        "javascript-lock-cataloger",
        "dotnet-packages-lock-cataloger",
    }
)
IMAGE_ONLY = frozenset({"javascript-package-cataloger"})


def all_catalogers(selection: Sequence[str] = (), source_kind: str = "") -> list[Cataloger]:
    """The catalogers to run: those matching ``selection`` (names or prefixes) when given,
    else the defaults for ``source_kind`` ("image", "directory", "file"; "" = every one)."""
    out: list[Cataloger] = []
    for mod in CATALOGER_MODULES:
        m = importlib.import_module(f"{__name__}.{mod}")
        out.extend(m.CATALOGERS)
    if selection:
        wanted = set(selection)
        return [c for c in out if c.NAME in wanted or any(c.NAME.startswith(w) for w in wanted)]
    if source_kind == "image":
        out = [c for c in out if c.NAME not in DIRECTORY_ONLY]
    elif source_kind in ("directory", "file"):
        out = [c for c in out if c.NAME not in IMAGE_ONLY]
    return out


def all_globs(catalogers: Sequence[Cataloger]) -> tuple[str, ...]:
    from . import distro

    globs: list[str] = list(distro.GLOBS)
    for c in catalogers:
        globs.extend(c.GLOBS)
        globs.extend(getattr(c, "NEEDS", ()))
    return tuple(dict.fromkeys(globs))


def all_analyzers(catalogers: Sequence[Cataloger]) -> tuple:  # tuple[Analyzer, ...]
    """Content analyzers the catalogers need run while the source is read (by name, once)."""
    seen: dict[str, object] = {}
    for c in catalogers:
        for a in getattr(c, "ANALYZERS", ()):
            seen.setdefault(a.name, a)
    return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class CatalogResult:
    packages: tuple[Package, ...]
    relationships: tuple[Relationship, ...]
    distro: Distro | None
    warnings: tuple[str, ...]


def catalog(resolver: FileResolver, catalogers: Sequence[Cataloger] | None = None, *, distro: Distro | None = None) -> CatalogResult:
    """Detect the distro, then run every cataloger over the resolver."""
    from . import distro as distro_mod

    if catalogers is None:
        catalogers = all_catalogers()
    env = Environment(distro=distro if distro is not None else distro_mod.identify(resolver))
    pkgs: list[Package] = []
    rels: list[Relationship] = []
    for c in catalogers:
        try:
            got = c.catalog(resolver, env)
        except SourceError:
            raise
        except AssayError as exc:
            env.warn(f"{c.NAME}: {exc.diagnostics()}")
            continue
        except Exception as exc:
            log.debug("cataloger failed", exc_info=True)
            env.warn(f"{c.NAME}: {type(exc).__name__}: {exc}")
            continue
        pkgs.extend(got.packages)
        rels.extend(got.relationships)
    # the layer that introduced a package: its catalogers' choice, else its first evidence's
    pkgs = [p if p.layer or not p.locations or not p.locations[0].layer else replace(p, layer=p.locations[0].layer) for p in pkgs]
    from .binary import drop_owned  # binary imports this package

    pkgs = list(drop_owned(pkgs, resolver))  # a file dpkg/rpm/apk owns is not reported again by a classifier
    ids = {p.id for p in pkgs}
    rels = [r for r in rels if r.source in ids and r.target in ids]
    return CatalogResult(tuple(pkgs), tuple(rels), env.distro, tuple(env.warnings))


def parse_error(loc: Location, message: str, line: int | None = None) -> CatalogError:
    """A CatalogError naming the file (and line) that could not be read."""
    where = f"{loc.path}:{line}" if line is not None else loc.path
    return CatalogError(f"{where}: {message}")
