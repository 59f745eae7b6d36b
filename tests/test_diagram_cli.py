"""`mlarch diagram` on the command line: formats from extensions, every
option checked against its list, design files, and a clear exit 2 when
Graphviz is missing (text formats still work)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, run_cli
from .test_diagram_support import require_dot

SCENARIO = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


@pytest.mark.parametrize(
    ("suffix", "starts"),
    [(".dot", b"digraph mlarch {"), (".gv", b"digraph mlarch {"), (".mmd", b"---\ntitle:"), (".mermaid", b"---\ntitle:"),
     (".md", b"```mermaid\n"), (".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF-")],
)
def test_the_extension_picks_the_format(capsys, tmp_path, suffix, starts):
    if suffix in (".svg", ".png", ".pdf"):
        require_dot()
    out = tmp_path / f"churn{suffix}"
    code, stdout, err = run_cli(capsys, "diagram", SCENARIO, "-o", out)
    assert code == 0 and stdout == ""
    assert out.read_bytes().startswith(starts)
    assert f"wrote {out}" in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary file left behind"


def test_text_formats_go_to_stdout_byte_identically(capsys):
    first = run_cli(capsys, "diagram", SCENARIO)
    second = run_cli(capsys, "diagram", SCENARIO, "--format", "dot", "-o", "-")
    assert first[0] == 0 and first[1] == second[1] and first[1].startswith("digraph mlarch {")
    code, out, _ = run_cli(capsys, "diagram", SCENARIO, "-f", "mermaid")
    assert code == 0 and "flowchart LR" in out


def test_options_change_the_output(capsys):
    _, lr, _ = run_cli(capsys, "diagram", SCENARIO)
    _, tb, _ = run_cli(capsys, "diagram", SCENARIO, "--direction", "TB")
    _, bare, _ = run_cli(capsys, "diagram", SCENARIO, "--no-legend")
    assert "rankdir=LR" in lr and "rankdir=TB" in tb
    assert "cluster_legend" in lr and "cluster_legend" not in bare
    _, mmd_tb, _ = run_cli(capsys, "diagram", SCENARIO, "-f", "mermaid", "--direction", "TB", "--no-legend")
    assert "flowchart TB" in mmd_tb and "Legend" not in mmd_tb


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "jpg"], "'jpg' is not one of 'dot', 'svg', 'png', 'pdf', 'mermaid'"),
        (["--direction", "RL"], "'RL' is not one of 'LR', 'TB'"),
        (["-o", "{tmp}/out.jpg"], "cannot tell the format from '.jpg'"),
        (["-o", "{tmp}/out"], "give --format (dot, svg, png, pdf, mermaid, drawio)"),
        (["-o", "{tmp}/out.png", "-f", "svg"], "--format svg does not match the extension '.png'"),
        (["-o", "{tmp}/missing/out.dot"], "does not exist"),
        (["-o", "{tmp}"], "is a directory"),
        (["--colour", "red"], "No such option '--colour'"),
    ],
)
def test_bad_options_exit_2_naming_what_is_allowed(capsys, tmp_path, args, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run_cli(capsys, "diagram", SCENARIO, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_bad_scenario_exits_2(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndata: {locaton: bigquery}\n")
    code, _, err = run_cli(capsys, "diagram", bad)
    assert code == 2 and "data.locaton: unknown key (did you mean 'location'?)" in err


def test_design_file_is_drawn_with_its_departures(capsys, tmp_path):
    design = tmp_path / "design.yaml"
    design.write_text(f"scenario_file: {SCENARIO}\ndesign:\n  approach: custom_training\n  monitoring: none\n")
    code, out, _ = run_cli(capsys, "diagram", design, "-f", "mermaid")
    assert code == 0 and "proposed design" in out and "approach: recommended" in out
    inline = tmp_path / "inline.yaml"
    inline.write_text("scenario: {name: inline, data: {location: bigquery}}\ndesign: {serving_mode: online}\n")
    assert run_cli(capsys, "diagram", inline)[0] == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenario_file: nowhere.yaml\ndesign: {aproach: automl}\n", "design.aproach: unknown dimension (did you mean 'approach'?)"),
        ("scenario_file: nowhere.yaml\ndesign: {approach: automll}\n", "design.approach: invalid choice 'automll' (did you mean 'automl'?)"),
        ("design: {approach: automl}\n", "required key is missing: scenario (inline) or scenario_file"),
        ("scenario_file: x.yaml\ndesign: {approach: automl}\nnotes: hi\n", ":3: notes: unknown key; allowed: name, description, scenario, scenario_file, design"),
        ("scenario_file: nowhere.yaml\ndesign: {approach: automl}\n", "no such scenario file 'nowhere.yaml'"),
    ],
)
def test_bad_design_files_exit_2_with_the_line(capsys, tmp_path, text, message):
    design = tmp_path / "design.yaml"
    design.write_text(text)
    code, _, err = run_cli(capsys, "diagram", design)
    assert code == 2 and message in err, err


def _without_graphviz(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH holds the Python interpreter but no `dot`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    return {**os.environ, "PATH": str(bin_dir)}


def test_image_formats_without_graphviz_exit_2_with_an_install_hint(tmp_path):
    env = _without_graphviz(tmp_path)
    for suffix in (".png", ".svg", ".pdf"):
        out = tmp_path / f"x{suffix}"
        result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "diagram", str(SCENARIO), "-o", str(out)],
                                capture_output=True, text=True, env=env)
        assert result.returncode == 2, result.stderr
        assert "Graphviz is not installed" in result.stderr and "apt-get install graphviz" in result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not out.exists()


def test_text_formats_work_without_graphviz(tmp_path):
    env = _without_graphviz(tmp_path)
    for suffix in (".dot", ".mmd", ".md"):
        out = tmp_path / f"x{suffix}"
        result = subprocess.run([sys.executable, str(ROOT / "cli.py"), "diagram", str(SCENARIO), "-o", str(out)],
                                capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 1000


def test_help_lists_the_command_and_its_choices(capsys):
    code, out, _ = run_cli(capsys, "diagram", "--help")
    assert code == 0 and "[dot|svg|png|pdf|mermaid|drawio]" in out and "[LR|TB]" in out
    code, out, _ = run_cli(capsys, "--help")
    assert "diagram" in out
