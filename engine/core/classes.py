"""Value classes: which side of every test of a group a value falls on.

Two values of a fact are in the same *class* for a group of rules when
every test the group's compiled conditions make on that fact (engine/core/
conditions.py literals) gives the same answer for both: 40 and 60 are one
class for a group whose only test on ``serving.latency_ms`` is ``lt 100``,
and ``"mysql"`` and ``"oracle"`` are one class for a group that only tests
``data.source == "bigquery"``. The rules that fire depend only on these
answers, so the engine (engine/core/engine.py) keys the matcher's result on
the classes of what a group reads, and a search variant that moves a value
without crossing a test skips durable-rules altogether.

Classes are deliberately exact: a value of an unexpected type (the
validated scenario model never gives one) or outside the numbers
durable-rules compares exactly is its own class, so the class key can
only be finer than needed, never coarser. tests/test_memo.py checks that
memoised and fresh engines agree, and test_classes_decide_every_literal that
two values of one class agree on every literal.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from itertools import repeat
from typing import Any, Callable, Hashable, Iterable, Mapping

from mlarch.core.conditions import Literal
from mlarch.core.evaluate import literal_holds
from mlarch.core.vocabulary import MAX_NUMBER

Classifier = Callable[[Any], Hashable]

OTHER = ("#other",)  # a stated value that no test of the group names
COMPARISONS = frozenset({"lt", "lte", "gt", "gte"})
SET_KINDS = frozenset({"iany", "iall_neq", "empty"})
VALUE_KINDS = frozenset({"eq", "neq", "differs", "absent", "stated"})


def exact(value: Any) -> Hashable:
    """A class of its own: the value, told apart from any equal value of another type or spelling."""
    return (type(value).__name__, value, repr(value))


def _number(literals: list[Literal]) -> Classifier:
    """Numbers: how many ``lt``/``gte`` thresholds are at or below the value, how
    many ``lte``/``gt`` thresholds are below it, and which tested value it equals."""
    below = tuple(sorted({lit.value for lit in literals if lit.kind in ("lt", "gte")}))  # v < t flips at t
    at_or_below = tuple(sorted({lit.value for lit in literals if lit.kind in ("lte", "gt")}))  # v <= t flips past t
    equal = frozenset(lit.value for lit in literals if lit.kind in ("eq", "neq"))

    def classify(value: Any) -> Hashable:
        if value is None:
            return None
        kind = type(value)
        if (kind is int or kind is float) and -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN fails both
            return (bisect_right(below, value), bisect_left(at_or_below, value), value if value in equal else OTHER)
        return exact(value)

    return classify


class _Table(dict):  # type: ignore[type-arg]
    """Enums, booleans, text and decisions: value -> which tests name it; any
    other stated value is OTHER (no test names it), absence is None. A plain
    lookup, so a group's key is built in C (GroupClasses.key)."""

    def __call__(self, value: Any) -> Hashable:
        return self.get(value, OTHER)


def _value(literals: list[Literal]) -> Classifier:
    naming: dict[Any, list[int]] = {}  # value -> the tests that name it (one pass: big groups have hundreds)
    for index, lit in enumerate(literals):
        for v in _operands(lit):
            naming.setdefault(v, []).append(index)
    table = _Table({v: tuple(tests) for v, tests in naming.items()})
    table[None] = None
    return table


def _set(literals: list[Literal]) -> Classifier:
    """Sets: the answer of every test (few tests read one set)."""

    def classify(value: Any) -> Hashable:
        if value is None:
            return None
        if type(value) is not tuple:  # pragma: no cover - validation stores sets as tuples
            return exact(value)
        return tuple([literal_holds(lit, value) for lit in literals])

    return classify


def _operands(lit: Literal) -> tuple[Any, ...]:
    return lit.value if isinstance(lit.value, tuple) else () if lit.value is None else (lit.value,)


def classifier(literals: Iterable[Literal]) -> Classifier:
    """The classifier for one ref from every literal a group tests it with."""
    lits = list(dict.fromkeys(literals))  # without repeats, in rule order (deterministic)
    kinds = {lit.kind for lit in lits}
    values = [v for lit in lits for v in _operands(lit)]
    if kinds & SET_KINDS and kinds <= SET_KINDS | {"absent", "stated"}:
        return _set(lits)
    numbers = all(type(v) in (int, float) and math.isfinite(v) for v in values)
    if kinds & COMPARISONS and kinds <= COMPARISONS | {"eq", "neq", "absent", "stated"} and numbers:
        return _number(lits)
    if kinds <= VALUE_KINDS:
        try:
            return _value(lits)
        except TypeError:  # pragma: no cover - literal values are scalars
            pass
    return exact  # pragma: no cover - every literal kind is handled above


class GroupClasses:
    """The class key of one group: the class of every ref its conditions test."""

    __slots__ = ("refs", "classifiers", "_looked_up", "_tables", "_computed")

    def __init__(self, literals: Iterable[Literal]) -> None:
        by_ref: dict[str, list[Literal]] = {}
        for lit in literals:
            by_ref.setdefault(lit.ref, []).append(lit)
        self.refs = tuple(sorted(by_ref))
        self.classifiers = tuple(classifier(by_ref[r]) for r in self.refs)
        pairs = list(zip(self.refs, self.classifiers))
        self._looked_up = tuple(r for r, f in pairs if isinstance(f, _Table))
        self._tables = tuple(f for _, f in pairs if isinstance(f, _Table))
        self._computed = tuple((r, f) for r, f in pairs if not isinstance(f, _Table))

    def key(self, values: Mapping[str, Any]) -> tuple[Hashable, ...]:
        """The classes of ``values``: table lookups first (in C), then the
        numbers and sets (raises TypeError for an unhashable value)."""
        get = values.get
        looked_up = tuple(map(dict.get, self._tables, map(get, self._looked_up), repeat(OTHER)))
        return looked_up + tuple([f(get(r)) for r, f in self._computed])
