"""`mlarch adr`: one MADR record per decision, deterministic names and content, safe writes."""

from __future__ import annotations

import re

import pytest

from mlarch.adr.model import file_name, records
from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import load_vocabulary

from .conftest import ROOT, run_cli

CHURN = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"
MADR_SECTIONS = ["## Context and Problem Statement", "## Decision Drivers", "## Considered Options", "## Decision Outcome",
                 "### Consequences", "### Confirmation", "## Pros and Cons of the Options", "## More Information"]


@pytest.fixture(scope="module")
def churn(bundled_engine):
    return bundled_engine.evaluate(load_scenario(CHURN))


def test_one_record_per_decision_with_stable_names(churn):
    files = records(load_vocabulary(), churn)
    assert set(files) == {file_name(load_vocabulary(), d) for d in churn.decisions} | {"index.md"}
    assert "0001-approach.md" in files and "0003-bqml-model.md" in files  # numbered by vocabulary position
    assert all(re.fullmatch(r"\d{4}-[a-z-]+\.md|index\.md", name) for name in files)


def test_records_follow_the_madr_layout(churn):
    text = records(load_vocabulary(), churn)["0001-approach.md"]
    assert text.startswith("---\nstatus: proposed\n---\n\n# Approach: use `bigquery_ml`\n")
    positions = [text.index(section) for section in MADR_SECTIONS]
    assert positions == sorted(positions)
    assert "* `data.location` = bigquery" in text  # context and drivers from the facts
    assert "Chosen option: `bigquery_ml`, because of `approach.sql-team-data-in-bigquery`" in text
    assert "### `custom_training`" in text and "* Bad, because of `approach.no-ml-expertise-avoids-custom-training`" in text
    assert "[bqml_model](0003-bqml-model.md)" in text  # consequences link the decisions it opens
    assert "<https://cloud.google.com/bigquery/docs/e2e-journey>" in text


def test_child_decisions_link_back_to_their_parent(churn):
    text = records(load_vocabulary(), churn)["0003-bqml-model.md"]
    assert "It arises because [approach](0001-approach.md) is `bigquery_ml`" in text


def test_every_local_link_resolves(churn):
    files = records(load_vocabulary(), churn)
    for name, text in files.items():
        for target in re.findall(r"\]\(([^)]+\.md)\)", text):
            assert target in files, (name, target)


def test_deprecated_choice_is_a_consequence(bundled_engine):
    rec = bundled_engine.evaluate(load_scenario(ROOT / "scenarios" / "fraud-realtime-scoring.yaml"))
    files = records(load_vocabulary(), rec)
    (text,) = [t for name, t in files.items() if name.endswith("-explainability.md")]  # numbered by decision order
    # judged at the tests' run date (conftest: 2026-12-01): the end date is within 12 months
    assert ("* Bad, because it is deprecated: Sampled Shapley (Vertex Explainable AI) is deprecated since 2026-03-16 "
            "and shuts down on 2027-03-16, within 12 months of 2026-12-01.") in text


def test_cli_writes_byte_identical_files(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "a"))
    assert code == 0 and out.startswith("wrote ")
    run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "b"))
    a = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    b = {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert a == b and len(a) > 10
    # rerunning over unchanged files is fine
    assert run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "a"))[0] == 0


def test_cli_refuses_to_overwrite_changed_files_without_force(capsys, tmp_path):
    out_dir = tmp_path / "adr"
    run_cli(capsys, "adr", str(CHURN), "-o", str(out_dir))
    (out_dir / "0001-approach.md").write_text("edited by hand\n")
    code, out, err = run_cli(capsys, "adr", str(CHURN), "-o", str(out_dir))
    assert code == 2 and "would overwrite 1 changed file(s) (0001-approach.md); pass --force" in err
    assert (out_dir / "0001-approach.md").read_text() == "edited by hand\n"
    assert run_cli(capsys, "adr", str(CHURN), "-o", str(out_dir), "--force")[0] == 0
    assert (out_dir / "0001-approach.md").read_text().startswith("---\nstatus: proposed\n")


def test_cli_status_and_date(capsys, tmp_path):
    code, _, _ = run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path), "--status", "accepted", "--date", "2025-03-01")
    assert code == 0
    (serving_mode,) = tmp_path.glob("*-serving-mode.md")  # numbered by decision order
    assert serving_mode.read_text().startswith("---\nstatus: accepted\ndate: 2025-03-01\n---\n")
    code, out, err = run_cli(capsys, "adr", str(CHURN), "-o", str(tmp_path / "x"), "--date", "2025-13-01")
    assert code == 2 and "--date: expected a date as YYYY-MM-DD, got '2025-13-01'" in err


def test_cli_output_must_be_a_folder(capsys, tmp_path):
    target = tmp_path / "file.md"
    target.write_text("x")
    code, _, err = run_cli(capsys, "adr", str(CHURN), "-o", str(target))
    assert code == 2 and "Traceback" not in err
