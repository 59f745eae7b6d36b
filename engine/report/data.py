"""The recommendation as plain data: the JSON contract of interfaces.md section 2.

Additions to the contract (documented in docs/output.md): per decision
``stage``, ``resolved_by``, ``score``, ``defaulted`` and ``deprecation``;
per reason ``verdict``, ``weight``, ``decisions``, ``unstated``, ``default``,
``sections`` and ``docs``; per alternative ``score`` and ``status``;
top-level ``defaulted`` and ``not_applicable``; structured ``warnings``.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..recommend import Recommendation
from ..resolver import Decision, Support
from ..vocabulary import load_vocabulary


def support_dict(s: Support) -> dict[str, Any]:
    rule = s.rule
    out: dict[str, Any] = {
        "rule": rule.id,
        "verdict": rule.verdict,
        "choices": list(rule.choices),
    }
    if not rule.hard:
        out["weight"] = rule.weight
    out.update(
        {
            "text": s.text,
            "facts": dict(s.facts),
            "decisions": dict(s.decisions),
            "unstated": list(s.unstated),
            "default": rule.default,
            "sections": list(rule.sections),
            "docs": list(rule.docs),
        }
    )
    return out


def decision_dict(dec: Decision) -> dict[str, Any]:
    vocab = load_vocabulary()
    return {
        "choice": dec.choice,
        "stage": vocab.dimensions[dec.dimension].stage,
        "resolved_by": dec.how,
        "score": dec.score,
        "defaulted": dec.defaulted,
        "deprecation": vocab.deprecation(dec.dimension, dec.choice),
        "reasons": [support_dict(s) for s in dec.reasons],
        "alternatives": [
            {
                "choice": alt.choice,
                "score": alt.score,
                "status": alt.status,
                "why_not": [{"rule": w.rule, "text": w.text} for w in alt.why_not],
            }
            for alt in dec.alternatives
        ],
    }


def to_dict(rec: Recommendation) -> dict[str, Any]:
    return {
        "scenario": rec.scenario.name,
        "decisions": {dim: decision_dict(dec) for dim, dec in rec.decisions.items()},
        "defaulted": rec.defaulted,
        "not_applicable": list(rec.not_applicable),
        "warnings": [
            {"kind": w.kind, "dimension": w.dimension, "choice": w.choice, "text": w.text} for w in rec.warnings
        ],
        "engine": engine_dict(rec, fired=True),
    }


def engine_dict(rec: Recommendation, fired: bool = False) -> dict[str, Any]:
    """Which rules and which mlarch produced an output (the ``engine`` block of every JSON document)."""
    out: dict[str, Any] = {"rules_loaded": rec.rules_loaded}
    if fired:
        out["rules_fired"] = rec.rules_fired
    out.update({"rule_set_version": rec.rule_set_version, "mlarch_version": __version__})
    return out
