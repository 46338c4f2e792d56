"""Names of ecosystems and packages, normalised the way advisories are stored and matched.

Feeds spell the same namespace many ways: OSV says ``Ubuntu:Pro:16.04:LTS``,
``Red Hat:enterprise_linux:8::appstream`` or ``crates.io``; vunnel says
``github:python`` or ``ubuntu:16.04+esm``; the Debian tracker says ``bookworm``.
:func:`normalize_ecosystem` (OSV strings), :func:`vunnel_namespace` and
:func:`github_ecosystem` (vunnel) and :data:`DEBIAN_CODENAMES` turn them into
the namespaces of :mod:`assay.advisories.model` (``ubuntu:16.04+esm``,
``rhel:8``, ``cargo``, ...).  :func:`normalize_package` applies each
ecosystem's naming rule (PEP 503 for pypi, lower case for nuget/composer and
CPE products); the matcher calls it on SBOM names so both sides agree.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "DEBIAN_CODENAMES",
    "LANGUAGES",
    "normalize_ecosystem",
    "normalize_package",
    "vunnel_namespace",
    "github_ecosystem",
    "purl_ecosystem",
    "ecosystem_base",
]

# Debian release codenames -> version, as the tracker and os-release name them.
DEBIAN_CODENAMES: dict[str, str] = {
    "buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2",
    "woody": "3.0", "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7",
    "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
    "trixie": "13", "forky": "14", "duke": "15", "sid": "unstable",
}  # fmt: skip

# OSV language ecosystems (case-insensitive) -> assay namespace
_LANGUAGE_OSV: dict[str, str] = {
    "pypi": "pypi",
    "npm": "npm",
    "go": "go",
    "maven": "maven",
    "crates.io": "cargo",
    "rubygems": "gem",
    "nuget": "nuget",
    "packagist": "composer",
    "hex": "hex",
    "pub": "pub",
    "bitnami": "bitnami",
    "hackage": "hackage",
    "ghc": "ghc",
    "cran": "cran",
    "bioconductor": "bioconductor",
    "swifturl": "swift",
    "github actions": "github-actions",
    "conancenter": "conan",
    "julia": "julia",
    "opam": "opam",
    "vscode": "vscode",
}
LANGUAGES = frozenset(_LANGUAGE_OSV.values())

# OSV distro ecosystem prefixes (lower case) -> assay distro id
_DISTRO_OSV: dict[str, str] = {
    "debian": "debian",
    "ubuntu": "ubuntu",
    "alpine": "alpine",
    "almalinux": "almalinux",
    "rocky linux": "rocky",
    "wolfi": "wolfi",
    "chainguard": "chainguard",
    "photon os": "photon",
    "azure linux": "azurelinux",
    "cbl-mariner": "mariner",
    "mageia": "mageia",
    "openeuler": "openeuler",
    "minimos": "minimos",
    "echo": "echo",
    "alpaquita": "alpaquita",
    "bellsoft hardened containers": "bellsoft",
    "opensuse": "opensuse",
    "suse": "sles",
    "red hat": "rhel",
}
_ROLLING = frozenset({"wolfi", "chainguard", "minimos", "echo"})

# vunnel GHSA ecosystems -> assay namespace
_GITHUB: dict[str, str] = {
    "python": "pypi",
    "pip": "pypi",
    "npm": "npm",
    "go": "go",
    "golang": "go",
    "java": "maven",
    "maven": "maven",
    "gem": "gem",
    "rubygems": "gem",
    "nuget": "nuget",
    "composer": "composer",
    "php": "composer",
    "rust": "cargo",
    "cargo": "cargo",
    "hex": "hex",
    "erlang": "hex",
    "pub": "pub",
    "dart": "pub",
    "swift": "swift",
    "actions": "github-actions",
    "github-actions": "github-actions",
}

# purl types -> assay namespace (language packages only)
_PURL: dict[str, str] = {
    "pypi": "pypi", "npm": "npm", "golang": "go", "maven": "maven", "cargo": "cargo", "gem": "gem",
    "nuget": "nuget", "composer": "composer", "hex": "hex", "pub": "pub", "bitnami": "bitnami",
    "swift": "swift", "hackage": "hackage", "cran": "cran", "conan": "conan", "github": "github-actions",
}  # fmt: skip

_SUSE_PRODUCTS = (
    # (prefix of the OSV product name, lower case) -> distro id
    ("linux enterprise server for sap applications", "sles"),
    ("linux enterprise server", "sles"),
    ("linux enterprise desktop", "sled"),
    ("linux enterprise micro", "sle-micro"),
    ("linux micro", "sle-micro"),
    ("linux enterprise high performance computing", "sles"),
    ("linux enterprise module for", "sles"),
    ("linux enterprise", "sles"),
)
_SP = re.compile(r"^(\d+)(?:[ -]sp(\d+))?", re.I)


def ecosystem_base(ecosystem: str) -> str:
    """``debian:12`` -> ``debian``; ``pypi`` -> ``pypi``."""
    return ecosystem.split(":", 1)[0]


@lru_cache(maxsize=4096)
def normalize_ecosystem(osv: str) -> str:
    """The assay namespace of an OSV ``package.ecosystem`` string.

    Unknown ecosystems are kept (lower case, spaces as dashes) so nothing is
    lost; the matcher simply never asks for them.
    """
    eco = osv.strip()
    if not eco:
        return ""
    if eco.startswith("Root:"):  # Root.io patched packages live in the distro/language namespace they patch
        return normalize_ecosystem(eco[5:])
    head, _, rest = eco.partition(":")
    low = head.strip().lower()
    if low in _LANGUAGE_OSV and (low != "maven" or not rest or rest.startswith("http")):
        return _LANGUAGE_OSV[low]
    distro = _DISTRO_OSV.get(low)
    if distro is None:
        return re.sub(r"\s+", "-", eco.lower())
    if distro == "ubuntu":
        return _ubuntu(rest)
    if distro == "rhel":
        return _redhat(rest)
    if distro in ("sles", "opensuse"):
        return _suse(distro, rest)
    if distro in _ROLLING:
        return f"{distro}:rolling"
    version = rest.strip()
    if distro == "alpine":
        version = version.lstrip("v")
    if distro == "debian" and version.lower() in DEBIAN_CODENAMES:
        version = DEBIAN_CODENAMES[version.lower()]
    if distro == "azurelinux" and version.isdigit():
        version += ".0"
    return f"{distro}:{version}" if version else distro


def _ubuntu(rest: str) -> str:
    """``22.04:LTS`` -> ubuntu:22.04; ``Pro:16.04:LTS`` -> ubuntu:16.04+esm; ``Pro:FIPS:20.04:LTS`` -> ubuntu:20.04+fips."""
    parts = [p for p in rest.split(":") if p]
    suffix = ""
    if parts and parts[0].lower() == "pro":
        parts = parts[1:]
        suffix = "+esm"
        if parts and parts[0].lower().startswith("fips"):
            parts = parts[1:]
            suffix = "+fips"
    elif parts and parts[0].lower().startswith("fips"):
        parts = parts[1:]
        suffix = "+fips"
    version = next((p for p in parts if re.fullmatch(r"\d+\.\d+", p)), "")
    return f"ubuntu:{version}{suffix}" if version else "ubuntu"


def _redhat(rest: str) -> str:
    """``enterprise_linux:8::appstream`` -> rhel:8; ``rhel_eus:8.4::baseos`` -> rhel:8.4+eus.

    Other Red Hat products (OpenShift, ...) keep their own namespace,
    ``redhat:<product>:<version>``: they are not RHEL packages.
    """
    parts = rest.split(":")
    product = parts[0].lower() if parts else ""
    version = parts[1] if len(parts) > 1 else ""
    if product == "enterprise_linux":
        major = version.split(".", 1)[0]
        return f"rhel:{major}" if major else "rhel"
    m = re.fullmatch(r"rhel_(eus|aus|e4s|tus|els)", product)
    if m and version:
        return f"rhel:{version}+{m.group(1)}"
    tail = ":".join(p for p in (product, version) if p)
    return f"redhat:{tail}" if tail else "redhat"


def _suse(distro: str, rest: str) -> str:
    """``SUSE:Linux Enterprise Server 15 SP6`` -> sles:15.6; ``openSUSE:Leap 15.5`` -> opensuse-leap:15.5."""
    text = rest.strip()
    low = text.lower()
    if distro == "opensuse":
        if low.startswith("leap micro"):
            return "opensuse-leap-micro:" + text[10:].strip()
        if low.startswith("leap"):
            return "opensuse-leap:" + text[4:].strip()
        if low.startswith("tumbleweed"):
            return "opensuse-tumbleweed"
        return "opensuse:" + re.sub(r"\s+", "-", low) if low else "opensuse"
    for prefix, ident in _SUSE_PRODUCTS:
        if low.startswith(prefix):
            tail = text[len(prefix) :].strip()
            m = _SP.match(tail)
            if not m:
                return ident
            return f"{ident}:{m.group(1)}.{m.group(2)}" if m.group(2) else f"{ident}:{m.group(1)}"
    return "suse:" + re.sub(r"\s+", "-", low) if low else "suse"


@lru_cache(maxsize=1024)
def vunnel_namespace(namespace: str) -> str:
    """A vunnel OS namespace (``rhel:8``, ``ubuntu:16.04+esm``, ``alpine:3.18``,
    ``oracle:7``, ``amazon:2``) as an assay namespace."""
    ns = namespace.strip().lower()
    distro, _, version = ns.partition(":")
    distro = {"oracle": "ol", "oraclelinux": "ol", "amazon": "amzn", "amazonlinux": "amzn", "redhat": "rhel",
              "centos": "rhel", "suse": "sles", "sles": "sles", "alma": "almalinux", "rockylinux": "rocky",
              "azure": "azurelinux", "cbl-mariner": "mariner"}.get(distro, distro)  # fmt: skip
    if distro == "debian" and version in DEBIAN_CODENAMES:
        version = DEBIAN_CODENAMES[version]
    if distro in _ROLLING and not version:
        version = "rolling"
    return f"{distro}:{version}" if version else distro


@lru_cache(maxsize=256)
def github_ecosystem(value: str) -> str:
    """A vunnel GHSA ecosystem or namespace (``python``, ``github:python``) as an assay namespace."""
    low = value.strip().lower()
    if low.startswith("github:"):
        low = low[7:]
    return _GITHUB.get(low, low)


def purl_ecosystem(purl_type: str) -> str:
    """The assay namespace of a language purl type ('' when not a language)."""
    return _PURL.get(purl_type.lower(), "")


_PEP503 = re.compile(r"[-_.]+")


def normalize_package(ecosystem: str, name: str) -> str:
    """``name`` as stored and looked up in ``ecosystem`` (an assay namespace).

    pypi: PEP 503 (``Oslo_Utils`` -> ``oslo-utils``); nuget, composer, cpe:
    lower case; maven: ``group:artifact`` (``/`` accepted as separator);
    everything else (npm, go, cargo, gem, distro packages) as given, trimmed.
    """
    name = name.strip()
    base = ecosystem.split(":", 1)[0]
    if base == "pypi":
        return _PEP503.sub("-", name).lower()
    if base in ("nuget", "composer", "cpe"):
        return name.lower()
    if base == "maven" and ":" not in name and "/" in name:
        return name.replace("/", ":", 1)
    return name
