"""Rendering recommendations for people (text, markdown) and programs (json, yaml)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlarch.core.engine import Recommendation
from mlarch.core.serialize import dump_yaml, recommendation_json, to_dict
from mlarch.recommend.markdown import render_markdown
from mlarch.recommend.text import render_text

if TYPE_CHECKING:
    from mlarch.analysis.sensitivity import Sensitivity

FORMATS = ("text", "json", "yaml", "markdown")


def render(rec: Recommendation, fmt: str, sens: Sensitivity | None = None) -> str:
    """The recommendation in one of :data:`FORMATS`; byte-identical for the same input.

    ``sens`` (analysis/sensitivity.py, computed once by the caller) adds each
    decision's confidence and what would change it to every format."""
    if fmt == "json":
        return recommendation_json(rec, sensitivity_fields(sens))
    if fmt == "yaml":
        return dump_yaml(to_dict(rec, sensitivity_fields(sens)))
    if fmt == "markdown":
        return render_markdown(rec, sens)
    if fmt == "text":
        return render_text(rec, sens)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def sensitivity_fields(sens: Sensitivity | None) -> dict | None:
    """Each decision's confidence and sensitivity fields for the JSON/YAML document (docs/output.md)."""
    if sens is None:
        return None
    from mlarch.analysis.sensitivity import as_fields

    return as_fields(sens)
