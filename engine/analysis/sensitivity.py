"""Which facts would change which decisions: the search behind sensitivity,
confidence and the interview's next question.

One scenario has finitely many meaningful variants per fact (the finite
abstraction of analysis/domain.py: enum and bool values, set items, the
sides of every threshold rules compare a number with). For each fact this
module evaluates the variants that can matter and records which decisions
change and to what. Two things keep that cheap and engine-agnostic (only
``Engine.evaluate(scenario, only=...)`` is called):

- a fact can only reach the dimensions whose rules test it and those that
  depend on them (the plan's dependencies); the evaluation is restricted to
  those and what they need;
- a variant that changes the truth of no rule testing the fact changes
  nothing at all (every rule fires as before, so by induction over the
  stages every decision stays), and is not evaluated.

Everything here is deterministic: facts in vocabulary order, values in the
order :func:`values_to_try` gives them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from mlarch.analysis.domain import Domains
from mlarch.core.conditions import Literal
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.evaluate import conjunct_holds, literal_holds
from mlarch.core.plan import closure
from mlarch.core.rulebook import Rule
from mlarch.core.scenario import Scenario
from mlarch.core.textfmt import show_value
from mlarch.core.vocabulary import DECISION_PREFIX

NOT_APPLICABLE = None  # a decision's "choice" when a variant makes it not apply


@dataclass(frozen=True)
class Variant:
    """One value of one fact and the decisions it changes (dimension -> (before, after))."""

    fact: str
    value: Any  # None = the fact un-stated
    changes: Mapping[str, tuple[str | None, str | None]]


@dataclass(frozen=True)
class FactInfluence:
    """Every meaningful variant of one fact, and what it does to the recommendation."""

    fact: str
    current: Any  # None = not stated
    variants: tuple[Variant, ...]  # all values tried (inert ones included, with no changes)
    evaluations: int = 0
    order: tuple[str, ...] = field(default=(), repr=False)  # the vocabulary's dimension order

    @property
    def decides(self) -> tuple[str, ...]:
        """Dimensions some value of the fact would change, in vocabulary order."""
        seen = {dim for v in self.variants for dim in v.changes}
        return tuple(d for d in self.order if d in seen)

    def for_dimension(self, dimension: str) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if dimension in v.changes)


class _Reach:
    """Per engine: for each fact, the rules that test it, the dimensions it can reach, and what they need."""

    def __init__(self, engine: Engine) -> None:
        vocab = engine.vocab
        self.order = list(vocab.dimensions)
        self.domains = Domains(vocab, engine.rulebook.rules, natural=False)
        dependents: dict[str, set[str]] = {d: set() for d in vocab.dimensions}
        for dim, deps in engine.plan.depends_on.items():
            for d in deps:
                dependents[d].add(dim)
        self.rules: dict[str, list[Rule]] = {}
        for rule in engine.rulebook.rules:
            for ref in {lit.ref for conj in rule.alternatives for lit in conj}:
                if not ref.startswith(DECISION_PREFIX):
                    self.rules.setdefault(ref, []).append(rule)
        self.downstream: dict[str, frozenset[str]] = {}
        self.needed: dict[str, frozenset[str]] = {}
        for fact, rules in self.rules.items():
            down = closure({r.dimension for r in rules}, dependents)
            self.downstream[fact] = frozenset(down)
            self.needed[fact] = frozenset(engine.plan.needs(down))
        # how much of the design hangs on a decision: itself and every dimension depending on it
        self.weight = {d: 1 + len(closure({d}, dependents) - {d}) for d in vocab.dimensions}



_REACH: "weakref.WeakKeyDictionary[Engine, _Reach]" = weakref.WeakKeyDictionary()


def reach(engine: Engine) -> _Reach:
    found = _REACH.get(engine)
    if found is None:
        found = _REACH[engine] = _Reach(engine)
    return found


# ------------------------------------------------------------------ values


def values_to_try(engine: Engine, fact: str, current: Any = None) -> list[Any]:
    """The one enumeration of a fact's meaningful values for this module.

    Unstated facts: every possible answer of the finite abstraction
    (Domains.sample_values: each enum or bool value, each set item alone and
    none, a value on each side of every threshold, the strings rules name).
    Stated facts: the smallest changes from ``current`` (another enum or bool
    value, one set item added or removed, the threshold points nearest first);
    un-stating a stated fact is not a change of its value and is not tried.
    """
    domains = reach(engine).domains
    spec = engine.vocab.facts[fact]
    sample = domains.sample_values(fact)
    if current is None:
        return sample
    if spec.type == "set":
        have = tuple(current)
        items = list(spec.values)
        out: list[Any] = []
        for item in items:
            if item in have:
                out.append(tuple(x for x in have if x != item))
            elif item in spec.exclusive or any(x in spec.exclusive for x in have):
                out.append((item,))
            else:
                out.append(tuple(sorted({*have, item}, key=items.index)))
        return [v for v in dict.fromkeys(out) if v != have]
    if spec.type in ("number", "integer"):
        return sorted((p for p in sample if p != current), key=lambda p: (abs(p - current), p))
    if spec.ordered and current in spec.values:  # grades: the next ones up and down first
        order = list(spec.values)
        return sorted((v for v in sample if v != current), key=lambda v: (abs(order.index(v) - order.index(current)), order.index(v)))
    return [v for v in sample if v != current]


NEAR_FACTOR = 2  # a number within this factor of the stated one (half to double) is a small change


def neighbouring(engine: Engine, fact: str, current: Any, value: Any) -> bool:
    """Whether changing stated ``current`` to ``value`` is a *small* change (the knife-edge test).

    Small: the next grade of an ordered enum (the vocabulary's ``ordered: true``:
    budget low to medium), or a number within a factor of :data:`NEAR_FACTOR`
    of the stated one (so the nearest threshold lies that close). A change
    of kind is never small: another value of an unordered enum (modality,
    location, task), a bool turned over, a set item added or removed, or a
    fact un-stated; such a change describes another situation, not a
    misjudged one, and is listed as what would change the decision without
    calling it knife-edge (docs/output.md)."""
    spec = engine.vocab.facts[fact]
    if current is None or value is None or isinstance(current, bool) or isinstance(value, bool):
        return False
    if spec.type in ("number", "integer"):
        return current > 0 and current / NEAR_FACTOR <= value <= current * NEAR_FACTOR
    if spec.type == "enum" and spec.ordered and current in spec.values and value in spec.values:
        order = list(spec.values)
        return abs(order.index(value) - order.index(current)) == 1
    return False


# ------------------------------------------------------------------ search


def _values_of(rec: Recommendation) -> dict[str, Any]:
    values: dict[str, Any] = dict(rec.scenario.facts)
    values.update({DECISION_PREFIX + d: c for d, c in rec.choices.items()})
    return values


def _fires(rule: Rule, values: Mapping[str, Any]) -> bool:
    return any(conjunct_holds(conj, values) for conj in rule.alternatives)


def _firing_test(rules: list[Rule], fact: str, base: Mapping[str, Any]) -> Callable[[Any], tuple[tuple[bool, ...], tuple[bool, ...]]]:
    """For a value of ``fact`` (everything else as in ``base``): which of
    ``rules`` fire, and the value's class.

    The first is the same answer as :func:`_fires` on a copy of ``base`` with
    the value put in, but the literals on other facts are judged once: a
    conjunct whose other literals fail can never fire, one whose other
    literals hold fires exactly when its literals on ``fact`` hold.

    The class is the truth of every literal on ``fact`` in every rule. Two
    values of one class make every rule answer alike whatever the decisions
    are, so they give the same recommendation (the engine's value classes,
    engine/core/classes.py, rest on the same argument per group)."""
    live: list[list[tuple[int, ...]]] = []  # per rule, per live conjunct: indexes of its literals on fact
    literals: dict[Literal, int] = {}
    for rule in rules:
        conjuncts = []
        for conj in rule.alternatives:
            on_fact = tuple(literals.setdefault(lit, len(literals)) for lit in conj if lit.ref == fact)
            if all(literal_holds(lit, base.get(lit.ref)) for lit in conj if lit.ref != fact):
                conjuncts.append(on_fact)
        live.append(conjuncts)
    ordered = list(literals)

    def fires(value: Any) -> tuple[tuple[bool, ...], tuple[bool, ...]]:
        truth = tuple(literal_holds(lit, value) for lit in ordered)
        return tuple(any(all(truth[i] for i in conj) for conj in conjuncts) for conjuncts in live), truth

    return fires


def fact_influence(engine: Engine, rec: Recommendation, fact: str, values: Iterable[Any] | None = None) -> FactInfluence:
    """What each value of ``fact`` (default: :func:`values_to_try`) does to ``rec``'s decisions."""
    r = reach(engine)
    current = rec.scenario.get(fact)
    tried = list(values) if values is not None else values_to_try(engine, fact, current)
    rules = r.rules.get(fact, [])
    base = _values_of(rec)
    fires = _firing_test(rules, fact, base)
    before = fires(current)[0]
    by_class: dict[tuple[bool, ...], dict[str, tuple[str | None, str | None]]] = {}
    down = r.downstream.get(fact, frozenset())
    needed = r.needed.get(fact, frozenset())
    variants: list[Variant] = []
    evaluations = 0
    now = rec.choices
    compared = [d for d in r.order if d in down]
    for value in tried:
        firing, cls = fires(value)
        if firing == before:
            variants.append(Variant(fact, value, {}))  # no rule fires differently: nothing can change
            continue
        changes = by_class.get(cls)
        if changes is None:  # the first value of its class; the others give the same decisions
            evaluations += 1
            got = engine.evaluate(rec.scenario.with_facts({fact: value}, engine.vocab), only=needed).choices
            changes = by_class[cls] = {d: (now.get(d), got.get(d)) for d in compared if now.get(d) != got.get(d)}
        variants.append(Variant(fact, value, dict(changes)))
    return FactInfluence(fact, current, tuple(variants), evaluations, tuple(r.order))


def unstated_facts(engine: Engine, scenario: Scenario) -> list[str]:
    """Facts the scenario does not state that some rule tests, in vocabulary order."""
    tested = reach(engine).rules
    return [f for f in engine.vocab.facts if f in tested and not scenario.stated(f)]


# ------------------------------------------------------------------ sensitivity


@dataclass(frozen=True)
class Flip:
    """The smallest change of a stated fact that gives the dimension another choice (None = not applicable)."""

    fact: str
    before: Any
    after: Any
    choice: str | None
    knife_edge: bool = False  # the change is small (:func:`neighbouring`)

    def text(self) -> str:
        return (f"would be {self.choice}" if self.choice else "would not apply") + f" if {self.fact} were {show(self.after)}"


@dataclass(frozen=True)
class Unknown:
    """An unstated fact that could change the decision, with what each of its values would give."""

    fact: str
    outcomes: tuple[tuple[Any, str | None], ...]  # every value tried -> the dimension's choice with it
    changing: int  # how many of those values change the decision


@dataclass(frozen=True)
class DecisionSensitivity:
    dimension: str
    choice: str
    confidence: str  # firm | knife-edge | assumed
    flips: tuple[Flip, ...] = ()  # stated facts: knife-edges first, each kind in vocabulary order
    unknowns: tuple[Unknown, ...] = ()  # unstated facts, most changing first

    def text_flips(self) -> list[str]:
        return [f.text() for f in self.flips]

    @property
    def knife_edges(self) -> tuple[Flip, ...]:
        return tuple(f for f in self.flips if f.knife_edge)


@dataclass(frozen=True)
class Sensitivity:
    """Sensitivity and confidence of every decision of one recommendation: one computation, several views."""

    decisions: Mapping[str, DecisionSensitivity]
    evaluations: int = 0
    influences: Mapping[str, FactInfluence] = field(default_factory=dict, repr=False, compare=False)

    def confidence(self, dimension: str) -> str:
        return self.decisions[dimension].confidence


CONFIDENCES = ("firm", "knife-edge", "assumed")


show = show_value  # a value as the sensitivity texts print it (core/textfmt.py)


def describe_choice(choice: str | None) -> str:
    return "not applicable" if choice is None else choice


def analyse(engine: Engine, rec: Recommendation) -> Sensitivity:
    """Flips, unknowns and confidence for every decision of ``rec``."""
    influences: dict[str, FactInfluence] = {}
    for fact in engine.vocab.facts:
        if fact in reach(engine).rules:
            influences[fact] = fact_influence(engine, rec, fact)
    out: dict[str, DecisionSensitivity] = {}
    for dim, dec in rec.decisions.items():
        flips: list[Flip] = []
        unknowns: list[Unknown] = []
        for fact, eff in influences.items():
            hits = eff.for_dimension(dim)
            if not hits:
                continue
            if eff.current is not None:  # values_to_try lists the smallest changes first; a small one wins
                near = [v for v in hits if neighbouring(engine, fact, eff.current, v.value)]
                first = (near or list(hits))[0]
                flips.append(Flip(fact, eff.current, first.value, first.changes[dim][1], bool(near)))
            else:
                outcomes = tuple((v.value, v.changes[dim][1] if dim in v.changes else dec.choice) for v in eff.variants)
                unknowns.append(Unknown(fact, outcomes, len(hits)))
        unknowns.sort(key=lambda u: -u.changing)  # stable: vocabulary order among equals
        flips.sort(key=lambda f: not f.knife_edge)  # stable: knife-edges first, each kind in vocabulary order
        confidence = "assumed" if dec.defaulted else "knife-edge" if any(f.knife_edge for f in flips) else "firm"
        out[dim] = DecisionSensitivity(dim, dec.choice, confidence, tuple(flips), tuple(unknowns))
    return Sensitivity(out, sum(e.evaluations for e in influences.values()), influences)


def json_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def as_fields(sens: Sensitivity) -> dict[str, dict[str, Any]]:
    """Per dimension, the JSON fields ``confidence`` and ``sensitivity`` (docs/output.md)."""
    out: dict[str, dict[str, Any]] = {}
    for dim, ds in sens.decisions.items():
        out[dim] = {
            "confidence": ds.confidence,
            "sensitivity": {
                "stated": [{"fact": f.fact, "value": json_value(f.before), "change_to": json_value(f.after), "choice": f.choice,
                            "knife_edge": f.knife_edge} for f in ds.flips],
                "unstated": [{"fact": u.fact, "changing_values": u.changing,
                              "outcomes": [{"value": json_value(v), "choice": c} for v, c in u.outcomes]}
                             for u in ds.unknowns],
            },
        }
    return out


# ------------------------------------------------------------------ the next question


@dataclass(frozen=True)
class Candidate:
    """An unstated fact as a question: how much of the design its answer would decide."""

    influence: FactInfluence
    score: int  # the summed weights of the decisions some answer would change
    changes: int  # decision changes over all answers

    @property
    def fact(self) -> str:
        return self.influence.fact


def rank_questions(engine: Engine, rec: Recommendation, exclude: Iterable[str] = ()) -> list[Candidate]:
    """Unstated facts whose answer would change some decision, best question first.

    A fact's score sums, over the decisions some value of it would change,
    that decision's weight (1 + the dimensions depending on it), so a fact
    that decides the approach outranks one that decides a leaf. Ties: more
    decision changes over all values, then vocabulary order.
    """
    skip = set(exclude)
    weight = reach(engine).weight
    found: list[Candidate] = []
    for fact in unstated_facts(engine, rec.scenario):
        if fact in skip:
            continue
        eff = fact_influence(engine, rec, fact)
        if not eff.decides:
            continue
        found.append(Candidate(eff, sum(weight[d] for d in eff.decides), sum(len(v.changes) for v in eff.variants)))
    found.sort(key=lambda c: (-c.score, -c.changes))  # stable: vocabulary order among equals
    return found
