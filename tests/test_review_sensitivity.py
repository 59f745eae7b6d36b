"""`mlarch review --sensitivity`: how firm the recommendation is on each dimension a design sets (issue 14).

Every claim is checked with full evaluations of the scenario: a named change
of a stated fact gives the named choice, and a value said to make the
design's choice the recommendation does so. The formats carry the same
facts; SARIF stays valid.
"""

from __future__ import annotations

import json

import pytest

from mlarch.core.designs import load_design
from mlarch.core.judge import review
from mlarch.review.sensitivity import design_sensitivity

from .conftest import ROOT, run_cli
from .test_review_sarif import validator

DESIGNS = sorted((ROOT / "scenarios" / "designs").glob("*.yaml"))


@pytest.mark.parametrize("path", DESIGNS, ids=lambda p: p.stem)
def test_claims_hold(bundled_engine, path) -> None:
    rv = review(bundled_engine, load_design(path, bundled_engine.vocab))
    rec = rv.recommendation
    found = design_sensitivity(bundled_engine, rv)
    assert list(found) == [d for d in rec.decisions if d in rv.design.choices]
    scenario = rv.design.scenario
    for dim, ds in found.items():
        assert (ds.proposed, ds.recommended) == (rv.design.choices[dim], rec.choices[dim])
        for flip in ds.decision.flips:
            assert bundled_engine.evaluate(scenario.with_facts({flip.fact: flip.after}, bundled_engine.vocab)).choices.get(dim) == flip.choice
        assert not ds.supports or ds.proposed != ds.recommended
        for s in ds.supports:
            assert s.stated == scenario.stated(s.fact)
            assert bundled_engine.evaluate(scenario.with_facts({s.fact: s.value}, bundled_engine.vocab)).choices.get(dim) == ds.proposed, s


def test_a_design_choice_the_scenario_could_come_to(bundled_engine) -> None:
    """churn-custom-tpu proposes Sampled Shapley where BigQuery ML's explanations are recommended:
    data in an operational database (no BigQuery ML) would make it the recommendation (the claim is
    checked in test_claims_hold)."""
    rv = review(bundled_engine, load_design(ROOT / "scenarios" / "designs" / "churn-custom-tpu.yaml", bundled_engine.vocab))
    ds = design_sensitivity(bundled_engine, rv)["explainability"]
    assert ds.proposed == "sampled_shapley" and ds.recommended == "bqml_explain_predict"
    assert ("data.location", "cloud_sql", True) in [(s.fact, s.value, s.stated) for s in ds.supports]
    assert ds.confidence == "knife-edge"


def test_formats(capsys) -> None:
    design = "churn-custom-tpu"
    code, out, _ = run_cli(capsys, "review", design, "--sensitivity")
    assert code == 1
    assert "Sensitivity of the recommendation, for the dimensions the design sets:" in out
    assert "explainability = sampled_shapley (recommended: bqml_explain_predict)\n    [knife-edge]" in out  # wrapped at 80
    assert "    ~ knife-edge: would be none if problem.interpretability were none" in out
    _, default, _ = run_cli(capsys, "review", design)
    assert default == out  # on by default
    _, plain, _ = run_cli(capsys, "review", design, "--no-sensitivity")
    assert "Sensitivity" not in plain

    _, out, _ = run_cli(capsys, "review", design, "--sensitivity", "-f", "json")
    data = json.loads(out)
    sens = data["sensitivity"]
    assert set(sens) == set(data["design_choices"]) & set(data["recommendation"])
    assert sens["explainability"]["confidence"] == "knife-edge"
    assert {"fact": "data.location", "value": "cloud_sql", "stated": True} in sens["explainability"]["design_choice_if"]
    assert list(data)[-2:] == ["sensitivity", "engine"]
    _, plain, _ = run_cli(capsys, "review", design, "--no-sensitivity", "-f", "json")
    assert "sensitivity" not in json.loads(plain)

    _, out, _ = run_cli(capsys, "review", design, "--sensitivity", "-f", "markdown")
    assert "## Sensitivity of the recommendation" in out
    assert "| explainability | `sampled_shapley` | `bqml_explain_predict` | knife-edge |" in out

    _, out, _ = run_cli(capsys, "review", design, "--sensitivity", "-f", "sarif")
    log = json.loads(out)
    validator().validate(log)
    props = {r["properties"]["dimension"]: r["properties"].get("confidence") for r in log["runs"][0]["results"]}
    assert props["explainability"] == "knife-edge"
    assert all(c is None for d, c in props.items() if d not in sens)


def test_several_designs_as_json_lines(capsys) -> None:
    _, out, _ = run_cli(capsys, "review", "churn-custom-tpu", "churn-bigquery-ml", "--sensitivity", "-f", "json")
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == 2 and all("sensitivity" in d for d in docs)
    # a design made of the recommendation's own choices: nothing to support, every entry as recommended
    assert all(s["proposed"] == s["recommended"] and not s["design_choice_if"] for s in docs[1]["sensitivity"].values())
