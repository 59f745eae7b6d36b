"""The `mlarch explain`, `why-not` and `what-if` commands (registered in cli/app.py).

Returns an exit status (interfaces.md section 6): 0 success, 1 the
command worked and found problems, 2 bad input (raised as InputError).
"""

from __future__ import annotations

import click

from mlarch.cli.context import (
    EXIT_OK,
    SCENARIO,
    Context,
    FiniteFloatRange,
    as_of_option,
    complete_choice,
    complete_dimension,
    complete_fact,
    echo,
    pass_ctx,
)
from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.scenario import load_scenario
from mlarch.core.serialize import dump_json
from mlarch.core.vocabulary import Vocabulary
from mlarch.explain.whynot import DEFAULT_BUDGET, DEFAULT_MAX_CHANGES, DEFAULT_SECONDS


def _dimension(vocab: Vocabulary, name: str, where: str) -> str:
    if name not in vocab.dimensions:
        raise InputError.single(None, where, f"unknown dimension {name!r}", tuple(vocab.dimensions), did_you_mean(name, vocab.dimensions))
    return name


@click.command("explain")
@click.argument("file", type=SCENARIO)
@click.option("-d", "--dimension", shell_complete=complete_dimension, help="Trace only this dimension, with the rules that did not fire.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option
@pass_ctx
def explain_command(ctx: Context, file: str, dimension: str | None, fmt: str) -> int:
    """The full trace for the scenario in FILE: rules fired, facts, contributions, resolution."""
    from mlarch.explain.trace import trace
    from mlarch.explain.trace_text import render_trace_text, trace_dict

    if dimension is not None:
        _dimension(ctx.vocab(), dimension, "--dimension")
    scenario = load_scenario(file, vocab=ctx.vocab())
    t = trace(ctx.engine(), scenario, dimension)
    echo(dump_json(trace_dict(t)) if fmt == "json" else render_trace_text(t), nl=False)
    return EXIT_OK


@click.command("why-not")
@click.argument("file", type=SCENARIO)
@click.argument("dimension", shell_complete=complete_dimension)
@click.argument("choice", shell_complete=complete_choice)
@click.option("--max-changes", type=click.IntRange(1, 3), default=DEFAULT_MAX_CHANGES, show_default=True,
              help="Largest number of facts changed together.")
@click.option("--budget", type=click.IntRange(1, 1_000_000), default=DEFAULT_BUDGET, show_default=True,
              help="Most scenarios evaluated (keeps the answer deterministic).")
@click.option("--max-seconds", type=FiniteFloatRange(0.1, 3600), default=DEFAULT_SECONDS, show_default=True,
              help="Safety limit on the search time.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option
@pass_ctx
def why_not_command(ctx: Context, file: str, dimension: str, choice: str, max_changes: int, budget: int,
                    max_seconds: float, fmt: str) -> int:
    """Why is DIMENSION not CHOICE for the scenario in FILE, and which smallest
    changes of facts would make it the recommendation (searched)."""
    from mlarch.explain.whynot import why_not
    from mlarch.explain.whynot_text import render_whynot_text, whynot_dict

    _dimension(ctx.vocab(), dimension, "DIMENSION")
    choices = ctx.vocab().dimensions[dimension].choices
    if choice not in choices:
        raise InputError.single(None, "CHOICE", f"invalid choice {choice!r} for {dimension}", tuple(choices), did_you_mean(choice, choices))
    scenario = load_scenario(file, vocab=ctx.vocab())
    result = why_not(ctx.engine(), scenario, dimension, choice, max_changes, budget, max_seconds)
    echo(dump_json(whynot_dict(result)) if fmt == "json" else render_whynot_text(result), nl=False)
    return EXIT_OK


@click.command("what-if")
@click.argument("file", type=SCENARIO)
@click.option("--set", "sets", multiple=True, metavar="FACT=VALUE", shell_complete=complete_fact,
              help="Change a fact, e.g. data.size_gb=5000 or team.skills=sql,python ([] = empty set). Repeatable.")
@click.option("--unset", "unsets", multiple=True, metavar="FACT", shell_complete=complete_fact, help="Remove a stated fact (not stated). Repeatable.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@as_of_option
@pass_ctx
def what_if_command(ctx: Context, file: str, sets: tuple[str, ...], unsets: tuple[str, ...], fmt: str) -> int:
    """The recommendation for FILE after changing some facts, and which decisions change and why."""
    from mlarch.explain.whatif import parse_changes, what_if
    from mlarch.explain.whatif_text import render_whatif_text, whatif_dict

    changes = parse_changes(ctx.vocab(), sets, unsets)
    scenario = load_scenario(file, vocab=ctx.vocab())
    result = what_if(ctx.engine(), scenario, changes)
    echo(dump_json(whatif_dict(result)) if fmt == "json" else render_whatif_text(result), nl=False)
    return EXIT_OK
