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
from mlarch.core.paths import bundled_rules_dir
from mlarch.core.plan import Plan, make_plan
from mlarch.core.resolver import Decision, Support, format_value, render_reason, resolve  # noqa: F401 - re-exported
from mlarch.core.rulebook import RuleBook, load_rulebook
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary, load_vocabulary


@dataclass(frozen=True)
class Warning_:
    kind: str  # deprecated | ending | conflict | fallback (ending: a part of a current choice ends, issue 17)
    dimension: str
    choice: str | None
    text: str


@dataclass(frozen=True)
class Recommendation:
    scenario: Scenario
    decisions: Mapping[str, Decision]  # applicable dimensions, vocabulary order
    warnings: tuple[Warning_, ...]
    fired: Mapping[str, Support]  # every rule whose condition held (applicable or not)
    not_applicable: tuple[str, ...]  # dimensions that do not apply
    rules_loaded: int
    rule_set_version: str
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

    def __init__(self, rulebook: RuleBook, vocab: Vocabulary | None = None, cache: bool = False) -> None:
        """Compile ``rulebook``. With ``cache``, reuse the compiled form from
        the per-user cache (engine/core/cache.py), as the CLI does."""
        self.vocab = vocab or load_vocabulary()
        self.rulebook = rulebook
        self.as_of: date | None = None  # the run date (--as-of); None: core/lifecycle.run_date()
        self.plan: Plan = make_plan(self.vocab, rulebook)
        # Dimensions decided in the same stage under the same applies_when are
        # matched by their own rulesets, so a group that does not apply is not
        # asserted at all (durable-rules' cost grows with a ruleset's size
        # even for rules that cannot match; measured in benchmarks/).
        self.groups: list[tuple[int, tuple[str, ...]]] = []
        for stage in self.plan.stages:
            by_condition: dict[str, list[str]] = {}
            for dim in stage.dimensions:
                by_condition.setdefault(self.vocab.dimensions[dim].applies_when.text, []).append(dim)
            self.groups += [(stage.index, tuple(dims)) for dims in by_condition.values()]
        self._group_of = {dim: i for i, (_, dims) in enumerate(self.groups) for dim in dims}
        groups = [[r for r in rulebook.rules if r.dimension in dims] for _, dims in self.groups]
        if cache:
            specs = compiled_programs(rulebook, self.groups, lambda: compile_programs(groups))
        else:
            specs = compile_programs(groups)
        self.matcher = Matcher(specs=specs)
        self._dnf: dict[str, list[Conjunct]] = {}
        for program in self.matcher.programs:
            self._dnf.update(program.conjuncts)

    def program_of(self, dimension: str) -> int:
        """Index of the matcher program holding this dimension's rules."""
        return self._group_of[dimension]

    def close(self) -> None:
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
        values: dict[str, Any] = dict(scenario.facts)
        chosen: dict[str, str] = {}
        decisions: dict[str, Decision] = {}
        fired_all: dict[str, Support] = {}
        group = 0
        for stage in self.plan.stages:
            by_dim: dict[str, list[Support]] = {}
            while group < len(self.groups) and self.groups[group][0] == stage.index:
                dims = self.groups[group][1]
                wanted = only is None or any(d in only for d in dims)
                if wanted and self.vocab.dimensions[dims[0]].applies_when.holds(chosen):
                    fired = self.matcher.match(group, values)
                    for rule_id in sorted(fired):
                        rule = self.rulebook.get(rule_id)
                        assert rule is not None
                        support = Support(rule, self._dnf[rule_id][fired[rule_id]], values)
                        fired_all[rule_id] = support
                        by_dim.setdefault(rule.dimension, []).append(support)
                group += 1
            for dim in stage.dimensions:
                spec = self.vocab.dimensions[dim]
                if (only is not None and dim not in only) or not spec.applies_when.holds(chosen):
                    continue
                decision = resolve(spec, by_dim.get(dim, []), pinned.get(dim))
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
            pinned=pinned,
            as_of=as_of,
        )

    def _warnings(self, decisions: Mapping[str, Decision], as_of: date) -> list[Warning_]:
        out: list[Warning_] = []
        for dim, dec in decisions.items():
            notice = self.vocab.notice(dim, dec.choice, as_of)  # renames say nothing here
            if notice:
                kind = "ending" if notice.kind == "ending" else "deprecated"
                out.append(Warning_(kind, dim, dec.choice, f"{dim} = {dec.choice}: {notice.text}"))
            for text in dec.conflicts:
                out.append(Warning_("conflict", dim, dec.choice, f"{dim}: conflicting hard rules: {text}"))
            if dec.how == "fallback":
                out.append(Warning_("fallback", dim, dec.choice, f"{dim}: no rule applied; {dec.choice} is only the first choice in vocabulary order"))
        return out


@lru_cache(maxsize=1)
def bundled_rulebook() -> RuleBook:
    from mlarch.core.cache import cached_rulebook

    folder = bundled_rules_dir()
    return cached_rulebook([folder], lambda: load_rulebook([folder]))


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The engine over the bundled rules, built once per process."""
    return Engine(bundled_rulebook(), cache=True)


def recommend(scenario: Scenario, pinned: Mapping[str, str] | None = None) -> Recommendation:
    return default_engine().evaluate(scenario, pinned)
