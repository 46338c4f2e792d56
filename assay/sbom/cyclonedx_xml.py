"""CycloneDX XML: write 1.4-1.6, read 1.0-1.7.

Writing turns the same document dict the JSON format uses (see :mod:`._cyclonedx`)
into XML by direct string building, with elements in the order the XSD's
sequences require and every value escaped (characters XML 1.0 cannot carry at all
become U+FFFD).  Reading parses with the standard library and refuses any
DOCTYPE, so entity expansion and external entities never happen; the tree is
turned back into the document dict and decoded like JSON.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..errors import FormatError
from ..model import Sbom
from ._cyclonedx import ENCODE_VERSIONS, XML_DECODE_VERSIONS, from_document, to_document

__all__ = ["NAMESPACE", "VERSIONS", "decode", "encode", "identify"]

VERSIONS = ENCODE_VERSIONS
NAMESPACE = "http://cyclonedx.org/schema/bom/"

_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_FIRST_TAG = re.compile(rb"<(?![?!])")
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?bom[\s/>]")
_NS_DECL = re.compile(rb"""xmlns(?::[\w.-]+)?\s*=\s*["']http://cyclonedx\.org/schema/bom/([0-9]+\.[0-9]+)["']""")
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)


# ---------------------------------------------------------------------------- encode


def _t(s: str) -> str:
    """Escape element text."""
    if _INVALID.search(s):
        s = _INVALID.sub("\ufffd", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _a(s: str) -> str:
    """Escape an attribute value (double-quoted)."""
    return _t(s).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []

    def leaf(self, ind: str, tag: str, text: Any, attrs: str = "") -> None:
        if text is None or text == "":
            return
        self.out.append(f"{ind}<{tag}{attrs}>{_t(str(text))}</{tag}>\n")

    def entity(self, ind: str, tag: str, e: dict[str, Any]) -> None:
        self.out.append(f"{ind}<{tag}>\n")
        self.leaf(ind + "  ", "name", e.get("name"))
        for contact in e.get("contact") or ():
            self.out.append(f"{ind}  <contact>\n")
            self.leaf(ind + "    ", "name", contact.get("name"))
            self.leaf(ind + "    ", "email", contact.get("email"))
            self.out.append(f"{ind}  </contact>\n")
        self.out.append(f"{ind}</{tag}>\n")

    def component(self, ind: str, c: dict[str, Any], tag: str = "component") -> None:
        w = self.out
        attrs = f' type="{_a(c["type"])}"'
        if c.get("bom-ref"):
            attrs += f' bom-ref="{_a(c["bom-ref"])}"'
        w.append(f"{ind}<{tag}{attrs}>\n")
        i2, i3 = ind + "  ", ind + "    "
        if c.get("supplier"):
            self.entity(i2, "supplier", c["supplier"])
        self.leaf(i2, "author", c.get("author"))
        self.leaf(i2, "name", c.get("name"))
        self.leaf(i2, "version", c.get("version"))
        self.leaf(i2, "description", c.get("description"))
        if c.get("hashes"):
            w.append(f"{i2}<hashes>\n")
            for h in c["hashes"]:
                self.leaf(i3, "hash", h["content"], f' alg="{_a(h["alg"])}"')
            w.append(f"{i2}</hashes>\n")
        if c.get("licenses"):
            w.append(f"{i2}<licenses>\n")
            for choice in c["licenses"]:
                if "expression" in choice:
                    self.leaf(i3, "expression", choice["expression"])
                    continue
                lic = choice["license"]
                w.append(f"{i3}<license>\n")
                self.leaf(i3 + "  ", "id", lic.get("id"))
                self.leaf(i3 + "  ", "name", lic.get("name"))
                w.append(f"{i3}</license>\n")
            w.append(f"{i2}</licenses>\n")
        self.leaf(i2, "cpe", c.get("cpe"))
        self.leaf(i2, "purl", c.get("purl"))
        if c.get("externalReferences"):
            w.append(f"{i2}<externalReferences>\n")
            for ref in c["externalReferences"]:
                w.append(f'{i3}<reference type="{_a(ref["type"])}">\n')
                self.leaf(i3 + "  ", "url", ref["url"])
                w.append(f"{i3}</reference>\n")
            w.append(f"{i2}</externalReferences>\n")
        if c.get("properties"):
            w.append(f"{i2}<properties>\n")
            for p in c["properties"]:
                w.append(f'{i3}<property name="{_a(p["name"])}">{_t(p["value"])}</property>\n')
            w.append(f"{i2}</properties>\n")
        w.append(f"{ind}</{tag}>\n")

    def tools(self, ind: str, tools: Any) -> None:
        w = self.out
        w.append(f"{ind}<tools>\n")
        if isinstance(tools, list):  # 1.4: <tool>
            for t in tools:
                w.append(f"{ind}  <tool>\n")
                for key in ("vendor", "name", "version"):
                    self.leaf(ind + "    ", key, t.get(key))
                w.append(f"{ind}  </tool>\n")
        else:
            w.append(f"{ind}  <components>\n")
            for t in tools["components"]:
                self.component(ind + "    ", t)
            w.append(f"{ind}  </components>\n")
        w.append(f"{ind}</tools>\n")


def encode(sbom: Sbom, version: str = "1.6") -> bytes:
    doc = to_document(sbom, version)
    wr = _Writer()
    w = wr.out
    w.append('<?xml version="1.0" encoding="UTF-8"?>\n')
    w.append(f'<bom xmlns="{NAMESPACE}{version}" serialNumber="{_a(doc["serialNumber"])}" version="{doc["version"]}">\n')
    meta = doc["metadata"]
    w.append("  <metadata>\n")
    wr.leaf("    ", "timestamp", meta.get("timestamp"))
    wr.tools("    ", meta["tools"])
    if meta.get("authors"):
        w.append("    <authors>\n")
        for a in meta["authors"]:
            w.append("      <author>\n")
            wr.leaf("        ", "name", a.get("name"))
            wr.leaf("        ", "email", a.get("email"))
            w.append("      </author>\n")
        w.append("    </authors>\n")
    if meta.get("component"):
        wr.component("    ", meta["component"])
    w.append("  </metadata>\n")
    w.append("  <components>\n")
    for c in doc["components"]:
        wr.component("    ", c)
    w.append("  </components>\n")
    w.append("  <dependencies>\n")
    for d in doc["dependencies"]:
        ref = _a(d["ref"])
        if not d["dependsOn"]:
            w.append(f'    <dependency ref="{ref}"/>\n')
            continue
        w.append(f'    <dependency ref="{ref}">\n')
        for t in d["dependsOn"]:
            w.append(f'      <dependency ref="{_a(t)}"/>\n')
        w.append("    </dependency>\n")
    w.append("  </dependencies>\n")
    w.append("</bom>\n")
    return "".join(w).encode("utf-8", "replace")


# ---------------------------------------------------------------------------- decode


class _NoDoctype(ET.TreeBuilder):
    def doctype(self, name: str, pubid: str, system: str) -> None:
        raise FormatError("CycloneDX XML: refusing a document with a DOCTYPE (entity declarations are not allowed)")


class _Reader:
    """Turns a CycloneDX XML tree into the JSON-shaped document dict.

    Only elements in the BOM's own namespace are read (extensions are ignored);
    lookups use ElementTree's C ``find``/``findall`` with the namespaced tag.
    """

    def __init__(self, ns: str) -> None:
        self.ns = "{" + ns + "}"

    def kids(self, el: ET.Element | None, path: str) -> list[ET.Element]:
        if el is None:
            return []
        ns = self.ns
        return el.findall("/".join(ns + p for p in path.split("/")))

    def kid(self, el: ET.Element | None, name: str) -> ET.Element | None:
        return el.find(self.ns + name) if el is not None else None

    def text(self, el: ET.Element | None, name: str) -> str:
        if el is None:
            return ""
        return (el.findtext(self.ns + name) or "").strip()

    def entity(self, el: ET.Element | None) -> dict[str, Any] | None:
        if el is None:
            return None
        e: dict[str, Any] = {"name": self.text(el, "name")}
        _set(e, "email", self.text(el, "email"))
        _set(e, "url", [(u.text or "").strip() for u in self.kids(el, "url")])
        _set(e, "contact", [{"name": self.text(c, "name"), "email": self.text(c, "email")} for c in self.kids(el, "contact")])
        return e

    def properties(self, el: ET.Element | None) -> list[dict[str, str]]:
        return [{"name": p.get("name", ""), "value": p.text or ""} for p in self.kids(el, "properties/property")]

    def component(self, el: ET.Element) -> dict[str, Any]:
        c: dict[str, Any] = {"type": el.get("type", "")}
        _set(c, "bom-ref", el.get("bom-ref", ""))
        for key in ("name", "version", "group", "description", "author", "publisher", "cpe", "purl"):
            _set(c, key, self.text(el, key))
        _set(c, "supplier", self.entity(self.kid(el, "supplier")))
        _set(c, "authors", [self.entity(a) for a in self.kids(el, "authors/author")])
        _set(c, "hashes", [{"alg": h.get("alg", ""), "content": (h.text or "").strip()} for h in self.kids(el, "hashes/hash")])
        licenses: list[dict[str, Any]] = []
        lic_el = self.kid(el, "licenses")
        for choice in lic_el if lic_el is not None else ():
            if choice.tag == self.ns + "expression":
                licenses.append({"expression": (choice.text or "").strip()})
            elif choice.tag == self.ns + "license":
                lic: dict[str, Any] = {}
                _set(lic, "id", self.text(choice, "id"))
                _set(lic, "name", self.text(choice, "name"))
                licenses.append({"license": lic})
        _set(c, "licenses", licenses)
        refs = [{"type": r.get("type", ""), "url": self.text(r, "url")} for r in self.kids(el, "externalReferences/reference")]
        _set(c, "externalReferences", refs)
        _set(c, "properties", self.properties(el))
        swid = self.kid(el, "swid")
        if swid is not None:
            c["swid"] = {"tagId": swid.get("tagId", ""), "name": swid.get("name", ""), "version": swid.get("version", "")}
        _set(c, "components", [self.component(k) for k in self.kids(el, "components/component")])
        return c

    def tools(self, el: ET.Element | None) -> Any:
        if el is None:
            return None
        tools = [{"vendor": self.text(t, "vendor"), "name": self.text(t, "name"), "version": self.text(t, "version")} for t in self.kids(el, "tool")]
        if tools:
            return tools
        return {"components": [self.component(c) for c in self.kids(el, "components/component")]}

    def document(self, root: ET.Element, version: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": version}
        meta_el = self.kid(root, "metadata")
        if meta_el is not None:
            meta: dict[str, Any] = {}
            _set(meta, "timestamp", self.text(meta_el, "timestamp"))
            _set(meta, "tools", self.tools(self.kid(meta_el, "tools")))
            comp = self.kid(meta_el, "component")
            if comp is not None:
                meta["component"] = self.component(comp)
            _set(meta, "properties", self.properties(meta_el))
            doc["metadata"] = meta
        doc["components"] = [self.component(c) for c in self.kids(root, "components/component")]
        doc["dependencies"] = [
            {"ref": d.get("ref", ""), "dependsOn": [k.get("ref", "") for k in self.kids(d, "dependency")]}
            for d in self.kids(root, "dependencies/dependency")
        ]
        return doc


def _set(d: dict[str, Any], key: str, value: Any) -> None:
    if value:
        d[key] = value


def _parse(data: bytes) -> ET.Element:
    parser = ET.XMLParser(target=_NoDoctype())
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        raise FormatError(f"CycloneDX XML: not well-formed XML ({exc})") from None
    if not isinstance(root, ET.Element):
        raise FormatError("CycloneDX XML: empty document")
    return root


def decode(data: bytes) -> Sbom:
    root = _parse(data)
    ns, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if local != "bom" or not ns.startswith(NAMESPACE):
        raise FormatError(f"CycloneDX XML: not a CycloneDX document (root element {local!r} in namespace {ns or 'none'!r})")
    try:
        doc = _Reader(ns).document(root, ns[len(NAMESPACE) :])
    except RecursionError:
        raise FormatError("CycloneDX XML: components nested too deeply") from None
    return from_document(doc, XML_DECODE_VERSIONS)


def identify(data: bytes) -> str | None:
    """The version in the root element's CycloneDX namespace, or None if ``data`` is not CycloneDX XML."""
    head = _COMMENT.sub(b"", data[:65536])
    first = _FIRST_TAG.search(head)
    if first is None:
        return None
    root = _ROOT.match(head, first.start())
    if root is None:
        return None
    end = head.find(b">", root.start())
    m = _NS_DECL.search(head, root.start(), end if end >= 0 else len(head))
    return m.group(1).decode() if m else None
