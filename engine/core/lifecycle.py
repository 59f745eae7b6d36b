"""Current names and lifecycle dates of choices (issue 17).

Google renames products (Vertex AI -> Gemini Enterprise Agent Platform,
Dataproc Serverless -> Google Cloud Serverless for Apache Spark) and
deprecates or retires others on announced dates. Both are data in
``vocabulary.yaml`` (sections ``names``, ``component_names`` and
``lifecycle``, docs/vocabulary.md); this module parses them and answers the
three questions the renderers ask: what is this choice called now, which
choice does a name written by a user mean, and what does the run date make of
a deprecation (deprecated, shut down, ending within 12 months).

The run date is explicit (``--as-of``) so an output is the same for the same
input and date; without it the date is ``MLARCH_AS_OF`` or today.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Mapping

from mlarch.core.errors import EngineError

AS_OF_ENV = "MLARCH_AS_OF"
# The run date of the tests' goldens, the generated docs and the gallery, so they do not
# change with the calendar (docs/testing.md); move it when docs/knowledge.md's review is redone.
EXAMPLES_AS_OF = "2026-12-01"
SOON = timedelta(days=365)  # "within 12 months of the run date"
STATUSES = ("renamed", "deprecated", "retired", "active")
NAME_KEYS = ("name", "short", "former", "former_still_in_docs", "aliases", "renamed_on", "source", "verified", "note")
LIFECYCLE_KEYS = ("status", "part", "announced", "end", "successors", "source", "note", "verified")


@dataclass(frozen=True)
class Name:
    """The current name of a choice (or of a component rules mention), and the names it had."""

    name: str
    short: str = ""
    former: tuple[str, ...] = ()  # shown as "(formerly former[0])"; flagged by lint in rule text
    aliases: tuple[str, ...] = ()  # accepted as input only
    former_still_in_docs: bool = False  # Google's pages still use the former name: lint does not flag it
    renamed_on: date | None = None
    source: str = ""
    verified: bool = True
    note: str = ""

    @property
    def label(self) -> str:
        """The short label for diagram nodes."""
        return self.short or self.name

    @property
    def display(self) -> str:
        """The current name, with the former name a reader may know only: "LiteRT (formerly TensorFlow Lite)"."""
        return f"{self.name} (formerly {self.former[0]})" if self.former else self.name

    def spellings(self) -> tuple[str, ...]:
        """The names a user may write for it (short labels may be shared, so they are not among them)."""
        return (self.name, *self.former, *self.aliases)


@dataclass(frozen=True)
class Lifecycle:
    """What Google announced for a choice: a rename, a deprecation, a retirement, or the end of one part of it."""

    key: str  # dimension.choice
    status: str  # one of STATUSES
    part: str = ""  # what ends, when not the whole choice (a version, an API)
    announced: date | None = None
    end: date | None = None
    successors: tuple[str, ...] = ()  # dimension.choice ids or texts
    source: str = ""
    note: str = ""
    verified: bool = True

    @property
    def retires_choice(self) -> bool:
        """A deprecation or retirement of the choice itself (renames and parts are not)."""
        return self.status in ("deprecated", "retired") and not self.part


@dataclass(frozen=True)
class Notice:
    """What the run date makes of a lifecycle entry."""

    kind: str  # deprecated | shut-down | retired | ending (a part of a current choice)
    text: str
    end: date | None = None
    soon: bool = False  # the end is within 12 months of the run date

    def as_dict(self) -> dict[str, object]:
        """The notice as JSON data (explain, why-not and what-if print it per choice)."""
        return {"kind": self.kind, "text": self.text, "end": self.end.isoformat() if self.end else None, "soon": self.soon}


def run_date(as_of: date | None = None) -> date:
    """The date deprecations are judged against: ``as_of``, else ``MLARCH_AS_OF``, else today."""
    if as_of is not None:
        return as_of
    env = os.environ.get(AS_OF_ENV)
    if env:
        return parse_date(env, AS_OF_ENV)
    return date.today()


def parse_date(value: Any, where: str) -> date:
    """A YYYY-MM-DD date (YAML gives a date already; the command line and the environment give text)."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise EngineError(f"{where}: expected a date YYYY-MM-DD, got {value!r}")


def _optional_date(spec: Mapping[str, Any], key: str, where: str) -> date | None:
    value = spec.get(key)
    return None if value is None else parse_date(value, f"{where}.{key}")


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EngineError(f"{where}: expected a list of names")
    return tuple(v.strip() for v in value)


def _name(spec: Any, where: str) -> Name:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or not spec["name"].strip():
        raise EngineError(f"{where}: expected a mapping with a name")
    unknown = sorted(set(spec) - set(NAME_KEYS))
    if unknown:
        raise EngineError(f"{where}: unknown key {unknown[0]!r}, allowed: {', '.join(NAME_KEYS)}")
    return Name(
        name=spec["name"].strip(),
        short=str(spec.get("short") or "").strip(),
        former=_texts(spec.get("former"), f"{where}.former"),
        aliases=_texts(spec.get("aliases"), f"{where}.aliases"),
        former_still_in_docs=bool(spec.get("former_still_in_docs")),
        renamed_on=_optional_date(spec, "renamed_on", where),
        source=str(spec.get("source") or ""),
        verified=spec.get("verified", True) is not False,
        note=str(spec.get("note") or ""),
    )


def _check_key(key: str, choices: Mapping[str, Mapping[str, str]], where: str) -> None:
    dim, _, choice = key.partition(".")
    if dim not in choices or choice not in choices[dim]:
        raise EngineError(f"{where}: {key!r} is not a dimension.choice")


def parse_names(data: Mapping[str, Any], choices: Mapping[str, Mapping[str, str]], source: str) -> tuple[dict[str, Name], tuple[Name, ...]]:
    """The ``names`` (per dimension.choice) and ``component_names`` sections."""
    names: dict[str, Name] = {}
    for key, spec in (data.get("names") or {}).items():
        where = f"{source}: names.{key}"
        _check_key(str(key), choices, where)
        names[str(key)] = _name(spec, where)
    components = tuple(_name(spec, f"{source}: component_names[{i}]") for i, spec in enumerate(data.get("component_names") or ()))
    # one spelling must mean one choice within a dimension, or input could not be mapped back
    for dim in choices:
        seen: dict[str, str] = {}
        for key, entry in names.items():
            if key.partition(".")[0] != dim:
                continue
            for spelling in entry.spellings():
                folded = fold(spelling)
                if folded and seen.setdefault(folded, key) != key:
                    raise EngineError(f"{source}: names: {spelling!r} names both {seen[folded]} and {key}")
    return names, components


def parse_lifecycle(data: Mapping[str, Any], choices: Mapping[str, Mapping[str, str]], deprecated: Mapping[str, str], source: str) -> dict[str, Lifecycle]:
    """The ``lifecycle`` section; every ``deprecated:`` key must say there whether it is a rename or a deprecation."""
    out: dict[str, Lifecycle] = {}
    for key, spec in (data.get("lifecycle") or {}).items():
        key = str(key)
        where = f"{source}: lifecycle.{key}"
        _check_key(key, choices, where)
        if not isinstance(spec, dict):
            raise EngineError(f"{where}: expected a mapping")
        unknown = sorted(set(spec) - set(LIFECYCLE_KEYS))
        if unknown:
            raise EngineError(f"{where}: unknown key {unknown[0]!r}, allowed: {', '.join(LIFECYCLE_KEYS)}")
        status = spec.get("status")
        if status not in STATUSES:
            raise EngineError(f"{where}.status: expected one of {', '.join(STATUSES)}, got {status!r}")
        part = str(spec.get("part") or "")
        if status == "active" and not (part and spec.get("end")):
            raise EngineError(f"{where}: an active choice is listed only for a part that ends (part and end)")
        successors = _texts(spec.get("successors"), f"{where}.successors")
        for s in successors:
            if re.fullmatch(r"[a-z_]+\.[a-z_]+", s):
                _check_key(s, choices, f"{where}.successors")
        entry = Lifecycle(key, status, part, _optional_date(spec, "announced", where), _optional_date(spec, "end", where),
                          successors, str(spec.get("source") or ""), str(spec.get("note") or ""), spec.get("verified", True) is not False)
        if entry.announced and entry.end and entry.announced > entry.end:
            raise EngineError(f"{where}: announced {entry.announced} is after end {entry.end}")
        out[key] = entry
    missing = sorted(k for k in deprecated if k not in out)
    if missing:
        raise EngineError(f"{source}: deprecated {missing[0]!r} needs a lifecycle entry (renamed, deprecated or retired)")
    return out


def fold(text: str) -> str:
    """A name as compared with user input: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_\-]+", " ", text).strip().casefold()


def _successors(entry: Lifecycle, display: Callable[[str], str]) -> str:
    """" Successor: X." or " Successors: X; Y." (choice ids shown by their current names)."""
    if not entry.successors:
        return ""
    names = "; ".join(display(s) if re.fullmatch(r"[a-z_]+\.[a-z_]+", s) else s for s in entry.successors)
    return f" Successor{'s' if len(entry.successors) > 1 else ''}: {names}."


def notice(entry: Lifecycle, subject: str, as_of: date, display: Callable[[str], str]) -> Notice | None:
    """The sentence the run date makes of ``entry`` (``subject``: the choice's name), or None.

    A rename says nothing here (the name says it). An ``active`` choice's
    part is mentioned from 12 months before its end to 12 months after.
    """
    if entry.status == "renamed":
        return None
    who = entry.part or subject
    successors = _successors(entry, display)
    soon = entry.end is not None and as_of < entry.end <= as_of + SOON
    note = f" {entry.note}" if entry.note else ""
    if entry.status == "retired":
        text = f"{who} is no longer offered." + successors + note
        return Notice("retired", text, entry.end)
    if entry.end is not None and as_of >= entry.end:
        if entry.status == "active" and as_of > entry.end + SOON:
            return None
        kind = "ending" if entry.status == "active" else "shut-down"
        verb = "reached end of life" if entry.status == "active" else "was shut down"
        since = f" (deprecated on {entry.announced})" if entry.announced and entry.status != "active" else ""
        text = f"{who} {verb} on {entry.end}{since}." + successors + note
        return Notice(kind, text, entry.end)
    if entry.status == "active":
        if not soon:
            return None
        text = f"{who} reaches end of life on {entry.end}, within 12 months of {as_of}." + successors + note
        return Notice("ending", text, entry.end, True)
    if entry.announced and as_of < entry.announced:
        head = f"{who} will be deprecated from {entry.announced}"
    else:
        head = f"{who} is deprecated" + (f" since {entry.announced}" if entry.announced else "")
    if entry.end:
        head += f" and shuts down on {entry.end}" + (f", within 12 months of {as_of}" if soon else "")
    else:
        head += " (no shutdown date published)"
    text = head + "." + successors + note
    return Notice("deprecated", text, entry.end, soon)


def describe(entry: Lifecycle, display: Callable[[str], str]) -> str:
    """The entry's facts without a run date, for reference pages (docs/dimensions.md, `mlarch choices`)."""
    successors = _successors(entry, display)
    note = f" {entry.note}" if entry.note else ""
    if entry.status == "renamed":
        return "Renamed, not deprecated." + note
    if entry.status == "retired":
        return "Retired: no longer offered." + successors + note
    dates = (f" from {entry.announced}" if entry.announced else "") + (f"; ends on {entry.end}" if entry.end else "")
    if entry.status == "active":
        return f"{entry.part}: end of life on {entry.end}." + successors + note
    return f"Deprecated{dates}" + ("" if entry.end else " (no shutdown date published)") + "." + successors + note
