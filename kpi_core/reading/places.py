"""Where things stand in the workbook, for the code that edits it (SPEC section 7).

The reader already found the Measures table, the Settings rows and the History table;
this keeps their positions as integers (:class:`kpi_core.model.Places`), so a plan
(closing a period, merging returns) never searches the sheets again, and the file
writer and the live writer put their edits in the same cells.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..model import CellRef, ColumnSource, Period, Places, TablePlace
from .values import is_blank
from .columnar import ColumnGrid
from .xlsx import RawTable


def table_place(table: RawTable, columns: dict[str, int] | None = None,
                excel_table: bool = True) -> TablePlace:
    """A raw table's place; ``columns`` maps fields to 0-based indexes in ``table``.

    >>> t = RawTable("History", "Past periods", 1, 1, [["Ref", "Value"], ["A", 1], [None, None]])
    >>> p = table_place(t, {"ref": 0, "value": 1})
    >>> (p.top, p.bottom, p.right, p.end, p.column("value"))
    (1, 3, 2, 3, 2)
    """
    rows = table.rows
    width = (len(rows.columns) if isinstance(rows, ColumnGrid)  # no row list made a row
             else max((len(r) for r in rows), default=0))
    last = len(rows) - 1
    while last > 0 and all(is_blank(v) for v in rows[last]):
        last -= 1
    header = tuple("" if is_blank(v) else " ".join(str(v).split()) for v in
                   (rows[0] if rows else ()))
    return TablePlace(
        table.name, table.sheet, table.top, table.left, table.top + max(len(rows) - 1, 0),
        table.left + max(width, 1) - 1, table.top + last + 1, header,
        tuple((f, table.left + i) for f, i in (columns or {}).items()), excel_table)


def measures_place(table: RawTable, sources: tuple[ColumnSource, ...],
                   excel_table: bool) -> TablePlace:
    """The Measures table's place, each field's column as its header was matched."""
    return replace(table_place(table, None, excel_table),
                   columns=tuple((s.field, s.col) for s in sources if s.col is not None))


def setting_rows(table: RawTable, setting_col: int) -> tuple[tuple[str, int], ...]:
    """Each Settings row's name (casefolded, spaces folded) and worksheet row; the first
    of a name wins, as the reader reads it."""
    out: dict[str, int] = {}
    for ri, row in enumerate(table.rows[1:], start=1):
        name = row[setting_col] if setting_col < len(row) else None
        if isinstance(name, str) and name.strip():
            out.setdefault(" ".join(name.split()).casefold(), table.top + ri)
    return tuple(out.items())


def period_titles(cells: RawTable | None, header_row: int, period: str | None
                  ) -> tuple[tuple[CellRef, str], ...]:
    """Text cells above the Measures header (``header_row``) that name the current
    period (``Fernmoor ... performance workbook, Q2 2016/17``): a close renames them.

    >>> cells = RawTable("Measures", "Measures", 1, 1, [["Council, Q2 2016/17"], ["Notes"],
    ...                  ["Ref"]])
    >>> period_titles(cells, 3, "Q2 2016/17")
    ((CellRef(sheet='Measures', row=1, col=1), 'Council, Q2 2016/17'),)
    """
    if cells is None or not period:
        return ()
    label = re.compile(r"(?<![\w/])" + re.escape(" ".join(period.split())) + r"(?![\w/])",
                       re.IGNORECASE)
    found = []
    for ri, row in enumerate(cells.rows):
        r = cells.top + ri
        if r >= header_row:
            break
        for ci, value in enumerate(row):
            if isinstance(value, str) and label.search(" ".join(value.split())):
                found.append((CellRef(cells.sheet, r, cells.left + ci), value))
    return tuple(found)


def build_places(measures: TablePlace | None, settings: RawTable | None,
                 settings_cols: dict[str, int] | None, history: TablePlace | None,
                 history_current: list[tuple[str, Period, str, int, int]],
                 titles: tuple[tuple[CellRef, str], ...] = (),
                 sheets: tuple[str, ...] = ()) -> Places:
    s_place = rows = None
    if settings is not None and settings_cols:
        s_place = table_place(settings, settings_cols)
        rows = setting_rows(settings, settings_cols["setting"])
    return Places(measures, s_place, rows or (), history, tuple(history_current), titles,
                  tuple(sheets))
