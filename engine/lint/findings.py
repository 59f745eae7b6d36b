"""What lint reports: one finding per problem, with the rules involved and
a scenario that shows it; rendered as text for people or JSON for tools."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import yaml

from mlarch.core.scenario import Scenario

SEVERITIES = ("error", "warning", "info")  # info is a note: it does not fail lint

@dataclass(frozen=True)
class LintFinding:
    check: str  # a code of engine/lint/registry.py
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
    findings: list[LintFinding]
    files: int
    rules: int
    samples: int
    evaluations: int
    checks: tuple[str, ...]

    def sorted(self) -> list[LintFinding]:
        return sorted(self.findings, key=lambda f: (f.severity == "info",) + f.sort_key)

    @property
    def failing(self) -> list[LintFinding]:
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
