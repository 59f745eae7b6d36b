"""Evaluating a condition in plain Python, outside the matcher.

The matcher compiles conditions for durable-rules; lint and the invariant
checks need to ask "does this condition hold for these values?" directly
(for coherence checks, for the faithfulness of reasons, and to explain
findings), with the semantics of docs/rules.md: a test on an absent fact
is false, except ``present: false``, and ``not`` negates what is below it.
"""

from __future__ import annotations

from typing import Any, Mapping

from mlarch.core.conditions import All, AnyOf, Condition, Leaf, Literal, LiteralKind, Not

Values = Mapping[str, Any]  # fact id or "decision.<dim>" -> value; sets as tuples; absent = missing or None


def holds(cond: Condition, values: Values) -> bool:
    """True when ``cond`` holds for ``values``."""
    if isinstance(cond, All):
        return all(holds(c, values) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(holds(c, values) for c in cond.items)
    if isinstance(cond, Not):
        return not holds(cond.item, values)
    return leaf_holds(cond, values.get(cond.ref))


def leaf_holds(leaf: Leaf, actual: Any) -> bool:
    op, operand = leaf.op, leaf.value
    if op == "present":
        return (actual is not None) == operand
    if actual is None:
        return False
    if op == "eq":
        return actual == operand
    if op == "ne":
        return actual != operand
    if op in ("lt", "lte", "gt", "gte"):
        return _compare(op, actual, operand)
    if op == "in":
        return actual in operand
    if op == "not_in":
        return actual not in operand
    items = set(actual)
    if op == "contains":
        return operand in items
    if op == "contains_all":
        return set(operand) <= items
    if op == "contains_any":
        return bool(items & set(operand))
    if op == "contains_none":
        return not items & set(operand)
    raise ValueError(f"unknown operator {op}")


def literal_holds(lit: Literal, actual: Any) -> bool:
    """The meaning of one DNF literal (engine/core/conditions.py) for a value (None = absent)."""
    kind, v = lit.kind, lit.value
    if kind == LiteralKind.ABSENT:
        return actual is None
    if kind == LiteralKind.DIFFERS:
        return actual is None or actual not in v
    if kind == LiteralKind.IALL_NEQ:
        return actual is None or not set(actual) & set(v)
    if actual is None:
        return False
    if kind == LiteralKind.STATED:
        return True
    if kind == LiteralKind.EQ:
        return actual == v
    if kind == LiteralKind.NEQ:
        return actual != v
    if kind in (LiteralKind.LT, LiteralKind.LTE, LiteralKind.GT, LiteralKind.GTE):
        return _compare(kind, actual, v)
    if kind == LiteralKind.IANY:
        return v in actual
    if kind == LiteralKind.EMPTY:
        return len(actual) == 0
    raise ValueError(f"unknown literal kind {kind}")


def conjunct_holds(conj: tuple[Literal, ...], values: Values) -> bool:
    return all(literal_holds(lit, values.get(lit.ref)) for lit in conj)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return {"lt": a < b, "lte": a <= b, "gt": a > b, "gte": a >= b}[op]
