"""Planning, forward chaining and resolution of decisions."""

from __future__ import annotations

import pytest

from mlarch.core import yamlio
from mlarch.core.engine import Engine
from mlarch.core.errors import InputError
from mlarch.core.plan import make_plan
from mlarch.core.rulebook import RuleBook, parse_rule_document
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary


def book(*entries, defaults: tuple[int, ...] = ()) -> RuleBook:
    """Rules from (dimension, when, then) triples; the entries at ``defaults`` are default rules."""
    full = []
    for i, (dim, when, then) in enumerate(entries):
        full.append({**({"default": True} if i in defaults else {}),
            "id": f"{dim}.r{i}", "title": "t", "section": "1.1", "docs": ["https://cloud.google.com/x"],
            "when": when, "then": {"dimension": dim, **then}, "because": f"rule {i}",
            "examples": {"fires": [{}], "does_not_fire": [{}]} if when != "always" else {"fires": [{}]},
        })
    rules, problems = parse_rule_document(yamlio.Document({"rules": full}, "t"), load_vocabulary())
    assert not problems, [p.render(None) for p in problems]
    return RuleBook(tuple(sorted(rules, key=lambda r: r.id)))


def decide(rulebook: RuleBook, pinned=None, **groups):
    with Engine(rulebook) as engine:
        return engine.evaluate(validate_mapping({"name": "t", **groups}, vocab=load_vocabulary()), pinned)


def test_forbid_beats_require_beats_score():
    rb = book(
        ("training_hardware", "always", {"prefer": "gpu", "weight": 9}),
        ("training_hardware", "always", {"require": "tpu"}),
        ("training_hardware", "always", {"forbid": ["tpu"]}),
    )
    dec = decide(rb, {"approach": "custom_training"}).decisions["training_hardware"]
    assert dec.choice == "gpu"
    assert dec.conflicts and "tpu is both required" in dec.conflicts[0]


def test_require_wins_over_a_higher_score():
    rb = book(
        ("training_hardware", "always", {"prefer": "gpu", "weight": 9}),
        ("training_hardware", "always", {"require": "cpu"}),
    )
    dec = decide(rb, {"approach": "custom_training"}).decisions["training_hardware"]
    assert (dec.choice, dec.how) == ("cpu", "required")
    gpu = next(a for a in dec.alternatives if a.choice == "gpu")
    assert gpu.status == "not_required" and gpu.why_not[0].rule == "training_hardware.r1"


def test_scores_add_up_and_avoid_subtracts():
    rb = book(
        ("serving_mode", "always", {"prefer": "online", "weight": 3}),
        ("serving_mode", "always", {"prefer": "batch", "weight": 2}),
        ("serving_mode", "always", {"prefer": "batch", "weight": 2}),
        ("serving_mode", "always", {"avoid": ["batch"], "weight": 2}),
    )
    dec = decide(rb).decisions["serving_mode"]
    assert (dec.choice, dec.score) == ("online", 3)
    batch = next(a for a in dec.alternatives if a.choice == "batch")
    assert batch.score == 2 and batch.status == "outscored"
    assert any(w.rule == "serving_mode.r3" and w.text.startswith("avoid") for w in batch.why_not)


def test_ties_go_to_the_first_choice_in_vocabulary_order():
    rb = book(
        ("serving_mode", "always", {"prefer": "online", "weight": 2}),
        ("serving_mode", "always", {"prefer": "batch", "weight": 2}),
    )
    dec = decide(rb).decisions["serving_mode"]
    assert (dec.choice, dec.how) == ("batch", "tie_break")
    online = next(a for a in dec.alternatives if a.choice == "online")
    assert online.status == "tied" and "tie-break" in online.why_not[0].text


def test_several_requires_are_a_reported_conflict():
    rb = book(
        ("serving_mode", "always", {"require": "online"}),
        ("serving_mode", "always", {"require": "edge"}),
        ("serving_mode", "always", {"prefer": "edge", "weight": 1}),
    )
    rec = decide(rb)
    assert rec.decisions["serving_mode"].choice == "edge"
    assert any(w.kind == "conflict" for w in rec.warnings)


def test_elimination_and_fallback_are_marked():
    rb = book(("serving_mode", "always", {"forbid": ["batch", "online"]}))
    dec = decide(rb).decisions["serving_mode"]
    assert (dec.choice, dec.how) == ("streaming", "elimination")
    assert [s.rule.id for s in dec.reasons] == ["serving_mode.r0"]  # once, though it names two choices
    rec = decide(book(("serving_mode", "always", {"prefer": "online", "weight": 1})))
    assert rec.decisions["privacy"].how == "fallback"
    assert any(w.kind == "fallback" and w.dimension == "privacy" for w in rec.warnings)


def test_forward_chaining_on_decisions():
    rb = book(
        ("approach", {"data.location": "bigquery"}, {"prefer": "bigquery_ml", "weight": 3}),
        ("approach", "always", {"prefer": "custom_training", "weight": 1}),
        ("serving_platform", {"decision.approach": "bigquery_ml"}, {"prefer": "bigquery_ml_predict", "weight": 3}),
        ("serving_platform", {"decision.approach": {"ne": "bigquery_ml"}}, {"prefer": "vertex_batch_prediction", "weight": 3}),
    )
    assert decide(rb, data={"location": "bigquery"}).choices["serving_platform"] == "bigquery_ml_predict"
    assert decide(rb, data={"location": "cloud_storage"}).choices["serving_platform"] == "vertex_batch_prediction"


def test_only_applicable_dimensions_are_answered():
    rb = book(("approach", "always", {"prefer": "automl", "weight": 1}))
    rec = decide(rb)
    vocab = load_vocabulary()
    for dim, spec in vocab.dimensions.items():
        assert (dim in rec.decisions) == spec.applies_when.holds(rec.choices), dim
    assert "automl_objective" in rec.decisions and "bqml_model" not in rec.decisions
    assert "bqml_model" in rec.not_applicable


def test_rules_of_inapplicable_dimensions_are_not_matched():
    rb = book(
        ("approach", "always", {"prefer": "automl", "weight": 1}),
        ("bqml_model", "always", {"prefer": "kmeans", "weight": 1}),
        ("automl_objective", "always", {"prefer": "tabular_regression", "weight": 1}),
    )
    rec = decide(rb)
    assert "bqml_model.r1" not in rec.fired and "bqml_model" not in rec.decisions
    assert "automl_objective.r2" in rec.fired


def test_pinned_decisions_record_violations():
    rb = book(
        ("training_hardware", {"model.framework": "scikit_learn"}, {"forbid": ["tpu"]}),
        ("approach", "always", {"prefer": "custom_training", "weight": 1}),
    )
    rec = decide(rb, {"training_hardware": "tpu"}, model={"framework": "scikit_learn"})
    dec = rec.decisions["training_hardware"]
    assert dec.choice == "tpu" and dec.how == "pinned"
    assert [s.rule.id for s in dec.pinned_violations] == ["training_hardware.r0"]


def test_pinned_choices_are_validated():
    with pytest.raises(InputError, match="invalid choice"):
        decide(book(("approach", "always", {"prefer": "automl", "weight": 1})), {"approach": "nope"})


def test_reasons_cite_facts_values_and_unstated_facts():
    rb = book(
        ("serving_mode", {"serving.latency_ms": {"lt": 100}, "not": {"serving.offline_device": True}}, {"prefer": "online", "weight": 3}),
    )
    (reason,) = decide(rb, serving={"latency_ms": 20}).decisions["serving_mode"].reasons
    assert reason.facts == {"serving.latency_ms": 20}
    assert reason.unstated == ("serving.offline_device",)


def test_defaulted_decisions():
    entries = [
        {"id": "serving_mode.assume-batch", "title": "t", "section": "4.1", "docs": ["https://cloud.google.com/x"], "default": True,
         "when": {"serving.latency_ms": {"present": False}}, "then": {"dimension": "serving_mode", "prefer": "batch", "weight": 1},
         "because": "No latency stated.", "examples": {"fires": [{}], "does_not_fire": [{}]}},
    ]
    rules, _ = parse_rule_document(yamlio.Document({"rules": entries}, "t"), load_vocabulary())
    rec = decide(RuleBook(tuple(rules)))
    assert rec.decisions["serving_mode"].defaulted
    assert "serving_mode" in rec.defaulted


def test_deprecated_choices_carry_a_warning():
    rb = book(("approach", "always", {"prefer": "pretrained_api", "weight": 1}),
              ("ml_api", "always", {"prefer": "video_intelligence_api", "weight": 1}))
    rec = decide(rb)
    (warning,) = [w for w in rec.warnings if w.kind == "deprecated"]
    assert warning.dimension == "ml_api" and "2027-09-14" in warning.text


def test_dependency_cycles_are_reported_with_the_rules():
    rb = book(
        ("serving_mode", {"decision.orchestration": "none"}, {"prefer": "batch", "weight": 1}),
        ("orchestration", {"decision.serving_mode": "batch"}, {"prefer": "none", "weight": 1}),
    )
    with pytest.raises(InputError, match="cycle") as err:
        make_plan(load_vocabulary(), rb)
    assert "serving_mode.r0" in str(err.value) and "orchestration.r1" in str(err.value)


def test_plan_levels_respect_dependencies():
    vocab = load_vocabulary()
    plan = make_plan(vocab, book(("training_hardware", {"decision.framework": "jax"}, {"prefer": "tpu", "weight": 1})))
    assert plan.level_of("approach") < plan.level_of("framework") < plan.level_of("training_hardware")
    assert plan.level_of("serving_mode") < plan.level_of("edge_export")


def test_evaluation_is_deterministic_and_isolated(fixture_engine):
    a = validate_mapping({"name": "a", "data": {"location": "bigquery"}, "team": {"skills": ["sql"]}, "problem": {"task": "binary_classification"}}, vocab=load_vocabulary())
    b = validate_mapping({"name": "b", "model": {"custom_architecture": True, "framework": "scikit_learn", "size": "very_large"}}, vocab=load_vocabulary())
    first = fixture_engine.evaluate(a).choices
    for _ in range(50):
        fixture_engine.evaluate(b)
    assert fixture_engine.evaluate(a).choices == first
    hw = fixture_engine.evaluate(b).decisions["training_hardware"]
    assert hw.choice != "tpu"
    assert any(alt.choice == "tpu" and alt.status == "forbidden" for alt in hw.alternatives)


def test_a_default_never_overrides_a_stated_preference():
    """A default rule's weight does not add to the stated score: +1 stated beats +9 assumed."""
    rb = book(
        ("serving_mode", "always", {"prefer": "batch", "weight": 1}),
        ("serving_mode", "always", {"prefer": "online", "weight": 9}),
        defaults=(1,),
    )
    dec = decide(rb).decisions["serving_mode"]
    assert (dec.choice, dec.score, dec.assumed, dec.defaulted) == ("batch", 1, 0, False)
    online = dec.alternative("online")
    assert (online.status, online.score, online.assumed) == ("outscored", 0, 9)


def test_a_default_breaks_a_tie_of_the_stated_facts_and_says_so():
    rb = book(
        ("serving_mode", "always", {"prefer": "batch", "weight": 3}),
        ("serving_mode", "always", {"prefer": "online", "weight": 3}),
        ("serving_mode", "always", {"prefer": "online", "weight": 1}),
        defaults=(2,),
    )
    dec = decide(rb).decisions["serving_mode"]
    assert (dec.choice, dec.how, dec.defaulted) == ("online", "preferred", True)
    batch = dec.alternative("batch")
    assert batch.status == "tied" and "on the stated facts" in batch.why_not[0].text
    assert batch.why_not[0].rule == "serving_mode.r2"


def test_an_elimination_among_several_equal_survivors_rests_on_defaults():
    rb = book(("serving_mode", "always", {"avoid": "online", "weight": 2}))
    dec = decide(rb).decisions["serving_mode"]
    assert dec.how == "elimination" and dec.defaulted
    rb = book(("serving_mode", "always", {"avoid": ["online", "streaming", "edge"], "weight": 2}))
    assert not decide(rb).decisions["serving_mode"].defaulted  # one survivor: the stated facts decided


def test_states_are_enums_that_write_as_plain_strings(fixture_engine):
    """Decision.how and Alternative.status are enums in Python, plain strings in
    the JSON/YAML documents (the YAML writer refuses enum objects)."""
    from mlarch.core.resolver import AlternativeStatus, ResolvedBy
    from mlarch.core.serialize import dump_yaml, to_dict

    rec = fixture_engine.evaluate(validate_mapping({"name": "s", "data": {"location": "bigquery"}, "team": {"skills": ["sql"]}}, vocab=load_vocabulary()))
    dec = next(d for d in rec.decisions.values() if d.alternatives)
    assert isinstance(dec.how, ResolvedBy) and isinstance(dec.alternatives[0].status, AlternativeStatus)
    data = to_dict(rec)["decisions"][dec.dimension]
    assert type(data["resolved_by"]) is str and data["resolved_by"] == dec.how.value
    assert all(type(a["status"]) is str for a in data["alternatives"])
    assert f"resolved_by: {dec.how.value}" in dump_yaml(to_dict(rec))
