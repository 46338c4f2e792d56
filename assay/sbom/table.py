"""A plain table (NAME, VERSION, TYPE), as ``syft -o table`` prints it."""

from __future__ import annotations

from ..model import Sbom

__all__ = ["encode"]


def encode(sbom: Sbom, version: str = "") -> bytes:
    rows = sorted({(p.name, p.version, p.type) for p in sbom.packages})
    if not rows:
        return b"No packages discovered\n"
    header = ("NAME", "VERSION", "TYPE")
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(3)]
    lines = []
    for r in (header, *rows):
        lines.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
    return ("\n".join(lines) + "\n").encode()
