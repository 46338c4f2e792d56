"""OCI registries: references, credentials, the distribution client, and the
media types and platform selection shared by the registry and oci-dir sources.

Importing this package is cheap: the names it re-exports are imported from their
submodules on first use, and httpx only when a :class:`RegistryClient` is created.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# name -> submodule.  The oci-dir and docker-archive sources need only ``mediatypes``,
# not the registry client and credential helpers (subprocess, threading, httpx).
_EXPORTS = {
    "Authenticator": "auth",
    "Credentials": "auth",
    "resolve_credentials": "auth",
    "BlobReader": "client",
    "DigestMismatch": "client",
    "RegistryClient": "client",
    "referrers_tag": "client",
    "ALL_MANIFEST_TYPES": "mediatypes",
    "Descriptor": "mediatypes",
    "Platform": "mediatypes",
    "host_platform": "mediatypes",
    "index_platforms": "mediatypes",
    "select_platform": "mediatypes",
    "InvalidReference": "reference",
    "Reference": "reference",
    "compute_digest": "reference",
    "is_digest": "reference",
    "parse_digest": "reference",
    "parse_reference": "reference",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALL_MANIFEST_TYPES",
    "Authenticator",
    "BlobReader",
    "Credentials",
    "Descriptor",
    "DigestMismatch",
    "InvalidReference",
    "Platform",
    "Reference",
    "RegistryClient",
    "compute_digest",
    "host_platform",
    "index_platforms",
    "is_digest",
    "parse_digest",
    "parse_reference",
    "referrers_tag",
    "resolve_credentials",
    "select_platform",
]
