"""The main job on the embedded sample image: what the README's first command runs.

No registry and no network: the sample image ships inside the package.  Today the
job is the pipeline's SBOM stage; later stages join as they land.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import AssayError

__all__ = ["sample_image", "run"]

OUTPUTS = (
    ("cyclonedx-json", "sbom.cdx.json"),
    ("cyclonedx-xml", "sbom.cdx.xml"),
    ("spdx-json", "sbom.spdx.json"),
    ("spdx-tag-value", "sbom.spdx"),
    ("spdx3-json", "sbom.spdx3.json"),
    ("assay-json", "sbom.assay.json"),
    ("table", "sbom.txt"),
)


def sample_image() -> str:
    """The source URI of the embedded sample image."""
    layout = Path(__file__).resolve().parent / "data" / "sample-image"
    if (layout / "index.json").is_file():
        return f"oci-dir:{layout}"
    raise AssayError("the embedded sample image is missing from this installation")


def run(out_dir: str, *, quiet: bool = False) -> int:
    from .cli import write_atomic
    from .pipeline import make_sbom
    from .sbom import get_format

    def say(msg: str) -> None:
        if not quiet:
            print(msg)

    os.makedirs(out_dir, exist_ok=True)
    uri = sample_image()
    result = make_sbom(uri, name="assay-sample", version="1.0")
    sbom = result.sbom
    for w in result.warnings:
        print(f"assay: warning: {w}", file=sys.stderr)
    say(f"sbom: {len(sbom.packages)} packages, {len(sbom.relationships)} relationships from the sample image {sbom.source.digest}")
    if sbom.distro:
        say(f"      distro {sbom.distro.pretty_name or sbom.distro.id}")
    for fmt_name, filename in OUTPUTS:
        fmt = get_format(fmt_name)
        path = os.path.join(out_dir, filename)
        write_atomic(path, fmt.encode(sbom))
        say(f"      wrote {fmt_name} -> {path}")
    return 0
