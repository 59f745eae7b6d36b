"""Rule files: the format, the loader and the validated rule base.

One rule is one YAML entry in ``rules/*.yaml``::

    rules:
      - id: approach.sql-team-data-in-bigquery      # <dimension>.<slug>
        title: Tabular data in BigQuery and a SQL team point to BigQuery ML
        section: "1.1"                              # exam guide section(s)
        docs: [https://cloud.google.com/bigquery/docs/e2e-journey]
        when:                                       # engine/core/conditions.py
          data.location: bigquery
          team.skills: {contains: sql}
        then: {dimension: approach, prefer: bigquery_ml, weight: 3}
        because: The data already lives in BigQuery ({data.location}) ...
        examples:
          fires: [{data: {location: bigquery}, team: {skills: [sql]}}]
          does_not_fire: [{data: {location: cloud_storage}}]

Adding a rule takes one entry and no Python. Everything is checked on load;
every problem names the file, line, rule id and key path.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from mlarch.core import yamlio
from mlarch.core.conditions import (
    ALWAYS,
    Condition,
    ConditionParser,
    ConditionTooComplex,
    Conjunct,
    canonical_order,
    refs,
    to_data,
    to_dnf,
)
from mlarch.core.errors import UNKNOWN_ID, InputError, Problem, did_you_mean
from mlarch.core.scenario import Scenario, validate_mapping
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary
from mlarch.core.yamlio import PathT, format_path

VERDICTS = ("require", "forbid", "prefer", "avoid")
HARD_VERDICTS = ("require", "forbid")
RULE_KEYS = ("id", "title", "section", "docs", "when", "then", "because", "examples", "default", "notes", "review_only")
REQUIRED_KEYS = ("id", "title", "section", "docs", "when", "then", "because", "examples")
ID_PATTERN = re.compile(r"^[a-z_]+\.[a-z0-9][a-z0-9-]*$")
PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")
# In a reason, the stated facts of the alternative of the condition that held
# ("operations.retraining = periodic"): for rules whose condition is an `any`
# of many signals, where quoting each fact would mostly say "not stated".
MATCHED_FACTS = "{matched_facts}"
MAX_WEIGHT = 10
DNF_LIMIT = 64
# a missing key -> the lint check that reports it (engine/lint/registry.py)
MISSING = {"docs": "missing-citation", "section": "missing-section", "examples": "missing-examples"}


@dataclass(frozen=True)
class Example:
    """A (partial) scenario that must or must not fire its rule."""

    scenario: Scenario
    pinned: Mapping[str, str] = field(default_factory=dict)  # decisions given, not derived
    line: int | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    sections: tuple[str, ...]
    docs: tuple[str, ...]
    when: Condition
    dimension: str
    verdict: str  # require | forbid | prefer | avoid
    choices: tuple[str, ...]
    weight: int  # 0 for hard verdicts
    because: str
    fires: tuple[Example, ...]
    does_not_fire: tuple[Example, ...]
    default: bool = False
    notes: str = ""
    source: str = ""
    review_only: bool = False  # meant for reviews of pinned designs; lint expects it never to fire in a recommendation
    line: int | None = None
    # the condition in disjunctive normal form, what the matcher compiles (the parser sets it: it has the vocabulary)
    alternatives: tuple[Conjunct, ...] = field(default=(), repr=False, compare=False)

    @property
    def hard(self) -> bool:
        return self.verdict in HARD_VERDICTS

    @property
    def decision_refs(self) -> set[str]:
        return {r[len(DECISION_PREFIX):] for r in refs(self.when) if r.startswith(DECISION_PREFIX)}

    def canonical(self) -> dict[str, Any]:
        """Order-independent content, for the rule-set version hash."""
        return {
            "id": self.id,
            "title": self.title,
            "sections": list(self.sections),
            "docs": list(self.docs),
            "when": _canonical_data(to_data(self.when)),
            "then": {"dimension": self.dimension, self.verdict: list(self.choices), "weight": self.weight},
            "because": self.because,
            "default": self.default,
            **({"review_only": True} if self.review_only else {}),
        }


@dataclass(frozen=True)
class RuleBook:
    """A validated rule base, ordered by rule id whatever the file order."""

    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {r.id: r for r in self.rules})
        payload = json.dumps([r.canonical() for r in self.rules], sort_keys=True, ensure_ascii=False)
        object.__setattr__(self, "_version", hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16])

    def get(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)  # type: ignore[attr-defined]

    def for_dimension(self, dimension: str) -> list[Rule]:
        return [r for r in self.rules if r.dimension == dimension]

    @property
    def version(self) -> str:
        """Hash of the rules' content: the same whatever the file or key order."""
        return self._version  # type: ignore[attr-defined]


# ------------------------------------------------------------------ loading


class _RuleParser:
    def __init__(self, vocab: Vocabulary, doc: yamlio.Document) -> None:
        self.vocab = vocab
        self.doc = doc
        self.problems: list[Problem] = []
        self.context: str | None = None

    def problem(self, path: PathT, message: str, allowed: Iterable[str] = (), suggestion: str | None = None, code: str | None = None) -> None:
        self.problems.append(Problem(format_path(path), message, tuple(allowed), suggestion, self.doc.line_of(path), self.context, code=code))

    def text(self, entry: Mapping[str, Any], key: str, path: PathT, one_line: bool = False) -> str:
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(path + (key,), f"expected non-empty text, got {value!r}")
            return ""
        if one_line and "\n" in value.strip():
            self.problem(path + (key,), "must be one line")
        return " ".join(value.split()) if one_line else value.strip()

    def parse_rule(self, entry: Any, path: PathT) -> Rule | None:
        if not isinstance(entry, dict):
            self.problem(path, f"a rule is a mapping, got {type(entry).__name__}")
            return None
        rule_id = entry.get("id")
        self.context = f"rule {rule_id}" if isinstance(rule_id, str) else None
        before = len(self.problems)
        for key in entry:
            if key not in RULE_KEYS:
                self.problem(path + (key,), "unknown key", RULE_KEYS, did_you_mean(key, RULE_KEYS))
        for key in REQUIRED_KEYS:
            if key not in entry:
                self.problem(path + (key,), "required key is missing", code=MISSING.get(key))
        if not isinstance(rule_id, str) or not ID_PATTERN.match(rule_id):
            self.problem(path + ("id",), f"invalid rule id {rule_id!r}: use <dimension>.<lower-kebab-slug>, e.g. approach.sql-team-data-in-bigquery")
        title = self.text(entry, "title", path, one_line=True)
        sections = self.sections(entry.get("section"), path + ("section",))
        docs = self.docs(entry.get("docs"), path + ("docs",))
        parser = ConditionParser(self.vocab, self.doc, self.context)
        when = parser.parse(entry.get("when", "always"), path + ("when",))
        self.problems += parser.problems
        dimension, verdict, choices, weight = self.conclusion(entry.get("then"), path + ("then",))
        if isinstance(rule_id, str) and dimension and not rule_id.startswith(dimension + "."):
            self.problem(path + ("id",), f"rule id must start with its dimension: {dimension}.")
        if dimension and f"{DECISION_PREFIX}{dimension}" in refs(when):
            self.problem(path + ("when",), f"a rule on {dimension} cannot test decision.{dimension} itself")
        because = self.text(entry, "because", path)
        for name in PLACEHOLDER.findall(because):
            if name not in refs(when):
                self.problem(path + ("because",), f"placeholder {{{name}}} is not tested by the condition; reasons may only quote facts the rule uses")
        default = entry.get("default", False)
        if not isinstance(default, bool):
            self.problem(path + ("default",), f"expected true or false, got {default!r}")
        notes = entry.get("notes", "")
        if not isinstance(notes, str):
            self.problem(path + ("notes",), "expected text")
        review_only = entry.get("review_only", False)
        if not isinstance(review_only, bool):
            self.problem(path + ("review_only",), f"expected true or false, got {review_only!r}")
        dnf: list[Conjunct] = []
        try:
            dnf = canonical_order(to_dnf(when, self.vocab, limit=DNF_LIMIT))
            if not dnf:
                self.problem(path + ("when",), "the condition contradicts itself and can never hold")
        except ConditionTooComplex as exc:
            self.problem(path + ("when",), f"{exc}; split the rule")
        fires, quiet = self.examples(entry.get("examples"), path + ("examples",), rule_id, when)
        if len(self.problems) > before:
            return None
        rule = Rule(
            id=rule_id, title=title, sections=sections, docs=docs, when=when, dimension=dimension,
            verdict=verdict, choices=choices, weight=weight, because=because, fires=fires,
            does_not_fire=quiet, default=default, notes=notes.strip(), source=self.doc.source,
            line=self.doc.line_of(path), review_only=review_only, alternatives=tuple(dnf),
        )
        return rule

    def sections(self, value: Any, path: PathT) -> tuple[str, ...]:
        known = tuple(self.vocab.exam_sections)
        items = value if isinstance(value, list) else [value]
        out: list[str] = []
        for i, item in enumerate(items):
            sub = path + (i,) if isinstance(value, list) else path
            if isinstance(item, float) or isinstance(item, int):
                self.problem(sub, f"quote the section number, e.g. \"{item}\" (YAML reads {item} as a number)", known)
            elif item not in known:
                self.problem(sub, f"unknown exam section {item!r}", known, code=UNKNOWN_ID)
            else:
                out.append(item)
        if not items:
            self.problem(path, "cite at least one exam section", known, code=MISSING["section"])
        return tuple(sorted(set(out), key=known.index))

    def docs(self, value: Any, path: PathT) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problem(path, "cite at least one documentation URL", code=MISSING["docs"])
            return ()
        out = []
        for i, url in enumerate(value):
            if not isinstance(url, str) or not re.fullmatch(r"https://[^\s/]+\.[^\s/]+/\S*", url):
                self.problem(path + (i,), f"expected an https:// URL, got {url!r}")
            else:
                out.append(url)
        return tuple(out)

    def conclusion(self, value: Any, path: PathT) -> tuple[str, str, tuple[str, ...], int]:
        if not isinstance(value, dict):
            self.problem(path, "expected {dimension: ..., prefer|avoid|require|forbid: choice, weight: N}")
            return "", "", (), 0
        allowed_keys = ("dimension", *VERDICTS, "weight")
        for key in value:
            if key not in allowed_keys:
                self.problem(path + (key,), "unknown key", allowed_keys, did_you_mean(key, allowed_keys))
        dimension = value.get("dimension")
        dims = list(self.vocab.dimensions)
        if dimension not in self.vocab.dimensions:
            self.problem(path + ("dimension",), f"unknown dimension {dimension!r}", dims, did_you_mean(dimension, dims), UNKNOWN_ID)
            return "", "", (), 0
        verdicts = [v for v in VERDICTS if v in value]
        if len(verdicts) != 1:
            self.problem(path, "give exactly one of require, forbid, prefer, avoid", VERDICTS)
            return dimension, "", (), 0
        verdict = verdicts[0]
        raw = value[verdict]
        items = raw if isinstance(raw, list) else [raw]
        allowed = tuple(self.vocab.dimensions[dimension].choices)
        choices: list[str] = []
        for i, choice in enumerate(items):
            if choice not in allowed:
                sub = path + (verdict, i) if isinstance(raw, list) else path + (verdict,)
                self.problem(sub, f"invalid choice {choice!r} for {dimension}", allowed, did_you_mean(choice, allowed), UNKNOWN_ID)
            else:
                choices.append(choice)
        choices.sort(key=allowed.index)  # a set: its order in the file must not change any output
        if verdict in ("require", "prefer") and len(items) != 1:
            self.problem(path + (verdict,), f"'{verdict}' names exactly one choice")
        if not items or len(set(items)) != len(items):
            self.problem(path + (verdict,), "name each choice once")
        weight = value.get("weight")
        if verdict in ("prefer", "avoid"):
            if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
                self.problem(path + ("weight",), f"'{verdict}' needs an integer weight from 1 to {MAX_WEIGHT}, got {weight!r}")
                weight = 0
        elif weight is not None:
            self.problem(path + ("weight",), f"'{verdict}' is a hard constraint and takes no weight")
            weight = 0
        return dimension, verdict, tuple(choices), weight or 0

    def examples(self, value: Any, path: PathT, rule_id: Any, when: Condition) -> tuple[tuple[Example, ...], tuple[Example, ...]]:
        if not isinstance(value, dict):
            self.problem(path, "expected {fires: [...], does_not_fire: [...]}")
            return (), ()
        for key in value:
            if key not in ("fires", "does_not_fire"):
                self.problem(path + (key,), "unknown key", ("fires", "does_not_fire"), did_you_mean(key, ("fires", "does_not_fire")), UNKNOWN_ID)
        out: dict[str, list[Example]] = {"fires": [], "does_not_fire": []}
        for kind in out:
            items = value.get(kind)
            if items is None and kind == "does_not_fire" and when == ALWAYS:
                continue  # an unconditional rule cannot have a counter-example
            if not isinstance(items, list) or not items:
                self.problem(path + (kind,), "give at least one example scenario", code=MISSING["examples"])
                continue
            for i, item in enumerate(items):
                example = self.example(item, path + (kind, i), f"{rule_id}-{kind}-{i}")
                if example is not None:
                    out[kind].append(example)
        return tuple(out["fires"]), tuple(out["does_not_fire"])

    def example(self, item: Any, path: PathT, name: str) -> Example | None:
        if not isinstance(item, dict):
            self.problem(path, "an example is a scenario mapping (name optional) with optional 'decisions'")
            return None
        data = dict(item)
        pinned_raw = data.pop("decisions", {})
        pinned: dict[str, str] = {}
        if not isinstance(pinned_raw, dict):
            self.problem(path + ("decisions",), "expected a mapping of dimension: choice")
        else:
            for dim, choice in pinned_raw.items():
                spec = self.vocab.dimensions.get(dim)
                if spec is None:
                    dims = list(self.vocab.dimensions)
                    self.problem(path + ("decisions", dim), "unknown dimension", dims, did_you_mean(dim, dims), UNKNOWN_ID)
                elif choice not in spec.choices:
                    self.problem(path + ("decisions", dim), f"invalid choice {choice!r}", tuple(spec.choices), did_you_mean(choice, spec.choices), UNKNOWN_ID)
                else:
                    pinned[dim] = choice
        safe_name = re.sub(r"[^A-Za-z0-9._-]", "-", name)[:80]
        try:
            scenario = validate_mapping(data, self.doc.source, self.doc, path, default_name=safe_name, vocab=self.vocab)
        except InputError as exc:
            for p in exc.problems:
                self.problems.append(dataclasses.replace(p, context=self.context))
            return None
        return Example(scenario, pinned, self.doc.line_of(path))


def parse_rule_document(doc: yamlio.Document, vocab: Vocabulary) -> tuple[list[Rule], list[Problem]]:
    """Rules of one parsed file, checked against ``vocab``, plus every problem found in it."""
    parser = _RuleParser(vocab, doc)
    data = doc.data
    if not isinstance(data, dict) or "rules" not in data:
        parser.problem((), "a rule file is a mapping with a 'rules:' list")
        return [], parser.problems
    for key in data:
        if key != "rules":
            parser.problem((key,), "unknown top-level key", ("rules",), did_you_mean(key, ("rules",)))
    if not isinstance(data["rules"], list):
        parser.problem(("rules",), "expected a list of rules")
        return [], parser.problems
    rules = [r for i, entry in enumerate(data["rules"]) if (r := parser.parse_rule(entry, ("rules", i))) is not None]
    return rules, parser.problems


def rule_files(directory: str | Path) -> list[Path]:
    """The rule files of a directory, in a fixed order (only regular files: see yamlio.yaml_files)."""
    return yamlio.yaml_files(directory)


def expand_rule_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Rule files named directly, and the rule files of named folders; a folder without any is an error."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = rule_files(p)
            if not found:
                raise InputError.single(str(p), "", "no *.yaml rule files in this folder")
            files += found
        else:
            files.append(p)
    return files


def load_rulebook(paths: Iterable[str | Path], vocab: Vocabulary) -> RuleBook:
    """Load rule files and/or directories of them into one :class:`RuleBook`.

    All files are read before failing, so one run reports every problem.
    """
    files = expand_rule_paths(paths)
    errors: list[InputError] = []
    rules: list[Rule] = []
    for path in files:
        try:
            doc = yamlio.load(path)
        except InputError as exc:
            errors.append(exc)
            continue
        found, problems = parse_rule_document(doc, vocab)
        if problems:
            errors.append(InputError(doc.source, problems))
        rules += found
    seen: dict[str, Rule] = {}
    duplicates: list[Problem] = []
    for rule in rules:
        if rule.id in seen:
            first = seen[rule.id]
            duplicates.append(Problem("id", f"duplicate rule id (also at {first.source}:{first.line})", line=rule.line, context=f"rule {rule.id} in {rule.source}"))
        else:
            seen[rule.id] = rule
    if duplicates:
        errors.append(InputError(None, duplicates))
    if errors:
        raise InputError(None, [p for e in errors for p in _with_source(e)])
    ordered = tuple(sorted(seen.values(), key=lambda r: r.id))
    return RuleBook(ordered, tuple(str(f) for f in files))


def _canonical_data(data: Any) -> Any:
    """A condition's data with its sets in a fixed order: `all`/`any` items and operand lists."""
    if isinstance(data, dict):
        return {k: _canonical_data(v) for k, v in sorted(data.items())}
    if isinstance(data, list):
        items = [_canonical_data(v) for v in data]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    return data


def _with_source(error: InputError) -> list[Problem]:
    """Fold the file name into each problem so several files can be reported together."""
    out = []
    for p in error.problems:
        prefix = error.source
        if prefix is None:
            out.append(p)
            continue
        ctx = f"{prefix}{':' + str(p.line) if p.line else ''}"
        out.append(dataclasses.replace(p, line=None, context=f"{ctx}: {p.context}" if p.context else ctx))
    return out
