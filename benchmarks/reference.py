"""The fastest pure-Python evaluator of the same rules we could write: a yardstick.

Not used by mlarch (durable-rules is fixed by the design card): it shows
what durable-rules costs, as the ratio of its rate to the engine's. Each
rule's condition, already in disjunctive normal form (the matcher's input),
is compiled to Python closures with the semantics of
engine/analysis/evaluate.py ``literal_holds``; groups, ``applies_when`` and
resolution are the engine's own (the same plan, the same resolver), so the
only difference is who decides which rules fire.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from mlarch.core.conditions import Conjunct, Literal
from mlarch.core.engine import Engine
from mlarch.core.resolver import Decision, Support, resolve
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX

Test = Callable[[Mapping[str, Any]], bool]


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def compile_literal(lit: Literal) -> Test:
    ref, kind, v = lit.ref, lit.kind, lit.value
    if kind == "absent":
        return lambda values: values.get(ref) is None
    if kind == "stated":
        return lambda values: values.get(ref) is not None
    if kind == "differs":
        return lambda values: values.get(ref) not in v  # None is never among the values
    if kind == "iall_neq":
        items = frozenset(v)
        return lambda values: (a := values.get(ref)) is None or items.isdisjoint(a)
    if kind == "eq":
        return lambda values: (a := values.get(ref)) is not None and a == v
    if kind == "neq":
        return lambda values: (a := values.get(ref)) is not None and a != v
    if kind == "iany":
        return lambda values: (a := values.get(ref)) is not None and v in a
    if kind == "empty":
        return lambda values: (a := values.get(ref)) is not None and len(a) == 0
    if kind in ("lt", "lte", "gt", "gte"):
        compare = {"lt": float.__lt__, "lte": float.__le__, "gt": float.__gt__, "gte": float.__ge__}[kind]
        bound = float(v)
        return lambda values: _number(a := values.get(ref)) and compare(float(a), bound)
    raise ValueError(f"unknown literal kind {kind}")


def compile_conjunct(conj: Conjunct) -> Test:
    tests = tuple(compile_literal(lit) for lit in conj)
    if len(tests) == 1:
        return tests[0]
    return lambda values: all(t(values) for t in tests)


class Reference:
    """Evaluates like ``engine`` but matches rules in Python: fired rules and decisions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.groups: list[list[tuple[Any, tuple[tuple[Test, Conjunct], ...]]]] = []
        for _, dims in engine.groups:
            rules = [r for r in engine.rulebook.rules if r.dimension in dims]
            self.groups.append([(r, tuple((compile_conjunct(c), c) for c in r.alternatives)) for r in rules])

    def evaluate(self, scenario: Scenario) -> tuple[dict[str, Support], dict[str, Decision]]:
        vocab = self.engine.vocab
        values: dict[str, Any] = dict(scenario.facts)
        chosen: dict[str, str] = {}
        fired: dict[str, Support] = {}
        decisions: dict[str, Decision] = {}
        for (_, dims), rules in zip(self.engine.groups, self.groups):
            if not vocab.dimensions[dims[0]].applies_when.holds(chosen):
                continue
            by_dim: dict[str, list[Support]] = {}
            for rule, alternatives in rules:
                for test, conj in alternatives:
                    if test(values):
                        support = fired[rule.id] = Support(rule, conj, values, vocab)
                        by_dim.setdefault(rule.dimension, []).append(support)
                        break
            for dim in dims:
                decision = resolve(vocab.dimensions[dim], by_dim.get(dim, []))
                decisions[dim] = decision
                chosen[dim] = decision.choice
                values[DECISION_PREFIX + dim] = decision.choice
        return dict(sorted(fired.items())), decisions
