"""Exam-style questions: every option reviewed as a design; the best supported wins.

A *question file* (interfaces.md section 4) holds a scenario, an optional
question text and options, each a design (dimension -> choice)::

    scenario_file: ../churn-bigquery-sql-team.yaml
    question: Which approach should the team take?
    options:
      A: {approach: automl}
      B: {approach: bigquery_ml, bqml_model: logistic_reg}
    expect: B                       # mlarch addition: the answer key
    section: "1.1"                  # mlarch addition: exam section(s)
    explanation: Why B is right ...  # mlarch addition: the guidance behind the key

The score of an option (docs/answer.md) is compared lexicographically, so a
hard constraint always outweighs any number of soft preferences:

1. ``errors``: hard constraints the option breaks (fewer is better);
2. ``penalty``: how far it departs from the rules' recommendation, summed
   over the dimensions it sets: for a departure, the points of rule support
   the proposed choice is behind the recommended one (at least 1); for a
   dimension that does not apply given the option's own choices, the
   largest rule weight (10) (lower is better);
3. ``support``: how strongly the rules back the choices it gets right: per
   agreeing dimension, the recommended choice's score, or 10 when it is
   required or every other choice is forbidden (higher is better).

Options with the same (errors, penalty, support) tie, and a tie is reported
as a tie, never broken by letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from mlarch.core import yamlio
from mlarch.core.designs import Design, open_mapping, parse_choices, scenario_from, text_field
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.errors import InputError, Problem
from mlarch.core.judge import Finding, Review, review
from mlarch.core.resolver import AlternativeStatus, Decision, ResolvedBy
from mlarch.core.rulebook import MAX_WEIGHT
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import Vocabulary

QUESTION_KEYS = ("name", "description", "scenario", "scenario_file", "question", "options", "expect",
                 "section", "explanation", "docs")
LABEL = re.compile(r"^[A-Za-z]$")  # as the question set writes them; the answer prints the same
MIN_OPTIONS, MAX_OPTIONS = 2, 10


@dataclass(frozen=True)
class Question:
    name: str
    scenario: Scenario
    options: Mapping[str, Design]  # label -> design, labels in order
    text: str = ""
    expect: str | None = None
    sections: tuple[str, ...] = ()
    explanation: str = ""
    docs: tuple[str, ...] = ()
    source: str | None = None
    description: str = ""
    # What was set aside while loading: top-level keys that are not part of a question file
    # (a set's own id or difficulty) and malformed metadata; warnings, the question is answered.
    ignored: tuple[Problem, ...] = ()


def load_question(path: str | Path | yamlio.Document, vocab: Vocabulary) -> Question:
    """Load and validate a question file against ``vocab``; raise :class:`InputError` with every problem."""
    doc, data, problems = open_mapping(path, QUESTION_KEYS + ("answer",), "question")
    # The contract's question file (interfaces.md section 4) names scenario, question and
    # options; a question set may carry its own metadata beside them. Unknown top-level keys
    # are warnings (never silent), not errors, so a set's extra fields do not stop it
    # being answered. Anything inside scenario and options is validated strictly.
    ignored = tuple(replace(p, message="not part of a question file; ignored") for p in problems)
    problems = []
    stem = yamlio.source_stem(doc.source)
    scenario, found = scenario_from(doc, data, stem, vocab)
    problems += found
    options: dict[str, Design] = {}
    raw = data.get("options")
    if not isinstance(raw, dict):
        what = "missing" if raw is None else f"a {type(raw).__name__}"
        problems.append(doc.problem(("options",), f"options must be a mapping of letter: design (got {what})"))
    else:
        if not MIN_OPTIONS <= len(raw) <= MAX_OPTIONS:
            problems.append(doc.problem(("options",), f"a question needs {MIN_OPTIONS} to {MAX_OPTIONS} options, got {len(raw)}"))
        for label in sorted(raw):
            path = ("options", label)
            if not LABEL.match(label):
                problems.append(doc.problem(path, f"option label {label!r} must be one letter, A to Z (or a to z)"))
                continue
            choices, lines, found = parse_choices(raw[label], doc, path, vocab)
            problems += found
            if not found and not choices:
                problems.append(doc.problem(path, "an option must set at least one dimension"))
            options[label] = Design(f"{stem} option {label}", scenario, choices, doc.source, lines, doc.line_of(path))
    expect = data.get("expect")
    if "answer" in data:  # the answer key under the name a question set may give it
        if expect is not None and data["answer"] != expect:
            problems.append(doc.problem(("answer",), f"answer {data['answer']!r} and expect {expect!r} disagree; give one answer key"))
        expect = data["answer"] if expect is None else expect
    if expect is not None and (not isinstance(expect, str) or (isinstance(raw, dict) and expect not in raw)):
        labels = tuple(sorted(raw)) if isinstance(raw, dict) else ()
        problems.append(doc.problem(("expect",), f"expect must name one of the options, got {expect!r}", allowed=labels))
    # Metadata (texts, sections, links) does not change the answer: a malformed field is
    # a warning and is dropped, like an unknown key.
    meta: list[Problem] = []
    sections = _sections(doc, data.get("section"), tuple(vocab.exam_sections), meta)
    docs = data.get("docs") or []
    if not isinstance(docs, list) or not all(isinstance(u, str) and u.startswith("https://") for u in docs):
        meta.append(doc.problem(("docs",), "docs must be a list of https:// links"))
        docs = []
    text = text_field(doc, data, "question", meta)
    explanation = text_field(doc, data, "explanation", meta)
    name = text_field(doc, data, "name", meta) or stem
    description = text_field(doc, data, "description", meta)
    if problems:
        raise InputError(doc.source, problems)
    ignored += tuple(replace(p, message=p.message + "; ignored") for p in meta)
    return Question(name, scenario, options, text, expect, sections, explanation, tuple(docs), doc.source, description, ignored)


def _sections(doc: yamlio.Document, value: Any, known: tuple[str, ...], problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for i, item in enumerate(items):
        path = ("section", i) if isinstance(value, list) else ("section",)
        if isinstance(item, float) and not isinstance(item, bool) and str(item) in known:
            item = str(item)  # section: 3.3 unquoted is read as a number; it can only mean "3.3"
        if not isinstance(item, str) or item not in known:
            problems.append(doc.problem(path, f"unknown exam section {item!r} (quote it: \"1.1\")", allowed=known))
        else:
            out.append(item)
    return tuple(out)


# ------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Score:
    errors: int
    penalty: int
    support: int

    @property
    def key(self) -> tuple[int, int, int]:
        """Smaller is better: fewer errors, then less departure, then more support."""
        return (self.errors, self.penalty, -self.support)

    def as_dict(self) -> dict[str, int]:
        return {"errors": self.errors, "penalty": self.penalty, "support": self.support}


def strength(dec: Decision) -> int:
    """How strongly the rules back a decision: its score, or the top weight when it is forced."""
    if dec.how is ResolvedBy.REQUIRED or (dec.alternatives and all(a.status is AlternativeStatus.FORBIDDEN for a in dec.alternatives)):
        return MAX_WEIGHT
    return max(dec.score, 0)


CONTESTED = ("hard-constraint", "departure", "not-applicable")  # finding kinds where the rules disagree with a choice


def agreed(rv: Review) -> list[str]:
    """The design's dimensions the rules decide and do not contest, in design order."""
    contested = {f.dimension for f in rv.findings if f.kind in CONTESTED}
    return [d for d in rv.design.choices if d in rv.given and d not in contested]


def score(rv: Review) -> Score:
    # a departure costs the support it is behind by; choosing for a dimension that does not apply, the top weight
    penalty = sum(MAX_WEIGHT if f.kind == "not-applicable" else f.margin for f in rv.findings if f.kind in ("departure", "not-applicable"))
    support = sum(strength(rv.given[d]) for d in agreed(rv))
    return Score(rv.count("error"), penalty, support)


@dataclass(frozen=True)
class OptionResult:
    label: str
    review: Review
    score: Score
    rank: int  # 1 = best; tied options share a rank

    @property
    def findings(self) -> tuple[Finding, ...]:
        """What counts for or against the option (undecided dimensions do not)."""
        return tuple(f for f in self.review.findings if f.kind != "undecided")

    @property
    def agreed(self) -> list[str]:
        return agreed(self.review)


@dataclass(frozen=True)
class Answer:
    question: Question
    recommendation: Recommendation
    options: tuple[OptionResult, ...]  # in label order
    best: tuple[str, ...] = field(default_factory=tuple)  # one label, or several on a tie
    presupposed: Mapping[str, str] = field(default_factory=dict)  # context the question takes for granted
    tie_break: str | None = None  # on a tie: the option given (see tie_break), still reported as a tie

    @property
    def answer(self) -> str | None:
        return self.best[0] if len(self.best) == 1 else self.tie_break

    @property
    def tie(self) -> bool:
        return len(self.best) > 1

    @property
    def correct(self) -> bool | None:
        """Against the file's `expect`, when it has one."""
        if self.question.expect is None:
            return None
        return self.answer == self.question.expect

    def option(self, label: str) -> OptionResult:
        return next(o for o in self.options if o.label == label)


PRESUPPOSITION_PASSES = 6  # a dimension's parent may need parents of its own (serving_min_replicas <- endpoint_settings <- serving_platform <- approach)
UNBLOCK_BUDGET = 12  # evaluations tried per blocked parent (see _unblocking)


def presupposed(engine: Engine, question: Question, rec: Recommendation) -> tuple[dict[str, str], Recommendation]:
    """The context a question takes for granted, and the recommendation in that context.

    A question whose options decide a dimension asks about that dimension,
    so it presupposes that the dimension applies (also when each option
    changes a different setting of the same endpoint): options about
    notebooks presuppose a model the team trains, options about edge export
    a model on a device. When the scenario alone leaves such a dimension out
    (a partial scenario whose guess went elsewhere), the parent decision its
    ``applies_when`` tests is set to the rules' best-ranked choice among those
    that make it apply, and the scenario is evaluated again in that context.
    A parent that does not apply itself is presupposed the same way, on the
    next pass; a parent whose every such choice is forbidden because of an
    earlier decision is unblocked by presupposing that decision
    (:func:`_unblocking`).
    """
    vocab = engine.vocab
    decided = set().union(*(set(d.choices) for d in question.options.values()))
    asked = set(decided)  # and the parents they need, as they are found
    pins: dict[str, str] = {}
    for _ in range(PRESUPPOSITION_PASSES):
        pinned_before, asked_before = len(pins), len(asked)
        for dim in vocab.dimensions:
            when = vocab.dimensions[dim].applies_when
            parent = when.dimension
            if dim not in asked or dim in rec.decisions or parent is None or parent in pins or parent in decided:
                continue
            if parent not in rec.decisions:
                asked.add(parent)  # its own parent is presupposed first; the parent itself on a later pass
                continue
            pick = _applying_choice(rec, parent, when)
            if pick is None:
                pins.update(_unblocking(engine, question, rec, pins, asked, parent))
            elif _supported(rec, parent, pick) or not (found := _supporting_context(engine, question, rec, pins, asked, decided, parent, when)):
                pins[parent] = pick
            else:
                pins.update(found)  # the parent is presupposed on the next pass, in that context
        if len(pins) == pinned_before and len(asked) == asked_before:
            break
        if len(pins) > pinned_before:
            rec = engine.evaluate(question.scenario, pinned=pins)
    found = _options_context(engine, question, rec, pins, decided)
    if found:
        pins = {**pins, **found}
        rec = engine.evaluate(question.scenario, pinned=pins)
    return pins, rec


def _options_context(
    engine: Engine, question: Question, rec: Recommendation, pins: Mapping[str, str], decided: set[str]
) -> dict[str, str]:
    """An earlier decision to presuppose when every option decides a dimension against a guess.

    Every option decides the same dimension, none picks the rules' choice and
    no rule backs any of theirs (default rules, assumptions that fire on
    nothing stated, do not count here): the guess the scenario led to (a pre-trained
    API, called directly) is not what the question is about (options that all
    host a model). The decisions the dimension depends on that rest only on
    assumptions (default rules) are tried, best-ranked first, and the first
    context in which the rules' own pick for the dimension is one of the
    options' choices, backed by a rule, is presupposed; of several such
    contexts (at most :data:`UNBLOCK_BUDGET` evaluations), the one whose
    presupposed choice the rules rank highest, then the one where the stated
    facts back the options' choice most strongly, the earliest on a tie. A
    decision the stated facts back is never presupposed away, and a choice
    they argue against (a negative score) is never presupposed. Where default
    rules back an option's choice, a context replaces that guess only if a
    rule that is not a default backs the options' choice in it.
    """
    options = list(question.options.values())
    for dim in engine.vocab.dimensions:
        dec = rec.decisions.get(dim)
        if dec is None or not all(dim in o.choices for o in options):
            continue
        offered = {o.choices[dim] for o in options}
        if dec.choice in offered or any(_rule_backing(rec, dim, c) for c in offered):
            continue  # an option's choice that only default rules back (assumptions) does not count
        # a context replaces one where default rules back an option only if a rule that is not a
        # default backs the options' choice there; where nothing backs any option, any backing does
        backed = _rule_backing if any(_supported(rec, dim, c) for c in offered) else _supported
        upstream = engine.plan.depends_on.get(dim, frozenset())
        candidates = [d for d in engine.vocab.dimensions if d in upstream and d in rec.decisions
                      and d not in pins and d not in decided and rec.decisions[d].defaulted]

        best: tuple[tuple[int, int, int], dict[str, str]] | None = None
        budget = UNBLOCK_BUDGET
        for earlier in candidates:
            for alt in rec.decisions[earlier].alternatives:
                if alt.status is AlternativeStatus.FORBIDDEN or budget <= 0:
                    break  # forbidden choices come last
                if alt.score < 0:
                    continue  # the stated facts argue against it: not a context to take for granted
                budget -= 1
                trial = engine.evaluate(question.scenario, pinned={**pins, earlier: alt.choice})
                t = trial.decisions.get(dim)
                if t is not None and t.choice in offered and backed(trial, dim, t.choice):
                    # the rules' own ranking of the presupposed choice first, then how strongly
                    # the stated facts back the options' choice in that context
                    rank = (alt.score, alt.assumed, t.tallies[t.choice].score)
                    if best is None or rank > best[0]:
                        best = (rank, {earlier: alt.choice})
        if best:
            return best[1]
    return {}


def _applying_choice(rec: Recommendation, parent: str, when: Any) -> str | None:
    """The best-ranked choice of ``parent``, not forbidden, under which ``when`` holds (None: none)."""
    dec = rec.decisions.get(parent)
    if dec is None:
        return None
    ranked = [dec.choice] + [a.choice for a in dec.alternatives if a.status is not AlternativeStatus.FORBIDDEN]
    return next((c for c in ranked if when.holds({**rec.choices, parent: c})), None)


def _supported(rec: Recommendation, dimension: str, choice: str) -> bool:
    """Whether some fired rule prefers or requires ``choice`` (not merely the tie-break's pick)."""
    tally = rec.decisions[dimension].tallies.get(choice)
    return tally is not None and tally.supported


def _rule_backing(rec: Recommendation, dimension: str, choice: str) -> bool:
    """Whether some fired rule that is not a default prefers or requires ``choice``."""
    tally = rec.decisions[dimension].tallies.get(choice)
    return tally is not None and any(not s.rule.default for s in (*tally.required_by, *tally.preferred_by))


def _supporting_context(
    engine: Engine, question: Question, rec: Recommendation, pins: Mapping[str, str], asked: set[str],
    decided: set[str], parent: str, when: Any,
) -> dict[str, str]:
    """An earlier decision to presuppose so that a choice of ``parent`` that makes the asked
    dimension apply is one the rules back, not a tie-break pick.

    A partial scenario's guess can leave every such choice without a rule
    (an image scenario guessed to use the Vision API: options about the
    hardware of an endpoint need a hosted model, but with the API guessed no
    rule speaks for any endpoint, and the first in vocabulary order, batch
    prediction, would be presupposed against a stated 30 ms latency). The
    decisions ``parent`` depends on are tried, each with its other choices
    best-ranked first, and the first one under which ``parent`` has a
    supported applying choice is presupposed. Empty when none is found
    within :data:`UNBLOCK_BUDGET` evaluations.
    """
    upstream = engine.plan.depends_on.get(parent, frozenset())
    candidates = [d for d in engine.vocab.dimensions if d in upstream and d in rec.decisions and d not in pins
                  and d not in asked and d not in decided]

    def backed(trial: Recommendation) -> bool:
        pick = _applying_choice(trial, parent, when)
        return pick is not None and _supported(trial, parent, pick)

    return _first_earlier_choice(engine, question, rec, pins, candidates, backed)


def _first_earlier_choice(
    engine: Engine, question: Question, rec: Recommendation, pins: Mapping[str, str], candidates: list[str],
    accept: Callable[[Recommendation], bool],
) -> dict[str, str]:
    """The one search behind :func:`_supporting_context` and :func:`_unblocking`: each candidate
    decision's other choices, best-ranked first and never a forbidden one, until the scenario
    evaluated with it presupposed is accepted; at most :data:`UNBLOCK_BUDGET` evaluations."""
    budget = UNBLOCK_BUDGET
    for earlier in candidates:
        for alt in rec.decisions[earlier].alternatives:
            if alt.status is AlternativeStatus.FORBIDDEN or budget <= 0:
                break  # forbidden choices come last
            budget -= 1
            if accept(engine.evaluate(question.scenario, pinned={**pins, earlier: alt.choice})):
                return {earlier: alt.choice}
    return {}


def _unblocking(
    engine: Engine, question: Question, rec: Recommendation, pins: Mapping[str, str], asked: set[str], parent: str
) -> dict[str, str]:
    """An earlier decision to presuppose so that ``parent`` may make the asked dimensions apply.

    Every choice of ``parent`` that would make an asked dimension apply is
    forbidden, and the forbidding rules test earlier decisions (an approach
    guessed from a partial scenario: options about endpoint replicas, but
    the guess was a pre-trained API, which no endpoint serves). Each such
    decision's other choices are tried, best-ranked first, and the first one
    under which ``parent`` can take an applying choice is presupposed.
    Empty when none is found within :data:`UNBLOCK_BUDGET` evaluations.
    """
    vocab = engine.vocab
    conditions = [vocab.dimensions[d].applies_when for d in vocab.dimensions
                  if d in asked and vocab.dimensions[d].applies_when.dimension == parent]
    dec = rec.decisions[parent]
    applying = [c for c in vocab.dimensions[parent].choices if any(w.holds({**rec.choices, parent: c}) for w in conditions)]
    upstream = {d for c in applying if (t := dec.tallies.get(c)) for s in t.forbidden_by for d in s.decisions}
    candidates = [d for d in vocab.dimensions if d in upstream and d in rec.decisions and d not in pins and d not in asked]
    return _first_earlier_choice(engine, question, rec, pins, candidates,
                                 lambda trial: any(_applying_choice(trial, parent, w) is not None for w in conditions))


def answer(engine: Engine, question: Question) -> Answer:
    rec = engine.evaluate(question.scenario)
    pins, rec = presupposed(engine, question, rec)
    reviewed = []
    for label, design in question.options.items():
        if not pins:
            reviewed.append((label, review(engine, design, rec)))
            continue
        given = {**{d: c for d, c in pins.items() if d not in design.choices}, **design.choices}
        ordered = {d: given[d] for d in engine.vocab.dimensions if d in given}
        rv = review(engine, replace(design, choices=ordered), rec)
        kept = tuple(f for f in rv.findings if f.dimension in design.choices or f.dimension not in pins)
        reviewed.append((label, replace(rv, design=design, findings=kept)))
    scored = [(label, rv, score(rv)) for label, rv in reviewed]
    keys = sorted({s.key for _, _, s in scored})
    results = tuple(OptionResult(label, rv, s, keys.index(s.key) + 1) for label, rv, s in scored)
    best = tuple(o.label for o in results if o.rank == 1)
    return Answer(question, rec, results, best, pins, tie_break(engine.vocab, question, best) if len(best) > 1 else None)


def tie_break(vocab: Vocabulary, question: Question, tied: tuple[str, ...]) -> str:
    """The option to give when the rules cannot separate ``tied``: the same order the
    resolver breaks a decision's tie with (docs/resolution.md), applied to whole designs.

    Dimensions in vocabulary order; in the first one where the designs differ, the
    choice listed first in the vocabulary (simpler, more managed) wins, and a design
    that leaves the dimension to the rules comes before one that sets it (fewer
    components). Identical designs are the same answer: the first label. Independent
    of the options' order in the file.
    """

    def key(label: str) -> tuple[tuple[int, ...], str]:
        choices = question.options[label].choices
        order = []
        for dim, spec in vocab.dimensions.items():
            choice = choices.get(dim)
            order.append(-1 if choice is None else list(spec.choices).index(choice))
        return tuple(order), label

    return min(tied, key=key)
