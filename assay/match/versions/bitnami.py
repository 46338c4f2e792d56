"""Bitnami package versions: semantic versions plus a Bitnami package revision.

Bitnami publishes ``<upstream semver>-<revision>`` (``2.3.1-1``, ``2.3.1-2``): the
revision counts rebuilds of the same upstream release, and Bitnami's advisories
(OSV ``Bitnami`` ecosystem) are written against the upstream version.  So a
trailing ``-<digits>`` is dropped and the rest compares as :mod:`semver`
(``2.3.1-1`` = ``2.3.1``; real pre-releases like ``2.3.1-rc1`` are kept).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp
from . import semver as _semver

NAME = "bitnami"

_REVISION = re.compile(r"-[0-9]+$")


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    return _semver.key(_REVISION.sub("", v.strip()))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))
