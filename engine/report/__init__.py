"""Rendering recommendations for people (text, markdown) and programs (json, yaml)."""

from __future__ import annotations

import json

import yaml

from ..recommend import Recommendation
from .data import to_dict
from .markdown import render_markdown
from .text import render_text

FORMATS = ("text", "json", "yaml", "markdown")


def dump_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def render(rec: Recommendation, fmt: str) -> str:
    """The recommendation in one of :data:`FORMATS`; byte-identical for the same input."""
    if fmt == "json":
        return dump_json(to_dict(rec))
    if fmt == "yaml":
        return dump_yaml(to_dict(rec))
    if fmt == "markdown":
        return render_markdown(rec)
    if fmt == "text":
        return render_text(rec)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
