"""Errors a user can act on.

Every problem with user input (a scenario, a rule file, a design, an option)
becomes an :class:`InputError` that names the file, the key path, what was
wrong and what is allowed. The CLI prints these one per line and exits 2;
nothing reaches the user as a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Iterable, Sequence


def did_you_mean(word: object, candidates: Iterable[str]) -> str | None:
    """The closest candidate to ``word`` when it is a plausible typo, else None."""
    if not isinstance(word, str):
        return None
    pool = sorted(set(candidates))
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    normalized = word.lower().replace("-", "_").replace(" ", "_")
    if normalized in pool and normalized != word:
        return normalized
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
    if close:
        return close[0]
    prefixed = [c for c in pool if c.startswith(word)] if len(word) >= 3 else []
    return prefixed[0] if len(prefixed) == 1 else None


def format_allowed(values: Sequence[str], limit: int = 24) -> str:
    shown = list(values)[:limit]
    text = ", ".join(shown)
    if len(values) > limit:
        text += f", ... ({len(values) - limit} more)"
    return text


# The lint checks (engine/lint/registry.py) a loader problem can belong to, besides
# invalid-rule (code None) and the rule loader's missing-* codes (core/rulebook.py).
UNKNOWN_ID = "unknown-id"
YAML = "yaml"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    path: str  # dotted key path inside the document, "" for the whole document
    message: str
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None
    line: int | None = None
    context: str | None = None  # e.g. "rule approach.sql-team-data-in-bigquery"
    code: str | None = None  # the lint check it belongs to (engine/lint/registry.py); None: invalid-rule

    def render(self, source: str | None) -> str:
        text = ""
        if source:
            text = source + (f":{self.line}" if self.line is not None else "") + ": "
        if self.context:
            text += f"{self.context}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.suggestion:
            text += f" (did you mean {self.suggestion!r}?)"
        if self.allowed:
            text += f"; allowed: {format_allowed(self.allowed)}"
        return text


@dataclass
class InputError(Exception):
    """Bad input. Carries every problem found, so users fix them in one pass."""

    source: str | None
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(p.render(self.source) for p in self.problems)

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def single(
        cls,
        source: str | None,
        path: str,
        message: str,
        allowed: Sequence[str] = (),
        suggestion: str | None = None,
        line: int | None = None,
        code: str | None = None,
    ) -> "InputError":
        return cls(source, [Problem(path, message, tuple(allowed), suggestion, line, code=code)])


class EngineError(RuntimeError):
    """The rule engine refused or failed to do its job (not the user's input)."""


class RuleBaseLimitError(EngineError):
    """The rule base would exceed a structural limit of durable-rules."""
