"""The pydantic model of scenario files, built from the vocabulary, and the
translation of its validation errors into mlarch's :class:`Problem`.

Imported only when needed (engine/core/scenario.py): building the model
costs about 0.1 s of a CLI run's start-up, and a valid scenario never needs
it (scenario.py checks valid files directly); an invalid one is validated
here so every error message comes from one place, and so is the JSON Schema.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Literal, Mapping, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from mlarch.core import yamlio
from mlarch.core.errors import UNKNOWN_ID, Problem, did_you_mean
from mlarch.core.scenario import MAX_TEXT, NAME_PATTERN
from mlarch.core.scenario import allowed_keys as _allowed_keys
from mlarch.core.vocabulary import MAX_NUMBER, FactSpec, Vocabulary

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


@lru_cache(maxsize=2)
def scenario_model(vocab: Vocabulary) -> type[BaseModel]:
    """The pydantic model of a scenario file, built from ``vocab`` (once per vocabulary)."""
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


def problem_from_pydantic(err: Mapping[str, Any], doc: yamlio.Document | None, base: tuple, vocab: Vocabulary,
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
        return Problem(key_path, "unknown key", tuple(allowed), did_you_mean(loc[-1] if loc else None, allowed), line, code=UNKNOWN_ID)
    if kind == "literal_error" and spec is not None:
        allowed = tuple(spec.values)
        return Problem(key_path, f"invalid value {value!r}", allowed, did_you_mean(value, allowed), line, code=UNKNOWN_ID)
    if kind == "literal_error" and len(loc) == 2 and loc[0] == "expect" and loc[1] in vocab.dimensions:
        allowed = tuple(vocab.dimensions[loc[1]].choices)
        return Problem(key_path, f"invalid choice {value!r}", allowed, did_you_mean(value, allowed), line, code=UNKNOWN_ID)
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
