"""Hostile input over every command that reads or writes a file (issue 11).

Every input file, output path and option value here is something a user or
an attacker could hand mlarch. The contract: exit 2 with one line per
problem (never a traceback, never exit 3), nothing hangs, memory stays
bounded, nothing outside the named output is touched, and no control
character from the input reaches the terminal.
"""

from __future__ import annotations

import math
from pathlib import Path

import click
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlarch.cli.app import cli

from .conftest import ROOT, run_cli
from .strategies import scaled

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
    ("explain",), ("adr", "-o", "{tmp}"), ("why-not", "approach", "automl", "--max-changes", "1"),
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


# --- the suite: every command that reads or writes a file, against hostile files -----------

DESIGN = ROOT / "scenarios" / "designs" / "churn-bigquery-ml.yaml"
QUESTION = ROOT / "scenarios" / "questions" / "1.1-churn-analysts-bigquery-ml.yaml"

# (name, argv with {f} for the hostile file); each reads the file as a different kind of input
READERS = {
    "recommend": ["recommend", "{f}"],
    "recommend-md": ["recommend", "{f}", "-f", "markdown"],
    "validate": ["validate", "{f}"],
    "check": ["check", "{f}"],
    "explain": ["explain", "{f}"],
    "why-not": ["why-not", "{f}", "approach", "automl", "--max-seconds", "1", "--budget", "50"],
    "what-if": ["what-if", "{f}", "--set", "data.size_gb=5"],
    "diagram": ["diagram", "{f}", "-f", "dot"],
    "adr": ["adr", "{f}", "-o", "{out}"],
    "review (design)": ["review", "{f}"],
    "answer (question)": ["answer", "{f}"],
    "coverage (scenario)": ["coverage", "--scenarios", "{f}"],
    "--rules recommend": ["--rules", "{f}", "recommend", str(CHURN)],
    "--rules rules": ["--rules", "{f}", "rules"],
    "--rules test": ["--rules", "{f}", "test"],
    "--rules lint": ["--rules", "{f}", "lint", "--samples", "0"],
    "lint --invariants": ["lint", "--samples", "0", "--invariants", "{f}"],
}


def _hostile_files(tmp: Path) -> dict[str, Path]:
    """The issue's cases as files: each must be a one-line (per problem) exit 2, or a clean run."""
    out: dict[str, Path] = {}

    def text(name: str, content: str | bytes) -> None:
        path = tmp / f"{name}.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        out[name] = path

    text("empty", "")
    text("binary", bytes(range(256)) * 8)
    text("not-utf8", b"name: \xff\xfe\n")
    text("huge-int", f"name: x\nproblem: {{task: clustering}}\nteam: {{size: {BIG}}}\n")
    text("huge-hex", f"rules: 0x{'f' * 5000}\nname: x\n")
    text("deep", "[" * 10_000)
    text("bracket-keys", 'name: x\n"[": {"a[0]": 1}\nrules: [{"id[": 1}]\nproblem: {"[": 1}\n')
    text("controls", 'name: "x\\e[2J"\ndescription: "\\e]0;T\\a\\x9b"\n"k\\ney": 1\nproblem: {task: clustering}\n')
    text("alias-bomb", "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
         "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n")
    text("python-tag", "name: !!python/object/apply:os.system ['touch /tmp/mlarch-pwned']\n")
    text("too-big", "# " + "x" * 1_000_001 + "\n")
    text("list", "- 1\n- 2\n")
    text("nan", "name: x\nproblem: {task: clustering}\ndata: {size_gb: .nan}\n")
    loop = tmp / "loop.yaml"
    loop.symlink_to(loop)
    out["symlink-loop"] = loop
    folder = tmp / "a-folder.yaml"
    folder.mkdir()
    out["folder"] = folder
    out["missing"] = tmp / "missing.yaml"
    return out


HOSTILE_NAMES = [
    "empty", "binary", "not-utf8", "huge-int", "huge-hex", "deep", "bracket-keys", "controls", "alias-bomb",
    "python-tag", "too-big", "list", "nan", "symlink-loop", "folder", "missing"]


def _run(capsys, argv: list[str], f: Path, out: Path) -> tuple[int, str, str]:
    return run_cli(capsys, *(a.format(f=f, out=out) for a in argv))


def _assert_contract(code: int, out: str, err: str, what: str) -> None:
    assert code in (0, 1, 2), f"{what}: exit {code}\n{err}"
    assert "internal error" not in err and "Traceback" not in err, f"{what}: {err}"
    assert _raw_controls(out + err) == [], f"{what}: raw control characters {_raw_controls(out + err)}"
    if code == 2:
        assert err.strip(), f"{what}: exit 2 without a message"


@pytest.mark.parametrize("command", READERS, ids=list(READERS))
def test_every_reader_against_every_hostile_file(capsys, tmp_path, command):
    import os

    files = _hostile_files(tmp_path)
    assert sorted(files) == sorted(HOSTILE_NAMES)
    for name, path in files.items():
        code, out, err = _run(capsys, READERS[command], path, tmp_path / f"adr-{name}")
        _assert_contract(code, out, err, f"{command} on {name}")
        refused = {1, 2} if command == "--rules lint" else {2}  # lint reports a broken rule file as a finding
        if name not in ("list",):
            assert code in refused, f"{command} accepted {name}: {out[:200]}"
    assert not os.path.exists("/tmp/mlarch-pwned")


# Hypothesis: arbitrary YAML-ish documents with hostile keys and values, through every reader.

_KEYS = st.one_of(
    st.sampled_from(["name", "description", "problem", "data", "team", "rules", "id", "when", "then", "scenario",
                     "design", "question", "task", "modality", "size_gb", "[", "a[0]", "a.b", "k\nx", "\x1b[2J", "function-after[x]"]),
    st.text(min_size=1, max_size=12),
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["clustering", "image", "tabular", "automl", "\x1b]0;T\x07", "\u202e", "9" * 5000]),
)
_DOCS = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)),
                     max_leaves=25)


def _as_yaml(data: object) -> str:
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=None, width=200)


@pytest.mark.parametrize("command", READERS, ids=list(READERS))
@settings(max_examples=scaled(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=_DOCS, raw=st.binary(max_size=64), use_raw=st.booleans())
def test_readers_against_generated_documents(capsys, tmp_path, command, data, raw, use_raw):
    path = tmp_path / "h.yaml"
    path.write_bytes(raw if use_raw else _as_yaml({"name": "h", **data} if isinstance(data, dict) else data).encode("utf-8"))
    code, out, err = _run(capsys, READERS[command], path, tmp_path / "adr-h")
    _assert_contract(code, out, err, command)


@settings(max_examples=scaled(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.dictionaries(st.sampled_from(["problem", "data", "team", "serving", "constraints"]),
                            st.dictionaries(_KEYS, _SCALARS, max_size=4), max_size=4),
       description=st.text(max_size=60))
def test_scenarios_with_hostile_values_keep_the_contract(capsys, tmp_path, data, description):
    path = tmp_path / "s.yaml"
    path.write_text(_as_yaml({"name": "h", "description": description, **data}), encoding="utf-8")
    for argv in (READERS["recommend"], READERS["recommend-md"], READERS["explain"]):
        code, out, err = _run(capsys, argv, path, tmp_path / "x")
        _assert_contract(code, out, err, argv[0])


# Writers: hostile output paths. Nothing outside the named target may change.

def _outputs(tmp: Path) -> dict[str, tuple[Path, Path | None]]:
    """name -> (the output path to give, a file that must stay untouched)."""
    victim = tmp / "victim.txt"
    victim.write_text("keep")
    out: dict[str, tuple[Path, Path | None]] = {}
    (tmp / "dir-out").mkdir()
    out["a folder"] = (tmp / "dir-out", victim)
    out["missing folder"] = (tmp / "nope" / "x.dot", victim)
    dangling = tmp / "dangling.dot"
    dangling.symlink_to(tmp / "elsewhere" / "planted.dot")
    out["dangling link into a missing folder"] = (dangling, victim)
    loop = tmp / "loop.dot"
    loop.symlink_to(loop)
    out["symlink loop"] = (loop, victim)
    out["a plain new file"] = (tmp / "new.dot", victim)
    return out


@pytest.mark.parametrize("writer", ["diagram", "adr"])
def test_writers_against_hostile_output_paths(capsys, tmp_path, writer):
    for name, (target, victim) in _outputs(tmp_path).items():
        argv = ["diagram", str(CHURN), "-f", "dot", "-o", str(target)] if writer == "diagram" else ["adr", str(CHURN), "-o", str(target)]
        code, out, err = run_cli(capsys, *argv)
        _assert_contract(code, out, err, f"{writer} to {name}")
        assert victim is None or victim.read_text() == "keep"
        assert not (tmp_path / "elsewhere").exists()
        if name == "a plain new file":
            assert code == 0
