"""Renderers: the DOT that Graphviz itself parses has exactly the model's
nodes, edges and clusters; SVG is well-formed XML with the reasons as
tooltips; PNG and PDF render; no two labels overlap and text stays readable
on an A4 page and a slide; hostile text comes out as the same visible text.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from functools import lru_cache

import pytest

from mlarch.core.scenario import load_scenario
from mlarch.core.vocabulary import load_vocabulary
from mlarch.diagram import build_diagram, render, to_dot
from mlarch.diagram.dot import PIPELINE_NODE, Options
from mlarch.diagram.escape import clean, visible
from mlarch.diagram.render import PNG_DPI, GraphvizMissing
from mlarch.diagram.table import PIPELINE

from .conftest import lane_sample
from .test_diagram_support import (
    HOSTILE,
    SCENARIOS,
    dot_json,
    hostile_engine,
    hostile_pins,
    hostile_scenario,
    require_dot,
)

XLINK = "{http://www.w3.org/1999/xlink}"
SVG = "{http://www.w3.org/2000/svg}"
A4_LANDSCAPE = (11.69 - 0.8, 8.27 - 0.8)  # inches, with 1 cm margins
SLIDE = (13.33 - 0.8, 7.5 - 1.5)  # 16:9, room for a slide title


@lru_cache(maxsize=None)
def _diagram(name: str):
    from mlarch.core.engine import default_engine

    return build_diagram(default_engine().evaluate(load_scenario(next(p for p in SCENARIOS if p.stem == name), vocab=load_vocabulary())))


NAMES = [p.stem for p in SCENARIOS]
# The layout checks run on a third of the scenarios in the default lane and on all of
# them in make test-slow (CI); the diagram goldens cover every scenario in both.


def _graph(dot: str) -> dict:
    data = dot_json(dot)
    objects = {o["_gvid"]: o for o in data.get("objects", [])}
    return {"data": data, "objects": objects, "by_name": {o["name"]: o for o in objects.values()}}


def _cluster_nodes(g: dict, name: str) -> set[str]:
    cluster = g["by_name"][name]
    nodes = set(cluster.get("nodes", []))
    return {g["objects"][i]["name"] for i in nodes}


@pytest.mark.parametrize("name", lane_sample(NAMES))
def test_dot_parses_with_exactly_the_models_nodes_edges_and_clusters(name):
    d = _diagram(name)
    g = _graph(to_dot(d))
    nodes = {o["name"] for o in g["objects"].values() if "pos" in o and not o["name"].startswith("legend")}
    expected = {c.id for c in d.components} | ({PIPELINE_NODE} if d.pipeline_node else set())
    assert nodes == expected
    members = {c.id for c in d.members}
    edges = set()
    for e in g["data"].get("edges", []):
        tail, head = g["objects"][e["tail"]]["name"], g["objects"][e["head"]]["name"]
        if tail.startswith("legend") or e.get("style") == "invis":
            continue
        if e.get("lhead") == "cluster_pipeline":
            assert head in members
            head = PIPELINE
        elif head == PIPELINE_NODE:
            head = PIPELINE
        edges.add((tail, head))
    assert edges == {(f.source, f.target) for f in d.flows}
    assert _cluster_nodes(g, "cluster_cloud") == {c.id for c in d.components if not c.external} | ({PIPELINE_NODE} if d.pipeline_node else set())
    if d.members:
        assert _cluster_nodes(g, "cluster_pipeline") == members
    else:
        assert "cluster_pipeline" not in g["by_name"]


def _text_boxes(obj: dict) -> list[tuple[float, float, float, float, float]]:
    """(x0, y0, x1, y1, font size) of every text Graphviz draws for an object."""
    boxes, size = [], 14.0
    for key in ("_ldraw_", "_hldraw_", "_tldraw_"):
        for op in obj.get(key, []):
            if op["op"] == "F":
                size = float(op["size"])
            elif op["op"] == "T" and op["text"].strip():
                x, y = op["pt"]
                w = float(op["width"])
                x0 = {"l": x, "c": x - w / 2, "r": x - w}[op["align"]]
                boxes.append((x0, y - 0.2 * size, x0 + w, y + 0.75 * size, size))
    return boxes


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def _node_box(o: dict) -> tuple[float, float, float, float]:
    x, y = map(float, o["pos"].split(","))
    w, h = float(o["width"]) * 72, float(o["height"]) * 72
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("name", lane_sample(NAMES))
def test_no_label_overlaps_another_or_leaves_its_node(name, direction):
    g = _graph(to_dot(_diagram(name), Options(direction=direction)))
    owned: list[tuple[str, tuple]] = []
    nodes = {o["name"]: o for o in g["objects"].values() if "pos" in o}
    for o in g["objects"].values():
        owned += [(o["name"], b) for b in _text_boxes(o)]
    for i, e in enumerate(g["data"].get("edges", [])):
        owned += [(f"edge{i}", b) for b in _text_boxes(e)]
    owned += [("title", b) for b in _text_boxes(g["data"])]
    for i, (a, box_a) in enumerate(owned):
        for b, box_b in owned[i + 1:]:
            assert a == b or not _overlap(box_a, box_b), f"{name}: text of {a} overlaps text of {b}"
    for owner, box in owned:
        for nid, node in nodes.items():
            nb = _node_box(node)
            if owner == nid:  # a node's own text stays inside it
                assert nb[0] - 1 <= box[0] and box[2] <= nb[2] + 1, f"{name}: text overflows {nid}"
            elif not owner.startswith("cluster") and _overlap(box, nb, slack=1.0):
                pytest.fail(f"{name}: text of {owner} lies on node {nid}")


def _min_sizes(name: str) -> dict[str, float]:
    """Smallest font per kind of text, in points, once the drawing is fitted to a page."""
    g = _graph(to_dot(_diagram(name)))
    x0, y0, x1, y1 = map(float, g["data"]["bb"].split(","))
    width, height = (x1 - x0) / 72, (y1 - y0) / 72
    sizes = {"product": 99.0, "any": 99.0}
    for o in g["objects"].values():
        for box in _text_boxes(o):
            sizes["any"] = min(sizes["any"], box[4])
        if "pos" in o and not o["name"].startswith("legend"):
            sizes["product"] = min(sizes["product"], max(b[4] for b in _text_boxes(o)))
    out = {}
    for page, (pw, ph) in (("a4", A4_LANDSCAPE), ("slide", SLIDE)):
        scale = min(1.0, pw / width, ph / height)
        out.update({f"{page}_{k}": v * scale for k, v in sizes.items()})
    return out


@pytest.mark.parametrize("name", lane_sample(NAMES))
def test_text_stays_readable_on_an_a4_page_and_a_slide(name):
    """Fitted to A4 landscape or a 16:9 slide, product names stay >= 5.5 pt
    (>= 6 pt on the slide) and no text drops below 4.5 pt (docs/diagrams.md)."""
    sizes = _min_sizes(name)
    assert sizes["a4_product"] >= 5.5, sizes
    assert sizes["slide_product"] >= 6.0, sizes
    assert sizes["a4_any"] >= 4.5, sizes


def test_svg_is_well_formed_and_tooltips_carry_the_reasons():
    require_dot()
    d = _diagram("fraud-realtime-scoring")
    root = ET.fromstring(render(d, "svg"))
    assert root.tag == f"{SVG}svg"
    titles = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "node":
            anchor = group.find(f".//{SVG}a")
            titles[group.find(f"{SVG}title").text] = anchor.get(f"{XLINK}title") if anchor is not None else None
    for c in d.components:
        assert titles[c.id] == visible(c.tooltip), c.id
        assert any(s.text in titles[c.id] for dim in c.dimensions for s in _rec_reasons(dim)) or not c.dimensions


def _rec_reasons(dim: str):
    from mlarch.core.engine import default_engine

    rec = default_engine().evaluate(load_scenario(next(p for p in SCENARIOS if p.stem == "fraud-realtime-scoring"), vocab=load_vocabulary()))
    return rec.decisions[dim].reasons


def test_png_renders_at_the_stated_resolution():
    require_dot()
    d = _diagram("churn-bigquery-sql-team")
    png = render(d, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    x0, y0, x1, y1 = map(float, _graph(to_dot(d))["data"]["bb"].split(","))
    pad = 2 * 0.25 * 72  # the graph's pad, on both sides
    assert abs(width - (x1 - x0 + pad) * PNG_DPI / 72) <= 0.01 * width
    assert abs(height - (y1 - y0 + pad) * PNG_DPI / 72) <= 0.01 * height
    assert width >= 1200 and len(png) > 50_000  # a real drawing, not an empty canvas


def test_pdf_renders():
    require_dot()
    pdf = render(_diagram("churn-bigquery-sql-team"), "pdf")
    assert pdf.startswith(b"%PDF-") and b"/MediaBox" in pdf and pdf.rstrip().endswith(b"%%EOF")


def test_image_formats_without_graphviz_raise_an_install_hint(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    d = _diagram("churn-bigquery-sql-team")
    for fmt in ("svg", "png", "pdf"):
        with pytest.raises(GraphvizMissing) as err:
            render(d, fmt)
        assert "apt-get install graphviz" in str(err.value) and "--format mermaid" in str(err.value)
    assert render(d, "dot").startswith(b"digraph mlarch {")
    assert b"flowchart LR" in render(d, "mermaid")


# ------------------------------------------------------------------ hostile text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    engine = hostile_engine(tmp_path_factory)
    rec = engine.evaluate(hostile_scenario(), pinned=hostile_pins())
    yield build_diagram(rec), rec
    engine.close()


def test_hostile_text_reaches_the_diagram(hostile):
    d, rec = hostile
    assert "approach.hostile-reason" in d.component("training").tooltip
    assert d.subtitle and "\\N" in d.subtitle
    assert any("\\G" in x.text for x in d.frame.details)


def test_hostile_text_cannot_break_or_inject_into_dot(hostile):
    d, _ = hostile
    dot = to_dot(d)
    g = _graph(dot)  # dot parsed it without a warning
    names = {o["name"] for o in g["objects"].values() if "pos" in o and not o["name"].startswith("legend")}
    assert names == {c.id for c in d.components} | ({PIPELINE_NODE} if d.pipeline_node else set())
    drawn = " ".join(op["text"] for op in g["data"].get("_ldraw_", []) if op["op"] == "T")
    # the visible title is the text itself: quotes, brackets and \N \G stay literal
    for fragment in ('Quote "', "<script>alert(1)</script>", "</TD></TR></TABLE>>", "\\N \\G \\E \\\\ back\\slash", "ℌ𝔢𝔩𝔩𝔬"):
        assert fragment in drawn, fragment
    assert "hostile-text" not in drawn.split("architecture", 1)[1], "\\G expanded to the graph name"
    assert "\u202e" not in dot and "\x07" not in dot


def test_hostile_text_cannot_inject_into_svg(hostile):
    require_dot()
    d, _ = hostile
    root = ET.fromstring(render(d, "svg"))
    tags = {el.tag.split("}")[-1] for el in root.iter()}
    assert tags <= {"svg", "g", "title", "polygon", "path", "text", "a", "ellipse", "polyline"}, tags
    texts = " ".join(el.text or "" for el in root.iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in texts  # shown as text, not markup
    training = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "node" and g.find(f"{SVG}title").text == "training")
    tooltip = training.find(f".//{SVG}a").get(f"{XLINK}title")
    assert tooltip == visible(d.component("training").tooltip)
    assert 'Quote " apostrophe' in tooltip and "\\N \\G" in tooltip


def test_escaping_functions_round_trip_visible_text():
    from html import unescape

    from mlarch.diagram.escape import html, mermaid

    visible = clean(HOSTILE).replace("\n", " ")
    assert unescape(html(HOSTILE)).replace("\\\\", "\\") == visible
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), mermaid(HOSTILE))
    assert decoded == visible
    assert not re.search(r'["<>`|{}\[\]%;&\\]', re.sub(r"#\d+;", "", mermaid(HOSTILE)))
