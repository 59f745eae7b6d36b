"""Running every rule's own examples (like semgrep's rule tests).

A ``fires`` example must make the rule's condition hold *and* its dimension
apply, in a full evaluation of the example scenario (with any ``decisions``
it pins); a ``does_not_fire`` example must not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from mlarch.core.engine import Engine
from mlarch.core.rulebook import Example, Rule


@dataclass(frozen=True)
class ExampleResult:
    rule: Rule
    kind: str  # fires | does_not_fire
    index: int
    example: Example
    fired: bool

    @property
    def passed(self) -> bool:
        return self.fired == (self.kind == "fires")

    @property
    def location(self) -> str:
        return f"{self.rule.source}:{self.example.line}" if self.example.line else self.rule.source

    def describe(self) -> str:
        verdict = "ok  " if self.passed else "FAIL"
        expected = "fires" if self.kind == "fires" else "does not fire"
        actual = "fired" if self.fired else "did not fire"
        return f"{verdict} {self.rule.id} examples.{self.kind}[{self.index}]: expected: {expected}, got: {actual} ({self.location})"


def rule_fires(engine: Engine, rule: Rule, example: Example) -> bool:
    rec = engine.evaluate(example.scenario, example.pinned)
    return rule.id in rec.fired and rule.dimension in rec.decisions


def run_examples(engine: Engine, rules: Iterable[Rule]) -> list[ExampleResult]:
    results = []
    for rule in rules:
        for kind, examples in (("fires", rule.fires), ("does_not_fire", rule.does_not_fire)):
            for i, example in enumerate(examples):
                results.append(ExampleResult(rule, kind, i, example, rule_fires(engine, rule, example)))
    return results
