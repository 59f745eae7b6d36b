"""The rule-base commands: `mlarch rules`, `rules show`, `test`, `coverage` (registered in cli/app.py)."""

from __future__ import annotations

from pathlib import Path

import click

from mlarch.cli.context import (
    EXIT_FINDINGS,
    EXIT_OK,
    Context,
    complete_dimension,
    complete_fact,
    echo,
    pass_ctx,
    scenario_files,
)
from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.examples import run_examples
from mlarch.core.paths import bundled_scenarios_dir
from mlarch.core.serialize import dump_json
from mlarch.rulebase.show import list_rows, rule_dict
from mlarch.rulebase.show import show as show_rule


@click.command()
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--scenarios", "scenario_paths", multiple=True, type=click.Path(), metavar="PATH",
              help="Scenario files or folders to exercise (default: the bundled scenarios).")
@click.option("--by", "by", type=click.Choice(["section", "bullet"]), default="section", show_default=True,
              help="Report per exam section, or per bullet of the exam guide (with the questions that cover it).")
@click.option("--questions", "question_paths", multiple=True, type=click.Path(), metavar="PATH",
              help="Question files or folders for --by bullet (default: the bundled questions).")
@pass_ctx
def coverage(ctx: Context, fmt: str, scenario_paths: tuple[str, ...], by: str, question_paths: tuple[str, ...]) -> int:
    """Exam sections 1.1-6.2 (or, with --by bullet, each exam-guide bullet) against the rules,
    scenarios and questions that cover them."""
    from mlarch.rulebase.coverage import as_dict, as_text
    from mlarch.rulebase.coverage import coverage as compute

    paths = scenario_files(scenario_paths) if scenario_paths else sorted(str(p) for p in bundled_scenarios_dir().glob("*.yaml"))
    if by == "bullet":
        from mlarch.rulebase import bullets

        questions = (scenario_files(question_paths) if question_paths
                     else sorted(str(p) for p in (bundled_scenarios_dir() / "questions").glob("*.yaml")))
        brows = bullets.bullet_coverage(ctx.engine(), [Path(p) for p in paths], [Path(p) for p in questions])
        echo(dump_json(bullets.as_dict(brows)) if fmt == "json" else bullets.as_text(brows), nl=False)
        return EXIT_OK if all(r.covered for r in brows) else EXIT_FINDINGS
    rows = compute(ctx.engine(), [Path(p) for p in paths])
    echo(dump_json(as_dict(rows)) if fmt == "json" else as_text(rows), nl=False)
    return EXIT_OK if all(r.covered for r in rows) else EXIT_FINDINGS


@click.command("test")
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
            echo(result.describe())
    echo(f"{len(results) - len(failures)} of {len(results)} examples passed in {len(rules)} rules")
    return EXIT_FINDINGS if failures else EXIT_OK


@click.group("rules", invoke_without_command=True)
@click.option("-d", "--dimension", shell_complete=complete_dimension, help="Only rules concluding on this dimension.")
@click.option("-s", "--section", help="Only rules citing this exam section, e.g. 4.1.")
@click.option("--hard", is_flag=True, help="Only hard constraints (require/forbid).")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def rules_cmd(click_ctx: click.Context, dimension: str | None, section: str | None, hard: bool, fmt: str) -> int:
    """List rules; `mlarch rules show ID` explains one."""
    if click_ctx.invoked_subcommand:
        return EXIT_OK
    ctx: Context = click_ctx.obj
    vocab = ctx.vocab()
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
        echo(dump_json([rule_dict(r) for r in selected]), nl=False)
    else:
        echo(list_rows(selected), nl=False)
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
    echo(show_rule(rule, ctx.vocab()), nl=False)
    return EXIT_OK


@click.command()
@click.argument("prefix", required=False, shell_complete=complete_fact)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def facts(ctx: Context, prefix: str | None, fmt: str) -> int:
    """The facts a scenario may state, with their values (PREFIX: a group such as `data`, or a fact).

    The same reference as docs/scenarios.md.
    """
    from mlarch.rulebase.vocab import facts_dict, facts_text, select_facts

    found = select_facts(ctx.vocab(), prefix)
    echo(dump_json(facts_dict(found)) if fmt == "json" else facts_text(found), nl=False)
    return EXIT_OK


@click.command()
@click.argument("dimension", required=False, shell_complete=complete_dimension)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_ctx
def choices(ctx: Context, dimension: str | None, fmt: str) -> int:
    """The decision dimensions and their choices, or one DIMENSION's (docs/dimensions.md)."""
    from mlarch.rulebase.vocab import choices_dict, choices_text, select_dimensions

    vocab = ctx.vocab()
    found = select_dimensions(vocab, dimension)
    echo(dump_json(choices_dict(vocab, found)) if fmt == "json" else choices_text(vocab, found), nl=False)
    return EXIT_OK


COMMANDS = [coverage, test_rules, rules_cmd, facts, choices]
