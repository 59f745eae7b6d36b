"""Hostile input over every command that reads or writes a file (issue 11).

Every input file, output path and option value here is something a user or
an attacker could hand mlarch. The contract: exit 2 with one line per
problem (never a traceback, never exit 3), nothing hangs, memory stays
bounded, nothing outside the named output is touched, and no control
character from the input reaches the terminal.
"""

from __future__ import annotations

import math

import click
import pytest

from mlarch.cli.app import cli

from .conftest import ROOT, run_cli

CHURN = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[str, click.Command]]:
    out = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", c) for sub, c in _commands(command, ctx)]
        elif command is not None:
            out.append((name, command))
    return out


def _numeric_options() -> list[tuple[str, str, click.ParamType]]:
    ctx = click.Context(cli)
    found = []
    for name, command in _commands(cli, ctx):
        for param in command.params:
            if isinstance(param, click.Option) and isinstance(param.type, (click.types.FloatParamType, click.types.IntParamType)):
                found.append((name, param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0], param.type))
    return found


NUMERIC = _numeric_options()


def test_there_are_numeric_options_to_check():
    assert any(opt == "--max-seconds" for _, opt, _ in NUMERIC)


@pytest.mark.parametrize("command, option, kind", NUMERIC, ids=[f"{c}{o}" for c, o, _ in NUMERIC])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1e999"])
def test_numeric_options_refuse_non_finite_values(command, option, kind, value):
    """Issue 11 item 10: `--max-seconds nan` was accepted and disabled the time limit."""
    with pytest.raises(click.BadParameter):
        kind.convert(value, None, None)


@pytest.mark.parametrize("command, option, kind", [n for n in NUMERIC if isinstance(n[2], click.types.FloatParamType)])
def test_float_options_are_positive_and_bounded(command, option, kind):
    for value in ("0", "-1"):
        with pytest.raises(click.BadParameter):
            kind.convert(value, None, None)
    assert math.isfinite(kind.convert("1", None, None))


def test_why_not_max_seconds_nan_exits_2(capsys):
    code, _, err = run_cli(capsys, "why-not", CHURN, "approach", "automl", "--max-seconds", "nan")
    assert code == 2 and "--max-seconds" in err
