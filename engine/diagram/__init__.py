"""Architecture diagrams from a recommendation (`mlarch diagram`).

Data flows one way: a Recommendation (and optionally a proposed design) ->
:func:`build_diagram` reads the visual-language table (visual.yaml) ->
a :class:`Diagram` of components and flows -> a renderer (dot.py,
mermaid.py; render.py for SVG/PNG/PDF through Graphviz).

Reviews and answers call ``build_diagram(rec, design, completed)`` to draw a
design with its departures from the recommendation marked.
"""

from mlarch.diagram.dot import Options, to_dot
from mlarch.diagram.mermaid import to_mermaid
from mlarch.diagram.model import Component, Departure, Diagram, Flow, build_diagram
from mlarch.diagram.render import FORMATS, GraphvizMissing, render

__all__ = [
    "Component", "Departure", "Diagram", "Flow", "FORMATS", "GraphvizMissing", "Options",
    "build_diagram", "render", "to_dot", "to_mermaid",
]
