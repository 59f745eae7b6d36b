"""`mlarch facts` and `mlarch choices`: the vocabulary reference in a terminal."""

from __future__ import annotations

import json

from mlarch.core.vocabulary import load_vocabulary

from .conftest import run_cli


def headings(out: str) -> list[str]:
    return [line.split("  ")[0] for line in out.splitlines() if line and not line.startswith(" ")]


def test_facts_lists_every_fact_a_scenario_may_state(capsys):
    vocab = load_vocabulary()
    code, out, _ = run_cli(capsys, "facts")
    assert code == 0
    assert headings(out) == [s.id for s in vocab.facts.values() if s.group]
    assert all(len(line) <= 80 for line in out.splitlines())


def test_facts_by_group_or_fact_with_values_and_meanings(capsys):
    vocab = load_vocabulary()
    code, out, _ = run_cli(capsys, "facts", "data")
    assert code == 0 and headings(out) == [f for f in vocab.facts if f.startswith("data.")]
    code, out, _ = run_cli(capsys, "facts", "data.sensitive")
    assert headings(out) == ["data.sensitive"] and out.startswith("data.sensitive  (list of)")
    assert "    pii        Personally identifiable information." in out
    assert "(none cannot be combined with other values)" in out


def test_facts_json_carries_the_vocabulary(capsys):
    vocab = load_vocabulary()
    code, out, _ = run_cli(capsys, "facts", "team", "-f", "json")
    data = json.loads(out)
    assert code == 0 and [d["id"] for d in data] == [f for f in vocab.facts if f.startswith("team.")]
    skills = next(d for d in data if d["id"] == "team.skills")
    assert skills["type"] == "set" and skills["values"] == dict(vocab.facts["team.skills"].values)


def test_an_unknown_prefix_or_dimension_is_an_input_error_with_a_suggestion(capsys):
    code, out, err = run_cli(capsys, "facts", "dta")
    assert code == 2 and out == "" and "(did you mean 'data'?)" in err
    code, out, err = run_cli(capsys, "choices", "aproach")
    assert code == 2 and out == "" and err.startswith("DIMENSION: unknown dimension 'aproach' (did you mean 'approach'?)")


def test_choices_lists_every_dimension_or_one_with_deprecations(capsys):
    vocab = load_vocabulary()
    code, out, _ = run_cli(capsys, "choices")
    assert code == 0 and sorted(headings(out)) == sorted(vocab.dimensions)
    code, out, _ = run_cli(capsys, "choices", "explainability")
    spec = vocab.dimensions["explainability"]
    assert out.startswith(f"explainability  (governance; applies when: {spec.applies_when.text})")
    listed = [line.split()[0] for line in out.splitlines()[1:] if line.startswith("    ") and not line.startswith("     ")]
    assert listed == list(spec.choices)
    assert "Lifecycle: Deprecated from 2026-03-16; ends on 2027-03-16." in " ".join(out.split())
    data = json.loads(run_cli(capsys, "choices", "explainability", "-f", "json")[1])
    assert list(data[0]["choices"]) == list(spec.choices) and data[0]["choices"]["xrai"]["deprecated"]


def test_graded_facts_say_their_values_are_in_order(capsys):
    """The next grade of an ordered enum is a small change (knife-edge): `mlarch facts` says which."""
    vocab = load_vocabulary()
    ordered = [f for f, s in vocab.facts.items() if s.ordered]
    assert "problem.time_to_market" in ordered and "data.modality" not in ordered
    code, out, _ = run_cli(capsys, "facts")
    marked = [line.split("  (")[0] for line in out.splitlines() if line.endswith("(one of, in order)")]
    assert code == 0 and marked == ordered
    code, out, _ = run_cli(capsys, "facts", "problem", "-f", "json")
    data = {d["id"]: d for d in json.loads(out)}
    assert data["problem.time_to_market"]["ordered"] is True and data["problem.task"]["ordered"] is False
