"""`mlarch interview` and the sensitivity analysis behind it.

The non-interactive modes (answers on stdin, --answers FILE) drive the real
command; the properties check the search against full evaluations, never
against its own shortcuts (the rule-truth pruning and the ``only`` restriction).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlarch.analysis.sensitivity import analyse, fact_influence, rank_questions, unstated_facts, values_to_try
from mlarch.core.scenario import Scenario, load_scenario
from mlarch.core.vocabulary import load_vocabulary
from mlarch.interview.session import Answer, BadAnswer, Session

from .conftest import ROOT, run_cli
from .strategies import fact_values, scaled, scenarios

CHURN = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


def _interview(tmp_path: Path, capsys, monkeypatch, lines: str, *args: object) -> tuple[int, str, str]:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
    out = tmp_path / "s.yaml"
    code, stdout, _ = run_cli(capsys, "interview", "-o", out, *args)
    return code, stdout, out.read_text()


def test_stdin_answers_skip_bad_value_and_end_of_input(tmp_path, capsys, monkeypatch):
    # The order follows the bundled rules (which facts decide most next): after the task, the
    # team's skills (SQL-only teams and BigQuery ML), then the data.
    code, out, text = _interview(tmp_path, capsys, monkeypatch, "binary_classification\nskip\nskip\nlots\n50\nnowhere\n")
    assert code == 0
    questions = [line for line in out.splitlines() if line.startswith("Q")]
    assert questions[:5] == ["Q1. problem.task", "Q2. team.skills", "Q3. data.modality", "Q4. data.size_gb", "Q5. data.location"]
    assert "not accepted: 'lots' is not a number" in out  # a bad number is asked again
    assert "not accepted: 'nowhere' is not one of the allowed values. Allowed: bigquery, cloud_storage" in out
    assert "(end of input)" in out and "Next: mlarch recommend" in out
    data = yaml.safe_load(text)
    assert data["problem"] == {"task": "binary_classification"} and data["data"] == {"size_gb": 50}
    assert "# Q3 data.modality: skipped" in text and "task: binary_classification  # Q1; decides approach" in text
    assert "this decides: approach" in out
    assert "* approach" in out  # the changed decision is marked in the running summary


def test_answers_file_gives_the_same_questions_and_file(tmp_path, capsys, monkeypatch):
    _, out_stdin, text_stdin = _interview(tmp_path, capsys, monkeypatch, "binary_classification\nskip\nskip\n50\nquit\n")
    answers = tmp_path / "answers.yaml"
    answers.write_text("problem.task: binary_classification\nteam.skills: skip\ndata.modality: skip\ndata.size_gb: 50\n"
                       "data.location: quit\n")
    _, out_file, text_file = _interview(tmp_path, capsys, monkeypatch, "", "--answers", answers)
    assert text_file == text_stdin
    assert out_file == out_stdin


def test_resume_continues_numbering_and_keeps_comments(tmp_path, capsys, monkeypatch):
    _, _, first = _interview(tmp_path, capsys, monkeypatch, "binary_classification\n")
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("sql\n"))
    path = tmp_path / "s.yaml"
    code, out, _ = run_cli(capsys, "interview", path)
    text = path.read_text()
    assert code == 0 and "Q2. " in out and "Q1. " not in out
    assert "# Q1; decides approach" in text and "# Q2" in text
    assert load_scenario(path, vocab=load_vocabulary()).get("problem.task") == "binary_classification"


def test_explain_shows_each_value_and_what_it_changes(tmp_path, capsys, monkeypatch):
    _, out, _ = _interview(tmp_path, capsys, monkeypatch, "", "--explain")
    assert "Why problem.task next: score" in out
    assert "    regression: approach: pretrained_api -> " in out


def test_parse_answers(bundled_engine):
    s = Session(bundled_engine, Scenario("t", {}))
    facts = bundled_engine.vocab.facts
    assert s.parse(facts["data.size_gb"], "40") == Answer("value", 40, "40")
    order = list(facts["team.skills"].values)
    assert s.parse(facts["team.skills"], "sql, python").value == tuple(sorted(("sql", "python"), key=order.index))
    assert s.parse(facts["team.existing_tools"], "none").value == ()
    assert s.parse(facts["data.labeled"], "yes").value is True
    assert s.parse(facts["data.labeled"], "?").kind == "unknown"
    for fact, reply in [("data.labeled", "maybe"), ("data.size_gb", "lots"), ("data.rows", "1.5"), ("problem.task", "99")]:
        with pytest.raises(BadAnswer):
            s.parse(facts[fact], reply)


def test_a_range_that_straddles_a_threshold_is_re_asked(bundled_engine):
    rec_facts = {"problem.task": "binary_classification", "serving.schedule": "on_demand"}
    s = Session(bundled_engine, Scenario("t", rec_facts))
    spec = bundled_engine.vocab.facts["serving.latency_ms"]
    points = [p for p in values_to_try(bundled_engine, spec.id) if p > 0]
    deciding = [v.value for v in fact_influence(bundled_engine, s.rec, spec.id).variants if v.changes]
    assert deciding, "premise: some latency changes a decision here"
    with pytest.raises(BadAnswer, match="differs within"):
        s.parse(spec, f"0-{max(points)}")


def test_recommend_summary_and_sensitivity_sections(capsys):
    code, out, _ = run_cli(capsys, "recommend", "--summary", CHURN)
    import mlarch

    decisions = len(mlarch.evaluate(CHURN).decisions)
    assert code == 0 and out.splitlines()[0].startswith(f"churn-bigquery-sql-team: {decisions} decisions (")
    assert any(line.split()[:3] == ["feature_store", "none", "assumed"] for line in out.splitlines())
    code, out, _ = run_cli(capsys, "recommend", CHURN)  # sensitivity is on by default
    assert "Sensitivity: what would change each decision" in out
    assert "? data.features_shared not stated: true -> bigquery_offline_only; false ->" in out
    assert "approach: bigquery_ml  [firm]" in out
    code, explicit, _ = run_cli(capsys, "recommend", "--sensitivity", CHURN)
    assert explicit == out
    code, out, _ = run_cli(capsys, "recommend", "--no-sensitivity", CHURN)
    assert "Sensitivity" not in out and "[firm]" not in out and "approach: bigquery_ml\n" in out


def test_interactive_terminal(tmp_path):
    """The real command on a pseudo-terminal: a question, an answer, Ctrl-C (SIGINT) writes the file."""
    import pty
    import select
    import signal
    import time

    mlarch = Path(sys.executable).with_name("mlarch")
    leader, follower = pty.openpty()
    # Ctrl-C as on a terminal even when pytest runs as a background job, which starts
    # with SIGINT ignored (the command would then never see it)
    proc = subprocess.Popen([str(mlarch), "interview", "-o", str(tmp_path / "t.yaml")], stdin=follower, stdout=follower,
                            stderr=follower, cwd=tmp_path, close_fds=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(follower)
    seen = ""

    def until(text: str) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while text not in seen:
            assert time.monotonic() < deadline, seen[-2000:]
            # wait for output at most until the deadline: a bare read would block forever
            # if the command never printed the text (e.g. SIGINT ignored in a background job)
            if select.select([leader], [], [], max(0.0, deadline - time.monotonic()))[0]:
                seen += os.read(leader, 65536).decode()

    try:
        until("problem.task> ")
        os.write(leader, b"regression\n")
        until("Q2. ")
        until("> ")
        proc.send_signal(signal.SIGINT)
        until("Interrupted: 1 answers kept")
        assert proc.wait(timeout=30) == 130
    finally:
        proc.kill()
        os.close(leader)
    assert load_scenario(tmp_path / "t.yaml", vocab=load_vocabulary()).get("problem.task") == "regression"


# ------------------------------------------------------------------ properties


def _full_choices(engine, scenario):
    return engine.evaluate(scenario).choices


@settings(max_examples=scaled(3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(truth=scenarios(), data=st.data())
def test_after_an_interview_no_single_unstated_fact_changes_any_decision(bundled_engine, truth, data):
    """Answer with a drawn 'true' scenario's values (don't know where it has none) until the end;
    then no value of any unstated fact changes a decision (full evaluations, no pruning)."""
    s = Session(bundled_engine, Scenario("t", {}))
    for _ in range(80):
        q = s.next_question()
        if q is None:
            break
        value = truth.get(q.fact)
        s.record(q, Answer("value", value) if value is not None else Answer("unknown"))
    else:
        pytest.fail("the interview did not end")
    base = _full_choices(bundled_engine, s.scenario)
    for fact in unstated_facts(bundled_engine, s.scenario):
        drawn = data.draw(fact_values(bundled_engine.vocab.facts[fact]), label=fact)
        drawn = tuple(drawn) if isinstance(drawn, list) else drawn
        if bundled_engine.vocab.facts[fact].type == "set":
            order = list(bundled_engine.vocab.facts[fact].values)
            drawn = tuple(sorted(drawn, key=order.index))
        for value in [*values_to_try(bundled_engine, fact), drawn]:
            if fact in s.asked_facts:
                continue
            got = _full_choices(bundled_engine, s.scenario.with_facts({fact: value}, load_vocabulary()))
            assert got == base, f"{fact} = {value!r} changes {sorted(d for d in got.keys() | base.keys() if got.get(d) != base.get(d))}"


@settings(max_examples=scaled(5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_sensitivity_claims_hold(bundled_engine, scenario):
    rec = bundled_engine.evaluate(scenario)
    sens = analyse(bundled_engine, rec)
    for dim, ds in sens.decisions.items():
        assert (ds.confidence == "assumed") == rec.decisions[dim].defaulted
        assert (ds.confidence == "knife-edge") == (bool(ds.knife_edges) and not rec.decisions[dim].defaulted)
        for flip in ds.flips:
            assert scenario.get(flip.fact) == flip.before
            got = _full_choices(bundled_engine, scenario.with_facts({flip.fact: flip.after}, load_vocabulary())).get(dim)
            assert got == flip.choice != rec.choices[dim], (dim, flip)
        for unknown in ds.unknowns:
            assert not scenario.stated(unknown.fact)
            for value, choice in unknown.outcomes:
                got = _full_choices(bundled_engine, scenario.with_facts({unknown.fact: value}, load_vocabulary())).get(dim)
                assert got == choice, (dim, unknown.fact, value)
    questions = rank_questions(bundled_engine, rec)
    assert [q.fact for q in questions] == [q.fact for q in rank_questions(bundled_engine, rec)]  # deterministic


def test_sensitivity_of_a_bundled_scenario_names_a_known_knife_edge(bundled_engine):
    rec = bundled_engine.evaluate(load_scenario(CHURN, vocab=load_vocabulary()))
    sens = analyse(bundled_engine, rec)
    ds = sens.decisions["approach"]
    # files in Cloud Storage stay with BigQuery ML (external tables); an operational database does not:
    # listed as what would change it, but a change of kind, so the approach is firm (docs/output.md)
    assert "would be automl if data.location were cloud_sql" in ds.text_flips()
    assert ds.confidence == "firm" and not ds.knife_edges
    # interpretability is graded (none, preferred, required): one grade down drops the explanations
    ds = sens.decisions["explainability"]
    assert ds.confidence == "knife-edge"
    assert [f.text() for f in ds.knife_edges] == ["would be none if problem.interpretability were none"]


def test_the_installed_command_runs_non_interactively(tmp_path):
    mlarch = Path(sys.executable).with_name("mlarch")
    run = subprocess.run([str(mlarch), "interview", "-o", str(tmp_path / "x.yaml")], input="regression\n",
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Q1. problem.task" in run.stdout and "Q2. " in run.stdout
