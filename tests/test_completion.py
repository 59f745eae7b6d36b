"""Shell completion completes vocabulary names, bundled examples and formats, not only commands.

Driven through click's own completion machinery (what `_MLARCH_COMPLETE`
runs), so the callbacks are tested where the shell would call them.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.shell_completion import ShellComplete

from mlarch.cli.app import cli
from mlarch.core import bundled
from mlarch.core.vocabulary import load_vocabulary


def complete(line: str) -> list[str]:
    """Completions for the command line ``line`` (its last word is the one being typed)."""
    words = line.split(" ")
    return [item.value for item in ShellComplete(cli, {}, "mlarch", "_MLARCH_COMPLETE").get_completions(words[:-1], words[-1])]


def test_commands_complete_including_lazy_features():
    assert {"recommend", "review", "what-if", "facts", "choices"} <= set(complete(""))
    assert complete("wh") == ["what-if", "why-not"]


def test_dimension_names_complete():
    vocab = load_vocabulary()
    assert complete("explain x -d expl") == ["explainability"]
    assert complete("rules -d serving_") == [d for d in vocab.dimensions if d.startswith("serving_")]
    assert complete("choices ") == list(vocab.dimensions)


def test_choices_complete_for_the_dimension_already_typed():
    approach = load_vocabulary().dimensions["approach"].choices
    assert complete("why-not x approach ") == sorted(approach)
    assert complete("why-not x serving_mode b") == ["batch"]


def test_fact_paths_and_their_values_complete_for_what_if():
    vocab = load_vocabulary()
    assert complete("what-if x --set data.mod") == ["data.modality"]
    assert complete("what-if x --set data.modality=t") == [
        f"data.modality={v}" for v in vocab.facts["data.modality"].values if v.startswith("t")]
    assert complete("what-if x --set data.labeled=") == ["data.labeled=true", "data.labeled=false"]
    assert complete("what-if x --unset team.") == [f for f in vocab.facts if f.startswith("team.")]
    assert complete("facts d") == ["data"]


def test_bundled_example_names_complete_by_the_kind_each_command_reads():
    designs = [n for n, e in bundled.catalog().items() if e.kind == "designs"]
    assert complete("review ")[:-1] == designs  # then the shell's own file completion
    assert complete("recommend churn-b")[:-1] == ["churn-bigquery-sql-team"]
    assert complete("answer 1.1-")[:-1] == [n for n in bundled.catalog(("questions",)) if n.startswith("1.1-")]
    assert "churn-custom-tpu" in complete("diagram churn-")  # scenarios and designs


@pytest.mark.parametrize("line, expected", [
    ("recommend x -f ", ["text", "json", "yaml", "markdown"]),
    ("review x -f ", ["text", "json", "markdown", "sarif"]),
])
def test_formats_complete(line, expected):
    assert complete(line) == expected


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o nosort -F"), ("zsh", "compdef"), ("fish", "complete --no-files --command mlarch")])
def test_the_documented_activation_scripts_are_produced(shell, marker):
    out = subprocess.run([sys.executable, "-m", "mlarch"], env={**os.environ, "_MLARCH_COMPLETE": f"{shell}_source"},
                         capture_output=True, text=True, check=True)
    assert marker in out.stdout
