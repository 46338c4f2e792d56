"""Which advisory namespaces an OS package is searched in, for a given distro.

A distro maps to an ordered list of :class:`Namespace` values:

* ``base``     the release's feed: ``debian:12``, ``ubuntu:22.04``, ``alpine:3.19``, ``rhel:9``;
* ``overlay``  a subscription channel whose records, when present for a
               vulnerability, replace the base verdict: Ubuntu Pro ``ubuntu:16.04+esm``,
               RHEL EUS ``rhel:9.4+eus`` (give ``--distro ubuntu:16.04+esm`` or
               ``rhel:9.4+eus``; a package whose version carries ``+esm`` turns the
               Ubuntu overlay on by itself);
* ``clone``    a rebuild's own feed (``almalinux:8``, ``rocky:9``) over Red Hat's data:
               its records decide for the vulnerabilities they name;
* ``fallback`` searched only when the namespace before it does not exist in the
               database (SLES: an unknown service pack falls back to the GA feed).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Distro

__all__ = ["Namespace", "namespaces", "family", "OS_TYPES", "example_distro"]

# package type -> distro family it belongs to
OS_TYPES = {"deb": "dpkg", "apk": "apk", "rpm": "rpm"}

_DEBIAN_CODENAMES = {
    "buzz": "1.1", "rex": "1.2", "bo": "1.3", "hamm": "2.0", "slink": "2.1", "potato": "2.2", "woody": "3.0",
    "sarge": "3.1", "etch": "4", "lenny": "5", "squeeze": "6", "wheezy": "7", "jessie": "8", "stretch": "9",
    "buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "sid": "unstable",
}  # fmt: skip

_FAMILY = {
    "debian": "dpkg", "ubuntu": "dpkg",
    "alpine": "apk", "wolfi": "apk", "chainguard": "apk",
    "rhel": "rpm", "centos": "rpm", "almalinux": "rpm", "rocky": "rpm", "ol": "rpm", "amzn": "rpm",
    "sles": "rpm", "sles_sap": "rpm", "opensuse-leap": "rpm", "mariner": "rpm", "azurelinux": "rpm",
    "photon": "rpm", "fedora": "rpm", "hummingbird": "rpm",
}  # fmt: skip

# distro ids spelled differently by some sources -> the id assay uses
_ALIASES = {
    "redhat": "rhel", "red hat": "rhel", "alma": "almalinux", "rockylinux": "rocky", "oracle": "ol", "oraclelinux": "ol",
    "amazon": "amzn", "amazonlinux": "amzn", "suse": "sles", "opensuse": "opensuse-leap", "cbl-mariner": "mariner",
    "azure": "azurelinux",
}  # fmt: skip

_RHEL_CLONES = {"almalinux", "rocky"}


@dataclass(frozen=True, slots=True)
class Namespace:
    ecosystem: str
    role: str = "base"  # base | overlay | clone | fallback


def _canonical_id(distro: Distro) -> str:
    ident = distro.id.lower().strip()
    return _ALIASES.get(ident, ident)


def family(distro: Distro | None) -> str:
    """The package family of a distro ("dpkg", "apk", "rpm"), or "" when unknown."""
    if distro is None or not distro.id:
        return ""
    fam = _FAMILY.get(_canonical_id(distro), "")
    if fam:
        return fam
    for like in distro.id_like:
        fam = _FAMILY.get(_ALIASES.get(like.lower(), like.lower()), "")
        if fam:
            return fam
    return ""


def _split_channel(version: str) -> tuple[str, str]:
    """``16.04+esm`` -> ("16.04", "esm"); ``9.4+eus`` -> ("9.4", "eus")."""
    base, sep, channel = version.partition("+")
    return base.strip(), channel.strip().lower() if sep else ""


def _major(version: str) -> str:
    return version.split(".", 1)[0]


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def namespaces(distro: Distro, *, esm: bool = False) -> list[Namespace]:
    """Advisory namespaces for ``distro``, most general first (see the module docstring).

    ``esm`` turns the Ubuntu Pro overlay on for one package (its version carries
    ``+esm``) even when the distro does not name the channel.
    """
    ident = _canonical_id(distro)
    version, channel = _split_channel(distro.version_id or distro.version)
    if ident == "debian":
        if not version or not version[0].isdigit():
            version = _DEBIAN_CODENAMES.get(distro.version_codename.lower() or version.lower(), version)
        ver = version if version == "unstable" else _major(version)
        return [Namespace(f"debian:{ver}")] if ver else []
    if ident == "ubuntu":
        if not version:
            return []
        ver = _major_minor(version)
        out = [Namespace(f"ubuntu:{ver}")]
        if channel == "esm" or esm:
            out.append(Namespace(f"ubuntu:{ver}+esm", "overlay"))
        return out
    if ident == "alpine":
        if not version:
            return []
        if "edge" in version or "_alpha" in version:
            return [Namespace("alpine:edge")]
        return [Namespace(f"alpine:{_major_minor(version)}")]
    if ident in ("wolfi", "chainguard"):
        return [Namespace(f"{ident}:rolling")]
    if ident in ("rhel", "centos") or ident in _RHEL_CLONES:
        if not version:
            return []
        out = [Namespace(f"rhel:{_major(version)}")]
        if channel == "eus" and "." in version:
            out.append(Namespace(f"rhel:{_major_minor(version)}+eus", "overlay"))
        if ident in _RHEL_CLONES:
            out.append(Namespace(f"{ident}:{_major(version)}", "clone"))
        return out
    if ident in ("ol", "fedora", "hummingbird"):
        return [Namespace(f"{ident}:{_major(version)}")] if version else [Namespace(ident)]
    if ident == "amzn":
        return [Namespace(f"amzn:{_major(version)}")] if version else []
    if ident in ("sles", "sles_sap"):
        if not version:
            return []
        if "." in version:
            return [Namespace(f"sles:{_major_minor(version)}"), Namespace(f"sles:{_major(version)}", "fallback")]
        return [Namespace(f"sles:{version}")]
    if ident in ("mariner", "azurelinux", "photon", "opensuse-leap"):
        return [Namespace(f"{ident}:{_major_minor(version)}")] if version else []
    if not ident:
        return []
    return [Namespace(f"{ident}:{version}")] if version else [Namespace(ident)]


def example_distro(pkg_type: str) -> str:
    """A ``--distro`` example for a package type, used in the no-distro warning."""
    return {"deb": "debian:12", "apk": "alpine:3.20", "rpm": "rhel:9"}.get(pkg_type, "debian:12")
