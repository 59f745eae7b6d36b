"""Indented JSON text, byte-identical to ``json.dumps(data, indent=2, ensure_ascii=False)``, faster.

Why: with ``indent`` the standard library falls back from its C encoder to a
pure-Python generator that yields every bracket, comma and key separately;
that was 80% of rendering a recommendation as JSON (docs/performance.md).
This writer handles the plain data the serialisers build (dict, list,
tuple, str, int, float, bool, None, and their subclasses, tested in the same
order as the standard library so subclasses such as string enums print the
same) by recursion, one string join per container, and C string escaping.
Anything else (an unknown type, a non-string key it cannot format, a cycle)
falls back to ``json.dumps`` itself, so errors are the standard library's.
tests/test_jsontext.py checks the text is identical on generated data.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper when available (ensure_ascii=False)
from typing import Any

INDENT = "  "
_FLOAT_REPR = float.__repr__
_INT_REPR = int.__repr__


class _Unsupported(Exception):
    """Something only ``json.dumps`` knows how to report; the caller falls back to it."""


def dumps(data: Any, newline: str = "\n") -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False)``, the same text; ``newline``
    indents it for its place inside a larger document (a newline and the indentation)."""
    try:
        return value_text(data, newline)
    except (_Unsupported, RecursionError):  # JSON text never holds a raw newline, so re-indenting is a replace
        return json.dumps(data, indent=2, ensure_ascii=False).replace("\n", newline)


def value_text(value: Any, newline: str) -> str:
    """One value's text; ``newline`` is a newline and the indentation of the line the value starts on."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is dict:
        return _dict_text(value, newline)
    if kind is list or kind is tuple:
        return _list_text(value, newline)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return _INT_REPR(value)
    return _other_text(value, newline)


def _other_text(value: Any, newline: str) -> str:
    """Subclasses and floats, in the standard library's order of tests (json/encoder.py)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, int):
        return _INT_REPR(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, (list, tuple)):
        return _list_text(value, newline)
    if isinstance(value, dict):
        return _dict_text(value, newline)
    raise _Unsupported(type(value).__name__)


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return _FLOAT_REPR(value)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_float_text(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring(_INT_REPR(key))
    raise _Unsupported(type(key).__name__)


def _dict_text(data: dict, newline: str) -> str:
    if not data:
        return "{}"
    inner = newline + INDENT
    parts = [  # strings, the commonest values, written here rather than through a call
        (encode_basestring(k) if type(k) is str else _key_text(k)) + ": "
        + (encode_basestring(v) if type(v) is str else value_text(v, inner))
        for k, v in data.items()
    ]
    return "{" + inner + ("," + inner).join(parts) + newline + "}"


def _list_text(items: list | tuple, newline: str) -> str:
    if not items:
        return "[]"
    inner = newline + INDENT
    texts = [encode_basestring(v) if type(v) is str else value_text(v, inner) for v in items]
    return "[" + inner + ("," + inner).join(texts) + newline + "]"
