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
from bisect import bisect_left
from typing import Any, Callable, Hashable, Iterable, Mapping

from mlarch.core.conditions import Literal
from mlarch.core.vocabulary import MAX_NUMBER

Classifier = Callable[[Any], Hashable]

OTHER = ("#other",)  # a stated value that no test of the group names
COMPARISONS = frozenset({"lt", "lte", "gt", "gte"})
SET_KINDS = frozenset({"iany", "iall_neq", "empty"})
VALUE_KINDS = frozenset({"eq", "neq", "differs", "absent", "stated"})


def exact(value: Any) -> Hashable:
    """A class of its own: the value, told apart from any equal value of another type or spelling."""
    return (type(value).__name__, value, repr(value))


def _number(thresholds: tuple[Any, ...]) -> Classifier:
    """Numbers: the position among the thresholds, and whether the value is one of them."""
    equal = frozenset(thresholds)

    def classify(value: Any) -> Hashable:
        if value is None:
            return None
        kind = type(value)
        if (kind is int or kind is float) and -MAX_NUMBER <= value <= MAX_NUMBER:  # NaN fails both
            return 2 * bisect_left(thresholds, value) + (value in equal)
        return exact(value)

    return classify


def _value(named: frozenset[Any]) -> Classifier:
    """Enums, booleans, text and decisions: the value when a test names it, else "another value"."""

    def classify(value: Any) -> Hashable:
        if value is None:
            return None
        if type(value) is float and not math.isfinite(value):  # pragma: no cover - refused by validation
            return exact(value)
        return value if value in named else OTHER

    return classify


def _set(named: frozenset[Any]) -> Classifier:
    """Sets: empty or not, and which of the items the tests name it holds."""

    def classify(value: Any) -> Hashable:
        if value is None:
            return None
        if type(value) is not tuple:  # pragma: no cover - validation stores sets as tuples
            return exact(value)
        return (not value, named.intersection(value))

    return classify


def classifier(literals: Iterable[Literal]) -> Classifier:
    """The classifier for one ref from every literal a group tests it with."""
    lits = list(literals)
    kinds = {lit.kind for lit in lits}
    values = [v for lit in lits for v in (lit.value if isinstance(lit.value, tuple) else (lit.value,)) if v is not None]
    if kinds & SET_KINDS and kinds <= SET_KINDS | {"absent", "stated"}:
        return _set(frozenset(values))
    numbers = all(type(v) in (int, float) and math.isfinite(v) for v in values)
    if kinds & COMPARISONS and kinds <= COMPARISONS | VALUE_KINDS - {"differs"} and numbers:
        return _number(tuple(sorted(set(values))))
    if kinds <= VALUE_KINDS:
        try:
            return _value(frozenset(values))
        except TypeError:  # pragma: no cover - literal values are scalars
            pass
    return exact  # pragma: no cover - every literal kind is handled above


class GroupClasses:
    """The class key of one group: the class of every ref its conditions test."""

    __slots__ = ("refs", "classifiers")

    def __init__(self, literals: Iterable[Literal]) -> None:
        by_ref: dict[str, list[Literal]] = {}
        for lit in literals:
            by_ref.setdefault(lit.ref, []).append(lit)
        self.refs = tuple(sorted(by_ref))
        self.classifiers = tuple(classifier(by_ref[r]) for r in self.refs)

    def key(self, values: Mapping[str, Any]) -> tuple[Hashable, ...]:
        """The classes of ``values`` (raises TypeError for an unhashable value)."""
        get = values.get
        return tuple([f(get(r)) for r, f in zip(self.refs, self.classifiers)])
