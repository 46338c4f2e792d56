"""tools/oval_to_tracker.py on a tiny OVAL document shaped like Debian's."""

from __future__ import annotations

import sys
from pathlib import Path

from assay.advisories.db import AdvisoryDB, import_inputs

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import oval_to_tracker  # noqa: E402

OVAL = """<?xml version='1.0' encoding='UTF-8'?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5">
  <definitions>
    {defs}
  </definitions>
</oval_definitions>
"""
DEF = """<definition id="oval:org.debian:def:{n}" version="1" class="vulnerability">
      <metadata>
        <title>{cve} {pkg}</title>
        <affected family="unix"><platform>Debian GNU/Linux 12</platform><product>{pkg}</product></affected>
        <description>{cve} in {pkg}.</description>
      </metadata>
      <criteria comment="Release section" operator="AND">
        <criterion test_ref="oval:org.debian.oval:tst:1" comment="Debian 12 is installed"/>
        <criteria comment="Architecture section" operator="OR">
          <criteria comment="Architecture independent section" operator="AND">
            <criterion test_ref="oval:org.debian.oval:tst:2" comment="all architecture"/>
            <criterion test_ref="oval:org.debian.oval:tst:{n}" comment="{pkg} DPKG is earlier than {ver}"/>
          </criteria>
        </criteria>
      </criteria>
    </definition>"""
STATUS = """Package: coreutils
Status: install ok installed
Version: 9.1-1

Package: libc6
Status: install ok installed
Source: glibc
Version: 2.36-9+deb12u4

Package: tar
Status: install ok installed
Version: 1.34+dfsg-1.2+deb12u1
"""


def _write(tmp_path: Path) -> Path:
    rows = [
        ("CVE-2016-2781", "coreutils", "0"),
        ("CVE-2015-1865", "coreutils", "8.13-1"),
        ("CVE-2014-9471", "coreutils", "8.23-1"),
        ("CVE-2010-4756", "glibc", "0"),
        ("CVE-2023-4911", "glibc", "2.36-9+deb12u3"),
        ("CVE-2005-2541", "tar", "0"),
        ("CVE-2099-0001", "nginx", "1.2-1"),
    ]
    defs = "\n".join(DEF.format(n=i + 3, cve=c, pkg=p, ver=v) for i, (c, p, v) in enumerate(rows))
    oval = tmp_path / "oval-definitions-bookworm.xml"
    oval.write_text(OVAL.format(defs=defs))
    return oval


def test_convert_everything(tmp_path: Path) -> None:
    codename, entries = oval_to_tracker.read_oval(str(_write(tmp_path)))
    assert codename == "bookworm" and len(entries) == 7
    doc = oval_to_tracker.convert(entries, codename)
    assert doc["coreutils"]["CVE-2016-2781"] == {"description": "CVE-2016-2781 in coreutils.", "releases": {"bookworm": {"status": "open"}}}
    assert doc["nginx"]["CVE-2099-0001"]["releases"]["bookworm"] == {"status": "resolved", "fixed_version": "1.2-1"}


def test_select_for_an_image_and_import(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text(STATUS)
    out = tmp_path / "excerpt.json"
    assert oval_to_tracker.main([str(_write(tmp_path)), "--dpkg-status", str(status), "--open-unless-updated",
                                 "--fixed-per-package", "1", "-o", str(out)]) == 0  # fmt: skip
    report = import_inputs(tmp_path / "db", [str(out)])
    with AdvisoryDB.open(tmp_path / "db") as d:
        got = sorted((f.package, a.id, f.fix_state) for pkg in ("coreutils", "glibc", "tar", "nginx") for a, f in d.affected("debian:12", pkg))
    assert got == [
        ("coreutils", "CVE-2015-1865", "fixed"),  # the newest fixed one only
        ("coreutils", "CVE-2016-2781", "not-fixed"),
        ("glibc", "CVE-2023-4911", "fixed"),  # glibc's open issue dropped: libc6 is at +deb12u4
    ]  # tar's open issue dropped too (+deb12u1), nginx is not installed
    assert report.records == {"debian-tracker:12": 3}
