#!/usr/bin/env python3
"""Measure the interview's search: choosing the next question and the sensitivity analysis
of each bundled scenario (targets, issue 14: 0.3 s and 0.5 s). A script, not a timed test.

Usage: .venv/bin/python benchmarks/sensitivity.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from mlarch.core.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlarch.analysis.sensitivity import analyse, rank_questions  # noqa: E402
from mlarch.core.engine import default_engine  # noqa: E402
from mlarch.core.scenario import Scenario, load_scenario  # noqa: E402


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    engine = default_engine()
    scenarios = [Scenario("empty", {})] + [load_scenario(p, vocab=load_vocabulary()) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    question, sensitivity, evaluations = [], [], []
    for s in scenarios:
        rec = engine.evaluate(s)
        question.append(best_of(lambda rec=rec: rank_questions(engine, rec), args.repeat))
        sensitivity.append(best_of(lambda rec=rec: analyse(engine, rec), args.repeat))
        evaluations.append(analyse(engine, rec).evaluations)
    print(f"{len(scenarios)} scenarios (the empty one and every bundled one), best of {args.repeat} runs each\n")
    print("| measure | median (s) | max (s) | target (s) |\n|---|---:|---:|---:|")
    print(f"| next question | {statistics.median(question):.3f} | {max(question):.3f} | 0.3 |")
    print(f"| sensitivity analysis | {statistics.median(sensitivity):.3f} | {max(sensitivity):.3f} | 0.5 |")
    print(f"\nevaluations per sensitivity analysis: median {statistics.median(evaluations):.0f}, max {max(evaluations)}")


if __name__ == "__main__":
    main()
