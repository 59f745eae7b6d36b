"""The Python API (docs/api.md): the command line's answers as objects."""

from __future__ import annotations

import doctest
import gc
import json
import pkgutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import mlarch

from .conftest import ROOT, run_cli

SCENARIO = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"
DESIGN = ROOT / "scenarios" / "designs" / "churn-custom-tpu.yaml"
QUESTION = ROOT / "scenarios" / "questions" / "1.1-churn-analysts-bigquery-ml.yaml"


def test_the_examples_in_docs_api_md_run():
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15 and result.failed == 0


def test_import_mlarch_loads_nothing_else():
    code = ("import sys, mlarch; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('mlarch', 'pydantic', 'click', 'yaml', 'durable_rules_engine', 'graphviz')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == "['mlarch']"


def test_api_names_never_shadow_a_subpackage():
    """`mlarch.review` the package would replace a function of that name once imported."""
    packages = {m.name for m in pkgutil.iter_modules(mlarch.__path__)}
    assert "review" in packages and "api" in packages
    assert not set(mlarch.__all__) & packages
    for name in mlarch.__all__:
        assert getattr(mlarch, name) is not None
    with pytest.raises(AttributeError):
        mlarch.no_such_thing  # noqa: B018


@pytest.mark.parametrize("source", ["churn-bigquery-sql-team", str(SCENARIO), SCENARIO])
def test_a_scenario_by_name_path_or_mapping_gives_the_same_recommendation(source):
    import yaml

    by_source = mlarch.as_dict(mlarch.evaluate(source))
    by_mapping = mlarch.as_dict(mlarch.evaluate(yaml.safe_load(SCENARIO.read_text())))
    by_scenario = mlarch.as_dict(mlarch.evaluate(mlarch.load_scenario(source)))
    assert by_source == by_mapping == by_scenario
    assert by_source["scenario"] == "churn-bigquery-sql-team" and by_source["decisions"]


@pytest.mark.parametrize("fmt", mlarch.RECOMMENDATION_FORMATS)
def test_render_is_the_command_lines_output_byte_for_byte(capsys, fmt):
    code, out, _ = run_cli(capsys, "recommend", SCENARIO, "-f", fmt)
    rec = mlarch.evaluate(SCENARIO)
    assert code == 0 and mlarch.render(rec, fmt, sensitivity=mlarch.sensitivity(rec)) == out
    code, plain, _ = run_cli(capsys, "recommend", SCENARIO, "-f", fmt, "--no-sensitivity")
    assert code == 0 and mlarch.render(rec, fmt) == plain != out


@pytest.mark.parametrize("fmt", mlarch.REVIEW_FORMATS)
def test_review_renders_like_the_command_line(capsys, fmt):
    code, out, _ = run_cli(capsys, "review", DESIGN, "-f", fmt)
    rv = mlarch.review_design(DESIGN)
    assert mlarch.render(rv, fmt, sensitivity=mlarch.sensitivity(rv)) == out
    assert code == rv.exit_status("error") == 1
    _, plain, _ = run_cli(capsys, "review", DESIGN, "-f", fmt, "--no-sensitivity")
    assert mlarch.render(rv, fmt) == plain != out


def test_sensitivity_is_for_recommendations_and_reviews():
    answer = mlarch.answer_question(QUESTION)
    with pytest.raises(TypeError, match="recommendations and reviews"):
        mlarch.sensitivity(answer)
    with pytest.raises(TypeError, match="answers have no sensitivity"):
        mlarch.render(answer, "text", sensitivity=object())


@pytest.mark.parametrize("fmt", mlarch.ANSWER_FORMATS)
def test_answer_renders_like_the_command_line(capsys, fmt):
    _, out, _ = run_cli(capsys, "answer", QUESTION, "-f", fmt)
    assert mlarch.render(mlarch.answer_question(QUESTION), fmt) == out


def test_as_dict_is_the_json_document(capsys):
    _, out, _ = run_cli(capsys, "review", DESIGN, "-f", "json")
    rv = mlarch.review_design(DESIGN)
    assert mlarch.as_dict(rv, sensitivity=mlarch.sensitivity(rv)) == json.loads(out)
    _, out, _ = run_cli(capsys, "review", DESIGN, "-f", "json", "--no-sensitivity")
    assert mlarch.as_dict(rv) == json.loads(out)
    _, out, _ = run_cli(capsys, "recommend", SCENARIO, "-f", "json")
    rec = mlarch.evaluate(SCENARIO)
    assert mlarch.as_dict(rec, sensitivity=mlarch.sensitivity(rec)) == json.loads(out)
    with pytest.raises(TypeError):
        mlarch.as_dict({"not": "a result"})


def test_a_design_and_a_question_as_mappings():
    import yaml

    def findings(source: object) -> list[dict]:  # a mapping has no line numbers
        return [{k: v for k, v in f.items() if k != "line"} for f in mlarch.as_dict(mlarch.review_design(source))["findings"]]

    design = yaml.safe_load((ROOT / "scenarios" / "designs" / "reviews-sentiment-custom-bert.yaml").read_text())
    assert findings(design) == findings("reviews-sentiment-custom-bert") and findings(design)
    question = yaml.safe_load(QUESTION.read_text())
    assert mlarch.answer_question(question).answer == mlarch.answer_question(QUESTION).answer == "A"
    question["scenario"]["serving"] = {"schedule": "on_request"}  # the mapping is what is answered
    assert mlarch.answer_question(question).recommendation.choices["serving_mode"] == "online"


def test_errors_are_the_command_lines_messages(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndata:\n  modality: tabualr\n")
    _, _, err = run_cli(capsys, "recommend", bad)
    with pytest.raises(mlarch.InputError) as caught:
        mlarch.evaluate(bad)
    assert str(caught.value) + "\n" == err
    assert caught.value.problems[0].suggestion == "tabular"
    _, _, err = run_cli(capsys, "recommend", "missing.yaml")
    with pytest.raises(mlarch.InputError) as caught:
        mlarch.evaluate("missing.yaml")
    assert str(caught.value) + "\n" == err


def test_mappings_must_be_plain_data():
    with pytest.raises(mlarch.InputError, match="only plain data"):
        mlarch.evaluate({"name": "x", "data": {"modality": object()}})
    with pytest.raises(TypeError):
        mlarch.evaluate(42)


def test_render_refuses_a_format_the_result_does_not_have():
    with pytest.raises(mlarch.InputError, match="unknown format 'sarif' for a recommendation"):
        mlarch.render(mlarch.evaluate(SCENARIO), "sarif")


def test_draw_returns_text_or_bytes():
    mermaid = mlarch.draw("churn-bigquery-sql-team")
    assert isinstance(mermaid, str) and "flowchart LR" in mermaid
    dot = mlarch.draw(DESIGN, "dot", direction="TB", legend=False)
    assert dot.startswith("digraph") and "rankdir=TB" in dot
    with pytest.raises(mlarch.InputError, match="unknown diagram format"):
        mlarch.draw(SCENARIO, "gif")


def test_an_engine_on_other_rules(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n- id: approach.always-automl\n  title: AutoML always\n  section: '1.1'\n  docs: ['https://cloud.google.com/vertex-ai/docs']\n"
        "  when: always\n  then: {dimension: approach, prefer: automl, weight: 5}\n  because: test\n"
        "  examples: {fires: [{}]}\n")
    with mlarch.Engine(rules=[rules]) as engine:
        assert engine.evaluate(SCENARIO).choices["approach"] == "automl"
        assert engine.core.rulebook.rules[0].id == "approach.always-automl"


def _rss_kb() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4


def test_one_engine_reused_for_many_calls_does_not_grow():
    engine = mlarch.Engine()
    scenarios = [mlarch.load_scenario(p) for p in sorted((ROOT / "scenarios").glob("*.yaml"))[:10]]
    for s in scenarios * 3:  # warm up
        engine.evaluate(s)
    gc.collect()
    rss = _rss_kb()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(30):
        for s in scenarios:
            engine.evaluate(s)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    engine.close()
    assert grown < 64 * 1024, f"Python heap grew {grown} bytes over 300 evaluations"
    assert _rss_kb() - rss < 8 * 1024, "process memory grew over 8 MB over 300 evaluations"


def test_the_default_engine_is_shared():
    assert mlarch.default_engine() is mlarch.default_engine()
