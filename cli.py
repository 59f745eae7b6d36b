"""The `mlarch` command line.

Exit status of every command (interfaces.md section 6): 0 success; 1 the
command worked and found problems; 2 bad input or usage, with one line per
problem and never a traceback; 3 an internal error (a bug: please report it,
MLARCH_DEBUG=1 shows the traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any, Sequence

import click

from engine import __version__
from engine.cliutil import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    Context,
    Reported,
    pass_ctx,
    scenario_files,
)
from engine.errors import EngineError, InputError, RuleBaseLimitError, did_you_mean
from engine.paths import bundled_scenarios_dir
from engine.report import FORMATS, dump_json, render
from engine.report.rules import list_rows, rule_dict
from engine.report.rules import show as show_rule
from engine.ruletests import run_examples
from engine.scenario import json_schema, load_scenario
from engine.vocabulary import load_vocabulary

# Commands that live with their feature, imported only when used: `mlarch recommend`
# should not pay for Graphviz, the lint checks or the review search (measured in
# benchmarks/run.py: the CLI's start-to-answer time is mostly imports).
FEATURE_COMMANDS: dict[str, str] = {
    "lint": "engine.lint.command:lint_command",
    "diagram": "engine.diagram.command:diagram",
    "review": "engine.review_cli:review_command",
    "answer": "engine.review_cli:answer_command",
    "explain": "engine.review_cli:explain_command",
    "why-not": "engine.review_cli:why_not_command",
    "what-if": "engine.review_cli:what_if_command",
    "adr": "engine.review_cli:adr_command",
}


class LazyGroup(click.Group):
    """A click group that imports a feature command the first time it is looked up."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attr)
            if command.name != cmd_name:  # pragma: no cover - a wrong table entry
                raise RuntimeError(f"{self.lazy[cmd_name]} is the command {command.name!r}, not {cmd_name!r}")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else None
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}." + (f" Did you mean {hint!r}?" if hint else "")
                     + f" Commands: {', '.join(self.list_commands(ctx))}.")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, lazy=FEATURE_COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="mlarch")
@click.option(
    "--rules", "rule_paths", multiple=True, type=click.Path(), metavar="PATH",
    help="Rule file or folder to use instead of the bundled rules (repeatable).",
)
@click.pass_context
def cli(ctx: click.Context, rule_paths: tuple[str, ...]) -> None:
    """Decision support for machine-learning architecture on Google Cloud.

    Describe a scenario in YAML; mlarch recommends one choice per decision
    dimension, with the rules, facts and documentation behind each.
    """
    ctx.obj = Context(rule_paths)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@pass_ctx
def recommend(ctx: Context, file: str, fmt: str) -> int:
    """Recommend an architecture for the scenario in FILE."""
    scenario = load_scenario(file)
    rec = ctx.engine().evaluate(scenario)
    click.echo(render(rec, fmt), nl=False)
    return EXIT_OK


@cli.command()
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


@cli.command()
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


@cli.command()
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


@cli.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--scenarios", "scenario_paths", multiple=True, type=click.Path(), metavar="PATH",
              help="Scenario files or folders to exercise (default: the bundled scenarios).")
@pass_ctx
def coverage(ctx: Context, fmt: str, scenario_paths: tuple[str, ...]) -> int:
    """Exam sections 1.1-6.2 against the rules and scenarios that cover them."""
    from engine.coverage import as_dict, as_text
    from engine.coverage import coverage as compute

    paths = scenario_files(scenario_paths) if scenario_paths else sorted(str(p) for p in bundled_scenarios_dir().glob("*.yaml"))
    rows = compute(ctx.engine(), [Path(p) for p in paths])
    click.echo(dump_json(as_dict(rows)) if fmt == "json" else as_text(rows), nl=False)
    return EXIT_OK if all(r.covered for r in rows) else EXIT_FINDINGS


@cli.command()
def schema() -> int:
    """Print the JSON Schema of scenario files (for editors and CI)."""
    click.echo(dump_json(json_schema()), nl=False)
    return EXIT_OK


@cli.command("test")
@click.argument("rule_ids", nargs=-1)
@click.option("-v", "--verbose", is_flag=True, help="Also list the examples that pass.")
@pass_ctx
def test_rules(ctx: Context, rule_ids: tuple[str, ...], verbose: bool) -> int:
    """Run the rules' own examples (all rules, or RULE_IDS)."""
    book = ctx.rulebook()
    rules = list(book.rules)
    if rule_ids:
        unknown = [r for r in rule_ids if book.get(r) is None]
        if unknown:
            raise InputError.single(None, "", f"unknown rule id(s): {', '.join(unknown)}")
        rules = [book.get(r) for r in rule_ids]  # type: ignore[misc]
    results = run_examples(ctx.engine(), rules)
    failures = [r for r in results if not r.passed]
    for result in results:
        if verbose or not result.passed:
            click.echo(result.describe())
    click.echo(f"{len(results) - len(failures)} of {len(results)} examples passed in {len(rules)} rules")
    return EXIT_FINDINGS if failures else EXIT_OK


@cli.group("rules", invoke_without_command=True)
@click.option("-d", "--dimension", help="Only rules concluding on this dimension.")
@click.option("-s", "--section", help="Only rules citing this exam section, e.g. 4.1.")
@click.option("--hard", is_flag=True, help="Only hard constraints (require/forbid).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def rules_cmd(click_ctx: click.Context, dimension: str | None, section: str | None, hard: bool, fmt: str) -> int:
    """List rules; `mlarch rules show ID` explains one."""
    if click_ctx.invoked_subcommand:
        return EXIT_OK
    ctx: Context = click_ctx.obj
    vocab = load_vocabulary()
    if dimension is not None and dimension not in vocab.dimensions:
        raise InputError.single(None, "--dimension", f"unknown dimension {dimension!r}", tuple(vocab.dimensions), did_you_mean(dimension, vocab.dimensions))
    if section is not None and section not in vocab.exam_sections:
        raise InputError.single(None, "--section", f"unknown exam section {section!r}", tuple(vocab.exam_sections))
    selected = [
        r for r in ctx.rulebook().rules
        if (dimension is None or r.dimension == dimension)
        and (section is None or section in r.sections)
        and (not hard or r.hard)
    ]
    if fmt == "json":
        click.echo(dump_json([rule_dict(r) for r in selected]), nl=False)
    else:
        click.echo(list_rows(selected), nl=False)
    return EXIT_OK


@rules_cmd.command("show")
@click.argument("rule_id")
@pass_ctx
def rules_show(ctx: Context, rule_id: str) -> int:
    """Explain one rule: condition, conclusion, reason, sources, examples."""
    book = ctx.rulebook()
    rule = book.get(rule_id)
    if rule is None:
        ids = [r.id for r in book.rules]
        raise InputError.single(None, "RULE_ID", f"unknown rule {rule_id!r}", (), did_you_mean(rule_id, ids))
    click.echo(show_rule(rule), nl=False)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and map every outcome to an exit status."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="mlarch", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_FINDINGS
    except click.UsageError as exc:
        exc.show()
        return EXIT_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT
    except (InputError, Reported) as exc:
        click.echo(str(exc), err=True)
        return EXIT_INPUT
    except RuleBaseLimitError as exc:
        click.echo(f"rule base rejected: {exc}", err=True)
        return EXIT_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except (EngineError, Exception) as exc:  # noqa: BLE001 - last resort, never a traceback
        if os.environ.get("MLARCH_DEBUG"):
            raise
        click.echo(f"mlarch: internal error: {type(exc).__name__}: {exc} (set MLARCH_DEBUG=1 for a traceback)", err=True)
        return EXIT_INTERNAL
    return int(result or 0)


def run() -> None:
    """Console-script wrapper."""
    sys.exit(main())


if __name__ == "__main__":
    run()
