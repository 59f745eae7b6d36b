"""An answered question, for people (text) and programs (json).

Text starts with the chosen letter alone on the first line (on a tie, the
option the documented tie-break gives, and the tie is said next), then why it
wins and why each other option loses.
"""

from __future__ import annotations

from typing import Any

from mlarch.answer.model import Answer, OptionResult
from mlarch.core.serialize import engine_dict, finding_dict
from mlarch.core.textfmt import wrap


def design_text(o: OptionResult) -> str:
    return ", ".join(f"{d}: {c}" for d, c in o.review.design.choices.items())


def first_line(a: Answer) -> str:
    return a.answer or "tie: " + ", ".join(a.best)


def _cite(rule: str | None) -> str:
    return f" [{rule}]" if rule else ""


def why_agreed(o: OptionResult) -> list[str]:
    lines: list[str] = []
    for d in o.agreed:
        dec = o.review.given[d]
        top = dec.reasons[0] if dec.reasons else None
        text = top.text if top else "no rule applied; first choice in vocabulary order"
        lines += wrap(f"{d} = {dec.choice}: {text}{_cite(top.rule.id if top else None)}", "    + ", "      ")
    return lines


def why_against(o: OptionResult) -> list[str]:
    lines: list[str] = []
    for f in o.findings:
        if f.kind == "hard-constraint":
            r = f.reasons[0]
            lines += wrap(f"{f.dimension} = {f.proposed} breaks a hard constraint: {r.text}{_cite(r.rule)}", "    ! ", "      ")
        elif f.kind == "departure":
            why = f.why_not[0] if f.why_not else None
            top = f.reasons[0] if f.reasons else None
            text = f"{f.dimension} = {f.proposed}, but the rules choose {f.recommended}"
            if why:
                text += f" ({why.text})"
            if top:
                text += f": {top.text}"
            lines += wrap(text + _cite(top.rule if top else (why.rule if why else None)), "    - ", "      ")
        elif f.kind == "not-applicable":
            lines += wrap(f.message, "    - ", "      ")
        elif f.kind == "deprecated-choice":
            lines += wrap(f.message, "    ~ ", "      ")
    return lines


def verdict(a: Answer, o: OptionResult) -> str:
    """Why the option wins, ties or loses, in one phrase."""
    if o.label in a.best:
        return f"{o.label} {'ties' if a.tie else 'wins'}"
    s, best = o.score, a.option(a.best[0]).score
    if s.errors > best.errors:
        why = f"breaks {s.errors} hard constraint{'s' if s.errors != 1 else ''}"
    elif s.penalty > best.penalty:
        why = "departs further from the recommendation"
    else:
        why = f"agrees with the rules on what it sets, but they back it less ({s.support} against {best.support})"
    return f"{o.label} loses: {why}"


def score_text(o: OptionResult) -> str:
    s = o.score
    return f"score: {s.errors} broken constraint{'s' if s.errors != 1 else ''}, penalty {s.penalty}, support {s.support}"


def render_answer_text(a: Answer) -> str:
    q = a.question
    out = [first_line(a), ""]
    if q.text:
        out += wrap(f"Q: {q.text}", "", "   ")
    out += wrap(f"Scenario {q.scenario.name}" + (f": {q.scenario.description}" if q.scenario.description else ""), "")
    if a.presupposed:
        given = ", ".join(f"{d} = {c}" for d, c in a.presupposed.items())
        out += [""] + wrap(f"Presupposed: {given} (what the options decide applies only in that context; "
                           "each is the rules' best-ranked choice that allows it)", "")
    if a.tie:
        out += [""] + wrap(f"Tie: {', '.join(a.best)} are equally supported by the rules, which cannot separate them; "
                           f"{a.tie_break} is given as the design whose choices come first in the vocabulary's order "
                           "(simpler, more managed), the resolver's own tie-break.", "")
    ordered = sorted(a.options, key=lambda o: (o.rank, o.label))
    for o in ordered:
        out.append("")
        out += wrap(verdict(a, o), "")
        out += wrap(f"design: {design_text(o)}", "    ", "      ")
        out.append(f"    {score_text(o)}")
        out += why_against(o)
        if o.label in a.best:
            out += why_agreed(o)
    if q.expect is not None:
        out.append("")
        out.append(f"Expected answer: {q.expect} ({'correct' if a.correct else 'WRONG: got ' + first_line(a)})")
    return "\n".join(line.rstrip() for line in out) + "\n"


def answer_dict(a: Answer) -> dict[str, Any]:
    q = a.question
    return {
        "question": q.source,
        "name": q.name,
        "text": q.text,
        "scenario": q.scenario.name,
        "answer": a.answer,
        "tie": list(a.best) if a.tie else [],
        "tie_break": a.tie_break,
        "expected": q.expect,
        "correct": a.correct,
        "presupposed": dict(a.presupposed),
        "options": {
            o.label: {
                "design": dict(o.review.design.choices),
                "score": o.score.as_dict(),
                "rank": o.rank,
                "verdict": verdict(a, o),
                "agrees_on": o.agreed,
                "findings": [finding_dict(f) for f in o.findings],
            }
            for o in a.options
        },
        "sections": list(q.sections),
        "engine": engine_dict(a.recommendation),
    }
