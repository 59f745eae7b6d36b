"""Knife-edge means a *small* change of a stated fact flips the decision (issue 14).

analysis/sensitivity.py calls a change small (``neighbouring``) when it moves
an ordered enum to the next grade or a number within a factor of two; the
properties check both sides of that claim against full evaluations: every
knife-edge it names flips the decision as said, and no small change it did
not name flips a decision at all (so "firm" is true).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlarch.analysis.sensitivity import analyse, neighbouring, values_to_try
from mlarch.core.scenario import Scenario, load_scenario

from .conftest import ROOT
from .strategies import scaled, scenarios

BUNDLED = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_what_counts_as_a_small_change(bundled_engine) -> None:
    near = lambda fact, a, b: neighbouring(bundled_engine, fact, a, b)  # noqa: E731
    assert near("constraints.budget", "low", "medium") and near("constraints.budget", "medium", "high")
    assert not near("constraints.budget", "low", "high")  # two grades
    assert not near("data.location", "bigquery", "cloud_storage")  # unordered: a change of kind
    assert not near("data.labeled", True, False)
    assert not near("team.skills", ("sql",), ("sql", "python"))
    assert near("data.size_gb", 40, 80) and near("data.size_gb", 40, 20)
    assert not near("data.size_gb", 40, 81) and not near("data.size_gb", 40, 19)
    assert not near("data.size_gb", 0, 1)  # nothing is within a factor of two of zero
    assert not near("constraints.budget", "low", None)  # un-stating is not a change of value


def test_values_to_try_gives_the_next_grades_first(bundled_engine) -> None:
    assert values_to_try(bundled_engine, "model.size", "large")[:2] == ["medium", "very_large"]


def is_small(spec, current, value) -> bool:
    """The definition, written again here from docs/output.md, so the test does not grade the code by itself."""
    if spec.type == "enum" and spec.ordered:
        order = list(spec.values)
        return value in order and abs(order.index(value) - order.index(current)) == 1
    if spec.type in ("number", "integer"):
        return current > 0 and current / 2 <= value <= current * 2
    return False


def small_changes(engine, scenario: Scenario, fact: str, draw) -> list:
    """Every small change of a stated fact: the next grades, or numbers drawn within the factor plus the
    threshold points there (so a threshold inside the window is crossed for sure)."""
    spec = engine.vocab.facts[fact]
    current = scenario.get(fact)
    if spec.type == "enum" and spec.ordered:
        return [v for v in spec.values if is_small(spec, current, v)]
    if spec.type in ("number", "integer") and current > 0:
        low, high = current / 2, current * 2
        if spec.type == "integer":
            import math

            low, high = math.ceil(low), math.floor(high)
            drawn = [draw(st.integers(low, high), label=fact) for _ in range(2)]
        else:
            drawn = [draw(st.floats(low, high), label=fact) for _ in range(2)]
        points = [p for p in values_to_try(engine, fact, current) if low <= p <= high]
        return [v for v in [*points, *drawn] if v != current]
    return []


def check_claims(engine, scenario: Scenario, draw) -> None:
    rec = engine.evaluate(scenario)
    sens = analyse(engine, rec)
    for dim, ds in sens.decisions.items():
        dec = rec.decisions[dim]
        assert ds.confidence == ("assumed" if dec.defaulted else "knife-edge" if ds.knife_edges else "firm")
        for flip in ds.flips:
            assert flip.knife_edge == is_small(engine.vocab.facts[flip.fact], flip.before, flip.after), flip
            assert engine.evaluate(scenario.with_facts({flip.fact: flip.after}, engine.vocab)).choices.get(dim) == flip.choice
    named = {(dim, f.fact) for dim, ds in sens.decisions.items() for f in ds.knife_edges}
    for fact in scenario.facts:
        if fact not in engine.vocab.facts:
            continue
        for value in small_changes(engine, scenario, fact, draw):
            got = engine.evaluate(scenario.with_facts({fact: value}, engine.vocab)).choices
            flipped = {d for d in rec.decisions if got.get(d) != rec.choices[d]}
            missing = {d for d in flipped if (d, fact) not in named}
            assert not missing, f"{fact} = {value!r} flips {sorted(missing)}, not named knife-edge"


@settings(max_examples=scaled(6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), data=st.data())
def test_knife_edge_claims_hold_on_generated_scenarios(bundled_engine, scenario, data) -> None:
    check_claims(bundled_engine, scenario, data.draw)


@settings(max_examples=scaled(6), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(BUNDLED), data=st.data())
def test_knife_edge_claims_hold_on_bundled_scenarios(bundled_engine, path, data) -> None:
    """Bundled scenarios state graded facts and numbers near thresholds more often than generated ones."""
    check_claims(bundled_engine, load_scenario(path, vocab=bundled_engine.vocab), data.draw)


KNOWN = ["churn-bigquery-sql-team", "support-ticket-bert-allreduce", "ticket-router-pytorch-preprocessing"]


@settings(max_examples=scaled(2), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_knife_edge_claims_hold_where_graded_facts_and_numbers_decide(bundled_engine, data) -> None:
    """Scenarios known to have knife-edges of both kinds (a grade, a number near a threshold)."""
    for name in KNOWN:
        check_claims(bundled_engine, load_scenario(ROOT / "scenarios" / f"{name}.yaml", vocab=bundled_engine.vocab), data.draw)


def test_a_number_near_a_threshold_is_a_knife_edge(bundled_engine) -> None:
    rec = bundled_engine.evaluate(load_scenario(ROOT / "scenarios" / "support-ticket-bert-allreduce.yaml", vocab=bundled_engine.vocab))
    ds = analyse(bundled_engine, rec).decisions["model_optimization"]
    assert ds.confidence == "knife-edge"
    assert "would be distillation if serving.latency_ms were 299" in [f.text() for f in ds.knife_edges]


def test_ordered_is_only_for_enums() -> None:
    import copy

    import pytest
    import yaml

    from mlarch.core.errors import EngineError
    from mlarch.core.vocabulary import VOCABULARY_FILE, parse_vocabulary

    data = yaml.safe_load(VOCABULARY_FILE.read_text())
    assert parse_vocabulary(data).facts["constraints.budget"].ordered
    for fact, value in (("data.labeled", True), ("constraints.budget", "yes")):
        broken = copy.deepcopy(data)
        broken["facts"][fact]["ordered"] = value
        with pytest.raises(EngineError, match=f"fact {fact}: ordered must be true or false, and true only for an enum"):
            parse_vocabulary(broken)


def check_influences_against_full_evaluations(engine, scenario: Scenario) -> None:
    """fact_influence skips values that change no rule's firing and evaluates one value per
    class of values (every literal on the fact answering alike); both shortcuts must give what
    a full evaluation of every value gives, for every fact and every value tried."""
    from mlarch.analysis.sensitivity import fact_influence, reach

    rec = engine.evaluate(scenario)
    for fact in reach(engine).rules:
        influence = fact_influence(engine, rec, fact)
        for variant in influence.variants:
            got = engine.evaluate(scenario.with_facts({fact: variant.value}, engine.vocab)).choices
            changed = {d: (rec.choices.get(d), got.get(d)) for d in engine.vocab.dimensions
                       if got.get(d) != rec.choices.get(d)}
            assert dict(variant.changes) == changed, (fact, variant.value)


@settings(max_examples=scaled(3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_fact_influence_shortcuts_agree_with_full_evaluations(bundled_engine, scenario) -> None:
    check_influences_against_full_evaluations(bundled_engine, scenario)


def test_fact_influence_shortcuts_agree_on_a_bundled_scenario(bundled_engine) -> None:
    path = ROOT / "scenarios" / "support-ticket-bert-allreduce.yaml"
    check_influences_against_full_evaluations(bundled_engine, load_scenario(path, vocab=bundled_engine.vocab))


def test_firing_test_matches_the_plain_evaluation(bundled_engine) -> None:
    """The precomputed firing test equals evaluating every rule on a copy of the values."""
    from mlarch.analysis.sensitivity import _fires, _firing_test, _values_of, reach, values_to_try

    rec = bundled_engine.evaluate(load_scenario(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml", vocab=bundled_engine.vocab))
    base = _values_of(rec)
    checked = 0
    for fact, rules in reach(bundled_engine).rules.items():
        fires = _firing_test(rules, fact, base)
        for value in [base.get(fact), *values_to_try(bundled_engine, fact, base.get(fact))]:
            probe = {**base, fact: value}
            assert fires(value)[0] == tuple(_fires(rule, probe) for rule in rules), (fact, value)
            checked += 1
    assert checked > 400
