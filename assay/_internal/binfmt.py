"""A small reader for executable headers: ELF, Mach-O (thin and fat) and PE.

Catalogers of compiled languages need three things from a binary: its named
sections (Go's ``.go.buildinfo``, cargo-auditable's ``.dep-v0``), its loadable
segments (a Go binary stripped of section headers still has them), and a way to
read bytes at a virtual address (pre-1.18 Go build info holds pointers).  This
module gives exactly that, from the file's bytes already in memory, and never
copies the file: every offset is absolute in ``data`` (a fat Mach-O slice keeps
its place in the file).  An ELF file can also be given as a :class:`ReadAt`, which
fetches only the bytes the parsers ask for (headers, one section).

Only headers are parsed, so it is cheap to run on every executable of an image.
A file that is not an executable gives ``[]``; one whose headers are cut short
or point outside the file raises :class:`BinaryError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Callable

from ..errors import CatalogError

__all__ = [
    "GO_BUILDINFO_MAGIC",
    "RUST_AUDIT_SECTION",
    "BinaryError",
    "Executable",
    "ReadAt",
    "Section",
    "Segment",
    "go_buildinfo_span",
    "is_upx_packed",
    "looks_executable",
    "may_be_compiled",
    "parse",
]

GO_BUILDINFO_MAGIC = b"\xff Go buildinf:"
RUST_AUDIT_SECTION = ".dep-v0"

_ELF_MAGIC = b"\x7fELF"
_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", 4),
    b"\xce\xfa\xed\xfe": ("<", 4),
    b"\xfe\xed\xfa\xcf": (">", 8),
    b"\xcf\xfa\xed\xfe": ("<", 8),
}
_FAT_MAGICS = {b"\xca\xfe\xba\xbe": 20, b"\xca\xfe\xba\xbf": 32}  # fat_arch / fat_arch_64 sizes
_MAX_FAT_ARCHES = 20  # more would be a Java class file (same magic, then a version number)
_MAX_HEADERS = 1 << 16

# ELF constants
_PT_LOAD = 1
_PF_X, _PF_W = 1, 2
_SHT_NOBITS = 8
# PE section characteristics
_SCN_CNT_INITIALIZED_DATA = 0x40
_SCN_MEM_READ = 0x40000000
_SCN_MEM_WRITE = 0x80000000
_SCN_ALIGN_MASK = 0x00F00000

# Machine numbers -> GOARCH-style names (what Go and cargo users call the architectures).
_ELF_MACHINES = {
    3: "386", 8: "mips", 20: "ppc", 21: "ppc64", 22: "s390x", 40: "arm", 62: "amd64",
    183: "arm64", 243: "riscv64", 258: "loong64",
}  # fmt: skip
_MACHO_CPUS = {7: "386", 0x01000007: "amd64", 12: "arm", 0x0100000C: "arm64", 18: "ppc", 0x01000012: "ppc64"}
_PE_MACHINES = {0x14C: "386", 0x8664: "amd64", 0x1C0: "arm", 0x1C4: "arm", 0xAA64: "arm64", 0x5064: "riscv64"}


class BinaryError(CatalogError):
    """An executable whose headers cannot be read (cut short, or pointing outside the file)."""


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    addr: int  # virtual address (0 when not loaded)
    offset: int  # absolute offset of its bytes in the file
    size: int  # bytes present in the file (0 for ELF NOBITS / Mach-O zerofill)
    flags: int = 0  # format-specific: ELF sh_flags, Mach-O flags, PE Characteristics
    segment: str = ""  # Mach-O segment name (``__DATA``)


@dataclass(frozen=True, slots=True)
class Segment:
    addr: int  # virtual address
    offset: int  # absolute offset in the file
    filesz: int  # bytes present in the file
    memsz: int
    flags: int = 0  # ELF p_flags, Mach-O initprot
    name: str = ""  # Mach-O segment name


@dataclass(frozen=True, slots=True, eq=False)
class Executable:
    """One executable image (one slice of a fat Mach-O) over the file's bytes."""

    format: str  # "elf", "macho" or "pe"
    arch: str  # GOARCH-style name, "" when unknown
    ptr_size: int
    big_endian: bool
    sections: tuple[Section, ...]
    segments: tuple[Segment, ...]
    data: bytes  # the whole file
    start: int = 0  # where this image starts in ``data`` (fat slices)
    end: int = 0  # where it ends
    image_base: int = 0  # PE: added to section RVAs

    def section(self, name: str, segment: str = "") -> Section | None:
        """The first section called ``name`` (in Mach-O segment ``segment`` when given)."""
        for s in self.sections:
            if s.name == name and (not segment or s.segment == segment):
                return s
        return None

    def section_data(self, name: str, segment: str = "") -> bytes | None:
        s = self.section(name, segment)
        if s is None:
            return None
        return self.data[s.offset : s.offset + s.size]

    def read(self, addr: int, size: int) -> bytes | None:
        """``size`` bytes at virtual address ``addr``, through sections then segments; None when unmapped."""
        if size < 0:
            return None
        for s in self.sections:
            if s.size and s.addr <= addr and addr + size <= s.addr + s.size:
                off = s.offset + addr - s.addr
                return self.data[off : off + size]
        for g in self.segments:
            if g.filesz and g.addr <= addr and addr + size <= g.addr + g.filesz:
                off = g.offset + addr - g.addr
                return self.data[off : off + size]
        return None


class ReadAt:
    """A file's bytes fetched on demand through ``read(offset, n)``, in cached 64 KiB blocks.

    It offers what the ELF parser and the Go build-info reader use (``len``,
    indexing, slicing, a ``find`` bounded to a section), so a 100 MB Go binary in a
    layer costs the few blocks holding its headers and build info, not a copy of
    the file.  An unbounded ``find``/``in`` still works, scanning in 4 MiB steps.
    """

    BLOCK = 64 * 1024
    _SCAN = 4 * 1024 * 1024
    __slots__ = ("_blocks", "_read", "_size")

    def __init__(self, read: Callable[[int, int], bytes], size: int) -> None:
        self._read = read
        self._size = size
        self._blocks: dict[int, bytes] = {}

    def __len__(self) -> int:
        return self._size

    def _block(self, i: int) -> bytes:
        b = self._blocks.get(i)
        if b is None:
            b = self._blocks[i] = self._read(i * self.BLOCK, self.BLOCK)
        return b

    def __getitem__(self, key: int | slice) -> bytes | int:  # type: ignore[override]
        B = self.BLOCK
        if isinstance(key, int):
            i = key + self._size if key < 0 else key
            if not 0 <= i < self._size:
                raise IndexError("ReadAt index out of range")
            return self._block(i // B)[i % B]
        start, stop, step = key.indices(self._size)
        if step != 1:
            raise ValueError("ReadAt slices take no step")
        if stop <= start:
            return b""
        first, last = start // B, (stop - 1) // B
        if first == last:
            return self._block(first)[start - first * B : stop - first * B]
        if last - first >= 4:  # a long span: read it directly, without caching it
            return self._read(start, stop - start)
        return b"".join(self._block(i) for i in range(first, last + 1))[start - first * B : stop - first * B]

    def find(self, sub: bytes, start: int = 0, end: int | None = None) -> int:
        start, end, _ = slice(start, end).indices(self._size)
        pos = start
        while pos < end:
            upto = min(end, pos + self._SCAN + len(sub) - 1)
            at = self[pos:upto].find(sub)  # type: ignore[union-attr]
            if at >= 0:
                return pos + at
            if upto >= end:
                break
            pos += self._SCAN
        return -1

    def __contains__(self, sub: bytes) -> bool:
        return self.find(sub) >= 0


def _unpack_from(fmt: str, data: bytes | ReadAt, at: int) -> tuple:  # type: ignore[type-arg]
    if isinstance(data, ReadAt):
        return struct.unpack(fmt, data[at : at + struct.calcsize(fmt)])  # type: ignore[arg-type]
    return struct.unpack_from(fmt, data, at)


_LIB_SUFFIXES = (".so", ".dll", ".exe", ".dylib")


def may_be_compiled(path: str, size: int, mode: int) -> bool:
    """Whether a file could be a compiled program or library, by its mode, name and size alone:
    executable, or named like a shared library or a Windows binary, and at least 512 bytes."""
    if size < 512:
        return False
    if mode & 0o111:
        return True
    base = path[path.rfind("/") + 1 :]
    return base.endswith(_LIB_SUFFIXES) or ".so." in base


def looks_executable(data: bytes) -> bool:
    """Whether ``data`` starts like an ELF, Mach-O (thin or fat) or PE file."""
    head = data[:4]
    return head == _ELF_MAGIC or head in _MACHO_MAGICS or head in _FAT_MAGICS or data[:2] == b"MZ"


_last: tuple[bytes, list["Executable"]] | None = None  # (data, result) of the last parse


def parse(data: bytes) -> list[Executable]:
    """The executable images in ``data``: one, several for a fat Mach-O, none for other files.

    Several analyzers look at the same file in turn while a layer streams; the last
    result is kept (by object identity) so the headers are parsed once per file.
    """
    global _last
    if _last is not None and _last[0] is data:
        return _last[1]
    result = _parse(data)
    _last = (data, result)
    return result


def _parse(data: bytes) -> list[Executable]:
    head = data[:4]
    try:
        if head == _ELF_MAGIC:
            return [_parse_elf(data)]
        if head in _MACHO_MAGICS:
            return [_parse_macho(data, 0, len(data))]
        if head in _FAT_MAGICS:
            return _parse_fat(data, _FAT_MAGICS[head])
        if data[:2] == b"MZ":
            exe = _parse_pe(data)
            return [exe] if exe is not None else []
    except struct.error as exc:
        raise BinaryError(f"truncated executable header ({exc})") from None
    return []


def elf_section_names(read: Callable[[int, int], bytes], size: int) -> bytes | None:
    """The section-name string table of an ELF file of ``size`` bytes, read through
    ``read(offset, n)`` (three small reads, not the whole file); None when the file is
    not ELF or has no usable section table (then only the whole file can tell).

    A section called ``.x`` is named by ``b".x\\0"`` somewhere in the table.
    """
    head = read(0, 64)
    if len(head) < 52 or head[:4] != _ELF_MAGIC or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    e = ">" if head[5] == 2 else "<"
    if head[4] == 2:
        if len(head) < 64:
            return None
        (shoff,) = struct.unpack_from(e + "Q", head, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", head, 0x3A)
        fmt = e + "IIQQQQ"  # name, type, flags, addr, offset, size
    else:
        (shoff,) = struct.unpack_from(e + "I", head, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(e + "HHH", head, 0x2E)
        fmt = e + "IIIIII"
    need = struct.calcsize(fmt)
    if not shoff or not 0 < shstrndx < shnum or shentsize < need:  # also: no table, extended numbering
        return None
    at = shoff + shstrndx * shentsize
    if at + need > size:
        return None
    entry = read(at, need)
    if len(entry) < need:
        return None
    offset, length = struct.unpack(fmt, entry)[4:6]
    if length > 1 << 20 or offset + length > size:
        return None
    return read(offset, length)


def is_upx_packed(data: bytes, exe: Executable | None = None) -> bool:
    """Whether the file is packed by UPX (its ``UPX!`` header, or ``UPX0``/``UPX1`` sections).

    UPX writes its ``l_info``/``p_info`` header right after the executable
    headers, inside the first kilobyte, and renames PE sections ``UPX0``/``UPX1``.
    """
    if data.find(b"UPX!", 0, 1024) >= 0:
        return True
    return exe is not None and any(s.name in ("UPX0", "UPX1", "UPX2") for s in exe.sections)


def go_buildinfo_span(exe: Executable) -> tuple[int, int, int] | None:
    """(virtual address, file offset, size) of where Go's linker put the build info blob.

    Its own section when there is one (``.go.buildinfo``, Mach-O
    ``__go_buildinfo``); otherwise the first writable data segment or section,
    at whose start the linker places it (a binary stripped of section headers).
    Offsets, not bytes: a C++ library's data segment can be large, and only
    the blob inside it is ever read.
    """
    if exe.format == "elf":
        s = exe.section(".go.buildinfo")
        if s is not None:
            return s.addr, s.offset, s.size
        for g in exe.segments:
            if g.flags & (_PF_X | _PF_W) == _PF_W and g.filesz:
                return g.addr, g.offset, g.filesz
        return None
    if exe.format == "macho":
        s = exe.section("__go_buildinfo")
        if s is not None:
            return s.addr, s.offset, s.size
        for g in exe.segments:
            if g.name == "__DATA" and g.filesz:
                return g.addr, g.offset, g.filesz
        return None
    s = exe.section(".go.buildinfo")
    if s is None:
        wanted = _SCN_CNT_INITIALIZED_DATA | _SCN_MEM_READ | _SCN_MEM_WRITE
        s = next((x for x in exe.sections if x.addr and x.size and x.flags & ~_SCN_ALIGN_MASK == wanted), None)
    if s is None:
        return None
    return s.addr, s.offset, s.size


# -- ELF ------------------------------------------------------------------------------


def _parse_elf(data: bytes | ReadAt) -> Executable:
    cls, enc = data[4], data[5]
    if cls not in (1, 2) or enc not in (1, 2):
        raise BinaryError(f"ELF with unknown class {cls} or data encoding {enc}")
    e = ">" if enc == 2 else "<"
    is64 = cls == 2
    if is64:
        (_, machine, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = _unpack_from(
            e + "HHIQQQIHHHHHH", data, 16
        )
    else:
        (_, machine, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = _unpack_from(
            e + "HHIIIIIHHHHHH", data, 16
        )
    size = len(data)

    segments: list[Segment] = []
    if phoff and phnum:
        if phentsize < (56 if is64 else 32) or phoff + phnum * phentsize > size:
            raise BinaryError("ELF program headers outside the file")
        for i in range(phnum):
            at = phoff + i * phentsize
            if is64:
                p_type, p_flags, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = _unpack_from(e + "IIQQQQQQ", data, at)
            else:
                p_type, p_offset, p_vaddr, _, p_filesz, p_memsz, p_flags, _ = _unpack_from(e + "IIIIIIII", data, at)
            if p_type != _PT_LOAD:
                continue
            segments.append(Segment(p_vaddr, p_offset, _clip(p_offset, p_filesz, size), p_memsz, p_flags))

    sections: list[Section] = []
    if shoff:
        if shentsize < (64 if is64 else 40):
            raise BinaryError(f"ELF section header entries of {shentsize} bytes")
        raw = []
        fmt = e + ("IIQQQQIIQQ" if is64 else "IIIIIIIIII")
        if shnum == 0 and shoff + shentsize <= size:  # extended numbering: count in section 0
            shnum = _unpack_from(fmt, data, shoff)[5]
        if shnum > _MAX_HEADERS or shoff + shnum * shentsize > size:
            raise BinaryError("ELF section headers outside the file")
        for i in range(shnum):
            raw.append(_unpack_from(fmt, data, shoff + i * shentsize))
        if shstrndx == 0xFFFF and raw:
            shstrndx = raw[0][6]
        strtab = b""
        if 0 < shstrndx < len(raw):
            st = raw[shstrndx]
            strtab = data[st[4] : st[4] + st[5]]
        for r in raw[1:]:
            name_off, sh_type, flags, addr, offset, sz = r[:6]
            sections.append(
                Section(_cstr(strtab, name_off), addr, offset, 0 if sh_type == _SHT_NOBITS else _clip(offset, sz, size), flags)
            )

    return Executable(
        format="elf",
        arch=_elf_arch(machine, is64, e),
        ptr_size=8 if is64 else 4,
        big_endian=e == ">",
        sections=tuple(sections),
        segments=tuple(segments),
        data=data,
        start=0,
        end=size,
    )


def _elf_arch(machine: int, is64: bool, e: str) -> str:
    name = _ELF_MACHINES.get(machine, "")
    if name == "ppc64" and e == "<":
        return "ppc64le"
    if name == "mips":
        name = ("mips64" if is64 else "mips") + ("le" if e == "<" else "")
    return name


# -- Mach-O ---------------------------------------------------------------------------


def _parse_fat(data: bytes, entry: int) -> list[Executable]:
    (nfat,) = struct.unpack_from(">I", data, 4)
    if nfat == 0 or nfat > _MAX_FAT_ARCHES:
        return []  # a Java class file, or nothing we know
    out = []
    for i in range(nfat):
        at = 8 + i * entry
        if entry == 20:
            _, _, offset, size, _ = struct.unpack_from(">IIIII", data, at)
        else:
            _, _, offset, size, _, _ = struct.unpack_from(">IIQQII", data, at)
        if offset + size > len(data) or data[offset : offset + 4] not in _MACHO_MAGICS:
            raise BinaryError(f"fat Mach-O slice {i} is not a Mach-O image inside the file")
        out.append(_parse_macho(data, offset, offset + size))
    return out


def _parse_macho(data: bytes, start: int, end: int) -> Executable:
    e, ptr = _MACHO_MAGICS[data[start : start + 4]]
    cputype, _, _, ncmds, sizeofcmds, _ = struct.unpack_from(e + "iIIIII", data, start + 4)
    at = start + (32 if ptr == 8 else 28)
    stop = at + sizeofcmds
    if stop > end or ncmds > _MAX_HEADERS:
        raise BinaryError("Mach-O load commands outside the file")
    sections: list[Section] = []
    segments: list[Segment] = []
    for _ in range(ncmds):
        if at + 8 > stop:
            raise BinaryError("Mach-O load commands cut short")
        cmd, cmdsize = struct.unpack_from(e + "II", data, at)
        if cmdsize < 8 or at + cmdsize > stop:
            raise BinaryError(f"Mach-O load command of {cmdsize} bytes")
        if cmd in (0x1, 0x19):  # LC_SEGMENT, LC_SEGMENT_64
            is64 = cmd == 0x19
            if is64:
                segname, vmaddr, vmsize, fileoff, filesize, _, initprot, nsects, _ = struct.unpack_from(
                    e + "16sQQQQiiII", data, at + 8
                )
                sat, ssize = at + 72, 80
            else:
                segname, vmaddr, vmsize, fileoff, filesize, _, initprot, nsects, _ = struct.unpack_from(
                    e + "16sIIIIiiII", data, at + 8
                )
                sat, ssize = at + 56, 68
            seg = _cstr(segname, 0)
            segments.append(Segment(vmaddr, start + fileoff, _clip(start + fileoff, filesize, end), vmsize, initprot, seg))
            if sat + nsects * ssize > at + cmdsize:
                raise BinaryError(f"Mach-O segment {seg} with sections outside its command")
            for j in range(nsects):
                if is64:
                    sect, sseg, addr, size, offset, _, _, _, flags = struct.unpack_from(e + "16s16sQQIIIII", data, sat + j * ssize)
                else:
                    sect, sseg, addr, size, offset, _, _, _, flags = struct.unpack_from(e + "16s16sIIIIIII", data, sat + j * ssize)
                zerofill = flags & 0xFF in (0x1, 0xC, 0x12)  # S_ZEROFILL, S_GB_ZEROFILL, S_THREAD_LOCAL_ZEROFILL
                present = 0 if zerofill or offset == 0 else _clip(start + offset, size, end)
                sections.append(Section(_cstr(sect, 0), addr, start + offset, present, flags, _cstr(sseg, 0)))
        at += cmdsize
    return Executable(
        format="macho",
        arch=_MACHO_CPUS.get(cputype & 0xFFFFFFFF, ""),
        ptr_size=ptr,
        big_endian=e == ">",
        sections=tuple(sections),
        segments=tuple(segments),
        data=data,
        start=start,
        end=end,
    )


# -- PE -------------------------------------------------------------------------------


def _parse_pe(data: bytes) -> Executable | None:
    if len(data) < 0x40:
        return None
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    if data[lfanew : lfanew + 4] != b"PE\0\0":
        return None  # a DOS program, or a file that merely starts with "MZ"
    machine, nsects, _, symptr, nsyms, optsize, _ = struct.unpack_from("<HHIIIHH", data, lfanew + 4)
    opt = lfanew + 24
    magic = struct.unpack_from("<H", data, opt)[0] if optsize >= 2 else 0
    if magic == 0x20B:
        ptr, image_base = 8, struct.unpack_from("<Q", data, opt + 24)[0]
    elif magic == 0x10B:
        ptr, image_base = 4, struct.unpack_from("<I", data, opt + 28)[0]
    else:
        ptr, image_base = 4, 0  # an object file, or no optional header
    strtab_at = symptr + nsyms * 18 if symptr else 0
    at = opt + optsize
    if at + nsects * 40 > len(data):
        raise BinaryError("PE section table outside the file")
    sections: list[Section] = []
    for i in range(nsects):
        raw_name, vsize, vaddr, rawsize, rawptr, _, _, _, _, chars = struct.unpack_from("<8sIIIIIIHHI", data, at + i * 40)
        name = _cstr(raw_name, 0)
        if name.startswith("/") and name[1:].isdigit() and strtab_at:
            name = _cstr(data, strtab_at + int(name[1:]))  # long names live in the COFF string table
        present = _clip(rawptr, min(rawsize, vsize) if vsize else rawsize, len(data)) if rawptr else 0
        sections.append(Section(name, image_base + vaddr if vaddr else 0, rawptr, present, chars))
    return Executable(
        format="pe",
        arch=_PE_MACHINES.get(machine, ""),
        ptr_size=ptr,
        big_endian=False,
        sections=tuple(sections),
        segments=(),
        data=data,
        start=0,
        end=len(data),
        image_base=image_base,
    )


# -- helpers --------------------------------------------------------------------------


def _cstr(buf: bytes, at: int) -> str:
    if at >= len(buf):
        return ""
    end = buf.find(b"\0", at)
    return buf[at : end if end >= 0 else len(buf)].decode("utf-8", "replace")


def _clip(offset: int, size: int, limit: int) -> int:
    """The part of ``size`` bytes at ``offset`` that is really inside the file."""
    if offset >= limit:
        return 0
    return max(0, min(size, limit - offset))
