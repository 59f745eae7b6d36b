"""Bundled examples by name, standard input, folders and batches (JSON Lines)."""

from __future__ import annotations

import io
import json
import sys

import pytest

from mlarch.core import bundled

from .conftest import ROOT, run_cli

SCENARIOS = ROOT / "scenarios"
CHURN = SCENARIOS / "churn-bigquery-sql-team.yaml"


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    return feed


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """Run from a folder with no scenarios in it, as an installed user would."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_catalog_holds_every_bundled_scenario_design_and_question():
    found = bundled.catalog()
    for kind, folder in (("scenarios", SCENARIOS), ("designs", SCENARIOS / "designs"), ("questions", SCENARIOS / "questions")):
        files = {p.stem for p in folder.glob("*.yaml")}
        assert files and {n for n, e in found.items() if e.kind == kind} == files


@pytest.mark.parametrize("command, name, path", [
    ("recommend", "churn-bigquery-sql-team", CHURN),
    ("review", "churn-custom-tpu", SCENARIOS / "designs" / "churn-custom-tpu.yaml"),
    ("answer", "1.1-churn-analysts-bigquery-ml", SCENARIOS / "questions" / "1.1-churn-analysts-bigquery-ml.yaml"),
    ("explain", "churn-bigquery-sql-team", CHURN),
])
def test_a_bundled_name_works_like_its_path_from_any_folder(capsys, elsewhere, command, name, path):
    by_name = run_cli(capsys, command, name, "-f", "json")
    by_path = run_cli(capsys, command, path, "-f", "json")
    assert by_name[0] in (0, 1) and by_name[1].strip()
    assert by_name == by_path


def test_an_existing_file_wins_over_a_bundled_name(capsys, elsewhere):
    (elsewhere / "churn-bigquery-sql-team").write_text("name: mine\ndata: {modality: image}\n")
    code, out, _ = run_cli(capsys, "recommend", "churn-bigquery-sql-team", "-f", "json")
    assert code == 0 and json.loads(out)["scenario"] == "mine"


def test_a_missing_file_points_to_the_examples(capsys, elsewhere):
    code, out, err = run_cli(capsys, "recommend", "nothing-like-it.yaml")
    assert code == 2 and out == ""
    assert err.strip() == "nothing-like-it.yaml: no such file (a bundled example? `mlarch examples` lists them; use one by its name)"
    code, _, err = run_cli(capsys, "review", "churn-custom-tp")
    assert code == 2 and "did you mean 'churn-custom-tpu'?" in err and "mlarch examples" in err


def test_examples_lists_each_kind_with_its_description_in_full(capsys):
    code, out, _ = run_cli(capsys, "examples")
    assert code == 0
    for heading in ("Scenarios (", "Designs (", "Questions ("):
        assert any(line.startswith(heading) for line in out.splitlines()), heading
    flat = " ".join(out.split())
    for example in bundled.catalog().values():
        assert f"{example.name} {example.description()}" in flat, example.name
    # a description longer than one line is printed whole, not cut at its first sentence
    long = bundled.catalog()["churn-custom-tpu"].description()
    assert len(long) > 300 and long.endswith("deprecated Vertex Explainable AI method.")
    assert all(len(line) <= 80 for line in out.splitlines() if not line.startswith("bundled in "))


def test_examples_prints_any_kind_by_name(capsys):
    code, out, _ = run_cli(capsys, "examples", "churn-custom-tpu", "--path")
    assert code == 0 and out.strip() == str(SCENARIOS / "designs" / "churn-custom-tpu.yaml")
    code, out, _ = run_cli(capsys, "examples", "--kind", "questions")
    questions = len(list((SCENARIOS / "questions").glob("*.yaml")))
    assert code == 0 and "Scenarios (" not in out and f"Questions ({questions};" in out


@pytest.mark.parametrize("command", ["recommend", "explain", "adr"])
def test_standard_input_is_read_for_dash(capsys, stdin, tmp_path, command):
    args = ["-o", tmp_path / "adr"] if command == "adr" else ["-f", "json"]
    expected = run_cli(capsys, command, CHURN, *args)
    stdin(CHURN.read_text())
    assert run_cli(capsys, command, "-", *args) == expected


def test_a_design_from_standard_input(capsys, stdin):
    design = SCENARIOS / "designs" / "reviews-sentiment-custom-bert.yaml"  # scenario inline: no relative path
    expected = run_cli(capsys, "review", design, "-f", "json")
    stdin(design.read_text())
    code, out, err = run_cli(capsys, "review", "-", "-f", "json")
    assert code == expected[0] and json.loads(out)["findings"] == json.loads(expected[1])["findings"]


def test_errors_on_standard_input_name_it(capsys, stdin):
    stdin("name: x\ndata: {modality: tabualr}\n")
    code, _, err = run_cli(capsys, "validate", "-")
    assert code == 2 and err.startswith("<stdin>:2: data.modality: invalid value 'tabualr'")


def test_recommend_on_several_files_and_folders_writes_json_lines(capsys):
    # file handling, not the analysis: --no-sensitivity keeps 72 scenarios cheap
    code, out, _ = run_cli(capsys, "recommend", CHURN, SCENARIOS, "-f", "json", "--no-sensitivity")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 1 + len(list(SCENARIOS.glob("*.yaml")))
    documents = [json.loads(line) for line in lines]
    assert documents[0] == json.loads(run_cli(capsys, "recommend", CHURN, "-f", "json", "--no-sensitivity")[1])
    assert [d["scenario"] for d in documents[1:]] == sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def test_recommend_on_several_files_in_text_and_yaml(capsys):
    one = run_cli(capsys, "recommend", CHURN)[1]
    code, out, _ = run_cli(capsys, "recommend", CHURN, CHURN)
    assert code == 0 and out == one + "\n" + one
    code, out, _ = run_cli(capsys, "recommend", CHURN, CHURN, "-f", "yaml")
    import yaml

    assert code == 0 and len(list(yaml.safe_load_all(out))) == 2


def test_recommend_batch_reports_bad_files_and_still_answers_the_others(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndata: {modality: tabualr}\n")
    code, out, err = run_cli(capsys, "recommend", CHURN, bad, "-f", "json")
    assert code == 2 and len(out.splitlines()) == 1 and f"{bad}:2: data.modality" in err


def test_validate_json_lines_one_per_file(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndata: {modality: tabualr}\n")
    code, out, _ = run_cli(capsys, "validate", CHURN, bad, "-f", "json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert rows[0] == {"file": str(CHURN), "valid": True, "problems": []}
    assert rows[1]["file"] == str(bad) and rows[1]["valid"] is False
    assert rows[1]["problems"][0].startswith(f"{bad}:2: data.modality: invalid value 'tabualr'")
    code, out, _ = run_cli(capsys, "validate", SCENARIOS)
    assert code == 0 and out.strip() == f"{len(list(SCENARIOS.glob('*.yaml')))} scenario files valid"


def test_standard_input_is_read_only_once(capsys):
    code, _, err = run_cli(capsys, "recommend", "-", "-")
    assert code == 2 and "standard input can be read only once" in err
