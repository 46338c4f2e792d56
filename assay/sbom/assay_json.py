"""assay's own JSON: every field of the model, losslessly, for round trips and the inventory."""

from __future__ import annotations

import json
from typing import Any

from ..errors import FormatError
from ..model import Distro, ImageInfo, Layer, License, Location, Package, Relationship, RelType, Sbom, SourceInfo

__all__ = ["encode", "decode", "identify", "SCHEMA"]

SCHEMA = "https://github.com/assay-dev/assay/schema/assay-json/1"


def _pkg(p: Package) -> dict[str, Any]:
    d: dict[str, Any] = {"id": p.id, "name": p.name, "version": p.version, "type": p.type}
    for key in ("found_by", "purl", "supplier", "author", "description", "homepage", "arch", "source_name", "source_version", "language", "layer"):
        v = getattr(p, key)
        if v:
            d[key] = v
    if p.epoch is not None:
        d["epoch"] = p.epoch
    if p.dev:
        d["dev"] = True
    if p.cpes:
        d["cpes"] = list(p.cpes)
    if p.licenses:
        d["licenses"] = [{k: v for k, v in (("value", l.value), ("spdx", l.spdx), ("location", l.location)) if v} for l in p.licenses]
    if p.locations:
        d["locations"] = [l.to_dict() for l in p.locations]
    if p.files:
        d["files"] = list(p.files)
    if p.digests:
        d["digests"] = [{"algorithm": a, "value": v} for a, v in p.digests]
    if p.metadata:
        d["metadata"] = dict(p.metadata)
    return d


def _source(s: SourceInfo) -> dict[str, Any]:
    d: dict[str, Any] = {k: getattr(s, k) for k in ("kind", "input", "name", "version", "path", "digest") if getattr(s, k)}
    if s.image is not None:
        i = s.image
        img: dict[str, Any] = {
            k: getattr(i, k)
            for k in ("manifest_digest", "manifest_media_type", "config_digest", "index_digest", "architecture", "os", "variant", "created", "size")
            if getattr(i, k)
        }
        if i.tags:
            img["tags"] = list(i.tags)
        if i.repo_digests:
            img["repo_digests"] = list(i.repo_digests)
        if i.labels:
            img["labels"] = dict(i.labels)
        img["layers"] = [{k: v for k, v in (("digest", l.digest), ("media_type", l.media_type), ("size", l.size), ("diff_id", l.diff_id)) if v} for l in i.layers]
        d["image"] = img
    return d


def encode(sbom: Sbom, version: str = "1") -> bytes:
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": sbom.tool_name, "version": sbom.tool_version},
        "created": sbom.created,
        "serial": f"urn:uuid:{sbom.serial_uuid}",
        "source": _source(sbom.source),
        "distro": sbom.distro.to_dict() if sbom.distro else None,
        "packages": [_pkg(p) for p in sbom.packages],
        "relationships": [{"source": r.source, "target": r.target, "type": r.type.value} for r in sbom.relationships],
    }
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()


def identify(data: bytes) -> str | None:
    head = data[:512]
    if b"assay-json/" not in head:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if isinstance(doc, dict) and str(doc.get("schema", "")).startswith(SCHEMA.rsplit("/", 1)[0]):
        return str(doc["schema"]).rsplit("/", 1)[1]
    return None


def decode(data: bytes) -> Sbom:
    try:
        doc = json.loads(data)
        return _decode(doc)
    except FormatError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise FormatError(f"not a valid assay JSON document: {type(exc).__name__}: {exc}") from exc


def _decode(doc: dict[str, Any]) -> Sbom:
    if not isinstance(doc, dict) or "packages" not in doc:
        raise FormatError("not an assay JSON document")
    pkgs = []
    for d in doc["packages"]:
        pkgs.append(
            Package(
                id=d["id"],
                name=d["name"],
                version=d.get("version", ""),
                type=d.get("type", ""),
                found_by=d.get("found_by", ""),
                purl=d.get("purl", ""),
                cpes=tuple(d.get("cpes", ())),
                licenses=tuple(License(value=l.get("value", ""), spdx=l.get("spdx", ""), location=l.get("location", "")) for l in d.get("licenses", ())),
                supplier=d.get("supplier", ""),
                author=d.get("author", ""),
                description=d.get("description", ""),
                homepage=d.get("homepage", ""),
                arch=d.get("arch", ""),
                epoch=d.get("epoch"),
                source_name=d.get("source_name", ""),
                source_version=d.get("source_version", ""),
                language=d.get("language", ""),
                dev=bool(d.get("dev", False)),
                layer=d.get("layer", ""),
                locations=tuple(Location(path=l["path"], layer=l.get("layer", ""), access_path=l.get("accessPath", "")) for l in d.get("locations", ())),
                files=tuple(d.get("files", ())),
                digests=tuple((x["algorithm"], x["value"]) for x in d.get("digests", ())),
                metadata=d.get("metadata", {}),
            )
        )
    rels = [Relationship(source=r["source"], target=r["target"], type=RelType(r["type"])) for r in doc.get("relationships", ())]
    s = doc.get("source") or {"kind": "unknown"}
    image = None
    if "image" in s:
        i = s["image"]
        image = ImageInfo(
            manifest_digest=i.get("manifest_digest", ""),
            manifest_media_type=i.get("manifest_media_type", ""),
            config_digest=i.get("config_digest", ""),
            index_digest=i.get("index_digest", ""),
            tags=tuple(i.get("tags", ())),
            repo_digests=tuple(i.get("repo_digests", ())),
            layers=tuple(Layer(digest=l.get("digest", ""), media_type=l.get("media_type", ""), size=l.get("size", 0), diff_id=l.get("diff_id", "")) for l in i.get("layers", ())),
            labels=tuple(sorted(i.get("labels", {}).items())),
            architecture=i.get("architecture", ""),
            os=i.get("os", ""),
            variant=i.get("variant", ""),
            created=i.get("created", ""),
            size=i.get("size", 0),
        )
    source = SourceInfo(
        kind=s.get("kind", "unknown"), input=s.get("input", ""), name=s.get("name", ""), version=s.get("version", ""), path=s.get("path", ""), digest=s.get("digest", ""), image=image
    )
    dd = doc.get("distro")
    distro = None
    if dd:
        distro = Distro(**{k: (tuple(v) if k == "id_like" else v) for k, v in dd.items() if k in Distro.__dataclass_fields__})
    tool = doc.get("tool") or {}
    return Sbom(
        packages=tuple(pkgs),
        relationships=tuple(rels),
        source=source,
        distro=distro,
        created=doc.get("created", ""),
        tool_name=tool.get("name", "assay"),
        tool_version=tool.get("version", ""),
    )
