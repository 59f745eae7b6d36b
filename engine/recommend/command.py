"""The scenario commands: `mlarch recommend`, `validate`, `check`, `examples`, `schema` (registered in cli/app.py)."""

from __future__ import annotations

import click

from mlarch.cli.context import EXIT_FINDINGS, EXIT_OK, Context, Reported, pass_ctx, scenario_files
from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.paths import bundled_scenarios_dir
from mlarch.core.scenario import json_schema, load_scenario
from mlarch.core.serialize import dump_json
from mlarch.recommend.render import FORMATS, render
from mlarch.recommend.text import render_summary


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--summary", is_flag=True, help="One line per decision with its confidence (firm, knife-edge, assumed).")
@click.option("--sensitivity/--no-sensitivity", default=False, show_default=True,
              help="Add each decision's confidence and what would change it (about 0.2-0.6 s more; docs/performance.md).")
@pass_ctx
def recommend(ctx: Context, file: str, fmt: str, summary: bool, sensitivity: bool) -> int:
    """Recommend an architecture for the scenario in FILE."""
    from mlarch.analysis.sensitivity import analyse

    scenario = load_scenario(file)
    engine = ctx.engine()
    rec = engine.evaluate(scenario)
    sens = analyse(engine, rec) if sensitivity or summary else None
    if summary:
        if fmt != "text":
            raise InputError.single(None, "--summary", f"--summary prints text; it cannot be combined with --format {fmt}")
        click.echo(render_summary(rec, sens), nl=False)
        return EXIT_OK
    click.echo(render(rec, fmt, sens), nl=False)
    return EXIT_OK


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> int:
    """Check scenario FILES without evaluating them."""
    problems: list[str] = []
    for file in files:
        try:
            load_scenario(file)
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise Reported("\n".join(problems))
    click.echo(f"{len(files)} scenario file{'s' if len(files) != 1 else ''} valid")
    return EXIT_OK


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-v", "--verbose", is_flag=True, help="Also list the expectations that hold.")
@pass_ctx
def check(ctx: Context, paths: tuple[str, ...], verbose: bool) -> int:
    """Check scenarios' `expect:` decisions (files, or folders of *.yaml)."""
    files = scenario_files(paths)
    engine = ctx.engine()
    failures = checked = 0
    for file in files:
        scenario = load_scenario(file)
        rec = engine.evaluate(scenario)
        if not scenario.expect:
            click.echo(f"note {file}: no expect: block, nothing to check")
        for dim, expected in scenario.expect.items():
            checked += 1
            actual = rec.choices.get(dim)
            if actual != expected:
                failures += 1
                got = actual if actual is not None else "nothing (dimension does not apply)"
                click.echo(f"FAIL {file}: {dim}: expected {expected}, got {got}")
            elif verbose:
                click.echo(f"ok   {file}: {dim} = {expected}")
    click.echo(f"{checked - failures} of {checked} expectations hold in {len(files)} scenario{'s' if len(files) != 1 else ''}")
    return EXIT_FINDINGS if failures else EXIT_OK


@click.command()
@click.argument("name", required=False)
@click.option("--path", "show_path", is_flag=True, help="Print only the file path of NAME.")
def examples(name: str | None, show_path: bool) -> int:
    """List the bundled example scenarios, or print one (NAME)."""
    folder = bundled_scenarios_dir()
    files = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    if name is None:
        width = max(map(len, files), default=0)
        for stem, path in files.items():
            scenario = load_scenario(path)
            first = scenario.description.split(". ")[0].strip().rstrip(".")
            room = max(20, 79 - width)
            click.echo(f"{stem:<{width}} {first if len(first) <= room else first[:room - 3] + '...'}")
        click.echo(f"{len(files)} scenarios in {folder}")
        return EXIT_OK
    if name not in files:
        raise InputError.single(None, "NAME", f"no bundled scenario {name!r}", (), did_you_mean(name, files))
    if show_path:
        click.echo(str(files[name]))
    else:
        click.echo(files[name].read_text(), nl=False)
    return EXIT_OK


@click.command()
def schema() -> int:
    """Print the JSON Schema of scenario files (for editors and CI)."""
    click.echo(dump_json(json_schema()), nl=False)
    return EXIT_OK


COMMANDS = [recommend, validate, check, examples, schema]
