"""Text helpers every report shares: wrapping for an 80-column terminal, a rule's effect, Markdown escaping."""

from __future__ import annotations

import textwrap

from mlarch.core.rulebook import HARD_VERDICTS

WIDTH = 80


def wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=hanging if hanging is not None else indent,
        break_long_words=True, break_on_hyphens=False,
    ) or [indent.rstrip()]


def effect(verdict: str, weight: int, signed: bool = True) -> str:
    """What a rule does to its choices: ``forbid``, ``prefer +3`` (``prefer 3`` unsigned), ``avoid -2``."""
    if verdict in HARD_VERDICTS:
        return verdict
    sign = ("+" if verdict == "prefer" else "-") if signed else ""
    return f"{verdict} {sign}{weight}"


def md_escape(text: str) -> str:
    """Escape characters that Markdown tables and inline text would interpret."""
    out = text.replace("\\", "\\\\")
    for ch in "|*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())
