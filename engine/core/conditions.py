"""The rule condition language: parse, validate, normalize.

A condition is YAML data, never code::

    when:
      data.location: bigquery                 # equality shorthand
      team.skills: {contains: sql}
      serving.latency_ms: {lt: 100}
      decision.approach: {in: [automl, custom_training]}
      any:
        - data.size_gb: {gte: 100}
        - not: {model.size: small}

A mapping with several keys means *all of them*; ``all``, ``any`` and ``not``
nest freely; ``always`` is the condition that always holds.

Semantics (documented in docs/rules.md and mirrored by the test oracle): a
fact the scenario does not state makes every test on it false, except
``present: false``; ``not`` negates whatever is below it. Decisions
(``decision.<dimension>``) are absent when their dimension does not apply.

For matching, a condition is normalized to a disjunction of conjunctions of
*literals* (:func:`to_dnf`), each literal a test durable-rules evaluates
natively and without type coercion surprises (see engine/core/matcher.py).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterable, Mapping, Union

from mlarch.core.errors import UNKNOWN_ID, Problem, did_you_mean
from mlarch.core.vocabulary import DECISION_PREFIX, MAX_NUMBER, FactSpec, Vocabulary
from mlarch.core.yamlio import Document, PathT, format_path

# ------------------------------------------------------------------ the AST


@dataclass(frozen=True)
class Leaf:
    ref: str  # "data.location" or "decision.approach"
    op: str
    value: Any  # scalar, tuple of scalars, or bool for `present`


@dataclass(frozen=True)
class All:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    item: "Condition"


Condition = Union[Leaf, All, AnyOf, Not]
ALWAYS = All(())

OPS_BY_TYPE: Mapping[str, tuple[str, ...]] = {
    "enum": ("eq", "ne", "in", "not_in", "present"),
    "string": ("eq", "ne", "in", "not_in", "present"),
    "bool": ("eq", "ne", "present"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present"),
    "integer": ("eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "present"),
    "set": ("contains", "contains_all", "contains_any", "contains_none", "present"),
    "decision": ("eq", "ne", "in", "not_in", "present"),
}
LIST_OPS = {"in", "not_in", "contains_all", "contains_any", "contains_none"}
ALL_OPS = sorted({op for ops in OPS_BY_TYPE.values() for op in ops})
COMBINATORS = ("all", "any", "not")


def refs(cond: Condition) -> set[str]:
    """Every fact or decision id the condition mentions."""
    if isinstance(cond, Leaf):
        return {cond.ref}
    if isinstance(cond, Not):
        return refs(cond.item)
    return set().union(*(refs(c) for c in cond.items)) if cond.items else set()


def decision_refs(cond: Condition) -> set[str]:
    return {r[len(DECISION_PREFIX):] for r in refs(cond) if r.startswith(DECISION_PREFIX)}


def fact_refs(cond: Condition) -> set[str]:
    return {r for r in refs(cond) if not r.startswith(DECISION_PREFIX)}


# ------------------------------------------------------------------ parsing


class ConditionParser:
    """Turns YAML data into a :class:`Condition`, collecting every problem."""

    def __init__(self, vocab: Vocabulary, doc: Document | None = None, context: str | None = None) -> None:
        self.vocab = vocab
        self.doc = doc
        self.context = context
        self.problems: list[Problem] = []

    def _problem(self, path: PathT, message: str, allowed: Iterable[str] = (), suggestion: str | None = None, code: str | None = None) -> None:
        line = self.doc.line_of(path) if self.doc else None
        self.problems.append(Problem(format_path(path), message, tuple(allowed), suggestion, line, self.context, code=code))

    def referable(self) -> list[str]:
        facts = [f for f, spec in self.vocab.facts.items() if spec.group is not None]
        return facts + [DECISION_PREFIX + d for d in self.vocab.dimensions]

    def parse(self, data: Any, path: PathT) -> Condition:
        if data == "always":
            return ALWAYS
        if isinstance(data, list):
            self._problem(path, "a condition is a mapping; wrap a list in 'all:' or 'any:'")
            return ALWAYS
        if not isinstance(data, dict) or not data:
            self._problem(path, f"expected a condition mapping or 'always', got {data!r}")
            return ALWAYS
        items: list[Condition] = []
        for key, value in data.items():
            sub = path + (key,)
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self._problem(sub, f"'{key}' needs a non-empty list of conditions")
                    continue
                parsed = tuple(self.parse(v, sub + (i,)) for i, v in enumerate(value))
                items.append(All(parsed) if key == "all" else AnyOf(parsed))
            elif key == "not":
                items.append(Not(self.parse(value, sub)))
            else:
                items.extend(self.parse_leaf(key, value, sub))
        return items[0] if len(items) == 1 else All(tuple(items))

    def _spec(self, ref: str, path: PathT) -> tuple[str, FactSpec | None, tuple[str, ...]] | None:
        """(type, fact spec, allowed values) of a reference, or None if unknown."""
        if ref.startswith(DECISION_PREFIX):
            dim = ref[len(DECISION_PREFIX):]
            if dim not in self.vocab.dimensions:
                dims = list(self.vocab.dimensions)
                self._problem(path, "unknown dimension", [DECISION_PREFIX + d for d in dims],
                              (DECISION_PREFIX + s) if (s := did_you_mean(dim, dims)) else None, UNKNOWN_ID)
                return None
            return "decision", None, tuple(self.vocab.dimensions[dim].choices)
        spec = self.vocab.facts.get(ref)
        if spec is None or spec.group is None:
            allowed = self.referable()
            message = "unknown fact" if spec is None else "rules cannot test free-text name/description"
            self._problem(path, f"{message} (or combinator: all, any, not)", allowed, did_you_mean(ref, allowed + list(COMBINATORS)), UNKNOWN_ID)
            return None
        return spec.type, spec, tuple(spec.values)

    def parse_leaf(self, ref: str, value: Any, path: PathT) -> list[Condition]:
        info = self._spec(ref, path)
        if info is None:
            return []
        ftype, spec, allowed = info
        ops = OPS_BY_TYPE[ftype]
        if not isinstance(value, dict):
            if ftype == "set":
                self._problem(path, "a set fact needs an operator, e.g. {contains: value}", ops)
                return []
            if isinstance(value, list):
                self._problem(path, "a list needs an operator: {in: [...]} or {not_in: [...]}", ops)
                return []
            value = {"eq": value}
        if not value:
            self._problem(path, "empty test; give an operator", ops)
            return []
        leaves: list[Condition] = []
        for op, operand in value.items():
            sub = path + (op,)
            if op not in ops:
                self._problem(sub, f"operator not allowed for a {ftype} {'fact' if spec else 'decision'}", ops, did_you_mean(op, ops), UNKNOWN_ID)
                continue
            checked = self._operand(ref, ftype, spec, allowed, op, operand, sub)
            if checked is not _INVALID:
                leaves.append(Leaf(ref, op, checked))
        return leaves

    def _operand(self, ref: str, ftype: str, spec: FactSpec | None, allowed: tuple[str, ...], op: str, operand: Any, path: PathT) -> Any:
        if op == "present":
            if not isinstance(operand, bool):
                self._problem(path, f"'present' takes true or false, got {operand!r}")
                return _INVALID
            return operand
        if op in LIST_OPS:
            if not isinstance(operand, list) or not operand:
                self._problem(path, f"'{op}' takes a non-empty list", allowed)
                return _INVALID
            values = [self._scalar(ftype, allowed, v, path + (i,)) for i, v in enumerate(operand)]
            if any(v is _INVALID for v in values):
                return _INVALID
            if len(set(values)) != len(values):
                self._problem(path, "the list repeats a value")
                return _INVALID
            return tuple(values)
        return self._scalar(ftype, allowed, operand, path)

    def _scalar(self, ftype: str, allowed: tuple[str, ...], value: Any, path: PathT) -> Any:
        if ftype in ("enum", "set", "decision"):
            if not isinstance(value, str) or value not in allowed:
                self._problem(path, f"invalid value {value!r}", allowed, did_you_mean(value, allowed), UNKNOWN_ID)
                return _INVALID
            return value
        if ftype == "bool":
            if not isinstance(value, bool):
                self._problem(path, f"expected true or false, got {value!r}")
                return _INVALID
            return value
        if ftype in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > MAX_NUMBER:
                self._problem(path, f"expected a number within ±{MAX_NUMBER}, got {value!r}")
                return _INVALID
            return value
        if not isinstance(value, str):
            self._problem(path, f"expected text, got {value!r}")
            return _INVALID
        return value


_INVALID = object()


# ------------------------------------------------------------------ DNF


class LiteralKind(StrEnum):
    """The test a :class:`Literal` makes on its field.

    - ``absent`` / ``stated`` (value None): the fact is (not) stated;
    - ``eq``; ``neq``: stated and different; ``differs`` (tuple of values):
      absent or different from every value — only for *sentinel* refs (see
      :func:`absence_is_a_value`), where it is a single test;
    - ``lt``, ``lte``, ``gt``, ``gte``;
    - sets: ``iany`` (contains the value), ``iall_neq`` (tuple: absent, or
      no item among the values — empty sets included), ``empty`` (stated and
      empty).
    """

    ABSENT = "absent"
    STATED = "stated"
    EQ = "eq"
    NEQ = "neq"
    DIFFERS = "differs"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IANY = "iany"
    IALL_NEQ = "iall_neq"
    EMPTY = "empty"


@dataclass(frozen=True, order=True)
class Literal:
    """One test on one field of the fact the matcher asserts (see :class:`LiteralKind`).

    ``sentinel`` says whether the matcher writes the field's absence as a
    value (:func:`absence_is_a_value`, decided from the vocabulary when the
    condition is normalised, so the matcher needs no vocabulary); it follows
    from ``ref``, so it takes no part in comparisons.
    """

    ref: str
    kind: LiteralKind
    value: Any
    sentinel: bool = field(default=False, compare=False)


Conjunct = tuple[Literal, ...]

_NEGATED_COMPARISON = {"lt": LiteralKind.GTE, "lte": LiteralKind.GT, "gt": LiteralKind.LTE, "gte": LiteralKind.LT}


def absence_is_a_value(ref: str, vocab: Vocabulary) -> bool:
    """True for refs whose absence the matcher writes as a sentinel value.

    Enum, boolean and decision fields: "not equal to v" then also holds when
    the field is absent, so negations compile to one test instead of two
    alternatives. Numbers and free text keep null (a sentinel would break
    comparisons or could collide with user text).
    """
    if ref.startswith(DECISION_PREFIX):
        return True
    spec = vocab.facts.get(ref)
    return spec is not None and spec.type in ("enum", "bool")


def _absent(ref: str, sentinel: bool) -> Conjunct:
    return (Literal(ref, LiteralKind.ABSENT, None, sentinel),)


def _positive(leaf: Leaf, sentinel: bool) -> list[Conjunct]:
    r, op, v = leaf.ref, leaf.op, leaf.value
    if op == "present":
        return [(Literal(r, LiteralKind.STATED if v else LiteralKind.ABSENT, None, sentinel),)]
    if op == "eq":
        return [(Literal(r, LiteralKind.EQ, v, sentinel),)]
    if op == "ne":
        return [(Literal(r, LiteralKind.NEQ, v, sentinel),)]
    if op in _NEGATED_COMPARISON:
        return [(Literal(r, LiteralKind(op), v, sentinel),)]
    if op == "in":
        return [(Literal(r, LiteralKind.EQ, x, sentinel),) for x in v]
    if op == "not_in":
        return [tuple(Literal(r, LiteralKind.NEQ, x, sentinel) for x in v)]
    if op == "contains":
        return [(Literal(r, LiteralKind.IANY, v, sentinel),)]
    if op == "contains_all":
        return [tuple(Literal(r, LiteralKind.IANY, x, sentinel) for x in v)]
    if op == "contains_any":
        return [(Literal(r, LiteralKind.IANY, x, sentinel),) for x in v]
    if op == "contains_none":
        return [(Literal(r, LiteralKind.STATED, None, sentinel), Literal(r, LiteralKind.IALL_NEQ, tuple(v), sentinel))]
    raise ValueError(f"unknown operator {op}")  # pragma: no cover


def _negative(leaf: Leaf, sentinel: bool) -> list[Conjunct]:
    r, op, v = leaf.ref, leaf.op, leaf.value
    if op == "present":
        return [(Literal(r, LiteralKind.ABSENT if v else LiteralKind.STATED, None, sentinel),)]
    if op == "eq":
        return [(Literal(r, LiteralKind.DIFFERS, (v,), sentinel),)] if sentinel else [(Literal(r, LiteralKind.NEQ, v, sentinel),), _absent(r, sentinel)]
    if op == "ne":
        return [(Literal(r, LiteralKind.EQ, v, sentinel),), _absent(r, sentinel)]
    if op in _NEGATED_COMPARISON:
        return [(Literal(r, _NEGATED_COMPARISON[op], v, sentinel),), _absent(r, sentinel)]
    if op == "in":
        if sentinel:
            return [(Literal(r, LiteralKind.DIFFERS, tuple(v), sentinel),)]
        return [tuple(Literal(r, LiteralKind.NEQ, x, sentinel) for x in v), _absent(r, sentinel)]
    if op == "not_in":
        return [(Literal(r, LiteralKind.EQ, x, sentinel),) for x in v] + [_absent(r, sentinel)]
    if op == "contains":
        return [(Literal(r, LiteralKind.IALL_NEQ, (v,), sentinel),)]
    if op == "contains_all":
        return [(Literal(r, LiteralKind.IALL_NEQ, (x,), sentinel),) for x in v]
    if op == "contains_any":
        return [(Literal(r, LiteralKind.IALL_NEQ, tuple(v), sentinel),)]
    if op == "contains_none":
        return [_absent(r, sentinel)] + [(Literal(r, LiteralKind.IANY, x, sentinel),) for x in v]
    raise ValueError(f"unknown operator {op}")  # pragma: no cover


def _contradicts(conj: Conjunct) -> bool:
    """Cheap, sound check that a conjunction can never hold."""
    by_ref: dict[str, list[Literal]] = {}
    for lit in conj:
        by_ref.setdefault(lit.ref, []).append(lit)
    for lits in by_ref.values():
        kinds = {lit.kind for lit in lits}
        if LiteralKind.ABSENT in kinds and kinds - {LiteralKind.ABSENT, LiteralKind.DIFFERS, LiteralKind.IALL_NEQ}:
            return True  # these need the fact stated; differs and iall_neq also hold when absent
        eqs = {lit.value for lit in lits if lit.kind == LiteralKind.EQ}
        if len(eqs) > 1:
            return True
        if eqs:
            (value,) = eqs
            for lit in lits:
                if lit.kind == LiteralKind.NEQ and lit.value == value:
                    return True
                if lit.kind == LiteralKind.DIFFERS and value in lit.value:
                    return True
                if lit.kind in _NEGATED_COMPARISON and not _compare(lit.kind, value, lit.value):
                    return True
        if LiteralKind.EMPTY in kinds and LiteralKind.IANY in kinds:
            return True
        banned = set().union(*[set(lit.value) for lit in lits if lit.kind == LiteralKind.IALL_NEQ])
        if any(lit.kind == LiteralKind.IANY and lit.value in banned for lit in lits):
            return True
    return False


def _compare(kind: str, a: Any, b: Any) -> bool:
    try:
        return {"lt": a < b, "lte": a <= b, "gt": a > b, "gte": a >= b}[kind]
    except TypeError:
        return True


def _simplify(conjuncts: Iterable[Conjunct]) -> list[Conjunct]:
    seen: dict[Conjunct, None] = {}
    for conj in conjuncts:
        canon = tuple(sorted(set(conj), key=_literal_key))
        if not _contradicts(canon):
            seen.setdefault(canon, None)
    return list(seen)


def canonical_order(dnf: Iterable[Conjunct]) -> list[Conjunct]:
    """Alternatives in a fixed order, the most specific first.

    The matcher reports the first alternative that holds; in this order that
    choice does not depend on the order of `any` items or `in` lists in the
    file, and a reason cites as many facts as it can.
    """
    return sorted(dnf, key=lambda c: (-len(c), tuple(map(_literal_key, c))))


def _literal_key(lit: Literal) -> tuple:
    # Tests on set items go last: durable-rules never shares their alpha
    # nodes, so shared prefixes of plain tests keep the network small.
    return (lit.kind in (LiteralKind.IANY, LiteralKind.IALL_NEQ), lit.ref, lit.kind, repr(lit.value))


class ConditionTooComplex(ValueError):
    pass


def to_dnf(cond: Condition, vocab: Vocabulary, negate: bool = False, limit: int = 64) -> list[Conjunct]:
    """Disjunctive normal form with negation pushed to literals.

    An empty list means the condition can never hold; ``[()]`` means it
    always holds. Raises :class:`ConditionTooComplex` past ``limit`` terms.
    ``vocab`` tells which fields the matcher writes as a sentinel when absent.
    """
    if isinstance(cond, Leaf):
        sentinel = absence_is_a_value(cond.ref, vocab)
        return _simplify(_negative(cond, sentinel) if negate else _positive(cond, sentinel))
    if isinstance(cond, Not):
        return to_dnf(cond.item, vocab, not negate, limit)
    conjunctive = isinstance(cond, All) != negate  # De Morgan
    parts = [to_dnf(item, vocab, negate, limit) for item in cond.items]
    if conjunctive:
        result: list[Conjunct] = [()]
        for part in parts:
            result = _simplify(a + b for a, b in itertools.product(result, part))
            if len(result) > limit:
                raise ConditionTooComplex(f"condition expands to more than {limit} alternatives")
        return result
    result = _simplify(itertools.chain.from_iterable(parts))
    if len(result) > limit:
        raise ConditionTooComplex(f"condition expands to more than {limit} alternatives")
    return result


# ------------------------------------------------------------------ printing


def to_data(cond: Condition) -> Any:
    """The canonical YAML-able form of a condition (for `rules show`, hashing)."""
    if cond == ALWAYS:
        return "always"
    if isinstance(cond, Leaf):
        value = list(cond.value) if isinstance(cond.value, tuple) else cond.value
        return {cond.ref: {cond.op: value}}
    if isinstance(cond, Not):
        return {"not": to_data(cond.item)}
    key = "all" if isinstance(cond, All) else "any"
    return {key: [to_data(c) for c in cond.items]}


_OP_WORDS = {
    "eq": "is", "ne": "is not", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=",
    "in": "is one of", "not_in": "is none of", "contains": "includes",
    "contains_all": "includes all of", "contains_any": "includes any of", "contains_none": "includes none of",
}


def describe(cond: Condition, indent: int = 0) -> list[str]:
    """Readable lines for a person, e.g. ``data.location is bigquery``."""
    pad = "  " * indent
    if cond == ALWAYS:
        return [pad + "always"]
    if isinstance(cond, Leaf):
        if cond.op == "present":
            return [pad + f"{cond.ref} is {'stated' if cond.value else 'not stated'}"]
        value = ", ".join(map(_fmt, cond.value)) if isinstance(cond.value, tuple) else _fmt(cond.value)
        if isinstance(cond.value, tuple):
            value = f"[{value}]"
        return [pad + f"{cond.ref} {_OP_WORDS[cond.op]} {value}"]
    if isinstance(cond, Not):
        return [pad + "not:"] + describe(cond.item, indent + 1)
    word = "all of:" if isinstance(cond, All) else "any of:"
    lines = [pad + word]
    for item in cond.items:
        lines += describe(item, indent + 1)
    return lines


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
