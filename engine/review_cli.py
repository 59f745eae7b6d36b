"""The review, answer, explain, why-not, what-if and adr commands (registered in cli.py).

Each returns an exit status (interfaces.md section 6): 0 success, 1 the
command worked and found problems, 2 bad input (raised as InputError).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .adr import STATUSES
from .cliutil import EXIT_FINDINGS, EXIT_OK, Context, pass_ctx, scenario_files
from .errors import InputError, did_you_mean
from .report import dump_json
from .scenario import load_scenario
from .vocabulary import load_vocabulary
from .whynot import DEFAULT_BUDGET, DEFAULT_MAX_CHANGES, DEFAULT_SECONDS

if TYPE_CHECKING:
    from .review import Review

REVIEW_FORMATS = ("text", "json", "markdown", "sarif")
FAIL_ON = ("error", "warning")


@click.command("review")
@click.argument("design_file", metavar="DESIGN", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(REVIEW_FORMATS), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 on findings of this severity or worse (CI gating).")
@pass_ctx
def review_command(ctx: Context, design_file: str, fmt: str, fail_on: str) -> int:
    """Review the design in DESIGN against its scenario's recommendation.

    Errors are hard constraints the design breaks, warnings departures from
    the recommendation (and deprecated or inapplicable choices), info the
    dimensions the design leaves undecided. Exit 1 when there are errors
    (or warnings, with --fail-on warning).
    """
    from .report.review_data import review_dict
    from .review import load_design, review

    design = load_design(design_file)
    rv = review(ctx.engine(), design)
    if fmt == "json":
        text = dump_json(review_dict(rv))
    elif fmt == "sarif":
        from .report.review_sarif import sarif_dict

        text = dump_json(sarif_dict(rv))
    elif fmt == "markdown":
        from .report.review_markdown import render_review_markdown

        text = render_review_markdown(rv, design_mermaid)
    else:
        from .report.review_text import render_review_text

        text = render_review_text(rv)
    click.echo(text, nl=False)
    return rv.exit_status(fail_on)


def design_mermaid(rv: Review) -> str:
    """A Mermaid drawing of a reviewed design, departures marked."""
    from .diagram import build_diagram, to_mermaid

    return to_mermaid(build_diagram(rv.recommendation, rv.design.choices, rv.evaluated))


@click.command("answer")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def answer_command(ctx: Context, paths: tuple[str, ...], fmt: str) -> int:
    """Answer the exam-style question(s) in PATHS (files, or folders of *.yaml).

    Prints the chosen letter first, then why it wins and why each other
    option loses. Exit 1 when an answer is a tie or differs from the file's
    `expect:` key.
    """
    from .answer import answer, load_question
    from .report.answer_text import answer_dict, first_line, render_answer_text

    files = scenario_files(paths)
    engine = ctx.engine()
    answers = [answer(engine, load_question(f)) for f in files]
    failed = [a for a in answers if a.tie or a.correct is False]
    if fmt == "json":
        data = answer_dict(answers[0]) if len(answers) == 1 else [answer_dict(a) for a in answers]
        click.echo(dump_json(data), nl=False)
    elif len(answers) == 1:
        click.echo(render_answer_text(answers[0]), nl=False)
    else:
        for a in answers:
            mark = "" if a.correct is None else ("  ok" if a.correct else f"  WRONG (expected {a.question.expect})")
            click.echo(f"{first_line(a):<10} {a.question.source}{mark}")
        keyed = [a for a in answers if a.correct is not None]
        right = sum(1 for a in keyed if a.correct)
        ties = sum(1 for a in answers if a.tie)
        click.echo(f"{len(answers)} questions; {right} of {len(keyed)} with an answer key answered right; {ties} tie{'s' if ties != 1 else ''}")
    return EXIT_FINDINGS if failed else EXIT_OK


def _dimension(name: str, where: str) -> str:
    vocab = load_vocabulary()
    if name not in vocab.dimensions:
        raise InputError.single(None, where, f"unknown dimension {name!r}", tuple(vocab.dimensions), did_you_mean(name, vocab.dimensions))
    return name


@click.command("explain")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-d", "--dimension", help="Trace only this dimension, with the rules that did not fire.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def explain_command(ctx: Context, file: str, dimension: str | None, fmt: str) -> int:
    """The full trace for the scenario in FILE: rules fired, facts, contributions, resolution."""
    from .explain import trace
    from .report.explain_text import render_trace_text, trace_dict

    if dimension is not None:
        _dimension(dimension, "--dimension")
    scenario = load_scenario(file)
    t = trace(ctx.engine(), scenario, dimension)
    click.echo(dump_json(trace_dict(t)) if fmt == "json" else render_trace_text(t), nl=False)
    return EXIT_OK


@click.command("why-not")
@click.argument("file", type=click.Path(dir_okay=False))
@click.argument("dimension")
@click.argument("choice")
@click.option("--max-changes", type=click.IntRange(1, 3), default=DEFAULT_MAX_CHANGES, show_default=True,
              help="Largest number of facts changed together.")
@click.option("--budget", type=click.IntRange(1, 1_000_000), default=DEFAULT_BUDGET, show_default=True,
              help="Most scenarios evaluated (keeps the answer deterministic).")
@click.option("--max-seconds", type=click.FloatRange(0.1, 3600), default=DEFAULT_SECONDS, show_default=True,
              help="Safety limit on the search time.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def why_not_command(ctx: Context, file: str, dimension: str, choice: str, max_changes: int, budget: int,
                    max_seconds: float, fmt: str) -> int:
    """Why is DIMENSION not CHOICE for the scenario in FILE, and which smallest
    changes of facts would make it the recommendation (searched)."""
    from .report.whynot_text import render_whynot_text, whynot_dict
    from .whynot import why_not

    _dimension(dimension, "DIMENSION")
    choices = load_vocabulary().dimensions[dimension].choices
    if choice not in choices:
        raise InputError.single(None, "CHOICE", f"invalid choice {choice!r} for {dimension}", tuple(choices), did_you_mean(choice, choices))
    scenario = load_scenario(file)
    result = why_not(ctx.engine(), scenario, dimension, choice, max_changes, budget, max_seconds)
    click.echo(dump_json(whynot_dict(result)) if fmt == "json" else render_whynot_text(result), nl=False)
    return EXIT_OK


@click.command("what-if")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--set", "sets", multiple=True, metavar="FACT=VALUE",
              help="Change a fact, e.g. data.size_gb=5000 or team.skills=sql,python ([] = empty set). Repeatable.")
@click.option("--unset", "unsets", multiple=True, metavar="FACT", help="Remove a stated fact (not stated). Repeatable.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def what_if_command(ctx: Context, file: str, sets: tuple[str, ...], unsets: tuple[str, ...], fmt: str) -> int:
    """The recommendation for FILE after changing some facts, and which decisions change and why."""
    from .report.whatif_text import render_whatif_text, whatif_dict
    from .whatif import parse_changes, what_if

    changes = parse_changes(sets, unsets)
    scenario = load_scenario(file)
    result = what_if(ctx.engine(), scenario, changes)
    click.echo(dump_json(whatif_dict(result)) if fmt == "json" else render_whatif_text(result), nl=False)
    return EXIT_OK


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError.single(None, "--date", f"expected a date as YYYY-MM-DD, got {value!r}") from None


@click.command("adr")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Folder to write the records into (created if needed).")
@click.option("--status", type=click.Choice(STATUSES), default="proposed", show_default=True)
@click.option("--date", help="Date written into each record (YYYY-MM-DD); none by default, so output is reproducible.")
@click.option("--force", is_flag=True, help="Overwrite records that differ from what would be written.")
@pass_ctx
def adr_command(ctx: Context, file: str, out_dir: str, status: str, date: str | None, force: bool) -> int:
    """Write one MADR Architecture Decision Record per decision for FILE into DIR."""
    from .adr import records, write

    when = _date(date)
    scenario = load_scenario(file)
    rec = ctx.engine().evaluate(scenario)
    written = write(records(load_vocabulary(), rec, when, status), out_dir, force)
    click.echo(f"wrote {len(written)} files to {Path(out_dir)} ({len(written) - 1} decisions and index.md)")
    return EXIT_OK


COMMANDS = [review_command, answer_command, explain_command, why_not_command, what_if_command, adr_command]
