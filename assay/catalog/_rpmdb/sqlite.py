"""rpm's sqlite backend (``rpmdb.sqlite``, rpm >= 4.16): table ``Packages(hnum, blob)``.

The database is opened from bytes with :meth:`sqlite3.Connection.deserialize`, so
nothing is written to disk.  Only when a non-empty write-ahead log
(``rpmdb.sqlite-wal``) holds changes not yet checkpointed into the main file are
both copied into a private temporary directory, because sqlite replays a WAL only
from a file next to the database.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator

from ...errors import CatalogError

__all__ = ["MAGIC", "read_sqlite"]

MAGIC = b"SQLite format 3\x00"

_QUERY = "SELECT hnum, blob FROM Packages ORDER BY hnum"


def read_sqlite(data: bytes, source: str, wal: bytes = b"") -> Iterator[tuple[str, bytes]]:
    """Yield ``(record, header blob)`` for every row of the Packages table, in hnum order."""
    if not data.startswith(MAGIC):
        raise CatalogError(f"{source}: not an sqlite database")
    if wal or not hasattr(sqlite3.Connection, "deserialize"):
        yield from _read_via_tempdir(data, wal, source)
        return
    # A database in WAL mode (header bytes 18/19 == 2) cannot be deserialized as is;
    # with no WAL content to replay, marking it rollback-journal is equivalent.
    buf: bytes | bytearray = data
    if len(data) >= 20 and data[18] == 2 and data[19] == 2:
        buf = bytearray(data)
        buf[18] = buf[19] = 1
    con = sqlite3.connect(":memory:")
    try:
        try:
            con.deserialize(buf)
        except sqlite3.Error as exc:
            raise CatalogError(f"{source}: unreadable sqlite rpmdb: {exc}") from exc
        yield from _rows(con, source)
    finally:
        con.close()


def _read_via_tempdir(data: bytes, wal: bytes, source: str) -> Iterator[tuple[str, bytes]]:
    with tempfile.TemporaryDirectory(prefix="assay-rpmdb-") as tmp:
        path = os.path.join(tmp, "rpmdb.sqlite")
        with open(path, "wb") as fh:
            fh.write(data)
        if wal:
            with open(path + "-wal", "wb") as fh:
                fh.write(wal)
        try:
            con = sqlite3.connect(path)
        except sqlite3.Error as exc:
            raise CatalogError(f"{source}: unreadable sqlite rpmdb: {exc}") from exc
        try:
            yield from _rows(con, source)
        finally:
            con.close()


def _rows(con: sqlite3.Connection, source: str) -> Iterator[tuple[str, bytes]]:
    try:
        con.execute("PRAGMA query_only = 1")
        rows = con.execute(_QUERY).fetchall()
    except sqlite3.Error as exc:
        raise CatalogError(f"{source}: unreadable sqlite rpmdb: {exc}") from exc
    for hnum, blob in rows:
        if not isinstance(blob, bytes):
            raise CatalogError(f"{source}: hnum {hnum}: blob column is {type(blob).__name__}, not bytes")
        yield f"hnum {hnum}", blob
