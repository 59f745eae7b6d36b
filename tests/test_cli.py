"""The command line: formats, exit statuses, errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from .conftest import FIXTURES, ROOT, lane_sample, run_cli

SCENARIO = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


@pytest.mark.parametrize("fmt", ["text", "json", "yaml", "markdown"])
def test_recommend_formats_are_byte_identical_across_runs(capsys, fmt):
    first = run_cli(capsys, "recommend", str(SCENARIO), "--format", fmt)
    second = run_cli(capsys, "recommend", str(SCENARIO), "--format", fmt)
    assert first[0] == 0 and first == second
    assert first[1].strip()


def test_json_output_follows_the_contract(capsys):
    code, out, _ = run_cli(capsys, "recommend", str(SCENARIO), "-f", "json")
    data = json.loads(out)
    assert code == 0
    assert list(data)[:2] == ["scenario", "decisions"] and {"warnings", "engine"} <= set(data)
    assert data["scenario"] == "churn-bigquery-sql-team"
    assert {"rules_loaded", "rules_fired", "rule_set_version"} <= set(data["engine"])
    for decision in data["decisions"].values():
        assert {"choice", "reasons", "alternatives"} <= set(decision)
        for reason in decision["reasons"]:
            assert {"rule", "text", "facts"} <= set(reason)
        for alt in decision["alternatives"]:
            assert {"choice", "why_not"} <= set(alt)
    assert yaml.safe_load(run_cli(capsys, "recommend", str(SCENARIO), "-f", "yaml")[1]) == data


@pytest.mark.parametrize("path", lane_sample(sorted((ROOT / "scenarios").glob("*.yaml"))), ids=lambda p: p.stem)
def test_text_output_fits_80_columns(capsys, path):
    """Every scenario in make test-slow, a third in the default lane (the sensitivity section
    makes each run an analysis of ~200 variants)."""
    code, out, _ = run_cli(capsys, "recommend", str(path))
    assert code == 0
    too_wide = [line for line in out.splitlines() if len(line) > 80]
    assert not too_wide, (path.name, too_wide[:3])
    assert "== TRAINING" in out or "== SERVING" in out


def test_bad_scenario_exits_2_with_located_errors(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ndata:\n  modality: tabualr\n  locaton: bigquery\n")
    code, out, err = run_cli(capsys, "recommend", str(bad))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"{bad}:3: data.modality: invalid value 'tabualr' (did you mean 'tabular'?)")
    assert lines[1].startswith(f"{bad}:4: data.locaton: unknown key (did you mean 'location'?)")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["recommend", "missing.yaml"], "no such file"),
        (["recommend", str(SCENARIO), "--format", "html"], "Invalid value for '-f' / '--format'"),
        (["recomend", str(SCENARIO)], "No such command 'recomend'. Did you mean 'recommend'?"),
        (["diagramm", str(SCENARIO)], "Did you mean 'diagram'?"),
        (["validate"], "Missing argument"),
        (["rules", "show", "approach.nope"], "unknown rule"),
        (["rules", "--dimension", "aproach"], "did you mean 'approach'"),
        (["--rules", "does/not/exist", "rules"], "no such file"),
    ],
)
def test_usage_and_input_errors_exit_2(capsys, args, message):
    code, _, err = run_cli(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_bad_rule_file_exits_2(capsys, tmp_path):
    (tmp_path / "r.yaml").write_text("rules:\n  - id: approach.x\n    title: t\n")
    code, _, err = run_cli(capsys, "--rules", str(tmp_path), "recommend", str(SCENARIO))
    assert code == 2
    assert "rule approach.x" in err and "required key is missing" in err


def test_validate(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nserving: {latency_ms: fast}\n")
    assert run_cli(capsys, "validate", str(SCENARIO))[0] == 0
    code, _, err = run_cli(capsys, "validate", str(SCENARIO), str(bad))
    assert code == 2 and "serving.latency_ms: expected a number, got 'fast'" in err


def test_schema_is_json(capsys):
    code, out, _ = run_cli(capsys, "schema")
    assert code == 0 and json.loads(out)["title"] == "mlarch scenario"


def test_rule_examples_command(capsys, tmp_path):
    code, out, _ = run_cli(capsys, "--rules", str(FIXTURES / "rules"), "test")
    assert code == 0 and "examples passed" in out
    broken = (FIXTURES / "rules" / "fixture.yaml").read_text().replace("fires: [{serving: {latency_ms: 100}}]", "fires: [{serving: {latency_ms: 2000}}]")
    (tmp_path / "r.yaml").write_text(broken)
    code, out, _ = run_cli(capsys, "--rules", str(tmp_path), "test")
    assert code == 1 and "FAIL serving_mode.latency-online examples.fires[0]" in out


def test_check_command_reports_mismatches(capsys, tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text("name: s\nserving: {latency_ms: 50}\nexpect: {serving_mode: batch}\n")
    code, out, _ = run_cli(capsys, "--rules", str(FIXTURES / "rules"), "check", str(s))
    assert code == 1 and "FAIL" in out and "expected batch, got online" in out
    s.write_text("name: s\nserving: {latency_ms: 50}\nexpect: {serving_mode: online}\n")
    assert run_cli(capsys, "--rules", str(FIXTURES / "rules"), "check", str(s))[0] == 0


def test_rules_listing_and_show(capsys):
    code, out, _ = run_cli(capsys, "--rules", str(FIXTURES / "rules"), "rules", "--dimension", "approach")
    assert code == 0 and "approach.sql-team-data-in-bigquery" in out and "privacy" not in out
    code, out, _ = run_cli(capsys, "--rules", str(FIXTURES / "rules"), "rules", "--hard", "-f", "json")
    assert {r["id"] for r in json.loads(out)} == {"training_hardware.no-tpu-for-sklearn", "privacy.pii-requires-sdp"}
    code, out, _ = run_cli(capsys, "--rules", str(FIXTURES / "rules"), "rules", "show", "privacy.pii-requires-sdp")
    assert code == 0
    for part in ("When:", "data.sensitive includes any of [pii, phi]", "require privacy = sensitive_data_protection", "Sources:", "Examples that fire it:"):
        assert part in out


def test_console_script_runs_in_a_subprocess():
    result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "recommend", str(SCENARIO), "-f", "json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["scenario"] == "churn-bigquery-sql-team"


@pytest.mark.parametrize("full_exit", ["", "1"])
def test_the_console_script_flushes_what_it_wrote_and_keeps_the_status(full_exit):
    """run() ends with os._exit (no interpreter teardown): whatever a command wrote without
    flushing must still arrive, with main's exit status; MLARCH_FULL_EXIT=1 exits normally."""
    code = ("import sys\nfrom mlarch.cli import app\n"
            "app.main = lambda: (sys.stdout.write('out'), sys.stderr.write('err'), 3)[2]\napp.run()\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as usual
    env["MLARCH_FULL_EXIT"] = full_exit
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (3, "out", "err")


def test_only_the_console_script_tunes_the_garbage_collector():
    """run() collects less often (engine/cli/app.py); importing mlarch as a library, or
    calling main(), leaves the interpreter's settings as they were."""
    code = ("import gc\nimport mlarch\nfrom mlarch.cli import app\nfrom mlarch.core import cache, engine\n"
            "print(gc.get_threshold())\n"
            "app.main = lambda: print(gc.get_threshold(), gc.isenabled()) or 0\napp.run()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["(700, 10, 10)", "(50000, 10, 10) True"]


def test_coverage_of_the_bundled_knowledge(capsys):
    code, out, _ = run_cli(capsys, "coverage", "-f", "json")
    data = json.loads(out)
    assert [s["section"] for s in data["sections"]] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "5.1", "5.2", "5.3", "6.1", "6.2"]
    assert code == 0 and data["uncovered"] == []
    assert all(s["rules"] >= data["min_rules"] and s["scenarios"] for s in data["sections"])


def test_coverage_flags_uncovered_sections(capsys):
    code, out, _ = run_cli(capsys, "--rules", str(FIXTURES / "rules"), "coverage")
    assert code == 1
    assert "UNCOVERED" in out and "5.1" in out.split("uncovered:")[-1]


def test_feature_commands_are_imported_only_when_used():
    """`mlarch recommend` must not pay for Graphviz, lint or the review search."""
    code = (
        "import sys, mlarch.cli.app; heavy = ['graphviz', 'mlarch.diagram', 'mlarch.lint.checks', 'mlarch.review.command', 'mlarch.explain.whynot', 'mlarch.analysis.sensitivity'];"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_lazy_command_resolves_to_its_name():
    import click

    from mlarch.cli.app import FEATURE_COMMANDS, cli

    ctx = click.Context(cli)
    for name in FEATURE_COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    assert set(FEATURE_COMMANDS) <= set(cli.list_commands(ctx))
