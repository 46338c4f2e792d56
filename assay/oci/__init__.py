"""OCI registries: references, credentials, the distribution client, and the
media types and platform selection shared by the registry and oci-dir sources.

Importing this package is cheap: httpx is only imported when a
:class:`RegistryClient` is created.
"""

from __future__ import annotations

from .auth import Authenticator, Credentials, resolve_credentials
from .client import BlobReader, DigestMismatch, RegistryClient, referrers_tag
from .mediatypes import (
    ALL_MANIFEST_TYPES,
    Descriptor,
    Platform,
    host_platform,
    index_platforms,
    select_platform,
)
from .reference import (
    InvalidReference,
    Reference,
    compute_digest,
    is_digest,
    parse_digest,
    parse_reference,
)

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
