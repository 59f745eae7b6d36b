"""One line per decision with its confidence: `mlarch recommend --summary` and the interview's
running summary share it (features do not import each other)."""

from __future__ import annotations

from mlarch.analysis.sensitivity import CONFIDENCES, Sensitivity
from mlarch.core.engine import Recommendation


def summary_lines(rec: Recommendation, sens: Sensitivity, changed: frozenset[str] = frozenset(),
                  before: dict[str, str] | None = None) -> list[str]:
    """``changed`` dimensions are marked ``*`` with their previous choice (``before``)."""
    width = max((len(d) for d in rec.decisions), default=0)
    cwidth = max((len(dec.choice) for dec in rec.decisions.values()), default=0)
    out = []
    for dim, dec in rec.decisions.items():
        line = f"{'*' if dim in changed else ' '} {dim:<{width}}  {dec.choice:<{cwidth}}  {sens.confidence(dim)}"
        if dim in changed and before is not None:
            line += f"  (was {before.get(dim) or 'not applicable'})"
        out.append(line.rstrip())
    gone = [d for d in sorted(changed) if d not in rec.decisions]
    out += [f"* {d:<{width}}  {'(no longer applies)':<{cwidth}}" .rstrip() for d in gone]
    return out


def counts(sens: Sensitivity) -> str:
    n = {c: sum(1 for d in sens.decisions.values() if d.confidence == c) for c in CONFIDENCES}
    return ", ".join(f"{v} {c}" for c, v in n.items())


def render_summary(rec: Recommendation, sens: Sensitivity) -> str:
    head = f"{rec.scenario.name}: {len(rec.decisions)} decisions ({counts(sens)})"
    return "\n".join([head] + summary_lines(rec, sens)) + "\n"
