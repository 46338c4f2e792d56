"""Alpine secdb (``https://secdb.alpinelinux.org/v3.19/main.json``) as advisories.

A secdb file lists, per *origin* package, ``secfixes``: the package version
that fixed each id.  One file is one feed (``alpine-secdb:3.19/main``): a
re-import of the same file replaces its records, other branches stay.  Each
id becomes an advisory whose affected entries are the packages it lists:

* ``"3.1.4-r5": ["CVE-2024-0727"]`` -> fixed in 3.1.4-r5 (range ``introduced 0, fixed 3.1.4-r5``);
* ``"0": ["CVE-2019-6470"]`` -> the package was never affected (fix state ``not-affected``).

Entries are free text in practice: ``CVE-2016-9932 XSA-200`` (the second id
becomes an alias), ``CVE_2019-2426`` (typo fixed), ``CVE-2022-????? XSA-398``
(the placeholder is dropped, XSA-398 is the id).  When one package lists the
same id under several versions (backports), the first listed is the range's
fix and all go to ``fixed_versions``.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping

from .feeds import Record, Warn
from .model import Advisory, Affected, Range

__all__ = ["parse_secdb", "parse_ids"]

_CVE = re.compile(r"CVE[-_](\d{4})-(\d{4,})")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+")


def parse_ids(entry: str) -> tuple[str, ...]:
    """The ids in one secfixes entry, the primary one first."""
    ids: list[str] = []
    for token in entry.split():
        m = _CVE.match(token)
        if m:
            ids.append(f"CVE-{m.group(1)}-{m.group(2)}")
        elif "?" not in token and _ID.fullmatch(token):
            ids.append(token)
    cves = [i for i in ids if i.startswith("CVE-")]
    ordered = cves[:1] + [i for i in ids if not cves or i != cves[0]]
    return tuple(dict.fromkeys(ordered))


def parse_secdb(doc: Mapping[str, Any], *, where: str, warn: Warn) -> Iterator[Record]:
    """The records of one secdb file."""
    version = str(doc.get("distroversion") or "").strip().lstrip("v") or "edge"
    repo = str(doc.get("reponame") or "main").strip()
    ecosystem = f"alpine:{version}"
    feed = f"alpine-secdb:{version}/{repo}"
    # id -> (aliases, {package: [fixed versions]})
    found: dict[str, tuple[dict[str, None], dict[str, list[str]]]] = {}
    for n, entry in enumerate(doc.get("packages") or ()):
        pkg = entry.get("pkg") if isinstance(entry, dict) else None
        name = pkg.get("name") if isinstance(pkg, dict) else None
        fixes = pkg.get("secfixes") if isinstance(pkg, dict) else None
        if not isinstance(name, str) or not name or not isinstance(fixes, (dict, type(None))):
            warn(f"skipped malformed package entry #{n} in {where}")
            continue
        for fixed, entries in (fixes or {}).items():
            if not isinstance(entries, list):
                warn(f"skipped malformed secfixes {name} {fixed} in {where}")
                continue
            for text in entries:
                if not isinstance(text, str):
                    continue
                ids = parse_ids(text)
                if not ids:
                    continue
                aliases, pkgs = found.setdefault(ids[0], ({}, {}))
                aliases.update(dict.fromkeys(ids[1:]))
                versions = pkgs.setdefault(name, [])
                if str(fixed) not in versions:
                    versions.append(str(fixed))
    for ident, (aliases, pkgs) in found.items():
        affected = []
        for name, versions in pkgs.items():
            if versions == ["0"]:
                affected.append(Affected(ecosystem=ecosystem, package=name, fix_state="not-affected", version_scheme="apk"))
                continue
            real = [v for v in versions if v != "0"]
            affected.append(
                Affected(
                    ecosystem=ecosystem,
                    package=name,
                    ranges=(Range(type="ECOSYSTEM", events=(("introduced", "0"), ("fixed", real[0]))),),
                    fix_state="fixed",
                    fixed_versions=tuple(real),
                    version_scheme="apk",
                )
            )
        refs = (f"https://security.alpinelinux.org/vuln/{ident}",) if ident.startswith("CVE-") else ()
        yield Record(
            feed,
            Advisory(
                id=ident,
                aliases=tuple(a for a in aliases if a != ident),
                references=refs,
                source="alpine-secdb",
                affected=tuple(affected),
            ),
        )
