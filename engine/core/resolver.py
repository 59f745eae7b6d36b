"""Turning the rules that fired for one dimension into one decision.

Resolution order (documented in docs/resolution.md):

1. ``forbid`` removes choices. Hard constraints come first.
2. ``require`` picks its choice among what is left. Two different requires,
   or a require of a forbidden choice, is a conflict: it is reported as a
   warning and resolved as below among the required (or remaining) choices.
3. Otherwise the remaining choice with the highest score wins; a choice's
   score is the sum of its ``prefer`` weights minus its ``avoid`` weights,
   counting only rules about stated facts.
4. Default rules (``default: true``, assumptions about missing facts) only
   break ties among the choices the stated facts leave equal: their weights
   are summed apart (``assumed``) and compared second. A default never
   overrides, and never decides between, options the stated facts tell apart.
5. Remaining ties go to the choice listed first in the vocabulary, where each
   dimension lists its choices from the simplest, most managed option to the
   most custom one.

Every decision keeps the rules behind it, the facts they used, and for every
other choice why it lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Mapping, Sequence

from mlarch.core.conditions import Conjunct
from mlarch.core.rulebook import MATCHED_FACTS, PLACEHOLDER, Rule
from mlarch.core.vocabulary import DECISION_PREFIX, DimensionSpec, Vocabulary


@dataclass(eq=False)
class Support:
    """One fired rule as evidence for a dimension, with the facts it used.

    Built for every rule that fires, but only a few are ever shown, so the
    facts and the reason text are worked out on first use from the matched
    alternative of the condition and the evaluation's values.
    """

    rule: Rule
    conjunct: Conjunct  # the alternative of the condition that matched
    values: Mapping[str, Any] = field(repr=False)  # facts and decisions of the evaluation
    vocab: Vocabulary = field(repr=False)  # the engine's: the order facts and decisions are listed in

    @cached_property
    def text(self) -> str:
        """The reason, placeholders filled in with the scenario's values."""
        template = self.rule.because
        if MATCHED_FACTS in template:
            matched = "; ".join(f"{k} = {format_value(v)}" for k, v in self.facts.items()) or "nothing stated"
            template = template.replace(MATCHED_FACTS, matched.replace("{", "(").replace("}", ")"))
        return render_reason(template, self.values)

    @cached_property
    def _used(self) -> tuple[dict[str, Any], dict[str, Any], tuple[str, ...]]:
        facts: dict[str, Any] = {}
        decisions: dict[str, Any] = {}
        unstated: set[str] = set()
        for lit in self.conjunct:
            value = self.values.get(lit.ref)
            if lit.ref.startswith(DECISION_PREFIX):
                decisions[lit.ref[len(DECISION_PREFIX):]] = value
            elif value is None:
                unstated.add(lit.ref)
            else:
                facts[lit.ref] = list(value) if isinstance(value, tuple) else value
        fact_order, dim_order = self.vocab.positions
        return (
            {k: facts[k] for k in sorted(facts, key=fact_order.__getitem__)},
            {k: decisions[k] for k in sorted(decisions, key=dim_order.__getitem__)},
            tuple(sorted(unstated, key=fact_order.__getitem__)),
        )

    @property
    def facts(self) -> Mapping[str, Any]:
        """Stated facts the rule tested, with the values the scenario has."""
        return self._used[0]

    @property
    def decisions(self) -> Mapping[str, str | None]:
        """Decisions the rule tested, with their values."""
        return self._used[1]

    @property
    def unstated(self) -> tuple[str, ...]:
        """Facts the rule relied on being absent."""
        return self._used[2]

    @property
    def effect(self) -> str:
        """The rule's effect with its choices: ``prefer batch (+3)``, ``forbid gpu, tpu``."""
        r = self.rule
        if r.hard:
            return f"{r.verdict} {', '.join(r.choices)}"
        sign = "+" if r.verdict == "prefer" else "-"
        return f"{r.verdict} {', '.join(r.choices)} ({sign}{r.weight})"


def format_value(value: Any) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value)) if value else "none"
    return str(value)


def render_reason(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{fact.id}`` placeholders with the scenario's values."""
    text = PLACEHOLDER.sub(lambda m: format_value(values.get(m.group(1))), template)
    return " ".join(text.split())


@dataclass(frozen=True)
class WhyNot:
    rule: str | None  # the rule that explains it; None only when no rule applied at all
    text: str

    def cited(self) -> str:
        """The text with its rule id appended, unless the text already names it."""
        return self.text + (f" [{self.rule}]" if self.rule and self.rule not in self.text else "")


class AlternativeStatus(StrEnum):
    """Why a choice lost (the ``status`` of an alternative in the JSON document)."""

    FORBIDDEN = "forbidden"
    NOT_REQUIRED = "not_required"  # another choice is required
    OUTSCORED = "outscored"
    TIED = "tied"  # equal score; the tie-break or an assumption chose the other
    UNSUPPORTED = "unsupported"  # no rule supports it


class ResolvedBy(StrEnum):
    """How a decision was reached (``resolved_by`` in the JSON document; docs/resolution.md)."""

    REQUIRED = "required"
    PREFERRED = "preferred"
    TIE_BREAK = "tie_break"
    ELIMINATION = "elimination"
    FALLBACK = "fallback"  # no rule applied: the first choice in vocabulary order
    PINNED = "pinned"  # given by a design or an example
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Alternative:
    choice: str
    score: int
    status: AlternativeStatus
    why_not: tuple[WhyNot, ...]
    assumed: int = 0  # the net weight of default rules (assumptions), compared only on a tie


@dataclass(eq=False)
class Decision:
    dimension: str
    choice: str
    score: int
    how: ResolvedBy
    reasons: tuple[Support, ...]
    considered: tuple[Support, ...]  # every rule that fired for this dimension
    defaulted: bool
    conflicts: tuple[str, ...] = ()
    assumed: int = 0  # the winner's net weight from default rules (they only break ties)
    pinned_violations: tuple[Support, ...] = field(default_factory=tuple)
    _tallies: Mapping[str, "_Tally"] = field(default_factory=dict, repr=False)
    _order: tuple[str, ...] = field(default=(), repr=False)

    @property
    def tallies(self) -> Mapping[str, "_Tally"]:
        """What the fired rules did to each choice they name (stated score, assumed score, rules)."""
        return self._tallies

    def alternative(self, choice: str) -> Alternative | None:
        """Why ``choice`` lost (None when it is the decision's own choice)."""
        return next((a for a in self.alternatives if a.choice == choice), None)

    @cached_property
    def alternatives(self) -> tuple[Alternative, ...]:
        """Every other choice, best first, with why it lost (computed on demand)."""
        order = list(self._order)
        tallies = {c: self._tallies.get(c) or _Tally(c) for c in order}
        w = tallies[self.choice]
        out = [_why_not(tallies[c], w, self.how, order) for c in order if c != self.choice]
        out.sort(key=lambda a: (a.status is AlternativeStatus.FORBIDDEN, -a.score, -a.assumed, order.index(a.choice)))
        return tuple(out)


@dataclass
class _Tally:
    choice: str
    score: int = 0  # prefer minus avoid weights of rules about stated facts
    assumed: int = 0  # the same for default rules, which only break ties
    forbidden_by: list[Support] = field(default_factory=list)
    required_by: list[Support] = field(default_factory=list)
    preferred_by: list[Support] = field(default_factory=list)
    avoided_by: list[Support] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return bool(self.required_by or self.preferred_by)

    @property
    def rank(self) -> tuple[int, int]:
        """Stated facts first; assumptions only where the stated facts tie."""
        return self.score, self.assumed

    def add(self, s: Support, sign: int) -> None:
        if s.rule.default:
            self.assumed += sign * s.rule.weight
        else:
            self.score += sign * s.rule.weight


def _by_strength(supports: Sequence[Support]) -> list[Support]:
    return sorted(supports, key=lambda s: (-s.rule.weight, s.rule.id))


def resolve(spec: DimensionSpec, supports: Sequence[Support], pinned: str | None = None) -> Decision:
    """Resolve one dimension from the rules that fired for it.

    ``supports`` must be in rule-id order (the engine passes them so), which
    makes every list in the decision deterministic.
    """
    order = tuple(spec.choices)
    tallies = _tally(supports)
    winner, how, conflicts, required, assumed_tie = _winner(order, spec.positions, tallies)
    violations: tuple[Support, ...] = ()
    if pinned is not None:
        pinned_tally = tallies.get(pinned)
        violations = (tuple(pinned_tally.forbidden_by) if pinned_tally else ()) + tuple(
            s for c in required if c != pinned for s in tallies[c].required_by
        )
        winner, how = pinned, ResolvedBy.PINNED
    w = tallies.get(winner) or _Tally(winner)
    reasons = _reasons(tallies, order, w, how)
    return Decision(
        dimension=spec.id,
        choice=winner,
        score=w.score,
        assumed=w.assumed,
        how=how,
        reasons=tuple(reasons),
        considered=tuple(supports),
        defaulted=not reasons or all(s.rule.default for s in reasons) or (assumed_tie and how is not ResolvedBy.PINNED),
        conflicts=tuple(conflicts),
        pinned_violations=violations,
        _tallies=tallies,
        _order=order,
    )


def _tally(supports: Sequence[Support]) -> dict[str, _Tally]:
    """What the fired rules say about each choice they name (choices no rule names have no tally)."""
    tallies: dict[str, _Tally] = {}
    for s in supports:
        verdict = s.rule.verdict
        for choice in s.rule.choices:
            t = tallies.get(choice)
            if t is None:
                t = tallies[choice] = _Tally(choice)
            if verdict == "forbid":
                t.forbidden_by.append(s)
            elif verdict == "require":
                t.required_by.append(s)
            elif verdict == "prefer":
                t.preferred_by.append(s)
                t.add(s, +1)
            else:
                t.avoided_by.append(s)
                t.add(s, -1)
    return tallies


def _best(tallies: Mapping[str, _Tally], pool: Sequence[str]) -> tuple[str, int, bool]:
    """Highest rank first (stated score, then assumed score), then vocabulary order; how many
    tie for the top; whether an assumption (a default rule) broke a tie of the stated facts."""
    top, top_rank, ties, stated_ties = pool[0], None, 0, 0
    for c in pool:
        t = tallies.get(c)
        rank = t.rank if t is not None else (0, 0)
        if top_rank is None or rank > top_rank:
            stated_ties = stated_ties + 1 if top_rank is not None and rank[0] == top_rank[0] else 1
            top, top_rank, ties = c, rank, 1
        elif rank == top_rank:
            ties += 1
            stated_ties += 1
        elif rank[0] == top_rank[0]:
            stated_ties += 1
    return top, ties, stated_ties > ties


def _winner(order: tuple[str, ...], position: Mapping[str, int], tallies: Mapping[str, _Tally]) -> tuple[str, ResolvedBy, list[str], list[str], bool]:
    """The choice, how it was decided, the conflicts met, the required choices, and whether an
    assumption decided it among choices the stated facts leave equal (docs/resolution.md)."""
    conflicts: list[str] = []
    forbidden = {c for c, t in tallies.items() if t.forbidden_by}
    allowed = [c for c in order if c not in forbidden] if forbidden else order
    required = sorted((c for c, t in tallies.items() if t.required_by and c not in forbidden), key=position.__getitem__)
    for c in sorted(forbidden, key=position.__getitem__):
        t = tallies[c]
        if t.required_by:
            conflicts.append(
                f"{c} is both required ({', '.join(s.rule.id for s in t.required_by)}) "
                f"and forbidden ({', '.join(s.rule.id for s in t.forbidden_by)}); forbid wins"
            )
    if not allowed:
        conflicts.append("every choice is forbidden; keeping the best-scored one")
        return _best(tallies, order)[0], ResolvedBy.CONFLICT, conflicts, required, False
    if len(required) > 1:
        conflicts.append(f"several choices are required ({', '.join(required)}); keeping the best-scored one")
        return _best(tallies, required)[0], ResolvedBy.CONFLICT, conflicts, required, False
    if required:
        return required[0], ResolvedBy.REQUIRED, conflicts, required, False
    winner, ties, assumed_tie = _best(tallies, allowed)
    how = ResolvedBy.PREFERRED
    w = tallies.get(winner)
    if w is None or not w.supported:
        how = ResolvedBy.ELIMINATION if any(t.avoided_by or t.forbidden_by for t in tallies.values()) else ResolvedBy.FALLBACK
        # several choices survive with nothing to tell them apart: vocabulary order is an assumption too
        assumed_tie = assumed_tie or ties > 1
    elif ties > 1:
        how = ResolvedBy.TIE_BREAK
    return winner, how, conflicts, required, assumed_tie


def _reasons(tallies: Mapping[str, _Tally], order: tuple[str, ...], w: _Tally, how: ResolvedBy) -> list[Support]:
    """The rules that explain the winner: those for it, else those that ruled the others out."""
    reasons = _by_strength(w.required_by) + _by_strength(w.preferred_by)
    if not reasons and how in (ResolvedBy.ELIMINATION, ResolvedBy.PINNED, ResolvedBy.CONFLICT):
        # explained by what ruled the others out (each rule once, though it may name several choices)
        against = {s.rule.id: s for c in order if c != w.choice and c in tallies for s in tallies[c].forbidden_by + tallies[c].avoided_by}
        reasons = _by_strength(list(against.values()))
    return reasons


def _why_not(t: _Tally, w: _Tally, how: ResolvedBy, order: list[str]) -> Alternative:
    lines: list[WhyNot] = []
    best = (_by_strength(w.required_by) + _by_strength(w.preferred_by))[:1]
    lead = best[0].rule.id if best else None
    if t.forbidden_by:
        lines += [WhyNot(s.rule.id, f"forbidden: {s.text}") for s in t.forbidden_by]
        status = AlternativeStatus.FORBIDDEN
    elif w.required_by and not t.required_by:
        lines += [WhyNot(s.rule.id, f"{w.choice} is required: {s.text}") for s in w.required_by]
        status = AlternativeStatus.NOT_REQUIRED
    elif not t.supported and not t.avoided_by:
        status = AlternativeStatus.UNSUPPORTED
        tail = f"; {w.choice} scored {w.score}" if w.supported else ""
        lines.append(WhyNot(lead, f"no rule supports {t.choice} for this scenario{tail}"))
    elif t.score == w.score and t.assumed != w.assumed:
        status = AlternativeStatus.TIED
        assumption = next((s for s in _by_strength(w.preferred_by) if s.rule.default), None)
        lines.append(WhyNot(assumption.rule.id if assumption else lead,
                            f"tied with {w.choice} at score {w.score} on the stated facts; an assumption about "
                            f"facts not stated favours {w.choice}"))
    elif t.score == w.score:
        status = AlternativeStatus.TIED
        lines.append(WhyNot(lead, f"tied with {w.choice} at score {w.score}; the tie-break prefers {w.choice}, listed first (simpler, more managed)"))
    else:
        status = AlternativeStatus.OUTSCORED
        lines.append(WhyNot(lead, f"scored {t.score} against {w.score} for {w.choice}"))
    lines += [WhyNot(s.rule.id, f"avoid (-{s.rule.weight}): {s.text}") for s in t.avoided_by]
    if how is ResolvedBy.PINNED and not lines:  # pragma: no cover - defensive
        lines.append(WhyNot(None, f"{w.choice} was given by the design"))
    return Alternative(t.choice, t.score, status, tuple(lines), t.assumed)
