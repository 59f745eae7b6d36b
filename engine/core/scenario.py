"""Scenario files: the pydantic model derived from the vocabulary, loading
with precise errors, and the JSON Schema editors use.

A validated :class:`Scenario` keeps the facts the user stated, flat and
keyed by fact id (``"data.location"``). Absent facts are simply missing:
the engine never invents a value for them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Mapping, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    ValidationError,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from mlarch.core import yamlio
from mlarch.core.errors import InputError, Problem, did_you_mean
from mlarch.core.vocabulary import MAX_NUMBER, FactSpec, Vocabulary, load_vocabulary

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

    def with_facts(self, changes: Mapping[str, FactValue | None]) -> "Scenario":
        """A copy with some facts set (None removes a fact). Values must be valid."""
        facts = dict(self.facts)
        for key, value in changes.items():
            if value is None:
                facts.pop(key, None)
            else:
                facts[key] = value
        vocab = load_vocabulary()
        ordered = {fid: facts[fid] for fid in vocab.facts if fid in facts}
        return Scenario(self.name, ordered, self.description, self.source, self.expect)


# --------------------------------------------------------------------- model


def _number_validator(spec: FactSpec, integer: bool):
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PydanticCustomError("mlarch_type", "expected {kind}", {"kind": "an integer" if integer else "a number"})
        if integer and not isinstance(value, int):
            if float(value).is_integer():
                value = int(value)
            else:
                raise PydanticCustomError("mlarch_type", "expected {kind}", {"kind": "an integer"})
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("mlarch_range", "must be a finite number", {})
        if spec.minimum is not None and value < spec.minimum:
            raise PydanticCustomError("mlarch_range", "must be at least {min}", {"min": spec.minimum})
        if value > MAX_NUMBER:
            raise PydanticCustomError("mlarch_range", "must be at most {max}", {"max": MAX_NUMBER})
        return value

    return check


def _text_validator(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("mlarch_type", "expected {kind}", {"kind": "text"})
    if len(value) > MAX_TEXT:
        raise PydanticCustomError("mlarch_range", "text longer than {max} characters", {"max": MAX_TEXT})
    return value


def _set_normalizer(spec: FactSpec):
    order = list(spec.values)

    def normalize(values: list[str]) -> tuple[str, ...]:
        unique = sorted(set(values), key=order.index)
        for excl in spec.exclusive:
            if excl in unique and len(unique) > 1:
                raise PydanticCustomError(
                    "mlarch_exclusive", "'{value}' cannot be combined with other values", {"value": excl}
                )
        return tuple(unique)

    return normalize


def _field_type(spec: FactSpec) -> Any:
    if spec.type == "enum":
        return Literal[tuple(spec.values)]  # type: ignore[misc]
    if spec.type == "set":
        item = Literal[tuple(spec.values)]  # type: ignore[misc]
        return Annotated[list[item], AfterValidator(_set_normalizer(spec))]  # type: ignore[valid-type]
    if spec.type == "bool":
        return StrictBool
    if spec.type in ("number", "integer"):
        schema: dict[str, Any] = {"type": "integer" if spec.type == "integer" else "number", "maximum": MAX_NUMBER}
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        return Annotated[Any, PlainValidator(_number_validator(spec, spec.type == "integer")), WithJsonSchema(schema)]
    return Annotated[Any, PlainValidator(_text_validator), WithJsonSchema({"type": "string", "maxLength": MAX_TEXT})]


def _describe(spec: FactSpec) -> str:
    parts = [spec.doc] if spec.doc else []
    documented = [f"{k}: {v}" for k, v in spec.values.items() if v]
    if documented:
        parts.append("Values — " + "; ".join(documented))
    return " ".join(parts)


@lru_cache(maxsize=1)
def scenario_model() -> type[BaseModel]:
    """The pydantic model of a scenario file, built from the vocabulary."""
    vocab = load_vocabulary()
    config = ConfigDict(extra="forbid", strict=True)
    group_models: dict[str, Any] = {}
    for group in vocab.groups:
        fields: dict[str, Any] = {}
        for spec in vocab.facts.values():
            if spec.group == group:
                fields[spec.name] = (Optional[_field_type(spec)], Field(default=None, description=_describe(spec) or None))
        group_models[group] = create_model(f"{group.title()}Facts", __config__=config, **fields)
    top: dict[str, Any] = {
        "name": (
            Annotated[str, Field(pattern=NAME_PATTERN)],
            Field(description=vocab.facts["name"].doc),
        ),
        "description": (
            Optional[Annotated[Any, PlainValidator(_text_validator), WithJsonSchema({"type": "string"})]],
            Field(default=None, description=vocab.facts["description"].doc),
        ),
    }
    for group, model in group_models.items():
        top[group] = (Optional[model], Field(default=None))
    expect_fields = {
        dim: (Optional[Literal[tuple(spec.choices)]], Field(default=None, description=spec.doc or None))  # type: ignore[misc]
        for dim, spec in vocab.dimensions.items()
    }
    expect_model = create_model("Expectations", __config__=config, **expect_fields)
    top["expect"] = (
        Optional[expect_model],
        Field(default=None, description="mlarch addition: decisions this scenario is expected to get (checked by `mlarch check` and the tests)."),
    )
    return create_model("Scenario", __config__=config, **top)


# --------------------------------------------------------------------- errors


def _allowed_keys(vocab: Vocabulary, group: str | None) -> list[str]:
    if group is None:
        return ["name", "description", *vocab.groups, "expect"]
    if group == "expect":
        return list(vocab.dimensions)
    return [spec.name for spec in vocab.facts.values() if spec.group == group]


def _data_loc(loc: tuple, data: Any) -> tuple:
    """The part of a pydantic error location that is a key path in ``data``.

    pydantic inserts validator tags such as ``function-after[...]`` into a
    location; they are told apart from the user's keys (which may contain
    any character, ``[`` included) by walking the data itself.
    """
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and part.endswith("]") and "[" in part:
            continue  # a validator tag
        else:
            node = None  # past the data (a missing key): keep the name
        out.append(part)
    return tuple(out)


def _problem_from_pydantic(err: Mapping[str, Any], doc: yamlio.Document | None, base: tuple, vocab: Vocabulary,
                           data: Any = None) -> Problem:
    loc = _data_loc(tuple(err["loc"]), data)
    path = base + loc
    kind = err["type"]
    line = doc.line_of(path) if doc else None
    key_path = yamlio.format_path(path)
    fact_id = ".".join(str(p) for p in loc[:2] if isinstance(p, str)) if len(loc) >= 2 else str(loc[0]) if loc else ""
    spec = vocab.facts.get(fact_id)
    value = err.get("input")
    if kind == "extra_forbidden":
        group = loc[0] if len(loc) >= 2 else None
        allowed = _allowed_keys(vocab, group if isinstance(group, str) else None)
        return Problem(key_path, "unknown key", tuple(allowed), did_you_mean(loc[-1] if loc else None, allowed), line)
    if kind == "literal_error" and spec is not None:
        allowed = tuple(spec.values)
        return Problem(key_path, f"invalid value {value!r}", allowed, did_you_mean(value, allowed), line)
    if kind == "literal_error" and len(loc) == 2 and loc[0] == "expect" and loc[1] in vocab.dimensions:
        allowed = tuple(vocab.dimensions[loc[1]].choices)
        return Problem(key_path, f"invalid choice {value!r}", allowed, did_you_mean(value, allowed), line)
    if kind == "missing":
        return Problem(key_path, "required key is missing", (), None, line)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        group = loc[-1] if loc else None
        allowed = _allowed_keys(vocab, group if isinstance(group, str) and (group in vocab.groups or group == "expect") else None)
        return Problem(key_path, f"expected a mapping of facts, got {type(value).__name__}", tuple(allowed), None, line)
    if kind == "list_type" and spec is not None:
        return Problem(key_path, f"expected a list of values, got {value!r}", tuple(spec.values), None, line)
    if kind == "bool_type":
        return Problem(key_path, f"expected true or false, got {value!r}", (), None, line)
    if kind == "string_type":
        return Problem(key_path, f"expected text, got {value!r}", (), None, line)
    if kind == "string_pattern_mismatch":
        return Problem(
            key_path,
            f"{value!r} is not a valid name: use 1-80 letters, digits, '.', '_' or '-', starting with a letter or digit",
            (), None, line,
        )
    message = err.get("msg", "invalid value")
    if kind.startswith("mlarch_type"):
        message = f"{message}, got {value!r}"
    return Problem(key_path, message, (), None, line)


def validate_mapping(
    data: Any,
    source: str | None = None,
    doc: yamlio.Document | None = None,
    base: tuple = (),
    default_name: str | None = None,
) -> Scenario:
    """Validate an already-parsed scenario mapping; raise :class:`InputError`."""
    vocab = load_vocabulary()
    if not isinstance(data, dict):
        line = doc.line_of(base) if doc else None
        raise InputError(source, [Problem(yamlio.format_path(base), "expected a mapping with name and fact groups", tuple(_allowed_keys(vocab, None)), None, line)])
    if default_name is not None and "name" not in data:
        data = {"name": default_name, **data}
    try:
        model = scenario_model().model_validate(data)
    except ValidationError as exc:
        problems = [_problem_from_pydantic(e, doc, base, vocab, data) for e in exc.errors()]
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


def load_scenario(path: str | Path | yamlio.Document) -> Scenario:
    """Load and validate one scenario file (or an already parsed document)."""
    doc = yamlio.document(path)
    return validate_mapping(doc.data, doc.source, doc)


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files, for editors and CI."""
    schema = scenario_model().model_json_schema()
    out = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "mlarch scenario",
        "description": "An ML problem on Google Cloud, described by facts from the mlarch vocabulary.",
    }
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out


def name_is_valid(name: str) -> bool:
    return re.fullmatch(NAME_PATTERN, name) is not None
