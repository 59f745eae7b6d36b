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

from mlarch.core.textfmt import printable


def did_you_mean(word: object, candidates: Iterable[str]) -> str | None:
    """The closest candidate to ``word`` when it is a plausible slip, else None.

    In order: a difference of case or ``-``/space for ``_``; a close spelling
    (difflib); a unique candidate that ``word`` begins (``recomm`` ->
    ``recommendation``) or shares a long beginning with (``recommender`` ->
    ``recommendation``); a candidate of which ``word`` is a whole ``_`` part
    (``hardware`` -> ``training_hardware``: the first such in the caller's
    order, which is the vocabulary's lifecycle order); a unique candidate
    that ``word`` abbreviates, letters in order (``bqml`` -> ``bigquery_ml``).
    """
    if not isinstance(word, str) or not word:
        return None
    order = list(dict.fromkeys(candidates))
    pool = sorted(order)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    normalized = word.lower().replace("-", "_").replace(" ", "_")
    if normalized in pool and normalized != word:
        return normalized
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.75)
    if close:
        return close[0]
    prefixed = [c for c in pool if c.startswith(normalized)] if len(normalized) >= 3 else []
    if len(prefixed) == 1:
        return prefixed[0]
    shared = _longest_shared_beginning(normalized, pool)
    if shared:
        return shared
    parts = [c for c in order if normalized in c.split("_") and normalized != c] if len(normalized) >= 4 else []
    if parts:
        return parts[0]
    abbreviated = [c for c in pool if len(normalized) >= 4 and c[0] == normalized[0] and _is_subsequence(normalized, c)]
    return abbreviated[0] if len(abbreviated) == 1 else None


def _is_subsequence(word: str, candidate: str) -> bool:
    """``bqml`` in ``bigquery_ml``: an abbreviation keeps the letters in order."""
    rest = iter(candidate)
    return all(ch in rest for ch in word)


def _longest_shared_beginning(word: str, pool: Sequence[str]) -> str | None:
    """The one candidate sharing the longest beginning with ``word``, when it
    is at least 5 characters and two thirds of the shorter of the two."""
    def shared(c: str) -> int:
        n = 0
        while n < min(len(c), len(word)) and c[n] == word[n]:
            n += 1
        return n

    scored = sorted(((shared(c), c) for c in pool), reverse=True)
    if not scored:
        return None
    best, candidate = scored[0]
    unique = len(scored) == 1 or scored[1][0] < best
    return candidate if unique and best >= 5 and best >= 2 * min(len(word), len(candidate)) / 3 else None


def format_allowed(values: Sequence[str], limit: int = 24) -> str:
    shown = list(values)[:limit]
    text = ", ".join(shown)
    if len(values) > limit:
        text += f", ... ({len(values) - limit} more)"
    return text


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one input file."""

    path: str  # dotted key path inside the document, "" for the whole document
    message: str
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None
    line: int | None = None
    context: str | None = None  # e.g. "rule approach.sql-team-data-in-bigquery"
    column: int | None = None  # only where it is known exactly (YAML syntax errors)

    def render(self, source: str | None) -> str:
        text = ""
        if source:
            text = source + (f":{self.line}" if self.line is not None else "")
            text += (f":{self.column}" if self.line is not None and self.column is not None else "") + ": "
        if self.context:
            text += f"{self.context}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.suggestion:
            text += f" (did you mean {self.suggestion!r}?)"
        if self.allowed:
            text += f"; allowed: {format_allowed(self.allowed)}"
        return printable(text, newlines=False)  # one problem, one line, no terminal escapes


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
    ) -> "InputError":
        return cls(source, [Problem(path, message, tuple(allowed), suggestion, line)])


class EngineError(RuntimeError):
    """The rule engine refused or failed to do its job (not the user's input)."""


class RuleBaseLimitError(EngineError):
    """The rule base would exceed a structural limit of durable-rules."""
