"""Showing rules to people, like `ruff rule CODE`."""

from __future__ import annotations

import textwrap
from typing import Any, Sequence

from mlarch.core.conditions import describe
from mlarch.core.rulebook import Rule
from mlarch.core.vocabulary import Vocabulary


def conclusion_text(rule: Rule) -> str:
    choices = ", ".join(rule.choices)
    if rule.hard:
        return f"{rule.verdict} {rule.dimension} = {choices}"
    sign = "+" if rule.verdict == "prefer" else "-"
    return f"{rule.verdict} {rule.dimension} = {choices} ({sign}{rule.weight})"


def list_rows(rules: Sequence[Rule]) -> str:
    if not rules:
        return "no rules match\n"
    width = max(len(r.id) for r in rules)
    lines = [f"{r.id:<{width}}  {','.join(r.sections):<9} {r.title}" for r in rules]
    lines.append(f"{len(rules)} rule{'s' if len(rules) != 1 else ''}")
    return "\n".join(lines) + "\n"


def _example(ex: Any) -> str:
    data = ex.scenario.to_nested()
    data.pop("name", None)
    if ex.pinned:
        data["decisions"] = dict(ex.pinned)
    return str(data)


def show(rule: Rule, vocab: Vocabulary) -> str:
    out = [f"{rule.id}", "", f"  {rule.title}", ""]
    labels = [f"{s} ({vocab.exam_sections.get(s, '')})" for s in rule.sections]
    out.append("Exam sections: " + "; ".join(labels))
    out.append(f"Defined in: {rule.source}:{rule.line}")
    if rule.default:
        out.append("Kind: default (supplies an assumption when facts are missing)")
    out += ["", "When:"] + ["  " + line for line in describe(rule.when)]
    out += ["", "Then:", "  " + conclusion_text(rule)]
    out += ["", "Because:"] + textwrap.wrap(rule.because, 78, initial_indent="  ", subsequent_indent="  ")
    if rule.notes:
        out += ["", "Notes:"] + textwrap.wrap(rule.notes, 78, initial_indent="  ", subsequent_indent="  ")
    out += ["", "Sources:"] + [f"  {u}" for u in rule.docs]
    out += ["", "Examples that fire it:"] + [f"  {_example(e)}" for e in rule.fires]
    if rule.does_not_fire:
        out += ["Examples that must not fire it:"] + [f"  {_example(e)}" for e in rule.does_not_fire]
    return "\n".join(out) + "\n"


def rule_dict(rule: Rule) -> dict[str, Any]:
    data = rule.canonical()
    data["hard"] = rule.hard
    data["source"] = rule.source
    data["line"] = rule.line
    return data
