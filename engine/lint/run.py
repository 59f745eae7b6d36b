"""Running lint: load the rule files, then run the checks (engine/lint/checks.py)
in the order their inputs need, and keep the findings of the checks asked for."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from mlarch.analysis.domain import Domains
from mlarch.analysis.sampling import Sampler, seed_scenarios
from mlarch.analysis.witness import WitnessFinder
from mlarch.core.engine import Engine
from mlarch.core.errors import EngineError, InputError, RuleBaseLimitError
from mlarch.core.rulebook import RuleBook
from mlarch.core.vocabulary import Vocabulary
from mlarch.lint.checks import (
    Loaded,
    Run,
    citation_domains,
    constraint_enforcement,
    cycles,
    duplicates,
    failing_examples,
    hard_conflicts,
    load_files,
    misplaced,
    never_fires,
    outweighed,
    sampled_findings,
    shadowing,
    unreached,
)
from mlarch.lint.findings import LintFinding, LintReport
from mlarch.lint.freshness import freshness
from mlarch.lint.registry import CODES
from mlarch.lint.spec import Invariants, bundled_invariants


def lint(
    paths: Sequence[str | Path],
    vocab: Vocabulary,
    samples: int = 1000,
    seed: int = 0,
    checks: Iterable[str] | None = None,
    invariants: Invariants | None = None,
    scenarios: str | Path | None = None,
    as_of: date | None = None,
) -> LintReport:
    """Lint the rule files or folders in ``paths``; see docs/lint.md. ``as_of``: the run date
    the freshness checks judge end dates against (default core/lifecycle.run_date)."""
    wanted = set(checks) if checks else set(CODES)
    invariants = invariants or bundled_invariants(vocab)
    loaded = load_files(paths, vocab)
    findings = list(loaded.findings)
    rules, dups = duplicates(loaded.rules)
    findings += dups
    rules, cyc = cycles(vocab, rules)
    findings += cyc
    findings += citation_domains(rules, invariants.citation_domains, invariants.supplementary)
    findings += misplaced(rules, vocab, invariants.rule_files)
    findings += freshness(vocab, rules, as_of)
    book = RuleBook(tuple(sorted(rules, key=lambda r: r.id)))
    domains = Domains(vocab, book.rules)
    structural = Domains(vocab, book.rules, natural=False)
    dead = never_fires(structural, book.rules)
    findings += dead
    static_dead = {f.rules[0] for f in dead}
    evaluations = 0
    try:
        engine = Engine(book, vocab)
    except (RuleBaseLimitError, EngineError, InputError) as exc:
        findings.append(LintFinding("engine", "error", f"the engine cannot compile these rules: {exc}"))
        return _report(findings, wanted, loaded, book, 0, 0)
    try:
        findings += failing_examples(engine, book.rules) if "failing-example" in wanted else []
        seeds = seed_scenarios(book, vocab, scenarios)
        sampler = Sampler(vocab, domains, seeds, seed)
        finder = WitnessFinder(engine, domains, sampler, seeds)
        run = Run(engine, book, domains, finder, invariants, samples)
        run.sample()
        if "unreached" in wanted:
            findings += unreached(run, domains, book.rules, static_dead)
        if wanted & {"shadowed", "redundant"}:
            findings += shadowing(run, book.rules, static_dead)
        if "outweighed" in wanted:  # a shadowed rule is outweighed too; say it once
            findings += outweighed(run, book.rules, static_dead | {f.rules[0] for f in findings if f.check == "shadowed"})
        if "hard-conflict" in wanted:
            findings += hard_conflicts(run, book.rules, static_dead)
        if "constraint-not-enforced" in wanted:
            findings += constraint_enforcement(run, structural)
        findings += sampled_findings(run, findings)
        evaluations = finder.evaluations
    finally:
        engine.close()
    return _report(findings, wanted, loaded, book, samples, evaluations)


def _report(findings: list[LintFinding], wanted: set[str], loaded: Loaded, book: RuleBook, samples: int, evaluations: int) -> LintReport:
    wanted = wanted | ({"review-only"} if "unreached" in wanted else set())
    kept = _dedupe([f for f in findings if f.check in wanted])
    return LintReport(kept, len(loaded.files), len(loaded.rules), samples, evaluations, tuple(sorted(wanted)))


def _dedupe(findings: Sequence[LintFinding]) -> list[LintFinding]:
    seen: dict[tuple, LintFinding] = {}
    for f in findings:
        seen.setdefault((f.check, f.rules, f.message, f.file, f.line), f)
    return list(seen.values())
