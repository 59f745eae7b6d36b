"""draw.io export: the same components, boxes, labels and flows as the DOT
model, placed where Graphviz lays them out.

The file is parsed back and checked against the diagram model; positions
are checked against an independent Graphviz layout (``dot -Tplain``).
(No headless draw.io is available here to open the file; its structure is
draw.io's documented mxGraph XML.)
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest

from mlarch.core.designs import load_design
from mlarch.core.scenario import validate_mapping
from mlarch.core.vocabulary import load_vocabulary
from mlarch.diagram import build_diagram
from mlarch.diagram.dot import PIPELINE_NODE, Options, to_dot
from mlarch.diagram.drawio import BOX, CLOUD, to_drawio
from mlarch.diagram.labels import component_rows
from mlarch.diagram.render import GraphvizMissing, render
from mlarch.diagram.table import PIPELINE, load_table

from .conftest import ROOT, run_cli
from .test_diagram_support import SCENARIOS, bundled, require_dot

DESIGNS = sorted((ROOT / "scenarios" / "designs").glob("*.yaml"))


@pytest.fixture(autouse=True)
def _dot():
    require_dot()


def parse(xml: str) -> dict[str, dict]:
    """Cell id -> {parent, label, style, geometry, source, target} from a .drawio file."""
    root = ET.fromstring(xml)
    assert root.tag == "mxfile"
    cells = {}
    for holder in root.iter():
        if holder.tag not in ("UserObject", "mxCell") or holder.get("id") in (None, "0", "1"):
            continue
        cell = holder if holder.tag == "mxCell" else holder.find("mxCell")
        if cell is None:
            continue
        geometry = cell.find("mxGeometry")
        cells[holder.get("id")] = {
            "parent": cell.get("parent"), "label": holder.get("label", holder.get("value")), "style": cell.get("style"),
            "tooltip": holder.get("tooltip"), "edge": cell.get("edge") == "1", "source": cell.get("source"),
            "target": cell.get("target"),
            "geometry": {k: float(geometry.get(k)) for k in ("x", "y", "width", "height") if geometry.get(k) is not None},
        }
    return cells


def absolute(cells: dict[str, dict], cell_id: str) -> tuple[float, float]:
    x = y = 0.0
    while cell_id not in (None, "1"):
        g = cells[cell_id]["geometry"]
        x, y = x + g["x"], y + g["y"]
        cell_id = cells[cell_id]["parent"]
    return x, y


def diagrams(bundled_engine):
    for path in SCENARIOS[:12]:
        yield path.stem, build_diagram(bundled_engine.evaluate(bundled(path.stem)))
    for path in DESIGNS:
        design = load_design(path, load_vocabulary())
        completed = bundled_engine.evaluate(design.scenario, pinned=design.choices)
        yield path.stem, build_diagram(bundled_engine.evaluate(design.scenario), design.choices, completed)


def test_the_file_has_the_models_nodes_groups_labels_and_edges(bundled_engine):
    table = load_table(load_vocabulary())
    for name, d in diagrams(bundled_engine):
        cells = parse(to_drawio(d))
        vertices = {k: v for k, v in cells.items() if not v["edge"]}
        members = {c.id for c in d.members}
        boxed = d.pipeline is not None and bool(members)
        expected = {"title", CLOUD, *(c.id for c in d.components)}
        expected |= {BOX} if boxed else {PIPELINE_NODE} if d.pipeline is not None else set()
        assert set(vertices) == expected, name
        for c in d.components:
            cell = vertices[c.id]
            want = BOX if c.id in members and boxed else "1" if c.external else CLOUD
            assert cell["parent"] == want, (name, c.id)
            assert cell["tooltip"] == c.tooltip
            for row in component_rows(c, table):  # every line of the DOT label, in order
                assert row.text.replace("&", "&amp;").replace("<", "&lt;") in cell["label"], (name, c.id, row.text)
            if c.ghost or c.departures:
                assert "dashed=1" in cell["style"] or table.frame["departure"]["line"] in cell["style"]
        assert d.frame.label in vertices[CLOUD]["label"]
        edges = [v for k, v in sorted(cells.items(), key=lambda kv: int(kv[0].split("-")[1]) if kv[0].startswith("flow-") else -1)
                 if v["edge"]]
        assert len(edges) == len(d.flows), name
        for flow, edge in zip(d.flows, edges):
            target = (BOX if boxed else PIPELINE_NODE) if flow.target == PIPELINE else flow.target
            assert (edge["source"], edge["target"], edge["label"]) == (flow.source, target, flow.label), name
            assert edge["source"] in vertices and edge["target"] in vertices
            assert ("dashed=1" in edge["style"]) == (flow.style != "data" or flow.ghost), (name, flow)


def _plain_layout(d, options: Options) -> tuple[float, dict[str, tuple[float, float, float, float]]]:
    """Node centres and sizes in points, y downwards, from `dot -Tplain` (an independent reading of the layout)."""
    dot = to_dot(d, Options(direction=options.direction, legend=False))
    plain = subprocess.run(["dot", "-Tplain"], input=dot, capture_output=True, text=True, check=True).stdout
    height, nodes = 0.0, {}
    for line in plain.splitlines():
        parts = line.split()
        if parts[0] == "graph":
            height = float(parts[3]) * 72
        elif parts[0] == "node":
            x, y, w, h = (float(v) * 72 for v in parts[2:6])
            nodes[parts[1].strip('"')] = (x, height - y, w, h)
    return height, nodes


@pytest.mark.parametrize("direction", ["LR", "TB"])
def test_positions_are_graphvizs_layout_and_children_sit_inside_their_boxes(bundled_engine, direction):
    for name, d in list(diagrams(bundled_engine))[::3]:
        options = Options(direction=direction)
        cells = parse(to_drawio(d, options))
        _, nodes = _plain_layout(d, options)
        for c in d.components:
            x, y = absolute(cells, c.id)
            g = cells[c.id]["geometry"]
            cx, cy, w, h = nodes[c.id]
            assert abs(x + g["width"] / 2 - cx) < 1 and abs(y + g["height"] / 2 - cy) < 1, (name, c.id)
            assert abs(g["width"] - w) < 1 and abs(g["height"] - h) < 1
            parent = cells[c.id]["parent"]
            if parent != "1":
                box = cells[parent]["geometry"]
                assert 0 <= g["x"] and g["x"] + g["width"] <= box["width"] + 0.2, (name, c.id)
                assert 0 <= g["y"] and g["y"] + g["height"] <= box["height"] + 0.2, (name, c.id)


def test_an_orchestrator_that_encloses_nothing_is_a_vertex_with_its_edges(bundled_engine):
    scenario = validate_mapping({"name": "api", "data": {"location": "cloud_storage"}}, vocab=load_vocabulary())
    pins = {"approach": "pretrained_api", "ml_api": "vision_api", "serving_mode": "online", "serving_platform": "api_call",
            "data_processing": "none", "privacy": "none", "orchestration": "scheduler_and_functions"}
    d = build_diagram(bundled_engine.evaluate(scenario, pinned=pins))
    cells = parse(to_drawio(d))
    assert d.pipeline_node and cells[PIPELINE_NODE]["parent"] == CLOUD and BOX not in cells
    assert d.pipeline is not None and d.pipeline.label in cells[PIPELINE_NODE]["label"]


def test_the_export_is_deterministic_and_written_by_the_cli(capsys, tmp_path):
    out = tmp_path / "churn.drawio"
    code, stdout, err = run_cli(capsys, "diagram", "churn-custom-tpu", "-o", out)
    assert code == 0 and stdout == "" and f"wrote {out} (drawio" in err
    again = run_cli(capsys, "diagram", "churn-custom-tpu", "-f", "drawio")[1]
    assert out.read_text() == again and again.startswith('<mxfile host="mlarch"')


def test_without_graphviz_the_export_says_how_to_install_it(bundled_engine, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    d = build_diagram(bundled_engine.evaluate(bundled("churn-bigquery-sql-team")))
    with pytest.raises(GraphvizMissing, match="Install Graphviz"):
        render(d, "drawio")
