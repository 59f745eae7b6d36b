"""A small, independent reference evaluator of mlarch's rule semantics.

It shares nothing with the engine's matching or resolution code: conditions
are evaluated directly from their canonical YAML form (``to_data``) with
plain Python, dimensions are decided by a naive fixpoint in vocabulary order,
and resolution is re-implemented from docs/resolution.md. The hypothesis
tests check that the durable-rules engine and this oracle agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from mlarch.core.conditions import to_data

DECISION = "decision."


def holds(cond: Any, facts: Mapping[str, Any], decisions: Mapping[str, str]) -> bool:
    """Evaluate a condition in canonical form (see engine.conditions.to_data)."""
    if cond == "always":
        return True
    (key, value), = cond.items()
    if key == "all":
        return all(holds(c, facts, decisions) for c in value)
    if key == "any":
        return any(holds(c, facts, decisions) for c in value)
    if key == "not":
        return not holds(value, facts, decisions)
    (op, operand), = value.items()
    actual = decisions.get(key[len(DECISION):]) if key.startswith(DECISION) else facts.get(key)
    if op == "present":
        return (actual is not None) == operand
    if actual is None:
        return False
    if op == "eq":
        return actual == operand
    if op == "ne":
        return actual != operand
    if op == "lt":
        return actual < operand
    if op == "lte":
        return actual <= operand
    if op == "gt":
        return actual > operand
    if op == "gte":
        return actual >= operand
    if op == "in":
        return actual in operand
    if op == "not_in":
        return actual not in operand
    items = set(actual)
    if op == "contains":
        return operand in items
    if op == "contains_all":
        return set(operand) <= items
    if op == "contains_any":
        return bool(set(operand) & items)
    if op == "contains_none":
        return not (set(operand) & items)
    raise AssertionError(f"oracle does not know operator {op}")


def applies(applies_when: Any, decisions: Mapping[str, str]) -> bool:
    if applies_when.dimension is None:
        return True
    value = decisions.get(applies_when.dimension)
    if value is None:
        return False
    inside = value in applies_when.values
    return not inside if applies_when.op == "not_in" else inside


@dataclass
class OracleResult:
    fired: set[str]
    choices: dict[str, str]


def pick(choices: list[str], rules: list[Any]) -> str:
    """Resolution as documented: forbid, then require, then the score of rules about stated
    facts, then the score of default rules (assumptions), then list order."""
    forbidden = {c for r in rules if r.verdict == "forbid" for c in r.choices}
    required = [c for r in rules if r.verdict == "require" for c in r.choices]
    stated = {c: 0 for c in choices}
    assumed = {c: 0 for c in choices}
    for r in rules:
        score = assumed if r.default else stated
        if r.verdict == "prefer":
            score[r.choices[0]] += r.weight
        elif r.verdict == "avoid":
            for c in r.choices:
                score[c] -= r.weight
    open_choices = [c for c in choices if c not in forbidden]
    req_open = [c for c in choices if c in required and c not in forbidden]
    if not open_choices:
        pool = choices
    elif len(set(req_open)) >= 1:
        pool = [c for c in choices if c in req_open]
    else:
        pool = open_choices
    best = max((stated[c], assumed[c]) for c in pool)
    return next(c for c in choices if c in pool and (stated[c], assumed[c]) == best)


def evaluate(vocab: Any, rules: list[Any], facts: Mapping[str, Any], pinned: Mapping[str, str] | None = None) -> OracleResult:
    pinned = pinned or {}
    conditions = {r.id: to_data(r.when) for r in rules}
    decisions: dict[str, str] = {}
    done: set[str] = set()
    fired: set[str] = set()
    needs = {
        d: ({spec.applies_when.dimension} if spec.applies_when.dimension else set())
        | {ref[len(DECISION):] for r in rules if r.dimension == d for ref in _refs(conditions[r.id]) if ref.startswith(DECISION)}
        for d, spec in vocab.dimensions.items()
    }
    progress = True
    while progress:
        progress = False
        for dim, spec in vocab.dimensions.items():
            if dim in done or not needs[dim] <= done:
                continue
            done.add(dim)
            progress = True
            if not applies(spec.applies_when, decisions):
                continue
            hits = [r for r in rules if r.dimension == dim and holds(conditions[r.id], facts, decisions)]
            fired.update(r.id for r in hits)
            decisions[dim] = pinned.get(dim) or pick(list(spec.choices), hits)
    assert done == set(vocab.dimensions), "oracle found a dependency cycle"
    return OracleResult(fired, decisions)


def _refs(cond: Any) -> set[str]:
    if cond == "always":
        return set()
    (key, value), = cond.items()
    if key in ("all", "any"):
        return set().union(*(_refs(c) for c in value))
    if key == "not":
        return _refs(value)
    return {key}
