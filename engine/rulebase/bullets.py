"""Which exam-guide bullets the knowledge base covers (``mlarch coverage --by bullet``).

The bullets live in ``exam_bullets.yaml`` next to this module: our own
paraphrase of each bullet of the exam guide (never its sentences), whether it
names a design decision, and the dimensions that answer it. A rule covers a
bullet when it concludes on one of the bullet's dimensions and cites the
bullet's section; a question covers it when it belongs to that section and
its options set one of those dimensions; a scenario exercises it when one of
its covering rules fires there. A decision bullet is *covered* when at least
one rule and one question cover it; the others are listed as not decisions.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from mlarch.core import yamlio
from mlarch.core.engine import Engine
from mlarch.core.errors import EngineError
from mlarch.core.scenario import load_scenario

BULLETS_FILE = Path(__file__).with_name("exam_bullets.yaml")


@dataclass(frozen=True)
class Bullet:
    id: str  # "4.2.a": section 4.2, bullet a
    paraphrase: str
    decision: bool
    dimensions: tuple[str, ...]

    @property
    def section(self) -> str:
        return self.id.rsplit(".", 1)[0]


@dataclass
class BulletCoverage:
    bullet: Bullet
    rules: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return not self.bullet.decision or (bool(self.rules) and bool(self.questions))

    @property
    def gaps(self) -> list[str]:
        if not self.bullet.decision:
            return []
        out = []
        if not self.bullet.dimensions:
            out.append("no dimension answers it")
        if not self.rules:
            out.append("no rule covers it")
        if not self.questions:
            out.append("no question covers it")
        return out


def load_bullets(engine: Engine, path: Path = BULLETS_FILE) -> list[Bullet]:
    """The bullets, checked against the vocabulary (unknown section or dimension is an error)."""
    data = yamlio.load(path).data
    out = []
    for i, raw in enumerate(data.get("bullets") or []):
        bullet = Bullet(str(raw["id"]), str(raw["paraphrase"]), bool(raw["decision"]), tuple(raw.get("dimensions") or ()))
        if bullet.section not in engine.vocab.exam_sections:
            raise EngineError(f"{path}: bullets[{i}] {bullet.id}: section {bullet.section} is not an exam section")
        unknown = [d for d in bullet.dimensions if d not in engine.vocab.dimensions]
        if unknown:
            raise EngineError(f"{path}: bullets[{i}] {bullet.id}: unknown dimension(s) {', '.join(unknown)}")
        out.append(bullet)
    return out


def _question_index(paths: Iterable[Path]) -> list[tuple[str, set[str], set[str]]]:
    """(name, sections, dimensions its options set) for each question file."""
    out = []
    for path in sorted(paths):
        data = yamlio.load(path).data
        if not isinstance(data, Mapping) or "options" not in data:
            continue
        section = data.get("section") or []
        sections = {str(s) for s in (section if isinstance(section, list) else [section])}
        dims = {d for opt in (data.get("options") or {}).values() if isinstance(opt, Mapping) for d in opt}
        out.append((path.stem, sections, dims))
    return out


def bullet_coverage(engine: Engine, scenario_paths: Iterable[Path], question_paths: Iterable[Path]) -> list[BulletCoverage]:
    bullets = load_bullets(engine)
    rows = [BulletCoverage(b) for b in bullets]
    covering = {
        r.bullet.id: [rule.id for rule in engine.rulebook.rules
                      if rule.dimension in r.bullet.dimensions and r.bullet.section in rule.sections]
        for r in rows
    }
    for row in rows:
        row.rules = covering[row.bullet.id]
    for path in sorted(scenario_paths):
        scenario = load_scenario(path, vocab=engine.vocab)
        rec = engine.evaluate(scenario)
        fired = {rid for rid, sup in rec.fired.items() if sup.rule.dimension in rec.decisions}
        for row in rows:
            if fired.intersection(row.rules):
                row.scenarios.append(scenario.name)
    for name, sections, dims in _question_index(question_paths):
        for row in rows:
            if row.bullet.section in sections and dims.intersection(row.bullet.dimensions):
                row.questions.append(name)
    return rows


def as_dict(rows: list[BulletCoverage]) -> dict:
    return {
        "bullets": [
            {
                "bullet": r.bullet.id, "section": r.bullet.section, "paraphrase": r.bullet.paraphrase,
                "decision": r.bullet.decision, "covered": r.covered, "gaps": r.gaps,
                "dimensions": list(r.bullet.dimensions), "rules": len(r.rules), "rule_ids": r.rules,
                "scenarios": r.scenarios, "questions": r.questions,
            }
            for r in rows
        ],
        "uncovered": [r.bullet.id for r in rows if not r.covered],
        "not_decisions": [r.bullet.id for r in rows if not r.bullet.decision],
    }


def as_text(rows: list[BulletCoverage]) -> str:
    lines = [f"{'bullet':<8}{'rules':>6}{'scen.':>7}{'quest.':>7}  paraphrase / dimensions", "-" * 79]
    for r in rows:
        b = r.bullet
        mark = "" if r.covered else "  << UNCOVERED: " + "; ".join(r.gaps)
        if not b.decision:
            mark = "  (not a design decision)"
        head = textwrap.wrap(b.paraphrase + mark, 51) or [""]
        lines.append(f"{b.id:<8}{len(r.rules):>6}{len(r.scenarios):>7}{len(r.questions):>7}  {head[0]}")
        lines += [" " * 30 + more for more in head[1:]]
        for chunk in textwrap.wrap("dimensions: " + (", ".join(b.dimensions) or "-"), 49):
            lines.append(" " * 30 + chunk)
    decision = [r for r in rows if r.bullet.decision]
    uncovered = [r.bullet.id for r in rows if not r.covered]
    lines.append("")
    lines.append(f"{len(decision) - len(uncovered)} of {len(decision)} decision bullets covered "
                 f"({len(rows) - len(decision)} bullets are not design decisions)"
                 + (f"; uncovered: {', '.join(uncovered)}" if uncovered else ""))
    return "\n".join(lines) + "\n"
