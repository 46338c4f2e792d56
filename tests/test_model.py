from __future__ import annotations

import hashlib
import uuid

import pytest

from assay.model import uuid4_text


@pytest.mark.parametrize("seed", [b"", b"a", b"assay", b"x" * 100, *(bytes([i]) for i in range(64))])
def test_uuid4_text_is_what_uuid_makes(seed: bytes) -> None:
    hex32 = hashlib.sha256(seed).hexdigest()[:32]
    assert uuid4_text(hex32) == str(uuid.UUID(hex32, version=4))


@pytest.mark.parametrize("hex32", ["0" * 32, "f" * 32])
def test_uuid4_text_sets_version_and_variant_bits(hex32: str) -> None:
    u = uuid.UUID(uuid4_text(hex32))
    assert u.version == 4 and u.variant == uuid.RFC_4122
    assert uuid4_text(hex32) == str(uuid.UUID(hex32, version=4))
