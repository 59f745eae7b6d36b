"""The interview's state and logic, free of input and output (command.py does the talking).

A session holds the scenario built so far and the questions asked. The next
question is the unstated, not yet asked fact whose answer would change the
most of the design (analysis/sensitivity.py, :func:`rank_questions`); the
interview is over when no such fact is left. Answers are parsed here, so the
interactive and the non-interactive modes share every rule.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mlarch.analysis.sensitivity import (
    Candidate,
    FactInfluence,
    Sensitivity,
    analyse,
    fact_influence,
    rank_questions,
    show,
    values_to_try,
)
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.scenario import MAX_TEXT, Scenario
from mlarch.core.vocabulary import MAX_NUMBER, FactSpec

SKIP_WORDS = ("skip", "s")
UNKNOWN_WORDS = ("?", "don't know", "dont know", "unknown", "idk", "dk")
STOP_WORDS = ("quit", "q", "stop", "done")
EMPTY_WORDS = ("none", "[]", "-")  # an empty set, where "none" is not itself a value
TRUE_WORDS = ("true", "yes", "y")
FALSE_WORDS = ("false", "no", "n")


@dataclass(frozen=True)
class Answer:
    """A parsed reply: ``kind`` is value | skip | unknown | stop; ``value`` set for a value."""

    kind: str
    value: Any = None
    text: str = ""  # how the user put it (a range is kept for the comment)


class BadAnswer(ValueError):
    """A reply that is not an allowed value; the message says what is allowed."""


@dataclass(frozen=True)
class Asked:
    number: int  # question number in the file (continues a resumed interview's numbering)
    fact: str
    kind: str  # value | skip | unknown
    value: Any
    decides: tuple[str, ...]
    text: str = ""


@dataclass
class Session:
    engine: Engine
    scenario: Scenario
    first_number: int = 1
    asked: list[Asked] = field(default_factory=list)
    rec: Recommendation = field(init=False)
    sens: Sensitivity = field(init=False)

    def __post_init__(self) -> None:
        self._refresh()

    def _refresh(self) -> None:
        self.rec = self.engine.evaluate(self.scenario)
        self.sens = analyse(self.engine, self.rec)

    @property
    def asked_facts(self) -> set[str]:
        return {a.fact for a in self.asked}

    def candidates(self) -> list[Candidate]:
        """Questions worth asking now, best first (empty: the interview is over)."""
        return rank_questions(self.engine, self.rec, exclude=self.asked_facts)

    def next_question(self) -> Candidate | None:
        found = self.candidates()
        return found[0] if found else None

    def record(self, question: Candidate, answer: Answer) -> frozenset[str]:
        """Apply an answer; returns the dimensions whose choice changed."""
        number = self.first_number + len(self.asked)
        self.asked.append(Asked(number, question.fact, answer.kind, answer.value, question.influence.decides, answer.text))
        if answer.kind != "value":
            return frozenset()
        before = self.rec.choices
        self.scenario = self.scenario.with_facts({question.fact: answer.value}, self.engine.vocab)
        self._refresh()
        after = self.rec.choices
        return frozenset(d for d in before.keys() | after.keys() if before.get(d) != after.get(d))

    # ---------------------------------------------------------- parsing

    def parse(self, spec: FactSpec, reply: str) -> Answer:
        """A reply to a question about ``spec``, or :class:`BadAnswer` saying what is allowed."""
        text = reply.strip()
        low = text.lower()
        if low in SKIP_WORDS:
            return Answer("skip")
        if low in UNKNOWN_WORDS:
            return Answer("unknown")
        if low in STOP_WORDS:
            return Answer("stop")
        if not text:
            raise BadAnswer("no answer given")
        return Answer("value", self._value(spec, text), text)

    def _value(self, spec: FactSpec, text: str) -> Any:
        values = list(spec.values)
        if spec.type == "enum":
            return _pick(text, values)
        if spec.type == "bool":
            if text.lower() in TRUE_WORDS:
                return True
            if text.lower() in FALSE_WORDS:
                return False
            raise BadAnswer(f"{text!r} is not yes or no")
        if spec.type == "set":
            if text.lower() in EMPTY_WORDS and text.lower() not in values:
                return ()
            picked = [_pick(part.strip(), values) for part in text.replace(" ", ",").split(",") if part.strip()]
            picked = sorted(dict.fromkeys(picked), key=values.index)
            bad = [v for v in picked if v in spec.exclusive]
            if bad and len(picked) > 1:
                raise BadAnswer(f"{bad[0]} cannot be combined with other values")
            return tuple(picked)
        if spec.type in ("number", "integer"):
            return self._number(spec, text)
        if len(text) > MAX_TEXT:
            raise BadAnswer(f"at most {MAX_TEXT} characters")
        return text

    def _number(self, spec: FactSpec, text: str) -> Any:
        for sep in ("..", " to ", "-"):
            low, found, high = text.partition(sep)
            if found and low.strip() and high.strip():
                a, b = _number(spec, low), _number(spec, high)
                if a > b:
                    a, b = b, a
                return self._range(spec, a, b, text)
        return _number(spec, text)

    def _range(self, spec: FactSpec, low: Any, high: Any, text: str) -> Any:
        """The low end when every value in the range gives the same design; else say where it splits."""
        inside = [p for p in values_to_try(self.engine, spec.id) if low <= p <= high]
        tried = list(dict.fromkeys([low, *inside, high]))
        influence: FactInfluence = fact_influence(self.engine, self.rec, spec.id, tried)
        outcomes = {v.value: tuple(sorted(v.changes.items())) for v in influence.variants}
        if len(set(outcomes.values())) <= 1:
            return low
        first = outcomes[low]
        split = next(v for v in tried if outcomes[v] != first)
        dims = sorted({d for v in tried for d, _ in outcomes[v]})
        raise BadAnswer(f"the design differs within {show(low)}-{show(high)} (at {show(split)} and above, "
                        f"{', '.join(dims)} change); give a single value or a narrower range")


def _pick(text: str, values: list[str]) -> str:
    if text.isdigit() and 1 <= int(text) <= len(values):
        return values[int(text) - 1]
    for v in values:
        if text.lower() == v.lower():
            return v
    raise BadAnswer(f"{text!r} is not one of the allowed values")


def _number(spec: FactSpec, text: str) -> Any:
    try:
        value = float(text.strip().replace("_", "").replace(",", ""))
    except ValueError:
        raise BadAnswer(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise BadAnswer(f"{text.strip()!r} is out of range")
    if spec.minimum is not None and value < spec.minimum:
        raise BadAnswer(f"{text.strip()} is below the minimum {show(spec.minimum)}")
    if spec.type == "integer":
        if not value.is_integer():
            raise BadAnswer(f"{text.strip()!r} is not a whole number")
        return int(value)
    return int(value) if value.is_integer() else value
