"""Rendering recommendations for people (text, markdown) and programs (json, yaml)."""

from __future__ import annotations

from mlarch.core.engine import Recommendation
from mlarch.core.serialize import dump_json, dump_yaml, to_dict
from mlarch.recommend.markdown import render_markdown
from mlarch.recommend.text import render_text

FORMATS = ("text", "json", "yaml", "markdown")


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
