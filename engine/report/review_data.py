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

from ..review import Finding, Reason, Review
from ..rulebook import HARD_VERDICTS
from .data import engine_dict


def reason_dict(r: Reason) -> dict[str, Any]:
    out: dict[str, Any] = {"rule": r.rule, "verdict": r.verdict, "choices": list(r.choices)}
    if r.verdict not in HARD_VERDICTS:
        out["weight"] = r.weight
    out.update({"text": r.text, "facts": dict(r.facts), "decisions": dict(r.decisions),
                "sections": list(r.sections), "docs": list(r.docs)})
    return out


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "severity": f.severity,
        "dimension": f.dimension,
        "proposed": f.proposed,
        "recommended": f.recommended,
        "overall": f.overall,
        "message": f.message,
        "line": f.line,
        "rules": list(f.rules),
        "reasons": [reason_dict(r) for r in f.reasons],
        "why_not": [{"rule": w.rule, "text": w.text} for w in f.why_not],
        "docs": list(f.docs),
    }


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
