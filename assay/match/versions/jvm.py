"""Java runtime (JDK/JRE) versions, old and new style, on one SemVer-like scale.

Pre-JEP 223 versions ``1.<major>.<minor>[_<update>][-<pre>][-b<build>]`` map to
``<major>.<minor>.<update>[-<pre>]`` (``1.8.0_302-b08`` -> ``8.0.302``,
``1.9.0-ea-b19`` -> ``9.0.0-ea``), so they compare with JEP 223 versions
(``11.0.4``, ``17.0.2+8``, ``8.0.302-ea+8``); ``-update<N>``/``-update_<N>`` spell the
update too.  Build numbers (``-bNN``, ``+NN``) are ignored, as grype does: two
builds of the same update are the same release for matching.  Pre-releases
(``-ea``) are lower than the release.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid
from .semver import prerelease_key, release_key

NAME = "jvm"

_PRE_JEP223 = re.compile(
    r"1\.(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+)(?:[_-](?:update)?_?(?P<patch>[0-9]+))?"
    r"(?:-(?P<pre>[^b][^-+]*))?(?:-b(?P<build>[0-9]+))?)?"
)
_JEP223 = re.compile(
    r"(?P<major>[0-9]+)(?:\.(?P<minor>[0-9]+)(?:\.(?P<patch>[0-9]+))?(?:[_-](?:update)?_?(?P<update>[0-9]+))?"
    r"(?:-(?P<pre>[^b][^-+]*))?(?:-b(?P<build>[0-9]+))?)?"
)


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple[tuple[int, ...], str]:
    """((major, minor, patch), pre-release)."""
    s = v.strip()
    if s.startswith("1."):
        m = _PRE_JEP223.match(s)
        if m:
            parts = [int(m["major"]), int(m["minor"] or 0), int(m["patch"] or 0)]
            return release_key(parts), m["pre"] or ""
    m = _JEP223.match(s)
    if not m:
        raise invalid(NAME, v, "not a Java runtime version")
    patch = int(m["patch"] or 0)
    if m["update"] and not patch:
        patch = int(m["update"])
    return release_key([int(m["major"]), int(m["minor"] or 0), patch]), m["pre"] or ""


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    parts, pre = parse(v)
    return (parts, prerelease_key(pre))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
