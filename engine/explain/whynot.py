"""Why not choice X? What stops it, and the smallest changes of facts that make it win.

The answer is *searched*, not written by hand (docs/explain.md):

1. **Proof of impossibility first.** A choice can only be recommended if its
   dimension can apply (some rule can make its parent decision one of the
   values ``applies_when`` needs) and the choice can win: some rule prefers
   or requires it, or every choice listed before it can be forbidden or
   avoided (the tie-break goes to the first choice). A choice forbidden by
   a rule that always fires, or beaten by an unconditional requirement, can
   never win. When the structure of the rules rules it out, no change of
   facts can help and the search is skipped.
2. **Relevant facts.** Only facts tested by the rules of the dimension and
   of the dimensions it depends on (``applies_when`` parents and decisions
   its rules test, transitively) can change the outcome.
3. **Candidate values** come from the vocabulary (every enum value, both
   booleans, adding or removing one set item, un-stating a fact) and from
   the literals of those rules (each number threshold and its neighbours,
   the strings the rules compare with).
4. **Breadth-first by number of changes**: every single-fact change, then
   pairs, then (with ``max_changes`` 3) triples. Within a level, changes
   are tried best-first by how close each one alone brought the choice
   (its score gap, or how far its dimension is from applying), so a bounded
   search finds the likely answers first. The search stops at the first
   level with a solution: those are the smallest changes.
5. **Bounded**: at most ``budget`` evaluations (deterministic, so the same
   input always gives the same answer), and a wall-clock limit as a safety
   net; the result says whether the search was exhaustive.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from mlarch.analysis.domain import threshold_points
from mlarch.core import textfmt
from mlarch.core.conditions import LiteralKind
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.lifecycle import Notice
from mlarch.core.resolver import AlternativeStatus, Decision
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX, MAX_NUMBER, FactSpec

DEFAULT_BUDGET = 20000
DEFAULT_MAX_CHANGES = 2
DEFAULT_SECONDS = 60.0
TRIPLE_POOL = 24  # best single changes combined into triples

UNSET = None  # a change to None un-states the fact


@dataclass(frozen=True)
class Change:
    fact: str
    before: Any  # None = not stated
    after: Any  # None = un-stated

    def text(self) -> str:
        return f"{self.fact}: {show_value(self.before)} -> {show_value(self.after)}"


def show_value(value: Any) -> str:
    """A value as why-not and what-if print a change of it (core/textfmt.py)."""
    return textfmt.show_value(value, missing="(not stated)")


@dataclass(frozen=True)
class Solution:
    changes: tuple[Change, ...]
    recommendation: Recommendation  # after the changes
    side_effects: tuple[tuple[str, str | None, str | None], ...]  # other decisions that change: (dim, before, after)
    dimension: str = ""
    problem_changes: tuple[str, ...] = ()  # facts changed that define the problem itself (vocabulary problem_facts)

    @property
    def decision(self) -> Decision:
        """The searched dimension's decision after the changes."""
        return self.recommendation.decisions[self.dimension]


@dataclass(frozen=True)
class WhyNotResult:
    scenario: Scenario
    dimension: str
    choice: str
    recommendation: Recommendation
    blockers: tuple[str, ...]  # what stops the choice today, in words, with rule ids
    impossible: str | None = None  # why no change of facts can make it win
    solutions: tuple[Solution, ...] = ()
    evaluations: int = 0
    exhaustive: bool = False  # every candidate up to max_changes was tried
    stopped: str | None = None  # why the search stopped early (budget, time)
    relevant: tuple[str, ...] = ()
    candidates: int = 0  # single changes considered
    max_changes: int = DEFAULT_MAX_CHANGES
    seconds: float = field(default=0.0, compare=False)
    notice: Notice | None = None  # the asked-for product's deprecation or end at the run date (--as-of)

    @property
    def already(self) -> bool:
        return self.recommendation.choices.get(self.dimension) == self.choice


# ------------------------------------------------------------------ structure


def needed_dimensions(engine: Engine, dimension: str) -> list[str]:
    """The dimension and every dimension it depends on, nearest first."""
    out: list[str] = []
    todo = [dimension]
    while todo:
        dim = todo.pop(0)
        if dim in out:
            continue
        out.append(dim)
        todo += sorted(engine.plan.depends_on[dim] - set(out), key=list(engine.vocab.dimensions).index)  # applies_when and rules
    return out


def _always(rule: Any) -> bool:
    return rule.alternatives == ((),)


def winnable(engine: Engine, dimension: str) -> dict[str, str | None]:
    """For each choice: None when some scenario might make it win, else why it never can."""
    spec = engine.vocab.dimensions[dimension]
    rules = engine.rulebook.for_dimension(dimension)
    positive = {c for r in rules if r.verdict in ("prefer", "require") for c in r.choices}
    negative = {c for r in rules if r.verdict in ("avoid", "forbid") for c in r.choices}
    out: dict[str, str | None] = {}
    order = list(spec.choices)
    for i, c in enumerate(order):
        never = [r.id for r in rules if _always(r) and r.verdict == "forbid" and c in r.choices]
        forced = [r.id for r in rules if _always(r) and r.verdict == "require" and c not in r.choices]
        if never:
            out[c] = f"{dimension} = {c} is forbidden by {', '.join(never)}, which holds for every scenario"
        elif forced:
            out[c] = f"{', '.join(forced)} requires another choice for {dimension} in every scenario"
        elif c in positive or all(e in negative for e in order[:i]):
            out[c] = None
        else:
            first = next(e for e in order[:i] if e not in negative)
            out[c] = (f"no rule prefers or requires {dimension} = {c}, and {first}, listed before it, can never be "
                      "ruled out or pushed down, so it always wins the tie-break")
    return out


def impossibility(engine: Engine, dimension: str, choice: str, _seen: frozenset[str] = frozenset()) -> str | None:
    """Why no scenario can get ``dimension = choice``, or None when some might (a sound check)."""
    why = winnable(engine, dimension)[choice]
    if why:
        return why
    aw = engine.vocab.dimensions[dimension].applies_when
    if aw.dimension is None or aw.dimension in _seen:
        return None
    parent = engine.vocab.dimensions[aw.dimension]
    needed = [v for v in parent.choices if aw.holds({aw.dimension: v})]
    reasons = [impossibility(engine, aw.dimension, v, _seen | {dimension}) for v in needed]
    if all(reasons):
        return f"{dimension} applies only when {aw.text}, and no scenario can get that: " + "; ".join(r for r in reasons if r)
    return None


# ------------------------------------------------------------------ candidates


def relevant_facts(engine: Engine, dimension: str, choice: str, current: str | None) -> list[str]:
    """Facts the rules of the dimension and its dependencies test, most direct first."""
    order = list(engine.vocab.facts)
    ranked: dict[str, int] = {}
    for depth, dim in enumerate(needed_dimensions(engine, dimension)):
        for rule in engine.rulebook.for_dimension(dim):
            tier = depth * 3 + (0 if choice in rule.choices and dim == dimension else 1 if current in rule.choices else 2)
            for conj in rule.alternatives:
                for lit in conj:
                    if not lit.ref.startswith(DECISION_PREFIX):
                        ranked[lit.ref] = min(ranked.get(lit.ref, tier), tier)
    return sorted(ranked, key=lambda f: (ranked[f], order.index(f)))


def candidate_values(engine: Engine, spec: FactSpec, current: Any, dims: Iterable[str]) -> list[Any]:
    """Values worth trying for one fact (None = un-state it), nearest first for numbers."""
    literals = [lit for d in dims for r in engine.rulebook.for_dimension(d) for conj in r.alternatives for lit in conj
                if lit.ref == spec.id]
    out: list[Any] = []
    if spec.type == "enum":
        out = list(spec.values)
    elif spec.type == "bool":
        out = [True, False]
    elif spec.type in ("number", "integer"):
        thresholds = [lit.value for lit in literals if isinstance(lit.value, (int, float)) and not isinstance(lit.value, bool)]
        low = spec.minimum if spec.minimum is not None else -MAX_NUMBER
        values = threshold_points(thresholds, spec.type == "integer", low)
        anchor = current if isinstance(current, (int, float)) else 0
        out = sorted(values, key=lambda v: (abs(v - anchor), v))
    elif spec.type == "set":
        have = tuple(current) if current is not None else None
        order = list(spec.values)
        for v in order:
            if have is not None and v in have:
                out.append(tuple(x for x in have if x != v))
            elif v in spec.exclusive or (have and any(x in spec.exclusive for x in have)) or have is None:
                out.append((v,))
            else:
                out.append(tuple(sorted(set(have) | {v}, key=order.index)))
    else:  # free text: only the values rules compare with, or any value when they only test presence
        named = sorted({lit.value for lit in literals if isinstance(lit.value, str)})
        out = named or ([f"<{spec.name}>"] if any(lit.kind == LiteralKind.STATED for lit in literals) else [])
    out = [v for v in dict.fromkeys(out) if v != current]
    if current is not None:
        out.append(UNSET)
    return out


# ------------------------------------------------------------------ search


class _Search:
    def __init__(self, engine: Engine, scenario: Scenario, dimension: str, choice: str, budget: int, seconds: float,
                 dims: Iterable[str]) -> None:
        self.engine = engine
        self.scenario = scenario
        self.dimension = dimension
        self.choice = choice
        self.budget = budget
        self.deadline = time.monotonic() + seconds
        self.evaluations = 0
        self.stopped: str | None = None
        self.only = frozenset(dims)  # the dimension and those it depends on: nothing else can change the answer

    def out_of_budget(self) -> bool:
        if self.evaluations >= self.budget:
            self.stopped = f"stopped after the budget of {self.budget} evaluations"
        elif time.monotonic() > self.deadline:
            self.stopped = "stopped at the time limit"
        return self.stopped is not None

    def evaluate(self, changes: tuple[Change, ...]) -> Recommendation:
        """Each combination is tried once, so there is nothing to cache."""
        self.evaluations += 1
        return self.engine.evaluate(self.apply(changes), only=self.only)

    def apply(self, changes: tuple[Change, ...]) -> Scenario:
        return self.scenario.with_facts({c.fact: c.after for c in changes}, self.engine.vocab)

    def hit(self, rec: Recommendation) -> bool:
        return rec.choices.get(self.dimension) == self.choice

    def distance(self, rec: Recommendation, dimension: str | None = None, choices: Iterable[str] | None = None) -> float:
        """How far ``rec`` is from making the choice win (0 = it wins); smaller is closer."""
        dim = dimension or self.dimension
        wanted = list(choices) if choices is not None else [self.choice]
        dec = rec.decisions.get(dim)
        if dec is None:
            aw = self.engine.vocab.dimensions[dim].applies_when
            parent = self.engine.vocab.dimensions[aw.dimension or dim]
            needed = [v for v in parent.choices if aw.holds({aw.dimension: v})]
            return 1000 + self.distance(rec, aw.dimension, needed) if aw.dimension else 10_000
        best = math.inf
        for c in wanted:
            if dec.choice == c:
                return 0
            alt = dec.alternative(c)
            if alt is None:
                continue
            gap = {AlternativeStatus.FORBIDDEN: 500.0 + len(alt.why_not), AlternativeStatus.NOT_REQUIRED: 400.0}.get(alt.status, max(0, dec.score - alt.score) + 1)
            best = min(best, gap)
        return best


def blockers(engine: Engine, rec: Recommendation, dimension: str, choice: str) -> tuple[str, ...]:
    """What stops the choice in this scenario, in words."""
    dec = rec.decisions.get(dimension)
    if dec is None:
        aw = engine.vocab.dimensions[dimension].applies_when
        parent = aw.dimension or ""
        value = rec.choices.get(parent)
        state = f"{parent} is {value}" if value else f"{parent} does not apply either"
        return (f"{dimension} does not apply: it applies only when {aw.text}, and {state}.",)
    if dec.choice == choice:
        return ()
    alt = dec.alternative(choice)
    out = [f"{dimension} = {dec.choice} ({dec.how}, score {dec.score})."]
    if alt is not None:
        out += [w.cited() for w in alt.why_not]
    return tuple(out)


def why_not(engine: Engine, scenario: Scenario, dimension: str, choice: str, max_changes: int = DEFAULT_MAX_CHANGES,
            budget: int = DEFAULT_BUDGET, seconds: float = DEFAULT_SECONDS) -> WhyNotResult:
    started = time.monotonic()
    rec = engine.evaluate(scenario)
    base = WhyNotResult(scenario, dimension, choice, rec, blockers(engine, rec, dimension, choice), max_changes=max_changes,
                        notice=engine.vocab.notice(dimension, choice, rec.as_of))
    if rec.choices.get(dimension) == choice:
        return base
    proof = impossibility(engine, dimension, choice)
    if proof:
        return replace(base, impossible=proof, exhaustive=True, seconds=time.monotonic() - started)
    dims = needed_dimensions(engine, dimension)
    search = _Search(engine, scenario, dimension, choice, budget, seconds, dims)
    facts = relevant_facts(engine, dimension, choice, rec.choices.get(dimension))
    singles: list[Change] = []
    for fact in facts:
        spec = engine.vocab.facts[fact]
        current = scenario.get(fact)
        singles += [Change(fact, current, v) for v in candidate_values(engine, spec, current, dims)]
    # design facts first: changing the problem itself (the task, the data type...) is the last resort
    problem = engine.vocab.problem_facts
    singles.sort(key=lambda c: c.fact in problem)
    solutions: list[tuple[Change, ...]] = []
    closeness: dict[Change, float] = {}
    exhaustive = True
    base_fired = set(search.evaluate(()).fired)
    inert: set[Change] = set()  # single changes that alter no rule firing in the dimensions that matter
    for change in singles:  # level 1: every single change
        if search.out_of_budget():
            exhaustive = False
            break
        out = search.evaluate((change,))
        closeness[change] = search.distance(out)
        if set(out.fired) == base_fired:
            inert.add(change)
        if search.hit(out):
            solutions.append((change,))
    together = _tested_together(engine, dims)
    rank = {c: i for i, c in enumerate(singles)}
    level = 1
    def design_only(found: list[tuple[Change, ...]]) -> bool:
        return any(not any(c.fact in problem for c in s) for s in found)

    while not design_only(solutions) and level < max_changes and exhaustive:
        level += 1
        pool = singles if level == 2 else sorted(singles, key=lambda c: (closeness.get(c, math.inf), rank[c]))[:TRIPLE_POOL]
        combos = [c for c in itertools.combinations(pool, level) if len({x.fact for x in c}) == level
                  and not _provably_inert(c, inert, together)]
        combos.sort(key=lambda c: (sum(closeness.get(x, math.inf) for x in c), [rank[x] for x in c]))
        for combo in combos:
            if search.out_of_budget():
                exhaustive = False
                break
            if search.hit(search.evaluate(combo)):
                solutions.append(combo)
        if design_only(solutions):  # the smallest changes that leave the problem as it is
            solutions = [s for s in solutions if not any(c.fact in problem for c in s)]
        if level == 3 and len(pool) < len(singles):
            exhaustive = False  # triples only from the closest single changes
    if solutions and not design_only(solutions):  # only problem changes: keep the smallest ones
        smallest = min(len(x) for x in solutions)
        solutions = [x for x in solutions if len(x) == smallest]
    solutions.sort(key=lambda s: sum(c.fact in problem for c in s))  # stable: search order within each group
    found = tuple(_solution(engine, rec, engine.evaluate(search.apply(s)), s, dimension) for s in solutions)
    return replace(base, solutions=found, evaluations=search.evaluations, exhaustive=exhaustive,
                 stopped=search.stopped, relevant=tuple(facts), candidates=len(singles), seconds=time.monotonic() - started)


def _tested_together(engine: Engine, dims: Iterable[str]) -> set[frozenset[str]]:
    """Pairs of facts that some rule of these dimensions tests together."""
    pairs: set[frozenset[str]] = set()
    for dim in dims:
        for rule in engine.rulebook.for_dimension(dim):
            facts = sorted({lit.ref for conj in rule.alternatives for lit in conj if not lit.ref.startswith(DECISION_PREFIX)})
            pairs.update(frozenset(p) for p in itertools.combinations(facts, 2))
    return pairs


def _provably_inert(combo: tuple[Change, ...], inert: set[Change], together: set[frozenset[str]]) -> bool:
    """True when the combination cannot change anything: each change alone alters no rule's
    firing, and no rule tests two of its facts, so every rule fires as in the scenario itself
    (by induction over the evaluation stages, decisions stay the same too)."""
    if not all(c in inert for c in combo):
        return False
    return not any(frozenset((a.fact, b.fact)) in together for a, b in itertools.combinations(combo, 2))


def _solution(engine: Engine, before: Recommendation, after: Recommendation, changes: tuple[Change, ...], dimension: str) -> Solution:
    order = list(engine.vocab.dimensions)
    touched = sorted((before.decisions.keys() | after.decisions.keys()) - {dimension}, key=order.index)
    effects = tuple((d, before.choices.get(d), after.choices.get(d)) for d in touched if before.choices.get(d) != after.choices.get(d))
    problem = tuple(c.fact for c in changes if c.fact in engine.vocab.problem_facts)
    return Solution(changes, after, effects, dimension, problem)

