"""Shared fixtures and the hypothesis profiles.

Profiles: ``ci`` (default) is derandomized, so CI runs are reproducible and
never flaky, and runs a sample (a quarter) of each property test's examples,
the default lane's budget; ``full`` is ``ci`` at the counts the tests name, the
full lane (``make test-slow``: ``HYPOTHESIS_PROFILE=full pytest -m 'slow or
hypothesis'``, which CI runs too); ``thorough`` explores 10x the full counts with
random seeds, for local and scheduled runs: ``HYPOTHESIS_PROFILE=thorough pytest``.
The counts are scaled by ``tests.strategies.scaled``.
"""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from mlarch.cli.app import GC_THRESHOLD
from mlarch.core.engine import Engine, bundled_rulebook
from mlarch.core.lifecycle import EXAMPLES_AS_OF
from mlarch.core.rulebook import load_rulebook
from mlarch.core.vocabulary import load_vocabulary

# Tests never touch the user's cache: a throw-away folder for this session.
os.environ.setdefault("MLARCH_CACHE_DIR", tempfile.mkdtemp(prefix="mlarch-test-cache-"))
# The run date deprecations are judged against (issue 17, docs/testing.md): fixed, so
# goldens and expected texts do not change with the calendar. Tests of the date
# itself pass --as-of or as_of explicitly.
os.environ["MLARCH_AS_OF"] = EXAMPLES_AS_OF

# The collector settings of the `mlarch` console script (engine/cli/app.py `run`): the
# in-process CLI runs here then behave as the command does, and the suite's large
# long-lived heap (session engines, memos) is not walked every 700 allocations.
gc.set_threshold(*GC_THRESHOLD)

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("full", derandomize=True, print_blob=True)  # the counts as written
settings.register_profile("thorough", print_blob=True)  # tests scale their full counts 10x
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def bundled_engine():
    engine = Engine(bundled_rulebook())
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def fixture_engine():
    """An engine over the small, stable rule set in tests/fixtures/rules."""
    engine = Engine(load_rulebook([FIXTURES / "rules"], load_vocabulary()))
    yield engine
    engine.close()


def lane_sample(values: list, every: int = 3) -> list:
    """Values for ``parametrize`` over a large matrix (every scenario times every check):
    every ``every``-th one runs in the default lane, the others are marked ``slow``, so
    ``make test-slow`` (and CI) still runs them all (docs/testing.md). A tuple is one case
    of several parameters (``parametrize("a,b", ...)``)."""
    return [pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=() if i % every == 0 else pytest.mark.slow)
            for i, v in enumerate(values)]


def run_cli(capsys, *args: object) -> tuple[int, str, str]:
    """Run the CLI in-process (as `mlarch ARGS...`): exit status, stdout, stderr."""
    from mlarch.cli.app import main

    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
