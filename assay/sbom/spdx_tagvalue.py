"""SPDX 2.x tag-value: encoder (2.2, 2.3), decoder (2.1-2.3) and identifier.

Both directions go through the JSON-shaped dict of :mod:`assay.sbom._spdx`: the
encoder renders it as ``Tag: value`` lines, the decoder parses lines into it.
Multi-line values are wrapped in ``<text>...</text>`` as the specification asks.
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import FormatError
from ..model import Sbom
from ._spdx import from_document, to_document

__all__ = ["decode", "encode", "identify", "parse", "render"]

FORMAT = "spdx-tag-value"
_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9_]*):[ \t]?(.*)$")

# free-text fields: may span lines, so they get <text> when needed
_TEXT_TAGS = {
    "DocumentComment", "CreatorComment", "PackageSourceInfo", "PackageLicenseComments", "PackageCopyrightText",
    "PackageSummary", "PackageDescription", "PackageComment", "PackageAttributionText", "ExternalRefComment",
    "FileComment", "FileCopyrightText", "FileNotice", "LicenseComments", "ExtractedText", "LicenseComment",
    "RelationshipComment", "AnnotationComment", "SnippetComment", "SnippetCopyrightText", "FileAttributionText",
}

_PACKAGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("versionInfo", "PackageVersion"),
    ("packageFileName", "PackageFileName"),
    ("supplier", "PackageSupplier"),
    ("originator", "PackageOriginator"),
    ("downloadLocation", "PackageDownloadLocation"),
    ("filesAnalyzed", "FilesAnalyzed"),
    ("checksums", "PackageChecksum"),
    ("homepage", "PackageHomePage"),
    ("sourceInfo", "PackageSourceInfo"),
    ("licenseConcluded", "PackageLicenseConcluded"),
    ("licenseDeclared", "PackageLicenseDeclared"),
    ("copyrightText", "PackageCopyrightText"),
    ("summary", "PackageSummary"),
    ("description", "PackageDescription"),
    ("comment", "PackageComment"),
    ("externalRefs", "ExternalRef"),
    ("primaryPackagePurpose", "PrimaryPackagePurpose"),
    ("releaseDate", "ReleaseDate"),
    ("builtDate", "BuiltDate"),
    ("validUntilDate", "ValidUntilDate"),
)
_PACKAGE_TAGS = {tag: key for key, tag in _PACKAGE_FIELDS}


# --------------------------------------------------------------------------- encoding


def _value(tag: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if tag in _TEXT_TAGS:
        text = text.replace("</text>", "<\u200b/text>")
        if "\n" in text or "\r" in text or text.startswith("<text>") or text != text.strip():
            return f"<text>{text}</text>"
        return text
    return " ".join(text.split())


def render(doc: dict[str, Any]) -> str:
    """A JSON-shaped SPDX 2.x document as tag-value text."""
    out: list[str] = []

    def put(tag: str, value: Any) -> None:
        out.append(f"{tag}: {_value(tag, value)}")

    put("SPDXVersion", doc["spdxVersion"])
    put("DataLicense", doc["dataLicense"])
    put("SPDXID", doc["SPDXID"])
    put("DocumentName", doc["name"])
    put("DocumentNamespace", doc["documentNamespace"])
    info = doc["creationInfo"]
    if info.get("licenseListVersion"):
        put("LicenseListVersion", info["licenseListVersion"])
    for c in info["creators"]:
        put("Creator", c)
    put("Created", info["created"])
    annotations: list[tuple[str, dict[str, str]]] = []
    for pkg in doc.get("packages", []):
        out.append("")
        out.append(f"##### Package: {_value('PackageName', pkg['name'])}")
        out.append("")
        put("PackageName", pkg["name"])
        put("SPDXID", pkg["SPDXID"])
        for key, tag in _PACKAGE_FIELDS:
            if key not in pkg:
                continue
            value = pkg[key]
            if key == "checksums":
                for c in value:
                    put(tag, f"{c['algorithm']}: {c['checksumValue']}")
            elif key == "externalRefs":
                for r in value:
                    put(tag, f"{r['referenceCategory']} {r['referenceType']} {r['referenceLocator']}")
                    if r.get("comment"):
                        put("ExternalRefComment", r["comment"])
            else:
                put(tag, value)
        annotations.extend((pkg["SPDXID"], a) for a in pkg.get("annotations", []))
    extracted = doc.get("hasExtractedLicensingInfos", [])
    if extracted:
        out.append("")
        out.append("##### Other Licenses")
        for e in extracted:
            out.append("")
            put("LicenseID", e["licenseId"])
            put("ExtractedText", e["extractedText"])
            if e.get("name"):
                put("LicenseName", e["name"])
    if doc.get("relationships"):
        out.append("")
        out.append("##### Relationships")
        out.append("")
        for r in doc["relationships"]:
            put("Relationship", f"{r['spdxElementId']} {r['relationshipType']} {r['relatedSpdxElement']}")
            if r.get("comment"):
                put("RelationshipComment", r["comment"])
    if annotations:
        out.append("")
        out.append("##### Annotations")
        for ref, a in annotations:
            out.append("")
            put("Annotator", a["annotator"])
            put("AnnotationDate", a["annotationDate"])
            put("AnnotationType", a["annotationType"])
            put("SPDXREF", ref)
            put("AnnotationComment", a["comment"])
    return "\n".join(out) + "\n"


def encode(sbom: Sbom, version: str = "2.3") -> bytes:
    return render(to_document(sbom, version)).encode()


# --------------------------------------------------------------------------- decoding


def _lines(text: str):  # type: ignore[no-untyped-def]
    """(line number, tag, value) for each tag, joining ``<text>`` blocks that span lines."""
    lines = text.splitlines()
    i = 0
    n = len(lines)
    while i < n:
        raw = lines[i]
        lineno = i + 1
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _TAG.match(stripped)
        if not m:
            raise FormatError(f"{FORMAT}: line {lineno}: expected 'Tag: value', got {stripped[:60]!r}")
        tag, value = m.group(1), m.group(2)
        if value.lstrip().startswith("<text>"):
            body = value.lstrip()[len("<text>") :]
            parts = []
            while "</text>" not in body:
                parts.append(body)
                if i >= n:
                    raise FormatError(f"{FORMAT}: line {lineno}: <text> for {tag} is never closed")
                body = lines[i]
                i += 1
            parts.append(body[: body.index("</text>")])
            value = "\n".join(parts)
        else:
            value = value.strip()
        yield lineno, tag, value


def parse(text: str) -> dict[str, Any]:
    """Tag-value text -> the JSON-shaped dict :func:`assay.sbom._spdx.from_document` reads."""
    doc: dict[str, Any] = {"creationInfo": {"creators": []}, "packages": [], "files": [], "relationships": []}
    extracted: list[dict[str, Any]] = []
    annotations: list[dict[str, str]] = []
    current: dict[str, Any] | None = None  # package, file, snippet or license being read
    kind = "document"
    for lineno, tag, value in _lines(text):
        if tag == "SPDXVersion":
            doc["spdxVersion"] = value
        elif tag == "DataLicense":
            doc["dataLicense"] = value
        elif tag == "DocumentName":
            doc["name"] = value
        elif tag == "DocumentNamespace":
            doc["documentNamespace"] = value
        elif tag == "LicenseListVersion":
            doc["creationInfo"]["licenseListVersion"] = value
        elif tag == "Creator":
            doc["creationInfo"]["creators"].append(value)
        elif tag == "Created":
            doc["creationInfo"]["created"] = value
        elif tag == "CreatorComment":
            doc["creationInfo"]["comment"] = value
        elif tag == "DocumentComment":
            doc["comment"] = value
        elif tag == "ExternalDocumentRef":
            doc.setdefault("externalDocumentRefs", []).append(value)
        elif tag == "PackageName":
            current, kind = {"name": value}, "package"
            doc["packages"].append(current)
        elif tag == "FileName":
            current, kind = {"fileName": value}, "file"
            doc["files"].append(current)
        elif tag == "SnippetSPDXID":
            current, kind = {"SPDXID": value}, "snippet"
        elif tag == "LicenseID":
            current, kind = {"licenseId": value}, "license"
            extracted.append(current)
        elif tag == "SPDXID":
            if kind == "document" or current is None:
                doc["SPDXID"] = value
            else:
                current["SPDXID"] = value
        elif tag == "Relationship":
            bits = value.split()
            if len(bits) != 3:
                raise FormatError(f"{FORMAT}: line {lineno}: Relationship needs 'A TYPE B', got {value!r}")
            doc["relationships"].append({"spdxElementId": bits[0], "relationshipType": bits[1], "relatedSpdxElement": bits[2]})
        elif tag == "RelationshipComment":
            if doc["relationships"]:
                doc["relationships"][-1]["comment"] = value
        elif tag == "Annotator":
            annotations.append({"annotator": value})
        elif tag in ("AnnotationDate", "AnnotationType", "SPDXREF", "AnnotationComment"):
            if not annotations:
                raise FormatError(f"{FORMAT}: line {lineno}: {tag} before any Annotator")
            key = {"AnnotationDate": "annotationDate", "AnnotationType": "annotationType", "SPDXREF": "spdxRef", "AnnotationComment": "comment"}[tag]
            annotations[-1][key] = value
        elif kind == "package" and current is not None and tag in _PACKAGE_TAGS:
            _package_tag(current, tag, value, lineno)
        elif kind == "package" and current is not None and tag == "ExternalRefComment":
            if current.get("externalRefs"):
                current["externalRefs"][-1]["comment"] = value
        elif kind == "license" and current is not None:
            lkey = {"ExtractedText": "extractedText", "LicenseName": "name", "LicenseComment": "comment"}.get(tag)
            if lkey:
                current[lkey] = value
            elif tag == "LicenseCrossReference":
                current.setdefault("seeAlsos", []).append(value)
        # other tags (files, snippets, verification codes...) carry nothing the model keeps
    if "spdxVersion" not in doc:
        raise FormatError(f"{FORMAT}: no SPDXVersion tag")
    if extracted:
        doc["hasExtractedLicensingInfos"] = extracted
    by_ref = {p.get("SPDXID"): p for p in doc["packages"]}
    for a in annotations:
        target = by_ref.get(a.pop("spdxRef", ""))
        if target is not None:
            target.setdefault("annotations", []).append(a)
        else:
            doc.setdefault("annotations", []).append(a)
    return doc


def _package_tag(pkg: dict[str, Any], tag: str, value: str, lineno: int) -> None:
    key = _PACKAGE_TAGS[tag]
    if key == "filesAnalyzed":
        low = value.lower()
        if low not in ("true", "false"):
            raise FormatError(f"{FORMAT}: line {lineno}: FilesAnalyzed must be true or false, got {value!r}")
        pkg[key] = low == "true"
    elif key == "checksums":
        algo, sep, hexval = value.partition(":")
        if not sep:
            raise FormatError(f"{FORMAT}: line {lineno}: PackageChecksum needs 'ALGORITHM: value', got {value!r}")
        pkg.setdefault("checksums", []).append({"algorithm": algo.strip(), "checksumValue": hexval.strip()})
    elif key == "externalRefs":
        bits = value.split(None, 2)
        if len(bits) != 3:
            raise FormatError(f"{FORMAT}: line {lineno}: ExternalRef needs 'CATEGORY TYPE LOCATOR', got {value!r}")
        pkg.setdefault("externalRefs", []).append(
            {"referenceCategory": bits[0], "referenceType": bits[1], "referenceLocator": bits[2]}
        )
    else:
        pkg[key] = value


_HEAD = re.compile(r"^\s*SPDXVersion:\s*SPDX-(2\.[0-9]+)\s*$")


def identify(data: bytes) -> str | None:
    """"2.1"/"2.2"/"2.3" when the first tag of ``data`` is an SPDX 2 ``SPDXVersion``, else None."""
    head = data[:4096].decode("utf-8-sig", errors="replace")
    for line in head.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = _HEAD.match(s)
        return m.group(1) if m else None
    return None


def decode(data: bytes) -> Sbom:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if identify(data) is None:
        raise FormatError(f"{FORMAT}: not an SPDX tag-value document (it must start with 'SPDXVersion: SPDX-2.x')")
    return from_document(parse(text), FORMAT)
