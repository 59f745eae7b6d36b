"""Generated reference pages are current, and the docs the issues ask for exist."""

from __future__ import annotations

import importlib.util

from .conftest import ROOT


def _gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "tools" / "gen_docs.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_generated_pages_are_current():
    for path, text in _gen_docs().generated().items():
        committed = (ROOT / path).read_text()
        assert committed == text, f"{path} is out of date: run tools/gen_docs.py"


def test_docs_exist():
    for page in ("rules.md", "resolution.md", "output.md", "vocabulary.md", "architecture.md", "scenarios.md", "dimensions.md"):
        assert (ROOT / "docs" / page).is_file(), page


def test_readme_example_is_real_output():
    """The README's example block must be a verbatim excerpt of today's output."""
    import re
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- readme-example:start -->\n```text\n(.*?)```\n<!-- readme-example:end -->", readme, re.S)
    assert block, "README lost its example block"
    excerpt = block.group(1)
    result = subprocess.run(
        [sys.executable, str(ROOT / "cli.py"), "recommend", str(ROOT / "scenarios" / "churn-bigquery-sql-team.yaml")],
        capture_output=True, text=True, check=True,
    )
    assert excerpt in result.stdout, "README example is out of date: paste the new output"


def test_readme_names_the_two_setup_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
