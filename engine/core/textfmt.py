"""Text helpers every report shares: wrapping for an 80-column terminal, a rule's effect,
Markdown escaping, and escaping of control characters before anything reaches a terminal.

This module imports nothing from mlarch at load time, so that core/errors.py can use
:func:`printable` for every error message.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

WIDTH = 80

# C0 controls, DEL, C1 controls (0x9b is a one-byte CSI), line/paragraph separators and the
# bidirectional overrides that reorder what a terminal shows ("trojan source").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or f"\\u{ord(ch):04x}"


def printable(text: str, newlines: bool = True) -> str:
    """``text`` with every control character shown as an escape (``\\u001b``), so input can
    neither drive the terminal (clear it, set its title, fake output) nor, with
    ``newlines=False``, split one line of a message into two. Tabs and, when
    ``newlines``, line breaks are kept. The escapes are valid inside JSON strings too.
    """
    if newlines:
        return _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else _escape(m), text)
    return _CONTROL.sub(_escape, text)


def wrap(text: str, indent: str, hanging: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=hanging if hanging is not None else indent,
        break_long_words=True, break_on_hyphens=False,
    ) or [indent.rstrip()]


def effect(verdict: str, weight: int, signed: bool = True) -> str:
    """What a rule does to its choices (its *effect*): ``forbid``, ``prefer +3``
    (``prefer 3`` unsigned), ``avoid -2``. The same effect with its choices is
    ``Support.effect`` (core/resolver.py) and, in the trace's words,
    ``explain.trace.choice_effect``; "effect" names nothing else."""
    from mlarch.core.rulebook import HARD_VERDICTS

    if verdict in HARD_VERDICTS:
        return verdict
    sign = ("+" if verdict == "prefer" else "-") if signed else ""
    return f"{verdict} {sign}{weight}"


def show_value(value: Any, missing: str = "not stated") -> str:
    """A fact's value as the searches print a change of it (why-not, what-if, sensitivity,
    the interview): sets in brackets, booleans in lower case, ``missing`` for an unstated fact."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def md_escape(text: str) -> str:
    """Escape characters that Markdown tables and inline text would interpret."""
    out = text.replace("\\", "\\\\")
    for ch in "|*_`[]<>#":
        out = out.replace(ch, "\\" + ch)
    return printable(" ".join(out.split()), newlines=False)
