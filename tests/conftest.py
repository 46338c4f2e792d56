from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ASSAY_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"


def corpus_path(*parts: str) -> Path:
    """A path inside ../shared/corpus; skips the test when the corpus is absent."""
    p = CORPUS.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"corpus not available: {p}")
    return p


def read_expected(name: str, base: str = "syft/expected") -> tuple[dict[str, str], list[list[str]]]:
    """Parse an expected TSV: (header fields from '# key: value' lines, rows)."""
    path = corpus_path(*base.split("/"), name)
    header: dict[str, str] = {}
    rows: list[list[str]] = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            key, _, val = line[1:].strip().partition(":")
            header.setdefault(key.strip(), val.strip())
            continue
        if line.strip():
            rows.append(line.split("\t"))
    return header, rows


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.exists():
        pytest.skip("../shared/corpus not available")
    return CORPUS


@pytest.fixture(scope="session")
def registry():  # type: ignore[no-untyped-def]
    """A real Debian docker-registry on 127.0.0.1 with a random free port (skips when not installed)."""
    from tests.registry import registry_server

    with registry_server() as address:
        yield address
