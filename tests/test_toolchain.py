"""mlarch in other tools: the pre-commit hooks and the reusable GitHub workflow.

The hooks' manifest is checked by pre-commit itself and each hook's entry is
run on the files of this repository its ``files`` pattern selects; the
workflow is checked against the GitHub workflow schema (check-jsonschema's
bundled copy) and its review step's script is run here on the bundled designs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import ROOT
from .test_review_sarif import validator as sarif_validator

HOOKS = ROOT / ".pre-commit-hooks.yaml"
WORKFLOW = ROOT / ".github" / "workflows" / "mlarch-review.yml"
BIN = Path(sys.executable).parent


def repository_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*.y*ml")
                  if not any(part.startswith(".venv") or part in (".git", "build") for part in p.relative_to(ROOT).parts))


def hook(hook_id: str) -> dict:
    return next(h for h in yaml.safe_load(HOOKS.read_text()) if h["id"] == hook_id)


def run_entry(entry: str, files: list[str]) -> subprocess.CompletedProcess:
    """Run a hook the way pre-commit does: its entry, then the file names."""
    program, *args = shlex.split(entry)
    assert program == "mlarch"
    return subprocess.run([str(BIN / "mlarch"), *args, *files], cwd=ROOT, capture_output=True, text=True)


def test_pre_commit_accepts_the_manifest(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(HOOKS)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "hooks.yaml"
    broken.write_text(HOOKS.read_text().replace("language: python", "language: pythn", 1))
    bad = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(broken)], capture_output=True, text=True)
    assert bad.returncode != 0  # the check can fail


def test_the_validate_hook_selects_exactly_the_scenario_files_and_passes_on_them():
    h = hook("mlarch-validate")
    selected = [f for f in repository_files() if re.search(h["files"], f)]
    assert selected == sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml"))
    result = run_entry(h["entry"], selected)
    assert result.returncode == 0 and f"{len(selected)} scenario files valid" in result.stdout, result.stderr


def test_the_validate_hook_fails_a_broken_scenario(tmp_path):
    bad = tmp_path / "scenarios" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text("name: bad\ndata: {modality: tabualr}\n")
    assert re.search(hook("mlarch-validate")["files"], "scenarios/bad.yaml")
    result = run_entry(hook("mlarch-validate")["entry"], [str(bad)])
    assert result.returncode == 2 and "did you mean 'tabular'?" in result.stderr


def test_the_review_hook_selects_the_design_files_passes_clean_ones_and_fails_broken_ones():
    h = hook("mlarch-review")
    selected = [f for f in repository_files() if re.search(h["files"], f)]
    assert selected == sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios" / "designs").glob("*.yaml"))
    clean = run_entry(h["entry"], ["scenarios/designs/churn-bigquery-ml.yaml"])
    assert clean.returncode == 0, clean.stdout
    broken = run_entry(h["entry"], selected)
    assert broken.returncode == 1 and "error" in broken.stdout
    assert broken.stdout.count("mlarch review of ") == len(selected)


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _check_jsonschema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
                          capture_output=True, text=True)


def test_the_workflow_follows_githubs_workflow_schema(tmp_path):
    ok = _check_jsonschema(WORKFLOW)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"))
    assert _check_jsonschema(broken).returncode != 0  # the check can fail


def test_the_workflow_is_reusable_and_uploads_the_sarif_the_review_writes(workflow):
    trigger = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads `on` as true
    assert set(trigger) == {"workflow_call"}
    assert {"designs", "fail-on", "python-version", "install", "category"} <= set(trigger["workflow_call"]["inputs"])
    steps = workflow["jobs"]["review"]["steps"]
    assert workflow["jobs"]["review"]["permissions"]["security-events"] == "write"
    review = next(s for s in steps if s.get("id") == "review")
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert steps.index(review) < steps.index(upload)
    assert f"> {upload['with']['sarif_file']}" in review["run"] and "--format sarif" in review["run"]
    assert "${{" not in review["run"]  # inputs reach scripts through env, never spliced into them


def test_the_review_steps_script_reviews_and_writes_valid_sarif(workflow, tmp_path):
    review = next(s for s in workflow["jobs"]["review"]["steps"] if s.get("id") == "review")
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "scenarios", work / "scenarios")
    output = tmp_path / "github_output"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DESIGNS": "scenarios/designs/*.yaml",
           "FAIL_ON": "error", "GITHUB_OUTPUT": str(output)}
    result = subprocess.run(["bash", "-e", "-c", review["run"]], cwd=work, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert output.read_text().strip() == "status=1"  # bundled designs break hard rules: the last step fails the job
    log = json.loads((work / "mlarch-review.sarif").read_text())
    sarif_validator().validate(log)
    assert len(log["runs"][0]["artifacts"]) == len(list((work / "scenarios" / "designs").glob("*.yaml")))
    env["DESIGNS"] = "nothing/*.yaml"
    missing = subprocess.run(["bash", "-e", "-c", review["run"]], cwd=work, env=env, capture_output=True, text=True)
    assert missing.returncode == 2 and "no design file matches nothing/*.yaml" in missing.stdout
