"""A review as plain data: the JSON output of ``mlarch review --format json``.

Shape (documented in docs/review.md)::

    {"design": "path/to/design.yaml", "name": ..., "scenario": ...,
     "summary": {"error": 1, "warning": 2, "info": 3},
     "findings": [{"kind", "severity", "dimension", "proposed", "recommended",
                   "overall", "message", "line", "rules", "reasons", "why_not", "docs"}],
     "design_choices": {...}, "recommendation": {...},
     "engine": {"rules_loaded", "rule_set_version", "mlarch_version"}}
"""

from __future__ import annotations

from typing import Any

from mlarch.core.judge import Review
from mlarch.core.serialize import engine_dict, finding_dict


def review_dict(rv: Review) -> dict[str, Any]:
    return {
        "design": rv.design.source,
        "name": rv.design.name,
        "scenario": rv.design.scenario.name,
        "summary": rv.counts,
        "findings": [finding_dict(f) for f in rv.findings],
        "design_choices": dict(rv.design.choices),
        "recommendation": dict(rv.recommendation.choices),
        "engine": engine_dict(rv.recommendation),
    }
