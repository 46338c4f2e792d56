"""The main job on the embedded sample image: what the README's first command runs.

No registry and no network: the sample image ships inside the package and is
copied into ``OUT/image`` (an OCI layout), then: SBOM in every format -> an
ephemeral key -> sign the image digest -> attest the CycloneDX SBOM -> verify both.
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

    import shutil

    os.makedirs(out_dir, exist_ok=True)
    layout = os.path.join(out_dir, "image")
    if os.path.exists(layout):
        shutil.rmtree(layout)
    shutil.copytree(sample_image()[len("oci-dir:") :], layout)  # never write into the installed package
    uri = f"oci-dir:{layout}"
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
    _sign_and_verify(layout, get_format("cyclonedx-json").encode(sbom), say)
    return 0


def _sign_and_verify(layout: str, cdx: bytes, say) -> None:  # type: ignore[no-untyped-def]
    from .oci.cosign import LayoutTarget
    from .sign import attest_in_layout, generate, sign_image_in_layout
    from .verify import verify_in_layout

    digest = LayoutTarget(layout).resolve()
    signer = generate()  # ephemeral: the private key never touches the disk
    sign_image_in_layout(layout, digest, signer, annotations={"pipeline": "assay demo"})
    say(f"sign: signed {digest} with an ephemeral ECDSA P-256 key (cosign layout: sha256-{digest[7:19]}….sig)")
    attest_in_layout(layout, digest, signer, cdx, "cyclonedx")
    say(f"attest: attached the CycloneDX SBOM as an in-toto attestation (https://cyclonedx.org/bom) to {digest}")
    sig = verify_in_layout(layout, digest, signer.public_key)
    att = verify_in_layout(layout, digest, signer.public_key, attestations=True, predicate_type="cyclonedx")
    say(f"verify: {len(sig.verified)} signature and {len(att.verified)} attestation verified for {digest} in {layout}")
