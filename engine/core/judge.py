"""Pre-design reviews: a proposed design checked against the rules.

A *design file* (interfaces.md section 3) names a scenario (inline under
``scenario:`` or as ``scenario_file:`` relative to the design file) and the
choices the team proposes (``design:``, dimension -> choice). The review
evaluates the scenario twice: once freely (the recommendation) and once with
the design's choices pinned (``Engine.evaluate(scenario, pinned=design)``),
so every later decision is taken *given the design's own earlier choices*.

Findings, one kind per check (docs/review.md has the table):

=================  ========  =================================================
kind               severity  when
=================  ========  =================================================
hard-constraint    error     a pinned choice is forbidden by a hard rule, or a
                             hard rule requires another choice (one finding
                             per broken rule)
departure          warning   the design's choice differs from what the rules
                             choose for that dimension given the design's
                             other choices
not-applicable     warning   the design decides a dimension that does not
                             apply given its own choices (e.g. training
                             hardware for a BigQuery ML model)
deprecated-choice  warning   the choice is deprecated and the rules recommend
                   / info    something else (warning); info when the rules
                             still recommend it (no current replacement)
end-of-life        info      a part of a current choice (an old version, an
                             API) ends within 12 months of the run date or
                             ended in the last 12 months: the design means
                             the successor (Cloud Composer 3, not 1)
undecided          info      an applicable dimension the design leaves open
=================  ========  =================================================

The "recommended" choice of a finding is the rules' choice *given the
design's other choices* (the dimension resolved without its pin); when it
differs from the scenario's own recommendation both are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from mlarch.core.designs import Design
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.resolver import Decision, ResolvedBy, Support, WhyNot, resolve
from mlarch.core.vocabulary import Vocabulary

SEVERITIES = ("error", "warning", "info")
KINDS = ("hard-constraint", "departure", "not-applicable", "deprecated-choice", "end-of-life", "undecided")
MAX_REASONS = 3  # reasons quoted per finding for the recommended choice


# ------------------------------------------------------------------ findings


@dataclass(frozen=True)
class Reason:
    """A rule behind a finding, with the scenario facts it used."""

    rule: str
    verdict: str
    choices: tuple[str, ...]
    weight: int
    text: str
    facts: Mapping[str, Any]
    decisions: Mapping[str, Any]
    docs: tuple[str, ...]
    sections: tuple[str, ...]
    title: str

    @classmethod
    def of(cls, s: Support) -> "Reason":
        r = s.rule
        return cls(r.id, r.verdict, r.choices, r.weight, s.text, dict(s.facts), dict(s.decisions), r.docs, r.sections, r.title)


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    dimension: str
    proposed: str | None
    recommended: str | None  # the rules' choice given the design's other choices (None: does not apply)
    overall: str | None  # the scenario's own recommendation for this dimension (None: does not apply there)
    message: str
    reasons: tuple[Reason, ...] = ()  # the broken rule (errors) or the rules behind the recommended choice
    why_not: tuple[WhyNot, ...] = ()  # why the proposed choice lost to the recommended one
    line: int | None = None
    margin: int = 0  # departures: how many points of rule support the proposed choice is behind

    @property
    def rules(self) -> tuple[str, ...]:
        seen = dict.fromkeys([r.rule for r in self.reasons] + [w.rule for w in self.why_not if w.rule])
        return tuple(seen)

    @property
    def docs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for r in self.reasons for u in r.docs))


@dataclass(frozen=True)
class Review:
    design: Design
    recommendation: Recommendation  # the scenario on its own
    evaluated: Recommendation  # the scenario with the design's choices pinned
    findings: tuple[Finding, ...]
    given: Mapping[str, Decision] = field(default_factory=dict)  # the rules' own decision per applicable dimension, given the design

    @property
    def flagged(self) -> dict[str, str]:
        """The design's own choices the review flags, each with its worst severity ("error" or "warning"):
        what every rendering of the review marks (table, diagram, title)."""
        out: dict[str, str] = {}
        for f in self.findings:
            if f.severity in ("error", "warning") and f.dimension in self.design.choices:
                out[f.dimension] = "error" if "error" in (f.severity, out.get(f.dimension)) else "warning"
        return out

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in SEVERITIES}

    def exit_status(self, fail_on: str = "error") -> int:
        """1 when a finding at ``fail_on`` severity or worse exists, else 0."""
        worst = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
        return 1 if any(f.severity in worst for f in self.findings) else 0


def conditional(decision: Decision, engine: Engine) -> Decision:
    """The rules' own choice for a pinned dimension, given everything else the evaluation had."""
    if decision.how is not ResolvedBy.PINNED:
        return decision
    return resolve(engine.vocab.dimensions[decision.dimension], decision.considered)


def review(engine: Engine, design: Design, recommendation: Recommendation | None = None) -> Review:
    """Review ``design``; ``recommendation`` may be passed when already computed for its scenario."""
    vocab = engine.vocab
    rec = recommendation or engine.evaluate(design.scenario)
    pinned = engine.evaluate(design.scenario, pinned=design.choices)
    findings: list[Finding] = []
    conds = {dim: conditional(dec, engine) for dim, dec in pinned.decisions.items()}
    for dim, proposed in design.choices.items():
        line = design.lines.get(dim, design.line)
        overall = rec.choices.get(dim)
        dec = pinned.decisions.get(dim)
        if dec is None:
            findings.append(_not_applicable(vocab, dim, proposed, overall, pinned, design, line))
            continue
        cond = conds[dim]
        findings += _hard(dec, cond, overall, line)
        if not dec.pinned_violations and proposed != cond.choice:
            findings.append(_departure(dim, proposed, cond, overall, line))
        notice = vocab.notice(dim, proposed, rec.as_of)  # a rename is not a finding (issue 17)
        if notice and notice.kind == "ending":
            findings.append(Finding("end-of-life", "info", dim, proposed, cond.choice, overall,
                                    f"{dim} = {proposed}: {notice.text}", line=line))
        note = notice.text if notice and notice.kind != "ending" else None
        if note:
            severity = "info" if proposed == cond.choice else "warning"
            tail = " The rules still recommend it: no current product replaces it for this scenario." if severity == "info" else f" The rules recommend {cond.choice}."
            findings.append(Finding("deprecated-choice", severity, dim, proposed, cond.choice, overall,
                                    f"{dim} = {proposed} is deprecated: {note}{tail}", line=line))
    for dim, dec in pinned.decisions.items():
        if dim not in design.choices:
            findings.append(_undecided(dec, rec.choices.get(dim), design.line))
    order = {d: i for i, d in enumerate(vocab.dimensions)}
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), order[f.dimension], KINDS.index(f.kind), f.rules))
    return Review(design, rec, pinned, tuple(findings), conds)


def _given(recommended: str | None, overall: str | None) -> str:
    """A note when the design's other choices change what the rules recommend here."""
    if recommended == overall:
        return ""
    if overall is None:
        return " (given the design's other choices; the scenario's own recommendation does not use this dimension)"
    return f" (given the design's other choices; the scenario's own recommendation is {overall})"


def _hard(dec: Decision, cond: Decision, overall: str | None, line: int | None) -> list[Finding]:
    out = []
    for s in dec.pinned_violations:
        r = s.rule
        if r.verdict == "forbid":
            what = f"{dec.dimension} = {dec.choice} is forbidden by the hard constraint {r.id}: {r.title}."
        else:
            what = f"{dec.dimension} must be {', '.join(r.choices)} by the hard constraint {r.id}, but the design chooses {dec.choice}: {r.title}."
        out.append(Finding("hard-constraint", "error", dec.dimension, dec.choice, cond.choice, overall,
                           what + _given(cond.choice, overall), (Reason.of(s),), line=line))
    return out


def _departure(dim: str, proposed: str, cond: Decision, overall: str | None, line: int | None) -> Finding:
    alt = cond.alternative(proposed)
    why = alt.why_not if alt else ()
    margin = max(1, cond.score - (alt.score if alt else 0))
    reasons = tuple(Reason.of(s) for s in cond.reasons[:MAX_REASONS])
    message = f"{dim} = {proposed} departs from the recommendation {cond.choice}{_given(cond.choice, overall)}."
    return Finding("departure", "warning", dim, proposed, cond.choice, overall, message, reasons, why, line, margin)


def _not_applicable(vocab: Vocabulary, dim: str, proposed: str, overall: str | None, pinned: Recommendation,
                    design: Design, line: int | None) -> Finding:
    aw = vocab.dimensions[dim].applies_when
    parent = aw.dimension or ""
    value = pinned.choices.get(parent)
    source = "the design has" if parent in design.choices else "the rules choose"
    if value is None:
        state = f"{parent} does not apply either"
    else:
        state = f"{source} {parent} = {value}"
    message = f"{dim} = {proposed} is set but {dim} does not apply: it applies only when {aw.text}, and {state}."
    return Finding("not-applicable", "warning", dim, proposed, None, overall, message, line=line)


def _undecided(dec: Decision, overall: str | None, line: int | None) -> Finding:
    reasons = tuple(Reason.of(s) for s in dec.reasons[:MAX_REASONS])
    message = f"{dec.dimension} is not decided by the design; the rules recommend {dec.choice}{_given(dec.choice, overall)}."
    if dec.conflicts:
        message += " Conflicting rules: " + "; ".join(dec.conflicts) + "."
    return Finding("undecided", "info", dec.dimension, None, dec.choice, overall, message, reasons, line=line)


def recommendation_as_design(rec: Recommendation, name: str | None = None) -> Design:
    """The recommendation's own choices as a design (a recommendation must review clean)."""
    return Design(name or rec.scenario.name, rec.scenario, dict(rec.choices), rec.scenario.source)
