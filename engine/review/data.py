"""A review as plain data: the JSON output of ``mlarch review --format json``.

Shape (documented in docs/review.md)::

    {"design": "path/to/design.yaml", "name": ..., "scenario": ...,
     "summary": {"error": 1, "warning": 2, "info": 3},
     "findings": [{"kind", "severity", "dimension", "proposed", "recommended",
                   "overall", "message", "line", "rules", "reasons", "why_not", "docs"}],
     "design_choices": {...}, "recommendation": {...},
     "sensitivity": {...},   # only with --sensitivity

     "engine": {"rules_loaded", "rule_set_version", "mlarch_version"}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from mlarch.core.judge import Review
from mlarch.core.serialize import engine_dict, finding_dict

if TYPE_CHECKING:
    from mlarch.review.sensitivity import DesignSensitivity


def review_dict(rv: Review, sens: Mapping[str, DesignSensitivity] | None = None) -> dict[str, Any]:
    """The review as data; with ``sens`` (--sensitivity) a ``sensitivity`` object per dimension the design sets."""
    out = {
        "design": rv.design.source,
        "name": rv.design.name,
        "scenario": rv.design.scenario.name,
        "summary": rv.counts,
        "findings": [finding_dict(f) for f in rv.findings],
        "design_choices": dict(rv.design.choices),
        "recommendation": dict(rv.recommendation.choices),
    }
    if sens is not None:
        from mlarch.review.sensitivity import as_data

        out["sensitivity"] = as_data(sens)
    out["engine"] = engine_dict(rv.recommendation)
    return out
