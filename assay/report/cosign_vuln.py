"""The predicate of a cosign vulnerability attestation (``https://cosign.sigstore.dev/attestation/vuln/v1``).

    {"invocation": {"parameters", "uri", "event_id", "builder.id"},
     "scanner": {"uri", "version", "db": {"uri", "version"}, "result": <the JSON report>},
     "metadata": {"scanStartedOn", "scanFinishedOn"}}

This is the shape of cosign's test predicate and policy examples (one
``scanner`` object; the spec's example shows a ``scanners`` list).  ``result`` is the
grype-compatible JSON report, so a policy written for grype's attestations reads
ours.  ``invocation`` comes from :class:`ReportOptions`; :func:`invocation_from_env`
fills it from a CI environment (GitHub Actions, GitLab CI) for the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..match.finding import ScanResult
from . import json as json_report
from ._common import ReportOptions, dumps

__all__ = ["PREDICATE_TYPE", "invocation_from_env", "predicate", "render"]

PREDICATE_TYPE = "https://cosign.sigstore.dev/attestation/vuln/v1"


def _db_version(db: Mapping[str, Any]) -> str:
    """``v<schema>-<built>`` (e.g. ``v1-2024-05-01T00:00:00Z``), from what the database reports of itself."""
    schema = db.get("schema") or db.get("schema_version")
    built = db.get("built") or db.get("built_at") or ""
    parts = [f"v{schema}" if schema not in (None, "") else "", str(built)]
    return "-".join(p for p in parts if p)


def predicate(result: ScanResult, options: ReportOptions) -> dict[str, Any]:
    version = options.tool_version
    return {
        "invocation": {
            "parameters": list(options.parameters) if options.parameters is not None else None,
            "uri": options.invocation_uri,
            "event_id": options.event_id,
            "builder.id": options.builder_id,
        },
        "scanner": {
            "uri": f"pkg:generic/assay@{version}" if version else "pkg:generic/assay",
            "version": version,
            "db": {"uri": str(result.db.get("uri") or result.db.get("url") or ""), "version": _db_version(result.db)},
            "result": json_report.document(result, options),
        },
        "metadata": {"scanStartedOn": options.started, "scanFinishedOn": options.finished},
    }


def render(result: ScanResult, options: ReportOptions) -> bytes:
    return dumps(predicate(result, options))


def invocation_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """``invocation_uri``/``event_id``/``builder_id`` for :class:`ReportOptions` from CI variables ({} outside CI)."""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return {
            "invocation_uri": f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}",
            "event_id": env["GITHUB_RUN_ID"],
            "builder_id": "GitHub Actions",
        }
    if env.get("CI_JOB_URL") and env.get("CI_JOB_ID"):
        return {"invocation_uri": env["CI_JOB_URL"], "event_id": env["CI_JOB_ID"], "builder_id": "GitLab CI"}
    return {}
