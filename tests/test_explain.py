"""`mlarch explain`: the trace of rules fired, contributions and resolution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlarch.core.engine import Engine
from mlarch.core.rulebook import load_rulebook
from mlarch.core.scenario import load_scenario, validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.explain.trace import trace

from .conftest import FIXTURES, ROOT, run_cli

FIXTURE_RULES = str(FIXTURES / "rules")


SQL_TEAM = {"name": "sql-team", "data": {"location": "bigquery"}, "team": {"skills": ["sql"]}, "serving": {"latency_ms": 50}}


def test_trace_lists_fired_rules_facts_and_contributions(fixture_engine):
    t = trace(fixture_engine, validate_mapping(SQL_TEAM, vocab=load_vocabulary()))
    approach = next(d for d in t.dimensions if d.dimension == "approach")
    assert approach.applies and approach.decision.choice == "bigquery_ml" and approach.step == 0
    fired = {s.rule.id: s for s in approach.decision.considered}
    assert set(fired) == {"approach.sql-team-data-in-bigquery", "approach.default-automl"}
    assert dict(fired["approach.sql-team-data-in-bigquery"].facts) == {"data.location": "bigquery", "team.skills": ["sql"]}
    assert {(t.choice, t.score, t.assumed) for t in approach.tallies} == {("bigquery_ml", 4, 0), ("automl", 0, 1)}
    assert approach.tallies[0].prefer == ("approach.sql-team-data-in-bigquery",)
    assert approach.resolution == "bigquery_ml has the highest score (4); next best automl at 0."


def test_dimensions_are_traced_in_evaluation_order_and_inapplicable_ones_say_why(fixture_engine):
    t = trace(fixture_engine, validate_mapping(SQL_TEAM, vocab=load_vocabulary()))
    steps = [d.step for d in t.dimensions]
    assert steps == sorted(steps)
    hw = next(d for d in t.dimensions if d.dimension == "training_hardware")
    assert not hw.applies and hw.decision is None
    assert hw.resolution == "Does not apply: it applies only when approach == custom_training, and approach is bigquery_ml."


def test_one_dimension_lists_the_rules_that_did_not_fire(fixture_engine):
    t = trace(fixture_engine, validate_mapping(SQL_TEAM, vocab=load_vocabulary()), "approach")
    (d,) = t.dimensions
    misses = {m.rule.id: m.failed for m in d.near_misses}
    assert misses == {"approach.custom-architecture": ("model.custom_architecture is true (here: model.custom_architecture = not stated)",)}


def test_resolution_texts_for_each_way_of_deciding(fixture_engine):
    pii = dict(SQL_TEAM, data={"location": "bigquery", "sensitive": ["pii"]})
    t = trace(fixture_engine, validate_mapping(pii, vocab=load_vocabulary()))
    by_dim = {d.dimension: d for d in t.dimensions}
    assert by_dim["privacy"].resolution.startswith("sensitive_data_protection is required by privacy.pii-requires-sdp")
    # no rule about the encryption dimension in the fixture rules
    assert by_dim["encryption"].decision.how == "fallback"
    assert by_dim["encryption"].resolution == "No rule fired for this dimension; google_managed is only the first choice in vocabulary order."
    custom = dict(SQL_TEAM, model={"custom_architecture": True, "framework": "scikit_learn"})
    hw = {d.dimension: d for d in trace(fixture_engine, validate_mapping(custom, vocab=load_vocabulary())).dimensions}["training_hardware"]
    assert hw.decision.how == "elimination" and "after tpu was forbidden" in hw.resolution


def test_tie_break_is_explained(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("""\
rules:
  - id: serving_mode.a
    title: a
    section: "4.1"
    docs: [https://cloud.google.com/vertex-ai/docs/predictions/overview]
    when: always
    then: {dimension: serving_mode, prefer: online, weight: 2}
    because: a
    examples: {fires: [{}]}
  - id: serving_mode.b
    title: b
    section: "4.1"
    docs: [https://cloud.google.com/vertex-ai/docs/predictions/overview]
    when: always
    then: {dimension: serving_mode, prefer: batch, weight: 2}
    because: b
    examples: {fires: [{}]}
""")
    with Engine(load_rulebook([rules], load_vocabulary())) as e:
        d = next(x for x in trace(e, validate_mapping({"name": "x"}, vocab=load_vocabulary())).dimensions if x.dimension == "serving_mode")
    assert d.decision.choice == "batch" and d.decision.how == "tie_break"
    assert d.resolution.startswith("batch ties at score 2 with online; the tie-break takes the choice listed first")


def test_cli_text_and_json(capsys, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(SQL_TEAM))
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "explain", str(path))
    assert code == 0
    assert "[stage 0] approach (training; applies always) = bigquery_ml  -- preferred" in out
    assert "approach.sql-team-data-in-bigquery: +4 to bigquery_ml" in out
    assert "on data.location = bigquery; team.skills = sql" in out
    assert "resolution: bigquery_ml has the highest score (4); next best automl at 0." in out
    assert "did not fire" not in out  # only with --dimension
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "explain", str(path), "--dimension", "approach", "-f", "json")
    data = json.loads(out)
    (dim,) = data["dimensions"]
    assert code == 0 and dim["choice"] == "bigquery_ml" and dim["resolved_by"] == "preferred"
    assert {r["rule"]: r["contribution"] for r in dim["fired"]} == {
        "approach.sql-team-data-in-bigquery": "+4 to bigquery_ml", "approach.default-automl": "+1 to automl"}
    assert dim["not_fired"][0]["rule"] == "approach.custom-architecture"


def test_cli_rejects_unknown_dimension(capsys):
    code, out, err = run_cli(capsys, "explain", str(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"), "-d", "aproach")
    assert code == 2 and not out and "unknown dimension 'aproach' (did you mean 'approach'?)" in err


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml"))[:12], ids=lambda p: Path(p).stem)
def test_bundled_traces_agree_with_the_recommendation(bundled_engine, path):
    scenario = load_scenario(path, vocab=load_vocabulary())
    rec = bundled_engine.evaluate(scenario)
    t = trace(bundled_engine, scenario, recommendation=rec)
    traced = {d.dimension: d.decision.choice for d in t.dimensions if d.applies}
    assert traced == rec.choices
    fired = {s.rule.id for d in t.dimensions if d.applies for s in d.decision.considered}
    assert fired == set(rec.fired)
    for d in t.dimensions:
        if d.applies and d.decision.how in ("preferred", "tie_break"):
            assert d.tallies[0].choice == d.decision.choice or d.tallies[0].score == d.decision.score
