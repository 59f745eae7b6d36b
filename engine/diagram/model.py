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

from mlarch.core.engine import Recommendation
from mlarch.core.resolver import Decision, render_reason
from mlarch.core.scenario import Scenario
from mlarch.core.vocabulary import Vocabulary, load_vocabulary
from mlarch.diagram.table import FRAME, PIPELINE, Condition, Effect, Table, load_table, str_value

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
    pipeline: Effect | None
    pipeline_dims: list[str]
    pipeline_details: list[Line]
    perimeter: bool
    frame_dims: list[str]
    frame_details: list[Line]
    host_of: dict[str, str]  # dimension -> component id, PIPELINE or FRAME
    flows: list[Flow]


def _text(template: str, facts: Mapping[str, Any]) -> str:
    return render_reason(template, facts)


def _draw(table: Table, vocab: Vocabulary, scenario: Scenario, choices: Mapping[str, str]) -> _Drawing:
    state: dict[str, Any] = {**scenario.facts, **choices}
    drafts: dict[str, _Draft] = {}
    host_of: dict[str, str] = {}

    def applies(effect: Effect) -> bool:
        return (not effect.when or effect.when.holds(state)) and not (effect.unless and effect.unless.holds(state))

    def create(cid: str, effect: Effect, index: int) -> _Draft:
        slot = table.slots[effect.slot or ""]
        draft = _Draft(
            id=cid, slot=slot.id, order=(table.slot_order(slot.id), index),
            stage=effect.stage or slot.stage, kind=effect.kind or slot.kind,
            product=_text(effect.product, scenario.facts), role=_text(effect.role, scenario.facts) if effect.role else "",
            where=effect.where or slot.where,
            orchestrated=effect.orchestrated if effect.orchestrated is not None else slot.orchestrated,
            same_rank_as=slot.same_rank_as,
        )
        drafts[cid] = draft
        return draft

    # components that come from scenario facts (sources, consumers)
    for rule in table.facts.values():
        value = scenario.facts.get(rule.fact)
        keys: list[str]
        note: str
        if value is None or value == ():
            if rule.absent_by is not None and rule.absent_by[0] in choices:
                dim, mapping = rule.absent_by
                implied = mapping.get(choices[dim])
                keys = [implied] if implied else []
                note = f"{rule.fact} is not stated; implied by {dim} = {choices[dim]}"
            elif rule.absent is not None:
                keys = []
                if applies(rule.absent):
                    create(rule.slot, rule.absent, 0).notes.append(f"{rule.fact} is not stated")
                continue
            else:
                continue
        else:
            keys = [str_value(v) for v in value] if isinstance(value, tuple) else [str_value(value)]
            note = ""
        for index, key in enumerate(keys):
            effect = rule.values.get(key)
            if key not in rule.values:  # a value the table does not know yet: draw it plainly
                effect = Effect("component", rule.slot, product=key.replace("_", " "), role=rule.fact)
            if effect is None or not applies(effect):
                continue
            cid = f"{rule.slot}_{key}" if rule.each else rule.slot
            if cid in drafts:
                continue
            draft = create(cid, effect, index)
            draft.notes.append(note or f"{rule.fact} = {key}")

    # components, details, the pipeline and the perimeter that decisions imply
    pipeline: Effect | None = None
    pipeline_dims: list[str] = []
    perimeter = False
    frame_dims: list[str] = []
    pending: list[tuple[str, str, Effect]] = []
    for dim in vocab.dimensions:
        choice = choices.get(dim)
        if choice is None:
            continue
        entries = table.decisions.get(dim, {})
        if choice not in entries:  # not in the table yet: shown plainly on the frame
            pending.append((dim, choice, Effect("detail", hosts=(FRAME,), text=f"{dim}: {choice}")))
            continue
        effect = entries[choice]
        if effect is None or not applies(effect):
            continue
        if effect.type == "component":
            cid = effect.slot or ""
            if cid in drafts:
                if effect.role:
                    drafts[cid].details.append(Line(_text(effect.role, scenario.facts), dim))
            else:
                create(cid, effect, 0)
            drafts[cid].dimensions.append(dim)
            drafts[cid].owners.append(dim)
            host_of[dim] = cid
        elif effect.type == "pipeline":
            pipeline = effect
            pipeline_dims.append(dim)
            host_of[dim] = PIPELINE
        elif effect.type == "perimeter":
            perimeter = True
            frame_dims.append(dim)
            host_of[dim] = FRAME
        else:
            pending.append((dim, choice, effect))

    pipeline_details: list[Line] = []
    frame_details: list[Line] = []
    for dim, choice, effect in pending:
        host = next((h for h in effect.hosts if h in drafts or (h == PIPELINE and pipeline) or h == FRAME), FRAME)
        text = _text(effect.text, scenario.facts)
        if vocab.deprecation(dim, choice):
            text += " (deprecated)"
        line = Line(text, dim)
        host_of[dim] = host
        if host == PIPELINE:
            pipeline_details.append(line)
            pipeline_dims.append(dim)
        elif host == FRAME:
            frame_details.append(line)
            frame_dims.append(dim)
        else:
            drafts[host].details.append(line)
            drafts[host].dimensions.append(dim)
    for draft in drafts.values():
        cond = draft.orchestrated
        draft.orchestrated = bool(cond.holds(state)) if isinstance(cond, Condition) else bool(cond)
        if draft.where == "external" or pipeline is None:
            draft.orchestrated = False
        deprecated = [d for d in draft.owners if vocab.deprecation(d, choices[d])]
        if deprecated:
            draft.details.insert(0, Line("deprecated", deprecated[0]))
    drawing = _Drawing(dict(sorted(drafts.items(), key=lambda kv: kv[1].order)), pipeline, pipeline_dims,
                       pipeline_details, perimeter, frame_dims, frame_details, host_of, [])
    drawing.flows = _flows(table, drawing, state)
    return drawing


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
    note = vocab.deprecation(dim, choice)
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
) -> Diagram:
    """The diagram of ``rec``, or of a proposed ``design`` measured against it.

    ``design`` maps dimensions to choices (a review's design file). Dimensions
    the design leaves open are taken from ``completed`` when given (the same
    scenario evaluated with the design pinned, whose reasons and broken hard
    rules then appear in the tooltips), else from the recommendation.
    Components where the drawn choices differ from ``rec`` are marked.
    """
    table = table or load_table()
    vocab = load_vocabulary()
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

    departures: list[Departure] = []
    ghosts: dict[str, _Draft] = {}
    ghost_flows: list[Flow] = []
    host_departures: dict[str, list[Departure]] = {}
    if is_design:
        recommended = _draw(table, vocab, rec.scenario, rec.choices)
        for dim in vocab.dimensions:
            proposed, wanted = choices.get(dim), rec.choices.get(dim)
            if proposed == wanted:
                continue
            dec = completed.decisions.get(dim) if completed is not None else None
            breaks = tuple(dict.fromkeys(v.rule.id for v in dec.pinned_violations)) if dec is not None and dim in design else ()
            dep = Departure(dim, proposed, wanted, dim in design, breaks)
            departures.append(dep)
            host = drawing.host_of.get(dim)
            if host is None or (host not in drawing.drafts and host not in (PIPELINE, FRAME)):
                host = recommended.host_of.get(dim)
                if host is not None and host not in (PIPELINE, FRAME) and host not in drawing.drafts:
                    ghosts.setdefault(host, recommended.drafts[host])
                if host == PIPELINE and drawing.pipeline is None:
                    host = FRAME  # the recommended orchestrator is missing: say so on the frame
            host_departures.setdefault(host or FRAME, []).append(dep)
        for cid, draft in recommended.drafts.items():
            if cid not in drawing.drafts and cid not in ghosts:
                ghosts[cid] = draft
        present = set(drawing.drafts) | set(ghosts) | ({PIPELINE} if drawing.pipeline else set())
        known = {(f.source, f.target) for f in drawing.flows}
        for f in recommended.flows:
            if (f.source in ghosts or f.target in ghosts) and f.source in present and f.target in present and (f.source, f.target) not in known:
                ghost_flows.append(replace(f, ghost=True))

    components: list[Component] = []
    for cid, d in drawing.drafts.items():
        deps = tuple(host_departures.get(cid, ()))
        head = f"{d.product}" + (f": {d.role}" if d.role else "")
        components.append(Component(
            id=cid, slot=d.slot, stage=d.stage, kind=d.kind, product=d.product, role=d.role,
            details=tuple(d.details), dimensions=tuple(d.dimensions),
            tooltip=_tooltip(head, d.dimensions, d.notes, deps, decisions, choices, vocab, design),
            external=d.where == "external", orchestrated=bool(d.orchestrated), same_rank_as=d.same_rank_as,
            departures=deps,
            assumed=tuple(dim for dim in dict.fromkeys(d.dimensions)
                          if dim not in design and dim in decisions and decisions[dim].defaulted),
        ))
    for cid, d in ghosts.items():
        deps = tuple(host_departures.get(cid, ()))
        head = f"Recommended but missing from the design: {d.product}" + (f": {d.role}" if d.role else "")
        components.append(Component(
            id=cid, slot=d.slot, stage=d.stage, kind=d.kind, product=d.product, role=d.role,
            details=(), dimensions=tuple(d.dimensions),
            tooltip=_tooltip(head, d.dimensions, d.notes, deps, rec.decisions, rec.choices, vocab, {}),
            external=d.where == "external", orchestrated=False, same_rank_as=d.same_rank_as,
            departures=deps, ghost=True,
        ))
    order = {cid: d.order for cid, d in {**drawing.drafts, **ghosts}.items()}
    components.sort(key=lambda c: order[c.id])

    pipeline_box = None
    pipeline_node = False
    if drawing.pipeline is not None:
        deps = tuple(host_departures.get(PIPELINE, ()))
        p = drawing.pipeline
        pipeline_box = Box(
            p.product, p.role, tuple(drawing.pipeline_details),
            _tooltip(p.product + (f": {p.role}" if p.role else ""), drawing.pipeline_dims, [], deps, decisions, choices, vocab, design),
            tuple(drawing.pipeline_dims), deps,
        )
        pipeline_node = not any(c.orchestrated for c in components)
    perimeter = drawing.perimeter
    frame_label = table.frame["perimeter" if perimeter else "cloud"].get("label", "")
    frame_deps = tuple(host_departures.get(FRAME, ()))
    frame = Box(
        frame_label, "", tuple(drawing.frame_details),
        _tooltip(frame_label, drawing.frame_dims, [], frame_deps, decisions, choices, vocab, design),
        tuple(drawing.frame_dims), frame_deps,
    )
    name = rec.scenario.name
    if is_design:
        own = sum(1 for dep in departures if dep.by_design)
        follow = len(departures) - own
        title = f"{name}: proposed design ({own} choice{'s' if own != 1 else ''} differ{'s' if own == 1 else ''} from the recommendation"
        title += f", {follow} follow-on)" if follow else ")"
    else:
        title = f"{name}: recommended architecture"
    return Diagram(
        title=title, subtitle=_subtitle(rec.scenario),
        components=tuple(components), flows=tuple(drawing.flows + ghost_flows),
        frame=frame, perimeter=perimeter, pipeline=pipeline_box, pipeline_node=pipeline_node,
        departures=tuple(departures), is_design=is_design,
    )
