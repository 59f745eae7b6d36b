"""Every lint check, in one place: its code, severity, title, why it matters,
how to fix it, and the function that finds it.

`mlarch lint --check list`, `mlarch lint --explain CODE` and the checks
section of docs/lint.md (tools/gen_docs.py) are generated from this list, and
each check has fixture rules that must and must not trigger it
(tests/fixtures/lint/<code>/). Adding a check means adding one entry here.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Callable

from mlarch.lint import checks, freshness


@dataclass(frozen=True)
class Check:
    code: str
    severities: tuple[str, ...]  # what its findings can be (error, warning, info = a note)
    title: str  # one line on what it finds
    why: str  # what it finds and why that matters
    fix: str  # what to do about a finding
    function: Callable | None  # the function that finds it; None: the run itself (see run.py)

    @property
    def severity(self) -> str:
        return " / ".join("note" if s == "info" else s for s in self.severities)


REGISTRY: tuple[Check, ...] = (
    Check(
        "yaml", ("error",), "a rule file that is not valid YAML",
        "A rule file that is not valid YAML (or too big, too deep, with duplicate keys or unsupported tags) cannot be read; "
        "every command would refuse the rule base. Lint reports it and checks the other files.",
        "Fix the file at the line shown; the message says what the YAML reader refused.",
        checks.load_files,
    ),
    Check(
        "unknown-id", ("error",), "a fact, dimension, choice, operator or exam section that the vocabulary does not know",
        "A fact, dimension, choice, operator or exam section the vocabulary does not know, in a condition, a conclusion "
        "or an example: usually a typo, which would make the rule test or conclude nothing.",
        "Use a name from the vocabulary: the message lists what is allowed and suggests the closest name "
        "(docs/vocabulary.md, docs/dimensions.md).",
        checks.load_files,
    ),
    Check(
        "invalid-rule", ("error",), "any other problem the rule loader refuses",
        "Anything else the loader refuses (a bad id, a weight out of range, a placeholder the condition does not test, "
        "an unknown key, ...): the engine would refuse the whole rule base.",
        "Fix the rule at the line shown; docs/rules.md describes the rule format.",
        checks.load_files,
    ),
    Check(
        "missing-citation", ("error",), "a rule without documentation links",
        "Every recommendation cites the documentation that supports it; a rule without `docs:` cannot.",
        "Add the Google Cloud documentation page(s) that support the rule under `docs:`.",
        checks.load_files,
    ),
    Check(
        "missing-section", ("error",), "a rule without an exam-guide section",
        "Every rule names the exam-guide section it belongs to, so `answer` and the stage pages can place it.",
        "Add the section number under `section:`, quoted (\"1.1\").",
        checks.load_files,
    ),
    Check(
        "missing-examples", ("error",), "a rule without fires / does_not_fire examples",
        "A rule's examples are its tests: a scenario where it fires and one where it does not (an unconditional rule "
        "needs only `fires`). Without them nothing shows the condition does what the rule says.",
        "Add `examples: {fires: [...], does_not_fire: [...]}` with at least one scenario each.",
        checks.load_files,
    ),
    Check(
        "duplicate-id", ("error",), "two rules with the same id",
        "Two rules with one id, with both places: reasons cite rules by id, so ids must be unique.",
        "Rename one of the rules (ids do not change once published, so rename the new one).",
        checks.duplicates,
    ),
    Check(
        "dependency-cycle", ("error",), "decisions that depend on each other in a cycle",
        "Decisions that need each other (`a` tests `decision.b`, `b` tests `decision.a`), with the rules that close the "
        "cycle: the engine cannot order them and refuses the rule base. Lint sets those rules aside to check the rest.",
        "Make one of the rules test facts instead of the other decision, or move it to a dimension decided later.",
        checks.cycles,
    ),
    Check(
        "citation-domain", ("error", "warning"), "a citation outside the Google Cloud documentation domains",
        "A citation outside Google Cloud's documentation (`citations.domains` in `engine/lint/invariants.yaml`): an error "
        "when the rule cites no Google Cloud page at all, a warning when it also cites a page that is neither Google Cloud "
        "nor official project documentation listed in `citations.supplementary` (tensorflow.org, kubeflow.org, ...).",
        "Cite the Google Cloud page that supports the rule; drop other pages, or add an official project's domain to "
        "`citations.supplementary`.",
        checks.citation_domains,
    ),
    Check(
        "rule-file", ("warning",), "a rule in a file whose name says it holds other dimensions",
        "Rule files are named after what they decide, so a rule is found where its dimension says: FILE.yaml holds "
        "the dimension FILE, or the dimensions `rule_files` in `engine/lint/invariants.yaml` lists for the topic "
        "file FILE. Files with other names are not checked.",
        "Move the rule, unchanged, to the file the message names (rule ids do not change), or list its dimension "
        "for the topic file in `rule_files`.",
        checks.misplaced,
    ),
    Check(
        "failing-example", ("error",), "a rule example that does not behave as it says",
        "An example that does not behave as it says (a `fires` example where the rule does not fire, or the reverse), "
        "with the example scenario and its pinned decisions.",
        "Fix the rule's condition or the example; `mlarch test` runs the examples on their own.",
        checks.failing_examples,
    ),
    Check(
        "never-fires", ("error",), "a rule whose condition can never hold (proved over finite domains)",
        "A condition that can never hold, not even when a design pins decisions (proved over finite domains): "
        "it contradicts itself or the dimension's `applies_when`.",
        "Fix or delete the rule (a `bqml_model` rule cannot test `decision.approach: automl`).",
        checks.never_fires,
    ),
    Check(
        "unreached", ("warning",), "a rule no sampled or targeted scenario made fire",
        "A rule that no sampled scenario and no search aimed at its condition made fire; the finding says what the rules "
        "decided instead. Also: a rule declared `review_only: true` that does fire in a recommendation.",
        "The details say what the rules decided for the facts the rule needs: either another dimension's rules never "
        "lead there (a missing rule elsewhere) or the condition is wrong.",
        checks.unreached,
    ),
    Check(
        "review-only", ("info",),
        "a rule that can fire only when a design pins decisions (in `review`), never in a recommendation (a note)",
        "A rule that can fire only when a design pins decisions, never in a recommendation, with the rule that blocks it. "
        "Such rules are useful in `review`; the note makes sure it is on purpose. A rule declared `review_only: true` "
        "is a note too.",
        "Intended when the rule explains why a design is wrong (a deprecated AutoML objective): declare "
        "`review_only: true`; otherwise the condition is too narrow.",
        checks.unreached,
    ),
    Check(
        "shadowed", ("warning",), "a rule whose conclusion can never matter because another rule always overrides it",
        "A `prefer` that can never matter: whenever it fires, another rule requires a different choice, or forbids "
        "the preferred one (proved).",
        "Delete the rule or narrow one of the conditions.",
        checks.shadowing,
    ),
    Check(
        "outweighed", ("warning", "info"), "a prefer rule that fires but whose choice never wins where it fires (sampled and searched)",
        "A `prefer` whose choice never wins where it fires: in no seed (bundled scenario or rule example), no sampled scenario, nor a search aimed at its condition, "
        "does the engine decide what the rule argues for. A note instead when a search aimed at it together with another "
        "rule preferring the same choice finds a win: a rule meant to tip the balance.",
        "Decide whether the rule should win where it fires. If so, raise its weight above the rules shown in the details; "
        "if it only adds a reason to a choice other rules make, the note is expected; if it only matters when a design "
        "pins the choice, declare `review_only: true`.",
        checks.outweighed,
    ),
    Check(
        "redundant", ("warning",), "a hard rule another hard rule always covers, or two rules saying the same thing under the same condition",
        "A hard rule another hard rule always covers (same verdict, whenever it fires), or two rules with the same "
        "conclusion under equivalent conditions, whose weights always count twice (proved).",
        "Delete one rule, merge them, or make their conditions differ.",
        checks.shadowing,
    ),
    Check(
        "hard-conflict", ("error", "warning"), "two hard conclusions that can fire together and contradict each other",
        "Two hard conclusions that contradict (two `require`s of different choices, a `require` and a `forbid` of one "
        "choice, two `forbid`s that leave no choice) and can fire together: an error with the scenario where both fire; "
        "a warning, with the decisions to pin, when the conditions are compatible but no scenario reached them.",
        "Make the conditions exclusive (add a `not:` to one) or make one of them soft; `require` and `forbid` are for "
        "platform facts and mandates, which do not contradict each other.",
        checks.hard_conflicts,
    ),
    Check(
        "fallback", ("error",), "a dimension decided by no rule at all for some scenario",
        "A dimension decided by no rule at all for some scenario (\"no rule applied; first choice in vocabulary order\"), "
        "with the smallest such scenario.",
        "Add a `default: true` rule for the dimension that covers the scenario shown (often: a fact stated as an empty "
        "list, or stated with a value no rule expected).",
        checks.sampled_findings,
    ),
    Check(
        "constraint-broken", ("error",), "a recommendation that breaks a named constraint (engine/lint/invariants.yaml)",
        "A recommendation that breaks a named constraint of `engine/lint/invariants.yaml`, with the scenario.",
        "Add or fix the hard rule that enforces the constraint, in the rule file of the dimension it constrains; "
        "if the constraint itself is wrong, fix `engine/lint/invariants.yaml` and say why in the commit.",
        checks.sampled_findings,
    ),
    Check(
        "constraint-not-enforced", ("error",),
        "a named constraint that no hard rule enforces, so review would not flag a design breaking it",
        "A design that breaks a named constraint but that no hard rule flags, so `review` would pass it; with the "
        "scenario and the design.",
        "Add the hard rule (`require` or `forbid`) that enforces the constraint wherever it applies.",
        checks.constraint_enforcement,
    ),
    Check(
        "incoherent", ("error",), "a recommendation whose decisions do not fit together (coherence checks in invariants.yaml)",
        "A recommendation whose decisions do not fit together (a coherence check of `engine/lint/invariants.yaml`), "
        "with the scenario.",
        "Add or fix the rules so the decisions fit; if the coherence check is wrong, fix `engine/lint/invariants.yaml`.",
        checks.sampled_findings,
    ),
    Check(
        "engine", ("error",), "the rule base cannot be compiled by the engine",
        "The engine cannot compile the rules (a limit of durable-rules, docs/architecture.md); no command can run them.",
        "Split the rule the message names, or simplify its condition.",
        None,
    ),
    # names and dates from the vocabulary (engine/lint/freshness.py, docs/knowledge.md)
    Check(
        "shut-down-preferred", ("warning",), "a rule that prefers or requires a choice whose end date has passed (or that is retired)",
        "A recommendation would send users to a product that no longer exists at the run date (`--as-of`).",
        "Point the rule at the successor the vocabulary names, or make it review-only if it only explains a pinned design.",
        freshness.shut_down_preferred,
    ),
    Check(
        "unnamed-choice", ("warning",), "a choice without a current display name in the vocabulary",
        "Outputs, diagrams and ADRs show each product by its current name; a choice without one shows its bare id.",
        "Add the choice's current name (and former names, with the date and page of the rename) to the vocabulary.",
        freshness.unnamed_choices,
    ),
    Check(
        "former-name", ("warning",), "rule text using a product's former name without its current name",
        "A reason that names only a product's former name ages the design documents it ends up in.",
        "Write the current name, with the former one in parentheses where readers may know only that one.",
        freshness.former_names,
    ),
    Check(
        "stale-citation", ("info",), "a rule naming a renamed product whose citations all lie outside the docs tree of the rename (a note)",
        "Citation dates are not known; a rule whose every page lies outside the documentation tree where the rename was "
        "read probably cites pages written before it (a heuristic, so only a note).",
        "Re-read the cited pages and cite the current page of the renamed product.",
        freshness.stale_citations,
    ),
)

BY_CODE: dict[str, Check] = {c.code: c for c in REGISTRY}
CODES: tuple[str, ...] = tuple(BY_CODE)


def explain(code: str, width: int = 100) -> str:
    """The text of `mlarch lint --explain CODE`."""
    check = BY_CODE[code]
    out = [f"{check.code} ({check.severity}): {check.title}", ""]
    for label, text in (("Why", check.why), ("How to fix", check.fix)):
        out += textwrap.wrap(f"{label}: {text}", width=width, break_on_hyphens=False)
        out.append("")
    return "\n".join(out)


def reference() -> str:
    """The checks section of docs/lint.md (Markdown)."""
    lines = ["| check | severity | finds |", "|---|---|---|"]
    lines += [f"| [`{c.code}`](#{c.code}) | {c.severity} | {c.title} |" for c in REGISTRY]
    for c in REGISTRY:
        lines += ["", f"### {c.code}", "", f"*{c.severity}* — {c.why}", "", f"**How to fix:** {c.fix}"]
        lines += ["", f"Fixtures: `tests/fixtures/lint/{c.code}/`; `mlarch lint --explain {c.code}`."]
    return "\n".join(lines) + "\n"
