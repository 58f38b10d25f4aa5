"""A small, safe, fast reader of Excel tables from an .xlsx file.

Why our own instead of openpyxl: openpyxl cannot see tables in read-only mode,
gives either formulas or saved results per load (we need both, to tell a formula
with no saved result from an empty cell), imports numpy when present, and costs
about 0.16 s to import. The parts we need (workbook, relationships, shared
strings, styles, table definitions and the rows under a table) are read here with
``zipfile`` and ElementTree's C parser behind a DTD guard: no DTDs or entities are
accepted (defusedxml's rule), each part is read through a size cap (zip bombs are
refused), and only the cells inside the tables are kept. Sheet rows, the bulk of a big
read, skip element objects: a fast lane for sheets as Excel and XlsxWriter write plain
values (expat checks every byte, regular expressions cut out the cells) and expat's
handlers for any other sheet (:mod:`kpi_core.reading.scan`).

The result is plain data (:class:`RawTable`): the same shape the live Excel macro
builds from xlwings ranges, so both go through :mod:`kpi_core.reading.workbook`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from ..cells import cell_address, parse_cell_address
from ..errors import FileError
from .package import (
    MAIN, STRICT_MAIN, Package, StopScan, check_file, parse_whole_number,
)
from .scan import (
    Book, decode_escapes, read_cell_styles, read_shared_strings, scan_rows, serial_to_datetime,
)
from .compiled import CompiledReader, NotCompiled
from . import columnar
from .columnar import ColumnGrid, NotColumnar

#: Largest table (rows x columns, as its range declares) we read: 14x a 20,000-measure
#: table of 18 columns, and a bound on memory (~40 MB of cell slots) when a tiny file
#: declares a table as big as a whole sheet.
MAX_TABLE_CELLS = 5_000_000


@dataclass(frozen=True, slots=True)
class RawTable:
    """A table's cells as found: header row first, ``top``/``left`` 1-based.

    ``percent_cells`` holds (row index, column index) into ``rows`` of the cells
    formatted as percentages, where the source knows formats.
    """

    name: str
    sheet: str
    top: int
    left: int
    rows: list[list[object]]
    percent_cells: frozenset[tuple[int, int]] = field(default=frozenset())


@dataclass(frozen=True, slots=True)
class RawWorkbook:
    sheets: tuple[str, ...]
    tables: dict[str, RawTable]  # keyed by table name, casefolded


@dataclass(slots=True)
class _TableDef:
    name: str
    sheet: str
    sheet_part: str
    top: int
    left: int
    bottom: int
    right: int
    #: The table's column names (``tableColumn``), escapes decoded: the header when
    #: a header cell is empty.
    columns: tuple[str, ...] = ()


def _read_rows(pkg: Package, part: str, tables: list[_TableDef], book: Book,
               fast: CompiledReader | None = None,
               by_column: frozenset[str] = frozenset()) -> dict[str, RawTable]:
    """The cells of every table on one sheet, in one pass over the sheet's XML. A big
    table named in ``by_column`` (casefolded), alone on its sheet, is read by column where
    :mod:`.columnar` reads it (its ``rows`` a :class:`~.columnar.ColumnGrid`)."""
    if len(tables) == 1 and tables[0].name.casefold() in by_column and columnar.wants(pkg, part):
        t = tables[0]
        try:
            columns, percent = columnar.read_columns(pkg, part, book, t.top, t.bottom, t.left,
                                                     t.right)
        except (NotColumnar, FileError, ValueError):
            pass  # read by rows, from the top (a fault the lane met, perhaps ahead of the
            # rows the table needs, is the row readers' to name where they meet it)
        else:
            for ci, name in enumerate(t.columns[:len(columns)]):
                if columns[ci][0] is None and name:
                    columns[ci][0] = name
            return {t.name.casefold(): RawTable(t.name, t.sheet, t.top, t.left,
                                                ColumnGrid(columns), frozenset(percent))}
    grids = {t.name: [[None] * (t.right - t.left + 1) for _ in range(t.bottom - t.top + 1)]
             for t in tables}
    percents: dict[str, set] = {t.name: set() for t in tables}
    top = min(t.top for t in tables)
    bottom = max(t.bottom for t in tables)
    # Only row ends are handled (a row's cells are complete by then), so the Python
    # work per XML event stays small: this loop is most of the time of a big read.
    try:
        _fill_grids(pkg, part, tables, grids, percents, book, top, bottom, fast)
    except ValueError as exc:  # a row number or style index that is not a number
        raise FileError(f"{pkg.path}: part {part} is damaged ({exc})") from exc
    for t in tables:
        header = grids[t.name][0]
        for ci, name in enumerate(t.columns[:len(header)]):
            if header[ci] is None and name:
                header[ci] = name
    return {t.name.casefold(): RawTable(t.name, t.sheet, t.top, t.left, grids[t.name],
                                        frozenset(percents[t.name])) for t in tables}


def _fill_grids(pkg: Package, part: str, tables: list[_TableDef], grids: dict,
                percents: dict, book: Book, top: int, bottom: int,
                fast: CompiledReader | None = None) -> None:
    percent_styles, date_styles, date1904 = book.percent_styles, book.date_styles, book.date1904
    spans = [(t.top, t.bottom, t.left, t.right, grids[t.name], percents[t.name])
             for t in tables]

    def on_row(row_no, cells):
        if row_no > bottom:
            raise StopScan
        if row_no < top:
            return
        here = [s for s in spans if s[0] <= row_no <= s[1]]
        if not here:
            return
        if len(here) == 1:
            t_top, _bottom, left, right, grid, percent = here[0]
            line = grid[row_no - t_top]
            for col_no, style, value in cells:
                if left <= col_no <= right:
                    if style:
                        index = int(style)
                        if index in percent_styles:
                            percent.add((row_no - t_top, col_no - left))
                        elif date_styles and index in date_styles and type(value) is float:
                            value = serial_to_datetime(value, date1904) or value
                    line[col_no - left] = value
            return
        for col_no, style, value in cells:
            for t_top, _bottom, left, right, grid, percent in here:
                if left <= col_no <= right:
                    ri, ci = row_no - t_top, col_no - left
                    if style:
                        index = int(style)
                        if index in percent_styles:
                            percent.add((ri, ci))
                        elif date_styles and index in date_styles and type(value) is float:
                            value = serial_to_datetime(value, date1904) or value
                    grid[ri][ci] = value

    def on_block(first_row, first_col, rows, styled, ours):
        if first_row > bottom:
            raise StopScan
        for t_top, t_bottom, left, right, grid, percent in spans:
            lo, hi = max(first_row, t_top), min(first_row + len(rows) - 1, t_bottom)
            a, b = max(left - first_col, 0), max(right - first_col + 1, 0)
            at = max(first_col - left, 0)
            block = rows[lo - first_row:hi - first_row + 1]
            lengths = set(map(len, block)) if at == 0 else ()
            if lengths and a == 0 and lengths == {b}:
                # the block is the table's rows and no more (the usual case): its cells
                # mapped in one pass, then cut into rows
                flat = list(map(ours, chain.from_iterable(block), chain.from_iterable(block)))
                grid[lo - t_top:hi - t_top + 1] = [flat[i:i + b] for i in range(0, len(flat), b)]
                block = ()
            elif lengths and min(lengths) >= b:
                # each of the table's rows whole in the block: made anew
                grid[lo - t_top:hi - t_top + 1] = [list(map(ours, found, found)) for found in
                                                  (row[a:b] for row in block)]
                block = ()
            for row_no, row in enumerate(block, lo):
                found = row[a:b]
                grid[row_no - t_top][at:at + len(found)] = map(ours, found, found)
            for row_no, col_no, index in styled:
                if t_top <= row_no <= t_bottom and left <= col_no <= right:
                    ri, ci = row_no - t_top, col_no - left
                    if index in percent_styles:
                        percent.add((ri, ci))
                    elif type(grid[ri][ci]) is float:
                        grid[ri][ci] = serial_to_datetime(grid[ri][ci], date1904) or grid[ri][ci]

    _scan(pkg, part, book, fast, on_row, on_block)


def _scan(pkg: Package, part: str, book: Book, fast: CompiledReader | None, on_row,
          on_block) -> None:
    """A sheet's rows by the compiled fast path where it reads them as we mean them
    (``on_block``), else by the pure scanner (``on_row``), from the top."""
    if fast is not None and fast.wants(part):
        try:
            fast.read_blocks(part, on_block)
            return
        except NotCompiled:
            pass  # what the fast path handed on, the pure scanner hands on again, the same
    scan_rows(pkg, part, book, on_row)


def _fill_sheet(pkg: Package, part: str, book: Book, sheet: str,
                fast: CompiledReader | None = None) -> RawTable:
    """Every cell of a sheet from A1 to its last used row and column (a plain range has
    no table to bound it), as one grid."""
    rows: dict[int, dict[int, object]] = {}
    percents: set[tuple[int, int]] = set()
    cells_used = width = 0

    def on_row(row_no, cells):
        nonlocal cells_used, width
        found: dict[int, object] = {}
        for col_no, style, value in cells:
            if style:
                index = int(style)
                if index in book.percent_styles:
                    percents.add((row_no - 1, col_no - 1))
                elif index in book.date_styles and type(value) is float:
                    value = serial_to_datetime(value, book.date1904) or value
            if value is not None:
                found[col_no] = value
        if found:
            if row_no in rows:  # a row written twice: one row, as Excel reads it
                rows[row_no].update(found)
            else:
                rows[row_no] = found
            width = max(width, max(found))
            cells_used = max(cells_used, row_no * width)
            if cells_used > MAX_TABLE_CELLS:
                raise FileError(f"{pkg.path}: sheet {sheet} is used as far as "
                                f"{cell_address(row_no, width)}, more than the "
                                f"{MAX_TABLE_CELLS:,} cells this tool reads from a range "
                                "without an Excel table; make the measures an Excel table "
                                "(Insert > Table) named Measures")

    def on_block(first_row, first_col, block, styled, ours):
        by_cell = {(r, c): i for r, c, i in styled}
        for row_no, values in enumerate(block, first_row):
            on_row(row_no, [(col_no, _style(by_cell.pop((row_no, col_no), None)), ours(v, v))
                            for col_no, v in enumerate(values, first_col)
                            if v != "" or (row_no, col_no) in by_cell])
        for (row_no, col_no), index in by_cell.items():  # styled cells calamine left out
            on_row(row_no, [(col_no, str(index), None)])

    _scan(pkg, part, book, fast, on_row, on_block)
    height = max(rows, default=0)
    grid = [[rows.get(ri, {}).get(ci) for ci in range(1, width + 1)]
            for ri in range(1, height + 1)]
    return RawTable(sheet, sheet, 1, 1, grid, frozenset(percents))


def _style(index: int | None) -> str | None:
    """A style index as the scanner hands it on (the ``s`` attribute's text)."""
    return None if index is None else str(index)


class _Opened:
    """An open package with its workbook part read: sheets, date system, namespaces."""

    def __init__(self, path: Path) -> None:
        check_file(path)
        self.pkg = Package(path)
        try:
            self._read_book(path)
        except BaseException:
            self.pkg.zip.close()
            raise

    def _read_book(self, path: Path) -> None:
        pkg = self.pkg
        root_rels = pkg.rels("")  # _rels/.rels
        self.book_part = next((p for kind, p in root_rels.values() if kind == "officeDocument"),
                              "xl/workbook.xml")
        if not pkg.has(self.book_part):
            raise FileError(f"{path}: is a zip file but not an Excel workbook "
                            "(it has no workbook part)")
        book = pkg.root(self.book_part)
        if book.tag == f"{STRICT_MAIN}workbook":
            pkg.main = STRICT_MAIN  # Strict Open XML: the same content, other namespaces
        elif book.tag != f"{MAIN}workbook":
            raise FileError(f"{path}: its workbook part is {book.tag!r}, not an Excel "
                            "workbook; open it in Excel and save it as an Excel Workbook "
                            "(.xlsx)")
        main = pkg.main
        self.book_rels = pkg.rels(self.book_part)
        calc = book.find(f"{main}calcPr")
        self.calc_on_load = calc is not None and calc.get("fullCalcOnLoad") in ("1", "true")
        props = book.find(f"{main}workbookPr")
        self.date1904 = props is not None and props.get("date1904") in ("1", "true")
        self.sheets: list[tuple[str, str]] = []
        sheets_el = book.find(f"{main}sheets")
        for sheet in sheets_el if sheets_el is not None else ():
            rel = self.book_rels.get(pkg.rel_id(sheet))
            if rel and rel[0] == "worksheet":
                self.sheets.append((decode_escapes(sheet.get("name", "")), rel[1]))

    def part(self, kind: str) -> str | None:
        return next((p for k, p in self.book_rels.values() if k == kind), None)

    def book(self) -> Book:
        percent_styles, date_styles = read_cell_styles(self.pkg, self.part("styles"))
        return Book(self.pkg.main, read_shared_strings(self.pkg, self.part("sharedStrings")),
                    percent_styles, date_styles, self.calc_on_load, self.date1904)


class WorkbookFile:
    """An open workbook file: its sheets, its tables and any sheet's cells, with the
    shared strings and styles read once however many tables and sheets are read. Use it
    as a context manager (the zip is closed at the end).

    Raises :class:`FileError` for anything that is not a readable .xlsx/.xlsm.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._opened = _Opened(self.path)
        self._book: Book | None = None
        self._fast: CompiledReader | None = None

    def __enter__(self) -> WorkbookFile:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self._opened.pkg.zip.close()

    @property
    def sheets(self) -> tuple[str, ...]:
        """The workbook's sheet names, in order (worksheets only)."""
        return tuple(name for name, _ in self._opened.sheets)

    def book(self) -> Book:
        """The shared strings, styles and date system, read on first use (once)."""
        if self._book is None:
            self._book = self._opened.book()
            self._fast = CompiledReader.for_workbook(self._opened.pkg, self._book,
                                                     self._opened.part("sharedStrings"))
        return self._book

    def tables(self, names: tuple[str, ...] | None = None,
               by_column: tuple[str, ...] = ()) -> RawWorkbook:
        """Every Excel table (or those named), as :class:`RawTable`; a big one named in
        ``by_column`` may come by column (its ``rows`` a :class:`~.columnar.ColumnGrid`:
        the same cells, ``rows.columns[ci][ri]``)."""
        path, opened = self.path, self._opened
        pkg = opened.pkg
        wanted = {n.casefold() for n in names} if names else None
        by_sheet: dict[str, list[_TableDef]] = {}
        for sheet_name, part in opened.sheets:
            if not pkg.has(part):
                continue
            for kind, table_part in pkg.rels(part).values():
                if kind != "table" or not pkg.has(table_part):
                    continue
                t = pkg.root(table_part)
                name = t.get("displayName") or t.get("name") or ""
                if wanted is not None and name.casefold() not in wanted:
                    continue
                first, _, last = (t.get("ref") or "").partition(":")
                try:
                    top, left = parse_cell_address(first)
                    bottom, right = parse_cell_address(last or first)
                except ValueError as exc:
                    raise FileError(f"{path}: table {name} has a damaged range") from exc
                if t.get("headerRowCount") == "0":
                    top -= 1  # no header row: report it as a missing header, not lost data
                bottom -= parse_whole_number(t.get("totalsRowCount") or "0", path, table_part)
                cells = (bottom - top + 1) * (right - left + 1)
                if cells > MAX_TABLE_CELLS:
                    raise FileError(f"{path}: table {name} ({t.get('ref')}) is too large: "
                                    f"{cells:,} cells, more than the {MAX_TABLE_CELLS:,} this "
                                    "tool reads; resize the table to its data (Table Design > "
                                    "Resize Table)")
                columns = tuple(decode_escapes(c.get("name") or "")
                                for c in t.iter(f"{pkg.main}tableColumn"))
                by_sheet.setdefault(part, []).append(
                    _TableDef(name, sheet_name, part, top, left, max(bottom, top), right,
                              columns if t.get("headerRowCount") != "0" else ()))

        tables: dict[str, RawTable] = {}
        for part, defs in by_sheet.items():
            tables.update(_read_rows(pkg, part, defs, self.book(), self._fast,
                                     frozenset(n.casefold() for n in by_column)))
        return RawWorkbook(self.sheets, tables)

    def sheet(self, sheet: str) -> RawTable | None:
        """Every cell of one sheet (named case-insensitively) as a :class:`RawTable`
        whose name is the sheet's, from A1; ``None`` when the workbook has no such sheet.

        For a range without an Excel table: :mod:`kpi_core.reading.workbook` finds its
        header row and its end.
        """
        opened = self._opened
        pkg = opened.pkg
        part = next((p for name, p in opened.sheets if name.casefold() == sheet.casefold()),
                    None)
        if part is None or not pkg.has(part):
            return None
        name = next(name for name, p in opened.sheets if p == part)
        try:
            return _fill_sheet(pkg, part, self.book(), name, self._fast)
        except ValueError as exc:
            raise FileError(f"{self.path}: part {part} is damaged ({exc})") from exc


def read_tables(path: str | os.PathLike, names: tuple[str, ...] | None = None) -> RawWorkbook:
    """Every Excel table of a workbook (or those named), as :class:`RawTable`.

    Raises :class:`FileError` for anything that is not a readable .xlsx/.xlsm.
    """
    with WorkbookFile(path) as workbook:
        return workbook.tables(names)


def read_sheet(path: str | os.PathLike, sheet: str) -> RawTable | None:
    """Every cell of one sheet (named case-insensitively) as a :class:`RawTable` whose
    name is the sheet's, from A1; ``None`` when the workbook has no such sheet."""
    with WorkbookFile(path) as workbook:
        return workbook.sheet(sheet)


def sheet_names(path: str | os.PathLike) -> tuple[str, ...]:
    """The workbook's sheet names, in order (worksheets only)."""
    opened = _Opened(Path(path))
    with opened.pkg.zip:
        return tuple(name for name, _ in opened.sheets)
