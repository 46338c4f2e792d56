"""SBOM formats: one module per format, registered by name, encode/decode/identify.

Encoders are pure functions ``encode(sbom, version) -> bytes``; decoders
``decode(data) -> Sbom``; identifiers ``identify(data) -> version | None`` look
at the content only.  Modules are imported lazily so the CLI starts fast.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import FormatError
from ..model import Sbom

__all__ = ["Format", "FORMATS", "get_format", "encode", "decode", "identify", "parse_format_spec", "ENCODER_NAMES"]


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # user-facing id, e.g. "cyclonedx-json"
    module: str  # module under assay.sbom implementing it
    versions: tuple[str, ...]  # versions it can write (first = default); () for version-less
    decode_versions: tuple[str, ...] = ()
    can_encode: bool = True
    can_decode: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def default_version(self) -> str:
        return self.versions[0] if self.versions else ""

    def _mod(self):  # type: ignore[no-untyped-def]
        return importlib.import_module(f"{__name__}.{self.module}")

    def encode(self, sbom: Sbom, version: str = "") -> bytes:
        if not self.can_encode:
            raise FormatError(f"{self.name} can be read but not written")
        version = version or self.default_version
        if self.versions and version not in self.versions:
            raise FormatError(f"{self.name} version {version} is not supported (choose from {', '.join(self.versions)})")
        return self._mod().encode(sbom, version)

    def decode(self, data: bytes) -> Sbom:
        if not self.can_decode:
            raise FormatError(f"{self.name} can be written but not read")
        return self._mod().decode(data)

    def identify(self, data: bytes) -> str | None:
        if not self.can_decode:
            return None
        return self._mod().identify(data)


FORMATS: tuple[Format, ...] = (
    Format("cyclonedx-json", "cyclonedx_json", ("1.6", "1.5", "1.4"), ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7"), aliases=("cyclonedx", "cdx-json")),
    Format("cyclonedx-xml", "cyclonedx_xml", ("1.6", "1.5", "1.4"), ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"), aliases=("cdx-xml",)),
    Format("spdx-json", "spdx_json", ("2.3", "2.2"), ("2.2", "2.3")),
    Format("spdx-tag-value", "spdx_tagvalue", ("2.3", "2.2"), ("2.1", "2.2", "2.3"), aliases=("spdx", "spdx-tv")),
    Format("spdx3-json", "spdx3_json", ("3.0.1",), ("3.0", "3.0.1"), aliases=("spdx-json@3", "spdx3")),
    Format("syft-json", "syft_json", ("16.0.0",), aliases=("syft",)),
    Format("assay-json", "assay_json", ("1",), ("1",), aliases=("json",)),
    Format("table", "table", (), can_decode=False),
)

ENCODER_NAMES = tuple(f.name for f in FORMATS if f.can_encode)


def get_format(name: str) -> Format:
    for f in FORMATS:
        if name == f.name or name in f.aliases:
            return f
    raise FormatError(f"unknown format {name!r} (choose from {', '.join(ENCODER_NAMES)})")


def parse_format_spec(spec: str) -> tuple[Format, str, str | None]:
    """``cyclonedx-json@1.5=out.json`` -> (format, version, path or None for stdout)."""
    path: str | None = None
    if "=" in spec:
        spec, path = spec.split("=", 1)
        if not path:
            raise FormatError(f"empty output path in -o {spec}=")
    version = ""
    if "@" in spec:
        spec, version = spec.split("@", 1)
    fmt = get_format(spec)
    if version and fmt.versions and version not in fmt.versions:
        raise FormatError(f"{fmt.name} version {version} is not supported (choose from {', '.join(fmt.versions)})")
    return fmt, version or fmt.default_version, path


def encode(sbom: Sbom, spec: str) -> bytes:
    fmt, version, _ = parse_format_spec(spec)
    return fmt.encode(sbom, version)


def identify(data: bytes) -> tuple[Format, str] | None:
    """Which format and version ``data`` is, by content, or None."""
    for f in FORMATS:
        if not f.can_decode:
            continue
        try:
            v = f.identify(data)
        except Exception:
            v = None
        if v:
            return f, v
    return None


def decode(data: bytes) -> tuple[Format, str, Sbom]:
    got = identify(data)
    if got is None:
        raise FormatError("not a recognised SBOM (CycloneDX JSON/XML, SPDX JSON/tag-value, SPDX 3, syft JSON or assay JSON)")
    fmt, version = got
    return fmt, version, fmt.decode(data)
