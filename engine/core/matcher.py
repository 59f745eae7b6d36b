"""Matching rule conditions with durable-rules, hardened against its traps.

durable-rules 2.0.28 (unmaintained since 2020) has crash, hang and
wrong-result bugs; docs/architecture.md ("durable-rules, hardened") lists
them with their guards. This module is the only place that talks to it, and it drives the
C core (``durable_rules_engine``) directly rather than through
``durable.engine.Host``. Each trap and its guard (tests/test_matcher.py
proves each one):

* **Background timer threads / stolen actions / segfaults with threads**:
  no ``Host`` is ever created, so no ``threading.Timer`` runs; every action
  is taken synchronously in :meth:`Matcher.match`, under a lock.
* **Swallowed action errors**: there are no Python actions at all. The
  loop reads the fired rule's name from the action message and records it;
  nothing can fail silently inside the engine.
* **Segfault deleting the state of a fact that matched nothing**: every
  ruleset has a guard rule that matches every group's fact, so each state has
  run an action before it is deleted; the guard also proves the run was
  synchronous.
* **Runaway loops from state re-assertion**: the state is never updated (we
  do not call ``update_state``) and every pattern starts with the
  discriminator ``t == "mlarch"`` that state objects cannot satisfy; a
  firing budget per assertion stops anything unexpected.
* **Hang past 512 sibling tests; error 303 past ~64 simultaneous matches;
  beta and expression limits**: the compiler models the alpha network
  durable-rules will build (a trie of literal tests, since every rule is a
  pure conjunction), computes the worst-case DFS stack and fan-out, and
  splits a group's rules over several rulesets to stay far below the
  limits; a rule that alone exceeds them is refused with a clear error.
* **`$or` inside `$iany` reading uninitialised memory (flaky error 102)**:
  no ``$or`` is ever emitted; conditions are compiled to DNF and each
  conjunction is its own durable rule.
* **Type coercion (``"50" == 50``, string/number comparisons) and big-int
  saturation**: facts are validated and typed before matching (strict
  pydantic model, numbers bounded by 2**53), rule literals are type-checked
  against the vocabulary, and numbers are serialised in a form the C parser
  reads correctly (``1.0e-05``, never ``1e-05``).
* **States and rulesets never freed; isolation**: each ruleset keeps one
  session whose fact is retracted right after its actions run, so the next
  evaluation starts from an empty session (no session per evaluation to
  leak, none deleted mid-life: deleting is where the free-of-uninitialised-memory
  bug lives); anything unexpected makes the matcher refuse further use;
  :meth:`Matcher.close` (also on garbage collection) deletes each session
  that ended cleanly, then the rulesets (``delete_ruleset`` alone leaks the
  sessions, ~11 MB per used engine).
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from mlarch.core import durable
from mlarch.core.conditions import Conjunct, Literal
from mlarch.core.errors import EngineError, RuleBaseLimitError
from mlarch.core.rulebook import Rule

DISCRIMINATOR = "mlarch"
GUARD = "__guard__"

# durable-rules limits (source: src/rules/*.c of 2.0.28) and our margins
DURABLE_MAX_CHILDREN = 512  # alpha hash set; hangs at 512
DURABLE_MAX_STACK = 64  # alpha DFS stack; error 303
DURABLE_MAX_BETAS = 256  # rules on one alpha node; error 108
DURABLE_MAX_EXPRESSIONS = 32  # and/or markers in one beta expression sequence; error 113
MAX_CHILDREN = 480
MAX_STACK = 48
MAX_BETAS = 200
MAX_EXPRESSIONS = 24
MAX_RULES_PER_RULESET = 1000
MAX_FIELDS = 240  # durable-rules fails past ~252 properties in one fact (error 302)

_ids = itertools.count()
_lock = threading.Lock()  # the C core is not thread-safe; one lock for all matchers


def field_name(ref: str) -> str:
    return ref.replace(".", "__")


def count_field(ref: str) -> str:
    return field_name(ref) + "__n"


def stated_field(ref: str) -> str:
    """Boolean marker: is the fact stated (the decision made)?

    Absence is tested on this marker rather than as ``field == null``:
    durable-rules never shares alpha nodes that compare with null
    (rete.c compareValue has no case for it), so every null test would be a
    node of its own, all matching at once.
    """
    return field_name(ref) + "__s"


# ------------------------------------------------------------------ JSON


def json_number(value: int | float) -> str:
    """A number as durable-rules' C parser reads it correctly.

    Python writes 1e-05 and 1e+16; the C parser only accepts an exponent
    after a fraction (error 204 otherwise), so insert ".0".
    """
    if isinstance(value, bool):  # pragma: no cover - guarded by validation
        raise TypeError("booleans are not numbers")
    if isinstance(value, int):
        return str(value)
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        text = f"{mantissa}e{exponent}"
    elif "." not in text:  # pragma: no cover - repr of a float always has . or e
        text += ".0"
    return text


def dumps(value: Any) -> str:
    """Serialise facts and rulesets for durable-rules (see :func:`json_number`)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return json_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot serialise {type(value).__name__}")


# ------------------------------------------------------------------ compiling


SENTINEL = "#absent"  # the value of an absent enum/bool/decision field, and the only item of an absent set
EMPTY_ITEM = "#empty"  # the only item of a stated empty set, so "no item is x" holds for it


def literal_tests(lit: Literal) -> list[dict[str, Any]]:
    """The durable-rules expressions that together test one literal.

    Encodings (see :meth:`Matcher.ruleset_fact`): enum, bool and decision
    fields hold :data:`SENTINEL` when absent; numbers and text hold null and
    are tested for presence on a boolean marker; sets hold their items,
    ``[EMPTY_ITEM]`` when stated and empty, ``[SENTINEL]`` when absent, plus a
    count field and a marker.
    """
    f = field_name(lit.ref)
    kind, value = lit.kind, lit.value
    sentinel = lit.sentinel  # decided from the vocabulary by conditions.to_dnf
    if kind in ("absent", "stated"):
        if sentinel:
            return [{f: SENTINEL}] if kind == "absent" else [{"$neq": {f: SENTINEL}}]
        return [{stated_field(lit.ref): kind == "stated"}]
    if kind == "eq":
        return [{f: value}]
    if kind == "neq":  # stated and different
        return [{"$neq": {f: value}}, {"$neq": {f: SENTINEL}}] if sentinel else [{"$neq": {f: value}}]
    if kind == "differs":  # absent or different: the sentinel differs from every value
        return [{"$neq": {f: v}} for v in value]
    if kind in ("lt", "lte", "gt", "gte"):
        return [{f"${kind}": {f: value}}]
    if kind == "iany":
        return [{"$iany": {f: {"$i": value}}}]
    if kind == "iall_neq":
        items = [{"$neq": {"$i": v}} for v in value]
        return [{"$iall": {f: items[0] if len(items) == 1 else {"$and": items}}}]
    if kind == "empty":
        return [{count_field(lit.ref): 0}]
    raise ValueError(f"unknown literal kind {kind}")  # pragma: no cover


def conjunct_tests(conj: Conjunct) -> list[dict[str, Any]]:
    return [test for lit in conj for test in literal_tests(lit)]


def _test_key(test: dict[str, Any]) -> tuple[str, str, str]:
    """Identity of the alpha node durable-rules builds for one test.

    Plain equalities on one field are mutually exclusive, which the stack
    bound uses; every other kind of test may match alongside others.
    """
    ((op, body),) = test.items()
    if op.startswith("$"):
        ((f, v),) = body.items()
        return (f, op[1:], json.dumps(v, sort_keys=True))
    return (op, "eq", json.dumps(body))


def _expression_cost(conj: Conjunct) -> int:
    """Entries durable-rules appends to a rule's expression sequence.

    Measured: each $and adds two (AND, END); plain tests add none. So the
    pattern's $and costs 2 and each multi-value "none of" test ($iall over an
    $and) 2 more; 15 of those fail with error 113.
    """
    return 2 + sum(2 for lit in conj if lit.kind == "iall_neq" and len(lit.value) > 1)


ARRAY_OPS = ("iany", "iall")


class _Trie:
    """A model of the alpha network one ruleset will have, for limit checks."""

    __slots__ = ("children", "betas")

    def __init__(self) -> None:
        self.children: dict[tuple[str, str, str], _Trie] = {}
        self.betas = 0

    def add(self, conj: Conjunct) -> None:
        node = self
        for test in conjunct_tests(conj):
            key = _test_key(test)
            if key[1] in ARRAY_OPS:
                # durable-rules never shares $iany/$iall nodes (rete.c findAlpha),
                # so each occurrence is a child of its own.
                key = key + (str(len(node.children)),)
            node = node.children.setdefault(key, _Trie())
        node.betas += 1

    def max_matching_children(self) -> int:
        """Upper bound on children that can match one fact at once.

        Equality tests on one field are mutually exclusive (a value equals
        at most one literal), every other test may match independently.
        """
        eq_fields = {key[0] for key in self.children if key[1] == "eq"}
        others = sum(1 for key in self.children if key[1] != "eq")
        return len(eq_fields) + others

    def worst_stack(self, pending: int = 0) -> int:
        """Worst-case size of durable-rules' alpha DFS stack below this node."""
        pushed = self.max_matching_children()
        worst = pending + pushed
        for child in self.children.values():
            worst = max(worst, child.worst_stack(pending + pushed - 1))
        return worst

    def check(self) -> str | None:
        """Why this network would break durable-rules, or None when it is safe."""
        stack = [self]
        while stack:
            node = stack.pop()
            if len(node.children) > MAX_CHILDREN:
                return f"{len(node.children)} sibling tests (durable-rules hangs at {DURABLE_MAX_CHILDREN}; limit {MAX_CHILDREN})"
            if node.betas > MAX_BETAS:
                return f"{node.betas} rules share one test (durable-rules fails past {DURABLE_MAX_BETAS}; limit {MAX_BETAS})"
            stack.extend(node.children.values())
        worst = self.worst_stack()
        if worst > MAX_STACK:
            return f"up to {worst} tests could match at once (durable-rules fails at {DURABLE_MAX_STACK}; limit {MAX_STACK})"
        return None


@dataclass
class _Ruleset:
    name: str
    handle: int | None  # None until first used: created on demand (Matcher._open)
    names: dict[str, tuple[str, int]]  # durable rule name -> (rule id, conjunct index)
    fields: tuple[tuple[str, str, str], ...] = ()  # (ref, field name, what: value|count|stated)
    definition: str = ""  # the JSON durable-rules creates it from


def _fields_for(chunk: Sequence[tuple[Rule, list[Conjunct]]]) -> tuple[tuple[str, str, str], ...]:
    """The fields a ruleset's fact must carry: only what its tests read.

    durable-rules scans every property of the fact at every alpha node it
    visits, so a smaller fact is a faster match.
    """
    needed: set[tuple[str, str, str]] = set()
    for _, dnf in chunk:
        for conj in dnf:
            for lit in conj:
                if lit.sentinel:
                    needed.add((lit.ref, field_name(lit.ref), "sentinel"))
                elif lit.kind in ("absent", "stated"):
                    needed.add((lit.ref, stated_field(lit.ref), "stated"))
                elif lit.kind == "empty":
                    needed.add((lit.ref, count_field(lit.ref), "count"))
                elif lit.kind in ("iany", "iall_neq"):
                    needed.add((lit.ref, field_name(lit.ref), "set"))
                else:
                    needed.add((lit.ref, field_name(lit.ref), "value"))
    return tuple(sorted(needed, key=lambda f: f[1]))


@dataclass
class GroupProgram:
    """Everything needed to match one group of rules: its fields and rulesets."""

    index: int
    rulesets: list[_Ruleset] = field(default_factory=list)
    conjuncts: dict[str, list[Conjunct]] = field(default_factory=dict)  # rule id -> DNF


def plan_chunks(compiled: Sequence[tuple[Rule, list[Conjunct]]]) -> list[list[tuple[Rule, list[Conjunct]]]]:
    """Split rules into groups whose alpha networks stay inside the limits.

    Most groups fit in one ruleset, checked in one pass; a group that does
    not is halved until every part fits.
    """
    for rule, dnf in compiled:
        for conj in dnf:
            if _expression_cost(conj) > MAX_EXPRESSIONS:
                raise RuleBaseLimitError(
                    f"rule {rule.id}: one alternative of its condition needs too many and/or groups "
                    f"(durable-rules allows {DURABLE_MAX_EXPRESSIONS} entries); split the rule"
                )
    return _split(list(compiled))


def _fits(group: Sequence[tuple[Rule, list[Conjunct]]]) -> str | None:
    if sum(len(dnf) for _, dnf in group) > MAX_RULES_PER_RULESET:
        return f"more than {MAX_RULES_PER_RULESET} rules"
    trie = _Trie()
    for _, dnf in group:
        for conj in dnf:
            trie.add(conj)
    return trie.check()


def _split(group: list[tuple[Rule, list[Conjunct]]]) -> list[list[tuple[Rule, list[Conjunct]]]]:
    """Halve a group of rules until every part fits (deterministic, O(n log n) checks)."""
    if not group:
        return []
    problem = _fits(group)
    if problem is None:
        return [group]
    if len(group) == 1:
        raise RuleBaseLimitError(f"rule {group[0][0].id} alone exceeds a durable-rules limit: {problem}")
    middle = len(group) // 2
    return _split(group[:middle]) + _split(group[middle:])


# ------------------------------------------------------------------ matching


@dataclass(frozen=True)
class RulesetSpec:
    """One durable-rules ruleset as plain data (cacheable): its JSON definition,
    what each durable rule stands for, and the fields its fact needs."""

    definition: str
    names: dict[str, tuple[str, int]]
    fields: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True)
class ProgramSpec:
    """One group's rulesets as plain data (cached). The rules' DNF is not part of it: the
    rule book holds it already (``Rule.alternatives``), and unpickling a second copy cost
    0.2 s of the CLI at 10x the rules."""

    index: int
    rulesets: tuple[RulesetSpec, ...]


def compile_programs(groups: Sequence[Sequence[Rule]]) -> list[ProgramSpec]:
    """Compile groups of rules into ruleset definitions that respect every
    durable-rules limit (see :func:`plan_chunks`)."""
    return [_compile_group(index, rules) for index, rules in enumerate(groups)]


def _compile_group(index: int, rules: Sequence[Rule]) -> ProgramSpec:
    compiled = [(rule, list(rule.alternatives)) for rule in rules]
    specs = []
    for chunk in plan_chunks([c for c in compiled if c[1]]):
        definition: dict[str, Any] = {GUARD: {"all": [{"m": {"t": DISCRIMINATOR}}]}}
        names: dict[str, tuple[str, int]] = {}
        for rule, dnf in chunk:
            for k, conj in enumerate(dnf):
                name = f"r{len(names)}"
                names[name] = (rule.id, k)
                tests = [{"t": DISCRIMINATOR}] + conjunct_tests(conj)
                pattern = tests[0] if len(tests) == 1 else {"$and": tests}
                definition[name] = {"all": [{"m": pattern}]}
        fields = _fields_for(chunk)
        if len(fields) + 2 > MAX_FIELDS:  # pragma: no cover - the vocabulary has ~100 facts and decisions
            raise RuleBaseLimitError(f"group {index} needs {len(fields)} fields in one fact; durable-rules fails past ~250")
        exponent = any(
            isinstance(v, float) and "e" in repr(v)
            for _, dnf in chunk for conj in dnf for lit in conj
            for v in (lit.value if isinstance(lit.value, tuple) else (lit.value,))
        )
        text = dumps(definition) if exponent else json.dumps(definition, ensure_ascii=False)
        specs.append(RulesetSpec(text, names, fields))
    return ProgramSpec(index, tuple(specs))


class Matcher:
    """Compiled rulesets for every group of rules, and the hardened match loop."""

    def __init__(self, groups: Sequence[Sequence[Rule]], *, specs: Sequence[ProgramSpec] | None = None) -> None:
        """Build from groups of rules, compiling them unless ``specs`` (their compiled form) is given."""
        self._uid = next(_ids)
        self._broken: str | None = None
        self.programs: list[GroupProgram] = []
        handles: list[int] = []
        self._handles = handles
        # ruleset handle -> its session, once a clean evaluation has run in it (so its
        # state has run the guard's action and may be deleted safely)
        self._sessions: dict[int, str] = {}
        self._finalizer = weakref.finalize(self, _free, handles, self._sessions)
        try:
            for spec in specs if specs is not None else compile_programs(groups):
                self.programs.append(self._create(spec, groups[spec.index]))
        except BaseException:
            self.close()
            raise

    def _create(self, spec: ProgramSpec, rules: Sequence[Rule]) -> GroupProgram:
        """The program of one group; its durable-rules rulesets are created on
        first use (:meth:`_open`): a scenario needs about half of the groups, and
        creating a ruleset is most of the engine's start-up at 10x the rules."""
        program = GroupProgram(spec.index, conjuncts={rule.id: list(rule.alternatives) for rule in rules})
        for number, rs in enumerate(spec.rulesets):
            program.rulesets.append(_Ruleset(f"mlarch{self._uid}s{spec.index}c{number}", None, rs.names, rs.fields, rs.definition))
        return program

    def _open(self, ruleset: _Ruleset) -> int:
        """Create the durable-rules ruleset (the caller holds the lock)."""
        dre = durable.module()
        try:
            handle = dre.create_ruleset(ruleset.name, ruleset.definition)
        except dre.error as exc:  # pragma: no cover - limits are checked first
            self._broken = f"durable-rules refused {ruleset.name}: {exc}"
            raise EngineError(self._broken) from None
        self._handles.append(handle)
        ruleset.handle = handle
        return handle

    def open_all(self) -> None:
        """Create every ruleset now (tests that inspect them; a long-lived server warming up)."""
        with _lock:
            self.check_usable()
            for program in self.programs:
                for ruleset in program.rulesets:
                    if ruleset.handle is None:
                        self._open(ruleset)

    @staticmethod
    def ruleset_fact(ruleset: _Ruleset, values: Mapping[str, Any], sid: str) -> str:
        """The JSON fact one ruleset needs: discriminator, session and its fields."""
        fact: dict[str, Any] = {"t": DISCRIMINATOR, "sid": sid}
        exponent = False
        for ref, name, what in ruleset.fields:
            value = values.get(ref)
            if what == "sentinel":
                fact[name] = SENTINEL if value is None else value
            elif what == "set":
                fact[name] = list(value) if value else [EMPTY_ITEM if value is not None else SENTINEL]
            elif what == "stated":
                fact[name] = value is not None
            elif what == "count":
                fact[name] = None if value is None else len(value)
            else:
                fact[name] = value
                exponent = exponent or (isinstance(value, float) and "e" in repr(value))
        # json.dumps writes 1e-05, which durable-rules rejects; rare, so only then the slow writer
        return dumps(fact) if exponent else json.dumps(fact, ensure_ascii=False)

    def match(self, group: int, values: Mapping[str, Any]) -> dict[str, int]:
        """Rules of ``group`` whose condition holds: rule id -> first matching alternative.

        ``values`` maps fact ids and ``decision.<dimension>`` to typed values
        (None or missing = absent; sets as tuples).
        """
        program = self.programs[group]
        fired: dict[str, int] = {}
        if not program.rulesets:
            return fired
        with _lock:
            self.check_usable()
            for ruleset in program.rulesets:
                if ruleset.handle is None:
                    self._open(ruleset)
                fact = self.ruleset_fact(ruleset, values, ruleset.name)
                for name in self._run(ruleset, fact):
                    rule_id, k = ruleset.names[name]
                    if k < fired.get(rule_id, k + 1):
                        fired[rule_id] = k
        return fired

    def check_usable(self) -> None:
        """Raise :class:`EngineError` once the matcher is closed or broken."""
        if self._broken:
            raise EngineError(f"this engine can no longer be used: {self._broken}")

    def _run(self, ruleset: _Ruleset, fact: str) -> list[str]:
        """Assert one fact, take every action it triggers, then retract it.

        Each ruleset keeps one session (its name) for its whole life: the fact
        is retracted after its actions, which leaves the session empty for the
        next evaluation. Creating and deleting a session per assertion costs
        ~4x the matching itself (benchmarks/), and deleting is where
        durable-rules' uninitialised-free bug lives.
        """
        dre = durable.module()
        try:
            result = dre.assert_fact(ruleset.handle, fact)
        except dre.error as exc:
            # The state may be half-built: refuse further use instead of
            # touching it (compile-time checks make this unreachable).
            self._broken = f"durable-rules failed on {ruleset.name}: {exc}"
            raise EngineError(self._broken) from None
        if result[0] != 0:
            self._broken = f"durable-rules did not take the fact in {ruleset.name} (result {result[0]}); a previous fact was left behind"
            raise EngineError(self._broken)
        state = result[1]
        self._sessions.pop(ruleset.handle, None)  # until this evaluation ends cleanly
        names: list[str] = []
        budget = len(ruleset.names) + 1  # each rule fires at most once per fact
        guarded = False
        try:
            message = dre.start_action_for_state(ruleset.handle, state)
            text = message[1] if message else None
            while text:
                name = _action_name(text)
                if name == GUARD:
                    guarded = True
                elif name in ruleset.names:
                    names.append(name)
                else:  # pragma: no cover - defensive
                    raise EngineError(f"durable-rules reported unknown rule {name!r}")
                budget -= 1
                if budget < 0:
                    raise EngineError(f"durable-rules fired more often than {ruleset.name} has rules (runaway)")
                text = dre.complete_and_start_action(ruleset.handle, state)
            if not guarded:
                raise EngineError(f"guard rule did not run in {ruleset.name}")
        except BaseException as exc:
            self._broken = f"evaluation failed in {ruleset.name}: {exc}"
            raise
        try:
            dre.retract_fact(ruleset.handle, fact)
        except dre.error as exc:  # pragma: no cover - defensive
            self._broken = f"could not retract the fact from {ruleset.name}: {exc}"
            raise EngineError(self._broken) from None
        self._sessions[ruleset.handle] = ruleset.name
        return names

    def close(self) -> None:
        """Free the C rulesets. The matcher cannot be used afterwards."""
        self._broken = self._broken or "closed"
        self._finalizer()

    @property
    def ruleset_count(self) -> int:
        return sum(len(p.rulesets) for p in self.programs)


def _action_name(message: str) -> str:
    # durable-rules writes {"<rule name>":{...}}; our names never contain quotes
    if message.startswith('{"'):
        end = message.find('"', 2)
        if end > 2:
            return message[2:end]
    return next(iter(json.loads(message)))  # pragma: no cover - defensive


def _free(handles: list[int], sessions: dict[int, str]) -> None:
    """Delete each clean session, then its ruleset.

    ``delete_ruleset`` does not free a ruleset's sessions (about 11 MB per
    engine over the bundled rules). Deleting a session is only safe once its
    state ran an action (durable-rules frees uninitialised pointers
    otherwise); the guard rule makes every clean evaluation run one, and a
    session whose evaluation failed is not in ``sessions``: leaked, not
    crashed.
    """
    if not handles and not sessions:
        return  # nothing was created: do not load durable-rules just to free nothing
    dre = durable.module()
    with _lock:
        while sessions:
            handle, sid = sessions.popitem()
            try:
                dre.delete_state(handle, sid)
            except dre.error:  # pragma: no cover
                pass
        while handles:
            try:
                dre.delete_ruleset(handles.pop())
            except dre.error:  # pragma: no cover
                pass
