"""Declared license strings -> SPDX expressions (via the ``license-expression`` library).

Debian DEP-5 short names (``GPL-2+``, ``LGPL-2.1``, ``Artistic``), RPM names
(``GPLv2+``, ``ASL 2.0``) and plain SPDX ids all map where a clear SPDX id exists;
anything else keeps its declared value with an empty ``spdx``.
"""

from __future__ import annotations

import functools
import re

from ..model import License

__all__ = ["to_license", "to_spdx", "licenses_from"]

# Short names used by Debian copyright files and RPM spec files that are not SPDX ids.
_ALIASES: dict[str, str] = {
    "gpl": "GPL-1.0-or-later",
    "gpl-1": "GPL-1.0-only",
    "gpl-2": "GPL-2.0-only",
    "gpl-3": "GPL-3.0-only",
    "gplv1": "GPL-1.0-only",
    "gplv2": "GPL-2.0-only",
    "gplv3": "GPL-3.0-only",
    "lgpl": "LGPL-2.0-or-later",
    "lgpl-2": "LGPL-2.0-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-3": "LGPL-3.0-only",
    "lgplv2": "LGPL-2.0-only",
    "lgplv2.1": "LGPL-2.1-only",
    "lgplv3": "LGPL-3.0-only",
    "agpl-3": "AGPL-3.0-only",
    "agplv3": "AGPL-3.0-only",
    "gfdl-1.2": "GFDL-1.2-only",
    "gfdl-1.3": "GFDL-1.3-only",
    "artistic": "Artistic-1.0-Perl",
    "artistic-2": "Artistic-2.0",
    "apache-2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "asl 1.1": "Apache-1.1",
    "bsd": "BSD-3-Clause",
    "bsd-2": "BSD-2-Clause",
    "bsd-3": "BSD-3-Clause",
    "bsd-4": "BSD-4-Clause",
    "mpl-1.1": "MPL-1.1",
    "mpl-2": "MPL-2.0",
    "mplv2.0": "MPL-2.0",
    "expat": "MIT",
    "public-domain": "",
    "zlib": "Zlib",
    "psf": "PSF-2.0",
    "python": "Python-2.0",
    "boost": "BSL-1.0",
    "openssl": "OpenSSL",
    "ssleay": "OpenSSL",
    "isc": "ISC",
    "curl": "curl",
    "x11": "X11",
    "mit/x11": "MIT",
    "sleepycat": "Sleepycat",
    "wtfpl": "WTFPL",
    "cc0": "CC0-1.0",
    "cc0-1.0": "CC0-1.0",
    "unicode-data": "Unicode-DFS-2016",
}


@functools.lru_cache(maxsize=1)
def _licensing():  # type: ignore[no-untyped-def]
    from license_expression import build_spdx_licensing

    return build_spdx_licensing(_index())


@functools.lru_cache(maxsize=1)
def _index() -> list[dict]:
    from license_expression import get_license_index

    return get_license_index()


@functools.lru_cache(maxsize=1)
def _single_ids() -> dict[str, str]:
    """lower-cased SPDX key or alias -> SPDX key, as ``build_spdx_licensing`` reads the index.

    A lone license id needs no expression parser: this lookup gives what
    ``Licensing.parse(...).render()`` gives (tests check every key), without the
    ~30 ms it takes to build the parser.
    """
    out: dict[str, str] = {}
    entries = [e for e in _index() if e.get("spdx_license_key")]
    for e in entries:
        out.setdefault(e["spdx_license_key"].lower(), e["spdx_license_key"])
    for e in entries:
        for alias in e.get("other_spdx_license_keys") or ():
            out.setdefault(alias.lower(), e["spdx_license_key"])
    return out


def _alias(token: str) -> str | None:
    t = token.strip().strip("()").strip()
    low = t.lower()
    plus = low.endswith("+")
    base = low[:-1] if plus else low
    if low.endswith(" or later"):
        base, plus = low[: -len(" or later")], True
    if base in _ALIASES:
        spdx = _ALIASES[base]
        if not spdx:
            return None
        if plus:
            spdx = spdx.replace("-only", "-or-later")
            if not spdx.endswith("-or-later") and spdx.startswith(("GPL", "LGPL", "AGPL", "GFDL")):
                spdx += "-or-later"
        return spdx
    return None


_OPS = re.compile(r"\s+(and|or|with|AND|OR|WITH|&|\|)\s+")


@functools.lru_cache(maxsize=4096)
def to_spdx(value: str) -> str:
    """The SPDX expression for ``value``, or "" when it does not map."""
    v = " ".join(value.split())
    if not v:
        return ""
    # normalise operators, and map each operand through the alias table first
    parts = _OPS.split(v)
    mapped: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 == 1:
            mapped.append({"&": "AND", "|": "OR"}.get(part, part.upper()))
            continue
        lead = len(part) - len(part.lstrip("("))
        trail = len(part) - len(part.rstrip(")"))
        core = part.strip("()")
        alias = _alias(core)
        if alias is None and core.lower() in _ALIASES:
            return ""  # known non-SPDX (e.g. public-domain)
        mapped.append("(" * lead + (alias or core) + ")" * trail)
    expr = " ".join(mapped)
    if len(mapped) == 1 and not any(ch in expr for ch in " ()"):
        return _single_ids().get(expr.lower(), "")
    lic = _licensing()
    try:
        parsed = lic.parse(expr, validate=True, strict=False)
    except Exception:
        return ""
    if parsed is None:
        return ""
    return str(parsed.render())


def to_license(value: str, location: str = "") -> License:
    return License(value=value.strip(), spdx=to_spdx(value), location=location)


def licenses_from(values: list[str] | tuple[str, ...], location: str = "") -> tuple[License, ...]:
    """Unique, ordered License values for a list of declared strings."""
    seen: dict[str, License] = {}
    for v in values:
        v = v.strip()
        if v and v not in seen:
            seen[v] = to_license(v, location)
    return tuple(seen.values())
