"""The vocabulary in a terminal: `mlarch facts` and `mlarch choices`.

The same data as docs/scenarios.md and docs/dimensions.md (reference.py),
read from the vocabulary, for people who have the command but not the docs.
"""

from __future__ import annotations

from typing import Any

from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.textfmt import wrap
from mlarch.core.vocabulary import STAGES, DimensionSpec, FactSpec, Vocabulary
from mlarch.rulebase.reference import fact_kind


def select_facts(vocab: Vocabulary, prefix: str | None) -> list[FactSpec]:
    """Facts whose id is ``prefix`` or starts with it (``data`` or ``data.`` for a group)."""
    facts = [s for s in vocab.facts.values() if s.group is not None]
    if not prefix:
        return facts
    stem = prefix.rstrip(".")
    found = [s for s in facts if s.id == stem or s.id.startswith(stem + ".") or s.id.startswith(prefix)]
    if not found:
        known = sorted({s.id for s in facts} | {s.group for s in facts if s.group})
        raise InputError.single(None, "PREFIX", f"no fact starts with {prefix!r}", sorted({s.group for s in facts if s.group}),
                                did_you_mean(prefix, known))
    return found


def facts_text(specs: list[FactSpec]) -> str:
    lines: list[str] = []
    for spec in specs:
        lines.append(f"{spec.id}  ({fact_kind(spec)})")
        if spec.doc:
            lines += wrap(spec.doc, "    ")
        lines += _values_text(spec.values)
        if spec.exclusive:
            lines += wrap(f"({', '.join(spec.exclusive)} cannot be combined with other values)", "    ")
    return "\n".join(lines) + "\n"


def _values_text(values: dict[str, str] | Any) -> list[str]:
    if not values:
        return []
    width = min(max(map(len, values)), 28)
    lines: list[str] = []
    for value, doc in values.items():
        if not doc:
            lines.append(f"    {value}")
        elif len(value) > width:
            lines.append(f"    {value}")
            lines += wrap(doc, " " * (6 + width))
        else:
            lines += wrap(doc, f"    {value:<{width}}  ", " " * (6 + width))
    return lines


def facts_dict(specs: list[FactSpec]) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "type": s.type, "doc": s.doc, "values": dict(s.values), "minimum": s.minimum, "exclusive": list(s.exclusive),
         "ordered": s.ordered}
        for s in specs
    ]


def select_dimensions(vocab: Vocabulary, dimension: str | None) -> list[DimensionSpec]:
    if dimension is None:
        return [spec for stage in STAGES for spec in vocab.dimensions.values() if spec.stage == stage]
    if dimension not in vocab.dimensions:
        raise InputError.single(None, "DIMENSION", f"unknown dimension {dimension!r}", list(vocab.dimensions),
                                did_you_mean(dimension, vocab.dimensions))
    return [vocab.dimensions[dimension]]


def choices_text(vocab: Vocabulary, specs: list[DimensionSpec]) -> str:
    lines: list[str] = []
    for spec in specs:
        lines.append(f"{spec.id}  ({spec.stage}; applies when: {spec.applies_when.text})")
        if spec.doc:
            lines += wrap(spec.doc, "    ")
        lines += _values_text({c: _meaning(vocab, spec.id, c, doc) for c, doc in spec.choices.items()})
    return "\n".join(lines) + "\n"


def _meaning(vocab: Vocabulary, dimension: str, choice: str, doc: str) -> str:
    note = vocab.lifecycle_text(dimension, choice)
    named = f"{vocab.display(dimension, choice)}." if vocab.name(dimension, choice) else ""
    return " ".join(p for p in (named, doc.strip(), f"Lifecycle: {note}" if note else "") if p)


def _formerly(vocab: Vocabulary, dimension: str, choice: str) -> str | None:
    named = vocab.name(dimension, choice)
    return named.former[0] if named and named.former else None


def choices_dict(vocab: Vocabulary, specs: list[DimensionSpec]) -> list[dict[str, Any]]:
    return [
        {"id": s.id, "stage": s.stage, "doc": s.doc, "applies_when": s.applies_when.text,
         "choices": {c: {"doc": d, "name": vocab.name_of(s.id, c), "formerly": _formerly(vocab, s.id, c),
                         "deprecated": vocab.lifecycle_text(s.id, c) if vocab.deprecated.get(f"{s.id}.{c}") else None,
                         "lifecycle": vocab.lifecycle_text(s.id, c)} for c, d in s.choices.items()}}
        for s in specs
    ]
