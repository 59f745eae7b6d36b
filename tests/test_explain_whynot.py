"""`mlarch why-not`: what stops a choice, and the searched smallest changes of facts.

The search's answers are checked against brute force: every candidate
change (and pair of changes) of *every* fact, evaluated in full, so the
pruning to relevant facts, the restricted evaluation and the inert-change
pruning must not lose or invent a solution.
"""

from __future__ import annotations

import itertools
import json

import pytest

from mlarch.core.scenario import load_scenario, validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.explain.whynot import Change, candidate_values, impossibility, why_not
from mlarch.explain.whynot_text import render_whynot_text, whynot_dict

from .conftest import FIXTURES, ROOT, run_cli

FIXTURE_RULES = str(FIXTURES / "rules")


SQL_TEAM = validate_mapping({"name": "sql-team", "data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}, vocab=load_vocabulary())
SKLEARN = validate_mapping({"name": "sk", "model": {"framework": "scikit_learn", "custom_architecture": True}}, vocab=load_vocabulary())


def every_change(engine, scenario, any_rule_only=False):
    """Candidate changes of every fact of the vocabulary (not only the relevant ones); for pairs,
    of every fact some rule of the whole rule base tests (a fact no rule tests changes nothing)."""
    dims = list(engine.vocab.dimensions)
    tested = {lit.ref for r in engine.rulebook.rules for conj in r.alternatives for lit in conj}
    out = []
    for fact, spec in engine.vocab.facts.items():
        if spec.group is None or (any_rule_only and fact not in tested):
            continue
        current = scenario.get(fact)
        out += [Change(fact, current, v) for v in candidate_values(engine, spec, current, dims)]
    return out


def brute_force(engine, scenario, dimension, choice, size):
    changes = every_change(engine, scenario, any_rule_only=size > 1)
    hits = set()
    for combo in itertools.combinations(changes, size):
        if len({c.fact for c in combo}) < size:
            continue
        rec = engine.evaluate(scenario.with_facts({c.fact: c.after for c in combo}, load_vocabulary()))
        if rec.choices.get(dimension) == choice:
            hits.add(frozenset(combo))
    return hits


def test_single_change_found_and_complete(fixture_engine):
    r = why_not(fixture_engine, SQL_TEAM, "approach", "custom_training")
    assert not r.already and r.impossible is None and r.exhaustive
    found = {frozenset(s.changes) for s in r.solutions}
    assert found == brute_force(fixture_engine, SQL_TEAM, "approach", "custom_training", 1)
    assert frozenset({Change("model.custom_architecture", None, True)}) in found
    for s in r.solutions:
        assert s.recommendation.choices["approach"] == "custom_training"
        assert s.decision.reasons[0].rule.id == "approach.custom-architecture"
    assert r.blockers[0] == "approach = bigquery_ml (preferred, score 4)."


def test_two_changes_when_one_is_not_enough(fixture_engine):
    r = why_not(fixture_engine, SKLEARN, "training_hardware", "tpu")
    assert r.solutions and all(len(s.changes) == 2 for s in r.solutions)
    assert brute_force(fixture_engine, SKLEARN, "training_hardware", "tpu", 1) == set()
    found = {frozenset(s.changes) for s in r.solutions}
    assert found == brute_force(fixture_engine, SKLEARN, "training_hardware", "tpu", 2)
    # e.g. another framework and a very large model
    assert frozenset({Change("model.framework", "scikit_learn", None), Change("model.size", None, "very_large")}) in found
    assert any("forbidden" in b and "training_hardware.no-tpu-for-sklearn" in b for b in r.blockers)


def test_side_effects_are_the_other_decisions_that_change(fixture_engine):
    r = why_not(fixture_engine, SQL_TEAM, "approach", "custom_training")
    s = next(s for s in r.solutions if s.changes == (Change("model.custom_architecture", None, True),))
    effects = {d: (b, a) for d, b, a in s.side_effects}
    assert effects["bqml_model"][1] is None  # BigQuery ML's model type no longer applies
    assert effects["framework"][0] is None and effects["framework"][1] is not None
    assert "approach" not in effects


def test_a_choice_no_rule_can_reach_is_proven_impossible(fixture_engine):
    reason = impossibility(fixture_engine, "approach", "foundation_model")
    assert reason and "no rule prefers or requires approach = foundation_model" in reason
    r = why_not(fixture_engine, SQL_TEAM, "approach", "foundation_model")
    assert r.impossible == reason and r.solutions == () and r.evaluations == 0


def test_impossibility_follows_applies_when(fixture_engine):
    # genai_adaptation applies only with approach = foundation_model, which no rule can produce
    reason = impossibility(fixture_engine, "genai_adaptation", "prompting")
    assert reason and reason.startswith("genai_adaptation applies only when approach == foundation_model")


def test_already_recommended(fixture_engine, capsys, tmp_path):
    r = why_not(fixture_engine, SQL_TEAM, "approach", "bigquery_ml")
    assert r.already and r.evaluations == 0
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(SQL_TEAM.to_nested()))
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "why-not", str(path), "approach", "bigquery_ml")
    assert code == 0 and "approach = bigquery_ml is already the recommendation." in out


def test_budget_bounds_the_search_and_says_so(fixture_engine):
    r = why_not(fixture_engine, SKLEARN, "training_hardware", "tpu", budget=5)
    assert r.evaluations <= 5 and not r.exhaustive and r.stopped and "budget of 5" in r.stopped


def test_no_solution_within_the_limit_is_stated(fixture_engine):
    # one change cannot get a TPU here (see above)
    r = why_not(fixture_engine, SKLEARN, "training_hardware", "tpu", max_changes=1)
    assert r.solutions == () and r.exhaustive and r.impossible is None


def test_search_is_deterministic(fixture_engine):
    a = why_not(fixture_engine, SKLEARN, "training_hardware", "tpu")
    b = why_not(fixture_engine, SKLEARN, "training_hardware", "tpu")
    assert [s.changes for s in a.solutions] == [s.changes for s in b.solutions] and a.evaluations == b.evaluations


def test_candidate_values_come_from_the_vocabulary_and_rule_literals(fixture_engine):
    vocab = fixture_engine.vocab
    dims = list(vocab.dimensions)
    latency = candidate_values(fixture_engine, vocab.facts["serving.latency_ms"], 50, dims)
    assert latency[:3] == [999, 1000, 1001] and latency[-1] is None  # around the rule's threshold, then un-state
    skills = candidate_values(fixture_engine, vocab.facts["team.skills"], ("sql",), dims)
    assert () in skills and ("sql", "python") in skills and None in skills
    sensitive = candidate_values(fixture_engine, vocab.facts["data.sensitive"], ("pii",), dims)
    assert ("none",) in sensitive and ("pii", "none") not in sensitive  # 'none' is exclusive
    assert candidate_values(fixture_engine, vocab.facts["data.labeled"], None, dims) == [True, False]


def test_cli_text_and_json(capsys, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(SKLEARN.to_nested()))
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "why-not", str(path), "training_hardware", "tpu")
    assert code == 0
    assert out.startswith("mlarch why-not training_hardware = tpu for sk\n")
    assert "What stops it:" in out and "Smallest changes that make it the recommendation (2 facts each;" in out
    assert "model.size: (not stated) -> very_large" in out
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "why-not", str(path), "training_hardware", "tpu", "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["recommended"] == "cpu" and data["search"]["exhaustive"] is True
    assert data["solutions"] and all(len(s["changes"]) == 2 for s in data["solutions"])
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "why-not", str(path), "approach", "foundation_model")
    assert code == 0 and "No change of facts can make it the recommendation" in out


@pytest.mark.parametrize("args, fragment", [
    (["approch", "automl"], "DIMENSION: unknown dimension 'approch' (did you mean 'approach'?)"),
    (["approach", "automll"], "CHOICE: invalid choice 'automll' for approach (did you mean 'automl'?)"),
    (["approach", "automl", "--max-changes", "4"], "--max-changes"),
])
def test_cli_rejects_bad_arguments(capsys, args, fragment):
    code, out, err = run_cli(capsys, "why-not", str(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"), *args)
    assert code == 2 and not out and fragment in err, err


def test_bundled_rules_search_finds_a_verified_answer(bundled_engine):
    from mlarch.core.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml", vocab=load_vocabulary())
    r = why_not(bundled_engine, scenario, "approach", "automl")
    assert r.solutions and len(r.solutions[0].changes) == 1
    for s in r.solutions:
        again = bundled_engine.evaluate(scenario.with_facts({c.fact: c.after for c in s.changes}, load_vocabulary()))
        assert again.choices["approach"] == "automl"


def test_docs_state_the_real_defaults():
    from mlarch.explain.whynot import DEFAULT_BUDGET, DEFAULT_SECONDS

    docs = (ROOT / "docs" / "explain.md").read_text()
    assert f"(default\n   {DEFAULT_BUDGET:,})" in docs or f"(default {DEFAULT_BUDGET:,})" in docs
    assert f"(default {int(DEFAULT_SECONDS)})" in docs


@pytest.mark.parametrize("dimension", ["approach", "training_hardware", "serving_platform", "monitoring_objective", "deidentification"])
def test_restricted_evaluation_decides_those_dimensions_as_a_full_one(bundled_engine, dimension):
    """Engine.evaluate(only=...) (used by the search) must agree with a full evaluation."""
    from mlarch.core.scenario import load_scenario
    from mlarch.explain.whynot import needed_dimensions

    only = set(needed_dimensions(bundled_engine, dimension))
    assert only == bundled_engine.plan.needs([dimension])  # what lint's witness searches ask for
    for path in sorted((ROOT / "scenarios").glob("*.yaml"))[::4]:
        scenario = load_scenario(path, vocab=load_vocabulary())
        full = bundled_engine.evaluate(scenario)
        part = bundled_engine.evaluate(scenario, only=only)
        assert set(part.decisions) <= only
        assert {d: c for d, c in full.choices.items() if d in only} == part.choices, path.name


def test_design_changes_come_before_changes_to_the_problem(bundled_engine):
    """why-not tries the facts that define the problem (task, data type...) last, and marks them."""
    scenario = load_scenario(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml", vocab=load_vocabulary())
    result = why_not(bundled_engine, scenario, "approach", "automl")
    assert result.solutions
    problem = bundled_engine.vocab.problem_facts
    kinds = [any(c.fact in problem for c in s.changes) for s in result.solutions]
    assert kinds == sorted(kinds) and not kinds[0] and any(kinds)  # design-only first; the premise: both kinds exist
    for s, is_problem in zip(result.solutions, kinds):
        assert bool(s.problem_changes) == is_problem
    data = whynot_dict(result)
    assert [bool(s["changes_problem"]) for s in data["solutions"]] == kinds
    assert "changes the problem itself" in render_whynot_text(result)
