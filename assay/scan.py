"""The library API of the scan stage: a target and a database in, a :class:`ScanResult` out.

    result = scan("sbom:./sbom.cdx.json", db="~/.cache/assay/advisories.db",
                  config=".assay.yaml", vex=["vex.json"], only_fixed=False)

``target`` is any source ``assay sbom`` takes (``registry:``, ``oci-dir:``,
``docker-archive:``, ``dir:``...) or ``sbom:FILE`` (CycloneDX, SPDX or syft
JSON from any tool; a plain path to an SBOM file works too).  Nothing here
prints or exits: warnings are returned in the result, errors raised as
:class:`~assay.errors.AssayError`.
"""

from __future__ import annotations

import datetime as _dt
import os
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .advisories import AdvisoryProvider
from .errors import UsageError
from .match import MatchOptions, match
from .match.finding import ScanResult
from .model import Distro, Sbom
from .policy import ScanConfig, apply_policy, load_config, load_vex, parse_states

__all__ = ["scan", "load_target", "parse_distro", "open_db", "db_status", "db_age_days"]

_SBOM_SNIFF = 1 << 16


def parse_distro(value: str | Distro | None) -> Distro | None:
    """``debian:12``, ``ubuntu:22.04``, ``ubuntu:16.04+esm``, ``rhel:9.4+eus`` -> Distro."""
    if value is None or isinstance(value, Distro):
        return value
    if not value.strip():
        return None
    ident, sep, ver = value.strip().partition(":")
    if not ident or not sep or not ver:
        raise UsageError(f"--distro {value!r}: expected ID:VERSION such as debian:12, ubuntu:22.04 or alpine:3.20")
    return Distro(id=ident.lower(), version_id=ver)


def _read(path: str, limit: int = 1 << 30) -> bytes:
    import sys

    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    if len(data) > limit:
        raise UsageError(f"{path} is larger than {limit} bytes")
    return data


def _looks_like_sbom(path: str) -> bool:
    """A regular file whose first bytes look like JSON, XML or SPDX tag-value (not an archive)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_SBOM_SNIFF)
    except OSError:
        return False
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] in (b"{", b"<") or text.startswith((b"SPDXVersion", b"##"))


def load_target(
    target: str,
    *,
    platform: str = "",
    registry: Any = None,
    distro: Distro | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Sbom, list[str]]:
    """The SBOM to scan: decoded from ``sbom:FILE`` (or an SBOM file), else cataloged from the source."""
    from .sbom import decode

    path = ""
    if target.startswith("sbom:"):
        path = target[len("sbom:") :]
        if not path:
            raise UsageError("sbom: needs a file name (sbom:./sbom.cdx.json) or - for stdin")
    elif ":" not in target.split("/", 1)[0] and os.path.isfile(target) and _looks_like_sbom(target):
        path = target
    if path:
        if progress:
            progress(f"reading {path}")
        _, _, sbom = decode(_read(path))
        return sbom, []
    from .pipeline import make_sbom

    result = make_sbom(target, platform=platform, registry=registry, distro=distro, progress=progress)
    return result.sbom, list(result.warnings)


def open_db(db: AdvisoryProvider | str | os.PathLike[str] | None) -> AdvisoryProvider:
    """A provider as given, or the SQLite database at ``db`` (the default cache path when None)."""
    if db is not None and not isinstance(db, (str, os.PathLike)):
        return db
    from .advisories.db import AdvisoryDB, default_db_path

    path = Path(db).expanduser() if db is not None else default_db_path()
    return AdvisoryDB.open(path)


def db_status(provider: AdvisoryProvider) -> Mapping[str, Any]:
    """What the provider says about itself (``status()``: built, schema, sources...), or {}."""
    fn = getattr(provider, "status", None)
    if fn is None:
        return {}
    got = fn() if callable(fn) else fn
    if hasattr(got, "to_dict"):
        got = got.to_dict()
    if isinstance(got, Mapping):
        return dict(got)
    return {}


def db_age_days(status: Mapping[str, Any], now: float | None = None) -> float | None:
    """Days since the database was built (``built`` in RFC 3339), or None when unknown."""
    built = status.get("built") or status.get("build_time") or status.get("built_at")
    if not isinstance(built, str) or not built:
        return None
    try:
        when = _dt.datetime.fromisoformat(built.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return ((now if now is not None else time.time()) - when.timestamp()) / 86400.0


def scan(
    target: str | Sbom,
    *,
    db: AdvisoryProvider | str | os.PathLike[str] | None = None,
    distro: Distro | str | None = None,
    config: ScanConfig | str | os.PathLike[str] | None = None,
    vex: Sequence[str] = (),
    only_fixed: bool | None = None,
    ignore_states: Sequence[str] | str | None = None,
    platform: str = "",
    registry: Any = None,
    options: MatchOptions | None = None,
    today: _dt.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScanResult:
    """Catalog (or decode) ``target``, match it against ``db``, apply the policy.

    Arguments left None come from ``config`` (a ``.assay.yaml``/``.grype.yaml``
    path or a loaded :class:`ScanConfig`); explicit arguments win.
    """
    cfg = config if isinstance(config, ScanConfig) else load_config(config) if config is not None else ScanConfig()
    override = parse_distro(distro)
    warnings: list[str] = list(cfg.warnings)
    if isinstance(target, Sbom):
        sbom = target
    else:
        sbom, w = load_target(target, platform=platform, registry=registry, distro=override, progress=progress)
        warnings += w
    statements = [st for path in (*cfg.vex, *vex) for st in load_vex(path)]
    provider = open_db(db)
    if progress:
        progress(f"matching {len(sbom.packages)} packages")
    findings, ignored, w = match(sbom, provider, distro=override, options=options)
    warnings += w
    kept, suppressed, w = apply_policy(
        findings,
        sbom,
        rules=cfg.ignore,
        vex=statements,
        only_fixed=cfg.only_fixed if only_fixed is None else only_fixed,
        ignore_states=cfg.ignore_states if ignore_states is None else parse_states(ignore_states),
        today=today,
    )
    warnings += w
    all_ignored = sorted([*ignored, *suppressed], key=lambda i: (i.finding.package.sort_key, i.finding.id, i.kind))
    return ScanResult(
        sbom=sbom,
        findings=tuple(kept),
        ignored=tuple(all_ignored),
        db=db_status(provider),
        warnings=tuple(dict.fromkeys(warnings)),
        distro_override=f"{override.id}:{override.version_id}" if override else "",
    )
