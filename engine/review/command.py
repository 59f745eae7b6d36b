"""The `mlarch review` command (registered in cli/app.py).

Returns an exit status (interfaces.md section 6): 0 success, 1 the
command worked and found problems, 2 bad input (raised as InputError).
"""

from __future__ import annotations

import click

from mlarch.cli.context import Context, echo, pass_ctx
from mlarch.core.serialize import dump_json

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
    from mlarch.core.designs import load_design
    from mlarch.core.judge import review
    from mlarch.review.data import review_dict

    design = load_design(design_file)
    rv = review(ctx.engine(), design)
    if fmt == "json":
        text = dump_json(review_dict(rv))
    elif fmt == "sarif":
        from mlarch.review.sarif import sarif_dict

        text = dump_json(sarif_dict(rv))
    elif fmt == "markdown":
        from mlarch.review.markdown import render_review_markdown

        text = render_review_markdown(rv, ctx.design_mermaid)
    else:
        from mlarch.review.text import render_review_text

        text = render_review_text(rv)
    echo(text, nl=False)
    return rv.exit_status(fail_on)
