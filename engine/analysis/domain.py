"""Finite-domain reasoning over rule conditions.

Every fact a rule can test has a finite abstraction: enum, bool, decision
and set facts have finitely many values, strings are only ever compared for
equality with the values rules name, and numbers only matter relative to the
thresholds rules compare them with. Over that abstraction a conjunction of
DNF literals (engine/core/conditions.py) is decided exactly, which gives lint
sound answers to "can this rule ever fire?", "does this rule's condition
imply that one's?" and a concrete witness when the answer is yes.

Decisions are not free variables: ``decision.<d>`` is absent exactly when
``d`` does not apply, which is a test on its parent decision
(``applies_when``), and a rule can only fire when its own dimension
applies. Those links form a tree and are propagated to arc consistency, so
the reasoning stays exact. A decision can also only take a choice that some
rule can produce (:meth:`Domains.reachable`, an over-approximation), which
catches rules that wait for a decision no rule ever makes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from mlarch.core.conditions import Conjunct, Literal, LiteralKind
from mlarch.core.evaluate import literal_holds
from mlarch.core.rulebook import Rule
from mlarch.core.vocabulary import DECISION_PREFIX, MAX_NUMBER, Vocabulary

ABSENT = None
OTHER_TEXT = "other"  # a free-text value no rule names


def threshold_points(thresholds: Iterable[float], integer: bool, low: float, spread: bool = False) -> list[int | float]:
    """The numbers worth trying for a fact that rules compare with ``thresholds``.

    Each threshold and the nearest value on each side of it (for integers ±1;
    for numbers ±1, or halved and doubled near zero) — the smallest changes
    that cross it, which why-not searches. With ``spread``, also ``low``, the
    midpoints between thresholds and a value far above the last, so every
    region between thresholds has a point (lint's finite domains). Values
    outside [``low``, MAX_NUMBER] are dropped; sorted.
    """
    ts = sorted({t for t in thresholds if low <= t <= MAX_NUMBER})
    points: set[float] = {low} if spread else set()
    for t in ts:
        points.update((t, t - 1 if integer or t >= 2 else t / 2, t + 1 if integer or t >= 1 else (t * 2 if t else 1)))
    if spread:
        points.update((a + b) / 2 for a, b in zip(ts, ts[1:]))
        if ts:
            points.add(ts[-1] * 10 + 1)
    out: set[int | float] = set()
    for p in points:
        if integer:
            p = math.floor(p)
        if low <= p <= MAX_NUMBER:
            out.add(int(p) if float(p).is_integer() else p)
    return sorted(out)


@dataclass(frozen=True)
class RefSpec:
    ref: str
    kind: str  # enum | bool | number | integer | string | set | decision
    values: tuple[Any, ...] = ()  # enum, set and decision values; known strings
    minimum: float | None = None
    exclusive: tuple[str, ...] = ()

    @property
    def decision(self) -> str | None:
        return self.ref[len(DECISION_PREFIX):] if self.ref.startswith(DECISION_PREFIX) else None


@dataclass
class Unsat:
    """Why a conjunction can never hold: the ref whose tests conflict, in words."""

    ref: str
    why: str


@dataclass
class Assignment:
    """A witness: a value (None = absent) for every ref the conjunction tests, and every decision involved."""

    facts: dict[str, Any] = field(default_factory=dict)
    decisions: dict[str, str | None] = field(default_factory=dict)
    fixed: dict[str, str] = field(default_factory=dict)  # decisions the conjunction leaves only one choice for


class Domains:
    """The finite abstraction of the facts and decisions of one rule base."""

    def __init__(self, vocab: Vocabulary, rules: Sequence[Rule], natural: bool = True) -> None:
        """``natural``: decisions only take choices the rules can make (a recommendation);
        otherwise any choice (a review, where a design pins decisions)."""
        self.vocab = vocab
        self.rules = list(rules)
        self.natural = natural
        self._numbers: dict[str, set[float]] = {}
        self._strings: dict[str, set[str]] = {}
        for rule in self.rules:
            for conj in rule.alternatives:
                for lit in conj:
                    vals = lit.value if isinstance(lit.value, tuple) else (lit.value,)
                    spec = vocab.facts.get(lit.ref)
                    if spec is None or lit.value is None:
                        continue
                    if spec.type in ("number", "integer"):
                        self._numbers.setdefault(lit.ref, set()).update(v for v in vals if isinstance(v, (int, float)))
                    elif spec.type == "string":
                        self._strings.setdefault(lit.ref, set()).update(v for v in vals if isinstance(v, str))
        self._specs: dict[str, RefSpec] = {}
        self._parents = {d: s.applies_when for d, s in vocab.dimensions.items()}
        every = {d: frozenset(s.choices) for d, s in vocab.dimensions.items()}
        self._reachable: dict[str, frozenset[str]] = self._compute_reachable() if natural else every

    # ------------------------------------------------------------ refs

    def spec(self, ref: str) -> RefSpec:
        """What ``ref`` can take (memoised: a string fact's values are sorted once, not per solve)."""
        found = self._specs.get(ref)
        if found is None:
            found = self._specs[ref] = self._spec(ref)
        return found

    def _spec(self, ref: str) -> RefSpec:
        if ref.startswith(DECISION_PREFIX):
            dim = ref[len(DECISION_PREFIX):]
            return RefSpec(ref, "decision", tuple(self.vocab.dimensions[dim].choices))
        f = self.vocab.facts[ref]
        if f.type == "string":
            return RefSpec(ref, "string", tuple(sorted(self._strings.get(ref, set()))) + (OTHER_TEXT,))
        return RefSpec(ref, f.type, tuple(f.values), f.minimum, f.exclusive)

    def thresholds(self, ref: str) -> list[float]:
        return sorted(self._numbers.get(ref, set()))

    def number_points(self, ref: str) -> list[int | float]:
        """Values on every side of every threshold rules compare ``ref`` with."""
        spec = self.vocab.facts[ref]
        low = spec.minimum if spec.minimum is not None else 0
        return threshold_points(self.thresholds(ref), spec.type == "integer", low, spread=True)

    def sample_values(self, ref: str) -> list[Any]:
        """Stated values worth trying for ``ref`` (sets: single items and none)."""
        spec = self.spec(ref)
        if spec.kind in ("enum", "decision", "string"):
            return list(spec.values)
        if spec.kind == "bool":
            return [True, False]
        if spec.kind in ("number", "integer"):
            return self.number_points(ref)
        return [()] + [(v,) for v in spec.values]

    # ------------------------------------------------------------ reachability

    def reachable(self, dimension: str) -> frozenset[str]:
        """Choices some rule could make for ``dimension`` (an over-approximation)."""
        return self._reachable[dimension]

    def _compute_reachable(self) -> dict[str, frozenset[str]]:
        """Iterate: choices rules can produce, ignoring rules that can never fire with them."""
        live = list(self.rules)
        reach = self._reach_from(live)
        for _ in range(10):
            self._reachable = reach
            live = [r for r in self.rules if any(not isinstance(self.solve(c, r.dimension), Unsat) for c in r.alternatives)]
            new = self._reach_from(live)
            if new == reach:
                break
            reach = new
        return reach

    def _reach_from(self, rules: Iterable[Rule]) -> dict[str, frozenset[str]]:
        positive: dict[str, set[str]] = {d: set() for d in self.vocab.dimensions}
        negative: dict[str, set[str]] = {d: set() for d in self.vocab.dimensions}
        for r in rules:
            (positive if r.verdict in ("prefer", "require") else negative)[r.dimension].update(r.choices)
        out: dict[str, frozenset[str]] = {}
        for dim, spec in self.vocab.dimensions.items():
            choices = list(spec.choices)
            reach = set(positive[dim])
            for i, c in enumerate(choices):  # wins the tie-break when every earlier choice can be ruled out or pushed down
                if all(e in negative[dim] for e in choices[:i]):
                    reach.add(c)
            out[dim] = frozenset(reach)
        return out

    # ------------------------------------------------------------ solving

    def solve(self, conj: Conjunct, dimension: str | None = None, prefer_absent: bool = True) -> Assignment | Unsat:
        """A witness for ``conj`` (with ``dimension`` applying, if given), or why there is none."""
        by_ref: dict[str, list[Literal]] = {}
        for lit in conj:
            by_ref.setdefault(lit.ref, []).append(lit)
        assignment = Assignment()
        for ref, lits in by_ref.items():
            if ref.startswith(DECISION_PREFIX):
                continue
            found = self.fact_witness(ref, lits, prefer_absent)
            if isinstance(found, Unsat):
                return found
            assignment.facts[ref] = found
        decisions = self._decision_domains(by_ref, dimension)
        if isinstance(decisions, Unsat):
            return decisions
        assignment.decisions, assignment.fixed = decisions
        return assignment

    def satisfiable(self, conj: Conjunct, dimension: str | None = None) -> bool:
        return not isinstance(self.solve(conj, dimension), Unsat)

    def fact_witness(self, ref: str, lits: Sequence[Literal], prefer_absent: bool = True) -> Any:
        """A value for one fact satisfying every literal on it (None = absent), or :class:`Unsat`."""
        spec = self.spec(ref)
        absent_ok = all(literal_holds(lit, None) for lit in lits)
        if absent_ok and prefer_absent:
            return None
        stated = self._stated_witness(spec, lits)
        if stated is not _NONE:
            return stated
        if absent_ok:
            return None
        return Unsat(ref, f"{' and '.join(describe_literal(lit) for lit in lits)} cannot all hold")

    def _stated_witness(self, spec: RefSpec, lits: Sequence[Literal]) -> Any:
        if any(lit.kind == LiteralKind.ABSENT for lit in lits):
            return _NONE
        if spec.kind in ("enum", "bool", "string", "decision"):
            equal = [lit.value for lit in lits if lit.kind == LiteralKind.EQ]
            if equal:  # the only candidate (saves a scan of every value of a string fact)
                pool = equal[:1]
            else:
                pool = [True, False] if spec.kind == "bool" else list(spec.values)
            for v in pool:
                if all(literal_holds(lit, v) for lit in lits):
                    return v
            return _NONE
        if spec.kind in ("number", "integer"):
            return _number_witness(spec, lits)
        return _set_witness(spec, lits)

    def _decision_domains(self, by_ref: Mapping[str, list[Literal]], dimension: str | None) -> tuple[dict[str, str | None], dict[str, str]] | Unsat:
        """Arc-consistent decision domains along the applies_when tree, then a witness top-down.

        Only the decisions the conjunction tests (and the rule's own dimension)
        and their ancestors matter: every other decision keeps a choice and
        "not applicable" open, so it can never empty a domain.
        """
        dims = self.vocab.dimensions
        involved = self._involved(by_ref, dimension) | ({dimension} if dimension else set())
        order = [d for d in self._top_down() if d in involved]
        dom: dict[str, set[Any]] = {}
        for dim in order:
            spec = dims[dim]
            values: set[Any] = set(self._reachable.get(dim, spec.choices))
            if spec.applies_when.dimension is not None:
                values.add(None)
            dom[dim] = values
        for ref, lits in by_ref.items():
            if ref.startswith(DECISION_PREFIX):
                dim = ref[len(DECISION_PREFIX):]
                dom[dim] = {v for v in dom[dim] if all(literal_holds(lit, v) for lit in lits)}
        if dimension is not None:
            dom[dimension] = {v for v in dom[dimension] if v is not None}
        changed = True
        while changed and all(dom.values()):
            changed = False
            for dim in order:
                aw = dims[dim].applies_when
                if aw.dimension is None:
                    continue
                parent = aw.dimension
                applying = _applying(aw, dims[parent].choices)
                keep_parent = {
                    p for p in dom[parent]
                    if (p in applying and any(v is not None for v in dom[dim])) or (p not in applying and None in dom[dim])
                }
                keep_child = {
                    v for v in dom[dim]
                    if (v is not None and any(p in applying for p in dom[parent])) or (v is None and any(p not in applying for p in dom[parent]))
                }
                if keep_parent != dom[parent] or keep_child != dom[dim]:
                    dom[parent], dom[dim] = keep_parent, keep_child
                    changed = True
        if not all(dom.values()):
            empty = next(d for d in order if not dom[d])
            return Unsat(DECISION_PREFIX + empty, self._explain(by_ref, dimension))
        chosen: dict[str, Any] = {}  # witness, parents first
        for dim in order:
            aw = dims[dim].applies_when
            applies = aw.dimension is None or chosen.get(aw.dimension) in _applying(aw, dims[aw.dimension].choices)
            options = sorted((v for v in dom[dim] if v is not None), key=list(dims[dim].choices).index) if applies else [None]
            chosen[dim] = options[0] if options else None
        fixed = {d: next(iter(dom[d])) for d in sorted(involved) if len(dom[d]) == 1 and None not in dom[d]}
        relevant = involved - ({dimension} if dimension else set())
        return {d: chosen[d] for d in order if d in relevant}, fixed

    def _explain(self, by_ref: Mapping[str, list[Literal]], dimension: str | None) -> str:
        """Why the decisions a conjunction needs cannot all hold, in words."""
        parts: list[str] = []
        for dim in self._involved(by_ref, dimension) | ({dimension} if dimension else set()):
            lits = by_ref.get(DECISION_PREFIX + dim, [])
            parts += [describe_literal(lit) for lit in lits]
            wanted = [lit.value for lit in lits if lit.kind == LiteralKind.EQ]
            missing = [v for v in wanted if v not in self._reachable.get(dim, ())]
            if missing and self.natural:
                parts.append(f"no rule can make {dim} {', '.join(map(str, missing))}")
            aw = self.vocab.dimensions[dim].applies_when
            if aw.dimension is not None:
                parts.append(f"{dim} applies only when {aw.text}")
                needed = _applying(aw, self.vocab.dimensions[aw.dimension].choices)
                if self.natural and not needed & self._reachable.get(aw.dimension, frozenset()):
                    parts.append(f"no rule can make {aw.dimension} {', '.join(sorted(needed))}")
        if dimension:
            parts.append(f"a rule on {dimension} only fires when {dimension} applies")
        order = {d: i for i, d in enumerate(self.vocab.dimensions)}
        return "; ".join(sorted(dict.fromkeys(parts), key=lambda p: (order.get(p.split()[0].removeprefix(DECISION_PREFIX), 99), p)))

    def _involved(self, by_ref: Mapping[str, list[Literal]], dimension: str | None) -> set[str]:
        """Decisions tested, plus their applies_when ancestors."""
        todo = [r[len(DECISION_PREFIX):] for r in by_ref if r.startswith(DECISION_PREFIX)]
        if dimension:
            todo.append(dimension)
        seen: set[str] = set()
        while todo:
            d = todo.pop()
            if d in seen:
                continue
            seen.add(d)
            parent = self.vocab.dimensions[d].applies_when.dimension
            if parent:
                todo.append(parent)
        if dimension:
            seen.discard(dimension)
            # the rule's own dimension is not a value the witness fixes, only its ancestors
        return seen

    def _top_down(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()

        def visit(d: str) -> None:
            if d in seen:
                return
            parent = self.vocab.dimensions[d].applies_when.dimension
            if parent:
                visit(parent)
            seen.add(d)
            order.append(d)

        for d in self.vocab.dimensions:
            visit(d)
        return order


_NONE = object()


def _applying(aw: Any, parent_choices: Iterable[str]) -> set[str]:
    if aw.op == "not_in":
        return {c for c in parent_choices if c not in aw.values}
    return set(aw.values)


def _number_witness(spec: RefSpec, lits: Sequence[Literal]) -> Any:
    integer = spec.kind == "integer"
    low = spec.minimum if spec.minimum is not None else -MAX_NUMBER
    lo, lo_strict, hi, hi_strict = float(low), False, float(MAX_NUMBER), False
    eqs = {lit.value for lit in lits if lit.kind == LiteralKind.EQ}
    neqs = {lit.value for lit in lits if lit.kind == LiteralKind.NEQ}
    for lit in lits:
        v = lit.value
        if lit.kind in (LiteralKind.GT, LiteralKind.GTE) and (v > lo or (v == lo and lit.kind == LiteralKind.GT)):
            lo, lo_strict = v, lit.kind == LiteralKind.GT
        elif lit.kind in (LiteralKind.LT, LiteralKind.LTE) and (v < hi or (v == hi and lit.kind == LiteralKind.LT)):
            hi, hi_strict = v, lit.kind == LiteralKind.LT
    candidates: list[float] = []
    if eqs:
        candidates = list(eqs)
    elif integer:
        start = math.floor(lo) + 1 if lo_strict or not float(lo).is_integer() else int(lo)
        candidates = [start + i for i in range(len(neqs) + 1)]
    elif lo < hi:
        width = min(hi - lo, 2.0 * (len(neqs) + 2))
        if not lo_strict:
            candidates.append(lo)
        candidates += [lo + width * (i + 1) / (len(neqs) + 2) for i in range(len(neqs) + 1)]
        if not hi_strict:
            candidates.append(hi)
    elif lo == hi and not lo_strict and not hi_strict:
        candidates = [lo]
    for v in candidates:
        if integer and not float(v).is_integer():
            continue
        if not (low <= v <= MAX_NUMBER):
            continue
        v = int(v) if float(v).is_integer() else v
        if all(literal_holds(lit, v) for lit in lits):
            return v
    return _NONE


def _set_witness(spec: RefSpec, lits: Sequence[Literal]) -> Any:
    required = {lit.value for lit in lits if lit.kind == LiteralKind.IANY}
    banned = set().union(*[set(lit.value) for lit in lits if lit.kind == LiteralKind.IALL_NEQ])
    if required & banned:
        return _NONE
    if any(lit.kind == LiteralKind.EMPTY for lit in lits) and required:
        return _NONE
    exclusive = required & set(spec.exclusive)
    if exclusive and len(required) > 1:
        return _NONE
    order = list(spec.values)
    value = tuple(sorted(required, key=order.index))
    return value if all(literal_holds(lit, value) for lit in lits) else _NONE


_WORDS = {
    "eq": "is", "neq": "is stated and is not", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=",
    "iany": "includes", "iall_neq": "includes none of (or is not stated)", "differs": "is not (or is not stated)",
}


def describe_literal(lit: Literal) -> str:
    """One DNF literal in words, e.g. ``data.size_gb < 100``."""
    if lit.kind == LiteralKind.ABSENT:
        return f"{lit.ref} is not stated"
    if lit.kind == LiteralKind.STATED:
        return f"{lit.ref} is stated"
    if lit.kind == LiteralKind.EMPTY:
        return f"{lit.ref} is stated and empty"
    value = lit.value
    if isinstance(value, tuple):
        text = value[0] if len(value) == 1 else "[" + ", ".join(map(str, value)) + "]"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return f"{lit.ref} {_WORDS.get(lit.kind, lit.kind)} {text}"
