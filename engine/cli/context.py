"""Plumbing shared by every `mlarch` command (cli.py and feature modules).

Feature modules define click commands that take the :class:`Context` via
``@pass_ctx`` and return an exit status; cli.py registers them. Exit
statuses follow interfaces.md section 6.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import click

from mlarch.core import bundled
from mlarch.core.cache import cached_rulebook
from mlarch.core.engine import Engine, bundled_rulebook
from mlarch.core.errors import EngineError, InputError, RuleBaseLimitError, did_you_mean
from mlarch.core.lifecycle import AS_OF_ENV, parse_date
from mlarch.core.rulebook import RuleBook, load_rulebook
from mlarch.core.textfmt import printable
from mlarch.core.yamlio import yaml_files

if TYPE_CHECKING:
    from mlarch.core.judge import Review
    from mlarch.core.vocabulary import Vocabulary

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Context:
    """Per-invocation settings: which rules to use, and the engine built from them."""

    def __init__(self, rule_paths: Sequence[str]) -> None:
        self.rule_paths = tuple(rule_paths)
        self._rulebook: RuleBook | None = None
        self._engine: Engine | None = None
        self._vocab: Vocabulary | None = None
        self.as_of: date | None = None  # --as-of: the run date deprecations are judged against

    def vocab(self) -> Vocabulary:
        """The vocabulary of this run: the one place commands get it from (they pass it on)."""
        if self._vocab is None:
            from mlarch.core.vocabulary import load_vocabulary

            self._vocab = load_vocabulary()
        return self._vocab

    def rulebook(self) -> RuleBook:
        if self._rulebook is None:
            if self.rule_paths:
                paths, vocab = self.rule_paths, self.vocab()
                self._rulebook = cached_rulebook(paths, lambda: load_rulebook(paths, vocab))
            else:
                self._rulebook = bundled_rulebook()
        return self._rulebook

    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = Engine(self.rulebook(), self.vocab(), cache=True)
            except RuleBaseLimitError as exc:
                raise InputError.single(None, "", f"rule base rejected: {exc}") from None
        self._engine.as_of = self.as_of
        return self._engine

    @staticmethod
    def design_mermaid(rv: Review) -> str:
        """A Mermaid drawing of a reviewed design, departures marked.

        The review report embeds a diagram, but features do not import each
        other: the application wires the diagram feature in here.
        """
        from mlarch.diagram import build_diagram, to_mermaid

        return to_mermaid(build_diagram(rv.recommendation, rv.design.choices, rv.evaluated, judged=rv.flagged))


pass_ctx = click.make_pass_decorator(Context)


def _set_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    try:
        day = parse_date(value, "--as-of")
    except EngineError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}", ctx, param) from None
    obj = ctx.find_object(Context)
    if obj is not None:
        obj.as_of = day


def as_of_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--as-of DATE``: judge deprecations and end dates against DATE instead of today (docs/output.md)."""
    return click.option(
        "--as-of", metavar="DATE", expose_value=False, is_eager=True, callback=_set_as_of,
        help=f"Judge deprecations and end dates as of this date, YYYY-MM-DD (default: ${AS_OF_ENV} or today).",
    )(command)
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


class InputFile(click.ParamType):
    """A YAML input: a path, ``-`` for standard input, or a bundled example's name.

    ``kinds`` are the bundled examples the command reads (see
    core/bundled.py); the shell completes their names as well as files.
    """

    name = "file"

    def __init__(self, kinds: Sequence[str] = ("scenarios",), folders: bool = False) -> None:
        self.kinds = tuple(kinds)
        self.folders = folders

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if not self.folders and text != "-" and Path(text).is_dir():
            self.fail(f"{text!r} is a folder; give a YAML file", param, ctx)
        resolved = bundled.resolve(text, self.kinds)
        if resolved == text and text != "-" and not Path(text).exists():
            close = did_you_mean(text, bundled.catalog(self.kinds))
            if close:
                self.fail(f"no such file or bundled example {text!r} (did you mean {close!r}? `mlarch examples` lists them)", param, ctx)
        return resolved

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
        from click.shell_completion import CompletionItem

        names = [CompletionItem(n, help=e.kind) for n, e in bundled.catalog(self.kinds).items() if n.startswith(incomplete)]
        return names + [CompletionItem(incomplete, type="dir" if self.folders else "file")]


SCENARIO = InputFile(("scenarios",))


# Shell completion (click's shell_complete callbacks): vocabulary names, read
# from the vocabulary so they never drift from what the commands accept.

def _items(names: Sequence[str], incomplete: str, helps: dict[str, str] | None = None) -> list:
    from click.shell_completion import CompletionItem

    helps = helps or {}
    return [CompletionItem(n, help=helps.get(n)) for n in names if n.startswith(incomplete)]


def complete_dimension(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Dimension names."""
    from mlarch.core.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    return _items(list(vocab.dimensions), incomplete, {d: s.stage for d, s in vocab.dimensions.items()})


def complete_choice(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Choice names of the dimension given earlier on the line (all choices when there is none)."""
    from mlarch.core.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    dimension = ctx.params.get("dimension")
    specs = [vocab.dimensions[dimension]] if dimension in vocab.dimensions else list(vocab.dimensions.values())
    return _items(sorted({c for spec in specs for c in spec.choices}), incomplete)


def complete_fact(ctx: click.Context, param: click.Parameter, incomplete: str) -> list:
    """Fact ids, and after ``FACT=`` the fact's values (for ``what-if --set``)."""
    from mlarch.core.vocabulary import load_vocabulary

    facts = {s.id: s for s in load_vocabulary().facts.values() if s.group is not None}
    if "=" in incomplete and param.name != "prefix":
        fact, _, value = incomplete.partition("=")
        spec = facts.get(fact)
        if spec is None:
            return []
        values = list(spec.values) or (["true", "false"] if spec.type == "bool" else [])
        return _items([f"{fact}={v}" for v in values], incomplete)
    groups = sorted({s.group for s in facts.values() if s.group})
    return _items(groups if "." not in incomplete and param.name == "prefix" else list(facts), incomplete)


def scenario_files(paths: Sequence[str], kinds: Sequence[str] = ("scenarios",)) -> list[str]:
    """Expand folders into their *.yaml files (sorted); keep files and ``-`` as given; names become bundled files."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if p != "-" and path.is_dir():
            found = [str(f) for f in yaml_files(path)]
            if not found:
                raise InputError.single(p, "", "no *.yaml files in this folder")
            out += found
        else:
            out.append(bundled.resolve(p, kinds))
    if out.count("-") > 1:
        raise InputError.single("-", "", "standard input can be read only once")
    return out
