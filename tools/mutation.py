"""Mutation check of the rule base: would the test suite notice a wrong rule?

Each mutant changes one rule in one way, as a plausible slip of a rule
author would (docs/testing.md lists the operators):

* flip a comparison: ``lt`` <-> ``gte``, ``eq`` <-> ``ne``, ``in`` <->
  ``not_in``, ``contains`` -> ``contains_none``, ``present`` true <-> false,
  ``not:`` removed, a boolean value flipped;
* change a value: an enum value to the next one, a threshold doubled;
* drop a condition: one key of a mapping, one item of ``all``/``any``, one
  operator of several on a fact (the only condition -> ``always``);
* change a conclusion: another choice, ``prefer`` <-> ``avoid``,
  ``require`` <-> ``forbid``, a different weight.

For each mutant the tests that could notice it run in-process, cheapest
first, and the first that fails kills it: the mutated rule's own examples;
the bundled scenarios' ``expect:`` blocks and "every decision rests on a
rule" (tests/test_bundled.py); the golden outputs, rule-set version aside;
the diagram goldens of every bundled scenario and design
(tests/test_diagram_golden.py); the exam questions with an answer key
(tests/test_answer.py); the examples of rules in the dimensions that depend
on the mutated one; and the property checks (engine/lint/invariants.py) on
a fixed sample of scenarios plus scenarios aimed at the mutated rule,
counting only violations the unmutated rules do not already have. Only
tests that pass on the unmutated rules count.

A survivor is then compared with the original on many more scenarios:
"equivalent" when its condition is proved equivalent over the finite
domains or no scenario shows any difference; otherwise "live", with the
scenario that shows the difference (a test the suite is missing).

Usage (from the repository root)::

    .venv/bin/python tools/mutation.py                  # every mutant, 2 processes
    .venv/bin/python tools/mutation.py --jobs 4 --json mutation.json
    .venv/bin/python tools/mutation.py --sample 300 --seed 1   # a quicker estimate
    .venv/bin/python tools/mutation.py --rule privacy.   # rules whose id starts so
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import random
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlarch.analysis.domain import Domains  # noqa: E402
from mlarch.analysis.sampling import Sampler, make_scenario, seed_scenarios  # noqa: E402
from mlarch.core import yamlio  # noqa: E402
from mlarch.core.conditions import All, Not, to_dnf  # noqa: E402
from mlarch.core.engine import Engine, Recommendation  # noqa: E402
from mlarch.core.evaluate import holds, literal_holds  # noqa: E402
from mlarch.core.examples import rule_fires  # noqa: E402
from mlarch.core.paths import bundled_rules_dir, bundled_scenarios_dir  # noqa: E402
from mlarch.core.rulebook import Rule, RuleBook, parse_rule_document, rule_files  # noqa: E402
from mlarch.core.scenario import Scenario, load_scenario, validate_mapping  # noqa: E402
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary, load_vocabulary  # noqa: E402
from mlarch.lint import invariants as inv  # noqa: E402
from mlarch.lint.spec import bundled_invariants  # noqa: E402
from mlarch.recommend.render import render  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
SCENARIOS = ROOT / "scenarios" if (ROOT / "scenarios").is_dir() else bundled_scenarios_dir()  # of this checkout, like the goldens
RULES = ROOT / "rules" if (ROOT / "rules").is_dir() else bundled_rules_dir()
PLACEHOLDER_RE = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")
FLIP = {"lt": "gte", "gte": "lt", "lte": "gt", "gt": "lte", "eq": "ne", "ne": "eq", "in": "not_in", "not_in": "in",
        "contains_any": "contains_none", "contains_none": "contains_any", "contains_all": "contains_any"}
COMBINATORS = ("all", "any", "not")
OPERATORS = ("flip", "value", "drop", "choice", "verdict", "weight")


# ------------------------------------------------------------------ mutants


@dataclass
class Mutant:
    key: str  # rule id #n
    rule: str
    operator: str  # one of OPERATORS
    description: str
    entry: dict[str, Any] = field(repr=False)


def _leaves(cond: Any, path: tuple = ()) -> Iterator[tuple[tuple, str, Any]]:
    """(path to the mapping, ref, test) for every fact or decision test in a condition."""
    if not isinstance(cond, dict):
        return
    for key, value in cond.items():
        if key in ("all", "any"):
            for i, item in enumerate(value):
                yield from _leaves(item, path + (key, i))
        elif key == "not":
            yield from _leaves(value, path + ("not",))
        else:
            yield path, key, value


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def _next(values: Sequence[Any], current: Any, avoid: Sequence[Any] = ()) -> Any:
    pool = [v for v in values if v != current and v not in avoid]
    if not pool:
        return None
    order = list(values)
    after = [v for v in pool if current in order and order.index(v) > order.index(current)]
    return (after or pool)[0]


def _allowed(vocab: Vocabulary, ref: str) -> list[Any]:
    if ref.startswith(DECISION_PREFIX):
        return list(vocab.dimensions[ref[len(DECISION_PREFIX):]].choices)
    spec = vocab.facts[ref]
    return [True, False] if spec.type == "bool" else list(spec.values)


def mutants_of(entry: Mapping[str, Any], vocab: Vocabulary) -> list[Mutant]:
    """Every mutant of one rule (as YAML data), in a fixed order."""
    rid = entry["id"]
    out: list[Mutant] = []

    def add(operator: str, description: str, change: Any) -> None:
        mutated = copy.deepcopy(dict(entry))
        if change(mutated) is not False:
            out.append(Mutant(f"{rid}#{len(out)}", rid, operator, description, mutated))

    when = entry.get("when")
    leaves = list(_leaves(when)) if isinstance(when, dict) else []
    for path, ref, test in leaves:
        ops = test if isinstance(test, dict) else {"eq": test}
        shorthand = not isinstance(test, dict)
        for op, operand in ops.items():
            def set_test(m: dict, new_op: str, new_operand: Any, _p=path, _r=ref, _op=op) -> None:
                target = _get(m["when"], _p)
                tests = dict(target[_r]) if isinstance(target[_r], dict) else {"eq": target[_r]}
                del tests[_op]
                tests[new_op] = new_operand
                target[_r] = tests

            # flip a comparison
            if op == "present":
                add("flip", f"{ref}: present {operand} -> {not operand}", lambda m, o=operand: set_test(m, "present", not o))
            elif isinstance(operand, bool):
                add("flip", f"{ref}: {operand} -> {not operand}", lambda m, o=operand, s=shorthand, p=path, r=ref, op_=op: (
                    _get(m["when"], p).__setitem__(r, not o) if s else set_test(m, op_, not o)))
            elif op == "contains":
                add("flip", f"{ref}: contains {operand} -> contains_none [{operand}]", lambda m, o=operand: set_test(m, "contains_none", [o]))
            elif op in FLIP:
                add("flip", f"{ref}: {op} -> {FLIP[op]}", lambda m, o=operand, op_=op: set_test(m, FLIP[op_], o))
            # change a value
            if op in ("lt", "lte", "gt", "gte") or (op in ("eq", "ne") and isinstance(operand, (int, float)) and not isinstance(operand, bool)):
                new = operand * 2 if operand else 1
                add("value", f"{ref}: {op} {operand} -> {new}", lambda m, n=new, op_=op: set_test(m, op_, n))
            elif op in ("eq", "ne", "contains") and isinstance(operand, str):
                new = _next(_allowed(vocab, ref), operand) if not ref.startswith("data.residency") else None
                if new is not None:
                    add("value", f"{ref}: {operand} -> {new}", lambda m, n=new, op_=op: set_test(m, op_, n))
            elif isinstance(operand, list) and operand and all(isinstance(v, str) for v in operand):
                new = _next(_allowed(vocab, ref), operand[0], avoid=operand)
                if new is not None:
                    add("value", f"{ref}: {op} {operand[0]} -> {new}", lambda m, n=new, o=operand, op_=op: set_test(m, op_, [n] + list(o[1:])))
            # drop one of several operators on one fact
            if len(ops) > 1:
                def drop_op(m: dict, _p=path, _r=ref, _op=op) -> None:
                    del _get(m["when"], _p)[_r][_op]
                add("drop", f"{ref}: drop {op}", drop_op)
    # drop a condition: a key of a mapping, an item of all/any; 'not' removed (a flip)
    for path in sorted({p for p, _, _ in leaves} | _combinator_paths(when), key=str):
        node = _get(when, path)
        if not isinstance(node, dict):
            continue
        for key in list(node):
            if key in ("all", "any") and len(node[key]) > 1:
                for i in range(len(node[key])):
                    def drop_item(m: dict, _p=path, _k=key, _i=i) -> None:
                        del _get(m["when"], _p)[_k][_i]
                    add("drop", f"{'/'.join(map(str, path + (key,)))}: drop item {i}", drop_item)
            if key == "not":
                def unnegate(m: dict, _p=path) -> None:
                    target = _get(m["when"], _p)
                    inner = target.pop("not")
                    for k, v in inner.items():
                        if k in target:
                            return False
                        target[k] = v
                add("flip", f"{'/'.join(map(str, path)) or 'when'}: remove not", unnegate)
            if len(node) > 1:
                def drop_key(m: dict, _p=path, _k=key) -> None:
                    del _get(m["when"], _p)[_k]
                add("drop", f"{'/'.join(map(str, path)) or 'when'}: drop {key}", drop_key)
    if leaves and len(leaves) == 1 and not _combinator_paths(when) - {()}:
        add("drop", "when -> always", lambda m: m.__setitem__("when", "always"))
    # change the conclusion
    then = entry.get("then", {})
    dim = then.get("dimension")
    choices = list(vocab.dimensions[dim].choices) if dim in vocab.dimensions else []
    verdict = next((v for v in ("prefer", "avoid", "require", "forbid") if v in then), None)
    if verdict and choices:
        named = then[verdict] if isinstance(then[verdict], list) else [then[verdict]]
        other = _next(choices, named[0], avoid=named)
        if other is not None:
            new_value = other if verdict in ("prefer", "require") else [other] + named[1:]
            add("choice", f"{verdict} {named[0]} -> {other}", lambda m, v=new_value: m["then"].__setitem__(verdict, v))
        flipped = {"prefer": "avoid", "avoid": "prefer", "require": "forbid", "forbid": "require"}[verdict]

        def flip_verdict(m: dict) -> None:
            t = m["then"]
            value = t.pop(verdict)
            first = value[0] if isinstance(value, list) else value
            t[flipped] = [first] if flipped in ("avoid", "forbid") else first
        add("verdict", f"{verdict} {named[0]} -> {flipped}", flip_verdict)
        weight = then.get("weight")
        if isinstance(weight, int):
            new_weight = 1 if weight >= 3 else min(10, weight + 5)
            add("weight", f"weight {weight} -> {new_weight}", lambda m, w=new_weight: m["then"].__setitem__("weight", w))
    return out


def _combinator_paths(cond: Any, path: tuple = ()) -> set[tuple]:
    """Paths of every mapping in a condition (the places something can be dropped)."""
    out: set[tuple] = set()
    if isinstance(cond, dict):
        out.add(path)
        for key, value in cond.items():
            if key in ("all", "any"):
                for i, item in enumerate(value):
                    out |= _combinator_paths(item, path + (key, i))
            elif key == "not":
                out |= _combinator_paths(value, path + ("not",))
    return out


# ------------------------------------------------------------------ the suite, in-process


@dataclass
class Outcome:
    key: str
    rule: str
    operator: str
    description: str
    status: str  # killed | survived | invalid
    killed_by: str = ""
    detail: str = ""
    equivalence: str = ""  # for survivors: proved | no-difference | reasons-only | live
    scenario: dict[str, Any] | None = None


@dataclass
class Base:
    """One evaluation with the unmutated rules, kept to compare mutants with."""

    scenario: Scenario
    pinned: Mapping[str, str]
    rec: Recommendation
    values: dict[str, Any]  # facts and decisions, as conditions see them

    @classmethod
    def of(cls, engine: Engine, scenario: Scenario, pinned: Mapping[str, str] | None = None) -> "Base":
        rec = engine.evaluate(scenario, pinned)
        return cls(scenario, dict(pinned or {}), rec, inv.values_of(rec))


class Suite:
    """Everything the checks need, computed once per worker from the unmutated rules.

    A mutant differs from the original rule base in one rule of one
    dimension, so it can only change an evaluation where the original rule
    fired or the mutated one would (its condition holds on the same facts
    and earlier decisions, and its dimension applies): everywhere else the
    mutant's result is the original's, and is not recomputed.
    """

    def __init__(self, rule_paths: Sequence[Path], samples: int) -> None:
        self.vocab = load_vocabulary()
        self.invariants = bundled_invariants(load_vocabulary())
        rules: list[Rule] = []
        for file in [f for p in rule_paths for f in (rule_files(p) if p.is_dir() else [p])]:
            doc = yamlio.load(file)
            found, problems = parse_rule_document(doc, load_vocabulary(), self.vocab)
            if problems:
                raise SystemExit(f"{file}: the rules must load before they can be mutated ({problems[0].message})")
            rules += found
        self.book = RuleBook(tuple(sorted(rules, key=lambda r: r.id)))
        self.engine = Engine(self.book, self.vocab)
        self.domains = Domains(self.vocab, self.book.rules)
        self.downstream = self._downstream()
        # the bundled scenarios: expectations, "every decision rests on a rule", goldens (those that pass now)
        self.scenarios = [Base.of(self.engine, load_scenario(p, vocab=load_vocabulary())) for p in sorted(SCENARIOS.glob("*.yaml"))]
        self.expect_ok = {b.scenario.name for b in self.scenarios if all(b.rec.choices.get(d) == c for d, c in b.scenario.expect.items())}
        self.rests_ok = {b.scenario.name for b in self.scenarios if _rests_on_rules(b.rec)}
        self.goldens: dict[tuple[str, str], str] = {}
        for b in self.scenarios:
            for fmt, ext in (("json", "json"), ("text", "txt")):
                path = GOLDEN / f"{b.scenario.name}.{ext}"
                if path.exists() and path.read_text() == render(b.rec, fmt):
                    self.goldens[(b.scenario.name, fmt)] = path.read_text()
        # diagram goldens of every bundled scenario and example design (tests/test_diagram_golden.py)
        self.diagrams: list[tuple[str, list[Base], Any, dict[str, str]]] = []  # name, evaluations, design choices, golden texts
        for b in self.scenarios:
            self._add_diagram(b.scenario.name, [b], None)
        for path in sorted((SCENARIOS / "designs").glob("*.yaml")):
            design = _optional("mlarch.core.designs", "load_design", path, self.vocab)
            if design is not None:
                self._add_diagram(f"design-{path.stem}", [Base.of(self.engine, design.scenario), Base.of(self.engine, design.scenario, design.choices)], design.choices)
        # exam questions with an answer key (tests/test_answer.py), with every evaluation answering one makes
        self.questions: list[tuple[Any, list[Base]]] = []
        for path in sorted((SCENARIOS / "questions").glob("*.yaml")):
            question = _optional("mlarch.answer.model", "load_question", path, self.vocab)
            if question is None or not question.expect or not _answered_right(self.engine, question):
                continue
            bases = [Base.of(self.engine, question.scenario)] + [Base.of(self.engine, question.scenario, d.choices) for d in question.options.values()]
            self.questions.append((question, bases))
        # regression cases found by earlier mutation runs (tests/test_regression.py), those that hold now
        self.regressions: list[tuple[Base, dict[str, Any]]] = []
        regression_file = ROOT / "tests" / "regression" / "decisions.yaml"
        if regression_file.exists():
            for case in yaml.safe_load(regression_file.read_text()).get("cases", []):
                base = Base.of(self.engine, validate_mapping({"name": "regression", **case["scenario"]}, vocab=load_vocabulary()))
                if all(base.rec.choices.get(d) == c for d, c in case["expect"].items()):
                    self.regressions.append((base, case["expect"]))
        # every rule example, evaluated as `mlarch test` does, and whether it passes now
        self.examples: list[tuple[Rule, str, int, Base, bool]] = []
        for r in self.book.rules:
            for kind, items in (("fires", r.fires), ("does_not_fire", r.does_not_fire)):
                for i, ex in enumerate(items):
                    base = Base.of(self.engine, ex.scenario, ex.pinned)
                    ok = (r.id in base.rec.fired and r.dimension in base.rec.decisions) == (kind == "fires")
                    self.examples.append((r, kind, i, base, ok))
        # the property sample, with the violations the unmutated rules already have there
        seeds = seed_scenarios(self.book, load_vocabulary(), SCENARIOS)
        sampler = Sampler(self.vocab, self.domains, seeds, seed=0)
        self.sample = [Base.of(self.engine, s) for s in seeds + list(sampler.scenarios(samples))]
        self.known: dict[int, set[str]] = {}
        self.extra = [Base.of(self.engine, s) for s in Sampler(self.vocab, self.domains, seeds, seed=1).scenarios(1000)]
        self.baseline = {  # the tests that pass on the unmutated rules, and so can kill a mutant
            "rules": len(self.book.rules),
            "examples passing": sum(ok for *_, ok in self.examples),
            "examples": len(self.examples),
            "scenarios with expectations holding": len(self.expect_ok),
            "golden outputs current": len(self.goldens),
            "diagram goldens current": len(self.diagrams),
            "exam questions answered right": len(self.questions),
            "regression cases holding": len(self.regressions),
            "property sample": len(self.sample),
        }

    def _add_diagram(self, name: str, bases: list[Base], design: Mapping[str, str] | None) -> None:
        texts = _diagram_texts(bases, design)
        goldens = {ext: GOLDEN / "diagram" / f"{name}.{ext}" for ext in ("dot", "mmd")}
        if texts is not None and all(goldens[ext].is_file() and goldens[ext].read_text(encoding="utf-8") == texts[ext] for ext in goldens):
            self.diagrams.append((name, bases, design, texts))

    def _downstream(self) -> dict[str, set[str]]:
        """dimension -> itself and every dimension that (transitively) depends on it."""
        deps = self.engine.plan.depends_on
        out: dict[str, set[str]] = {}
        for dim in self.vocab.dimensions:
            found = {dim}
            changed = True
            while changed:
                changed = False
                for other, needs in deps.items():
                    if other not in found and needs & found:
                        found.add(other)
                        changed = True
            out[dim] = found
        return out

    def _violations(self, rec: Recommendation, engine: Engine) -> set[str]:
        found = (inv.totality(self.vocab, rec) + inv.hard_rules_kept(engine, rec) + inv.constraints_kept(self.invariants, rec)
                 + inv.coherent(self.invariants, rec) + inv.faithful(rec))
        return {str(v) for v in found}

    def _known(self, i: int) -> set[str]:
        if i not in self.known:
            self.known[i] = self._violations(self.sample[i].rec, self.engine)
        return self.known[i]

    @staticmethod
    def affected(original: Rule, mutated: Rule, base: Base) -> bool:
        """Could the mutant change this evaluation? Only if either version of the rule fires in it."""
        if original.id in base.rec.fired:
            return True
        return mutated.dimension in base.rec.decisions and holds(mutated.when, base.values)

    # -------------------------------------------------------------- one mutant

    def run(self, mutant: Mutant) -> Outcome:
        out = Outcome(mutant.key, mutant.rule, mutant.operator, mutant.description, "survived")
        rules, problems = parse_rule_document(yamlio.Document({"rules": [mutant.entry]}, "<mutant>"), load_vocabulary(), self.vocab)
        if problems and all("placeholder" in p.message for p in problems):
            # a dropped condition whose fact the reason quotes: the author would keep the text, so keep it as plain words
            untested = {m.group(1) for p in problems for m in PLACEHOLDER_RE.finditer(p.message)}
            text = PLACEHOLDER_RE.sub(lambda m: m.group(1) if m.group(1) in untested else m.group(0), mutant.entry["because"])
            entry = dict(mutant.entry, because=text)
            rules, problems = parse_rule_document(yamlio.Document({"rules": [entry]}, "<mutant>"), load_vocabulary(), self.vocab)
        if problems or not rules:
            out.status, out.detail = "invalid", problems[0].message if problems else "did not load"
            return out
        (mutated,) = rules
        original = self.book.get(mutant.rule)
        assert original is not None
        book = RuleBook(tuple(sorted([r for r in self.book.rules if r.id != mutant.rule] + [mutated], key=lambda r: r.id)))
        try:
            engine = Engine(book, self.vocab)
        except Exception as exc:  # noqa: BLE001 - a dependency cycle or an engine limit: the loader's job
            out.status, out.detail = "invalid", f"{type(exc).__name__}: {exc}"
            return out
        try:
            killer = self._kill(engine, original, mutated)
            if killer:
                out.status, (out.killed_by, out.detail) = "killed", killer
            else:
                self._classify(engine, original, mutated, out)
        finally:
            engine.close()
        return out

    def _kill(self, engine: Engine, original: Rule, rule: Rule) -> tuple[str, str] | None:
        # 1. the rule's own examples
        for kind, items in (("fires", rule.fires), ("does_not_fire", rule.does_not_fire)):
            for i, ex in enumerate(items):
                ok = next((o for r, k, j, _, o in self.examples if r.id == rule.id and k == kind and j == i), False)
                if ok and rule_fires(engine, rule, ex) != (kind == "fires"):
                    return "rule examples", f"{rule.id} examples.{kind}[{i}]"
        # 2. scenario expectations, every decision resting on a rule; 3. goldens
        for b in self.scenarios:
            if not self.affected(original, rule, b):
                continue
            rec = engine.evaluate(b.scenario)
            name = b.scenario.name
            if name in self.expect_ok:
                wrong = {d: rec.choices.get(d) for d, c in b.scenario.expect.items() if rec.choices.get(d) != c}
                if wrong:
                    return "scenario expectations", f"{name}: {wrong}"
            if name in self.rests_ok and not _rests_on_rules(rec):
                return "scenario expectations", f"{name}: a decision no longer rests on a rule"
            for fmt in ("json", "text"):
                golden = self.goldens.get((name, fmt))
                if golden is not None and _without_version(render(rec, fmt)) != _without_version(golden):
                    return "golden outputs", f"{name}.{fmt}"
        # 3b. diagram goldens; 3c. exam questions answered right
        for name, bases, design, texts in self.diagrams:
            if any(self.affected(original, rule, b) for b in bases):
                recs = [Base(b.scenario, b.pinned, engine.evaluate(b.scenario, b.pinned), {}) for b in bases]
                if _diagram_texts(recs, design) != texts:
                    return "diagram goldens", name
        for question, bases in self.questions:
            if any(self.affected(original, rule, b) for b in bases) and not _answered_right(engine, question):
                return "exam questions", question.name
        # 3d. regression cases found by earlier runs
        for b, expect in self.regressions:
            if self.affected(original, rule, b):
                rec = engine.evaluate(b.scenario)
                if any(rec.choices.get(d) != c for d, c in expect.items()):
                    return "regression cases", json.dumps(dict(b.scenario.to_nested()), sort_keys=True)[:120]
        # 4. examples of the rules that depend on this dimension
        dims = self.downstream[rule.dimension]
        for other, kind, i, b, ok in self.examples:
            if not ok or other.id == rule.id or other.dimension not in dims or not self.affected(original, rule, b):
                continue
            rec = engine.evaluate(b.scenario, b.pinned)
            if (other.id in rec.fired and other.dimension in rec.decisions) != (kind == "fires"):
                return "rule examples", f"{other.id} examples.{kind}[{i}]"
        # 5. property checks: the fixed sample, then scenarios aimed at the rule
        for i, b in enumerate(self.sample):
            if not self.affected(original, rule, b):
                continue
            rec = engine.evaluate(b.scenario)
            if _same(rec, b.rec):
                continue
            new = self._violations(rec, engine) - self._known(i)
            if new:
                return "property checks", sorted(new)[0]
        for scenario in self._aimed(original, rule):
            base = Base.of(self.engine, scenario)
            if not self.affected(original, rule, base):
                continue
            rec = engine.evaluate(scenario)
            if not _same(rec, base.rec):
                new = self._violations(rec, engine) - self._violations(base.rec, self.engine)
                if new:
                    return "property checks", sorted(new)[0]
        for spec in self.invariants.monotonic:
            if not any(rule.dimension in self.engine.plan.depends_on.get(k.dimension, ()) or rule.dimension == k.dimension for k in spec.keep):
                continue
            points = self.domains.number_points(spec.fact) if spec.direction else []
            for b in self.sample[:: max(1, len(self.sample) // 200)]:
                values = inv.changed_values(spec, b.scenario, points)
                for value in values[:: max(1, len(values) // 3)]:
                    after = Base.of(self.engine, b.scenario.with_facts({spec.fact: value}, load_vocabulary()))
                    if not (self.affected(original, rule, b) or self.affected(original, rule, after)):
                        continue
                    found = inv.monotonic(spec, engine.evaluate(b.scenario), engine.evaluate(after.scenario))
                    if found and not inv.monotonic(spec, b.rec, after.rec):
                        return "property checks", str(found[0])
        return None

    def _aimed(self, *rules: Rule) -> list[Scenario]:
        """Scenarios that make the rule (original or mutated) hold, on top of a few fitting seeds."""
        out: list[Scenario] = []
        for rule in rules:
            for conj in rule.alternatives[:4]:
                solution = self.domains.solve(conj, rule.dimension)
                if not hasattr(solution, "facts"):
                    continue
                lits = [lit for lit in conj if lit.ref.startswith(DECISION_PREFIX)]
                bases = [Scenario("aimed", {})] + [
                    b.scenario for b in self.sample
                    if rule.dimension in b.rec.decisions and all(literal_holds(lit, b.values.get(lit.ref)) for lit in lits)
                ][:3]
                for base in bases:
                    merged = dict(base.facts)
                    merged.update(solution.facts)
                    out.append(make_scenario(self.vocab, merged, "aimed"))
        return out

    # -------------------------------------------------------------- survivors

    def _classify(self, engine: Engine, original: Rule, rule: Rule, out: Outcome) -> None:
        if original.dimension == rule.dimension and original.verdict == rule.verdict \
                and original.choices == rule.choices and original.weight == rule.weight and _equivalent(self.domains, original, rule):
            out.equivalence = "proved"
            out.detail = "the mutated condition is equivalent over the finite domains (given what the rules can decide)"
            return
        reasons_only = None
        pool = self.sample + [Base.of(self.engine, s) for s in self._aimed(original, rule)] + self.extra
        for b in pool:
            if not self.affected(original, rule, b):
                continue
            rec = engine.evaluate(b.scenario)
            if rec.choices != b.rec.choices:
                small = _smallest(engine, self.engine, b.scenario)
                mine, theirs = self.engine.evaluate(small).choices, engine.evaluate(small).choices
                diff = {d: (mine.get(d), theirs.get(d)) for d in set(mine) | set(theirs) if mine.get(d) != theirs.get(d)}
                data = small.to_nested()
                data["name"] = "mutant-difference"
                data.pop("description", None)
                out.equivalence, out.scenario = "live", data
                # the difference on the scenario shown (shrinking may change which decisions differ)
                out.detail = "decisions change (original -> mutant): " + ", ".join(f"{d}: {x} -> {y}" for d, (x, y) in sorted(diff.items()))
                return
            if reasons_only is None and set(rec.fired) != set(b.rec.fired):
                reasons_only = b.scenario
        if reasons_only is not None:
            out.equivalence, out.scenario = "reasons-only", reasons_only.to_nested()
            out.detail = "no decision changes; only which rules fire (the reasons shown)"
        else:
            out.equivalence = "no-difference"
            out.detail = f"no difference in any decision or fired rule on {len(pool)} scenarios"


def _smallest(mutant: Engine, original: Engine, scenario: Scenario) -> Scenario:
    """The scenario without the facts the difference does not need."""
    def differs(s: Scenario) -> bool:
        return mutant.evaluate(s).choices != original.evaluate(s).choices

    for fact in reversed(list(scenario.facts)):
        trial = scenario.with_facts({fact: None}, load_vocabulary())
        if differs(trial):
            scenario = trial
    return scenario


def _optional(module: str, name: str, *args: Any) -> Any:
    """A feature module's loader, if that feature exists in this checkout (None otherwise or on bad input)."""
    try:
        import importlib

        return getattr(importlib.import_module(module), name)(*args)
    except Exception:  # noqa: BLE001 - a missing feature or a broken file is not this script's business
        return None


def _diagram_texts(bases: Sequence[Base], design: Mapping[str, str] | None) -> dict[str, str] | None:
    """DOT and Mermaid as tools/gallery.py draws them: a scenario's recommendation, or a design against it."""
    try:
        from mlarch.diagram import build_diagram, to_dot, to_mermaid
    except ImportError:
        return None
    d = build_diagram(bases[0].rec) if design is None else build_diagram(bases[0].rec, design, bases[1].rec)
    return {"dot": to_dot(d), "mmd": to_mermaid(d)}


def _answered_right(engine: Engine, question: Any) -> bool:
    """As tests/test_answer.py asks: the keyed answer, no tie, every wrong option losing on errors or departures."""
    from mlarch.answer.model import answer

    a = answer(engine, question)
    if a.tie or a.answer != question.expect:
        return False
    winner = a.option(a.answer).score
    return all((o.score.errors, o.score.penalty) > (winner.errors, winner.penalty) for o in a.options if o.label != a.answer)


def _same(a: Recommendation, b: Recommendation) -> bool:
    return a.choices == b.choices and set(a.fired) == set(b.fired)


def _rests_on_rules(rec: Recommendation) -> bool:
    return all(dec.reasons for dec in rec.decisions.values()) and not [w for w in rec.warnings if w.kind in ("conflict", "fallback")]


_VERSION = re.compile(r'("rule_set_version": "|rule set )[0-9a-f]{16}')


def _without_version(text: str) -> str:
    return _VERSION.sub(r"\1-", text)


def _equivalent(domains: Domains, a: Rule, b: Rule) -> bool:
    """The two conditions hold for exactly the same facts and reachable decisions."""
    try:
        for x, y in ((a, b), (b, a)):
            for conj in to_dnf(All((x.when, Not(y.when))), load_vocabulary(), limit=512):
                if domains.satisfiable(conj, x.dimension):
                    return False
    except Exception:  # noqa: BLE001 - too complex to decide: not proved
        return False
    return True


# ------------------------------------------------------------------ running it

_SUITE: Suite | None = None  # built once in the parent; forked workers inherit it
TASKS_PER_WORKER = 40  # durable-rules keeps ~16 MB per evaluated, closed engine: recycle workers


def _work(mutant: Mutant) -> Outcome:
    assert _SUITE is not None
    return _SUITE.run(mutant)


def all_mutants(paths: Sequence[Path], vocab: Vocabulary) -> list[Mutant]:
    out: list[Mutant] = []
    for file in [f for p in paths for f in (rule_files(p) if p.is_dir() else [p])]:
        for entry in yamlio.load(file).data["rules"]:
            out += mutants_of(entry, vocab)
    return out


def summarize(outcomes: Sequence[Outcome], seconds: float) -> dict[str, Any]:
    valid = [o for o in outcomes if o.status != "invalid"]
    killed = [o for o in valid if o.status == "killed"]
    survivors = [o for o in valid if o.status == "survived"]
    equivalent = [o for o in survivors if o.equivalence in ("proved", "no-difference")]
    by_operator = {}
    for op in OPERATORS:
        ops = [o for o in valid if o.operator == op]
        if ops:
            k = sum(o.status == "killed" for o in ops)
            eq = sum(o.status == "survived" and o.equivalence in ("proved", "no-difference") for o in ops)
            by_operator[op] = {"mutants": len(ops), "killed": k, "equivalent": eq, "score": round(k / max(1, len(ops) - eq), 4)}
    return {
        "mutants": len(outcomes),
        "invalid": len(outcomes) - len(valid),
        "valid": len(valid),
        "killed": len(killed),
        "survived": len(survivors),
        "equivalent": len(equivalent),
        "kill_rate": round(len(killed) / max(1, len(valid)), 4),
        "score": round(len(killed) / max(1, len(valid) - len(equivalent)), 4),
        "killed_by": dict(Counter(o.killed_by for o in killed).most_common()),
        "survivors_by_kind": dict(Counter(o.equivalence for o in survivors).most_common()),
        "by_operator": by_operator,
        "seconds": round(seconds, 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", action="append", metavar="PATH", help="rule file or folder (default: this checkout's rules/)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="check only N mutants drawn at random (0: all)")
    parser.add_argument("--seed", type=int, default=0, help="seed for --sample")
    parser.add_argument("--rule", default="", metavar="PREFIX", help="only rules whose id starts with PREFIX")
    parser.add_argument("--operator", choices=OPERATORS, action="append", help="only these operators (repeatable)")
    parser.add_argument("--samples", type=int, default=300, help="random scenarios in the property sample (default 300)")
    parser.add_argument("--json", metavar="FILE", help="write every outcome and the summary as JSON")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.sample < 0 or args.samples < 0:
        parser.error("--jobs must be at least 1; --sample and --samples at least 0")
    paths = [Path(p) for p in (args.rules or [str(RULES)])]
    for p in paths:
        if not p.exists():
            parser.error(f"no such rule file or folder: {p}")
    mutants = [m for m in all_mutants(paths, load_vocabulary()) if m.rule.startswith(args.rule) and (not args.operator or m.operator in args.operator)]
    if args.sample:
        mutants = sorted(random.Random(args.seed).sample(mutants, min(args.sample, len(mutants))), key=lambda m: m.key)
    print(f"{len(mutants)} mutants of {len({m.rule for m in mutants})} rules; {args.jobs} worker(s)", file=sys.stderr)
    start = time.time()
    global _SUITE
    _SUITE = Suite(paths, args.samples)
    print(f"baseline ready ({time.time() - start:.0f}s): " + ", ".join(f"{k} {v}" for k, v in _SUITE.baseline.items()), file=sys.stderr)
    outcomes: list[Outcome] = []
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(args.jobs, maxtasksperchild=TASKS_PER_WORKER) as pool:
        for i, outcome in enumerate(pool.imap(_work, mutants, chunksize=2), 1):
            outcomes.append(outcome)
            if i % 100 == 0:
                print(f"  {i}/{len(mutants)} ({time.time() - start:.0f}s)", file=sys.stderr)
    summary = summarize(outcomes, time.time() - start)
    summary["baseline"] = _SUITE.baseline
    print(report_text(outcomes, summary))
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": summary, "outcomes": [asdict(o) for o in outcomes]}, indent=2) + "\n")
    return 0


def report_text(outcomes: Sequence[Outcome], s: Mapping[str, Any]) -> str:
    lines = [
        "baseline: " + ", ".join(f"{k} {v}" for k, v in s.get("baseline", {}).items()),
        f"mutants: {s['mutants']} ({s['invalid']} rejected by the rule loader, not counted)",
        f"killed: {s['killed']} of {s['valid']} = {s['kill_rate']:.1%}",
        f"equivalent survivors: {s['equivalent']}; score without them: {s['killed']} of {s['valid'] - s['equivalent']} = {s['score']:.1%}",
        "killed by: " + ", ".join(f"{k} {n}" for k, n in s["killed_by"].items()),
        "by operator: " + ", ".join(f"{op} {v['killed']}/{v['mutants'] - v['equivalent']} ({v['score']:.0%})" for op, v in s["by_operator"].items()),
        f"time: {s['seconds']}s",
        "",
    ]
    for kind, title in (("live", "Survivors that change a decision (tests the suite is missing)"),
                        ("reasons-only", "Survivors that change only which rules fire"),
                        ("no-difference", "Survivors judged equivalent (no difference seen)"),
                        ("proved", "Survivors proved equivalent")):
        group = [o for o in outcomes if o.status == "survived" and o.equivalence == kind]
        if not group:
            continue
        lines.append(f"{title}: {len(group)}")
        for o in group:
            lines.append(f"  {o.key} [{o.operator}] {o.description}: {o.detail}")
            if o.scenario and kind == "live":
                lines.append(f"    scenario: {json.dumps(o.scenario, sort_keys=False)}")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
