"""Graphviz DOT for a :class:`Diagram`, built with the ``graphviz`` package.

Layout choices, for diagrams that read like a hand-drawn cloud architecture:
the lifecycle runs left to right (or top to bottom); the Google Cloud
boundary, or the VPC Service Controls perimeter, is a cluster around what it
protects; the orchestrator is a cluster around the steps it runs; the legend
sits below, in rows no wider than the drawing. Every label is HTML-like
(bold product, role, details), so no scenario text can act as DOT syntax.
The output is deterministic: components, flows and legend entries follow the
table's order, never a set's.
"""

from __future__ import annotations

from dataclasses import dataclass

import graphviz

from mlarch.diagram.escape import dot_string, html
from mlarch.diagram.labels import WIDTH_TITLE, Row, box_rows, component_rows, wrap
from mlarch.diagram.model import Box, Component, Diagram, Flow
from mlarch.diagram.table import PIPELINE, Table

FONT = "Helvetica,Arial,sans-serif"
INK = "#202124"
MUTED = "#5F6368"
WHITE = "#FFFFFF"
DIRECTIONS = ("LR", "TB")
PIPELINE_NODE = "pipeline"  # node id of an orchestrator that encloses nothing
FLOW_NAMES = {"data": "data flow", "control": "deploys, runs, builds", "feedback": "feedback"}


@dataclass(frozen=True)
class Options:
    """Rendering options shared by every format (the CLI validates them)."""

    direction: str = "LR"  # LR: lifecycle left to right (slides); TB: top to bottom (portrait pages)
    legend: bool = True


DEFAULT_OPTIONS = Options()


def _cell(row: Row, table: Table) -> str:
    text = html(row.text)
    if row.style == "product":
        return f"<B>{text}</B>"
    size, colour = {
        "note": ("8", table.frame["ghost"]["line"]),
        "role": ("9", MUTED),
        "detail": ("9", INK),
        "departure": ("9", table.frame["departure"]["line"]),
    }[row.style]
    if row.style == "departure":
        text = f"<B>{text}</B>"
    return f'<FONT POINT-SIZE="{size}" COLOR="{colour}">{text}</FONT>'


def _label(cells: list[str], align: str = "CENTER", padding: int = 0) -> str:
    """An HTML-like label: one row per line."""
    body = "".join(f'<TR><TD ALIGN="{align}">{cell}</TD></TR>' for cell in cells)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="{padding}">{body}</TABLE>>'


def _small(text: str) -> str:
    return _label([f'<FONT POINT-SIZE="8">{html(text)}</FONT>'])


def _box_label(box: Box, table: Table) -> str:
    rows = box_rows(box)
    head = _cell(rows[0], table)
    rest = rows[1:]
    if rest and rest[0].style == "role":  # the role sits beside the name
        head += "  " + _cell(rest[0], table)
        rest = rest[1:]
    return _label([head] + [_cell(r, table) for r in rest], align="LEFT", padding=1)


def _title(d: Diagram) -> str:
    cells = [f'<FONT POINT-SIZE="14"><B>{html(d.title)}</B></FONT>']
    if d.subtitle:
        cells += [f'<FONT POINT-SIZE="10" COLOR="{MUTED}">{html(t)}</FONT>' for t in wrap(d.subtitle, WIDTH_TITLE)]
    return _label(cells, align="LEFT", padding=2)


def _styles(*parts: str) -> str:
    return ",".join(p for part in parts for p in part.split(",") if p)


def _component(graph: graphviz.Digraph, c: Component, table: Table) -> None:
    stage, kind = table.stages[c.stage], table.kinds[c.kind]
    attrs = {"shape": kind.shape, "style": _styles(kind.style, "filled"), "fillcolor": stage.fill,
             "color": stage.line, "tooltip": dot_string(c.tooltip)}
    if c.departures:
        attrs.update(color=table.frame["departure"]["line"], penwidth="2.5")
    if c.ghost:
        attrs.update(style=_styles(kind.style, "dashed,filled"), fillcolor=WHITE, color=table.frame["ghost"]["line"])
    graph.node(c.id, _label([_cell(r, table) for r in component_rows(c, table)]), **attrs)


def _pipeline_node(graph: graphviz.Digraph, box: Box, table: Table) -> None:
    p = table.frame["pipeline"]
    stage, kind = table.stages[p["stage"]], table.kinds[p["kind"]]
    rows = [Row(t, r.style) for r in box_rows(box, 26) for t in wrap(r.text, 26)]
    graph.node(PIPELINE_NODE, _label([_cell(r, table) for r in rows]), shape=kind.shape, style=_styles(kind.style, "filled"),
               fillcolor=stage.fill, color=table.frame["departure"]["line"] if box.departures else stage.line,
               penwidth="2.5" if box.departures else "1.3", tooltip=dot_string(box.tooltip))


def _edge(g: graphviz.Digraph, f: Flow, d: Diagram, table: Table) -> None:
    attrs: dict[str, str] = {"label": _label([html(f" {f.label} ")])} if f.label else {}
    if f.style == "control":
        attrs["style"] = "dashed"
    elif f.style == "feedback":
        colour = table.frame["feedback"]["line"]
        attrs.update(style="dashed", color=colour, fontcolor=colour, constraint="false")
    if f.ghost:
        colour = table.frame["ghost"]["line"]
        attrs.update(style="dashed", color=colour, fontcolor=colour)
    target = f.target
    if target == PIPELINE:
        members = d.members
        if members:
            # feedback enters the box nearest its source; control flows at its start
            target = members[-1].id if f.style == "feedback" else members[0].id
            attrs["lhead"] = "cluster_pipeline"
        else:
            target = PIPELINE_NODE
    g.edge(f.source, target, **attrs)


def columns(d: Diagram) -> int:
    """How many ranks the drawing spans (the longest chain of flows), so the
    legend can wrap into rows no wider than the drawing."""
    present = {c.id for c in d.components}
    rank_of = {c.id: c.same_rank_as if c.same_rank_as in present else c.id for c in d.components}
    first_member = d.members[0].id if d.members else PIPELINE_NODE
    nxt: dict[str, set[str]] = {}
    for f in d.flows:
        if f.style == "feedback":
            continue
        target = first_member if f.target == PIPELINE else f.target
        a, b = rank_of.get(f.source, f.source), rank_of.get(target, target)
        if a != b:
            nxt.setdefault(a, set()).add(b)
    memo: dict[str, int] = {}

    def depth(node: str, seen: frozenset[str]) -> int:
        if node not in memo:
            memo[node] = 1 + max((depth(n, seen | {node}) for n in sorted(nxt.get(node, ())) if n not in seen), default=0)
        return memo[node]

    return max((depth(n, frozenset()) for n in sorted(set(rank_of.values()))), default=1)


def legend_entries(d: Diagram, table: Table) -> tuple[list[str], list[str], list[str], list[str]]:
    """Stages, kinds, marks (departure, ghost) and flow styles this diagram uses."""
    extra_stage = table.frame["pipeline"]["stage"] if d.pipeline_node else None
    extra_kind = table.frame["pipeline"]["kind"] if d.pipeline_node else None
    stages = [s for s in table.stages if s == extra_stage or any(c.stage == s for c in d.components)]
    kinds = [k for k in table.kinds if k == extra_kind or any(c.kind == k for c in d.components)]
    marks = []
    if any(c.departures for c in d.components) or d.frame.departures or (d.pipeline and d.pipeline.departures):
        marks.append("departure")
    if any(c.ghost for c in d.components):
        marks.append("ghost")
    styles = [s for s in FLOW_NAMES if any(f.style == s for f in d.flows)]
    return stages, kinds, marks, styles


def _legend(g: graphviz.Digraph, d: Diagram, table: Table, direction: str) -> None:
    """Samples of the colours, shapes, marks and lines this diagram uses."""
    stages, kinds, marks, styles = legend_entries(d, table)
    small = {"fontsize": "8", "margin": "0.08,0.03", "height": "0.3"}
    cells: list[tuple[str, str]] = []  # (first node, last node) of each sample
    with g.subgraph(name="cluster_legend") as lg:
        lg.attr(label=_label(["<B>Legend</B>"]), labeljust="l", style="rounded", color="#DADCE0", fontsize="9", margin="8",
                tooltip=dot_string("Legend"))
        for sid in stages:
            s = table.stages[sid]
            lg.node(f"legend_stage_{sid}", _small(s.label), shape="box", style="filled,rounded", fillcolor=s.fill, color=s.line,
                    tooltip=dot_string(f"Colour of the {s.label.lower()} stage"), **small)
            cells.append((f"legend_stage_{sid}",) * 2)
        for kid in kinds:
            k = table.kinds[kid]
            lg.node(f"legend_kind_{kid}", _small(k.label), shape=k.shape, style=_styles(k.style, "filled"), fillcolor=WHITE,
                    color=MUTED, tooltip=dot_string(f"Shape of a {k.label.lower()}"), **small)
            cells.append((f"legend_kind_{kid}",) * 2)
        for mark in marks:
            spec = table.frame[mark]
            extra = {"penwidth": "2.5", "style": "filled"} if mark == "departure" else {"style": "dashed,filled"}
            lg.node(f"legend_{mark}", _small(spec.get("label", "")), shape="box", fillcolor=WHITE, color=spec["line"],
                    tooltip=dot_string(spec.get("label", "")), **extra, **small)
            cells.append((f"legend_{mark}",) * 2)
        for s in styles:
            # the name, then a short line: an edge label would widen that
            # column gap in the whole drawing
            name, end = f"legend_{s}", f"legend_{s}_to"
            lg.node(name, _small(FLOW_NAMES[s]), shape="plaintext", fontcolor=MUTED, **small)
            lg.node(end, "", shape="point", width="0.04", color=MUTED)
            attrs = {"style": "dashed"} if s != "data" else {}
            if s == "feedback":
                attrs["color"] = table.frame["feedback"]["line"]
            lg.edge(name, end, weight="10", **attrs)
            cells.append((name, end))
        # rows kept in order by invisible edges (a line sample takes two columns);
        # a shared group keeps each row straight
        # left to right, a row is a chain of ranks no longer than the
        # drawing's; top to bottom, a row is one rank, and rows are stacked
        cols = max(3, columns(d)) if direction == "LR" else 5
        rows: list[list[tuple[str, str]]] = []
        for cell in cells:
            width = 1 if cell[0] == cell[1] else 2
            if not rows or sum(1 if a == b else 2 for a, b in rows[-1]) + width > cols:
                rows.append([])
            rows[-1].append(cell)
        for i, row in enumerate(rows):
            members = [nid for a, b in row for nid in dict.fromkeys((a, b))]
            if direction == "LR":
                for nid in members:
                    lg.node(nid, group=f"legend{i}")
            else:
                with lg.subgraph(name=f"legend_row{i}") as same:
                    same.attr(rank="same")
                    for nid in members:
                        same.node(nid)
            for (_, left), (right, _) in zip(row, row[1:]):
                lg.edge(left, right, style="invis", weight="10")
        if direction != "LR":
            for upper, lower in zip(rows, rows[1:]):
                lg.edge(upper[0][0], lower[0][0], style="invis")
            # below the drawing: after the last component of every chain
            sources = {f.source for f in d.flows if f.style != "feedback"}
            for c in d.components:
                if c.id not in sources and rows:
                    g.edge(c.id, rows[0][0][0], style="invis")


def to_digraph(d: Diagram, options: Options = DEFAULT_OPTIONS, table: Table | None = None, dpi: int | None = None) -> graphviz.Digraph:
    """The diagram as a ``graphviz.Digraph`` (its ``.source`` is the DOT text)."""
    table = table or d.table
    assert table is not None, "a diagram from build_diagram carries its table"
    g = graphviz.Digraph("mlarch")
    g.attr(
        "graph", rankdir=options.direction, newrank="true", compound="true", fontname=FONT, fontsize="11",
        fontcolor=INK, label=_title(d), labelloc="t", labeljust="l", nodesep="0.25", ranksep="0.35",
        pad="0.25", bgcolor="white", outputorder="edgesfirst", tooltip=dot_string(d.title),
    )
    if dpi is not None:
        g.attr("graph", dpi=str(dpi))
    g.attr("node", fontname=FONT, fontsize="10", fontcolor=INK, penwidth="1.3", margin="0.14,0.07")
    g.attr("edge", fontname=FONT, fontsize="8", color=MUTED, fontcolor=MUTED, arrowsize="0.7", penwidth="1.1")
    if options.legend:
        _legend(g, d, table, options.direction)  # first in the source: Graphviz then places it below the drawing

    members = d.members
    fed = {f.target for f in d.flows}
    for c in d.components:
        if c.external and c.id not in fed:  # external sources before (left of) the cloud
            _component(g, c, table)
    frame = table.frame["perimeter" if d.perimeter else "cloud"]
    departure = table.frame["departure"]["line"]
    with g.subgraph(name="cluster_cloud") as cloud:
        cloud.attr(label=_box_label(d.frame, table), labeljust="l", color=departure if d.frame.departures else frame["line"],
                   fontcolor=INK, style="dashed,rounded" if d.perimeter else "rounded",
                   penwidth="2.5" if d.frame.departures else "2" if d.perimeter else "1.2", margin="14",
                   tooltip=dot_string(d.frame.tooltip))
        if d.pipeline is not None and members:
            p = table.frame["pipeline"]
            with cloud.subgraph(name="cluster_pipeline") as box:
                box.attr(label=_box_label(d.pipeline, table), labeljust="l", style="rounded,filled",
                         fillcolor=p.get("fill", WHITE), color=departure if d.pipeline.departures else p["line"],
                         penwidth="2.5" if d.pipeline.departures else "1.5", margin="12", tooltip=dot_string(d.pipeline.tooltip))
                for c in members:
                    _component(box, c, table)
        elif d.pipeline is not None:
            _pipeline_node(cloud, d.pipeline, table)
        for c in d.components:
            if not c.external and c not in members:
                _component(cloud, c, table)
    for c in d.components:
        if c.external and c.id in fed:
            _component(g, c, table)

    present = {c.id for c in d.components}
    ranks: dict[str, list[str]] = {}
    for c in d.components:
        if c.same_rank_as in present:
            ranks.setdefault(c.same_rank_as, [c.same_rank_as]).append(c.id)
    for anchor, ids in ranks.items():
        with g.subgraph(name=f"rank_{anchor}") as r:
            r.attr(rank="same")
            for nid in ids:
                r.node(nid)
    for f in d.flows:
        _edge(g, f, d, table)
    return g


def to_dot(d: Diagram, options: Options = DEFAULT_OPTIONS, table: Table | None = None) -> str:
    """Deterministic DOT text."""
    return to_digraph(d, options, table).source
