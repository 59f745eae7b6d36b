"""The diagram model: only the components the decisions imply, in lifecycle
order, with the perimeter, the orchestrator's box, tooltips carrying the
reasons, and designs marked against the recommendation.

Choices are pinned where a test depends on them, so the tests hold while the
bundled rules change.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.diagram import build_diagram
from mlarch.diagram.model import MAX_REASONS
from mlarch.diagram.table import FRAME, PIPELINE, load_table

from .conftest import ROOT
from .test_diagram_support import SCENARIOS, bundled


@pytest.fixture(scope="module")
def recs(bundled_engine):
    from mlarch.core.scenario import load_scenario

    return {p.stem: bundled_engine.evaluate(load_scenario(p, vocab=load_vocabulary())) for p in SCENARIOS}


def test_every_component_is_implied_by_a_decision_or_a_scenario_fact(recs):
    table = load_table(load_vocabulary())
    for name, rec in recs.items():
        d = build_diagram(rec)
        for c in d.components:
            owners = [dim for dim in c.dimensions if (e := table.decisions[dim].get(rec.choices[dim])) and e.type == "component" and e.slot == c.slot]
            from_fact = any(r.slot == c.slot for r in table.facts.values())
            assert owners or from_fact, f"{name}: {c.id} is drawn but nothing implies it"


def test_every_decision_that_draws_something_is_drawn(recs):
    """Each decided dimension with a non-null entry shows up on a component, the box or the frame."""
    table = load_table(load_vocabulary())
    for name, rec in recs.items():
        d = build_diagram(rec)
        shown = {dim for c in d.components for dim in c.dimensions} | set(d.frame.dimensions)
        if d.pipeline:
            shown |= set(d.pipeline.dimensions)
        for dim, choice in rec.choices.items():
            entry = table.decisions[dim][choice]
            if entry is None or entry.when or entry.unless:
                continue
            assert dim in shown, f"{name}: {dim} = {choice} is not drawn"
            if entry.type == "component":
                assert any(c.slot == entry.slot and dim in c.dimensions for c in d.components), f"{name}: {dim}"


def test_components_follow_the_lifecycle_and_flows_join_drawn_components(recs):
    table = load_table(load_vocabulary())
    for name, rec in recs.items():
        d = build_diagram(rec)
        order = [table.slot_order(c.slot) for c in d.components]
        assert order == sorted(order), name
        ids = {c.id for c in d.components}
        assert len(ids) == len(d.components)
        for f in d.flows:
            assert f.source in ids and f.source != f.target, (name, f)
            assert f.target in ids or (f.target == PIPELINE and d.pipeline is not None), (name, f)
        assert len({(f.source, f.target) for f in d.flows}) == len(d.flows), f"{name}: duplicate flow"


def test_perimeter_encloses_the_cloud_only_when_vpc_sc_is_decided(bundled_engine):
    scenario = bundled("fraud-realtime-scoring")
    inside = build_diagram(bundled_engine.evaluate(scenario, pinned={"network_security": "vpc_sc"}))
    outside = build_diagram(bundled_engine.evaluate(scenario, pinned={"network_security": "standard"}))
    assert inside.perimeter and inside.frame.label == load_table(load_vocabulary()).frame["perimeter"]["label"]
    assert "network_security" in inside.frame.dimensions
    assert not outside.perimeter and outside.frame.label == load_table(load_vocabulary()).frame["cloud"]["label"]
    # the application calling the model is not inside the perimeter
    assert {c.id for c in inside.components if c.external} == {"consumer_application"}


def test_orchestrator_box_holds_the_steps_it_runs(bundled_engine):
    scenario = bundled("fraud-realtime-scoring")
    pins = {"approach": "custom_training", "orchestration": "vertex_ai_pipelines", "data_processing": "dataflow"}
    d = build_diagram(bundled_engine.evaluate(scenario, pinned=pins))
    members = {c.id for c in d.members}
    assert {"training", "processing"} <= members
    assert not members & {c.id for c in d.components if c.external}
    assert d.pipeline is not None and d.pipeline.label == "Agent Platform Pipelines"  # the vocabulary's current name (issue 17)
    none = build_diagram(bundled_engine.evaluate(scenario, pinned={**pins, "orchestration": "none"}))
    assert none.pipeline is None and none.members == ()
    assert all(f.target != PIPELINE for f in none.flows)


def test_an_orchestrator_with_nothing_to_enclose_is_drawn_as_a_node(bundled_engine):
    scenario = validate_mapping({"name": "api", "data": {"location": "cloud_storage"}}, vocab=load_vocabulary())
    pins = {"approach": "pretrained_api", "ml_api": "vision_api", "serving_mode": "online", "serving_platform": "api_call",
            "data_processing": "none", "privacy": "none", "orchestration": "scheduler_and_functions"}
    d = build_diagram(bundled_engine.evaluate(scenario, pinned=pins))
    assert d.pipeline is not None and d.pipeline_node and d.members == ()
    api = d.component("model_api")
    assert api.product == "Cloud Vision API" and "approach" in api.dimensions and "serving_platform" in api.dimensions


def test_consumers_come_from_the_scenario_or_the_serving_mode(bundled_engine):
    stated = validate_mapping({"name": "c", "serving": {"consumers": ["bigquery", "application"]}}, vocab=load_vocabulary())
    d = build_diagram(bundled_engine.evaluate(stated, pinned={"serving_mode": "online"}))
    assert [c.id for c in d.components if c.slot == "consumer"] == ["consumer_bigquery", "consumer_application"]
    unstated = validate_mapping({"name": "c"}, vocab=load_vocabulary())
    d = build_diagram(bundled_engine.evaluate(unstated, pinned={"serving_mode": "online"}))
    consumer = next(c for c in d.components if c.slot == "consumer")
    assert consumer.id == "consumer_application" and "implied by serving_mode = online" in consumer.tooltip


def test_tooltips_carry_the_reasons_of_every_decision_drawn(recs):
    for name in ("fraud-realtime-scoring", "churn-bigquery-sql-team", "factory-edge-inspection"):
        rec = recs[name]
        d = build_diagram(rec)
        for c in d.components:
            for dim in c.dimensions:
                dec = rec.decisions[dim]
                assert f"{dim} = {dec.choice}" in c.tooltip
                for s in dec.reasons[:MAX_REASONS]:
                    assert s.text in c.tooltip and s.rule.id in c.tooltip, (name, c.id, s.rule.id)


def test_a_design_equal_to_the_recommendation_departs_nowhere(recs):
    rec = recs["fraud-realtime-scoring"]
    plain = build_diagram(rec)
    same = build_diagram(rec, dict(rec.choices))
    assert same.departures == () and not any(c.ghost or c.departures for c in same.components)
    assert [c.id for c in same.components] == [c.id for c in plain.components]
    assert same.is_design and "proposed design (0 choices differ" in same.title


def test_design_departures_are_marked_on_the_component_that_shows_them(bundled_engine):
    scenario = bundled("fraud-realtime-scoring")
    rec = bundled_engine.evaluate(scenario, pinned={"monitoring": "vertex_model_monitoring", "serving_hardware": "cpu",
                                                    "network_security": "vpc_sc", "serving_mode": "online"})
    design = {"serving_hardware": "gpu", "monitoring": "none", "network_security": "standard"}
    d = build_diagram(rec, design)
    serving = next(c for c in d.components if "serving_hardware" in c.dimensions)
    assert [(x.dimension, x.proposed, x.recommended, x.by_design) for x in serving.departures] == [("serving_hardware", "gpu", "cpu", True)]
    assert "GPU" in " ".join(x.text for x in serving.details)
    ghost = d.component("monitoring")
    assert ghost.ghost and [x.dimension for x in ghost.departures][:1] == ["monitoring"]
    assert not d.perimeter and [x.dimension for x in d.frame.departures] == ["network_security"]
    assert {x.dimension for x in d.departures} >= set(design)


def test_completed_design_shows_follow_on_differences_and_broken_hard_rules(bundled_engine):
    scenario = bundled("churn-bigquery-sql-team")
    rec = bundled_engine.evaluate(scenario)
    design = {"approach": "custom_training", "serving_mode": "online"}
    completed = bundled_engine.evaluate(scenario, pinned=design)
    d = build_diagram(rec, design, completed)
    own = {x.dimension for x in d.departures if x.by_design}
    follow = {x.dimension for x in d.departures if not x.by_design}
    assert own == {dim for dim in design if rec.choices.get(dim) != design[dim]}
    assert follow and not follow & set(design)
    # framework applies only because of the design: it is drawn from the completed evaluation
    training = d.component("training")
    assert "framework" in training.dimensions and "(from the design)" in training.tooltip
    for dim, dec in completed.decisions.items():
        for s in dec.pinned_violations:
            host = next((c for c in d.components if dim in c.dimensions), None)
            if host is not None:
                assert f"breaks hard rule {s.rule.id}" in host.tooltip


def test_a_design_breaking_a_hard_rule_says_so_on_the_component(bundled_engine):
    """XGBoost on TPUs: the TPU pin breaks a hard rule, and the drawing says so, not just 'differs'."""
    scenario = bundled("fraud-realtime-scoring")
    design = {"approach": "custom_training", "framework": "xgboost", "training_hardware": "tpu"}
    completed = bundled_engine.evaluate(scenario, pinned=design)
    broken = completed.decisions["training_hardware"].pinned_violations
    assert broken, "the bundled rules must forbid TPUs for XGBoost (constraint no-tpu-for-classical-ml)"
    d = build_diagram(bundled_engine.evaluate(scenario), design, completed)
    dep = next(x for x in d.component("training").departures if x.dimension == "training_hardware")
    assert dep.breaks == tuple(dict.fromkeys(s.rule.id for s in broken))
    assert dep.describe().startswith("training_hardware: breaks a hard rule; recommended ")


def test_design_choices_that_do_not_apply_are_dropped(recs):
    """A design naming a dimension whose applies_when fails is not drawn with it."""
    rec = recs["churn-bigquery-sql-team"]
    d = build_diagram(rec, {"approach": "pretrained_api", "ml_api": "vision_api", "framework": "pytorch"})
    assert all("framework" not in c.dimensions for c in d.components)
    assert d.component("model_api").product == "Cloud Vision API"


def test_diagram_text_is_identical_across_hash_seeds():
    """Same input, byte-identical DOT and Mermaid, whatever Python's hash seed."""
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from mlarch.core.engine import default_engine\n"
        "from mlarch.core.scenario import load_scenario\n"
        "from mlarch.diagram import build_diagram, to_dot, to_mermaid\n"
        "e = default_engine()\n"
        "for n in ('fraud-realtime-scoring', 'churn-bigquery-sql-team', 'hr-policy-assistant-rag'):\n"
        "    d = build_diagram(e.evaluate(load_scenario(%r + '/' + n + '.yaml', vocab=e.vocab)))\n"
        "    sys.stdout.write(to_dot(d) + to_mermaid(d))\n"
    ) % (str(ROOT), str(ROOT / "scenarios"))
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.add(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, env=env).stdout)
    assert len(outputs) == 1


def test_hosts_are_known_pseudo_slots():
    table = load_table(load_vocabulary())
    for entries in table.decisions.values():
        for e in entries.values():
            if e and e.type == "detail":
                assert all(h in table.slots or h in (PIPELINE, FRAME) for h in e.hosts)
