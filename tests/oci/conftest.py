"""Fixtures for the OCI tests: a registry that requires basic auth (the plain one is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.registry import registry_server


@pytest.fixture(scope="session")
def auth_registry() -> Iterator[tuple[str, str, str]]:
    """``(host:port, user, password)`` of a registry that requires basic auth."""
    with registry_server(htpasswd={"alice": "s3cret-pw"}) as address:
        yield address, "alice", "s3cret-pw"
