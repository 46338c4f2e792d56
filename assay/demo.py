"""The main job on the embedded sample image: what the README's first command runs.

No registry and no network: the sample image ships inside the package and is
copied into ``OUT/image`` (an OCI layout), then: SBOM in every format -> import
the shipped sample advisories into ``OUT/advisories.db`` -> scan (reports in
``OUT/scan.*``) -> an ephemeral key -> sign the image digest -> attest the CycloneDX
SBOM and the vulnerability report -> verify all three.
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
    vuln = _scan(sbom, out_dir, say)
    _sign_and_verify(layout, get_format("cyclonedx-json").encode(sbom), vuln, say)
    return 0


def _scan(sbom, out_dir: str, say) -> bytes:  # type: ignore[no-untyped-def]
    """Import the shipped advisories, scan the SBOM, write the reports; return the cosign-vuln predicate."""
    from .advisories.db import import_inputs
    from .cli import write_atomic
    from .report import render
    from .scan import scan

    db_path = os.path.join(out_dir, "advisories.db")
    advisories = str(Path(__file__).resolve().parent / "data" / "advisories")
    report = import_inputs(db_path, [advisories], rebuild=True, warn=lambda m: print(f"assay: warning: {m}", file=sys.stderr))
    say(f"db: imported {report.total} sample advisories into {db_path}")
    result = scan(sbom, db=db_path)
    for fmt, name in (("json", "scan.json"), ("sarif", "scan.sarif"), ("gitlab", "gl-container-scanning-report.json"), ("cyclonedx-vex", "scan.vex.cdx.json"), ("table", "scan.txt")):
        write_atomic(os.path.join(out_dir, name), render(result, fmt))
    ids = sorted({f.id for f in result.findings})
    say(f"scan: {len(result.findings)} findings ({', '.join(ids)}), {len(result.ignored)} ignored (the distro says fixed or not affected) -> {out_dir}/scan.json, scan.sarif, gl-container-scanning-report.json, scan.vex.cdx.json")
    return render(result, "cosign-vuln")


def _sign_and_verify(layout: str, cdx: bytes, vuln: bytes, say) -> None:  # type: ignore[no-untyped-def]
    from .oci.cosign import LayoutTarget
    from .sign import attest_in_layout, generate, sign_image_in_layout
    from .verify import verify_in_layout

    digest = LayoutTarget(layout).resolve()
    signer = generate()  # ephemeral: the private key never touches the disk
    sign_image_in_layout(layout, digest, signer, annotations={"pipeline": "assay demo"})
    say(f"sign: signed {digest} with an ephemeral ECDSA P-256 key (cosign layout: sha256-{digest[7:19]}….sig)")
    attest_in_layout(layout, digest, signer, cdx, "cyclonedx")
    attest_in_layout(layout, digest, signer, vuln, "vuln")
    say(f"attest: attached the CycloneDX SBOM (https://cyclonedx.org/bom) and the scan (https://cosign.sigstore.dev/attestation/vuln/v1) as in-toto attestations to {digest}")
    sig = verify_in_layout(layout, digest, signer.public_key)
    att = verify_in_layout(layout, digest, signer.public_key, attestations=True, predicate_type="cyclonedx")
    vul = verify_in_layout(layout, digest, signer.public_key, attestations=True, predicate_type="vuln")
    say(f"verify: {len(sig.verified)} signature and {len(att.verified) + len(vul.verified)} attestations verified for {digest} in {layout}")
