"""The `mlarch adr` command (registered in cli/app.py).

Returns an exit status (interfaces.md section 6): 0 success, 1 the
command worked and found problems, 2 bad input (raised as InputError).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from mlarch.adr.model import STATUSES
from mlarch.cli.context import EXIT_OK, SCENARIO, Context, as_of_option, echo, pass_ctx
from mlarch.core.errors import InputError
from mlarch.core.scenario import load_scenario


def _date(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError.single(None, "--date", f"expected a date as YYYY-MM-DD, got {value!r}") from None


@click.command("adr")
@click.argument("file", type=SCENARIO)
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False), metavar="DIR",
              help="Folder to write the records into (created if needed).")
@click.option("--status", type=click.Choice(STATUSES), default="proposed", show_default=True)
@click.option("--date", help="Date written into each record (YYYY-MM-DD); none by default, so output is reproducible.")
@click.option("--force", is_flag=True, help="Overwrite records that differ from what would be written.")
@as_of_option
@pass_ctx
def adr_command(ctx: Context, file: str, out_dir: str, status: str, date: str | None, force: bool) -> int:
    """Write one MADR Architecture Decision Record per decision for FILE into DIR."""
    from mlarch.adr.model import records, write
    from mlarch.analysis.sensitivity import analyse

    when = _date(date)
    scenario = load_scenario(file, vocab=ctx.vocab())
    engine = ctx.engine()
    rec = engine.evaluate(scenario)
    written = write(records(engine.vocab, rec, when, status, analyse(engine, rec)), out_dir, force)
    echo(f"wrote {len(written)} files to {Path(out_dir)} ({len(written) - 1} decisions and index.md)")
    return EXIT_OK
