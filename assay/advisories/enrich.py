"""Exploit intelligence: the CISA KEV catalogue and FIRST EPSS scores.

* KEV: ``known_exploited_vulnerabilities.json`` (``{catalogVersion,
  dateReleased, vulnerabilities: [{cveID, vendorProject, product, dateAdded,
  dueDate, knownRansomwareCampaignUse, ...}]}``).  Each entry is kept whole;
  :meth:`AdvisoryDB.kev` returns it for a CVE.
* EPSS: the daily CSV (``epss_scores-YYYY-MM-DD.csv.gz``): an optional
  ``#model_version:v2025.03.14,score_date:2025-08-25T00:00:00+0000`` comment
  line, a ``cve,epss,percentile`` header, then one row per CVE.

An import replaces the previous catalogue or score set as a whole (they are
snapshots, not incremental feeds).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Mapping

from ..errors import FormatError
from .feeds import Epss, Kev, _decompress

__all__ = ["parse_kev", "parse_epss", "read_kev", "read_epss"]


def parse_kev(doc: Mapping[str, Any], *, where: str) -> Kev:
    """The KEV catalogue; entries without a ``cveID`` are dropped."""
    vulns = doc.get("vulnerabilities")
    if not isinstance(vulns, list):
        raise FormatError(f"{where}: not a KEV catalogue (no vulnerabilities list)")
    entries = tuple(v for v in vulns if isinstance(v, dict) and isinstance(v.get("cveID"), str) and v["cveID"])
    return Kev(entries=entries, version=str(doc.get("catalogVersion") or ""), released=str(doc.get("dateReleased") or ""))


def parse_epss(data: bytes, *, where: str) -> Epss:
    """EPSS rows from the CSV (compressed or not); a malformed row is an error naming its line."""
    data = _decompress(data, where)
    text = data.decode("utf-8-sig", errors="replace")
    model = date = ""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and lines[start].startswith("#"):
        for part in lines[start].lstrip("#").split(","):
            key, _, value = part.partition(":")
            if key.strip() == "model_version":
                model = value.strip()
            elif key.strip() == "score_date":
                date = value.strip()
        start += 1
    reader = csv.reader(io.StringIO("\n".join(lines[start:])))
    header = next(reader, None)
    if not header or [h.strip().lower() for h in header[:3]] != ["cve", "epss", "percentile"]:
        raise FormatError(f"{where}: not an EPSS CSV (expected a cve,epss,percentile header)")
    rows = []
    for n, row in enumerate(reader, start=start + 2):
        if not row:
            continue
        try:
            rows.append((row[0].strip(), float(row[1]), float(row[2])))
        except (IndexError, ValueError):
            raise FormatError(f"{where}:{n}: malformed EPSS row {','.join(row)[:80]!r}") from None
    return Epss(rows=tuple(rows), model_version=model, score_date=date)


def read_kev(path: str) -> Kev:
    import json

    try:
        with open(path, "rb") as fh:
            doc = json.loads(_decompress(fh.read(), path))
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise FormatError(f"{path}: invalid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise FormatError(f"{path}: not a KEV catalogue")
    return parse_kev(doc, where=path)


def read_epss(path: str) -> Epss:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise FormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_epss(data, where=path)
