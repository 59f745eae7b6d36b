"""The domain vocabulary: facts a scenario may state, dimensions a
recommendation answers, and the choices Google deprecated.

Everything else derives from this one file (``engine/core/vocabulary.yaml``): the
pydantic scenario model, the JSON Schema, rule validation and the docs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from mlarch.core import lifecycle as lc
from mlarch.core import yamlio
from mlarch.core.errors import EngineError

if TYPE_CHECKING:
    from mlarch.core.conditions import Condition

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")

# Largest integer durable-rules (and a JSON double) compares exactly; bigger
# numbers saturate inside the C engine and would match wrongly.
MAX_NUMBER = 2**53 - 1

FACT_TYPES = ("string", "enum", "bool", "number", "integer", "set")
STAGES = ("data", "training", "serving", "operations", "governance")
# A dimension is a product choice, or a setting of one (replicas, machine type,
# logging): both are decided, reviewed and answered alike; the kind only labels
# them in the docs (mlarch addition, issue 13).
DIMENSION_KINDS = ("product", "setting")
DECISION_PREFIX = "decision."


@dataclass(frozen=True)
class FactSpec:
    id: str
    type: str
    doc: str = ""
    values: Mapping[str, str] = field(default_factory=dict)  # enum/set: value -> doc
    minimum: float | None = None
    required: bool = False
    exclusive: tuple[str, ...] = ()
    ordered: bool = False  # an enum of grades, least to most: the next value is a small change (analysis/sensitivity.py)

    @property
    def group(self) -> str | None:
        return self.id.split(".", 1)[0] if "." in self.id else None

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[-1]


@dataclass(frozen=True)
class AppliesWhen:
    """When a dimension is answered: ``always`` or a test on another decision,
    written and evaluated as a rule condition (core/conditions.py, core/evaluate.py)."""

    dimension: str | None  # None = always
    op: str = "always"  # always | eq | in | not_in
    values: tuple[str, ...] = ()
    text: str = "always"  # as the docs and reports show it: "approach in [automl, custom_training]"
    condition: Condition | None = None  # None = always
    # The answer for each parent choice seen (a handful: the parent's choices and None);
    # lint and the searches ask this for every dimension of every evaluation.
    _seen: dict[str | None, bool] = field(default_factory=dict, init=False, compare=False, repr=False)

    def holds(self, decisions: Mapping[str, str]) -> bool:
        """Whether it holds for these decisions (dimension -> choice)."""
        if self.dimension is None or self.condition is None:
            return True
        parent = decisions.get(self.dimension)
        try:
            return self._seen[parent]
        except (KeyError, TypeError):  # not seen yet, or unhashable (not a choice)
            pass
        from mlarch.core.evaluate import holds  # evaluate.py builds on conditions.py, which needs this module

        answer = holds(self.condition, {self.condition.ref: parent})  # type: ignore[union-attr]
        if isinstance(parent, str | None) and len(self._seen) < 256:  # bounded, whatever callers pass
            self._seen[parent] = answer
        return answer


@dataclass(frozen=True)
class DimensionSpec:
    id: str
    choices: Mapping[str, str]  # choice -> doc, in vocabulary order (the tie-break order)
    applies_when: AppliesWhen
    stage: str
    doc: str = ""
    kind: str = "product"  # one of DIMENSION_KINDS

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each choice's place in the vocabulary order (the resolver's tie-break)."""
        return {c: i for i, c in enumerate(self.choices)}


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The facts, dimensions and names every other part reads. Passed explicitly
    (only entry points call :func:`load_vocabulary`); compared and hashed by
    identity, so caches can be kept per vocabulary."""

    version: int
    facts: Mapping[str, FactSpec]
    dimensions: Mapping[str, DimensionSpec]
    deprecated: Mapping[str, str]  # "dimension.choice" -> note
    exam_sections: Mapping[str, str] = field(default_factory=dict)  # "1.1" -> short label
    problem_facts: frozenset[str] = frozenset()  # facts that define the problem, not the design
    # issue 17 (core/lifecycle.py): current names, names of components, renames and deprecations with dates
    names: Mapping[str, lc.Name] = field(default_factory=dict)  # "dimension.choice" -> Name
    component_names: tuple[lc.Name, ...] = ()
    lifecycle: Mapping[str, lc.Lifecycle] = field(default_factory=dict)  # "dimension.choice" -> Lifecycle

    @cached_property
    def positions(self) -> tuple[dict[str, int], dict[str, int]]:
        """Each fact's and each dimension's place in the vocabulary (the order reasons list them in)."""
        return {f: i for i, f in enumerate(self.facts)}, {d: i for i, d in enumerate(self.dimensions)}

    @property
    def groups(self) -> list[str]:
        seen: dict[str, None] = {}
        for fact in self.facts.values():
            if fact.group:
                seen.setdefault(fact.group, None)
        return list(seen)

    def deprecation(self, dimension: str, choice: str, as_of: date | None = None) -> str | None:
        """Why the choice is deprecated, shut down or retired on the run date; None for a current or only renamed choice."""
        found = self.notice(dimension, choice, as_of)
        return found.text if found and found.kind != "ending" else None

    def notice(self, dimension: str, choice: str, as_of: date | None = None) -> lc.Notice | None:
        """What the run date (``as_of``, default core/lifecycle.run_date) makes of the choice's lifecycle entry."""
        entry = self.lifecycle.get(f"{dimension}.{choice}")
        if entry is None:
            return None
        return lc.notice(entry, self.name_of(dimension, choice), lc.run_date(as_of), self.display_key)

    def lifecycle_text(self, dimension: str, choice: str) -> str | None:
        """The choice's rename, deprecation or end dates without a run date (reference pages)."""
        entry = self.lifecycle.get(f"{dimension}.{choice}")
        return lc.describe(entry, self.display_key) if entry else None

    def name(self, dimension: str, choice: str) -> lc.Name | None:
        return self.names.get(f"{dimension}.{choice}")

    def name_of(self, dimension: str, choice: str) -> str:
        """The current name of a choice (its id when the vocabulary names none)."""
        entry = self.name(dimension, choice)
        return entry.name if entry else choice

    def display(self, dimension: str, choice: str) -> str:
        """The current name with the former one a reader may know: "LiteRT (formerly TensorFlow Lite)"."""
        entry = self.name(dimension, choice)
        return entry.display if entry else choice

    def display_key(self, key: str) -> str:
        dim, _, choice = key.partition(".")
        return self.display(dim, choice)

    def choice_named(self, dimension: str, text: str) -> str | None:
        """The choice id that ``text`` means in ``dimension``: the id, the current name, a former name or an alias."""
        spec = self.dimensions.get(dimension)
        if spec is None or not isinstance(text, str):
            return None
        if text in spec.choices:
            return text
        wanted = lc.fold(text)
        for choice in spec.choices:
            entry = self.name(dimension, choice)
            if entry and any(lc.fold(s) == wanted for s in entry.spellings() if s):
                return choice
        return None


def _parse_applies(value: Any, vocab: Vocabulary, dimension: str, where: str) -> AppliesWhen:
    """``always`` or a condition in the rules' syntax (docs/rules.md) on one other decision."""
    from mlarch.core.conditions import ConditionParser, Leaf  # conditions.py needs a Vocabulary, so it comes late

    if value == "always":
        return AppliesWhen(None)
    parser = ConditionParser(vocab)
    cond = parser.parse(value, ())
    if parser.problems:
        raise EngineError(f"{where}: applies_when: {parser.problems[0].render(None)}")
    if not (isinstance(cond, Leaf) and cond.ref.startswith(DECISION_PREFIX) and cond.op in ("eq", "in", "not_in")):
        raise EngineError(f"{where}: applies_when must test one decision with eq, in or not_in, e.g. {{decision.approach: bigquery_ml}}")
    parent = cond.ref[len(DECISION_PREFIX):]
    if parent == dimension:
        raise EngineError(f"{where}: applies_when cannot test the dimension itself")
    values = (cond.value,) if cond.op == "eq" else tuple(cond.value)
    text = f"{parent} == {values[0]}" if cond.op == "eq" else f"{parent} {cond.op.replace('_', ' ')} [{', '.join(values)}]"
    return AppliesWhen(parent, cond.op, values, text, cond)


def parse_vocabulary(data: Mapping[str, Any], source: str = "vocabulary") -> Vocabulary:
    """Build a :class:`Vocabulary` from parsed YAML, checking it is coherent."""
    facts: dict[str, FactSpec] = {}
    for fid, spec in data["facts"].items():
        ftype = spec["type"]
        if ftype not in FACT_TYPES:
            raise EngineError(f"{source}: fact {fid} has unknown type {ftype!r}")
        if "__" in fid or not re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", fid):
            raise EngineError(f"{source}: fact id {fid!r} must be lower_snake, optionally group.name")
        values = {str(k): str(v or "") for k, v in (spec.get("values") or {}).items()}
        if ftype in ("enum", "set") and not values:
            raise EngineError(f"{source}: fact {fid} of type {ftype} needs values")
        exclusive = tuple(spec.get("exclusive") or ())
        for value in exclusive:
            if value not in values:
                raise EngineError(f"{source}: fact {fid} exclusive value {value!r} is not a value")
        ordered = spec.get("ordered", False)
        if ordered not in (True, False) or (ordered and ftype != "enum"):
            raise EngineError(f"{source}: fact {fid}: ordered must be true or false, and true only for an enum")
        facts[fid] = FactSpec(
            id=fid,
            type=ftype,
            doc=str(spec.get("doc") or ""),
            values=values,
            minimum=spec.get("min"),
            required=bool(spec.get("required")),
            exclusive=exclusive,
            ordered=ordered,
        )
    raw_dims = data["dimensions"]
    dimensions: dict[str, DimensionSpec] = {}
    for did, spec in raw_dims.items():
        stage = spec.get("stage")
        if stage not in STAGES:
            raise EngineError(f"{source}: dimension {did} needs a stage, one of {', '.join(STAGES)}")
        kind = spec.get("kind", "product")
        if kind not in DIMENSION_KINDS:
            raise EngineError(f"{source}: dimension {did} has kind {kind!r}, expected one of {', '.join(DIMENSION_KINDS)}")
        dimensions[did] = DimensionSpec(
            id=did,
            choices={str(k): str(v or "") for k, v in spec["choices"].items()},
            applies_when=AppliesWhen(None),  # parsed below, once every dimension is known
            stage=stage,
            doc=str(spec.get("doc") or ""),
            kind=kind,
        )
    known = Vocabulary(int(data.get("version", 1)), facts, dict(dimensions), {})
    for did, spec in raw_dims.items():
        dimensions[did] = replace(dimensions[did], applies_when=_parse_applies(spec["applies_when"], known, did, f"{source}: {did}"))
    deprecated = {str(k): str(v) for k, v in (data.get("deprecated") or {}).items()}
    for key in deprecated:
        dim, _, choice = key.partition(".")
        if dim not in dimensions or choice not in dimensions[dim].choices:
            raise EngineError(f"{source}: deprecated entry {key!r} is not a dimension.choice")
    sections = {str(k): str(v) for k, v in (data.get("exam_sections") or {}).items()}
    problem_facts = frozenset(str(f) for f in data.get("problem_facts") or ())
    unknown = sorted(problem_facts - set(facts))
    if unknown:
        raise EngineError(f"{source}: problem_facts names unknown facts: {', '.join(unknown)}")
    choices = {d: spec.choices for d, spec in dimensions.items()}
    names, components = lc.parse_names(data, choices, source)
    lifecycle = lc.parse_lifecycle(data, choices, deprecated, source)
    return Vocabulary(int(data.get("version", 1)), facts, dimensions, deprecated, sections, problem_facts,
                      names, components, lifecycle)


@lru_cache(maxsize=1)
def load_vocabulary() -> Vocabulary:
    """The project vocabulary, parsed once per process (and kept in the
    per-user cache, engine/core/cache.py, like the rule book: parsing it is
    a tenth of a warm `mlarch recommend`)."""
    from mlarch.core.cache import cached_vocabulary  # cache.py imports this module

    return cached_vocabulary(parse_vocabulary_file, Vocabulary)


def parse_vocabulary_file() -> Vocabulary:
    doc = yamlio.load(VOCABULARY_FILE)
    return parse_vocabulary(doc.data, str(VOCABULARY_FILE))
