"""Each durable-rules trap (docs/architecture.md, "durable-rules, hardened") and the guard
that defends against it, proven by a test.

Where it is cheap and safe, a test first shows the raw library misbehaving,
so that the guard test cannot pass vacuously.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import textwrap
import threading

import durable_rules_engine as dre
import pytest

from mlarch.core import yamlio
from mlarch.core.engine import Engine
from mlarch.core.errors import EngineError, InputError, RuleBaseLimitError
from mlarch.core.matcher import DISCRIMINATOR, GUARD, MAX_CHILDREN, MAX_STACK, Matcher, _Trie, dumps, json_number
from mlarch.core.rulebook import RuleBook, parse_rule_document
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary


def book(entries: list[dict]) -> RuleBook:
    rules, problems = parse_rule_document(yamlio.Document({"rules": entries}, "<test>"), load_vocabulary())
    assert not problems, [p.render(None) for p in problems]
    return RuleBook(tuple(sorted(rules, key=lambda r: r.id)))


def rule(rule_id: str, when, then: dict | None = None) -> dict:
    dim = rule_id.split(".")[0]
    return {
        "id": rule_id, "title": "t", "section": "1.1", "docs": ["https://cloud.google.com/x"],
        "when": when, "then": then or {"dimension": dim, "prefer": "batch", "weight": 1},
        "because": "b", "examples": {"fires": [{}], "does_not_fire": [{}]},
    }


def scenario(**groups):
    return validate_mapping({"name": "t", **groups}, vocab=load_vocabulary())


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout)


# ------------------------------------------------------------- threads


def test_no_background_threads_are_started():
    """Trap: every durable.engine.Host starts two perpetual Timer threads."""
    before = threading.active_count()
    with Engine(book([rule("serving_mode.a", {"serving.latency_ms": {"lt": 100}})])) as engine:
        for _ in range(20):
            engine.evaluate(scenario(serving={"latency_ms": 10}))
        assert threading.active_count() == before
    import mlarch.core.matcher as m
    assert "Host" not in vars(m) and "engine" not in vars(m)  # durable.engine.Host is never used


def test_concurrent_evaluations_are_isolated():
    """The C core is not thread-safe: one lock serialises it; results stay exact."""
    rb = book([rule("serving_mode.fast", {"serving.latency_ms": {"lt": 100}}, {"dimension": "serving_mode", "prefer": "online", "weight": 5})])
    with Engine(rb, memo_size=0) as engine:  # no memo: every evaluation goes through durable-rules
        fast, slow = scenario(serving={"latency_ms": 10}), scenario(serving={"latency_ms": 500})
        errors: list[str] = []

        def work(s, expected):
            for _ in range(200):
                got = engine.evaluate(s).choices["serving_mode"]
                if got != expected:
                    errors.append(got)

        threads = [threading.Thread(target=work, args=(fast, "online")) for _ in range(4)]
        threads += [threading.Thread(target=work, args=(slow, "batch")) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []


# ------------------------------------------------------------- crashes


RAW_UNMATCHED_DELETE = """
import json, durable_rules_engine as dre
h = dre.create_ruleset("r", json.dumps({"r": {"all": [{"m": {"$and": [{"t": "x"}, {"b": 3}]}}]}}))
dre.assert_fact(h, json.dumps({"t": "x", "b": 7, "sid": "s1"}))
dre.delete_state(h, "s1")
"""

ENGINE_UNMATCHED = """
from mlarch.core import yamlio
from mlarch.core.engine import Engine
from mlarch.core.rulebook import RuleBook, parse_rule_document
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary
entries = [{"id": "serving_mode.never", "title": "t", "section": "4.1", "docs": ["https://cloud.google.com/x"],
            "when": {"data.size_gb": {"gt": 10**9}}, "then": {"dimension": "serving_mode", "prefer": "online", "weight": 1},
            "because": "b", "examples": {"fires": [{}], "does_not_fire": [{}]}}]
rules, _ = parse_rule_document(yamlio.Document({"rules": entries}, "t"), load_vocabulary())
engine = Engine(RuleBook(tuple(rules)), memo_size=0)
s = validate_mapping({"name": "t", "data": {"size_gb": 1}}, vocab=load_vocabulary())
for _ in range(3):
    assert engine.evaluate(s).fired == {}
engine.close()
"""


def _valgrind_delete_errors(code: str) -> int:
    """Count valgrind reports inside durable's deleteStateNode for a script."""
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (CI installs it)")
    result = subprocess.run(
        ["valgrind", "--error-exitcode=0", sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr.count("deleteStateNode")


@pytest.mark.slow
def test_raw_delete_state_of_unmatched_fact_reads_uninitialised_memory():
    """Show the trap: deleting the state of a fact that matched nothing frees
    uninitialised pointers (a heap-dependent segfault; valgrind sees it every time)."""
    assert _valgrind_delete_errors(RAW_UNMATCHED_DELETE) > 0


@pytest.mark.slow
def test_guard_rule_makes_deleting_unmatched_states_safe():
    """Guard: a catch-all rule runs an action for every state before it is deleted."""
    assert _valgrind_delete_errors(ENGINE_UNMATCHED) == 0


def test_every_compiled_pattern_starts_with_the_discriminator():
    """Guard against runaway loops: state objects can never satisfy a pattern."""
    rb = book([
        rule("serving_mode.absent", {"serving.latency_ms": {"present": False}}),
        rule("serving_mode.not", {"not": {"data.labeled": True}}),
        rule("serving_mode.always", "always"),
    ])
    with Engine(rb) as engine:
        for program in engine.matcher.programs:
            for ruleset in program.rulesets:
                definition = json.loads(_definition(engine, ruleset))
                assert GUARD in definition
                for spec in definition.values():
                    (pattern,) = spec["all"]
                    expr = pattern["m"]
                    first = expr["$and"][0] if "$and" in expr else expr
                    assert first == {"t": DISCRIMINATOR}


def _definition(engine: Engine, ruleset) -> str:
    """Rebuild the JSON a ruleset was created from (for inspection)."""
    from mlarch.core.matcher import conjunct_tests
    program = next(p for p in engine.matcher.programs if ruleset in p.rulesets)
    definition = {GUARD: {"all": [{"m": {"t": DISCRIMINATOR}}]}}
    for name, (rule_id, k) in ruleset.names.items():
        conj = program.conjuncts[rule_id][k]
        tests = [{"t": DISCRIMINATOR}] + conjunct_tests(conj)
        definition[name] = {"all": [{"m": tests[0] if len(tests) == 1 else {"$and": tests}}]}
    return dumps(definition)


def test_no_or_is_ever_emitted():
    """Guard: $or inside $iany reads uninitialised memory (flaky error 102); DNF avoids every $or."""
    rb = book([
        rule("serving_mode.anyof", {"team.skills": {"contains_any": ["sql", "python"]}}),
        rule("serving_mode.nested", {"any": [{"data.modality": {"in": ["image", "text"]}}, {"not": {"team.skills": {"contains_all": ["sql", "spark"]}}}]}),
    ])
    with Engine(rb) as engine:
        for program in engine.matcher.programs:
            for rs in program.rulesets:
                assert "$or" not in _definition(engine, rs)
        rec = engine.evaluate(scenario(team={"skills": ["python"]}))
        assert set(rec.fired) == {"serving_mode.anyof", "serving_mode.nested"}


def test_each_rule_is_reported_once_even_when_several_alternatives_match():
    """Trap: $or fires once per matching branch. Guard: one durable rule per DNF term, deduplicated."""
    rb = book([rule("serving_mode.multi", {"team.skills": {"contains_any": ["sql", "python", "spark"]}})])
    with Engine(rb) as engine:
        fired = engine.matcher.match(engine.program_of("serving_mode"), {"team.skills": ("sql", "python", "spark")})
        assert fired == {"serving_mode.multi": 0}


# ------------------------------------------------------------- structural limits


def test_raw_many_simultaneous_matches_fail_with_error_303():
    """Show the trap: ~100 sibling tests matching one fact overflow durable's DFS stack."""
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"t": "x"}, {"$gt": {"n": i}}]}}]} for i in range(100)}
    handle = dre.create_ruleset("raw303", json.dumps(rules))
    try:
        with pytest.raises(dre.error, match="303"):
            dre.assert_fact(handle, json.dumps({"t": "x", "n": 1000, "sid": "s"}))
    finally:
        dre.delete_ruleset(handle)


def test_many_simultaneous_matches_are_split_across_rulesets():
    """Guard: the compiler bounds the worst-case DFS stack and splits the rules."""
    entries = [rule(f"serving_mode.gt-{i}", {"data.size_gb": {"gt": i}}) for i in range(150)]
    with Engine(book(entries)) as engine:
        program = engine.matcher.programs[engine.program_of("serving_mode")]
        assert len(program.rulesets) >= 150 // MAX_STACK
        rec = engine.evaluate(scenario(data={"size_gb": 1000}))
        assert len(rec.fired) == 150
        rec = engine.evaluate(scenario(data={"size_gb": 100.5}))
        assert set(rec.fired) == {f"serving_mode.gt-{i}" for i in range(101)}


def test_identical_set_item_tests_are_not_shared():
    """durable-rules never shares $iany nodes: 100 rules with the same `contains`
    test are 100 simultaneous matches (found by the 10x benchmark); the bound
    must count each one."""
    entries = [rule(f"serving_mode.skill-{i}", {"team.skills": {"contains": "sql"}, "data.size_gb": {"gte": 0}}) for i in range(100)]
    with Engine(book(entries)) as engine:
        program = engine.matcher.programs[engine.program_of("serving_mode")]
        assert len(program.rulesets) >= 100 // MAX_STACK
        assert len(engine.evaluate(scenario(team={"skills": ["sql"]}, data={"size_gb": 1})).fired) == 100


@pytest.mark.slow  # spins 4 s by design; the guard below (test_fan_out_is_split_below_the_limit) stays in the default lane
def test_raw_fan_out_of_512_hangs():
    """Show the trap: 512 distinct sibling tests make create_ruleset/assert hang forever."""
    code = """
    import json, durable_rules_engine as dre
    rules = {"r%d" % i: {"all": [{"m": {"$and": [{"t": "x"}, {"k%d" % i: 1}]}}]} for i in range(600)}
    h = dre.create_ruleset("fan", json.dumps(rules))
    dre.assert_fact(h, json.dumps({"t": "x", "k1": 1, "sid": "s"}))
    print("returned")
    """
    with pytest.raises(subprocess.TimeoutExpired):
        run_python(code, timeout=4)


def test_fan_out_is_split_below_the_limit():
    """Guard: at most MAX_CHILDREN sibling tests per node; 1,200 equality rules still work."""
    entries = [rule(f"serving_mode.rows-{i}", {"data.rows": i}) for i in range(1200)]
    with Engine(book(entries)) as engine:
        program = engine.matcher.programs[engine.program_of("serving_mode")]
        assert len(program.rulesets) >= 1200 // MAX_CHILDREN
        assert set(engine.evaluate(scenario(data={"rows": 777})).fired) == {"serving_mode.rows-777"}
        assert engine.evaluate(scenario(data={"rows": 5000})).fired == {}


def test_raw_expression_sequence_limit():
    """Show the trap: 15 multi-value "none of" tests in one pattern exceed 32 expressions (113)."""
    tests = [{"t": "x"}] + [{"$iall": {f"k{i}": {"$and": [{"$neq": {"$i": "a"}}, {"$neq": {"$i": "b"}}]}}} for i in range(15)]
    with pytest.raises(dre.error, match="113"):
        dre.create_ruleset("e113", json.dumps({"r": {"all": [{"m": {"$and": tests}}]}}))


def test_a_rule_too_big_for_durable_is_refused_clearly():
    """Guard: the compiler counts expression entries and names the rule it refuses."""
    from mlarch.core.conditions import Literal
    from mlarch.core.matcher import plan_chunks
    big = book([rule("serving_mode.huge", {"team.skills": {"contains_none": ["sql", "python"]}})]).rules[0]
    conj = tuple(Literal(f"f.f{i}", "iall_neq", ("a", "b")) for i in range(15))
    with pytest.raises(RuleBaseLimitError, match="serving_mode.huge"):
        plan_chunks([(big, [conj])])
    assert plan_chunks([(big, [conj[:10]])])


def test_null_tests_are_never_shared_by_durable():
    """rete.c compareValue has no case for null, so `field == null` nodes are not
    shared: 70 rules testing the same absence overflow the stack (error 303).
    Guard: absence is tested on a boolean marker, which is shared."""
    rules = {f"r{i}": {"all": [{"m": {"$and": [{"t": "x"}, {"a": None}, {"k": i}]}}]} for i in range(70)}
    handle = dre.create_ruleset("rawnull", json.dumps(rules))
    try:
        with pytest.raises(dre.error, match="303"):
            dre.assert_fact(handle, json.dumps({"t": "x", "a": None, "k": 1, "sid": "s"}))
    finally:
        dre.delete_ruleset(handle)
    entries = [rule(f"serving_mode.absent-{i}", {"serving.qps": {"present": False}, "data.rows": i}) for i in range(70)]
    with Engine(book(entries)) as engine:
        assert len(engine.matcher.programs[engine.program_of("serving_mode")].rulesets) == 1
        assert set(engine.evaluate(scenario(data={"rows": 7})).fired) == {"serving_mode.absent-7"}


def test_trie_bound_counts_exclusive_equalities_once():
    trie = _Trie()
    from mlarch.core.conditions import Literal
    for i in range(100):
        trie.add((Literal("data.rows", "eq", i),))
    assert trie.worst_stack() == 1
    assert trie.check() is None
    other = _Trie()
    for i in range(MAX_STACK + 1):
        other.add((Literal("data.rows", "gt", i),))
    assert other.check() is not None


# ------------------------------------------------------------- values and types


def test_raw_engine_coerces_types():
    """Show the trap: durable matches the string "50" against the number 50."""
    handle = dre.create_ruleset("coerce", json.dumps({"r": {"all": [{"m": {"$and": [{"t": "x"}, {"n": 50}]}}]}}))
    try:
        result = dre.assert_fact(handle, json.dumps({"t": "x", "n": "50", "sid": "s"}))
        assert result[0] == 0  # handled: the string matched the number
        assert dre.start_action_for_state(handle, result[1])
        dre.complete_and_start_action(handle, result[1])
        dre.delete_state(handle, "s")
    finally:
        dre.delete_ruleset(handle)


def test_types_are_checked_before_matching():
    """Guard: scenario values and rule literals are typed; coercion cannot happen."""
    with pytest.raises(InputError, match="expected a number"):
        validate_mapping({"name": "t", "data": {"size_gb": "50"}}, vocab=load_vocabulary())
    with pytest.raises(InputError, match="expected true or false"):
        validate_mapping({"name": "t", "data": {"labeled": 1}}, vocab=load_vocabulary())
    _, problems = parse_rule_document(yamlio.Document({"rules": [rule("serving_mode.typed", {"data.size_gb": {"gt": "40"}})]}, "t"), load_vocabulary())
    assert any("expected a number" in p.message for p in problems)


def test_big_integers_are_refused_instead_of_saturating():
    """Trap: integers >= 2**63 saturate in C and match wrongly. Guard: bound at 2**53."""
    with pytest.raises(InputError, match="at most"):
        validate_mapping({"name": "t", "data": {"rows": 2**63}}, vocab=load_vocabulary())


@pytest.mark.parametrize("value, text", [(1e-05, "1.0e-05"), (1e16, "1.0e+16"), (2.5, "2.5"), (7, "7"), (1.5e-10, "1.5e-10")])
def test_numbers_are_written_so_the_c_parser_reads_them(value, text):
    assert json_number(value) == text


def test_exponent_numbers_match_correctly():
    """Trap: json.dumps writes 1e-05, which durable rejects (error 204)."""
    with pytest.raises(dre.error, match="204"):
        dre.create_ruleset("e204", json.dumps({"r": {"all": [{"m": {"$and": [{"t": "x"}, {"$gte": {"n": 1e-05}}]}}]}}))
    with Engine(book([rule("serving_mode.tiny", {"data.size_gb": {"gte": 1e-05}})])) as engine:
        assert "serving_mode.tiny" in engine.evaluate(scenario(data={"size_gb": 0.5})).fired
        assert "serving_mode.tiny" not in engine.evaluate(scenario(data={"size_gb": 0})).fired


def test_lone_surrogates_are_refused():
    """Trap: a lone surrogate makes pyAssertFact fail. Guard: rejected when loading YAML."""
    with pytest.raises(InputError, match="invalid"):
        yamlio.loads('name: "bad \\ud800 text"\n', "t")


# ------------------------------------------------------------- state and memory


def test_sessions_are_empty_between_evaluations():
    """Isolation: each ruleset's one session holds no fact once an evaluation is done."""
    rb = book([rule("serving_mode.a", {"serving.latency_ms": {"lt": 100}}), rule("serving_mode.b", {"data.labeled": True})])
    with Engine(rb, memo_size=0) as engine:
        for latency in (10, 500, 10):
            rec = engine.evaluate(scenario(serving={"latency_ms": latency}))
            assert ("serving_mode.a" in rec.fired) == (latency < 100)
            used = [rs for program in engine.matcher.programs for rs in program.rulesets if rs.handle is not None]
            assert used  # created on first use
            for ruleset in used:
                assert json.loads(dre.get_facts(ruleset.handle, ruleset.name)) == []


def test_the_same_scenario_fires_again_after_retraction():
    """Refraction must not hide a rule on the next, identical evaluation."""
    rb = book([rule("serving_mode.a", {"serving.latency_ms": {"lt": 100}})])
    with Engine(rb, memo_size=0) as engine:  # the memo would answer the repeats without asking durable-rules
        s = scenario(serving={"latency_ms": 10})
        assert all("serving_mode.a" in engine.evaluate(s).fired for _ in range(5))


def test_a_failing_assert_disables_the_engine_instead_of_crashing(monkeypatch):
    """If durable fails mid-assert the state may be half-built; never delete it, refuse further use."""
    rb = book([rule("serving_mode.a", {"serving.latency_ms": {"lt": 100}})])
    engine = Engine(rb)

    def failing(handle, fact):
        raise dre.error("Could not assert fact, error code: 303")

    monkeypatch.setattr(dre, "assert_fact", failing)  # the module core/durable.py loads for the matcher
    with pytest.raises(EngineError, match="303"):
        engine.evaluate(scenario(serving={"latency_ms": 10}))
    monkeypatch.undo()
    with pytest.raises(EngineError, match="no longer be used"):
        engine.evaluate(scenario(serving={"latency_ms": 10}))
    engine.close()


def test_rulesets_are_freed_on_close():
    rb = book([rule("serving_mode.a", {"serving.latency_ms": {"lt": 100}})])
    engine = Engine(rb)
    rulesets = [rs for p in engine.matcher.programs for rs in p.rulesets]
    assert rulesets and all(rs.handle is None for rs in rulesets)  # created on first use only
    engine.evaluate(scenario(serving={"latency_ms": 10}))
    handles = [rs.handle for rs in rulesets]
    assert None not in handles
    engine.close()
    for handle in handles:
        with pytest.raises(dre.error):
            dre.assert_fact(handle, '{"t":"mlarch","sid":"x"}')
    with pytest.raises(EngineError):
        engine.evaluate(scenario())


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


@pytest.mark.slow
def test_memory_is_flat_over_10000_evaluations(bundled_engine):
    s = scenario(data={"modality": "tabular", "location": "bigquery"}, team={"skills": ["sql"]}, serving={"latency_ms": 40})
    with Engine(bundled_engine.rulebook, memo_size=0) as engine:  # every evaluation through durable-rules
        for _ in range(500):  # warm up caches and allocator pools
            engine.evaluate(s)
        start = _rss_mb()
        for _ in range(10_000):
            engine.evaluate(s)
        growth = _rss_mb() - start
    assert growth < 5, f"RSS grew by {growth:.1f} MB over 10,000 evaluations"


@pytest.mark.slow
def test_building_and_closing_engines_does_not_leak(bundled_engine):
    rb = bundled_engine.rulebook
    for _ in range(5):
        Engine(rb).close()
    start = _rss_mb()
    for _ in range(100):
        Engine(rb).close()
    growth = _rss_mb() - start
    assert growth < 20, f"RSS grew by {growth:.1f} MB over 100 engine builds"


def _engines_used_and_closed(rb, count: int) -> float:
    """RSS growth (MB) over ``count`` engines that each evaluate once and are closed."""
    s = scenario(data={"modality": "tabular", "location": "bigquery"}, team={"skills": ["sql"]})
    for _ in range(3):
        with Engine(rb) as warm:
            warm.evaluate(s)
    start = _rss_mb()
    for _ in range(count):
        engine = Engine(rb)
        engine.evaluate(s)
        engine.close()
    return _rss_mb() - start


def test_closing_a_used_engine_frees_its_sessions(bundled_engine):
    """Issue 11 item 6: delete_ruleset leaves the sessions; ~11 MB per used engine leaked."""
    growth = _engines_used_and_closed(bundled_engine.rulebook, 20)
    assert growth < 40, f"RSS grew by {growth:.1f} MB over 20 used engines"


@pytest.mark.slow
def test_300_used_engines_keep_memory_flat(bundled_engine):
    growth = _engines_used_and_closed(bundled_engine.rulebook, 300)
    assert growth < 30, f"RSS grew by {growth:.1f} MB over 300 used engines"


def test_matcher_can_be_built_directly():
    m = Matcher([[]])
    assert m.match(0, {}) == {}
    m.close()
