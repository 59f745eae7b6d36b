"""A review as SARIF 2.1.0, so code-hosting platforms show findings on the design file.

Rule ids are stable (docs/review.md):

- ``constraint/<rule id>`` for each hard constraint a design breaks: the
  descriptor carries the rule's title and its documentation link;
- ``design/departure``, ``design/not-applicable``,
  ``design/deprecated-choice``, ``design/end-of-life`` and ``design/undecided`` for the other kinds.

Each result points at the line of the design key it is about (the
``design:`` key itself for undecided dimensions). Levels: error -> error,
warning -> warning, info -> note. The output validates against the OASIS
SARIF 2.1.0 schema (tests/schemas/).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Any, Mapping, Sequence
from urllib.parse import quote

from mlarch import __version__
from mlarch.core.judge import Finding, Review

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}

KIND_RULES: dict[str, tuple[str, str, str]] = {
    # kind: (name, short description, full description)
    "departure": (
        "DepartureFromRecommendation",
        "The design departs from the rules' recommendation",
        "The design chooses something other than what the rules recommend for this dimension, given the "
        "scenario's facts and the design's other choices. The finding quotes the rules behind the "
        "recommended choice and why the proposed one scored lower.",
    ),
    "not-applicable": (
        "DecisionDoesNotApply",
        "The design decides a dimension that does not apply",
        "The design sets a dimension that does not apply given its own other choices (for example a "
        "training accelerator for a model trained in BigQuery ML). Remove it or change the choice it depends on.",
    ),
    "deprecated-choice": (
        "DeprecatedChoice",
        "The design uses a deprecated product or feature",
        "Google has deprecated or renamed this choice. It is a warning when the rules recommend a current "
        "replacement, a note when they still recommend it for lack of one.",
    ),
    "end-of-life": (
        "PartReachesEndOfLife",
        "A version or part of the chosen product reaches its end of life",
        "The choice is current, but one of its versions or parts ends within 12 months of the run date "
        "(or ended in the last 12 months), for example Cloud Composer 1 and 2.0.x: the design means the successor.",
    ),
    "undecided": (
        "UndecidedDimension",
        "The design leaves an applicable dimension undecided",
        "This dimension applies to the design, which does not decide it; the finding gives the rules' choice.",
    ),
}


def rule_id(f: Finding) -> str:
    if f.kind == "hard-constraint":
        return f"constraint/{f.reasons[0].rule}"
    return f"design/{f.kind}"


def artifact_uri(path: str) -> str:
    """A URI reference for the design file: relative paths stay relative (forward slashes)."""
    p = PurePath(path)
    if p.is_absolute():
        return "file://" + quote(p.as_posix())
    return quote(p.as_posix())


def _descriptor(f: Finding) -> dict[str, Any]:
    if f.kind == "hard-constraint":
        r = f.reasons[0]
        effect = f"{r.verdict} {', '.join(r.choices)} for {f.dimension}"
        out: dict[str, Any] = {
            "id": rule_id(f),
            "name": "HardConstraint",
            "shortDescription": {"text": r.title},
            "fullDescription": {"text": f"Hard constraint {r.rule} ({effect}): {r.title}."},
            "defaultConfiguration": {"level": "error"},
            "help": {"text": f"{r.title}. Sources: {' '.join(r.docs)}",
                     "markdown": f"{r.title}.\n\n" + "\n".join(f"- <{u}>" for u in r.docs)},
            "properties": {"tags": ["mlarch", "hard-constraint", *(f"exam-{s}" for s in r.sections)]},
        }
        if r.docs:
            out["helpUri"] = r.docs[0]
        return out
    name, short, full = KIND_RULES[f.kind]
    level = "note" if f.kind == "undecided" else "warning"
    return {
        "id": rule_id(f),
        "name": name,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "defaultConfiguration": {"level": level},
        "help": {"text": full},
        "properties": {"tags": ["mlarch", f.kind]},
    }


def _message(f: Finding) -> dict[str, str]:
    text = f.message
    if f.kind == "hard-constraint" and f.reasons:
        text += f" Reason: {f.reasons[0].text}"
    elif f.reasons:
        text += " Why " + (f.recommended or "") + ": " + " ".join(f"{r.text} [{r.rule}]" for r in f.reasons)
    if f.why_not:
        text += f" Why not {f.proposed}: " + " ".join(w.text for w in f.why_not)
    return {"text": text}


def _fingerprint(rv: Review, f: Finding) -> str:
    key = "|".join([rv.design.name, rule_id(f), f.dimension, f.proposed or ""])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def sarif_dict(rv: Review) -> dict[str, Any]:
    """The SARIF log of one review."""
    return sarif_log([rv])


def sarif_log(reviews: Sequence[Review], sens: Sequence[Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """One SARIF log, with one run, for the reviews of one or more design files.

    One run per tool is what code scanning accepts in an upload; each file is
    an artifact of that run. ``sens`` (--sensitivity; one mapping per review,
    review/sensitivity.py) adds the recommendation's ``confidence`` to the
    properties of each result on a dimension the design sets.
    """
    rules: dict[str, dict[str, Any]] = {}
    for rv in reviews:
        for f in rv.findings:
            rules.setdefault(rule_id(f), _descriptor(f))
    ordered = sorted(rules)
    index = {rid: i for i, rid in enumerate(ordered)}
    uris = [artifact_uri(rv.design.source or f"{rv.design.name}.yaml") for rv in reviews]
    results = []
    for artifact, (rv, uri) in enumerate(zip(reviews, uris)):
        firmness = sens[artifact] if sens is not None else {}
        for f in rv.findings:
            results.append({
                "ruleId": rule_id(f),
                "ruleIndex": index[rule_id(f)],
                "level": LEVELS[f.severity],
                "kind": "fail" if f.severity != "info" else "review",
                "message": _message(f),
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "index": artifact},
                        "region": {"startLine": max(1, f.line or 1)},
                    },
                    "logicalLocations": [{"name": f.dimension, "fullyQualifiedName": f"design.{f.dimension}", "kind": "member"}],
                }],
                "partialFingerprints": {"mlarchFinding/v1": _fingerprint(rv, f)},
                "properties": {
                    "dimension": f.dimension,
                    "proposed": f.proposed,
                    "recommended": f.recommended,
                    "overall": f.overall,
                    "mlarchRules": list(f.rules),
                    "docs": list(f.docs),
                    **({"confidence": firmness[f.dimension].confidence} if f.dimension in firmness else {}),
                },
            })
    if len(reviews) == 1:
        rv = reviews[0]
        properties: dict[str, Any] = {
            "scenario": rv.design.scenario.name,
            "design": rv.design.name,
            "ruleSetVersion": rv.recommendation.rule_set_version,
            "summary": rv.counts,
        }
    else:
        properties = {
            "designs": [{"design": rv.design.name, "scenario": rv.design.scenario.name, "summary": rv.counts} for rv in reviews],
            "ruleSetVersion": reviews[0].recommendation.rule_set_version if reviews else None,
            "summary": {k: sum(rv.counts[k] for rv in reviews) for k in (reviews[0].counts if reviews else {})},
        }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mlarch",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [rules[rid] for rid in ordered],
            }},
            "artifacts": [{"location": {"uri": uri}, "mimeType": "application/yaml"} for uri in uris],
            "results": results,
            "columnKind": "unicodeCodePoints",
            "properties": properties,
        }],
    }
