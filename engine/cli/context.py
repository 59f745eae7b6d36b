"""Plumbing shared by every `mlarch` command (cli.py and feature modules).

Feature modules define click commands that take the :class:`Context` via
``@pass_ctx`` and return an exit status; cli.py registers them. Exit
statuses follow interfaces.md section 6.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import click

from mlarch.core.cache import cached_rulebook
from mlarch.core.engine import Engine, bundled_rulebook
from mlarch.core.errors import InputError, RuleBaseLimitError
from mlarch.core.rulebook import RuleBook, load_rulebook
from mlarch.core.textfmt import printable
from mlarch.core.yamlio import yaml_files

if TYPE_CHECKING:
    from mlarch.core.judge import Review

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Context:
    """Per-invocation settings: which rules to use, and the engine built from them."""

    def __init__(self, rule_paths: Sequence[str]) -> None:
        self.rule_paths = tuple(rule_paths)
        self._rulebook: RuleBook | None = None
        self._engine: Engine | None = None

    def rulebook(self) -> RuleBook:
        if self._rulebook is None:
            if self.rule_paths:
                paths = self.rule_paths
                self._rulebook = cached_rulebook(paths, lambda: load_rulebook(paths))
            else:
                self._rulebook = bundled_rulebook()
        return self._rulebook

    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = Engine(self.rulebook(), cache=True)
            except RuleBaseLimitError as exc:
                raise InputError.single(None, "", f"rule base rejected: {exc}") from None
        return self._engine

    @staticmethod
    def design_mermaid(rv: Review) -> str:
        """A Mermaid drawing of a reviewed design, departures marked.

        The review report embeds a diagram, but features do not import each
        other: the application wires the diagram feature in here.
        """
        from mlarch.diagram import build_diagram, to_mermaid

        return to_mermaid(build_diagram(rv.recommendation, rv.design.choices, rv.evaluated))


pass_ctx = click.make_pass_decorator(Context)


def echo(text: str, nl: bool = True, err: bool = False) -> None:
    """Print a report or message: every command's output goes through here, so no
    control character from an input file reaches the terminal raw (textfmt.printable)."""
    click.echo(printable(text), nl=nl, err=err)


class FiniteFloatRange(click.FloatRange):
    """A float option in a range that also refuses nan and infinities.

    click's FloatRange compares with < and >, which are false for nan, so
    ``--max-seconds nan`` would pass and disable the limit it sets.
    """

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(number, param, ctx)  # type: ignore[no-any-return]


class Reported(Exception):
    """Problems already formatted for the user (exit 2)."""


def scenario_files(paths: Sequence[str]) -> list[str]:
    """Expand folders into their *.yaml files (sorted); keep files as given."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = [str(f) for f in yaml_files(path)]
            if not found:
                raise InputError.single(p, "", "no *.yaml files in this folder")
            out += found
        else:
            out.append(p)
    return out
