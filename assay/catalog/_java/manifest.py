"""``META-INF/MANIFEST.MF``: sections of ``Name: value`` headers.

The JAR specification wraps lines at 72 bytes: a line starting with one space
continues the previous value (the space is dropped, everything else is kept, so a
value split right after a space keeps it).  A blank line ends a section; the
first section is the main one.  Header names are compared case-insensitively, as
the specification says.  Malformed lines (no ``:``) are skipped, as syft does:
a jar with a sloppy manifest is still a package.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Manifest", "parse_manifest"]

KeyValues = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Manifest:
    main: KeyValues = ()
    sections: tuple[KeyValues, ...] = ()

    def get(self, key: str) -> str:
        """The value of ``key`` in the main section ("" when absent)."""
        return _lookup(self.main, key)

    def has(self, key: str) -> bool:
        low = key.lower()
        return any(k.lower() == low for k, _ in self.main)

    def field(self, key: str) -> str:
        """The first non-empty ``key`` in the main section, else in the named sections."""
        value = _lookup(self.main, key)
        if value:
            return value
        for section in self.sections:
            value = _lookup(section, key)
            if value:
                return value
        return ""

    def values(self, key: str) -> list[str]:
        """Every value of ``key``: the main section's first, then each section's."""
        out = [v for v in (_lookup(self.main, key),) if v]
        out.extend(v for v in (_lookup(s, key) for s in self.sections) if v)
        return out

    def to_dict(self) -> dict[str, str]:
        """The main section as a dict (what SBOM metadata carries)."""
        return dict(self.main)


def _lookup(kvs: KeyValues, key: str) -> str:
    low = key.lower()
    for k, v in kvs:
        if k.lower() == low:
            return v
    return ""


def parse_manifest(text: str) -> Manifest:
    """Parse manifest text into sections (see the module docstring for the rules)."""
    sections: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    last: list[str] | None = None
    for raw in text.split("\n"):
        line = raw.removesuffix("\r")
        if line == "":
            current = None
            last = None
            continue
        if line[0] == " ":
            if last is not None:
                last[1] += line[1:]
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            continue
        if current is None:
            current = []
            sections.append(current)
        last = [key, value.removeprefix(" ")]
        current.append(last)
    frozen = [tuple((k, v.strip()) for k, v in s) for s in sections]
    if not frozen:
        return Manifest()
    return Manifest(main=frozen[0], sections=tuple(frozen[1:]))
