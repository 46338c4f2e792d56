"""SPDX 2.2 / 2.3 JSON: encoder, decoder and identifier.

The mapping to and from the model lives in :mod:`assay.sbom._spdx`; this module
only turns that JSON-shaped dict into bytes and back.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..errors import FormatError
from ..model import Sbom
from ._spdx import from_document, to_document

__all__ = ["decode", "encode", "identify", "load_json"]

FORMAT = "spdx-json"
_VERSION = re.compile(rb'"spdxVersion"\s*:\s*"SPDX-(2\.[0-9]+)"')


def encode(sbom: Sbom, version: str = "2.3") -> bytes:
    return dump_lines(to_document(sbom, version))


def dump_lines(doc: dict[str, Any]) -> bytes:
    """``doc`` as JSON with one top-level key per line and one list item per line.

    Readable and diff-friendly like indented JSON, but written by the C encoder:
    fully indented output is three times slower for images with thousands of packages.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    out = ["{"]
    items = list(doc.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list) and value:
            out.append(f" {compact(key)}: [")
            last = len(value) - 1
            out.extend(f"  {compact(v)}{',' if j < last else ''}" for j, v in enumerate(value))
            out.append(f" ]{comma}")
        else:
            out.append(f" {compact(key)}: {compact(value)}{comma}")
    out.append("}")
    return ("\n".join(out) + "\n").encode()


def load_json(data: bytes, fmt: str) -> Any:
    """The first JSON value in ``data`` (trailing bytes are ignored, as Go's decoder does)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"{fmt}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        value, _ = json.JSONDecoder().raw_decode(text.lstrip())
    except json.JSONDecodeError as exc:
        raise FormatError(f"{fmt}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    return value


def identify(data: bytes) -> str | None:
    """"2.2"/"2.3" for an SPDX 2.x JSON document, else None."""
    head = data.lstrip()[:1]
    if head != b"{" and not data.startswith(b"\xef\xbb\xbf"):
        return None
    m = _VERSION.search(data)
    if not m:
        return None
    try:
        doc = load_json(data, FORMAT)
    except FormatError:
        return None
    if not isinstance(doc, dict):
        return None
    version = doc.get("spdxVersion")
    if not isinstance(version, str) or not version.startswith("SPDX-2."):
        return None
    return version[len("SPDX-") :]


def decode(data: bytes) -> Sbom:
    doc = load_json(data, FORMAT)
    if not isinstance(doc, dict) or "spdxVersion" not in doc:
        raise FormatError(f"{FORMAT}: not an SPDX JSON document (no spdxVersion)")
    return from_document(doc, FORMAT)
