"""assay: container supply-chain security in one tool (SBOM, scan, sign, verify)."""

__version__ = "0.1.0"  # the one place the version is written (pyproject.toml reads it from here)

from .errors import AssayError
from .model import Distro, License, Location, Package, Relationship, RelType, Sbom, SourceInfo

__all__ = ["AssayError", "Distro", "License", "Location", "Package", "RelType", "Relationship", "Sbom", "SourceInfo"]
