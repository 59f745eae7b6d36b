"""What `mlarch diagram` draws: a scenario file, or a design file
(interfaces.md section 3) whose proposed choices are drawn against the
recommendation for its scenario.

A design file is recognised by its top-level ``design`` key (a scenario
file has ``name`` and fact groups instead) and read by the review's own
loader (engine/core/designs.py), so `mlarch diagram` and `mlarch review` accept
exactly the same files with the same error messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlarch.core import yamlio
from mlarch.core.designs import load_design
from mlarch.core.scenario import Scenario, validate_mapping
from mlarch.core.vocabulary import Vocabulary


@dataclass(frozen=True)
class Drawable:
    scenario: Scenario
    design: dict[str, str] = field(default_factory=dict)
    is_design: bool = False


def load_drawable(path: str | Path | yamlio.Document, vocab: Vocabulary) -> Drawable:
    """A scenario file, or a design file with its scenario and choices (read once: it may be stdin)."""
    doc = yamlio.document(path)
    if isinstance(doc.data, dict) and "design" in doc.data:
        design = load_design(doc, vocab)
        return Drawable(design.scenario, dict(design.choices), True)
    return Drawable(validate_mapping(doc.data, doc.source, doc, vocab=vocab))
