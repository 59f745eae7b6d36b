"""The evaluation plan: in which order dimensions are decided.

A dimension depends on another when its ``applies_when`` or any of its
rules' conditions test that other decision. Dimensions are grouped into
*levels* by dependency depth: every level only needs decisions from earlier
levels, so each level is matched once (one durable-rules assertion) and then
resolved, and its decisions become facts for the next level. This is
stratified forward chaining: decisions chain forward, and negation over a
decision is always evaluated after that decision is final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from mlarch.core.errors import InputError, Problem
from mlarch.core.rulebook import RuleBook
from mlarch.core.vocabulary import Vocabulary


@dataclass(frozen=True)
class Level:
    """The dimensions at one dependency depth of the plan ("stage" is the
    lifecycle stage of a dimension in the vocabulary: data, training, ...)."""

    index: int
    dimensions: tuple[str, ...]  # in vocabulary order


@dataclass(frozen=True)
class Plan:
    levels: tuple[Level, ...]
    depends_on: dict[str, frozenset[str]]

    def needs(self, dimensions: Iterable[str]) -> set[str]:
        """``dimensions`` and every dimension they depend on, directly or not: what
        ``Engine.evaluate(..., only=...)`` must decide for them to come out as in a
        full evaluation."""
        return closure(dimensions, self.depends_on)

    def level_of(self, dimension: str) -> int:
        for level in self.levels:
            if dimension in level.dimensions:
                return level.index
        raise KeyError(dimension)


def closure(start: Iterable[str], edges: Mapping[str, Iterable[str]]) -> set[str]:
    """``start`` and everything reachable from it along ``edges``."""
    out: set[str] = set()
    todo = list(start)
    while todo:
        d = todo.pop()
        if d not in out:
            out.add(d)
            todo += edges.get(d, ())
    return out


def dependencies(vocab: Vocabulary, rulebook: RuleBook) -> tuple[dict[str, set[str]], dict[tuple[str, str], list[str]]]:
    """Dimension -> the dimensions it needs decided first, and why (rule ids)."""
    deps: dict[str, set[str]] = {d: set() for d in vocab.dimensions}
    why: dict[tuple[str, str], list[str]] = {}
    for dim, spec in vocab.dimensions.items():
        if spec.applies_when.dimension:
            deps[dim].add(spec.applies_when.dimension)
            why.setdefault((dim, spec.applies_when.dimension), []).append(f"applies_when of {dim}")
    for rule in rulebook.rules:
        for other in rule.decision_refs:
            deps[rule.dimension].add(other)
            why.setdefault((rule.dimension, other), []).append(f"rule {rule.id}")
    return deps, why


def make_plan(vocab: Vocabulary, rulebook: RuleBook) -> Plan:
    """Order dimensions into levels; a dependency cycle is a rule-base error."""
    deps, why = dependencies(vocab, rulebook)
    level: dict[str, int] = {}
    visiting: list[str] = []

    def visit(dim: str) -> int:
        if dim in level:
            return level[dim]
        if dim in visiting:
            cycle = visiting[visiting.index(dim):] + [dim]
            steps = [f"{a} needs {b} ({', '.join(why[(a, b)])})" for a, b in zip(cycle, cycle[1:])]
            raise InputError(None, [Problem("", "decisions depend on each other in a cycle: " + "; ".join(steps))])
        visiting.append(dim)
        depth = 1 + max((visit(d) for d in sorted(deps[dim])), default=-1)
        visiting.pop()
        level[dim] = depth
        return depth

    for dim in vocab.dimensions:
        visit(dim)
    levels = []
    for index in range(max(level.values(), default=-1) + 1):
        dims = tuple(d for d in vocab.dimensions if level[d] == index)
        levels.append(Level(index, dims))
    return Plan(tuple(levels), {d: frozenset(v) for d, v in deps.items()})
