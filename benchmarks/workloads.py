"""The workloads benchmarks/run.py times: distinct scenarios, search variants,
JSON output, and the pure-Python reference evaluator (benchmarks/reference.py).

Each function returns operations per second over a timed loop.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from mlarch.analysis.domain import Domains
from mlarch.core.engine import Engine
from mlarch.core.scenario import Scenario, load_scenario
from mlarch.core.serialize import to_dict
from mlarch.core.vocabulary import load_vocabulary

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def bundled_scenarios() -> list[Scenario]:
    return [load_scenario(p, vocab=load_vocabulary()) for p in SCENARIOS]


def rate(items: Sequence[Any], work: Callable[[Any], object], seconds: float, once: bool = False) -> float:
    """Items per second: loop over ``items`` for ``seconds`` (``once``: a single pass)."""
    count = 0
    start = time.perf_counter()
    while True:
        for item in items:
            work(item)
            count += 1
        if once or time.perf_counter() - start >= seconds:
            break
    return count / (time.perf_counter() - start)


def variants(engine: Engine, bases: Iterable[Scenario], pairs_per_base: int = 150, seed: int = 16) -> list[Scenario]:
    """Variants of each base that differ in one or two facts, as why-not, what-if
    and lint make them: every fact set to each value worth trying (the values
    on both sides of every rule threshold) or removed, then random pairs."""
    domains = Domains(engine.vocab, engine.rulebook.rules)
    facts = [f for f, spec in engine.vocab.facts.items() if spec.group is not None and spec.type != "string"]
    rng = random.Random(seed)
    out: list[Scenario] = []
    for base in bases:
        singles = [(f, v) for f in facts for v in [None, *domains.sample_values(f)] if base.get(f) != v]
        out += [base.with_facts({f: v}, load_vocabulary()) for f, v in singles]
        for _ in range(pairs_per_base):
            (f1, v1), (f2, v2) = rng.sample(singles, 2)
            if f1 != f2:
                out.append(base.with_facts({f1: v1, f2: v2}, load_vocabulary()))
    return out


def distinct_scenarios(engine: Engine, bases: Sequence[Scenario], count: int, seed: int = 26) -> list[Scenario]:
    """``count`` different scenarios: each a bundled one with 4-8 random facts changed."""
    domains = Domains(engine.vocab, engine.rulebook.rules)
    facts = [f for f, spec in engine.vocab.facts.items() if spec.group is not None and spec.type != "string"]
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[Scenario] = []
    while len(out) < count:
        base = rng.choice(bases)
        changes = {f: rng.choice([None, *domains.sample_values(f)]) for f in rng.sample(facts, rng.randint(4, 8))}
        s = base.with_facts(changes, load_vocabulary())
        key = json.dumps(s.to_nested(), sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def json_render(rec: Any) -> str:
    from mlarch.recommend.render import render

    return render(rec, "json")


def to_json(rec: Any) -> str:
    return json.dumps(to_dict(rec), indent=2, ensure_ascii=False)
