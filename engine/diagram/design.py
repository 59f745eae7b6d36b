"""Reading what `mlarch diagram` draws: a scenario file, or a design file
(interfaces.md section 3) whose proposed choices are drawn against the
recommendation for its scenario.

A design file is recognised by its top-level ``design`` key; a scenario
file has ``name`` and fact groups instead. Every problem is an
:class:`InputError` with file, line, key path and the allowed values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import yamlio
from ..errors import InputError, Problem, did_you_mean
from ..scenario import Scenario, validate_mapping
from ..vocabulary import load_vocabulary

DESIGN_KEYS = ("scenario", "scenario_file", "design")


@dataclass(frozen=True)
class Drawable:
    scenario: Scenario
    design: dict[str, str] = field(default_factory=dict)
    is_design: bool = False


def load_drawable(path: str | Path) -> Drawable:
    """A scenario file, or a design file with its scenario and choices."""
    doc = yamlio.load(path)
    data = doc.data
    if not (isinstance(data, dict) and "design" in data):
        return Drawable(validate_mapping(data, doc.source, doc))
    problems = [doc.problem((key,), "unknown key", allowed=DESIGN_KEYS, suggestion=did_you_mean(key, DESIGN_KEYS))
                for key in data if key not in DESIGN_KEYS]
    if ("scenario" in data) == ("scenario_file" in data):
        problems.append(doc.problem((), "a design file needs exactly one of scenario (inline) or scenario_file (a path)",
                                    allowed=("scenario", "scenario_file")))
    problems += _design_problems(doc)
    if problems:
        raise InputError(doc.source, problems)
    if "scenario" in data:
        scenario = validate_mapping(data["scenario"], doc.source, doc, base=("scenario",),
                                    default_name=Path(doc.source).stem)
    else:
        ref = data["scenario_file"]
        if not isinstance(ref, str) or not ref.strip():
            raise InputError(doc.source, [doc.problem(("scenario_file",), "expected a path to a scenario file")])
        from ..scenario import load_scenario

        scenario = load_scenario(Path(doc.source).parent / ref)
    return Drawable(scenario, dict(data["design"]), True)


def _design_problems(doc: yamlio.Document) -> list[Problem]:
    vocab = load_vocabulary()
    design = doc.data["design"]
    if not isinstance(design, dict) or not design:
        return [doc.problem(("design",), "expected a mapping of dimension: choice", allowed=tuple(vocab.dimensions))]
    problems = []
    for dim, choice in design.items():
        spec = vocab.dimensions.get(dim)
        if spec is None:
            problems.append(doc.problem(("design", dim), "unknown dimension", allowed=tuple(vocab.dimensions),
                                        suggestion=did_you_mean(dim, vocab.dimensions)))
        elif not isinstance(choice, str) or choice not in spec.choices:
            problems.append(doc.problem(("design", dim), f"invalid choice {choice!r}", allowed=tuple(spec.choices),
                                        suggestion=did_you_mean(choice, spec.choices)))
    return problems
