"""`mlarch diagram`: the recommended architecture (or a proposed design) as
DOT, SVG, PNG, PDF, Mermaid or an editable draw.io file.

Every option is checked against an explicit list, and no option is accepted
that the chosen format would ignore: the format comes from ``--format`` or
from OUT's extension, and when both are given they must agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mlarch.cli.context import EXIT_OK, Context, InputFile, Reported, as_of_option, echo, pass_ctx
from mlarch.core.errors import InputError
from mlarch.core.output import write_file
from mlarch.diagram.design import load_drawable
from mlarch.diagram.dot import DIRECTIONS, Options
from mlarch.diagram.model import build_diagram
from mlarch.diagram.render import BINARY_FORMATS, EXTENSIONS, FORMATS, GraphvizMissing, format_for, render


def _choose_format(fmt: str | None, output: str | None) -> str:
    if output is None or output == "-":
        return fmt or "dot"
    implied = format_for(output)
    suffix = Path(output).suffix
    if fmt is None:
        if implied is None:
            known = sorted(EXTENSIONS)
            raise InputError.single(None, "--output", f"cannot tell the format from {suffix or 'a name without an extension'!r}: "
                                    f"give --format ({', '.join(FORMATS)}) or use a known extension", known)
        return implied
    if implied is not None and implied != fmt:
        raise InputError.single(None, "--format", f"--format {fmt} does not match the extension {suffix!r} of {output} "
                                f"(which means {implied}); change one of them")
    return fmt


@click.command("diagram")
@click.argument("file", type=InputFile(("scenarios", "designs")))
@click.option("-o", "--output", metavar="OUT", help="File to write; its extension picks the format "
              "(.dot .gv .svg .png .pdf .mmd .mermaid .drawio, or .md for a fenced Mermaid block). '-' or none: stdout.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), help="Output format (default: from OUT's extension, else dot).")
@click.option("--direction", type=click.Choice(DIRECTIONS), default="LR", show_default=True,
              help="Lifecycle left to right (slides, landscape) or top to bottom (portrait pages).")
@click.option("--legend/--no-legend", default=True, show_default=True, help="Draw the legend of colours, shapes and lines.")
@as_of_option
@pass_ctx
def diagram(ctx: Context, file: str, output: str | None, fmt: str | None, direction: str, legend: bool) -> int:
    """Draw the recommended architecture for the scenario in FILE.

    FILE may also be a design file (scenario or scenario_file, and design:
    dimension: choice); then the design is drawn, with every component where
    it departs from the recommendation marked.
    """
    if output not in (None, "-") and Path(output).is_dir():
        raise InputError.single(output, "", "is a directory; give a file name for --output")
    fmt = _choose_format(fmt, output)
    to_stdout = output is None or output == "-"
    if to_stdout and fmt in BINARY_FORMATS and sys.stdout.isatty():
        raise InputError.single(None, "--output", f"{fmt} is binary: write it to a file with -o OUT.{fmt}")
    drawable = load_drawable(file, ctx.vocab())
    engine = ctx.engine()
    rec = engine.evaluate(drawable.scenario)
    if drawable.is_design:
        completed = engine.evaluate(drawable.scenario, pinned=drawable.design)
        picture = build_diagram(rec, drawable.design, completed)
    else:
        picture = build_diagram(rec)
    markdown = output is not None and Path(output).suffix.lower() == ".md"
    try:
        data = render(picture, fmt, Options(direction=direction, legend=legend), markdown=markdown)
    except GraphvizMissing as exc:
        raise Reported(str(exc)) from None
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        assert output is not None
        write_file(output, data)
        echo(f"wrote {output} ({fmt}, {len(data):,} bytes)", err=True)
    return EXIT_OK
