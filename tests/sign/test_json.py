"""The Go-compatible JSON encoder: the bytes cosign's json.Marshal produces."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.sign._json import Struct, dumps, loads


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, b"null"),
        (True, b"true"),
        ("plain", b'"plain"'),
        # Go escapes HTML characters and the JS line separators, keeps other UTF-8
        ("<a&b>", b'"\\u003ca\\u0026b\\u003e"'),
        ("\u2028\u2029", b'"\\u2028\\u2029"'),
        ("é✓", '"é✓"'.encode()),
        ('\x01\n\t\r\b\f"\\', b'"\\u0001\\n\\t\\r\\b\\f\\"\\\\"'),
        # numbers decoded into interface{} are float64
        (1, b"1"),
        (1.0, b"1"),
        (0.1, b"0.1"),
        (12.5, b"12.5"),
        (1e20, b"100000000000000000000"),
        (1e21, b"1e+21"),
        (1.5e-7, b"1.5e-7"),
        (1e-10, b"1e-10"),
        (2**60, b"1152921504606847000"),
        (-0.0, b"-0"),
        # maps sorted, structs in declaration order, no whitespace
        ({"b": 1, "a": [True, None]}, b'{"a":[true,null],"b":1}'),
        (Struct(z=1, a=2), b'{"z":1,"a":2}'),
    ],
)
def test_go_encoding(value: object, expected: bytes) -> None:
    assert dumps(value) == expected


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
        max_leaves=20,
    )
)
def test_round_trip_through_python_json(value: object) -> None:
    """Whatever we write, a standard parser reads back unchanged."""
    assert json.loads(dumps(value)) == value


def test_strict_loads_refuses_duplicate_keys_and_nan() -> None:
    with pytest.raises(ValueError, match="duplicate key 'a'"):
        loads(b'{"a":1,"a":2}')
    with pytest.raises(ValueError, match="NaN"):
        loads(b"[NaN]")


def test_unencodable_values_raise() -> None:
    with pytest.raises(TypeError):
        dumps({1: "x"})
    with pytest.raises(ValueError):
        dumps(float("nan"))
