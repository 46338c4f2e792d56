"""One error hierarchy for assay.

Every error a user can cause derives from :class:`AssayError` and carries a
one-line, human-readable message (``str(err)``).  The CLI catches exactly this
type and prints ``assay: error: <message>``; anything else is a bug and shows a
traceback only with ``--debug``.

    AssayError
     ├── UsageError          bad flags or arguments
     ├── SourceError         images, directories, registries, layers
     │    └── RegistryError   HTTP / auth / transport problems talking to a registry
     ├── CatalogError        a package database that cannot be read
     ├── FormatError         SBOM encoding/decoding/identification
     ├── MatchError          advisories and vulnerability matching
     ├── SigningError        keys, signatures, attestations
     ├── VerificationError   a signature or policy that does not verify
     └── InventoryError      the inventory store
"""

from __future__ import annotations


class AssayError(Exception):
    """Root of every error assay raises on purpose."""

    exit_code: int = 1

    def diagnostics(self) -> str:
        """The one-line message shown to the user."""
        msg = str(self) or self.__class__.__name__
        return " ".join(msg.split())


class UsageError(AssayError):
    pass


class SourceError(AssayError):
    pass


class RegistryError(SourceError):
    pass


class CatalogError(AssayError):
    pass


class FormatError(AssayError):
    pass


class MatchError(AssayError):
    pass


class SigningError(AssayError):
    pass


class VerificationError(AssayError):
    pass


class InventoryError(AssayError):
    pass


__all__ = [
    "AssayError",
    "UsageError",
    "SourceError",
    "RegistryError",
    "CatalogError",
    "FormatError",
    "MatchError",
    "SigningError",
    "VerificationError",
    "InventoryError",
]
