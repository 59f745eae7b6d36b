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

from mlarch.core.engine import Engine, bundled_rulebook, format_value
from mlarch.core.evaluate import literal_holds
from mlarch.core.memo import LRU, MEMO_SIZE
from mlarch.core.serialize import dump_json, to_dict
from mlarch.core.vocabulary import DECISION_PREFIX, load_vocabulary
from mlarch.recommend.render import render

from .strategies import as_yaml, domains_of, fact_values, rule_sets, scaled, scenarios


@pytest.fixture(scope="module")
def engines(bundled_engine):
    fresh = Engine(bundled_engine.rulebook, memo_size=0)
    memoised = Engine(bundled_engine.rulebook, memo_size=64)  # small, so eviction happens too
    fresh.calls, memoised.calls = _matches(fresh), _matches(memoised)  # type: ignore[attr-defined]
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
    calls = len(fresh.calls), len(memoised.calls)
    for scenario in [base, *_variants(data.draw, base), base]:
        for pin in ({}, pinned):
            note(as_yaml(scenario) + f"\npinned: {pin}")
            expected, got = fresh.evaluate(scenario, pin), memoised.evaluate(scenario, pin)
            assert render(got, "json") == render(expected, "json")
            assert render(got, "text") == render(expected, "text")
            assert {r: s.text for r, s in got.fired.items()} == {r: s.text for r, s in expected.fired.items()}
    assert len(memoised.memo) <= 64 and len(memoised.matches) <= 64
    # the memos and the reuse of the previous evaluation answered (base is evaluated twice)
    assert len(memoised.calls) - calls[1] < len(fresh.calls) - calls[0]


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


# ------------------------------------------------------------------ value classes and incremental reuse (issue 16)


def _number_values(spec) -> st.SearchStrategy[Any]:
    """Numbers around the rules' thresholds (both sides, and on them) and anywhere."""
    points = domains_of(bundled_rulebook()).number_points(spec.id)
    return st.sampled_from(points) | fact_values(spec) if points else fact_values(spec)


@settings(max_examples=scaled(300), deadline=None)
@given(data=st.data())
def test_two_values_of_one_class_pass_and_fail_the_same_tests(bundled_engine, data) -> None:
    """The class key may stand in for the values only if it decides every literal the group tests."""
    vocab = load_vocabulary()
    group = data.draw(st.sampled_from([g for g in range(len(bundled_engine.groups)) if bundled_engine._classes_of(g).refs]))
    classes = bundled_engine._classes_of(group)
    index = data.draw(st.integers(0, len(classes.refs) - 1))
    ref = classes.refs[index]
    if ref.startswith(DECISION_PREFIX):
        values = st.sampled_from(list(vocab.dimensions[ref[len(DECISION_PREFIX):]].choices))
    else:
        spec = vocab.facts[ref]
        values = _number_values(spec) if spec.type in ("number", "integer") else fact_values(spec)
        if spec.type == "set":
            values = values.map(lambda v, spec=spec: tuple(x for x in spec.values if x in v))
    a, b = data.draw(st.none() | values), data.draw(st.none() | values)
    literals = {lit for rule in bundled_engine.rulebook.rules if bundled_engine._group_of.get(rule.dimension) == group
                for conj in bundled_engine._dnf.get(rule.id, ()) for lit in conj if lit.ref == ref}
    classify = classes.classifiers[index]
    if classify(a) == classify(b):
        for lit in literals:
            assert literal_holds(lit, a) == literal_holds(lit, b), (lit, a, b)
    elif a is not None and b is not None:  # (absence is a class of its own) a class is split only by a test
        assert any(literal_holds(lit, a) != literal_holds(lit, b) for lit in literals), (a, b)


def test_classes_are_coarser_than_values(bundled_engine) -> None:
    """Two numbers below every value a group tests share a class; a number above them all does not."""
    checked = 0
    for group in range(len(bundled_engine.groups)):
        classes = bundled_engine._classes_of(group)
        for ref, classify in zip(classes.refs, classes.classifiers):
            lits = [lit for rule in bundled_engine._rules_of[group] for conj in bundled_engine._dnf.get(rule.id, ()) for lit in conj if lit.ref == ref]
            if any(lit.kind in ("lt", "lte", "gt", "gte") for lit in lits):
                tested = [lit.value for lit in lits if type(lit.value) in (int, float)]
                low, high = min(tested), max(tested)
                assert classify(low - 2) == classify(low - 1) != classify(high + 1), (group, ref)
                assert classify(None) not in (classify(low - 1), classify(high + 1))
                checked += 1
    assert checked > 10


def _matches(engine: Engine) -> list[int]:
    """Count the groups the engine sends to durable-rules from now on."""
    calls: list[int] = []
    match = engine.matcher.match

    def counting(group: int, values: Any) -> Any:
        calls.append(group)
        return match(group, values)

    engine.matcher.match = counting  # type: ignore[method-assign]
    return calls


def test_a_value_that_crosses_no_test_skips_durable_rules_but_prints_itself(bundled_engine) -> None:
    base = next(r.fires[0].scenario for r in bundled_engine.rulebook.rules if r.fires and "{data.size_gb}" in r.because
                and r.fires[0].scenario.get("data.size_gb") is not None)
    with Engine(bundled_engine.rulebook) as engine, Engine(bundled_engine.rulebook, memo_size=0) as fresh:
        engine.evaluate(base)
        calls = _matches(engine)
        engine.evaluate(base)
        assert calls == []  # the same scenario again: every group reused
        size = base.get("data.size_gb")
        neighbour = next(v for v in (size * 1.001, size + 0.001, size * 0.999) if all(
            c.classifiers[c.refs.index("data.size_gb")](v) == c.classifiers[c.refs.index("data.size_gb")](size)
            for c in map(engine._classes_of, range(len(engine.groups))) if "data.size_gb" in c.refs))
        variant = base.with_facts({"data.size_gb": neighbour}, engine.vocab)
        got = engine.evaluate(variant)
        assert calls == []  # same classes: no durable-rules call at all
        assert render(got, "json") == render(fresh.evaluate(variant), "json")
        assert format_value(neighbour) in render(got, "json")  # and the reasons print the new value


def test_a_variant_matches_only_the_groups_that_read_what_changed(bundled_engine) -> None:
    with Engine(bundled_engine.rulebook) as engine:
        base = bundled_engine.rulebook.rules[0].fires[0].scenario
        engine.evaluate(base)
        calls = _matches(engine)
        rec = engine.evaluate(base.with_facts({"data.size_gb": 12345}, engine.vocab))
        reading = {g for g, reads in enumerate(engine._reads) if "data.size_gb" in reads}
        changed_decisions = {DECISION_PREFIX + d for d, dec in rec.decisions.items() if dec.choice != engine.evaluate(base).choices.get(d)}
        downstream = {g for g, watch in enumerate(engine._watch) if watch & changed_decisions}
        assert calls and set(calls) <= reading | downstream
        assert len(reading) < len(engine.groups)


def test_no_memo_means_every_group_goes_to_durable_rules(bundled_engine) -> None:
    with Engine(bundled_engine.rulebook, memo_size=0) as engine:
        base = bundled_engine.rulebook.rules[0].fires[0].scenario
        engine.evaluate(base)
        calls = _matches(engine)
        rec = engine.evaluate(base)
        assert len(set(calls)) == len(calls) > 0
        assert {engine.program_of(d) for d in rec.decisions} <= set(calls)


@settings(max_examples=scaled(25), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=scenarios(), data=st.data())
def test_searches_that_ask_about_some_dimensions_agree_with_fresh(engines, base, data) -> None:
    """``evaluate(only=...)``, as the sensitivity search calls it, alternating with full evaluations."""
    fresh, memoised = engines
    plan = memoised.plan
    vocab = load_vocabulary()
    for scenario in [base, *_variants(data.draw, base), base]:
        picked = data.draw(st.lists(st.sampled_from(sorted(vocab.dimensions)), max_size=3))
        only: set[str] = set()
        todo = list(picked)
        while todo:  # every dimension they depend on, as the sensitivity search asks
            d = todo.pop()
            if d not in only:
                only.add(d)
                todo += plan.depends_on[d]
        for ask in (only, None):
            expected, got = fresh.evaluate(scenario, only=ask), memoised.evaluate(scenario, only=ask)
            assert {d: (x.choice, x.how, [s.text for s in x.reasons], [a.why_not for a in x.alternatives]) for d, x in got.decisions.items()} == \
                {d: (x.choice, x.how, [s.text for s in x.reasons], [a.why_not for a in x.alternatives]) for d, x in expected.decisions.items()}
            assert {r: (s.text, dict(s.facts)) for r, s in got.fired.items()} == {r: (s.text, dict(s.facts)) for r, s in expected.fired.items()}


@settings(max_examples=scaled(30), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(base=scenarios(), data=st.data())
def test_variants_around_the_thresholds_agree_with_fresh(engines, base, data) -> None:
    """Numbers on and either side of every threshold, where value classes change."""
    fresh, memoised = engines
    vocab = load_vocabulary()
    numbers = [f for f, spec in vocab.facts.items() if spec.group and spec.type in ("number", "integer")]
    scenario = base
    for _ in range(data.draw(st.integers(1, 8))):
        fact = data.draw(st.sampled_from(numbers))
        scenario = scenario.with_facts({fact: data.draw(st.none() | _number_values(vocab.facts[fact]))}, vocab)
        note(as_yaml(scenario))
        assert render(memoised.evaluate(scenario), "json") == render(fresh.evaluate(scenario), "json")
