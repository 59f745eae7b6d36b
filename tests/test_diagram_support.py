"""Shared helpers for the diagram tests (no tests here).

Hostile text: every character class that could break out of a DOT string,
an HTML-like label, SVG/XML or a Mermaid label, or render deceptively.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlarch.core.engine import Engine
from mlarch.core.rulebook import load_rulebook
from mlarch.core.scenario import Scenario, load_scenario, validate_mapping
from mlarch.core.vocabulary import load_vocabulary

from .conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
HOSTILE = (
    'Quote " apostrophe \' <script>alert(1)</script> & &amp; </TD></TR></TABLE>> ]; '
    "\\N \\G \\E \\\\ back\\slash\nsecond line\r\n%% comment\nend\n\"] --> x[\"y #quot; #35; `md` | pipe {curly} "
    "((round)) :::cls ℌ𝔢𝔩𝔩𝔬 日本語 \u202eevil\u202c zero\u200bwidth\x07bell"
)


def require_dot() -> None:
    """Skip without Graphviz, except under CI, where `make test` installs it."""
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz 'dot' is required in CI (make system-deps installs it)")
        pytest.skip("Graphviz 'dot' is not installed")


def dot_json(dot_source: str) -> dict:
    """What Graphviz itself parsed: nodes, edges and clusters with their attributes."""
    require_dot()
    result = subprocess.run(["dot", "-Tjson"], input=dot_source.encode(), capture_output=True, check=True)
    assert result.stderr == b"", result.stderr.decode()
    return json.loads(result.stdout)


def hostile_scenario() -> Scenario:
    return validate_mapping({
        "name": "hostile-text",
        "description": HOSTILE,
        "data": {"modality": "tabular", "location": "bigquery", "residency": HOSTILE[:300], "sensitive": ["pii"]},
        "serving": {"schedule": "on_request", "consumers": ["application"]},
    }, vocab=load_vocabulary())


def hostile_rules_dir(base: str) -> Path:
    """A rule base whose reason text is hostile (rule files are user input too)."""
    folder = Path(base)
    folder.mkdir(parents=True, exist_ok=True)
    because = HOSTILE.replace("\n", " ").replace("{", "(").replace("}", ")")
    (folder / "hostile.yaml").write_text(
        "rules:\n"
        "  - id: approach.hostile-reason\n"
        "    title: A rule whose reason is hostile text\n"
        '    section: "3.1"\n'
        "    docs: [https://cloud.google.com/vertex-ai/docs/start/training-methods]\n"
        "    when: always\n"
        "    then: {dimension: approach, prefer: custom_training, weight: 2}\n"
        f"    because: {json.dumps(because, ensure_ascii=False)}\n"
        "    examples:\n"
        "      fires: [{}]\n",
        encoding="utf-8",
    )
    return folder


def hostile_engine(tmp_path_factory) -> Engine:
    return Engine(load_rulebook([hostile_rules_dir(str(tmp_path_factory.mktemp("hostile-rules")))], load_vocabulary()))


def hostile_pins() -> dict[str, str]:
    """Pins that put the hostile residency text and the perimeter on the frame."""
    return {"network_security": "vpc_sc", "data_residency": "pinned_region", "encryption": "cmek",
            "privacy": "sensitive_data_protection", "orchestration": "vertex_ai_pipelines"}


def bundled(name: str) -> Scenario:
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml", vocab=load_vocabulary())
