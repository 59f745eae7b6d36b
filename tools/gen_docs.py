#!/usr/bin/env python3
"""Regenerate the reference pages in docs/ from the vocabulary and the rules.

Run after changing engine/core/vocabulary.yaml or the bundled rules:
    .venv/bin/python tools/gen_docs.py
tests/test_docs.py fails when a committed page is out of date.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlarch.core.engine import bundled_rulebook  # noqa: E402
from mlarch.core.lifecycle import AS_OF_ENV, EXAMPLES_AS_OF  # noqa: E402
from mlarch.core.vocabulary import STAGES, load_vocabulary  # noqa: E402
from mlarch.lint.registry import reference as lint_reference  # noqa: E402
from mlarch.rulebase.reference import dimension_reference, scenario_reference, stage_page  # noqa: E402

os.environ.setdefault(AS_OF_ENV, EXAMPLES_AS_OF)  # the generated pages judge deprecations as of this date


def generated() -> dict[str, str]:
    """Every generated page: path -> content."""
    vocab = load_vocabulary()
    pages = {
        "docs/scenarios.md": scenario_reference(vocab),
        "docs/dimensions.md": dimension_reference(vocab),
        "docs/lint.md": _between_markers(ROOT / "docs" / "lint.md", "lint-checks", lint_reference()),
    }
    book = bundled_rulebook()
    for stage in STAGES:
        pages[f"docs/stages/{stage}.md"] = stage_page(stage, book, vocab)
    return pages


def _between_markers(page: Path, name: str, text: str) -> str:
    """``page`` with the part between its ``<!-- name:start ... -->`` and ``<!-- name:end -->`` lines replaced."""
    lines = page.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"<!-- {name}:start"))
    end = next(i for i, line in enumerate(lines) if line.startswith(f"<!-- {name}:end"))
    return "".join(lines[: start + 1]) + text + "".join(lines[end:])


def main() -> int:
    for path, text in generated().items():
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
