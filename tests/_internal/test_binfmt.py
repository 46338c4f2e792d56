"""The executable header reader: synthesized ELF / Mach-O / PE files, and real ELF files of this machine.

The ``make_*`` builders write minimal but well-formed executables with the
sections a test asks for; the Go and Rust cataloger tests use them too.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from assay._internal import binfmt
from assay._internal.binfmt import BinaryError

# -- builders ---------------------------------------------------------------------------

PF_X, PF_W, PF_R = 1, 2, 4


def _align(n: int, a: int = 16) -> int:
    return (n + a - 1) // a * a


def make_elf(
    sections: list[tuple[str, int, bytes, bool]],
    *,
    bits: int = 64,
    big: bool = False,
    machine: int = 62,
    section_headers: bool = True,
) -> bytes:
    """An ELF file with ``(name, vaddr, data, writable)`` sections; each loaded one gets a PT_LOAD segment.

    Without ``section_headers`` the file keeps only its program headers, like
    a binary stripped with ``--strip-section-headers``.
    """
    e = ">" if big else "<"
    is64 = bits == 64
    ehsize, phent, shent = (64, 56, 64) if is64 else (52, 32, 40)
    loaded = [s for s in sections if s[1]]
    at = ehsize + len(loaded) * phent
    offsets = []
    for _, _, data, _ in sections:
        at = _align(at)
        offsets.append(at)
        at += len(data)
    names = bytearray(b"\0")
    name_at = []
    for name, *_ in sections:
        name_at.append(len(names))
        names += name.encode() + b"\0"
    shstr_name = len(names)
    names += b".shstrtab\0"
    shstr_off = at
    at += len(names)
    shoff = _align(at, 8) if section_headers else 0
    shnum = len(sections) + 2 if section_headers else 0

    out = bytearray(b"\x7fELF" + bytes([2 if is64 else 1, 2 if big else 1, 1]) + bytes(9))
    hdr_fmt = e + ("HHIQQQIHHHHHH" if is64 else "HHIIIIIHHHHHH")
    out += struct.pack(hdr_fmt, 2, machine, 1, 0, ehsize if loaded else 0, shoff, 0, ehsize, phent, len(loaded), shent, shnum, shnum - 1 if shnum else 0)
    for (name, addr, data, writable), off in zip(sections, offsets):
        if not addr:
            continue
        flags = PF_R | (PF_W if writable else PF_X)
        if is64:
            out += struct.pack(e + "IIQQQQQQ", 1, flags, off, addr, addr, len(data), len(data), 16)
        else:
            out += struct.pack(e + "IIIIIIII", 1, off, addr, addr, len(data), len(data), flags, 16)
    for (_, _, data, _), off in zip(sections, offsets):
        out += bytes(off - len(out)) + data
    out += bytes(shstr_off - len(out)) + names
    if section_headers:
        out += bytes(shoff - len(out))
        sh_fmt = e + ("IIQQQQIIQQ" if is64 else "IIIIIIIIII")
        out += bytes(shent)
        for (name, addr, data, writable), off, nat in zip(sections, offsets, name_at):
            flags = 0x2 | (0x1 if writable else 0x4) if addr else 0
            out += struct.pack(sh_fmt, nat, 1, flags, addr, off, len(data), 0, 0, 16, 0)
        out += struct.pack(sh_fmt, shstr_name, 3, 0, 0, shstr_off, len(names), 0, 0, 1, 0)
    return bytes(out)


def make_macho(
    segments: list[tuple[str, int, list[tuple[str, bytes]]]],
    *,
    bits: int = 64,
    big: bool = False,
    cputype: int = 0x0100000C,
) -> bytes:
    """A Mach-O file with ``(segment, vmaddr, [(section, data)])`` segments."""
    e = ">" if big else "<"
    is64 = bits == 64
    hsize, segsize, sectsize = (32, 72, 80) if is64 else (28, 56, 68)
    cmds_size = sum(segsize + sectsize * len(s[2]) for s in segments)
    at = _align(hsize + cmds_size)
    layout = []
    for seg, vmaddr, sects in segments:
        start = at
        places = []
        for _, data in sects:
            at = _align(at)
            places.append(at)
            at += len(data)
        layout.append((start, at - start, places))
    magic = 0xFEEDFACF if is64 else 0xFEEDFACE  # written in the file's byte order
    out = bytearray(struct.pack(e + "IiIIIII", magic, cputype, 0, 2, len(segments), cmds_size, 0))
    if is64:
        out += bytes(4)
    for (seg, vmaddr, sects), (start, size, places) in zip(segments, layout):
        cmdsize = segsize + sectsize * len(sects)
        if is64:
            out += struct.pack(e + "II16sQQQQiiII", 0x19, cmdsize, seg.encode(), vmaddr, size, start, size, 3, 3, len(sects), 0)
        else:
            out += struct.pack(e + "II16sIIIIiiII", 0x1, cmdsize, seg.encode(), vmaddr, size, start, size, 3, 3, len(sects), 0)
        for (sect, data), place in zip(sects, places):
            addr = vmaddr + place - start
            if is64:
                out += struct.pack(e + "16s16sQQIIIIIIII", sect.encode(), seg.encode(), addr, len(data), place, 4, 0, 0, 0, 0, 0, 0)
            else:
                out += struct.pack(e + "16s16sIIIIIIIII", sect.encode(), seg.encode(), addr, len(data), place, 4, 0, 0, 0, 0, 0)
    for (_, _, sects), (_, _, places) in zip(segments, layout):
        for (_, data), place in zip(sects, places):
            out += bytes(place - len(out)) + data
    return bytes(out)


def make_fat(slices: list[bytes]) -> bytes:
    """A fat (universal) Mach-O holding ``slices``, each aligned to 4 KiB."""
    places = []
    at = _align(8 + 20 * len(slices), 4096)
    for s in slices:
        places.append(at)
        at = _align(at + len(s), 4096)
    out = bytearray(struct.pack(">II", 0xCAFEBABE, len(slices)))
    for s, place in zip(slices, places):
        out += struct.pack(">IIIII", 0x0100000C, 0, place, len(s), 12)
    for s, place in zip(slices, places):
        out += bytes(place - len(out)) + s
    return bytes(out)


def make_pe(
    sections: list[tuple[str, int, bytes, int]],
    *,
    pe32plus: bool = True,
    machine: int = 0x8664,
    image_base: int = 0x400000,
) -> bytes:
    """A PE file with ``(name, rva, data, characteristics)`` sections; names over 8 bytes go to the string table."""
    optsize = 240 if pe32plus else 224
    table_at = 64 + 4 + 20 + optsize
    at = _align(table_at + 40 * len(sections), 512)
    places = []
    for _, _, data, _ in sections:
        places.append(at)
        at = _align(at + len(data), 512)
    strtab = bytearray(4)
    raw_names = []
    for name, *_ in sections:
        if len(name) > 8:
            raw_names.append(f"/{len(strtab)}".encode())
            strtab += name.encode() + b"\0"
        else:
            raw_names.append(name.encode())
    strtab[:4] = struct.pack("<I", len(strtab))
    symptr = at
    out = bytearray(b"MZ" + bytes(58) + struct.pack("<I", 64))
    out += b"PE\0\0" + struct.pack("<HHIIIHH", machine, len(sections), 0, symptr, 0, optsize, 0x22)
    opt = bytearray(optsize)
    if pe32plus:
        struct.pack_into("<H", opt, 0, 0x20B)
        struct.pack_into("<Q", opt, 24, image_base)
    else:
        struct.pack_into("<H", opt, 0, 0x10B)
        struct.pack_into("<I", opt, 28, image_base)
    out += opt
    for (name, rva, data, chars), raw, place in zip(sections, raw_names, places):
        out += struct.pack("<8sIIIIIIHHI", raw, len(data), rva, _align(len(data), 512), place, 0, 0, 0, 0, chars)
    for (_, _, data, _), place in zip(sections, places):
        out += bytes(place - len(out)) + data
    out += bytes(symptr - len(out)) + strtab
    return bytes(out)


PE_DATA = 0x40 | 0x40000000 | 0x80000000  # initialized data, read, write
PE_TEXT = 0x20 | 0x20000000 | 0x40000000


def region(exe: binfmt.Executable) -> tuple[int, bytes]:
    """(address, bytes) of where the Go build info would be."""
    span = binfmt.go_buildinfo_span(exe)
    assert span is not None
    addr, offset, size = span
    return addr, exe.data[offset : offset + size]


# -- ELF --------------------------------------------------------------------------------


@pytest.mark.parametrize("bits,big", [(64, False), (32, False), (64, True), (32, True)])
def test_elf_sections_segments_and_reads(bits, big):
    data = make_elf(
        [(".text", 0x401000, b"\x90" * 64, False), (".data", 0x402000, b"hello world!", True), (".comment", 0, b"gcc", False)],
        bits=bits,
        big=big,
        machine=22 if big else 62,
    )
    [exe] = binfmt.parse(data)
    assert exe.format == "elf" and exe.ptr_size == bits // 8 and exe.big_endian is big
    assert [s.name for s in exe.sections] == [".text", ".data", ".comment", ".shstrtab"]
    assert exe.section_data(".data") == b"hello world!"
    assert exe.section_data(".comment") == b"gcc"
    assert exe.section(".nope") is None
    assert exe.read(0x402006, 5) == b"world"
    assert exe.read(0x402006, 50) is None  # runs past the section and its segment
    assert exe.read(0x500000, 1) is None
    assert [(g.addr, g.flags & PF_W) for g in exe.segments] == [(0x401000, 0), (0x402000, PF_W)]
    assert exe.arch == ("s390x" if big else "amd64")


def test_elf_without_section_headers_reads_through_segments():
    data = make_elf([(".text", 0x401000, b"\x90" * 32, False), (".data", 0x402000, b"ABCDEFGH", True)], section_headers=False)
    [exe] = binfmt.parse(data)
    assert exe.sections == ()
    assert exe.read(0x402002, 3) == b"CDE"
    assert region(exe) == (0x402000, b"ABCDEFGH")  # the first writable, non-executable segment


def test_elf_buildinfo_region_prefers_its_section():
    data = make_elf([(".data", 0x402000, b"data", True), (".go.buildinfo", 0x403000, b"info", True)])
    [exe] = binfmt.parse(data)
    assert region(exe) == (0x403000, b"info")


def test_truncated_and_bogus_headers():
    data = make_elf([(".data", 0x402000, b"x" * 16, True)])
    with pytest.raises(BinaryError, match="truncated|outside"):
        binfmt.parse(data[:40])
    with pytest.raises(BinaryError, match="outside"):
        binfmt.parse(data[: len(data) - 30])  # section headers cut off
    with pytest.raises(BinaryError, match="class"):
        binfmt.parse(b"\x7fELF\x07\x01" + bytes(100))
    assert binfmt.parse(b"#!/bin/sh\necho hi\n") == []
    assert binfmt.parse(b"MZ" + bytes(100)) == []  # a DOS stub without a PE header
    assert not binfmt.looks_executable(b"\x00asm")


# -- Mach-O -----------------------------------------------------------------------------


@pytest.mark.parametrize("bits,big", [(64, False), (32, False), (64, True)])
def test_macho_sections(bits, big):
    data = make_macho(
        [("__TEXT", 0x1000, [("__text", b"\x00" * 32)]), ("__DATA", 0x4000, [("__go_buildinfo", b"GOINFO"), ("__data", b"more")])],
        bits=bits,
        big=big,
    )
    [exe] = binfmt.parse(data)
    assert exe.format == "macho" and exe.ptr_size == bits // 8
    assert [(s.segment, s.name) for s in exe.sections] == [("__TEXT", "__text"), ("__DATA", "__go_buildinfo"), ("__DATA", "__data")]
    assert exe.section_data("__go_buildinfo", "__DATA") == b"GOINFO"
    assert exe.section("__go_buildinfo", "__TEXT") is None
    assert region(exe)[1] == b"GOINFO"
    assert exe.arch == "arm64"
    s = exe.section("__data")
    assert exe.read(s.addr + 1, 3) == b"ore"


def test_fat_macho_slices_keep_their_place_in_the_file():
    a = make_macho([("__DATA", 0x1000, [("__go_buildinfo", b"first slice")])])
    b = make_macho([("__DATA", 0x1000, [("__go_buildinfo", b"second slice")])], cputype=0x01000007)
    data = make_fat([a, b])
    exes = binfmt.parse(data)
    assert [x.section_data("__go_buildinfo") for x in exes] == [b"first slice", b"second slice"]
    assert [x.arch for x in exes] == ["arm64", "amd64"]
    assert exes[1].start > exes[0].start >= 4096


def test_java_class_file_is_not_a_fat_binary():
    # Same magic as a fat Mach-O, then minor/major version 0/65.
    assert binfmt.parse(b"\xca\xfe\xba\xbe\x00\x00\x00\x41" + bytes(64)) == []


# -- PE ---------------------------------------------------------------------------------


@pytest.mark.parametrize("plus", [True, False])
def test_pe_sections_with_long_names(plus):
    data = make_pe(
        [(".text", 0x1000, b"\xc3" * 16, PE_TEXT), (".go.buildinfo", 0x2000, b"buildinfo!", PE_DATA), (".data", 0x3000, b"d", PE_DATA)],
        pe32plus=plus,
        machine=0x8664 if plus else 0x14C,
    )
    [exe] = binfmt.parse(data)
    assert exe.format == "pe" and exe.ptr_size == (8 if plus else 4)
    assert [s.name for s in exe.sections] == [".text", ".go.buildinfo", ".data"]
    assert exe.section_data(".go.buildinfo") == b"buildinfo!"
    assert exe.read(0x400000 + 0x2000 + 5, 4) == b"info"
    assert region(exe) == (0x402000, b"buildinfo!")
    assert exe.arch == ("amd64" if plus else "386")


def test_pe_buildinfo_falls_back_to_first_writable_data_section():
    data = make_pe([(".text", 0x1000, b"\xc3", PE_TEXT), (".data", 0x2000, b"dataseg", PE_DATA)])
    [exe] = binfmt.parse(data)
    assert region(exe) == (0x402000, b"dataseg")


# -- UPX --------------------------------------------------------------------------------


def test_upx_detection():
    plain = make_elf([(".data", 0x402000, b"x" * 32, True)])
    [exe] = binfmt.parse(plain)
    assert not binfmt.is_upx_packed(plain, exe)
    packed = make_elf([(".data", 0x402000, b"x" * 32, True)], section_headers=False)
    packed = packed[:0x80] + b"\x00\x00\x00\x00UPX!" + packed[0x88:]
    assert binfmt.is_upx_packed(packed)
    pe = make_pe([("UPX0", 0x1000, b"", PE_DATA), ("UPX1", 0x2000, b"z" * 16, PE_TEXT)])
    [pexe] = binfmt.parse(pe)
    assert binfmt.is_upx_packed(pe, pexe)


# -- real binaries ----------------------------------------------------------------------


def _real_elf() -> Path:
    for p in ("/bin/true", "/usr/bin/true", "/bin/ls"):
        if Path(p).is_file():
            return Path(p)
    pytest.skip("no ELF binary on this machine")


def test_real_elf_sections_match_readelf():
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("readelf not installed")
    path = _real_elf()
    [exe] = binfmt.parse(path.read_bytes())
    out = subprocess.run([readelf, "-SW", str(path)], capture_output=True, text=True, check=True).stdout
    names = []
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("[") and "]" in line and not line.startswith("[Nr]"):
            rest = line.split("]", 1)[1].split()
            if rest and rest[0] != "NULL":
                names.append(rest[0])
    assert names and [s.name for s in exe.sections] == names
    text = exe.section(".text")
    assert text is not None and text.size > 0
    assert exe.read(text.addr, 16) == path.read_bytes()[text.offset : text.offset + 16]


# -- section names without reading the whole file ----------------------------------------


def _reader(data: bytes):  # type: ignore[no-untyped-def]
    reads: list[tuple[int, int]] = []

    def read(offset: int, n: int) -> bytes:
        reads.append((offset, n))
        return data[offset : offset + n]

    return read, reads


@pytest.mark.parametrize("bits,big", [(64, False), (32, False), (64, True), (32, True)])
def test_elf_section_names_from_three_small_reads(bits, big):
    data = make_elf(
        [(".text", 0x401000, b"\x90" * 4096, False), (".go.buildinfo", 0x403000, b"info", True)], bits=bits, big=big
    )
    read, reads = _reader(data)
    names = binfmt.elf_section_names(read, len(data))
    assert names is not None
    assert all(f"{s.name}\0".encode() in names for s in binfmt.parse(data)[0].sections)
    assert b".dep-v0\0" not in names
    assert len(reads) == 3 and sum(n for _, n in reads) < 200


def test_elf_section_names_unknown_without_a_section_table():
    data = make_elf([(".data", 0x402000, b"ABCDEFGH", True)], section_headers=False)
    assert binfmt.elf_section_names(_reader(data)[0], len(data)) is None
    for other in (b"MZ" + bytes(100), b"#!/bin/sh\n" + bytes(100), b"\x7fELF"):
        assert binfmt.elf_section_names(_reader(other)[0], len(other)) is None
    data = make_elf([(".data", 0x402000, b"ABCDEFGH", True)])
    assert binfmt.elf_section_names(_reader(data[:-60])[0], len(data) - 60) is None  # its entry cut off


def test_real_elf_section_names():
    path = _real_elf()
    data = path.read_bytes()
    names = binfmt.elf_section_names(_reader(data)[0], len(data))
    assert names is not None
    assert all(f"{s.name}\0".encode() in names for s in binfmt.parse(data)[0].sections)


# -- ReadAt: bytes fetched on demand ------------------------------------------------------


def test_read_at_behaves_like_the_bytes() -> None:
    data = bytes(range(256)) * 2000 + b"needle" + bytes(300_000)  # ~800 KB, a needle past 4 blocks
    read, reads = _reader(data)
    r = binfmt.ReadAt(read, len(data))
    assert len(r) == len(data)
    for i in (0, 1, 65535, 65536, 511_999, len(data) - 1, -1, -len(data)):
        assert r[i] == data[i]
    for a, b in ((0, 4), (65530, 65542), (10, 300_000), (-10, None), (None, 5), (5, 5), (9, 3), (len(data) - 3, len(data) + 10)):
        assert r[a:b] == data[a:b], (a, b)
    for args in ((b"needle",), (b"needle", 0, 512_003), (b"needle", 512_001), (b"\x00\x01\x02", 100, 600), (b"absent",)):
        assert r.find(*args) == data.find(*args), args
    assert b"needle" in r and b"absent" not in r
    with pytest.raises(IndexError):
        r[len(data)]


def test_read_at_reads_only_what_is_asked_in_blocks() -> None:
    data = bytes(10_000_000)
    read, reads = _reader(data)
    r = binfmt.ReadAt(read, len(data))
    r[0:64]
    r[100:200]  # same block: no read
    r[9_999_000:9_999_100]
    assert len(reads) == 2 and sum(n for _, n in reads) <= 2 * binfmt.ReadAt.BLOCK


@pytest.mark.parametrize("bits,big", [(64, False), (32, False), (64, True), (32, True)])
def test_elf_parsed_through_read_at_equals_parsed_from_bytes(bits, big):
    data = make_elf(
        [(".text", 0x401000, b"\x90" * 300_000, False), (".data", 0x4A0000, b"hello world!", True), (".go.buildinfo", 0x4B0000, b"info", True)],
        bits=bits,
        big=big,
    )
    read, reads = _reader(data)
    [lazy] = binfmt.parse(binfmt.ReadAt(read, len(data)))
    [eager] = binfmt.parse(data)
    assert (lazy.sections, lazy.segments, lazy.arch, lazy.ptr_size) == (eager.sections, eager.segments, eager.arch, eager.ptr_size)
    assert lazy.section_data(".go.buildinfo") == b"info" and lazy.read(0x4A0006, 5) == b"world"
    assert sum(n for _, n in reads) < len(data) // 2  # the .text in between was never read


def test_may_be_compiled_by_mode_name_and_size() -> None:
    assert binfmt.may_be_compiled("/usr/bin/app", 4096, 0o755)
    assert binfmt.may_be_compiled("/usr/lib/libx.so", 4096, 0o644)
    assert binfmt.may_be_compiled("/usr/lib/libx.so.1.2", 4096, 0o644)
    assert binfmt.may_be_compiled("/app/tool.exe", 4096, 0o644) and binfmt.may_be_compiled("/app/x.dll", 600, 0o600)
    assert binfmt.may_be_compiled("/Applications/lib.dylib", 4096, 0o644)
    assert not binfmt.may_be_compiled("/usr/share/doc/readme", 4096, 0o644)
    assert not binfmt.may_be_compiled("/usr/bin/tiny", 100, 0o755)
    assert not binfmt.may_be_compiled("/usr/lib/so.txt", 4096, 0o644)
