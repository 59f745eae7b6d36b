"""The visual-language table (engine/diagram/visual.yaml) covers the
vocabulary and refuses broken entries with a precise message."""

from __future__ import annotations

import copy

import pytest

from mlarch.core import yamlio
from mlarch.core.errors import EngineError
from mlarch.core.vocabulary import load_vocabulary
from mlarch.diagram.table import TABLE_FILE, load_table, parse_table


def raw() -> dict:
    return copy.deepcopy(yamlio.load(TABLE_FILE).data)


def test_every_dimension_and_choice_has_an_entry():
    """A choice added to the vocabulary must be given a drawing (or an explicit null)."""
    table, vocab = load_table(load_vocabulary()), load_vocabulary()
    missing = [f"{d}.{c}" for d, spec in vocab.dimensions.items() for c in spec.choices if c not in table.decisions.get(d, {})]
    assert missing == [], f"add these to engine/diagram/visual.yaml: {missing}"


def test_every_fact_value_of_a_drawn_fact_has_an_entry():
    table, vocab = load_table(load_vocabulary()), load_vocabulary()
    for fid, rule in table.facts.items():
        spec = vocab.facts[fid]
        values = list(spec.values) if spec.values else ["true", "false"]
        assert [v for v in values if v not in rule.values] == [], fid


def test_every_slot_can_be_drawn_and_every_kind_and_stage_is_used():
    table = load_table(load_vocabulary())
    drawn = {e.slot for entries in table.decisions.values() for e in entries.values() if e and e.type == "component"}
    drawn |= {r.slot for r in table.facts.values()}
    assert set(table.slots) == drawn, "a slot no decision or fact can draw is dead weight"
    kinds = {s.kind for s in table.slots.values()} | {e.kind for entries in table.decisions.values() for e in entries.values() if e and e.kind}
    kinds |= {e.kind for r in table.facts.values() for e in r.values.values() if e and e.kind}
    assert set(table.kinds) == kinds
    stages = {s.stage for s in table.slots.values()} | {e.stage for entries in table.decisions.values() for e in entries.values() if e and e.stage}
    stages.add(table.frame["pipeline"]["stage"])
    assert stages == set(table.stages), "a stage colour nothing can use is dead weight"


def test_shapes_and_colours_are_distinct():
    """The visual language only works if no two kinds look alike and no two stages share a colour."""
    table = load_table(load_vocabulary())
    looks = [(k.shape, k.style) for k in table.kinds.values()]
    assert len(set(looks)) == len(looks)
    assert len({k.mermaid for k in table.kinds.values()}) == len(table.kinds)
    fills = [s.fill for s in table.stages.values()]
    assert len(set(fills)) == len(fills)


def test_products_are_not_left_as_ids():
    """Labels are for people: no snake_case ids as product names."""
    table = load_table(load_vocabulary())
    for dim, entries in table.decisions.items():
        for choice, e in entries.items():
            if e and e.type == "component":
                assert "_" not in e.product, f"{dim}.{choice}: {e.product}"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: t["decisions"]["approach"]["choices"].update(automl={"component": "nowhere", "product": "X"}), "decisions.approach.choices.automl.component: 'nowhere' is not one of"),
        (lambda t: t["decisions"]["approach"]["choices"].update(nonsense=None), "decisions.approach.choices.nonsense: 'nonsense' is not one of"),
        (lambda t: t["decisions"].update(not_a_dimension={"choices": {}}), "decisions.not_a_dimension: not a dimension"),
        (lambda t: t["decisions"]["experiment_tracking"]["choices"].update(mlflow={"component": "experiments", "product": "MLflow", "role": "runs", "parameters": None}), "unknown key(s) parameters"),
        (lambda t: t["kinds"]["store"]["dot"].update(shape="blob"), "kinds.store.dot.shape: 'blob' is not one of"),
        (lambda t: t["stages"]["data"].update(fill="blue"), "stages.data.fill: expected a colour"),
        (lambda t: t["flows"].append({"from": ["source"], "to": ["nowhere"]}), "flows[" ),
        (lambda t: t["decisions"]["framework"].pop("at"), "a detail text needs `at:`"),
        (lambda t: t["decisions"]["bqml_model"]["choices"].update(pca="{fact.nope}"), "placeholder {fact.nope} is not a fact"),
        (lambda t: t["facts"]["data.location"]["values"].update(mars={"product": "Mars"}), "mars not values of the fact"),
        (lambda t: t["flows"].append({"from": ["source"], "to": ["serving"], "when": {"serving_mode": ["batch"]}}),
         "when.serving_mode: unknown fact (or combinator: all, any, not)"),  # conditions are written as in rules
        (lambda t: t["flows"].append({"from": ["source"], "to": ["serving"], "when": {"decision.serving_mode": "nearline"}}),
         "when.decision.serving_mode.eq: invalid value 'nearline'; allowed: batch"),
    ],
)
def test_broken_tables_are_refused_with_the_key_path(mutate, message):
    data = raw()
    mutate(data)
    with pytest.raises(EngineError) as err:
        parse_table(data, load_vocabulary(), "visual.yaml")
    assert message in str(err.value)
