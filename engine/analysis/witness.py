"""Finding a concrete scenario that shows something: a rule firing, two
rules firing together, a dimension falling back.

A conjunction solved over the finite domains (domain.py) gives the facts
it needs; the decisions it needs must come from the rules themselves, so
the facts are laid over scenarios (seeds, then random ones) whose
decisions already fit, until the engine shows the property. The result is
then shrunk, fact by fact, to a scenario a person can read.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from mlarch.analysis.domain import Assignment, Domains, Unsat
from mlarch.analysis.sampling import Sampler, make_scenario
from mlarch.core.conditions import Conjunct
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.evaluate import literal_holds
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX

Predicate = Callable[[Recommendation], bool]


class WitnessFinder:
    def __init__(self, engine: Engine, domains: Domains, sampler: Sampler, seeds: Sequence[Scenario]) -> None:
        self.engine = engine
        self.domains = domains
        self.sampler = sampler
        self._seeds: list[tuple[Scenario, dict[str, Any]]] = []
        self.seed_fired: dict[str, Scenario] = {}  # rule id -> a seed scenario where it fired
        # rules that fired in a seed whose decision was their (first) choice: a rule's own
        # examples are seeds, so one whose example shows it winning is not "outweighed" by chance
        self.seed_won: set[str] = set()
        for s in seeds:
            rec = engine.evaluate(s)
            choices = rec.choices
            self._seeds.append((s, {DECISION_PREFIX + d: c for d, c in choices.items()}))
            for rule_id, support in rec.fired.items():
                self.seed_fired.setdefault(rule_id, s)
                if choices.get(support.rule.dimension) == support.rule.choices[0]:
                    self.seed_won.add(rule_id)
        self.evaluations = len(self._seeds)
        self._closures: dict[frozenset[str], frozenset[str]] = {}

    def evaluate(self, scenario: Scenario, reads: Iterable[str] | None = None) -> Recommendation:
        """Evaluate ``scenario``; with ``reads`` (the dimensions a predicate looks at),
        only those and the dimensions they depend on are decided, which is all a
        search needs and a fraction of the work."""
        self.evaluations += 1
        return self.engine.evaluate(scenario, only=None if reads is None else self._needs(reads))

    def _needs(self, reads: Iterable[str]) -> frozenset[str]:
        key = frozenset(reads)
        found = self._closures.get(key)
        if found is None:
            found = self._closures[key] = frozenset(self.engine.plan.needs(key))
        return found

    def find(self, goals: Iterable[tuple[Conjunct, str | None]], predicate: Predicate, budget: int = 60, small: bool = True,
             reads: Iterable[str] | None = None) -> Scenario | None:
        """A scenario for which ``predicate`` holds, aimed at one of the (conjunct, dimension)
        goals; shrunk fact by fact when ``small``. ``reads``: the only dimensions
        ``predicate`` looks at (its rules' firing included), when known."""
        reads = None if reads is None else tuple(reads)
        for conj, dimension in goals:
            assignment = self.domains.solve(conj, dimension)
            if isinstance(assignment, Unsat):
                continue
            found = self._search(conj, dimension, assignment, predicate, budget, reads)
            if found is not None:
                return self.minimize(found, predicate, reads) if small else found
        return None

    def _search(self, conj: Conjunct, dimension: str | None, assignment: Assignment, predicate: Predicate, budget: int,
                reads: tuple[str, ...] | None = None) -> Scenario | None:
        decision_lits = [lit for lit in conj if lit.ref.startswith(DECISION_PREFIX)]

        def fits(values: dict[str, Any]) -> bool:
            return (
                all(literal_holds(lit, values.get(lit.ref)) for lit in decision_lits)
                and all(values.get(DECISION_PREFIX + d) == c for d, c in assignment.fixed.items())
                and (dimension is None or DECISION_PREFIX + dimension in values)
            )

        fits_seed = [fits(values) for _, values in self._seeds]
        fitting = [s for (s, _), ok in zip(self._seeds, fits_seed) if ok]
        others = [s for (s, _), ok in zip(self._seeds, fits_seed) if not ok]
        bases: list[Scenario] = [make_scenario(self.engine.vocab, {})] + fitting[: budget // 2]
        tries = 0
        for base in bases:
            tries += 1
            candidate = overlay(self.engine.vocab, base, assignment.facts)
            if predicate(self.evaluate(candidate, reads)):
                return candidate
        pool = fitting or others
        while tries < budget and pool:
            tries += 1
            base = self.sampler.mutate(self.sampler.rng.choice(pool), self.sampler.rng.randint(1, 3))
            candidate = overlay(self.engine.vocab, base, assignment.facts)
            if predicate(self.evaluate(candidate, reads)):
                return candidate
        return None

    def probe(self, conj: Conjunct, dimension: str | None, tries: int = 40) -> dict[str, dict[str, int]]:
        """What the rules decide, for the decisions ``conj`` needs, when its facts hold.

        Explains an unreached rule: "with the facts it needs, approach is
        bigquery_ml or custom_training, never automl".
        """
        assignment = self.domains.solve(conj, dimension)
        if isinstance(assignment, Unsat):
            return {}
        wanted = list(assignment.fixed) + [lit.ref[len(DECISION_PREFIX):] for lit in conj if lit.ref.startswith(DECISION_PREFIX)]
        counts: dict[str, dict[str, int]] = {d: {} for d in dict.fromkeys(wanted)}
        for i in range(tries):
            base = self._seeds[self.sampler.rng.randrange(len(self._seeds))][0] if self._seeds and i else make_scenario(self.engine.vocab, {})
            rec = self.evaluate(overlay(self.engine.vocab, base, assignment.facts), counts)
            for d in counts:
                value = rec.choices.get(d, "(does not apply)")
                counts[d][value] = counts[d].get(value, 0) + 1
        return counts

    def minimize(self, scenario: Scenario, predicate: Predicate, reads: Iterable[str] | None = None) -> Scenario:
        """Drop every fact the predicate does not need (one pass, last facts first)."""
        current = scenario
        reads = None if reads is None else tuple(reads)
        for fact in reversed(list(scenario.facts)):
            trial = current.with_facts({fact: None}, self.engine.vocab)
            if predicate(self.evaluate(trial, reads)):
                current = trial
        return current


def overlay(vocab: Any, base: Scenario, facts: dict[str, Any]) -> Scenario:
    """``base`` with ``facts`` set (None removes a fact)."""
    merged = dict(base.facts)
    merged.update(facts)
    return make_scenario(vocab, merged)
