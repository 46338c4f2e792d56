"""Grype's JSON document, so that tools reading ``grype -o json`` read ours.

    {"matches": [...], "ignoredMatches": [...], "source": ..., "distro": ..., "descriptor": ...}

Each match has grype's ``vulnerability`` (id, dataSource, namespace, severity,
urls, description, cvss[], fix, advisories, risk, knownExploited[], epss[]),
``relatedVulnerabilities`` (one per alias), ``matchDetails`` (matcher, what was
searched, which record and range held) and ``artifact`` (the package).  Ignored
matches carry ``appliedIgnoreRules``: the ignore rule, or the VEX statement with
its status and justification.  The document validates against grype's published
schema (``schema/grype/document/json/schema-1.0.0.json``).

Beyond grype: ``vulnerability.aliases`` (every other id, plainly),
``vulnerability.severitySource`` (who gave the rating), ``vulnerability.ratings``
(ratings that came without a CVSS vector, e.g. a distro's urgency), each applied
rule's ``kind`` (rule, vex, distro-fixed, ...) and, for VEX, the ``statement``;
top-level ``warnings`` when the scan had any.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..match.finding import Finding, Ignored, MatchDetail, ScanResult
from ..model import Location, Package, Sbom, SourceInfo
from ._common import (
    SEVERITY_TITLE,
    ReportOptions,
    Suppression,
    cvss_severities,
    cvss_version,
    epss_record,
    id_info,
    jsonable,
    kev_record,
    namespace_of,
    ordered,
    ordered_ignored,
    primary_severity,
    risk,
    score_band,
    suppression,
)

__all__ = ["document", "render"]

# alias kinds that are a vendor's advisory about the fix (grype's ``advisories``)
_ADVISORY_TYPES = frozenset({"dsa", "dla", "dtsa", "usn", "rhsa", "rhba", "rhea", "elsa", "alsa", "rlsa", "alas", "cga"})


def _location(loc: Location) -> dict[str, Any]:
    out: dict[str, Any] = {"path": loc.path}
    if loc.layer:
        out["layerID"] = loc.layer
    out["accessPath"] = loc.access_path or loc.path
    return out


def artifact(p: Package) -> dict[str, Any]:
    upstreams: list[dict[str, str]] = []
    if p.source_name and (p.source_name != p.name or (p.source_version and p.source_version != p.version)):
        up = {"name": p.source_name}
        if p.source_version:
            up["version"] = p.source_version
        upstreams.append(up)
    return {
        "id": p.id,
        "name": p.name,
        "version": p.version,
        "type": p.type,
        "locations": [_location(loc) for loc in p.locations],
        "language": p.language,
        "licenses": [lic.best for lic in p.licenses],
        "cpes": list(p.cpes),
        "purl": p.purl,
        "upstreams": upstreams,
    }


def _cvss(f: Finding) -> list[dict[str, Any]]:
    primary = primary_severity(f)
    out = []
    for s in cvss_severities(f):
        if s.score is None:
            continue  # grype's schema needs a base score
        out.append(
            {
                "source": s.source,
                "type": "Primary" if s is primary else "Secondary",
                "version": cvss_version(s),
                "vector": s.vector,
                "metrics": {"baseScore": s.score},
                "vendorMetadata": {},
            }
        )
    return out


def _related(f: Finding) -> list[dict[str, Any]]:
    """One entry per alias; the CVE alias carries NVD's scores (as grype shows NVD's record there)."""
    out = []
    for alias in sorted(a for a in f.aliases if a != f.id):
        info = id_info(alias)
        entry: dict[str, Any] = {
            "id": alias,
            "dataSource": info.url,
            "namespace": "nvd:cpe" if info.type == "cve" else info.type,
        }
        cvss: list[dict[str, Any]] = []
        if info.type == "cve":
            nvd = [s for s in cvss_severities(f) if s.source.lower() == "nvd" and s.score is not None]
            if nvd:
                entry["severity"] = SEVERITY_TITLE[score_band(max(s.score or 0.0 for s in nvd))]
            cvss = [
                {"source": s.source, "type": "Primary", "version": cvss_version(s), "vector": s.vector, "metrics": {"baseScore": s.score}, "vendorMetadata": {}}
                for s in nvd
            ]
        entry["urls"] = [info.url] if info.url else []
        entry["cvss"] = cvss
        out.append(entry)
    return out


def _searched_by(d: MatchDetail, p: Package) -> dict[str, Any]:
    out: dict[str, Any] = {}
    eco_id, sep, eco_version = d.ecosystem.partition(":")
    if sep and eco_id != "cpe":
        out["distro"] = {"type": eco_id, "version": eco_version}
    elif p.language:
        out["language"] = p.language
    out["namespace"] = d.ecosystem
    out["package"] = {"name": d.package, "version": d.version}
    return out


def _details(f: Finding) -> list[dict[str, Any]]:
    out = []
    for d in f.details:
        entry: dict[str, Any] = {
            "type": d.type,
            "matcher": d.matcher,
            "searchedBy": _searched_by(d, f.package),
            "found": {"vulnerabilityID": d.record, "versionConstraint": d.constraint},
        }
        if f.fix_state == "fixed" and f.fixed_versions:
            entry["fix"] = {"suggestedVersion": f.fixed_versions[0]}
        out.append(entry)
    return out


def vulnerability(f: Finding, epss_date: str = "") -> dict[str, Any]:
    info = id_info(f.id)
    out: dict[str, Any] = {
        "id": f.id,
        "dataSource": info.url or (f.urls[0] if f.urls else ""),
        "namespace": namespace_of(f),
        "severity": SEVERITY_TITLE.get(f.severity, f.severity),
        "urls": list(f.urls),
        "description": f.summary,
        "cvss": _cvss(f),
    }
    kev = kev_record(f)
    if kev:
        out["knownExploited"] = [kev]
    epss = epss_record(f, epss_date)
    if epss:
        out["epss"] = [epss]
    out["fix"] = {"versions": list(f.fixed_versions), "state": f.fix_state}
    out["advisories"] = [{"id": a, "link": id_info(a).url} for a in sorted(f.aliases) if id_info(a).type in _ADVISORY_TYPES]
    out["risk"] = risk(f)
    out["aliases"] = sorted(a for a in f.aliases if a != f.id)
    if f.severity_source:
        out["severitySource"] = f.severity_source
    ratings = [{"source": s.source, "severity": SEVERITY_TITLE.get(s.rating, s.rating)} for s in f.severities if s.kind == "rating" and s.rating]
    if ratings:
        out["ratings"] = sorted(ratings, key=lambda r: (r["source"], r["severity"]))
    return out


def match(f: Finding, epss_date: str = "") -> dict[str, Any]:
    return {
        "vulnerability": vulnerability(f, epss_date),
        "relatedVulnerabilities": _related(f),
        "matchDetails": _details(f),
        "artifact": artifact(f.package),
    }


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None else str(v))


def _rule_package(pkg: Any) -> dict[str, str] | None:
    if not isinstance(pkg, Mapping):
        return None
    out = {"name": _str(pkg.get("name")), "version": _str(pkg.get("version")), "language": _str(pkg.get("language"))}
    for key in ("type", "location", "upstream-name"):
        if pkg.get(key):
            out[key] = _str(pkg.get(key))
    return {k: v for k, v in out.items() if v or k == "language"}


def applied_rule(ig: Ignored, s: Suppression) -> dict[str, Any]:
    """The rule or statement that suppressed ``ig``, in grype's ``IgnoreRule`` shape plus ``kind``."""
    f = ig.finding
    rule = s.rule or {}
    out: dict[str, Any] = {}
    if ig.kind == "vex":
        vuln = rule.get("vulnerability")
        if isinstance(vuln, Mapping):
            vuln = vuln.get("name") or vuln.get("@id")
        out["vulnerability"] = _str(vuln) or f.id
        out["namespace"] = "vex"
        if s.status:
            out["vex-status"] = s.status
        if s.justification:
            out["vex-justification"] = s.justification
        if s.reason:
            out["reason"] = s.reason
        out["kind"] = "vex"
        if rule:
            out["statement"] = rule
        return out
    if ig.kind == "rule" and rule:
        if rule.get("vulnerability"):
            out["vulnerability"] = _str(rule.get("vulnerability"))
        if s.reason:
            out["reason"] = s.reason
        out["namespace"] = _str(rule.get("namespace"))
        if rule.get("fix-state"):
            out["fix-state"] = _str(rule.get("fix-state"))
        pkg = _rule_package(rule.get("package"))
        if pkg:
            out["package"] = pkg
        for key in ("vex-status", "vex-justification", "match-type"):
            if rule.get(key):
                out[key] = _str(rule.get(key))
        for key in ("expires", "expiry", "until"):
            if rule.get(key):
                out["expires"] = _str(rule.get(key))
                break
        out["kind"] = "rule"
        return out
    out["namespace"] = namespace_of(f)
    if s.reason:
        out["reason"] = s.reason
    out["kind"] = ig.kind
    return out


def _image_target(src: SourceInfo) -> dict[str, Any]:
    img = src.image
    target: dict[str, Any] = {"userInput": src.input or src.name}
    if img is None:
        target["manifestDigest"] = src.digest
        return target
    target.update(
        {
            "imageID": img.config_digest,
            "manifestDigest": img.manifest_digest or src.digest,
            "mediaType": img.manifest_media_type,
            "tags": list(img.tags),
            "imageSize": img.size,
            "layers": [{"mediaType": layer.media_type, "digest": layer.diff_id or layer.digest, "size": layer.size} for layer in img.layers],
            "repoDigests": list(img.repo_digests),
            "architecture": img.architecture,
            "os": img.os,
        }
    )
    if img.variant:
        target["architectureVariant"] = img.variant
    if img.labels:
        target["labels"] = dict(img.labels)
    return target


def source(sbom: Sbom) -> dict[str, Any]:
    src = sbom.source
    if src.kind == "image":
        return {"type": "image", "target": _image_target(src)}
    if src.kind in ("directory", "file"):
        return {"type": src.kind, "target": src.path or src.input}
    if src.input.startswith("sbom:"):
        return {"type": "sbom-file", "target": src.input[len("sbom:") :]}
    return {"type": "unknown", "target": "unknown"}


def distro(result: ScanResult) -> dict[str, Any]:
    d = result.sbom.distro
    if result.distro_override:
        name, _, version = result.distro_override.partition(":")
        like = list(d.id_like) if d is not None and d.id == name else []
        return {"name": name, "version": version, "idLike": like}
    if d is None:
        return {"name": "", "version": "", "idLike": []}
    return {"name": d.id, "version": d.version_id, "idLike": list(d.id_like)}


def document(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    """The report as a JSON-shaped dict (cosign-vuln embeds it as the scan result)."""
    epss_date = _str(result.db.get("epss_date", ""))
    ignored = []
    for ig in ordered_ignored(result.ignored):
        entry = match(ig.finding, epss_date)
        entry["appliedIgnoreRules"] = [applied_rule(ig, suppression(ig))]
        ignored.append(entry)
    descriptor: dict[str, Any] = {"name": "assay", "version": options.tool_version}
    if options.configuration is not None:
        descriptor["configuration"] = jsonable(options.configuration)
    descriptor["db"] = jsonable(result.db)
    descriptor["timestamp"] = options.finished
    doc: dict[str, Any] = {
        "matches": [match(f, epss_date) for f in ordered(result.findings, options.sort_by)],
        "ignoredMatches": ignored,
        "source": source(result.sbom),
        "distro": distro(result),
        "descriptor": descriptor,
    }
    if result.warnings:
        doc["warnings"] = list(result.warnings)
    return doc


def render(result: ScanResult, options: ReportOptions) -> bytes:
    from ._common import dumps

    return dumps(document(result, options))
