"""The `mlarch lint` command (registered in cli.py)."""

from __future__ import annotations

import click

from mlarch.cli.context import EXIT_FINDINGS, EXIT_OK, Context, as_of_option, echo, pass_ctx
from mlarch.core.errors import InputError, did_you_mean
from mlarch.core.paths import bundled_rules_dir
from mlarch.lint.findings import render_json, render_text
from mlarch.lint.registry import BY_CODE, CODES, explain
from mlarch.lint.run import lint
from mlarch.lint.spec import load_invariants

MAX_SAMPLES = 1_000_000


@click.command("lint")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--samples", type=int, default=1000, show_default=True, metavar="N",
              help="Random scenarios to evaluate for the sampled checks (0 for static checks only).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random scenarios (same seed, same findings).")
@click.option("--check", "only", multiple=True, metavar="CHECK",
              help="Run only this check (repeatable); `--check list` lists them.")
@click.option("--explain", "explained", metavar="CHECK", help="Say what a check finds, why it matters and how to fix it, then exit.")
@click.option("--scenarios", "scenario_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Folder of scenarios to start samples from (default: the bundled scenarios).")
@click.option("--invariants", "invariants_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Constraints, coherence checks and citation domains to check against (default: engine/lint/invariants.yaml).")
@as_of_option
@pass_ctx
def lint_command(ctx: Context, fmt: str, samples: int, seed: int, only: tuple[str, ...], explained: str | None,
                 scenario_dir: str | None, invariants_file: str | None) -> int:
    """Check the rule base as a whole: ids, citations, examples, rules that
    never fire or never matter, contradicting hard rules, fallbacks, cycles.

    Lints the bundled rules, or the files and folders given with the global
    --rules option, each file on its own so one broken file does not hide
    the rest. Exit status 1 when there are findings (notes do not count).
    """
    if explained is not None:
        if explained not in BY_CODE:
            raise InputError.single(None, "--explain", f"unknown check {explained!r}", CODES, did_you_mean(explained, CODES))
        echo(explain(explained), nl=False)
        return EXIT_OK
    if "list" in only:
        for code in CODES:
            echo(f"{code:<24} {BY_CODE[code].title}")
        return EXIT_OK
    unknown = [c for c in only if c not in CODES]
    if unknown:
        raise InputError.single(None, "--check", f"unknown check {unknown[0]!r}", CODES, did_you_mean(unknown[0], CODES))
    if not 0 <= samples <= MAX_SAMPLES:
        raise InputError.single(None, "--samples", f"expected 0 to {MAX_SAMPLES}, got {samples}")
    paths = list(ctx.rule_paths) or [str(bundled_rules_dir())]
    invariants = load_invariants(invariants_file, ctx.vocab()) if invariants_file else None
    report = lint(paths, ctx.vocab(), samples=samples, seed=seed, checks=only or None, invariants=invariants, scenarios=scenario_dir,
                  as_of=ctx.as_of)
    echo(render_json(report) if fmt == "json" else render_text(report), nl=False)
    return EXIT_FINDINGS if report.failing else EXIT_OK
