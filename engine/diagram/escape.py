"""Escaping for every place scenario or rule text reaches an output format.

Scenario descriptions, fact values (``data.residency`` is free text) and rule
reasons (from ``--rules`` files) are untrusted: quotes, angle brackets,
backslashes, newlines, control and bidi characters must come out as the
same visible text, never as markup or syntax. Each function here is the
only way text enters its format.
"""

from __future__ import annotations

import re
import unicodedata

from graphviz import nohtml

# Characters that carry meaning in a Mermaid flowchart source, or that a
# Markdown renderer or the browser would act on: written as entity codes.
_MERMAID_SAFE_PUNCT = set(" .,:-_/+()'!?=@·")


def clean(text: str) -> str:
    """Visible text only: control and format characters (bidi overrides,
    zero-width joiners, NUL) become spaces; line breaks become newlines."""
    out = []
    for ch in text.replace("\r\n", "\n").replace("\r", "\n"):
        if ch == "\n":
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def visible(text: str) -> str:
    """The text a viewer sees: :func:`clean`, with runs of spaces as one
    (Graphviz would turn them into no-break spaces)."""
    return "\n".join(re.sub(" {2,}", " ", line) for line in clean(text).split("\n"))


def html(text: str) -> str:
    """Text for a Graphviz HTML-like label: every markup character as an entity.

    Markup characters become entities. Graphviz still expands ``\\G``,
    ``\\N`` and ``\\E`` (graph, node and edge names) inside HTML-like labels,
    after decoding entities, so backslashes are doubled: ``\\\\`` is how
    Graphviz writes one. Line breaks are the caller's rows.
    """
    text = " ".join(clean(text).split("\n"))
    return (
        text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )


def dot_string(text: str) -> str:
    """Text for a DOT quoted string used as a tooltip (SVG ``xlink:title``).

    Graphviz reads a tooltip as an escString and then expands it again when
    writing SVG, so ``\\N`` would become the node's name and ``\\\\`` one
    backslash: each backslash is written as four. It also keeps anything that
    looks like an entity (``&amp;``) as markup, so ``&`` is written as
    ``&amp;``. Newlines become ``\\n``; the graphviz package escapes the
    double quotes. Wrapped in ``nohtml`` so text like ``<b>`` is never taken
    for an HTML-like label. (Checked against Graphviz in the tests.)
    """
    text = visible(text).replace("&", "&amp;").replace("\\", "\\" * 4).replace("\n", "\\n")
    return nohtml(text)


def mermaid(text: str) -> str:
    """Text for a quoted Mermaid label: anything but letters, digits and plain
    punctuation as a ``#code;`` entity, so no quote, bracket, pipe, ``%%``,
    backtick (Markdown strings), ``<`` (HTML) or ``#`` (entities) survives."""
    out = []
    for ch in " ".join(clean(text).split("\n")):
        if ch.isalnum() or ch in _MERMAID_SAFE_PUNCT:
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


def plain(text: str) -> str:
    """Only letters, digits and plain punctuation, for places with no escape
    syntax at all (the YAML front matter of a Mermaid diagram)."""
    kept = (ch if ch.isalnum() or ch in _MERMAID_SAFE_PUNCT else " " for ch in " ".join(clean(text).split("\n")))
    return " ".join("".join(kept).split())
