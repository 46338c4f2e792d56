"""Version schemes: one module per scheme, each with ``NAME``, ``key(v)`` and ``compare(a, b)``.

``key`` returns a value that sorts like the scheme orders versions (raises
:class:`InvalidVersion` for unparseable input); ``compare`` returns -1, 0 or 1.
Comparing versions of two different schemes is an error
(:class:`IncomparableVersions`).  ``get_scheme(name)`` returns the module;
unknown names fall back to ``generic`` (a fuzzy scheme like grype's).
``constraint.satisfies(scheme, version, constraint)`` evaluates grype-style
constraint strings (``">= 1.0, < 2.0 || = 3.1"``: comma = AND, ``||`` = OR), and
``assay.match.ranges.is_affected`` evaluates OSV ranges.

``compare`` is the order matching uses; ``key`` is for sorting.  They agree except
in rpm, whose ``compare`` adds grype's one-sided-epoch and trailing-zero rules (see
that module).  Schemes ordered by a comparison function rather than a tuple
(maven, gem, generic) return a :class:`ComparableKey`.  Every ``key`` is cached.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

from ...errors import MatchError

__all__ = ["InvalidVersion", "IncomparableVersions", "get_scheme", "SCHEMES", "ECOSYSTEM_SCHEMES", "scheme_for_ecosystem"]


class InvalidVersion(MatchError):
    pass


class IncomparableVersions(MatchError):
    pass


# scheme name -> module under assay.match.versions
SCHEMES: dict[str, str] = {
    "dpkg": "dpkg",
    "rpm": "rpm",
    "apk": "apk",
    "pep440": "pep440",
    "semver": "semver",  # npm / SemVer 2.0 with npm prerelease rules; also cargo, pub, hex
    "go": "golang",
    "maven": "maven",
    "gem": "gem",
    "nuget": "nuget",
    "composer": "composer",
    "generic": "generic",
    "jvm": "jvm",  # Java runtime versions (1.8.0_302-b08, 17.0.2+8): grype's JVM format
    "bitnami": "bitnami",  # semver with Bitnami's package revision suffix ("2.3.1-1") ignored
    # aliases: ecosystems whose versions are SemVer (Affected.version_scheme may name them)
    "npm": "semver",
    "cargo": "semver",
    "hex": "semver",
    "pub": "semver",
}

# normalised ecosystem (see assay.advisories.model) -> scheme
ECOSYSTEM_SCHEMES: dict[str, str] = {
    "debian": "dpkg",
    "ubuntu": "dpkg",
    "alpine": "apk",
    "wolfi": "apk",
    "chainguard": "apk",
    "rhel": "rpm",
    "almalinux": "rpm",
    "rocky": "rpm",
    "centos": "rpm",
    "ol": "rpm",
    "amzn": "rpm",
    "sles": "rpm",
    "opensuse": "rpm",
    "mariner": "rpm",
    "azurelinux": "rpm",
    "fedora": "rpm",
    "photon": "rpm",
    "pypi": "pep440",
    "npm": "semver",
    "cargo": "semver",
    "pub": "semver",
    "hex": "semver",
    "go": "go",
    "maven": "maven",
    "gem": "gem",
    "nuget": "nuget",
    "composer": "composer",
    "bitnami": "bitnami",
}


def scheme_for_ecosystem(ecosystem: str) -> str:
    return ECOSYSTEM_SCHEMES.get(ecosystem.split(":", 1)[0], "generic")


def get_scheme(name: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{SCHEMES.get(name, 'generic')}")


# --- helpers shared by the scheme modules (not part of the public surface) ---


def invalid(scheme: str, version: str, why: str) -> InvalidVersion:
    """The one-line error every scheme raises for a version it cannot parse."""
    return InvalidVersion(f"invalid {scheme} version {version!r}: {why}")


def sign(x: int) -> int:
    """-1, 0 or 1 with the sign of ``x``."""
    return (x > 0) - (x < 0)


def cmp(a: object, b: object) -> int:
    """Three-way comparison of two mutually ordered values (tuples of keys)."""
    return (a > b) - (a < b)  # type: ignore[operator]


class ComparableKey:
    """A sort key for schemes whose order is a comparison function, not a tuple.

    ``key()`` of such a scheme returns one of these (cached): it holds the parsed
    form and the three-way ``compare`` over parsed forms, so ``sorted(vs, key=key)``
    and ``key(a) < key(b)`` follow the scheme.
    """

    __slots__ = ("_compare", "parsed")

    def __init__(self, parsed: object, compare: Callable[[object, object], int]) -> None:
        self.parsed = parsed
        self._compare = compare

    def _cmp(self, other: object) -> int:
        if not isinstance(other, ComparableKey) or other._compare is not self._compare:
            raise IncomparableVersions("cannot compare versions of two different schemes")
        return self._compare(self.parsed, other.parsed)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComparableKey) and other._compare is self._compare and self._cmp(other) == 0

    def __lt__(self, other: ComparableKey) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: ComparableKey) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: ComparableKey) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: ComparableKey) -> bool:
        return self._cmp(other) >= 0

    __hash__ = None  # type: ignore[assignment]  # equal keys may come from different strings
