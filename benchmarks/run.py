#!/usr/bin/env python3
"""Measure mlarch's speed: CLI start-to-answer, in-process evaluations per
second, and how both grow with 10x and 100x synthetic rules.

Usage: .venv/bin/python benchmarks/run.py [--quick] [--scales 1,10,100]

Synthetic rule bases clone every bundled rule N times with seeded random
changes to its literal values (another allowed enum value, a scaled number,
another subset), so the rule base keeps the bundled shape (dimensions,
chaining, operators, hard and soft verdicts) but tests different values.
This is a benchmark script, not a test: it prints a Markdown report.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlarch.core.conditions import to_data  # noqa: E402
from mlarch.core.engine import Engine  # noqa: E402
from mlarch.core.rulebook import load_rulebook, parse_rule_document  # noqa: E402
from mlarch.core.scenario import load_scenario  # noqa: E402
from mlarch.core.vocabulary import load_vocabulary  # noqa: E402
from mlarch.core.yamlio import Document  # noqa: E402
from mlarch.recommend.render import render  # noqa: E402

MLARCH = [str(Path(sys.executable).with_name("mlarch"))]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLE = ROOT / "scenarios" / "churn-bigquery-sql-team.yaml"


def mutate(cond: Any, rng: random.Random) -> Any:
    vocab = load_vocabulary()
    if cond == "always":
        return cond
    (key, value), = cond.items()
    if key in ("all", "any"):
        return {key: [mutate(c, rng) for c in value]}
    if key == "not":
        return {"not": mutate(value, rng)}
    (op, operand), = value.items()
    if op == "present":
        return cond
    if key.startswith("decision."):
        choices = list(vocab.dimensions[key.split(".", 1)[1]].choices)
        pool = choices
    else:
        spec = vocab.facts[key]
        pool = list(spec.values)
        if spec.type in ("number", "integer"):
            scale = rng.choice([0.5, 1, 2, 10])

            def num(x: Any) -> Any:
                y = x * scale
                return int(y) if spec.type == "integer" else y

            return {key: {op: [num(x) for x in operand] if isinstance(operand, list) else num(operand)}}
        if spec.type == "bool":
            return {key: {op: rng.choice([True, False])}}
        if spec.type == "string":
            return cond
        if spec.exclusive:
            pool = [v for v in pool if v not in spec.exclusive]
    if isinstance(operand, list):
        k = min(len(operand), len(pool))
        return {key: {op: rng.sample(pool, k)}}
    return {key: {op: rng.choice(pool)}}


def synthetic_rules(scale: int, target: Path) -> int:
    """Write `scale` mutated copies of every bundled rule into target/; return the count."""
    book = load_rulebook([ROOT / "rules"])
    rng = random.Random(20261126)
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for rule in book.rules:
        then: dict[str, Any] = {"dimension": rule.dimension, rule.verdict: list(rule.choices)}
        if rule.verdict in ("prefer", "require"):
            then[rule.verdict] = rule.choices[0]
        if not rule.hard:
            then["weight"] = rule.weight
        for k in range(scale):
            for _attempt in range(5):  # a mutation can contradict itself; try another
                when = to_data(rule.when) if k == 0 else mutate(to_data(rule.when), rng)
                entry = {
                    "id": rule.id if k == 0 else f"{rule.id}-synthetic-{k}",
                    "title": rule.title, "section": list(rule.sections), "docs": list(rule.docs),
                    "when": when, "then": then, "because": rule.because, "default": rule.default,
                    "examples": {"fires": [{}], "does_not_fire": [{}]} if when != "always" else {"fires": [{}]},
                }
                if not parse_rule_document(Document({"rules": [entry]}, "synthetic"))[1]:
                    break
            else:
                entry["when"] = to_data(rule.when)
            entries.append(entry)
    chunk = 200
    for i in range(0, len(entries), chunk):
        (target / f"synthetic-{i // chunk:04d}.yaml").write_text(yaml.safe_dump({"rules": entries[i:i + chunk]}, sort_keys=False))
    return len(entries)


def time_cli(args: list[str], runs: int, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(MLARCH + args, capture_output=True, env=env)
        out.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"mlarch {' '.join(args)} failed: {result.stderr.decode()[:500]}")
    return out


def evals_per_second(engine: Engine, seconds: float, with_render: bool) -> float:
    scenarios = [load_scenario(p) for p in SCENARIOS]
    count = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for s in scenarios:
            rec = engine.evaluate(s)
            if with_render:
                render(rec, "json")
            count += 1
    return count / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (for a smoke check)")
    parser.add_argument("--scales", default="1,10,100", help="synthetic multiples of the bundled rules")
    args = parser.parse_args()
    runs, seconds = (3, 1.0) if args.quick else (15, 5.0)
    scales = [int(s) for s in args.scales.split(",")]
    work = Path(tempfile.mkdtemp(prefix="mlarch-bench-"))
    env = dict(os.environ, MLARCH_CACHE_DIR=str(work / "cache"))
    # An installed mlarch has its bytecode compiled by pip; a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 (set on some CI images) would recompile every
    # module on every run and measure the compiler, not mlarch.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    print(f"# mlarch benchmark — {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"\nPython {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{len(SCENARIOS)} bundled scenarios; CLI runs: {runs}; timed loops: {seconds:.0f} s\n")
    print("| rules | load+validate (s) | compile (s) | rulesets | evaluations/s | evaluations/s with JSON | CLI warm cache (s, median) | CLI cold (s, median) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for scale in scales:
            folder = work / f"rules-x{scale}"
            count = synthetic_rules(scale, folder)
            start = time.perf_counter()
            book = load_rulebook([folder])
            load_s = time.perf_counter() - start
            start = time.perf_counter()
            engine = Engine(book)
            compile_s = time.perf_counter() - start
            eps = evals_per_second(engine, seconds, False)
            eps_json = evals_per_second(engine, seconds / 2, True)
            rulesets = engine.matcher.ruleset_count
            engine.close()
            cli_args = ["--rules", str(folder), "recommend", str(EXAMPLE), "--format", "json"]
            time_cli(cli_args, 1, env)  # fill the cache
            warm = statistics.median(time_cli(cli_args, runs, env))
            cold = statistics.median(time_cli(cli_args, max(3, runs // 5), dict(env, MLARCH_NO_CACHE="1")))
            print(f"| {count} | {load_s:.3f} | {compile_s:.3f} | {rulesets} | {eps:,.0f} | {eps_json:,.0f} | {warm:.3f} | {cold:.3f} |")
        bundled = time_cli(["recommend", str(EXAMPLE)], runs, env)
        print(f"\n`mlarch recommend {EXAMPLE.relative_to(ROOT)}` (bundled rules, warm cache): "
              f"median {statistics.median(bundled):.3f} s, min {min(bundled):.3f} s, max {max(bundled):.3f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
