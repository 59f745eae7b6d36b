"""Design and question files: a scenario plus proposed choices (interfaces.md section 3).

A *design file* names a scenario (inline under ``scenario:`` or as
``scenario_file:`` relative to the design file) and the choices the team
proposes (``design:``, dimension -> choice). Review, answer and diagram all
read designs through this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from mlarch.core import yamlio
from mlarch.core.errors import InputError, Problem, did_you_mean
from mlarch.core.scenario import Scenario, load_scenario, validate_mapping
from mlarch.core.vocabulary import Vocabulary

DESIGN_KEYS = ("name", "description", "scenario", "scenario_file", "design")


@dataclass(frozen=True)
class Design:
    """A validated design: the scenario, the proposed choices and where they are written."""

    name: str
    scenario: Scenario
    choices: Mapping[str, str]  # dimension -> choice, vocabulary order
    source: str | None = None  # the design (or question) file
    lines: Mapping[str, int] = field(default_factory=dict)  # dimension -> line of its key
    line: int | None = None  # line of the `design:` (or option) key
    description: str = ""


def scenario_from(doc: yamlio.Document, data: Mapping[str, Any], default_name: str, vocab: Vocabulary) -> tuple[Scenario, list[Problem]]:
    """The scenario of a design or question file: inline ``scenario:`` or ``scenario_file:``.

    Returns the scenario (or a placeholder when there are problems) and the
    problems found in *this* file; a broken scenario file raises its own
    :class:`InputError`, which names that file.
    """
    problems: list[Problem] = []
    inline, ref = "scenario" in data, "scenario_file" in data
    if inline and ref:
        problems.append(doc.problem(("scenario_file",), "give either scenario or scenario_file, not both"))
    elif not inline and not ref:
        problems.append(doc.problem((), "required key is missing: scenario (inline) or scenario_file (a path relative to this file)"))
    elif ref:
        value = data["scenario_file"]
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.problem(("scenario_file",), f"expected a file path, got {value!r}"))
        else:
            path = Path(doc.source).parent / value
            if not path.is_file():
                problems.append(doc.problem(("scenario_file",), f"no such scenario file {value!r} (looked for {path})"))
            else:
                return load_scenario(path, vocab=vocab), problems
    else:
        try:
            return validate_mapping(data["scenario"], doc.source, doc, ("scenario",), default_name=default_name, vocab=vocab), problems
        except InputError as exc:
            problems += exc.problems
    return Scenario(default_name, {}), problems


def parse_choices(value: Any, doc: yamlio.Document, path: tuple, vocab: Vocabulary) -> tuple[dict[str, str], dict[str, int], list[Problem]]:
    """Validate a mapping dimension -> choice; every problem names its line and key path."""
    problems: list[Problem] = []
    if not isinstance(value, dict):
        kind = "nothing" if value is None else type(value).__name__
        problems.append(doc.problem(path, f"expected a mapping of dimension: choice, got {kind}", allowed=tuple(vocab.dimensions)))
        return {}, {}, problems
    choices: dict[str, str] = {}
    lines: dict[str, int] = {}
    for dim, choice in value.items():
        sub = path + (dim,)
        spec = vocab.dimensions.get(dim)
        if spec is None:
            problems.append(doc.problem(sub, "unknown dimension", allowed=tuple(vocab.dimensions), suggestion=did_you_mean(dim, vocab.dimensions)))
            continue
        if isinstance(choice, str) and choice not in spec.choices:
            choice = vocab.choice_named(dim, choice) or choice  # a current or former product name (issue 17)
        if not isinstance(choice, str) or choice not in spec.choices:
            shown = "nothing" if choice is None else repr(choice)
            problems.append(doc.problem(sub, f"invalid choice {shown}", allowed=tuple(spec.choices), suggestion=_suggest(vocab, dim, choice)))
            continue
        choices[dim] = choice
        lines[dim] = doc.line_of(sub) or 0
    ordered = {d: choices[d] for d in vocab.dimensions if d in choices}
    return ordered, lines, problems


def _suggest(vocab: Vocabulary, dim: str, written: Any) -> str | None:
    """Did-you-mean over the dimension's choice ids, then over their names (answered with the id)."""
    spec = vocab.dimensions[dim]
    close = did_you_mean(written, spec.choices)
    if close or not isinstance(written, str):
        return close
    spellings = {s: c for c in spec.choices if (n := vocab.name(dim, c)) for s in n.spellings()}
    named = did_you_mean(written, spellings)
    return spellings[named] if named else None


def text_field(doc: yamlio.Document, data: Mapping[str, Any], key: str, problems: list[Problem]) -> str:
    value = data.get(key, "")
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        problems.append(doc.problem((key,), f"expected text, got {value!r}"))
        return ""
    return " ".join(value.split())


def open_mapping(path: str | Path | yamlio.Document, keys: tuple[str, ...], what: str) -> tuple[yamlio.Document, dict, list[Problem]]:
    """Load a ``what`` file that must be a mapping with only ``keys``; unknown keys become problems."""
    doc = yamlio.document(path)
    if not isinstance(doc.data, dict):
        raise InputError(doc.source, [doc.problem((), f"a {what} file is a mapping", allowed=keys)])
    problems = [doc.problem((k,), "unknown key", allowed=keys, suggestion=did_you_mean(k, keys)) for k in doc.data if k not in keys]
    return doc, doc.data, problems


def load_design(path: str | Path | yamlio.Document, vocab: Vocabulary) -> Design:
    """Load and validate a design file against ``vocab``; raise :class:`InputError` with every problem."""
    doc, data, problems = open_mapping(path, DESIGN_KEYS, "design")
    stem = yamlio.source_stem(doc.source)
    scenario, found = scenario_from(doc, data, stem, vocab)
    problems += found
    if "design" not in data:
        problems.append(doc.problem((), "required key is missing: design (a mapping of dimension: choice)"))
        choices, lines = {}, {}
    else:
        choices, lines, found = parse_choices(data["design"], doc, ("design",), vocab)
        problems += found
    name = text_field(doc, data, "name", problems) or stem
    description = text_field(doc, data, "description", problems)
    if problems:
        raise InputError(doc.source, problems)
    return Design(name, scenario, choices, doc.source, lines, doc.line_of(("design",)), description)
