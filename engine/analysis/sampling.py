"""Deterministic random scenarios that reach the rules' thresholds and deep decisions.

Pure random facts rarely reach a rule that waits for ``approach ==
bigquery_ml`` and ``ml_api == translation_api``; so half the samples start
from a *seed* (a bundled scenario or a rule example) and change a few facts,
and numbers are drawn on both sides of every threshold a rule compares
them with (:meth:`Domains.number_points`). Seeded with ``random.Random``,
so the same seed gives the same scenarios.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from mlarch.analysis.domain import Domains
from mlarch.core.paths import bundled_scenarios_dir
from mlarch.core.rulebook import RuleBook
from mlarch.core.scenario import Scenario, load_scenario
from mlarch.core.vocabulary import Vocabulary
from mlarch.core.yamlio import yaml_files


def make_scenario(vocab: Vocabulary, facts: Mapping[str, Any], name: str = "sample") -> Scenario:
    """A scenario from typed facts (sets as tuples), in vocabulary order; None drops a fact."""
    ordered = {f: facts[f] for f in vocab.facts if facts.get(f) is not None}
    return Scenario(name, ordered)


def seed_scenarios(book: RuleBook, vocab: Vocabulary, folder: str | Path | None = None) -> list[Scenario]:
    """Bundled scenarios (or ``folder``'s) and every rule example, without their pinned decisions."""
    found: list[Scenario] = []
    path = Path(folder) if folder else bundled_scenarios_dir()
    for file in yaml_files(path):
        try:
            found.append(load_scenario(file, vocab=vocab))
        except Exception:  # noqa: BLE001 - a broken scenario file is someone else's finding
            continue
    for rule in book.rules:
        for example in rule.fires + rule.does_not_fire:
            found.append(example.scenario)
    unique: dict[tuple, Scenario] = {}
    for s in found:
        unique.setdefault(tuple(sorted((k, repr(v)) for k, v in s.facts.items())), s)
    return list(unique.values())


class Sampler:
    """Random scenarios over a rule base's finite abstraction."""

    def __init__(self, vocab: Vocabulary, domains: Domains, seeds: Sequence[Scenario], seed: int = 0) -> None:
        self.vocab = vocab
        self.domains = domains
        self.seeds = list(seeds)
        self.rng = random.Random(seed)
        self.facts = [f for f, s in vocab.facts.items() if s.group is not None]

    def value(self, fact: str) -> Any:
        spec = self.vocab.facts[fact]
        if spec.type == "set":
            plain = [v for v in spec.values if v not in spec.exclusive]
            if spec.exclusive and self.rng.random() < 0.1:
                return (self.rng.choice(spec.exclusive),)
            chosen = {v for v in plain if self.rng.random() < 0.3}
            return tuple(v for v in spec.values if v in chosen)
        return self.rng.choice(self.domains.sample_values(fact))

    def fresh(self, density: float = 0.25) -> Scenario:
        facts = {f: self.value(f) for f in self.facts if self.rng.random() < density}
        return make_scenario(self.vocab, facts)

    def mutate(self, base: Scenario, changes: int = 3) -> Scenario:
        facts = dict(base.facts)
        for fact in self.rng.sample(self.facts, changes):
            facts[fact] = None if self.rng.random() < 0.3 else self.value(fact)
        return make_scenario(self.vocab, facts)

    def one_fact(self) -> Iterator[Scenario]:
        """The empty scenario, then every fact alone with every value that matters."""
        yield make_scenario(self.vocab, {}, "empty")
        for fact in self.facts:
            for value in self.domains.sample_values(fact):
                yield make_scenario(self.vocab, {fact: value}, "one-fact")

    def scenarios(self, count: int) -> Iterator[Scenario]:
        for i in range(count):
            if self.seeds and i % 2:
                yield self.mutate(self.rng.choice(self.seeds), self.rng.randint(1, 4))
            else:
                yield self.fresh(self.rng.choice((0.05, 0.15, 0.3)))
