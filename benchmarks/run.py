#!/usr/bin/env python3
"""Measure mlarch's speed: CLI start-to-answer, in-process evaluations per
second, and how both grow with 10x and 100x synthetic rules.

Usage: .venv/bin/python benchmarks/run.py [--quick] [--scales 1,10,100] [--cpu-clock]

Workloads (benchmarks/workloads.py): the bundled scenarios evaluated over and
over without the memo (each evaluation goes through durable-rules); 1,500
distinct scenarios (bundled ones with 4-8 facts changed) each evaluated once;
search variants (a dozen bundled scenarios with every fact changed to each
value worth trying, and random pairs, as why-not, what-if and lint make them)
each evaluated once with the memo; JSON rendering alone (the bundled
recommendations over and over, and 300 distinct ones each written once) and
evaluation plus JSON; and the pure-Python reference evaluator (benchmarks/reference.py).

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
from mlarch.core.vocabulary import load_vocabulary  # noqa: E402
from mlarch.core.yamlio import Document  # noqa: E402
from mlarch.recommend.render import render  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import workloads as W  # noqa: E402
from reference import Reference  # noqa: E402

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
    book = load_rulebook([ROOT / "rules"], load_vocabulary())
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
                if not parse_rule_document(Document({"rules": [entry]}, "synthetic"), load_vocabulary())[1]:
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


def rates(book: Any, seconds: float) -> dict[str, float]:
    """Every in-process workload's rate for one rule base (operations per second)."""
    bases = W.bundled_scenarios()
    out: dict[str, float] = {}
    with Engine(book, memo_size=0) as plain:
        for s in bases:  # rulesets are created on first use (the CLI columns count that): not in the loops
            plain.evaluate(s)
        out["bundled"] = W.rate(bases, plain.evaluate, seconds)
        distinct = W.distinct_scenarios(plain, bases, 1500)
        out["distinct_nomemo"] = W.rate(distinct, plain.evaluate, seconds, once=True)
        recs = [plain.evaluate(s) for s in bases]
        out["json_only"] = W.rate(recs, lambda r: render(r, "json"), seconds / 2)
        # each recommendation written once, so no decision text comes from the cache (serialize.py)
        out["json_first"] = W.rate([plain.evaluate(s) for s in distinct[:300]], lambda r: render(r, "json"), 0, once=True)
        out["eval_json"] = W.rate(bases, lambda s: render(plain.evaluate(s), "json"), seconds / 2)
        reference = Reference(plain)
        for s, rec in zip(bases, recs):  # a yardstick that disagreed would measure nothing
            fired, decisions = reference.evaluate(s)
            assert set(fired) == set(rec.fired) and {d: x.choice for d, x in decisions.items() if d in rec.decisions} == rec.choices, s.name
        out["reference"] = W.rate(bases, reference.evaluate, seconds)
        variants = W.variants(plain, bases[:12])
    with Engine(book) as memo:
        out["distinct"] = W.rate(distinct, memo.evaluate, seconds, once=True)
    with Engine(book) as memo:
        out["variants"] = W.rate(variants, memo.evaluate, seconds, once=True)
    return out


def cpu_times(args: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median CPU seconds (children's user+system) of the import floor and of ``mlarch ARGS``, interleaved."""
    floor_cmd = [sys.executable, "-c", "import click, pydantic, yaml, durable.engine"]
    floors, cpus = [], []
    for _ in range(runs):
        for cmd, out in ((floor_cmd, floors), (MLARCH + args, cpus)):
            before = os.times()
            subprocess.run(cmd, capture_output=True, env=env, check=True)
            after = os.times()
            out.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
    return statistics.median(floors), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (for a smoke check)")
    parser.add_argument("--scales", default="1,10,100", help="synthetic multiples of the bundled rules")
    parser.add_argument("--cpu-clock", action="store_true", help="in-process rates per CPU second (steadier on a shared machine)")
    args = parser.parse_args()
    if args.cpu_clock:
        W.CLOCK = time.process_time
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
    print(f"{len(SCENARIOS)} bundled scenarios; CLI runs: {runs}; timed loops: {seconds:.0f} s; "
          f"in-process rates per {'CPU' if args.cpu_clock else 'wall-clock'} second\n")
    print("| rules | load+validate (s) | compile (s) | rulesets | bundled, no memo (eval/s) | distinct, no memo | distinct | variants | reference (pure Python) | JSON render only (/s) | JSON first render (/s) | evaluate + JSON (/s) | CLI warm (s, median) | CLI cold (s, median) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        for scale in scales:
            folder = work / f"rules-x{scale}"
            count = synthetic_rules(scale, folder)
            start = time.perf_counter()
            book = load_rulebook([folder], load_vocabulary())
            load_s = time.perf_counter() - start
            start = time.perf_counter()
            engine = Engine(book)
            compile_s = time.perf_counter() - start
            rulesets = engine.matcher.ruleset_count
            engine.close()
            r = rates(book, seconds)
            # start-up and scale: the analysis --no-sensitivity skips is a search, measured below
            cli_args = ["--rules", str(folder), "recommend", str(EXAMPLE), "--format", "json", "--no-sensitivity"]
            time_cli(cli_args, 1, env)  # fill the cache
            warm = statistics.median(time_cli(cli_args, runs, env))
            cold = statistics.median(time_cli(cli_args, max(3, runs // 5), dict(env, MLARCH_NO_CACHE="1")))
            print(f"| {count} | {load_s:.3f} | {compile_s:.3f} | {rulesets} | {r['bundled']:,.0f} | {r['distinct_nomemo']:,.0f} | "
                  f"{r['distinct']:,.0f} | {r['variants']:,.0f} | {r['reference']:,.0f} | {r['json_only']:,.0f} | {r['json_first']:,.0f} | {r['eval_json']:,.0f} | "
                  f"{warm:.3f} | {cold:.3f} |")
        for extra in (["--no-sensitivity"], []):
            args = ["recommend", str(EXAMPLE), *extra]
            bundled = time_cli(args, runs, env)
            print(f"\n`mlarch {' '.join(args[:1] + extra)} {EXAMPLE.relative_to(ROOT)}` (bundled rules, warm cache): "
                  f"median {statistics.median(bundled):.3f} s, min {min(bundled):.3f} s, max {max(bundled):.3f} s")
            floor, cpu = cpu_times(args, runs, env)
            print(f"CPU time (user+system, median): `mlarch {' '.join(args[:1] + extra)}` {cpu:.3f} s; "
                  f"`python -c \"import click, pydantic, yaml, durable.engine\"` {floor:.3f} s; ratio {cpu / floor:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
