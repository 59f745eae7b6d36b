"""Hypothesis strategies derived from the vocabulary (the scenario model's source).

``scenarios()`` draws valid scenarios over every fact, each fact possibly
absent, shrinking towards the empty scenario. ``rule_sets()`` draws small
random rule bases over a few facts and dimensions, with every operator,
nesting and chaining on earlier decisions, for the oracle-agreement test.
"""

from __future__ import annotations

import math
import os
from typing import Any

import yaml
from hypothesis import strategies as st

from mlarch.core import yamlio
from mlarch.core.rulebook import RuleBook, parse_rule_document
from mlarch.core.scenario import Scenario, validate_mapping
from mlarch.core.vocabulary import FactSpec, load_vocabulary

# How many examples a property test runs, by hypothesis profile (tests/conftest.py,
# docs/testing.md): the default lane (`ci`) a sample, a quarter of the count a test
# names (at least one), to stay within its time budget; the full lane (`full`, set
# by `make test-slow`, which CI runs too) the count as named; `thorough` ten times it.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = {"ci": 0.25, "full": 1, "thorough": 10}.get(PROFILE, 1)


def scaled(examples: int) -> int:
    """Example counts: a quarter in the default lane, as given in the full lane, ten times more when thorough."""
    return max(1, math.ceil(examples * SCALE))


INTERESTING_NUMBERS = [0, 0.5, 1, 1e-05, 5, 10, 20, 50, 99.5, 100, 200, 500, 1000, 5000, 10_000, 100_000, 1e15]


def number_values(spec: FactSpec) -> st.SearchStrategy[Any]:
    if spec.type == "integer":
        return st.one_of(st.sampled_from([int(n) for n in INTERESTING_NUMBERS if float(n).is_integer()]), st.integers(0, 10**9))
    return st.one_of(
        st.sampled_from(INTERESTING_NUMBERS),
        st.integers(0, 10**7),
        st.floats(0, 1e9, allow_nan=False, allow_infinity=False),
    )


def fact_values(spec: FactSpec) -> st.SearchStrategy[Any]:
    if spec.type == "enum":
        return st.sampled_from(list(spec.values))
    if spec.type == "bool":
        return st.booleans()
    if spec.type in ("number", "integer"):
        return number_values(spec)
    if spec.type == "set":
        plain = [v for v in spec.values if v not in spec.exclusive]
        subsets = st.lists(st.sampled_from(plain), unique=True, max_size=len(plain))
        if spec.exclusive:
            return st.one_of(subsets, st.sampled_from([[v] for v in spec.exclusive]))
        return subsets
    return st.sampled_from(["eu", "us", "europe-west4", "asia-northeast1"])


def scenario_data(facts: list[str] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Nested scenario mappings (as a YAML file holds them), each fact optional."""
    vocab = load_vocabulary()
    specs = [s for s in vocab.facts.values() if s.group and (facts is None or s.id in facts)]
    optional = {s.id: st.one_of(st.none(), fact_values(s)) for s in specs}

    def nest(flat: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": "generated"}
        for fid, value in flat.items():
            if value is not None:
                group, name = fid.split(".")
                out.setdefault(group, {})[name] = value
        return out

    return st.fixed_dictionaries(optional).map(nest)


def scenarios(facts: list[str] | None = None) -> st.SearchStrategy[Scenario]:
    return scenario_data(facts).map(lambda data: validate_mapping(data, vocab=load_vocabulary()))


def as_yaml(scenario: Scenario) -> str:
    """A failing example as a file a person can paste into `mlarch recommend`."""
    return yaml.safe_dump(scenario.to_nested(), sort_keys=False)


# --------------------------------------------------------------------- rules

RULE_FACTS = [
    "problem.task", "data.modality", "data.size_gb", "data.rows", "data.labeled",
    "data.sensitive", "data.residency", "team.skills", "serving.latency_ms",
]
RULE_DIMENSIONS = ["approach", "serving_mode", "bqml_model", "framework", "training_hardware"]
SMALL = {
    "problem.task": ["binary_classification", "regression", "image_classification"],
    "data.modality": ["tabular", "image", "text"],
    "data.residency": ["eu", "us"],
    "team.skills": ["sql", "python", "tensorflow"],
    "data.sensitive": ["pii", "phi", "none"],
}
NUMBERS = [0, 1e-05, 10, 50, 99.5, 100, 1000, 1e15]
OPS = {
    "enum": ["eq", "ne", "in", "not_in", "present"],
    "string": ["eq", "ne", "in", "not_in", "present"],
    "bool": ["eq", "ne", "present"],
    "number": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present"],
    "integer": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present"],
    "set": ["contains", "contains_all", "contains_any", "contains_none", "present"],
}


def focused_scenarios() -> st.SearchStrategy[Scenario]:
    """Scenarios over RULE_FACTS with values that the generated rules test."""
    vocab = load_vocabulary()

    def values(fid: str) -> st.SearchStrategy[Any]:
        spec = vocab.facts[fid]
        if fid in SMALL and spec.type == "set":
            plain = [v for v in SMALL[fid] if v not in spec.exclusive]
            return st.one_of(st.lists(st.sampled_from(plain), unique=True), st.just([v for v in SMALL[fid] if v in spec.exclusive][:1]))
        if fid in SMALL:
            return st.sampled_from(SMALL[fid])
        if spec.type == "bool":
            return st.booleans()
        if spec.type == "integer":
            return st.sampled_from([0, 10, 50, 100, 1000])
        return st.sampled_from(NUMBERS)

    def nest(flat: dict[str, Any]) -> Scenario:
        data: dict[str, Any] = {"name": "focused"}
        for fid, value in flat.items():
            if value is not None:
                group, name = fid.split(".")
                data.setdefault(group, {})[name] = value
        return validate_mapping(data, vocab=load_vocabulary())

    return st.fixed_dictionaries({f: st.one_of(st.none(), values(f)) for f in RULE_FACTS}).map(nest)


@st.composite
def leaf(draw: Any, dim_index: int) -> dict[str, Any]:
    vocab = load_vocabulary()
    earlier = RULE_DIMENSIONS[:dim_index]
    refs = RULE_FACTS + [f"decision.{d}" for d in earlier]
    ref = draw(st.sampled_from(refs))
    if ref.startswith("decision."):
        pool = list(vocab.dimensions[ref.split(".", 1)[1]].choices)[:4]
        op = draw(st.sampled_from(["eq", "ne", "in", "not_in", "present"]))
        ftype = "enum"
    else:
        spec = vocab.facts[ref]
        ftype = spec.type
        op = draw(st.sampled_from(OPS[ftype]))
        pool = SMALL.get(ref, [])
    if op == "present":
        return {ref: {op: draw(st.booleans())}}
    if ftype == "bool":
        return {ref: {op: draw(st.booleans())}}
    if ftype in ("number", "integer"):
        nums = [n for n in NUMBERS if ftype == "number" or float(n).is_integer()]
        nums = [int(n) if ftype == "integer" else n for n in nums]
        if op in ("in", "not_in"):
            return {ref: {op: draw(st.lists(st.sampled_from(nums), min_size=1, max_size=3, unique=True))}}
        return {ref: {op: draw(st.sampled_from(nums))}}
    if op in ("in", "not_in", "contains_all", "contains_any", "contains_none"):
        return {ref: {op: draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))}}
    return {ref: {op: draw(st.sampled_from(pool))}}


def condition(dim_index: int) -> st.SearchStrategy[Any]:
    base = leaf(dim_index)
    return st.recursive(
        base,
        lambda inner: st.one_of(
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
            st.lists(inner, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
            inner.map(lambda x: {"not": x}),
        ),
        max_leaves=5,
    )


@st.composite
def rule_data(draw: Any, number: int) -> dict[str, Any]:
    vocab = load_vocabulary()
    dim_index = draw(st.integers(0, len(RULE_DIMENSIONS) - 1))
    dim = RULE_DIMENSIONS[dim_index]
    choices = list(vocab.dimensions[dim].choices)[:4]
    verdict = draw(st.sampled_from(["prefer", "prefer", "prefer", "avoid", "forbid", "require"]))
    then: dict[str, Any] = {"dimension": dim}
    if verdict in ("prefer", "require"):
        then[verdict] = draw(st.sampled_from(choices))
    else:
        then[verdict] = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))
    if verdict in ("prefer", "avoid"):
        then["weight"] = draw(st.integers(1, 10))
    when = draw(st.one_of(st.just("always"), condition(dim_index)))
    default = verdict in ("prefer", "avoid") and draw(st.integers(0, 3)) == 0  # assumptions only break ties
    return {
        **({"default": True} if default else {}),
        "id": f"{dim}.generated-{number}",
        "title": "generated",
        "section": "1.1",
        "docs": ["https://cloud.google.com/generated"],
        "when": when,
        "then": then,
        "because": "generated",
        "examples": {"fires": [{}], "does_not_fire": [{}]} if when != "always" else {"fires": [{}]},
    }


@st.composite
def rule_sets(draw: Any, max_rules: int = 8) -> RuleBook:
    count = draw(st.integers(1, max_rules))
    entries = [draw(rule_data(i)) for i in range(count)]
    doc = yamlio.Document({"rules": entries}, "<generated>")
    rules, problems = parse_rule_document(doc, load_vocabulary())
    # generated conditions can contradict themselves; such rules are refused on load
    assert all("contradicts" in p.message for p in problems), [p.render(None) for p in problems]
    return RuleBook(tuple(sorted(rules, key=lambda r: r.id)))


# ------------------------------------------------------------ rule-aware scenarios (property tests)

_DOMAINS: dict[str, Any] = {}


def domains_of(book: RuleBook) -> Any:
    """The finite abstraction of a rule base (engine/analysis/domain.py), built once per rule set."""
    from mlarch.analysis.domain import Domains

    found = _DOMAINS.get(book.version)
    if found is None:
        found = _DOMAINS[book.version] = Domains(load_vocabulary(), book.rules)
    return found


def aware_values(spec: FactSpec, points: list[Any]) -> st.SearchStrategy[Any]:
    """Values of one fact; numbers on both sides of every threshold the rules use."""
    if spec.type in ("number", "integer") and points:
        return st.sampled_from(points)
    return fact_values(spec)


@st.composite
def rule_aware_data(draw: Any, book: RuleBook, facts: list[str] | None = None, max_facts: int = 24) -> dict[str, Any]:
    """Nested scenario mappings: any subset of the facts (up to ``max_facts``; the
    rest absent), any value, numbers on both sides of the rules' thresholds.
    Shrinks towards fewer facts and the first values: small, readable examples."""
    values = fact_strategies(book)
    names = [f for f in values if facts is None or f in facts]
    # Three lists rather than one: hypothesis keeps a list short (about five items on
    # average), scenarios with a dozen facts find more, and deleting list items shrinks well.
    pick = st.lists(st.sampled_from(names), unique=True, max_size=max(1, min(max_facts, len(names)) // 3))
    chosen = set(draw(pick)) | set(draw(pick)) | set(draw(pick))
    out: dict[str, Any] = {"name": "generated"}
    for fid in sorted(chosen, key=names.index):
        group, name = fid.split(".")
        out.setdefault(group, {})[name] = draw(values[fid])
    return out


_STRATEGIES: dict[str, dict[str, st.SearchStrategy[Any]]] = {}


def fact_strategies(book: RuleBook) -> dict[str, st.SearchStrategy[Any]]:
    """One value strategy per fact (vocabulary order), built once per rule set: cheap draws."""
    found = _STRATEGIES.get(book.version)
    if found is None:
        vocab = load_vocabulary()
        domains = domains_of(book)
        found = _STRATEGIES[book.version] = {
            s.id: aware_values(s, domains.number_points(s.id) if s.type in ("number", "integer") else [])
            for s in vocab.facts.values() if s.group
        }
    return found


def rule_aware_scenarios(book: RuleBook, facts: list[str] | None = None) -> st.SearchStrategy[Scenario]:
    return rule_aware_data(book, facts).map(lambda data: validate_mapping(data, vocab=load_vocabulary()))


@st.composite
def seeded_scenarios(draw: Any, seeds: list[Scenario], book: RuleBook) -> Scenario:
    """A known scenario (bundled or a rule example) with a few facts changed or dropped:
    reaches decisions deep in the plan that random facts rarely do."""
    values = fact_strategies(book)
    base = draw(st.sampled_from(seeds))
    facts = dict(base.facts)
    for fid in draw(st.lists(st.sampled_from(list(values)), max_size=4, unique=True)):
        value = draw(st.one_of(st.none(), values[fid]))
        facts[fid] = tuple(value) if isinstance(value, list) else value
    data: dict[str, Any] = {"name": "generated"}
    for fid, value in facts.items():
        if value is not None:
            group, name = fid.split(".")
            data.setdefault(group, {})[name] = list(value) if isinstance(value, tuple) else value
    return validate_mapping(data, vocab=load_vocabulary())


_WITNESSES: dict[tuple[str, str], list[dict[str, Any]]] = {}


def rule_witnesses(book: RuleBook, rule_id: str) -> list[dict[str, Any]]:
    """For each alternative of a rule's condition that can hold, the facts that make it hold."""
    key = (book.version, rule_id)
    found = _WITNESSES.get(key)
    if found is None:
        from mlarch.analysis.domain import Unsat

        domains = domains_of(book)
        rule = book.get(rule_id)
        found = []
        for conj in rule.alternatives if rule else ():
            solution = domains.solve(conj, rule.dimension)
            if not isinstance(solution, Unsat):
                found.append({f: v for f, v in solution.facts.items() if v is not None})
        _WITNESSES[key] = found
    return found


@st.composite
def rule_guided_scenarios(draw: Any, book: RuleBook) -> Scenario:
    """Scenarios that make one to three drawn rules' conditions hold (facts solved
    over finite domains), plus random facts: rules meet the rules they must agree with."""
    ids = [r.id for r in book.rules]
    hard = [r.id for r in book.rules if r.hard] or ids
    data = draw(rule_aware_data(book, max_facts=9))
    # one rule (a hard one half of the time), then others of its dimension: the rules
    # that must agree with each other are the ones that decide the same dimension
    first = book.get(draw(st.one_of(st.sampled_from(hard), st.sampled_from(ids))))
    peers = [r.id for r in book.for_dimension(first.dimension) if r.id != first.id]
    chosen = [first.id] + (draw(st.lists(st.sampled_from(peers), max_size=2, unique=True)) if peers else [])
    for rule_id in chosen:
        options = rule_witnesses(book, rule_id)
        if not options:
            continue
        for fid, value in draw(st.sampled_from(options)).items():
            group, name = fid.split(".")
            data.setdefault(group, {})[name] = list(value) if isinstance(value, tuple) else value
    return validate_mapping(data, vocab=load_vocabulary())


def realistic_scenarios(book: RuleBook, seeds: list[Scenario]) -> st.SearchStrategy[Scenario]:
    """Rule-aware random scenarios, scenarios aimed at the rules, or changed known
    ones; shrinks towards the first (random, smallest) kind."""
    kinds = [rule_aware_scenarios(book), rule_guided_scenarios(book)]
    return st.one_of(*kinds, seeded_scenarios(seeds, book)) if seeds else st.one_of(*kinds)


def smallest(scenario: Scenario, fails: Any) -> Scenario:
    """Drop every fact a failure does not need (hypothesis shrinks the draw; this the
    scenario itself), so the YAML printed for a person is as small as it can be."""
    for fact in reversed(list(scenario.facts)):
        trial = scenario.with_facts({fact: None}, load_vocabulary())
        if fails(trial):
            scenario = trial
            continue
        value = scenario.facts[fact]
        if isinstance(value, tuple):  # a set: drop the items it does not need
            for item in value:
                current = scenario.facts[fact]
                trial = scenario.with_facts({fact: tuple(i for i in current if i != item)}, load_vocabulary())
                if len(current) > 1 and fails(trial):
                    scenario = trial
    return scenario
