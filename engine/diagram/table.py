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
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from mlarch.core import yamlio
from mlarch.core.conditions import Condition, ConditionParser
from mlarch.core.errors import EngineError, format_allowed
from mlarch.core.evaluate import Values, holds
from mlarch.core.vocabulary import Vocabulary

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
class StageStyle:
    """How the components of one lifecycle stage (data, training, ...) are coloured."""

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


class ElementType(StrEnum):
    COMPONENT = "component"  # a component in a slot
    DETAIL = "detail"  # a line of text on a host component (or on the frame)
    PIPELINE = "pipeline"  # the orchestrator's box around the orchestrated components
    PERIMETER = "perimeter"  # a security perimeter instead of the plain cloud frame


@dataclass(frozen=True)
class Element:
    """The diagram element one choice (or fact value) draws."""

    type: ElementType
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
    values: Mapping[str, Element | None]
    absent: Element | None = None
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
    stages: Mapping[str, StageStyle]
    kinds: Mapping[str, Kind]
    slots: Mapping[str, Slot]
    facts: Mapping[str, FactRule]
    decisions: Mapping[str, Mapping[str, Element | None]]
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


_TOP_KEYS = ("version", "stages", "kinds", "components", "facts", "decisions", "flows", "frame")
_FRAME_KEYS = ("cloud", "perimeter", "pipeline", "feedback", "departure", "ghost")


class _TableParser(_Reader):
    """One method per section of visual.yaml, in file order; each checks the
    references to the sections before it."""

    def __init__(self, vocab: Vocabulary, source: str) -> None:
        super().__init__(vocab, source)
        self.stages: dict[str, StageStyle] = {}
        self.kinds: dict[str, Kind] = {}
        self.slots: dict[str, Slot] = {}

    def parse_stages(self, raw: Any) -> dict[str, StageStyle]:
        for sid, spec in self.mapping(raw, "stages").items():
            spec = self.mapping(spec, f"stages.{sid}", ("label", "fill", "line"), ("label", "fill", "line"))
            for key in ("fill", "line"):
                if not _COLOUR.match(str(spec[key])):
                    raise self.fail(f"stages.{sid}.{key}", "expected a colour like #1A73E8")
            self.stages[sid] = StageStyle(sid, self.text(spec["label"], f"stages.{sid}.label"), spec["fill"], spec["line"])
        return self.stages

    def parse_kinds(self, raw: Any) -> dict[str, Kind]:
        for kid, spec in self.mapping(raw, "kinds").items():
            spec = self.mapping(spec, f"kinds.{kid}", ("label", "dot", "mermaid"), ("label", "dot", "mermaid"))
            dot = self.mapping(spec["dot"], f"kinds.{kid}.dot", ("shape", "style"), ("shape",))
            style = str(dot.get("style", ""))
            for part in filter(None, style.split(",")):
                self.choice(part, f"kinds.{kid}.dot.style", DOT_STYLES)
            self.kinds[kid] = Kind(
                kid, self.text(spec["label"], f"kinds.{kid}.label"),
                self.choice(dot["shape"], f"kinds.{kid}.dot.shape", DOT_SHAPES), style,
                self.choice(spec["mermaid"], f"kinds.{kid}.mermaid", MERMAID_SHAPES),
            )
        return self.kinds

    def parse_slots(self, raw: Any) -> dict[str, Slot]:
        raw_slots = self.mapping(raw, "components")
        for sid, spec in raw_slots.items():
            if sid in (PIPELINE, FRAME) or not re.fullmatch(r"[a-z][a-z_]*", sid):
                raise self.fail(f"components.{sid}", "slot ids are lower_snake and not 'pipeline' or 'frame'")
            spec = self.mapping(spec, f"components.{sid}", ("stage", "kind", "where", "orchestrated", "same_rank_as"), ("stage", "kind"))
            self.slots[sid] = Slot(
                sid,
                self.choice(spec["stage"], f"components.{sid}.stage", tuple(self.stages)),
                self.choice(spec["kind"], f"components.{sid}.kind", tuple(self.kinds)),
                self.choice(spec.get("where", "cloud"), f"components.{sid}.where", WHERE),
                self.orchestrated(spec.get("orchestrated", False), f"components.{sid}.orchestrated"),
                self.choice(spec["same_rank_as"], f"components.{sid}.same_rank_as", tuple(raw_slots)) if "same_rank_as" in spec else None,
            )
        return self.slots

    @property
    def hosts(self) -> tuple[str, ...]:
        return (*self.slots, PIPELINE, FRAME)

    def component(self, spec: Any, path: str, slot: str | None, keys: tuple[str, ...]) -> Element:
        spec = self.mapping(spec, path, keys)
        if slot is None:
            slot = self.choice(spec.get("component"), f"{path}.component", tuple(self.slots))
        return Element(
            ElementType.COMPONENT, slot,
            product=self.text(spec.get("product"), f"{path}.product"),
            role=self.text(spec["role"], f"{path}.role") if "role" in spec else "",
            kind=self.choice(spec["kind"], f"{path}.kind", tuple(self.kinds)) if "kind" in spec else None,
            stage=self.choice(spec["stage"], f"{path}.stage", tuple(self.stages)) if "stage" in spec else None,
            where=self.choice(spec["where"], f"{path}.where", WHERE) if "where" in spec else None,
            orchestrated=self.orchestrated(spec["orchestrated"], f"{path}.orchestrated") if "orchestrated" in spec else None,
            when=self.condition(spec["when"], f"{path}.when") if "when" in spec else None,
            unless=self.condition(spec["unless"], f"{path}.unless") if "unless" in spec else None,
        )

    def parse_facts(self, raw: Any) -> dict[str, FactRule]:
        return {fid: self.fact_rule(fid, spec) for fid, spec in self.mapping(raw, "facts").items()}

    def fact_rule(self, fid: str, spec: Any) -> FactRule:
        fact = self.vocab.facts.get(fid)
        if fact is None:
            raise self.fail(f"facts.{fid}", "not a fact of the vocabulary")
        spec = self.mapping(spec, f"facts.{fid}", ("component", "each", "values", "absent", "absent_by"), ("component", "values"))
        slot = self.choice(spec["component"], f"facts.{fid}.component", tuple(self.slots))
        allowed = tuple(fact.values) if fact.values else ("true", "false") if fact.type == "bool" else ()
        values: dict[str, Element | None] = {}
        for value, vspec in self.mapping(spec["values"], f"facts.{fid}.values").items():
            values[value] = None if vspec is None else self.component(vspec, f"facts.{fid}.values.{value}", slot, _FACT_VALUE_KEYS)
        absent_by = self.absent_by(spec["absent_by"], fid, values) if "absent_by" in spec else None
        extra = [v for v in values if v not in allowed and not (absent_by and v in absent_by[1].values())]
        if extra:
            raise self.fail(f"facts.{fid}.values", f"{', '.join(extra)} not values of the fact (allowed: {', '.join(allowed)})")
        absent = self.component(spec["absent"], f"facts.{fid}.absent", slot, _FACT_VALUE_KEYS) if "absent" in spec else None
        return FactRule(fid, slot, bool(spec.get("each", False)), values, absent, absent_by)

    def absent_by(self, raw: Any, fid: str, values: Mapping[str, Any]) -> tuple[str, Mapping[str, str]]:
        path = f"facts.{fid}.absent_by"
        ab = self.mapping(raw, path, ("dimension", "values"), ("dimension", "values"))
        dim = self.choice(ab["dimension"], f"{path}.dimension", tuple(self.vocab.dimensions))
        mapping = {
            self.choice(c, f"{path}.values", tuple(self.vocab.dimensions[dim].choices)):
            self.choice(v, f"{path}.values.{c}", tuple(values))
            for c, v in self.mapping(ab["values"], f"{path}.values").items()
        }
        return dim, mapping

    def parse_decisions(self, raw: Any) -> dict[str, dict[str, Element | None]]:
        decisions: dict[str, dict[str, Element | None]] = {}
        for dim, spec in self.mapping(raw, "decisions").items():
            if dim not in self.vocab.dimensions:
                raise self.fail(f"decisions.{dim}", "not a dimension of the vocabulary")
            spec = self.mapping(spec, f"decisions.{dim}", ("at", "choices"), ("choices",))
            default_hosts = self.names(spec["at"], f"decisions.{dim}.at", self.hosts) if "at" in spec else ()
            entries: dict[str, Element | None] = {}
            for choice, cspec in self.mapping(spec["choices"], f"decisions.{dim}.choices").items():
                path = f"decisions.{dim}.choices.{choice}"
                self.choice(choice, path, tuple(self.vocab.dimensions[dim].choices))
                entries[choice] = self.choice_entry(cspec, path, dim, default_hosts)
            decisions[dim] = entries
        return decisions

    def choice_entry(self, cspec: Any, path: str, dim: str, default_hosts: tuple[str, ...]) -> Element | None:
        """What one choice draws: nothing, a detail line, a component, the pipeline or the perimeter."""
        if cspec is None:
            return None
        if isinstance(cspec, str):
            if not default_hosts:
                raise self.fail(path, f"a detail text needs `at:` at decisions.{dim}")
            return Element(ElementType.DETAIL, hosts=default_hosts, text=self.text(cspec, path))
        if isinstance(cspec, dict) and "component" in cspec:
            return self.component(cspec, path, None, _COMPONENT_KEYS)
        if isinstance(cspec, dict) and "pipeline" in cspec:
            p = self.mapping(cspec, path, ("pipeline", "product", "role"), ("pipeline", "product"))
            if p["pipeline"] is not True:
                raise self.fail(f"{path}.pipeline", "must be true")
            return Element(ElementType.PIPELINE, product=self.text(p["product"], f"{path}.product"),
                          role=self.text(p["role"], f"{path}.role") if "role" in p else "")
        if isinstance(cspec, dict) and "perimeter" in cspec:
            p = self.mapping(cspec, path, ("perimeter",), ("perimeter",))
            if p["perimeter"] is not True:
                raise self.fail(f"{path}.perimeter", "must be true")
            return Element(ElementType.PERIMETER)
        if isinstance(cspec, dict) and "text" in cspec:
            d = self.mapping(cspec, path, ("at", "text"), ("text",))
            on = self.names(d["at"], f"{path}.at", self.hosts) if "at" in d else default_hosts
            if not on:
                raise self.fail(path, "a detail needs `at:`")
            return Element(ElementType.DETAIL, hosts=on, text=self.text(d["text"], f"{path}.text"))
        raise self.fail(path, "expected null, a text, or a mapping with component, text, pipeline or perimeter")

    def parse_flows(self, raw: Any) -> tuple[FlowRule, ...]:
        if not isinstance(raw, list):
            raise self.fail("flows", "expected a list")
        flows: list[FlowRule] = []
        for i, spec in enumerate(raw):
            path = f"flows[{i}]"
            spec = self.mapping(spec, path, ("from", "to", "label", "style", "when", "unless"), ("from", "to"))
            flows.append(FlowRule(
                self.names(spec["from"], f"{path}.from", tuple(self.slots)),
                self.names(spec["to"], f"{path}.to", (*self.slots, PIPELINE)),
                self.text(spec["label"], f"{path}.label") if "label" in spec else "",
                self.choice(spec.get("style", "data"), f"{path}.style", FLOW_STYLES),
                self.condition(spec["when"], f"{path}.when") if "when" in spec else None,
                self.condition(spec["unless"], f"{path}.unless") if "unless" in spec else None,
            ))
        return tuple(flows)

    def parse_frame(self, raw: Any) -> dict[str, dict[str, str]]:
        frames: dict[str, dict[str, str]] = {}
        for key, spec in self.mapping(raw, "frame", _FRAME_KEYS, _FRAME_KEYS).items():
            pipeline = key == PIPELINE
            spec = self.mapping(spec, f"frame.{key}", ("label", "line", "fill", "stage", "kind") if pipeline else ("label", "line", "fill"),
                                ("line", "stage", "kind") if pipeline else ("line",))
            for colour in ("line", "fill"):
                if colour in spec and not _COLOUR.match(str(spec[colour])):
                    raise self.fail(f"frame.{key}.{colour}", "expected a colour like #1A73E8")
            if pipeline:
                self.choice(spec["stage"], f"frame.{key}.stage", tuple(self.stages))
                self.choice(spec["kind"], f"frame.{key}.kind", tuple(self.kinds))
            frames[key] = {k: str(v) for k, v in spec.items()}
        return frames


def parse_table(data: Any, vocab: Vocabulary, source: str = "visual.yaml") -> Table:
    """Build a :class:`Table` from parsed YAML, checking every reference (the first problem is the error)."""
    p = _TableParser(vocab, source)
    top = p.mapping(data, "(top)", _TOP_KEYS, _TOP_KEYS[1:])
    for section in ("stages", "kinds"):
        for key in p.mapping(top[section], section):
            if not re.fullmatch(r"[a-z][a-z_]*", key):
                raise p.fail(f"{section}.{key}", "ids are lower_snake")
    return Table(
        p.parse_stages(top["stages"]), p.parse_kinds(top["kinds"]), p.parse_slots(top["components"]),
        p.parse_facts(top["facts"]), p.parse_decisions(top["decisions"]), p.parse_flows(top["flows"]), p.parse_frame(top["frame"]),
    )


@lru_cache(maxsize=2)
def load_table(vocab: Vocabulary) -> Table:
    """The bundled visual language, checked against ``vocab``; parsed once per vocabulary."""
    doc = yamlio.load(TABLE_FILE)
    return parse_table(doc.data, vocab, str(TABLE_FILE))
