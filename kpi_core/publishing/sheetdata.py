"""Worksheet rows written as XML text straight into XlsxWriter's package.

XlsxWriter keeps an object per cell and writes each one through its XML writer with
a list of attributes: that was two thirds of our write. Here the renderer
(:mod:`kpi_core.publishing.xlsx`) turns each row into its ``<c>`` elements as text
when it writes the row, and :class:`DirectWorksheet`, XlsxWriter's own worksheet,
writes that text in place of its cell table. Everything else stays XlsxWriter's:
the shared strings (each text cell takes its index from the workbook's table, so
the table's ``count`` is the number of text cells), the formats' ``s`` indices, the
Excel tables, the row elements with their heights (``set_row``), the dimension and
the spans, written as XlsxWriter writes them for its own cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isfinite

from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.utility import (
    quote_sheetname, xl_cell_to_rowcol, xl_col_to_name, xl_range, xl_rowcol_to_cell,
)
from xlsxwriter.worksheet import Worksheet

#: Excel's limit on a cell's text, in UTF-16 code units.
MAX_UTF16 = 32_767


#: A sparkline group's settings as XlsxWriter works them out, by the options given.
_GROUPS: dict[tuple, dict] = {}


def add_sparkline_group(ws: Worksheet, first: int, sparklines: Sequence[tuple[int, int, int]],
                        options: dict) -> None:
    """One group of sparklines on ``ws``, the group ``ws.add_sparkline(0, 0, {"location":
    ..., "range": ..., **options})`` gives: each ``(row, column, last)`` is drawn in cell
    (row, column) over that row's cells from column ``first`` to ``last`` of ``ws``'s own
    sheet. The group's settings (XlsxWriter builds its table of 36 styles for each call)
    are worked out once per ``options``; on a :class:`DirectWorksheet` the group's
    ``<x14:sparklines>`` element is put together here as one text (a scorecard with
    History has a sparkline a measure), the sheet's name escaped once, as XlsxWriter's
    writer escapes it; on XlsxWriter's own worksheet its writer writes the ranges."""
    key = tuple(sorted(options.items()))
    settings = _GROUPS.get(key)
    if settings is None:
        found = len(ws.sparklines)
        ws.add_sparkline(0, 0, {"location": "A1", "range": "B1", **options})
        if len(ws.sparklines) == found:
            raise ValueError(f"sparkline options not taken: {options!r}")
        settings = _GROUPS[key] = ws.sparklines.pop()
    letters: dict[int, str] = {}  # column -> its letters, as xl_rowcol_to_cell gives them
    for _row, col, last in sparklines:
        for c in (col, last):
            if c not in letters:
                letters[c] = xl_col_to_name(c)
    start = letters[first] = xl_col_to_name(first)
    sheet = quote_sheetname(ws.name) + "!"
    # A1 references: K5 for one cell, K5:R5 for a range (xl_range(row, first, row, last))
    cells = [f"{start}{row + 1}:{letters[last]}{row + 1}" if last != first
             else f"{start}{row + 1}" for row, _col, last in sparklines]
    locations = [f"{letters[col]}{row + 1}" for row, col, _last in sparklines]
    group = {**settings, "count": len(locations)}
    if isinstance(ws, DirectWorksheet):
        name = ws._escape_control_characters(ws._escape_data(sheet))
        group["xml"] = "".join(
            ["<x14:sparklines>"]
            + [f"<x14:sparkline><xm:f>{name}{c}</xm:f><xm:sqref>{at}</xm:sqref></x14:sparkline>"
               for c, at in zip(cells, locations)]
            + ["</x14:sparklines>"])
        group["locations"] = group["ranges"] = ()
    else:
        group["locations"], group["ranges"] = locations, [sheet + c for c in cells]
    ws.sparklines.append(group)


def _fit_utf16(text: str) -> str:
    """``text`` within Excel's 32,767 UTF-16 units, cut as XlsxWriter cuts it.

    >>> len(_fit_utf16("\\U0001F600" * 20_000).encode("utf-16-le")) // 2
    32766
    """
    if len(text) <= MAX_UTF16 // 2:
        return text
    data = text.encode("utf-16-le")
    if len(data) // 2 <= MAX_UTF16:
        return text
    return data[:MAX_UTF16 * 2].decode("utf-16-le", "ignore")


class DirectWorksheet(Worksheet):
    """XlsxWriter's worksheet whose cells are rows of XML text (:class:`SheetRows`).

    Cells written through XlsxWriter's own API land in its cell table, which this
    sheet does not write: only ``add_table``'s header cells may (they repeat the
    header row the renderer writes), anything else is an error."""

    def __init__(self) -> None:
        super().__init__()
        #: row -> (its cells as XML, first column, last column)
        self.direct_rows: dict[int, tuple[str, int, int]] = {}
        #: row -> column -> value, of the rows charts draw (their cached data)
        self.kept: dict[int, dict[int, str]] = {}
        #: the Excel tables' ranges (first row, first column, last row, last column), A1
        self.direct_tables: list[tuple[tuple[int, int, int, int], str]] = []

    def add_table(self, first_row, first_col, last_row, last_col, options=None):
        """XlsxWriter's ``add_table`` without its walk over every cell of the range to find
        overlaps (145,000 for the Data sheet, a dict entry each): the sheet checks its
        tables' ranges as rectangles (it merges no cells), and XlsxWriter adds the table
        over its header and first data row, then takes the whole range. A table with
        data, formulas or a total row goes XlsxWriter's way."""
        options = options or {}
        plain = not (self.merged_cells or options.get("data") or options.get("total_row")
                     or options.get("header_row", True) is False
                     or any(c.get("formula") or c.get("total_function") or c.get("total_string")
                            for c in options.get("columns", ())))
        top, bottom = sorted((first_row, last_row))
        left, right = sorted((first_col, last_col))
        if not plain or bottom - top < 2:
            return super().add_table(first_row, first_col, last_row, last_col, options)
        for (t, l, b, r), ref in self.direct_tables:
            if t <= bottom and top <= b and l <= right and left <= r:
                raise OverlappingRange(f"Table range '{xl_range(top, left, bottom, right)}' "
                                       f"overlaps previous table range '{ref}'.")
        result = super().add_table(top, left, top + 1, right, options)
        if result == 0:
            ref = xl_range(top, left, bottom, right)
            table = self.tables[-1]
            table["range"] = table["a_range"] = ref
            if table.get("autofilter"):
                table["autofilter"] = ref
            for row in range(top, top + 2):
                for col in range(left, right + 1):
                    self.table_cells.pop((row, col), None)
            self.direct_tables.append(((top, left, bottom, right), ref))
            self._check_dimensions(bottom, right, True, True)
        return result

    def _write_sparklines(self, sparkline) -> None:
        """A group's ``<x14:sparklines>`` as :func:`add_sparkline_group` put it together;
        XlsxWriter's way for a group added through XlsxWriter."""
        xml = sparkline.get("xml")
        if xml is None:
            super()._write_sparklines(sparkline)
        else:
            self.fh.write(xml)

    def _get_range_data(self, row_start, col_start, row_end, col_end):
        """A chart's cached data from the kept rows, as XlsxWriter gives it from its
        cells: text as it is, numbers as text, ``""`` for a blank cell, ``None`` for
        a missing cell (and once for a missing row)."""
        if not self.direct_rows:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        data = []
        for r in range(row_start, row_end + 1):
            row = self.kept.get(r)
            if row is None:
                data.append(None)
                continue
            data.extend(row.get(c) for c in range(col_start, col_end + 1))
        return data

    def _write_sheet_data(self) -> None:
        rows = self.direct_rows
        if not rows:
            super()._write_sheet_data()
            return
        stray = [r for r in self.table if self.table[r] and r not in rows]
        if stray:
            raise RuntimeError(f"cells written around the sheet's rows: rows {stray[:5]}")
        headers = self._table_headers()
        hidden = [xl_rowcol_to_cell(r, c) for r in self.table.keys() & rows.keys()
                  for c in self.table[r] if (r, c) not in headers]
        if hidden:
            raise RuntimeError(f"cells written through XlsxWriter in rows written as XML "
                               f"text would be lost: {hidden[:5]}")
        spans = self._direct_spans()
        # the rows' heights and formats: row_info from XlsxWriter 3.3, set_rows before
        info = getattr(self, "row_info", None)
        if info is None:
            info = self.set_rows
        self._xml_start_tag("sheetData")
        write = self.fh.write
        for r in sorted(rows.keys() | info.keys()):
            if r < self.dim_rowmin or r > self.dim_rowmax:
                continue
            found = rows.get(r)
            if found is None:
                self._write_empty_row(r, spans.get(r // 16), info[r])
                continue
            self._write_row(r, spans.get(r // 16), info.get(r))
            write(found[0])
            write("</row>")
        self._xml_end_tag("sheetData")

    def _table_headers(self) -> set[tuple[int, int]]:
        """The header cells ``add_table`` writes through XlsxWriter (the renderer writes
        the same header row as XML text)."""
        cells = set()
        for table in self.tables:
            first, last = table["range"].split(":")
            top, left = xl_cell_to_rowcol(first)
            _bottom, right = xl_cell_to_rowcol(last)
            cells.update((top, c) for c in range(left, right + 1))
        return cells

    def _direct_spans(self) -> dict[int, str]:
        """XlsxWriter's ``spans``: the first and last column with cells in each block of
        16 rows (1-based)."""
        blocks: dict[int, list[int]] = {}
        for r, (_xml, first, last) in self.direct_rows.items():
            span = blocks.get(r // 16)
            if span is None:
                blocks[r // 16] = [first, last]
            else:
                span[0], span[1] = min(span[0], first), max(span[1], last)
        return {k: f"{a + 1}:{b + 1}" for k, (a, b) in blocks.items()}


class SheetRows:
    """Builds a :class:`DirectWorksheet`'s rows, one at a time, as XML text.

    ``formats`` maps style names to XlsxWriter formats; ``cell`` methods take a
    row's list of parts and add one cell to it, in column order.
    """

    def __init__(self, worksheet: DirectWorksheet, formats: dict) -> None:
        self.ws = worksheet
        self.formats = formats
        self.strings = worksheet.str_table
        self.refs: list[str] = []
        self.attrs: dict[str, str] = {}  # style name -> ' s="n"'
        self.first_row: int | None = None
        self.last_row = -1
        self.first_col: int | None = None
        self.last_col = -1
        #: the current row's values by column, when the row is kept for a chart
        self.keep: dict[int, str] | None = None

    def ref(self, col: int) -> str:
        """``<c r="`` and the column's letters (the row number follows)."""
        return self.refs_for(col + 1)[col]

    def refs_for(self, columns: int) -> list[str]:
        """:meth:`ref` of the first ``columns`` columns, by column."""
        refs = self.refs
        while len(refs) < columns:
            refs.append('<c r="' + xl_col_to_name(len(refs)))
        return refs

    def style(self, name: str | None) -> str:
        if name is None:
            return ""
        attr = self.attrs.get(name)
        if attr is None:
            attr = self.attrs[name] = f' s="{self.formats[name]._get_xf_index()}"'
        return attr

    def text(self, parts: list[str], row: str, col: int, text: str, style: str | None) -> None:
        """A shared-string cell (``row`` is the 1-based row number as text)."""
        if len(text) > MAX_UTF16 // 2:
            text = _fit_utf16(text)
        index = self.strings._get_shared_string_index(text)
        if self.keep is not None:
            self.keep[col] = text
        parts.append(f'{self.ref(col)}{row}"{self.style(style)} t="s"><v>{index}</v></c>')

    def number(self, parts: list[str], row: str, col: int, value, style: str | None) -> None:
        if not isfinite(value):
            raise TypeError(f"cannot write {value!r} as a number")
        if self.keep is not None:
            self.keep[col] = f"{value:.16g}"
        parts.append(f'{self.ref(col)}{row}"{self.style(style)}><v>{value:.16G}</v></c>')

    def blank(self, parts: list[str], row: str, col: int, style: str) -> None:
        if self.keep is not None:
            self.keep[col] = ""
        parts.append(f'{self.ref(col)}{row}"{self.style(style)}/>')

    def end_row(self, r: int, parts: list[str], first: int, last: int) -> None:
        """Store row ``r`` (0-based), whose cells span columns ``first`` to ``last``."""
        if self.keep is not None:
            self.ws.kept[r] = self.keep
            self.keep = {}
        if not parts:
            return
        self.ws.direct_rows[r] = ("".join(parts), first, last)
        if self.first_row is None:
            self.first_row = r
        self.last_row = max(self.last_row, r)
        self.first_col = first if self.first_col is None else min(self.first_col, first)
        self.last_col = max(self.last_col, last)

    def add_text(self, r: int, col: int, text: str, style: str | None) -> None:
        """A text cell right of row ``r``'s cells, after the row was stored (a note beside
        a table's header); call :meth:`finish` after it."""
        found = self.ws.direct_rows.get(r)
        parts = [found[0]] if found else []
        if found and col <= found[2]:
            raise ValueError(f"column {col} is not right of row {r + 1}'s cells")
        self.text(parts, str(r + 1), col, text, style)
        self.ws.direct_rows[r] = ("".join(parts), found[1] if found else col, col)
        self.first_row = r if self.first_row is None else min(self.first_row, r)
        self.last_row = max(self.last_row, r)
        self.first_col = col if self.first_col is None else min(self.first_col, col)
        self.last_col = max(self.last_col, col)

    def finish(self) -> None:
        """The sheet's dimension, as XlsxWriter keeps it for its own cells."""
        if self.first_row is not None:
            self.ws._check_dimensions(self.first_row, self.first_col)
            self.ws._check_dimensions(self.last_row, self.last_col)
