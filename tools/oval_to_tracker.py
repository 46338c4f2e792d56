#!/usr/bin/env python3
"""Convert Debian OVAL definitions into Debian security tracker JSON.

Debian publishes ``oval-definitions-<codename>.xml`` generated from its
security tracker: one definition per (CVE, source package), whose test says
``<package> DPKG is earlier than <version>``.  This script turns them back into
the tracker's JSON shape (``{package: {CVE: {description, releases: {codename:
{status, fixed_version}}}}}``; OVAL does not say which versions
the archive holds, so ``repositories`` and ``urgency`` are left out), which ``assay db import`` reads.

Mapping:

* ``earlier than V`` (V != 0) -> ``{"status": "resolved", "fixed_version": V}``;
* ``earlier than 0`` -> ``{"status": "open"}``: Debian writes 0 when the
  release has no fixed version (the tracker's ``<unfixed>``); note that OVAL
  gives no urgency, so the tracker's "unimportant"/"no-dsa" nuance is lost.

Selection, to keep an excerpt small:

``--dpkg-status FILE``
    only source packages installed according to a dpkg status file
    (``Source:`` field, else ``Package:``);
``--open-unless-updated``
    with ``--dpkg-status``: drop open issues of packages whose installed
    version carries a Debian stable-update suffix (``+deb12u3``) — an update
    released after the OVAL snapshot may have fixed them, so the snapshot
    cannot be trusted for those;
``--fixed-per-package N``
    keep only the N most recent fixed issues per package (by CVE id).

Usage::

    python tools/oval_to_tracker.py oval-definitions-bookworm.xml.bz2 \\
        --dpkg-status var/lib/dpkg/status --open-unless-updated --fixed-per-package 2 -o excerpt.json
"""

from __future__ import annotations

import argparse
import bz2
import gzip
import json
import re
import sys
import xml.etree.ElementTree as ET
from typing import Any

NS = {"o": "http://oval.mitre.org/XMLSchema/oval-definitions-5"}
CODENAMES = {"7": "wheezy", "8": "jessie", "9": "stretch", "10": "buster", "11": "bullseye", "12": "bookworm", "13": "trixie"}
_EARLIER = re.compile(r"^(\S+) DPKG is earlier than (\S+)$")
_CVE_KEY = re.compile(r"^CVE-(\d+)-(\d+)$")


def _open(path: str) -> Any:
    if path.endswith(".bz2"):
        return bz2.open(path, "rb")
    if path.endswith(".gz"):
        return gzip.open(path, "rb")
    return open(path, "rb")


def read_oval(path: str) -> tuple[str, list[dict[str, str]]]:
    """(codename, [{cve, package, version, description}]) from an OVAL file."""
    with _open(path) as fh:
        root = ET.parse(fh).getroot()
    codename = ""
    entries = []
    for d in root.iterfind("o:definitions/o:definition", NS):
        title = (d.findtext("o:metadata/o:title", default="", namespaces=NS) or "").split()
        platform = d.findtext("o:metadata/o:affected/o:platform", default="", namespaces=NS) or ""
        m = re.search(r"Debian GNU/Linux (\d+)", platform)
        if m and not codename:
            codename = CODENAMES.get(m.group(1), m.group(1))
        if len(title) < 2:
            continue
        for crit in d.iter(f"{{{NS['o']}}}criterion"):
            em = _EARLIER.match(crit.get("comment", ""))
            if em:
                entries.append(
                    {
                        "cve": title[0],
                        "package": em.group(1),
                        "version": em.group(2),
                        "description": d.findtext("o:metadata/o:description", default="", namespaces=NS) or "",
                    }
                )
                break
    return codename, entries


def installed_sources(status_path: str) -> dict[str, str]:
    """Source package -> installed (source) version, from a dpkg status file."""
    out: dict[str, str] = {}
    with open(status_path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line[:1] not in (" ", "\t") and ":" in line:
                k, _, v = line.partition(":")
                fields[k] = v.strip()
        if not fields.get("Package") or "installed" not in fields.get("Status", "installed"):
            continue
        m = re.match(r"(\S+)(?:\s+\((.+)\))?", fields.get("Source", fields["Package"]))
        if m:
            out.setdefault(m.group(1), m.group(2) or fields.get("Version", ""))
    return out


def _cve_order(cve: str) -> tuple[int, int]:
    m = _CVE_KEY.match(cve)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def convert(
    entries: list[dict[str, str]],
    codename: str,
    *,
    installed: dict[str, str] | None = None,
    open_unless_updated: bool = False,
    fixed_per_package: int | None = None,
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    fixed_kept: dict[str, list[str]] = {}
    for e in sorted(entries, key=lambda e: (e["package"], _cve_order(e["cve"])), reverse=True):
        pkg = e["package"]
        if installed is not None and pkg not in installed:
            continue
        if e["version"] == "0":
            if open_unless_updated and installed is not None and re.search(r"[+~]deb\d+u\d+", installed[pkg]):
                continue
            release: dict[str, Any] = {"status": "open"}
        else:
            kept = fixed_kept.setdefault(pkg, [])
            if fixed_per_package is not None and len(kept) >= fixed_per_package:
                continue
            kept.append(e["cve"])
            release = {"status": "resolved", "fixed_version": e["version"]}
        out.setdefault(pkg, {})[e["cve"]] = {"description": e["description"], "releases": {codename: release}}
    return {pkg: dict(sorted(cves.items())) for pkg, cves in sorted(out.items())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("oval", help="oval-definitions-<codename>.xml[.bz2|.gz]")
    ap.add_argument("--dpkg-status", help="only packages installed per this dpkg status file")
    ap.add_argument("--open-unless-updated", action="store_true", help="drop open issues of packages with a +debNuM installed version")
    ap.add_argument("--fixed-per-package", type=int, default=None, help="keep the N newest fixed issues per package")
    ap.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    args = ap.parse_args(argv)
    codename, entries = read_oval(args.oval)
    installed = installed_sources(args.dpkg_status) if args.dpkg_status else None
    doc = convert(
        entries, codename, installed=installed, open_unless_updated=args.open_unless_updated, fixed_per_package=args.fixed_per_package
    )
    text = json.dumps(doc, indent=1, ensure_ascii=False) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    n = sum(len(v) for v in doc.values())
    print(f"{n} entries for {len(doc)} packages ({codename})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
