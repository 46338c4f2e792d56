"""The library API of the pipeline's stages, free of argparse and printing."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from .errors import UsageError
from .model import Distro, Sbom, tool_version

__all__ = ["SbomResult", "make_sbom", "created_timestamp"]


@dataclass(frozen=True)
class SbomResult:
    sbom: Sbom
    warnings: tuple[str, ...]
    seconds: float


def created_timestamp(now: float | None = None) -> str:
    """RFC 3339 UTC, from ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""
    sde = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if sde:
        try:
            now = int(sde)
        except ValueError:
            raise UsageError(f"SOURCE_DATE_EPOCH={sde!r} is not a whole number of seconds") from None
    if now is None:
        now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


def make_sbom(
    uri: str,
    *,
    platform: str = "",
    name: str = "",
    version: str = "",
    registry=None,  # type: ignore[no-untyped-def]
    catalogers: Sequence[str] = (),
    distro: Distro | None = None,
    progress: Callable[[str], None] | None = None,
) -> SbomResult:
    """Open ``uri``, catalog it once, and return the model (encode it as often as you like)."""
    from .catalog import all_analyzers, all_catalogers, all_globs, catalog
    from .source import open_source

    t0 = time.perf_counter()
    if catalogers and not all_catalogers(catalogers):
        raise UsageError(f"no cataloger matches {', '.join(catalogers)}")
    src = open_source(uri, platform=platform, name=name, version=version, registry=registry, progress=progress)
    try:
        info = src.describe()
        cats = all_catalogers(catalogers, info.kind)
        resolver = src.resolver(all_globs(cats), all_analyzers(cats))
        if progress:
            progress("cataloging packages")
        result = catalog(resolver, cats, distro=distro)
    finally:
        src.close()
    sbom = Sbom(
        packages=result.packages,
        relationships=result.relationships,
        source=info,
        distro=result.distro,
        created=created_timestamp(),
        tool_version=tool_version(),
    )
    return SbomResult(sbom, result.warnings, time.perf_counter() - t0)
