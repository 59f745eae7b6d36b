"""The invariants every recommendation must keep, as checks that return violations.

Each check looks at one evaluation (or a pair: before and after a change)
and returns what is wrong, never raising, so the same checks serve the
property tests (tests/test_properties*.py), ``mlarch lint`` (sampled) and
the mutation check (tools/mutation.py). docs/testing.md explains each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from mlarch.core.conditions import fact_refs, refs
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.evaluate import conjunct_holds, holds
from mlarch.core.plan import Plan
from mlarch.core.resolver import ResolvedBy, format_value
from mlarch.core.rulebook import PLACEHOLDER, RuleBook
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary
from mlarch.lint.spec import Constraint, Invariants, Monotonic


@dataclass(frozen=True)
class Violation:
    invariant: str  # totality | hard | constraint | coherence | faithful | monotonic | stability | determinism
    check: str  # which rule, constraint or check
    message: str
    dimension: str | None = None
    rules: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"{self.dimension}: " if self.dimension else ""
        return f"[{self.invariant}/{self.check}] {where}{self.message}"


def values_of(rec: Recommendation) -> dict[str, Any]:
    """Facts and decisions of a recommendation, as conditions see them."""
    values: dict[str, Any] = dict(rec.scenario.facts)
    values.update({DECISION_PREFIX + d: c for d, c in rec.choices.items()})
    return values


# ------------------------------------------------------------ totality


def totality(vocab: Vocabulary, rec: Recommendation) -> list[Violation]:
    """Exactly the applicable dimensions are decided, each by at least one rule, one valid choice each."""
    out: list[Violation] = []
    choices = rec.choices
    for dim, spec in vocab.dimensions.items():
        applies = spec.applies_when.holds(choices)
        if applies and dim not in rec.decisions:
            out.append(Violation("totality", "missing", f"applies ({spec.applies_when.text}) but has no decision", dim))
        elif not applies and dim in rec.decisions:
            out.append(Violation("totality", "extra", f"decided as {choices[dim]} although it does not apply ({spec.applies_when.text})", dim))
    for dim, dec in rec.decisions.items():
        if dec.choice not in vocab.dimensions[dim].choices:
            out.append(Violation("totality", "invalid-choice", f"{dec.choice!r} is not a choice of {dim}", dim))
        if dec.how is ResolvedBy.FALLBACK or not dec.reasons:
            out.append(Violation("totality", "no-rule", f"{dec.choice} was chosen without any rule (resolved by {dec.how}); add a default rule", dim))
    return out


# ------------------------------------------------------------ hard constraints


def hard_rules_kept(engine: Engine, rec: Recommendation) -> list[Violation]:
    """Every hard rule that fired is respected, without conflicts, and the
    recommendation passes its own review (evaluated with its choices pinned)."""
    out: list[Violation] = []
    for rule_id, support in rec.fired.items():
        rule = support.rule
        dec = rec.decisions.get(rule.dimension)
        if not rule.hard or dec is None:
            continue
        if rule.verdict == "forbid" and dec.choice in rule.choices:
            out.append(Violation("hard", rule_id, f"{dec.choice} is chosen although {rule_id} forbids it", rule.dimension, (rule_id,)))
        if rule.verdict == "require" and dec.choice != rule.choices[0]:
            out.append(Violation("hard", rule_id, f"{dec.choice} is chosen although {rule_id} requires {rule.choices[0]}", rule.dimension, (rule_id,)))
    for dim, dec in rec.decisions.items():
        for text in dec.conflicts:
            rules = tuple(sorted({s.rule.id for s in dec.considered if s.rule.hard}))
            out.append(Violation("hard", "conflict", f"conflicting hard rules: {text}", dim, rules))
    if not out:
        review = engine.evaluate(rec.scenario, rec.choices)
        for dim, dec in review.decisions.items():
            for s in dec.pinned_violations:
                out.append(Violation("hard", s.rule.id, f"reviewing the recommendation as a design breaks {s.rule.id} ({s.effect})", dim, (s.rule.id,)))
            if dim not in rec.decisions:
                out.append(Violation("hard", "review", "the recommendation reviewed as a design decides a dimension it did not", dim))
    return out


def constraint_holds(constraint: Constraint, rec: Recommendation) -> list[Violation]:
    """A named constraint (invariants.yaml) is kept by the recommendation."""
    dec = rec.decisions.get(constraint.dimension)
    if dec is None or not holds(constraint.when, values_of(rec)) or constraint.allows(dec.choice):
        return []
    return [Violation("constraint", constraint.id, f"{dec.choice} breaks the constraint: {constraint.title}", constraint.dimension)]


def constraints_kept(invariants: Invariants, rec: Recommendation) -> list[Violation]:
    return [v for c in invariants.constraints for v in constraint_holds(c, rec)]


def constraint_enforced(engine: Engine, constraint: Constraint, scenario: Scenario, design: Mapping[str, str]) -> list[Violation]:
    """``review`` flags a design that breaks ``constraint``: with ``design``
    pinned, the constraint's dimension must carry a hard-rule violation."""
    rec = engine.evaluate(scenario, design)
    dec = rec.decisions.get(constraint.dimension)
    if dec is None or not holds(constraint.when, values_of(rec)) or constraint.allows(dec.choice):
        return []  # the design does not break it after all
    if dec.pinned_violations:
        return []
    return [Violation(
        "constraint", constraint.id,
        f"a design with {constraint.dimension} = {dec.choice} breaks '{constraint.title}' but no hard rule fires against it, so review would not flag it",
        constraint.dimension,
    )]


# ------------------------------------------------------------ coherence


def coherent(invariants: Invariants, rec: Recommendation) -> list[Violation]:
    """The decisions describe one buildable architecture (invariants.yaml coherence checks)."""
    values = values_of(rec)
    out = []
    for check in invariants.coherence:
        if holds(check.when, values) and not holds(check.expect, values):
            used = sorted(r for r in refs(check.when) | refs(check.expect) if r in values)
            shown = ", ".join(f"{r.removeprefix(DECISION_PREFIX)} = {format_value(values[r])}" for r in used)
            out.append(Violation("coherence", check.id, f"{check.title} ({shown})"))
    return out


# ------------------------------------------------------------ faithful reasons


def faithful(rec: Recommendation) -> list[Violation]:
    """Every reason cites facts with the values the scenario has, calls unstated
    only facts that are absent, and rests on a condition that really holds."""
    out: list[Violation] = []
    facts = rec.scenario.facts
    values = values_of(rec)
    for dim, dec in rec.decisions.items():
        for s in dec.reasons:
            rid = s.rule.id
            for fact, value in s.facts.items():
                actual = facts.get(fact)
                expected = list(actual) if isinstance(actual, tuple) else actual
                if fact not in facts or expected != value:
                    out.append(Violation("faithful", rid, f"cites {fact} = {format_value(value)} but the scenario has {format_value(actual)}", dim, (rid,)))
            for fact in s.unstated:
                if fact in facts:
                    out.append(Violation("faithful", rid, f"says {fact} is not stated, but the scenario states {format_value(facts[fact])}", dim, (rid,)))
            for other, choice in s.decisions.items():
                if rec.choices.get(other) != choice:
                    out.append(Violation("faithful", rid, f"cites decision {other} = {choice} but it is {rec.choices.get(other)}", dim, (rid,)))
            if not conjunct_holds(s.conjunct, values) or not holds(s.rule.when, values):
                out.append(Violation("faithful", rid, "is given as a reason although its condition does not hold for this scenario", dim, (rid,)))
            for name in PLACEHOLDER.findall(s.rule.because):
                shown = format_value(values.get(name))
                if shown not in s.text:
                    out.append(Violation("faithful", rid, f"its text should quote {name} = {shown}", dim, (rid,)))
    return out


# ------------------------------------------------------------ monotonicity


def changed_values(spec: Monotonic, scenario: Scenario, points: Sequence[Any]) -> list[Any]:
    """The values ``spec.fact`` can change to, in the spec's direction, from ``scenario``."""
    current = scenario.facts.get(spec.fact)
    if spec.add is not None:
        items = tuple(i for i in (current or ()) if i != "none")
        if spec.add in items:
            return []
        return [items + (spec.add,)]
    if current is None:
        return list(points) if spec.from_absent else []
    if spec.direction == "decrease":
        return [p for p in points if p < current]
    return [p for p in points if p > current]


def monotonic(spec: Monotonic, before: Recommendation, after: Recommendation) -> list[Violation]:
    """After the change, no kept decision moved from its ``from`` choices to ``never_to``."""
    out = []
    for keep in spec.keep:
        was, now = before.choices.get(keep.dimension), after.choices.get(keep.dimension)
        if was in keep.before and now in keep.never_to:
            old = format_value(before.scenario.facts.get(spec.fact))
            new = format_value(after.scenario.facts.get(spec.fact))
            out.append(Violation("monotonic", spec.id, f"{spec.title}: {spec.fact} {old} -> {new} turned {was} into {now}", keep.dimension))
    return out


# ------------------------------------------------------------ stability


def relevant_facts(book: RuleBook, plan: Plan) -> dict[str, frozenset[str]]:
    """Per dimension, the facts its rules or the rules of the dimensions it depends on test."""
    own: dict[str, set[str]] = {d: set() for d in plan.depends_on}
    for rule in book.rules:
        own.setdefault(rule.dimension, set()).update(fact_refs(rule.when))
    out: dict[str, frozenset[str]] = {}

    def collect(dim: str, seen: set[str]) -> set[str]:
        if dim in seen:
            return set()
        seen.add(dim)
        facts = set(own.get(dim, ()))
        for dep in plan.depends_on.get(dim, ()):
            facts |= collect(dep, seen)
        return facts

    for dim in plan.depends_on:
        out[dim] = frozenset(collect(dim, set()))
    return out


def stable(relevance: Mapping[str, frozenset[str]], fact: str, before: Recommendation, after: Recommendation) -> list[Violation]:
    """Changing ``fact`` leaves every dimension that does not depend on it as it was."""
    out = []
    for dim, facts in relevance.items():
        if fact in facts:
            continue
        a, b = before.decisions.get(dim), after.decisions.get(dim)
        old = (a.choice, tuple(s.rule.id for s in a.reasons)) if a else None
        new = (b.choice, tuple(s.rule.id for s in b.reasons)) if b else None
        if old != new:
            out.append(Violation(
                "stability", fact,
                f"changing {fact} ({format_value(before.scenario.facts.get(fact))} -> {format_value(after.scenario.facts.get(fact))}) "
                f"changed {dim} ({_show(old)} -> {_show(new)}) although no rule it depends on tests {fact}",
                dim,
            ))
    return out


def _show(decision: tuple[str, tuple[str, ...]] | None) -> str:
    if decision is None:
        return "not applicable"
    return f"{decision[0]} by {', '.join(decision[1]) or 'no rule'}"


# ------------------------------------------------------------ determinism


def same_output(outputs: Iterable[tuple[str, str]]) -> list[Violation]:
    """Every (label, rendered output) pair is byte-identical to the first."""
    items = list(outputs)
    out = []
    if not items:
        return out
    label0, first = items[0]
    for label, text in items[1:]:
        if text != first:
            diff = _first_difference(first, text)
            out.append(Violation("determinism", label, f"output differs from {label0}: {diff}"))
    return out


def _first_difference(a: str, b: str) -> str:
    for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())):
        if x != y:
            return f"line {i + 1}: {x.strip()!r} vs {y.strip()!r}"
    return "one output is longer"


# ------------------------------------------------------------ all single-evaluation checks


def check_recommendation(engine: Engine, invariants: Invariants, rec: Recommendation) -> list[Violation]:
    """Totality, hard rules, named constraints, coherence and faithful reasons for one evaluation."""
    return (
        totality(engine.vocab, rec)
        + hard_rules_kept(engine, rec)
        + constraints_kept(invariants, rec)
        + coherent(invariants, rec)
        + faithful(rec)
    )
