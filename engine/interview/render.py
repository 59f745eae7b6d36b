"""What the interview prints and writes: a question, the explanation of its choice, and the scenario file."""

from __future__ import annotations

import re
from typing import Any

import yaml

from mlarch.analysis.sensitivity import Candidate, reach, show
from mlarch.core.engine import Engine
from mlarch.core.textfmt import wrap
from mlarch.core.vocabulary import FactSpec
from mlarch.interview.session import Session

HELP = "skip: ask later (next session); ?: don't know; quit: stop and write the file"


def question_lines(engine: Engine, number: int, cand: Candidate) -> list[str]:
    """The fact, what it means, its allowed values with one line each, and what the answer decides."""
    spec: FactSpec = engine.vocab.facts[cand.fact]
    out = [f"Q{number}. {spec.id}"]
    if spec.doc:
        out += wrap(spec.doc, "    ")
    out += wrap("this decides: " + ", ".join(cand.influence.decides), "    ", "      ")
    out += allowed_lines(engine, spec)
    out += wrap(HELP, "    ")
    return out


def allowed_lines(engine: Engine, spec: FactSpec) -> list[str]:
    out: list[str] = []
    if spec.type in ("enum", "set"):
        head = "one of:" if spec.type == "enum" else "one or more, comma-separated:"
        out.append(f"    {head}")
        for i, (value, doc) in enumerate(spec.values.items(), 1):
            out += wrap(f"{i:>2}. {value}" + (f" - {doc}" if doc else ""), "      ", "          ")
        if spec.exclusive:
            out.append(f"      ({', '.join(spec.exclusive)} alone)")
        if spec.type == "set" and "none" not in spec.values:
            out.append("      (none: no item applies)")
    elif spec.type == "bool":
        out.append("    yes or no")
    elif spec.type in ("number", "integer"):
        kind = "a whole number" if spec.type == "integer" else "a number"
        limit = f" at least {show(spec.minimum)}" if spec.minimum is not None else ""
        points = reach(engine).domains.thresholds(spec.id)
        where = f"; the rules compare it with {', '.join(show(_num(p)) for p in points)}" if points else ""
        out += wrap(f"{kind}{limit}, or a range such as 10-100{where}", "    ", "      ")
    else:
        out.append("    free text")
    return out


def _num(p: float) -> Any:
    return int(p) if float(p).is_integer() else p


def explain_lines(engine: Engine, session: Session, candidates: list[Candidate]) -> list[str]:
    """Why this question comes next: for each value, the decisions it would change; then the runners-up."""
    if not candidates:
        return ["No unstated fact would change any decision: nothing left to ask."]
    best = candidates[0]
    weight = reach(engine).weight
    out = [f"Why {best.fact} next: score {best.score} = sum of the weights of the decisions it can change "
           f"({', '.join(f'{d} {weight[d]}' for d in best.influence.decides)}); {best.changes} changes over its values."]
    for v in best.influence.variants:
        changes = ", ".join(f"{d}: {a or 'n/a'} -> {b or 'n/a'}" for d, (a, b) in v.changes.items()) or "no change"
        out += wrap(f"{show(v.value)}: {changes}", "    ", "      ")
    rest = candidates[1:6]
    if rest:
        out += wrap("next best: " + ", ".join(f"{c.fact} ({c.score}, {c.changes})" for c in rest), "  ", "    ")
    return out


def _scalar(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return text[:-4].rstrip() if text.endswith("\n...") else text


COMMENT = re.compile(r"^  ([A-Za-z0-9_]+):.*?  # (Q\d+.*)$")
QNUM = re.compile(r"#\s*Q(\d+)\b")


def earlier_comments(text: str) -> tuple[dict[str, str], int]:
    """A resumed file's question comments (``group.fact`` -> comment) and the highest question number."""
    out: dict[str, str] = {}
    group = None
    for line in text.splitlines():
        if line and not line.startswith((" ", "#")):
            group = line.split(":", 1)[0]
        m = COMMENT.match(line)
        if m and group:
            out[f"{group}.{m.group(1)}"] = m.group(2)
    numbers = [int(n) for n in QNUM.findall(text)]
    return out, max(numbers, default=0)


def _few(dims: tuple[str, ...], n: int = 4) -> str:
    return ", ".join(dims[:n]) + (f" and {len(dims) - n} more" if len(dims) > n else "")


def scenario_yaml(session: Session, out_path: str, earlier: dict[str, str], finished: bool) -> str:
    """The scenario so far as YAML, each answered question as a comment on its fact, the others at the end."""
    scenario = session.scenario
    comments = dict(earlier)
    for a in session.asked:
        if a.kind == "value":
            rng = f" (answered {a.text})" if a.text and _scalar(a.value) != a.text else ""
            comments[a.fact] = f"Q{a.number}{rng}; decides {_few(a.decides)}"
    lines = [f"# Written by mlarch interview: {len(session.asked)} question{'s' if len(session.asked) != 1 else ''} "
             f"asked in this session; {'finished (no unstated fact changes any decision)' if finished else 'not finished'}."]
    if not finished:
        lines.append(f"# Resume with: mlarch interview {out_path}")
    lines.append(f"# Next: mlarch recommend {out_path}")
    lines.append(f"name: {_scalar(scenario.name)}")
    if scenario.description:
        lines.append(f"description: {_scalar(scenario.description)}")
    group = None
    for fact, value in scenario.facts.items():
        g, _, name = fact.partition(".")
        if g != group:
            lines.append(f"{g}:")
            group = g
        line = f"  {name}: {_scalar(value)}"
        if fact in comments:
            line += f"  # {comments[fact]}"
        lines.append(line)
    for a in session.asked:
        if a.kind != "value":
            what = "skipped" if a.kind == "skip" else "not known"
            lines.append(f"# Q{a.number} {a.fact}: {what} (would decide {_few(a.decides)})")
    return "\n".join(lines) + "\n"
