"""The rule format: conditions, conclusions, examples, and load errors."""

from __future__ import annotations

import copy

import pytest

from mlarch.core import yamlio
from mlarch.core.conditions import ALWAYS, All, AnyOf, Leaf, Literal, Not, describe, to_data, to_dnf
from mlarch.core.errors import InputError
from mlarch.core.rulebook import load_rulebook, parse_rule_document
from mlarch.core.vocabulary import load_vocabulary

from .conftest import FIXTURES

GOOD = {
    "id": "approach.sql-team",
    "title": "SQL team",
    "section": "1.1",
    "docs": ["https://cloud.google.com/bigquery/docs/e2e-journey"],
    "when": {"data.location": "bigquery", "team.skills": {"contains": "sql"}},
    "then": {"dimension": "approach", "prefer": "bigquery_ml", "weight": 3},
    "because": "Data in {data.location}, skills {team.skills}.",
    "examples": {"fires": [{"data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}], "does_not_fire": [{}]},
}


def load(*entries, source="r.yaml"):
    return parse_rule_document(yamlio.Document({"rules": list(entries)}, source), load_vocabulary())


def messages(entry) -> list[str]:
    _, problems = load(entry)
    return [p.render("r.yaml") for p in problems]


def variant(**changes):
    entry = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            entry.pop(key)
        else:
            entry[key] = value
    return entry


def test_good_rule_loads():
    rules, problems = load(GOOD)
    assert problems == []
    (rule,) = rules
    assert rule.dimension == "approach" and rule.verdict == "prefer" and rule.choices == ("bigquery_ml",)
    assert rule.when == All((Leaf("data.location", "eq", "bigquery"), Leaf("team.skills", "contains", "sql")))


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"id": "Approach/x"}, "invalid rule id"),
        ({"id": "serving_mode.x"}, "rule id must start with its dimension: approach."),
        ({"title": ""}, "title: expected non-empty text"),
        ({"section": 1.1}, 'quote the section number, e.g. "1.1"'),
        ({"section": "7.1"}, "unknown exam section '7.1'"),
        ({"docs": ["http://example.com"]}, "expected an https:// URL"),
        ({"docs": []}, "cite at least one documentation URL"),
        ({"when": {"data.locaton": "bigquery"}}, "unknown fact (or combinator: all, any, not) (did you mean 'data.location'?)"),
        ({"when": {"data.location": "bigqury"}}, "invalid value 'bigqury' (did you mean 'bigquery'?)"),
        ({"when": {"data.size_gb": {"contains": 3}}}, "operator not allowed for a number fact"),
        ({"when": {"team.skills": "sql"}}, "a set fact needs an operator"),
        ({"when": {"data.location": ["bigquery"]}}, "a list needs an operator"),
        ({"when": {"decision.aproach": "automl"}}, "unknown dimension (did you mean 'decision.approach'?)"),
        ({"when": {"decision.approach": "automl"}}, "cannot test decision.approach itself"),
        ({"when": {"data.location": {"in": ["bigquery", "bigquery"]}}}, "repeats a value"),
        ({"when": [{"data.location": "bigquery"}]}, "wrap a list in 'all:' or 'any:'"),
        ({"when": {"all": []}}, "'all' needs a non-empty list"),
        ({"when": {"data.labeled": True, "not": {"data.labeled": True}}}, "contradicts itself"),
        ({"when": {"description": {"eq": "x"}}}, "rules cannot test free-text"),
        ({"then": {"dimension": "approach", "prefer": "bigquery_ml"}}, "needs an integer weight from 1 to 10"),
        ({"then": {"dimension": "approach", "forbid": "automl", "weight": 3}}, "takes no weight"),
        ({"then": {"dimension": "approach", "prefer": "bq", "weight": 3}}, "invalid choice 'bq' for approach"),
        ({"then": {"dimension": "approach", "prefer": ["automl", "bigquery_ml"], "weight": 3}}, "names exactly one choice"),
        ({"then": {"dimension": "aproach", "prefer": "automl", "weight": 3}}, "unknown dimension 'aproach' (did you mean 'approach'?)"),
        ({"then": {"dimension": "approach", "prefer": "automl", "forbid": "automl"}}, "exactly one of require, forbid, prefer, avoid"),
        ({"because": "Quotes {data.size_gb} it never tests."}, "placeholder {data.size_gb} is not tested"),
        ({"examples": {"fires": []}}, "give at least one example"),
        ({"examples": {"fires": [{"data": {"modality": "tabualr"}}], "does_not_fire": [{}]}}, "examples.fires[0].data.modality: invalid value 'tabualr'"),
        ({"examples": {"fires": [{"decisions": {"approach": "nope"}}], "does_not_fire": [{}]}}, "invalid choice 'nope'"),
        ({"colour": "red"}, "unknown key"),
        ({"because": None}, "because: required key is missing"),
    ],
)
def test_rule_problems_name_the_rule_and_path(changes, expected):
    found = messages(variant(**changes))
    assert any(expected in line for line in found), found
    assert all("r.yaml" in line for line in found)
    if "id" not in changes:
        assert all("rule approach.sql-team" in line for line in found), found


def test_duplicate_ids_across_files(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yamlio_dump({"rules": [GOOD]}))
    with pytest.raises(InputError, match="duplicate rule id"):
        load_rulebook([tmp_path], load_vocabulary())


def test_all_files_are_reported_together(tmp_path):
    (tmp_path / "a.yaml").write_text("rules:\n  - id: 1\n")
    (tmp_path / "b.yaml").write_text("rules: [\n")
    with pytest.raises(InputError) as err:
        load_rulebook([tmp_path], load_vocabulary())
    text = str(err.value)
    assert "a.yaml" in text and "b.yaml" in text


def test_rule_order_and_version_do_not_depend_on_files(tmp_path):
    one, two = variant(), variant(id="approach.other")
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "a.yaml").write_text(yamlio_dump({"rules": [one, two]}))
    (tmp_path / "y" / "b.yaml").write_text(yamlio_dump({"rules": [two]}))
    (tmp_path / "y" / "a.yaml").write_text(yamlio_dump({"rules": [one]}))
    a, b = load_rulebook([tmp_path / "x"], load_vocabulary()), load_rulebook([tmp_path / "y"], load_vocabulary())
    assert [r.id for r in a.rules] == [r.id for r in b.rules]
    assert a.version == b.version


def yamlio_dump(data) -> str:
    import yaml

    return yaml.safe_dump(data)


# ------------------------------------------------------------------ conditions


def test_dnf_pushes_negation_to_literals_with_absence():
    cond = Not(Leaf("serving.latency_ms", "lt", 100))
    assert to_dnf(cond, load_vocabulary()) == [(Literal("serving.latency_ms", "gte", 100),), (Literal("serving.latency_ms", "absent", None),)]


def test_dnf_of_any_and_all():
    cond = All((AnyOf((Leaf("data.modality", "eq", "image"), Leaf("data.modality", "eq", "text"))), Leaf("data.labeled", "eq", True)))
    assert len(to_dnf(cond, load_vocabulary())) == 2


def test_dnf_drops_contradictions():
    cond = All((Leaf("data.modality", "eq", "image"), Leaf("data.modality", "eq", "text")))
    assert to_dnf(cond, load_vocabulary()) == []
    assert to_dnf(ALWAYS, load_vocabulary()) == [()]


def test_canonical_form_round_trips_through_the_parser():
    from mlarch.core.conditions import ConditionParser
    from mlarch.core.vocabulary import load_vocabulary

    parser = ConditionParser(load_vocabulary())
    cond = parser.parse({"any": [{"data.size_gb": {"gte": 10, "lt": 100}}, {"not": {"team.skills": {"contains_any": ["sql"]}}}]}, ())
    assert parser.problems == []
    again = ConditionParser(load_vocabulary()).parse(to_data(cond), ())
    assert again == cond


def test_describe_reads_like_prose():
    lines = describe(All((Leaf("data.location", "eq", "bigquery"), Not(Leaf("team.skills", "contains", "sql")))))
    assert lines == ["all of:", "  data.location is bigquery", "  not:", "    team.skills includes sql"]


def test_fixture_rule_examples_pass(fixture_engine):
    from mlarch.core.examples import run_examples

    results = run_examples(fixture_engine, fixture_engine.rulebook.rules)
    assert results and all(r.passed for r in results), [r.describe() for r in results if not r.passed]


def test_a_wrong_example_is_reported(fixture_engine, tmp_path):
    from mlarch.core.engine import Engine
    from mlarch.core.examples import run_examples

    text = (FIXTURES / "rules" / "fixture.yaml").read_text().replace(
        "does_not_fire: [{serving: {latency_ms: 5000}}, {}]", "does_not_fire: [{serving: {latency_ms: 50}}, {}]"
    )
    (tmp_path / "r.yaml").write_text(text)
    with Engine(load_rulebook([tmp_path], load_vocabulary())) as engine:
        failed = [r for r in run_examples(engine, engine.rulebook.rules) if not r.passed]
    assert [(r.rule.id, r.kind, r.index) for r in failed] == [("serving_mode.latency-online", "does_not_fire", 0)]
    assert "expected: does not fire, got: fired" in failed[0].describe()
