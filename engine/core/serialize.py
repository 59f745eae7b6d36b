"""The recommendation as plain data: the JSON contract of interfaces.md section 2.

Additions to the contract (documented in docs/output.md): per decision
``name``, ``formerly``, ``stage``, ``resolved_by``, ``score``, ``defaulted`` and
``deprecation`` (judged at the run date, ``engine.as_of``);
per reason ``verdict``, ``weight``, ``decisions``, ``unstated``, ``default``,
``sections`` and ``docs``; per alternative ``score`` and ``status``;
top-level ``defaulted`` and ``not_applicable``; structured ``warnings``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Mapping

import yaml

from mlarch import __version__
from mlarch.core.engine import Recommendation
from mlarch.core.judge import Finding, Reason
from mlarch.core.resolver import Decision, Support
from mlarch.core.rulebook import HARD_VERDICTS
from mlarch.core.vocabulary import Vocabulary


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


def decision_dict(dec: Decision, vocab: Vocabulary, as_of: date | None = None) -> dict[str, Any]:
    named = vocab.name(dec.dimension, dec.choice)
    return {
        "choice": dec.choice,
        "name": named.name if named else None,
        "formerly": named.former[0] if named and named.former else None,
        "stage": vocab.dimensions[dec.dimension].stage,
        "resolved_by": str(dec.how),  # plain strings: the YAML writer takes no enums
        "score": dec.score,
        "assumed": dec.assumed,
        "defaulted": dec.defaulted,
        "deprecation": vocab.deprecation(dec.dimension, dec.choice, as_of),
        "reasons": [support_dict(s) for s in dec.reasons],
        "alternatives": [
            {
                "choice": alt.choice,
                "score": alt.score,
                "assumed": alt.assumed,
                "status": str(alt.status),
                "why_not": [{"rule": w.rule, "text": w.text} for w in alt.why_not],
            }
            for alt in dec.alternatives
        ],
    }


def to_dict(rec: Recommendation, per_decision: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """The recommendation as data. ``per_decision`` adds fields to each decision (the
    confidence and sensitivity that analysis/sensitivity.py computes, which the core cannot import)."""
    extra = per_decision or {}
    return {
        "scenario": rec.scenario.name,
        "decisions": {dim: {**decision_dict(dec, rec.vocab, rec.as_of), **extra.get(dim, {})} for dim, dec in rec.decisions.items()},
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
    if rec.as_of is not None:  # the run date deprecations were judged against (--as-of)
        out["as_of"] = rec.as_of.isoformat()
    return out

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


def dump_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def dump_json_line(data: object) -> str:
    """One JSON document on one line (JSON Lines, for batches); no newline."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
