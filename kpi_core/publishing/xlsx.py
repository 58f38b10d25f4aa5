"""Render a :class:`~kpi_core.publishing.scorecard.Scorecard` to an ``.xlsx`` file with XlsxWriter.

The only module that knows about XlsxWriter. It maps style names to formats
(each created once per workbook), lays the blocks out top to bottom, computes
row heights for wrapped text (LibreOffice does not grow rows by itself), places
charts from the positions it wrote, sets print settings, and writes atomically:
a temporary file in the target's folder, then ``os.replace``.

Row heights (:mod:`kpi_core.publishing.textfit`): a row holds its wrapped text in
every program of :data:`ROW_RENDERERS`. LibreOffice on Linux draws Carlito 11 at
11.1 points a line; Excel gives Calibri 11 15 points a line, so with both the row
fits Excel and leaves LibreOffice about a quarter of each tall row spare (fitted to
LibreOffice alone, Excel would cut the last lines of every wrapped comment): a quarter
of a comment-heavy sheet's printed height in LibreOffice is that spare, the floor with
one font whose lines are 15 points in one program and 11.1 in the other. The sample
prints on 4 pages in LibreOffice (tests/publishing/test_row_heights.py): its Summary, its portfolio
on 3, and no page of the ``Data`` sheet, which stays out of the print (its
``print_note``).
"""

from __future__ import annotations

import re
import sys
from math import isfinite
from pathlib import Path

import xlsxwriter
from xlsxwriter.core import Core
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.worksheet import Worksheet

from ..atomic import atomic_path
from ..errors import FileError
from .measure_rows import trend_text
from .package import LevelZipFile
from .sheetdata import DirectWorksheet, SheetRows, add_sparkline_group
from .spec import BLANK, Cell, Chart, Heading, Scorecard, Sheet, Sparkline, Table
from .textfit import deciding, line_counts, row_height
from .theme import (
    BOLD_STYLES, DEFAULT_ROW_HEIGHT, FONT, LINK_FORMAT, MAX_ROW_HEIGHT, NO_WRAP_STYLES,
    ROW_RENDERERS, STYLES, TITLE_HEIGHTS,
)

#: Excel's limit on the characters in one cell.
MAX_CELL_CHARS = 32_767
#: The charts' labels, legend and axes: as the cells' text, so that a sheet fitted to the
#: page's width (about 0.7 at most) prints none of it under 7 points.
CHART_FONT_SIZE = 11
#: Sparklines: the line, and the markers of the first, last, highest and lowest points.
SPARKLINE_COLOURS = {"series_color": "#1D70B8", "first_color": "#505A5F",
                     "last_color": "#0B0C0C", "high_color": "#00703C", "low_color": "#D4351C"}


WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "constant_memory": False,
    "in_memory": True,
}


def truncate_cell_text(text: str) -> str:
    """Text cut to Excel's 32,767 characters with a visible note of what was cut.

    >>> truncate_cell_text("short")
    'short'
    >>> long = truncate_cell_text("x" * 40_000)
    >>> len(long) <= 32_767, long.endswith("characters not shown]")
    (True, True)
    """
    if len(text) <= MAX_CELL_CHARS:
        return text
    note_room = 80
    kept = MAX_CELL_CHARS - note_room
    note = f"\u2026 [truncated: {len(text) - kept:,} characters not shown]"
    return text[:kept] + note


# XlsxWriter's write_* methods take A1 strings too, through a decorator; we always
# pass row and column numbers, so the data rows call the undecorated methods
# (XlsxWriter's own ``_write_*``, else the decorator's ``__wrapped__``, which only calls
# them): about a third less time per cell.
_write_string = getattr(Worksheet, "_write_string", None) or getattr(
    Worksheet.write_string, "__wrapped__", Worksheet.write_string)
_write_number = getattr(Worksheet, "_write_number", None) or getattr(
    Worksheet.write_number, "__wrapped__", Worksheet.write_number)
_write_blank = getattr(Worksheet, "_write_blank", None) or getattr(
    Worksheet.write_blank, "__wrapped__", Worksheet.write_blank)


def _escape_footer(text: str) -> str:
    return text.replace("&", "&&")


def _has_links(sheet: Sheet) -> bool:
    return any(cell.link is not None for block in sheet.blocks
               if isinstance(block, Table) and block.text_style is None
               for cells in block.rows for cell in cells)


def _chart_pixels(columns, first: int, count: int) -> int:
    return int(sum((c.width * 7 + 5) for c in columns[first:first + count]))


class _SheetWriter:
    """Writes one sheet's blocks top to bottom and remembers where each table landed."""

    def __init__(self, workbook, formats: dict, sheet: Sheet, text_trends: bool = False,
                 direct: bool = True, fits: dict | None = None) -> None:
        self.workbook = workbook
        self.text_trends = text_trends
        self.formats = formats
        self.sheet = sheet
        # a sheet of links keeps XlsxWriter's cells (write_url keeps its hyperlinks)
        self.direct = direct and not _has_links(sheet)
        self.ws = workbook.add_worksheet(sheet.name, DirectWorksheet if self.direct else None)
        self.cells = SheetRows(self.ws, formats) if self.direct else None
        if self.cells is not None:
            self.cells.refs_for(len(sheet.columns))
        self.charted = {chart.table for chart in sheet.charts}
        #: (text, column width, bold) -> the row height it needs, for the whole workbook
        self.fits = {} if fits is None else fits
        self.row = 0
        self.tables: dict[str, tuple[int, int]] = {}  # key -> first data row, row after
        self.specs: dict[str, Table] = {}
        self.heights: dict[int, float] = {}
        self.widths = [c.width for c in sheet.columns]
        self.renderers = deciding(ROW_RENDERERS)  # a row fitting these fits them all
        self.sparklines: list[tuple[int, int, Sparkline]] = []

    def write(self) -> None:
        ws, sheet = self.ws, self.sheet
        for i, column in enumerate(sheet.columns):
            ws.set_column(i, i, column.width)
        previous = None
        for block in sheet.blocks:
            if previous is not None and not (
                    isinstance(previous, Heading) and previous.style in ("title", "heading")):
                self.row += 1
            if isinstance(block, Heading):
                self._heading(block)
            else:
                self._table(block)
            previous = block
        if self.cells is not None:
            self.cells.finish()
        for chart in sheet.charts:
            self._chart(chart)
        self._sparklines()
        self._page_setup()

    def _heading(self, block: Heading) -> None:
        self.ws.set_row(self.row, TITLE_HEIGHTS.get(block.style, DEFAULT_ROW_HEIGHT))
        text = truncate_cell_text(block.text)
        if self.cells is not None:
            parts: list[str] = []
            self.cells.text(parts, str(self.row + 1), 0, text, block.style)
            self.cells.end_row(self.row, parts, 0, 0)
        else:
            self.ws.write_string(self.row, 0, text, self.formats[block.style])
        self.row += 1

    def _table(self, table: Table) -> None:
        header_row = self.row
        row = self._row if self.cells is None else self._row_direct
        if table.header is not None:
            if table.repeat_header and not self.sheet.print_note:  # printed sheets only
                self.ws.repeat_rows(self.row)
            row(table.header)
        first = self.row
        if self.cells is not None:  # the rows a chart draws keep their values
            self.cells.keep = {} if table.key in self.charted else None
        if table.text_style is None:
            for cells in table.rows:
                row(cells)
        elif self.cells is not None:
            for values in table.rows:
                self._values_direct(values, table.text_style)
        else:
            for cells in table.cell_rows():
                row(cells)
        if self.cells is not None:
            self.cells.keep = None
        self.tables[table.key] = (first, self.row)
        self.specs[table.key] = table
        if table.excel_table and table.header is not None and table.rows:
            # add_table writes the header's text again over the cells just written;
            # the shared strings count each text cell once, as Excel does
            strings = self.ws.str_table
            count = strings.count
            self.ws.add_table(header_row, 0, self.row - 1, len(table.header) - 1, {
                "name": table.key, "style": "Table Style Light 1",
                "columns": [{"header": str(c.value), "header_format": self.formats[c.style]}
                            for c in table.header]})
            strings.count = count

    def _fit(self, text: str, col: int, style: str) -> float:
        """The height a row needs for ``text`` wrapped in column ``col``: measured once per
        text, width and weight in the workbook."""
        width = self.widths[col]
        bold = style in BOLD_STYLES
        key = (text, width, bold)
        height = self.fits.get(key)
        if height is None:
            height = DEFAULT_ROW_HEIGHT
            renderers = self.renderers
            for lines, renderer in zip(line_counts(text, width, bold, renderers), renderers):
                if lines > 1:
                    height = max(height, row_height(lines, renderer))
            self.fits[key] = height
        return height

    def _row_direct(self, cells) -> None:
        """:meth:`_row` as XML text (:class:`SheetRows`), the sparklines' figures in the
        same row."""
        out, r = self.cells, self.row
        if out.keep is not None:  # a chart's rows: every cell through SheetRows, kept
            text, number = out.text, out.number
        else:
            text, number = self._text, self._number
        row = str(r + 1)
        parts: list[str] = []
        height = DEFAULT_ROW_HEIGHT
        first = last = -1
        sparkline = None
        for c, cell in enumerate(cells):
            value = cell.value
            style = cell.style
            if value is None:
                if style == "blank":
                    continue
                out.blank(parts, row, c, style)
            elif value.__class__ is str:
                if len(value) > MAX_CELL_CHARS:
                    value = truncate_cell_text(value)
                text(parts, row, c, value, style)
                if style not in NO_WRAP_STYLES:
                    fit = self._fit(value, c, style)
                    if fit > height:
                        height = fit
            elif isinstance(value, Sparkline):
                if self.text_trends:
                    out.text(parts, row, c, trend_text(value.values), "trend_text")
                else:
                    out.blank(parts, row, c, style)
                    self.sparklines.append((r, c, value))
                    sparkline = value
            else:
                number(parts, row, c, value, style)
            if first < 0:
                first = c
            last = c
        if sparkline is not None:  # its figures in the hidden columns, after the sheet's
            start = len(self.sheet.columns) + 1
            refs = out.refs_for(start + len(sparkline.values))
            kept = out.keep is not None
            for i, value in enumerate(sparkline.values, start):
                if value is not None:
                    if value - value == 0.0 and not kept:  # finite
                        # the shortest text that reads back as the figure (repr): 40,000 of
                        # them in 5,000 measures' trends, 6 ms sooner than XlsxWriter's .16G
                        parts.append(f'{refs[i]}{row}"><v>{value!r}</v></c>')
                    else:
                        out.number(parts, row, i, value, None)
                    last = i
        out.end_row(r, parts, first, last)
        self._end_row(r, height)

    def _text(self, parts: list[str], row: str, col: int, text: str, style: str) -> None:
        """:meth:`SheetRows.text` for text within half Excel's limit, in fewer steps."""
        out = self.cells
        if len(text) > MAX_CELL_CHARS // 2 or col >= len(out.refs):
            out.text(parts, row, col, text, style)
            return
        attr = out.attrs.get(style) or out.style(style)
        parts.append(f'{out.refs[col]}{row}"{attr} t="s"><v>'
                     f'{out.strings._get_shared_string_index(text)}</v></c>')

    def _number(self, parts: list[str], row: str, col: int, value, style: str) -> None:
        out = self.cells
        if col >= len(out.refs) or not isfinite(value):
            out.number(parts, row, col, value, style)
            return
        attr = out.attrs.get(style) or out.style(style)
        parts.append(f'{out.refs[col]}{row}"{attr}><v>{value:.16G}</v></c>')

    def _values_direct(self, values, text_style: str) -> None:
        """A row of plain values (:attr:`Table.text_style`) as XML text: the Data sheet's
        thousands of rows, so its cells are put together here rather than by
        :class:`SheetRows`' methods (the same text)."""
        out, r = self.cells, self.row
        if out.keep is not None:  # a chart's rows: the general way, which keeps them
            self._row_direct(tuple(v if isinstance(v, Cell) else BLANK if v is None
                                   else Cell(v, text_style) for v in values))
            return
        row = str(r + 1)
        refs = out.refs_for(len(values))
        text_attr = out.style(text_style) + ' t="s"><v>'
        index = out.strings._get_shared_string_index
        attrs = out.attrs
        measure = text_style not in NO_WRAP_STYLES
        parts: list[str] = []
        height = DEFAULT_ROW_HEIGHT
        first = last = -1
        for c, value in enumerate(values):
            if value is None:
                continue
            if value.__class__ is str:
                if len(value) > MAX_CELL_CHARS // 2:
                    out.text(parts, row, c, truncate_cell_text(value), text_style)
                else:
                    parts.append(f"{refs[c]}{row}\"{text_attr}{index(value)}</v></c>")
                if measure:
                    height = max(height, self._fit(value, c, text_style))
            elif (number := value.value) is None:
                if value.style != "blank":
                    out.blank(parts, row, c, value.style)
                else:
                    continue
            elif number.__class__ is float and number - number == 0.0:  # finite
                attr = attrs.get(value.style) or out.style(value.style)
                parts.append(f"{refs[c]}{row}\"{attr}><v>{number:.16G}</v></c>")
            elif isinstance(number, str):
                out.text(parts, row, c, truncate_cell_text(number), value.style)
            else:
                out.number(parts, row, c, number, value.style)
            if first < 0:
                first = c
            last = c
        out.end_row(r, parts, first, last)
        self._end_row(r, height)

    def _row(self, cells) -> None:
        ws, formats, r = self.ws, self.formats, self.row
        height = DEFAULT_ROW_HEIGHT
        for c, cell in enumerate(cells):
            value = cell.value
            fmt = formats[cell.style]
            if value is None:
                if cell.style != "blank":
                    _write_blank(ws, r, c, None, fmt)
            elif isinstance(value, Sparkline):
                if self.text_trends:
                    _write_string(ws, r, c, trend_text(value.values), formats["trend_text"])
                else:
                    _write_blank(ws, r, c, None, fmt)
                    self.sparklines.append((r, c, value))
            elif isinstance(value, str):
                if len(value) > MAX_CELL_CHARS:
                    value = truncate_cell_text(value)
                if cell.link is not None:
                    ws.write_url(r, c, _internal_link(cell.link),
                                 formats.get(f"{cell.style}+link", fmt), value)
                else:
                    _write_string(ws, r, c, value, fmt)
                if cell.style not in NO_WRAP_STYLES:
                    height = max(height, self._fit(value, c, cell.style))
            else:
                _write_number(ws, r, c, value, fmt)
        self._end_row(r, height)

    def _end_row(self, r: int, height: float) -> None:
        """Row ``r`` done: its height, within Excel's limit, kept and set where above the
        default."""
        height = min(MAX_ROW_HEIGHT, height)
        self.heights[r] = height
        if height > DEFAULT_ROW_HEIGHT:
            self.ws.set_row(r, height)
        self.row += 1

    def _sparklines(self) -> None:
        """Native Excel sparklines over each trend's values, written to hidden columns to
        the right of the sheet's own (hidden columns do not print; the sparklines are told
        to show hidden data)."""
        if not self.sparklines:
            return
        ws = self.ws
        first = len(self.sheet.columns) + 1  # one empty column between
        width = max(len(s.values) for _, _, s in self.sparklines)
        if self.cells is None:  # written with their rows otherwise
            for r, _c, spark in self.sparklines:
                for i, value in enumerate(spark.values):
                    if value is not None:
                        _write_number(ws, r, first + i, value, None)
        # one group for the sheet: XlsxWriter builds a group's style table per call
        # (about 2 ms), and Excel edits a group's look in one place
        add_sparkline_group(ws, first, [(r, c, first + len(spark.values) - 1)
                                        for r, c, spark in self.sparklines], {
            "markers": False, "first_point": True, "last_point": True,
            "high_point": True, "low_point": True, "show_hidden": True,
            "empty_cells": "gaps", "weight": 1.25, **SPARKLINE_COLOURS})
        ws.set_column(first, first + width - 1, None, None, {"hidden": True})

    def _chart(self, spec: Chart) -> None:
        name = self.sheet.name
        top, end = self.tables[spec.table]
        first, last = top + spec.first_row, top + spec.last_row
        options = {"type": "bar" if spec.horizontal else "column"}
        if spec.stacked:
            options["subtype"] = "stacked"
        chart = self.workbook.add_chart(options)
        for series in spec.series:
            data = {
                "name": series.name,
                "categories": [name, first, spec.categories_column, last,
                               spec.categories_column],
                "values": [name, first, series.column, last, series.column],
                # a zero bar is labelled 0; a zero part of a stacked bar has no room
                "data_labels": {"value": True,
                                "num_format": "0;-0;;@" if spec.stacked else "0",
                                "font": {"color": series.label_colour or "#000000",
                                         "size": CHART_FONT_SIZE}},
                "gap": 60,
            }
            if series.colour:
                data["fill"] = {"color": series.colour}
                data["border"] = {"color": "#0B0C0C", "width": 0.5}
            if series.point_colours:
                data["points"] = [{"fill": {"color": c}, "border": {"color": "#0B0C0C"}}
                                  for c in series.point_colours]
            chart.add_series(data)
        chart.set_title({"name_font": {"size": 12, "bold": True}})
        # Set apart: XlsxWriter takes a name like "Summary!A1 ..." (a portfolio's name)
        # for a cell reference; a title from the workbook is text, never a formula.
        chart.title.name = spec.title
        if len(spec.series) == 1:
            chart.set_legend({"none": True})
        else:
            chart.set_legend({"position": "bottom", "font": {"size": CHART_FONT_SIZE}})
        if spec.horizontal:  # bar charts list categories bottom-up unless reversed
            chart.set_y_axis({"reverse": True, "crossing": "max",
                              "num_font": {"size": CHART_FONT_SIZE}})
            chart.set_x_axis({"num_font": {"size": CHART_FONT_SIZE},
                              "major_gridlines": {"visible": True,
                                                  "line": {"color": "#D9D9D9"}},
                              "min": 0, "num_format": "0",
                              "major_unit": self._major_unit(spec)})
        n_rows = spec.last_row - spec.first_row + 1
        if spec.beside:
            row, col = first, spec.column
            height = sum(self.heights.get(r, DEFAULT_ROW_HEIGHT)
                         for r in range(top, end)) * 4 / 3
            width = min(_chart_pixels(self.sheet.columns, col, 4), 520)
            height = max(height, 170)
        else:
            row, col = self.row + 1, 0
            height = 90 + 32 * n_rows
            width = min(_chart_pixels(self.sheet.columns, 0, len(self.sheet.columns)), 900)
        chart.set_size({"width": int(width), "height": int(height)})
        self.ws.insert_chart(row, col, chart, {"description": spec.alt_text,
                                               "object_position": 1,
                                               "x_offset": 8, "y_offset": 2})

    def _major_unit(self, spec: Chart) -> int:
        """Whole-number steps on the value axis, about five to ten of them."""
        rows = self.specs[spec.table].rows[spec.first_row:spec.last_row + 1]
        totals = [sum(r[s.column].value or 0 for s in spec.series) if spec.stacked
                  else max((r[s.column].value or 0) for s in spec.series) for r in rows]
        top = max(totals, default=0)
        for unit in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
            if top / unit <= 10:
                return unit
        return 10 ** len(str(int(top // 10)))

    def _page_setup(self) -> None:
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.55, bottom=0.6)
        ws.set_footer(f"&L{_escape_footer(self.sheet.label)}&RPage &P of &N")
        ws.hide_gridlines(2)
        if self.sheet.freeze_rows:
            ws.freeze_panes(self.sheet.freeze_rows, 0)
        if self.sheet.print_note:
            # out of the print: it says so beside its first row, and its print area is a
            # blank cell below everything (Excel and LibreOffice print nothing of a blank
            # print area; a cell beside the rows could show text running on from the left)
            col = len(self.sheet.columns) + 1
            if self.cells is None:
                ws.write_string(0, col, self.sheet.print_note, self.formats["note"])
            else:
                self.cells.add_text(0, col, self.sheet.print_note, "note")
                self.cells.finish()
            ws.print_area(self.row + 1, 0, self.row + 1, 0)
        elif self.sheet.data and self.row and self.sheet.columns:
            # text that does not wrap runs on to the right: print the table's cells only
            ws.print_area(0, 0, self.row - 1, len(self.sheet.columns) - 1)


class _Core(Core):
    """docProps/core.xml with ``dc:language`` too (XlsxWriter's set_properties has no
    language): the document's language, as accessibility checkers ask."""

    def _write_dc_subject(self) -> None:
        super()._write_dc_subject()
        language = self.properties.get("language")
        if language:
            self._xml_data_element("dc:language", language)


#: What XlsxWriter's ``<si>`` writer changes in a text: XML's escapes (``&<>``; a line
#: break and a double quote it leaves as they are), the control characters, and a rich
#: string's ``<r>``; a text with ``_x`` (Excel's ``_xHHHH_`` escapes) goes its way too: a
#: character class alone scans the 2 MB of a History scorecard's texts three times sooner.
_SI_SPECIAL = re.compile('[\x00-\x08\x0b-\x1f&<>\ufffe\uffff]')


class _SharedStrings(SharedStrings):
    """XlsxWriter's shared strings part, its ``<si>`` elements joined in one write: a
    text with nothing to escape is written as it is (with ``xml:space`` where it begins
    or ends with white space, as XlsxWriter tests it), any other through XlsxWriter's
    own ``_write_si``; the same bytes."""

    def _write_sst_strings(self) -> None:
        special = _SI_SPECIAL.search
        parts = []
        for string in self.string_table.string_array:
            if special(string) or "_x" in string:
                if parts:
                    self.fh.write("".join(parts))
                    parts = []
                self._write_si(string)
            elif string[:1].isspace() or string[-1:].isspace():
                parts.append(f'<si><t xml:space="preserve">{string}</t></si>')
            else:
                parts.append(f"<si><t>{string}</t></si>")
        self.fh.write("".join(parts))


class _Packager(Packager):
    def _write_shared_strings_file(self) -> None:
        if not self.workbook.str_table.count:
            return
        sst = _SharedStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()

    def _write_core_file(self) -> None:
        core = _Core()
        core._set_properties(self.workbook.doc_properties)
        core._set_xml_writer(self._filename("docProps/core.xml"))
        core._assemble_xml_file()


class _Workbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook with our core properties (its own hook for a packager) and
    its package deflated at :data:`~kpi_core.publishing.package.ZIP_LEVEL`."""

    def _get_packager(self):
        return _Packager()

    def _store_workbook(self) -> None:
        # XlsxWriter opens the package with its module's ZipFile and has no setting for
        # the level: that name is ours while this workbook is stored, then its own again.
        module = sys.modules[xlsxwriter.Workbook.__module__]
        own = module.ZipFile
        module.ZipFile = LevelZipFile
        try:
            super()._store_workbook()
        finally:
            module.ZipFile = own


def _internal_link(sheet: str) -> str:
    """XlsxWriter's address of cell A1 of ``sheet``, quoted as Excel quotes sheet names.

    >>> _internal_link("Children's Services")
    "internal:'Children''s Services'!A1"
    """
    return "internal:'" + sheet.replace("'", "''") + "'!A1"


def render_workbook(scorecard: Scorecard, target, *, text_trends: bool = False,
                    direct: bool = True) -> None:
    """Write the scorecard into ``target`` (a path or a file object) with XlsxWriter.

    Trend cells get native Excel sparklines; with ``text_trends`` (for printing through
    LibreOffice 7.4, which does not draw sparklines) block-character trends instead.
    ``direct`` writes the rows of every sheet without links as XML text
    (:mod:`.sheetdata`); ``direct=False`` writes every cell through XlsxWriter's own
    cell API, the same file more slowly (the tests compare the two)."""
    workbook = _Workbook(target, WORKBOOK_OPTIONS)
    workbook.set_properties({
        "language": scorecard.language,
        "title": scorecard.title,
        "subject": scorecard.subject,
        "author": scorecard.author,
        "company": scorecard.company,
        "comments": "Generated by kpi-scorecard",
    })
    formats = {}
    for name, props in STYLES.items():
        formats[name] = workbook.add_format({"font_name": FONT, "font_size": 11, **props})
    for name in ("text", "text_bold"):
        formats[f"{name}+link"] = workbook.add_format(
            {"font_name": FONT, "font_size": 11, **STYLES[name], **LINK_FORMAT})
    try:
        fits: dict = {}
        for sheet in scorecard.sheets:
            _SheetWriter(workbook, formats, sheet, text_trends, direct, fits).write()
    finally:
        workbook.close()


def write_scorecard(scorecard: Scorecard, path, *, text_trends: bool = False) -> Path:
    """Render the scorecard to ``path`` atomically and return the path written.

    The file is written to a temporary file in the same folder, then renamed over
    ``path`` (:func:`kpi_core.atomic.atomic_path`); on any failure the temporary file
    is removed and a previous file at ``path`` is left as it was. Raises
    :class:`~kpi_core.errors.FileError` when the folder does not exist or the file
    cannot be written (e.g. it is open in Excel).
    """
    path = Path(path)
    with atomic_path(path) as tmp:
        try:
            render_workbook(scorecard, tmp, text_trends=text_trends)
        except (FileCreateError, OSError) as exc:
            raise FileError(f"{path}: cannot be written ({exc})") from exc
    return path
