"""The `mlarch review` command (registered in cli/app.py).

Returns an exit status (interfaces.md section 6): 0 success, 1 the
command worked and found problems, 2 bad input (raised as InputError).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from mlarch.cli.context import Context, InputFile, Reported, as_of_option, echo, pass_ctx, scenario_files
from mlarch.core.errors import InputError
from mlarch.core.serialize import dump_json, dump_json_line

if TYPE_CHECKING:
    from mlarch.core.judge import Review

REVIEW_FORMATS = ("text", "json", "markdown", "sarif")
FAIL_ON = ("error", "warning")


@click.command("review")
@click.argument("design_files", nargs=-1, required=True, metavar="DESIGN...", type=InputFile(("designs",), folders=True))
@click.option("-f", "--format", "fmt", type=click.Choice(REVIEW_FORMATS), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 on findings of this severity or worse (CI gating).")
@click.option("--sensitivity/--no-sensitivity", default=True, show_default=True,
              help="How firm the recommendation is on each dimension the design sets, and what would change it "
                   "(on by default; --no-sensitivity skips that analysis, about 0.15 s per design: docs/review.md).")
@as_of_option
@pass_ctx
def review_command(ctx: Context, design_files: tuple[str, ...], fmt: str, fail_on: str, sensitivity: bool) -> int:
    """Review the design in each DESIGN against its scenario's recommendation.

    Errors are hard constraints the design breaks, warnings departures from
    the recommendation (and deprecated or inapplicable choices), info the
    dimensions the design leaves undecided. Exit 1 when there are errors
    (or warnings, with --fail-on warning). Several designs (files, folders,
    bundled names): text and markdown one after another, json as JSON
    Lines, sarif as one log with every file.
    """
    from mlarch.core.designs import load_design
    from mlarch.core.judge import review

    files = scenario_files(design_files, ("designs",))
    engine = ctx.engine()
    reviews, problems = [], []
    for file in files:
        try:
            reviews.append(review(engine, load_design(file, engine.vocab)))
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise Reported("\n".join(problems))
    sens: list[Any] = [None] * len(reviews)
    if sensitivity:  # imported here: --no-sensitivity keeps it off the start-up path, like recommend's
        from mlarch.review.sensitivity import design_sensitivity

        sens = [design_sensitivity(engine, rv) for rv in reviews]
    if fmt == "sarif":
        from mlarch.review.sarif import sarif_log

        echo(dump_json(sarif_log(reviews, sens if sensitivity else None)), nl=False)
    elif fmt == "json" and len(reviews) > 1:
        from mlarch.review.data import review_dict

        for rv, found in zip(reviews, sens):
            echo(dump_json_line(review_dict(rv, found)))
    else:
        for index, (rv, found) in enumerate(zip(reviews, sens)):
            echo(("\n" if index else "") + _render(ctx, rv, fmt, found), nl=False)
    return max(rv.exit_status(fail_on) for rv in reviews)


def _render(ctx: Context, rv: Review, fmt: str, sens: Any = None) -> str:
    if fmt == "json":
        from mlarch.review.data import review_dict

        return dump_json(review_dict(rv, sens))
    if fmt == "markdown":
        from mlarch.review.markdown import render_review_markdown

        return render_review_markdown(rv, ctx.design_mermaid, sens)
    from mlarch.review.text import render_review_text

    return render_review_text(rv, sens)
