"""Plain-text review for an 80-column terminal: findings worst first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from mlarch.core.judge import Finding, Reason, Review
from mlarch.core.textfmt import effect, wrap

if TYPE_CHECKING:  # loaded only with --sensitivity
    from mlarch.review.sensitivity import DesignSensitivity


def plural(n: int, word: str) -> str:
    if word == "info":
        return f"{n} info"
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(rv: Review) -> str:
    c = rv.counts
    return f"{plural(c['error'], 'error')}, {plural(c['warning'], 'warning')}, {plural(c['info'], 'info')}"


def cite(r: Reason) -> str:
    return f"[{r.rule}, {effect(r.verdict, r.weight)}]"


def where(rv: Review, f: Finding) -> str:
    if rv.design.source and f.line:
        return f"{rv.design.source}:{f.line}"
    return rv.design.source or ""


def finding_lines(rv: Review, f: Finding) -> list[str]:
    head = f"{f.severity.upper():<8}{f.dimension}"
    if f.proposed is not None:
        head += f" = {f.proposed}"
    head += f"  ({f.kind})"
    loc = where(rv, f)
    lines = [head] + ([f"        at {loc}"] if loc else [])
    lines += wrap(f.message, "        ")
    for r in f.reasons:
        mark = "!" if f.kind == "hard-constraint" else "+"
        lines += wrap(f"{r.text} {cite(r)}", f"      {mark} ", "        ")
    for w in f.why_not:
        lines += wrap(f"{f.proposed}: {w.cited()}", "      x ", "        ")
    for url in f.docs:
        lines.append(f"        docs: {url}")  # never broken: a URL must stay clickable
    return lines


def undecided_lines(undecided: list[Finding]) -> list[str]:
    """One line per dimension the design leaves open: they are many, and only informative."""
    width = max(len(f.dimension) for f in undecided)
    n = len(undecided)
    lines = wrap(f"{n} dimension{'s' if n != 1 else ''} the design leaves undecided, with the rules' "
                 "choice (* = given the design's other choices; details in --format json or markdown):", "INFO    ", "        ")
    for f in undecided:
        mark = "*" if f.recommended != f.overall else " "
        lines.append(f"        {f.dimension:<{width}}  {mark}{f.recommended}")
    return lines


def sensitivity_lines(sens: Mapping[str, DesignSensitivity]) -> list[str]:
    """How firm the recommendation is on each dimension the design sets (review/sensitivity.py)."""
    from mlarch.review.sensitivity import lines

    out = ["", "Sensitivity of the recommendation, for the dimensions the design sets:"]
    for ds in sens.values():
        head = f"{ds.dimension} = {ds.proposed}"
        head += f" (recommended: {ds.recommended})" if ds.proposed != ds.recommended else " (as recommended)"
        out += wrap(f"{head} [{ds.confidence}]", "", "    ")  # long choice ids: stay within 80 columns
        for mark, text in lines(ds):
            out += wrap(text, f"    {mark} ", "      ")
    return out if sens else []


def render_review_text(rv: Review, sens: Mapping[str, DesignSensitivity] | None = None) -> str:
    d = rv.design
    out = wrap(f"mlarch review of {d.source or d.name}: {d.name}", "", "  ")
    scenario = d.scenario
    out += wrap(f"Scenario {scenario.name}" + (f": {scenario.description}" if scenario.description else ""), "")
    out.append(f"{summary_line(rv)}; rule set {rv.recommendation.rule_set_version}")
    if not rv.findings:
        out += ["", "No findings: the design matches the recommendation on every applicable dimension."]
    for f in rv.findings:
        if f.kind != "undecided":
            out.append("")
            out += finding_lines(rv, f)
    undecided = [f for f in rv.findings if f.kind == "undecided"]
    if undecided:
        out.append("")
        out += undecided_lines(undecided)
    if sens is not None:
        out += sensitivity_lines(sens)
    out.append("")
    verdict = "FAIL" if rv.count("error") else "PASS"
    out.append(f"{verdict}: {summary_line(rv)}")
    return "\n".join(line.rstrip() for line in out) + "\n"
