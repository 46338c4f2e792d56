"""rpm's NDB backend (``Packages.db``, SUSE), from rpm's ``lib/backend/ndb/rpmpkg.c``.

All integers are little-endian.  The file starts with a 32-byte header
``"RpmP" version(0) generation slot_npages`` + 16 reserved bytes, which also
fills the first two 16-byte slots of the slot area.  The slot area is
``slot_npages`` 4 KiB pages of 16-byte slots ``"Slot" pkgidx blkoff blkcnt``;
``pkgidx == 0`` marks a free slot.  A package's blob starts at ``blkoff * 16``
with a 16-byte blob header ``"BlbS" pkgidx checksum length`` followed by the
header blob.  Packages are read in slot order.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from ...errors import CatalogError

__all__ = ["MAGIC", "read_ndb"]

MAGIC = b"RpmP"
SLOT_MAGIC = b"Slot"
BLOB_MAGIC = b"BlbS"
PAGE_SIZE = 4096
SLOT_SIZE = 16
BLOCK_SIZE = 16
HEADER_SIZE = 32
MAX_SLOT_PAGES = 2048  # go-rpmdb's guard against absurd headers

_U32x4 = struct.Struct("<4I")


def read_ndb(data: bytes, source: str) -> Iterator[tuple[str, bytes]]:
    """Yield ``(record, header blob)`` for every used slot, in slot order."""
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        raise CatalogError(f"{source}: not an rpm NDB database")
    _, version, _generation, npages = _U32x4.unpack_from(data, 0)
    if version != 0:
        raise CatalogError(f"{source}: unsupported NDB version {version}")
    if not 0 < npages <= MAX_SLOT_PAGES:
        raise CatalogError(f"{source}: NDB header names {npages} slot pages")
    slots_end = npages * PAGE_SIZE
    if slots_end > len(data):
        raise CatalogError(f"{source}: NDB truncated: {npages} slot pages need {slots_end} bytes, file has {len(data)}")
    for off in range(HEADER_SIZE, slots_end, SLOT_SIZE):
        magic, pkgidx, blkoff, _blkcnt = struct.unpack_from("<4sIII", data, off)
        slot = (off - HEADER_SIZE) // SLOT_SIZE
        where = f"slot {slot} (offset {off:#x})"
        if magic != SLOT_MAGIC:
            raise CatalogError(f"{source}: {where}: bad slot magic {magic!r}")
        if pkgidx == 0:
            continue
        start = blkoff * BLOCK_SIZE
        if start < slots_end or start + BLOCK_SIZE > len(data):
            raise CatalogError(f"{source}: {where}: package {pkgidx} blob offset {start:#x} is outside the blob area")
        bmagic, bidx, _cksum, length = struct.unpack_from("<4sIII", data, start)
        where = f"package {pkgidx} (blob at offset {start:#x})"
        if bmagic != BLOB_MAGIC:
            raise CatalogError(f"{source}: {where}: bad blob magic {bmagic!r}")
        if bidx != pkgidx:
            raise CatalogError(f"{source}: {where}: blob belongs to package {bidx}")
        body = start + BLOCK_SIZE
        if body + length > len(data):
            raise CatalogError(f"{source}: {where}: blob of {length} bytes runs past the end of the file")
        yield where, data[body : body + length]
