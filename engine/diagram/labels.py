"""The words on a component, shared by every renderer: what each line says
and how it is wrapped; the renderers only decide how a line looks."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from mlarch.diagram.model import Box, Component, Departure
from mlarch.diagram.table import Table

WIDTH_PRODUCT = 22
WIDTH_TEXT = 26
WIDTH_BOX = 56
WIDTH_TITLE = 110


@dataclass(frozen=True)
class Row:
    text: str
    style: str  # note | product | role | detail | departure


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def component_rows(c: Component, table: Table) -> list[Row]:
    """Product (bold), role, details joined by middle dots, then departures."""
    rows: list[Row] = []
    if c.ghost:
        rows += [Row(t, "note") for t in wrap(table.frame["ghost"].get("label", ""), WIDTH_TEXT)]
    rows += [Row(t, "product") for t in wrap(c.product, WIDTH_PRODUCT)]
    if c.role:
        rows += [Row(t, "role") for t in wrap(c.role, WIDTH_TEXT)]
    details = " · ".join(d.text for d in c.details)
    if details:
        rows += [Row(t, "detail") for t in wrap(details, WIDTH_TEXT)]
    for text in departure_lines(c.departures):
        rows += [Row(t, "departure") for t in wrap(text, WIDTH_TEXT)]
    if c.assumed:  # a subtle marker: the choice rests on defaults, not on stated facts
        rows += [Row(t, "note") for t in wrap("assumed: " + ", ".join(c.assumed), WIDTH_TEXT)]
    return rows


def departure_lines(departures: tuple[Departure, ...]) -> list[str]:
    """The design's own departures one per line; differences that only follow
    from them (the engine re-deciding other dimensions) as one count, with
    the details left to the tooltip."""
    lines = [d.describe() for d in departures if d.by_design]
    follow = sum(1 for d in departures if not d.by_design)
    if follow:
        lines.append(f"{follow} follow-on difference{'s' if follow != 1 else ''}")
    return lines


def box_rows(box: Box, width: int = WIDTH_BOX) -> list[Row]:
    """A cluster's heading: its name and role, then details, then departures."""
    rows = [Row(box.label, "product")]
    if box.role:
        rows.append(Row(box.role, "role"))
    details = " · ".join(d.text for d in box.details)
    if details:
        rows += [Row(t, "detail") for t in wrap(details, width)]
    rows += [Row(text, "departure") for text in departure_lines(box.departures)]
    return rows
