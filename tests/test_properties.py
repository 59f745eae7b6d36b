"""Invariants of the bundled rule base, as property tests (issue 5).

Every test draws scenarios from the vocabulary (tests/strategies.py: any
fact, any value, absent facts, numbers at the rules' thresholds, known
scenarios with a few facts changed) and checks one invariant from
engine/lint/invariants.py. They hold for whatever rules are bundled, so
they survive the rule base growing. A failure prints (hypothesis `note`)
the shrunk scenario as YAML to paste into `mlarch recommend`.

The CI profile is derandomized (tests/conftest.py) and runs a quarter of
the examples named here in the default lane, all of them in the full lane
(make test-slow); HYPOTHESIS_PROFILE=thorough runs ten times more with
fresh seeds. That each check can fail at all is shown in
tests/test_properties_broken.py.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mlarch.analysis.sampling import seed_scenarios
from mlarch.core import yamlio
from mlarch.core.conditions import to_dnf
from mlarch.core.engine import Engine, bundled_rulebook
from mlarch.core.paths import bundled_rules_dir
from mlarch.core.rulebook import load_rulebook, rule_files
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.lint import invariants as inv
from mlarch.lint.spec import bundled_invariants
from mlarch.recommend.render import render

from .strategies import as_yaml, domains_of, fact_strategies, realistic_scenarios, scaled, smallest

BOOK = bundled_rulebook()
SEEDS = seed_scenarios(BOOK, load_vocabulary())
INVARIANTS = bundled_invariants(load_vocabulary())
CASES = st.lists(realistic_scenarios(BOOK, SEEDS), min_size=1, max_size=8)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# libyaml's safe loader when present, as mlarch reads YAML (engine/core/yamlio.py): the
# pure-Python one took over half of the rendering test's time.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def report(violations: list[inv.Violation], scenario, recheck=None) -> list[str]:
    """The violations as text; on failure, note the scenario as YAML to paste into
    `mlarch recommend`, shrunk further (fact by fact) when ``recheck`` is given."""
    if violations:
        if recheck is not None:
            scenario = smallest(scenario, lambda s: bool(recheck(s)))
        note("scenario (paste into a file for `mlarch recommend`):\n" + as_yaml(scenario))
    return [str(v) for v in violations]


@settings(max_examples=scaled(200), **SETTINGS)
@given(cases=CASES)
def test_totality_every_applicable_dimension_has_one_choice_backed_by_a_rule(bundled_engine, cases):
    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        assert report(inv.totality(bundled_engine.vocab, rec), scenario, lambda s: inv.totality(bundled_engine.vocab, bundled_engine.evaluate(s))) == []


def test_every_scenario_of_one_fact_keeps_every_invariant(bundled_engine):
    """Exhaustive where it is cheap: each fact alone, with every value that matters
    (every enum value, both booleans, numbers on each side of every threshold,
    the empty set and each single item), and the empty scenario."""
    domains = domains_of(BOOK)
    failures = []
    scenarios = [validate_mapping({"name": "empty"}, vocab=load_vocabulary())]
    for fact in fact_strategies(BOOK):
        group, name = fact.split(".")
        for value in domains.sample_values(fact):
            raw = list(value) if isinstance(value, tuple) else value
            scenarios.append(validate_mapping({"name": "one-fact", group: {name: raw}}, vocab=load_vocabulary()))
    for scenario in scenarios:
        found = inv.check_recommendation(bundled_engine, INVARIANTS, bundled_engine.evaluate(scenario))
        failures += [f"{v}\n  scenario: {scenario.to_nested()}" for v in found]
    assert len(scenarios) > 200
    assert failures == [], "\n".join(failures[:20])


@settings(max_examples=scaled(200), **SETTINGS)
@given(cases=CASES)
def test_hard_rules_are_never_broken_and_never_conflict(bundled_engine, cases):
    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        assert report(inv.hard_rules_kept(bundled_engine, rec), scenario, lambda s: inv.hard_rules_kept(bundled_engine, bundled_engine.evaluate(s))) == []


@settings(max_examples=scaled(200), **SETTINGS)
@given(cases=CASES)
def test_named_constraints_hold_for_every_recommendation(bundled_engine, cases):
    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        assert report(inv.constraints_kept(INVARIANTS, rec), scenario, lambda s: inv.constraints_kept(INVARIANTS, bundled_engine.evaluate(s))) == []


@settings(max_examples=scaled(100), **SETTINGS)
@given(cases=CASES)
def test_review_flags_every_design_that_breaks_a_named_constraint(bundled_engine, cases):
    """The constraints file is reusable by review: a recommendation with one
    named constraint broken, reviewed as a design, carries a hard-rule violation."""
    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        for constraint in INVARIANTS.constraints:
            if constraint.dimension not in rec.decisions or not inv.holds(constraint.when, inv.values_of(rec)):
                continue
            choice = constraint.breaking_choices(bundled_engine.vocab.dimensions[constraint.dimension].choices)[0]
            design = {**rec.choices, constraint.dimension: choice}
            found = inv.constraint_enforced(bundled_engine, constraint, scenario, design)
            if found:
                note(f"design: {design}")
            assert report(found, scenario) == []


@pytest.mark.parametrize("constraint", INVARIANTS.constraints, ids=[c.id for c in INVARIANTS.constraints])
def test_review_flags_designs_breaking_each_named_constraint_whatever_else_they_decide(bundled_engine, constraint):
    """For every alternative of the constraint's condition, the smallest scenario
    that meets it (solved over finite domains), and every combination of the
    decisions the hard rules on that dimension look at, a design breaking the
    constraint is flagged."""
    vocab = bundled_engine.vocab
    domains = domains_of(BOOK)
    looked_at = sorted({d for r in BOOK.for_dimension(constraint.dimension) if r.hard for d in r.decision_refs})
    checked = 0
    for conj in to_dnf(constraint.when, load_vocabulary()):
        solution = domains.solve(conj, constraint.dimension)
        if not hasattr(solution, "facts"):
            continue
        data: dict = {"name": "witness"}
        for fid, value in solution.facts.items():
            if value is not None:
                group, name = fid.split(".")
                data.setdefault(group, {})[name] = list(value) if isinstance(value, tuple) else value
        scenario = validate_mapping(data, vocab=load_vocabulary())
        given_decisions = {d: c for d, c in solution.decisions.items() if c is not None}
        combos = [dict(zip(looked_at, values)) for values in itertools.product(*(vocab.dimensions[d].choices for d in looked_at))][:500]
        for combo in combos or [{}]:
            design = {**combo, **given_decisions}
            for choice in constraint.breaking_choices(vocab.dimensions[constraint.dimension].choices):
                design[constraint.dimension] = choice
                found = [str(v) for v in inv.constraint_enforced(bundled_engine, constraint, scenario, design)]
                assert found == [], f"scenario:\n{as_yaml(scenario)}design: {design}"
                checked += 1
    assert checked, "the constraint's condition can never hold"


@settings(max_examples=scaled(200), **SETTINGS)
@given(cases=CASES)
def test_decisions_are_coherent(bundled_engine, cases):
    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        assert report(inv.coherent(INVARIANTS, rec), scenario, lambda s: inv.coherent(INVARIANTS, bundled_engine.evaluate(s))) == []


@settings(max_examples=scaled(200), **SETTINGS)
@given(cases=CASES)
def test_reasons_are_faithful_to_the_scenario(bundled_engine, cases):
    from mlarch.core.serialize import to_dict

    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        assert report(inv.faithful(rec), scenario, lambda s: inv.faithful(bundled_engine.evaluate(s))) == []
        # and so is the JSON contract: every cited fact has the scenario's value
        for dim, decision in to_dict(rec)["decisions"].items():
            for reason in decision["reasons"]:
                for fact, value in reason["facts"].items():
                    actual = scenario.facts.get(fact)
                    assert (list(actual) if isinstance(actual, tuple) else actual) == value, (dim, reason["rule"], fact)
                assert not set(reason["unstated"]) & set(scenario.facts), (dim, reason["rule"])


SCENARIO = realistic_scenarios(BOOK, SEEDS)


@pytest.mark.hypothesis  # a property test inside (sampled in the default lane, full size in make test-slow)
@pytest.mark.parametrize("spec", INVARIANTS.monotonic, ids=[m.id for m in INVARIANTS.monotonic])
def test_monotonic_where_the_domain_demands_it(bundled_engine, spec):
    domains = domains_of(BOOK)
    numeric = domains.vocab.facts[spec.fact].type in ("number", "integer")
    points = domains.number_points(spec.fact) if numeric else []

    @settings(max_examples=scaled(150), **SETTINGS)
    @given(scenario=SCENARIO, data=st.data())
    def check(scenario, data):
        variants = inv.changed_values(spec, scenario, points)
        if not variants:
            return
        before = bundled_engine.evaluate(scenario)
        for value in data.draw(st.lists(st.sampled_from(variants), min_size=1, max_size=3, unique=True), label=f"{spec.fact} changed to"):
            after = bundled_engine.evaluate(scenario.with_facts({spec.fact: value}, load_vocabulary()))
            assert report(inv.monotonic(spec, before, after), scenario) == []

    check()


@settings(max_examples=scaled(500), **SETTINGS)
@given(scenario=SCENARIO, data=st.data())
def test_a_fact_irrelevant_to_a_dimension_does_not_change_it(bundled_engine, scenario, data):
    relevance = inv.relevant_facts(BOOK, bundled_engine.plan)
    values = fact_strategies(BOOK)
    fact = data.draw(st.sampled_from(list(values)), label="fact")
    raw = data.draw(st.one_of(st.none(), values[fact]), label="new value")
    group, name = fact.split(".")
    new = validate_mapping({"name": "x", group: {name: raw}}, vocab=load_vocabulary()).facts.get(fact) if raw is not None else None
    before = bundled_engine.evaluate(scenario)
    after = bundled_engine.evaluate(scenario.with_facts({fact: new}, load_vocabulary()))
    assert report(inv.stable(relevance, fact, before, after), scenario) == []


# ------------------------------------------------------------ determinism under reordering

SET_KEYS = {"in", "not_in", "contains_all", "contains_any", "contains_none", "any", "all", "forbid", "avoid", "rules"}


def shuffled(data, rng: random.Random, key=None):
    """A copy with every mapping's keys and every set-like list in a random order."""
    if isinstance(data, dict):
        items = list(data.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng, k) for k, v in items}
    if isinstance(data, list):
        out = [shuffled(v, rng) for v in data]
        if key in SET_KEYS:
            rng.shuffle(out)
        return out
    return data


@pytest.fixture(scope="module")
def reordered_engines(tmp_path_factory):
    """The bundled rules as they are, and twice with files, rules, keys and sets reordered."""
    snapshot = {p.name: yamlio.load(p).data for p in rule_files(bundled_rules_dir())}
    engines = []
    for seed in (None, 1, 2):
        folder = tmp_path_factory.mktemp(f"rules-{seed}")
        names = sorted(snapshot)
        rng = random.Random(seed)
        if seed is not None:
            rng.shuffle(names)
        for i, name in enumerate(names):
            data = snapshot[name] if seed is None else shuffled(snapshot[name], rng)
            Path(folder, f"{i:02d}-{name}" if seed is not None else name).write_text(yaml.safe_dump(data, sort_keys=False))
        engines.append(Engine(load_rulebook([folder], load_vocabulary())))
    yield engines
    for e in engines:
        e.close()


@settings(max_examples=scaled(60), **SETTINGS)
@given(cases=CASES, seed=st.integers(0, 2**16))
def test_same_output_whatever_the_order_of_files_rules_keys_and_set_elements(reordered_engines, cases, seed):
    rng = random.Random(seed)
    for scenario in cases:
        outputs = [(f"rules order {i}", render(e.evaluate(scenario), "json")) for i, e in enumerate(reordered_engines)]
        data = shuffled(scenario.to_nested(), rng)
        for group in data.values():  # set facts listed in another order
            if isinstance(group, dict):
                for value in group.values():
                    if isinstance(value, list):
                        rng.shuffle(value)
        outputs.append(("scenario keys and sets reordered", render(reordered_engines[0].evaluate(validate_mapping(data, vocab=load_vocabulary())), "json")))
        assert report(inv.same_output(outputs), scenario) == []


@settings(max_examples=scaled(60), **SETTINGS)
@given(cases=CASES)
def test_every_rendering_of_a_recommendation_says_the_same(bundled_engine, cases):
    """Text, JSON, YAML and Markdown of one result name the same choice for every
    decision, the same decisions resting on defaults and the same non-applicable
    dimensions: one result, several views, no disagreement."""
    import json

    for scenario in cases:
        rec = bundled_engine.evaluate(scenario)
        data = json.loads(render(rec, "json"))
        assert {d: v["choice"] for d, v in data["decisions"].items()} == dict(rec.choices)
        assert yaml.load(render(rec, "yaml"), Loader=YAML_LOADER) == data
        assert data["defaulted"] == list(rec.defaulted)
        assert [d for d, v in data["decisions"].items() if v["defaulted"]] == list(rec.defaulted)
        text = render(rec, "text")
        markdown = render(rec, "markdown")
        for dim, choice in rec.choices.items():
            marker = "  (default)" if rec.decisions[dim].defaulted else ""
            assert f"\n{dim}: {choice}{marker}\n" in text, (dim, choice)
            assert f"`{choice}`" in markdown and dim in markdown, (dim, choice)
        for dim in data["not_applicable"]:
            assert f"\n{dim}: " not in text
