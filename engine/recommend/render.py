"""Rendering recommendations for people (text, markdown) and programs (json, yaml)."""

from __future__ import annotations

from mlarch.analysis.sensitivity import Sensitivity, as_fields
from mlarch.core.engine import Recommendation
from mlarch.core.serialize import dump_json, dump_yaml, to_dict
from mlarch.recommend.markdown import render_markdown
from mlarch.recommend.text import render_text

FORMATS = ("text", "json", "yaml", "markdown")


def render(rec: Recommendation, fmt: str, sens: Sensitivity | None = None) -> str:
    """The recommendation in one of :data:`FORMATS`; byte-identical for the same input.

    ``sens`` (analysis/sensitivity.py, computed once by the caller) adds each
    decision's confidence and what would change it to every format."""
    if fmt == "json":
        return dump_json(to_dict(rec, as_fields(sens) if sens else None))
    if fmt == "yaml":
        return dump_yaml(to_dict(rec, as_fields(sens) if sens else None))
    if fmt == "markdown":
        return render_markdown(rec, sens)
    if fmt == "text":
        return render_text(rec, sens)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
