"""What lint reports: one finding per problem, with the rules involved and
a scenario that shows it; rendered as text for people or JSON for tools."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

from mlarch.core.scenario import Scenario

SEVERITIES = ("error", "warning", "info")  # info is a note: it does not fail lint

# check id -> one line on what it finds (docs/lint.md explains each)
CHECKS: dict[str, str] = {
    "yaml": "a rule file that is not valid YAML",
    "unknown-id": "a fact, dimension, choice, operator or exam section that the vocabulary does not know",
    "invalid-rule": "any other problem the rule loader refuses",
    "missing-citation": "a rule without documentation links",
    "missing-section": "a rule without an exam-guide section",
    "missing-examples": "a rule without fires / does_not_fire examples",
    "duplicate-id": "two rules with the same id",
    "dependency-cycle": "decisions that depend on each other in a cycle",
    "citation-domain": "a citation outside the Google Cloud documentation domains",
    "failing-example": "a rule example that does not behave as it says",
    "never-fires": "a rule whose condition can never hold (proved over finite domains)",
    "unreached": "a rule no sampled or targeted scenario made fire",
    "review-only": "a rule that can fire only when a design pins decisions (in `review`), never in a recommendation (a note)",
    "shadowed": "a rule whose conclusion can never matter because another rule always overrides it",
    "outweighed": "a prefer rule that fires but whose choice never wins where it fires (sampled and searched)",
    "redundant": "a hard rule another hard rule always covers, or two rules saying the same thing under the same condition",
    "hard-conflict": "two hard conclusions that can fire together and contradict each other",
    "fallback": "a dimension decided by no rule at all for some scenario",
    "constraint-broken": "a recommendation that breaks a named constraint (engine/lint/invariants.yaml)",
    "constraint-not-enforced": "a named constraint that no hard rule enforces, so review would not flag a design breaking it",
    "incoherent": "a recommendation whose decisions do not fit together (coherence checks in invariants.yaml)",
    "engine": "the rule base cannot be compiled by the engine",
    # engine/lint/freshness.py (issue 17): names and dates from the vocabulary
    "shut-down-preferred": "a rule that prefers or requires a choice whose end date has passed (or that is retired)",
    "unnamed-choice": "a choice without a current display name in the vocabulary",
    "former-name": "rule text using a product's former name without its current name",
    "stale-citation": "a rule naming a renamed product whose citations all lie outside the docs tree of the rename (a note)",
}


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    message: str
    rules: tuple[str, ...] = ()  # the rules involved, the one it is about first
    file: str | None = None
    line: int | None = None
    scenario: Scenario | None = None  # a concrete scenario that shows it
    decisions: Mapping[str, str] = field(default_factory=dict)  # decisions the scenario needs pinned, if any
    details: tuple[str, ...] = ()  # further lines: what the engine decided, what the condition needs

    @property
    def sort_key(self) -> tuple:
        return (self.file or "~", self.line or 0, self.check, self.rules, self.message)

    def scenario_data(self) -> dict[str, Any] | None:
        if self.scenario is None:
            return None
        data = self.scenario.to_nested()
        data["name"] = f"lint-{self.check}"
        return data

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "severity": self.severity,
            "rule": self.rules[0] if self.rules else None,
            "rules": list(self.rules),
            "file": self.file,
            "line": self.line,
            "message": self.message,
            "details": list(self.details),
            "scenario": self.scenario_data(),
            "decisions": dict(self.decisions),
        }


@dataclass
class LintReport:
    findings: list[Finding]
    files: int
    rules: int
    samples: int
    evaluations: int
    checks: tuple[str, ...]

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.severity == "info",) + f.sort_key)

    @property
    def failing(self) -> list[Finding]:
        """The findings that make lint exit 1 (errors and warnings, not notes)."""
        return [f for f in self.findings if f.severity != "info"]

    def to_dict(self) -> dict[str, Any]:
        by_check: dict[str, int] = {}
        for f in self.failing:
            by_check[f.check] = by_check.get(f.check, 0) + 1
        return {
            "findings": [f.to_dict() for f in self.sorted()],
            "summary": {
                "files": self.files,
                "rules": self.rules,
                "findings": len(self.failing),
                "errors": sum(f.severity == "error" for f in self.findings),
                "warnings": sum(f.severity == "warning" for f in self.findings),
                "notes": sum(f.severity == "info" for f in self.findings),
                "by_check": dict(sorted(by_check.items())),
                "samples": self.samples,
                "evaluations": self.evaluations,
                "checks": list(self.checks),
            },
        }


def render_json(report: LintReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_text(report: LintReport) -> str:
    lines: list[str] = []
    for f in report.sorted():
        where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "rule base")
        subject = f" {', '.join(f.rules)}" if f.rules else ""
        lines.append(f"{where}: {'note' if f.severity == 'info' else f.severity} [{f.check}]{subject}")
        lines += _wrap(f.message, "    ")
        for d in f.details:
            lines += _wrap(d, "    ")
        data = f.scenario_data()
        if data is not None:
            lines.append("    scenario (paste into a file for `mlarch recommend`):")
            text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100).rstrip()
            lines += ["      " + line for line in text.splitlines()]
        if f.decisions:
            lines.append("    with these decisions pinned (as in a rule example's `decisions:`):")
            lines.append("      decisions: {" + ", ".join(f"{k}: {v}" for k, v in f.decisions.items()) + "}")
        lines.append("")
    s = report.to_dict()["summary"]
    counts = ", ".join(f"{n} {c}" for c, n in s["by_check"].items())
    verdict = f"{s['findings']} finding{'s' if s['findings'] != 1 else ''} ({counts})" if s["findings"] else "no findings"
    if s["notes"]:
        verdict += f", {s['notes']} note{'s' if s['notes'] != 1 else ''}"
    lines.append(
        f"{verdict} in {s['rules']} rules from {s['files']} file{'s' if s['files'] != 1 else ''}; "
        f"{s['samples']} sampled scenarios, {s['evaluations']} evaluations"
    )
    return "\n".join(lines) + "\n"


def _wrap(text: str, indent: str, width: int = 100) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False) or [indent]
