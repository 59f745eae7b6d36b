"""Plain-text recommendation for an 80-column terminal, grouped by lifecycle stage."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from mlarch.core.engine import Recommendation, format_value
from mlarch.core.resolver import AlternativeStatus, Decision, Support
from mlarch.core.textfmt import WIDTH, effect, wrap
from mlarch.core.vocabulary import STAGES, Vocabulary

if TYPE_CHECKING:  # the sensitivity machinery loads only when a sensitivity is shown
    from mlarch.analysis.sensitivity import DecisionSensitivity, Sensitivity, Unknown


def cite(s: Support) -> str:
    return f"[{s.rule.id}, {effect(s.rule.verdict, s.rule.weight)}]"


UNKNOWNS_SHOWN = 3  # unstated facts detailed per assumed decision in the text sensitivity section
FLIPS_SHOWN = 3  # single changes of stated facts shown per decision in text, knife-edges first


def decision_lines(dec: Decision, vocab: Vocabulary, as_of: date | None = None, sens: DecisionSensitivity | None = None) -> list[str]:
    head = f"{dec.dimension}: {dec.choice}"
    if sens is not None:
        head += f"  [{sens.confidence}]"
    elif dec.defaulted:
        head += "  (default)"
    lines = [head]
    if vocab.name(dec.dimension, dec.choice):  # the current product name (issue 17)
        lines += wrap(vocab.display(dec.dimension, dec.choice), "    = ", "      ")
    note = vocab.deprecation(dec.dimension, dec.choice, as_of)
    if note:
        lines += wrap(f"deprecated: {note}", "    ! ")
    if not dec.reasons:
        lines += wrap("no rule applied; first choice in vocabulary order", "    - ")
    for s in dec.reasons:
        if dec.choice in s.rule.choices:
            lines += wrap(f"{s.text} {cite(s)}", "    + ", "      ")
        else:  # won because this rule ruled out other choices
            others = ", ".join(c for c in s.rule.choices)
            lines += wrap(f"rules out {others}: {s.text} {cite(s)}", "    ~ ", "      ")
        if s.unstated:
            lines += wrap("assumes not stated: " + ", ".join(s.unstated), "      ")
    shown = [a for a in dec.alternatives if a.status is not AlternativeStatus.UNSUPPORTED]
    for alt in shown:
        for i, w in enumerate(alt.why_not):
            lead = f"    x {alt.choice}: " if i == 0 else "      "
            lines += wrap(w.cited(), lead, "      ")
    hidden = len(dec.alternatives) - len(shown)
    if hidden:
        lines.append(f"    ({hidden} other choice{'s' if hidden != 1 else ''} had no supporting rule)")
    return lines


def outcomes(u: Unknown) -> str:
    from mlarch.analysis.sensitivity import describe_choice, show

    """``value -> choice`` for each value of an unstated fact, values giving the same choice grouped."""
    groups: dict[str | None, list[str]] = {}
    for value, choice in u.outcomes:
        groups.setdefault(choice, []).append(show(value))
    return "; ".join(f"{', '.join(vals)} -> {describe_choice(c)}" for c, vals in groups.items())


def sensitivity_lines(rec: Recommendation, sens: Sensitivity) -> list[str]:
    """The short sensitivity section: knife-edges, and the unstated facts that could change each decision."""
    out: list[str] = []
    for dim in rec.decisions:
        ds = sens.decisions[dim]
        if not ds.flips and not ds.unknowns:
            continue
        out.append(f"{dim} = {ds.choice} [{ds.confidence}]")
        flips = ds.flips
        for flip in flips[:FLIPS_SHOWN]:
            out += wrap(("knife-edge: " if flip.knife_edge else "") + flip.text(), "    ~ ", "      ")
        if len(flips) > FLIPS_SHOWN:
            out.append(f"      (and {len(flips) - FLIPS_SHOWN} more single changes; --format json lists them)")
        if ds.confidence == "assumed":  # issue 12: say what each value of the deciding facts would give
            for u in ds.unknowns[:UNKNOWNS_SHOWN]:
                out += wrap(f"{u.fact} not stated: {outcomes(u)}", "    ? ", "      ")
            rest = [u.fact for u in ds.unknowns[UNKNOWNS_SHOWN:]]
            if rest:
                out += wrap("also: " + ", ".join(rest), "    ? ", "      ")
        elif ds.unknowns:
            out += wrap("could change with: " + ", ".join(u.fact for u in ds.unknowns), "    ? ", "      ")
    if not out:
        return []
    return ["", "Sensitivity: what would change each decision",
            "(~ a stated fact changed; ? a fact not stated, which `mlarch interview` asks)"] + out


def render_text(rec: Recommendation, sens: Sensitivity | None = None) -> str:
    vocab = rec.vocab
    out = [f"mlarch recommendation for {rec.scenario.name}"]
    if rec.scenario.description:
        out += wrap(rec.scenario.description, "")
    out.append(
        f"{len(rec.decisions)} decisions; {rec.rules_fired} of {rec.rules_loaded} rules fired; "
        f"rule set {rec.rule_set_version}"
    )
    stated = ", ".join(f"{k}={format_value(v)}" for k, v in rec.scenario.facts.items())
    out += wrap(f"facts: {stated or 'none stated'}", "", "  ")
    for stage in STAGES:
        decisions = [d for d in rec.decisions.values() if vocab.dimensions[d.dimension].stage == stage]
        if not decisions:
            continue
        out.append("")
        out.append(f"== {stage.upper()} " + "=" * (WIDTH - len(stage) - 4))
        for dec in decisions:
            out += decision_lines(dec, vocab, rec.as_of, sens.decisions[dec.dimension] if sens else None)
    if sens is not None:
        out += sensitivity_lines(rec, sens)
    elif rec.defaulted:
        out.append("")
        out += wrap("Resting on defaults (state the facts to firm them up): " + ", ".join(rec.defaulted), "")
    if rec.warnings:
        out.append("")
        out.append("Warnings:")
        for w in rec.warnings:
            out += wrap(w.text, "  ! ", "    ")
    return "\n".join(line.rstrip() for line in out) + "\n"
