"""Which exam sections the knowledge base covers, with which rules and scenarios.

A rule covers the sections it cites. A scenario exercises a section when a
rule citing that section fires for a dimension that applies to it. A section
is *covered* when at least :data:`MIN_RULES` rules cite it and at least one
bundled scenario exercises it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from mlarch.core.engine import Engine
from mlarch.core.scenario import load_scenario

MIN_RULES = 3


@dataclass
class SectionCoverage:
    section: str
    label: str
    rules: list[str] = field(default_factory=list)
    hard_rules: int = 0
    dimensions: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return len(self.rules) >= MIN_RULES and bool(self.scenarios)

    @property
    def gaps(self) -> list[str]:
        out = []
        if len(self.rules) < MIN_RULES:
            out.append(f"only {len(self.rules)} rule(s) cite it (want {MIN_RULES}+)")
        if not self.scenarios:
            out.append("no bundled scenario exercises it")
        return out


def coverage(engine: Engine, scenario_paths: Iterable[Path]) -> list[SectionCoverage]:
    vocab = engine.vocab
    table = {s: SectionCoverage(s, label) for s, label in vocab.exam_sections.items()}
    for rule in engine.rulebook.rules:
        for s in rule.sections:
            row = table[s]
            row.rules.append(rule.id)
            row.hard_rules += rule.hard
            if rule.dimension not in row.dimensions:
                row.dimensions.append(rule.dimension)
    for path in sorted(scenario_paths):
        scenario = load_scenario(path, vocab=vocab)
        rec = engine.evaluate(scenario)
        hit = {s for rid, sup in rec.fired.items() if sup.rule.dimension in rec.decisions for s in sup.rule.sections}
        for s in sorted(hit):
            table[s].scenarios.append(scenario.name)
    order = list(vocab.dimensions)
    for row in table.values():
        row.dimensions.sort(key=order.index)
    return list(table.values())


def as_dict(rows: list[SectionCoverage]) -> dict:
    return {
        "min_rules": MIN_RULES,
        "sections": [
            {
                "section": r.section, "label": r.label, "covered": r.covered, "gaps": r.gaps,
                "rules": len(r.rules), "hard_rules": r.hard_rules, "dimensions": r.dimensions,
                "scenarios": r.scenarios, "rule_ids": r.rules,
            }
            for r in rows
        ],
        "uncovered": [r.section for r in rows if not r.covered],
    }


def as_text(rows: list[SectionCoverage]) -> str:
    lines = [f"{'section':<8}{'rules':>6}{'hard':>6}{'scen.':>7}  label / dimensions", "-" * 79]
    for r in rows:
        mark = "" if r.covered else "  << UNCOVERED: " + "; ".join(r.gaps)
        lines.append(f"{r.section:<8}{len(r.rules):>6}{r.hard_rules:>6}{len(r.scenarios):>7}  {r.label}{mark}")
        for chunk in textwrap.wrap(", ".join(r.dimensions) or "-", 50):
            lines.append(" " * 29 + chunk)
    uncovered = [r.section for r in rows if not r.covered]
    lines.append("")
    lines.append(f"{len(rows) - len(uncovered)} of {len(rows)} sections covered" + (f"; uncovered: {', '.join(uncovered)}" if uncovered else ""))
    return "\n".join(lines) + "\n"
