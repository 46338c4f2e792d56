"""The main job's signing stage on the embedded sample image, offline:
SBOM -> ephemeral key -> sign -> attest the CycloneDX SBOM -> verify, all
inside a copy of the image's OCI layout (what assay/demo.py can call)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from assay.oci.cosign import LayoutTarget, read_attachments
from assay.sign import attest_in_layout, generate, sign_image_in_layout
from assay.verify import verify_in_layout


def test_sign_attest_verify_the_sample_image(tmp_path: Path) -> None:
    from assay.demo import sample_image
    from assay.pipeline import make_sbom
    from assay.sbom import get_format

    src = sample_image()
    assert src.startswith("oci-dir:"), "the sample image ships as an OCI layout"
    layout = tmp_path / "signed-image"
    shutil.copytree(src[len("oci-dir:") :], layout)  # never write into the installed package
    sbom = make_sbom(f"oci-dir:{layout}", name="assay-sample", version="1.0").sbom
    cdx = get_format("cyclonedx-json").encode(sbom)
    digest = LayoutTarget(str(layout)).resolve()
    assert sbom.source.digest in ("", digest)

    signer = generate()  # ephemeral: never written to disk
    [sig] = sign_image_in_layout(str(layout), digest, signer, annotations={"tool": "assay"})
    att = attest_in_layout(str(layout), digest, signer, cdx, "cyclonedx")
    assert sig.added and att.added

    verified = verify_in_layout(str(layout), digest, signer.public_key)
    assert verified.verified[0].payload is not None and verified.verified[0].payload.digest == digest
    attested = verify_in_layout(str(layout), digest, signer.public_key, attestations=True, predicate_type="cyclonedx")
    statement = attested.verified[0].statement
    assert statement is not None
    assert len(statement.predicate["components"]) == len(json.loads(cdx)["components"])

    # the original image is untouched and still selectable; both attachments are in the index
    target = LayoutTarget(str(layout))
    assert target.resolve() == digest
    assert read_attachments(target, digest, "sig") is not None and read_attachments(target, digest, "att") is not None
    # another key does not verify
    other = generate()
    try:
        verify_in_layout(str(layout), digest, other.public_key)
    except Exception as exc:  # noqa: BLE001 - the type is asserted below
        assert type(exc).__name__ == "VerificationError"
    else:
        raise AssertionError("verification with another key must fail")
