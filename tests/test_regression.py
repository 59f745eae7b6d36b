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

CASES = yaml.safe_load((Path(__file__).parent / "regression" / "decisions.yaml").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["found_by"][0] for c in CASES])
def test_regression_case(bundled_engine, case):
    rec = bundled_engine.evaluate(validate_mapping({"name": "regression", **case["scenario"]}))
    got = {d: rec.choices.get(d) for d in case["expect"]}
    assert got == case["expect"], f"found by {', '.join(case['found_by'])}"


def test_there_are_regression_cases():
    assert len(CASES) >= 100
