"""Declared license strings -> SPDX expressions, with license-expression as the oracle."""

from __future__ import annotations

import pytest

from assay._internal import licenses
from assay._internal.licenses import to_spdx


def test_a_lone_id_maps_as_the_expression_parser_renders_it() -> None:
    """The shortcut for single ids gives exactly what the parser gives, for every key and alias."""
    lic = licenses._licensing()
    tokens: set[str] = set()
    for e in licenses._index():
        if e.get("spdx_license_key"):
            tokens.add(e["spdx_license_key"])
            tokens.update(e.get("other_spdx_license_keys") or ())
    assert len(tokens) > 2000
    for t in sorted(tokens):
        for form in {t, t.lower(), t.upper()}:
            want = str(lic.parse(form, validate=True, strict=False).render())
            assert licenses._single_ids().get(form.lower()) == want, form


@pytest.mark.parametrize(
    "declared,want",
    [
        ("MIT", "MIT"),
        ("mit", "MIT"),
        ("GPL-2+", "GPL-2.0-or-later"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("Expat", "MIT"),
        ("BSD-3-clause", "BSD-3-Clause"),
        ("ASL 2.0", "Apache-2.0"),
        ("GPLv2+ and MIT", "GPL-2.0-or-later AND MIT"),
        ("(MIT OR Apache-2.0)", "MIT OR Apache-2.0"),
        ("GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"),
        ("public-domain", ""),
        ("Some Custom License", ""),
        ("not-a-license-id", ""),
        ("", ""),
    ],
)
def test_to_spdx(declared: str, want: str) -> None:
    assert to_spdx(declared) == want
