"""Fixtures for the OCI tests: a real registry (session scoped, slow tests only)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.registry import registry_server


@pytest.fixture(scope="session")
def registry() -> Iterator[str]:
    """``host:port`` of a throwaway docker-registry (plain http)."""
    with registry_server() as address:
        yield address


@pytest.fixture(scope="session")
def auth_registry() -> Iterator[tuple[str, str, str]]:
    """``(host:port, user, password)`` of a registry that requires basic auth."""
    with registry_server(htpasswd={"alice": "s3cret-pw"}) as address:
        yield address, "alice", "s3cret-pw"
