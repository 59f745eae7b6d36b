"""Lint checks that keep the knowledge base current (issue 17).

Offline and from data only: the vocabulary's ``names``, ``component_names``
and ``lifecycle`` sections against the rules' conclusions, texts and
citations, judged at the run date (``--as-of``). docs/lint.md describes each
check and docs/knowledge.md how a finding is resolved.

- ``shut-down-preferred`` (warning): a rule prefers or requires a choice whose
  end date has passed (or that is retired) at the run date. Rules declared
  ``review_only`` are skipped: they only say what a pinned design means.
- ``unnamed-choice`` (warning): a choice the vocabulary gives no current name.
- ``former-name`` (warning): a rule's title, reason or notes use a former
  name without the current one (names whose former name Google's own pages
  still use, ``former_still_in_docs``, are not flagged).
- ``stale-citation`` (note): a rule naming a renamed product cites only pages
  outside the documentation tree its rename was read in. Only renames whose
  former name Google's pages no longer use count (not ``former_still_in_docs``:
  where the old pages still use the old name, citing them is not stale). Citation dates are
  unknown, so the tree is the signal: the rename's ``source`` page gives the
  host (cloud.google.com and docs.cloud.google.com count as one) and first
  path segment (``gemini-enterprise-agent-platform``, ``edge``); a rule whose
  every citation lies elsewhere was most likely written from pages older
  than the rename. A heuristic, hence a note.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Iterable, Sequence
from urllib.parse import urlsplit

from mlarch.core.lifecycle import Name, run_date
from mlarch.core.rulebook import Rule
from mlarch.core.vocabulary import Vocabulary
from mlarch.lint.findings import LintFinding

POSITIVE = ("prefer", "require")
_SAME_HOST = {"docs.cloud.google.com": "cloud.google.com"}


def _loc(rule: Rule) -> dict:
    return {"file": rule.source or None, "line": rule.line}


def shut_down_preferred(vocab: Vocabulary, rules: Sequence[Rule], as_of: date | None = None) -> list[LintFinding]:
    """Rules that still argue for a choice that is gone at the run date."""
    day = run_date(as_of)
    out = []
    for rule in rules:
        if rule.verdict not in POSITIVE or rule.review_only:
            continue
        for choice in rule.choices:
            notice = vocab.notice(rule.dimension, choice, day)
            if notice is None or notice.kind not in ("shut-down", "retired"):
                continue
            out.append(LintFinding(
                "shut-down-preferred", "warning",
                f"{rule.id} {rule.verdict}s {rule.dimension} = {choice}, which is gone as of {day}: {notice.text}",
                (rule.id,), details=("prefer a successor, or make the rule `avoid` or `forbid` the choice and say why",), **_loc(rule)))
    return out


def unnamed_choices(vocab: Vocabulary) -> list[LintFinding]:
    """Choices the renderers can show only by id."""
    return [
        LintFinding("unnamed-choice", "warning", f"{dim}.{choice} has no current display name (names section of the vocabulary)",
                details=("add `" + f"{dim}.{choice}" + ": {name: ...}` under `names:` in engine/core/vocabulary.yaml",))
        for dim, spec in vocab.dimensions.items() for choice in spec.choices if vocab.name(dim, choice) is None
    ]


def _all_names(vocab: Vocabulary) -> list[Name]:
    return [*vocab.names.values(), *vocab.component_names]


def _rule_text(rule: Rule) -> str:
    return " ".join((rule.title, rule.because, rule.notes))


def former_mentions(text: str, names: Iterable[Name]) -> list[tuple[str, Name]]:
    """Former names ``text`` uses without the current name. Spellings are matched longest
    first and each match hides the shorter ones inside it: "Vertex AI Search for commerce"
    is not also "Vertex AI Search", nor "Vertex AI Platform" the retired "AI Platform"."""
    entries = list(names)
    spellings = sorted(((s, e, s in e.former) for e in entries for s in (e.name, *e.former) if s), key=lambda t: -len(t[0]))
    masked = text
    found: list[tuple[str, Name]] = []
    for spelling, entry, is_former in spellings:
        if spelling not in masked or not _compiled(spelling).search(masked):  # the substring test is exact and cheap
            continue
        masked = _mask(masked, spelling)
        if is_former and not entry.former_still_in_docs and entry.name.casefold() not in text.casefold() \
                and (entry.short or entry.name).casefold() not in text.casefold():
            found.append((spelling, entry))
    return found


def _pattern(name: str) -> str:
    return r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"


@functools.lru_cache(maxsize=4096)
def _compiled(name: str) -> re.Pattern[str]:
    return re.compile(_pattern(name))


def _mask(text: str, name: str) -> str:
    return _compiled(name).sub(lambda m: "\0" * len(m.group(0)), text)


def former_names(vocab: Vocabulary, rules: Sequence[Rule]) -> list[LintFinding]:
    names = _all_names(vocab)
    out = []
    for rule in rules:
        for former, entry in former_mentions(_rule_text(rule), names):
            out.append(LintFinding(
                "former-name", "warning",
                f"{rule.id} says {former!r} but not its current name {entry.name!r}",
                (rule.id,), details=(f"write \"{entry.name} (formerly {former})\"" + (f"; renamed: {entry.source}" if entry.source else ""),),
                **_loc(rule)))
    return out


def _tree(url: str) -> tuple[str, str]:
    """Host and first path segment of a page: the documentation tree it belongs to."""
    parts = urlsplit(url)
    host = _SAME_HOST.get(parts.hostname or "", parts.hostname or "")
    segment = next((p for p in parts.path.split("/") if p), "")
    return host, segment


def mentioned(text: str, names: Sequence[Name]) -> list[Name]:
    """The entries whose current or former name ``text`` uses, longest spelling first,
    so "Vertex AI Search for commerce" is not also read as "Vertex AI Search"."""
    spellings = sorted(((s, i) for i, n in enumerate(names) for s in (n.name, *n.former) if s), key=lambda si: -len(si[0]))
    masked, found = text, []
    for spelling, i in spellings:
        if re.search(_pattern(spelling), masked, re.IGNORECASE):
            masked = re.sub(_pattern(spelling), lambda m: "\0" * len(m.group(0)), masked, flags=re.IGNORECASE)
            if i not in found:
                found.append(i)
    return [names[i] for i in sorted(found)]


def _names_product(rule: Rule, key: str | None, entry: Name, named: Sequence[Name]) -> bool:
    if key is not None:
        dim, _, choice = key.partition(".")
        if rule.dimension == dim and choice in rule.choices and rule.verdict in POSITIVE:
            return True
    return any(n is entry for n in named)


def stale_citations(vocab: Vocabulary, rules: Sequence[Rule]) -> list[LintFinding]:
    """Rules about a renamed product whose every citation lies outside the rename's docs tree (a heuristic: see the module)."""
    renamed: list[tuple[str | None, Name]] = [(k, n) for k, n in vocab.names.items()]
    renamed += [(None, n) for n in vocab.component_names]
    renamed = [(k, n) for k, n in renamed if n.former and n.source and not n.former_still_in_docs]
    entries = [n for _, n in renamed]
    out = []
    for rule in rules:
        if not rule.docs:
            continue
        trees = {_tree(u) for u in rule.docs}
        named = mentioned(_rule_text(rule), entries)
        for key, entry in renamed:
            new = _tree(entry.source)
            if new in trees or not _names_product(rule, key, entry, named):
                continue
            out.append(LintFinding(
                "stale-citation", "info",
                f"{rule.id} names {entry.name} (formerly {entry.former[0]}) but cites no page under {new[0]}/{new[1]}/, "
                "where the rename was read: its pages may predate the rename",
                (rule.id,), details=(f"re-read the rule against {entry.source} and cite the current page",), **_loc(rule)))
    return out


def freshness(vocab: Vocabulary, rules: Sequence[Rule], as_of: date | None = None) -> list[LintFinding]:
    """All four checks (lint keeps the ones asked for)."""
    return [*shut_down_preferred(vocab, rules, as_of), *unnamed_choices(vocab), *former_names(vocab, rules),
            *stale_citations(vocab, rules)]
