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
