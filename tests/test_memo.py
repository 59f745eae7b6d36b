"""The memo of group outcomes (engine/core/memo.py) never changes an answer.

A memoised engine evaluates variants of a scenario (one or two facts
changed, as why-not, what-if and lint make them, and some pinned decisions)
and must give byte-identical JSON to an engine without a memo; the memo stays
within its bound.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mlarch.core.engine import Engine
from mlarch.core.memo import LRU, MEMO_SIZE
from mlarch.core.serialize import dump_json, to_dict
from mlarch.core.vocabulary import load_vocabulary
from mlarch.recommend.render import render

from .strategies import as_yaml, fact_values, rule_sets, scaled, scenarios


@pytest.fixture(scope="module")
def engines(bundled_engine):
    fresh = Engine(bundled_engine.rulebook, memo_size=0)
    memoised = Engine(bundled_engine.rulebook, memo_size=64)  # small, so eviction happens too
    yield fresh, memoised
    fresh.close()
    memoised.close()


def _variants(draw: Any, base) -> list:
    """Variants of ``base`` that differ in one or two facts (set, changed or removed)."""
    vocab = load_vocabulary()
    facts = [f for f, spec in vocab.facts.items() if spec.group is not None]
    out = []
    for _ in range(draw(st.integers(1, 6))):
        changes: dict[str, Any] = {}
        for fact in draw(st.lists(st.sampled_from(facts), min_size=1, max_size=2, unique=True)):
            spec = vocab.facts[fact]
            value = draw(st.none() | fact_values(spec))
            if spec.type == "set" and value is not None:  # as validation stores a set: a tuple in vocabulary order
                value = tuple(v for v in spec.values if v in value)
            changes[fact] = value
        out.append(base.with_facts(changes, load_vocabulary()))
    return out


@settings(max_examples=scaled(30), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=scenarios(), data=st.data())
def test_memoised_and_fresh_evaluations_agree(engines, base, data) -> None:
    fresh, memoised = engines
    vocab = load_vocabulary()
    pins = data.draw(st.dictionaries(st.sampled_from(sorted(vocab.dimensions)), st.just(None), max_size=2))
    pinned = {d: data.draw(st.sampled_from(list(vocab.dimensions[d].choices))) for d in pins}
    hits = memoised.memo.hits
    for scenario in [base, *_variants(data.draw, base), base]:
        for pin in ({}, pinned):
            note(as_yaml(scenario) + f"\npinned: {pin}")
            expected, got = fresh.evaluate(scenario, pin), memoised.evaluate(scenario, pin)
            assert render(got, "json") == render(expected, "json")
            assert render(got, "text") == render(expected, "text")
            assert {r: s.text for r, s in got.fired.items()} == {r: s.text for r, s in expected.fired.items()}
    assert len(memoised.memo) <= 64
    assert memoised.memo.hits > hits  # the memo answered (base is evaluated twice)


@settings(max_examples=scaled(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(book=rule_sets(), cases=st.lists(scenarios(), min_size=1, max_size=6), data=st.data())
def test_memo_agrees_on_generated_rule_sets(book, cases, data) -> None:
    """Chaining on decisions, negation over absent facts, every operator."""
    with Engine(book, memo_size=0) as fresh, Engine(book, memo_size=16) as memoised:
        for base in cases:
            for scenario in [base, *_variants(data.draw, base)]:
                assert dump_json(to_dict(memoised.evaluate(scenario))) == dump_json(to_dict(fresh.evaluate(scenario)))


def test_numbers_that_compare_equal_but_print_differently_are_not_confused(bundled_engine):
    """1 == 1.0 and 0.0 == -0.0 in Python; the reasons print them differently."""
    base = bundled_engine.evaluate(bundled_engine.rulebook.rules[0].fires[0].scenario).scenario
    with Engine(bundled_engine.rulebook, memo_size=0) as fresh, Engine(bundled_engine.rulebook) as memoised:
        for size in (1, 1.0, 0.0, -0.0, 0):
            s = base.with_facts({"data.size_gb": size, "serving.latency_ms": size}, load_vocabulary())
            assert render(memoised.evaluate(s), "json") == render(fresh.evaluate(s), "json")


def test_variants_reuse_the_groups_that_read_no_changed_fact(bundled_engine):
    with Engine(bundled_engine.rulebook) as engine:
        base = engine.evaluate(bundled_engine.rulebook.rules[0].fires[0].scenario).scenario
        engine.evaluate(base)
        misses = engine.memo.misses
        engine.evaluate(base.with_facts({"data.size_gb": 12345}, load_vocabulary()))
        changed = engine.memo.misses - misses
        groups_reading = sum(1 for reads, _ in engine._reads if "data.size_gb" in reads)
        assert 0 < changed <= groups_reading < len(engine.groups)


def test_the_memo_is_bounded_and_least_recently_used_goes_first():
    lru: LRU[int] = LRU(3)
    for k in "abc":
        lru.put(k, ord(k))
    assert lru.get("a") == ord("a")  # a is now the most recent
    lru.put("d", 4)
    assert len(lru) == 3 and lru.get("b") is None and lru.get("a") == ord("a")
    off: LRU[int] = LRU(0)
    off.put("a", 1)
    assert len(off) == 0 and off.get("a") is None
    assert MEMO_SIZE == 2048  # documented in docs/performance.md


def test_a_closed_engine_refuses_even_a_memoised_scenario(bundled_engine):
    from mlarch.core.errors import EngineError

    engine = Engine(bundled_engine.rulebook)
    s = bundled_engine.rulebook.rules[0].fires[0].scenario
    engine.evaluate(s)
    engine.close()
    with pytest.raises(EngineError, match="no longer be used"):
        engine.evaluate(s)
