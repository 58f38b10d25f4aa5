"""Render a scorecard spec into an open workbook through xlwings' object model.

The same :class:`~kpi_core.publishing.scorecard.Sheet` spec that
:mod:`kpi_core.publishing.xlsx` writes to a file, written instead into sheets of the
workbook the officer has open, for xlwings Lite (and xlwings Server), where no file can
be written beside the workbook. Where a block lands follows the file renderer (a blank
row after a block unless it is a title or a heading; tests compare the two cell by
cell); what a style name looks like comes from the file renderer's own table
(:data:`kpi_core.publishing.theme.STYLES`), so a RAG fill or a number format is defined
once.

Everything goes through ``sheet.range(...)`` property setters: on xlwings Lite and
Server each one is an action the add-in applies in Excel. To keep them few, all values
go in one write and each style is applied to rectangles of cells that share it.

What Lite's object model cannot do, and this leaves out: a sparkline (its cell holds the
trend in block characters, as the file renderer writes it for LibreOffice), a chart's
alternative text and per-bar colours, links between sheets, the print settings (A4
landscape, footer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from kpi_core.publishing.measure_rows import trend_text
from kpi_core.publishing.spec import Cell, Chart, Heading, Sheet, Sparkline
from kpi_core.publishing.textfit import deciding, line_counts, row_height
from kpi_core.publishing.theme import (
    BOLD_STYLES, DEFAULT_ROW_HEIGHT, MAX_ROW_HEIGHT, NO_WRAP_STYLES, ROW_RENDERERS, STYLES,
    TITLE_HEIGHTS,
)
from kpi_core.publishing.xlsx import truncate_cell_text

#: Text Excel would take for a formula or a number when written as a value: kept as text
#: by a leading apostrophe (Excel's own "this is text" prefix, not shown in the cell).
_NOT_PLAIN_TEXT = re.compile(r"[=+\-@]|[\d\s.,/:%£$()-]+$")
_HORIZONTAL = {"center": "center", "left": "left", "right": "right"}
_VERTICAL = {"top": "top", "vcenter": "center", "bottom": "bottom"}


def column_points(width: float) -> float:
    """A column width in Excel's character units as points, which Office.js sets.

    Excel draws a column ``width * 7 + 5`` pixels wide (Calibri 11); a point is 4/3 px.

    >>> column_points(10)
    56.25
    """
    return (width * 7 + 5) * 0.75


def cell_value(value: object) -> object:
    """What to write for a cell's value: text that Excel would read as something else
    keeps its text with a leading apostrophe; a sparkline, which Lite cannot draw, is
    written as the file renderer writes it where it cannot draw one (block characters).

    >>> cell_value("=SUM(A1)"), cell_value("2016/17"), cell_value("Green"), cell_value(0.5)
    ("'=SUM(A1)", "'2016/17", 'Green', 0.5)
    """
    if isinstance(value, Sparkline):
        value = trend_text(value.values)
    if isinstance(value, str):
        value = truncate_cell_text(value)
        if value and _NOT_PLAIN_TEXT.match(value):
            return "'" + value
    return value


@dataclass
class Layout:
    """Where a sheet's cells land (0-based rows and columns), and its rows' heights."""

    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # key -> first data row, row after
    excel_tables: list[tuple[str, int, int, int]] = field(default_factory=list)  # key, top, bottom, cols
    rows: int = 0


def lay_out(sheet: Sheet) -> Layout:
    """Place the blocks top to bottom as :mod:`kpi_core.publishing.xlsx` does, with the row
    heights it gives wrapped text (:mod:`kpi_core.publishing.textfit`)."""
    out = Layout()
    widths = [c.width for c in sheet.columns]
    renderers = deciding(ROW_RENDERERS)
    row, previous = 0, None

    def place(cells: Iterable[Cell]) -> None:
        nonlocal row
        height = DEFAULT_ROW_HEIGHT
        for c, cell in enumerate(cells):
            out.cells[row, c] = cell
            value = cell.value
            if isinstance(value, str) and cell.style not in NO_WRAP_STYLES and c < len(widths):
                counts = line_counts(truncate_cell_text(value), widths[c],
                                     cell.style in BOLD_STYLES, renderers)
                for lines, renderer in zip(counts, renderers):
                    if lines > 1:
                        height = max(height, row_height(lines, renderer))
        height = min(MAX_ROW_HEIGHT, height)
        if height > DEFAULT_ROW_HEIGHT:
            out.heights[row] = height
        row += 1

    for block in sheet.blocks:
        if previous is not None and not (
                isinstance(previous, Heading) and previous.style in ("title", "heading")):
            row += 1
        if isinstance(block, Heading):
            out.heights[row] = TITLE_HEIGHTS.get(block.style, DEFAULT_ROW_HEIGHT)
            out.cells[row, 0] = Cell(block.text, block.style)
            row += 1
        else:
            if block.header is not None:
                place(block.header)
            first = row
            for cells in block.cell_rows():
                place(cells)
            out.tables[block.key] = (first, row)
            if getattr(block, "excel_table", False) and block.header is not None and block.rows:
                out.excel_tables.append((block.key, first - 1, row - 1, len(block.header)))
        previous = block
    out.rows = row
    return out


def rectangles(cells: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, int, int]]:
    """Cover the cells with few rectangles ``(row, col, rows, cols)``: runs along a row,
    then runs of the same columns down consecutive rows.

    >>> sorted(rectangles([(0, 0), (0, 1), (1, 0), (1, 1), (2, 1), (5, 3)]))
    [(0, 0, 2, 2), (2, 1, 1, 1), (5, 3, 1, 1)]
    """
    runs: dict[int, list[tuple[int, int]]] = {}
    for r, c in sorted(set(cells)):
        row_runs = runs.setdefault(r, [])
        if row_runs and row_runs[-1][1] == c:
            row_runs[-1] = (row_runs[-1][0], c + 1)
        else:
            row_runs.append((c, c + 1))
    open_: dict[tuple[int, int], list[int]] = {}  # (c0, c1) -> [first row, rows]
    for r in sorted(runs):
        for span in runs[r]:
            block = open_.get(span)
            if block is not None and block[0] + block[1] == r:
                block[1] += 1
                continue
            if block is not None:
                yield block[0], span[0], block[1], span[1] - span[0]
            open_[span] = [r, 1]
    for (c0, c1), (r, n) in open_.items():
        yield r, c0, n, c1 - c0


def runs(heights: dict[int, float]) -> Iterator[tuple[int, int, float]]:
    """Consecutive rows of the same height as ``(first row, rows, height)``.

    >>> list(runs({0: 21.0, 1: 18.0, 5: 32.0, 6: 32.0, 7: 47.0}))
    [(0, 1, 21.0), (1, 1, 18.0), (5, 2, 32.0), (7, 1, 47.0)]
    """
    run = None
    for r in sorted(heights):
        if run is not None and run[0] + run[1] == r and run[2] == heights[r]:
            run[1] += 1
            continue
        if run is not None:
            yield tuple(run)
        run = [r, 1, heights[r]]
    if run is not None:
        yield tuple(run)


def _set(rng, key: str, value: object) -> None:
    """Set one format property, named as in the file renderer's XlsxWriter format dicts."""
    if key == "bg_color":
        rng.color = value
    elif key in ("bold", "italic") and value:
        setattr(rng.font, key, True)
    elif key == "font_size":
        rng.font.size = value
    elif key == "font_color":
        rng.font.color = value
    elif key == "num_format":
        rng.number_format = value
    elif key == "text_wrap" and value:
        rng.wrap_text = True
    elif key == "align" and value in _HORIZONTAL:
        rng.horizontal_alignment = _HORIZONTAL[value]
    elif key == "valign" and value in _VERTICAL:
        rng.vertical_alignment = _VERTICAL[value]
    elif key == "border" and value:
        colour = value[1] if isinstance(value, tuple) else "#000000"
        rng.borders.set("all", line_style="continuous", color=colour)


def _properties(style: str) -> Iterator[tuple[str, object]]:
    """A style's properties one by one; a border carries its colour."""
    props = STYLES[style]
    for key, value in props.items():
        if key == "border_color":
            continue
        if key == "border" and value:
            value = (value, props.get("border_color", "#000000"))
        yield key, value


def _chart(ws, spec: Chart, layout: Layout, sheet: Sheet) -> bool:
    """A bar chart where its categories and series are adjacent columns; else none."""
    columns = [spec.categories_column] + [s.column for s in spec.series]
    if columns != list(range(columns[0], columns[0] + len(columns))):
        return False
    top, _end = layout.tables[spec.table]
    first, last = top + spec.first_row, top + spec.last_row
    source = ws.range((first + 1, columns[0] + 1), (last + 1, columns[-1] + 1))
    kind = ("bar_stacked" if spec.stacked else "bar_clustered") if spec.horizontal else (
        "column_stacked" if spec.stacked else "column_clustered")
    anchor_row, anchor_col = (first, spec.column) if spec.beside else (layout.rows + 1, 0)
    width = min(sum(column_points(c.width) for c in sheet.columns[anchor_col:anchor_col + 4]),
                390)
    height = max(sum(layout.heights.get(r, DEFAULT_ROW_HEIGHT) for r in range(first, last + 1)),
                 130)
    chart = ws.charts.add(0, 0, width, height, chart_type=kind,
                          anchor=ws.range((anchor_row + 1, anchor_col + 1)))
    chart.set_source_data(source)
    chart.title = spec.title
    return True


def add_excel_tables(ws, layout: Layout, taken: set[str]) -> list[str]:
    """Make the blocks the spec marks as Excel tables (the ``Data`` sheet's) tables of ``ws``,
    named after their key, or ``key_2``... where ``taken`` (casefolded table names of the
    workbook) has it. Called once the sheets they replace are gone, whose tables had the
    same names."""
    names = []
    for key, top, bottom, cols in layout.excel_tables:
        name, n = key, 1
        while name.casefold() in taken:
            n += 1
            name = f"{key}_{n}"
        taken.add(name.casefold())
        ws.tables.add(source=ws.range((top + 1, 1), (bottom + 1, cols)), name=name,
                      has_headers=True, table_style_name="TableStyleLight1")
        names.append(name)
    return names


def render_sheet(ws, sheet: Sheet) -> Layout:
    """Write one scorecard sheet's values, formats, widths, heights and charts into ``ws``
    (an xlwings sheet, e.g. one just added to the open workbook). Its Excel tables are
    left to :func:`add_excel_tables`."""
    layout = lay_out(sheet)
    if not layout.cells:
        return layout
    n_cols = max(len(sheet.columns), 1 + max(c for _, c in layout.cells))
    grid = [[None] * n_cols for _ in range(layout.rows)]
    # Each format property once per rectangle of cells that share it, whatever their
    # styles: wrapping, borders and alignment cover whole tables in a few calls.
    by_property: dict[tuple[str, object], list[tuple[int, int]]] = {}
    for (r, c), cell in layout.cells.items():
        grid[r][c] = cell_value(cell.value)
        style = "trend_text" if isinstance(cell.value, Sparkline) else cell.style
        if style != "blank":
            for prop in _properties(style):
                by_property.setdefault(prop, []).append((r, c))
    ws.range((1, 1)).value = grid
    for (key, value), cells in by_property.items():
        for r, c, rows, cols in rectangles(cells):
            _set(ws.range((r + 1, c + 1), (r + rows, c + cols)), key, value)
    for i, column in enumerate(sheet.columns):
        ws.range((1, i + 1)).column_width = column_points(column.width)
    for r, rows, height in runs(layout.heights):
        ws.range((r + 1, 1), (r + rows, 1)).row_height = height
    for spec in sheet.charts:
        _chart(ws, spec, layout, sheet)
    if sheet.freeze_rows:
        ws.freeze_panes.freeze_at(f"1:{sheet.freeze_rows}")
    return layout
