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


# --- item 8: control characters never reach the terminal raw -------------------------------

ESCAPES = "\x1b[2J\x1b]0;PWNED\x07\x9b31m\u202e"


def _raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"})


@pytest.fixture
def escaping_scenario(tmp_path):
    path = tmp_path / "esc.yaml"
    path.write_text(f'name: esc\ndescription: "{ESCAPES.encode("unicode_escape").decode()}"\n'
                    "problem: {task: clustering}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [
    ("recommend",), ("recommend", "-f", "markdown"), ("recommend", "-f", "json"),
    ("explain",), ("adr", "-o", "{tmp}"), ("why-not", "approach", "automl"),
])
def test_control_characters_in_values_are_escaped_in_every_output(capsys, tmp_path, escaping_scenario, args):
    args = (args[0], escaping_scenario, *(a.format(tmp=tmp_path / "adr") for a in args[1:]))
    code, out, err = run_cli(capsys, *args)
    assert code in (0, 1), err
    assert _raw_controls(out + err) == []
    for written in (tmp_path / "adr").glob("*.md"):
        assert _raw_controls(written.read_text(encoding="utf-8")) == [], written.name


def test_escaped_json_is_still_valid_json_with_the_same_text():
    import json

    from mlarch.core.textfmt import printable

    text = json.dumps({"a": ESCAPES + "\u2028\x7f"}, ensure_ascii=False)
    assert json.loads(printable(text)) == {"a": ESCAPES + "\u2028\x7f"}
    assert _raw_controls(printable(text)) == []


@pytest.mark.parametrize("key", ["bad\nkey", "bad\x1b[2Jkey", "bad\rkey"])
def test_a_control_character_in_a_key_stays_on_one_escaped_line(capsys, tmp_path, key):
    path = tmp_path / "key.yaml"
    path.write_text('name: k\nproblem: {task: clustering, "' + key.encode("unicode_escape").decode() + '": 1}\n')
    code, _, err = run_cli(capsys, "recommend", path)
    assert code == 2 and err.count("\n") == 1 and _raw_controls(err) == [], err
    assert "problem.bad" in err and "unknown key" in err
