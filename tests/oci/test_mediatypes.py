from __future__ import annotations

import json

import pytest

from assay.errors import SourceError
from assay.oci import mediatypes as mt
from assay.oci.mediatypes import (
    Descriptor,
    Platform,
    index_platforms,
    parse_platform,
    select_platform,
)


def _entry(n: int, os: str, arch: str, variant: str = "", **extra: object) -> dict:
    plat = {"os": os, "architecture": arch}
    if variant:
        plat["variant"] = variant
    return {"mediaType": mt.OCI_MANIFEST, "digest": f"sha256:{n:064x}", "size": 100 + n, "platform": plat, **extra}


INDEX = {
    "schemaVersion": 2,
    "mediaType": mt.OCI_INDEX,
    "manifests": [
        _entry(1, "linux", "amd64"),
        _entry(2, "linux", "arm", "v6"),
        _entry(3, "linux", "arm", "v7"),
        _entry(4, "linux", "arm64", "v8"),
        _entry(5, "unknown", "unknown", annotations={"vnd.docker.reference.type": "attestation-manifest"}),
        _entry(6, "windows", "amd64", platform={"os": "windows", "architecture": "amd64", "os.version": "10.0.17763.1"}),
    ],
}


@pytest.mark.parametrize(
    "wanted, digest_n",
    [
        ("linux/amd64", 1),
        ("linux/x86_64", 1),
        ("linux/arm64", 4),
        ("linux/arm64/v8", 4),
        ("linux/aarch64", 4),
        ("linux/arm/v6", 2),
        ("linux/arm/v7", 3),
        ("linux/arm", 3),  # no variant: the default (v7) first
        ("linux/armhf", 3),
        ("windows/amd64", 6),
    ],
)
def test_select_platform(wanted: str, digest_n: int) -> None:
    d = select_platform(INDEX, wanted)
    assert d.digest == f"sha256:{digest_n:064x}" and d.size == 100 + digest_n
    # bytes and str forms of the index work too
    assert select_platform(json.dumps(INDEX).encode(), wanted) == d


def test_no_match_lists_available() -> None:
    with pytest.raises(SourceError) as info:
        select_platform(INDEX, "linux/s390x", where="registry index example")
    msg = str(info.value)
    assert msg == (
        "registry index example: no image for platform linux/s390x "
        "(available: linux/amd64, linux/arm/v6, linux/arm/v7, linux/arm64/v8, windows/amd64)"
    )
    with pytest.raises(SourceError, match="platform linux/arm/v5 .available: linux/amd64, linux/arm/v6"):
        select_platform(INDEX, "linux/arm/v5")


def test_arm64_without_variant_field_matches_v8() -> None:
    idx = {"manifests": [_entry(1, "linux", "arm64")]}
    assert select_platform(idx, "linux/arm64/v8").digest.endswith("1")
    assert index_platforms(idx) == ["linux/arm64/v8"]


def test_index_without_platforms() -> None:
    idx = {"manifests": [{"mediaType": mt.OCI_MANIFEST, "digest": "sha256:" + "a" * 64, "size": 3}]}
    assert select_platform(idx).digest == "sha256:" + "a" * 64
    with pytest.raises(SourceError, match=r"available: none"):
        select_platform(idx, "linux/amd64")


@pytest.mark.parametrize("bad", ["linux", "linux/", "/amd64", "a/b/c/d", ""])
def test_bad_platform(bad: str) -> None:
    with pytest.raises(SourceError, match="invalid platform"):
        select_platform(INDEX, bad or " ")


@pytest.mark.parametrize(
    "doc, error",
    [
        (b"{not json", "not valid JSON"),
        ({"manifests": "x"}, "not an image index"),
        ({"manifests": [{"digest": "sha256:" + "a" * 64}]}, "invalid size"),
        ({"manifests": [{"size": 1}]}, "has no digest"),
    ],
)
def test_malformed_index(doc: object, error: str) -> None:
    with pytest.raises(SourceError, match=error):
        select_platform(doc, "linux/amd64")  # type: ignore[arg-type]


def test_platform_parsing_and_str() -> None:
    assert parse_platform("linux/arm64") == (Platform("linux", "arm64", "v8"), False)
    assert parse_platform("Linux/ARM/7") == (Platform("linux", "arm", "v7"), True)
    assert str(Platform.of("linux", "i686")) == "linux/386"
    assert str(Platform.of("linux", "armel")) == "linux/arm/v6"
    assert mt.host_platform().startswith("linux/")


def test_descriptor_round_trip() -> None:
    raw = _entry(7, "linux", "arm", "v7", annotations={"k": "v"}, artifactType="application/x", urls=["https://x"])
    d = Descriptor.from_json(raw)
    assert d.platform == Platform("linux", "arm", "v7") and d.annotations == {"k": "v"} and d.urls == ("https://x",)
    assert Descriptor.from_json(d.to_json()) == d
    assert hash(d) == hash(Descriptor.from_json(raw))


def test_media_type_helpers() -> None:
    assert mt.is_index(mt.DOCKER_MANIFEST_LIST) and mt.is_index(mt.OCI_INDEX + "; charset=utf-8")
    assert mt.is_manifest(mt.DOCKER_MANIFEST) and not mt.is_manifest(mt.OCI_INDEX)
    assert mt.layer_compression(mt.OCI_LAYER_ZSTD) == "zstd"
    assert mt.layer_compression(mt.DOCKER_LAYER_GZIP) == "gzip"
    assert mt.layer_compression(mt.OCI_LAYER) is None
    assert mt.is_foreign_layer(mt.DOCKER_FOREIGN_LAYER) and not mt.is_foreign_layer(mt.OCI_LAYER_GZIP)
    with pytest.raises(SourceError, match="unsupported layer media type"):
        mt.layer_compression(mt.COSIGN_SIMPLE_SIGNING)
    # every manifest and index type is always asked for
    assert set(mt.ALL_MANIFEST_TYPES) == {mt.OCI_MANIFEST, mt.OCI_INDEX, mt.DOCKER_MANIFEST, mt.DOCKER_MANIFEST_LIST}
    import hashlib

    assert mt.OCI_EMPTY_DIGEST == "sha256:" + hashlib.sha256(b"{}").hexdigest()
