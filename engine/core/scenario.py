"""Scenario files: loading and validating them with precise errors, and the
JSON Schema editors use.

A validated :class:`Scenario` keeps the facts the user stated, flat and
keyed by fact id (``"data.location"``). Absent facts are simply missing:
the engine never invents a value for them.

The rules of a valid file live in one place, the pydantic model built from
the vocabulary (engine/core/scenario_model.py). Building it costs about
0.1 s, most of a CLI run's start-up, so a file is first checked by
:func:`_valid_facts`, a direct check that accepts only what the model
accepts and gives the same result; anything it does not accept outright
(an error, or anything unusual) goes through the model, so every error
message comes from there (tests/test_inputs.py checks both agree).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from mlarch.core import yamlio
from mlarch.core.errors import InputError, Problem
from mlarch.core.vocabulary import MAX_NUMBER, Vocabulary

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"
MAX_TEXT = 4000
SCHEMA_ID = "https://github.com/mlarch/mlarch/scenario.schema.json"

FactValue = Any  # str | bool | int | float | tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its name, description and stated facts."""

    name: str
    facts: Mapping[str, FactValue]  # fact id -> value; sets are tuples in vocabulary order
    description: str = ""
    source: str | None = None
    expect: Mapping[str, str] = field(default_factory=dict)  # dimension -> expected choice (for `mlarch check`)

    def get(self, fact_id: str) -> FactValue:
        return self.facts.get(fact_id)

    def stated(self, fact_id: str) -> bool:
        return fact_id in self.facts

    def to_nested(self) -> dict[str, Any]:
        """The scenario as the nested mapping a YAML file would hold."""
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        for fact_id, value in self.facts.items():
            group, _, name = fact_id.partition(".")
            out.setdefault(group, {})[name] = list(value) if isinstance(value, tuple) else value
        return out

    def with_facts(self, changes: Mapping[str, FactValue | None], vocab: Vocabulary) -> "Scenario":
        """A copy with some facts set (None removes a fact), in ``vocab``'s order. Values must be valid."""
        facts = dict(self.facts)
        for key, value in changes.items():
            if value is None:
                facts.pop(key, None)
            else:
                facts[key] = value
        ordered = {fid: facts[fid] for fid in vocab.facts if fid in facts}
        return Scenario(self.name, ordered, self.description, self.source, self.expect)


# --------------------------------------------------------------------- checks


def allowed_keys(vocab: Vocabulary, group: str | None) -> list[str]:
    if group is None:
        return ["name", "description", *vocab.groups, "expect"]
    if group == "expect":
        return list(vocab.dimensions)
    return [spec.name for spec in vocab.facts.values() if spec.group == group]


def validate_mapping(
    data: Any,
    source: str | None = None,
    doc: yamlio.Document | None = None,
    base: tuple = (),
    default_name: str | None = None,
    *,
    vocab: Vocabulary,
) -> Scenario:
    """Validate an already-parsed scenario mapping against ``vocab``; raise :class:`InputError`."""
    if not isinstance(data, dict):
        line = doc.line_of(base) if doc else None
        raise InputError(source, [Problem(yamlio.format_path(base), "expected a mapping with name and fact groups", tuple(allowed_keys(vocab, None)), None, line)])
    if default_name is not None and "name" not in data:
        data = {"name": default_name, **data}
    fast = _valid_facts(data, vocab)
    if fast is not None:
        name, description, facts, expect = fast
        return Scenario(name, facts, description, source, expect)
    return _validate_with_model(data, source, doc, base, vocab)


def _validate_with_model(data: Any, source: str | None, doc: yamlio.Document | None, base: tuple, vocab: Vocabulary) -> Scenario:
    """Validate with the pydantic model: the reference, and every error message."""
    from pydantic import ValidationError

    from mlarch.core.scenario_model import problem_from_pydantic, scenario_model

    try:
        model = scenario_model(vocab).model_validate(data)
    except ValidationError as exc:
        problems = [problem_from_pydantic(e, doc, base, vocab, data) for e in exc.errors()]
        raise InputError(source, problems) from None
    facts: dict[str, Any] = {}
    for spec in vocab.facts.values():
        if spec.group is None:
            continue
        group = getattr(model, spec.group)
        if group is None:
            continue
        value = getattr(group, spec.name)
        if value is not None:
            facts[spec.id] = value
    expect = {d: c for d, c in (model.expect.model_dump() if model.expect else {}).items() if c is not None}
    return Scenario(model.name, facts, model.description or "", source, expect)


_NAME = re.compile(NAME_PATTERN[1:-1])  # fullmatch: Python's $ would also accept a trailing newline


def _valid_facts(data: Mapping[str, Any], vocab: Vocabulary) -> tuple[str, str, dict[str, Any], dict[str, str]] | None:
    """(name, description, facts, expectations) when ``data`` is plainly valid,
    exactly as the pydantic model would give them; None for anything else
    (the model then decides, and words the errors)."""
    name = data.get("name")
    if type(name) is not str or not _NAME.fullmatch(name):
        return None
    description = data.get("description")
    if description is not None and (type(description) is not str or len(description) > MAX_TEXT):
        return None
    fields = _fact_fields(vocab)
    stated: dict[str, Any] = {}
    expect_data = None
    for key, group in data.items():
        if key in ("name", "description"):
            continue
        if key == "expect":
            expect_data = group
            continue
        names = fields.get(key) if type(key) is str else None
        if names is None or (group is not None and type(group) is not dict):
            return None
        for fact_name, value in (group or {}).items():
            spec = names.get(fact_name) if type(fact_name) is str else None
            if spec is None:
                return None
            if value is None:
                continue
            checked = _valid_value(spec, value)
            if checked is None:
                return None
            stated[spec.id] = checked
    expect: dict[str, str] = {}
    if expect_data is not None:
        if type(expect_data) is not dict:
            return None
        for dim, choice in expect_data.items():
            spec = vocab.dimensions.get(dim) if type(dim) is str else None
            if spec is None or (choice is not None and (type(choice) is not str or choice not in spec.choices)):
                return None
        expect = {d: expect_data[d] for d in vocab.dimensions if expect_data.get(d) is not None}
    facts = {fid: stated[fid] for fid in vocab.facts if fid in stated}
    return name, description or "", facts, expect


def _valid_value(spec: Any, value: Any) -> Any:
    """The value as the model stores it, or None when the model might refuse it."""
    kind = spec.type
    if kind == "enum":
        return value if type(value) is str and value in spec.values else None
    if kind == "bool":
        return value if type(value) is bool else None
    if kind == "set":
        if type(value) is not list or any(type(v) is not str or v not in spec.values for v in value):
            return None
        unique = tuple(v for v in spec.values if v in value)
        if len(unique) > 1 and any(e in unique for e in spec.exclusive):
            return None
        return unique
    if kind in ("number", "integer"):
        if type(value) is int:
            pass
        elif type(value) is float and math.isfinite(value):
            if kind == "integer":
                if not value.is_integer():
                    return None
                value = int(value)
        else:
            return None
        if (spec.minimum is not None and value < spec.minimum) or value > MAX_NUMBER:
            return None
        return value
    return value if type(value) is str and len(value) <= MAX_TEXT else None


_FIELDS: dict[Vocabulary, dict[str, dict[str, Any]]] = {}  # one vocabulary at a time


def _fact_fields(vocab: Vocabulary) -> dict[str, dict[str, Any]]:
    """Group -> fact name -> spec, for the direct check (per vocabulary)."""
    found = _FIELDS.get(vocab)
    if found is None:
        found = {g: {} for g in vocab.groups}
        for spec in vocab.facts.values():
            if spec.group is not None:
                found[spec.group][spec.name] = spec
        _FIELDS.clear()
        _FIELDS[vocab] = found
    return found


def load_scenario(path: str | Path | yamlio.Document, *, vocab: Vocabulary) -> Scenario:
    """Load and validate one scenario file (or an already parsed document)."""
    doc = yamlio.document(path)
    return validate_mapping(doc.data, doc.source, doc, vocab=vocab)


def json_schema(vocab: Vocabulary) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, for editors and CI."""
    from mlarch.core.scenario_model import scenario_model

    schema = scenario_model(vocab).model_json_schema()
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mlarch scenario",
        "description": "An ML problem on Google Cloud, described by facts from the mlarch vocabulary.",
    }
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out
