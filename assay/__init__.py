"""assay: container supply-chain security in one tool (SBOM, scan, sign, verify)."""

from .errors import AssayError
from .model import Distro, License, Location, Package, Relationship, RelType, Sbom, SourceInfo

__all__ = ["AssayError", "Distro", "License", "Location", "Package", "RelType", "Relationship", "Sbom", "SourceInfo"]
