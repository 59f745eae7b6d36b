"""Golden DOT and Mermaid for every bundled scenario, and the gallery page
with its pictures, are current (regenerate with tools/gallery.py)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache

from .conftest import ROOT

HINT = "run .venv/bin/python tools/gallery.py"


@lru_cache(maxsize=1)
def gallery():
    spec = importlib.util.spec_from_file_location("gallery", ROOT / "tools" / "gallery.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@lru_cache(maxsize=1)
def generated() -> dict[str, str]:
    return gallery().texts()


def test_golden_dot_and_mermaid_are_byte_identical():
    stale = [path for path, text in generated().items() if not (ROOT / path).is_file() or (ROOT / path).read_text(encoding="utf-8") != text]
    assert stale == [], f"out of date: {stale[:5]} ({len(stale)} files); {HINT}"


def test_there_is_a_golden_and_a_picture_for_exactly_the_bundled_scenarios_and_designs():
    names = {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    names |= {f"design-{p.stem}" for p in (ROOT / "scenarios" / "designs").glob("*.yaml")}
    golden = ROOT / "tests" / "golden" / "diagram"
    assert {p.stem for p in golden.glob("*.dot")} == names, HINT
    assert {p.stem for p in golden.glob("*.mmd")} == names, HINT
    assert {p.stem for p in (ROOT / "docs" / "gallery").glob("*.svg")} == names, HINT


def test_every_picture_was_drawn_from_todays_dot():
    g = gallery()
    for path, text in generated().items():
        if path.endswith(".dot"):
            name = path.rsplit("/", 1)[-1][: -len(".dot")]
            svg = (ROOT / "docs" / "gallery" / f"{name}.svg").read_text(encoding="utf-8")
            assert g.stamped_hash(svg) == g.dot_hash(text), f"docs/gallery/{name}.svg is out of date; {HINT}"


def test_the_gallery_page_shows_every_scenario():
    page = (ROOT / "docs" / "gallery" / "README.md").read_text(encoding="utf-8")
    for p in (ROOT / "scenarios").glob("*.yaml"):
        assert f"![{p.stem}: recommended architecture]({p.stem}.svg)" in page
    for p in (ROOT / "scenarios" / "designs").glob("*.yaml"):
        assert f"![design-{p.stem}: proposed design](design-{p.stem}.svg)" in page
