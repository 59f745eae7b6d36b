"""The visual-language table (visual.yaml): loaded once, checked strictly.

The table is data so that product names, colours and shapes live in one
place a reviewer can read; this module turns it into typed objects and
refuses a table that references a slot, stage, kind, dimension, choice or
fact that does not exist. Coverage of the vocabulary (every choice has an
entry) is a test, not a load error, so that a choice added to the vocabulary
draws a plain fallback instead of breaking `mlarch diagram` for everyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from mlarch.core import yamlio
from mlarch.core.conditions import Condition, ConditionParser
from mlarch.core.errors import EngineError, format_allowed
from mlarch.core.evaluate import Values, holds
from mlarch.core.vocabulary import Vocabulary, load_vocabulary

TABLE_FILE = Path(__file__).with_name("visual.yaml")

# Renderer syntax, not product knowledge: which Mermaid node shapes exist.
MERMAID_SHAPES = (
    "rectangle", "rounded", "stadium", "subroutine", "cylinder", "circle", "flag",
    "hexagon", "parallelogram", "parallelogram_alt", "trapezoid", "trapezoid_alt",
)
DOT_SHAPES = (
    "box", "cylinder", "cds", "component", "folder", "note", "hexagon", "tab", "box3d",
    "ellipse", "oval", "octagon", "parallelogram", "house", "rect", "rectangle",
)
DOT_STYLES = ("rounded", "diagonals", "dashed", "bold", "solid")
FLOW_STYLES = ("data", "control", "feedback")
WHERE = ("cloud", "external")
PIPELINE = "pipeline"  # pseudo slot: the orchestrator's box
FRAME = "frame"  # pseudo slot: the Google Cloud boundary (or the perimeter)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")


@dataclass(frozen=True)
class Stage:
    id: str
    label: str
    fill: str
    line: str


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    shape: str
    style: str  # comma-separated Graphviz styles, may be ""
    mermaid: str


def guarded(when: Condition | None, unless: Condition | None, values: Values) -> bool:
    """``when`` holds (or is absent) and ``unless`` does not (or is absent), for
    facts by id and decisions as ``decision.<dimension>`` (core/evaluate.py)."""
    return (when is None or holds(when, values)) and (unless is None or not holds(unless, values))


def str_value(value: Any) -> str:
    """Fact and choice values as the table writes them (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class Slot:
    """A place a component can take: its stage, kind and defaults."""

    id: str
    stage: str
    kind: str
    where: str = "cloud"
    orchestrated: bool | Condition = False  # a condition: orchestrated when it holds
    same_rank_as: str | None = None


@dataclass(frozen=True)
class Effect:
    """What one choice (or fact value) draws."""

    type: str  # component | detail | pipeline | perimeter
    slot: str | None = None  # component: the slot
    product: str = ""
    role: str = ""
    kind: str | None = None
    stage: str | None = None
    where: str | None = None
    orchestrated: bool | Condition | None = None
    hosts: tuple[str, ...] = ()  # detail: candidate slots, first drawn wins
    text: str = ""
    when: Condition | None = None
    unless: Condition | None = None


@dataclass(frozen=True)
class FactRule:
    fact: str
    slot: str
    each: bool
    values: Mapping[str, Effect | None]
    absent: Effect | None = None
    absent_by: tuple[str, Mapping[str, str]] | None = None  # (dimension, choice -> value key)


@dataclass(frozen=True)
class FlowRule:
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    label: str
    style: str = "data"
    when: Condition | None = None
    unless: Condition | None = None

    def applies(self, values: Values) -> bool:
        return guarded(self.when, self.unless, values)


@dataclass(frozen=True)
class Table:
    stages: Mapping[str, Stage]
    kinds: Mapping[str, Kind]
    slots: Mapping[str, Slot]
    facts: Mapping[str, FactRule]
    decisions: Mapping[str, Mapping[str, Effect | None]]
    flows: tuple[FlowRule, ...]
    frame: Mapping[str, Mapping[str, str]]

    def slot_order(self, slot: str) -> int:
        return list(self.slots).index(slot)


class _Reader:
    """Small helpers that name the key path in every error."""

    def __init__(self, vocab: Vocabulary, source: str) -> None:
        self.vocab = vocab
        self.source = source

    def fail(self, path: str, message: str) -> EngineError:
        return EngineError(f"{self.source}: {path}: {message}")

    def mapping(self, value: Any, path: str, allowed: tuple[str, ...] | None = None, required: tuple[str, ...] = ()) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {type(value).__name__}")
        if allowed is not None:
            unknown = [k for k in value if k not in allowed]
            if unknown:
                raise self.fail(path, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
        missing = [k for k in required if k not in value]
        if missing:
            raise self.fail(path, f"missing key(s) {', '.join(missing)}")
        for key, item in value.items():
            if item is None and allowed is not None:
                raise self.fail(f"{path}.{key}", "has no value (a comma in an unquoted flow mapping?)")
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, "expected non-empty text")
        for ref in _PLACEHOLDER.findall(value):
            if ref not in self.vocab.facts:
                raise self.fail(path, f"placeholder {{{ref}}} is not a fact")
        return value

    def choice(self, value: Any, path: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.fail(path, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def names(self, value: Any, path: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(path, "expected a non-empty list")
        return tuple(self.choice(v, f"{path}[{i}]", allowed) for i, v in enumerate(value))

    def condition(self, value: Any, path: str) -> Condition:
        """A condition in the rules' syntax (docs/rules.md), parsed by core/conditions.py."""
        parser = ConditionParser(self.vocab)
        cond = parser.parse(value, ())
        if parser.problems:
            p = parser.problems[0]
            allowed = f"; allowed: {format_allowed(p.allowed)}" if p.allowed else ""
            raise self.fail(f"{path}.{p.path}" if p.path else path, p.message + allowed)
        return cond

    def orchestrated(self, value: Any, path: str) -> bool | Condition:
        if isinstance(value, bool):
            return value
        return self.condition(value, path)


_COMPONENT_KEYS = ("component", "product", "role", "kind", "stage", "where", "orchestrated", "when", "unless")
_FACT_VALUE_KEYS = ("product", "role", "kind", "stage", "where", "orchestrated", "when", "unless")


def parse_table(data: Any, vocab: Vocabulary, source: str = "visual.yaml") -> Table:
    """Build a :class:`Table` from parsed YAML, checking every reference."""
    r = _Reader(vocab, source)
    top = r.mapping(data, "(top)", ("version", "stages", "kinds", "components", "facts", "decisions", "flows", "frame"),
                    ("stages", "kinds", "components", "facts", "decisions", "flows", "frame"))

    for section in ("stages", "kinds"):
        for key in r.mapping(top[section], section):
            if not re.fullmatch(r"[a-z][a-z_]*", key):
                raise r.fail(f"{section}.{key}", "ids are lower_snake")
    stages: dict[str, Stage] = {}
    for sid, spec in r.mapping(top["stages"], "stages").items():
        spec = r.mapping(spec, f"stages.{sid}", ("label", "fill", "line"), ("label", "fill", "line"))
        for key in ("fill", "line"):
            if not _COLOUR.match(str(spec[key])):
                raise r.fail(f"stages.{sid}.{key}", "expected a colour like #1A73E8")
        stages[sid] = Stage(sid, r.text(spec["label"], f"stages.{sid}.label"), spec["fill"], spec["line"])

    kinds: dict[str, Kind] = {}
    for kid, spec in r.mapping(top["kinds"], "kinds").items():
        spec = r.mapping(spec, f"kinds.{kid}", ("label", "dot", "mermaid"), ("label", "dot", "mermaid"))
        dot = r.mapping(spec["dot"], f"kinds.{kid}.dot", ("shape", "style"), ("shape",))
        style = str(dot.get("style", ""))
        for part in filter(None, style.split(",")):
            r.choice(part, f"kinds.{kid}.dot.style", DOT_STYLES)
        kinds[kid] = Kind(
            kid, r.text(spec["label"], f"kinds.{kid}.label"),
            r.choice(dot["shape"], f"kinds.{kid}.dot.shape", DOT_SHAPES), style,
            r.choice(spec["mermaid"], f"kinds.{kid}.mermaid", MERMAID_SHAPES),
        )

    slots: dict[str, Slot] = {}
    raw_slots = r.mapping(top["components"], "components")
    for sid, spec in raw_slots.items():
        if sid in (PIPELINE, FRAME) or not re.fullmatch(r"[a-z][a-z_]*", sid):
            raise r.fail(f"components.{sid}", "slot ids are lower_snake and not 'pipeline' or 'frame'")
        spec = r.mapping(spec, f"components.{sid}", ("stage", "kind", "where", "orchestrated", "same_rank_as"), ("stage", "kind"))
        slots[sid] = Slot(
            sid,
            r.choice(spec["stage"], f"components.{sid}.stage", tuple(stages)),
            r.choice(spec["kind"], f"components.{sid}.kind", tuple(kinds)),
            r.choice(spec.get("where", "cloud"), f"components.{sid}.where", WHERE),
            r.orchestrated(spec.get("orchestrated", False), f"components.{sid}.orchestrated"),
            r.choice(spec["same_rank_as"], f"components.{sid}.same_rank_as", tuple(raw_slots)) if "same_rank_as" in spec else None,
        )
    hosts = (*slots, PIPELINE, FRAME)

    def component(spec: dict[str, Any], path: str, slot: str | None, keys: tuple[str, ...]) -> Effect:
        spec = r.mapping(spec, path, keys)
        if slot is None:
            slot = r.choice(spec.get("component"), f"{path}.component", tuple(slots))
        return Effect(
            "component", slot,
            product=r.text(spec.get("product"), f"{path}.product"),
            role=r.text(spec["role"], f"{path}.role") if "role" in spec else "",
            kind=r.choice(spec["kind"], f"{path}.kind", tuple(kinds)) if "kind" in spec else None,
            stage=r.choice(spec["stage"], f"{path}.stage", tuple(stages)) if "stage" in spec else None,
            where=r.choice(spec["where"], f"{path}.where", WHERE) if "where" in spec else None,
            orchestrated=r.orchestrated(spec["orchestrated"], f"{path}.orchestrated") if "orchestrated" in spec else None,
            when=r.condition(spec["when"], f"{path}.when") if "when" in spec else None,
            unless=r.condition(spec["unless"], f"{path}.unless") if "unless" in spec else None,
        )

    facts: dict[str, FactRule] = {}
    for fid, spec in r.mapping(top["facts"], "facts").items():
        fact = vocab.facts.get(fid)
        if fact is None:
            raise r.fail(f"facts.{fid}", "not a fact of the vocabulary")
        spec = r.mapping(spec, f"facts.{fid}", ("component", "each", "values", "absent", "absent_by"), ("component", "values"))
        slot = r.choice(spec["component"], f"facts.{fid}.component", tuple(slots))
        allowed = tuple(fact.values) if fact.values else ("true", "false") if fact.type == "bool" else ()
        values: dict[str, Effect | None] = {}
        for value, vspec in r.mapping(spec["values"], f"facts.{fid}.values").items():
            path = f"facts.{fid}.values.{value}"
            values[value] = None if vspec is None else component(vspec, path, slot, _FACT_VALUE_KEYS)
        absent_by = None
        if "absent_by" in spec:
            ab = r.mapping(spec["absent_by"], f"facts.{fid}.absent_by", ("dimension", "values"), ("dimension", "values"))
            dim = r.choice(ab["dimension"], f"facts.{fid}.absent_by.dimension", tuple(vocab.dimensions))
            mapping = {
                r.choice(c, f"facts.{fid}.absent_by.values", tuple(vocab.dimensions[dim].choices)):
                r.choice(v, f"facts.{fid}.absent_by.values.{c}", tuple(values))
                for c, v in r.mapping(ab["values"], f"facts.{fid}.absent_by.values").items()
            }
            absent_by = (dim, mapping)
        extra = [v for v in values if v not in allowed and not (absent_by and v in absent_by[1].values())]
        if extra:
            raise r.fail(f"facts.{fid}.values", f"{', '.join(extra)} not values of the fact (allowed: {', '.join(allowed)})")
        absent = component(spec["absent"], f"facts.{fid}.absent", slot, _FACT_VALUE_KEYS) if "absent" in spec else None
        facts[fid] = FactRule(fid, slot, bool(spec.get("each", False)), values, absent, absent_by)

    decisions: dict[str, dict[str, Effect | None]] = {}
    for dim, spec in r.mapping(top["decisions"], "decisions").items():
        if dim not in vocab.dimensions:
            raise r.fail(f"decisions.{dim}", "not a dimension of the vocabulary")
        spec = r.mapping(spec, f"decisions.{dim}", ("at", "choices"), ("choices",))
        default_hosts = r.names(spec["at"], f"decisions.{dim}.at", hosts) if "at" in spec else ()
        entries: dict[str, Effect | None] = {}
        for choice, cspec in r.mapping(spec["choices"], f"decisions.{dim}.choices").items():
            path = f"decisions.{dim}.choices.{choice}"
            r.choice(choice, path, tuple(vocab.dimensions[dim].choices))
            if cspec is None:
                entries[choice] = None
            elif isinstance(cspec, str):
                if not default_hosts:
                    raise r.fail(path, f"a detail text needs `at:` at decisions.{dim}")
                entries[choice] = Effect("detail", hosts=default_hosts, text=r.text(cspec, path))
            elif isinstance(cspec, dict) and "component" in cspec:
                entries[choice] = component(cspec, path, None, _COMPONENT_KEYS)
            elif isinstance(cspec, dict) and "pipeline" in cspec:
                p = r.mapping(cspec, path, ("pipeline", "product", "role"), ("pipeline", "product"))
                if p["pipeline"] is not True:
                    raise r.fail(f"{path}.pipeline", "must be true")
                entries[choice] = Effect("pipeline", product=r.text(p["product"], f"{path}.product"),
                                         role=r.text(p["role"], f"{path}.role") if "role" in p else "")
            elif isinstance(cspec, dict) and "perimeter" in cspec:
                p = r.mapping(cspec, path, ("perimeter",), ("perimeter",))
                if p["perimeter"] is not True:
                    raise r.fail(f"{path}.perimeter", "must be true")
                entries[choice] = Effect("perimeter")
            elif isinstance(cspec, dict) and "text" in cspec:
                d = r.mapping(cspec, path, ("at", "text"), ("text",))
                on = r.names(d["at"], f"{path}.at", hosts) if "at" in d else default_hosts
                if not on:
                    raise r.fail(path, "a detail needs `at:`")
                entries[choice] = Effect("detail", hosts=on, text=r.text(d["text"], f"{path}.text"))
            else:
                raise r.fail(path, "expected null, a text, or a mapping with component, text, pipeline or perimeter")
        decisions[dim] = entries

    flows: list[FlowRule] = []
    raw_flows = top["flows"]
    if not isinstance(raw_flows, list):
        raise r.fail("flows", "expected a list")
    for i, spec in enumerate(raw_flows):
        path = f"flows[{i}]"
        spec = r.mapping(spec, path, ("from", "to", "label", "style", "when", "unless"), ("from", "to"))
        flows.append(FlowRule(
            r.names(spec["from"], f"{path}.from", tuple(slots)),
            r.names(spec["to"], f"{path}.to", (*slots, PIPELINE)),
            r.text(spec["label"], f"{path}.label") if "label" in spec else "",
            r.choice(spec.get("style", "data"), f"{path}.style", FLOW_STYLES),
            r.condition(spec["when"], f"{path}.when") if "when" in spec else None,
            r.condition(spec["unless"], f"{path}.unless") if "unless" in spec else None,
        ))

    frame_keys = ("cloud", "perimeter", "pipeline", "feedback", "departure", "ghost")
    frame = r.mapping(top["frame"], "frame", frame_keys, frame_keys)
    frames: dict[str, dict[str, str]] = {}
    for key, spec in frame.items():
        spec = r.mapping(spec, f"frame.{key}", ("label", "line", "fill", "stage", "kind") if key == PIPELINE else ("label", "line", "fill"),
                         ("line", "stage", "kind") if key == PIPELINE else ("line",))
        for colour in ("line", "fill"):
            if colour in spec and not _COLOUR.match(str(spec[colour])):
                raise r.fail(f"frame.{key}.{colour}", "expected a colour like #1A73E8")
        if key == PIPELINE:
            r.choice(spec["stage"], f"frame.{key}.stage", tuple(stages))
            r.choice(spec["kind"], f"frame.{key}.kind", tuple(kinds))
        frames[key] = {k: str(v) for k, v in spec.items()}
    return Table(stages, kinds, slots, facts, decisions, tuple(flows), frames)


@lru_cache(maxsize=1)
def load_table() -> Table:
    """The bundled visual language, parsed once per process."""
    doc = yamlio.load(TABLE_FILE)
    return parse_table(doc.data, load_vocabulary(), str(TABLE_FILE))
