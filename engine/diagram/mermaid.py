"""Mermaid flowchart text for a :class:`Diagram`, as GitHub and GitLab render
it in Markdown (a fenced ``mermaid`` block).

The same visual language as the DOT output: a subgraph for the Google Cloud
boundary or the VPC-SC perimeter, a subgraph for the orchestrator, one class
per lifecycle stage, one node shape per kind. Node ids are generated
(``n_<slot>``), never taken from scenario text; every label is quoted and
entity-escaped (escape.mermaid). Mermaid has no tooltips that GitHub shows,
so the reasons live only in the SVG.
"""

from __future__ import annotations

from mlarch.diagram.dot import DEFAULT_OPTIONS, FLOW_NAMES, Options, legend_entries
from mlarch.diagram.escape import mermaid as esc
from mlarch.diagram.escape import plain
from mlarch.diagram.labels import Row, box_rows, component_rows, wrap
from mlarch.diagram.model import Box, Component, Diagram
from mlarch.diagram.table import PIPELINE, Table

SHAPES = {  # Mermaid flowchart node syntax per shape name (see table.MERMAID_SHAPES)
    "rectangle": ("[", "]"),
    "rounded": ("(", ")"),
    "stadium": ("([", "])"),
    "subroutine": ("[[", "]]"),
    "cylinder": ("[(", ")]"),
    "circle": ("((", "))"),
    "flag": (">", "]"),
    "hexagon": ("{{", "}}"),
    "parallelogram": ("[/", "/]"),
    "parallelogram_alt": ("[\\", "\\]"),
    "trapezoid": ("[/", "\\]"),
    "trapezoid_alt": ("[\\", "/]"),
}
INK = "#202124"
FRAME_ID, PIPELINE_ID, LEGEND_ID = "frame", "pipeline_box", "legend"


def node_id(cid: str) -> str:
    return f"n_{cid}"


def _text(rows: list[Row]) -> str:
    out = []
    for row in rows:
        text = esc(row.text)
        if row.style == "product":
            text = f"<b>{text}</b>"
        elif row.style in ("role", "note"):
            text = f"<i>{text}</i>"
        elif row.style == "departure":
            text = f"<b>{text}</b>"
        out.append(text)
    return "<br/>".join(out)


def _node(nid: str, shape: str, rows: list[Row]) -> str:
    left, right = SHAPES[shape]
    return f'{nid}{left}"{_text(rows)}"{right}'


def _component(c: Component, table: Table) -> str:
    return _node(node_id(c.id), table.kinds[c.kind].mermaid, component_rows(c, table))


def _box_title(box: Box) -> str:
    """A subgraph title on one line: Mermaid reserves room for one line only,
    so a taller title would run into the nodes below it."""
    rows = box_rows(box, width=10_000)
    head = f"<b>{esc(rows[0].text)}</b>"
    rest = [esc(r.text) if r.style != "departure" else f"<b>{esc(r.text)}</b>" for r in rows[1:] if r.style != "role"]
    return " · ".join([head, *rest])


def _title(d: Diagram) -> list[str]:
    return ["---", f'title: "{plain(d.title)}"', "---"]  # YAML front matter: plain text only


def to_mermaid(d: Diagram, options: Options = DEFAULT_OPTIONS, table: Table | None = None) -> str:
    """Deterministic Mermaid flowchart source (ends with a newline)."""
    table = table or d.table
    assert table is not None, "a diagram from build_diagram carries its table"
    out = _title(d) + [f"flowchart {options.direction}"]
    members = d.members
    fed = {f.target for f in d.flows}
    for c in d.components:
        if c.external and c.id not in fed:
            out.append("  " + _component(c, table))
    out.append(f'  subgraph {FRAME_ID}["{_box_title(d.frame)}"]')
    out.append(f"    direction {options.direction}")
    if d.pipeline is not None and members:
        out.append(f'    subgraph {PIPELINE_ID}["{_box_title(d.pipeline)}"]')
        out.append(f"      direction {options.direction}")
        out += ["      " + _component(c, table) for c in members]
        out.append("    end")
    elif d.pipeline is not None:
        p = table.frame["pipeline"]
        rows = [Row(t, r.style) for r in box_rows(d.pipeline, 26) for t in wrap(r.text, 26)]
        out.append("    " + _node(PIPELINE_ID, table.kinds[p["kind"]].mermaid, rows))
    out += ["    " + _component(c, table) for c in d.components if not c.external and c not in members]
    out.append("  end")
    for c in d.components:
        if c.external and c.id in fed:
            out.append("  " + _component(c, table))

    links: list[str] = []
    for f in d.flows:
        arrow = "-->" if f.style == "data" and not f.ghost else "-.->"
        target = PIPELINE_ID if f.target == PIPELINE else node_id(f.target)
        label = f'|"{esc(f.label)}"| ' if f.label else " "
        links.append(f"  {node_id(f.source)} {arrow}{label}{target}")
    out += links

    feedback = [i for i, f in enumerate(d.flows) if f.style == "feedback"]
    ghost_links = [i for i, f in enumerate(d.flows) if f.ghost]
    if options.legend:
        lines, legend_links = _legend(d, table, options)
        out += lines
        # Mermaid numbers every link, invisible ones too, in order of appearance
        feedback += [len(d.flows) + i for i, style in enumerate(legend_links) if style == "feedback"]

    # styles: one class per stage, marks for departures and ghosts
    for sid, s in table.stages.items():
        out.append(f"  classDef stage_{sid} fill:{s.fill},stroke:{s.line},color:{INK}")
    dep, ghost = table.frame["departure"], table.frame["ghost"]
    out.append(f"  classDef departs stroke:{dep['line']},stroke-width:3px")
    out.append(f"  classDef ghost fill:#FFFFFF,stroke:{ghost['line']},stroke-dasharray:5 5,color:{ghost['line']}")
    by_stage: dict[str, list[str]] = {}
    for c in d.components:
        by_stage.setdefault(c.stage, []).append(node_id(c.id))
    if d.pipeline is not None and not members:
        by_stage.setdefault(table.frame["pipeline"]["stage"], []).append(PIPELINE_ID)
    for sid in table.stages:
        if sid in by_stage:
            out.append(f"  class {','.join(by_stage[sid])} stage_{sid}")
    departs = [node_id(c.id) for c in d.components if c.departures and not c.ghost]
    if d.pipeline is not None and not members and d.pipeline.departures:
        departs.append(PIPELINE_ID)
    if departs:
        out.append(f"  class {','.join(departs)} departs")
    ghosts = [node_id(c.id) for c in d.components if c.ghost]
    if ghosts:
        out.append(f"  class {','.join(ghosts)} ghost")
    frame = table.frame["perimeter" if d.perimeter else "cloud"]
    frame_line = dep["line"] if d.frame.departures else frame["line"]
    dash = ",stroke-dasharray:6 4" if d.perimeter else ""
    out.append(f"  style {FRAME_ID} fill:#FFFFFF,stroke:{frame_line},stroke-width:2px{dash}")
    if d.pipeline is not None and members:
        p = table.frame["pipeline"]
        line = dep["line"] if d.pipeline.departures else p["line"]
        out.append(f"  style {PIPELINE_ID} fill:{p.get('fill', '#FFFFFF')},stroke:{line},stroke-width:2px")
    if options.legend:
        out.append(f"  style {LEGEND_ID} fill:#FFFFFF,stroke:#DADCE0")
    if feedback:
        out.append(f"  linkStyle {','.join(map(str, feedback))} stroke:{table.frame['feedback']['line']}")
    if ghost_links:
        out.append(f"  linkStyle {','.join(map(str, ghost_links))} stroke:{ghost['line']}")
    return "\n".join(out) + "\n"


def _legend(d: Diagram, table: Table, options: Options) -> tuple[list[str], list[str]]:
    """The legend subgraph, and the style of each link it adds, in order.

    Samples of a row are chained by invisible links (``~~~``) so that each
    row is laid out in a line instead of one tall column.
    """
    stages, kinds, marks, styles = legend_entries(d, table)
    out = [f'  subgraph {LEGEND_ID}["Legend"]', f"    direction {options.direction}"]
    links: list[str] = []
    rows: list[list[str]] = [[], []]
    for sid in stages:
        out.append(f'    legend_stage_{sid}["{esc(table.stages[sid].label)}"]:::stage_{sid}')
        rows[0].append(f"legend_stage_{sid}")
    for kid in kinds:
        k = table.kinds[kid]
        left, right = SHAPES[k.mermaid]
        out.append(f'    legend_kind_{kid}{left}"{esc(k.label)}"{right}')
        rows[1].append(f"legend_kind_{kid}")
    for mark in marks:
        cls = "departs" if mark == "departure" else "ghost"
        out.append(f'    legend_{mark}["{esc(table.frame[mark].get("label", ""))}"]:::{cls}')
        rows[1].append(f"legend_{mark}")
    for row in rows:
        for a, b in zip(row, row[1:]):
            out.append(f"    {a} ~~~ {b}")
            links.append("invisible")
    for s in styles:
        arrow = "-->" if s == "data" else "-.->"
        out.append(f'    legend_{s}_from((" ")) {arrow}|"{esc(FLOW_NAMES[s])}"| legend_{s}_to((" "))')
        links.append(s)
    out.append("  end")
    return out, links
