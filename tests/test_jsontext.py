"""The fast JSON paths write exactly what the standard library writes (issue 16).

core/jsontext.py replaces ``json.dumps(indent=2, ensure_ascii=False)``, and
serialize.recommendation_json assembles a recommendation from decision texts
cached on the (memo-shared) Decision objects; both must give the very bytes
of the plain path, fresh or cached, with or without the sensitivity fields,
indented or as one JSON line.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlarch.core import jsontext
from mlarch.core.engine import Engine
from mlarch.core.scenario import load_scenario
from mlarch.core.serialize import dump_json, dump_json_line, recommendation_json, to_dict

from .conftest import ROOT
from .strategies import scaled, scenarios


def stdlib(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


class Colour(str, enum.Enum):  # a string enum, as a status field may become (issue 10)
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Names(dict):
    pass


class Items(list):
    pass


scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text() | st.sampled_from([Colour.RED, Level.HIGH, -0.0, 1e300, "é\u2028\"\\\x00\n"])
)
keys = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.lists(inner, max_size=3).map(tuple)
    | st.lists(inner, max_size=3).map(Items) | st.dictionaries(keys, inner, max_size=4)
    | st.dictionaries(st.text(), inner, max_size=3).map(Names),
    max_leaves=30,
)


@settings(max_examples=scaled(300), deadline=None)
@given(value=data)
def test_same_text_as_the_standard_library(value) -> None:
    assert jsontext.dumps(value) == stdlib(value)
    assert jsontext.dumps(value, "\n    ") == stdlib(value).replace("\n", "\n    ")


def test_what_the_standard_library_rejects_it_rejects_alike() -> None:
    for bad in ({"a": {1, 2}}, {"a": date(2026, 1, 1)}, {(1, 2): "tuple key"}):
        with pytest.raises(TypeError) as ours:
            jsontext.dumps(bad)
        with pytest.raises(TypeError) as theirs:
            stdlib(bad)
        assert str(ours.value) == str(theirs.value)
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        jsontext.dumps(cycle)
    assert jsontext.dumps([math.nan, math.inf, -math.inf]) == stdlib([math.nan, math.inf, -math.inf])


def plain(rec, fields=None, line: bool = False) -> str:
    """The document as the plain path writes it: build the dict, then the standard library."""
    data = to_dict(rec, fields)
    return dump_json_line(data) if line else stdlib(data) + "\n"


@pytest.fixture(scope="module")
def engines(bundled_engine):
    fresh = Engine(bundled_engine.rulebook, memo_size=0)
    yield fresh, bundled_engine
    fresh.close()


def test_bundled_scenarios_fresh_and_cached(engines) -> None:
    """Every bundled scenario, on an engine without and with the memo, written twice
    (the second time from the cache), with and without sensitivity fields."""
    from mlarch.analysis.sensitivity import analyse, as_fields

    fresh, memoised = engines
    for index, path in enumerate(sorted((ROOT / "scenarios").glob("*.yaml"))):
        scenario = load_scenario(path, vocab=fresh.vocab)
        for engine in (fresh, memoised):
            rec = engine.evaluate(scenario)
            fields = as_fields(analyse(memoised, rec)) if index % 24 == 0 and engine is memoised else None
            for line in (False, True):
                expected = plain(rec, fields, line)
                assert recommendation_json(rec, fields, line) == expected, (path.name, line)
                assert recommendation_json(rec, fields, line) == expected, (path.name, line, "cached")
                assert recommendation_json(rec, None, line) == plain(rec, None, line)


@settings(max_examples=scaled(40), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenario=scenarios(), extra=st.dictionaries(st.sampled_from(["confidence", "score", "x"]), data, max_size=2))
def test_generated_scenarios_fresh_and_cached(engines, scenario, extra) -> None:
    """Generated scenarios, on the memoised engine whose Decisions are shared between
    recommendations, so cached texts meet other scenarios; extra fields include one
    that replaces a decision field in place (``score``)."""
    fresh, memoised = engines
    for engine in (memoised, fresh):
        rec = engine.evaluate(scenario)
        fields = {dim: extra for dim in list(rec.decisions)[::2]}
        for line in (False, True):
            assert recommendation_json(rec, fields, line) == plain(rec, fields, line)
            assert recommendation_json(rec, None, line) == plain(rec, None, line)


def test_the_run_date_is_part_of_the_cache_key(engines) -> None:
    """A decision cached at one run date is written anew at another (its deprecation text changes)."""
    _, memoised = engines
    rec = memoised.evaluate(load_scenario(ROOT / "scenarios" / "fraud-realtime-scoring.yaml", vocab=memoised.vocab))
    texts = set()
    for day in (date(2025, 1, 1), date(2026, 12, 1), date(2031, 1, 1), date(2026, 12, 1)):
        dated = replace(rec, as_of=day)
        text = recommendation_json(dated)
        assert text == plain(dated)
        texts.add(text)
    assert len(texts) == 3


def test_dump_json_is_the_standard_library_text() -> None:
    value = {"a": [1, 2.5, None, True, {"b": []}, {}], "c": "é"}
    assert dump_json(value) == stdlib(value) + "\n"
