"""Python package versions (PEP 440), parsed and ordered as the spec defines.

``[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`` with the spec's normalisations:
case-insensitive, optional leading ``v``, ``alpha/beta/c/pre/preview`` spellings,
``-``/``_``/``.`` separators, implicit numbers (``1.0a`` = ``1.0a0``), ``1.0-1`` as a
post-release, ``rev``/``r`` as ``post``.  Ordering: epoch, release (trailing zeros
ignored), then ``.devN < aN < bN < rcN < (final) < .postN``; a local label sorts
after the same public version, segment by segment (numbers above strings).

Version *specifiers* ignore the candidate's local label unless the specifier has
one (``2.0+cgr.1 == 2.0``); ``constraint_compare`` implements that for
:mod:`assay.match.versions.constraint`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import cmp, invalid

NAME = "pep440"

_VERSION = re.compile(
    r"""
    v?
    (?:(?P<epoch>[0-9]+)!)?
    (?P<release>[0-9]+(?:\.[0-9]+)*)
    (?:[-_.]?(?P<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?P<pre_n>[0-9]+)?)?
    (?:-(?P<post_n1>[0-9]+)|[-_.]?(?P<post_l>post|rev|r)[-_.]?(?P<post_n2>[0-9]+)?)?
    (?:[-_.]?(?P<dev_l>dev)[-_.]?(?P<dev_n>[0-9]+)?)?
    (?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
    """,
    re.VERBOSE | re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}


@lru_cache(maxsize=65536)
def parse(v: str) -> tuple:
    """(public key, local key): local key is () when there is no local label."""
    m = _VERSION.fullmatch(v.strip().lower())
    if not m:
        raise invalid(NAME, v, "not a PEP 440 version")
    release = [int(x) for x in m["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    has_pre = m["pre_l"] is not None
    has_post = m["post_n1"] is not None or m["post_l"] is not None
    has_dev = m["dev_l"] is not None
    # pre: dev-only releases sort before every pre-release of the same version
    if has_pre:
        pre: tuple = (1, _PRE_RANK[m["pre_l"]], int(m["pre_n"] or 0))
    elif has_dev and not has_post:
        pre = (0,)
    else:
        pre = (2,)
    post = (1, int(m["post_n1"] or m["post_n2"] or 0)) if has_post else (0,)
    dev = (0, int(m["dev_n"] or 0)) if has_dev else (1,)
    public = (int(m["epoch"] or 0), tuple(release), pre, post, dev)
    local: tuple = ()
    if m["local"]:
        local = tuple((1, int(p), "") if p.isdigit() else (0, 0, p) for p in re.split(r"[-_.]", m["local"]))
    return public, local


@lru_cache(maxsize=65536)
def key(v: str) -> tuple:
    public, local = parse(v)
    return (public, (1, local) if local else (0,))


def compare(a: str, b: str) -> int:
    return cmp(key(a), key(b))


def constraint_compare(version: str, bound: str) -> int:
    """Compare for a specifier: ``version``'s local label is ignored unless ``bound`` has one."""
    bpublic, blocal = parse(bound)
    if blocal:
        return compare(version, bound)
    return cmp(parse(version)[0], bpublic)
