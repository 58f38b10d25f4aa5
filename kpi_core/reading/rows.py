"""The public row toolkit under the table readers: the columns a reader knows, a
table's problems and cell addresses, one cell read with its problem recorded.

The Measures, Benchmarks and Settings readers (:mod:`kpi_core.reading.tables`), the
History reader and the Comparators reader all read their rows with these.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..cells import cell_address, parse_cell_address
from ..errors import ValueParseError
from ..model import Problem
from . import mapping
from .scan import CellError, FormulaNoResult
from .values import is_blank, parse_text
from .xlsx import RawTable


@dataclass(frozen=True, slots=True)
class Column:
    """A column the reader knows: its field, the header words it answers to, how to read it."""

    field: str
    headers: tuple[str, ...]
    label: str  # how a message names a value of this column
    required: bool = False

    @property
    def heading(self) -> str:
        """The column's header as the template writes it.

        >>> Column("rag_override", ("rag override",), "RAG override").heading
        'RAG Override'
        """
        return " ".join("RAG" if w == "rag" else w.capitalize() for w in self.headers[0].split())


class Sheet:
    """Problems and cell addresses for one table."""

    def __init__(self, table: RawTable, problems: list[Problem]) -> None:
        self.table = table
        self.problems = problems

    def address(self, ri: int, ci: int) -> str:
        return cell_address(self.table.top + ri, self.table.left + ci)

    def add(self, ri: int | None, ci: int | None, message: str, value: object = None,
            severity: str = "error") -> None:
        known = ri is not None and ci is not None
        self.problems.append(Problem.at(
            self.table.sheet, self.table.top + ri if known else None,
            self.table.left + ci if known else None, message, _jsonable(value), severity))

    def columns(self, known: tuple[Column, ...], overrides: Mapping[str, str] | None = None
                ) -> dict[str, int] | None:
        """Map fields to column indexes from the header row (names, the built-in synonyms
        and ``overrides``, see :mod:`kpi_core.reading.mapping`); report duplicates and gaps."""
        header = self.table.rows[0] if self.table.rows else []
        match = mapping.match_headers(
            header, mapping.header_words(((c.field, c.headers) for c in known), overrides))
        for _field, ci, first in match.duplicates:
            value = header[ci]
            self.add(0, ci, f"column '{parse_text(value)}' appears twice (also "
                     f"{self.address(0, first)}); keep one", value)
        found = dict(match.found)
        self.match = match  # unused headers stay available to other readers (wide layout)
        missing = [c.heading for c in known if c.required and c.field not in found]
        if missing:
            where = cell_address(self.table.top, self.table.left)
            self.problems.append(Problem.at(
                self.table.sheet, self.table.top, self.table.left,
                f"table {self.table.name} has no column {', '.join(repr(m) for m in missing)} "
                f"(its header row starts at {where})"))
            return None
        return found


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _cell(sheet: Sheet, row: list, ri: int, ci: int | None, label: str) -> object:
    """A cell's value, or ``None`` with a problem when it holds an Excel error or an
    uncalculated formula (never read as missing data)."""
    if ci is None or ci >= len(row):
        return None
    value = row[ci]
    if isinstance(value, FormulaNoResult):
        sheet.add(ri, ci, f"{label} is a formula ({value}) with no saved result: the workbook "
                  "was saved by a program that does not calculate; open it in Excel or "
                  "LibreOffice and save it, then try again", value)
        raise _Skip
    if isinstance(value, CellError):
        sheet.add(ri, ci, f"{label} is the Excel error {value.code}", value)
        raise _Skip
    return value


class _Skip(Exception):
    """This cell could not be read; the problem is already recorded."""


def parse_cell(sheet: Sheet, row: list, ri: int, ci: int | None, column: Column,
           parse: Callable[[object], object], default: object = None) -> object:
    try:
        value = _cell(sheet, row, ri, ci, column.label)
        return parse(value)
    except _Skip:
        return default
    except ValueParseError as exc:
        message = str(exc)
        if not message.lower().startswith(column.label.lower()):
            message = f"{column.label} {message}"
        sheet.add(ri, ci, message, row[ci])
        return default


_MISS = object()


def parse_cell_once(sheet: Sheet, row: list, ri: int, ci: int | None, column: Column,
                    parse: Callable[[object], object], default: object,
                    memo: dict[object, object]) -> object:
    """:func:`parse_cell`, with what a blank or text cell reads as kept in ``memo`` (one
    per column and parser): a text a table repeats (a portfolio, a polarity, a unit) is
    parsed once. A cell with a problem is not kept, so each such cell is reported."""
    value = row[ci] if ci is not None and ci < len(row) else None
    if value is not None and type(value) is not str:
        return parse_cell(sheet, row, ri, ci, column, parse, default)
    found = memo.get(value, _MISS)
    if found is _MISS:
        count = len(sheet.problems)
        found = parse_cell(sheet, row, ri, ci, column, parse, default)
        if len(sheet.problems) == count:
            memo[value] = found
    return found


def read_fields(sheet: Sheet, row: list, ri: int, plan: tuple, fields: dict) -> None:
    """:func:`parse_cell_once` of each field of ``plan`` (``(field, column index,
    Column, parse, default, memo)`` tuples) into ``fields``, in order; a blank or text
    cell already read is taken from its memo here (the same values and problems in
    fewer calls)."""
    width = len(row)
    for field, ci, column, parse, default, memo in plan:
        value = row[ci] if ci is not None and ci < width else None
        if value is None or type(value) is str:
            found = memo.get(value, _MISS)
            if found is not _MISS:
                fields[field] = found
                continue
        fields[field] = parse_cell_once(sheet, row, ri, ci, column, parse, default, memo)


def is_blank_row(row: list) -> bool:
    return all(is_blank(v) for v in row)


def table_from_values(name: str, sheet: str, top_left: str, values: list[list[object]],
                      percent_columns: frozenset[int] = frozenset()) -> RawTable:
    """A :class:`RawTable` from a 2-D list of cell values (as xlwings gives a table's range).

    ``percent_columns`` are column indexes formatted as percentages in the source.

    >>> t = table_from_values("Measures", "Measures", "B3", [["Ref"], ["CS01"]])
    >>> t.top, t.left, t.rows[1][0]
    (3, 2, 'CS01')
    """
    top, left = parse_cell_address(top_left)
    rows = [list(r) for r in values]
    percent = frozenset((ri, ci) for ri in range(1, len(rows)) for ci in percent_columns)
    return RawTable(name, sheet, top, left, rows, percent)
