"""The scenario commands: `mlarch recommend`, `validate`, `check`, `examples`, `schema` (registered in cli/app.py)."""

from __future__ import annotations

from pathlib import Path

import click

from mlarch.cli.context import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    Context,
    InputFile,
    Reported,
    as_of_option,
    echo,
    pass_ctx,
    scenario_files,
)
from mlarch.core.bundled import ALL_KINDS, KINDS, Example, catalog
from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.paths import bundled_scenarios_dir
from mlarch.core.scenario import json_schema, load_scenario
from mlarch.core.serialize import dump_json, dump_json_line, recommendation_json
from mlarch.core.textfmt import wrap
from mlarch.recommend.render import FORMATS, render, sensitivity_fields


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...", type=InputFile(folders=True))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--summary", is_flag=True, help="One line per decision with its confidence (firm, knife-edge, assumed).")
@click.option("--sensitivity/--no-sensitivity", default=True, show_default=True,
              help="Each decision's confidence and the facts that would change it (on by default; "
                   "--no-sensitivity skips that analysis, about 0.15 s per scenario: docs/performance.md).")
@as_of_option
@pass_ctx
def recommend(ctx: Context, files: tuple[str, ...], fmt: str, summary: bool, sensitivity: bool) -> int:
    """Recommend an architecture for each scenario in FILE... (files, folders, `-` for stdin, bundled names).

    Several scenarios print one after another; with -f json, one JSON
    document per line (JSON Lines), with -f yaml, one YAML document each.
    """
    if summary and fmt != "text":
        raise InputError.single(None, "--summary", f"--summary prints text; it cannot be combined with --format {fmt}")
    paths = scenario_files(files)
    engine = ctx.engine()
    problems: list[str] = []
    for index, file in enumerate(paths):
        try:
            rec = engine.evaluate(load_scenario(file, vocab=engine.vocab))
        except InputError as exc:
            problems.append(str(exc))
            continue
        sens = None
        if sensitivity or summary:
            from mlarch.analysis.sensitivity import analyse

            sens = analyse(engine, rec)  # imported here: --no-sensitivity keeps it off the start-up path
        if summary:
            from mlarch.analysis.summary import render_summary

            echo(("\n" if index else "") + render_summary(rec, sens), nl=False)
        elif len(paths) == 1:
            echo(render(rec, fmt, sens), nl=False)
        elif fmt == "json":
            echo(recommendation_json(rec, sensitivity_fields(sens), line=True))
        else:
            echo(("---\n" if fmt == "yaml" else "\n" if index else "") + render(rec, fmt, sens), nl=False)
    if problems:
        raise Reported("\n".join(problems))
    return EXIT_OK


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...", type=InputFile(folders=True))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one line per file (JSON Lines) with its problems.")
@pass_ctx
def validate(ctx: Context, files: tuple[str, ...], fmt: str) -> int:
    """Check scenario FILE... without evaluating them (files, folders, `-` for stdin, bundled names)."""
    paths = scenario_files(files)
    problems: list[str] = []
    for file in paths:
        try:
            load_scenario(file, vocab=ctx.vocab())
            found: list[str] = []
        except InputError as exc:
            found = [p.render(exc.source) for p in exc.problems]
            problems.append(str(exc))
        if fmt == "json":
            echo(dump_json_line({"file": file, "valid": not found, "problems": found}))
    if fmt == "json":
        return EXIT_INPUT if problems else EXIT_OK
    if problems:
        raise Reported("\n".join(problems))
    echo(f"{len(paths)} scenario file{'s' if len(paths) != 1 else ''} valid")
    return EXIT_OK


@click.command()
@click.argument("paths", nargs=-1, required=True, type=InputFile(folders=True))
@click.option("-v", "--verbose", is_flag=True, help="Also list the expectations that hold.")
@pass_ctx
def check(ctx: Context, paths: tuple[str, ...], verbose: bool) -> int:
    """Check scenarios' `expect:` decisions (files, or folders of *.yaml)."""
    files = scenario_files(paths)
    engine = ctx.engine()
    failures = checked = 0
    for file in files:
        scenario = load_scenario(file, vocab=engine.vocab)
        rec = engine.evaluate(scenario)
        if not scenario.expect:
            echo(f"note {file}: no expect: block, nothing to check")
        for dim, expected in scenario.expect.items():
            checked += 1
            actual = rec.choices.get(dim)
            if actual != expected:
                failures += 1
                got = actual if actual is not None else "nothing (dimension does not apply)"
                echo(f"FAIL {file}: {dim}: expected {expected}, got {got}")
            elif verbose:
                echo(f"ok   {file}: {dim} = {expected}")
    echo(f"{checked - failures} of {checked} expectations hold in {len(files)} scenario{'s' if len(files) != 1 else ''}")
    return EXIT_FINDINGS if failures else EXIT_OK


@click.command()
@click.argument("name", required=False, type=InputFile(ALL_KINDS))
@click.option("--kind", type=click.Choice(ALL_KINDS), help="List only scenarios, designs or questions.")
@click.option("--path", "show_path", is_flag=True, help="Print only the file path of NAME.")
def examples(name: str | None, kind: str | None, show_path: bool) -> int:
    """List the bundled scenarios, designs and questions, or print one (NAME).

    Every command that reads such a file also takes its NAME:
    `mlarch recommend NAME`, `mlarch review NAME`, `mlarch answer NAME`.
    """
    found = catalog((kind,) if kind else ALL_KINDS)
    if name is None:
        echo(render_catalog(found), nl=False)
        return EXIT_OK
    path = Path(name)
    example = next((e for e in found.values() if e.path == path or e.name == name), None)
    if example is None:
        raise InputError.single(None, "NAME", f"no bundled example {name!r}", (), did_you_mean(name, found))
    if show_path:
        echo(str(example.path))
    else:
        echo(example.path.read_text(), nl=False)
    return EXIT_OK


def render_catalog(found: dict[str, Example]) -> str:
    """Each kind under a heading naming the command that reads it, descriptions in full."""
    lines: list[str] = []
    for kind, (_, usage) in KINDS.items():
        group = [e for e in found.values() if e.kind == kind]
        if not group:
            continue
        lines += [f"{kind.capitalize()} ({len(group)}; use: {usage})", ""]
        for example in group:
            lines.append(example.name)
            lines += wrap(example.description() or "(no description)", "    ")
        lines += [""]
    lines.append(f"bundled in {bundled_scenarios_dir()}")
    return "\n".join(lines) + "\n"


@click.command()
@pass_ctx
def schema(ctx: Context) -> int:
    """Print the JSON Schema of scenario files (for editors and CI)."""
    echo(dump_json(json_schema(ctx.vocab())), nl=False)
    return EXIT_OK


COMMANDS = [recommend, validate, check, examples, schema]
