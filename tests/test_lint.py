"""`mlarch lint`: every check finds what it is for, explains it with the rules
involved and a scenario that shows it, and stays quiet on a healthy rule base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlarch.core.engine import Engine
from mlarch.core.rulebook import load_rulebook
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.lint.findings import render_text
from mlarch.lint.registry import BY_CODE as CHECKS
from mlarch.lint.run import lint
from mlarch.lint.spec import load_invariants

from .conftest import FIXTURES, run_cli

DOCS = ["https://cloud.google.com/vertex-ai/docs/start/introduction-unified-platform"]
SPEC = (FIXTURES / "lint-invariants.yaml").read_text()


def rule(rule_id: str, when: Any, then: dict[str, Any], fires: list | None = None, quiet: list | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": rule_id, "title": "test rule", "section": "1.1", "docs": DOCS, "when": when, "then": then,
        "because": "test rule", "examples": {"fires": [{}] if fires is None else fires},
    }
    if when != "always":
        entry["examples"]["does_not_fire"] = [{}] if quiet is None else quiet
    entry.update(extra)
    return entry


def healthy() -> list[dict[str, Any]]:
    """A small total, coherent rule base that enforces every named constraint."""
    vocab = load_vocabulary()
    chosen = {"serving_platform": "vertex_batch_prediction"}
    entries = [
        rule(f"{dim}.default", "always", {"dimension": dim, "prefer": chosen.get(dim, next(iter(spec.choices))), "weight": 1},
             fires=[{"decisions": applying(dim)} if applying(dim) else {}], default=True)
        for dim, spec in vocab.dimensions.items()
    ]
    pinned_ct = {"approach": "custom_training"}
    entries += [
        rule("training_hardware.no-tpu-for-classical-ml", {"decision.framework": {"in": ["scikit_learn", "xgboost"]}},
             {"dimension": "training_hardware", "forbid": ["tpu"]},
             [{"decisions": {**pinned_ct, "framework": "xgboost"}}], [{"decisions": {**pinned_ct, "framework": "jax"}}]),
        rule("serving_hardware.no-tpu-for-classical-ml",
             {"any": [{"decision.framework": {"in": ["scikit_learn", "xgboost"]}}, {"model.framework": {"in": ["scikit_learn", "xgboost"]}}]},
             {"dimension": "serving_hardware", "forbid": ["tpu"]}, [{"model": {"framework": "xgboost"}}], [{"model": {"framework": "jax"}}]),
        rule("serving_hardware.edge-hardware-only-at-the-edge", {"decision.serving_mode": {"ne": "edge"}},
             {"dimension": "serving_hardware", "forbid": ["edge_tpu", "mobile_cpu"]}, [{}], [{"decisions": {"serving_mode": "edge"}}]),
        rule("serving_platform.ml-predict-only-for-bigquery-ml", {"decision.approach": {"ne": "bigquery_ml"}},
             {"dimension": "serving_platform", "forbid": ["bigquery_ml_predict"]}, [{}], [{"decisions": {"approach": "bigquery_ml"}}]),
        rule("serving_platform.private-network-no-public-endpoint", {"serving.private_network": True},
             {"dimension": "serving_platform", "forbid": ["vertex_endpoint_public"]}, [{"serving": {"private_network": True}}], [{}]),
        rule("privacy.pii-requires-sdp", {"data.sensitive": {"contains_any": ["pii", "phi"]}},
             {"dimension": "privacy", "require": "sensitive_data_protection"}, [{"data": {"sensitive": ["pii"]}}], [{}]),
    ]
    return entries


def applying(dim: str) -> dict[str, str]:
    """Decisions to pin so that ``dim`` applies (its applies_when chain)."""
    vocab = load_vocabulary()
    pins: dict[str, str] = {}
    aw = vocab.dimensions[dim].applies_when
    while aw.dimension is not None:
        parent = vocab.dimensions[aw.dimension]
        pins[aw.dimension] = next(c for c in parent.choices if (c in aw.values) != (aw.op == "not_in"))
        aw = parent.applies_when
    return pins


# libyaml's emitter when PyYAML has it: the pure-Python one spent ~0.1 s per rule file here
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write(folder: Path, name: str, entries: list[dict[str, Any]] | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(entries if isinstance(entries, str) else yaml.dump({"rules": entries}, Dumper=YAML_DUMPER, sort_keys=False))
    return path


@pytest.fixture
def base(tmp_path) -> Path:
    folder = tmp_path / "rules"
    write(folder, "base.yaml", healthy())
    (tmp_path / "invariants.yaml").write_text(SPEC)
    return folder


def spec_of(folder: Path) -> Path:
    """The fixed specification these tests lint against (not the project's growing one)."""
    return folder.parent / "invariants.yaml"


def run_lint(folder: Path, samples: int = 150):
    return lint([folder], load_vocabulary(), samples=samples, seed=0, invariants=load_invariants(spec_of(folder), load_vocabulary()))


def test_a_healthy_rule_base_has_no_findings(base):
    report = run_lint(base)
    assert report.failing == [], render_text(report)
    assert report.rules == len(healthy()) and report.files == 1


CT = {"approach": "custom_training"}
CASES: dict[str, tuple[list[dict[str, Any]] | str, set[str]]] = {
    "unknown-id": ([rule("privacy.typo", {"data.sensitve": {"contains": "pii"}}, {"dimension": "privacy", "prefer": "none", "weight": 1})], {"privacy.typo"}),
    "missing-citation": ([{k: v for k, v in rule("privacy.nodocs", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}).items() if k != "docs"}], {"privacy.nodocs"}),
    "missing-section": ([{k: v for k, v in rule("privacy.nosection", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}).items() if k != "section"}], {"privacy.nosection"}),
    "missing-examples": ([rule("privacy.noexamples", {"data.sensitive": {"contains": "pii"}}, {"dimension": "privacy", "prefer": "none", "weight": 1}, quiet=[])], {"privacy.noexamples"}),
    "citation-domain": ([rule("privacy.blog", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=["https://medium.com/some-post"])], {"privacy.blog"}),
    "failing-example": ([rule("privacy.wrong-example", {"data.sensitive": {"contains": "financial"}}, {"dimension": "privacy", "prefer": "none", "weight": 1},
                              fires=[{"data": {"sensitive": ["pii"]}}])], {"privacy.wrong-example"}),
    "never-fires": ([rule("bqml_model.waits-for-automl", {"decision.approach": "automl"}, {"dimension": "bqml_model", "prefer": "kmeans", "weight": 2},
                          fires=[{"decisions": {"approach": "automl"}}])], {"bqml_model.waits-for-automl"}),
    "shadowed": ([rule("privacy.pii-none", {"data.sensitive": {"contains": "pii"}}, {"dimension": "privacy", "prefer": "none", "weight": 3},
                       fires=[{"data": {"sensitive": ["pii"]}}])], {"privacy.pii-none", "privacy.pii-requires-sdp"}),
    "redundant": ([rule("privacy.phi-requires-sdp", {"data.sensitive": {"contains": "phi"}}, {"dimension": "privacy", "require": "sensitive_data_protection"},
                        fires=[{"data": {"sensitive": ["phi"]}}])], {"privacy.phi-requires-sdp", "privacy.pii-requires-sdp"}),
    "hard-conflict": ([rule("privacy.financial-none", {"data.sensitive": {"contains": "financial"}}, {"dimension": "privacy", "require": "none"},
                            fires=[{"data": {"sensitive": ["financial"]}}])], set()),
    "fallback": ([rule("privacy.default", {"data.sensitive": {"present": True}}, {"dimension": "privacy", "prefer": "none", "weight": 1},
                       fires=[{"data": {"sensitive": ["financial"]}}])], set()),
    "incoherent": ([rule("serving_platform.device-on-device", {"serving.consumers": {"contains": "device"}}, {"dimension": "serving_platform", "prefer": "on_device", "weight": 5},
                         fires=[{"serving": {"consumers": ["device"]}}])], set()),
    "constraint-broken": ([rule("privacy.phi-prefers-none", {"data.sensitive": {"contains": "phi"}}, {"dimension": "privacy", "prefer": "none", "weight": 1},
                                fires=[{"data": {"sensitive": ["phi"]}}])], set()),
}


def variant(base: Path, check: str) -> Path:
    """The healthy base, changed to show ``check``."""
    entries, _ = CASES[check]
    if check in ("fallback", "constraint-broken"):  # replace rules of the base rather than add one
        kept = [r for r in healthy() if not (check == "fallback" and r["id"] == "privacy.default")]
        if check == "constraint-broken":
            kept = [r for r in kept if r["id"] != "privacy.pii-requires-sdp"] + [
                rule("privacy.pii-requires-sdp", {"data.sensitive": {"contains": "pii"}}, {"dimension": "privacy", "require": "sensitive_data_protection"},
                     [{"data": {"sensitive": ["pii"]}}], [{}])]
        write(base, "base.yaml", kept)
    write(base, "zz-change.yaml", entries)
    return base


@pytest.mark.parametrize("check", sorted(CASES))
def test_each_check_finds_its_problem_with_the_rules_involved(base, check):
    report = run_lint(variant(base, check))
    found = [f for f in report.failing if f.check == check]
    assert found, render_text(report)
    expected_rules = CASES[check][1]
    assert any(expected_rules <= set(f.rules) for f in found), [f.rules for f in found]
    for f in found:
        assert f.message and f.check in CHECKS


def test_a_broken_file_does_not_hide_the_others(base):
    write(base, "broken.yaml", "rules:\n  - id: [unclosed\n")
    report = run_lint(base)
    assert [f.check for f in report.failing] == ["yaml"]
    assert report.failing[0].file.endswith("broken.yaml") and report.failing[0].line
    assert report.rules == len(healthy())  # the good file was still read and checked


def test_duplicate_ids_across_files_are_reported_with_both_places(base):
    write(base, "zz-again.yaml", [healthy()[0]])
    (finding,) = [f for f in run_lint(base).failing if f.check == "duplicate-id"]
    assert finding.rules == ("approach.default",) and "base.yaml" in finding.message and finding.file.endswith("zz-again.yaml")


def test_a_dependency_cycle_names_the_rules_that_close_it(base):
    write(base, "cycle.yaml", [
        rule("privacy.after-encryption", {"decision.encryption": "cmek"}, {"dimension": "privacy", "prefer": "sensitive_data_protection", "weight": 1},
             fires=[{"decisions": {"encryption": "cmek"}}]),
        rule("encryption.after-privacy", {"decision.privacy": "sensitive_data_protection"}, {"dimension": "encryption", "prefer": "cmek", "weight": 1},
             fires=[{"decisions": {"privacy": "sensitive_data_protection"}}]),
    ])
    report = run_lint(base)
    (cycle,) = [f for f in report.failing if f.check == "dependency-cycle"]
    assert set(cycle.rules) == {"privacy.after-encryption", "encryption.after-privacy"}
    assert "privacy" in cycle.message and "encryption" in cycle.message


def test_findings_show_a_scenario_that_reproduces_them(base):
    report = run_lint(variant(base, "hard-conflict"))
    (conflict,) = [f for f in report.failing if f.check == "hard-conflict"]
    assert set(conflict.rules) == {"privacy.financial-none", "privacy.pii-requires-sdp"} and conflict.severity == "error"
    scenario = validate_mapping(conflict.scenario_data(), vocab=load_vocabulary())  # a valid scenario file, as printed
    with Engine(load_rulebook([base], load_vocabulary())) as engine:
        rec = engine.evaluate(scenario)
    assert set(conflict.rules) <= set(rec.fired) and rec.decisions["privacy"].conflicts
    assert scenario.facts == {"data.sensitive": ("pii", "financial")}  # shrunk to what shows it


def test_fallback_finding_is_the_smallest_scenario(base):
    report = run_lint(variant(base, "fallback"))
    (finding,) = [f for f in report.failing if f.check == "fallback"]
    assert finding.scenario.facts == {} and "privacy" in finding.message


def test_rules_only_a_review_can_reach_are_notes_not_failures(base):
    write(base, "review.yaml", [rule("automl_objective.needs-automl", {"data.modality": "image"}, {"dimension": "automl_objective", "prefer": "image_classification", "weight": 2},
                                     fires=[{"data": {"modality": "image"}, "decisions": {"approach": "automl"}}])])
    write(base, "no-automl.yaml", [
        rule("approach.no-automl-for-images", {"data.modality": "image"}, {"dimension": "approach", "forbid": ["automl"]},
             fires=[{"data": {"modality": "image"}}]),
        rule("approach.automl-for-tables", {"data.modality": "tabular"}, {"dimension": "approach", "prefer": "automl", "weight": 5},
             fires=[{"data": {"modality": "tabular"}}]),
    ])
    report = run_lint(base)
    notes = [f for f in report.findings if f.check == "review-only" and f.rules == ("automl_objective.needs-automl",)]
    assert len(notes) == 1 and notes[0].severity == "info"
    assert "approach.no-automl-for-images" in " ".join(notes[0].details)
    assert report.failing == []


def test_a_rule_waiting_for_a_decision_the_rules_never_make_there_is_unreached(base):
    write(base, "unreached.yaml", [
        rule("approach.images-automl", {"data.modality": "image"}, {"dimension": "approach", "prefer": "automl", "weight": 5},
             fires=[{"data": {"modality": "image"}}]),
        rule("automl_objective.tabular", {"data.modality": "tabular"}, {"dimension": "automl_objective", "prefer": "tabular_regression", "weight": 2},
             fires=[{"data": {"modality": "tabular"}, "decisions": {"approach": "automl"}}]),
    ])
    report = run_lint(base)
    (finding,) = [f for f in report.failing if f.check == "unreached"]
    assert finding.rules == ("automl_objective.tabular",) and finding.severity == "warning"
    assert any("approach" in d and "pretrained_api" in d for d in finding.details)  # what the rules decided instead


def test_constraint_not_enforced_when_only_a_preference_keeps_it(base):
    entries = [r for r in healthy() if r["id"] != "training_hardware.no-tpu-for-classical-ml"]
    write(base, "base.yaml", entries)
    report = run_lint(base)
    found = [f for f in report.failing if f.check == "constraint-not-enforced"]
    assert found and found[0].decisions["training_hardware"] == "tpu" and found[0].decisions["framework"] in ("scikit_learn", "xgboost")


# ------------------------------------------------------------ command line


def test_cli_exit_status_and_json(capsys, base):
    spec = str(spec_of(base))
    assert run_cli(capsys, "--rules", str(base), "lint", "--samples", "100", "--invariants", spec)[0] == 0
    variant(base, "hard-conflict")
    code, out, _ = run_cli(capsys, "--rules", str(base), "lint", "--samples", "100", "--format", "json", "--invariants", spec)
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"findings", "summary"} and data["summary"]["findings"] == len([f for f in data["findings"] if f["severity"] != "info"])
    conflict = next(f for f in data["findings"] if f["check"] == "hard-conflict")
    assert {"check", "severity", "rule", "rules", "file", "line", "message", "details", "scenario", "decisions"} == set(conflict)
    assert conflict["scenario"]["data"]["sensitive"] == ["pii", "financial"]


def test_cli_output_is_deterministic(capsys, base):
    variant(base, "shadowed")
    args = ("--rules", str(base), "lint", "--samples", "100", "--invariants", str(spec_of(base)))
    first = run_cli(capsys, *args)
    second = run_cli(capsys, *args)
    assert first == second and first[0] == 1 and "[shadowed]" in first[1] and "scenario (paste" in first[1]


def test_cli_check_filter_and_list(capsys, base):
    variant(base, "citation-domain")
    code, out, _ = run_cli(capsys, "--rules", str(base), "lint", "--check", "citation-domain", "--samples", "0", "--invariants", str(spec_of(base)))
    assert code == 1 and "[citation-domain]" in out and "[fallback]" not in out
    code, out, _ = run_cli(capsys, "lint", "--check", "list")
    assert code == 0 and all(name in out for name in CHECKS)


@pytest.mark.parametrize("args, message", [
    (["lint", "--check", "citation-domains"], "did you mean 'citation-domain'"),
    (["lint", "--samples", "-1"], "--samples"),
    (["--rules", "/no/such/folder", "lint"], "no such rule file or folder"),
    (["lint", "--invariants", "/no/such/invariants.yaml"], "no such file"),
])
def test_cli_bad_input_exits_2_with_one_line(capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and message in err and "Traceback" not in err


def test_lint_runs_on_the_bundled_rules_and_every_scenario_it_shows_is_valid():
    """The bundled rules change while authors work, so no golden findings: lint must
    run, and every scenario it prints must be a valid scenario file."""
    from mlarch.core.paths import bundled_rules_dir

    report = lint([bundled_rules_dir()], load_vocabulary(), samples=200)
    assert report.rules > 0
    for f in report.findings:
        assert f.check in CHECKS
        if f.scenario is not None:
            validate_mapping(f.scenario_data(), vocab=load_vocabulary())


# ------------------------------------------------------------ the invariants file


def test_invariants_file_is_checked_like_a_rule_file(tmp_path):
    from mlarch.core.errors import InputError
    from mlarch.lint.spec import load_invariants

    path = tmp_path / "invariants.yaml"
    path.write_text(
        "constraints:\n"
        "  - id: c\n    title: t\n    when: {decision.framwork: xgboost}\n    then: {dimension: training_hardware, forbid: [tpus]}\n"
        "coherence:\n"
        "  - id: k\n    title: t\n    when: always\n    expect: {decision.serving_mode: edge}\n    becaus: x\n"
        "monotonic:\n"
        "  - id: m\n    title: t\n    change: {fact: serving.latency_ms, direction: down}\n    keep: [{dimension: serving_mode, from: [online], never_to: [bach]}]\n"
    )
    with pytest.raises(InputError) as err:
        load_invariants(path, load_vocabulary())
    text = str(err.value)
    for expected in ("decision.framework", "'tpu'", "becaus", "direction", "'batch'"):
        assert expected in text, text
    assert ":4:" in text  # lines are reported


def test_the_bundled_invariants_name_the_constraints_of_the_issue():
    from mlarch.lint.spec import bundled_invariants

    found = {(c.dimension, c.verdict, c.choices) for c in bundled_invariants(load_vocabulary()).constraints}
    assert ("training_hardware", "forbid", ("tpu",)) in found
    assert ("serving_hardware", "forbid", ("edge_tpu", "mobile_cpu")) in found
    assert ("serving_platform", "forbid", ("bigquery_ml_predict",)) in found
    assert ("serving_platform", "forbid", ("vertex_endpoint_public",)) in found
    assert ("privacy", "require", ("sensitive_data_protection",)) in found


def test_an_extra_citation_outside_google_cloud_is_a_warning_a_lone_one_an_error(base):
    write(base, "cites.yaml", [
        rule("privacy.extra", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=DOCS + ["https://www.tensorflow.org/lite"]),
        rule("privacy.only-outside", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=["https://mlflow.org/docs"]),
    ])
    found = {f.rules[0]: f for f in lint([base], load_vocabulary(), samples=0, invariants=load_invariants(spec_of(base), load_vocabulary()), checks=["citation-domain"]).failing}
    assert found["privacy.extra"].severity == "warning" and "besides 1 Google Cloud page" in found["privacy.extra"].message
    assert found["privacy.only-outside"].severity == "error" and "cites no Google Cloud page (https://mlflow.org/docs" in found["privacy.only-outside"].message


def test_supplementary_documentation_is_accepted_only_besides_a_google_cloud_page(base):
    spec = spec_of(base)
    spec.write_text(SPEC.replace("  domains: [cloud.google.com, docs.cloud.google.com]",
                                 "  domains: [cloud.google.com, docs.cloud.google.com]\n  supplementary: [tensorflow.org, github.com/GoogleCloudPlatform]"))
    write(base, "cites.yaml", [
        rule("privacy.tf", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=DOCS + ["https://www.tensorflow.org/lite"]),
        rule("privacy.gcp-repo", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=DOCS + ["https://github.com/GoogleCloudPlatform/x"]),
        rule("privacy.other-repo", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=DOCS + ["https://github.com/someone/x"]),
        rule("privacy.tf-only", "always", {"dimension": "privacy", "prefer": "none", "weight": 1}, docs=["https://www.tensorflow.org/lite"]),
    ])
    found = {f.rules[0]: f.severity for f in lint([base], load_vocabulary(), samples=0, invariants=load_invariants(spec, load_vocabulary()), checks=["citation-domain"]).failing}
    assert found == {"privacy.other-repo": "warning", "privacy.tf-only": "error"}


def test_declared_review_only_rules_are_notes_and_checked_both_ways(base):
    write(base, "review.yaml", [
        rule("automl_objective.declared", {"data.modality": "image"}, {"dimension": "automl_objective", "prefer": "image_classification", "weight": 2},
             fires=[{"data": {"modality": "image"}, "decisions": {"approach": "automl"}}], review_only=True),
        rule("privacy.declared-but-fires", {"data.labeled": True}, {"dimension": "privacy", "prefer": "none", "weight": 1},
             fires=[{"data": {"labeled": True}}], review_only=True),
    ])
    report = run_lint(base)
    notes = [f for f in report.findings if f.rules == ("automl_objective.declared",)]
    assert [(f.check, f.severity) for f in notes] == [("review-only", "info")]
    (wrong,) = [f for f in report.failing if f.rules == ("privacy.declared-but-fires",)]
    assert wrong.severity == "warning" and "declared review_only but fires" in wrong.message


NO_CODE = {"team.prefers_no_code": True, "operations.hybrid_cloud": True, "constraints.exfiltration_risk": True}
CUSTOM = {"problem.custom_labels": True, "constraints.minimize_ops": True, "operations.code_changes_frequent": True}


def nested(facts: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ref, value in facts.items():
        group, name = ref.split(".")
        out.setdefault(group, {})[name] = value
    return out


def test_a_preference_that_never_wins_where_it_fires_is_outweighed(base):
    """A +1 preference that always meets a +2 preference for another choice on the same fact
    never wins: a warning. (Against a +1 default it would win: defaults only break ties.)
    Two +1 preferences for one choice win together (2 > 1): no warning (at most a note when
    only a search aimed at both found the win)."""
    pd = {"dimension": "data_processing", "weight": 1}
    write(base, "weights.yaml", [
        rule("data_processing.labelled-dataflow", {"data.labeled": True}, {**pd, "prefer": "dataflow"}, fires=[{"data": {"labeled": True}}]),
        rule("data_processing.labelled-sql", {"data.labeled": True}, {**pd, "prefer": "bigquery_sql", "weight": 2}, fires=[{"data": {"labeled": True}}]),
        # three facts each, so random scenarios almost never make both fire: the search must pair them
        rule("data_processing.no-code-dataproc", NO_CODE, {**pd, "prefer": "dataproc"}, fires=[nested(NO_CODE)]),
        rule("data_processing.custom-labels-dataproc", CUSTOM, {**pd, "prefer": "dataproc"}, fires=[nested(CUSTOM)]),
        rule("data_processing.strong-dataflow", {"data.streaming": True}, {**pd, "prefer": "dataproc_serverless", "weight": 3}, fires=[{"data": {"streaming": True}}]),
    ])
    report = run_lint(base)
    found = {f.rules[0]: f for f in report.findings if f.check == "outweighed"}
    lone = found["data_processing.labelled-dataflow"]
    assert lone.severity == "warning" and "another choice wins data_processing" in lone.message and lone.scenario is not None
    pair = [found[r] for r in ("data_processing.no-code-dataproc", "data_processing.custom-labels-dataproc") if r in found]
    assert all(f.severity == "info" and "aimed at it together with" in f.message for f in pair), render_text(report)
    assert "data_processing.strong-dataflow" not in found  # +3 beats the default where it fires
    assert "outweighed" in CHECKS


class _StubRun:
    """Just what `outweighed` reads from a lint run, with a search that fails alone and,
    when ``paired`` is set, succeeds once aimed at the rule together with an ally."""

    def __init__(self, book, fired, paired: bool):
        self.book, self.won, self.first_fired, self.paired = book, set(), dict.fromkeys(fired, "scenario"), paired
        self.finder = self
        self.seed_fired: dict = {}
        self.calls: list[int] = []

    def find(self, goals, predicate, budget=60, small=True, reads=None):
        self.calls.append(budget)
        alone = budget == 120  # the first search of each rule: its own condition
        return None if alone or not self.paired else "paired-scenario"

    def fires(self, rule, small=True):
        return "fires-scenario"

    def decided(self, scenario, dimension):
        return f"the engine decides {dimension} = bigquery_sql"


def test_outweighed_is_a_note_only_when_a_win_needs_an_ally(tmp_path):
    from mlarch.lint.checks import outweighed

    pd = {"dimension": "data_processing", "weight": 1}
    write(tmp_path, "r.yaml", [
        rule("data_processing.a", {"data.labeled": True}, {**pd, "prefer": "dataproc"}, fires=[{"data": {"labeled": True}}]),
        rule("data_processing.b", {"team.prefers_no_code": True}, {**pd, "prefer": "dataproc"}, fires=[{"team": {"prefers_no_code": True}}]),
    ])
    book = load_rulebook([tmp_path / "r.yaml"], load_vocabulary())
    rule_a = book.get("data_processing.a")
    paired = outweighed(_StubRun(book, ["data_processing.a"], paired=True), [rule_a], set())
    assert [(f.check, f.severity, f.rules) for f in paired] == [("outweighed", "info", ("data_processing.a", "data_processing.b"))]
    assert paired[0].scenario == "paired-scenario" and "together with data_processing.b" in paired[0].message
    alone = outweighed(_StubRun(book, ["data_processing.a"], paired=False), [rule_a], set())
    assert [(f.severity, f.rules, f.scenario) for f in alone] == [("warning", ("data_processing.a",), "fires-scenario")]
    won = _StubRun(book, ["data_processing.a"], paired=False)
    won.won.add("data_processing.a")
    assert outweighed(won, [rule_a], set()) == [] and won.calls == []  # a rule seen winning is not searched


def test_a_seed_where_a_rule_fires_and_its_choice_is_decided_counts_as_a_win(tmp_path):
    """The witness finder records which rules won in a seed (a bundled scenario or a rule's own
    example), and lint's run starts its set of winners from them, so such a rule is never
    reported as outweighed because the random samples missed its case."""
    from mlarch.analysis.domain import Domains
    from mlarch.analysis.sampling import Sampler
    from mlarch.analysis.witness import WitnessFinder

    pd = {"dimension": "data_processing"}
    write(tmp_path, "r.yaml", [
        rule("data_processing.weak", {"data.labeled": True}, {**pd, "prefer": "dataproc", "weight": 1}, fires=[{"data": {"labeled": True}}]),
        rule("data_processing.strong", {"data.labeled": True}, {**pd, "prefer": "bigquery_sql", "weight": 5}, fires=[{"data": {"labeled": True}}]),
    ])
    vocab = load_vocabulary()
    book = load_rulebook([tmp_path / "r.yaml"], vocab)
    seeds = [ex.scenario for r in book.rules for ex in r.fires]
    domains = Domains(vocab, book.rules)
    with Engine(book) as engine:
        finder = WitnessFinder(engine, domains, Sampler(vocab, domains, seeds), seeds)
    assert set(finder.seed_fired) == {"data_processing.weak", "data_processing.strong"}
    assert finder.seed_won == {"data_processing.strong"}


def test_equivalent_rules_are_one_finding_per_group(base):
    """Issue 11 item 7: N identical rules were N*(N-1)/2 findings (44,850 for 300)."""
    soft = [rule(f"privacy.same-{i}", {"data.sensitive": {"contains": "financial"}}, {"dimension": "privacy", "prefer": "none", "weight": 1},
                 fires=[{"data": {"sensitive": ["financial"]}}]) for i in range(6)]
    hard = [rule(f"privacy.twin-{i}", {"data.sensitive": {"contains": "phi"}}, {"dimension": "privacy", "require": "sensitive_data_protection"},
                 fires=[{"data": {"sensitive": ["phi"]}}]) for i in range(4)]
    siblings = [rule(f"privacy.region-{i}", {"data.residency": f"r{i}"}, {"dimension": "privacy", "prefer": "none", "weight": 1},
                     fires=[{"data": {"residency": f"r{i}"}}]) for i in range(6)]
    write(base, "zz-change.yaml", soft + hard + siblings)
    report = lint([base], load_vocabulary(), samples=0, seed=0, checks=["redundant"], invariants=load_invariants(spec_of(base), load_vocabulary()))
    redundant = [f for f in report.findings if f.check == "redundant"]
    groups = sorted(f.rules for f in redundant)
    assert tuple(f"privacy.same-{i}" for i in range(6)) in groups
    assert tuple(f"privacy.twin-{i}" for i in range(4)) in groups
    assert not any(r.startswith("privacy.region-") for f in redundant for r in f.rules)
    same = [f for f in redundant if f.rules[0] == "privacy.same-0"]
    assert len(same) == 1 and "(6 rules)" in same[0].message
