"""What if some facts were different? The new recommendation and what changed.

Changes are given on the command line as ``--set data.size_gb=5000`` and
``--unset serving.latency_ms``. Values are parsed by the fact's type in the
vocabulary and validated like a scenario file (docs/explain.md):

- enum: one value (did-you-mean on a typo);
- bool: ``true`` or ``false``;
- number / integer: a finite number within the fact's bounds;
- set: a comma list (``sql,python``); ``[]`` is the empty set, which is a
  stated value (different from not stated);
- string: the text as given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from mlarch.core.engine import Engine, Recommendation
from mlarch.core.errors import InputError, Problem, did_you_mean
from mlarch.core.lifecycle import Notice
from mlarch.core.resolver import Decision, WhyNot
from mlarch.core.scenario import MAX_TEXT, Scenario, validate_mapping
from mlarch.core.vocabulary import MAX_NUMBER, FactSpec, Vocabulary

SOURCE = "--set"
TRUE, FALSE = ("true",), ("false",)


def settable(vocab: Vocabulary) -> list[str]:
    return [f for f, spec in vocab.facts.items() if spec.group is not None]


def _fact(vocab: Vocabulary, fact: str, where: str, problems: list[Problem]) -> FactSpec | None:
    spec = vocab.facts.get(fact)
    if spec is None or spec.group is None:
        allowed = settable(vocab)
        why = "unknown fact" if spec is None else "name and description are not facts the rules use"
        problems.append(Problem(where, f"{why} {fact!r}", tuple(allowed), did_you_mean(fact, allowed)))
        return None
    return spec


def parse_value(spec: FactSpec, text: str, where: str, problems: list[Problem]) -> Any:
    """``text`` as a value of ``spec``'s type, or None after recording a problem."""
    raw = text.strip()
    if spec.type == "enum":
        if raw not in spec.values:
            problems.append(Problem(where, f"invalid value {raw!r}", tuple(spec.values), did_you_mean(raw, spec.values)))
            return None
        return raw
    if spec.type == "bool":
        if raw.lower() not in TRUE + FALSE:
            problems.append(Problem(where, f"expected true or false, got {raw!r}", TRUE + FALSE))
            return None
        return raw.lower() == "true"
    if spec.type in ("number", "integer"):
        try:
            value: float | int = int(raw) if spec.type == "integer" else float(raw)
        except ValueError:
            kind = "an integer" if spec.type == "integer" else "a number"
            problems.append(Problem(where, f"expected {kind}, got {raw!r}"))
            return None
        if not math.isfinite(value) or value > MAX_NUMBER or (spec.minimum is not None and value < spec.minimum):
            low = spec.minimum if spec.minimum is not None else -MAX_NUMBER
            problems.append(Problem(where, f"{raw} is out of range: must be between {low:g} and {MAX_NUMBER}"))
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return value
    if spec.type == "set":
        inner = raw[1:-1] if raw.startswith("[") and raw.endswith("]") else raw
        items = [v.strip() for v in inner.split(",") if v.strip()]
        bad = [v for v in items if v not in spec.values]
        for v in bad:
            problems.append(Problem(where, f"invalid value {v!r}", tuple(spec.values), did_you_mean(v, spec.values)))
        if bad:
            return None
        if not items and raw not in ("[]", ""):
            problems.append(Problem(where, "expected a comma list of values, or [] for the empty set", tuple(spec.values)))
            return None
        order = list(spec.values)
        value_set = tuple(sorted(set(items), key=order.index))
        for excl in spec.exclusive:
            if excl in value_set and len(value_set) > 1:
                problems.append(Problem(where, f"'{excl}' cannot be combined with other values"))
                return None
        return value_set
    if len(raw) > MAX_TEXT or not raw:
        problems.append(Problem(where, f"expected text of 1 to {MAX_TEXT} characters"))
        return None
    return raw


def parse_changes(vocab: Vocabulary, sets: Sequence[str], unsets: Sequence[str] = ()) -> dict[str, Any]:
    """``FACT=VALUE`` assignments and facts to un-state, as {fact: value or None}."""
    problems: list[Problem] = []
    changes: dict[str, Any] = {}
    seen: set[str] = set()

    def claim(fact: str, where: str) -> FactSpec | None:
        """The fact's spec, the first time it is changed; a problem otherwise."""
        spec = _fact(vocab, fact, where, problems)
        if spec is not None and fact in seen:
            problems.append(Problem(where, "the same fact is changed twice"))
            return None
        if spec is not None:
            seen.add(fact)
        return spec

    for item in sets:
        fact, eq, text = item.partition("=")
        fact = fact.strip()
        where = f"--set {fact}" if fact else "--set"
        if not eq:
            problems.append(Problem(where, f"expected FACT=VALUE, got {item!r} (use --unset FACT to remove a fact)"))
            continue
        spec = claim(fact, where)
        value = parse_value(spec, text, where, problems) if spec is not None else None
        if value is not None:
            changes[fact] = value
    for fact in (f.strip() for f in unsets):
        if claim(fact, f"--unset {fact}") is not None:
            changes[fact] = None
    if problems:
        raise InputError(None, problems)
    if not changes:
        raise InputError(None, [Problem("--set", "give at least one --set FACT=VALUE or --unset FACT")])
    return changes


def apply_changes(scenario: Scenario, changes: Mapping[str, Any], vocab: Vocabulary) -> Scenario:
    """The scenario with the changes, validated again like a file (exclusive values, ranges)."""
    changed = scenario.with_facts(changes, vocab)
    data = changed.to_nested()
    checked = validate_mapping(data, SOURCE, vocab=vocab)
    return Scenario(checked.name, checked.facts, scenario.description, scenario.source, scenario.expect)


@dataclass(frozen=True)
class Difference:
    dimension: str
    before: str | None  # None: did not apply
    after: str | None  # None: no longer applies
    decision: Decision | None  # the new decision (None when it no longer applies)
    why_not_before: tuple[WhyNot, ...] = ()  # why the old choice now loses
    note: str = ""
    notice: Notice | None = None  # the new choice's deprecation or end at the run date (--as-of)


@dataclass(frozen=True)
class WhatIf:
    scenario: Scenario
    changed: Scenario
    changes: Mapping[str, tuple[Any, Any]]  # fact -> (before, after); None = not stated
    before: Recommendation
    after: Recommendation
    differences: tuple[Difference, ...]


def what_if(engine: Engine, scenario: Scenario, changes: Mapping[str, Any]) -> WhatIf:
    changed = apply_changes(scenario, changes, engine.vocab)
    before = engine.evaluate(scenario)
    after = engine.evaluate(changed)
    vocab = engine.vocab
    diffs: list[Difference] = []
    for dim in vocab.dimensions:
        old, new = before.choices.get(dim), after.choices.get(dim)
        if old == new:
            continue
        dec = after.decisions.get(dim)
        why: tuple[WhyNot, ...] = ()
        note = ""
        if dec is not None and old is not None:
            alt = dec.alternative(old)
            why = alt.why_not if alt else ()
        elif dec is None:
            aw = vocab.dimensions[dim].applies_when
            parent = aw.dimension or ""
            note = f"no longer applies: it applies only when {aw.text}, and {parent} is now {after.choices.get(parent, 'not decided')}"
        else:
            note = f"now applies ({vocab.dimensions[dim].applies_when.text})"
        notice = vocab.notice(dim, new, after.as_of) if new is not None else None
        diffs.append(Difference(dim, old, new, dec, why, note, notice))
    shown = {f: (scenario.get(f), changed.get(f)) for f in vocab.facts if f in changes}
    return WhatIf(scenario, changed, shown, before, after, tuple(diffs))
