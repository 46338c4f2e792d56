"""The fast tar reader against Python's tarfile on the same archives, whatever the chunking."""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from assay._internal.tarstream import TarFormatError, TarRegion, TarStream


def make_tar(fmt: int) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tf:
        for i, size in enumerate([0, 1, 511, 512, 513, 70_000, 3_000_001]):
            data = bytes((i + j) % 251 for j in range(size))
            ti = tarfile.TarInfo(f"dir/{'long-name-' * (12 if i % 2 else 1)}{i}.bin")
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))
        link = tarfile.TarInfo("dir/link")
        link.type, link.linkname = tarfile.SYMTYPE, "x" * 150
        tf.addfile(link)
        d = tarfile.TarInfo("dir/sub")
        d.type = tarfile.DIRTYPE
        tf.addfile(d)
    return raw.getvalue()


def chunks(data: bytes, size: int):  # type: ignore[no-untyped-def]
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT])
@pytest.mark.parametrize("chunk", [1, 7, 512, 4096, 1 << 20])
def test_same_members_and_data_as_tarfile(fmt: int, chunk: int) -> None:
    data = make_tar(fmt)
    if chunk == 1:
        data_iter = chunks(data, 999)  # byte-sized chunks are too slow for 3 MB; use an odd size
    else:
        data_iter = chunks(data, chunk)
    want = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf:
            f = tf.extractfile(m) if m.isreg() else None
            want.append((m.name, m.size if m.isreg() else 0, m.linkname, f.read() if f else b""))
    got = []
    ts = TarStream(data_iter)
    for i, m in enumerate(ts):
        body = ts.read() if m.kind == "file" and i % 2 == 0 else None
        got.append((m.name.rstrip("/"), m.size if m.kind == "file" else 0, m.linkname, body, m.offset))
    assert [g[:3] for g in got] == [w[:3] for w in want]
    for g, w in zip(got, want):
        if g[3] is not None:
            assert g[3] == w[3]
        assert data[g[4] : g[4] + g[1]] == w[3]  # offsets point at the data in the stream


def test_truncated_stream_is_an_error() -> None:
    data = make_tar(tarfile.PAX_FORMAT)
    ts = TarStream(chunks(data[: len(data) // 2], 4096))
    with pytest.raises(TarFormatError, match="truncated"):
        for m in ts:
            if m.kind == "file":
                ts.read()


def test_bad_checksum_is_an_error() -> None:
    data = bytearray(make_tar(tarfile.PAX_FORMAT))
    data[100] ^= 0xFF
    with pytest.raises(TarFormatError, match="checksum"):
        list(TarStream(chunks(bytes(data), 4096)))


# -- TarRegion: the same tar read with pread from inside a larger file -----------------------------


def _region(tmp_path, data: bytes, lead: int = 1234, tail: bytes = b"trailing bytes of the outer file"):  # type: ignore[no-untyped-def]
    path = tmp_path / "outer.bin"
    path.write_bytes(b"\xaa" * lead + data + tail)
    fd = os.open(path, os.O_RDONLY)
    return fd, TarRegion(fd, lead, len(data))


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT, tarfile.USTAR_FORMAT])
@pytest.mark.parametrize("window", [512, 4096, 128 * 1024])
def test_region_same_members_and_data_as_tarfile(tmp_path, monkeypatch, fmt: int, window: int) -> None:  # type: ignore[no-untyped-def]
    data = make_tar(fmt) if fmt != tarfile.USTAR_FORMAT else _ustar_tar()
    monkeypatch.setattr(TarRegion, "WINDOW", window)
    want = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        for m in tf:
            f = tf.extractfile(m) if m.isreg() else None
            want.append((m.name, m.size if m.isreg() else 0, m.linkname, f.read() if f else b""))
    fd, region = _region(tmp_path, data)
    try:
        got = []
        for i, m in enumerate(region):
            body = region.read() if m.kind == "file" and i % 2 == 1 else None
            got.append((m.name.rstrip("/"), m.size if m.kind == "file" else 0, m.linkname, body, m.offset))
    finally:
        os.close(fd)
    assert [g[:3] for g in got] == [w[:3] for w in want]
    for g, w in zip(got, want):
        if g[3] is not None:
            assert g[3] == w[3]
        assert data[g[4] : g[4] + g[1]] == w[3]


def _ustar_tar() -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        ti = tarfile.TarInfo("usr/share/" + "deep/" * 25 + "file.txt")  # > 100 bytes: uses the prefix field
        ti.size = 5
        tf.addfile(ti, io.BytesIO(b"hello"))
    return raw.getvalue()


def test_region_never_reads_past_its_end(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = make_tar(tarfile.PAX_FORMAT)
    cut = data[: len(data) // 2]
    fd, region = _region(tmp_path, cut, tail=data[len(data) // 2 :])  # the rest is there, outside the region
    try:
        with pytest.raises(TarFormatError, match="truncated"):
            for m in region:
                if m.kind == "file":
                    region.read()
    finally:
        os.close(fd)


def test_region_bad_checksum_and_empty(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = bytearray(make_tar(tarfile.GNU_FORMAT))
    data[100] ^= 0xFF
    fd, region = _region(tmp_path, bytes(data))
    try:
        with pytest.raises(TarFormatError, match="checksum"):
            list(region)
    finally:
        os.close(fd)
    fd, region = _region(tmp_path, b"")
    try:
        with pytest.raises(TarFormatError, match="empty"):
            list(region)
    finally:
        os.close(fd)


def test_checksum_fast_path_agrees_with_the_exact_sum() -> None:
    import random

    from assay._internal.tarstream import _checksum_fast, _checksum_ok

    rng = random.Random(7)
    for _ in range(2000):
        hdr = bytes(rng.randrange(256) if rng.random() < 0.3 else rng.randrange(128) for _ in range(512))
        exact = sum(hdr[:148]) + 256 + sum(hdr[156:])
        assert _checksum_fast(hdr, exact)  # the common case never falls back to summing in Python
        assert _checksum_ok(hdr, exact)
        assert not _checksum_ok(hdr, exact + 1)
        assert not _checksum_ok(hdr, exact - 7)
