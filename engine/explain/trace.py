"""The full trace of a recommendation: which rules fired on which facts, what
each contributed to which choice, and how each dimension was resolved.

Dimensions are traced in evaluation order (the plan's stages: a dimension
comes after every decision its rules test), so the trace reads as the engine
worked. For one dimension (``--dimension``) the trace also lists the rules
that did *not* fire, each with the tests that failed and the scenario's
values: the near misses a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from mlarch.core.conditions import All, Condition, Leaf, Not, describe, refs
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.evaluate import holds
from mlarch.core.lifecycle import Notice
from mlarch.core.resolver import Decision, Support, format_value
from mlarch.core.rulebook import Rule
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX


@dataclass(frozen=True)
class Tally:
    """What the fired rules did to one choice."""

    choice: str
    score: int
    prefer: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    forbidden_by: tuple[str, ...] = ()
    required_by: tuple[str, ...] = ()
    assumed: int = 0  # net weight of default rules, compared only where the stated scores tie


@dataclass(frozen=True)
class NearMiss:
    """A rule of the dimension that did not fire, and the tests that failed."""

    rule: Rule
    failed: tuple[str, ...]  # each failing test, with the scenario's value


@dataclass(frozen=True)
class DimensionTrace:
    dimension: str
    stage: str  # lifecycle stage (vocabulary)
    step: int  # the dimension's level in the plan (0 first)
    applies_when: str
    applies: bool
    decision: Decision | None
    tallies: tuple[Tally, ...]  # choices some fired rule named, best first
    resolution: str
    near_misses: tuple[NearMiss, ...] = ()
    choices: tuple[str, ...] = ()  # every choice of the dimension, vocabulary order
    notice: Notice | None = None  # the chosen product's deprecation or end at the run date (--as-of)


@dataclass(frozen=True)
class Trace:
    recommendation: Recommendation
    dimensions: tuple[DimensionTrace, ...]

    @property
    def scenario(self) -> Scenario:
        return self.recommendation.scenario


def tallies(decision: Decision, order: Sequence[str]) -> tuple[Tally, ...]:
    """Per-choice scores and the rules behind them, as the resolver counted them (best first)."""
    def ids(supports: Sequence[Support]) -> tuple[str, ...]:
        return tuple(s.rule.id for s in supports)

    out = [Tally(c, t.score, ids(t.preferred_by), ids(t.avoided_by), ids(t.forbidden_by), ids(t.required_by), t.assumed)
           for c, t in decision.tallies.items()]
    out.sort(key=lambda t: (bool(t.forbidden_by), not t.required_by, -t.score, -t.assumed, list(order).index(t.choice)))
    return tuple(out)


def resolution_text(decision: Decision, table: Sequence[Tally], order: Sequence[str]) -> str:
    """How the resolver reached the choice, in one or two sentences (docs/resolution.md)."""
    c, how = decision.choice, decision.how
    forbidden = [t.choice for t in table if t.forbidden_by]
    removed = f" after {', '.join(forbidden)} {'was' if len(forbidden) == 1 else 'were'} forbidden" if forbidden else ""
    if how == "required":
        rules = next((t.required_by for t in table if t.choice == c), ())
        return f"{c} is required by {', '.join(rules)}; a requirement decides the dimension whatever the scores{removed}."
    if how == "preferred":
        rest = [t for t in table if t.choice != c and not t.forbidden_by]
        scores = {t.choice: t.score for t in table}
        tied = [o for o in order if o != c and o not in forbidden and scores.get(o, 0) == decision.score]
        if tied and decision.assumed:
            return (f"{c} ties at score {decision.score} on the stated facts with {', '.join(tied)}{removed}; "
                    f"default rules (assumptions about facts not stated) favour {c} ({decision.assumed:+d}).")
        nxt = f"; next best {rest[0].choice} at {rest[0].score}" if rest else ""
        return f"{c} has the highest score ({decision.score}){removed}{nxt}."
    if how == "tie_break":
        tied = [t.choice for t in table if t.score == decision.score and not t.forbidden_by and t.choice != c]
        return (f"{c} ties at score {decision.score} with {', '.join(tied)}{removed}; the tie-break takes the choice "
                "listed first in the vocabulary (the simpler, more managed one).")
    if how == "elimination":
        return (f"No rule supports a remaining choice; {c} is the first choice in vocabulary order that no rule "
                f"ruled out or pushed down{removed}.")
    if how == "fallback":
        return f"No rule fired for this dimension; {c} is only the first choice in vocabulary order."
    if how == "conflict":
        return "Conflicting hard rules: " + "; ".join(decision.conflicts) + f". Kept {c}."
    return f"{c} was given (pinned)."


def inline(cond: Condition, top: bool = True) -> str:
    """A condition on one line: ``data.location is bigquery and (a or b)``."""
    if isinstance(cond, Leaf):
        return describe(cond)[0]
    if isinstance(cond, Not):
        return f"not ({inline(cond.item, False)})"
    if not cond.items:
        return "always"
    word = " and " if isinstance(cond, All) else " or "
    text = word.join(inline(c, False) for c in cond.items)
    return text if top or len(cond.items) == 1 else f"({text})"


def failing(cond: Condition, values: Mapping[str, Any]) -> list[str]:
    """The parts of a condition that do not hold, in words, with the scenario's values.

    A top-level ``all`` (or a mapping of several keys) reports each failing
    part; anything else is reported whole.
    """
    parts = cond.items if isinstance(cond, All) else (cond,)
    out = []
    for part in parts:
        if holds(part, values):
            continue
        here = ", ".join(f"{r} = {format_value(values.get(r))}" for r in sorted(refs(part)))
        out.append(f"{inline(part)} (here: {here})")
    return out


def near_misses(rules: Sequence[Rule], fired: Mapping[str, Support], values: Mapping[str, Any]) -> tuple[NearMiss, ...]:
    """Rules that did not fire, each with the parts of its condition that failed (fewest first)."""
    out = [NearMiss(rule, tuple(failing(rule.when, values))) for rule in rules if rule.id not in fired]
    out.sort(key=lambda m: (len(m.failed), m.rule.id))
    return tuple(out)


def evaluation_values(rec: Recommendation) -> dict[str, Any]:
    """Facts and final decisions, as the matcher saw them when each rule was matched."""
    values: dict[str, Any] = dict(rec.scenario.facts)
    values.update({DECISION_PREFIX + d: c for d, c in rec.choices.items()})
    return values


def trace(engine: Engine, scenario: Scenario, dimension: str | None = None,
          recommendation: Recommendation | None = None) -> Trace:
    """Trace every dimension (or one, with its near misses)."""
    rec = recommendation or engine.evaluate(scenario)
    vocab = engine.vocab
    step = {d: level.index for level in engine.plan.levels for d in level.dimensions}
    dims = sorted(vocab.dimensions, key=lambda d: (step.get(d, 0), list(vocab.dimensions).index(d)))
    if dimension is not None:
        dims = [dimension]
    values = evaluation_values(rec)
    out = []
    for dim in dims:
        spec = vocab.dimensions[dim]
        dec = rec.decisions.get(dim)
        order = list(spec.choices)
        if dec is None:
            parent = spec.applies_when.dimension or ""
            state = f"{parent} is {rec.choices[parent]}" if parent in rec.choices else f"{parent} does not apply either"
            out.append(DimensionTrace(dim, spec.stage, step.get(dim, 0), spec.applies_when.text, False, None, (),
                                      f"Does not apply: it applies only when {spec.applies_when.text}, and {state}."))
            continue
        table = tallies(dec, order)
        misses = near_misses(engine.rulebook.for_dimension(dim), rec.fired, values) if dimension else ()
        out.append(DimensionTrace(dim, spec.stage, step.get(dim, 0), spec.applies_when.text, True, dec, table,
                                  resolution_text(dec, table, order), misses, tuple(order),
                                  engine.vocab.notice(dim, dec.choice, rec.as_of)))
    return Trace(rec, tuple(out))


def choice_effect(s: Support) -> str:
    """A fired rule's effect on its choices as the trace words it: ``+3 to batch``,
    ``forbids gpu, tpu`` (``contribution`` in the JSON trace; see core/textfmt.effect)."""
    r = s.rule
    if r.verdict == "prefer":
        return f"+{r.weight} to {r.choices[0]}"
    if r.verdict == "avoid":
        return f"-{r.weight} to {', '.join(r.choices)}"
    if r.verdict == "require":
        return f"requires {r.choices[0]}"
    return f"forbids {', '.join(r.choices)}"
