"""Markdown recommendation, for design documents and pull requests."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from mlarch.core.engine import Recommendation, format_value
from mlarch.core.resolver import AlternativeStatus, Decision
from mlarch.core.textfmt import effect, md_escape
from mlarch.core.vocabulary import STAGES, Vocabulary

if TYPE_CHECKING:
    from mlarch.analysis.sensitivity import Sensitivity


def _decision(dec: Decision, vocab: Vocabulary, as_of: date | None, sens: Sensitivity | None) -> list[str]:
    mark = f" *({sens.confidence(dec.dimension)})*" if sens else " *(default)*" if dec.defaulted else ""
    title = f"### {dec.dimension}: `{dec.choice}`" + mark
    lines = [title, ""]
    if vocab.name(dec.dimension, dec.choice):  # the current product name (issue 17)
        lines += [f"*{md_escape(vocab.display(dec.dimension, dec.choice))}*", ""]
    note = vocab.deprecation(dec.dimension, dec.choice, as_of)
    if note:
        lines += [f"> **Deprecated:** {md_escape(note)}", ""]
    for s in dec.reasons:
        links = ", ".join(f"[docs]({u})" for u in s.rule.docs)
        lead = "" if dec.choice in s.rule.choices else f"Rules out {', '.join(s.rule.choices)}: "
        lines.append(f"- {lead}{md_escape(s.text)} — `{s.rule.id}` ({effect(s.rule.verdict, s.rule.weight, signed=False)}; exam {', '.join(s.rule.sections)}; {links})")
    if not dec.reasons:
        lines.append("- No rule applied; first choice in vocabulary order.")
    shown = [a for a in dec.alternatives if a.status is not AlternativeStatus.UNSUPPORTED]
    if shown:
        lines += ["", "| Alternative | Why not |", "|---|---|"]
        for alt in shown:
            why = "<br>".join(md_escape(w.text) + (f" (`{w.rule}`)" if w.rule else "") for w in alt.why_not)
            lines.append(f"| `{alt.choice}` | {why} |")
    if sens is not None:
        lines += _sensitivity(sens, dec.dimension)
    lines.append("")
    return lines


def _sensitivity(sens: Sensitivity, dim: str) -> list[str]:
    from mlarch.recommend.text import outcomes

    ds = sens.decisions[dim]
    lines = [f"- **{'Knife-edge' if f.knife_edge else 'Would change'}:** {md_escape(f.text())}" for f in ds.flips]
    if ds.confidence == "assumed":
        lines += [f"- **Not stated:** `{u.fact}`: {md_escape(outcomes(u))}" for u in ds.unknowns]
    elif ds.unknowns:
        lines.append("- **Could change with:** " + ", ".join(f"`{u.fact}`" for u in ds.unknowns))
    return ([""] + lines) if lines else []


def render_markdown(rec: Recommendation, sens: Sensitivity | None = None) -> str:
    vocab = rec.vocab
    out = [f"# Recommendation: {md_escape(rec.scenario.name)}", ""]
    if rec.scenario.description:
        out += [md_escape(rec.scenario.description), ""]
    out += ["| Stage | Dimension | Choice |" + (" Confidence |" if sens else ""), "|---|---|---|" + ("---|" if sens else "")]
    by_stage = sorted(rec.decisions.items(), key=lambda item: STAGES.index(vocab.dimensions[item[0]].stage))
    for dim, dec in by_stage:
        if sens is not None:
            out.append(f"| {vocab.dimensions[dim].stage} | {dim} | `{dec.choice}` | {sens.confidence(dim)} |")
        else:
            out.append(f"| {vocab.dimensions[dim].stage} | {dim} | `{dec.choice}`{' (default)' if dec.defaulted else ''} |")
    out.append("")
    if rec.scenario.facts:
        out += ["**Facts stated:** " + "; ".join(f"`{k}` = {md_escape(format_value(v))}" for k, v in rec.scenario.facts.items()), ""]
    for stage in STAGES:
        decisions = [d for d in rec.decisions.values() if vocab.dimensions[d.dimension].stage == stage]
        if decisions:
            out += [f"## {stage.title()}", ""]
            for dec in decisions:
                out += _decision(dec, vocab, rec.as_of, sens)
    if rec.warnings:
        out += ["## Warnings", ""] + [f"- {md_escape(w.text)}" for w in rec.warnings] + [""]
    out.append(f"*{rec.rules_fired} of {rec.rules_loaded} rules fired; rule set `{rec.rule_set_version}`.*")
    return "\n".join(out) + "\n"
