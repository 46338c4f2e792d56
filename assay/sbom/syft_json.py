"""syft's own JSON format (``syft-json``): decoder for schemas 1.x-16.x, encoder for 16.0.x.

The encoder writes what grype reads: ``artifacts`` (id, name, version, type,
foundBy, locations, licenses, language, cpes, purl and, for the ecosystems whose
matchers look at it, ``metadataType``/``metadata`` built from the model: dpkg
source package, apk origin, rpm epoch and source RPM...), ``artifactRelationships``,
``source``, ``distro``, ``descriptor`` and ``schema`` (whose URL names
anchore/syft, which is how syft and grype recognise the format).

The decoder accepts both the current layout and the old one (``source.target``,
plain-string licenses and CPEs, ``distro.idLike`` as a string).  The syft
metadata of each artifact is kept in ``Package.metadata`` (with its
``metadataType``) so a decoded document encodes back with the same metadata.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

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
from ..model import tool_version as _tool_version
from ._spdx import _split_contact, split_source_rpm
from .spdx_json import dump_lines, load_json

__all__ = ["SCHEMA_URL", "SCHEMA_VERSION", "decode", "encode", "identify"]

FORMAT = "syft-json"
SCHEMA_VERSION = "16.0.0"
SCHEMA_URL = f"https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-{SCHEMA_VERSION}.json"


# --------------------------------------------------------------------------- encoding


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(r[:1].upper() + r[1:] for r in rest)


def _rpm_parts(version: str) -> tuple[str, str]:
    """``[epoch:]version-release`` -> (version, release)."""
    version = version.split(":", 1)[1] if re.match(r"^\d+:", version) else version
    if "-" in version:
        v, _, r = version.rpartition("-")
        return v, r
    return version, ""


def _file_records(p: Package, extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    return [{"path": f, **(extra or {})} for f in p.files]


def _dpkg(p: Package) -> dict[str, Any]:
    return {
        "package": p.name,
        "source": p.source_name,
        "version": p.version,
        "sourceVersion": p.source_version,
        "architecture": p.arch,
        "maintainer": p.supplier,
        "installedSize": 0,
        "files": _file_records(p, {"isConfigFile": False}),
    }


def _apk(p: Package) -> dict[str, Any]:
    return {
        "package": p.name,
        "originPackage": p.source_name,
        "maintainer": p.supplier,
        "version": p.version,
        "architecture": p.arch,
        "url": p.homepage,
        "description": p.description,
        "size": 0,
        "installedSize": 0,
        "pullDependencies": [],
        "provides": [],
        "pullChecksum": "",
        "gitCommitOfApkPort": "",
        "files": _file_records(p),
    }


def _rpm(p: Package) -> dict[str, Any]:
    version, release = _rpm_parts(p.version)
    return {
        "name": p.name,
        "version": version,
        "epoch": p.epoch,
        "architecture": p.arch,
        "release": release,
        "sourceRpm": f"{p.source_name}-{p.source_version}.src.rpm" if p.source_name and p.source_version else p.source_name,
        "size": 0,
        "vendor": p.supplier,
        "files": [],
    }


def _python(p: Package) -> dict[str, Any]:
    name, email = _split_contact(p.author) if p.author else ("", "")
    return {
        "name": p.name,
        "version": p.version,
        "author": name if name != email else "",
        "authorEmail": email,
        "platform": "",
        "sitePackagesRootPath": "",
    }


def _npm(p: Package) -> dict[str, Any]:
    return {
        "name": p.name,
        "version": p.version,
        "author": p.author,
        "homepage": p.homepage,
        "description": p.description,
        "url": "",
        "private": False,
    }


def _java(p: Package) -> dict[str, Any]:
    out: dict[str, Any] = {"virtualPath": p.locations[0].path if p.locations else ""}
    m = re.match(r"^pkg:maven/([^/@?#]+)/([^/@?#]+)", p.purl)
    if m:
        from urllib.parse import unquote

        out["pomProperties"] = {
            "path": "",
            "name": unquote(m.group(2)),
            "groupId": unquote(m.group(1)),
            "artifactId": unquote(m.group(2)),
            "version": p.version,
        }
    digests = [{"algorithm": a, "value": v} for a, v in p.digests]
    if digests:
        out["digest"] = digests
    return out


def _cargo(p: Package) -> dict[str, Any]:
    return {"name": p.name, "version": p.version, "source": "", "checksum": "", "dependencies": []}


_METADATA: dict[str, tuple[str, Any]] = {
    "deb": ("dpkg-db-entry", _dpkg),
    "apk": ("apk-db-entry", _apk),
    "rpm": ("rpm-db-entry", _rpm),
    "python": ("python-package", _python),
    "npm": ("javascript-npm-package", _npm),
    "java-archive": ("java-archive", _java),
    "jenkins-plugin": ("java-archive", _java),
    "rust-crate": ("rust-cargo-lock-entry", _cargo),
}


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if a is None:
        return isinstance(b, int)
    if isinstance(a, (int, float)):
        return isinstance(b, (int, float))
    return isinstance(b, type(a))


def _metadata(p: Package) -> tuple[str, Any]:
    """(metadataType, metadata) for ``p``; ("", None) when syft would write none."""
    meta = dict(p.metadata) if p.metadata else {}
    declared = meta.pop("metadataType", None)
    if isinstance(declared, str) and declared:
        return declared, meta
    if p.type not in _METADATA:
        return "", None
    mtype, build = _METADATA[p.type]
    out = build(p)
    for key, value in meta.items():  # cataloger extras that fit the syft shape
        k = key if key in out else _camel(key)
        if k in out and k != "files" and _same_kind(out[k], value):
            out[k] = list(value) if isinstance(value, tuple) else value
    return mtype, out


def _artifact(p: Package) -> dict[str, Any]:
    locations = []
    for i, loc in enumerate(p.locations):
        d: dict[str, Any] = {"path": loc.path}
        if loc.layer:
            d["layerID"] = loc.layer
        d["accessPath"] = loc.access_path or loc.path
        d["annotations"] = {"evidence": "primary" if i == 0 else "supporting"}
        locations.append(d)
    licenses = []
    for lic in p.licenses:
        entry: dict[str, Any] = {"value": lic.value, "spdxExpression": lic.spdx, "type": "declared", "urls": [], "locations": []}
        if lic.location:
            entry["locations"] = [{"path": lic.location, "accessPath": lic.location}]
        licenses.append(entry)
    out: dict[str, Any] = {
        "id": p.id,
        "name": p.name,
        "version": p.version,
        "type": p.type,
        "foundBy": p.found_by,
        "locations": locations,
        "licenses": licenses,
        "language": p.language,
        "cpes": [{"cpe": c} for c in p.cpes],
        "purl": p.purl,
    }
    mtype, meta = _metadata(p)
    if mtype:
        out["metadataType"] = mtype
        out["metadata"] = meta
    return out


def _source(src: SourceInfo) -> dict[str, Any]:
    img = src.image
    kind = src.kind if src.kind in ("image", "directory", "file") else "unknown"
    key = (img.manifest_digest if img else "") or src.digest
    sid = key.split(":", 1)[1] if ":" in key else hashlib.sha256(f"{kind}\x00{src.input}\x00{src.path}\x00{src.name}".encode()).hexdigest()
    out: dict[str, Any] = {
        "id": sid,
        "name": src.name or src.input or src.path,
        "version": src.version or ((img.manifest_digest if img else "") or src.digest),
        "type": kind,
    }
    if kind == "image" and img is not None:
        meta: dict[str, Any] = {
            "userInput": src.input or src.name,
            "imageID": img.config_digest,
            "manifestDigest": img.manifest_digest,
            "mediaType": img.manifest_media_type,
            "tags": list(img.tags),
            "imageSize": img.size,
            "layers": [{"mediaType": l.media_type, "digest": l.diff_id or l.digest, "size": l.size} for l in img.layers],
            "repoDigests": list(img.repo_digests),
            "architecture": img.architecture,
            "os": img.os,
        }
        if img.variant:
            meta["architectureVariant"] = img.variant
        if img.labels:
            meta["labels"] = dict(img.labels)
        out["metadata"] = meta
    elif kind == "directory":
        out["metadata"] = {"path": src.path or src.input or src.name}
    elif kind == "file":
        meta = {"path": src.path or src.input or src.name}
        if src.digest and ":" in src.digest:
            algo, value = src.digest.split(":", 1)
            meta["digests"] = [{"algorithm": algo, "value": value}]
        out["metadata"] = meta
    else:
        out["metadata"] = {}
    return out


def _distro(d: Distro | None) -> dict[str, Any]:
    if d is None:
        return {}
    out: dict[str, Any] = {}
    for key, value in (
        ("prettyName", d.pretty_name),
        ("name", d.name),
        ("id", d.id),
        ("idLike", list(d.id_like)),
        ("version", d.version),
        ("versionID", d.version_id),
        ("versionCodename", d.version_codename),
        ("buildID", d.build_id),
        ("variantID", d.variant_id),
        ("homeURL", d.home_url),
        ("cpeName", d.cpe_name),
    ):
        if value:
            out[key] = value
    return out


_REL_OUT = {
    RelType.DEPENDS_ON: ("dependency-of", None),
    RelType.DEV_DEPENDS_ON: ("dependency-of", {"scope": "dev"}),
    RelType.OPTIONAL_DEPENDS_ON: ("dependency-of", {"scope": "optional"}),
}


def encode(sbom: Sbom, version: str = SCHEMA_VERSION) -> bytes:
    if version and version.split(".")[0] != "16":
        raise FormatError(f"{FORMAT} schema {version} cannot be written (choose {SCHEMA_VERSION})")
    ids = {p.id for p in sbom.packages}
    rels = []
    for r in sbom.relationships:
        if r.source not in ids or r.target not in ids:
            continue
        if r.type == RelType.CONTAINS:
            rels.append({"parent": r.source, "child": r.target, "type": "contains"})
        elif r.type in _REL_OUT:
            rtype, meta = _REL_OUT[r.type]
            entry: dict[str, Any] = {"parent": r.target, "child": r.source, "type": rtype}
            if meta:
                entry["metadata"] = meta
            rels.append(entry)
    doc = {
        "artifacts": [_artifact(p) for p in sbom.packages],
        "artifactRelationships": rels,
        "source": _source(sbom.source),
        "distro": _distro(sbom.distro),
        "descriptor": {"name": sbom.tool_name or "assay", "version": sbom.tool_version or _tool_version()},
        "schema": {"version": SCHEMA_VERSION, "url": SCHEMA_URL},
    }
    return dump_lines(doc)


# --------------------------------------------------------------------------- decoding


def identify(data: bytes) -> str | None:
    """The syft JSON schema version of ``data`` (``schema.url`` names anchore/syft), else None."""
    if b"anchore/syft" not in data or data.lstrip()[:1] != b"{":
        return None
    try:
        doc = load_json(data, FORMAT)
    except FormatError:
        return None
    schema = doc.get("schema") if isinstance(doc, dict) else None
    if not isinstance(schema, dict):
        return None
    url, version = schema.get("url"), schema.get("version")
    if not isinstance(url, str) or "anchore/syft" not in url or not isinstance(version, str) or not version:
        return None
    return version


def _fail(where: str, msg: str) -> FormatError:
    return FormatError(f"{FORMAT}: {where}: {msg}")


def _s(obj: Mapping[str, Any], key: str, where: str) -> str:
    v = obj.get(key)
    if v is None:
        return ""
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        raise _fail(where, f"{key} must be a string, not {type(v).__name__}")
    return str(v)


def _l(obj: Mapping[str, Any], key: str, where: str) -> list[Any]:
    v = obj.get(key)
    if v is None:
        return []
    if not isinstance(v, list):
        raise _fail(where, f"{key} must be a list, not {type(v).__name__}")
    return v


def _locations(art: Mapping[str, Any], where: str) -> list[Location]:
    out = []
    for i, loc in enumerate(_l(art, "locations", where)):
        if isinstance(loc, str):
            out.append(Location(path=loc))
        elif isinstance(loc, dict):
            path = _s(loc, "path", f"{where}.locations[{i}]") or _s(loc, "realPath", f"{where}.locations[{i}]")
            if path:
                access = _s(loc, "accessPath", f"{where}.locations[{i}]")
                out.append(Location(path=path, layer=_s(loc, "layerID", f"{where}.locations[{i}]"), access_path=access if access != path else ""))
        else:
            raise _fail(f"{where}.locations[{i}]", "must be an object")
    return out


def _licenses(art: Mapping[str, Any], where: str) -> tuple[License, ...]:
    from .._internal.licenses import to_spdx

    out: dict[str, License] = {}
    for i, lic in enumerate(_l(art, "licenses", where)):
        if isinstance(lic, str):
            value, spdx, location = lic, "", ""
        elif isinstance(lic, dict):
            value = _s(lic, "value", f"{where}.licenses[{i}]")
            spdx = _s(lic, "spdxExpression", f"{where}.licenses[{i}]")
            locs = lic.get("locations") or []
            location = str(locs[0].get("path", "")) if locs and isinstance(locs[0], dict) else ""
        else:
            raise _fail(f"{where}.licenses[{i}]", "must be a string or an object")
        value = value.strip() or spdx
        if value and value not in out:
            out[value] = License(value=value, spdx=spdx or to_spdx(value), location=location)
    return tuple(out.values())


def _cpes(art: Mapping[str, Any], where: str) -> tuple[str, ...]:
    out: list[str] = []
    for i, c in enumerate(_l(art, "cpes", where)):
        value = c if isinstance(c, str) else c.get("cpe") if isinstance(c, dict) else None
        if not isinstance(value, str):
            raise _fail(f"{where}.cpes[{i}]", "must be a string or an object with cpe")
        if value and value not in out:
            out.append(value)
    return tuple(out)


def _from_metadata(mtype: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Model fields syft keeps in an artifact's metadata."""
    def g(key: str) -> str:
        v = meta.get(key)
        return str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else ""

    out: dict[str, Any] = {}
    low = mtype.lower()
    files = [f.get("path") for f in meta.get("files") or [] if isinstance(f, dict) and isinstance(f.get("path"), str)]
    if "dpkg" in low:
        out.update(supplier=g("maintainer"), source_name=g("source"), source_version=g("sourceVersion"), arch=g("architecture"))
        if " (" in out["source_name"]:  # old syft kept "src (version)"
            name, _, ver = out["source_name"].partition(" (")
            out.update(source_name=name, source_version=out["source_version"] or ver.rstrip(")"))
    elif "apk" in low:
        out.update(supplier=g("maintainer"), source_name=g("originPackage"), arch=g("architecture"), homepage=g("url"), description=g("description"))
    elif "rpm" in low:
        epoch = meta.get("epoch")
        name, version = split_source_rpm(g("sourceRpm"))
        out.update(supplier=g("vendor"), source_name=name, source_version=version, arch=g("architecture"))
        if isinstance(epoch, int) and not isinstance(epoch, bool):
            out["epoch"] = epoch
    elif "python" in low:
        author, email = g("author"), g("authorEmail")
        out["author"] = f"{author} <{email}>" if author and email else author or email
    elif "npm" in low or "javascript" in low:
        out.update(author=g("author"), homepage=g("homepage"), description=g("description"))
    elif "alpm" in low:
        out.update(supplier=g("packager"), arch=g("architecture"), homepage=g("url"), description=g("description"))
    elif "java" in low:
        digests = [(str(d.get("algorithm", "")), str(d.get("value", ""))) for d in meta.get("digest") or [] if isinstance(d, dict)]
        out["digests"] = tuple((a, v) for a, v in digests if a and v)
    elif "gem" in low:
        authors = meta.get("authors")
        if isinstance(authors, list):
            out["author"] = ", ".join(str(a) for a in authors)
        out["homepage"] = g("homepage")
    if files:
        out["files"] = tuple(files)
    return {k: v for k, v in out.items() if v not in ("", None, ())}


def _package(art: Any, i: int) -> Package:
    where = f"artifacts[{i}]"
    if not isinstance(art, dict):
        raise _fail(where, "must be an object")
    name = _s(art, "name", where)
    if not name.strip():
        raise _fail(where, "artifact without a name")
    mtype = _s(art, "metadataType", where)
    meta = art.get("metadata")
    fields: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    if isinstance(meta, dict):
        fields = _from_metadata(mtype, meta)
        metadata = dict(meta)
        if mtype:
            metadata["metadataType"] = mtype
    purl = _s(art, "purl", where)
    if "epoch" not in fields:
        m = re.search(r"[?&]epoch=(\d+)", purl)
        if m:
            fields["epoch"] = int(m.group(1))
    if "arch" not in fields:
        m = re.search(r"[?&]arch=([^&#]+)", purl)
        if m:
            fields["arch"] = m.group(1)
    if "source_name" not in fields:
        m = re.search(r"[?&]upstream=([^&#]+)", purl)
        if m:
            from urllib.parse import unquote

            up = unquote(m.group(1))
            if up.endswith(".rpm"):
                fields["source_name"], fields["source_version"] = split_source_rpm(up)
            elif "@" in up:
                fields["source_name"], fields["source_version"] = up.split("@", 1)
            else:
                fields["source_name"] = up
    locations = _locations(art, where)
    return Package(
        name=name,
        version=_s(art, "version", where),
        type=_s(art, "type", where) or "unknown",
        found_by=_s(art, "foundBy", where),
        purl=purl,
        cpes=_cpes(art, where),
        licenses=_licenses(art, where),
        language=_s(art, "language", where),
        layer=locations[0].layer if locations else "",
        locations=tuple(locations),
        metadata=metadata,
        id=_s(art, "id", where),
        **fields,
    )


def _source_info(doc: Mapping[str, Any]) -> SourceInfo:
    src = doc.get("source")
    if not isinstance(src, dict):
        return SourceInfo(kind="unknown")
    kind = _s(src, "type", "source") or "unknown"
    meta = src.get("metadata")
    if meta is None:
        meta = src.get("target")  # schema 1.x-6.x
    name = _s(src, "name", "source")
    version = _s(src, "version", "source")
    if kind == "image" and isinstance(meta, dict):
        layers = tuple(
            Layer(digest=str(l.get("digest", "")), diff_id=str(l.get("digest", "")), media_type=str(l.get("mediaType", "")), size=int(l.get("size") or 0))
            for l in meta.get("layers") or []
            if isinstance(l, dict)
        )
        labels: dict[str, Any] = meta["labels"] if isinstance(meta.get("labels"), dict) else {}
        if not labels and isinstance(meta.get("config"), str):
            labels = _config_labels(meta["config"])
        image = ImageInfo(
            manifest_digest=_s(meta, "manifestDigest", "source.metadata"),
            manifest_media_type=_s(meta, "mediaType", "source.metadata"),
            config_digest=_s(meta, "imageID", "source.metadata"),
            tags=tuple(str(t) for t in meta.get("tags") or []),
            repo_digests=tuple(str(t) for t in meta.get("repoDigests") or []),
            layers=layers,
            labels=tuple((str(k), str(v)) for k, v in labels.items()),
            architecture=_s(meta, "architecture", "source.metadata"),
            os=_s(meta, "os", "source.metadata"),
            variant=_s(meta, "architectureVariant", "source.metadata"),
            size=int(meta.get("imageSize") or 0),
        )
        user_input = _s(meta, "userInput", "source.metadata")
        return SourceInfo(
            kind="image",
            input=user_input,
            name=name or user_input,
            version="" if version == image.manifest_digest else version,
            digest=image.manifest_digest,
            image=image,
        )
    if kind in ("directory", "file"):
        path = meta if isinstance(meta, str) else _s(meta, "path", "source.metadata") if isinstance(meta, dict) else ""
        digest = ""
        if isinstance(meta, dict):
            for d in meta.get("digests") or []:
                if isinstance(d, dict) and d.get("algorithm") and d.get("value"):
                    digest = f"{d['algorithm']}:{d['value']}"
                    break
        return SourceInfo(kind=kind, input=path, name=name or path, version=version if version != digest else "", path=path, digest=digest)
    return SourceInfo(kind="unknown", name=name, version=version)


def _config_labels(config_b64: str) -> dict[str, str]:
    import base64
    import json

    try:
        cfg = json.loads(base64.b64decode(config_b64))
        labels = (cfg.get("config") or {}).get("Labels") or {}
        return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
    except (ValueError, AttributeError, TypeError):  # not base64, not JSON, not the expected shape
        return {}


def _distro_info(doc: Mapping[str, Any]) -> Distro | None:
    d = doc.get("distro")
    if not isinstance(d, dict) or not d:
        return None
    id_like = d.get("idLike")
    likes = tuple(id_like.split()) if isinstance(id_like, str) else tuple(str(x) for x in id_like or [])
    old = "versionID" not in d and "id" not in d  # schema 1.x: {name, version, idLike}
    distro = Distro(
        id=_s(d, "id", "distro") or (_s(d, "name", "distro").lower() if old else ""),
        version_id=_s(d, "versionID", "distro") or (_s(d, "version", "distro") if old else ""),
        version_codename=_s(d, "versionCodename", "distro"),
        id_like=likes,
        name=_s(d, "name", "distro"),
        pretty_name=_s(d, "prettyName", "distro"),
        version="" if old else _s(d, "version", "distro"),
        cpe_name=_s(d, "cpeName", "distro"),
        home_url=_s(d, "homeURL", "distro"),
        build_id=_s(d, "buildID", "distro"),
        variant_id=_s(d, "variantID", "distro"),
    )
    return distro if (distro.id or distro.name) else None


def decode(data: bytes) -> Sbom:
    doc = load_json(data, FORMAT)
    if not isinstance(doc, dict) or identify(data) is None:
        raise FormatError(f"{FORMAT}: not a syft JSON document (no schema.url naming anchore/syft)")
    arts = doc.get("artifacts")
    if arts is None:
        arts = []
    if not isinstance(arts, list):
        raise _fail("artifacts", "must be a list")
    packages = [_package(a, i) for i, a in enumerate(arts)]
    ids = {p.id for p in packages}
    rels: set[Relationship] = set()
    for i, r in enumerate(_l(doc, "artifactRelationships", "")):
        where = f"artifactRelationships[{i}]"
        if not isinstance(r, dict):
            raise _fail(where, "must be an object")
        parent, child, rtype = _s(r, "parent", where), _s(r, "child", where), _s(r, "type", where)
        if parent not in ids or child not in ids or parent == child:
            continue
        meta = r.get("metadata") if isinstance(r.get("metadata"), dict) else {}
        if rtype == "dependency-of":
            scope = meta.get("scope") if meta else None
            kind = RelType.DEV_DEPENDS_ON if scope == "dev" else RelType.OPTIONAL_DEPENDS_ON if scope == "optional" else RelType.DEPENDS_ON
            rels.add(Relationship(source=child, target=parent, type=kind))
        elif rtype == "contains":
            rels.add(Relationship(source=parent, target=child, type=RelType.CONTAINS))
    descriptor: Mapping[str, Any] = doc["descriptor"] if isinstance(doc.get("descriptor"), dict) else {}
    return Sbom(
        packages=tuple(packages),
        relationships=tuple(rels),
        source=_source_info(doc),
        distro=_distro_info(doc),
        tool_name=_s(descriptor, "name", "descriptor") or "unknown",
        tool_version=_s(descriptor, "version", "descriptor"),
    )
