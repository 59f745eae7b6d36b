"""Errors a person can act on: YAML syntax with line, column and a plain
cause, and "did you mean" for near-miss keys, dimensions and values."""

from __future__ import annotations

import pytest

from mlarch.core.errors import did_you_mean
from mlarch.core.vocabulary import load_vocabulary

from .conftest import ROOT, run_cli

SCENARIO = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


@pytest.mark.parametrize("text, where, message", [
    ("name: x\ndata:\n  modality: tabular\n   location: bigquery\n", ":4:12:",
     "mapping values are not allowed in this context (a key is indented more or less than its siblings"),
    ("name: x\ndata:\n    modality: tabular\n  location: bigquery\n", ":4:3:",
     "did not find expected key (a key is indented more or less than its siblings)"),
    ("name: x\nproblem: {task: [a, b}\n", ":2:22:", "(a [ list ] is not closed"),
    ("name: x\nproblem:\n\ttask: regression\n", ":3:1:", "(YAML is indented with spaces; this line has a tab)"),
    ('name: x\nproblem: {task: "abc\n', ":3:1:", "found unexpected end of stream (a quote or bracket is not closed)"),
    ("name: x\ndescription: this is: bad\n", ":2:21:", "or a text value containing ': ' needs quotes)"),
])
def test_yaml_syntax_errors_give_line_column_and_a_plain_cause(capsys, tmp_path, text, where, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    code, out, err = run_cli(capsys, "validate", bad)
    assert code == 2 and out == ""
    assert err.startswith(f"{bad}{where} invalid YAML: ") and message in err and err.count("\n") == 1


def test_an_unusual_syntax_error_has_no_invented_cause(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nkey: *undefined\n")
    code, _, err = run_cli(capsys, "validate", bad)
    assert code == 2 and "invalid YAML:" in err and "(" not in err.split("invalid YAML:")[1]


def test_near_miss_values_keys_and_dimensions(capsys, tmp_path):
    design = tmp_path / "design.yaml"
    design.write_text(f"scenario_file: {SCENARIO}\ndesing_notes: x\ndesign:\n  hardware: tpu\n  approach: bqml\n")
    code, _, err = run_cli(capsys, "review", design)
    assert code == 2
    assert f"{design}:4: design.hardware: unknown dimension (did you mean 'training_hardware'?)" in err
    assert "design.approach: invalid choice 'bqml' (did you mean 'bigquery_ml'?)" in err
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\ndat: {}\nproblem: {task: recommender}\n")
    code, _, err = run_cli(capsys, "validate", scenario)
    assert "problem.task: invalid value 'recommender' (did you mean 'recommendation'?)" in err
    assert "dat: unknown key (did you mean 'data'?)" in err


def test_did_you_mean_rules():
    vocab = load_vocabulary()
    dims, tasks = list(vocab.dimensions), list(vocab.facts["problem.task"].values)
    assert did_you_mean("recommender", tasks) == "recommendation"  # a long shared beginning
    assert did_you_mean("recomm", tasks) == "recommendation"  # a unique beginning
    assert did_you_mean("hardware", dims) == "training_hardware"  # a whole part, first in lifecycle order
    assert did_you_mean("registry", dims) == "model_registry"
    assert did_you_mean("bqml", ["bigquery_ml", "automl", "custom_training"]) == "bigquery_ml"
    # no suggestion rather than a wild guess
    assert did_you_mean("zzz", tasks) is None
    assert did_you_mean("image", ["image_classification", "image_segmentation"]) == "image_classification"
    assert did_you_mean("serv", ["serving_mode", "serving_platform"]) is None  # ambiguous beginning
    assert did_you_mean("", dims) is None
