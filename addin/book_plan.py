"""Apply a :class:`~kpi_core.authoring.plan.WorkbookPlan` to the open workbook through
xlwings (desktop, Lite, Server): the live writer beside the file writer
(:func:`kpi_core.authoring.package.write_plan`). It decides nothing: every cell, row and
column comes from the plan, which took its positions from the reader.

Text is written with Excel's leading apostrophe, so a period label (``Sep 2016``,
``2015/16``) or a Ref like ``=A1`` stays text; the apostrophe is not part of the cell's
value. Like the file writer, it refuses to write over a value where a table grows,
naming the cell, and changes nothing then.
"""

from __future__ import annotations

from kpi_core.authoring.plan import BLANK, TEXT, CellEdit, TableRows, WorkbookPlan
from kpi_core.errors import FileError
from kpi_core.reading.values import is_blank
from kpi_core.cells import cell_address


def live_value(value: object, kind: str) -> object:
    """What xlwings writes for a plan's value.

    >>> live_value("Sep 2016", "text"), live_value(0.5, "number"), live_value(True, "bool")
    ("'Sep 2016", 0.5, True)
    """
    if kind == TEXT:
        return "'" + str(value)
    if kind == BLANK:
        return None
    return value


def apply_plan(book, plan: WorkbookPlan) -> None:
    """Apply ``plan`` to the open ``book`` (an xlwings ``Book``). Raises ``ValueError``
    for a plan with refusals and :class:`FileError` where a table would grow over a
    value (before anything is changed)."""
    if plan.refused:
        raise ValueError("a plan with refusals is not applied: "
                         + "; ".join(p.text for p in plan.refusals[:3]))
    sheets = {s.name.casefold(): s for s in book.sheets}
    for rows in plan.tables:
        if not rows.new_sheet:
            _check_free(sheets[rows.sheet.casefold()], rows)
    for edit in plan.edits:
        _edit(sheets[edit.sheet.casefold()], edit)
    for rows in plan.tables:
        if rows.new_sheet:
            _new_table(book, rows)
        else:
            _add_rows(sheets[rows.sheet.casefold()], rows)


def _edit(sheet, edit: CellEdit) -> None:
    cell = sheet.range((edit.row, edit.col))
    if edit.kind == BLANK:
        cell.clear_contents()
    else:
        cell.value = live_value(edit.value, edit.kind)


def _grid(rows: TableRows) -> list[list[object]]:
    return [[live_value(v.value, v.kind) for v in line] for line in rows.rows]


def _bounds(sheet, rows: TableRows) -> tuple[int, int]:
    """The table's current bottom row and right column."""
    if not rows.table:
        return rows.first - 1, rows.right - len(rows.added)
    table = next(t for t in sheet.tables if t.name.casefold() == rows.table.casefold())
    rng = table.range
    return rng.row + rng.shape[0] - 1, rng.column + rng.shape[1] - 1


def _check_free(sheet, rows: TableRows) -> None:
    bottom, right = _bounds(sheet, rows)
    areas = []
    if rows.bottom > bottom:
        areas.append((max(bottom + 1, rows.first), rows.left, rows.bottom, rows.right))
    if rows.added:
        areas.append((rows.top, right + 1, max(bottom, rows.bottom), rows.right))
    for top, left, last, far in areas:
        values = sheet.range((top, left), (last, far)).options(ndim=2).value
        for dr, line in enumerate(values):
            for dc, value in enumerate(line):
                if not is_blank(value):
                    raise FileError(f"{sheet.name}!{cell_address(top + dr, left + dc)} holds a "
                                    f"value where the {rows.table or 'History'} rows go; move "
                                    "it, then try again")


def _formats(book, sheet, rows: TableRows) -> None:
    """Each new cell that the plan says is formatted like another (a History Value like
    its measure's Current) takes that cell's number format and style, as in the file."""
    sheets = {s.name.casefold(): s for s in book.sheets}
    for r, likes in enumerate(rows.like):
        for i, like in enumerate(likes):
            if like is not None and like.sheet.casefold() in sheets:
                source = sheets[like.sheet.casefold()].range((like.row, like.col))
                sheet.range((rows.first + r, rows.left + i)).copy_from(source, "formats")


def _add_rows(sheet, rows: TableRows) -> None:
    bottom, right = _bounds(sheet, rows)
    if rows.added:
        sheet.range((rows.top, right + 1)).value = [list(rows.added)]
    if rows.rows:
        sheet.range((rows.first, rows.left)).value = _grid(rows)
        _formats(sheet.book, sheet, rows)
    if rows.table and (rows.bottom > bottom or rows.added):
        table = next(t for t in sheet.tables if t.name.casefold() == rows.table.casefold())
        table.resize(sheet.range((rows.top, rows.left),
                                 (max(bottom, rows.bottom), rows.right)))


def _new_table(book, rows: TableRows) -> None:
    sheet = book.sheets.add(rows.sheet, after=book.sheets[len(book.sheets) - 1])
    sheet.range((rows.top, rows.left)).value = [list(rows.headers)] + _grid(rows)
    _formats(book, sheet, rows)
    sheet.tables.add(source=sheet.range((rows.top, rows.left),
                                        (max(rows.bottom, rows.top + 1), rows.right)),
                     name=rows.table, has_headers=True)
