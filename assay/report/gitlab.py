"""GitLab container-scanning report (security report schema 15), for ``artifacts:reports:container_scanning``.

Each finding becomes a vulnerability with a UUID derived from the image, the
package and the vulnerability id (the same finding keeps its id from one pipeline
to the next, which is how GitLab tracks it), the CVE as primary identifier
followed by every alias, CVSS v2/v3 vectors, links, and a solution naming the
fixed version.  Ignored matches are left out (GitLab has no way to show them as
suppressed); the scan's warnings become ``scan.messages``.

The report declares schema version 15.0.7, the first with ``cvss_vectors``
(CVSS v2 and v3 only: it predates CVSS v4), and also validates against the
newest 15.x schema (15.2.4).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ..match.finding import Finding, ScanResult
from ._common import (
    SEVERITY_TITLE,
    ReportOptions,
    cvss_severities,
    dumps,
    http_urls,
    id_info,
    ids_ordered,
    image_name,
    ordered,
    os_name,
)

__all__ = ["SCHEMA_VERSION", "render"]

SCHEMA_VERSION = "15.0.7"
SCHEMA_URL = f"https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{SCHEMA_VERSION}/dist/container-scanning-report-format.json"

# uuid5 namespace for finding ids (a fixed random UUID: ids are stable across runs and versions)
_NAMESPACE = uuid.UUID("6f1b7c1e-8a2d-4b8e-9a63-2f4d9c1a5e70")

_SEVERITY = dict(SEVERITY_TITLE, negligible="Info")
_V3 = re.compile(r"^CVSS:3[.][01]/")
_V2 = re.compile(r"^\(?(AV:[NAL]/.*?)\)?$")


def _gitlab_time(ts: str) -> str:
    """``2024-01-01T00:00:00Z`` -> ``2024-01-01T00:00:00`` (the schema's pattern)."""
    return ts[:19]


def _vectors(f: Finding) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for s in cvss_severities(f):
        vector = s.vector.strip()
        if s.kind == "CVSS_V2":
            m = _V2.match(vector.removeprefix("CVSS:2.0/"))
            vector = m.group(1) if m else ""
        elif s.kind != "CVSS_V3" or not _V3.match(vector):
            continue  # no CVSS v4: schema 15.0.7 predates it
        if vector and not any(v["vector"] == vector for v in out):
            out.append({"vendor": s.source or "unknown", "vector": vector})
    return out[:10]


def _solution(f: Finding) -> str:
    p = f.package
    if f.fix_state == "fixed" and f.fixed_versions:
        return f"Upgrade {p.name} to {' or '.join(f.fixed_versions)}"
    if f.fix_state == "wont-fix":
        return f"The maintainers of {p.name} will not fix this vulnerability"
    if f.fix_state == "not-fixed":
        return f"No fixed version of {p.name} is available yet"
    return "No solution is known"


def finding_uuid(image: str, f: Finding) -> str:
    p = f.package
    key = f"{image}\x00{p.type}\x00{p.name}\x00{p.version}\x00{p.purl}\x00{p.id}\x00{f.id}"
    return str(uuid.uuid5(_NAMESPACE, key))


def _vulnerability(result: ScanResult, image: str, os_text: str, f: Finding) -> dict[str, Any]:
    p = f.package
    identifiers = []
    for vid in ids_ordered(f):
        info = id_info(vid)
        ident: dict[str, str] = {"type": info.type, "name": vid, "value": vid}
        if info.url:
            ident["url"] = info.url
        identifiers.append(ident)
    name = f"{ids_ordered(f)[0]} in {p.name}"
    out: dict[str, Any] = {
        "id": finding_uuid(image, f),
        "name": name[:255],
        "description": (f.summary or f"{p.name} {p.version} is affected by {f.id}.")[:1_048_576],
        "severity": _SEVERITY.get(f.severity, "Unknown"),
        "solution": _solution(f)[:7000],
        "identifiers": identifiers,
    }
    vectors = _vectors(f)
    if vectors:
        out["cvss_vectors"] = vectors
    links = [{"url": u} for u in http_urls([*f.urls, *(id_info(v).url for v in ids_ordered(f))])]
    if links:
        out["links"] = links
    out["location"] = {
        "dependency": {"package": {"name": p.name}, "version": p.version},
        "operating_system": os_text,
        "image": image,
    }
    return out


def render(result: ScanResult, options: ReportOptions) -> bytes:
    image = image_name(result)
    os_text = os_name(result) or "Unknown"
    tool = {
        "id": "assay",
        "name": "assay",
        "version": options.tool_version or "unknown",
        "vendor": {"name": "assay"},
    }
    scan: dict[str, Any] = {
        "analyzer": dict(tool),
        "scanner": dict(tool),
        "type": "container_scanning",
        "start_time": _gitlab_time(options.started),
        "end_time": _gitlab_time(options.finished),
        "status": "success",
    }
    if result.warnings:
        scan["messages"] = [{"level": "warn", "value": w} for w in result.warnings if w]
    doc = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": scan,
        "vulnerabilities": [_vulnerability(result, image, os_text, f) for f in ordered(result.findings)],
    }
    return dumps(doc)
