"""Container images as a squashed :class:`FileTree`, read layer by layer without extracting.

Each layer blob is streamed once: its bytes are hashed (and checked against the
manifest's digest), decompressed (gzip, zstd or none, by magic bytes) and walked as
a tar stream.  Only the metadata of every entry is kept, plus the content of the
files that catalogers asked for (``prefetch`` globs) up to a size cap.  Files in
uncompressed layers stored in local files are read later by offset; anything else
asked for afterwards is read by streaming its layer again.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from typing import IO, Callable, Iterable, Sequence

from ..errors import SourceError
from ..model import ImageInfo, Layer
from .._internal.globs import combine
from .tree import DIR, FILE, OTHER, SYMLINK, FileResolver, FileTree, Node, normpath

__all__ = ["LayerBlob", "ImageReader", "HashingReader", "SUPPORTED_LAYER_TYPES", "check_layer_media_type"]

CAPTURE_LIMIT = 64 * 1024 * 1024  # prefetched files larger than this are read again on demand
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

SUPPORTED_LAYER_TYPES = frozenset(
    {
        "application/vnd.oci.image.layer.v1.tar",
        "application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.oci.image.layer.nondistributable.v1.tar",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.diff.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "application/vnd.docker.image.rootfs.diff.tar.zstd",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
        "",  # docker-archive layers carry no media type
    }
)


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


class HashingReader(io.RawIOBase):
    """Reads from ``raw`` while hashing every byte; knows how much it has read."""

    def __init__(self, raw: IO[bytes], algorithm: str = "sha256") -> None:
        self.raw = raw
        self.hash = hashlib.new(algorithm)
        self.count = 0
        self._head = b""

    def readable(self) -> bool:
        return True

    def peek(self, n: int) -> bytes:
        while len(self._head) < n:
            chunk = self.raw.read(n - len(self._head))
            if not chunk:
                break
            self.hash.update(chunk)
            self.count += len(chunk)
            self._head += chunk
        return self._head[:n]

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0 or n >= len(self._head):
                out, self._head = self._head, b""
                if n is not None and n >= 0:
                    n -= len(out)
                    if n == 0:
                        return out
                    more = self.raw.read(n)
                else:
                    more = self.raw.read()
                self.hash.update(more)
                self.count += len(more)
                return out + more
            out, self._head = self._head[:n], self._head[n:]
            return out
        data = self.raw.read() if n is None or n < 0 else self.raw.read(n)
        self.hash.update(data)
        self.count += len(data)
        return data

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        while self.read(1 << 20):
            pass

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


class _GzipStream(io.RawIOBase):
    """Sequential gzip decoding (multi-member) with clear errors on truncation."""

    def __init__(self, raw: IO[bytes], name: str) -> None:
        self.raw = raw
        self.name = name
        self._d = zlib.decompressobj(wbits=47)
        self._buf = b""
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self, n: int) -> None:
        while len(self._buf) < n and not self._eof:
            chunk = self.raw.read(1 << 18)
            if not chunk:
                if not self._d.eof:
                    raise SourceError(f"layer {self.name} is truncated (gzip stream ended early)")
                self._eof = True
                break
            try:
                out = self._d.decompress(chunk)
                while self._d.eof and self._d.unused_data:
                    rest = self._d.unused_data
                    self._d = zlib.decompressobj(wbits=47)
                    out += self._d.decompress(rest)
            except zlib.error as exc:
                raise SourceError(f"layer {self.name} is corrupt: {exc}") from exc
            self._buf += out

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            self._fill(1 << 62)
            out, self._buf = self._buf, b""
            return out
        self._fill(n)
        out, self._buf = self._buf[:n], self._buf[n:]
        return out

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def _decompressed(reader: HashingReader, name: str) -> tuple[IO[bytes], bool]:
    """The tar stream inside a layer blob, and whether the blob was compressed."""
    head = reader.peek(4)
    if head[:2] == GZIP_MAGIC:
        return io.BufferedReader(_GzipStream(reader, name), buffer_size=1 << 18), True  # type: ignore[arg-type]
    if head == ZSTD_MAGIC:
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(reader, read_across_frames=True), True  # type: ignore[return-value]
    return io.BufferedReader(reader, buffer_size=1 << 18), False  # type: ignore[arg-type]


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

    def resolver(self, prefetch: Iterable[str] = ()) -> FileResolver:
        if self._tree is None:
            self._tree = self._build(tuple(prefetch))
        return FileResolver(self._tree, self._open)

    # -- building -----------------------------------------------------------------
    def _build(self, prefetch: tuple[str, ...]) -> FileTree:
        tree = FileTree([lb.id for lb in self.layers])
        wanted = combine(prefetch)
        for i, lb in enumerate(self.layers):
            if self.progress:
                self.progress(f"reading layer {i + 1}/{len(self.layers)} {short(lb.id)}")
            self._read_layer(tree, i, lb, wanted)
        tree.names()  # index once, now that the tree is complete
        return tree

    def _read_layer(self, tree: FileTree, i: int, lb: LayerBlob, wanted) -> None:  # type: ignore[no-untyped-def]
        name = short(lb.digest or lb.diff_id)
        try:
            raw = lb.opener()
        except OSError as exc:
            raise SourceError(f"cannot open layer {name}: {exc}") from exc
        with raw:
            reader = HashingReader(raw)
            stream, compressed = _decompressed(reader, name)
            seekable = lb.local is not None and not compressed
            diff_hash = None
            if compressed and not lb.digest and lb.diff_id:
                diff_hash = hashlib.sha256()
                stream = _TeeHash(stream, diff_hash)  # type: ignore[assignment]
            try:
                tf = tarfile.open(fileobj=stream, mode="r|", errorlevel=1)  # type: ignore[call-overload]
                for m in tf:
                    self._add(tree, i, lb, tf, m, wanted, seekable)
                tf.close()
                if diff_hash is not None:
                    stream.read()
                reader.drain()
            except SourceError:
                raise
            except tarfile.ReadError as exc:
                msg = str(exc)
                if "empty file" in msg and reader.count == 0:
                    raise SourceError(f"layer {name} is empty") from exc
                raise SourceError(f"layer {name} is not a valid tar stream: {msg}") from exc
            except (tarfile.TarError, EOFError, zlib.error, OSError, ValueError) as exc:
                raise SourceError(f"layer {name} is truncated or corrupt: {exc}") from exc
        got = "sha256:" + reader.hexdigest()
        if lb.digest and lb.digest.startswith("sha256:"):
            if got != lb.digest:
                raise SourceError(f"layer {name} does not match its digest (content is {short(got)})")
        elif not compressed and lb.diff_id and got != lb.diff_id:
            raise SourceError(f"layer {short(lb.diff_id)} does not match its diff-id (content is {short(got)})")
        elif diff_hash is not None and "sha256:" + diff_hash.hexdigest() != lb.diff_id:
            raise SourceError(f"layer {short(lb.diff_id)} does not match its diff-id")

    def _add(self, tree: FileTree, i: int, lb: LayerBlob, tf: tarfile.TarFile, m: tarfile.TarInfo, wanted, seekable: bool) -> None:  # type: ignore[no-untyped-def]
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
        if m.isdir():
            tree.add(path, Node(DIR, mode=mode, layer=i))
        elif m.issym():
            tree.add(path, Node(SYMLINK, link=m.linkname, layer=i))
        elif m.islnk():
            target = tree.get(_entry_path(m.linkname, lb.digest or lb.diff_id))
            if target is None or target.kind != FILE:
                return  # dangling hardlink: nothing to read
            tree.add(path, Node(FILE, size=target.size, mode=mode, layer=i, ref=target.ref))
        elif m.isreg():
            if m.sparse is not None:
                ref: tuple = ("lazy", i, m.name)
            elif seekable:
                ref = ("off", i, m.offset_data, m.size)
            elif wanted is not None and m.size <= CAPTURE_LIMIT and wanted.match(path[1:]):
                fh = tf.extractfile(m)
                assert fh is not None
                data = fh.read()
                if len(data) != m.size:
                    raise SourceError(f"layer {short(lb.id)} is truncated inside {path}")
                ref = ("mem", data)
            else:
                ref = ("lazy", i, m.name)
            tree.add(path, Node(FILE, size=m.size, mode=mode, layer=i, ref=ref))
        else:
            tree.add(path, Node(OTHER, mode=mode, layer=i))

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
        # lazy: stream the layer again up to the member
        with lb.opener() as raw:
            stream, _ = _decompressed(HashingReader(raw), short(lb.id))
            try:
                with tarfile.open(fileobj=stream, mode="r|") as tf:  # type: ignore[call-overload]
                    for m in tf:
                        if m.name == ref[2]:
                            fh = tf.extractfile(m)
                            if fh is None:
                                break
                            return _spool(fh, m.size)
            except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
                raise SourceError(f"layer {short(lb.id)} is truncated or corrupt: {exc}") from exc
        raise SourceError(f"{ref[2]}: not found again in layer {short(lb.id)}")


class _TeeHash(io.RawIOBase):
    def __init__(self, inner: IO[bytes], h) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.h = inner, h

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.inner.read(n)
        self.h.update(data)
        return data

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def _spool(fh: IO[bytes], size: int) -> IO[bytes]:
    """Copy ``size`` bytes into memory (or a self-deleting temp file past 32 MiB)."""
    out: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # type: ignore[assignment]
    left = size
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            raise SourceError("unexpected end of layer data")
        out.write(chunk)
        left -= len(chunk)
    out.seek(0)
    return out


def image_info(**kw) -> ImageInfo:  # type: ignore[no-untyped-def]
    return ImageInfo(**kw)
