"""An engine built with its own vocabulary is honoured everywhere (issue 10).

The vocabulary is passed in, never fetched globally: an ``Engine(book, vocab)``
whose vocabulary orders facts and choices differently, names a choice
differently, puts a dimension in another stage and types a fact differently
gets conditions, resolution and the text and JSON renderers that follow *that*
vocabulary, even in a process where the bundled vocabulary was used first.
"""

from __future__ import annotations

import copy
import json

import pytest

from mlarch.core import yamlio
from mlarch.core.conditions import Leaf, LiteralKind, Not, to_dnf
from mlarch.core.engine import Engine
from mlarch.core.paths import bundled_rules_dir
from mlarch.core.rulebook import load_rulebook
from mlarch.core.scenario import load_scenario
from mlarch.core.serialize import to_dict
from mlarch.core.vocabulary import VOCABULARY_FILE, load_vocabulary, parse_vocabulary
from mlarch.recommend.text import render_text

from .conftest import ROOT

CHURN = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"
RENAMED = "BigQuery ML (as this vocabulary names it)"


@pytest.fixture(scope="module")
def other_vocab():
    """The bundled vocabulary with its facts and data_processing choices in reverse order, BigQuery ML
    renamed, approach moved to the data stage and data.location plain text instead of an enum."""
    data = copy.deepcopy(yamlio.load(VOCABULARY_FILE).data)
    data["facts"] = dict(reversed(list(data["facts"].items())))
    location = data["facts"]["data.location"]
    location["type"] = "string"
    location.pop("values")
    processing = data["dimensions"]["data_processing"]
    processing["choices"] = dict(reversed(list(processing["choices"].items())))
    data["dimensions"]["approach"]["stage"] = "data"
    data["names"]["approach.bigquery_ml"] = {"name": RENAMED}
    return parse_vocabulary(data, "modified vocabulary")


@pytest.fixture(scope="module")
def both(other_vocab):
    """The churn scenario recommended by the bundled engine first, then by the other one."""
    bundled = load_vocabulary()
    with Engine(load_rulebook([bundled_rules_dir()], bundled), bundled) as engine:
        before = engine.evaluate(load_scenario(CHURN, vocab=bundled))
    with Engine(load_rulebook([bundled_rules_dir()], other_vocab), other_vocab) as engine:
        after = engine.evaluate(load_scenario(CHURN, vocab=other_vocab))
    return before, after


def test_the_same_rules_decide_the_same(both):
    before, after = both
    assert after.choices == before.choices
    assert after.vocab is not before.vocab


def test_reasons_list_facts_in_the_engines_vocabulary_order(both):
    before, after = both
    facts_before = list(before.decisions["approach"].reasons[0].facts)
    facts_after = list(after.decisions["approach"].reasons[0].facts)
    assert len(facts_before) > 1
    assert facts_after == facts_before[::-1]


def test_alternatives_follow_the_engines_choice_order(both):
    before, after = both
    ties = [a.choice for a in before.decisions["data_processing"].alternatives if a.score == 0 and not a.assumed]
    assert len(ties) > 1, "the check needs choices the resolver can only tell apart by vocabulary order"
    after_ties = [a.choice for a in after.decisions["data_processing"].alternatives if a.choice in ties]
    assert after_ties == ties[::-1]


def test_json_names_and_stages_come_from_the_engines_vocabulary(both):
    before, after = both
    old, new = to_dict(before)["decisions"]["approach"], to_dict(after)["decisions"]["approach"]
    assert (old["name"], old["stage"]) == ("BigQuery ML", "training")
    assert (new["name"], new["stage"]) == (RENAMED, "data")
    assert [r["facts"] for r in to_dict(after)["decisions"]["approach"]["reasons"]] == [
        dict(reversed(list(r["facts"].items()))) for r in old["reasons"]]
    json.dumps(to_dict(after))  # still plain data


def test_text_groups_by_the_engines_stages_and_uses_its_names(both):
    before, after = both
    old, new = render_text(before), render_text(after)
    assert RENAMED not in old and f"= {RENAMED}" in new

    def data_stage(text: str) -> str:
        return text.split("== DATA ", 1)[1].split("== TRAINING ", 1)[0]

    assert "approach: bigquery_ml" not in data_stage(old)
    assert "approach: bigquery_ml" in data_stage(new)


def test_conditions_use_the_vocabulary_they_are_given(other_vocab):
    """Absence is a sentinel value for enum facts only: the negation of a test on
    data.location compiles to one `differs` test in the bundled vocabulary, and to
    'different or absent' where the other vocabulary makes it plain text."""
    bundled = load_vocabulary()
    rule = next(r for r in load_rulebook([bundled_rules_dir()], bundled).rules if "data.location" in repr(r.when))
    literal = next(lit for conj in rule.alternatives for lit in conj if lit.ref == "data.location")
    assert literal.sentinel
    negated = Not(Leaf("data.location", "eq", "bigquery"))
    assert [[lit.kind for lit in c] for c in to_dnf(negated, bundled)] == [[LiteralKind.DIFFERS]]
    assert sorted([lit.kind for lit in c] for c in to_dnf(negated, other_vocab)) == [[LiteralKind.ABSENT], [LiteralKind.NEQ]]
    other = next(r for r in load_rulebook([bundled_rules_dir()], other_vocab).rules if r.id == rule.id)
    assert not any(lit.sentinel for conj in other.alternatives for lit in conj if lit.ref == "data.location")
