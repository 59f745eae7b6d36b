"""The diagram as an editable draw.io (diagrams.net) file.

The same model as the DOT output: one vertex per component (labels from
labels.py, tooltips with the reasons), the Google Cloud frame and the
orchestrator's box as containers holding their components, one edge per
flow (a flow into the orchestrator ends on its box, as DOT's ``lhead``
draws it). Positions, sizes, colours and shapes come from Graphviz's own
layout of that DOT (``dot -Tjson``), so the draw.io file starts out looking
like the SVG and is then freely editable. The legend is not drawn.

Output is deterministic: no timestamps, ids from the model, coordinates
rounded to 0.1 pt.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import Any

from mlarch.diagram.dot import DEFAULT_OPTIONS, MUTED, PIPELINE_NODE, Options, to_digraph
from mlarch.diagram.labels import Row, box_rows, component_rows
from mlarch.diagram.model import Diagram
from mlarch.diagram.table import PIPELINE

CLOUD, BOX = "cluster_cloud", "cluster_pipeline"  # the DOT cluster names, reused as cell ids
LAYER = "1"  # draw.io's default layer cell

# Graphviz shape -> draw.io style (draw.io's built-in shapes closest to each)
SHAPES = {
    "box": "", "cylinder": "shape=cylinder3;boundedLbl=1;size=6;", "note": "shape=note;size=10;",
    "tab": "shape=folder;tabWidth=24;tabHeight=6;tabPosition=left;", "folder": "shape=folder;tabWidth=30;tabHeight=8;",
    "component": "shape=component;", "ellipse": "ellipse;", "box3d": "shape=cube;size=6;", "cds": "shape=step;perimeter=stepPerimeter;size=8;",
}


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float


def _layout(d: Diagram, options: Options) -> dict[str, Any]:
    """Graphviz's layout of the diagram's DOT (raises graphviz.ExecutableNotFound without Graphviz)."""
    return json.loads(to_digraph(d, replace(options, legend=False)).pipe(format="json"))


def _num(value: float) -> str:
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(rows: list[Row], departure: str = "#C2185B") -> str:
    """draw.io HTML label: the product in bold, roles and details smaller, departures in ``departure`` colour."""
    parts = []
    for row in rows:
        text = _escape(row.text)
        if row.style == "product":
            parts.append(f"<b>{text}</b>")
        elif row.style == "departure":
            parts.append(f"<font color=\"{departure}\" style=\"font-size:9px\">{text}</font>")
        else:
            parts.append(f"<font style=\"font-size:9px\">{text}</font>")
    return "<br>".join(parts)


def _style(obj: dict[str, Any], extra: str = "") -> str:
    gv = set(str(obj.get("style", "")).split(","))
    style = SHAPES.get(str(obj.get("shape", "box")), "")
    if "rounded" in gv:
        style += "rounded=1;"
    if "dashed" in gv:
        style += "dashed=1;"
    fill = obj.get("fillcolor") if "filled" in gv else None
    style += f"fillColor={fill or 'none'};strokeColor={obj.get('color', '#000000')};"
    style += f"strokeWidth={obj.get('penwidth', '1')};whiteSpace=wrap;html=1;fontSize=10;fontFamily=Helvetica;"
    return style + extra


class _Builder:
    def __init__(self, d: Diagram, layout: dict[str, Any]) -> None:
        self.d = d
        self.objects = {o["name"]: o for o in layout.get("objects", [])}
        llx, lly, urx, ury = (float(v) for v in layout["bb"].split(","))
        self.top = ury
        self.bb = Rect(0, 0, urx - llx, ury - lly)
        self.root = ET.Element("root")
        ET.SubElement(self.root, "mxCell", id="0")
        ET.SubElement(self.root, "mxCell", id=LAYER, parent="0")
        self.rects: dict[str, Rect] = {LAYER: Rect(0, 0, 0, 0)}
        self.title_height = float(layout.get("lheight", 0) or 0) * 72

    def rect_of(self, name: str) -> Rect:
        obj = self.objects[name]
        if "bb" in obj:  # a cluster: lower-left and upper-right corners, y upwards
            llx, lly, urx, ury = (float(v) for v in obj["bb"].split(","))
            return Rect(llx, self.top - ury, urx - llx, ury - lly)
        x, y = (float(v) for v in obj["pos"].split(","))
        w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
        return Rect(x - w / 2, self.top - y - h / 2, w, h)

    def vertex(self, cell_id: str, label: str, style: str, rect: Rect, parent: str, tooltip: str = "") -> None:
        self.rects[cell_id] = rect
        origin = self.rects[parent]
        holder = ET.SubElement(self.root, "UserObject", label=label, tooltip=tooltip, id=cell_id)
        cell = ET.SubElement(holder, "mxCell", style=style, vertex="1", parent=parent)
        ET.SubElement(cell, "mxGeometry", {"x": _num(rect.x - origin.x), "y": _num(rect.y - origin.y),
                                           "width": _num(rect.width), "height": _num(rect.height), "as": "geometry"})

    def container(self, name: str, rows: list[Row], tooltip: str, parent: str) -> None:
        extra = "container=1;collapsible=0;verticalAlign=top;align=left;spacingLeft=8;spacingTop=2;"
        self.vertex(name, _label(rows), _style(self.objects[name], extra), self.rect_of(name), parent, tooltip)

    def build(self) -> ET.Element:
        d, table = self.d, self.d.table
        assert table is not None, "a diagram from build_diagram carries its table"
        self.vertex("title", f"<b>{_escape(d.title)}</b><br><font style=\"font-size:10px\">{_escape(d.subtitle)}</font>",
                    "text;html=1;align=left;verticalAlign=top;whiteSpace=wrap;fontSize=14;fontFamily=Helvetica;",
                    Rect(0, 0, self.bb.width, max(self.title_height, 36)), LAYER)
        self.container(CLOUD, box_rows(d.frame), d.frame.tooltip, LAYER)
        members = {c.id for c in d.members}
        boxed = d.pipeline is not None and bool(members)
        if boxed and d.pipeline is not None:
            self.container(BOX, box_rows(d.pipeline), d.pipeline.tooltip, CLOUD)
        elif d.pipeline is not None:
            self.vertex(PIPELINE_NODE, _label(box_rows(d.pipeline)), _style(self.objects[PIPELINE_NODE]),
                        self.rect_of(PIPELINE_NODE), CLOUD, d.pipeline.tooltip)
        for c in d.components:
            parent = BOX if c.id in members and boxed else LAYER if c.external else CLOUD
            self.vertex(c.id, _label(component_rows(c, table), table.frame["departure"]["line"]), _style(self.objects[c.id]), self.rect_of(c.id), parent, c.tooltip)
        for index, flow in enumerate(d.flows):
            target = (BOX if boxed else PIPELINE_NODE) if flow.target == PIPELINE else flow.target
            # the same line styles as dot.py's edges: data solid, control and feedback dashed
            colour = MUTED
            if flow.ghost:
                colour = table.frame["ghost"]["line"]
            elif flow.style == "feedback":
                colour = table.frame["feedback"]["line"]
            dashed = flow.style != "data" or flow.ghost
            self.edge(f"flow-{index}", flow.label, flow.source, target, colour, dashed)
        return self.root

    def edge(self, cell_id: str, label: str, source: str, target: str, colour: str, dashed: bool) -> None:
        style = "edgeStyle=orthogonalEdgeStyle;rounded=1;html=1;endArrow=block;endSize=5;fontSize=8;fontFamily=Helvetica;"
        style += ("dashed=1;" if dashed else "") + f"strokeColor={colour};fontColor={colour};"
        cell = ET.SubElement(self.root, "mxCell", id=cell_id, value=_escape(label), style=style, edge="1",
                             parent=LAYER, source=source, target=target)
        ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})


def to_drawio(d: Diagram, options: Options = DEFAULT_OPTIONS) -> str:
    """The diagram as draw.io XML (an uncompressed ``.drawio`` file)."""
    builder = _Builder(d, _layout(d, options))
    root = builder.build()
    mxfile = ET.Element("mxfile", host="mlarch", type="device")
    page = ET.SubElement(mxfile, "diagram", id="mlarch", name=d.title or "mlarch")
    model = ET.SubElement(page, "mxGraphModel", {
        "grid": "1", "gridSize": "10", "guides": "1", "tooltips": "1", "connect": "1", "arrows": "1", "fold": "1",
        "page": "0", "pageScale": "1", "pageWidth": _num(builder.bb.width), "pageHeight": _num(builder.bb.height),
        "math": "0", "shadow": "0",
    })
    model.append(root)
    ET.indent(mxfile, space="  ")
    return ET.tostring(mxfile, encoding="unicode") + "\n"
