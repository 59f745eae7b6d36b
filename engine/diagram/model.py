"""The diagram model: the components a recommendation implies and the flows
between them, independent of any output format.

:func:`build_diagram` reads the visual-language table (visual.yaml) and the
decisions; renderers (dot.py, mermaid.py) only lay out what it returns. With
a design (a mapping dimension -> choice, as in a review's design file) it
draws the design instead and marks every component where the design departs
from the recommendation; components the recommendation has and the design
lacks are drawn as ghosts, so an omission is as visible as a change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from mlarch.core.conditions import Condition
from mlarch.core.engine import Recommendation
from mlarch.core.resolver import Decision, render_reason
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import DECISION_PREFIX, Vocabulary
from mlarch.diagram.table import FRAME, PIPELINE, Element, ElementType, Table, guarded, load_table, str_value

MAX_REASONS = 4  # per decision in a tooltip; the rest are counted
SUBTITLE_CHARS = 220


@dataclass(frozen=True)
class Line:
    """A detail line on a component: what one decision adds to it."""

    text: str
    dimension: str | None = None


@dataclass(frozen=True)
class Departure:
    """A dimension where the drawn design differs from the recommendation."""

    dimension: str
    proposed: str | None  # None: the design does not use this dimension
    recommended: str | None  # None: the recommendation does not use it
    by_design: bool  # False: it follows from the design's other choices
    breaks: tuple[str, ...] = ()  # hard rules the proposed choice breaks (review errors)

    def describe(self) -> str:
        broken = "breaks a hard rule; " if self.breaks else ""
        if self.recommended is None:
            return f"{self.dimension}: {broken}not in the recommendation"
        return f"{self.dimension}: {broken}recommended {self.recommended}"


@dataclass(frozen=True)
class Component:
    id: str  # stable, safe identifier (slot, or slot_value for per-value slots)
    slot: str
    stage: str
    kind: str
    product: str
    role: str
    details: tuple[Line, ...]
    dimensions: tuple[str, ...]  # decisions drawn on this component
    tooltip: str
    external: bool  # outside Google Cloud
    orchestrated: bool  # inside the orchestrator's box
    same_rank_as: str | None = None
    departures: tuple[Departure, ...] = ()
    ghost: bool = False  # recommended, but missing from the design
    assumed: tuple[str, ...] = ()  # decisions drawn here that rest on defaults (confidence "assumed")


@dataclass(frozen=True)
class Flow:
    source: str
    target: str  # a component id, or PIPELINE for the orchestrator's box
    label: str
    style: str  # data | control | feedback
    ghost: bool = False


@dataclass(frozen=True)
class Box:
    """A cluster: the orchestrator's pipeline or the Google Cloud frame."""

    label: str
    role: str
    details: tuple[Line, ...]
    tooltip: str
    dimensions: tuple[str, ...]
    departures: tuple[Departure, ...] = ()


@dataclass(frozen=True)
class Diagram:
    title: str
    subtitle: str
    components: tuple[Component, ...]  # lifecycle order
    flows: tuple[Flow, ...]
    frame: Box  # Google Cloud, or the VPC-SC perimeter
    perimeter: bool
    pipeline: Box | None  # None: nothing orchestrates the steps
    pipeline_node: bool = False  # the orchestrator is drawn as a node (it encloses nothing)
    departures: tuple[Departure, ...] = ()
    is_design: bool = False
    table: Table | None = field(default=None, repr=False, compare=False)  # the visual language it was built with

    def component(self, cid: str) -> Component:
        return next(c for c in self.components if c.id == cid)

    @property
    def members(self) -> tuple[Component, ...]:
        """Components drawn inside the orchestrator's box."""
        if self.pipeline is None or self.pipeline_node:
            return ()
        return tuple(c for c in self.components if c.orchestrated)


# ------------------------------------------------------------------ drawing


@dataclass
class _Draft:
    id: str
    slot: str
    order: tuple[int, int]
    stage: str
    kind: str
    product: str
    role: str
    where: str
    orchestrated: bool | Condition
    same_rank_as: str | None
    details: list[Line] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where a fact-derived component comes from
    owners: list[str] = field(default_factory=list)  # decisions that drew this component (not details)


@dataclass
class _Drawing:
    """Everything one set of choices draws (before tooltips and marks)."""

    drafts: dict[str, _Draft]
    pipeline: Element | None
    pipeline_dims: list[str]
    pipeline_details: list[Line]
    perimeter: bool
    frame_dims: list[str]
    frame_details: list[Line]
    host_of: dict[str, str]  # dimension -> component id, PIPELINE or FRAME
    flows: list[Flow]


def _retired(vocab: Vocabulary, dim: str, choice: str) -> str | None:
    """The deprecation of a choice, without a run date (a drawing marks it; renames are not marked)."""
    entry = vocab.lifecycle.get(f"{dim}.{choice}")
    return vocab.lifecycle_text(dim, choice) if entry is not None and entry.retires_choice else None


def _named(vocab: Vocabulary, dim: str, choice: str, element: Element) -> Element:
    """The product label from the vocabulary's current name of the choice (visual.yaml's is the fallback)."""
    named = vocab.name(dim, choice)
    return replace(element, product=named.label) if named else element


def _text(template: str, facts: Mapping[str, Any]) -> str:
    return render_reason(template, facts)


def _draw(table: Table, vocab: Vocabulary, scenario: Scenario, choices: Mapping[str, str]) -> _Drawing:
    drawer = _Drawer(table, vocab, scenario, choices)
    drawer.draw_facts()
    drawer.draw_decisions()
    drawer.place_details()
    drawer.finish_drafts()
    d = drawer
    drawing = _Drawing(dict(sorted(d.drafts.items(), key=lambda kv: kv[1].order)), d.pipeline, d.pipeline_dims,
                       d.pipeline_details, d.perimeter, d.frame_dims, d.frame_details, d.host_of, [])
    drawing.flows = _flows(table, drawing, d.state)
    return drawing


class _Drawer:
    """What one set of choices draws, built in steps: components from facts, then what
    each decision implies, then the detail lines placed on their hosts."""

    def __init__(self, table: Table, vocab: Vocabulary, scenario: Scenario, choices: Mapping[str, str]) -> None:
        self.table, self.vocab, self.scenario, self.choices = table, vocab, scenario, choices
        self.state: dict[str, Any] = {**scenario.facts, **{DECISION_PREFIX + d: c for d, c in choices.items()}}  # for conditions
        self.drafts: dict[str, _Draft] = {}
        self.host_of: dict[str, str] = {}
        self.pipeline: Element | None = None
        self.pipeline_dims: list[str] = []
        self.pipeline_details: list[Line] = []
        self.perimeter = False
        self.frame_dims: list[str] = []
        self.frame_details: list[Line] = []
        self.pending: list[tuple[str, str, Element]] = []  # detail lines, placed once every component is drawn

    def applies(self, element: Element) -> bool:
        return guarded(element.when, element.unless, self.state)

    def create(self, cid: str, element: Element, index: int) -> _Draft:
        slot = self.table.slots[element.slot or ""]
        facts = self.scenario.facts
        draft = _Draft(
            id=cid, slot=slot.id, order=(self.table.slot_order(slot.id), index),
            stage=element.stage or slot.stage, kind=element.kind or slot.kind,
            product=_text(element.product, facts), role=_text(element.role, facts) if element.role else "",
            where=element.where or slot.where,
            orchestrated=element.orchestrated if element.orchestrated is not None else slot.orchestrated,
            same_rank_as=slot.same_rank_as,
        )
        self.drafts[cid] = draft
        return draft

    def draw_facts(self) -> None:
        """Components that come from scenario facts (sources, consumers)."""
        choices = self.choices
        for rule in self.table.facts.values():
            value = self.scenario.facts.get(rule.fact)
            keys: list[str]
            note: str
            if value is None or value == ():
                if rule.absent_by is not None and rule.absent_by[0] in choices:
                    dim, mapping = rule.absent_by
                    implied = mapping.get(choices[dim])
                    keys = [implied] if implied else []
                    note = f"{rule.fact} is not stated; implied by {dim} = {choices[dim]}"
                elif rule.absent is not None:
                    if self.applies(rule.absent):
                        self.create(rule.slot, rule.absent, 0).notes.append(f"{rule.fact} is not stated")
                    continue
                else:
                    continue
            else:
                keys = [str_value(v) for v in value] if isinstance(value, tuple) else [str_value(value)]
                note = ""
            for index, key in enumerate(keys):
                element = rule.values.get(key)
                if key not in rule.values:  # a value the table does not know yet: draw it plainly
                    element = Element(ElementType.COMPONENT, rule.slot, product=key.replace("_", " "), role=rule.fact)
                if element is None or not self.applies(element):
                    continue
                cid = f"{rule.slot}_{key}" if rule.each else rule.slot
                if cid in self.drafts:
                    continue
                self.create(cid, element, index).notes.append(note or f"{rule.fact} = {key}")

    def draw_decisions(self) -> None:
        """Components, the pipeline and the perimeter that decisions imply; their detail lines wait in ``pending``."""
        for dim in self.vocab.dimensions:
            choice = self.choices.get(dim)
            if choice is None:
                continue
            entries = self.table.decisions.get(dim, {})
            if choice not in entries:  # not in the table yet: shown plainly on the frame
                self.pending.append((dim, choice, Element(ElementType.DETAIL, hosts=(FRAME,), text=f"{dim}: {choice}")))
                continue
            element = entries[choice]
            if element is None or not self.applies(element):
                continue
            if element.type is ElementType.COMPONENT:
                cid = element.slot or ""
                if cid in self.drafts:
                    if element.role:
                        self.drafts[cid].details.append(Line(_text(element.role, self.scenario.facts), dim))
                else:
                    self.create(cid, _named(self.vocab, dim, choice, element), 0)
                self.drafts[cid].dimensions.append(dim)
                self.drafts[cid].owners.append(dim)
                self.host_of[dim] = cid
            elif element.type is ElementType.PIPELINE:
                self.pipeline = _named(self.vocab, dim, choice, element)
                self.pipeline_dims.append(dim)
                self.host_of[dim] = PIPELINE
            elif element.type is ElementType.PERIMETER:
                self.perimeter = True
                self.frame_dims.append(dim)
                self.host_of[dim] = FRAME
            else:
                self.pending.append((dim, choice, element))

    def place_details(self) -> None:
        """Each pending detail line goes on the first of its hosts that is drawn (else the frame)."""
        for dim, choice, element in self.pending:
            host = next((h for h in element.hosts if h in self.drafts or (h == PIPELINE and self.pipeline) or h == FRAME), FRAME)
            text = _text(element.text, self.scenario.facts)
            if _retired(self.vocab, dim, choice):
                text += " (deprecated)"
            line = Line(text, dim)
            self.host_of[dim] = host
            if host == PIPELINE:
                self.pipeline_details.append(line)
                self.pipeline_dims.append(dim)
            elif host == FRAME:
                self.frame_details.append(line)
                self.frame_dims.append(dim)
            else:
                self.drafts[host].details.append(line)
                self.drafts[host].dimensions.append(dim)

    def finish_drafts(self) -> None:
        """Decide what the pipeline box encloses, and mark deprecated choices."""
        for draft in self.drafts.values():
            cond = draft.orchestrated
            draft.orchestrated = cond if isinstance(cond, bool) else guarded(cond, None, self.state)
            if draft.where == "external" or self.pipeline is None:
                draft.orchestrated = False
            deprecated = [d for d in draft.owners if _retired(self.vocab, d, self.choices[d])]
            if deprecated:
                draft.details.insert(0, Line("deprecated", deprecated[0]))


def _flows(table: Table, drawing: _Drawing, state: Mapping[str, Any]) -> list[Flow]:
    drafts = drawing.drafts
    boxed = drawing.pipeline is not None and any(d.orchestrated for d in drafts.values())

    def present(slot: str) -> list[str]:
        if slot == PIPELINE:
            return [PIPELINE] if drawing.pipeline is not None else []
        return [cid for cid, d in drafts.items() if d.slot == slot]

    out: list[Flow] = []
    seen: set[tuple[str, str]] = set()
    for rule in table.flows:
        if not rule.applies(state):
            continue
        sources = next((found for s in rule.sources if (found := present(s))), [])
        targets = next((found for t in rule.targets if (found := present(t))), [])
        for src in sources:
            for dst in targets:
                if src == dst or (dst == PIPELINE and boxed and drafts[src].orchestrated):
                    continue
                if (src, dst) in seen:
                    continue
                seen.add((src, dst))
                out.append(Flow(src, dst, rule.label, rule.style))
    return out


# ------------------------------------------------------------------ tooltips


def _decision_lines(dim: str, dec: Decision | None, choice: str, vocab: Vocabulary, design: Mapping[str, str]) -> list[str]:
    lines = [f"{dim} = {choice}" + (" (from the design)" if dim in design else f" ({dec.how})" if dec else "")]
    named = vocab.name(dim, choice)
    if named and named.former:  # the node shows the current name; the tooltip the one readers may know
        lines.append(f"= {named.display}")
    note = _retired(vocab, dim, choice)
    if note:
        lines.append(f"! deprecated: {note}")
    if dec is None:
        return lines
    for s in dec.pinned_violations:
        lines.append(f"x breaks hard rule {s.rule.id}: {s.text}")
    reasons = dec.reasons if dec.choice == choice else ()
    for s in reasons[:MAX_REASONS]:
        mark = "+" if choice in s.rule.choices else "~ rules out " + ", ".join(s.rule.choices) + ":"
        lines.append(f"{mark} {s.text} [{s.rule.id}]")
    if len(reasons) > MAX_REASONS:
        lines.append(f"... and {len(reasons) - MAX_REASONS} more (mlarch recommend shows all)")
    if not reasons and dim not in design:
        lines.append("no rule applied; first choice in vocabulary order")
    return lines


def _tooltip(head: str, dims: list[str], notes: list[str], departures: tuple[Departure, ...],
             decisions: Mapping[str, Decision], choices: Mapping[str, str], vocab: Vocabulary,
             design: Mapping[str, str]) -> str:
    lines = [head]
    lines += [f"From the scenario: {n}" for n in notes]
    for dep in departures:
        lines.append(f"Departs from the recommendation: {dep.dimension} = {dep.proposed or 'not used'}"
                     f" (recommended: {dep.recommended or 'not used'})" + ("" if dep.by_design else ", following the design's other choices"))
    for dim in sorted(dict.fromkeys(dims), key=list(vocab.dimensions).index):
        if dim in choices:
            lines += [""] + _decision_lines(dim, decisions.get(dim), choices[dim], vocab, design)
    return "\n".join(lines)


# ------------------------------------------------------------------ building


def _drawn_choices(vocab: Vocabulary, base: Mapping[str, str], design: Mapping[str, str]) -> dict[str, str]:
    """The design's choices over ``base``, keeping only dimensions that apply to them.

    Dropping a dimension can only make others stop applying, so removing
    until nothing changes reaches a fixed point.
    """
    merged = {d: c for d, c in {**base, **design}.items() if d in vocab.dimensions}
    drawn = dict(merged)
    while True:
        kept = {d: c for d, c in merged.items() if vocab.dimensions[d].applies_when.holds(drawn)}
        if kept == drawn:
            break
        drawn = kept
    return {d: drawn[d] for d in vocab.dimensions if d in drawn}


def _subtitle(scenario: Scenario) -> str:
    text = " ".join(scenario.description.split())
    if len(text) > SUBTITLE_CHARS:
        cut = text[:SUBTITLE_CHARS].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:.") + "…"  # attached, so wrapping never leaves it alone on a line
    return text


def build_diagram(
    rec: Recommendation,
    design: Mapping[str, str] | None = None,
    completed: Recommendation | None = None,
    *,
    table: Table | None = None,
    judged: Mapping[str, str] | None = None,
) -> Diagram:
    """The diagram of ``rec``, or of a proposed ``design`` measured against it.

    ``judged`` (a review's verdict: dimension -> "error" or "warning" for the
    design's own choices it flags) makes the drawing say what the review says:
    only those choices are marked, and the title counts them the same way, so
    a report's table and its diagram never disagree.

    ``design`` maps dimensions to choices (a review's design file). Dimensions
    the design leaves open are taken from ``completed`` when given (the same
    scenario evaluated with the design pinned, whose reasons and broken hard
    rules then appear in the tooltips), else from the recommendation.
    Components where the drawn choices differ from ``rec`` are marked.
    """
    vocab = rec.vocab
    table = table or load_table(vocab)
    design = dict(design or {})
    is_design = bool(design) or completed is not None
    base = completed.choices if completed is not None else rec.choices
    choices = _drawn_choices(vocab, base, design) if is_design else dict(rec.choices)
    decisions: dict[str, Decision] = dict(rec.decisions)
    if completed is not None:
        decisions.update(completed.decisions)
    elif is_design:
        for dim in design:
            decisions.pop(dim, None)
    drawing = _draw(table, vocab, rec.scenario, choices)
    cmp = _compare(table, vocab, rec, design, completed, choices, drawing, judged) if is_design else _Comparison()
    tip = _Tooltips(vocab, decisions, choices, design, cmp.host_departures)
    components = _components(drawing, cmp, tip, rec)
    pipeline_box = None
    if drawing.pipeline is not None:
        p = drawing.pipeline
        pipeline_box = tip.box(p.product, p.role, drawing.pipeline_details, drawing.pipeline_dims, PIPELINE)
    frame_label = table.frame["perimeter" if drawing.perimeter else "cloud"].get("label", "")
    return Diagram(
        title=_title(rec.scenario.name, cmp.departures, is_design, judged), subtitle=_subtitle(rec.scenario),
        components=tuple(components), flows=tuple(drawing.flows + cmp.ghost_flows),
        frame=tip.box(frame_label, "", drawing.frame_details, drawing.frame_dims, FRAME, head=frame_label),
        perimeter=drawing.perimeter, pipeline=pipeline_box,
        pipeline_node=pipeline_box is not None and not any(c.orchestrated for c in components),
        departures=tuple(cmp.departures), is_design=is_design, table=table,
    )


@dataclass
class _Comparison:
    """How a design's drawing departs from the recommendation's."""

    departures: list[Departure] = field(default_factory=list)
    ghosts: dict[str, _Draft] = field(default_factory=dict)  # recommended components the design lacks
    ghost_flows: list[Flow] = field(default_factory=list)
    host_departures: dict[str, list[Departure]] = field(default_factory=dict)  # host -> departures shown on it


def _compare(table: Table, vocab: Vocabulary, rec: Recommendation, design: Mapping[str, str],
             completed: Recommendation | None, choices: Mapping[str, str], drawing: _Drawing,
             judged: Mapping[str, str] | None = None) -> _Comparison:
    out = _Comparison()
    recommended = _draw(table, vocab, rec.scenario, rec.choices)
    for dim in vocab.dimensions:
        proposed, wanted = choices.get(dim), rec.choices.get(dim)
        if proposed == wanted or (judged is not None and dim not in judged):
            continue  # with a review's verdict, only what it flags is a departure
        dec = completed.decisions.get(dim) if completed is not None else None
        breaks = tuple(dict.fromkeys(v.rule.id for v in dec.pinned_violations)) if dec is not None and dim in design else ()
        dep = Departure(dim, proposed, wanted, dim in design, breaks)
        out.departures.append(dep)
        host = drawing.host_of.get(dim)
        if host is None or (host not in drawing.drafts and host not in (PIPELINE, FRAME)):
            host = recommended.host_of.get(dim)
            if host is not None and host not in (PIPELINE, FRAME) and host not in drawing.drafts:
                out.ghosts.setdefault(host, recommended.drafts[host])
            if host == PIPELINE and drawing.pipeline is None:
                host = FRAME  # the recommended orchestrator is missing: say so on the frame
        out.host_departures.setdefault(host or FRAME, []).append(dep)
    for cid, draft in recommended.drafts.items():
        if cid not in drawing.drafts and cid not in out.ghosts:
            out.ghosts[cid] = draft
    present = set(drawing.drafts) | set(out.ghosts) | ({PIPELINE} if drawing.pipeline else set())
    known = {(f.source, f.target) for f in drawing.flows}
    for f in recommended.flows:
        if (f.source in out.ghosts or f.target in out.ghosts) and f.source in present and f.target in present and (f.source, f.target) not in known:
            out.ghost_flows.append(replace(f, ghost=True))
    return out


@dataclass
class _Tooltips:
    """What the tooltips of one diagram are written from."""

    vocab: Vocabulary
    decisions: Mapping[str, Decision]
    choices: Mapping[str, str]
    design: Mapping[str, str]
    host_departures: Mapping[str, list[Departure]]

    def departures(self, host: str) -> tuple[Departure, ...]:
        return tuple(self.host_departures.get(host, ()))

    def of(self, head: str, dims: list[str], notes: list[str], host: str) -> str:
        return _tooltip(head, dims, notes, self.departures(host), self.decisions, self.choices, self.vocab, self.design)

    def box(self, product: str, role: str, details: list[Line], dims: list[str], host: str, head: str | None = None) -> Box:
        """The orchestrator's box or the frame."""
        head = head if head is not None else product + (f": {role}" if role else "")
        return Box(product, role, tuple(details), self.of(head, dims, [], host), tuple(dims), self.departures(host))


def _components(drawing: _Drawing, cmp: _Comparison, tip: _Tooltips, rec: Recommendation) -> list[Component]:
    """The drawn components, then the recommended ones a design lacks (ghosts), in slot order."""
    components: list[Component] = []
    for cid, d in drawing.drafts.items():
        head = f"{d.product}" + (f": {d.role}" if d.role else "")
        components.append(Component(
            id=cid, slot=d.slot, stage=d.stage, kind=d.kind, product=d.product, role=d.role,
            details=tuple(d.details), dimensions=tuple(d.dimensions), tooltip=tip.of(head, d.dimensions, d.notes, cid),
            external=d.where == "external", orchestrated=bool(d.orchestrated), same_rank_as=d.same_rank_as,
            departures=tip.departures(cid),
            assumed=tuple(dim for dim in dict.fromkeys(d.dimensions)
                          if dim not in tip.design and dim in tip.decisions and tip.decisions[dim].defaulted),
        ))
    for cid, d in cmp.ghosts.items():
        deps = tip.departures(cid)
        head = f"Recommended but missing from the design: {d.product}" + (f": {d.role}" if d.role else "")
        components.append(Component(
            id=cid, slot=d.slot, stage=d.stage, kind=d.kind, product=d.product, role=d.role,
            details=(), dimensions=tuple(d.dimensions),
            tooltip=_tooltip(head, d.dimensions, d.notes, deps, rec.decisions, rec.choices, tip.vocab, {}),
            external=d.where == "external", orchestrated=False, same_rank_as=d.same_rank_as,
            departures=deps, ghost=True,
        ))
    order = {cid: d.order for cid, d in {**drawing.drafts, **cmp.ghosts}.items()}
    components.sort(key=lambda c: order[c.id])
    return components


def _title(name: str, departures: list[Departure], is_design: bool, judged: Mapping[str, str] | None = None) -> str:
    if not is_design:
        return f"{name}: recommended architecture"
    if judged is not None:
        errors = sum(1 for v in judged.values() if v == "error")
        warnings = len(judged) - errors
        return (f"{name}: proposed design (choices the review flags: {errors} with errors, "
                f"{warnings} with warnings)")
    own = sum(1 for dep in departures if dep.by_design)
    follow = len(departures) - own
    title = f"{name}: proposed design ({own} choice{'s' if own != 1 else ''} differ{'s' if own == 1 else ''} from the recommendation"
    return title + (f", {follow} follow-on)" if follow else ")")
