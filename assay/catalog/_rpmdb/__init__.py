"""Pure-Python readers for the three rpmdb formats, and the header blob they store.

* sqlite (``rpmdb.sqlite``; Fedora >= 33, RHEL >= 9, CBL-Mariner) -- :mod:`.sqlite`
* BerkeleyDB hash (``Packages``; RHEL <= 8, CentOS, Amazon Linux 2) -- :mod:`.bdb`
* NDB (``Packages.db``; SUSE) -- :mod:`.ndb`

The format is told by the file's content, never by its name.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...errors import CatalogError
from .bdb import is_berkeley_db, read_bdb
from .header import Header, RpmFile, RpmPackage, parse_header, to_package
from .ndb import MAGIC as NDB_MAGIC
from .ndb import read_ndb
from .sqlite import MAGIC as SQLITE_MAGIC
from .sqlite import read_sqlite

__all__ = ["Header", "RpmFile", "RpmPackage", "detect", "parse_header", "read_blobs", "read_packages", "to_package"]


def detect(data: bytes) -> str | None:
    """``"sqlite"``, ``"bdb"`` or ``"ndb"`` from the leading bytes; None when none fits."""
    if data.startswith(SQLITE_MAGIC):
        return "sqlite"
    if data.startswith(NDB_MAGIC):
        return "ndb"
    if is_berkeley_db(data):
        return "bdb"
    return None


def read_blobs(data: bytes, source: str, wal: bytes = b"") -> Iterator[tuple[str, bytes]]:
    """``(record, header blob)`` pairs from a database of any supported format."""
    kind = detect(data)
    if kind == "sqlite":
        return read_sqlite(data, source, wal)
    if kind == "ndb":
        return read_ndb(data, source)
    if kind == "bdb":
        return read_bdb(data, source)
    raise CatalogError(f"{source}: not an rpm database (no sqlite, BerkeleyDB hash or NDB magic)")


def read_packages(data: bytes, source: str, wal: bytes = b"") -> list[RpmPackage]:
    """Every package header in the database, decoded, in storage order."""
    return [to_package(blob, f"{source}: {where}") for where, blob in read_blobs(data, source, wal)]
