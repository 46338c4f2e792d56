"""Which catalogers run: images report what is installed, directories what is declared (as syft)."""

from __future__ import annotations

from assay.catalog import DIRECTORY_ONLY, IMAGE_ONLY, all_catalogers


def names(kind: str) -> set[str]:
    return {c.NAME for c in all_catalogers((), kind)}


def test_images_skip_lockfiles_and_directories_skip_installed_node_modules() -> None:
    every = names("")
    assert DIRECTORY_ONLY <= every and IMAGE_ONLY <= every  # the tables name real catalogers
    assert "javascript-lock-cataloger" not in names("image")
    assert "javascript-package-cataloger" in names("image")
    assert "javascript-package-cataloger" not in names("directory")
    assert "python-package-cataloger" in names("directory")
    for both in ("dpkg-db-cataloger", "python-installed-package-cataloger", "java-archive-cataloger", "go-module-binary-cataloger"):
        assert both in names("image") and both in names("directory")


def test_explicit_selection_ignores_the_scope() -> None:
    assert {c.NAME for c in all_catalogers(["javascript-lock"], "image")} == {"javascript-lock-cataloger"}
