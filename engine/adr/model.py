"""Architecture Decision Records: one Markdown file per decision, in the MADR layout.

Each record (https://adr.github.io/madr/) has the MADR sections: context and
problem statement (the scenario and the facts the rules used), decision
drivers, considered options, the decision outcome with its consequences,
the pros and cons of each option (from the rules that fired for or against
it) and more information (rules, documentation, provenance).

File names are deterministic and stable across scenarios:
``NNNN-<dimension>.md``, where NNNN is the dimension's position in the
vocabulary (so ``0001-approach.md`` is always the approach), plus an
``index.md`` listing the records. The same scenario and rules give
byte-identical files; the date is only written when given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from mlarch import __version__
from mlarch.analysis.sensitivity import Sensitivity, describe_choice, show
from mlarch.core.engine import Recommendation, format_value
from mlarch.core.output import write_folder
from mlarch.core.resolver import AlternativeStatus, Decision, Support
from mlarch.core.textfmt import md_escape
from mlarch.core.vocabulary import Vocabulary

STATUSES = ("proposed", "accepted")
MAX_OTHER = 12  # choices without any rule, named in one line


def file_name(vocab: Vocabulary, dimension: str) -> str:
    number = list(vocab.dimensions).index(dimension) + 1
    return f"{number:04d}-{dimension.replace('_', '-')}.md"


def _title(dimension: str) -> str:
    return dimension.replace("_", " ").capitalize()


def _choice(vocab: Vocabulary, dimension: str, choice: str) -> str:
    doc = vocab.dimensions[dimension].choices.get(choice, "")
    named = f" ({_esc(vocab.display(dimension, choice))})" if vocab.name(dimension, choice) else ""  # issue 17
    return f"`{choice}`{named}" + (f" — {doc}" if doc else "")


def _esc(text: str) -> str:
    """Input text as inert Markdown: the same escaping as every other Markdown output."""
    return md_escape(text)


def _argument(s: Support) -> str:
    """A rule's reason as a MADR argument; the rule id keeps the sentence's own capitalisation intact."""
    return f"of `{s.rule.id}`: {_esc(s.text)}"


def _link(vocab: Vocabulary, dimension: str, rec: Recommendation) -> str:
    if dimension in rec.decisions:
        return f"[{dimension}]({file_name(vocab, dimension)})"
    return dimension


@dataclass(frozen=True)
class Option:
    choice: str
    good: tuple[Support, ...]
    bad: tuple[Support, ...]
    lost: tuple[str, ...]  # why it lost (alternatives' why-not), empty for the chosen one


def options(dec: Decision) -> list[Option]:
    """The chosen option first, then every alternative some rule named, best first."""
    good: dict[str, list[Support]] = {}
    bad: dict[str, list[Support]] = {}
    for s in dec.considered:
        for c in s.rule.choices:
            (good if s.rule.verdict in ("prefer", "require") else bad).setdefault(c, []).append(s)
    out = [Option(dec.choice, tuple(good.get(dec.choice, ())), tuple(bad.get(dec.choice, ())), ())]
    for alt in dec.alternatives:
        if alt.status is AlternativeStatus.UNSUPPORTED:
            continue
        lost = tuple(w.text for w in alt.why_not if not w.text.startswith(("avoid (", "forbidden: ")))
        out.append(Option(alt.choice, tuple(good.get(alt.choice, ())), tuple(bad.get(alt.choice, ())), lost))
    return out


def _drivers(dec: Decision) -> list[str]:
    facts: dict[str, Any] = {}
    decisions: dict[str, Any] = {}
    unstated: set[str] = set()
    for s in dec.considered:
        facts.update(s.facts)
        decisions.update(s.decisions)
        unstated.update(s.unstated)
    out = [f"`{k}` = {_esc(format_value(v))}" for k, v in sorted(facts.items())]
    out += [f"decision `{k}` = `{v}`" for k, v in sorted(decisions.items())]
    out += [f"`{k}` is not stated" for k in sorted(unstated)]
    return out


def record(vocab: Vocabulary, rec: Recommendation, dimension: str, date: str | None = None, status: str = "proposed",
           sens: Sensitivity | None = None) -> str:
    """The MADR Markdown of one decision (with ``sens``, its confidence and what would change it)."""
    dec = rec.decisions[dimension]
    spec = vocab.dimensions[dimension]
    scenario = rec.scenario
    front = ["---", f"status: {status}"] + ([f"date: {date}"] if date else []) + ["---", ""]
    out = front + [f"# {_title(dimension)}: use `{dec.choice}`", ""]
    out += ["## Context and Problem Statement", ""]
    if scenario.description:
        out += [_esc(scenario.description), ""]
    what = f"Which {dimension.replace('_', ' ')} should *{scenario.name}* use?"
    if spec.doc:
        what += f" ({_esc(spec.doc)})"
    out += [what + f" This is a {spec.stage} decision.", ""]
    parent = spec.applies_when.dimension
    if parent:
        out += [f"It arises because {_link(vocab, parent, rec)} is `{rec.choices.get(parent)}` "
                f"(this dimension applies when {spec.applies_when.text}).", ""]
    drivers = _drivers(dec)
    out += ["## Decision Drivers", ""]
    out += [f"* {d}" for d in drivers] if drivers else ["* No rule tested any fact for this decision."]
    out.append("")
    opts = options(dec)
    out += ["## Considered Options", ""] + [f"* {_choice(vocab, dimension, o.choice)}" for o in opts]
    named = {o.choice for o in opts}
    others = [c for c in spec.choices if c not in named]
    if others:
        shown = ", ".join(f"`{c}`" for c in others[:MAX_OTHER]) + (f" and {len(others) - MAX_OTHER} more" if len(others) > MAX_OTHER else "")
        out.append(f"* Not considered further (no rule supported them for this scenario): {shown}")
    out.append("")
    out += ["## Decision Outcome", ""]
    if dec.reasons:
        top = dec.reasons[0]
        because = f"of `{top.rule.id}`: {_esc(top.text)}"
    else:
        because = "no rule applied and it is the first choice in vocabulary order."
    out += [f"Chosen option: `{dec.choice}`, because {because}", "",
            f"Resolved by: {dec.how}, score {dec.score}" + ("; this decision rests on default assumptions." if dec.defaulted else "."), ""]
    if sens is not None:
        ds = sens.decisions[dimension]
        out += [f"Confidence: **{ds.confidence}**.", ""]
        out += [f"* {'Knife-edge' if f.knife_edge else 'Would change'}: it {_esc(f.text())}." for f in ds.flips]
        for u in ds.unknowns:
            gives = "; ".join(f"{_esc(show(v))} gives `{describe_choice(c)}`" for v, c in u.outcomes)
            out.append(f"* Not stated: `{u.fact}` ({gives}).")
        if ds.flips or ds.unknowns:
            out.append("")
    out += ["### Consequences", ""]
    chosen = opts[0]
    for s in dec.reasons[1:]:
        out.append(f"* Good, because {_argument(s)}")
    for s in chosen.bad:
        out.append(f"* Bad, because {_argument(s)}")
    notice = vocab.notice(dimension, dec.choice, rec.as_of)  # judged at the run date; renames are not downsides
    if notice and notice.kind == "ending":
        out.append(f"* Neutral, because {_esc(notice.text)}")
    elif notice:
        out.append(f"* Bad, because it is deprecated: {_esc(notice.text)}")
    follow = [d for d, other in vocab.dimensions.items() if other.applies_when.dimension == dimension and d in rec.decisions]
    if follow:
        out.append("* Neutral, because it opens further decisions: " + ", ".join(_link(vocab, d, rec) for d in follow) + ".")
    if dec.defaulted:
        stated = sorted({u for s in dec.reasons for u in s.unstated})
        hint = f" State {', '.join(f'`{u}`' for u in stated)} to confirm it." if stated else ""
        out.append(f"* Neutral, because it rests on an assumption about facts the scenario does not state.{hint}")
    if out[-1] == "":
        out.append("* Neutral, because no rule named a downside.")
    out += ["", "### Confirmation", "",
            f"A design file that sets `{dimension}: {dec.choice}` reviews without a finding on this dimension "
            "(`mlarch review`); rerun `mlarch adr` when the scenario or the rules change.", ""]
    out += ["## Pros and Cons of the Options", ""]
    for o in opts:
        out += [f"### `{o.choice}`" + (" (chosen)" if o.choice == dec.choice else ""), ""]
        doc = spec.choices.get(o.choice, "")
        if doc:
            out += [_esc(doc), ""]
        lines = [f"* Good, because {_argument(s)}" for s in o.good]
        lines += [f"* Bad, because {_argument(s)}" for s in o.bad]
        lines += [f"* Bad, because {'it ' if t.startswith(('scored', 'tied')) else ''}{_esc(t)}" for t in o.lost]
        out += (lines or ["* Neutral, because no rule spoke for or against it."]) + [""]
    out += ["## More Information", ""]
    rules: dict[str, Support] = {s.rule.id: s for s in dec.considered}
    for rid in sorted(rules):
        r = rules[rid].rule
        out.append(f"* `{rid}` ({r.verdict}; exam {', '.join(r.sections)}): {_esc(r.title)}. "
                   + ", ".join(f"<{u}>" for u in r.docs))
    out += ["", f"Generated by mlarch {__version__} from scenario `{scenario.name}` with rule set "
            f"`{rec.rule_set_version}`; regenerate rather than edit by hand.", ""]
    return "\n".join(out)


def index(vocab: Vocabulary, rec: Recommendation, sens: Sensitivity | None = None) -> str:
    out = [f"# Architecture decisions: {rec.scenario.name}", ""]
    if rec.scenario.description:
        out += [_esc(rec.scenario.description), ""]
    out += ["| ADR | Decision | Choice | Stage |" + (" Confidence |" if sens else ""), "|---|---|---|---|" + ("---|" if sens else "")]
    for dim, dec in rec.decisions.items():
        name = file_name(vocab, dim)
        conf = f" {sens.confidence(dim)} |" if sens else ""
        out.append(f"| [{name[:4]}]({name}) | {dim} | `{dec.choice}` | {vocab.dimensions[dim].stage} |{conf}")
    out += ["", f"Rule set `{rec.rule_set_version}`; mlarch {__version__}.", ""]
    return "\n".join(out)


def records(vocab: Vocabulary, rec: Recommendation, date: str | None = None, status: str = "proposed",
            sens: Sensitivity | None = None) -> dict[str, str]:
    """File name -> content for every decision, plus index.md."""
    files = {file_name(vocab, d): record(vocab, rec, d, date, status, sens) for d in rec.decisions}
    files["index.md"] = index(vocab, rec, sens)
    return dict(sorted(files.items()))


def write(files: Mapping[str, str], folder: str | Path, force: bool = False) -> list[Path]:
    """Write the records (all or nothing); refuse to overwrite a different existing file unless ``force``."""
    return write_folder(folder, files, force)
