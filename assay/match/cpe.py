"""CPE parsing and the CPE search keys of a package (NVD-style matching).

Advisories from NVD are stored under ecosystem ``cpe`` with package
``vendor:product`` (see :mod:`assay.advisories.model`).  A package is searched
under each of its CPEs' ``vendor:product``; when it has a source/origin package
with another name, grype's rule applies: the CPEs are rewritten with the source
name in place of the package name, so ``libssl3`` (origin ``openssl``) is also
searched as ``openssl:openssl``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Cpe", "parse_cpe", "search_cpes"]

_FIELDS = ("part", "vendor", "product", "version", "update", "edition", "language", "sw_edition", "target_sw", "target_hw", "other")


@dataclass(frozen=True, slots=True)
class Cpe:
    part: str
    vendor: str
    product: str
    version: str = "*"
    update: str = "*"
    target_sw: str = "*"

    @property
    def key(self) -> str:
        """The advisory-database package name for this CPE: ``vendor:product``."""
        return f"{self.vendor}:{self.product}"

    def with_names(self, old: str, new: str) -> "Cpe":
        return Cpe(self.part, self.vendor.replace(old, new), self.product.replace(old, new), self.version, self.update, self.target_sw)


def _split_fs(body: str) -> list[str]:
    """Split a CPE 2.3 formatted string on unescaped colons, removing the escapes."""
    out: list[str] = []
    cur: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            cur.append(body[i + 1])
            i += 2
            continue
        if c == ":":
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def parse_cpe(text: str) -> Cpe | None:
    """A CPE 2.3 formatted string (``cpe:2.3:a:vendor:product:...``) or 2.2 URI (``cpe:/a:vendor:product:...``); None if neither."""
    text = text.strip()
    if text.startswith("cpe:2.3:"):
        parts = _split_fs(text[len("cpe:2.3:") :])
    elif text.startswith("cpe:/"):
        from urllib.parse import unquote

        parts = [unquote(p) for p in text[len("cpe:/") :].split(":")]
    else:
        return None
    if len(parts) < 3 or not parts[1] or not parts[2] or parts[1] in ("*", "-") or parts[2] in ("*", "-"):
        return None
    parts += ["*"] * (len(_FIELDS) - len(parts))
    values = dict(zip(_FIELDS, parts))
    return Cpe(
        part=values["part"] or "*",
        vendor=values["vendor"].lower(),
        product=values["product"].lower(),
        version=values["version"] or "*",
        update=values["update"] or "*",
        target_sw=(values["target_sw"] or "*").lower(),
    )


def search_cpes(cpes: tuple[str, ...], name: str, upstreams: tuple[str, ...] = ()) -> list[Cpe]:
    """The distinct CPEs to search for a package, including the upstream rewrites."""
    out: dict[tuple[str, str, str], Cpe] = {}
    parsed = [c for c in (parse_cpe(s) for s in cpes) if c is not None]
    for c in parsed:
        out.setdefault((c.vendor, c.product, c.target_sw), c)
    for up in upstreams:
        if not up or up == name:
            continue
        for c in parsed:
            r = c.with_names(name.lower(), up.lower())
            out.setdefault((r.vendor, r.product, r.target_sw), r)
    return list(out.values())
