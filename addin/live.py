"""The live macro: regenerate the scorecard sheets inside the open workbook (SPEC section 8).

Three layers, the first two pure and tested without Excel:

* :func:`read_live_tables` reads the Measures, Benchmarks and Settings tables of an
  xlwings Book (or anything shaped like one) into the same :class:`RawTable` grids
  the file reader makes, so :func:`kpi_core.reading.tables.parse_tables` gives the same
  measures and the same ``Sheet!Cell`` problems as reading the saved file.
* :func:`plan_sheets` decides which sheets to replace, delete and insert, and where.
* :func:`regenerate_live` (RunPython, or ``kpi-scorecard regenerate --live``) is the
  thin COM layer: read, build and write ``<book name> - Scorecards.xlsx`` beside the
  book through :func:`kpi_core.pipeline.build_and_write`, then copy its sheets in.

Which sheets are ours: every sheet this macro puts in the workbook gets a hidden,
sheet-scoped defined name ``KpiScorecard_Generated`` whose value records the sheet it
came from and the name it was given (``="Summary:Summary"``). A sheet-scoped name
travels with its sheet and dies with it, so a sheet counts as generated only while
it carries the marker *and* still has the name it was given: a user's own sheet,
one they renamed (to keep last quarter's) or a copy they made is never touched.
Where a user's own sheet already has a generated sheet's name (their own
``Summary``), the generated one is called ``Summary (scorecard)`` instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kpi_core.cells import cell_address
from kpi_core.model import PerformanceWorkbook
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.tables import BENCHMARKS, COMPARATORS, HISTORY, MEASURES, SETTINGS
from kpi_core.reading.workbook import parse_tables
from kpi_core.reading.scan import CellError
from kpi_core.reading.xlsx import RawTable

MARKER_NAME = "KpiScorecard_Generated"
RENAMED_SUFFIX = " (scorecard)"
MAX_SHEET_NAME = 31
#: What xlwings gives for Excel's error values when asked for them as text (``err_to_str``).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
})
TABLE_NAMES = (MEASURES, BENCHMARKS, SETTINGS, HISTORY, COMPARATORS)


# --- which sheets go where -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlannedSheet:
    """One sheet of the scorecard workbook and its place in the open workbook."""

    source: str               # its name in the written scorecard workbook
    name: str                 # the name it takes in the open workbook
    replaces: str | None      # the previously generated sheet it takes the place of
    before: str | None        # put it before this sheet of the open workbook ...
    after_source: str | None  # ... or after the copy of this earlier source sheet
    # before and after_source both None: after the workbook's last sheet


@dataclass(frozen=True, slots=True)
class Plan:
    sheets: tuple[PlannedSheet, ...]
    delete: tuple[str, ...]   # every previously generated sheet, deleted once the copies are in

    @property
    def removed(self) -> tuple[str, ...]:
        """Previously generated sheets that nothing replaces (a portfolio that went away)."""
        replaced = {s.replaces for s in self.sheets}
        return tuple(s for s in self.delete if s not in replaced)


def _free_name(source: str, taken: set[str]) -> str:
    """``source``, or ``source (scorecard)`` (shortened to 31 characters) when taken.

    >>> _free_name("Summary", {"summary"}), _free_name("Summary", set())
    ('Summary (scorecard)', 'Summary')
    >>> _free_name("Children's Services and Families", {"children's services and families"})
    "Children's Services (scorecard)"
    """
    if source.casefold() not in taken:
        return source
    for n in range(1, 100):
        suffix = RENAMED_SUFFIX if n == 1 else f" (scorecard {n})"
        name = source[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
        if name.casefold() not in taken:
            return name
    raise ValueError(f"no free sheet name for {source!r}")


def plan_sheets(existing_sheets: Sequence[str], generated_names: Sequence[str],
                marker_of: Callable[[str], str | None]) -> Plan:
    """Where each generated sheet goes in the open workbook, and which old ones go.

    ``marker_of(sheet)`` is the source name a previously generated sheet came from,
    ``None`` for every other sheet (see :func:`parse_marker`). A new sheet takes the
    place of the old sheet from the same source; one with no predecessor follows the
    previous new sheet (the first goes before the first old generated sheet, or at
    the end). Sheets that are not ours are never replaced, deleted or renamed.

    >>> old = {"Summary": "Summary", "Adults": "Adults"}
    >>> plan = plan_sheets(["Measures", "Summary", "Adults"], ["Summary", "Children"], old.get)
    >>> [(s.name, s.replaces, s.before, s.after_source) for s in plan.sheets]
    [('Summary', 'Summary', 'Summary', None), ('Children', None, None, 'Summary')]
    >>> plan.delete, plan.removed
    (('Summary', 'Adults'), ('Adults',))
    """
    old = [s for s in existing_sheets if marker_of(s) is not None]
    by_source: dict[str, str] = {}
    for sheet in old:
        by_source.setdefault(marker_of(sheet).casefold(), sheet)
    old_set = set(old)
    taken = {s.casefold() for s in existing_sheets if s not in old_set}
    planned = []
    previous: str | None = None
    for source in generated_names:
        replaced = by_source.pop(source.casefold(), None)
        name = _free_name(source, taken)
        taken.add(name.casefold())
        if replaced is not None:
            before, after = replaced, None
        elif previous is not None:
            before, after = None, previous
        else:
            before, after = (old[0] if old else None), None
        planned.append(PlannedSheet(source, name, replaced, before, after))
        previous = source
    return Plan(tuple(planned), tuple(old))


def marker_formula(source: str, name: str) -> str:
    """The value of a generated sheet's marker name: its source and the name it was given.

    >>> print(marker_formula("Summary", "Summary (scorecard)"))
    ="Summary:Summary (scorecard)"
    """
    return '="' + f"{source}:{name}".replace('"', '""') + '"'


def parse_marker(refers_to: str | None, sheet_name: str) -> str | None:
    """The source name recorded in a marker, if the sheet still has the name it was given.

    Sheet names cannot hold ``:``, so the first one separates source from name.

    >>> parse_marker('="Summary:Summary (scorecard)"', "Summary (scorecard)")
    'Summary'
    >>> parse_marker('="Summary:Summary"', "Summary (2)") is None   # a copy the user made
    True
    """
    if not refers_to:
        return None
    text = refers_to.strip()
    if not (text.startswith('="') and text.endswith('"')):
        return None
    source, sep, name = text[2:-1].replace('""', '"').partition(":")
    if not sep or name.casefold() != sheet_name.casefold():
        return None
    return source


# --- reading the live tables -----------------------------------------------------------

def _is_percent_format(code: object) -> bool:
    """A number format that shows a percent (``0%``, ``0.0%``), not a literal ``"%"``.

    >>> _is_percent_format("0.0%"), _is_percent_format('0 "%"'), _is_percent_format(None)
    (True, False, False)
    """
    return isinstance(code, str) and "%" in re.sub(r'"[^"]*"|\\.', "", code)


def _cell(value: object) -> object:
    """A live cell as the file reader sees it: Excel error values become :class:`CellError`.

    xlwings gives an error value and the same text typed into a cell alike, so the text
    ``#N/A`` reads here as the error (the file reader tells them apart).
    """
    if isinstance(value, str) and value in EXCEL_ERRORS:
        return CellError(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


#: Number formats fetched ahead, by casefolded table name (or ``sheet:<name>`` for a
#: plain range), each the range's formats row by row: how xlwings Lite, whose ``Book``
#: cannot answer ``number_format`` at once, passes them in.
NumberFormats = Mapping[str, Sequence[Sequence[object]]]


def _raw_table(table, sheet_name: str, formats: Sequence[Sequence[object]] | None = None
               ) -> RawTable:
    """One live table (xlwings ``Table``) as the grid the file reader would make."""
    return _range_table(table.name, sheet_name, table.range, formats=formats)


def _range_table(name: str, sheet_name: str, rng, first: int = 1,
                 formats: Sequence[Sequence[object]] | None = None) -> RawTable:
    """A live range as a :class:`RawTable`; the number formats of rows ``first`` on
    are looked at for percents (a table's header row has none). ``formats``: the range's
    formats row by row, where they were fetched ahead; ``None`` asks the range."""
    values = rng.options(ndim=2, err_to_str=True).value or []
    rows = [[_cell(v) for v in row] for row in values]
    raw = table_from_values(name, sheet_name, cell_address(rng.row, rng.column), rows)
    percent: set[tuple[int, int]] = set()
    n_rows = len(rows)
    if formats is not None:
        percent.update((ri, ci) for ri, codes in enumerate(formats) if first <= ri < n_rows
                       for ci, code in enumerate(codes) if _is_percent_format(code))
        return replace(raw, percent_cells=frozenset(percent))
    for ci in range(len(rows[0]) if rows else 0):
        if n_rows <= first:
            break
        fmt = rng[first:n_rows, ci].number_format  # one call per column; None when mixed
        if isinstance(fmt, str):
            if _is_percent_format(fmt):
                percent.update((ri, ci) for ri in range(first, n_rows))
            continue
        percent.update((ri, ci) for ri in range(first, n_rows)
                       if _is_percent_format(rng[ri, ci].number_format))
    return replace(raw, percent_cells=frozenset(percent))


def read_live_sheet(book, name: str, number_formats: NumberFormats | None = None
                    ) -> RawTable | None:
    """A sheet's used range (named case-insensitively), for measures kept as a plain
    range without an Excel table; :func:`parse_tables` finds the header row and the end
    exactly as it does for a saved file."""
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            rng = getattr(sheet, "used_range", None)
            formats = (None if number_formats is None
                       else number_formats.get(f"sheet:{sheet.name.casefold()}", ()))
            return None if rng is None else _range_table(sheet.name, sheet.name, rng, first=0,
                                                         formats=formats)
    return None


def read_live_tables(book, number_formats: NumberFormats | None = None
                     ) -> dict[str, RawTable]:
    """The Measures, Benchmarks and Settings tables of an open workbook, keyed by
    casefolded table name, as :func:`kpi_core.reading.tables.parse_tables` takes them.

    ``book`` needs only ``book.sheets`` (each with ``.name`` and ``.tables``, each table
    with ``.name`` and ``.range``; a range with ``.options(...).value``, ``.row``,
    ``.column``, ``.number_format`` and ``[rows, column]`` indexing), as xlwings gives.
    ``number_formats`` stands in for ``.number_format`` where a book cannot answer it at
    once (xlwings Lite and Server); a table missing from it has no percent-formatted cells.
    """
    wanted = {n.casefold() for n in TABLE_NAMES}
    found: dict[str, RawTable] = {}
    for sheet in book.sheets:
        for table in sheet.tables:
            key = table.name.casefold()
            if key in wanted and key not in found:
                formats = None if number_formats is None else number_formats.get(key, ())
                found[key] = _raw_table(table, sheet.name, formats)
    return found


def read_live_workbook(book, number_formats: NumberFormats | None = None
                       ) -> PerformanceWorkbook:
    """Typed measures, settings and problems of the open workbook."""
    return parse_tables(read_live_tables(book, number_formats),
                        tuple(s.name for s in book.sheets),
                        lambda name: read_live_sheet(book, name, number_formats))


# --- the COM layer ---------------------------------------------------------------------

def scorecard_path(book_fullname: str) -> Path:
    """``<book name> - Scorecards.xlsx`` beside the book.

    >>> scorecard_path("/data/Q2 performance.xlsm").name
    'Q2 performance - Scorecards.xlsx'
    """
    path = Path(book_fullname)
    return path.with_name(f"{path.stem} - Scorecards.xlsx")


def read_markers(book) -> dict[str, str]:
    """Sheet name -> source name, for the sheets this macro generated."""
    found = {}
    for sheet in book.sheets:
        for name in sheet.names:
            if name.name.rsplit("!", 1)[-1] == MARKER_NAME:
                source = parse_marker(name.refers_to, sheet.name)
                if source is not None:
                    found[sheet.name] = source
    return found


def _problems_text(problems: Iterable, limit: int = 15) -> str:
    problems = list(problems)
    lines = [p.text for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more")
    return "\n".join(lines)


def apply_plan(book, scorecard_book, plan: Plan) -> None:
    """Copy the scorecard's sheets into ``book`` as planned, then mark them as ours."""
    copies = {}
    for item in plan.sheets:
        source = scorecard_book.sheets[item.source]
        if item.before is not None:
            copies[item.source] = source.copy(before=book.sheets[item.before])
        elif item.after_source is not None:
            copies[item.source] = source.copy(after=copies[item.after_source])
        else:
            copies[item.source] = source.copy(after=book.sheets[-1])
    for name in plan.delete:
        book.sheets[name].delete()
    for item in plan.sheets:
        sheet = copies[item.source]
        sheet.name = item.name
        marker = sheet.names.add(MARKER_NAME, marker_formula(item.source, item.name))
        try:
            marker.api.Visible = False  # Windows; on a Mac the name stays in Name Manager
        except AttributeError:
            pass


def regenerate_live(book=None) -> Path | None:
    """Regenerate the scorecard sheets in the open workbook (RunPython entry point).

    Returns the committee workbook written beside it, or ``None`` when the data has
    errors (they are shown in a message and nothing is changed).
    """
    import xlwings as xw

    from kpi_core.pipeline import build_and_write

    book = book or xw.Book.caller()
    app = book.app

    def say(message: str) -> None:
        app.status_bar = f"KPI Scorecard: {message}"

    try:
        say("reading the Measures table")
        workbook = read_live_workbook(book)
        if workbook.errors:
            _tell(app, f"{len(workbook.errors)} problem(s) in the data; nothing was changed.\n\n"
                  + _problems_text(workbook.errors))
            return None
        out = scorecard_path(book.fullname)
        result = build_and_write(workbook, out, progress=say)
        say("copying the scorecard sheets in")
        scorecard_book = app.books.open(str(result.output))
        try:
            names = [s.name for s in scorecard_book.sheets]
            markers = read_markers(book)
            apply_plan(book, scorecard_book, plan_sheets([s.name for s in book.sheets], names,
                                                         markers.get))
        finally:
            scorecard_book.close()
        return result.output
    finally:
        app.status_bar = False  # hand the status bar back to Excel


def _tell(app, message: str) -> None:
    alert = getattr(app, "alert", None)
    if alert is None:
        print(message)
    else:
        alert(message, title="KPI Scorecard")
