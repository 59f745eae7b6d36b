"""`mlarch review`: design files, findings and their severities, exit statuses, formats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlarch.answer.model import score
from mlarch.cli.context import Context
from mlarch.core.designs import load_design
from mlarch.core.judge import recommendation_as_design, review
from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import load_vocabulary
from mlarch.review.markdown import render_review_markdown

from .conftest import FIXTURES, ROOT, lane_sample, run_cli

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
DESIGNS = sorted((ROOT / "scenarios" / "designs").glob("*.yaml"))
FIXTURE_RULES = str(FIXTURES / "rules")


def write(tmp_path: Path, text: str, name: str = "design.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# A scenario for the fixture rules: SQL team on BigQuery -> bigquery_ml (4 vs automl 1);
# a custom architecture would push custom_training (+6).
SCENARIO = """\
scenario:
  name: sql-team
  data: {location: bigquery, sensitive: [pii]}
  team: {skills: [sql]}
  model: {framework: scikit_learn}
  serving: {latency_ms: 50}
"""


# ------------------------------------------------------------------ loading


def test_inline_and_referenced_scenarios_load_the_same(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "s.yaml").write_text("name: sql-team\ndata: {location: bigquery}\n")
    a = load_design(write(tmp_path, "scenario_file: sub/s.yaml\ndesign: {approach: automl}\n", "a.yaml"), load_vocabulary())
    b = load_design(write(tmp_path, "scenario: {name: sql-team, data: {location: bigquery}}\ndesign: {approach: automl}\n", "b.yaml"), load_vocabulary())
    assert a.scenario.facts == b.scenario.facts == {"data.location": "bigquery"}
    assert a.choices == b.choices == {"approach": "automl"}
    assert a.lines == {"approach": 2} and a.line == 2


def test_inline_scenario_without_name_takes_the_file_stem(tmp_path):
    d = load_design(write(tmp_path, "scenario: {data: {location: bigquery}}\ndesign: {approach: automl}\n", "my-plan.yaml"), load_vocabulary())
    assert d.scenario.name == "my-plan" and d.name == "my-plan"


def test_design_choices_are_kept_in_vocabulary_order(tmp_path):
    d = load_design(write(tmp_path, SCENARIO + "design:\n  privacy: none\n  training_hardware: gpu\n  approach: automl\n"), load_vocabulary())
    assert list(d.choices) == ["approach", "training_hardware", "privacy"]
    assert d.lines == {"privacy": 8, "training_hardware": 9, "approach": 10}


@pytest.mark.parametrize("text, expected", [
    (SCENARIO + "design:\n  aproach: automl\n", ["design.yaml:8: design.aproach: unknown dimension (did you mean 'approach'?); allowed: approach,"]),
    (SCENARIO + "design:\n  approach: automll\n", ["design.yaml:8: design.approach: invalid choice 'automll' (did you mean 'automl'?); allowed: pretrained_api,"]),
    (SCENARIO + "design:\n  approach:\n", ["design.approach: invalid choice nothing; allowed: pretrained_api"]),
    (SCENARIO + "design: [approach]\n", ["design.yaml:7: design: expected a mapping of dimension: choice, got list"]),
    (SCENARIO, ["required key is missing: design"]),
    ("design: {approach: automl}\n", ["required key is missing: scenario (inline) or scenario_file"]),
    (SCENARIO + "scenario_file: x.yaml\ndesign: {approach: automl}\n", ["scenario_file: give either scenario or scenario_file, not both"]),
    ("scenario_file: missing.yaml\ndesign: {approach: automl}\n", ["design.yaml:1: scenario_file: no such scenario file 'missing.yaml'"]),
    (SCENARIO + "desing: {approach: automl}\n", ["desing: unknown key (did you mean 'design'?)"]),
    ("scenario: {name: x, data: {locaton: bigquery}}\ndesign: {approach: automl}\n",
     ["design.yaml:1: scenario.data.locaton: unknown key (did you mean 'location'?)"]),
])
def test_bad_design_files_exit_2_with_located_problems(capsys, tmp_path, text, expected):
    path = write(tmp_path, text)
    code, out, err = run_cli(capsys, "review", str(path))
    assert code == 2 and not out
    assert "Traceback" not in err
    for fragment in expected:
        assert fragment in err, err


def test_every_problem_is_reported_at_once(capsys, tmp_path):
    path = write(tmp_path, SCENARIO + "design:\n  aproach: automl\n  serving_mode: online_\n  privacy: 3\n")
    code, _, err = run_cli(capsys, "review", str(path))
    assert code == 2 and len(err.strip().splitlines()) == 3


def test_a_broken_scenario_file_names_that_file(capsys, tmp_path):
    (tmp_path / "s.yaml").write_text("name: s\ndata: {modality: tabualr}\n")
    path = write(tmp_path, "scenario_file: s.yaml\ndesign: {approach: automl}\n")
    code, _, err = run_cli(capsys, "review", str(path))
    assert code == 2 and "s.yaml:2: data.modality: invalid value 'tabualr' (did you mean 'tabular'?)" in err


# ------------------------------------------------------------------ findings (fixture rules)


def kinds(rv) -> list[tuple[str, str, str]]:
    return [(f.severity, f.kind, f.dimension) for f in rv.findings]


def test_recommendation_itself_reviews_clean(fixture_engine, tmp_path):
    design = load_design(write(tmp_path, SCENARIO + "design: {approach: automl}\n"), load_vocabulary())
    rec = fixture_engine.evaluate(design.scenario)
    rv = review(fixture_engine, recommendation_as_design(rec))
    assert rv.findings == () and rv.exit_status("warning") == 0


def test_departure_is_a_warning_with_reasons_and_why_not(fixture_engine, tmp_path):
    rv = review(fixture_engine, load_design(write(tmp_path, SCENARIO + "design: {approach: automl}\n"), load_vocabulary()))
    (dep,) = [f for f in rv.findings if f.kind == "departure"]
    assert (dep.severity, dep.dimension, dep.proposed, dep.recommended) == ("warning", "approach", "automl", "bigquery_ml")
    assert [r.rule for r in dep.reasons] == ["approach.sql-team-data-in-bigquery"]
    assert dep.reasons[0].facts == {"data.location": "bigquery", "team.skills": ["sql"]}
    assert dep.why_not and "scored 0 against 4" in dep.why_not[0].text
    assert dep.margin == 4  # 4 for bigquery_ml against 0 for automl (its +1 default only breaks ties)
    assert dep.docs == ("https://cloud.google.com/bigquery/docs/e2e-journey",)
    assert rv.exit_status("error") == 0 and rv.exit_status("warning") == 1


def test_forbidden_choice_is_an_error_naming_the_rule(fixture_engine, tmp_path):
    text = SCENARIO + "design: {approach: custom_training, framework: scikit_learn, training_hardware: tpu}\n"
    rv = review(fixture_engine, load_design(write(tmp_path, text), load_vocabulary()))
    (err,) = [f for f in rv.findings if f.severity == "error"]
    assert (err.kind, err.dimension, err.proposed, err.rules) == ("hard-constraint", "training_hardware", "tpu", ("training_hardware.no-tpu-for-sklearn",))
    assert err.recommended == "cpu" and err.overall is None  # the scenario's own recommendation does not train custom
    assert "scikit_learn cannot run on TPUs" in err.reasons[0].text
    assert err.line == 7 and rv.exit_status() == 1
    # the error is not also reported as a departure
    assert [f.kind for f in rv.findings if f.dimension == "training_hardware"] == ["hard-constraint"]


def test_breaking_a_requirement_is_an_error(fixture_engine, tmp_path):
    rv = review(fixture_engine, load_design(write(tmp_path, SCENARIO + "design: {privacy: none}\n"), load_vocabulary()))
    (err,) = [f for f in rv.findings if f.severity == "error"]
    assert (err.dimension, err.proposed, err.recommended, err.rules) == ("privacy", "none", "sensitive_data_protection", ("privacy.pii-requires-sdp",))
    assert "must be sensitive_data_protection" in err.message


def test_choices_that_do_not_apply_are_warnings(fixture_engine, tmp_path):
    rv = review(fixture_engine, load_design(write(tmp_path, SCENARIO + "design: {approach: bigquery_ml, training_hardware: tpu}\n"), load_vocabulary()))
    (na,) = [f for f in rv.findings if f.kind == "not-applicable"]
    assert (na.severity, na.dimension, na.recommended) == ("warning", "training_hardware", None)
    assert "applies only when approach == custom_training, and the design has approach = bigquery_ml" in na.message


def test_later_dimensions_are_judged_given_the_designs_own_choices(fixture_engine, tmp_path):
    # Given custom training, the rules keep the stated scikit-learn framework: no departure there.
    rv = review(fixture_engine, load_design(write(tmp_path, SCENARIO + "design: {approach: custom_training, framework: scikit_learn}\n"), load_vocabulary()))
    assert ("warning", "departure", "approach") in kinds(rv)
    assert not [f for f in rv.findings if f.dimension == "framework"]
    undecided = {f.dimension: f for f in rv.findings if f.kind == "undecided"}
    assert undecided["training_hardware"].recommended == "cpu"  # tpu forbidden for scikit-learn
    assert undecided["training_hardware"].overall is None


def test_undecided_dimensions_are_info(fixture_engine, tmp_path):
    rv = review(fixture_engine, load_design(write(tmp_path, SCENARIO + "design: {approach: bigquery_ml}\n"), load_vocabulary()))
    assert {f.kind for f in rv.findings} == {"undecided"}
    assert all(f.severity == "info" for f in rv.findings)
    assert {f.dimension for f in rv.findings} == set(rv.evaluated.decisions) - {"approach"}
    assert rv.exit_status("warning") == 0


def test_deprecated_choices_are_flagged(tmp_path, bundled_engine):
    scen = "scenario_file: " + str(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml") + "\n"
    rv = review(bundled_engine, load_design(write(tmp_path, scen + "design: {approach: automl, automl_objective: video_classification}\n"), load_vocabulary()))
    dep = [f for f in rv.findings if f.kind == "deprecated-choice"]
    assert dep and dep[0].dimension == "automl_objective" and "deprecated" in dep[0].message
    assert dep[0].severity == ("info" if dep[0].recommended == "video_classification" else "warning")


def test_findings_are_sorted_worst_first(fixture_engine, tmp_path):
    text = SCENARIO + "design: {privacy: none, approach: automl, serving_mode: batch}\n"
    rv = review(fixture_engine, load_design(write(tmp_path, text), load_vocabulary()))
    order = ["error", "warning", "info"]
    assert [f.severity for f in rv.findings] == sorted((f.severity for f in rv.findings), key=order.index)


# ------------------------------------------------------------------ bundled rules


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_bundled_scenarios_own_recommendation_reviews_clean(bundled_engine, path):
    rec = bundled_engine.evaluate(load_scenario(path, vocab=load_vocabulary()))
    rv = review(bundled_engine, recommendation_as_design(rec), rec)
    assert rv.count("error") == 0 and rv.count("warning") == 0, [(f.kind, f.dimension, f.message) for f in rv.findings]
    # only notes about deprecated choices the rules still recommend, or a part of a chosen product
    # that ends (Composer 1, Feature Store Legacy: issue 17)
    assert {f.kind for f in rv.findings} <= {"deprecated-choice", "end-of-life"}
    assert score(rv).penalty == 0


def hard_rules(capsys) -> list[str]:
    """The hard constraints, as `mlarch rules --hard` lists them."""
    code, out, _ = run_cli(capsys, "rules", "--hard", "-f", "json")
    assert code == 0
    return [r["id"] for r in json.loads(out)]


def breaking_designs(capsys, bundled_engine):
    """For every hard rule: a scenario where it fires (its own example) and a design breaking it."""
    vocab = bundled_engine.vocab
    out = []
    for rule_id in hard_rules(capsys):
        rule = bundled_engine.rulebook.get(rule_id)
        assert rule is not None and rule.hard and rule.fires
        example = rule.fires[0]
        if rule.verdict == "forbid":
            bad = rule.choices[0]
        else:
            bad = next(c for c in vocab.dimensions[rule.dimension].choices if c not in rule.choices)
        out.append((rule, example, {**example.pinned, rule.dimension: bad}))
    return out


def test_designs_breaking_each_hard_constraint_are_errors(capsys, bundled_engine, tmp_path):
    cases = breaking_designs(capsys, bundled_engine)
    assert len(cases) >= 10
    for rule, example, choices in cases:
        scenario = example.scenario.to_nested()
        path = tmp_path / f"{rule.id}.yaml"
        path.write_text(json.dumps({"scenario": scenario, "design": choices}))  # JSON is YAML
        rv = review(bundled_engine, load_design(path, load_vocabulary()))
        errors = [f for f in rv.findings if f.severity == "error"]
        assert any(rule.id in f.rules and f.dimension == rule.dimension for f in errors), (rule.id, [f.message for f in rv.findings])
        assert rv.exit_status() == 1
        # the same design as CLI input: exit 1, and the rule named in the SARIF results
        code, out, err = run_cli(capsys, "review", str(path), "-f", "sarif", "--no-sensitivity")  # about the constraint, not the analysis
        assert code == 1, err
        assert f"constraint/{rule.id}" in {r["ruleId"] for r in json.loads(out)["runs"][0]["results"]}


# ------------------------------------------------------------------ CLI


@pytest.mark.parametrize("fmt,path", lane_sample([(f, p) for f in ("text", "json", "markdown", "sarif") for p in DESIGNS], every=2),
                         ids=lambda v: v if isinstance(v, str) else v.stem)
def test_bundled_designs_render_in_every_format_byte_identically(capsys, path, fmt):
    """Every design in every format in make test-slow; every other (format, design) pair
    in the default lane: each run analyses the design's sensitivity."""
    first = run_cli(capsys, "review", str(path), "-f", fmt)
    second = run_cli(capsys, "review", str(path), "-f", fmt)
    assert first == second and first[0] in (0, 1) and first[1].strip()
    if fmt == "text":
        long = [line for line in first[1].splitlines() if len(line) > 80 and "docs: https://" not in line and "at /" not in line]
        assert not long


def test_exit_status_follows_errors_and_fail_on(capsys):
    designs = ROOT / "scenarios" / "designs"
    assert run_cli(capsys, "review", str(designs / "churn-custom-tpu.yaml"))[0] == 1
    assert run_cli(capsys, "review", str(designs / "reviews-sentiment-custom-bert.yaml"))[0] == 0
    assert run_cli(capsys, "review", str(designs / "reviews-sentiment-custom-bert.yaml"), "--fail-on", "warning")[0] == 1
    assert run_cli(capsys, "review", str(designs / "churn-bigquery-ml.yaml"), "--fail-on", "warning")[0] == 0
    code, _, err = run_cli(capsys, "review", str(designs / "churn-bigquery-ml.yaml"), "--fail-on", "info")
    assert code == 2 and "info" in err


def test_json_output_carries_every_field_of_a_finding(capsys):
    code, out, _ = run_cli(capsys, "review", str(ROOT / "scenarios" / "designs" / "fraud-tpu-public-endpoint.yaml"), "-f", "json")
    data = json.loads(out)
    assert code == 1
    assert data["summary"]["error"] == sum(f["severity"] == "error" for f in data["findings"]) >= 2
    for f in data["findings"]:
        assert {"kind", "severity", "dimension", "proposed", "recommended", "rules", "reasons", "docs", "line", "message"} <= set(f)
        if f["severity"] == "error":
            assert f["rules"] and f["reasons"][0]["rule"] == f["rules"][0] and f["docs"]
            assert all(u.startswith("https://") for u in f["docs"])
    assert data["design_choices"]["training_hardware"] == "tpu"
    assert data["recommendation"]["training_hardware"] == "cpu"


def test_review_with_the_fixture_rules_from_the_cli(capsys, tmp_path):
    path = write(tmp_path, SCENARIO + "design: {approach: automl}\n")
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "review", str(path))
    assert code == 0
    assert "WARNING approach = automl  (departure)" in out
    assert "approach = automl departs from the recommendation bigquery_ml." in out
    assert re.search(r"\nPASS: 0 errors, 1 warning, \d+ info\n$", out)


def test_markdown_report_is_pasteable(capsys):
    code, out, _ = run_cli(capsys, "review", str(ROOT / "scenarios" / "designs" / "churn-custom-tpu.yaml"), "-f", "markdown")
    assert code == 1
    assert out.startswith("# Design review: churn-custom-tpu\n")
    assert "❌ **Fails**" in out and "## Errors" in out and "## Warnings" in out
    assert "| 🛑 error | training_hardware | `tpu` | `cpu` | hard-constraint |" in out
    assert "## Design compared with the recommendation" in out
    assert "(https://" in out  # documentation links
    # the diagram of the design, from the diagram module
    assert "```mermaid\n" in out and "flowchart" in out
    assert out.count("```") % 2 == 0


def test_docs_describe_every_finding_kind_and_sarif_rule():
    from mlarch.core.judge import KINDS

    docs = (ROOT / "docs" / "review.md").read_text()
    for kind in KINDS:
        assert f"| `{kind}` |" in docs
        assert (f"`design/{kind}`" in docs) or kind == "hard-constraint"
    assert "`constraint/<rule id>`" in docs


def test_markdown_code_spans_are_not_escaped(capsys, tmp_path):
    path = write(tmp_path, "scenario: {name: my_churn_v2, data: {location: bigquery}}\ndesign: {approach: automl}\n", "my_plan.yaml")
    code, out, _ = run_cli(capsys, "--rules", FIXTURE_RULES, "review", str(path), "-f", "markdown")
    assert code == 0
    assert "**Scenario:** `my_churn_v2`" in out and "my\\_churn" not in out
    assert "# Design review: my\\_plan" in out  # outside code, Markdown characters are escaped


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "designs").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_review_report_and_its_diagram_mark_the_same_choices(bundled_engine, path):
    """One review, several views: the Markdown table's flagged rows, the diagram's marked
    departures and its title all come from the same findings (issue 12)."""
    from mlarch.diagram import build_diagram

    rv = review(bundled_engine, load_design(path, load_vocabulary()))
    flagged = rv.flagged
    drawing = build_diagram(rv.recommendation, rv.design.choices, rv.evaluated, judged=flagged)
    assert {d.dimension for d in drawing.departures} == set(flagged)
    errors = sum(1 for v in flagged.values() if v == "error")
    assert f"{errors} with errors, {len(flagged) - errors} with warnings" in drawing.title
    markdown = render_review_markdown(rv, Context.design_mermaid)
    for dim in rv.design.choices:
        stage = bundled_engine.vocab.dimensions[dim].stage  # the per-dimension table: | stage | dimension | ...
        row = next(line for line in markdown.splitlines() if line.startswith(f"| {stage} | {dim} |"))
        assert ("error" in row or "warning" in row) == (dim in flagged), row
