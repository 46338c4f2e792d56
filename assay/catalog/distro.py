"""Which Linux distribution a file tree holds, read the way syft reads it.

:func:`identify` tries release files in a fixed order and returns the first one
that parses (syft's ``linux.IdentifyRelease``):

1. ``/etc/os-release``, then ``/usr/lib/os-release`` (os-release(5));
2. ``/etc/system-release-cpe`` (CentOS 6: ``cpe:/o:centos:linux:6:GA``);
3. ``/etc/redhat-release`` (``Red Hat Enterprise Linux release 8.10 (Ootpa)``);
4. ``/etc/centos-release``, ``/etc/fedora-release``, ``/etc/alpine-release`` --
   extra fallbacks syft does not have; they only decide trees where syft would
   answer "busybox" or nothing;
5. ``/bin/busybox`` last, because most distros ship it: the version is searched
   for in the binary's bytes, streamed, with a size cap.

A Debian release is then refined with ``/etc/debian_version`` when that holds a
numeric version (``10.8``, ``13.5``): it gives the point release os-release
lacks, or the only version at all (distroless images).

A file that is missing, unreadable, too big, a symlink loop or a link leaving the
root just means "try the next one"; odd content never raises.  The ``parse_*``
functions are pure (text in, :class:`Distro` or None out) so they can be tested
and reused on their own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import IO, Callable

from ..errors import SourceError
from ..model import Distro
from ..source.tree import FileResolver

__all__ = [
    "GLOBS",
    "identify",
    "parse_os_release",
    "parse_system_release_cpe",
    "parse_redhat_release",
    "parse_fedora_release",
    "parse_alpine_release",
    "parse_debian_version",
    "busybox_version",
]

log = logging.getLogger(__name__)

DEBIAN_VERSION = "/etc/debian_version"
BUSYBOX = "/bin/busybox"

# Release files are tiny; anything bigger is not one.
TEXT_READ_LIMIT = 1 << 20
DEBIAN_VERSION_READ_LIMIT = 4096
# How much of /bin/busybox is searched for its version (real binaries are 1-3 MiB).
BUSYBOX_SCAN_LIMIT = 64 << 20
BUSYBOX_CHUNK = 1 << 20

Parser = Callable[[str], "Distro | None"]


# -- os-release ------------------------------------------------------------------------

# Every key syft keeps: a file where all of them are empty identifies nothing.
_OS_RELEASE_KEYS = (
    "PRETTY_NAME", "NAME", "ID", "ID_LIKE", "VERSION", "VERSION_ID", "VERSION_CODENAME",
    "BUILD_ID", "IMAGE_ID", "IMAGE_VERSION", "VARIANT", "VARIANT_ID", "HOME_URL",
    "SUPPORT_URL", "BUG_REPORT_URL", "PRIVACY_POLICY_URL", "CPE_NAME", "SUPPORT_END",
)  # fmt: skip
_ESCAPE = re.compile(r"\\([\\\"$`])")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def _os_release_value(raw: str) -> str:
    value = raw.strip(" \t")
    single = False
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        single = value[0] == "'"
        value = value[1:-1]
    if not single:
        value = _ESCAPE.sub(r"\1", value)
    # unprintable bytes (stray CRs, NULs, escape sequences) never belong in a name or version
    return _CONTROL.sub("", value.replace("\t", " "))


def os_release_values(text: str) -> dict[str, str]:
    """``KEY=value`` pairs of an os-release file; comments, blank and malformed lines skipped."""
    values: dict[str, str] = {}
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line or line[0] == "#":
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        values[key.strip(" \t")] = _os_release_value(value)
    return values


def parse_os_release(text: str) -> Distro | None:
    """An os-release(5) file as a :class:`Distro`; None when it sets none of the known keys.

    Partial files still count: ``NAME`` + ``ID_LIKE`` without ``ID`` gives a Distro
    with an empty id, as syft does.
    """
    values = os_release_values(text)
    id_like = tuple(values.get("ID_LIKE", "").split())
    if not id_like and not any(values.get(k) for k in _OS_RELEASE_KEYS):
        return None
    return Distro(
        id=values.get("ID", ""),
        version_id=values.get("VERSION_ID", ""),
        version_codename=values.get("VERSION_CODENAME", ""),
        id_like=id_like,
        name=values.get("NAME", ""),
        pretty_name=values.get("PRETTY_NAME", ""),
        version=values.get("VERSION", ""),
        cpe_name=values.get("CPE_NAME", ""),
        home_url=values.get("HOME_URL", ""),
        build_id=values.get("BUILD_ID", ""),
        variant_id=values.get("VARIANT_ID", ""),
    )


# -- legacy release files ---------------------------------------------------------------

# cpe:/o:<vendor>:<product>:<version>:<rest>, e.g. cpe:/o:centos:linux:6:GA
_SYSTEM_RELEASE_CPE = re.compile(r"cpe:/o:(.*?):.*?:(.*?):.*?$", re.MULTILINE)


def parse_system_release_cpe(text: str) -> Distro | None:
    """``/etc/system-release-cpe`` (CentOS 6): vendor becomes the id, the third field the version."""
    m = _SYSTEM_RELEASE_CPE.search(text.replace("\r", "").strip())
    if m is None:
        return None
    vendor, version = m.group(1), m.group(2)
    ident = vendor.lower()
    return Distro(id=ident, id_like=(ident,), name=ident, pretty_name=vendor, version=version, version_id=version, cpe_name=m.group(0))


# "<name> release <major>.<minor>[anything]", e.g. "CentOS release 5.7 (Final)".
# syft accepts a one-digit major only; two-digit majors (RHEL 10) are accepted here too.
_REDHAT_RELEASE = re.compile(r"(?P<name>.*?)\srelease\s(?P<version>(?P<version_id>\d+\.\d+).*)")

# Names in redhat-release whose distro id is not simply the lower-cased name.
# Rocky, Alma and Scientific are RHEL rebuilds: ``id_like=rhel`` lets matchers use RHEL data.
_REDHAT_IDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("red hat enterprise linux", "rhel", ("rhel",)),
    ("rocky", "rocky", ("rhel",)),
    ("almalinux", "almalinux", ("rhel",)),
    ("scientific", "scientific", ("rhel",)),
    ("centos", "centos", ("centos",)),
)


def parse_redhat_release(text: str) -> Distro | None:
    """``/etc/redhat-release`` (also ``/etc/centos-release``); None without a ``N.N`` version."""
    m = _REDHAT_RELEASE.search(text.replace("\r", "").strip())
    if m is None or not m.group("name"):
        return None
    name = m.group("name").strip()
    version, version_id = m.group("version").strip(), m.group("version_id")
    lowered = name.lower()
    ident, id_like = lowered, (lowered,)
    for prefix, known, like in _REDHAT_IDS:
        if lowered.startswith(prefix):
            ident, id_like = known, like
            break
    if ident == "centos":
        version = version_id  # drop the "(Final)" / build suffix
    return Distro(id=ident, id_like=id_like, name=name, pretty_name=m.group(0).strip(), version=version, version_id=version_id)


_FEDORA_RELEASE = re.compile(r"^(?P<name>Fedora(?: Linux)?) release (?P<version>(?P<version_id>\d+)\b.*)$", re.MULTILINE)


def parse_fedora_release(text: str) -> Distro | None:
    """``/etc/fedora-release``: ``Fedora release 36 (Thirty Six)`` (a whole-number version)."""
    m = _FEDORA_RELEASE.search(text.replace("\r", "").strip())
    if m is None:
        return None
    return Distro(
        id="fedora", name=m.group("name"), pretty_name=m.group(0).strip(), version=m.group("version").strip(), version_id=m.group("version_id")
    )


_ALPINE_RELEASE = re.compile(r"\d+\.\d+(?:\.\d+)*(?:_[A-Za-z]+\d*)?")


def parse_alpine_release(text: str) -> Distro | None:
    """``/etc/alpine-release``: just the version, e.g. ``3.19.1`` or ``3.20.0_alpha20240315``."""
    first = text.strip().split("\n", 1)[0].strip()
    if not _ALPINE_RELEASE.fullmatch(first):
        return None
    return Distro(id="alpine", name="Alpine Linux", version_id=first)


_DEBIAN_VERSION = re.compile(r"\d+(?:\.\d+)?")


def parse_debian_version(text: str) -> str:
    """``/etc/debian_version`` as a version (``10.8``); "" for ``bookworm/sid`` and the like."""
    version = text.strip()
    return version if _DEBIAN_VERSION.fullmatch(version) else ""


# -- busybox ----------------------------------------------------------------------------

_BUSYBOX_VERSION = re.compile(rb"BusyBox v([0-9.]+)")
_BUSYBOX_OVERLAP = 64  # bytes kept between chunks so a marker cut in two is still found


def busybox_version(stream: IO[bytes], limit: int = BUSYBOX_SCAN_LIMIT, chunk_size: int = BUSYBOX_CHUNK) -> str:
    """The first ``BusyBox vX.Y.Z`` version in a binary, reading at most ``limit`` bytes; "" if none.

    The stream is read chunk by chunk, so a large file is never held in memory.
    """
    carry = b""
    seen = 0
    while seen < limit:
        chunk = stream.read(min(chunk_size, limit - seen))
        if not chunk:
            break
        seen += len(chunk)
        buf = carry + chunk
        m = _BUSYBOX_VERSION.search(buf)
        if m is not None and m.end() < len(buf):
            return m.group(1).decode("ascii")
        # a match reaching the end of the buffer may continue in the next chunk
        carry = buf[m.start() :] if m is not None else buf[-_BUSYBOX_OVERLAP:]
    m = _BUSYBOX_VERSION.search(carry)
    return m.group(1).decode("ascii") if m is not None else ""


def _busybox_distro(version: str) -> Distro:
    return Distro(id="busybox", id_like=("busybox",), name="busybox", pretty_name=f"BusyBox v{version}", version=version, version_id=version)


# -- identification ---------------------------------------------------------------------

# Text release files, in the order they are tried (busybox comes after all of them).
RELEASE_FILES: tuple[tuple[str, Parser], ...] = (
    ("/etc/os-release", parse_os_release),
    ("/usr/lib/os-release", parse_os_release),
    ("/etc/system-release-cpe", parse_system_release_cpe),
    ("/etc/redhat-release", parse_redhat_release),
    ("/etc/centos-release", parse_redhat_release),
    ("/etc/fedora-release", parse_fedora_release),
    ("/etc/alpine-release", parse_alpine_release),
)

# Every file identify() may read, so image sources can capture them while streaming layers.
GLOBS: tuple[str, ...] = tuple(p for p, _ in RELEASE_FILES) + (DEBIAN_VERSION, BUSYBOX)


def _read_text(resolver: FileResolver, path: str, limit: int) -> str | None:
    try:
        loc = resolver.location(path)
        if loc is None:
            return None
        return resolver.read(loc, limit).decode("utf-8", errors="replace")
    except (SourceError, OSError) as exc:
        log.debug("distro: skipping %s: %s", path, exc)
        return None


def _scan_busybox(resolver: FileResolver) -> Distro | None:
    try:
        loc = resolver.location(BUSYBOX)
        if loc is None:
            return None
        with resolver.open(loc) as fh:
            version = busybox_version(fh)
    except (SourceError, OSError) as exc:
        log.debug("distro: skipping %s: %s", BUSYBOX, exc)
        return None
    return _busybox_distro(version) if version else None


def _with_debian_version(resolver: FileResolver, distro: Distro) -> Distro:
    """Debian: ``/etc/debian_version`` gives the point release (13 -> 13.5) or the missing version."""
    if distro.id.lower() != "debian":
        return distro
    text = _read_text(resolver, DEBIAN_VERSION, DEBIAN_VERSION_READ_LIMIT)
    version = parse_debian_version(text) if text is not None else ""
    if not version:
        return distro
    return replace(distro, version_id=version, version=distro.version or version)


def identify(resolver: FileResolver) -> Distro | None:
    """The distro of the tree behind ``resolver``, or None when no release file identifies one."""
    for path, parse in RELEASE_FILES:
        text = _read_text(resolver, path, TEXT_READ_LIMIT)
        if text is None:
            continue
        distro = parse(text)
        if distro is not None:
            return _with_debian_version(resolver, distro)
    return _scan_busybox(resolver)
