"""The advisory ecosystem and search name of a language package.

``package_key(pkg)`` returns ``(ecosystem, name, version)`` as the advisory
database stores them (see :mod:`assay.advisories.model`): PEP 503 names for
pypi, ``group:artifact`` for maven, ``@scope/name`` for npm, the module path for
go (and ``stdlib`` at the toolchain version, ``go1.21.3`` -> ``1.21.3``),
lower case for nuget and composer.  The syft package type decides; the purl
type is the fallback for SBOMs written by tools with other type names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Mapping
from urllib.parse import unquote

from ..model import Package

__all__ = ["ECOSYSTEM_BY_TYPE", "ECOSYSTEM_BY_PURL", "package_key", "pep503", "purl_parts"]

ECOSYSTEM_BY_TYPE = {
    "python": "pypi",
    "npm": "npm",
    "go-module": "go",
    "java-archive": "maven",
    "jenkins-plugin": "maven",
    "rust-crate": "cargo",
    "gem": "gem",
    "php-composer": "composer",
    "dotnet": "nuget",
    "hex": "hex",
    "erlang-otp": "hex",
    "dart-pub": "pub",
    "pub": "pub",
    "bitnami": "bitnami",
}

ECOSYSTEM_BY_PURL = {
    "pypi": "pypi",
    "npm": "npm",
    "golang": "go",
    "maven": "maven",
    "cargo": "cargo",
    "gem": "gem",
    "composer": "composer",
    "nuget": "nuget",
    "hex": "hex",
    "pub": "pub",
    "bitnami": "bitnami",
}

_UNKNOWN_VERSIONS = {"", "unknown", "(devel)", "devel", "*", "unspecified", "none"}
_PEP503 = re.compile(r"[-_.]+")


def pep503(name: str) -> str:
    return _PEP503.sub("-", name).lower()


@lru_cache(maxsize=65536)
def purl_parts(purl: str) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """``(type, namespace, name, qualifiers)`` of a purl; empty strings when it is not one.

    A plain split by the purl grammar (type / namespace... / name @ version ? qualifiers
    # subpath, each part percent-decoded): thousands of SBOM purls are read per scan and
    a full parser costs far more than the match itself.
    """
    if not purl.startswith("pkg:"):
        return "", "", "", ()
    rest = purl[4:].lstrip("/").partition("#")[0]
    rest, _, query = rest.partition("?")
    at = rest.rfind("@")
    if at > rest.rfind("/"):
        rest = rest[:at]
    segments = [s for s in rest.split("/") if s]
    if len(segments) < 2:
        return "", "", "", ()
    quals = []
    for pair in query.split("&") if query else ():
        key, _, value = pair.partition("=")
        if key and value:
            quals.append((key.lower(), unquote(value)))
    namespace = "/".join(unquote(s) for s in segments[1:-1])
    return segments[0].lower(), namespace, unquote(segments[-1]), tuple(sorted(quals))


def _normalize(ecosystem: str, name: str) -> str:
    """The database's normalisation of ``name`` (assay.advisories.ecosystems), so both sides agree."""
    from ..advisories.ecosystems import normalize_package

    return normalize_package(ecosystem, name)


def _maven_name(pkg: Package, namespace: str, name: str) -> str:
    if namespace and name:
        return f"{namespace}:{name}"
    md: Mapping[str, Any] = pkg.metadata if isinstance(pkg.metadata, Mapping) else {}
    props: Mapping[str, Any] = md.get("pomProperties") or {}
    props = props if isinstance(props, Mapping) else {}
    group = md.get("pomGroupID") or md.get("groupId") or props.get("groupId") or ""
    artifact = md.get("pomArtifactID") or md.get("artifactId") or props.get("artifactId") or pkg.name
    if group:
        return f"{group}:{artifact}"
    return pkg.name if ":" in pkg.name else ""


def package_key(pkg: Package) -> tuple[str, str, str] | None:
    """``(ecosystem, name, version)`` to search for a language package, or None when it has none."""
    ptype, namespace, pname, _ = purl_parts(pkg.purl) if pkg.purl else ("", "", "", ())
    eco = ECOSYSTEM_BY_TYPE.get(pkg.type) or ECOSYSTEM_BY_PURL.get(ptype, "")
    if not eco:
        return None
    version = pkg.version.strip()
    if version.lower() in _UNKNOWN_VERSIONS:
        return None
    if eco == "maven":
        name = _maven_name(pkg, namespace if ptype == "maven" else "", pname if ptype == "maven" else "")
    elif eco == "npm":
        name = pkg.name if pkg.name.startswith("@") or not (ptype == "npm" and namespace) else f"{namespace}/{pname}"
    elif eco == "go":
        name = pkg.name
        if name == "stdlib":
            version = version.removeprefix("go")
            if not version or not version[0].isdigit():
                return None
    elif eco == "pypi":
        name = pep503(pkg.name)
    else:
        name = pkg.name
    if not name:
        return None
    return eco, _normalize(eco, name), version
