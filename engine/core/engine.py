"""The pipeline: scenario in, explained recommendation out.

load (scenario.py, rulebook.py) -> plan (plan.py) -> match (matcher.py)
-> resolve (resolver.py) -> render (report/).

:class:`Engine` compiles a rule base once and evaluates any number of
scenarios; each evaluation is isolated (fresh durable-rules states, deleted
after use) and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Collection, Mapping

from mlarch.core.cache import compiled_programs
from mlarch.core.conditions import Conjunct
from mlarch.core.errors import InputError, Problem
from mlarch.core.lifecycle import run_date
from mlarch.core.matcher import Matcher, compile_programs
from mlarch.core.memo import LRU, MEMO_SIZE
from mlarch.core.paths import bundled_rules_dir
from mlarch.core.plan import Plan, make_plan
from mlarch.core.resolver import Decision, ResolvedBy, Support, format_value, render_reason, resolve  # noqa: F401 - re-exported
from mlarch.core.rulebook import PLACEHOLDER, RuleBook, load_rulebook
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary, load_vocabulary


@dataclass(frozen=True)
class DecisionWarning:
    """A warning about one decision: its choice is deprecated or ending, hard
    rules on it conflicted, or no rule applied to it."""

    kind: str  # deprecated | ending | conflict | fallback (ending: a part of a current choice ends, issue 17)
    dimension: str
    choice: str | None
    text: str


@dataclass(frozen=True)
class Recommendation:
    scenario: Scenario
    decisions: Mapping[str, Decision]  # applicable dimensions, vocabulary order
    warnings: tuple[DecisionWarning, ...]
    fired: Mapping[str, Support]  # every rule whose condition held (applicable or not)
    not_applicable: tuple[str, ...]  # dimensions that do not apply
    rules_loaded: int
    rule_set_version: str
    vocab: Vocabulary = field(repr=False, compare=False)  # the engine's: renderers name and order by it
    pinned: Mapping[str, str] = field(default_factory=dict)
    as_of: date | None = None  # the run date deprecations were judged against (core/lifecycle.py)

    @property
    def choices(self) -> dict[str, str]:
        return {d: dec.choice for d, dec in self.decisions.items()}

    @property
    def rules_fired(self) -> int:
        return len(self.fired)

    @property
    def defaulted(self) -> list[str]:
        return [d for d, dec in self.decisions.items() if dec.defaulted]


class Engine:
    """A compiled rule base, ready to evaluate scenarios."""

    def __init__(
        self, rulebook: RuleBook, vocab: Vocabulary | None = None, cache: bool = False, memo_size: int = MEMO_SIZE
    ) -> None:
        """Compile ``rulebook``. With ``cache``, reuse the compiled form from
        the per-user cache (engine/core/cache.py), as the CLI does.
        ``memo_size`` bounds the memo of group outcomes (engine/core/memo.py;
        0 turns it off)."""
        self.vocab = vocab or load_vocabulary()
        self.rulebook = rulebook
        self.as_of: date | None = None  # the run date (--as-of); None: core/lifecycle.run_date()
        self.plan: Plan = make_plan(self.vocab, rulebook)
        # Dimensions decided at the same plan level under the same applies_when are
        # matched by their own rulesets, so a group that does not apply is not
        # asserted at all (durable-rules' cost grows with a ruleset's size
        # even for rules that cannot match; measured in benchmarks/).
        self.groups: list[tuple[int, tuple[str, ...]]] = []
        for level in self.plan.levels:
            by_condition: dict[str, list[str]] = {}
            for dim in level.dimensions:
                by_condition.setdefault(self.vocab.dimensions[dim].applies_when.text, []).append(dim)
            self.groups += [(level.index, tuple(dims)) for dims in by_condition.values()]
        self._group_of = {dim: i for i, (_, dims) in enumerate(self.groups) for dim in dims}
        groups = [[r for r in rulebook.rules if r.dimension in dims] for _, dims in self.groups]
        if cache:
            # the compiled form also depends on which fields the rules' vocabulary writes as a sentinel
            sentinels = sorted({lit.ref for r in rulebook.rules for conj in r.alternatives for lit in conj if lit.sentinel})
            specs = compiled_programs(rulebook, (self.groups, sentinels), lambda: compile_programs(groups))
        else:
            specs = compile_programs(groups)
        self.matcher = Matcher(specs=specs)
        self._dnf: dict[str, list[Conjunct]] = {}
        for program in self.matcher.programs:
            self._dnf.update(program.conjuncts)
        self.memo: LRU[Any] = LRU(memo_size)
        self._reads = self._refs_read()

    def _refs_read(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Per group: every fact and decision its rules read — the literals of
        their conditions as compiled for the matcher, and their reasons'
        placeholders — and which of them are numbers (the memo key)."""
        read: list[set[str]] = [set() for _ in self.groups]
        for rule in self.rulebook.rules:
            group = self._group_of.get(rule.dimension)
            if group is not None:
                read[group] |= {lit.ref for conj in self._dnf.get(rule.id, ()) for lit in conj}
                read[group] |= set(PLACEHOLDER.findall(rule.because))
        out = []
        for refs_ in read:
            ordered = tuple(sorted(refs_))
            numbers = tuple(r for r in ordered if (spec := self.vocab.facts.get(r)) is not None and spec.type in ("number", "integer"))
            out.append((ordered, numbers))
        return out

    def program_of(self, dimension: str) -> int:
        """Index of the matcher program holding this dimension's rules."""
        return self._group_of[dimension]

    def close(self) -> None:
        self.memo.clear()
        self.matcher.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check_pinned(self, pinned: Mapping[str, str], source: str | None = None) -> None:
        problems = []
        for dim, choice in pinned.items():
            spec = self.vocab.dimensions.get(dim)
            if spec is None:
                problems.append(Problem(dim, "unknown dimension", tuple(self.vocab.dimensions)))
            elif choice not in spec.choices:
                problems.append(Problem(dim, f"invalid choice {choice!r}", tuple(spec.choices)))
        if problems:
            raise InputError(source, problems)

    def evaluate(
        self, scenario: Scenario, pinned: Mapping[str, str] | None = None, only: Collection[str] | None = None
    ) -> Recommendation:
        """Decide every applicable dimension for ``scenario``.

        ``pinned`` fixes some decisions (a design under review, or a rule
        example's given decisions); the rules still fire and are recorded.
        Only the rules of dimensions that apply are matched: ``fired`` lists
        the rules whose condition held for an applicable dimension.
        ``only`` restricts the work to some dimensions (a search that asks
        about one decision); it must include every dimension they depend on,
        and the other dimensions are then neither matched nor decided.
        """
        pinned = dict(pinned or {})
        self.check_pinned(pinned)
        self.matcher.check_usable()  # also when every group's outcome is memoised
        values: dict[str, Any] = dict(scenario.facts)
        chosen: dict[str, str] = {}
        decisions: dict[str, Decision] = {}
        fired_all: dict[str, Support] = {}
        # Groups come in level order; a group reads only facts and decisions
        # of earlier levels (plan.py), so deciding it at once is the same as
        # deciding its whole level after matching it.
        for group, (_, dims) in enumerate(self.groups):
            asked = dims if only is None else tuple(d for d in dims if d in only)
            if not asked or not self.vocab.dimensions[dims[0]].applies_when.holds(chosen):
                continue
            fired, decided = self._outcome(group, asked, values, pinned)
            fired_all.update(fired)
            for dim, decision in decided:
                decisions[dim] = decision
                chosen[dim] = decision.choice
                values[DECISION_PREFIX + dim] = decision.choice
        ordered = {d: decisions[d] for d in self.vocab.dimensions if d in decisions}
        as_of = run_date(self.as_of)
        return Recommendation(
            scenario=scenario,
            decisions=ordered,
            warnings=tuple(self._warnings(ordered, as_of)),
            fired=dict(sorted(fired_all.items())),
            not_applicable=tuple(d for d in self.vocab.dimensions if d not in decisions),
            rules_loaded=len(self.rulebook.rules),
            rule_set_version=self.rulebook.version,
            vocab=self.vocab,
            pinned=pinned,
            as_of=as_of,
        )

    def _outcome(
        self, group: int, asked: tuple[str, ...], values: Mapping[str, Any], pinned: Mapping[str, str]
    ) -> tuple[tuple[tuple[str, Support], ...], tuple[tuple[str, Decision], ...]]:
        """The rules of ``group`` that fire for ``values`` and the decisions of
        its ``asked`` dimensions: from the memo (engine/core/memo.py) when the
        group read the same values before, else matched and resolved."""
        reads, numbers = self._reads[group]
        try:
            # repr tells 1 from 1.0 and 0.0 from -0.0, which compare equal but print differently
            key: tuple | None = (group, asked, tuple(map(pinned.get, asked)) if pinned else (),
                                 tuple(map(values.get, reads)), tuple(repr(values.get(r)) for r in numbers))
            found = self.memo.get(key)
        except TypeError:  # an unhashable value (a list where a set's tuple belongs): no memo
            key, found = None, None
        if found is not None:
            return found
        fired = self.matcher.match(group, values)
        supports: list[tuple[str, Support]] = []
        by_dim: dict[str, list[Support]] = {}
        for rule_id in sorted(fired):
            rule = self.rulebook.get(rule_id)
            assert rule is not None
            support = Support(rule, self._dnf[rule_id][fired[rule_id]], values, self.vocab)
            supports.append((rule_id, support))
            by_dim.setdefault(rule.dimension, []).append(support)
        decided = tuple((dim, resolve(self.vocab.dimensions[dim], by_dim.get(dim, []), pinned.get(dim))) for dim in asked)
        outcome = (tuple(supports), decided)
        if key is not None:
            self.memo.put(key, outcome)
        return outcome

    def _warnings(self, decisions: Mapping[str, Decision], as_of: date) -> list[DecisionWarning]:
        out: list[DecisionWarning] = []
        for dim, dec in decisions.items():
            notice = self.vocab.notice(dim, dec.choice, as_of)  # renames say nothing here
            if notice:
                kind = "ending" if notice.kind == "ending" else "deprecated"
                out.append(DecisionWarning(kind, dim, dec.choice, f"{dim} = {dec.choice}: {notice.text}"))
            for text in dec.conflicts:
                out.append(DecisionWarning("conflict", dim, dec.choice, f"{dim}: conflicting hard rules: {text}"))
            if dec.how is ResolvedBy.FALLBACK:
                out.append(DecisionWarning("fallback", dim, dec.choice, f"{dim}: no rule applied; {dec.choice} is only the first choice in vocabulary order"))
        return out


@lru_cache(maxsize=1)
def bundled_rulebook() -> RuleBook:
    from mlarch.core.cache import cached_rulebook

    folder = bundled_rules_dir()
    return cached_rulebook([folder], lambda: load_rulebook([folder], load_vocabulary()))


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine over the bundled rules, built once per process."""
    return Engine(bundled_rulebook(), cache=True)


def recommend(scenario: Scenario, pinned: Mapping[str, str] | None = None) -> Recommendation:
    return default_engine().evaluate(scenario, pinned)
