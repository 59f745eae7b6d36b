"""The invariants file: what must hold of every recommendation, as data.

``engine/lint/invariants.yaml`` holds four lists, each entry checked on load
(unknown keys, facts, dimensions and choices are errors with a line and a
"did you mean"), using the rule condition language of docs/rules.md:

* ``constraints``: hard constraints stated as rules (``when`` + ``then``
  with ``forbid``/``require``). They are the *specification*; hard rules in
  ``rules/`` are the *implementation* that enforces them, and the property
  tests check that every recommendation keeps them and that ``review``
  flags every design that breaks them.
* ``coherence``: ``when`` a condition holds, ``expect`` must hold too, so
  the decisions describe one buildable architecture.
* ``monotonic``: a change to one fact in one direction must never move a
  decision from some choices to others.
* ``citations``: the documentation domains a rule must cite (``domains``)
  and the official project documentation it may cite besides them
  (``supplementary``).
* ``rule_files``: topic rule files and the dimensions each holds; a file
  named after a dimension holds that dimension (lint's ``rule-file`` check).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from mlarch.core import yamlio
from mlarch.core.conditions import Condition, ConditionParser
from mlarch.core.errors import InputError, Problem, did_you_mean
from mlarch.core.vocabulary import Vocabulary
from mlarch.core.yamlio import PathT, format_path

INVARIANTS_FILE = Path(__file__).with_name("invariants.yaml")
TOP_KEYS = ("version", "citations", "rule_files", "constraints", "coherence", "monotonic")
CONSTRAINT_KEYS = ("id", "title", "docs", "when", "then")
COHERENCE_KEYS = ("id", "title", "docs", "when", "expect")
MONOTONIC_KEYS = ("id", "title", "change", "keep")
CHANGE_KEYS = ("fact", "direction", "from_absent", "add")
KEEP_KEYS = ("dimension", "from", "never_to")
DIRECTIONS = ("increase", "decrease")
DEFAULT_DOMAINS = ("cloud.google.com", "docs.cloud.google.com")  # when a file has no `citations:`


@dataclass(frozen=True)
class Constraint:
    id: str
    title: str
    docs: tuple[str, ...]
    when: Condition
    dimension: str
    verdict: str  # forbid | require
    choices: tuple[str, ...]

    def allows(self, choice: str) -> bool:
        return choice not in self.choices if self.verdict == "forbid" else choice == self.choices[0]

    def breaking_choices(self, all_choices: Iterable[str]) -> list[str]:
        return [c for c in all_choices if not self.allows(c)]


@dataclass(frozen=True)
class Coherence:
    id: str
    title: str
    docs: tuple[str, ...]
    when: Condition
    expect: Condition


@dataclass(frozen=True)
class Keep:
    dimension: str
    before: tuple[str, ...]  # if the decision was one of these ...
    never_to: tuple[str, ...]  # ... it must not become one of these


@dataclass(frozen=True)
class Monotonic:
    id: str
    title: str
    fact: str
    direction: str | None  # increase | decrease (numbers)
    from_absent: bool  # numbers: stating a value where none was counts as the change
    add: str | None  # sets: the item added
    keep: tuple[Keep, ...]


@dataclass(frozen=True)
class Invariants:
    citation_domains: tuple[str, ...]
    constraints: tuple[Constraint, ...]
    coherence: tuple[Coherence, ...]
    monotonic: tuple[Monotonic, ...]
    # official project documentation a rule may cite besides (never instead of)
    # a Google Cloud page: a host ("tensorflow.org") or a host/path prefix
    supplementary: tuple[str, ...] = ()
    # a topic rule file's name (without .yaml) -> the dimensions it holds
    rule_files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class _Parser:
    def __init__(self, vocab: Vocabulary, doc: yamlio.Document) -> None:
        self.vocab = vocab
        self.doc = doc
        self.problems: list[Problem] = []

    def problem(self, path: PathT, message: str, allowed: Iterable[str] = (), suggestion: str | None = None) -> None:
        self.problems.append(Problem(format_path(path), message, tuple(allowed), suggestion, self.doc.line_of(path)))

    def keys(self, entry: Any, allowed: tuple[str, ...], required: tuple[str, ...], path: PathT) -> bool:
        """Check the keys of a mapping; False (nothing more to check) when it is not one or lacks a required key."""
        if not isinstance(entry, dict):
            self.problem(path, f"expected a mapping with {', '.join(required or allowed)}")
            return False
        for key in entry:
            if key not in allowed:
                self.problem(path + (key,), "unknown key", allowed, did_you_mean(key, allowed))
        missing = [key for key in required if key not in entry]
        for key in missing:
            self.problem(path + (key,), "required key is missing")
        return not missing

    def text(self, value: Any, path: PathT) -> str:
        if not isinstance(value, str) or not value.strip():
            self.problem(path, f"expected non-empty text, got {value!r}")
            return ""
        return " ".join(value.split())

    def condition(self, value: Any, path: PathT) -> Condition:
        parser = ConditionParser(self.vocab, self.doc)
        cond = parser.parse(value, path)
        self.problems += parser.problems
        return cond

    def docs(self, value: Any, path: PathT) -> tuple[str, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for i, url in enumerate(items):
            if not isinstance(url, str) or not url.startswith("https://"):
                self.problem(path + (i,), f"expected an https:// URL, got {url!r}")
            else:
                out.append(url)
        return tuple(out)

    def dimension(self, value: Any, path: PathT) -> str | None:
        if value not in self.vocab.dimensions:
            dims = list(self.vocab.dimensions)
            self.problem(path, f"unknown dimension {value!r}", dims, did_you_mean(value, dims))
            return None
        return value

    def choices(self, dim: str | None, value: Any, path: PathT) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        if dim is None:
            return ()
        allowed = tuple(self.vocab.dimensions[dim].choices)
        out = []
        for i, c in enumerate(items):
            if c not in allowed:
                sub = path + (i,) if isinstance(value, list) else path
                self.problem(sub, f"invalid choice {c!r} for {dim}", allowed, did_you_mean(c, allowed))
            else:
                out.append(c)
        if not out and not self.problems:
            self.problem(path, "name at least one choice", allowed)
        return tuple(out)

    def constraint(self, entry: Any, path: PathT) -> Constraint | None:
        if not self.keys(entry, CONSTRAINT_KEYS, ("id", "title", "when", "then"), path):
            return None
        then = entry.get("then")
        dim, verdict, choices = None, "", ()
        if self.keys(then, ("dimension", "forbid", "require"), ("dimension",), path + ("then",)):
            dim = self.dimension(then.get("dimension"), path + ("then", "dimension"))
            verdicts = [v for v in ("forbid", "require") if v in then]
            if len(verdicts) != 1:
                self.problem(path + ("then",), "give exactly one of forbid, require", ("forbid", "require"))
            else:
                verdict = verdicts[0]
                choices = self.choices(dim, then[verdict], path + ("then", verdict))
                if verdict == "require" and len(choices) != 1:
                    self.problem(path + ("then", verdict), "'require' names exactly one choice")
        return Constraint(
            str(entry.get("id")), self.text(entry.get("title"), path + ("title",)), self.docs(entry.get("docs"), path + ("docs",)),
            self.condition(entry.get("when"), path + ("when",)), dim or "", verdict, choices,
        )

    def coherence(self, entry: Any, path: PathT) -> Coherence | None:
        if not self.keys(entry, COHERENCE_KEYS, ("id", "title", "when", "expect"), path):
            return None
        return Coherence(
            str(entry.get("id")), self.text(entry.get("title"), path + ("title",)), self.docs(entry.get("docs"), path + ("docs",)),
            self.condition(entry.get("when"), path + ("when",)), self.condition(entry.get("expect"), path + ("expect",)),
        )

    def monotonic(self, entry: Any, path: PathT) -> Monotonic | None:
        if not self.keys(entry, MONOTONIC_KEYS, MONOTONIC_KEYS, path):
            return None
        change = entry.get("change")
        fact, direction, add, from_absent = "", None, None, False
        if self.keys(change, CHANGE_KEYS, ("fact",), path + ("change",)):
            fact = change.get("fact")
            spec = self.vocab.facts.get(fact)
            if spec is None or spec.group is None:
                facts = [f for f, s in self.vocab.facts.items() if s.group]
                self.problem(path + ("change", "fact"), f"unknown fact {fact!r}", facts, did_you_mean(fact, facts))
            elif spec.type in ("number", "integer"):
                direction = change.get("direction")
                if direction not in DIRECTIONS:
                    self.problem(path + ("change", "direction"), f"a number changes in a direction, got {direction!r}", DIRECTIONS)
                from_absent = change.get("from_absent", False)
                if not isinstance(from_absent, bool):
                    self.problem(path + ("change", "from_absent"), "expected true or false")
            elif spec.type == "set":
                add = change.get("add")
                if add not in spec.values:
                    self.problem(path + ("change", "add"), f"invalid value {add!r}", tuple(spec.values), did_you_mean(add, spec.values))
            else:
                self.problem(path + ("change", "fact"), f"only number and set facts change monotonically, {fact} is {spec.type}")
        keeps = []
        raw = entry.get("keep")
        if not isinstance(raw, list) or not raw:
            self.problem(path + ("keep",), "expected a list of {dimension, from, never_to}")
            raw = []
        for i, k in enumerate(raw):
            sub = path + ("keep", i)
            if self.keys(k, KEEP_KEYS, KEEP_KEYS, sub):
                dim = self.dimension(k.get("dimension"), sub + ("dimension",))
                keeps.append(Keep(dim or "", self.choices(dim, k.get("from"), sub + ("from",)), self.choices(dim, k.get("never_to"), sub + ("never_to",))))
        return Monotonic(str(entry.get("id")), self.text(entry.get("title"), path + ("title",)), str(fact), direction, bool(from_absent), add, tuple(keeps))

    def parse(self) -> Invariants:
        data = self.doc.data
        if not self.keys(data, TOP_KEYS, (), ()):
            return Invariants((), (), (), ())
        domains: tuple[str, ...] = DEFAULT_DOMAINS
        citations = data.get("citations", {"domains": list(DEFAULT_DOMAINS)})
        supplementary: tuple[str, ...] = ()
        if self.keys(citations, ("domains", "supplementary"), ("domains",), ("citations",)):
            raw = citations.get("domains")
            if not isinstance(raw, list) or not all(isinstance(d, str) and d for d in raw):
                self.problem(("citations", "domains"), "expected a list of host names, e.g. cloud.google.com")
            else:
                domains = tuple(raw)
            extra = citations.get("supplementary", [])
            if not isinstance(extra, list) or not all(isinstance(d, str) and d for d in extra):
                self.problem(("citations", "supplementary"), "expected a list of host names or host/path prefixes, e.g. tensorflow.org")
            else:
                supplementary = tuple(extra)
        rule_files = self.rule_files(data.get("rule_files", {}))
        out: dict[str, list[Any]] = {"constraints": [], "coherence": [], "monotonic": []}
        seen: set[str] = set()
        for section, make in (("constraints", self.constraint), ("coherence", self.coherence), ("monotonic", self.monotonic)):
            items = data.get(section) or []
            if not isinstance(items, list):
                self.problem((section,), "expected a list")
                continue
            for i, entry in enumerate(items):
                found = make(entry, (section, i))
                if found is None:
                    continue
                if found.id in seen:
                    self.problem((section, i, "id"), f"duplicate id {found.id!r}")
                seen.add(found.id)
                out[section].append(found)
        return Invariants(domains, tuple(out["constraints"]), tuple(out["coherence"]), tuple(out["monotonic"]), supplementary, rule_files)

    def rule_files(self, value: Any) -> dict[str, tuple[str, ...]]:
        if not isinstance(value, dict):
            self.problem(("rule_files",), "expected a mapping of file name (without .yaml) to a list of dimensions")
            return {}
        out: dict[str, tuple[str, ...]] = {}
        for name, dims in value.items():
            path = ("rule_files", name)
            if not isinstance(dims, list) or not dims:
                self.problem(path, "expected a non-empty list of dimensions")
                continue
            out[str(name)] = tuple(d for i, d in enumerate(dims) if self.dimension(d, path + (i,)) is not None)
        return out


def parse_invariants(doc: yamlio.Document, vocab: Vocabulary) -> Invariants:
    """Validate an invariants document against ``vocab``; raise :class:`InputError` listing every problem."""
    parser = _Parser(vocab, doc)
    found = parser.parse()
    if parser.problems:
        raise InputError(doc.source, parser.problems)
    return found


def load_invariants(path: str | Path | None, vocab: Vocabulary) -> Invariants:
    if path is None:
        return bundled_invariants(vocab)
    return parse_invariants(yamlio.load(path), vocab)


@lru_cache(maxsize=2)
def bundled_invariants(vocab: Vocabulary) -> Invariants:
    """The project's invariants (engine/lint/invariants.yaml), parsed once per vocabulary."""
    return parse_invariants(yamlio.load(INVARIANTS_FILE), vocab)
