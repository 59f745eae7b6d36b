"""How firm the recommendation a design is reviewed against is (`mlarch review --sensitivity`, issue 14).

For each dimension the design sets and the scenario's recommendation
decides: the confidence of the recommended choice, the stated facts whose
small change flips it (knife-edge) or whose change of kind would, the
unstated facts that could change it, and the facts (stated or not) whose
value would make the **design's own choice** the recommended one. One
sensitivity search of the scenario (analysis/sensitivity.py) feeds every
format; the review itself is unchanged (docs/review.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from mlarch.analysis.sensitivity import DecisionSensitivity, Sensitivity, analyse, json_value, show
from mlarch.core.engine import Engine
from mlarch.core.judge import Review


@dataclass(frozen=True)
class Support:
    """A fact value under which the rules would recommend the design's choice."""

    fact: str
    value: Any
    stated: bool  # the fact is stated (this is a change of it) or not (this is an answer to it)

    def text(self) -> str:
        return f"{self.fact} were {show(self.value)}" + ("" if self.stated else " (not stated)")


@dataclass(frozen=True)
class DesignSensitivity:
    dimension: str
    proposed: str  # the design's choice
    recommended: str  # the scenario's own recommendation
    decision: DecisionSensitivity
    supports: tuple[Support, ...]  # one value per fact (the smallest change), vocabulary order

    @property
    def confidence(self) -> str:
        return self.decision.confidence


def design_sensitivity(engine: Engine, rv: Review, sens: Sensitivity | None = None) -> dict[str, DesignSensitivity]:
    """Per dimension the design sets and the recommendation decides, in vocabulary order."""
    rec = rv.recommendation
    sens = sens or analyse(engine, rec)
    out: dict[str, DesignSensitivity] = {}
    for dim in rec.decisions:
        proposed = rv.design.choices.get(dim)
        if proposed is None:
            continue
        supports = []
        if proposed != rec.choices[dim]:
            for fact, eff in sens.influences.items():
                hit = next((v for v in eff.variants if v.changes.get(dim, (None, None))[1] == proposed), None)
                if hit is not None:  # values_to_try lists the smallest changes of a stated fact first
                    supports.append(Support(fact, hit.value, eff.current is not None))
        out[dim] = DesignSensitivity(dim, proposed, rec.choices[dim], sens.decisions[dim], tuple(supports))
    return out


def as_data(found: Mapping[str, DesignSensitivity]) -> dict[str, dict[str, Any]]:
    """The ``sensitivity`` object of the review's JSON (docs/review.md)."""
    return {
        dim: {
            "proposed": ds.proposed,
            "recommended": ds.recommended,
            "confidence": ds.confidence,
            "stated": [{"fact": f.fact, "value": json_value(f.before), "change_to": json_value(f.after),
                        "choice": f.choice, "knife_edge": f.knife_edge} for f in ds.decision.flips],
            "unstated": [u.fact for u in ds.decision.unknowns],
            "design_choice_if": [{"fact": s.fact, "value": json_value(s.value), "stated": s.stated} for s in ds.supports],
        }
        for dim, ds in found.items()
    }


SHOWN = 3  # changes listed per dimension in text and Markdown


def lines(ds: DesignSensitivity) -> list[tuple[str, str]]:
    """(mark, sentence) pairs for text and Markdown: ``~`` a change of a stated fact, ``?`` unstated facts,
    ``=`` what would make the design's choice the recommendation."""
    out = [("~", ("knife-edge: " if f.knife_edge else "") + f.text()) for f in ds.decision.flips[:SHOWN]]
    if len(ds.decision.flips) > SHOWN:
        out.append(("~", f"and {len(ds.decision.flips) - SHOWN} more single changes (--format json lists them)"))
    if ds.decision.unknowns:
        out.append(("?", "could change with: " + ", ".join(u.fact for u in ds.decision.unknowns)))
    if ds.proposed != ds.recommended:
        if ds.supports:
            shown = "; ".join(s.text() for s in ds.supports[:SHOWN])
            more = f"; and {len(ds.supports) - SHOWN} more" if len(ds.supports) > SHOWN else ""
            out.append(("=", f"{ds.proposed} would be recommended if {shown}{more}"))
        else:
            out.append(("=", f"no single fact would make {ds.proposed} the recommendation"))
    return out
