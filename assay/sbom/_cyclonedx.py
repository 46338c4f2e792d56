"""The mapping between the assay model and a CycloneDX document, shared by JSON and XML.

A CycloneDX document is handled here as the dict the JSON format would hold
(``bomFormat``, ``metadata``, ``components``...).  The JSON module dumps and loads it
directly; the XML module writes the same dict as XML and reads XML back into the
same shape, so both formats carry exactly the same content.

Packages become ``library`` components (``application`` for binaries) with the
properties syft writes (``syft:package:type``, ``syft:location:0:path``,
``syft:metadata:source``...) so that syft and grype read our SBOMs the way they
read syft's, plus ``assay:*`` properties for what the model holds beyond that.
The scanned image or directory is ``metadata.component``; the distro is an
``operating-system`` component.  Every component has an entry in
``dependencies``, and the root component depends on the packages nothing else
depends on.

Not written: the files a package owns and free-form package metadata (syft
leaves them out of CycloneDX too; the assay and syft JSON formats keep them).
Typed edges between two packages (dev/optional dependencies, contains) are also
kept as ``assay:relationship:<type>`` properties of the source component so they
survive a round trip; edges that touch anything but packages are dropped, since
CycloneDX dependencies may only name components.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from packageurl import PackageURL

from ..errors import FormatError
from ..model import (
    Distro,
    ImageInfo,
    Layer,
    License,
    Location,
    Package,
    Relationship,
    RelType,
    Sbom,
    SourceInfo,
)

__all__ = [
    "ENCODE_VERSIONS",
    "JSON_DECODE_VERSIONS",
    "XML_DECODE_VERSIONS",
    "bom_ref",
    "from_document",
    "to_document",
]

ENCODE_VERSIONS = ("1.4", "1.5", "1.6")
JSON_DECODE_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7")
XML_DECODE_VERSIONS = ("1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7")

# model digest algorithm (lower case, without "-"/"_") -> CycloneDX hash algorithm
_TO_CDX_ALG = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "sha3256": "SHA3-256",
    "sha3384": "SHA3-384",
    "sha3512": "SHA3-512",
    "blake2b256": "BLAKE2b-256",
    "blake2b384": "BLAKE2b-384",
    "blake2b512": "BLAKE2b-512",
    "blake3": "BLAKE3",
}
_FROM_CDX_ALG = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
    "SHA3-256": "sha3-256",
    "SHA3-384": "sha3-384",
    "SHA3-512": "sha3-512",
    "BLAKE2b-256": "blake2b-256",
    "BLAKE2b-384": "blake2b-384",
    "BLAKE2b-512": "blake2b-512",
    "BLAKE3": "blake3",
}
_HASH_CONTENT = re.compile(r"^(?:[A-Fa-f0-9]{32}|[A-Fa-f0-9]{40}|[A-Fa-f0-9]{64}|[A-Fa-f0-9]{96}|[A-Fa-f0-9]{128})$")
# a lone SPDX license id (``{"license": {"id": ...}}``); anything else is an expression
_SPDX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+-]*$")
# a URL we can put in externalReferences without upsetting iri-reference checks
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+$")
_EMAIL = re.compile(r"^[^\s@<>]+@[^\s@<>]+$")
_PERSON = re.compile(r"^\s*(.*?)\s*<([^<>]*)>\s*$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
_PACKAGE_ID = re.compile(r"[?&]package-id=([^&#]+)")
_DOCKER_REF = re.compile(
    r"^(?P<repo>[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*)"
    r"(?::(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@sha256:[0-9a-f]{64})?$"
)

# syft package types whose syft metadata type grype needs (for upstream/source matching)
_SYFT_METADATA_TYPE = {"deb": "dpkg-db-entry", "apk": "apk-db-entry", "rpm": "rpm-db-entry"}

# purl type -> syft package type (used when a component has no syft:package:type)
_PURL_TO_TYPE = {
    "deb": "deb",
    "apk": "apk",
    "rpm": "rpm",
    "pypi": "python",
    "npm": "npm",
    "golang": "go-module",
    "maven": "java-archive",
    "cargo": "rust-crate",
    "gem": "gem",
    "composer": "php-composer",
    "nuget": "dotnet",
    "conan": "conan",
    "hex": "hex",
    "pub": "dart-pub",
    "cocoapods": "pod",
    "swift": "swift",
    "hackage": "hackage",
    "alpm": "alpm",
    "cran": "R-package",
    "github": "github-action",
    "bitnami": "bitnami",
}

_PACKAGE_COMPONENT_TYPES = frozenset({"library", "application", "framework"})
_DEPENDENCY_TYPES = (RelType.DEPENDS_ON, RelType.DEV_DEPENDS_ON, RelType.OPTIONAL_DEPENDS_ON)
_REL_PROP = "assay:relationship:"


# ---------------------------------------------------------------------------- encode


def bom_ref(p: Package) -> str:
    """A stable, unique bom-ref: the purl with a ``package-id`` qualifier (as syft does), else the id."""
    if not p.purl.startswith("pkg:"):
        return p.id
    base, hash_, sub = p.purl.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}package-id={p.id}{hash_}{sub}"


def _props(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": n, "value": v} for n, v in pairs if v != ""]


def _entity(raw: str) -> dict[str, Any]:
    """``"Jane Doe <jane@example.org>"`` -> ``{"name": "Jane Doe", "contact": [{"email": ...}]}``."""
    m = _PERSON.match(raw)
    if m and _EMAIL.match(m.group(2)):
        name, email = m.group(1), m.group(2)
        return {"name": name or email, "contact": [{"email": email}]}
    return {"name": raw.strip()}


def _licenses(licenses: tuple[License, ...]) -> list[dict[str, Any]]:
    """License choices valid for CycloneDX 1.4-1.7.

    A lone compound expression becomes ``{"expression": ...}``; since 1.5 an
    expression may not sit next to other licenses, so when there are several,
    compound expressions are written as license names instead.
    """
    if len(licenses) == 1:
        spdx = licenses[0].spdx
        if spdx and not _SPDX_ID.match(spdx):
            return [{"expression": spdx}]
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for lic in licenses:
        if lic.spdx and _SPDX_ID.match(lic.spdx) and not lic.spdx.startswith("LicenseRef-"):
            key = ("id", lic.spdx)
        else:
            key = ("name", lic.spdx or lic.value)
        if key[1] and key not in seen:
            seen.add(key)
            out.append({"license": {key[0]: key[1]}})
    return out


def _hashes(digests: Iterable[tuple[str, str]]) -> tuple[list[dict[str, str]], list[str]]:
    """(CycloneDX hashes, leftovers as ``alg:value`` for a property)."""
    hashes: list[dict[str, str]] = []
    rest: list[str] = []
    for alg, value in digests:
        cdx = _TO_CDX_ALG.get(alg.lower().replace("-", "").replace("_", ""))
        if cdx and _HASH_CONTENT.match(value):
            hashes.append({"alg": cdx, "content": value.lower()})
        else:
            rest.append(f"{alg}:{value}")
    return hashes, rest


def _rpm_source(p: Package) -> str:
    srpm = p.metadata.get("sourceRpm") if isinstance(p.metadata, Mapping) else None
    if isinstance(srpm, str) and srpm:
        return srpm
    if p.source_name and p.source_version:
        return f"{p.source_name}-{p.source_version}.src.rpm"
    return p.source_name


def _component(p: Package, ref: str, typed: list[tuple[str, str]]) -> dict[str, Any]:
    c: dict[str, Any] = {"bom-ref": ref, "type": "application" if p.type == "binary" else "library"}
    if p.supplier or p.author:  # NTIA wants a supplier: the author is the best we know otherwise
        c["supplier"] = _entity(p.supplier or p.author)
    if p.author:
        c["author"] = p.author
    c["name"] = p.name
    if p.version:
        c["version"] = p.version
    if p.description:
        c["description"] = p.description
    hashes, extra_digests = _hashes(p.digests)
    if hashes:
        c["hashes"] = hashes
    if p.licenses:
        lic = _licenses(p.licenses)
        if lic:
            c["licenses"] = lic
    if p.cpes:
        c["cpe"] = p.cpes[0]
    if p.purl:
        c["purl"] = p.purl
    homepage_prop = ""
    if p.homepage:
        if _URL.match(p.homepage):
            c["externalReferences"] = [{"type": "website", "url": p.homepage}]
        else:
            homepage_prop = p.homepage

    props: list[tuple[str, str]] = [
        ("syft:package:foundBy", p.found_by),
        ("syft:package:language", p.language),
        ("syft:package:type", p.type),
        ("syft:package:metadataType", _SYFT_METADATA_TYPE.get(p.type, "")),
    ]
    props.extend(("syft:cpe23", cpe) for cpe in p.cpes[1:])
    for i, loc in enumerate(p.locations):
        props.append((f"syft:location:{i}:path", loc.path))
        props.append((f"syft:location:{i}:layerID", loc.layer))
        if loc.access_path and loc.access_path != loc.path:
            props.append((f"syft:location:{i}:accessPath", loc.access_path))
    if p.type == "deb":
        props.append(("syft:metadata:source", p.source_name))
        props.append(("syft:metadata:sourceVersion", p.source_version))
    elif p.type == "apk":
        props.append(("syft:metadata:originPackage", p.source_name))
    elif p.type == "rpm":
        if p.epoch is not None:
            props.append(("syft:metadata:epoch", str(p.epoch)))
        props.append(("syft:metadata:sourceRpm", _rpm_source(p)))
    props.extend(
        [
            ("assay:package:arch", p.arch),
            ("assay:package:epoch", "" if p.epoch is None else str(p.epoch)),
            ("assay:package:sourceName", p.source_name),
            ("assay:package:sourceVersion", p.source_version),
            ("assay:package:layer", p.layer),
            ("assay:package:dev", "true" if p.dev else ""),
            ("assay:package:homepage", homepage_prop),
        ]
    )
    props.extend(("assay:package:digest", d) for d in extra_digests)
    props.extend(typed)
    properties = _props(props)
    if properties:
        c["properties"] = properties
    return c


def _os_ref(d: Distro) -> str:
    if not d.id:
        return "os:unknown"
    return f"os:{d.id}@{d.version_id}" if d.version_id else f"os:{d.id}"


def _os_component(d: Distro) -> dict[str, Any]:
    c: dict[str, Any] = {"bom-ref": _os_ref(d), "type": "operating-system", "name": d.id or "unknown"}
    if d.version_id:
        c["version"] = d.version_id
    if d.pretty_name:
        c["description"] = d.pretty_name
    if d.cpe_name:
        c["cpe"] = d.cpe_name
    if d.home_url and _URL.match(d.home_url):
        c["externalReferences"] = [{"type": "website", "url": d.home_url}]
    props = [
        ("syft:distro:buildID", d.build_id),
        ("syft:distro:id", d.id),
        *((f"syft:distro:idLike:{i}", v) for i, v in enumerate(d.id_like)),
        ("syft:distro:prettyName", d.pretty_name),
        ("syft:distro:variantID", d.variant_id),
        ("syft:distro:versionCodename", d.version_codename),
        ("syft:distro:versionID", d.version_id),
        ("assay:distro:name", d.name),
        ("assay:distro:version", d.version),
        ("assay:distro:homeURL", d.home_url if d.home_url and not _URL.match(d.home_url) else ""),
    ]
    properties = _props(props)
    if properties:
        c["properties"] = properties
    return c


def _image_purl(src: SourceInfo, img: ImageInfo) -> str:
    """``pkg:oci/<name>@<manifest digest>?repository_url=...&tag=...`` when a repository is known."""
    if not img.manifest_digest.startswith("sha256:"):
        return ""
    candidates = list(img.tags)
    name = src.name
    for prefix in ("registry:", "docker:", "podman:"):
        name = name.removeprefix(prefix)
    candidates.append(name)
    for ref in candidates:
        m = _DOCKER_REF.match(ref)
        if not m or ("/" not in m.group("repo") and not m.group("tag")):
            continue
        repo = m.group("repo")
        quals = {"repository_url": repo}
        if img.architecture:
            quals["arch"] = img.architecture
        if m.group("tag"):
            quals["tag"] = m.group("tag")
        return str(PackageURL(type="oci", name=repo.rsplit("/", 1)[-1], version=img.manifest_digest, qualifiers=quals).to_string())
    return ""


def _source_ref(src: SourceInfo) -> str:
    key = json.dumps([src.kind, src.input, src.name, src.version, src.path, src.digest])
    return "source:" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _source_component(src: SourceInfo) -> dict[str, Any]:
    img = src.image
    ctype = {"image": "container", "directory": "file", "file": "file"}.get(src.kind, "application")
    c: dict[str, Any] = {"bom-ref": _source_ref(src), "type": ctype, "name": src.display_name}
    if img is not None:
        version = img.manifest_digest or src.digest or src.version
    else:
        version = src.version or src.digest
    if version:
        c["version"] = version
    digest = (img.manifest_digest if img is not None and img.manifest_digest else src.digest) or ""
    if digest.startswith("sha256:") and _HASH_CONTENT.match(digest[7:]):
        c["hashes"] = [{"alg": "SHA-256", "content": digest[7:]}]
    purl = _image_purl(src, img) if img is not None else ""
    if purl:
        c["purl"] = purl
    if img is not None:
        vcs = img.label("org.opencontainers.image.source")
        if vcs and _URL.match(vcs):
            c["externalReferences"] = [{"type": "vcs", "url": vcs}]
    props: list[tuple[str, str]] = [
        ("assay:source:kind", src.kind),
        ("assay:source:input", src.input),
        ("assay:source:name", src.name),
        ("assay:source:version", src.version),
        ("assay:source:path", src.path),
        ("assay:source:digest", src.digest),
    ]
    if img is not None:
        props.extend(
            [
                ("assay:image:manifestDigest", img.manifest_digest),
                ("assay:image:manifestMediaType", img.manifest_media_type),
                ("assay:image:configDigest", img.config_digest),
                ("assay:image:indexDigest", img.index_digest),
                ("assay:image:architecture", img.architecture),
                ("assay:image:os", img.os),
                ("assay:image:variant", img.variant),
                ("assay:image:created", img.created),
                ("assay:image:size", str(img.size) if img.size else ""),
            ]
        )
        props.extend((f"assay:image:tag:{i}", t) for i, t in enumerate(img.tags))
        props.extend((f"assay:image:repoDigest:{i}", t) for i, t in enumerate(img.repo_digests))
        for i, layer in enumerate(img.layers):
            props.append((f"assay:image:layer:{i}", layer.digest))
            props.append((f"assay:image:layer:{i}:diffID", layer.diff_id))
            props.append((f"assay:image:layer:{i}:mediaType", layer.media_type))
            props.append((f"assay:image:layer:{i}:size", str(layer.size) if layer.size else ""))
        props.extend((f"assay:image:label:{k}", v) for k, v in img.labels)
    c["properties"] = _props(props)
    return c


def _tools(sbom: Sbom, version: str) -> Any:
    name = sbom.tool_name or "assay"
    if version == "1.4":
        tool = {"vendor": name, "name": name}
        if sbom.tool_version:
            tool["version"] = sbom.tool_version
        return [tool]
    comp = {"type": "application", "name": name}
    if sbom.tool_version:
        comp["version"] = sbom.tool_version
    return {"components": [comp]}


def to_document(sbom: Sbom, version: str) -> dict[str, Any]:
    """The CycloneDX ``version`` document (as a JSON-shaped dict) for ``sbom``."""
    if version not in ENCODE_VERSIONS:
        raise FormatError(f"CycloneDX {version} cannot be written (choose from {', '.join(ENCODE_VERSIONS)})")
    refs = {p.id: bom_ref(p) for p in sbom.packages}

    depends: dict[str, set[str]] = {}
    typed: dict[str, list[tuple[str, str]]] = {}
    targets: set[str] = set()
    for r in sbom.relationships:
        src, dst = refs.get(r.source), refs.get(r.target)
        if src is None or dst is None:
            continue  # CycloneDX dependencies link components only
        if r.type in _DEPENDENCY_TYPES:
            depends.setdefault(r.source, set()).add(dst)
            targets.add(r.target)
        if r.type is not RelType.DEPENDS_ON:
            typed.setdefault(r.source, []).append((_REL_PROP + r.type.value, dst))

    root = _source_component(sbom.source)
    metadata: dict[str, Any] = {}
    if _TIMESTAMP.match(sbom.created):  # anything else (e.g. a redacted decoded value) would not validate
        metadata["timestamp"] = sbom.created
    metadata["tools"] = _tools(sbom, version)
    metadata["authors"] = [{"name": sbom.tool_name or "assay"}]
    metadata["component"] = root

    components = [_component(p, refs[p.id], typed.get(p.id, [])) for p in sbom.packages]
    dependencies = [{"ref": root["bom-ref"], "dependsOn": sorted(refs[p.id] for p in sbom.packages if p.id not in targets)}]
    dependencies.extend({"ref": refs[p.id], "dependsOn": sorted(depends.get(p.id, ()))} for p in sbom.packages)
    if sbom.distro is not None:
        os_comp = _os_component(sbom.distro)
        if os_comp["bom-ref"] not in refs.values():
            components.append(os_comp)
            dependencies.append({"ref": os_comp["bom-ref"], "dependsOn": []})

    return {
        "$schema": f"http://cyclonedx.org/schema/bom-{version}.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": version,
        "serialNumber": f"urn:uuid:{sbom.serial_uuid}",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": dependencies,
    }


# ---------------------------------------------------------------------------- decode


def _bad(msg: str) -> FormatError:
    return FormatError(f"CycloneDX: {msg}")


def _obj(v: Any, what: str) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise _bad(f"{what} is not an object")
    return v


def _arr(v: Any, what: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise _bad(f"{what} is not an array")
    return v


def _s(v: Any) -> str:
    """A scalar as a string ("" for missing or structured values)."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    return ""


def _properties(c: dict[str, Any], what: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in _arr(c.get("properties"), f"{what} properties"):
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            out.setdefault(p["name"], []).append(_s(p.get("value")))
    return out


def _first(props: dict[str, list[str]], name: str) -> str:
    v = props.get(name)
    return v[0] if v else ""


def _person(v: Any) -> str:
    """An organizationalEntity/Contact (or a plain string) as ``"Name <email>"``."""
    if isinstance(v, str):
        return v.strip()
    if not isinstance(v, dict):
        return ""
    name = _s(v.get("name")).strip()
    email = _s(v.get("email")).strip()
    if not email:
        for contact in v.get("contact") or ():
            if isinstance(contact, dict) and _s(contact.get("email")):
                email = _s(contact.get("email")).strip()
                name = name or _s(contact.get("name")).strip()
                break
    if not name:
        for url in v.get("url") or ():
            if isinstance(url, str) and url:
                name = url
                break
    if email:
        return f"{name} <{email}>" if name else email
    return name


def _decode_licenses(c: dict[str, Any], what: str) -> tuple[License, ...]:
    from .._internal.licenses import to_license, to_spdx

    out: list[License] = []
    for choice in _arr(c.get("licenses"), f"{what} licenses"):
        if not isinstance(choice, dict):
            continue
        expr = _s(choice.get("expression")).strip()
        if expr:
            # a compound expression we cannot check (e.g. with LicenseRefs) is kept as it is;
            # a lone unknown token is no SPDX id and must not be written back as one
            out.append(License(value=expr, spdx=to_spdx(expr) or ("" if _SPDX_ID.match(expr) else expr)))
            continue
        lic = choice.get("license")
        if not isinstance(lic, dict):
            continue
        lid = _s(lic.get("id")).strip()
        if lid:
            out.append(License(value=lid, spdx=lid))
            continue
        name = _s(lic.get("name")).strip()
        if name:
            out.append(to_license(name))
    seen: set[License] = set()
    return tuple(x for x in out if not (x in seen or seen.add(x)))  # type: ignore[func-returns-value]


def _purl_type(purl: str) -> str:
    if not purl.startswith("pkg:"):
        return ""
    t = purl[4:].lstrip("/").split("/", 1)[0]
    return _PURL_TO_TYPE.get(t.lower(), "")


def _strip_package_id(ref: str) -> str:
    base, hash_, sub = ref.partition("#")
    base = re.sub(r"([?&])package-id=[^&]*&?", r"\1", base).rstrip("?&")
    return base + hash_ + sub


def _int(v: str) -> int | None:
    try:
        return int(v)
    except ValueError:
        return None


def _split_srpm(srpm: str) -> tuple[str, str]:
    """``"vim-9.0-1.cm2.src.rpm"`` -> ("vim", "9.0-1.cm2")."""
    base = srpm.removesuffix(".src.rpm")
    parts = base.rsplit("-", 2)
    if len(parts) == 3:
        return parts[0], f"{parts[1]}-{parts[2]}"
    return base, ""


def _decode_package(c: dict[str, Any], what: str) -> Package | None:
    props = _properties(c, what)
    name = _s(c.get("name")).strip()
    group = _s(c.get("group")).strip()
    ref = _s(c.get("bom-ref"))
    purl = _s(c.get("purl")).strip()
    if not purl and ref.startswith("pkg:"):
        purl = _strip_package_id(ref)
    ptype = _first(props, "syft:package:type") or _purl_type(purl) or "unknown"
    if group and ptype != "java-archive":
        name = f"{group}/{name}"
    if not name:
        return None

    locations: list[Location] = []
    i = 0
    while f"syft:location:{i}:path" in props:
        locations.append(
            Location(
                path=_first(props, f"syft:location:{i}:path"),
                layer=_first(props, f"syft:location:{i}:layerID"),
                access_path=_first(props, f"syft:location:{i}:accessPath"),
            )
        )
        i += 1

    cpes = [x for x in [_s(c.get("cpe")).strip(), *props.get("syft:cpe23", ())] if x]

    digests: list[tuple[str, str]] = []
    for h in _arr(c.get("hashes"), f"{what} hashes"):
        if isinstance(h, dict) and _s(h.get("content")):
            alg = _s(h.get("alg"))
            digests.append((_FROM_CDX_ALG.get(alg, alg.lower()), _s(h.get("content"))))
    for d in props.get("assay:package:digest", ()):
        alg, _, value = d.partition(":")
        digests.append((alg, value))

    homepage = _first(props, "assay:package:homepage")
    if not homepage:
        for ref_ in _arr(c.get("externalReferences"), f"{what} externalReferences"):
            if isinstance(ref_, dict) and ref_.get("type") == "website" and _s(ref_.get("url")):
                homepage = _s(ref_.get("url"))
                break

    author = _s(c.get("author")).strip()
    if not author:
        authors = _arr(c.get("authors"), f"{what} authors")
        author = _person(authors[0]) if authors else ""
    supplier = _person(c.get("supplier"))
    if supplier == author:  # written in place of an unknown supplier
        supplier = ""

    epoch_s = _first(props, "assay:package:epoch") or (_first(props, "syft:metadata:epoch") if ptype == "rpm" else "")
    source_name = _first(props, "assay:package:sourceName")
    source_version = _first(props, "assay:package:sourceVersion")
    metadata: dict[str, Any] = {}
    srpm = _first(props, "syft:metadata:sourceRpm")
    if srpm:
        metadata["sourceRpm"] = srpm
    if not source_name and not source_version:
        if ptype == "deb":
            source_name = _first(props, "syft:metadata:source")
            source_version = _first(props, "syft:metadata:sourceVersion")
        elif ptype == "apk":
            source_name = _first(props, "syft:metadata:originPackage")
        elif ptype == "rpm" and srpm:
            source_name, source_version = _split_srpm(srpm)

    pid = ""
    if ref:
        m = _PACKAGE_ID.search(ref) if ref.startswith("pkg:") else None
        if m:
            pid = m.group(1)
        elif not ref.startswith("pkg:"):
            pid = ref

    return Package(
        name=name,
        version=_s(c.get("version")).strip(),
        type=ptype,
        found_by=_first(props, "syft:package:foundBy"),
        purl=purl,
        cpes=tuple(dict.fromkeys(cpes)),
        licenses=_decode_licenses(c, what),
        supplier=supplier,
        author=author,
        description=_s(c.get("description")).strip(),
        homepage=homepage,
        arch=_first(props, "assay:package:arch"),
        epoch=_int(epoch_s) if epoch_s else None,
        source_name=source_name,
        source_version=source_version,
        language=_first(props, "syft:package:language"),
        dev=_first(props, "assay:package:dev") == "true",
        layer=_first(props, "assay:package:layer"),
        locations=tuple(locations),
        digests=tuple(digests),
        metadata=metadata,
        id=pid,
    )


def _decode_distro(c: dict[str, Any]) -> Distro:
    props = _properties(c, "operating-system component")
    swid: dict[str, Any] = c["swid"] if isinstance(c.get("swid"), dict) else {}
    did = _first(props, "syft:distro:id") or _s(swid.get("name")) or _s(c.get("name"))
    home = _first(props, "assay:distro:homeURL")
    if not home:
        for ref in c.get("externalReferences") or ():
            if isinstance(ref, dict) and ref.get("type") == "website":
                home = _s(ref.get("url"))
                break
    id_like: list[str] = []
    i = 0
    while f"syft:distro:idLike:{i}" in props:
        id_like.append(_first(props, f"syft:distro:idLike:{i}"))
        i += 1
    return Distro(
        id=did if did != "unknown" else "",
        version_id=_first(props, "syft:distro:versionID") or _s(swid.get("version")) or _s(c.get("version")),
        version_codename=_first(props, "syft:distro:versionCodename"),
        id_like=tuple(id_like),
        name=_first(props, "assay:distro:name"),
        pretty_name=_first(props, "syft:distro:prettyName") or _s(c.get("description")),
        version=_first(props, "assay:distro:version"),
        cpe_name=_s(c.get("cpe")),
        home_url=home,
        build_id=_first(props, "syft:distro:buildID"),
        variant_id=_first(props, "syft:distro:variantID"),
    )


def _decode_image(props: dict[str, list[str]]) -> ImageInfo:
    def indexed(prefix: str) -> list[str]:
        out: list[str] = []
        while f"{prefix}:{len(out)}" in props:
            out.append(_first(props, f"{prefix}:{len(out)}"))
        return out

    layers = []
    for i, digest in enumerate(indexed("assay:image:layer")):
        layers.append(
            Layer(
                digest=digest,
                diff_id=_first(props, f"assay:image:layer:{i}:diffID"),
                media_type=_first(props, f"assay:image:layer:{i}:mediaType"),
                size=_int(_first(props, f"assay:image:layer:{i}:size") or "0") or 0,
            )
        )
    labels = [(k[len("assay:image:label:") :], v[0]) for k, v in props.items() if k.startswith("assay:image:label:") and v]
    return ImageInfo(
        manifest_digest=_first(props, "assay:image:manifestDigest"),
        manifest_media_type=_first(props, "assay:image:manifestMediaType"),
        config_digest=_first(props, "assay:image:configDigest"),
        index_digest=_first(props, "assay:image:indexDigest"),
        tags=tuple(indexed("assay:image:tag")),
        repo_digests=tuple(indexed("assay:image:repoDigest")),
        layers=tuple(layers),
        labels=tuple(labels),
        architecture=_first(props, "assay:image:architecture"),
        os=_first(props, "assay:image:os"),
        variant=_first(props, "assay:image:variant"),
        created=_first(props, "assay:image:created"),
        size=_int(_first(props, "assay:image:size") or "0") or 0,
    )


def _decode_source(metadata: dict[str, Any]) -> SourceInfo:
    c = _obj(metadata.get("component"), "metadata.component")
    if not c:
        return SourceInfo(kind="unknown")
    props = _properties(c, "metadata.component")
    if "assay:source:kind" in props:  # written by assay: everything is in properties
        kind = _first(props, "assay:source:kind")
        image = _decode_image(props) if kind == "image" else None
        return SourceInfo(
            kind=kind,
            input=_first(props, "assay:source:input"),
            name=_first(props, "assay:source:name"),
            version=_first(props, "assay:source:version"),
            path=_first(props, "assay:source:path"),
            digest=_first(props, "assay:source:digest"),
            image=image,
        )
    ctype = _s(c.get("type"))
    name = _s(c.get("name"))
    version = _s(c.get("version"))
    if ctype == "container":
        meta_props = _properties(metadata, "metadata")
        prefix = "syft:image:labels:"
        labels = tuple((k[len(prefix) :], v[0]) for k, v in meta_props.items() if k.startswith(prefix) and v)
        digest = version if version.startswith("sha256:") else ""
        image = ImageInfo(manifest_digest=digest, labels=labels)
        return SourceInfo(kind="image", input=name, name=name, version=version, digest=digest, image=image)
    if ctype == "file":
        return SourceInfo(kind="file", input=name, name=name, version=version, path=name)
    return SourceInfo(kind="unknown", name=name, version=version)


def _tool(metadata: dict[str, Any]) -> tuple[str, str]:
    tools = metadata.get("tools")
    items: list[Any] = []
    if isinstance(tools, list):
        items = tools
    elif isinstance(tools, dict):
        items = list(tools.get("components") or []) + list(tools.get("services") or [])
    for t in items:
        if isinstance(t, dict) and _s(t.get("name")):
            return _s(t.get("name")), _s(t.get("version"))
    return "", ""


def _walk(components: list[Any], what: str) -> Iterable[dict[str, Any]]:
    """Every component, nested ones included (depth first, document order)."""
    stack = [(iter(enumerate(components)), what)]
    while stack:
        items, where = stack[-1]
        nxt = next(items, None)
        if nxt is None:
            stack.pop()
            continue
        i, c = nxt
        if not isinstance(c, dict):
            raise _bad(f"{where}[{i}] is not an object")
        yield c
        nested = c.get("components")
        if nested:
            here = f"{where}[{i}].components"
            stack.append((iter(enumerate(_arr(nested, here))), here))


def from_document(doc: Any, versions: tuple[str, ...] = JSON_DECODE_VERSIONS) -> Sbom:
    """The model for a CycloneDX document (JSON-shaped dict)."""
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise _bad("not a CycloneDX document (no bomFormat: CycloneDX)")
    spec = _s(doc.get("specVersion"))
    if spec not in versions:
        raise _bad(f"unsupported specVersion {spec!r} (supported: {', '.join(versions)})")
    metadata = _obj(doc.get("metadata"), "metadata")
    components = _arr(doc.get("components"), "components")
    root = _obj(metadata.get("component"), "metadata.component")

    distro: Distro | None = None
    packages: list[Package] = []
    ref_to_id: dict[str, str] = {}
    typed_props: list[tuple[str, str, str]] = []  # (source id, relationship type, target ref)
    all_components = list(_walk(components, "components"))
    if root.get("components"):
        all_components.extend(_walk(_arr(root.get("components"), "metadata.component.components"), "metadata.component.components"))
    for i, c in enumerate(all_components):
        ctype = _s(c.get("type"))
        if ctype == "operating-system":
            if distro is None:
                distro = _decode_distro(c)
            continue
        if ctype not in _PACKAGE_COMPONENT_TYPES:
            continue
        p = _decode_package(c, f"component {c.get('name', i)!r}")
        if p is None:
            continue
        packages.append(p)
        ref = _s(c.get("bom-ref"))
        if ref:
            ref_to_id.setdefault(ref, p.id)
        for prop in c.get("properties") or ():
            if isinstance(prop, dict) and _s(prop.get("name")).startswith(_REL_PROP):
                typed_props.append((p.id, _s(prop["name"])[len(_REL_PROP) :], _s(prop.get("value"))))
    for p in packages:
        ref_to_id.setdefault(p.id, p.id)

    rels: set[Relationship] = set()
    typed_pairs: set[tuple[str, str]] = set()
    valid_types = {t.value: t for t in RelType}
    for owner, tname, target_ref in typed_props:
        rtype = valid_types.get(tname)
        dst = ref_to_id.get(target_ref)
        if rtype is None or dst is None:
            continue
        rels.add(Relationship(source=owner, target=dst, type=rtype))
        if rtype in _DEPENDENCY_TYPES:
            typed_pairs.add((owner, dst))
    for i, dep in enumerate(_arr(doc.get("dependencies"), "dependencies")):
        if not isinstance(dep, dict):
            raise _bad(f"dependencies[{i}] is not an object")
        targets = _arr(dep.get("dependsOn"), f"dependencies[{i}].dependsOn")
        src = ref_to_id.get(_s(dep.get("ref")))
        if src is None:
            continue
        for t in targets:
            target = ref_to_id.get(_s(t))
            if target is not None and target != src and (src, target) not in typed_pairs:
                rels.add(Relationship(source=src, target=target, type=RelType.DEPENDS_ON))

    tool_name, tool_version = _tool(metadata)
    return Sbom(
        packages=tuple(packages),
        relationships=tuple(rels),
        source=_decode_source(metadata),
        distro=distro,
        created=_s(metadata.get("timestamp")),
        tool_name=tool_name or "unknown",
        tool_version=tool_version,
    )
