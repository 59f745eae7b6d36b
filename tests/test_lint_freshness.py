"""The freshness lint checks (engine/lint/freshness.py, issue 17): each finds what
it is for, stays quiet otherwise, and the bundled knowledge base passes them."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from mlarch.core.rulebook import Rule, load_rulebook
from mlarch.core.vocabulary import VOCABULARY_FILE, load_vocabulary, parse_vocabulary
from mlarch.lint.freshness import former_names, freshness, shut_down_preferred, stale_citations, unnamed_choices
from mlarch.lint.registry import BY_CODE

from .conftest import ROOT, run_cli
from .test_lint import rule

LATE = date(2026, 12, 1)  # after the Healthcare NL API's end (2026-05-27)
EARLY = date(2026, 1, 1)  # before it


def rules_of(tmp_path: Path, entries: list[dict[str, Any]]) -> tuple[Rule, ...]:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / "r.yaml").write_text(yaml.safe_dump({"rules": entries}, sort_keys=False))
    return load_rulebook([folder], load_vocabulary()).rules


def text_rule(rule_id: str, because: str, docs: list[str] | None = None, **then: Any) -> dict[str, Any]:
    entry = rule(rule_id, "always", then or {"dimension": "privacy", "prefer": "none", "weight": 1})
    entry["because"] = because
    if docs:
        entry["docs"] = docs
    return entry


def test_a_rule_preferring_a_shut_down_choice_is_reported_after_its_end_only(tmp_path):
    vocab = load_vocabulary()
    prefers = rule("ml_api.clinical", "always", {"dimension": "ml_api", "prefer": "healthcare_nl_api", "weight": 3})
    avoids = rule("ml_api.not-clinical", "always", {"dimension": "ml_api", "avoid": "healthcare_nl_api", "weight": 3})
    review_only = rule("ml_api.design-means", "always", {"dimension": "ml_api", "prefer": "healthcare_nl_api", "weight": 3}, review_only=True)
    current = rule("ml_api.video", "always", {"dimension": "ml_api", "prefer": "video_intelligence_api", "weight": 3})
    rules = rules_of(tmp_path, [prefers, avoids, review_only, current])
    late = shut_down_preferred(vocab, rules, LATE)
    assert [f.rules for f in late] == [("ml_api.clinical",)]
    assert "was shut down on 2026-05-27" in late[0].message and late[0].severity == "warning"
    assert shut_down_preferred(vocab, rules, EARLY) == []
    # deprecated but not yet shut down: not this check (the recommendation warns instead)
    assert [f.rules for f in shut_down_preferred(vocab, rules, date(2027, 9, 13))] == [("ml_api.clinical",)]
    assert [f.rules for f in shut_down_preferred(vocab, rules, date(2027, 9, 14))] == [("ml_api.clinical",), ("ml_api.video",)]


def test_every_choice_needs_a_current_name():
    assert unnamed_choices(load_vocabulary()) == []
    data = copy.deepcopy(yaml.safe_load(VOCABULARY_FILE.read_text()))
    del data["names"]["serving_hardware.edge_tpu"]
    found = unnamed_choices(parse_vocabulary(data))
    assert [f.message for f in found] == ["serving_hardware.edge_tpu has no current display name (names section of the vocabulary)"]


def test_a_former_name_without_the_current_one_is_flagged(tmp_path):
    vocab = load_vocabulary()
    rules = rules_of(tmp_path, [
        text_rule("privacy.old-only", "Run it on Dataproc Serverless."),
        text_rule("privacy.both", "Run it on Google Cloud Serverless for Apache Spark (formerly Dataproc Serverless)."),
        text_rule("privacy.longest", "Use Vertex AI Search for commerce."),  # AI Commerce Search, not Agent Search
        text_rule("privacy.still-in-docs", "Vertex AI Workbench and Vertex AI Platform notebooks."),  # former names Google still uses
        text_rule("privacy.retired", "Models from AI Platform Training."),
        text_rule("privacy.word", "TF Liteness is not a product."),  # whole words only
    ])
    found = {f.rules[0]: f.message for f in former_names(vocab, rules)}
    assert set(found) == {"privacy.old-only", "privacy.longest", "privacy.retired"}
    assert found["privacy.old-only"] == "privacy.old-only says 'Dataproc Serverless' but not its current name 'Google Cloud Serverless for Apache Spark'"
    assert "'AI Commerce Search'" in found["privacy.longest"] and "Agent Search" not in found["privacy.longest"]
    assert "'AI Platform Training'" in found["privacy.retired"]


def test_citations_outside_the_renamed_docs_tree_are_a_note(tmp_path):
    vocab = load_vocabulary()
    rules = rules_of(tmp_path, [
        text_rule("edge_export.old", "Export to LiteRT (formerly TensorFlow Lite).", ["https://cloud.google.com/vertex-ai/docs/export/export-edge-model"],
                  dimension="edge_export", prefer="coreml", weight=1),
        text_rule("edge_export.new", "Export to LiteRT.", ["https://ai.google.dev/edge/litert/models/convert"],
                  dimension="edge_export", prefer="coreml", weight=1),
        text_rule("edge_export.by-choice", "Export the model for phones.", ["https://cloud.google.com/vertex-ai/docs/export/export-edge-model"],
                  dimension="edge_export", prefer="tflite", weight=1),
        text_rule("data_processing.same-tree", "Serverless for Apache Spark batches.", ["https://docs.cloud.google.com/dataproc-serverless/docs/overview"],
                  dimension="data_processing", prefer="dataproc_serverless", weight=1),
        text_rule("notebook.still-in-docs", "Vertex AI Workbench instances.", ["https://cloud.google.com/vertex-ai/docs/workbench/introduction"],
                  dimension="notebook", prefer="vertex_workbench", weight=1),
    ])
    found = stale_citations(vocab, rules)
    assert sorted(f.rules[0] for f in found) == ["edge_export.by-choice", "edge_export.old"]
    assert all(f.severity == "info" and "ai.google.dev/edge/" in f.message for f in found)


def test_the_checks_are_registered_and_run_by_lint(capsys, tmp_path):
    entries = [text_rule("privacy.old-only", "Run it on Dataproc Serverless.")]
    folder = tmp_path / "rules"
    rules_of(tmp_path, entries)
    code, out, _ = run_cli(capsys, "--rules", str(folder), "lint", "--samples", "0", "--check", "former-name")
    assert code == 1 and "[former-name] privacy.old-only" in out
    clinical = [rule("ml_api.clinical", "always", {"dimension": "ml_api", "prefer": "healthcare_nl_api", "weight": 3})]
    (folder / "r.yaml").write_text(yaml.safe_dump({"rules": clinical}, sort_keys=False))
    code, out, _ = run_cli(capsys, "--rules", str(folder), "lint", "--samples", "0", "--check", "shut-down-preferred", "--as-of", "2026-01-01")
    assert code == 0, out
    code, out, _ = run_cli(capsys, "--rules", str(folder), "lint", "--samples", "0", "--check", "shut-down-preferred", "--as-of", "2026-06-01")
    assert code == 1 and "gone as of 2026-06-01" in " ".join(out.split())
    assert {"shut-down-preferred", "unnamed-choice", "former-name", "stale-citation"} <= set(BY_CODE)


def test_the_bundled_knowledge_base_is_fresh():
    """No rule argues for a product that is gone, uses only a former name, and every choice is named."""
    found = freshness(load_vocabulary(), load_rulebook([ROOT / "rules"], load_vocabulary()).rules)
    assert [f.message for f in found if f.severity != "info"] == []
