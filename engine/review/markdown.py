"""A review as Markdown, ready to paste into a design document or a pull request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Mapping

from mlarch.core.engine import format_value
from mlarch.core.judge import Finding, Reason, Review
from mlarch.core.textfmt import effect, md_escape
from mlarch.core.vocabulary import STAGES
from mlarch.review.text import summary_line

if TYPE_CHECKING:
    from mlarch.review.sensitivity import DesignSensitivity

HEADINGS = {"error": "Errors", "warning": "Warnings", "info": "Notes"}
ICONS = {"error": "🛑 error", "warning": "⚠️ warning", "info": "ℹ️ info"}


def _code(value: str | None) -> str:
    """A code span (contents are literal in Markdown, so only backticks need care)."""
    if value is None:
        return "—"
    return "`" + value.replace("`", "'") + "`"


def _reason(r: Reason) -> str:
    links = ", ".join(f"[docs]({u})" for u in r.docs)
    return f"{md_escape(r.text)} — `{r.rule}` ({effect(r.verdict, r.weight, signed=False)}; exam {', '.join(r.sections)}; {links})"


def _finding(f: Finding) -> list[str]:
    where = f" — line {f.line}" if f.line else ""
    head = f"#### {f.dimension}" + (f": `{f.proposed}`" if f.proposed else "") + f" ({f.kind}{where})"
    lines = [head, "", md_escape(f.message), ""]
    if f.reasons:
        label = "Broken constraint" if f.kind == "hard-constraint" else f"Why `{f.recommended}`"
        lines += [f"**{label}:**", ""] + [f"- {_reason(r)}" for r in f.reasons] + [""]
    if f.why_not:
        lines += [f"**Why not `{f.proposed}`:**", ""]
        lines += [f"- {md_escape(w.text)}" + (f" (`{w.rule}`)" if w.rule else "") for w in f.why_not] + [""]
    return lines


def _comparison(rv: Review) -> list[str]:
    vocab = rv.recommendation.vocab
    dims = [d for d in vocab.dimensions if d in rv.design.choices or d in rv.evaluated.decisions or d in rv.recommendation.decisions]
    dims.sort(key=lambda d: STAGES.index(vocab.dimensions[d].stage))
    worst: dict[str, Finding] = {}
    for f in rv.findings:
        worst.setdefault(f.dimension, f)  # findings are sorted worst first
    lines = ["| Stage | Dimension | Design | Rules, given the design | Scenario's recommendation | Finding |",
             "|---|---|---|---|---|---|"]
    for d in dims:
        f = worst.get(d)
        finding = f"{ICONS[f.severity]} {f.kind}" if f else ("✅ ok" if d in rv.design.choices else "")
        lines.append(f"| {vocab.dimensions[d].stage} | {d} | {_code(rv.design.choices.get(d))} | {_code(rv.given[d].choice if d in rv.given else None)} | "
                     f"{_code(rv.recommendation.choices.get(d))} | {finding} |")
    return lines


def _sensitivity(sens: Mapping[str, DesignSensitivity]) -> list[str]:
    from mlarch.review.sensitivity import lines

    labels = {"~": "Would change", "?": "Unstated", "=": "Design's choice"}
    out = ["## Sensitivity of the recommendation", "",
           "How firm the recommendation is on each dimension the design sets, and what would change it:", "",
           "| Dimension | Design | Recommended | Confidence | What would change it |", "|---|---|---|---|---|"]
    for ds in sens.values():
        what = "<br>".join(f"{labels[mark]}: {md_escape(text)}" for mark, text in lines(ds)) or "—"
        out.append(f"| {ds.dimension} | {_code(ds.proposed)} | {_code(ds.recommended)} | {ds.confidence} | {what} |")
    return out + [""]


def render_review_markdown(rv: Review, diagram: Callable[[Review], str | None] | None = None,
                           sens: Mapping[str, DesignSensitivity] | None = None) -> str:
    """The review; ``diagram`` returns Mermaid source for the design, when a diagram renderer exists;
    ``sens`` (--sensitivity) adds how firm the recommendation is on each dimension the design sets."""
    d = rv.design
    out = [f"# Design review: {md_escape(d.name)}", ""]
    if d.description:
        out += [md_escape(d.description), ""]
    scenario = d.scenario
    out += [f"**Scenario:** {_code(scenario.name)}" + (f" — {md_escape(scenario.description)}" if scenario.description else ""), ""]
    if scenario.facts:
        out += ["**Facts stated:** " + "; ".join(f"`{k}` = {md_escape(format_value(v))}" for k, v in scenario.facts.items()), ""]
    verdict = "❌ **Fails**" if rv.count("error") else ("⚠️ **Passes with warnings**" if rv.count("warning") else "✅ **Passes**")
    out += [f"{verdict}: {summary_line(rv)}. Design file {_code(d.source or d.name)}; "
            f"rule set `{rv.recommendation.rule_set_version}`.", ""]
    main = [f for f in rv.findings if f.kind != "undecided"]
    if main:
        out += ["| Severity | Dimension | Proposed | Recommended | Finding |", "|---|---|---|---|---|"]
        for f in main:
            out.append(f"| {ICONS[f.severity]} | {f.dimension} | {_code(f.proposed)} | {_code(f.recommended)} | {f.kind} |")
        out.append("")
    for severity in ("error", "warning", "info"):
        found = [f for f in main if f.severity == severity]
        if found:
            out += [f"## {HEADINGS[severity]}", ""]
            for f in found:
                out += _finding(f)
    undecided = [f for f in rv.findings if f.kind == "undecided"]
    if undecided:
        out += ["## Left undecided", "", "The design does not decide these dimensions; the rules' choice, given the design:", "",
                "| Dimension | Rules' choice | Main reason |", "|---|---|---|"]
        for f in undecided:
            reason = f"{md_escape(f.reasons[0].text)} (`{f.reasons[0].rule}`)" if f.reasons else "no rule applied"
            out.append(f"| {f.dimension} | {_code(f.recommended)} | {reason} |")
        out.append("")
    if sens:
        out += _sensitivity(sens)
    out += ["## Design compared with the recommendation", ""] + _comparison(rv) + [""]
    source = diagram(rv) if diagram else None
    if source:
        out += ["## Architecture of the design", "", "```mermaid", source.rstrip("\n"), "```", ""]
    out.append(f"*Generated by mlarch review; {rv.recommendation.rules_loaded} rules loaded.*")
    return "\n".join(out) + "\n"
