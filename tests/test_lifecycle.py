"""Current names, renames and deprecations with dates (issue 17, engine/core/lifecycle.py)."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
import yaml

from mlarch.core.errors import EngineError
from mlarch.core.lifecycle import Lifecycle, notice, run_date
from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import VOCABULARY_FILE, load_vocabulary, parse_vocabulary
from mlarch.diagram import build_diagram

from .conftest import ROOT, run_cli
from .test_review import write


def _raw() -> dict:
    return yaml.safe_load(VOCABULARY_FILE.read_text())


def test_every_choice_has_a_current_name_and_every_deprecation_a_lifecycle_entry():
    vocab = load_vocabulary()
    unnamed = [f"{d}.{c}" for d, s in vocab.dimensions.items() for c in s.choices if vocab.name(d, c) is None]
    assert not unnamed
    assert set(vocab.deprecated) <= set(vocab.lifecycle)
    assert vocab.lifecycle["ml_api.retail_api"].status == "renamed"  # listed in `deprecated:` by the contract only


@pytest.mark.parametrize("key", ["ml_api.retail_api"])
def test_a_renamed_choice_is_never_shown_as_deprecated(bundled_engine, key):
    vocab = load_vocabulary()
    dim, _, choice = key.partition(".")
    for day in (date(2020, 1, 1), date(2026, 12, 1), date(2040, 1, 1)):
        assert vocab.deprecation(dim, choice, day) is None and vocab.notice(dim, choice, day) is None
    scenario = load_scenario(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml", vocab=load_vocabulary())
    rec = bundled_engine.evaluate(scenario, pinned={"approach": "industry_api", "ml_api": choice})
    assert not [w for w in rec.warnings if w.dimension == dim]
    assert "AI Commerce Search (formerly Vertex AI Search for commerce)" == vocab.display(dim, choice)


def _entry(**kw) -> Lifecycle:
    base = dict(key="ml_api.video_intelligence_api", status="deprecated", announced=date(2026, 9, 14), end=date(2027, 9, 14),
                successors=("ml_api.vision_api",))
    base.update(kw)
    return Lifecycle(**base)


def _say(entry: Lifecycle, day: date):
    return notice(entry, "Video Intelligence API", day, lambda key: f"<{key}>")


def test_the_run_date_decides_deprecated_ending_soon_and_shut_down():
    entry = _entry()
    before = _say(entry, date(2026, 1, 1))
    assert before.kind == "deprecated" and not before.soon
    assert before.text == "Video Intelligence API will be deprecated from 2026-09-14 and shuts down on 2027-09-14. Successor: <ml_api.vision_api>."
    soon = _say(entry, date(2026, 12, 1))
    assert soon.kind == "deprecated" and soon.soon
    assert "is deprecated since 2026-09-14 and shuts down on 2027-09-14, within 12 months of 2026-12-01" in soon.text
    assert not _say(entry, date(2026, 9, 13)).soon  # 366 days before the end
    assert _say(entry, date(2026, 9, 14)).soon  # exactly 12 months (365 days) before
    gone = _say(entry, date(2027, 9, 14))
    assert gone.kind == "shut-down" and gone.text.startswith("Video Intelligence API was shut down on 2027-09-14 (deprecated on 2026-09-14).")
    assert _say(_entry(end=None, announced=None), date(2030, 1, 1)).text.startswith("Video Intelligence API is deprecated (no shutdown date published).")
    assert _say(_entry(status="retired", end=None), date(2030, 1, 1)).kind == "retired"


def test_a_part_that_ends_is_mentioned_only_around_its_end():
    part = _entry(status="active", part="Cloud Composer 1", announced=None, end=date(2026, 9, 15), successors=("Cloud Composer 3",))
    assert _say(part, date(2025, 9, 14)) is None  # more than 12 months before
    ahead = _say(part, date(2025, 10, 1))
    assert ahead.kind == "ending" and ahead.soon and "Cloud Composer 1 reaches end of life on 2026-09-15" in ahead.text
    assert _say(part, date(2026, 12, 1)).text.startswith("Cloud Composer 1 reached end of life on 2026-09-15. Successor: Cloud Composer 3.")
    assert _say(part, date(2027, 9, 16)) is None  # more than 12 months after


def test_run_date_comes_from_the_option_then_the_environment(monkeypatch):
    assert run_date(date(2030, 1, 2)) == date(2030, 1, 2)
    monkeypatch.setenv("MLARCH_AS_OF", "2031-03-04")
    assert run_date() == date(2031, 3, 4)
    monkeypatch.delenv("MLARCH_AS_OF")
    assert run_date() == date.today()
    monkeypatch.setenv("MLARCH_AS_OF", "tomorrow")
    with pytest.raises(EngineError, match="expected a date YYYY-MM-DD"):
        run_date()


def test_choices_are_read_by_id_current_name_former_name_or_alias():
    vocab = load_vocabulary()
    assert vocab.choice_named("data_processing", "dataproc_serverless") == "dataproc_serverless"
    assert vocab.choice_named("data_processing", "Google Cloud Serverless for Apache Spark") == "dataproc_serverless"
    assert vocab.choice_named("data_processing", "dataproc serverless") == "dataproc_serverless"
    assert vocab.choice_named("ml_api", "Retail API") == "retail_api"
    assert vocab.choice_named("edge_export", "TensorFlow Lite") == "tflite"
    assert vocab.choice_named("notebook", "Vertex AI Workbench") == "vertex_workbench"
    assert vocab.choice_named("notebook", "Vertex AI Notebooks") is None
    assert vocab.choice_named("edge_export", "Dataproc Serverless") is None  # names belong to their dimension


def test_review_and_answer_accept_names_and_suggest_ids(capsys, tmp_path):
    scenario = ROOT / "scenarios" / "nightly-airflow-cross-system.yaml"
    good = write(tmp_path, f"scenario_file: {scenario}\ndesign:\n  orchestration: Cloud Composer\n  data_processing: Dataproc Serverless\n", "named.yaml")
    code, out, err = run_cli(capsys, "review", str(good), "-f", "json")
    assert code == 0 and not err
    proposed = {f["dimension"]: f["proposed"] for f in json.loads(out)["findings"] if f["kind"] != "undecided"}
    assert proposed == {"data_processing": "dataproc_serverless", "orchestration": "cloud_composer"}
    bad = write(tmp_path, f"scenario_file: {scenario}\ndesign:\n  data_processing: Dataproc Serverles\n", "bad.yaml")
    code, _, err = run_cli(capsys, "review", str(bad))
    assert code == 2 and "invalid choice 'Dataproc Serverles' (did you mean 'dataproc_serverless'?)" in err
    question = write(tmp_path, f"scenario_file: {scenario}\noptions:\n  A: {{orchestration: Cloud Composer 3}}\n"
                               "  B: {orchestration: Vertex AI Pipelines}\nexpect: A\n", "q.yaml")
    code, out, err = run_cli(capsys, "answer", str(question))
    assert code == 0 and not err and "A" in out


def test_as_of_changes_only_the_lifecycle_warnings(capsys):
    code, early, _ = run_cli(capsys, "recommend", "insurance-claims-xgboost-explanations", "-f", "json", "--as-of", "2026-01-01")
    assert code == 0
    code, late, _ = run_cli(capsys, "recommend", "insurance-claims-xgboost-explanations", "-f", "json", "--as-of", "2027-04-01")
    a, b = json.loads(early), json.loads(late)
    assert a["engine"]["as_of"] == "2026-01-01" and b["engine"]["as_of"] == "2027-04-01"
    dep_a = a["decisions"]["explainability"].pop("deprecation")
    dep_b = b["decisions"]["explainability"].pop("deprecation")
    assert "will be deprecated from 2026-03-16" in dep_a and "was shut down on 2027-03-16" in dep_b
    for doc in (a, b):
        doc["engine"].pop("as_of")
        doc.pop("warnings")
    assert a == b
    code, _, err = run_cli(capsys, "recommend", "insurance-claims-xgboost-explanations", "--as-of", "2026-02-30")
    assert code == 2 and "--as-of" in err


def test_json_and_text_show_the_current_name(capsys):
    code, out, _ = run_cli(capsys, "recommend", "nightly-airflow-cross-system", "-f", "json")
    dec = json.loads(out)["decisions"]["orchestration"]
    assert (dec["choice"], dec["name"], dec["formerly"]) == ("cloud_composer", "Cloud Composer 3", None)
    code, out, _ = run_cli(capsys, "recommend", "nightly-airflow-cross-system")
    assert "orchestration: cloud_composer  [firm]\n    = Cloud Composer 3\n" in out
    assert "Cloud Composer 1 and Cloud Composer 2.0.x reached end of life on 2026-09-15" in " ".join(out.split())


def test_diagram_labels_come_from_the_vocabulary(bundled_engine):
    rec = bundled_engine.evaluate(load_scenario(ROOT / "scenarios" / "nightly-airflow-cross-system.yaml", vocab=load_vocabulary()))
    design = {**rec.choices, "notebook": "vertex_workbench"}
    diagram = build_diagram(rec, design)
    notebook = next(c for c in diagram.components if c.slot == "notebook")
    assert notebook.product == "Agent Platform Workbench"
    assert "= Agent Platform Workbench (formerly Vertex AI Workbench)" in notebook.tooltip.splitlines()
    store = next(c for c in build_diagram(rec, {**rec.choices, "feature_store": "vertex_feature_store"}).components if c.slot == "feature_store")
    assert store.product == "Feature Store"  # the vocabulary's short label


@pytest.mark.parametrize("change, message", [
    (lambda d: d["lifecycle"].pop("ml_api.retail_api"), "deprecated 'ml_api.retail_api' needs a lifecycle entry"),
    (lambda d: d["lifecycle"]["ml_api.healthcare_nl_api"].update(status="gone"), "status: expected one of"),
    (lambda d: d["lifecycle"]["ml_api.healthcare_nl_api"].update(end="2026-31-01"), "expected a date YYYY-MM-DD"),
    (lambda d: d["lifecycle"]["ml_api.healthcare_nl_api"].update(successors=["ml_api.nope"]), "is not a dimension.choice"),
    (lambda d: d["lifecycle"]["ml_api.healthcare_nl_api"].update(announced="2027-01-01"), "is after end"),
    (lambda d: d["names"]["ml_api.vision_api"].update(former=["Document AI"]), "'Document AI' names both"),
    (lambda d: d["names"]["ml_api.vision_api"].update(label="x"), "unknown key 'label'"),
    (lambda d: d["names"].update({"ml_api.nope": {"name": "x"}}), "'ml_api.nope' is not a dimension.choice"),
])
def test_bad_names_and_lifecycle_entries_are_refused(change, message):
    data = copy.deepcopy(_raw())
    parse_vocabulary(data)  # the file itself is fine
    change(data)
    with pytest.raises(EngineError, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_vocabulary(data)


SCENARIO = "insurance-claims-xgboost-explanations"  # recommends sampled_shapley (Vertex Explainable AI)


@pytest.mark.parametrize("day, phrase", [("2026-01-01", "will be deprecated from 2026-03-16"),
                                         ("2026-12-01", "within 12 months of 2026-12-01"),
                                         ("2027-04-01", "was shut down on 2027-03-16")])
def test_explain_why_not_and_what_if_judge_the_choice_at_the_run_date(capsys, day, phrase):
    # explain: the chosen product's notice under its dimension, in text and JSON
    code, text, _ = run_cli(capsys, "explain", SCENARIO, "-d", "explainability", "--as-of", day)
    assert code == 0 and phrase in " ".join(text.split())
    code, out, _ = run_cli(capsys, "explain", SCENARIO, "-f", "json", "--as-of", day)
    doc = json.loads(out)
    (dim,) = [d for d in doc["dimensions"] if d["dimension"] == "explainability"]
    assert phrase in dim["lifecycle"]["text"] and dim["lifecycle"]["end"] == "2027-03-16"
    assert doc["engine"]["as_of"] == day
    assert all(d.get("lifecycle") is None for d in doc["dimensions"] if d["dimension"] != "explainability"
               and d.get("choice") not in ("vertex_feature_store_optimized",))
    # why-not: the asked-for product's notice comes first
    code, text, _ = run_cli(capsys, "why-not", SCENARIO, "explainability", "xrai", "--as-of", day, "--budget", "10")
    assert code == 0 and text.splitlines()[1].startswith("! xrai: XRAI (Vertex Explainable AI)")
    code, out, _ = run_cli(capsys, "why-not", SCENARIO, "explainability", "xrai", "-f", "json", "--as-of", day, "--budget", "10")
    assert json.loads(out)["lifecycle"]["kind"] == ("deprecated" if day < "2027-03-16" else "shut-down")
    # what-if: a decision that changes to a deprecated product says so
    code, out, _ = run_cli(capsys, "what-if", SCENARIO, "--set", "model.framework=tensorflow", "-f", "json", "--as-of", day)
    doc = json.loads(out)
    (diff,) = [d for d in doc["diff"] if d["dimension"] == "explainability"]
    assert diff["after"] == "integrated_gradients" and phrase in diff["lifecycle"]["text"]
    assert doc["recommendation"]["engine"]["as_of"] == day


def test_why_not_a_current_product_carries_no_notice(capsys):
    code, out, _ = run_cli(capsys, "why-not", "churn-bigquery-sql-team", "approach", "automl", "-f", "json", "--budget", "10")
    assert code == 0 and json.loads(out)["lifecycle"] is None
    code, text, _ = run_cli(capsys, "why-not", "churn-bigquery-sql-team", "approach", "automl", "--budget", "10")
    assert not text.splitlines()[1].startswith("!")


def test_the_option_wins_over_the_environment_for_explain(capsys, monkeypatch):
    monkeypatch.setenv("MLARCH_AS_OF", "2020-01-01")
    _, pinned, _ = run_cli(capsys, "explain", SCENARIO, "-f", "json", "--as-of", "2026-12-01")
    monkeypatch.setenv("MLARCH_AS_OF", "2030-01-01")
    _, again, _ = run_cli(capsys, "explain", SCENARIO, "-f", "json", "--as-of", "2026-12-01")
    _, other, _ = run_cli(capsys, "explain", SCENARIO, "-f", "json")
    assert pinned == again and other != pinned


def test_the_python_api_takes_a_run_date():
    import mlarch

    with mlarch.Engine(as_of="2026-01-01") as engine:
        early = engine.evaluate(SCENARIO)
        engine.as_of = date(2027, 4, 1)
        late = engine.evaluate(SCENARIO)
        assert early.as_of == date(2026, 1, 1) and late.as_of == date(2027, 4, 1)
        assert early.choices == late.choices
        texts = [" ".join(w.text.split()) for rec in (early, late) for w in rec.warnings if w.dimension == "explainability"]
        assert "will be deprecated" in texts[0] and "was shut down" in texts[1]
        for bad in ("2026-02-30", 20261201, "tomorrow"):
            with pytest.raises(mlarch.InputError, match="as_of"):
                engine.as_of = bad  # type: ignore[assignment]
        assert engine.as_of == date(2027, 4, 1)  # a refused value leaves the date as it was
