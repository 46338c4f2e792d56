"""rpm's legacy BerkeleyDB backend: the ``Packages`` hash database.

Layout (libdb ``dbinc/db_page.h``): page 0 is the hash metadata page (magic
``0x061561`` at offset 12, page size at 20, last page number at 32); every page
starts with a 26-byte header ``lsn(8) pgno(4) prev(4) next(4) entries(2)
hf_offset(2) level(1) type(1)`` followed by ``entries`` 2-byte item offsets.
Hash pages hold key/value item pairs; rpm's values (header blobs) are large, so
they are ``H_OFFPAGE`` items pointing at a chain of overflow pages, each holding
``hf_offset`` bytes after its header.

Integers are in the byte order of the machine that wrote the file (the magic
tells which); the header blobs themselves are always big-endian.  Like go-rpmdb,
pages are scanned in file order rather than by walking hash buckets, which finds
every stored pair without computing rpm's hash function.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from ...errors import CatalogError

__all__ = ["HASH_MAGIC", "byte_order", "is_berkeley_db", "read_bdb"]

HASH_MAGIC = 0x061561
BTREE_MAGIC = 0x053162

PAGE_HEADER = 26
P_HASH_UNSORTED = 2
P_OVERFLOW = 7
P_HASHMETA = 8
P_HASH = 13

H_KEYDATA = 1
H_OFFPAGE = 3

_VALID_PAGE_SIZES = frozenset(1 << n for n in range(9, 17))  # 512 .. 65536


def byte_order(data: bytes) -> str | None:
    """``"<"`` or ``">"`` when ``data`` starts with a BerkeleyDB hash metadata page, else None."""
    if len(data) < 16:
        return None
    for order in ("<", ">"):
        if struct.unpack_from(order + "I", data, 12)[0] == HASH_MAGIC:
            return order
    return None


def is_berkeley_db(data: bytes) -> bool:
    """A BerkeleyDB hash or btree metadata page (a btree is refused later, with a clear message)."""
    if len(data) < 16:
        return False
    magics = {struct.unpack_from("<I", data, 12)[0], struct.unpack_from(">I", data, 12)[0]}
    return HASH_MAGIC in magics or BTREE_MAGIC in magics


def read_bdb(data: bytes, source: str) -> Iterator[tuple[str, bytes]]:
    """Yield ``(record, header blob)`` for every stored package, in page order."""
    order = byte_order(data)
    if order is None:
        if len(data) >= 16 and BTREE_MAGIC in (struct.unpack_from("<I", data, 12)[0], struct.unpack_from(">I", data, 12)[0]):
            raise CatalogError(f"{source}: BerkeleyDB btree database, not rpm's hash Packages database")
        raise CatalogError(f"{source}: not a BerkeleyDB hash database")
    if len(data) < 512:
        raise CatalogError(f"{source}: BerkeleyDB metadata page truncated ({len(data)} bytes)")
    page_size, encrypt, page_type, _metaflags, _free, last_pgno = struct.unpack_from(order + "IBBBxII", data, 20)
    if page_size not in _VALID_PAGE_SIZES:
        raise CatalogError(f"{source}: BerkeleyDB page size {page_size} is invalid")
    if page_type != P_HASHMETA:
        raise CatalogError(f"{source}: BerkeleyDB page 0 has type {page_type}, not hash metadata")
    if encrypt:
        raise CatalogError(f"{source}: encrypted BerkeleyDB databases are not supported")
    npages = len(data) // page_size
    if last_pgno >= npages:
        raise CatalogError(
            f"{source}: BerkeleyDB truncated: metadata names page {last_pgno}, file holds {npages} page(s)"
        )
    page_hdr = struct.Struct(order + "8xIIIHHBB")
    offpage = struct.Struct(order + "4xII")
    for pgno in range(1, last_pgno + 1):
        base = pgno * page_size
        ptype = data[base + 25]
        if ptype not in (P_HASH, P_HASH_UNSORTED):
            continue
        _, _, _, entries, _, _, _ = page_hdr.unpack_from(data, base)
        where = f"page {pgno} (offset {base:#x})"
        if entries % 2:
            raise CatalogError(f"{source}: {where}: odd number of hash items ({entries})")
        if PAGE_HEADER + 2 * entries > page_size:
            raise CatalogError(f"{source}: {where}: {entries} items do not fit the page")
        index = struct.unpack_from(f"{order}{entries}H", data, base + PAGE_HEADER)
        for i in range(1, entries, 2):
            off = index[i]
            end = index[i - 1]  # an item ends where the previous one starts
            if not (PAGE_HEADER + 2 * entries <= off < end <= page_size):
                raise CatalogError(f"{source}: {where}: item {i} at {off} is outside the page")
            kind = data[base + off]
            if kind == H_OFFPAGE:
                if end - off < 12:
                    raise CatalogError(f"{source}: {where}: item {i} too short for an off-page reference")
                first, total = offpage.unpack_from(data, base + off)
                yield where, _overflow(data, first, total, page_size, npages, page_hdr, source, where)
            elif kind == H_KEYDATA:
                value = data[base + off + 1 : base + end]
                if _is_counter(data, base, index[i - 1], index[i - 2] if i >= 2 else page_size):
                    continue
                yield where, value
            # duplicates (H_DUPLICATE/H_OFFDUP) are never used by rpm's Packages


def _is_counter(data: bytes, base: int, key_off: int, key_end: int) -> bool:
    """rpm keeps its next-instance counter under record number 0: not a package."""
    if data[base + key_off] != H_KEYDATA or key_end - key_off != 5:
        return False
    return data[base + key_off + 1 : base + key_off + 5] == b"\0\0\0\0"


def _overflow(
    data: bytes, pgno: int, total: int, page_size: int, npages: int, page_hdr: struct.Struct, source: str, where: str
) -> bytes:
    """Concatenate an overflow chain, checking every page number and length on the way."""
    chunks: list[bytes] = []
    got = 0
    seen: set[int] = set()
    while pgno:
        if pgno >= npages or pgno in seen:
            reason = "loops" if pgno in seen else f"points at page {pgno} beyond the file"
            raise CatalogError(f"{source}: {where}: overflow chain {reason}")
        seen.add(pgno)
        base = pgno * page_size
        _, _, nxt, _, length, _, ptype = page_hdr.unpack_from(data, base)
        if ptype != P_OVERFLOW:
            raise CatalogError(f"{source}: {where}: overflow chain reaches page {pgno} of type {ptype}")
        if length > page_size - PAGE_HEADER:
            raise CatalogError(f"{source}: page {pgno} (offset {base:#x}): overflow length {length} exceeds the page")
        chunks.append(data[base + PAGE_HEADER : base + PAGE_HEADER + length])
        got += length
        pgno = nxt
    if got < total:
        raise CatalogError(f"{source}: {where}: overflow chain holds {got} of {total} bytes")
    return b"".join(chunks)[:total]
