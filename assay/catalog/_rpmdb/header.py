"""The RPM header blob every rpmdb backend stores, decoded without librpm.

A header is ``il`` (index entry count) and ``dl`` (data length), both 32-bit
big-endian, then ``il`` 16-byte index entries ``(tag, type, offset, count)``,
then ``dl`` bytes of data the entries point into (rpm's ``hdrblob``).  Headers
read from ``.rpm`` files carry an extra 8-byte magic in front; it is skipped.

The first entry is usually a *region* tag (immutable header) whose later
"dribble" entries may repeat a tag; as in rpm, the later entry wins.

Every offset and count is checked against the blob before it is used: a bad
header raises :class:`~assay.errors.CatalogError` naming the file and record,
never an ``IndexError``.
"""

from __future__ import annotations

import bisect
import struct
from collections.abc import Callable
from dataclasses import dataclass

from ...errors import CatalogError

__all__ = ["Header", "RpmFile", "RpmPackage", "file_flags", "parse_header", "to_package"]

# rpmTagType
NULL, CHAR, INT8, INT16, INT32, INT64, STRING, BIN, STRING_ARRAY, I18NSTRING = range(10)
_TYPE_NAMES = ("NULL", "CHAR", "INT8", "INT16", "INT32", "INT64", "STRING", "BIN", "STRING_ARRAY", "I18NSTRING")

# rpmTag values used here (lib/rpmtag.h)
TAG_HEADERSIGNATURES = 62
TAG_HEADERIMMUTABLE = 63
TAG_HEADERREGIONS = 64
TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_SUMMARY = 1004
TAG_SIZE = 1009
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_PACKAGER = 1015
TAG_URL = 1020
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_FILESIZES = 1028
TAG_FILEMODES = 1030
TAG_FILEDIGESTS = 1035
TAG_FILEFLAGS = 1037
TAG_FILEUSERNAME = 1039
TAG_FILEGROUPNAME = 1040
TAG_SOURCERPM = 1044
TAG_PROVIDENAME = 1047
TAG_REQUIRENAME = 1049
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118
TAG_LONGFILESIZES = 5008
TAG_LONGSIZE = 5009
TAG_FILEDIGESTALGO = 5011
TAG_MODULARITYLABEL = 5096

_REGION_TAGS = frozenset({TAG_HEADERSIGNATURES, TAG_HEADERIMMUTABLE, TAG_HEADERREGIONS, 61})

_HEADER_MAGIC = b"\x8e\xad\xe8\x01"
MAX_INDEX_ENTRIES = 0xFFFF  # rpm's hdrblob limit
MAX_DATA_LENGTH = 256 * 1024 * 1024  # rpm's HEADER_DATA_MAX

# PGP hash algorithm ids used by FILEDIGESTALGO (RFC 4880 9.4); rpm's default is MD5.
DIGEST_ALGORITHMS = {1: "md5", 2: "sha1", 3: "ripemd160", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224"}

# rpmfileAttrs bits in the order ``rpm --qf '%{FILEFLAGS:fflags}'`` prints them.
_FILE_FLAG_LETTERS = ((2, "d"), (1, "c"), (32, "s"), (8, "m"), (16, "n"), (64, "g"), (128, "l"), (256, "r"), (4096, "a"))


def file_flags(bits: int) -> str:
    """rpm's letter form of a file's attribute bits, e.g. ``cn`` for ``%config(noreplace)``."""
    return "".join(ch for bit, ch in _FILE_FLAG_LETTERS if bits & bit)


_INT_FORMATS = {CHAR: ("B", 1), INT8: ("B", 1), INT16: ("H", 2), INT32: ("I", 4), INT64: ("Q", 8)}


class Header:
    """One decoded header: tag -> (type, offset, count) over its data store.

    Values are decoded on demand so that tags nobody asks for cost nothing.
    ``where`` (``<file>: <record>``) prefixes every error message.
    """

    __slots__ = ("_data", "_entries", "_offsets", "where")

    def __init__(self, where: str, data: bytes, entries: dict[int, tuple[int, int, int]]) -> None:
        self.where = where
        self._data = data  # the data store only
        self._entries = entries
        self._offsets: list[int] | None = None

    def __contains__(self, tag: int) -> bool:
        return tag in self._entries

    def _fail(self, tag: int, msg: str) -> CatalogError:
        return CatalogError(f"{self.where}: malformed rpm header: tag {tag}: {msg}")

    def _entry(self, tag: int, types: tuple[int, ...]) -> tuple[int, int, int] | None:
        ent = self._entries.get(tag)
        if ent is None:
            return None
        typ = ent[0]
        if typ not in types:
            want = "/".join(_TYPE_NAMES[t] for t in types)
            have = _TYPE_NAMES[typ] if 0 <= typ < len(_TYPE_NAMES) else str(typ)
            raise self._fail(tag, f"type {have}, expected {want}")
        return ent

    def _strings(self, tag: int, off: int, count: int) -> list[bytes]:
        data = self._data
        if off < 0 or off >= len(data):
            raise self._fail(tag, f"offset {off} outside the {len(data)}-byte data store")
        if count == 1:
            end = data.find(b"\0", off)
            if end < 0:
                raise self._fail(tag, f"string at offset {off} runs past the end of the data store")
            return [data[off:end]]
        # Values normally end where the next entry's value starts: split only that
        # slice, so reading many tags does not copy the whole data store each time.
        if self._offsets is None:
            self._offsets = sorted({o for _, o, _ in self._entries.values()})
        i = bisect.bisect_right(self._offsets, off)
        nxt = self._offsets[i] if i < len(self._offsets) else len(data)
        parts = data[off:nxt].split(b"\0", count)
        if len(parts) <= count and nxt < len(data):
            parts = data[off:].split(b"\0", count)
        if len(parts) <= count:
            raise self._fail(tag, f"{count} string(s) at offset {off} run past the end of the data store")
        del parts[count]
        return parts

    def string(self, tag: int) -> str:
        """A STRING (or the first string of an I18NSTRING/STRING_ARRAY); "" when absent."""
        ent = self._entry(tag, (STRING, I18NSTRING, STRING_ARRAY))
        if ent is None:
            return ""
        _, off, count = ent
        if count < 1:
            raise self._fail(tag, "empty string entry")
        return _decode(self._strings(tag, off, 1)[0])

    def strings(self, tag: int) -> list[str]:
        """A STRING_ARRAY (a STRING counts as one element); [] when absent."""
        ent = self._entry(tag, (STRING_ARRAY, STRING, I18NSTRING))
        if ent is None:
            return []
        typ, off, count = ent
        if typ == STRING:
            count = 1
        if count > len(self._data):
            raise self._fail(tag, f"count {count} exceeds the data store")
        if count == 0:
            return []
        return [_decode(b) for b in self._strings(tag, off, count)]

    def ints(self, tag: int) -> tuple[int, ...]:
        """An integer array of any width (unsigned); () when absent."""
        ent = self._entry(tag, (CHAR, INT8, INT16, INT32, INT64))
        if ent is None:
            return ()
        typ, off, count = ent
        fmt, size = _INT_FORMATS[typ]
        if off < 0 or count < 0 or off + count * size > len(self._data):
            raise self._fail(tag, f"{count} x {size}-byte value(s) at offset {off} outside the {len(self._data)}-byte data store")
        return struct.unpack_from(f">{count}{fmt}", self._data, off)

    def int(self, tag: int) -> int | None:
        """The first value of an integer entry, None when absent."""
        vals = self.ints(tag)
        return vals[0] if vals else None


def _decode(b: bytes) -> str:
    return b.decode("utf-8", "replace")


_INDEX = struct.Struct(">iIiI")


def parse_header(blob: bytes, where: str) -> Header:
    """Decode the index of a header blob (as stored in an rpmdb); values stay lazy."""
    base = 8 if blob[:4] == _HEADER_MAGIC else 0
    if len(blob) < base + 8:
        raise CatalogError(f"{where}: malformed rpm header: only {len(blob)} bytes")
    il, dl = struct.unpack_from(">II", blob, base)
    if il == 0 or il > MAX_INDEX_ENTRIES:
        raise CatalogError(f"{where}: malformed rpm header: {il} index entries")
    if dl > MAX_DATA_LENGTH:
        raise CatalogError(f"{where}: malformed rpm header: data length {dl}")
    start = base + 8 + 16 * il
    end = start + dl
    if end > len(blob):
        raise CatalogError(f"{where}: malformed rpm header: truncated ({len(blob)} bytes, header says {end})")
    entries: dict[int, tuple[int, int, int]] = {}
    for tag, typ, off, count in _INDEX.iter_unpack(memoryview(blob)[base + 8 : start]):
        if tag in _REGION_TAGS:
            continue
        if typ >= len(_TYPE_NAMES):
            raise CatalogError(f"{where}: malformed rpm header: tag {tag}: unknown type {typ}")
        entries[tag] = (typ, off, count)  # a later (dribble) entry replaces an earlier one
    return Header(where, bytes(blob[start:end]), entries)


@dataclass(frozen=True, slots=True)
class RpmFile:
    """One file a package owns, as the rpmdb records it."""

    path: str
    mode: int
    size: int
    digest: str
    digest_algorithm: str
    user: str
    group: str
    flags: str


@dataclass(frozen=True, slots=True, eq=False)
class RpmPackage:
    """The fields of one installed package's header that assay reports."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str
    source_rpm: str
    license: str
    vendor: str
    packager: str
    summary: str
    url: str
    size: int
    modularity_label: str
    provides: tuple[str, ...]
    requires: tuple[str, ...]
    paths: tuple[str, ...]
    header: Header

    def files(self, keep: Callable[[str], bool] = lambda _: True) -> list[RpmFile]:
        """File records for the owned paths ``keep`` accepts (digests, modes, owners)."""
        keep_at = [i for i, path in enumerate(self.paths) if keep(path)]
        if not keep_at:
            return []
        h = self.header
        digests = h.strings(TAG_FILEDIGESTS)
        modes = h.ints(TAG_FILEMODES)
        sizes = h.ints(TAG_LONGFILESIZES) or h.ints(TAG_FILESIZES)
        users = h.strings(TAG_FILEUSERNAME)
        groups = h.strings(TAG_FILEGROUPNAME)
        flags = h.ints(TAG_FILEFLAGS)
        algo = DIGEST_ALGORITHMS.get(h.int(TAG_FILEDIGESTALGO) or 1, "unknown")

        def at(seq: list | tuple, i: int, default):  # type: ignore[no-untyped-def]
            return seq[i] if i < len(seq) else default

        out: list[RpmFile] = []
        for i in keep_at:
            digest = at(digests, i, "")
            out.append(
                RpmFile(
                    path=self.paths[i],
                    mode=at(modes, i, 0),
                    size=at(sizes, i, 0),
                    digest=digest,
                    digest_algorithm=algo if digest else "",
                    user=at(users, i, ""),
                    group=at(groups, i, ""),
                    flags=file_flags(at(flags, i, 0)),
                )
            )
        return out


def _paths(h: Header) -> tuple[str, ...]:
    basenames = h.strings(TAG_BASENAMES)
    if not basenames:
        return tuple(h.strings(TAG_OLDFILENAMES))
    dirnames = h.strings(TAG_DIRNAMES)
    dirindexes = h.ints(TAG_DIRINDEXES)
    if len(dirindexes) != len(basenames):
        raise CatalogError(
            f"{h.where}: malformed rpm header: {len(basenames)} basenames but {len(dirindexes)} dirindexes"
        )
    ndirs = len(dirnames)
    out: list[str] = []
    for base, idx in zip(basenames, dirindexes):
        if idx >= ndirs:
            raise CatalogError(f"{h.where}: malformed rpm header: dirindex {idx} but only {ndirs} dirnames")
        d = dirnames[idx]
        out.append(d + base if base else (d.rstrip("/") or "/"))
    return tuple(out)


def to_package(blob: bytes, where: str) -> RpmPackage:
    """Decode one header blob into an :class:`RpmPackage`."""
    h = parse_header(blob, where)
    size = h.int(TAG_LONGSIZE)
    if size is None:
        size = h.int(TAG_SIZE) or 0
    epoch = h.int(TAG_EPOCH)
    if epoch is not None and epoch >= 2**31:
        epoch -= 2**32  # INT32 is signed in rpm; a negative epoch is nonsense but must not crash
    return RpmPackage(
        name=h.string(TAG_NAME),
        version=h.string(TAG_VERSION),
        release=h.string(TAG_RELEASE),
        epoch=epoch,
        arch=h.string(TAG_ARCH),
        source_rpm=h.string(TAG_SOURCERPM),
        license=h.string(TAG_LICENSE),
        vendor=h.string(TAG_VENDOR),
        packager=h.string(TAG_PACKAGER),
        summary=h.string(TAG_SUMMARY),
        url=h.string(TAG_URL),
        size=size,
        modularity_label=h.string(TAG_MODULARITYLABEL),
        provides=tuple(h.strings(TAG_PROVIDENAME)),
        requires=tuple(h.strings(TAG_REQUIRENAME)),
        paths=_paths(h),
        header=h,
    )
