"""Fakes shaped like xlwings' Book, Sheet, Table and Range, holding real 2-D values, and
a workbook file seen through them as xlwings would see it open in Excel."""

from __future__ import annotations

from pathlib import Path

from kpi_core.reading.scan import CellError
from kpi_core.reading.xlsx import read_tables


class FakeRange:
    """A block of cells: values as xlwings gives them and each cell's number format."""

    def __init__(self, values, formats, row, column):
        self.values, self.formats, self.row, self.column = values, formats, row, column

    def options(self, ndim=None, err_to_str=False):
        assert ndim == 2 and err_to_str  # errors must come as text, not as blanks
        return self

    @property
    def value(self):
        return [list(r) for r in self.values]

    @property
    def number_format(self):
        codes = {f for r in self.formats for f in r}
        return codes.pop() if len(codes) == 1 else None  # Excel: None when mixed

    def __getitem__(self, key):
        rows, col = key
        rows = rows if isinstance(rows, slice) else slice(rows, rows + 1)
        cols = slice(col, col + 1)
        return FakeRange([r[cols] for r in self.values[rows]],
                         [r[cols] for r in self.formats[rows]],
                         self.row + (rows.start or 0), self.column + col)


class FakeTable:
    def __init__(self, name, rng):
        self.name, self.range = name, rng


class FakeSheet:
    def __init__(self, name, tables=()):
        self.name, self.tables = name, list(tables)


class FakeBook:
    def __init__(self, sheets):
        self.sheets = sheets


def _xlwings_value(value):
    """What xlwings returns for a cell the file reader read: numbers as floats, errors
    as their text (err_to_str), blanks as None."""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def fake_book_from_file(path: Path, percent_format: str = "0.0%") -> FakeBook:
    """The workbook as xlwings would see it open in Excel: same sheets, tables, cells."""
    raw = read_tables(path)
    sheets = {name: FakeSheet(name) for name in raw.sheets}
    for table in raw.tables.values():
        values = [[_xlwings_value(v) for v in row] for row in table.rows]
        formats = [[percent_format if (ri, ci) in table.percent_cells else "General"
                    for ci in range(len(row))] for ri, row in enumerate(table.rows)]
        rng = FakeRange(values, formats, table.top, table.left)
        sheets[table.sheet].tables.append(FakeTable(table.name, rng))
    return FakeBook(list(sheets.values()))
