"""`mlarch answer`: question files, scoring, ties, and the bundled questions answered right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlarch.answer.model import Score, answer, load_question
from mlarch.answer.text import answer_dict
from mlarch.core.vocabulary import load_vocabulary

from .conftest import FIXTURES, ROOT, run_cli

QUESTIONS = sorted((ROOT / "scenarios" / "questions").glob("*.yaml"))
FIXTURE_RULES = str(FIXTURES / "rules")

SCENARIO = """\
scenario:
  name: sql-team
  data: {location: bigquery, sensitive: [pii]}
  team: {skills: [sql]}
  model: {framework: scikit_learn}
"""


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ------------------------------------------------------------------ the bundled questions


def test_there_are_at_least_30_questions_covering_every_exam_section():
    assert len(QUESTIONS) >= 30
    covered = {s for q in QUESTIONS for s in load_question(q, load_vocabulary()).sections}
    assert covered == set(load_vocabulary().exam_sections)


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: p.stem)
def test_bundled_question_is_answered_right(bundled_engine, path):
    q = load_question(path, load_vocabulary())
    assert q.expect and q.text and q.explanation and q.sections and q.docs, "every bundled question has a key and its reasons"
    assert not q.ignored, [p.render(q.source) for p in q.ignored]  # nothing in the bank is warned about
    a = answer(bundled_engine, q)
    assert not a.tie, f"tie between {a.best}"
    assert a.answer == q.expect, {o.label: (o.score.as_dict(), [f.message for f in o.findings]) for o in a.options}
    winner = a.option(a.answer).score
    for o in a.options:
        if o.label != a.answer:
            # every wrong option loses on a hard constraint or a departure, never on support alone
            assert (o.score.errors, o.score.penalty) > (winner.errors, winner.penalty), o.label


@pytest.mark.parametrize("every", [pytest.param(4), pytest.param(1, marks=pytest.mark.slow)])
def test_bundled_questions_from_the_cli(capsys, every):
    """The tally and exit status of several questions: the whole folder in make test-slow,
    a quarter of the files in the default lane (each question is also answered in-process
    above)."""
    paths = [ROOT / "scenarios" / "questions"] if every == 1 else QUESTIONS[::every]
    count = len(QUESTIONS[::every])
    code, out, _ = run_cli(capsys, "answer", *paths)
    assert code == 0, out
    assert f"{count} questions; {count} of {count} with an answer key answered right; 0 ties" in out


# ------------------------------------------------------------------ scoring (fixture rules)


QUESTION = SCENARIO + """\
question: Which approach?
options:
  A: {approach: automl}
  B: {approach: bigquery_ml}
  C: {approach: custom_training, training_hardware: tpu}
  D: {approach: bigquery_ml, training_hardware: gpu}
expect: B
"""


def test_scores_order_errors_then_departures_then_support(fixture_engine, tmp_path):
    a = answer(fixture_engine, load_question(write(tmp_path, QUESTION), load_vocabulary()))
    scores = {o.label: o.score for o in a.options}
    assert a.answer == "B" and a.correct is True and not a.tie
    assert scores["B"] == Score(0, 0, 4)  # agrees on approach, backed by a +4 rule
    assert scores["A"] == Score(0, 4, 0)  # automl scored 0 against 4 (its +1 is a default, which only breaks ties)
    assert scores["D"] == Score(0, 10, 4)  # training_hardware does not apply to BigQuery ML
    assert scores["C"].errors == 1  # a TPU for scikit-learn breaks a hard constraint
    assert [o.label for o in sorted(a.options, key=lambda o: o.rank)] == ["B", "A", "D", "C"]


def test_a_hard_constraint_outweighs_any_soft_support(fixture_engine, tmp_path):
    text = SCENARIO + "options:\n  A: {privacy: none, approach: bigquery_ml}\n  B: {approach: automl}\n"
    a = answer(fixture_engine, load_question(write(tmp_path, text), load_vocabulary()))
    assert a.answer == "B"  # A breaks privacy.pii-requires-sdp even though it agrees on the approach
    assert a.option("A").score.errors == 1 and a.option("A").score.support > a.option("B").score.support


def test_ties_are_reported_and_given_by_the_resolvers_order(fixture_engine, capsys, tmp_path):
    """A tie is said (text, JSON, exit 1), and the letter given is the tied design whose
    choices come first in the vocabulary's order, as the resolver breaks a decision's tie."""
    text = SCENARIO + "options:\n  A: {approach: bigquery_ml}\n  B: {approach: bigquery_ml}\n  C: {approach: automl}\n"
    path = write(tmp_path, text)
    a = answer(fixture_engine, load_question(path, load_vocabulary()))
    assert a.tie and a.best == ("A", "B") and a.answer == a.tie_break == "A" and a.correct is None
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(path))
    assert code == 1 and out.splitlines()[0] == "A"
    assert "equally supported" in out and "A is\ngiven" in out
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(path), "-f", "json")
    data = json.loads(out)
    assert code == 1 and data["answer"] == data["tie_break"] == "A" and data["tie"] == ["A", "B"]


def test_the_tie_break_follows_the_vocabulary_not_the_letters(tmp_path):
    from mlarch.answer.model import tie_break

    vocab = load_vocabulary()
    approaches = list(vocab.dimensions["approach"].choices)
    first, later = approaches[2], approaches[4]  # listed earlier = simpler, more managed
    text = SCENARIO + f"options:\n  A: {{approach: {later}}}\n  B: {{approach: {first}}}\n"
    q = load_question(write(tmp_path, text), vocab)
    assert tie_break(vocab, q, ("A", "B")) == "B"
    swapped = load_question(write(tmp_path, SCENARIO + f"options:\n  A: {{approach: {first}}}\n  B: {{approach: {later}}}\n"), vocab)
    assert tie_break(vocab, swapped, ("A", "B")) == "A"
    fewer = load_question(write(tmp_path, SCENARIO + f"options:\n  A: {{approach: {first}, training_hardware: cpu}}\n"
                                f"  B: {{approach: {first}}}\n"), vocab)
    assert tie_break(vocab, fewer, ("A", "B")) == "B"  # leaving a dimension to the rules comes first


def test_text_prints_the_letter_first_then_why(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, QUESTION)))
    lines = out.splitlines()
    assert code == 0 and lines[0] == "B"
    assert "B wins" in out and "A loses" in out and "C loses: breaks 1 hard constraint" in out and "D loses" in out
    assert "[approach.sql-team-data-in-bigquery]" in out  # why B wins, with the rule
    assert "training_hardware.no-tpu-for-sklearn" in out  # why C loses, with the rule
    assert out.index("B wins") < out.index("A loses") < out.index("D loses") < out.index("C loses")
    assert lines[-1] == "Expected answer: B (correct)"


def test_json_shape(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, QUESTION)), "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["answer"] == "B" and data["correct"] is True
    assert list(data["options"]) == ["A", "B", "C", "D"]
    for opt in data["options"].values():
        assert {"score", "findings", "design", "rank"} <= set(opt)
        assert set(opt["score"]) == {"errors", "penalty", "support"}
        assert all(f["kind"] != "undecided" for f in opt["findings"])
    assert data["options"]["C"]["findings"][0]["rules"] == ["training_hardware.no-tpu-for-sklearn"]


def test_wrong_expectation_exits_1(capsys, tmp_path):
    path = write(tmp_path, QUESTION.replace("expect: B", "expect: A"))
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(path))
    assert code == 1 and out.splitlines()[0] == "B" and "WRONG" in out


def test_output_is_byte_identical_and_independent_of_option_order(capsys, tmp_path):
    a = write(tmp_path, QUESTION, "a.yaml")
    lines = QUESTION.splitlines()
    i = lines.index("options:")
    shuffled = lines[: i + 1] + list(reversed(lines[i + 1:i + 5])) + lines[i + 5:]
    b = write(tmp_path, "\n".join(shuffled) + "\n", "b.yaml")
    first = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(a), "-f", "json")
    again = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(a), "-f", "json")
    other = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(b), "-f", "json")
    assert first == again
    def key(out: str) -> tuple:  # the file name and option lines differ; the verdicts must not
        data = json.loads(out)
        return data["answer"], {label: (o["score"], o["rank"], o["verdict"]) for label, o in data["options"].items()}

    assert key(first[1]) == key(other[1])


@pytest.mark.parametrize("text, fragment", [
    (SCENARIO + "options:\n  A: {approach: automl}\n", "a question needs 2 to 10 options, got 1"),
    (SCENARIO + "options:\n  AB: {approach: automl}\n  B: {approach: automl}\n", "q.yaml:7: options.AB: option label 'AB' must be one letter"),
    (SCENARIO + "options:\n  A: {aproach: automl}\n  B: {approach: automl}\n", "options.A.aproach: unknown dimension (did you mean 'approach'?)"),
    (SCENARIO + "options:\n  A: {}\n  B: {approach: automl}\n", "options.A: an option must set at least one dimension"),
    (SCENARIO + "options:\n  A: {approach: automl}\n  B: {approach: bigquery_ml}\nexpect: E\n", "expect must name one of the options, got 'E'; allowed: A, B"),
    (SCENARIO + "options:\n  A: {approach: automl}\n  B: {approach: bigquery_ml}\nanswer: A\nexpect: B\n", "answer 'A' and expect 'B' disagree"),
    (SCENARIO + "options:\n  A: {approach: automl}\n  B: {approach: bigquery_ml}\nanswer: E\n", "expect must name one of the options, got 'E'"),
    (SCENARIO + "options: [A, B]\n", "options must be a mapping of letter: design"),
])
def test_bad_question_files_exit_2(capsys, tmp_path, text, fragment):
    code, out, err = run_cli(capsys, "answer", str(write(tmp_path, text)))
    assert code == 2 and not out and fragment in err, err


@pytest.mark.parametrize("extra, warning", [
    ("id: q-17\ndifficulty: hard\n", "q.yaml:9: id: not part of a question file; ignored; allowed: "),
    ("section: 7.1\n", "q.yaml:9: section: unknown exam section 7.1"),
    ("docs: [http://example.com]\n", "q.yaml:9: docs: docs must be a list of https:// links; ignored"),
    ("explanation: [x]\n", "q.yaml:9: explanation: expected text"),
])
def test_a_question_sets_own_metadata_is_a_warning_and_the_question_is_answered(capsys, tmp_path, extra, warning):
    """Question files (interfaces.md section 4) name scenario, question and options; a question
    set may add its own fields. Unknown or malformed metadata is reported on stderr, never
    silently dropped, and does not stop the answer; scenario and options stay strict."""
    text = SCENARIO + "options:\n  A: {approach: automl}\n  B: {approach: bigquery_ml}\n"
    plain = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, text, "plain.yaml")))
    code, out, err = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, text + extra)))
    assert plain[0] == code == 0 and plain[2] == "" and out.splitlines()[0] == plain[1].splitlines()[0], (out, err)
    assert warning in err and err.startswith("warning: "), err


def test_lower_case_labels_are_answered_as_written(capsys, tmp_path):
    text = SCENARIO + "options:\n  a: {approach: automl}\n  b: {approach: bigquery_ml}\n  c: {approach: automl, training_hardware: tpu}\n"
    upper = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, text.replace("  a:", "  A:").replace("  b:", "  B:").replace("  c:", "  C:"))))
    lower = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, text)))
    assert lower[0] == upper[0] and lower[1].splitlines()[0] == upper[1].splitlines()[0].lower()


def test_answer_is_the_answer_key_under_another_name(capsys, tmp_path):
    text = SCENARIO + "options:\n  A: {approach: automl}\n  B: {approach: bigquery_ml}\n"
    right = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, text + "expect: B\n")))
    alias = run_cli(capsys, "--rules", FIXTURE_RULES, "answer", str(write(tmp_path, text + "answer: B\n")))
    assert right == alias and "Expected answer: B (correct)" in alias[1]


def test_section_written_as_a_number_is_that_section(tmp_path):
    q = load_question(write(tmp_path, SCENARIO + "options:\n  A: {approach: automl}\n  B: {approach: bigquery_ml}\nsection: 3.3\n"),
                      load_vocabulary())
    assert q.sections == ("3.3",) and q.ignored == ()


def test_docs_list_every_bundled_question():
    docs = (ROOT / "docs" / "answer.md").read_text()
    assert f"holds {len(QUESTIONS)} questions" in docs
    for path in QUESTIONS:
        assert f"`{path.stem}`" in docs, f"docs/answer.md does not list {path.stem}"


PRESUPPOSING = """\
section: "2.2"
question: Which notebook environment should the data scientists use?
scenario:
  name: notebook-only
  team: {skills: [python]}
options:
  A: {notebook: colab_enterprise}
  B: {notebook: vertex_workbench}
expect: A
"""


def test_a_question_presupposes_that_what_it_asks_about_applies(bundled_engine, tmp_path):
    """Options that all decide the notebook presuppose a model the team trains: the scenario
    alone guesses a pre-trained API (where notebooks do not apply); the answer evaluates it
    with the rules' best trained approach instead, and says so."""
    q = load_question(write(tmp_path, PRESUPPOSING), load_vocabulary())
    assert "notebook" not in bundled_engine.evaluate(q.scenario).decisions  # the premise
    a = answer(bundled_engine, q)
    applies = load_vocabulary().dimensions["notebook"].applies_when
    assert set(a.presupposed) == {"approach"} and applies.holds(a.presupposed)
    assert "notebook" in a.recommendation.decisions
    for o in a.options:
        assert all(f.kind != "not-applicable" for f in o.findings)
        assert all(f.dimension in o.review.design.choices for f in o.findings)  # nothing reported on the presupposition
    data = json.loads(json.dumps(answer_dict(a)))
    assert data["presupposed"] == a.presupposed


def _options_question(dimension: str, scenario: dict) -> dict:
    choices = list(load_vocabulary().dimensions[dimension].choices)
    return {"question": f"Which {dimension}?", "scenario": {"name": "partial", **scenario},
            "options": {chr(ord("A") + i): {dimension: c} for i, c in enumerate(choices[:6])}}


DEPENDENT = sorted(d for d, spec in load_vocabulary().dimensions.items()
                   if spec.applies_when.dimension is not None and len(spec.choices) > 1)


@pytest.mark.parametrize("scenario", [{}, {"problem": {"task": "image_classification"}},
                                      {"data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}],
                         ids=["nothing-stated", "image-task", "sql-team-bigquery"])
def test_every_dimension_a_question_asks_about_applies_in_its_presupposed_context(bundled_engine, scenario):
    """A question whose options all decide one dimension takes for granted that it applies,
    however deep it sits (serving_min_replicas <- endpoint_settings <- serving_platform <-
    approach) and even when the guess from a partial scenario forbids every parent choice
    that would make it apply. Before: 12 of 49 such dimensions stayed out with nothing
    stated, and every option tied."""
    from mlarch.core import yamlio

    missing = []
    for dim in DEPENDENT:
        q = load_question(yamlio.Document(data=_options_question(dim, scenario), source=f"{dim}.yaml"), load_vocabulary())
        a = answer(bundled_engine, q)
        if dim not in a.recommendation.decisions:
            missing.append((dim, dict(a.presupposed)))
        for o in a.options:
            assert all(f.kind != "not-applicable" for f in o.findings), (dim, o.label)
    assert not missing
    assert len(DEPENDENT) > 40  # the check covers the vocabulary, not a handful


def test_a_parent_forbidden_by_an_earlier_decision_is_unblocked_by_presupposing_that_decision(bundled_engine):
    """An XGBoost model scored nightly from BigQuery: the rules import it into BigQuery ML, whose
    decision forbids both Vertex AI endpoints. Options about the endpoint's settings take
    for granted a model served by a Vertex AI endpoint, so the answer presupposes the approach under which
    one is allowed, and says so, instead of reviewing settings that cannot apply."""
    import yaml

    from mlarch.core import yamlio
    from mlarch.core.resolver import AlternativeStatus

    facts = yaml.safe_load((ROOT / "scenarios" / "insurer-nightly-lapse-scoring.yaml").read_text())
    facts = {k: v for k, v in facts.items() if k not in ("name", "description", "expect")}
    q = load_question(yamlio.Document(data=_options_question("endpoint_settings", facts), source="q.yaml"), load_vocabulary())
    rec = bundled_engine.evaluate(q.scenario)
    applies = load_vocabulary().dimensions["endpoint_settings"].applies_when
    platform = rec.decisions["serving_platform"]
    applying = [c for c in load_vocabulary().dimensions["serving_platform"].choices
                if applies.holds({**rec.choices, "serving_platform": c})]
    assert applying and all(platform.alternative(c).status is AlternativeStatus.FORBIDDEN for c in applying)  # the premise
    assert any(s.decisions for c in applying for s in platform.tallies[c].forbidden_by)  # forbidden by a decision
    a = answer(bundled_engine, q)
    assert a.presupposed["approach"] != rec.choices["approach"]
    assert a.recommendation.choices["serving_platform"] in applying
    assert "endpoint_settings" in a.recommendation.decisions


def test_options_that_change_different_settings_share_what_they_take_for_granted(bundled_engine):
    """Four options, four different endpoint settings: none is decided by every option, yet
    all of them take the endpoint for granted. Before, nothing was presupposed and the four
    options tied, each 'set but does not apply'."""
    from mlarch.core import yamlio

    data = {"question": "q", "scenario": {"name": "ramp", "serving": {"traffic": "spiky", "symptom": ["latency_high_under_load"]}},
            "options": {"A": {"serving_min_replicas": "raised"}, "B": {"serving_machine": "more_vcpus"},
                        "C": {"model_cohosting": "deployment_resource_pool"}, "D": {"prediction_logging": "request_response_logging"}}}
    q = load_question(yamlio.Document(data=data, source="q.yaml"), load_vocabulary())
    a = answer(bundled_engine, q)
    assert a.presupposed.get("serving_platform", "").startswith("vertex_endpoint")
    assert a.recommendation.choices["endpoint_settings"] == "adjusted"
    for dim in ("serving_min_replicas", "serving_machine", "model_cohosting", "prediction_logging"):
        assert dim in a.recommendation.decisions
    assert a.best == ("A",)
    # an option that decides the context itself is never overridden for it
    data["options"]["D"] = {"serving_platform": "cloud_run"}
    a = answer(bundled_engine, load_question(yamlio.Document(data=data, source="q.yaml"), load_vocabulary()))
    assert "serving_platform" not in a.presupposed


def test_a_presupposed_parent_is_one_the_rules_back_not_a_tie_break_pick(bundled_engine):
    """Images, answers within 30 ms, options about serving hardware: the scenario alone guesses
    the Vision API, under which no rule speaks for any hosted serving platform, so the first
    one in vocabulary order, batch prediction, used to be presupposed against the stated
    latency. Now the earlier decision (the approach) is presupposed so that the rules back the
    serving platform, and the hardware is judged on an online endpoint."""
    from mlarch.core import yamlio

    data = {"question": "q", "scenario": {"name": "photos", "data": {"modality": "image"},
                                          "serving": {"schedule": "on_request", "latency_ms": 30}},
            "options": {"A": {"serving_hardware": "gpu"}, "B": {"serving_hardware": "cpu"}}}
    q = load_question(yamlio.Document(data=data, source="q.yaml"), load_vocabulary())
    guess = bundled_engine.evaluate(q.scenario)
    assert guess.choices["approach"] == "pretrained_api" and "serving_hardware" not in guess.decisions  # the premise
    a = answer(bundled_engine, q)
    assert a.presupposed.get("approach") not in (None, "pretrained_api")
    platform = a.recommendation.decisions["serving_platform"]
    assert platform.choice.startswith("vertex_endpoint") and platform.tallies[platform.choice].supported
    assert "serving_hardware" in a.recommendation.decisions


def test_options_that_all_decide_a_dimension_against_an_assumed_guess_presuppose_their_context(bundled_engine):
    """Telemetry scored as it arrives, no task, modality or framework stated, and options that
    all choose where a model runs: the scenario alone assumes a pre-trained API (a default
    rule), called directly, which no option offers and under which no rule backs any option.
    The assumed approach is replaced by the best-ranked one under which the rules' own pick for
    the serving platform is an option's choice; a decision the stated facts back, or a choice
    they argue against, is never presupposed."""
    from mlarch.core import yamlio

    data = {"question": "q", "scenario": {"name": "telemetry", "data": {"location": "pubsub_stream", "streaming": True},
                                          "serving": {"schedule": "on_event", "consumers": ["stream"]}},
            "options": {"A": {"serving_platform": "dataflow_runinference"},
                        "B": {"serving_platform": "vertex_batch_prediction"},
                        "C": {"serving_platform": "dataproc_batch"}}}
    q = load_question(yamlio.Document(data=data, source="q.yaml"), load_vocabulary())
    guess = bundled_engine.evaluate(q.scenario)
    assert guess.choices["approach"] == "pretrained_api" and guess.decisions["approach"].defaulted  # the premise
    assert guess.choices["serving_platform"] == "api_call"
    a = answer(bundled_engine, q)
    assert a.presupposed.get("approach") not in (None, "pretrained_api", "industry_api")
    assert a.answer == "A" and not a.tie
    # an approach the stated facts back is not presupposed away: transcribing speech stays with the API
    data["scenario"]["problem"] = {"task": "speech_to_text"}
    stated = answer(bundled_engine, load_question(yamlio.Document(data=data, source="q.yaml"), load_vocabulary()))
    assert "approach" not in stated.presupposed


def test_an_option_backed_only_by_a_default_rule_does_not_stop_the_search_for_the_options_context(bundled_engine):
    """A Python team prototyping a regression in shared notebooks with least operations, on
    500 GB: AutoML is pushed down by its 100 GB limit and nothing stated backs an approach, so
    BigQuery ML is a vocabulary-order guess under which the rules pick BigQuery Studio, which no
    option offers. Workbench's only backing is the default rule (it fires on nothing stated), so
    it no longer counts as "a rule backs an option" and the options' context is searched; and in
    custom training the GPU is itself a default guess, which the accelerated-development rule no
    longer reads, so least operations (Colab Enterprise) decides. Before: a three-way tie."""
    from mlarch.core import yamlio

    data = {"question": "q", "scenario": {"name": "shared", "problem": {"task": "regression"}, "data": {"size_gb": 500},
                                          "team": {"skills": ["python"]}, "constraints": {"minimize_ops": True}},
            "options": {"A": {"notebook": "vertex_workbench"}, "B": {"notebook": "colab_enterprise"},
                        "C": {"notebook": "dataproc_notebook"}}}
    q = load_question(yamlio.Document(data=data, source="q.yaml"), load_vocabulary())
    guess = bundled_engine.evaluate(q.scenario)
    assert guess.decisions["approach"].defaulted and guess.choices["notebook"] == "bigquery_studio"  # the premise
    a = answer(bundled_engine, q)
    assert a.answer == "B" and not a.tie
    assert a.presupposed.get("approach") == "custom_training"
    fired = {s.rule.id for s in a.recommendation.decisions["notebook"].considered}
    assert "notebook.accelerated-custom-dev-workbench" not in fired  # the GPU there is the default guess
