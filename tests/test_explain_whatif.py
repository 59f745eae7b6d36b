"""`mlarch what-if`: typed --set/--unset values, the new recommendation and the diff."""

from __future__ import annotations

import json

import pytest

from mlarch.core.errors import InputError
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.explain.whatif import parse_changes, what_if

from .conftest import FIXTURES, ROOT, run_cli

FIXTURE_RULES = str(FIXTURES / "rules")
CHURN = str(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml")


def test_values_are_parsed_by_the_facts_type():
    changes = parse_changes(load_vocabulary(),
        ["data.size_gb=5000", "data.rows=12", "serving.latency_ms=2.5", "data.labeled=true", "data.modality=image",
         "team.skills=python, sql", "data.sensitive=[]", "data.residency=eu", "team.existing_tools=[git]"],
        ["serving.qps"],
    )
    assert changes == {
        "data.size_gb": 5000, "data.rows": 12, "serving.latency_ms": 2.5, "data.labeled": True, "data.modality": "image",
        "team.skills": ("sql", "python"), "data.sensitive": (), "data.residency": "eu", "team.existing_tools": ("git",),
        "serving.qps": None,
    }
    assert isinstance(changes["data.size_gb"], int)


@pytest.mark.parametrize("sets, unsets, fragment", [
    (["data.size_gb=lots"], [], "--set data.size_gb: expected a number, got 'lots'"),
    (["data.size_gb=-1"], [], "--set data.size_gb: -1 is out of range"),
    (["data.size_gb=inf"], [], "out of range"),
    (["data.rows=1.5"], [], "--set data.rows: expected an integer, got '1.5'"),
    (["data.modality=tabualr"], [], "invalid value 'tabualr' (did you mean 'tabular'?); allowed: tabular, image"),
    (["data.labeled=yes"], [], "--set data.labeled: expected true or false, got 'yes'"),
    (["team.skills=sql,cobol"], [], "--set team.skills: invalid value 'cobol'"),
    (["data.sensitive=pii,none"], [], "'none' cannot be combined with other values"),
    (["team.skils=sql"], [], "--set team.skils: unknown fact 'team.skils' (did you mean 'team.skills'?)"),
    (["name=x"], [], "name and description are not facts the rules use"),
    (["data.size_gb"], [], "expected FACT=VALUE, got 'data.size_gb' (use --unset FACT to remove a fact)"),
    (["data.size_gb=1", "data.size_gb=2"], [], "the same fact is changed twice"),
    (["data.size_gb=1"], ["data.size_gb"], "--unset data.size_gb: the same fact is changed twice"),
    ([], ["data.sise_gb"], "--unset data.sise_gb: unknown fact 'data.sise_gb' (did you mean 'data.size_gb'?)"),
    ([], [], "give at least one --set FACT=VALUE or --unset FACT"),
])
def test_bad_changes_are_input_errors(sets, unsets, fragment):
    with pytest.raises(InputError) as exc:
        parse_changes(load_vocabulary(), sets, unsets)
    assert fragment in str(exc.value)


def test_every_problem_is_reported_at_once():
    with pytest.raises(InputError) as exc:
        parse_changes(load_vocabulary(), ["data.size_gb=x", "data.modality=y"], ["nope"])
    assert len(exc.value.problems) == 3


def test_diff_lists_changed_and_newly_applicable_decisions_with_reasons(fixture_engine):
    scenario = validate_mapping({"name": "sql", "data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}, vocab=load_vocabulary())
    w = what_if(fixture_engine, scenario, {"model.custom_architecture": True, "model.framework": "scikit_learn"})
    diff = {d.dimension: d for d in w.differences}
    assert (diff["approach"].before, diff["approach"].after) == ("bigquery_ml", "custom_training")
    assert diff["approach"].decision.reasons[0].rule.id == "approach.custom-architecture"
    assert "scored 4 against 6" in diff["approach"].why_not_before[0].text
    assert diff["bqml_model"].after is None and "no longer applies" in diff["bqml_model"].note
    assert diff["framework"].before is None and diff["framework"].after == "scikit_learn"
    assert "now applies" in diff["framework"].note
    assert diff["training_hardware"].after == "cpu"  # tpu forbidden for scikit-learn
    assert "privacy" not in diff  # unchanged decisions are not listed
    assert w.changes == {"model.framework": (None, "scikit_learn"), "model.custom_architecture": (None, True)}


def test_unset_removes_a_fact(fixture_engine):
    scenario = validate_mapping({"name": "sql", "data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}, vocab=load_vocabulary())
    w = what_if(fixture_engine, scenario, {"data.location": None})
    assert "data.location" not in w.changed.facts
    assert [(d.dimension, d.before, d.after) for d in w.differences][:1] == [("approach", "bigquery_ml", "automl")]


def test_no_change_says_so(fixture_engine, capsys, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ndata: {location: bigquery}\nteam: {skills: [sql]}\n")
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "what-if", str(path), "--set", "data.size_gb=10")
    assert code == 0 and "No decision changes: the recommendation stays the same." in out


def test_cli_text_and_json_on_the_bundled_rules(capsys):
    args = ["what-if", CHURN, "--set", "serving.latency_ms=50", "--set", "serving.schedule=on_request",
            "--set", "serving.consumers=application"]
    code, out, _ = run_cli(capsys, *args)
    assert code == 0
    assert "changes: serving.latency_ms: (not stated) -> 50" in out
    assert "serving_mode: batch -> online" in out
    assert "Recommendation after the changes (* = changed):" in out
    assert " * serving_mode" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    code, again, _ = run_cli(capsys, *args)
    assert again == out
    code, out, _ = run_cli(capsys, *args, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["changes"]["serving.consumers"] == {"before": ["bigquery"], "after": ["application"]}
    serving = next(d for d in data["diff"] if d["dimension"] == "serving_mode")
    assert (serving["before"], serving["after"]) == ("batch", "online") and serving["reasons"]
    assert data["recommendation"]["decisions"]["serving_mode"]["choice"] == "online"


def test_cli_bad_value_exits_2_with_one_line_per_problem(capsys):
    code, out, err = run_cli(capsys, "what-if", CHURN, "--set", "data.size_gb=abc", "--set", "data.modality=tabualr")
    assert code == 2 and not out
    assert err.splitlines() == [
        "--set data.size_gb: expected a number, got 'abc'",
        "--set data.modality: invalid value 'tabualr' (did you mean 'tabular'?); allowed: tabular, image, text, audio, video, time_series, documents",
    ]
