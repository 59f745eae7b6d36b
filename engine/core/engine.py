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
from functools import cached_property, lru_cache
from typing import Any, Collection, Mapping, Optional

from mlarch.core.cache import compiled_programs
from mlarch.core.classes import GroupClasses
from mlarch.core.conditions import Conjunct
from mlarch.core.errors import InputError, Problem
from mlarch.core.lifecycle import run_date
from mlarch.core.matcher import Matcher, compile_programs
from mlarch.core.memo import LRU, MEMO_SIZE
from mlarch.core.paths import bundled_rules_dir
from mlarch.core.plan import Plan, make_plan
from mlarch.core.resolver import Decision, ResolvedBy, Support, format_value, render_reason, resolve  # noqa: F401 - re-exported
from mlarch.core.rulebook import PLACEHOLDER, Rule, RuleBook, load_rulebook
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
        groups: list[list[Rule]] = [[] for _ in self.groups]
        for rule in rulebook.rules:
            if (group := self._group_of.get(rule.dimension)) is not None:
                groups[group].append(rule)
        if cache:
            # the compiled form also depends on which fields the rules' vocabulary writes as a sentinel
            sentinels = sorted({lit.ref for r in rulebook.rules for conj in r.alternatives for lit in conj if lit.sentinel})
            specs = compiled_programs(rulebook, (self.groups, sentinels), lambda: compile_programs(groups))
        else:
            specs = compile_programs(groups)
        self.matcher = Matcher(groups, specs=specs)
        self._dnf: dict[str, list[Conjunct]] = {}
        for program in self.matcher.programs:
            self._dnf.update(program.conjuncts)
        # Three memos (engine/core/memo.py), see _outcome: a group's outcome
        # keyed on the values it reads; the rules that fire, keyed on the
        # classes of those values (engine/core/classes.py); the outcome keyed
        # on the classes and the values its fired rules print.
        self.memo: LRU[_Outcome] = LRU(memo_size)
        self.matches: LRU[tuple[Mapping[str, int], tuple[str, ...], tuple[str, ...]]] = LRU(memo_size)
        self.outcomes: LRU[_Outcome] = LRU(memo_size)
        self._rules_of = groups
        # Worked out on first use, per group: start-up at 10x the rules is a budget (docs/performance.md)
        self._classes: list[GroupClasses | None] = [None] * len(self.groups)
        self._printed_refs: dict[tuple[str, int], frozenset[str]] = {}
        self._applies = [self._applies_when(dims[0]) for _, dims in self.groups]
        self._decision_refs = [frozenset(DECISION_PREFIX + d for d in dims) for _, dims in self.groups]
        self._number_facts = frozenset(f for f, spec in self.vocab.facts.items() if spec.type in ("number", "integer"))
        self._last: _Last | None = None  # the previous evaluation, for incremental reuse (see evaluate)
        self._notices: dict[tuple[str, str, date], Any] = {}

    @cached_property
    def _reads(self) -> list[frozenset[str]]:
        """Per group: every fact and decision its rules read — the literals of
        their conditions as compiled for the matcher, and their reasons'
        placeholders."""
        out = []
        for rules in self._rules_of:
            refs_ = {lit.ref for rule in rules for conj in self._dnf.get(rule.id, ()) for lit in conj}
            out.append(frozenset(refs_ | {ref for rule in rules for ref in PLACEHOLDER.findall(rule.because)}))
        return out

    @cached_property
    def _read_keys(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Per group: what it reads, in a fixed order, and which of those are numbers (the memo key)."""
        return [(tuple(sorted(reads)), tuple(sorted(reads & self._number_facts))) for reads in self._reads]

    @cached_property
    def _watch(self) -> list[frozenset[str]]:
        """Per group: what makes its result change — what it reads, and the decision its applies_when tests."""
        return [
            reads | ({DECISION_PREFIX + spec.dimension} if (spec := self.vocab.dimensions[dims[0]].applies_when).dimension else set())
            for reads, (_, dims) in zip(self._reads, self.groups)
        ]

    def _classes_of(self, group: int) -> GroupClasses:
        """How to class the values of what the group's compiled conditions test."""
        found = self._classes[group]
        if found is None:
            found = self._classes[group] = GroupClasses(
                lit for rule in self._rules_of[group] for conj in self._dnf.get(rule.id, ()) for lit in conj
            )
        return found

    def _printed(self, rule_id: str, k: int) -> frozenset[str]:
        """The refs a fired rule's Support shows: its matched alternative's tests
        ("facts used") and its reason's placeholders."""
        key = (rule_id, k)
        found = self._printed_refs.get(key)
        if found is None:
            rule = self.rulebook.get(rule_id)
            assert rule is not None
            found = self._printed_refs[key] = frozenset({lit.ref for lit in self._dnf[rule_id][k]} | set(PLACEHOLDER.findall(rule.because)))
        return found

    def _applies_when(self, dimension: str) -> tuple[str, frozenset[str | None]] | None:
        """The decision a dimension's applies_when tests and the choices (None:
        not decided) for which it holds, worked out once from the condition itself."""
        spec = self.vocab.dimensions[dimension].applies_when
        if spec.dimension is None or spec.condition is None:
            return None
        candidates: list[str | None] = [None, *self.vocab.dimensions[spec.dimension].choices]
        return spec.dimension, frozenset(c for c in candidates if spec.holds({} if c is None else {spec.dimension: c}))

    def program_of(self, dimension: str) -> int:
        """Index of the matcher program holding this dimension's rules."""
        return self._group_of[dimension]

    def close(self) -> None:
        self.memo.clear()
        self.matches.clear()
        self.outcomes.clear()
        self._last = None
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
        facts = dict(scenario.facts)
        last = self._last
        changed = self._changed(last, facts) if last is not None else None
        values: dict[str, Any] = dict(facts)
        chosen: dict[str, str] = {}
        decisions: dict[str, Decision] = {}
        fired_all: dict[str, Support] = {}
        results: list[_Result] = []
        asks: list[tuple[tuple[str, ...], tuple[str | None, ...]]] = []
        # Groups come in level order; a group reads only facts and decisions
        # of earlier levels (plan.py), so deciding it at once is the same as
        # deciding its whole level after matching it.
        for group, (_, dims) in enumerate(self.groups):
            asked = dims if only is None else tuple(d for d in dims if d in only)
            ask = (asked, tuple(map(pinned.get, asked)) if pinned else ())
            asks.append(ask)
            if changed is not None and last is not None and ask == last.asks[group] and changed.isdisjoint(self._watch[group]):
                # Nothing this group reads changed since the previous
                # evaluation: its result is the same (incremental reuse).
                result = last.results[group]
            else:
                result = self._result(group, asked, values, chosen, pinned)
                before = last.results[group] if last is not None else None
                if changed is not None and result is not before and (result and result[2]) != (before and before[2]):
                    changed |= self._decision_refs[group]  # a decision changed: what reads it must be looked at
            results.append(result)
            if result is not None:
                fired, decided, _ = result
                fired_all.update(fired)
                for dim, decision in decided:
                    decisions[dim] = decision
                    chosen[dim] = decision.choice
                    values[DECISION_PREFIX + dim] = decision.choice
        if self.memo.size > 0:
            self._last = _Last(facts, tuple(asks), tuple(results))
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

    def _changed(self, last: "_Last", facts: dict[str, Any]) -> set[str] | None:
        """The facts that differ from the previous evaluation's (None: cannot tell)."""
        try:
            changed = {ref for ref, _ in facts.items() ^ last.facts.items()}
        except TypeError:  # an unhashable value (a list where a set's tuple belongs)
            return None
        for ref in self._number_facts.intersection(facts):
            # 1 == 1.0 and 0.0 == -0.0, but they print differently
            if ref not in changed and repr(facts[ref]) != repr(last.facts[ref]):
                changed.add(ref)
        return changed

    def _result(
        self, group: int, asked: tuple[str, ...], values: Mapping[str, Any], chosen: Mapping[str, str], pinned: Mapping[str, str]
    ) -> "_Result":
        """The group's outcome, or None when none of its dimensions is asked or applies."""
        if not asked:
            return None
        applies = self._applies[group]
        if applies is not None and chosen.get(applies[0]) not in applies[1]:
            return None
        return self._outcome(group, asked, values, pinned)

    def _outcome(
        self, group: int, asked: tuple[str, ...], values: Mapping[str, Any], pinned: Mapping[str, str]
    ) -> "_Outcome":
        """The rules of ``group`` that fire for ``values`` and the decisions of
        its ``asked`` dimensions.

        Three memos (engine/core/memo.py) stand in front of durable-rules
        and the resolver. The outcome is a function of the values the group
        reads (the first, cheapest key). Which rules fire is a function of
        the *classes* of those values (engine/core/classes.py), so a value
        that crosses no test skips durable-rules; and the outcome — Supports
        and Decisions, whose texts and "facts used" print values — is a
        function of the classes and of the values the fired rules print, so
        it is reused too when the changed value is not printed.
        """
        if self.memo.size <= 0:
            return self._resolved(self.matcher.match(group, values), asked, values, pinned)
        pins = tuple(map(pinned.get, asked)) if pinned else ()
        reads, numbers_read = self._read_keys[group]
        try:
            # repr tells 1 from 1.0 and 0.0 from -0.0, which compare equal but print differently
            rkey: tuple | None = (group, asked, pins, tuple(map(values.get, reads)), tuple(map(repr, map(values.get, numbers_read))))
            found = self.memo.get(rkey)
        except TypeError:  # an unhashable value (a list where a set's tuple belongs): no memo
            return self._resolved(self.matcher.match(group, values), asked, values, pinned)
        if found is not None:
            return found
        ckey = (group, asked, pins, self._classes_of(group).key(values))
        match = self.matches.get(ckey)
        if match is None:
            fired = self.matcher.match(group, values)
            printed = tuple(sorted(set().union(*(self._printed(r, k) for r, k in fired.items()))))
            match = (fired, printed, tuple(r for r in printed if r in self._number_facts))
            self.matches.put(ckey, match)
        fired, printed, numbers = match
        okey = (ckey, tuple(map(values.get, printed)), tuple(map(repr, map(values.get, numbers))))
        found = self.outcomes.get(okey)
        if found is None:
            found = self._resolved(fired, asked, values, pinned)
            self.outcomes.put(okey, found)
        self.memo.put(rkey, found)
        return found

    def _resolved(self, fired: Mapping[str, int], asked: tuple[str, ...], values: Mapping[str, Any], pinned: Mapping[str, str]) -> "_Outcome":
        """Supports for the rules that fired and the decisions of the ``asked`` dimensions."""
        supports: list[tuple[str, Support]] = []
        by_dim: dict[str, list[Support]] = {}
        for rule_id in sorted(fired):
            rule = self.rulebook.get(rule_id)
            assert rule is not None
            support = Support(rule, self._dnf[rule_id][fired[rule_id]], values, self.vocab)
            supports.append((rule_id, support))
            by_dim.setdefault(rule.dimension, []).append(support)
        decided = tuple((dim, resolve(self.vocab.dimensions[dim], by_dim.get(dim, []), pinned.get(dim))) for dim in asked)
        return (tuple(supports), decided, tuple((dim, decision.choice) for dim, decision in decided))

    def _warnings(self, decisions: Mapping[str, Decision], as_of: date) -> list[DecisionWarning]:
        out: list[DecisionWarning] = []
        for dim, dec in decisions.items():
            notice = self._notice(dim, dec.choice, as_of)  # renames say nothing here
            if notice:
                kind = "ending" if notice.kind == "ending" else "deprecated"
                out.append(DecisionWarning(kind, dim, dec.choice, f"{dim} = {dec.choice}: {notice.text}"))
            for text in dec.conflicts:
                out.append(DecisionWarning("conflict", dim, dec.choice, f"{dim}: conflicting hard rules: {text}"))
            if dec.how is ResolvedBy.FALLBACK:
                out.append(DecisionWarning("fallback", dim, dec.choice, f"{dim}: no rule applied; {dec.choice} is only the first choice in vocabulary order"))
        return out


    def _notice(self, dim: str, choice: str, as_of: date) -> Any:
        """The vocabulary's lifecycle notice for a choice, worked out once per run date."""
        key = (dim, choice, as_of)
        try:
            return self._notices[key]
        except KeyError:
            if len(self._notices) > 4096:  # bounded: a few run dates of every choice
                self._notices.clear()
            notice = self._notices[key] = self.vocab.notice(dim, choice, as_of)
            return notice


# the fired rules' Supports, the decisions, and their choices (what later groups read)
_Outcome = tuple[tuple[tuple[str, Support], ...], tuple[tuple[str, Decision], ...], tuple[tuple[str, str], ...]]
_Result = Optional[_Outcome]  # None: the group's dimensions were not asked or do not apply


@dataclass(frozen=True)
class _Last:
    """The previous evaluation, kept so the next can reuse every group that reads nothing that changed."""

    facts: Mapping[str, Any]
    asks: tuple[tuple[tuple[str, ...], tuple[str | None, ...]], ...]  # per group: dimensions asked, their pins
    results: tuple[_Result, ...]


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
