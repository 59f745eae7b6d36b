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


# --- item 4: bad input is exit 2 and one line, never exit 3 -------------------------------

def _scenario(tmp_path, text: str, name: str = "s.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BIG = "9" * 5000
BAD_NUMBERS = {
    "decimal value": f"name: x\nproblem: {{task: clustering}}\nteam: {{size: {BIG}}}\n",
    "hex value": f"name: x\nproblem: {{task: clustering}}\nteam: {{size: 0x{'f' * 5000}}}\n",
    "tagged value": f"name: x\nproblem: {{task: clustering}}\nteam: {{size: !!int '{BIG}'}}\n",
    "text fact given a huge number": f"name: x\ndescription: 0x{'f' * 5000}\nproblem: {{task: clustering}}\n",
    "number as a key": f"name: x\nproblem: {{task: clustering}}\n? {BIG}\n: 1\n",
}


@pytest.mark.parametrize("text", BAD_NUMBERS.values(), ids=BAD_NUMBERS.keys())
def test_huge_integers_are_an_input_error(capsys, tmp_path, text):
    code, _, err = run_cli(capsys, "recommend", _scenario(tmp_path, text))
    assert code == 2 and err.count("\n") == 1 and "digits" in err, err


def test_huge_integers_in_a_rule_file_are_an_input_error(capsys, tmp_path):
    rules = _scenario(tmp_path, f"rules:\n  - id: a.b\n    weight: {BIG}\n", "r.yaml")
    code, _, err = run_cli(capsys, "--rules", rules, "rules")
    assert code == 2 and "digits" in err and "internal error" not in err, err


@pytest.mark.parametrize("text, path", [
    ('name: x\n"[": 1\n', "[: unknown key"),
    ('name: x\nproblem: {task: clustering, "a[0]": 1}\n', "problem.a[0]: unknown key"),
    ('name: x\nproblem: {task: clustering}\nteam: {"function-after[x]": 1}\n', "team.function-after[x]: unknown key"),
])
def test_keys_with_brackets_are_reported_at_their_path(capsys, tmp_path, text, path):
    code, _, err = run_cli(capsys, "recommend", _scenario(tmp_path, text))
    assert code == 2 and err.count("\n") == 1 and path in err, err


def test_a_symlink_loop_given_to_rules_is_an_input_error(capsys, tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    code, _, err = run_cli(capsys, "--rules", loop, "recommend", CHURN)
    assert code == 2 and "symbolic links" in err and err.count("\n") == 1, err


def test_stdout_on_a_full_disk_is_exit_2_with_one_line():
    import subprocess
    import sys

    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "mlarch", "recommend", str(CHURN)], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr == "mlarch: cannot write the output: No space left on device\n", done.stderr


@pytest.mark.parametrize("command", ["--rules", "check", "lint --scenarios"])
def test_a_fifo_in_an_input_folder_is_refused_not_waited_on(tmp_path, command):
    import os
    import shutil
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    if command == "--rules":
        shutil.copy(ROOT / "rules" / "approach.yaml", folder)
        args = ["--rules", str(folder), "recommend", str(CHURN)]
    elif command == "check":
        shutil.copy(CHURN, folder)
        args = ["check", str(folder)]
    else:
        shutil.copy(CHURN, folder)
        args = ["lint", "--samples", "1", "--scenarios", str(folder)]
    os.mkfifo(folder / "zz.yaml")
    done = subprocess.run([sys.executable, "-m", "mlarch", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr


# --- item 5: reads are bounded while reading ---------------------------------------------

def _peak_while(run) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_endless_pipe_is_refused_after_the_limit(capsys, tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with open(fifo, "wb") as fh:
                for _ in range(50):
                    fh.write(b"#" * 1_000_000)
        except BrokenPipeError:
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    result: list[tuple[int, str, str]] = []
    peak = _peak_while(lambda: result.append(run_cli(capsys, "recommend", fifo)))
    thread.join(10)
    code, _, err = result[0]
    assert code == 2 and "larger than" in err
    assert peak < 8_000_000, f"peak {peak:,} bytes for a 1 MB limit"


def test_a_huge_sparse_rule_file_is_refused_before_hashing(capsys, tmp_path):
    sparse = tmp_path / "sparse.yaml"
    with open(sparse, "wb") as fh:
        fh.truncate(200_000_000)
    result: list[tuple[int, str, str]] = []
    peak = _peak_while(lambda: result.append(run_cli(capsys, "--rules", sparse, "recommend", CHURN)))
    code, _, err = result[0]
    assert code == 2 and "larger than" in err
    assert peak < 8_000_000, f"peak {peak:,} bytes"


def test_the_bounded_reader_stops_at_the_limit():
    from mlarch.core.errors import InputError
    from mlarch.core.yamlio import read_bounded

    with pytest.raises(InputError, match="larger than 1000 bytes"):
        read_bounded("/dev/zero", 1000)


# --- item 11: deep nesting without libyaml -----------------------------------------------

@pytest.mark.parametrize("text", ["[" * 10_000, "{a: " * 10_000, "- " * 10_000 + "x"])
def test_deep_nesting_is_refused_by_the_pure_python_parser(monkeypatch, capsys, tmp_path, text):
    from mlarch.core import yamlio

    monkeypatch.setattr(yamlio, "_Loader", yamlio._DepthLimitedLoader)
    code, _, err = run_cli(capsys, "recommend", _scenario(tmp_path, text))
    assert code == 2 and "nesting deeper than" in err, err
