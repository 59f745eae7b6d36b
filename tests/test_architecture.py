"""The package map of docs/architecture.md holds: features depend only on the core.

Every module of a feature package (recommend, rulebase, review, answer,
explain, adr, diagram, lint) may import the standard library, third-party
packages, ``mlarch`` itself (for ``__version__``), ``mlarch.core``,
``mlarch.analysis``, ``mlarch.cli.context`` (the shared command plumbing)
and its own package: never another feature. ``core`` imports nothing above
it; ``analysis`` imports only ``core``. Imports are read from the source
(every ``import`` statement, including those inside functions).
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "engine"
FEATURES = ("recommend", "rulebase", "review", "answer", "explain", "adr", "diagram", "lint", "interview")
LAYERS = ("core", "analysis", "cli", *FEATURES)


@functools.lru_cache(maxsize=None)
def _tree(source: str) -> ast.Module:
    """Each distinct source text parsed once: the probe tests re-read every file."""
    return ast.parse(source)


def _imports(path: Path) -> set[str]:
    """The mlarch modules a file imports, resolved to absolute names."""
    return set(_imports_of(str(path.relative_to(SOURCE).parent.as_posix()), path.read_text()))


@functools.lru_cache(maxsize=None)
def _imports_of(folder: str, source: str) -> frozenset[str]:
    package = "mlarch." + ".".join(Path(folder).parts)
    found: set[str] = set()
    for node in ast.walk(_tree(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "mlarch"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rstrip(".").split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] == "mlarch":
                found |= {f"{module}.{a.name}" if module.count(".") < 1 else module for a in node.names}
    return frozenset(found)


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def _allowed(owner: str, module: str) -> bool:
    layer = _layer(module)
    if layer is None or layer == owner:
        return True  # mlarch.__version__, or the package's own modules
    if owner == "core":
        return False
    if owner == "analysis":
        return layer == "core"
    if owner == "cli":
        return True  # the application wires every feature
    return layer in ("core", "analysis") or module.startswith("mlarch.cli.context")


def _violations() -> list[str]:
    out = []
    for path in sorted(SOURCE.rglob("*.py")):
        rel = path.relative_to(SOURCE)
        owner = rel.parts[0] if len(rel.parts) > 1 else None
        if owner not in LAYERS:
            continue
        out += [f"{rel}: imports {m}" for m in sorted(_imports(path)) if not _allowed(owner, m)]
    return out


def test_features_depend_only_on_the_core():
    assert _violations() == []


@pytest.mark.parametrize("source, owner, expected", [
    ("from mlarch.diagram import build_diagram", "review", False),
    ("from ..diagram.model import build_diagram", "review", False),
    ("import mlarch.lint.checks", "explain", False),
    ("from mlarch.core.engine import Engine", "review", True),
    ("from mlarch.analysis.domain import Domains", "lint", True),
    ("from mlarch.cli.context import pass_ctx", "adr", True),
    ("from mlarch.cli.app import cli", "adr", False),
    ("from mlarch.analysis import domain", "core", False),
    ("from mlarch.recommend.render import render", "analysis", False),
])
def test_the_boundary_check_catches_a_crossing(tmp_path, source, owner, expected):
    """The check itself can fail: a crossing written into a throw-away module is reported."""
    folder = SOURCE / owner
    probe = folder / "_boundary_probe.py"
    assert not probe.exists()
    probe.write_text(source + "\n")
    try:
        bad = [v for v in _violations() if "_boundary_probe" in v]
    finally:
        probe.unlink()
    assert (bad == []) == expected, bad


# ------------------------------------------------------------------ the vocabulary is passed in

# Only these modules may fetch the vocabulary: the CLI context (every command
# gets it from there), the Python API, and core/engine.py, whose Engine(vocab=None)
# default and bundled_rulebook() are the constructors' defaults. Everything else
# is given the vocabulary (or the engine, rule book or recommendation carrying it).
VOCABULARY_ENTRY_POINTS = ("cli/context.py", "api.py", "core/engine.py")


@functools.lru_cache(maxsize=None)
def _vocabulary_fetches(source: str) -> list[int]:
    """Lines that name ``load_vocabulary`` other than to import or define it (a call, or a
    reference such as ``default_factory=load_vocabulary``). Cached per source text: the
    callers only read the list."""
    return sorted({n.lineno for n in ast.walk(_tree(source))
                   if (isinstance(n, ast.Name) and n.id == "load_vocabulary")
                   or (isinstance(n, ast.Attribute) and n.attr == "load_vocabulary")})


def _global_vocabulary() -> list[str]:
    out = []
    for path in sorted(SOURCE.rglob("*.py")):
        rel = path.relative_to(SOURCE).as_posix()
        if rel not in VOCABULARY_ENTRY_POINTS:
            out += [f"{rel}:{line}" for line in _vocabulary_fetches(path.read_text())]
    return out


def test_only_entry_points_fetch_the_vocabulary():
    assert _global_vocabulary() == []


@pytest.mark.parametrize("source, fetches", [
    ("vocab = load_vocabulary()", True),
    ("def f(vocab=None):\n    return vocab or load_vocabulary()", True),
    ("from mlarch.core import vocabulary\nspec = vocabulary.load_vocabulary().facts", True),
    ("ORDER = field(default_factory=load_vocabulary)", True),
    ("from mlarch.core.vocabulary import load_vocabulary", False),
    ("vocab = engine.vocab", False),
    ('"""Only entry points call load_vocabulary()."""', False),
])
def test_the_vocabulary_check_catches_a_fetch(source, fetches):
    """The check itself can fail: a fetch in a feature module is reported, an import or a docstring is not."""
    assert bool(_vocabulary_fetches(source)) == fetches
    probe = SOURCE / "explain" / "_vocabulary_probe.py"
    assert not probe.exists()
    probe.write_text(source + "\n")
    try:
        found = [v for v in _global_vocabulary() if "_vocabulary_probe" in v]
    finally:
        probe.unlink()
    assert bool(found) == fetches, found
