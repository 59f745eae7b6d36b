"""mlarch's Python API: the command line's answers as objects (docs/api.md).

A small, stable surface for notebooks and other tools, re-exported by
``mlarch/__init__.py`` (lazily, so ``import mlarch`` stays cheap):

* :func:`evaluate` (``mlarch recommend``), :func:`review_design`,
  :func:`answer_question` and :func:`draw` take a file path, a bundled
  example's name (``mlarch examples``) or a mapping with the same content
  as the file; :func:`evaluate` also takes a :class:`Scenario`. (They are
  not called ``recommend``, ``review``, ``answer``, ``diagram``: those are
  the feature packages ``mlarch.recommend``, ... and would shadow them.)
* the results are the objects the JSON documents describe
  (:class:`Recommendation`, :class:`Review`, :class:`Answer`);
  :func:`as_dict` gives the JSON document itself and :func:`render` any of
  the command line's formats, byte for byte;
* :func:`sensitivity` gives how firm each decision of a result is and
  which facts would change it; pass it to :func:`render` or
  :func:`as_dict` to get the command line's default output (without it,
  the output of ``--no-sensitivity``);
* bad input raises :class:`InputError` with the command line's message;
  the engine's own failures are :class:`EngineError`.

Like the command line (cli/app.py), this module is the application: it
wires the feature packages together, which features may not do themselves.
An :class:`Engine` compiles the rules once and is reused across calls; the
module-level functions share one, built on first use.
"""

from __future__ import annotations

import os
import threading
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

from mlarch.core import bundled, yamlio
from mlarch.core.durable import DurableUnavailable
from mlarch.core.errors import EngineError, InputError, RuleBaseLimitError
from mlarch.core.scenario import Scenario

if TYPE_CHECKING:
    from mlarch.answer.model import Answer
    from mlarch.core.engine import Engine as CoreEngine
    from mlarch.core.engine import Recommendation
    from mlarch.core.judge import Review
    from mlarch.core.vocabulary import Vocabulary

Source = Union[str, "os.PathLike[str]", Mapping[str, Any]]

RECOMMENDATION_FORMATS = ("text", "json", "yaml", "markdown")
REVIEW_FORMATS = ("text", "json", "markdown", "sarif")
ANSWER_FORMATS = ("text", "json")

__all__ = [
    "ANSWER_FORMATS", "DurableUnavailable", "Engine", "EngineError", "InputError", "RECOMMENDATION_FORMATS",
    "REVIEW_FORMATS", "Scenario", "Source", "answer_question", "as_dict", "default_engine", "draw", "evaluate",
    "load_scenario", "render", "review_design", "sensitivity",
]


def _document(source: Source, kinds: Sequence[str]) -> yamlio.Document:
    """A mapping, a path or a bundled example's name, parsed as the command line would."""
    if isinstance(source, Mapping):
        return yamlio.from_data(dict(source))
    if isinstance(source, (str, os.PathLike)):
        return yamlio.load(bundled.resolve(os.fspath(source), kinds))
    raise TypeError(f"expected a path, a bundled example's name or a mapping, got {type(source).__name__}")


def load_scenario(scenario: Source | Scenario) -> Scenario:
    """A validated :class:`Scenario` from a path, a bundled name or a mapping."""
    from mlarch.core.vocabulary import load_vocabulary

    return _scenario(scenario, load_vocabulary())


def _scenario(scenario: Source | Scenario, vocab: Vocabulary) -> Scenario:
    from mlarch.core.scenario import load_scenario as load

    return scenario if isinstance(scenario, Scenario) else load(_document(scenario, ("scenarios",)), vocab=vocab)


class Engine:
    """The rules, compiled once, for any number of calls (memory stays flat).

    ``rules``: rule files or folders to use instead of the bundled rules (as
    ``mlarch --rules``). Close it (or use ``with``) to free the compiled
    rules at once rather than at garbage collection.
    """

    def __init__(
        self,
        rules: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
        *,
        as_of: date | str | None = None,
    ) -> None:
        from mlarch.core.engine import Engine as CoreEngine
        from mlarch.core.engine import bundled_rulebook
        from mlarch.core.rulebook import load_rulebook
        from mlarch.core.vocabulary import load_vocabulary

        vocab = load_vocabulary()
        if rules is None:
            rulebook = bundled_rulebook()
        else:
            paths = [rules] if isinstance(rules, (str, os.PathLike)) else list(rules)
            rulebook = load_rulebook([os.fspath(p) for p in paths], vocab)
        try:
            self.core: CoreEngine = CoreEngine(rulebook, vocab, cache=True)
        except RuleBaseLimitError as exc:
            raise InputError.single(None, "", f"rule base rejected: {exc}") from None
        self.as_of = as_of

    @property
    def as_of(self) -> date | None:
        """The run date deprecations and end dates are judged against (``--as-of``);
        None: ``$MLARCH_AS_OF`` or today. Decisions never depend on it."""
        return self.core.as_of

    @as_of.setter
    def as_of(self, value: date | str | None) -> None:
        from mlarch.core.lifecycle import parse_date

        if value is not None:
            if isinstance(value, datetime) or not isinstance(value, (str, date)):
                raise InputError.single(None, "as_of", f"expected a date or 'YYYY-MM-DD', got {type(value).__name__}")
            try:
                value = parse_date(value, "as_of")
            except EngineError as exc:
                raise InputError.single(None, "as_of", str(exc).removeprefix("as_of: ")) from None
        self.core.as_of = value

    def evaluate(self, scenario: Source | Scenario) -> Recommendation:
        """One choice per applicable decision, with reasons (``mlarch recommend``)."""
        return self.core.evaluate(_scenario(scenario, self.core.vocab))

    def review_design(self, design: Source) -> Review:
        """A design checked against its scenario's recommendation (``mlarch review``)."""
        from mlarch.core.designs import load_design
        from mlarch.core.judge import review

        return review(self.core, load_design(_document(design, ("designs",)), self.core.vocab))

    def answer_question(self, question: Source) -> Answer:
        """An exam-style question answered, with why each option wins or loses (``mlarch answer``)."""
        from mlarch.answer.model import answer, load_question

        return answer(self.core, load_question(_document(question, ("questions",)), self.core.vocab))

    def sensitivity(self, result: Recommendation | Review) -> Any:
        """How firm each decision is and which facts would change it (the
        command line's default sensitivity section). For a recommendation an
        ``analysis.sensitivity.Sensitivity``; for a review, per dimension the
        design sets, a ``review.sensitivity.DesignSensitivity``. Pass it to
        :func:`render` or :func:`as_dict` as ``sensitivity=``."""
        kind = _kind(result)
        if kind == "recommendation":
            from mlarch.analysis.sensitivity import analyse

            return analyse(self.core, result)  # type: ignore[arg-type]
        if kind == "review":
            from mlarch.review.sensitivity import design_sensitivity

            return design_sensitivity(self.core, result)  # type: ignore[arg-type]
        raise TypeError("sensitivity is computed for recommendations and reviews, not answers")

    def draw(self, source: Source, fmt: str = "mermaid", *, direction: str = "LR", legend: bool = True) -> str | bytes:
        """A scenario's recommended architecture, or a design marked against it (``mlarch diagram``).

        Text formats (dot, mermaid, drawio) return ``str``; images (svg, png,
        pdf, which need Graphviz) return ``bytes``.
        """
        from mlarch.diagram.design import load_drawable
        from mlarch.diagram.dot import Options
        from mlarch.diagram.model import build_diagram
        from mlarch.diagram.render import FORMATS, TEXT_FORMATS
        from mlarch.diagram.render import render as draw

        if fmt not in FORMATS:
            raise InputError.single(None, "format", f"unknown diagram format {fmt!r}", FORMATS)
        drawable = load_drawable(_document(source, ("scenarios", "designs")), self.core.vocab)
        rec = self.core.evaluate(drawable.scenario)
        if drawable.is_design:
            picture = build_diagram(rec, drawable.design, self.core.evaluate(drawable.scenario, pinned=drawable.design))
        else:
            picture = build_diagram(rec)
        data = draw(picture, fmt, Options(direction=direction, legend=legend))
        return data.decode("utf-8") if fmt in TEXT_FORMATS else data

    def close(self) -> None:
        self.core.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default: Engine | None = None
_default_lock = threading.Lock()


def default_engine() -> Engine:
    """The engine on the bundled rules that the module-level functions share."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Engine()
        return _default


def evaluate(scenario: Source | Scenario) -> Recommendation:
    """``default_engine().evaluate(scenario)``: the recommendation for a scenario."""
    return default_engine().evaluate(scenario)


def review_design(design: Source) -> Review:
    """``default_engine().review_design(design)``."""
    return default_engine().review_design(design)


def answer_question(question: Source) -> Answer:
    """``default_engine().answer_question(question)``."""
    return default_engine().answer_question(question)


def draw(source: Source, fmt: str = "mermaid", *, direction: str = "LR", legend: bool = True) -> str | bytes:
    """``default_engine().draw(...)``: the architecture diagram of a scenario or design."""
    return default_engine().draw(source, fmt, direction=direction, legend=legend)


def sensitivity(result: Recommendation | Review) -> Any:
    """``default_engine().sensitivity(result)``: how firm each decision is, for :func:`render` and :func:`as_dict`."""
    return default_engine().sensitivity(result)


def _kind(result: object) -> str:
    from mlarch.answer.model import Answer
    from mlarch.core.engine import Recommendation
    from mlarch.core.judge import Review

    for cls, kind in ((Recommendation, "recommendation"), (Review, "review"), (Answer, "answer")):
        if isinstance(result, cls):
            return kind
    raise TypeError(f"expected a Recommendation, Review or Answer, got {type(result).__name__}")


def _check_sensitivity_kind(kind: str, sensitivity: Any) -> None:
    """Answers have no sensitivity: passing one is a mistake, not something to ignore."""
    if sensitivity is not None and kind == "answer":
        raise TypeError("answers have no sensitivity; pass sensitivity= only with a recommendation or a review")


def as_dict(result: Recommendation | Review | Answer, *, sensitivity: Any = None) -> dict[str, Any]:
    """The JSON document of a result (docs/output.md, docs/review.md, docs/answer.md);
    with ``sensitivity`` (from :func:`sensitivity`), its confidence and sensitivity fields."""
    kind = _kind(result)
    _check_sensitivity_kind(kind, sensitivity)
    if kind == "recommendation":
        from mlarch.core.serialize import to_dict
        from mlarch.recommend.render import sensitivity_fields

        return to_dict(result, sensitivity_fields(sensitivity))  # type: ignore[arg-type]
    if kind == "review":
        from mlarch.review.data import review_dict

        return review_dict(result, sensitivity)  # type: ignore[arg-type]
    from mlarch.answer.text import answer_dict

    return answer_dict(result)  # type: ignore[arg-type]


def render(result: Recommendation | Review | Answer, fmt: str = "text", *, sensitivity: Any = None) -> str:
    """A result in one of the command line's formats, byte-identical to its output:
    with ``sensitivity`` (from :func:`sensitivity`) to the default output, without
    it to the output of ``--no-sensitivity``."""
    from mlarch.core.serialize import dump_json

    kind = _kind(result)
    _check_sensitivity_kind(kind, sensitivity)
    formats = {"recommendation": RECOMMENDATION_FORMATS, "review": REVIEW_FORMATS, "answer": ANSWER_FORMATS}[kind]
    if fmt not in formats:
        raise InputError.single(None, "format", f"unknown format {fmt!r} for a {kind}", formats)
    if kind == "recommendation":
        from mlarch.recommend.render import render as render_recommendation

        return render_recommendation(result, fmt, sensitivity)  # type: ignore[arg-type]
    if kind == "answer":
        from mlarch.answer.text import render_answer_text

        return dump_json(as_dict(result)) if fmt == "json" else render_answer_text(result)  # type: ignore[arg-type]
    if fmt == "json":
        return dump_json(as_dict(result, sensitivity=sensitivity))
    if fmt == "sarif":
        from mlarch.review.sarif import sarif_log

        return dump_json(sarif_log([result], None if sensitivity is None else [sensitivity]))  # type: ignore[list-item]
    if fmt == "markdown":
        from mlarch.cli.context import Context
        from mlarch.review.markdown import render_review_markdown

        return render_review_markdown(result, Context.design_mermaid, sensitivity)  # type: ignore[arg-type]
    from mlarch.review.text import render_review_text

    return render_review_text(result, sensitivity)  # type: ignore[arg-type]
