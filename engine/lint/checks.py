"""`mlarch lint`: static and sampled checks of a rule base as a whole.

The loader refuses a broken rule file outright; lint instead reads every
file on its own, turns each problem into a finding with its rule id, and
goes on to check what the loader cannot: rules that can never fire or are
never reached, rules another rule always overrides, hard rules that
contradict each other, citations outside Google Cloud's documentation,
failing examples, dependency cycles, dimensions left to the fallback, and
recommendations that break the named constraints or do not fit together.
Each finding names the rules involved and, where one exists, a scenario
that shows it. docs/lint.md describes every check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from mlarch.analysis.domain import Domains, Unsat, describe_literal
from mlarch.analysis.sampling import make_scenario
from mlarch.analysis.witness import WitnessFinder
from mlarch.core import yamlio
from mlarch.core.conditions import All, ConditionTooComplex, LiteralKind, Not, to_dnf
from mlarch.core.engine import Engine, Recommendation
from mlarch.core.errors import YAML, InputError, Problem, format_allowed
from mlarch.core.evaluate import holds
from mlarch.core.examples import run_examples
from mlarch.core.plan import dependencies
from mlarch.core.rulebook import Rule, RuleBook, expand_rule_paths, parse_rule_document
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary
from mlarch.lint import invariants as inv
from mlarch.lint.findings import LintFinding
from mlarch.lint.spec import Invariants

IMPLICATION_LIMIT = 256


@dataclass
class Loaded:
    files: list[Path]
    rules: list[Rule]
    findings: list[LintFinding]


# ------------------------------------------------------------ loading, file by file


def _rule_of(p: Problem) -> tuple[str, ...]:
    ctx = p.context or ""
    return (ctx[len("rule "):],) if ctx.startswith("rule ") else ()


def load_files(paths: Sequence[str | Path], vocab: Vocabulary) -> Loaded:
    """Parse every rule file on its own; problems become findings, good rules are kept."""
    for p in map(Path, paths):
        if not p.exists():
            raise InputError.single(str(p), "", "no such rule file or folder")
    files = expand_rule_paths(paths)
    loaded = Loaded(files, [], [])
    for file in files:
        try:
            doc = yamlio.load(file)
        except InputError as exc:
            for p in exc.problems:
                loaded.findings.append(LintFinding(p.code or YAML, "error", f"{p.path + ': ' if p.path else ''}{p.message}", (), str(file), p.line))
            continue
        rules, problems = parse_rule_document(doc, vocab)
        for p in problems:
            text = p.message
            if p.allowed:
                text += f" (allowed: {format_allowed(p.allowed)})"
            if p.suggestion:
                text += f"; did you mean {p.suggestion!r}?"
            loaded.findings.append(LintFinding(p.code or "invalid-rule", "error", f"{p.path}: {text}" if p.path else text, _rule_of(p), str(file), p.line))
        loaded.rules += rules
    return loaded


def duplicates(rules: Sequence[Rule]) -> tuple[list[Rule], list[LintFinding]]:
    seen: dict[str, Rule] = {}
    findings = []
    for r in rules:
        if r.id in seen:
            first = seen[r.id]
            findings.append(LintFinding("duplicate-id", "error", f"rule id {r.id} is also defined at {first.source}:{first.line}; ids must be unique", (r.id,), r.source, r.line))
        else:
            seen[r.id] = r
    return list(seen.values()), findings


def cycles(vocab: Vocabulary, rules: Sequence[Rule]) -> tuple[list[Rule], list[LintFinding]]:
    """Dependency cycles between decisions, each with the rules that close it; those rules are set aside."""
    book = RuleBook(tuple(sorted(rules, key=lambda r: r.id)))
    deps, why = dependencies(vocab, book)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    components: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(deps[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                components.append(sorted(comp, key=list(vocab.dimensions).index))

    for d in vocab.dimensions:
        if d not in index:
            strong(d)
    findings = []
    dropped: set[str] = set()
    by_id = {r.id: r for r in rules}
    for comp in components:
        inside = set(comp)
        steps = []
        involved: list[str] = []
        for a in comp:
            for b in sorted(deps[a] & inside):
                reasons = why.get((a, b), [])
                steps.append(f"{a} needs {b} ({', '.join(reasons)})")
                involved += [r[len("rule "):] for r in reasons if r.startswith("rule ")]
        involved = sorted(set(involved))
        dropped.update(involved)
        first = by_id.get(involved[0]) if involved else None
        findings.append(LintFinding(
            "dependency-cycle", "error",
            f"decisions {', '.join(comp)} depend on each other in a cycle: " + "; ".join(steps),
            tuple(involved), first.source if first else None, first.line if first else None,
            details=("the engine cannot order these decisions and refuses the rule base; lint sets these rules aside to check the rest",),
        ))
    return [r for r in rules if r.id not in dropped], findings


def _matches(url: str, entries: Sequence[str]) -> bool:
    """A host entry matches the host and its subdomains; an entry with a path matches as a prefix."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for entry in entries:
        domain, _, path = entry.partition("/")
        if (host == domain or host.endswith("." + domain)) and (not path or parts.path.lstrip("/").startswith(path)):
            return True
    return False


def citation_domains(rules: Sequence[Rule], domains: Sequence[str], supplementary: Sequence[str] = ()) -> list[LintFinding]:
    """Every rule must cite a page of the documentation domains (error otherwise);
    other pages are accepted on top of those when they are official project
    documentation (``supplementary``), and a warning otherwise."""
    out = []
    for r in rules:
        inside = [u for u in r.docs if _matches(u, domains)]
        outside = [u for u in r.docs if not _matches(u, domains) and not _matches(u, supplementary)]
        where = f"outside the Google Cloud documentation domains ({', '.join(domains)})"
        if not inside:
            out.append(LintFinding(
                "citation-domain", "error",
                f"cites no Google Cloud page ({', '.join(r.docs)} are {where}); cite the Google Cloud page that supports the rule",
                (r.id,), r.source, r.line,
            ))
        elif outside:
            out.append(LintFinding(
                "citation-domain", "warning",
                f"cites {', '.join(outside)}, {where} and not listed as supplementary documentation, besides "
                f"{len(inside)} Google Cloud page{'s' if len(inside) > 1 else ''}; drop it, or add its domain to "
                "citations.supplementary in engine/lint/invariants.yaml if it is official documentation",
                (r.id,), r.source, r.line,
            ))
    return out


def misplaced(rules: Sequence[Rule], vocab: Vocabulary, topics: Mapping[str, Sequence[str]]) -> list[LintFinding]:
    """Rules in a file whose name says it holds other dimensions: FILE.yaml holds the
    dimensions ``topics`` lists for FILE, else the dimension FILE; other files are not checked."""
    out = []
    for r in rules:
        stem = Path(r.source).stem
        holds = tuple(topics.get(stem, ())) or ((stem,) if stem in vocab.dimensions else ())
        if not holds or r.dimension in holds:
            continue
        home = next((t for t, dims in sorted(topics.items()) if r.dimension in dims), r.dimension)
        out.append(LintFinding(
            "rule-file", "warning",
            f"{r.id} decides {r.dimension}, but {stem}.yaml holds {', '.join(holds)}; move it to {home}.yaml",
            (r.id,), r.source, r.line,
        ))
    return out


# ------------------------------------------------------------ static reasoning


def never_fires(structural: Domains, rules: Sequence[Rule]) -> list[LintFinding]:
    """Rules whose condition cannot hold whatever is decided, even with decisions pinned."""
    out = []
    for r in rules:
        reasons = [structural.solve(c, r.dimension) for c in r.alternatives]
        if reasons and all(isinstance(s, Unsat) for s in reasons):
            why = sorted({s.why for s in reasons if isinstance(s, Unsat)})
            out.append(LintFinding(
                "never-fires", "error", f"the condition can never hold, so {r.id} never fires, not even in a review",
                (r.id,), r.source, r.line, details=tuple(f"because: {w}" for w in why[:3]),
            ))
    return out


def blocked_in_recommendations(natural: Domains, book: RuleBook, rule: Rule) -> list[str] | None:
    """Why ``rule`` can never fire in a recommendation (one reason per alternative), or None if it might.

    An alternative is blocked when it needs a decision no rule makes, or a
    decision ``d = c`` while some ``forbid c`` rule on ``d`` holds whenever
    the rest of the alternative does (so ``d`` is never ``c`` there).
    """
    reasons: list[str] = []
    for conj in rule.alternatives:
        solution = natural.solve(conj, rule.dimension)
        if isinstance(solution, Unsat):
            reasons.append(f"its condition needs: {solution.why}")
            continue
        current = [conj]
        blocker = None
        for dim, choice in solution.fixed.items():
            for f in book.for_dimension(dim):
                if f.verdict != "forbid" or choice not in f.choices:
                    continue
                try:
                    negated = to_dnf(f.when, natural.vocab, negate=True, limit=IMPLICATION_LIMIT)
                except ConditionTooComplex:
                    return None
                following = [a + n for a in current for n in negated]
                if len(following) > IMPLICATION_LIMIT:
                    return None
                current = [c for c in following if natural.satisfiable(c, rule.dimension)]
                if not current:
                    blocker = f"it needs {dim} = {choice}, but {f.id} forbids {choice} whenever the rest of the condition holds"
                    break
            if blocker:
                break
        if blocker is None:
            return None
        reasons.append(blocker)
    return reasons


def implies(domains: Domains, a: Rule, b: Rule) -> bool:
    """Whenever ``a`` fires, ``b`` fires too (both on the same dimension). False when unsure."""
    try:
        dnf = to_dnf(All((a.when, Not(b.when))), domains.vocab, limit=IMPLICATION_LIMIT)
    except ConditionTooComplex:
        return False
    return all(not domains.satisfiable(c, a.dimension) for c in dnf)


def can_fire_together(domains: Domains, a: Rule, b: Rule) -> list[Any]:
    """The alternatives of ``a and b`` that can hold (with their dimension applying)."""
    try:
        dnf = to_dnf(All((a.when, b.when)), domains.vocab, limit=IMPLICATION_LIMIT)
    except ConditionTooComplex:
        return []
    return [c for c in dnf if domains.satisfiable(c, a.dimension)]


# ------------------------------------------------------------ the run


class Run:
    """One lint run's dynamic state: the engine, the sampled scenarios' findings, and
    the smallest scenario seen for each rule, so searches are done once."""

    def __init__(self, engine: Engine, book: RuleBook, domains: Domains, finder: WitnessFinder, invariants: Invariants, samples: int) -> None:
        self.engine = engine
        self.book = book
        self.domains = domains
        self.finder = finder
        self.invariants = invariants
        self.samples = samples
        self.first_fired: dict[str, Any] = {}  # rule id -> smallest sampled scenario where it fired
        # rules whose choice was decided in a seed or sampled scenario where they fired
        self.won: set[str] = set(finder.seed_won)
        self.sampled: dict[tuple[str, str, str], tuple[Any, inv.Violation | None, Recommendation]] = {}
        self.unenforced: dict[str, tuple[Any, dict[str, str], inv.Violation]] = {}  # constraint id -> smallest breaking design review missed
        self._enforcement_checks: dict[str, int] = {}

    def sample(self) -> None:
        """Evaluate every one-fact scenario (exhaustive, cheap), then the random samples."""
        import itertools

        sampler = self.finder.sampler
        for scenario in itertools.chain(sampler.one_fact() if self.samples else (), sampler.scenarios(self.samples)):
            rec = self.finder.evaluate(scenario)
            for rid in rec.fired:
                old = self.first_fired.get(rid)
                if old is None or len(scenario.facts) < len(old.facts):
                    self.first_fired[rid] = scenario
                if rid not in self.won and _wins(self.book.get(rid), rec):
                    self.won.add(rid)
            problems = inv.totality(self.engine.vocab, rec) + inv.constraints_kept(self.invariants, rec) + inv.coherent(self.invariants, rec)
            problems += [v for v in inv.hard_rules_kept(self.engine, rec) if v.check == "conflict"] if any(d.conflicts for d in rec.decisions.values()) else []
            self._check_enforcement(scenario, rec)
            for v in problems:
                key = (v.invariant, v.check, v.dimension or "")
                old = self.sampled.get(key)
                if old is None or len(scenario.facts) < len(old[0].facts):
                    self.sampled[key] = (scenario, v, rec)

    def _check_enforcement(self, scenario: Any, rec: Recommendation, limit: int = 150) -> None:
        """Review the recommendation with one named constraint broken: a hard rule must flag it."""
        values = inv.values_of(rec)
        for c in self.invariants.constraints:
            done = self._enforcement_checks.get(c.id, 0)
            if done >= limit or c.dimension not in rec.decisions or not inv.holds(c.when, values):
                continue
            self._enforcement_checks[c.id] = done + 1
            breaking = c.breaking_choices(self.engine.vocab.dimensions[c.dimension].choices)
            design = dict(rec.choices)
            design[c.dimension] = breaking[0]
            problems = inv.constraint_enforced(self.engine, c, scenario, design)
            self.finder.evaluations += 1
            old = self.unenforced.get(c.id)
            if problems and (old is None or len(scenario.facts) < len(old[0].facts)):
                self.unenforced[c.id] = (scenario, design, problems[0])

    def fires(self, rule: Rule, small: bool = True) -> Any:
        """A scenario where ``rule`` fires (shrunk when ``small``), or None."""
        known = self.first_fired.get(rule.id) or self.finder.seed_fired.get(rule.id)
        if known is None:
            known = self.finder.find([(c, rule.dimension) for c in rule.alternatives], lambda rec: rule.id in rec.fired, small=False,
                                     reads=(rule.dimension,))
            if known is None:
                return None
            self.first_fired[rule.id] = known
        return self.finder.minimize(known, lambda rec: rule.id in rec.fired, (rule.dimension,)) if small else known

    def decided(self, scenario: Any, dimension: str) -> str:
        rec = self.finder.evaluate(scenario)
        dec = rec.decisions.get(dimension)
        if dec is None:
            return f"{dimension} does not apply"
        reasons = ", ".join(s.rule.id for s in dec.reasons[:3]) or "no rule"
        return f"the engine decides {dimension} = {dec.choice} ({dec.how}; {reasons})"


def _wins(rule: Rule | None, rec: Recommendation) -> bool:
    """Whether ``rule`` is a prefer rule that fired in ``rec`` and whose choice was decided."""
    return rule is not None and rule.verdict == "prefer" and rule.id in rec.fired and rec.choices.get(rule.dimension) == rule.choices[0]


def _rule_loc(rule: Rule) -> dict[str, Any]:
    return {"file": rule.source, "line": rule.line}


def unreached(run: Run, natural: Domains, rules: Sequence[Rule], static_dead: set[str]) -> list[LintFinding]:
    """Rules no recommendation reaches: a note when provably review-only, a warning when only not found."""
    out = []
    for r in rules:
        fired = r.id in run.first_fired or r.id in run.finder.seed_fired
        if r.review_only and fired:
            out.append(LintFinding(
                "unreached", "warning",
                f"{r.id} is declared review_only but fires in a recommendation; drop review_only or narrow its condition",
                (r.id,), **_rule_loc(r), scenario=run.fires(r),
            ))
            continue
        if r.id in static_dead or fired:
            continue
        if r.review_only:
            pinned = [e for e in r.fires if e.pinned]
            out.append(LintFinding(
                "review-only", "info",
                f"{r.id} is declared review_only: it explains a choice a design may pin, and no recommendation reaches it",
                (r.id,), **_rule_loc(r), scenario=pinned[0].scenario if pinned else None,
                decisions=dict(pinned[0].pinned) if pinned else {},
            ))
            continue
        blocked = blocked_in_recommendations(natural, run.book, r)
        if blocked is None and run.fires(r, small=False) is not None:
            continue
        pinned = [e for e in r.fires if e.pinned]
        example = pinned[0] if pinned else None
        if blocked is not None:
            out.append(LintFinding(
                "review-only", "info",
                f"{r.id} can never fire in a recommendation, only in a review where a design pins the decisions it needs",
                (r.id,), **_rule_loc(r), scenario=example.scenario if example else None,
                decisions=dict(example.pinned) if example else {},
                details=tuple(b if b.startswith("its condition") else f"because {b}" for b in dict.fromkeys(blocked)),
            ))
            continue
        needs = ["; ".join(describe_literal(lit) for lit in c) or "always" for c in r.alternatives[:2]]
        seen = run.finder.probe(r.alternatives[0], r.dimension) if r.alternatives else {}
        for dim, counts in seen.items():
            shown = ", ".join(f"{c} ({n})" for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
            needs.append(f"with the facts it needs, the rules decided {dim}: {shown}")
        out.append(LintFinding(
            "unreached", "warning",
            f"{r.id} never fired: not in {run.samples} sampled scenarios, nor in a search aimed at its condition "
            f"(on {r.dimension}, which applies when {run.engine.vocab.dimensions[r.dimension].applies_when.text}). "
            "Check that some scenario leads the rules to the decisions it waits for.",
            (r.id,), **_rule_loc(r), details=tuple(n if n.startswith("with the facts") else f"it needs: {n}" for n in needs),
        ))
    return out


def outweighed(run: Run, rules: Sequence[Rule], static_dead: set[str]) -> list[LintFinding]:
    """Prefer rules whose choice never wins where they fire: their reason argues for a
    choice the engine does not make. Sampled, then searched at the rule's condition: a
    warning when no scenario was found; a note when only a search aimed at the rule together
    with another rule preferring the same choice found one (a rule that only tips the
    balance: make sure that is meant). A rule that never fires is ``unreached``; a shadowed
    one is reported as such."""
    out = []
    for r in rules:
        if r.verdict != "prefer" or r.review_only or r.id in static_dead or r.id in run.won:
            continue
        if r.id not in run.first_fired and r.id not in run.finder.seed_fired:
            continue

        def wins(rec: Recommendation, r: Rule = r) -> bool:
            return _wins(r, rec)

        if run.finder.find([(c, r.dimension) for c in r.alternatives], wins, budget=120, small=False, reads=(r.dimension,)) is not None:
            continue
        together: Any = None
        allies = [a for a in run.book.for_dimension(r.dimension) if a.id != r.id and a.verdict == "prefer" and a.choices == r.choices]
        for ally in allies:
            goals = [(tuple(dict.fromkeys(c + d)), r.dimension) for c in r.alternatives for d in ally.alternatives]
            together = run.finder.find(goals, wins, budget=40, reads=(r.dimension,))
            if together is not None:
                out.append(LintFinding(
                    "outweighed", "info",
                    f"{r.id} prefers {r.choices[0]} (+{r.weight}), and {r.choices[0]} won {r.dimension} only in a scenario "
                    f"aimed at it together with {ally.id} (not in the samples nor where it fires alone). "
                    "Fine for a rule meant to tip the balance; otherwise raise its weight",
                    (r.id, ally.id), **_rule_loc(r), scenario=together, details=(run.decided(together, r.dimension),),
                ))
                break
        if together is None:
            scenario = run.fires(r)
            details = (run.decided(scenario, r.dimension),) if scenario is not None else ()
            out.append(LintFinding(
                "outweighed", "warning",
                f"{r.id} prefers {r.choices[0]} (+{r.weight}), but in every sampled and searched scenario where it fires "
                f"another choice wins {r.dimension}; raise its weight, narrow the rules that outweigh it, or declare it review_only",
                (r.id,), **_rule_loc(r), scenario=scenario, details=details,
            ))
    return out


def _witness_values(domains: Domains, rule: Rule) -> list[dict[str, Any]] | None:
    """Scenarios (as matcher values) where ``rule`` fires, one per alternative; None when unknown.

    If ``a`` implies ``b``, ``b`` holds wherever ``a`` fires: testing ``b`` at
    ``a``'s witnesses is a cheap necessary condition that spares most of the
    exact (DNF) implication checks.
    """
    try:
        dnf = to_dnf(rule.when, domains.vocab, limit=IMPLICATION_LIMIT)
    except ConditionTooComplex:
        return None
    out = []
    for conj in dnf:
        found = domains.solve(conj, rule.dimension)
        if isinstance(found, Unsat):
            continue
        values: dict[str, Any] = dict(found.facts)
        values.update({DECISION_PREFIX + d: c for d, c in found.decisions.items()})
        out.append(values)
    return out or None


def _candidates(domains: Domains, group: Sequence[Rule]) -> dict[str, set[str]]:
    """For each rule, the rules of ``group`` it may imply: those holding at its witnesses.

    Rules are indexed by the facts they test: one whose condition is a single
    conjunction needing ``ref == value`` is only looked up under that value, so
    N rules on N different values of one fact cost N lookups, not N*N checks.
    """
    keyed: dict[tuple[str, str], list[Rule]] = {}
    general: list[Rule] = []
    for b in group:
        try:
            dnf = to_dnf(b.when, domains.vocab, limit=IMPLICATION_LIMIT)
        except ConditionTooComplex:
            dnf = []
        needed = [lit for lit in dnf[0] if lit.kind in (LiteralKind.EQ, LiteralKind.IANY)] if len(dnf) == 1 else []
        if needed:
            keyed.setdefault((needed[0].ref, needed[0].kind, repr(needed[0].value)), []).append(b)
        else:
            general.append(b)
    everyone = {r.id for r in group}
    out: dict[str, set[str]] = {}
    for a in group:
        witnesses = _witness_values(domains, a)
        if witnesses is None:
            out[a.id] = everyone - {a.id}
            continue
        found: set[str] = set()
        for values in witnesses:
            pool = list(general)
            for ref, value in values.items():
                pool += keyed.get((ref, "eq", repr(value)), [])
                for item in value if isinstance(value, tuple) else ():
                    pool += keyed.get((ref, "iany", repr(item)), [])
            here = {b.id for b in pool if b.id != a.id and holds(b.when, values)}
            found = here if not found and values is witnesses[0] else found & here
        out[a.id] = found
    return out


def _grouped(equivalent: list[tuple[Rule, Rule]]) -> list[list[Rule]]:
    """Pairs of equivalent rules joined into groups (equivalence is transitive), in rule order."""
    parent: dict[str, str] = {}
    rules: dict[str, Rule] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in equivalent:
        rules[a.id], rules[b.id] = a, b
        ra, rb = find(a.id), find(b.id)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[Rule]] = {}
    for rid in sorted(rules):
        groups.setdefault(find(rid), []).append(rules[rid])
    return list(groups.values())


def _names(group: Sequence[Rule], shown: int = 5) -> str:
    ids = [r.id for r in group]
    if len(ids) <= shown:
        return ", ".join(ids[:-1]) + " and " + ids[-1]
    return ", ".join(ids[:shown]) + f" and {len(ids) - shown} more"


def shadowing(run: Run, rules: Sequence[Rule], static_dead: set[str]) -> list[LintFinding]:
    """Shadowed and redundant rules. Equivalent rules are one finding per group, and only
    pairs that can imply each other (see :func:`_candidates`) are checked exactly."""
    out: list[LintFinding] = []
    by_dim: dict[str, list[Rule]] = {}
    for r in rules:
        if r.id not in static_dead:
            by_dim.setdefault(r.dimension, []).append(r)
    reported: set[tuple[str, str]] = set()
    for dim, everyone in by_dim.items():
        # identical rules (same verdict, choices and condition) are equivalent without a check:
        # one stands for all in the pairwise checks, and the group is reported once
        copies: dict[tuple, list[Rule]] = {}
        for r in everyone:
            copies.setdefault((r.verdict, tuple(sorted(r.choices)), repr(sorted(repr(c) for c in r.alternatives))), []).append(r)
        group = [same[0] for same in copies.values()]
        hard = [r for r in group if r.hard]
        may_imply = _candidates(run.domains, group)
        equal_hard: list[tuple[Rule, Rule]] = [(same[0], r) for same in copies.values() if same[0].hard for r in same[1:]]
        for a in group:
            for b in hard:
                if a.id == b.id or b.id not in may_imply[a.id]:
                    continue
                kind = None
                if a.verdict == "prefer" and b.verdict == "require" and b.choices[0] != a.choices[0]:
                    kind = ("shadowed", f"{a.id} prefers {a.choices[0]}, but whenever it fires {b.id} requires {b.choices[0]}, so it can never change {dim}")
                elif a.verdict == "prefer" and b.verdict == "forbid" and a.choices[0] in b.choices:
                    kind = ("shadowed", f"{a.id} prefers {a.choices[0]}, but whenever it fires {b.id} forbids it")
                elif a.hard and a.verdict == b.verdict and set(a.choices) <= set(b.choices) and (b.id, a.id) not in reported:
                    kind = ("redundant", f"{a.id} {a.verdict}s {', '.join(a.choices)}, but whenever it fires {b.id} already {b.verdict}s {', '.join(b.choices)}")
                if kind is None or not implies(run.domains, a, b):
                    continue
                if kind[0] == "redundant" and set(a.choices) == set(b.choices) and a.id in may_imply[b.id] and implies(run.domains, b, a):
                    reported.add((a.id, b.id))
                    reported.add((b.id, a.id))
                    equal_hard.append((a, b))
                    continue
                reported.add((a.id, b.id))
                scenario = run.fires(a)
                details = (run.decided(scenario, dim),) if scenario is not None else ()
                out.append(LintFinding(kind[0], "warning", kind[1], (a.id, b.id), **_rule_loc(a), scenario=scenario, details=details))
        for members in _grouped(equal_hard):
            a, rest = members[0], members[1:]
            scenario = run.fires(a)
            details = (run.decided(scenario, dim),) if scenario is not None else ()
            if len(members) == 2:
                message = f"{a.id} and {rest[0].id} {a.verdict} {', '.join(a.choices)} under equivalent conditions; keep one"
            else:
                message = f"{_names(members)} ({len(members)} rules) {a.verdict} {', '.join(a.choices)} under equivalent conditions; keep one"
            out.append(LintFinding("redundant", "warning", message, tuple(r.id for r in members), **_rule_loc(a), scenario=scenario, details=details))
        soft = [r for r in group if not r.hard]
        equal_soft: list[tuple[Rule, Rule]] = [(same[0], r) for same in copies.values() if not same[0].hard for r in same[1:]]
        group_of: dict[str, int] = {}  # rules already found equivalent: their pairs are not rechecked
        for i, a in enumerate(soft):
            for b in soft[i + 1:]:
                if a.verdict != b.verdict or a.choices != b.choices:
                    continue
                if b.id not in may_imply[a.id] or a.id not in may_imply[b.id]:
                    continue
                if a.id in group_of and group_of.get(b.id) == group_of[a.id]:
                    continue
                if implies(run.domains, a, b) and implies(run.domains, b, a):
                    equal_soft.append((a, b))
                    mark = group_of.setdefault(a.id, i)
                    if b.id in group_of and group_of[b.id] != mark:  # two groups meet: relabel one
                        old = group_of[b.id]
                        for rid, g in group_of.items():
                            if g == old:
                                group_of[rid] = mark
                    group_of[b.id] = mark
        for members in _grouped(equal_soft):
            a = members[0]
            scenario = run.fires(a)
            if len(members) == 2:
                b = members[1]
                message = (f"{a.id} and {b.id} both {a.verdict} {', '.join(a.choices)} under equivalent conditions, so their weights "
                           f"({a.weight} + {b.weight}) always count twice; merge them or make their conditions differ")
            else:
                weights = " + ".join(str(r.weight) for r in members[:5]) + (" + ..." if len(members) > 5 else "")
                message = (f"{_names(members)} ({len(members)} rules) all {a.verdict} {', '.join(a.choices)} under equivalent conditions, "
                           f"so their weights ({weights}) always count {len(members)} times; merge them or make their conditions differ")
            out.append(LintFinding("redundant", "warning", message, tuple(r.id for r in members), **_rule_loc(a), scenario=scenario))
    return out


def hard_conflicts(run: Run, rules: Sequence[Rule], static_dead: set[str]) -> list[LintFinding]:
    out: list[LintFinding] = []
    hard = [r for r in rules if r.hard and r.id not in static_dead]
    for i, a in enumerate(hard):
        for b in hard[i + 1:]:
            if a.dimension != b.dimension:
                continue
            choices = list(run.engine.vocab.dimensions[a.dimension].choices)
            clash = None
            if a.verdict == b.verdict == "require" and a.choices != b.choices:
                clash = f"{a.id} requires {a.choices[0]} and {b.id} requires {b.choices[0]}"
            elif a.verdict == "require" and b.verdict == "forbid" and a.choices[0] in b.choices:
                clash = f"{a.id} requires {a.choices[0]} and {b.id} forbids it"
            elif b.verdict == "require" and a.verdict == "forbid" and b.choices[0] in a.choices:
                clash = f"{b.id} requires {b.choices[0]} and {a.id} forbids it"
            elif a.verdict == b.verdict == "forbid" and set(a.choices) | set(b.choices) >= set(choices):
                clash = f"{a.id} and {b.id} together forbid every choice of {a.dimension}"
            if clash is None:
                continue
            together = can_fire_together(run.domains, a, b)
            if not together:
                continue
            scenario = run.finder.find([(c, a.dimension) for c in together], lambda rec, a=a, b=b: a.id in rec.fired and b.id in rec.fired,
                                       reads=(a.dimension, b.dimension))
            if scenario is not None:
                out.append(LintFinding(
                    "hard-conflict", "error", f"{clash}, and both fire for the scenario below",
                    (a.id, b.id), **_rule_loc(a), scenario=scenario, details=(run.decided(scenario, a.dimension),),
                ))
                continue
            solution = run.domains.solve(together[0], a.dimension)
            assert not isinstance(solution, Unsat)
            facts = make_scenario(run.engine.vocab, solution.facts, "x")
            pinned = {d: c for d, c in solution.decisions.items() if c is not None}
            out.append(LintFinding(
                "hard-conflict", "warning",
                f"{clash}, and both conditions can hold together; no sampled scenario reached that combination, "
                "but nothing in the conditions rules it out. Make the conditions exclusive (e.g. add a `not:` to one).",
                (a.id, b.id), **_rule_loc(a), scenario=facts, decisions=pinned,
                details=("both hold when: " + "; ".join(describe_literal(lit) for lit in together[0]),),
            ))
    return out


def constraint_enforcement(run: Run, structural: Domains) -> list[LintFinding]:
    """For every named constraint, a design breaking it must be flagged by a hard rule.

    Designs may pin any choice, so the witnesses come from the structural
    domains (every choice possible), not from what the rules can recommend.
    """
    out = []
    vocab = run.engine.vocab
    for c in run.invariants.constraints:
        try:
            dnf = to_dnf(c.when, structural.vocab, limit=IMPLICATION_LIMIT)
        except ConditionTooComplex:  # pragma: no cover - invariants are small
            continue
        for conj in dnf:
            solution = structural.solve(conj, c.dimension)
            if isinstance(solution, Unsat):
                continue
            scenario = make_scenario(vocab, solution.facts, "x")
            for choice in c.breaking_choices(vocab.dimensions[c.dimension].choices):
                design = {d: v for d, v in solution.decisions.items() if v is not None}
                design[c.dimension] = choice
                problems = inv.constraint_enforced(run.engine, c, scenario, design)
                if problems:
                    out.append(LintFinding(
                        "constraint-not-enforced", "error", problems[0].message + f" (constraint {c.id} in engine/lint/invariants.yaml)",
                        tuple(r.id for r in run.book.for_dimension(c.dimension) if (r.verdict == "forbid" and choice in r.choices) or r.verdict == "require"), None, None,
                        scenario=scenario, decisions=design,
                    ))
                    break
    return out


def sampled_findings(run: Run, already: Sequence[LintFinding] = ()) -> list[LintFinding]:
    """Findings from the sampled scenarios; a conflict already reported for the same rules is not repeated."""
    known = {(f.check, frozenset(f.rules)) for f in already}
    out = []
    for cid, (scenario, design, violation) in sorted(run.unenforced.items()):
        constraint = next(c for c in run.invariants.constraints if c.id == cid)
        pinned = {constraint.dimension: design[constraint.dimension]}
        for d in sorted(inv.refs(constraint.when)):  # keep the decisions the constraint tests, drop the rest
            if d.startswith("decision.") and d[len("decision."):] in design:
                pinned[d[len("decision."):]] = design[d[len("decision."):]]

        def still(rec: Recommendation, c=constraint, p=pinned) -> bool:
            return bool(inv.constraint_enforced(run.engine, c, rec.scenario, {**rec.choices, **p}))

        small = run.finder.minimize(scenario, still)
        shown = {**{d: c for d, c in run.finder.evaluate(small).choices.items() if d in _ancestors(run.engine.vocab, pinned)}, **pinned}
        out.append(LintFinding(
            "constraint-not-enforced", "error", violation.message + f" (constraint {cid} in engine/lint/invariants.yaml)",
            tuple(r.id for r in run.book.for_dimension(constraint.dimension)
                  if (r.verdict == "forbid" and design[constraint.dimension] in r.choices) or r.verdict == "require"),
            scenario=small, decisions=shown,
            details=("review this design for the scenario: no hard rule reports it",),
        ))
    kinds = {"totality": ("fallback", "error"), "constraint": ("constraint-broken", "error"), "coherence": ("incoherent", "error"), "hard": ("hard-conflict", "error")}
    for (invariant, check, dim), (scenario, violation, _rec) in sorted(run.sampled.items(), key=lambda kv: kv[0]):
        name, severity = kinds[invariant]
        pred = _violates(run, violation)
        small = run.finder.minimize(scenario, pred)
        rules = violation.rules if violation and violation.rules else ()
        if (name, frozenset(rules)) in known:
            continue
        message = str(violation.message)
        if invariant == "coherence":
            message = f"coherence check {check}: {message}"
        elif invariant == "constraint":
            message = f"constraint {check}: {message}"
        out.append(LintFinding(name, severity, (f"{dim}: " if dim else "") + message, rules, scenario=small,
                           details=tuple(run.decided(small, d) for d in ([dim] if dim else []))))
    return out


def _ancestors(vocab: Vocabulary, dims: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for d in dims:
        while d and d not in out:
            out.add(d)
            d = vocab.dimensions[d].applies_when.dimension
    return out


def _violates(run: Run, violation: inv.Violation | None):
    def pred(rec: Recommendation) -> bool:
        found = inv.totality(run.engine.vocab, rec) + inv.constraints_kept(run.invariants, rec) + inv.coherent(run.invariants, rec)
        if any(d.conflicts for d in rec.decisions.values()):
            found += [v for v in inv.hard_rules_kept(run.engine, rec) if v.check == "conflict"]
        return any((v.invariant, v.check, v.dimension) == (violation.invariant, violation.check, violation.dimension) for v in found)

    return pred


def failing_examples(engine: Engine, rules: Sequence[Rule]) -> list[LintFinding]:
    out = []
    for result in run_examples(engine, rules):
        if result.passed:
            continue
        r = result.rule
        expected = "fire" if result.kind == "fires" else "not fire"
        out.append(LintFinding(
            "failing-example", "error",
            f"examples.{result.kind}[{result.index}] should {expected}, but {r.id} {'fired' if result.fired else 'did not fire'}",
            (r.id,), r.source, result.example.line or r.line, scenario=result.example.scenario, decisions=dict(result.example.pinned),
        ))
    return out
