"""SPDX 3.0.1 JSON-LD (``spdx3-json``): encoder, decoder and identifier.

The document is a flat ``@graph`` in the compact form of the official context
(``https://spdx.org/rdf/3.0.1/spdx-context.jsonld``): one ``CreationInfo`` blank
node, the creating ``Organization`` and ``Tool``, the ``SpdxDocument``, a
``software_Sbom`` whose root element is the scanned source (a ``container``
package for images), an ``operatingSystem`` package for the distro, one
``software_Package`` per model package, licenses as
``simplelicensing_LicenseExpression`` elements linked by ``hasDeclaredLicense``,
and ``contains`` / ``dependsOn`` / ``describes`` relationships.  Every element
id is an IRI under the document namespace, derived from the content, so the
same input always gives the same bytes.

Model data SPDX 3 has no property for (layers, where a package was found, OCI
labels...) is kept in one ``Annotation`` per element whose statement holds
``assay:<key>=<value>`` lines, shared with the SPDX 2 mapping in
:mod:`assay.sbom._spdx`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import FormatError
from ..model import License, Package, Relationship, RelType, Sbom, SourceInfo
from ..model import tool_version as _tool_version
from ._spdx import (
    _CHECKSUMS,
    _HEX,
    ANNOTATION,
    NAMESPACE_BASE,
    NOASSERTION,
    _split_contact,
    checksum_name,
    distro_from_notes,
    distro_notes,
    is_download_location,
    is_url,
    license_expression,
    oci_purl,
    package_fields,
    package_notes,
    package_spdx_id,
    sanitize_id,
    source_from_notes,
    source_info_text,
    source_kind,
    source_notes,
    source_version,
    spdx_created,
    split_expression,
    split_tool,
    type_from_purl,
    type_from_spdx_id,
)
from .spdx_json import dump_lines, load_json

__all__ = ["CONTEXT", "decode", "encode", "identify"]

FORMAT = "spdx3-json"
CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
CREATION = "_:creationinfo"
PROFILES = ["core", "software", "simpleLicensing"]

# model checksum names -> SPDX 3 HashAlgorithm
_HASHES = {
    "sha1": "sha1", "sha224": "sha224", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512",
    "md2": "md2", "md4": "md4", "md5": "md5", "md6": "md6", "sha3-224": "sha3_224", "sha3-256": "sha3_256",
    "sha3-384": "sha3_384", "sha3-512": "sha3_512", "blake2b-256": "blake2b256", "blake2b-384": "blake2b384",
    "blake2b-512": "blake2b512", "blake3": "blake3", "adler32": "adler32",
}


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _Graph:
    """Collects elements in insertion order and hands out stable ids."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.elements: list[dict[str, Any]] = []
        self.agents: dict[tuple[str, str, str], str] = {}
        self.licenses: dict[str, str] = {}
        self.texts: dict[str, str] = {}

    def iri(self, local: str) -> str:
        return f"{self.base}#{local}"

    def add(self, element: dict[str, Any]) -> str:
        self.elements.append(element)
        return element["spdxId"]

    def agent(self, raw: str, kind: str = "") -> str:
        """The id of a Person/Organization element for a raw ``Name <email>`` string."""
        name, email = _split_contact(raw)
        if not kind:
            from ._spdx import format_actor

            kind = format_actor(raw).split(":", 1)[0]
        key = (kind, name, email)
        if key not in self.agents:
            el: dict[str, Any] = {
                "type": kind,
                "spdxId": self.iri(f"SPDXRef-{kind}-{sanitize_id(name)[:64]}-{_short(name + email)}"),
                "creationInfo": CREATION,
                "name": name,
            }
            if email and email != name:
                el["externalIdentifier"] = [{"type": "ExternalIdentifier", "externalIdentifierType": "email", "identifier": email}]
            self.agents[key] = self.add(el)
        return self.agents[key]

    def license(self, expression: str, extracted: Mapping[str, str]) -> str:
        if expression not in self.licenses:
            el: dict[str, Any] = {
                "type": "simplelicensing_LicenseExpression",
                "spdxId": self.iri(f"SPDXRef-License-{_short(expression)}"),
                "creationInfo": CREATION,
                "simplelicensing_licenseExpression": expression,
            }
            refs = sorted(set(re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", expression)))
            if refs:
                el["simplelicensing_customIdToUri"] = [
                    {"type": "DictionaryEntry", "key": ref, "value": self.text(ref, extracted.get(ref, ref))} for ref in refs
                ]
            self.licenses[expression] = self.add(el)
        return self.licenses[expression]

    def text(self, ref: str, text: str) -> str:
        if ref not in self.texts:
            self.texts[ref] = self.add(
                {
                    "type": "simplelicensing_SimpleLicensingText",
                    "spdxId": self.iri(f"SPDXRef-Text-{sanitize_id(ref)}"),
                    "creationInfo": CREATION,
                    "name": ref,
                    "simplelicensing_licenseText": text,
                }
            )
        return self.texts[ref]

    def annotate(self, subject: str, notes: list[str]) -> None:
        if notes:
            self.add(
                {
                    "type": "Annotation",
                    "spdxId": subject + "-annotation" if "#" in subject else self.iri("SPDXRef-Annotation-" + _short(subject)),
                    "creationInfo": CREATION,
                    "annotationType": "other",
                    "subject": subject,
                    "statement": "\n".join(ANNOTATION + n for n in notes),
                }
            )


def _hashes(digests: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    out = []
    seen = set()
    for algo, value in digests:
        name = _HASHES.get(algo.lower())
        known = _CHECKSUMS.get(algo.lower())
        value = value.strip()
        if not name or name in seen or not _HEX.match(value) or (known and known[1] and len(value) != known[1]):
            continue
        seen.add(name)
        out.append({"type": "Hash", "algorithm": name, "hashValue": value.lower()})
    return out


def _identifiers(cpes: Iterable[str]) -> list[dict[str, str]]:
    out = []
    for cpe in cpes:
        kind = "cpe23" if cpe.startswith("cpe:2.3:") else "cpe22" if cpe.startswith("cpe:/") else ""
        if kind:
            out.append({"type": "ExternalIdentifier", "externalIdentifierType": kind, "identifier": cpe})
    return out


def _root(g: _Graph, src: SourceInfo) -> dict[str, Any]:
    img = src.image
    kind = source_kind(src)
    name = " ".join(src.display_name.split())
    version = source_version(src)
    label_kind = {"image": "Image", "directory": "Directory", "file": "File", "unknown": "Unknown"}[kind]
    el: dict[str, Any] = {
        "type": "software_Package",
        "spdxId": g.iri(f"SPDXRef-DocumentRoot-{label_kind}-{sanitize_id(name)}"),
        "creationInfo": CREATION,
        "name": name,
    }
    if version:
        el["software_packageVersion"] = version
    digest = (img.manifest_digest if img else "") or src.digest
    if digest.startswith("sha256:"):
        hashes = _hashes([("sha256", digest[7:])])
        if hashes:
            el["verifiedUsing"] = hashes
    el["software_primaryPurpose"] = {"image": "container", "directory": "source", "file": "file"}.get(kind, "other")
    if img:
        vendor = img.label("org.opencontainers.image.vendor")
        if vendor:
            el["suppliedBy"] = g.agent(vendor, "Organization")
        source_url = img.label("org.opencontainers.image.source")
        if is_download_location(source_url):
            el["software_downloadLocation"] = source_url
        url = img.label("org.opencontainers.image.url")
        if is_url(url):
            el["software_homePage"] = url
        revision = img.label("org.opencontainers.image.revision")
        if source_url or revision:
            el["software_sourceInfo"] = "image built from " + (source_url or "an unnamed source") + (f" at revision {revision}" if revision else "")
        built = img.label("org.opencontainers.image.created") or img.created
        if built:
            el["builtTime"] = spdx_created(built)
        desc = img.label("org.opencontainers.image.description")
        if desc:
            el["description"] = desc
    if kind == "image":
        purl = oci_purl(src)
        if purl:
            el["software_packageUrl"] = purl
    return el


def encode(sbom: Sbom, version: str = SPEC_VERSION) -> bytes:
    if version not in ("3.0.1", "3.0"):
        raise FormatError(f"SPDX version {version} cannot be written as {FORMAT} (choose 3.0.1)")
    created = spdx_created(sbom.created)
    src = sbom.source
    kind = source_kind(src)
    name = " ".join(src.display_name.split())
    ns_name = re.sub(r"[^A-Za-z0-9._\-]+", "-", name).strip("-") or "unknown"
    g = _Graph(f"{NAMESPACE_BASE}/{kind}/{ns_name}-{sbom.serial_uuid}")
    tool = f"{sbom.tool_name or 'assay'}-{sbom.tool_version or _tool_version()}"

    org_id = g.iri("SPDXRef-Organization-assay")
    tool_id = g.iri(f"SPDXRef-Tool-{sanitize_id(tool)}")
    head: list[dict[str, Any]] = [
        {
            "type": "CreationInfo",
            "@id": CREATION,
            "specVersion": SPEC_VERSION,
            "created": created,
            "createdBy": [org_id],
            "createdUsing": [tool_id],
        },
        {
            "type": "Organization",
            "spdxId": org_id,
            "creationInfo": CREATION,
            "name": "assay",
            "externalRef": [{"type": "ExternalRef", "externalRefType": "altWebPage", "locator": ["https://assay.dev"]}],
        },
        {"type": "Tool", "spdxId": tool_id, "creationInfo": CREATION, "name": tool},
    ]
    doc_id = g.iri("SPDXRef-DOCUMENT")
    sbom_id = g.iri("SPDXRef-Sbom")
    data_license = g.license("CC0-1.0", {})

    root = _root(g, src)
    root_id = g.add(root)
    g.annotate(root_id, source_notes(src, name, root.get("software_packageVersion", "")))

    contained: list[str] = []
    distro = sbom.distro
    if distro and (distro.id or distro.name):
        os_name = distro.id or distro.name
        os_el: dict[str, Any] = {
            "type": "software_Package",
            "spdxId": g.iri(f"SPDXRef-OperatingSystem-{sanitize_id(os_name)}-{sanitize_id(distro.version_id or 'unknown')}"),
            "creationInfo": CREATION,
            "name": os_name,
        }
        if distro.version_id or distro.version:
            os_el["software_packageVersion"] = distro.version_id or distro.version
        if distro.name:
            os_el["suppliedBy"] = g.agent(distro.name, "Organization")
        if distro.pretty_name:
            os_el["description"] = distro.pretty_name
        if is_url(distro.home_url):
            os_el["software_homePage"] = distro.home_url
        if distro.cpe_name:
            os_idents = _identifiers([distro.cpe_name])
            if os_idents:
                os_el["externalIdentifier"] = os_idents
        os_el["software_primaryPurpose"] = "operatingSystem"
        contained.append(g.add(os_el))
        g.annotate(os_el["spdxId"], distro_notes(distro))

    ids: dict[str, str] = {}
    declared: list[tuple[str, str]] = []
    for p in sbom.packages:
        el: dict[str, Any] = {
            "type": "software_Package",
            "spdxId": g.iri(package_spdx_id(p)),
            "creationInfo": CREATION,
            "name": p.name,
        }
        if p.version:
            el["software_packageVersion"] = p.version
        if p.supplier.strip():
            el["suppliedBy"] = g.agent(p.supplier)
        if p.author.strip():
            el["originatedBy"] = [g.agent(p.author)]
        if p.purl:
            el["software_packageUrl"] = p.purl
        idents = _identifiers(p.cpes)
        if idents:
            el["externalIdentifier"] = idents
        hashes = _hashes(p.digests)
        if hashes:
            el["verifiedUsing"] = hashes
        if is_url(p.homepage):
            el["software_homePage"] = p.homepage
        if p.description:
            el["description"] = p.description
        el["software_primaryPurpose"] = "application" if p.type == "binary" else "library"
        el["software_sourceInfo"] = source_info_text(p)
        ids[p.id] = g.add(el)
        contained.append(ids[p.id])
        expr, extracted = license_expression(p.licenses)
        if expr != NOASSERTION:
            declared.append((ids[p.id], g.license(expr, extracted)))
        g.annotate(ids[p.id], package_notes(p))

    rels: list[dict[str, Any]] = []

    def rel(local: str, frm: str, rtype: str, to: list[str], scope: str = "") -> None:
        r: dict[str, Any] = {
            "type": "LifecycleScopedRelationship" if scope else "Relationship",
            "spdxId": g.iri(f"SPDXRef-Relationship-{local}"),
            "creationInfo": CREATION,
            "from": frm,
            "relationshipType": rtype,
            "to": to,
        }
        if scope:
            r["scope"] = scope
        rels.append(r)

    rel("describes", sbom_id, "describes", [root_id])
    if contained:
        rel("contains-root", root_id, "contains", contained)
    by_from: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    kinds = {
        RelType.DEPENDS_ON: ("dependsOn", ""),
        RelType.DEV_DEPENDS_ON: ("dependsOn", "development"),
        RelType.OPTIONAL_DEPENDS_ON: ("hasOptionalDependency", ""),
        RelType.CONTAINS: ("contains", ""),
    }
    for r in sbom.relationships:
        if r.type in kinds and r.source in ids and r.target in ids and ids[r.target] not in by_from[(r.source, *kinds[r.type])]:
            by_from[(r.source, *kinds[r.type])].append(ids[r.target])
    for (pid, rtype, scope), targets in by_from.items():
        rel(f"{rtype}{'-' + scope if scope else ''}-{sanitize_id(pid)}", ids[pid], rtype, targets, scope)
    for pkg_id, lic_id in declared:
        rel(f"hasDeclaredLicense-{pkg_id.rsplit('#', 1)[1][len('SPDXRef-'):]}", pkg_id, "hasDeclaredLicense", [lic_id])
    g.elements.extend(rels)

    members = [e["spdxId"] for e in g.elements]
    sbom_el = {
        "type": "software_Sbom",
        "spdxId": sbom_id,
        "creationInfo": CREATION,
        "name": f"SBOM of {name}",
        "profileConformance": PROFILES,
        "rootElement": [root_id],
        "element": members,
        "software_sbomType": ["analyzed"],
    }
    doc_el = {
        "type": "SpdxDocument",
        "spdxId": doc_id,
        "creationInfo": CREATION,
        "name": name,
        "dataLicense": data_license,
        "profileConformance": PROFILES,
        "rootElement": [sbom_id],
    }
    graph = head + [doc_el, sbom_el] + g.elements
    return dump_lines({"@context": CONTEXT, "@graph": graph})


# --------------------------------------------------------------------------- decoding

_CONTEXT_VERSION = re.compile(r"spdx\.org/rdf/(3\.[0-9]+(?:\.[0-9]+)?)/")


def _context_version(doc: Any) -> str:
    if not isinstance(doc, dict):
        return ""
    ctx = doc.get("@context")
    items = ctx if isinstance(ctx, list) else [ctx]
    for c in items:
        if isinstance(c, str):
            m = _CONTEXT_VERSION.search(c)
            if m:
                return m.group(1)
    return ""


def identify(data: bytes) -> str | None:
    """The SPDX 3 version ("3.0.1", "3.0") of a JSON-LD document, else None."""
    if b"@context" not in data[:4096] or b"spdx.org/rdf/3." not in data[:4096]:
        return None
    try:
        doc = load_json(data, FORMAT)
    except FormatError:
        return None
    version = _context_version(doc)
    if not version:
        return None
    graph = doc.get("@graph")
    if isinstance(graph, list):
        for e in graph:
            if isinstance(e, dict) and _type(e) == "CreationInfo" and isinstance(e.get("specVersion"), str):
                return e["specVersion"]
    return version


def _type(e: Mapping[str, Any]) -> str:
    t = e.get("type", e.get("@type", ""))
    if isinstance(t, list):
        t = t[0] if t else ""
    t = str(t)
    for prefix in ("https://spdx.org/rdf/3.0.1/terms/", "https://spdx.org/rdf/3.0.0/terms/", "spdx:"):
        if t.startswith(prefix):
            rest = t[len(prefix) :]
            if "/" in rest:
                profile, _, cls = rest.partition("/")
                return cls if profile == "Core" else f"{profile[0].lower()}{profile[1:]}_{cls}"
            return rest
    return t


def _id(e: Any) -> str:
    if isinstance(e, dict):
        return str(e.get("spdxId", e.get("@id", "")))
    return str(e) if e is not None else ""


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [_id(v) for v in items if _id(v)]


def _text(e: Mapping[str, Any], key: str, where: str) -> str:
    v = e.get(key)
    if v is None:
        return ""
    if isinstance(v, (dict, list, bool)):
        raise FormatError(f"{FORMAT}: {where}: {key} must be a string")
    return str(v)


def _flatten(graph: list[Any]) -> dict[str, dict[str, Any]]:
    """All elements by id, including ones nested inline where a reference could be."""
    out: dict[str, dict[str, Any]] = {}
    stack = list(graph)
    while stack:
        e = stack.pop()
        if isinstance(e, list):
            stack.extend(e)
            continue
        if not isinstance(e, dict):
            continue
        eid = _id(e)
        if eid and _type(e) and eid not in out:
            out[eid] = e
        for key, v in e.items():
            if key in ("@context",):
                continue
            if isinstance(v, (dict, list)):
                stack.append(v)
    return out


def decode(data: bytes) -> Sbom:
    doc = load_json(data, FORMAT)
    if not _context_version(doc):
        raise FormatError(f"{FORMAT}: not an SPDX 3 JSON-LD document (no spdx.org/rdf/3.x @context)")
    graph = doc.get("@graph")
    if graph is None:
        graph = [{k: v for k, v in doc.items() if k != "@context"}]
    if not isinstance(graph, list):
        raise FormatError(f"{FORMAT}: @graph must be a list")
    elements = _flatten(graph)
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in elements.values():
        by_type[_type(e)].append(e)

    created = tool_name = tool_version = ""
    for ci in by_type.get("CreationInfo", []):
        created = created or _text(ci, "created", "CreationInfo")
        for tid in _ids(ci.get("createdUsing")):
            tool = elements.get(tid)
            if tool and not tool_name:
                tool_name, tool_version = split_tool(_text(tool, "name", tid))

    notes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for a in by_type.get("Annotation", []):
        statement = _text(a, "statement", _id(a))
        for line in statement.splitlines():
            if line.startswith(ANNOTATION) and "=" in line:
                key, _, value = line[len(ANNOTATION) :].partition("=")
                notes[_id(a.get("subject"))].append((key, value))

    rels = [e for t in ("Relationship", "LifecycleScopedRelationship") for e in by_type.get(t, [])]
    for r in rels:
        if not _id(r.get("from")) or not isinstance(r.get("relationshipType"), str):
            raise FormatError(f"{FORMAT}: relationship {_id(r) or '?'}: needs from and relationshipType")

    # the root: rootElement of the Sbom (or of the document), else what is described
    roots: list[str] = []
    for t in ("software_Sbom", "SpdxDocument"):
        for e in by_type.get(t, []):
            for rid in _ids(e.get("rootElement")):
                target = elements.get(rid)
                if target is not None and _type(target) == "software_Sbom":
                    roots.extend(_ids(target.get("rootElement")))
                else:
                    roots.append(rid)
    roots += [t for r in rels if r["relationshipType"] == "describes" for t in _ids(r.get("to"))]
    packages_raw = by_type.get("software_Package", [])
    root_id = ""
    for rid in roots:
        cand = elements.get(rid)
        if cand is not None and _type(cand) == "software_Package":
            purpose = cand.get("software_primaryPurpose")
            if purpose == "container" or "SPDXRef-DocumentRoot-" in rid or any(k == "source:kind" for k, _ in notes.get(rid, [])):
                root_id = rid
                break

    licenses: dict[str, list[str]] = defaultdict(list)
    concluded: dict[str, list[str]] = defaultdict(list)
    for r in rels:
        if r["relationshipType"] in ("hasDeclaredLicense", "hasConcludedLicense"):
            target = licenses if r["relationshipType"] == "hasDeclaredLicense" else concluded
            for lid in _ids(r.get("to")):
                target[_id(r.get("from"))].append(lid)

    def license_text(lid: str) -> list[License]:
        from .._internal.licenses import to_spdx

        e = elements.get(lid)
        if e is None:
            return []
        expr = str(e.get("simplelicensing_licenseExpression") or e.get("name") or "").strip()
        if not expr or expr in (NOASSERTION, "NONE"):
            return []
        custom = {}
        for entry in e.get("simplelicensing_customIdToUri") or []:
            if isinstance(entry, dict):
                text_el = elements.get(_id(entry.get("value")))
                text = str(text_el.get("simplelicensing_licenseText", "")) if text_el else ""
                custom[str(entry.get("key", ""))] = text
        out = []
        for part in split_expression(expr):
            if part in custom and custom[part] and len(custom[part]) <= 200:
                out.append(License(value=custom[part], spdx=to_spdx(custom[part])))
            elif part.startswith("LicenseRef-"):
                out.append(License(value=part))
            else:
                out.append(License(value=part, spdx=to_spdx(part) or part))
        return out

    def agent_raw(aid: str) -> str:
        e = elements.get(aid)
        if e is None:
            return ""
        name = _text(e, "name", aid)
        email = ""
        for ident in e.get("externalIdentifier") or []:
            if isinstance(ident, dict) and ident.get("externalIdentifierType") == "email":
                email = str(ident.get("identifier", ""))
        return f"{name} <{email}>" if email and name and email != name else name or email

    source = SourceInfo(kind="unknown", name=next((_text(e, "name", "SpdxDocument") for e in by_type.get("SpdxDocument", [])), ""))
    distro = None
    packages: list[Package] = []
    model_ids: dict[str, str] = {}
    for e in sorted(packages_raw, key=_id):
        eid = _id(e)
        where = f"software_Package {eid}"
        name = _text(e, "name", where)
        version = _text(e, "software_packageVersion", where)
        purpose = e.get("software_primaryPurpose")
        if eid == root_id:
            kind = "image" if purpose == "container" or "DocumentRoot-Image-" in eid else "directory" if "DocumentRoot-Directory-" in eid else "file" if "DocumentRoot-File-" in eid else "unknown"
            sha = next((str(h.get("hashValue", "")) for h in e.get("verifiedUsing") or [] if isinstance(h, dict) and h.get("algorithm") == "sha256"), "")
            source = source_from_notes(kind, name, version, notes.get(eid, []), sha)
            continue
        if purpose == "operatingSystem" and distro is None:
            distro = distro_from_notes(
                name, version, agent_raw(_id(e.get("suppliedBy"))), _text(e, "description", where), _text(e, "software_homePage", where), notes.get(eid, [])
            )
            continue
        if not name.strip():
            raise FormatError(f"{FORMAT}: {where}: package without a name")
        purl = _text(e, "software_packageUrl", where)
        cpes: list[str] = []
        for ident in e.get("externalIdentifier") or []:
            if not isinstance(ident, dict):
                continue
            itype, value = ident.get("externalIdentifierType"), str(ident.get("identifier", ""))
            if itype in ("cpe23", "cpe22") and value and value not in cpes:
                cpes.append(value)
            elif itype == "packageUrl" and not purl:
                purl = value
        local = eid.rsplit("#", 1)[-1]
        ptype = type_from_spdx_id(local) or type_from_purl(purl) or "unknown"
        digests = tuple(
            (checksum_name(str(h.get("algorithm", ""))), str(h.get("hashValue", "")))
            for h in e.get("verifiedUsing") or []
            if isinstance(h, dict) and _type(h) == "Hash" and h.get("hashValue")
        )
        lics = [lic for lid in (licenses.get(eid) or concluded.get(eid) or []) for lic in license_text(lid)]
        m = re.search(r"-([0-9a-f]{16})$", local)
        homepage = _text(e, "software_homePage", where)
        try:
            pkg = Package(
                name=name,
                version=version,
                type=ptype,
                purl=purl,
                cpes=tuple(cpes),
                licenses=tuple(dict.fromkeys(lics)),
                supplier=agent_raw(_id(e.get("suppliedBy"))),
                author=", ".join(agent_raw(a) for a in _ids(e.get("originatedBy"))),
                description=_text(e, "description", where) or _text(e, "summary", where),
                homepage=homepage,
                digests=digests,
                id=m.group(1) if m else "",
                **package_fields(notes.get(eid, []), purl, ptype, _text(e, "software_sourceInfo", where), bool(notes)),
            )
        except ValueError as exc:
            raise FormatError(f"{FORMAT}: {where}: {exc}") from exc
        model_ids[eid] = pkg.id
        packages.append(pkg)

    relationships: set[Relationship] = set()
    for r in rels:
        rtype = r["relationshipType"]
        frm = _id(r.get("from"))
        scope = r.get("scope", "")
        if rtype == "dependsOn":
            kind = RelType.DEV_DEPENDS_ON if scope in ("development", "test", "build") else RelType.DEPENDS_ON
        elif rtype == "hasOptionalDependency":
            kind = RelType.OPTIONAL_DEPENDS_ON
        elif rtype == "contains":
            kind = RelType.CONTAINS
        else:
            continue
        if frm not in model_ids:
            continue
        for to in _ids(r.get("to")):
            if to in model_ids and to != frm:
                relationships.add(Relationship(source=model_ids[frm], target=model_ids[to], type=kind))

    return Sbom(
        packages=tuple(packages),
        relationships=tuple(relationships),
        source=source,
        distro=distro,
        created=created,
        tool_name=tool_name or "unknown",
        tool_version=tool_version,
    )
