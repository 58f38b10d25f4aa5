"""Typing this quarter's figures into a performance workbook, as an officer does between
two closes: Current (and any other Measures field) set by Ref, through the same file
writer the close uses, so every other part stays as it was."""

from __future__ import annotations

from pathlib import Path

from kpi_core.authoring.package import write_plan
from kpi_core.authoring.plan import CellEdit, Value, WorkbookPlan
from kpi_core.reading.workbook import read_workbook


def enter(book: Path, out: Path, figures: dict[str, dict[str, object]]) -> Path:
    """``out``: ``book`` with ``figures`` (Ref -> field -> value, e.g.
    ``{"AS01": {"current": 0.5, "highlight": "Yes"}}``) typed into the Measures table."""
    workbook = read_workbook(book)
    cols = dict(workbook.places.measures.columns)
    sheet = workbook.places.measures.sheet
    rows = {m.ref: m.row for m in workbook.measures}
    edits = []
    for ref, fields in figures.items():
        for field, value in fields.items():
            v = Value.of(value)
            edits.append(CellEdit(sheet, rows[ref], cols[field], v.value, v.kind))
    write_plan(book, WorkbookPlan(edits=tuple(edits)), out)
    return out


def fill_current(book: Path, out: Path, scale: float = 1.0) -> Path:
    """Every measure's Current set from its Previous (times ``scale``) or, without one,
    its Target: a quarter's figures typed in."""
    workbook = read_workbook(book)
    figures = {}
    for m in workbook.measures:
        base = m.previous if m.previous is not None else m.target
        if base is not None:
            figures[m.ref] = {"current": base * scale}
    return enter(book, out, figures)
