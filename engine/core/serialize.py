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
import weakref
from datetime import date
from typing import Any, Mapping, Sequence

import yaml

from mlarch import __version__
from mlarch.core import jsontext
from mlarch.core.engine import Recommendation
from mlarch.core.errors import EngineError
from mlarch.core.judge import Finding, Reason
from mlarch.core.lifecycle import run_date
from mlarch.core.resolver import Alternative, Decision, Support
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


def decision_dict(dec: Decision, vocab: Vocabulary, as_of: date | None = None, alternatives: bool = True) -> dict[str, Any]:
    """One decision as data (``alternatives=False``: an empty list stands in for them)."""
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
        "alternatives": [alternative_dict(alt) for alt in dec.alternatives] if alternatives else [],
    }


def alternative_dict(alt: Alternative) -> dict[str, Any]:
    """One losing choice (written the same way, faster, by :func:`_alternatives_text`)."""
    return {
        "choice": alt.choice,
        "score": alt.score,
        "assumed": alt.assumed,
        "status": str(alt.status),
        "why_not": [{"rule": w.rule, "text": w.text} for w in alt.why_not],
    }


def to_dict(rec: Recommendation, per_decision: Mapping[str, Mapping[str, Any]] | None = None,
            decisions: dict[str, Any] | None = None) -> dict[str, Any]:
    """The recommendation as data. ``per_decision`` adds fields to each decision (the
    confidence and sensitivity that analysis/sensitivity.py computes, which the core cannot import);
    ``decisions`` stands in for the decisions (recommendation_json writes them itself)."""
    extra = per_decision or {}
    if decisions is None:
        decisions = {dim: {**decision_dict(dec, rec.vocab, rec.as_of), **extra.get(dim, {})} for dim, dec in rec.decisions.items()}
    return {
        "scenario": rec.scenario.name,
        "decisions": decisions,
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
    """Indented JSON, as ``json.dumps(data, indent=2, ensure_ascii=False)`` writes it (core/jsontext.py, faster)."""
    return jsontext.dumps(data) + "\n"


def dump_json_line(data: object) -> str:
    """One JSON document on one line (JSON Lines, for batches); no newline."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def recommendation_json(rec: Recommendation, per_decision: Mapping[str, Mapping[str, Any]] | None = None,
                        line: bool = False) -> str:
    """``dump_json(to_dict(rec, per_decision))`` (``line``: ``dump_json_line``), the same text, faster.

    A decision's text depends only on the Decision, the vocabulary and the
    run date, and the engine's memo hands the same Decision objects to every
    recommendation whose group read the same values, so each decision's text
    is written once and kept with it (:func:`_decision_text`); the rest of the
    document is small. tests/test_jsontext.py checks the text equals the plain path's."""
    extra = per_decision or {}
    try:
        vocab, as_of = rec.vocab, run_date(rec.as_of)
    except EngineError:  # a bad MLARCH_AS_OF: the plain path reports it exactly when it always did
        full = to_dict(rec, per_decision)
        return dump_json_line(full) if line else dump_json(full)
    if line:
        texts = [f"{_key(dim, line)}:{_decision_text(dec, vocab, as_of, rec.as_of, line, extra.get(dim))}"
                 for dim, dec in rec.decisions.items()]
        decisions = "{" + ",".join(texts) + "}"
    else:
        texts = [f"{_key(dim, line)}: {_decision_text(dec, vocab, as_of, rec.as_of, line, extra.get(dim))}"
                 for dim, dec in rec.decisions.items()]
        decisions = "{" + _NL[2] + ("," + _NL[2]).join(texts) + _NL[1] + "}" if texts else "{}"
    rest = to_dict(rec, per_decision, decisions={})
    text = dump_json_line(rest) if line else dump_json(rest)
    head = ('{"scenario":' if line else '{\n  "scenario": ') + _dumps(rec.scenario.name, line)
    head += ',"decisions":' if line else ',\n  "decisions": '
    if not text.startswith(head + "{}"):  # not the document to_dict builds: never expected, but never wrong
        full = to_dict(rec, per_decision)
        return dump_json_line(full) if line else dump_json(full)
    return head + decisions + text[len(head) + 2:]


_NL = ["\n" + jsontext.INDENT * level for level in range(4)]  # a newline and the indentation of each level
_TEXTS: weakref.WeakKeyDictionary[Decision, dict[tuple, str]] = weakref.WeakKeyDictionary()


def _decision_text(dec: Decision, vocab: Vocabulary, resolved_as_of: date, as_of: date | None, line: bool,
                   extra: Mapping[str, Any] | None) -> str:
    """One decision's JSON text, as it appears inside the document (level 2 when indented).

    Cached per Decision, vocabulary object and run date; ``extra`` fields (the
    sensitivity, computed per recommendation) are appended, never cached."""
    cache = _TEXTS.get(dec)
    if cache is None:
        cache = _TEXTS[dec] = {}
    key = (id(vocab), resolved_as_of, line)
    entry = cache.get(key)
    if entry is None or entry[0] is not vocab:
        if line:
            text = _dumps(decision_dict(dec, vocab, as_of), line)
        else:  # the alternatives, half the document, written directly; they are the last field
            data = decision_dict(dec, vocab, as_of, alternatives=False)
            text = jsontext.dumps(data, _NL[2])
            tail = f"[]{_NL[2]}}}"
            if dec.alternatives and text.endswith(tail) and list(data)[-1] == "alternatives":
                text = text[: -len(tail)] + _alternatives_text(dec.alternatives, _NL[3]) + _NL[2] + "}"
            elif dec.alternatives:  # never expected (alternatives are the last field), but never wrong
                text = jsontext.dumps(decision_dict(dec, vocab, as_of), _NL[2])
        entry = cache[key] = (vocab, text)
    text = entry[1]
    if not extra:
        return text
    if any(k in _DECISION_KEYS for k in extra):  # an extra field replaces a field in place: the plain path
        return _dumps({**decision_dict(dec, vocab, as_of), **extra}, line, _NL[2])
    if line:
        return text[:-1] + "".join(f",{_key(k, line)}:{_dumps(v, line)}" for k, v in extra.items()) + "}"
    body = text[: -len(_NL[2]) - 1]  # without the closing newline and brace
    return body + "".join(f",{_NL[3]}{_key(k, line)}: {_dumps(v, line, _NL[3])}" for k, v in extra.items()) + _NL[2] + "}"


def _alternatives_text(alternatives: Sequence[Alternative], newline: str) -> str:
    """``jsontext.dumps([alternative_dict(a) ...], newline)``, the same text, without building the dicts:
    they are most of a recommendation's nodes (a dozen per alternative), and each costs a call there."""
    enc, value = jsontext.encode_basestring, jsontext.value_text
    item, key, why_item, why_key = (newline + jsontext.INDENT * n for n in (1, 2, 3, 4))
    texts = []
    for alt in alternatives:
        if alt.why_not:
            whys = [f'{{{why_key}"rule": {value(w.rule, why_key)},{why_key}"text": {value(w.text, why_key)}{why_item}}}'
                    for w in alt.why_not]
            why = "[" + why_item + ("," + why_item).join(whys) + key + "]"
        else:
            why = "[]"
        texts.append(f'{{{key}"choice": {value(alt.choice, key)},{key}"score": {value(alt.score, key)},'
                     f'{key}"assumed": {value(alt.assumed, key)},{key}"status": {enc(str(alt.status))},'
                     f'{key}"why_not": {why}{item}}}')
    return "[" + item + ("," + item).join(texts) + newline + "]"


_DECISION_KEYS = frozenset({"choice", "name", "formerly", "stage", "resolved_by", "score", "assumed", "defaulted",
                            "deprecation", "reasons", "alternatives"})


def _dumps(value: Any, line: bool, newline: str = "\n") -> str:
    return dump_json_line(value) if line else jsontext.dumps(value, newline)


def _key(key: str, line: bool) -> str:
    return _dumps(key, line)


def dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
