"""mlarch: a decision-support rules engine for ML architecture on Google Cloud.

Data flows one way: load (yamlio, scenario, rulebook) -> plan -> match
(matcher, on durable-rules) -> resolve (resolver) -> render (report/).

The Python API (docs/api.md) is defined in mlarch/api.py and re-exported
here on first use, so ``import mlarch`` (which the command line does too)
loads nothing else::

    import mlarch
    rec = mlarch.evaluate("churn-bigquery-sql-team")
    rec.choices["approach"]           # 'bigquery_ml'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ANSWER_FORMATS", "DurableUnavailable", "Engine", "EngineError", "InputError", "RECOMMENDATION_FORMATS",
    "REVIEW_FORMATS", "Scenario", "Source", "answer_question", "as_dict", "default_engine", "draw", "evaluate",
    "load_scenario", "render", "review_design", "sensitivity",
]
_API = frozenset(__all__[1:])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs
    from mlarch.api import (
        ANSWER_FORMATS,
        RECOMMENDATION_FORMATS,
        REVIEW_FORMATS,
        DurableUnavailable,
        Engine,
        EngineError,
        InputError,
        Scenario,
        Source,
        answer_question,
        as_dict,
        default_engine,
        draw,
        evaluate,
        load_scenario,
        render,
        review_design,
        sensitivity,
    )


def __getattr__(name: str) -> Any:
    if name in _API:
        from mlarch import api

        return getattr(api, name)
    raise AttributeError(f"module 'mlarch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
