"""Fast sequential tar readers: over a stream of byte chunks, or over a region of a local file.

``tarfile`` in stream mode costs ~100 µs of Python per member; an image layer with
30,000 files spends seconds there.  These readers parse ustar/GNU/pax headers with
one ``struct`` call each, skip member data without copying it, and hand out a
member's bytes only when asked (while the member is current).  Sparse members are
reported (``sparse=True``) with their real size, and their data is skipped.

* :class:`TarStream` reads an iterator of chunks (a download, a gunzip stream).
* :class:`TarRegion` reads a tar stored uncompressed at ``[start, start + size)`` of
  a local file with ``pread``: it touches the headers (and the members asked for)
  only, and jumps over everything else.
"""

from __future__ import annotations

import os
import struct
import zlib
from dataclasses import dataclass
from typing import Iterator

__all__ = ["TarFormatError", "Member", "TarStream", "TarRegion", "REGULAR", "HARDLINK", "SYMLINK", "DIRECTORY"]

BLOCK = 512
REGULAR, HARDLINK, SYMLINK, DIRECTORY = "file", "hardlink", "symlink", "dir"
_TYPES = {
    b"0": REGULAR,
    b"\0": REGULAR,
    b"7": REGULAR,
    b"1": HARDLINK,
    b"2": SYMLINK,
    b"5": DIRECTORY,
    b"D": DIRECTORY,
    b"S": REGULAR,  # GNU sparse
}
_META = (b"x", b"g", b"L", b"K")  # pax, global pax, GNU long name, GNU long link

# name mode uid gid size mtime chksum typeflag linkname magic version uname gname devmajor devminor prefix rest
_HEADER = struct.Struct("100s8s8s8s12s12s8sc100s6s2s32s32s8s8s155s12s")
_SPACES = b" " * 8
_MAX_CHECKSUM = 255 * BLOCK


class TarFormatError(ValueError):
    pass


@dataclass(slots=True)
class Member:
    name: str
    kind: str  # file, hardlink, symlink, dir or "other"
    size: int  # real size (for sparse files: the logical size)
    mode: int
    linkname: str
    offset: int  # offset of the data in the tar stream
    sparse: bool = False


def _num(field: bytes, where: int) -> int:
    if field[0] & 0x80:  # base-256 (GNU): big-endian, first byte's top bit is the flag
        value = int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
        if field[0] == 0xFF:
            value -= 1 << (8 * len(field) - 1)
        return value
    text = field.partition(b"\0")[0]
    try:
        return int(text, 8)  # int() itself allows the space padding some writers use
    except ValueError:
        if not text.strip():
            return 0
        raise TarFormatError(f"invalid number {text.strip()!r} in tar header at offset {where}") from None


def _str(field: bytes) -> str:
    return field.partition(b"\0")[0].decode("utf-8", "surrogateescape")


def _checksum_fast(hdr: bytes, chk: int) -> bool:
    """Whether ``chk`` is the header's checksum: the sum of its bytes, with the checksum
    field read as spaces, taken modulo 65521 from Adler-32's low half (which is 1 + that
    sum mod 65521).  A block sums to at most 130,560, so this pins the sum down to two
    candidates, at a sixth of the cost of summing the bytes in Python."""
    return 0 <= chk <= _MAX_CHECKSUM and (chk + 1 - (zlib.adler32(hdr[:148] + _SPACES + hdr[156:]) & 0xFFFF)) % 65521 == 0


def _checksum_ok(hdr: bytes, chk: int) -> bool:
    """The fast test, and on a miss the exact sums (signed ones too: old tars used them)."""
    if _checksum_fast(hdr, chk):
        return True
    if chk == sum(hdr[:148]) + 256 + sum(hdr[156:]):
        return True
    return chk == sum(b - 256 if b > 127 else b for b in hdr[:148]) + 256 + sum(b - 256 if b > 127 else b for b in hdr[156:])


def _pax(data: bytes, where: int) -> dict[str, str]:
    out: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos] == 0:
            break
        sp = data.find(b" ", pos)
        if sp < 0:
            raise TarFormatError(f"malformed pax header at offset {where}")
        try:
            length = int(data[pos:sp])
        except ValueError:
            raise TarFormatError(f"malformed pax header at offset {where}") from None
        if length <= 0 or pos + length > len(data):
            raise TarFormatError(f"malformed pax header at offset {where}")
        record = data[sp + 1 : pos + length - 1]
        key, _, value = record.partition(b"=")
        out[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return out


class _TarReader:
    """Header parsing shared by both readers; subclasses move through the bytes.

    ``for m in reader: ...`` — inside the loop body ``reader.read()`` returns the
    current member's data (regular, non-sparse files only).  ``reader.offset``
    counts bytes consumed from the start of the tar.
    """

    _pending = 0  # data bytes (incl. padding) of the current member still to skip
    _current: Member | None = None
    _read_done = False

    @property
    def offset(self) -> int:
        raise NotImplementedError  # pragma: no cover - abstract

    def _block(self) -> bytes:
        """The next 512-byte block; b"" at a clean end of the stream."""
        raise NotImplementedError  # pragma: no cover - abstract

    def _take(self, n: int) -> bytes:
        raise NotImplementedError  # pragma: no cover - abstract

    def _skip(self, n: int) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def read(self) -> bytes:
        m = self._current
        if m is None or m.kind != REGULAR or m.sparse or self._read_done:
            raise TarFormatError("no readable current member")
        data = self._take(m.size)
        self._pending -= m.size
        self._read_done = True
        return data

    def __iter__(self) -> Iterator[Member]:
        long_name: str | None = None
        long_link: str | None = None
        pax: dict[str, str] = {}
        unpack = _HEADER.unpack
        while True:
            if self._pending:
                self._skip(self._pending)
                self._pending = 0
            self._current = None
            where = self.offset
            hdr = self._block()
            if not hdr:
                if where == 0:
                    raise TarFormatError("empty stream")
                return  # EOF without an end marker: tolerated, as tar does
            (name_f, mode_f, _, _, size_f, _, chk_f, typeflag, link_f, magic, _, _, _, _, _, prefix_f, _) = unpack(hdr)
            chk = _num(chk_f, where)
            if not _checksum_ok(hdr, chk):
                if hdr.count(0) == BLOCK:
                    return  # end-of-archive marker
                raise TarFormatError(f"bad tar header checksum at offset {where}")
            size = _num(size_f, where)
            if size < 0:
                raise TarFormatError(f"negative size in tar header at offset {where}")
            padded = (size + BLOCK - 1) & ~(BLOCK - 1)
            if typeflag in _META:
                data = self._take(padded)[:size]
                if typeflag == b"x":
                    pax.update(_pax(data, where))
                elif typeflag == b"L":
                    long_name = _str(data)
                elif typeflag == b"K":
                    long_link = _str(data)
                continue  # global pax headers are ignored
            name = _str(name_f)
            if magic == b"ustar\0" and prefix_f[0]:  # POSIX ustar: name prefix
                name = f"{_str(prefix_f)}/{name}"
            linkname = _str(link_f) if link_f[0] else ""
            sparse = typeflag == b"S"
            real = size
            if long_name is not None:
                name, long_name = long_name, None
            if long_link is not None:
                linkname, long_link = long_link, None
            if pax:
                name = pax.get("path", name)
                linkname = pax.get("linkpath", linkname)
                if "size" in pax:
                    try:
                        size = real = int(pax["size"])
                    except ValueError:
                        raise TarFormatError(f"bad pax size at offset {where}") from None
                    padded = (size + BLOCK - 1) & ~(BLOCK - 1)
                if any(k.startswith("GNU.sparse.") for k in pax):
                    sparse = True
                    for key in ("GNU.sparse.realsize", "GNU.sparse.size"):
                        if key in pax:
                            try:
                                real = int(pax[key])
                            except ValueError:
                                pass
                pax = {}
            if typeflag == b"S":
                real = _num(hdr[483:495], where)
                extended = hdr[482]
                while extended:  # sparse extension headers
                    extended = self._take(BLOCK)[504]
            kind = _TYPES.get(typeflag, "other")
            if kind in (DIRECTORY, SYMLINK, HARDLINK):
                data_len = padded if size else 0
            else:
                data_len = padded
            self._current = Member(name, kind, real, _num(mode_f, where), linkname, self.offset, sparse)
            self._pending = data_len
            self._read_done = False
            yield self._current


class TarStream(_TarReader):
    """A tar given as an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buf = b""
        self._pos = 0
        self._base = 0  # stream offset of _buf[0]

    @property
    def offset(self) -> int:
        return self._base + self._pos

    def _more(self) -> bool:
        for chunk in self._chunks:
            if chunk:
                self._base += self._pos
                self._buf = self._buf[self._pos :] + chunk
                self._pos = 0
                return True
        return False

    def _block(self) -> bytes:
        while len(self._buf) - self._pos < BLOCK:
            if not self._more():
                if len(self._buf) == self._pos:
                    return b""
                raise TarFormatError(f"unexpected end of tar stream at offset {self.offset} (truncated)")
        hdr = self._buf[self._pos : self._pos + BLOCK]
        self._pos += BLOCK
        return hdr

    def _take(self, n: int) -> bytes:
        avail = len(self._buf) - self._pos
        if avail >= n:
            data = self._buf[self._pos : self._pos + n]
            self._pos += n
            return data
        # gather whole chunks and join once (no repeated re-copying of a growing buffer)
        start = self._base + self._pos
        parts = [self._buf[self._pos :]]
        have = avail
        while have < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                self._buf, self._pos, self._base = b"", 0, start + have
                raise TarFormatError(f"unexpected end of tar stream at offset {start + have} (truncated)")
            parts.append(chunk)
            have += len(chunk)
        joined = b"".join(parts)
        self._buf, self._pos, self._base = joined[n:], 0, start + n
        return joined[:n] if have > n else joined

    def _skip(self, n: int) -> None:
        while n > 0:
            avail = len(self._buf) - self._pos
            if avail >= n:
                self._pos += n
                return
            n -= avail
            self._base += len(self._buf)
            self._buf, self._pos = b"", 0
            if not self._more():
                raise TarFormatError(f"unexpected end of tar stream at offset {self.offset} (truncated)")

    def drain(self) -> None:
        """Consume whatever is left of the stream (trailing padding)."""
        self._buf, self._pos = b"", 0
        for chunk in self._chunks:
            self._base += len(chunk)


class TarRegion(_TarReader):
    """A tar stored uncompressed in ``fd`` at ``[start, start + size)``, read with ``pread``.

    Headers are read through a small window, so runs of small members cost one
    system call; the data of members nobody reads is never touched.
    """

    WINDOW = 128 * 1024

    def __init__(self, fd: int, start: int, size: int) -> None:
        self._fd = fd
        self._start = start
        self._end = start + size
        self._pos = start  # absolute file offset of the next unread byte
        self._win = b""
        self._win_at = start  # absolute file offset of _win[0]

    @property
    def offset(self) -> int:
        return self._pos - self._start

    def _pread(self, n: int, at: int) -> bytes:
        data = os.pread(self._fd, n, at)
        while len(data) < n:  # short reads happen on pipes and some file systems
            more = os.pread(self._fd, n - len(data), at + len(data))
            if not more:
                break
            data += more
        return data

    def _truncated(self) -> TarFormatError:
        return TarFormatError(f"unexpected end of tar stream at offset {self.offset} (truncated)")

    def _block(self) -> bytes:
        pos = self._pos
        if pos >= self._end:
            return b""
        if pos + BLOCK > self._end:
            raise self._truncated()
        rel = pos - self._win_at
        if rel < 0 or rel + BLOCK > len(self._win):
            self._win = self._pread(min(self.WINDOW, self._end - pos), pos)
            self._win_at, rel = pos, 0
            if len(self._win) < BLOCK:
                raise self._truncated()
        self._pos = pos + BLOCK
        return self._win[rel : rel + BLOCK]

    def _take(self, n: int) -> bytes:
        pos = self._pos
        if pos + n > self._end:
            self._pos = self._end
            raise self._truncated()
        rel = pos - self._win_at
        if 0 <= rel and rel + n <= len(self._win):
            data = self._win[rel : rel + n]
        else:
            data = self._pread(n, pos)
            if len(data) < n:
                raise self._truncated()
        self._pos = pos + n
        return data

    def _skip(self, n: int) -> None:
        if self._pos + n > self._end:
            self._pos = self._end
            raise self._truncated()
        self._pos += n

    def peek(self, offset: int, n: int) -> bytes:
        """Up to ``n`` bytes at ``offset`` in the current member's data, without consuming them."""
        m = self._current
        if m is None or m.kind != REGULAR or m.sparse or self._read_done:
            raise TarFormatError("no readable current member")
        n = max(0, min(n, m.size - offset))
        if offset < 0 or not n:
            return b""
        at = self._start + m.offset + offset
        rel = at - self._win_at
        if 0 <= rel and rel + n <= len(self._win):
            return self._win[rel : rel + n]
        return self._pread(n, at)
