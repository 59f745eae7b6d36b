"""A bounded memo of each rule group's outcome, for searches over variants.

Why-not, what-if, lint, mutation testing and the interview evaluate
thousands of variants of one scenario that differ in one or two facts. Most
groups of rules (engine/core/engine.py: one per plan level and ``applies_when``)
read none of the changed facts, so their outcome — the rules that fired, and
the decisions resolved from them — is the same as last time. The engine keys
each group's outcome on the values of every fact and decision its rules read
(their conditions, which by validation include every ``{placeholder}`` of
their reasons), the decisions pinned for its dimensions and the dimensions
asked for, and reuses it instead of matching and resolving again.

The outcome is a pure function of that key: matching a rule reads only the
refs of its compiled condition, resolution reads only the rules that fired and the
pin, and a reason's text and facts read only the refs of the matched
alternative. tests/test_memo.py checks memoised and fresh evaluations agree.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, Hashable, TypeVar

V = TypeVar("V")

# Entries across all groups of one engine. An entry holds a group's fired
# rules and decisions (a few KB, mostly shared with the evaluation that made
# it); 2,048 entries stay under ~10 MB (measured, docs/performance.md) and
# cover a why-not search (~30 groups, a few hundred distinct changed values).
MEMO_SIZE = 2048


class LRU(Generic[V]):
    """A least-recently-used mapping with at most ``size`` entries (0 disables it)."""

    __slots__ = ("size", "_data", "hits", "misses")

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> V | None:
        found = self._data.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        try:
            self._data.move_to_end(key)
        except KeyError:  # pragma: no cover - evicted by another thread meanwhile
            pass
        return found

    def put(self, key: Hashable, value: V) -> None:
        if self.size <= 0:
            return
        self._data[key] = value
        while len(self._data) > self.size:
            try:
                self._data.popitem(last=False)
            except KeyError:  # pragma: no cover - emptied by another thread meanwhile
                break

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
