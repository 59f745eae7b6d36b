"""Regression cases found by the mutation check (tests/regression/decisions.yaml).

Each case is a scenario where some plausible one-rule mistake would change a
decision; the rules must keep today's answer there. When a rule change moves
one on purpose, review the case and regenerate the file with
tools/regression_cases.py (see docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary

CASES = yaml.safe_load((Path(__file__).parent / "regression" / "decisions.yaml").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["found_by"][0] for c in CASES])
def test_regression_case(bundled_engine, case):
    rec = bundled_engine.evaluate(validate_mapping({"name": "regression", **case["scenario"]}, vocab=load_vocabulary()))
    got = {d: rec.choices.get(d) for d in case["expect"]}
    assert got == case["expect"], f"found by {', '.join(case['found_by'])}"


def test_there_are_regression_cases():
    assert len(CASES) >= 100


@pytest.mark.parametrize("modality", ["image", "video", "audio", "text", "documents"])
def test_clustering_unstructured_data_is_not_bigquery_ml(bundled_engine, modality):
    """Issue 11 item 12: k-means in BigQuery ML clusters rows, not images or text."""
    rec = bundled_engine.evaluate(validate_mapping(
        {"name": "regression", "problem": {"task": "clustering"}, "data": {"modality": modality}}, vocab=load_vocabulary()))
    assert rec.choices["approach"] != "bigquery_ml"
    fired = {s.rule.id for d in rec.decisions.values() for s in d.considered}
    assert "approach.clustering-uses-bigquery-kmeans" not in fired


def test_clustering_tabular_data_is_still_bigquery_ml(bundled_engine):
    rec = bundled_engine.evaluate(validate_mapping(
        {"name": "regression", "problem": {"task": "clustering"}, "data": {"modality": "tabular"}}, vocab=load_vocabulary()))
    assert rec.choices["approach"] == "bigquery_ml"
