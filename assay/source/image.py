"""Container images as a squashed :class:`FileTree`, read layer by layer without extracting.

Each layer blob is streamed once: its bytes are hashed (and checked against the
manifest's digest), decompressed (gzip, zstd or none, by magic bytes) and walked as
a tar stream.  Only the metadata of every entry is kept, plus the content of the
files that catalogers asked for (``prefetch`` globs) up to a size cap.  Files in
uncompressed layers stored in local files are read later by offset; anything else
asked for afterwards is read by streaming its layer again.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sys
import threading
import tarfile
import zlib
from dataclasses import dataclass
from typing import IO, Callable, Iterable, Iterator, Sequence

from ..errors import SourceError
from ..model import Layer
from ..oci.mediatypes import LAYER_TYPES
from .._internal import binfmt
from .._internal.globs import combine
from .._internal.tarstream import DIRECTORY, HARDLINK, REGULAR, Member, TarFormatError, TarRegion, TarStream
from .._internal.tarstream import SYMLINK as SYMLINK_T
from .tree import DIR, FILE, OTHER, SYMLINK, Analyzer, FileResolver, FileTree, Node, normpath

log = logging.getLogger(__name__)

__all__ = ["LayerBlob", "ImageReader", "SUPPORTED_LAYER_TYPES", "check_layer_media_type"]

CAPTURE_LIMIT = 64 * 1024 * 1024  # prefetched files larger than this are read again on demand
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# every layer type assay reads, plus "" (docker-archive layers carry no media type)
SUPPORTED_LAYER_TYPES = LAYER_TYPES | {""}


def check_layer_media_type(media_type: str, digest: str) -> None:
    if media_type not in SUPPORTED_LAYER_TYPES:
        raise SourceError(f"layer {short(digest)} has unsupported media type {media_type!r}")


def short(digest: str) -> str:
    return digest[:19] if digest.startswith("sha256:") else digest[:16]


@dataclass(frozen=True, slots=True)
class LayerBlob:
    """One layer as the manifest describes it, and how to get its raw bytes."""

    digest: str  # expected digest of the raw blob; "" when the format gives none
    media_type: str
    size: int
    diff_id: str  # expected sha256 of the uncompressed tar (from the image config)
    opener: Callable[[], IO[bytes]]
    local: tuple[str, int, int] | None = None  # (file, offset, size) when the raw blob sits in a local file

    @property
    def id(self) -> str:
        return self.diff_id or self.digest

    def to_model(self) -> Layer:
        return Layer(digest=self.digest or self.diff_id, media_type=self.media_type, size=self.size, diff_id=self.diff_id)


CHUNK = 1 << 20


class _HashedChunks:
    """Reads a blob in 1 MiB chunks on a background thread, hashing them (hashlib drops the GIL).

    Iterating yields the raw chunks; after exhaustion ``hexdigest()`` and ``count`` are final.
    """

    def __init__(self, raw: IO[bytes], algorithm: str = "sha256") -> None:
        import queue

        self.hash = hashlib.new(algorithm)
        self.count = 0
        self._q: "queue.Queue[bytes | BaseException | None]" = queue.Queue(maxsize=8)
        self._stop = False
        self._done = False
        self._t = threading.Thread(target=self._run, args=(raw,), daemon=True)
        self._t.start()

    def _run(self, raw: IO[bytes]) -> None:
        try:
            while not self._stop:
                chunk = raw.read(CHUNK)
                if not chunk:
                    break
                self.hash.update(chunk)
                self.count += len(chunk)
                self._q.put(chunk)
            self._q.put(None)
        except BaseException as exc:  # handed to the consumer
            self._q.put(exc)

    def __iter__(self) -> Iterator[bytes]:
        while not self._done:
            item = self._q.get()
            if item is None:
                self._done = True
                return
            if isinstance(item, BaseException):
                if isinstance(item, SourceError):
                    raise item
                raise SourceError(f"cannot read layer: {item}") from item
            yield item

    def close(self) -> None:
        self._stop = True
        while self._t.is_alive() and not self._done:
            try:
                self._q.get(timeout=0.05)
            except Exception:
                pass

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def _gunzip(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    d = zlib.decompressobj(wbits=47)
    started = False
    try:
        for chunk in chunks:
            started = True
            while chunk:
                out = d.decompress(chunk)
                if out:
                    yield out
                chunk = b""
                if d.eof:
                    chunk = d.unused_data  # another gzip member follows
                    if chunk:
                        d = zlib.decompressobj(wbits=47)
    except zlib.error as exc:
        raise SourceError(f"layer {name} is corrupt: {exc}") from exc
    if started and not d.eof:
        raise SourceError(f"layer {name} is truncated (gzip stream ended early)")


def _unzstd(chunks: Iterable[bytes], name: str) -> Iterator[bytes]:
    import zstandard

    d = zstandard.ZstdDecompressor().decompressobj()
    try:
        for chunk in chunks:
            while chunk:
                out = d.decompress(chunk)
                if out:
                    yield out
                chunk = d.unused_data if d.eof else b""
                if chunk:
                    d = zstandard.ZstdDecompressor().decompressobj()
    except zstandard.ZstdError as exc:
        raise SourceError(f"layer {name} is corrupt: {exc}") from exc
    if not d.eof:
        raise SourceError(f"layer {name} is truncated (zstd stream ended early)")


def _tar_chunks(chunks: Iterator[bytes], name: str) -> tuple[Iterator[bytes], bool]:
    """The uncompressed tar chunks of a layer blob, and whether the blob was compressed."""
    first = next(chunks, b"")
    head = _chain(first, chunks)
    if first[:2] == GZIP_MAGIC:
        return _gunzip(head, name), True
    if first[:4] == ZSTD_MAGIC:
        return _unzstd(head, name), True
    return head, False


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _entry_path(name: str, layer: str) -> str:
    try:
        return normpath(name)
    except SourceError:
        raise SourceError(f"layer {short(layer)}: entry {name!r} escapes the image root (path traversal)") from None


class ImageReader:
    """Builds the squashed tree of an image's layers and opens files from it."""

    def __init__(self, layers: Sequence[LayerBlob], *, progress: Callable[[str], None] | None = None) -> None:
        self.layers = list(layers)
        for lb in self.layers:
            check_layer_media_type(lb.media_type, lb.digest)
        self.progress = progress
        self._tree: FileTree | None = None
        self._analyzers: tuple[Analyzer, ...] = ()
        # Blobs in local files are hashed by one background thread from now on: the
        # digests are due when the tree is built, and until then (choosing and importing
        # the catalogers) the second core would have nothing to do.
        self._hasher = _LocalHasher([lb.local for lb in self.layers if lb.local is not None])

    def close(self) -> None:
        self._hasher.stop()

    def resolver(self, prefetch: Iterable[str] = (), analyzers: Sequence[Analyzer] = ()) -> FileResolver:
        if self._tree is None:
            self._analyzers = tuple(analyzers)
            self._tree = self._build(tuple(prefetch))
            self._tree.analyzed.update(a.name for a in self._analyzers)
        return FileResolver(self._tree, self._open, analyzers=analyzers)

    # -- building -----------------------------------------------------------------
    def _build(self, prefetch: tuple[str, ...]) -> FileTree:
        tree = FileTree([lb.id for lb in self.layers])
        wanted = combine(prefetch)
        # the hashing thread (see __init__) goes on while this one walks the tar headers
        hasher = self._hasher
        try:
            checks: list[tuple[LayerBlob, bool, str]] = []
            for i, lb in enumerate(self.layers):
                if self.progress:
                    self.progress(f"reading layer {i + 1}/{len(self.layers)} {short(lb.id)}")
                if lb.local is None:
                    self._read_layer(tree, i, lb, wanted)
                else:
                    checks.append(self._read_local_layer(tree, i, lb, wanted, hasher))
            for lb, compressed, diff_digest in checks:
                _check_digest(lb, hasher.result(lb.local), compressed, diff_digest)  # type: ignore[arg-type]
        finally:
            hasher.stop()
        tree.names()  # index once, now that the tree is complete
        return tree

    def _read_local_layer(self, tree: FileTree, i: int, lb: LayerBlob, wanted, hasher: "_LocalHasher") -> tuple[LayerBlob, bool, str]:  # type: ignore[no-untyped-def]
        """Walk a layer stored in a local file; its digest is checked by the caller."""
        assert lb.local is not None
        path, start, size = lb.local
        name = short(lb.digest or lb.diff_id)
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise SourceError(f"cannot open layer {name}: {exc}") from exc
        try:
            head = os.pread(fd, 4, start)
            compressed = head[:2] == GZIP_MAGIC or head[:4] == ZSTD_MAGIC
            diff_hash = hashlib.sha256() if compressed and not lb.digest and lb.diff_id else None
            try:
                if compressed:
                    chunks, _ = _tar_chunks(_pread_chunks(fd, start, size), name)
                    if diff_hash is not None:
                        chunks = _tee(chunks, diff_hash)
                    ts: TarStream | TarRegion = TarStream(chunks)
                else:
                    ts = TarRegion(fd, start, size)
                self._walk(tree, i, lb, ts, wanted, seekable=not compressed)
                if isinstance(ts, TarStream):
                    ts.drain()
            except SourceError:
                # a tampered layer is reported as such, not as the damage it does to the tar
                _check_digest(lb, hasher.result(lb.local), compressed, "")
                raise
        finally:
            os.close(fd)
        return lb, compressed, ("sha256:" + diff_hash.hexdigest()) if diff_hash is not None else ""

    def _read_layer(self, tree: FileTree, i: int, lb: LayerBlob, wanted) -> None:  # type: ignore[no-untyped-def]
        name = short(lb.digest or lb.diff_id)
        try:
            raw = lb.opener()
        except OSError as exc:
            raise SourceError(f"cannot open layer {name}: {exc}") from exc
        with raw:
            source = _HashedChunks(raw)
            try:
                chunks, compressed = _tar_chunks(iter(source), name)
                diff_hash = hashlib.sha256() if compressed and not lb.digest and lb.diff_id else None
                if diff_hash is not None:
                    chunks = _tee(chunks, diff_hash)
                ts = TarStream(chunks)
                self._walk(tree, i, lb, ts, wanted, seekable=False)
                ts.drain()
                for _ in source:  # the rest of the blob, for the digest
                    pass
            finally:
                source.close()
        _check_digest(lb, "sha256:" + source.hexdigest(), compressed, ("sha256:" + diff_hash.hexdigest()) if diff_hash is not None else "")

    def _walk(self, tree: FileTree, i: int, lb: LayerBlob, ts: TarStream | TarRegion, wanted, seekable: bool) -> None:  # type: ignore[no-untyped-def]
        name = short(lb.digest or lb.diff_id)
        try:
            for m in ts:
                self._add(tree, i, lb, ts, m, wanted, seekable)
        except TarFormatError as exc:
            msg = str(exc)
            if msg == "empty stream":
                raise SourceError(f"layer {name} is empty") from exc
            if "truncated" in msg:
                raise SourceError(f"layer {name} is truncated: {msg}") from exc
            raise SourceError(f"layer {name} is not a valid tar stream: {msg}") from exc

    def _add(self, tree: FileTree, i: int, lb: LayerBlob, ts: TarStream | TarRegion, m: Member, wanted, seekable: bool) -> None:  # type: ignore[no-untyped-def]
        path = _entry_path(m.name, lb.digest or lb.diff_id)
        if path == "/":
            return
        base = path.rsplit("/", 1)[1]
        if base.startswith(".wh."):
            parent = path.rsplit("/", 1)[0] or "/"
            if base == ".wh..wh..opq":
                tree.opaque(parent, i)
            else:
                tree.whiteout(f"{parent.rstrip('/')}/{base[4:]}", i)
            return
        mode = m.mode & 0o7777
        kind = m.kind
        if kind == DIRECTORY:
            tree.add(path, Node(DIR, mode=mode, layer=i), normalized=True)
        elif kind == SYMLINK_T:
            tree.add(path, Node(SYMLINK, link=m.linkname, layer=i), normalized=True)
        elif kind == HARDLINK:
            target = tree.get(_entry_path(m.linkname, lb.digest or lb.diff_id))
            if target is None or target.kind != FILE:
                return  # dangling hardlink: nothing to read
            node = Node(FILE, size=target.size, mode=mode, layer=i, ref=target.ref)
            node.notes = target.notes
            tree.add(path, node, normalized=True)
        elif kind == REGULAR:
            data: bytes | None = None
            notes = None
            if not m.sparse:
                names: bytes | None | bool = False  # the ELF section names, once looked up
                for a in self._analyzers:
                    if m.size <= a.max_size and a.wants(path, m.size, mode):
                        view: bytes | binfmt.ReadAt | None = data
                        if a.elf_sections and isinstance(ts, TarRegion):
                            if names is False:
                                names = binfmt.elf_section_names(ts.peek, m.size)
                            if isinstance(names, bytes):
                                if not any(f"{s}\0".encode() in names for s in a.elf_sections):
                                    continue  # an ELF without the sections this analyzer reads: not worth reading
                                if a.elf_lazy and data is None:
                                    view = binfmt.ReadAt(ts.peek, m.size)  # its headers and sections, not the file
                        if view is None:
                            view = data = ts.read()
                        try:
                            result = a.analyze(path, view)  # type: ignore[arg-type]
                        except Exception:  # an analyzer bug must not stop reading the image
                            log.warning("analyzer %s failed on %s", a.name, path, exc_info=log.isEnabledFor(logging.DEBUG))
                            result = None
                        if result is not None:
                            notes = notes or {}
                            notes[a.name] = result
            if m.sparse:
                ref: tuple = ("lazy", i, m.name)
            elif seekable:
                ref = ("off", i, m.offset, m.size)
            elif wanted is not None and m.size <= CAPTURE_LIMIT and wanted.match(path[1:]):
                ref = ("mem", data if data is not None else ts.read())
            else:
                ref = ("lazy", i, m.name)
            node = Node(FILE, size=m.size, mode=mode, layer=i, ref=ref)
            node.notes = notes
            tree.add(path, node, normalized=True)
        else:
            tree.add(path, Node(OTHER, mode=mode, layer=i), normalized=True)

    # -- reading ------------------------------------------------------------------
    def _open(self, node: Node) -> IO[bytes]:
        ref = node.ref
        kind = ref[0]
        if kind == "mem":
            return io.BytesIO(ref[1])
        lb = self.layers[ref[1]]
        if kind == "off":
            assert lb.local is not None
            path, base, _ = lb.local
            with open(path, "rb") as fh:
                fh.seek(base + ref[2])
                return _spool(fh, ref[3])
        return self._reread(lb, ref[2])

    def _reread(self, lb: LayerBlob, member: str) -> IO[bytes]:
        """Stream the layer again up to ``member`` (files that were not captured)."""
        name = short(lb.id)
        with lb.opener() as raw:

            def raw_chunks() -> Iterator[bytes]:
                while True:
                    chunk = raw.read(CHUNK)
                    if not chunk:
                        return
                    yield chunk

            chunks, _ = _tar_chunks(raw_chunks(), name)
            try:
                stream = _ChunkReader(chunks)
                with tarfile.open(fileobj=stream, mode="r|") as tf:  # handles sparse members too
                    for m in tf:
                        if m.name == member:
                            fh = tf.extractfile(m)
                            if fh is None:
                                break
                            return _spool(fh, m.size)
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise SourceError(f"layer {name} is truncated or corrupt: {exc}") from exc
        raise SourceError(f"{member}: not found again in layer {name}")


class _ChunkReader(io.RawIOBase):
    """A file-like view of an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._it = chunks
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        while not self._buf:
            self._buf = next(self._it, b"")
            if not self._buf:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _check_digest(lb: LayerBlob, got: str, compressed: bool, diff_digest: str) -> None:
    """Fail unless the blob (``got``: sha256 of its raw bytes) is what the manifest names."""
    name = short(lb.digest or lb.diff_id)
    if lb.digest and lb.digest.startswith("sha256:"):
        if got != lb.digest:
            raise SourceError(f"layer {name} does not match its digest (content is {short(got)})")
    elif not compressed and lb.diff_id and got != lb.diff_id:
        raise SourceError(f"layer {short(lb.diff_id)} does not match its diff-id (content is {short(got)})")
    elif diff_digest and diff_digest != lb.diff_id:
        raise SourceError(f"layer {short(lb.diff_id)} does not match its diff-id")


def _pread_chunks(fd: int, start: int, size: int) -> Iterator[bytes]:
    pos, end = start, start + size
    while pos < end:
        chunk = os.pread(fd, min(CHUNK, end - pos), pos)
        if not chunk:
            raise SourceError("unexpected end of layer data")
        pos += len(chunk)
        yield chunk


_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


def _quick_switches(on: bool) -> None:
    """While a hashing thread runs, a short switch interval: it wants the GIL back after
    every window, and gets it at once instead of after the default 5 ms."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if on:
            if not _switch_users:
                _switch_saved = sys.getswitchinterval()
                sys.setswitchinterval(min(_switch_saved, 0.0005))
            _switch_users += 1
        else:
            _switch_users -= 1
            if not _switch_users:
                sys.setswitchinterval(_switch_saved)


class _LocalHasher:
    """sha256 of local blobs ``(file, offset, size)``, in order, on one background thread.

    The file is mapped and hashed in large windows: ``update`` releases the GIL, so
    this runs beside the Python that walks the tar headers, and asks for the GIL
    back only once per window (a thread that wants it waits for the switch interval).
    Each window is dropped from the mapping once hashed, so the pages read never
    add up in the process's memory.  ``result`` waits for one blob.
    """

    WINDOW = 16 * 1024 * 1024

    def __init__(self, blobs: Sequence[tuple[str, int, int]]) -> None:
        self._blobs = list(dict.fromkeys(blobs))
        self._results: dict[tuple[str, int, int], str | BaseException] = {}
        self._cond = threading.Condition()
        self._stop = False
        self._t = threading.Thread(target=self._run, daemon=True) if self._blobs else None
        if self._t is not None:
            _quick_switches(True)
            self._t.start()

    def _run(self) -> None:
        try:
            for blob in self._blobs:
                try:
                    result: str | BaseException = self._hash(*blob)
                except BaseException as exc:  # handed to whoever asks for this blob
                    result = exc
                if self._stop:
                    return
                with self._cond:
                    self._results[blob] = result
                    self._cond.notify_all()
        finally:
            _quick_switches(False)

    def _hash(self, path: str, start: int, size: int) -> str:
        import mmap

        h = hashlib.sha256()
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size < start + size:
                raise SourceError(f"{path}: unexpected end of file")
            if size:
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm, memoryview(mm) as view:
                    pos, end = start, start + size
                    while pos < end and not self._stop:
                        upto = min(pos + self.WINDOW, end)
                        h.update(view[pos:upto])
                        done = pos - pos % mmap.PAGESIZE
                        mm.madvise(mmap.MADV_DONTNEED, done, upto - done)
                        pos = upto
        return "sha256:" + h.hexdigest()

    def result(self, blob: tuple[str, int, int]) -> str:
        with self._cond:
            while blob not in self._results:
                self._cond.wait()
            got = self._results[blob]
        if isinstance(got, SourceError):
            raise got
        if isinstance(got, BaseException):
            raise SourceError(f"cannot read layer: {got}") from got
        return got

    def stop(self) -> None:
        self._stop = True
        if self._t is not None:
            self._t.join()


def _tee(chunks: Iterator[bytes], h) -> Iterator[bytes]:  # type: ignore[no-untyped-def]
    for c in chunks:
        h.update(c)
        yield c


SPOOL_IN_MEMORY = 32 * 1024 * 1024  # past this, a file's copy goes to a self-deleting temp file


def _spool(fh: IO[bytes], size: int) -> IO[bytes]:
    """Copy ``size`` bytes into memory (or a self-deleting temp file past 32 MiB)."""
    if size <= SPOOL_IN_MEMORY:
        data = fh.read(size)
        if len(data) != size:
            raise SourceError("unexpected end of layer data")
        return io.BytesIO(data)
    import tempfile

    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # type: ignore[assignment]
    left = size
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            raise SourceError("unexpected end of layer data")
        out.write(chunk)
        left -= len(chunk)
    out.seek(0)
    return out
