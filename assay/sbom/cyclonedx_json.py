"""CycloneDX JSON: write 1.4-1.6, read 1.2-1.7.

The document is built as a plain dict (see :mod:`._cyclonedx`) and written with
the json module's C encoder: objects and arrays are indented by two spaces, except
small ones (only scalars inside, and no array with more than one item), which stay
on one line - a property is ``{"name": ..., "value": ...}`` on its own line.  That
reads and diffs well and costs a third of ``json.dumps(indent=2)``.  Keys are in a
fixed order and the output ends with a newline: identical SBOMs give identical bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

from ..errors import FormatError
from ..model import Sbom
from ._cyclonedx import (
    ENCODE_VERSIONS,
    JSON_DECODE_VERSIONS,
    from_document,
    to_document,
)

__all__ = ["VERSIONS", "decode", "dumps", "encode", "identify"]

VERSIONS = ENCODE_VERSIONS


def _compact_encoder() -> Callable[[Any], str]:
    def fail(o: Any) -> Any:
        raise TypeError(f"cannot encode {type(o).__name__} as JSON")

    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator (e.g. PyPy)
        return json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=fail).encode
    c = make(None, fail, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda o: "".join(c(o, 0))


_enc = _compact_encoder()


def _flat(x: Any) -> bool:
    """Whether ``x`` is written on one line: scalars only, and no array of 2+ items."""
    t = type(x)
    if t is dict:
        for v in x.values():
            tv = type(v)
            if (tv is dict or tv is list) and not _flat(v):
                return False
        return True
    if t is list:
        return len(x) <= 1 and (not x or _flat(x[0]))
    return True


def _write(x: Any, out: list[str], indent: str) -> None:
    t = type(x)
    if (t is not dict and t is not list) or _flat(x):
        out.append(_enc(x))
        return
    inner = "\n" + indent + "  "
    deeper = indent + "  "
    if t is dict:
        sep = "{" + inner
        for k, v in x.items():
            out.append(sep + encode_basestring(k) + ": ")
            sep = "," + inner
            _write(v, out, deeper)
        out.append("\n" + indent + "}")
    else:
        sep = "[" + inner
        for v in x:
            out.append(sep)
            sep = "," + inner
            _write(v, out, deeper)
        out.append("\n" + indent + "]")


def dumps(doc: Any) -> bytes:
    """``doc`` as UTF-8 JSON in this module's layout, with a trailing newline."""
    out: list[str] = []
    _write(doc, out, "")
    out.append("\n")
    return "".join(out).encode("utf-8", "replace")


def encode(sbom: Sbom, version: str = "1.6") -> bytes:
    return dumps(to_document(sbom, version))


def _load(data: bytes) -> object:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"CycloneDX JSON: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"CycloneDX JSON: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise FormatError("CycloneDX JSON: nested too deeply") from None


def identify(data: bytes) -> str | None:
    """The specVersion of a CycloneDX JSON document, or None if ``data`` is not one.

    An unsupported specVersion is still reported, so that decoding says why it fails.
    """
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{") or b'"bomFormat"' not in data:
        return None
    try:
        doc = _load(data)
    except FormatError:
        return None
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        return None
    spec = doc.get("specVersion")
    return spec if isinstance(spec, str) and spec else None


def decode(data: bytes) -> Sbom:
    return from_document(_load(data), JSON_DECODE_VERSIONS)
