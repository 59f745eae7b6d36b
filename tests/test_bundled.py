"""The bundled knowledge: every rule's examples, every scenario's expected
decisions, and golden outputs for the core scenarios.

Regenerate goldens after an intended change with
``MLARCH_UPDATE_GOLDENS=1 python -m pytest tests/test_bundled.py`` and review
the diff like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlarch.analysis.sensitivity import analyse
from mlarch.core.engine import bundled_rulebook
from mlarch.core.examples import rule_fires
from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import load_vocabulary
from mlarch.recommend.render import render

from .conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
CORE = [
    "churn-bigquery-sql-team", "retail-shelf-custom-labels", "invoice-ocr-generic", "fraud-realtime-scoring",
    "large-transformer-pretraining", "factory-edge-inspection", "nightly-airflow-cross-system", "hipaa-phi-clinical-notes",
]
RULES = bundled_rulebook().rules


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_examples(bundled_engine, rule):
    for i, example in enumerate(rule.fires):
        assert rule_fires(bundled_engine, rule, example), f"examples.fires[{i}] did not fire ({rule.source}:{example.line})"
    for i, example in enumerate(rule.does_not_fire):
        assert not rule_fires(bundled_engine, rule, example), f"examples.does_not_fire[{i}] fired ({rule.source}:{example.line})"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_expectations(bundled_engine, path):
    scenario = load_scenario(path, vocab=load_vocabulary())
    rec = bundled_engine.evaluate(scenario)
    wrong = {d: (c, rec.choices.get(d)) for d, c in scenario.expect.items() if rec.choices.get(d) != c}
    assert not wrong, f"expected vs got: {wrong}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_decision_rests_on_a_rule(bundled_engine, path):
    rec = bundled_engine.evaluate(load_scenario(path, vocab=load_vocabulary()))
    assert not [d for d, dec in rec.decisions.items() if not dec.reasons], "decided without any rule"
    assert not [w.text for w in rec.warnings if w.kind in ("conflict", "fallback")]


@pytest.mark.parametrize("name", CORE)
@pytest.mark.parametrize("fmt", ["json", "text"])
def test_golden_output(bundled_engine, name, fmt):
    rec = bundled_engine.evaluate(load_scenario(ROOT / "scenarios" / f"{name}.yaml", vocab=load_vocabulary()))
    actual = render(rec, fmt, analyse(bundled_engine, rec))  # as `mlarch recommend --sensitivity` prints it
    golden = GOLDEN / f"{name}.{'json' if fmt == 'json' else 'txt'}"
    if os.environ.get("MLARCH_UPDATE_GOLDENS"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual)
    assert golden.exists(), f"missing {golden}; run with MLARCH_UPDATE_GOLDENS=1"
    assert actual == golden.read_text()


def test_core_scenarios_exist():
    assert {p.stem for p in SCENARIOS} >= set(CORE)
