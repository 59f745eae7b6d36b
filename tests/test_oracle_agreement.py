"""The durable-rules engine and the independent oracle agree.

Thousands of generated scenarios over generated rule sets (every operator,
nesting, negation over absent facts, chaining on decisions, hard and soft
verdicts) and over the bundled rule base.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mlarch.core.engine import Engine
from mlarch.core.vocabulary import load_vocabulary

from . import oracle
from .strategies import as_yaml, focused_scenarios, rule_sets, scaled, scenarios


def _compare(engine: Engine, rules: list, scenario) -> None:
    vocab = load_vocabulary()
    rec = engine.evaluate(scenario)
    expected = oracle.evaluate(vocab, rules, scenario.facts)
    note(as_yaml(scenario))
    assert set(rec.fired) == expected.fired
    assert rec.choices == expected.choices


SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The default lane runs a tenth of the examples; the slow lane (make test-slow, CI) the full size.
GENERATED, BUNDLED = 600, 1500


def _generated(book, cases) -> None:
    note("rules:\n" + "\n".join(f"  {r.id}: {r.canonical()['when']} -> {r.canonical()['then']}" for r in book.rules))
    with Engine(book) as engine:
        for scenario in cases:
            _compare(engine, list(book.rules), scenario)


@settings(max_examples=scaled(GENERATED // 10), **SETTINGS)
@given(book=rule_sets(), cases=st.lists(focused_scenarios(), min_size=1, max_size=10))
def test_generated_rule_sets_match_oracle(book, cases) -> None:
    _generated(book, cases)


@pytest.mark.slow
@settings(max_examples=scaled(GENERATED), **SETTINGS)
@given(book=rule_sets(), cases=st.lists(focused_scenarios(), min_size=1, max_size=10))
def test_generated_rule_sets_match_oracle_full_size(book, cases) -> None:
    _generated(book, cases)


@settings(max_examples=scaled(BUNDLED // 10), **SETTINGS)
@given(scenario=scenarios())
def test_bundled_rules_match_oracle(bundled_engine, scenario) -> None:
    _compare(bundled_engine, list(bundled_engine.rulebook.rules), scenario)


@pytest.mark.slow
@settings(max_examples=scaled(BUNDLED), **SETTINGS)
@given(scenario=scenarios())
def test_bundled_rules_match_oracle_full_size(bundled_engine, scenario) -> None:
    _compare(bundled_engine, list(bundled_engine.rulebook.rules), scenario)
