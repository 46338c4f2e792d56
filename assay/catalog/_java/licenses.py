"""Java license declarations -> :class:`~assay.model.License`.

Maven poms name licenses in prose (``The Apache Software License, Version 2.0``)
and/or by URL; OSGi ``Bundle-License`` headers hold SPDX ids or URLs, possibly
several separated by commas, each with ``;link=...`` / ``;description=...``
attributes.  This module maps the common names and URLs to SPDX ids and hands
everything else to :func:`assay._internal.licenses.to_spdx`; what still does not
map keeps its declared text with an empty ``spdx``.
"""

from __future__ import annotations

import re

from ..._internal.licenses import to_spdx
from ...model import License

__all__ = ["bundle_licenses", "java_spdx", "pom_license"]

# Normalised (lower case, punctuation and "the"/"version" dropped) license names seen in poms.
_NAMES: dict[str, str] = {
    "apache software license 2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache 2": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache license v2.0": "Apache-2.0",
    "asf 2.0": "Apache-2.0",
    "al 2.0": "Apache-2.0",
    "apache license 1.1": "Apache-1.1",
    "mit license": "MIT",
    "mit": "MIT",
    "eclipse public license 1.0": "EPL-1.0",
    "eclipse public license v 1.0": "EPL-1.0",
    "eclipse public license v1.0": "EPL-1.0",
    "eclipse public license 2.0": "EPL-2.0",
    "eclipse public license v 2.0": "EPL-2.0",
    "eclipse public license v2.0": "EPL-2.0",
    "eclipse distribution license 1.0": "BSD-3-Clause",
    "eclipse distribution license v 1.0": "BSD-3-Clause",
    "edl 1.0": "BSD-3-Clause",
    "bsd 2 clause license": "BSD-2-Clause",
    "bsd 3 clause license": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "revised bsd license": "BSD-3-Clause",
    "gnu lesser general public license 2.1": "LGPL-2.1-only",
    "gnu lesser general public license v2.1": "LGPL-2.1-only",
    "gnu lesser general public license 3.0": "LGPL-3.0-only",
    "gnu general public license 2": "GPL-2.0-only",
    "gnu general public license v2.0": "GPL-2.0-only",
    "gpl2 w cpe": "GPL-2.0-only WITH Classpath-exception-2.0",
    "gplv2 with classpath exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "gnu general public license v2.0 with classpath exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "cddl 1.0": "CDDL-1.0",
    "cddl 1.1": "CDDL-1.1",
    "common development and distribution license 1.0": "CDDL-1.0",
    "common development and distribution license cddl 1.0": "CDDL-1.0",
    "common development and distribution license 1.1": "CDDL-1.1",
    "mozilla public license 2.0": "MPL-2.0",
    "mozilla public license 1.1": "MPL-1.1",
    "public domain cc0": "CC0-1.0",
    "cc0": "CC0-1.0",
}

# Canonical license URLs (scheme, "www." and a trailing ".txt"/".html"/"/" ignored).
_URLS: dict[str, str] = {
    "apache.org/licenses/license-2.0": "Apache-2.0",
    "opensource.org/licenses/apache-2.0": "Apache-2.0",
    "opensource.org/licenses/mit": "MIT",
    "opensource.org/licenses/mit-license.php": "MIT",
    "opensource.org/license/mit": "MIT",
    "eclipse.org/legal/epl-v10": "EPL-1.0",
    "eclipse.org/legal/epl-2.0": "EPL-2.0",
    "eclipse.org/legal/epl-v20": "EPL-2.0",
    "eclipse.org/org/documents/edl-v10": "BSD-3-Clause",
    "opensource.org/licenses/bsd-license.php": "BSD-2-Clause",
    "opensource.org/licenses/bsd-2-clause": "BSD-2-Clause",
    "opensource.org/licenses/bsd-3-clause": "BSD-3-Clause",
    "gnu.org/licenses/lgpl-2.1": "LGPL-2.1-only",
    "gnu.org/licenses/old-licenses/lgpl-2.1": "LGPL-2.1-only",
    "gnu.org/licenses/lgpl-3.0": "LGPL-3.0-only",
    "gnu.org/licenses/gpl-2.0": "GPL-2.0-only",
    "gnu.org/licenses/old-licenses/gpl-2.0": "GPL-2.0-only",
    "gnu.org/licenses/gpl-3.0": "GPL-3.0-only",
    "mozilla.org/mpl/2.0": "MPL-2.0",
    "opensource.org/licenses/cddl-1.0": "CDDL-1.0",
    "creativecommons.org/publicdomain/zero/1.0": "CC0-1.0",
}

_WORDS = re.compile(r"[a-z0-9.+]+")


def _norm_name(value: str) -> str:
    words = _WORDS.findall(value.lower().replace("-", " ").replace("_", " "))
    return " ".join(w.strip(".") for w in words if w not in ("the", "version", ",")).strip()


def _norm_url(value: str) -> str:
    v = value.strip().lower()
    v = re.sub(r"^[a-z]+://", "", v)
    v = v.removeprefix("www.")
    v = v.rstrip("/")
    for ext in (".txt", ".html", ".htm", ".php"):
        if v.endswith(ext) and v[: -len(ext)] in _URLS:
            return v[: -len(ext)]
    return v


def java_spdx(value: str) -> str:
    """SPDX expression for a license name, SPDX id or license URL; "" when unknown."""
    v = value.strip()
    if not v:
        return ""
    if "://" in v or v.lower().startswith("www."):
        return _URLS.get(_norm_url(v), "")
    known = _NAMES.get(_norm_name(v))
    if known:
        return known
    return to_spdx(v)


def pom_license(name: str, url: str, location: str = "") -> License | None:
    """A pom <license>: the name is the declared value (the URL when there is no name)."""
    name, url = name.strip(), url.strip()
    if not name and not url:
        return None
    value = name or url
    spdx = java_spdx(name) if name else ""
    if not spdx and url:
        spdx = java_spdx(url)
    return License(value=value, spdx=spdx, location=location)


def _split_clauses(header: str) -> list[str]:
    """Split an OSGi header on commas that are not inside double quotes."""
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [c.strip() for c in out if c.strip()]


def bundle_licenses(value: str, location: str = "") -> list[License]:
    """Licenses from a ``Bundle-License`` (or Jenkins ``Plugin-License-Name``) header."""
    value = value.strip()
    if not value:
        return []
    if ";" not in value:
        whole = java_spdx(value)
        if whole or "," not in value:
            return [License(value=value, spdx=whole, location=location)]
        if not all(java_spdx(c) for c in _split_clauses(value)):
            return [License(value=value, spdx="", location=location)]  # prose with a comma
    out = []
    for clause in _split_clauses(value):
        head = clause.split(";", 1)[0].strip().strip('"')
        if not head:
            continue
        spdx = java_spdx(head)
        if not spdx and ";" in clause:
            link = re.search(r'link\s*=\s*"?([^";]+)', clause)
            if link:
                spdx = java_spdx(link.group(1))
        out.append(License(value=head, spdx=spdx, location=location))
    return out
