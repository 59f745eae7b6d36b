"""Output formats: DOT and Mermaid text (no Graphviz needed), SVG, PNG
and PDF images drawn by the Graphviz ``dot`` program, and draw.io files
laid out by it (drawio.py).

A missing ``dot`` is the user's environment, not a bug: it becomes
:class:`GraphvizMissing`, whose message says how to install Graphviz and
which formats work without it.
"""

from __future__ import annotations

from pathlib import Path

import graphviz

from mlarch.core.errors import EngineError
from mlarch.diagram.dot import DEFAULT_OPTIONS, Options, to_digraph, to_dot
from mlarch.diagram.drawio import to_drawio
from mlarch.diagram.mermaid import to_mermaid
from mlarch.diagram.model import Diagram

FORMATS = ("dot", "svg", "png", "pdf", "mermaid", "drawio")
TEXT_FORMATS = ("dot", "mermaid", "drawio")
IMAGE_FORMATS = ("svg", "png", "pdf")
BINARY_FORMATS = ("png", "pdf")
EXTENSIONS = {
    ".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf",
    ".mmd": "mermaid", ".mermaid": "mermaid", ".md": "mermaid", ".drawio": "drawio",
}
PNG_DPI = 150  # sharp on a slide and in print; the layout itself is in points
INSTALL_HINT = (
    "Graphviz is not installed: the 'dot' program, needed for svg, png and pdf, is not on PATH. "
    "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; Fedora: dnf install graphviz; "
    "macOS: brew install graphviz; Windows: winget install graphviz; https://graphviz.org/download/), "
    "or write a format that needs no Graphviz: --format dot or --format mermaid"
)


class GraphvizMissing(EngineError):
    """The Graphviz ``dot`` program is not installed (or not on PATH)."""

    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


def format_for(path: str | Path) -> str | None:
    """The format an output file's extension asks for, if it is one we know."""
    return EXTENSIONS.get(Path(path).suffix.lower())


def markdown_block(mermaid: str) -> str:
    """Mermaid text as a fenced block for a Markdown file."""
    return f"```mermaid\n{mermaid}```\n"


def render(diagram: Diagram, fmt: str, options: Options = DEFAULT_OPTIONS, markdown: bool = False) -> bytes:
    """The diagram in ``fmt``; ``markdown`` wraps Mermaid in a fenced block."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if fmt == "dot":
        return to_dot(diagram, options).encode("utf-8")
    if fmt == "mermaid":
        text = to_mermaid(diagram, options)
        return (markdown_block(text) if markdown else text).encode("utf-8")
    graph = to_digraph(diagram, options, dpi=PNG_DPI if fmt == "png" else None)
    try:
        if fmt == "drawio":  # laid out by Graphviz, so it needs it too
            return to_drawio(diagram, options).encode("utf-8")
        return graph.pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissing() from None
    except graphviz.CalledProcessError as exc:  # pragma: no cover - a DOT we wrote that dot rejects is a bug
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise EngineError(f"Graphviz failed to draw the diagram: {detail[-1] if detail else exc}") from None
