"""A performance workbook read whole: its tables found, the Measures as a table or as a
plain range, then typed measures (benchmarks, comparators and history attached),
settings and every problem.

:func:`read_workbook` reads a file; :func:`parse_tables` does the work on plain
:class:`RawTable` grids, so the live Excel macro (which reads the same tables
through xlwings) shares every check. Every problem names its ``Sheet!Cell``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from ..model import ColumnSource, PerformanceWorkbook, Problem, Settings
from . import mapping, places
from .comparators import read_comparators
from .history import HISTORY_COLUMNS, history_columns, read_history_series
from .tables import (
    BENCHMARKS, COMPARATORS, HISTORY, MEASURE_COLUMNS, MEASURES, SETTINGS, SETTINGS_COLUMNS,
    TABLE_HINT, Sheet, apply_use_blue, column_overrides, has_period_headers, read_benchmarks,
    free_text_benchmarks, read_measures, read_settings, warn_missing_settings,
)
from .values import is_blank
from .xlsx import RawTable, WorkbookFile


def parse_tables(tables: Mapping[str, RawTable], sheets: tuple[str, ...] = (),
                 sheet_cells: Callable[[str], RawTable | None] | None = None,
                 owned: bool = False, titles: bool = False) -> PerformanceWorkbook:
    """Typed measures (benchmarks attached), settings and every problem, from raw tables.

    ``tables`` is keyed by table name, casefolded; ``sheets`` (the workbook's sheet
    names) sharpens the message when the Measures table is missing. Without a table
    named Measures, the measures are looked for as a plain range on the sheet
    ``Measures`` (or the one Settings ``Measures Sheet`` names): ``sheet_cells(name)``
    gives that sheet's cells (from the file, or from the live workbook). With ``owned``
    (the tables were read for this alone) the Comparators rows are let go as they are
    read. The History table is found by its name on any sheet, else as a plain range on
    a sheet named ``Past periods`` or ``History``. Where everything stands is kept, as
    integers, in :attr:`PerformanceWorkbook.places` for the code that edits the
    workbook; ``titles``: also the cells above the Measures header that name the current
    period (a close renames them).
    """
    problems: list[Problem] = []
    settings = Settings()
    if SETTINGS.casefold() in tables:
        settings = read_settings(tables[SETTINGS.casefold()], problems)
    elif SETTINGS.casefold() in (s.casefold() for s in sheets):
        problems.append(Problem(SETTINGS, "", f"sheet {SETTINGS} has no table named {SETTINGS}; "
                                "its values are not read", severity="warning"))
    measures_table = tables.get(MEASURES.casefold())
    measures_is_table = measures_table is not None
    if measures_table is None:
        measures_table = _plain_range(settings, sheets, sheet_cells, problems)
        if measures_table is None:
            warn_missing_settings(tables.get(SETTINGS.casefold()), settings, sheets, problems)
            return PerformanceWorkbook((), settings, tuple(problems))
    sources: list[ColumnSource] = []
    measures = read_measures(measures_table, problems, settings, sources)
    settings = apply_use_blue(settings, measures)
    # What each measure gains from the other tables, set once at the end (a copy of
    # each measure per table was 0.1 s of a 5,000-measure read with History)
    extra: dict[int, dict[str, object]] = {}
    if BENCHMARKS.casefold() in tables:
        refs = {m.ref.casefold() for m in measures if m.ref}
        found = read_benchmarks(tables[BENCHMARKS.casefold()], problems, refs)
        for i, m in enumerate(measures):
            if m.ref.casefold() in found:
                extra[i] = {"benchmarks": tuple(found.pop(m.ref.casefold()))}
    for i, texts in free_text_benchmarks(measures_table, measures, settings, problems,
                                         sources, skip=extra.keys()).items():
        extra[i] = texts
    if COMPARATORS.casefold() in tables:
        units = {m.ref.casefold(): m.unit for m in measures if m.ref}
        rows = read_comparators(tables[COMPARATORS.casefold()], problems, settings, units,
                                release_rows=owned)
        for i, m in enumerate(measures):
            if m.ref.casefold() in rows:
                extra.setdefault(i, {})["comparators"] = rows.pop(m.ref.casefold())
    history = tables.get(HISTORY.casefold())
    history_is_table = history is not None
    if history is None:
        history = _history_range(sheets, sheet_cells)
    history_place, at_current = None, []
    if history is not None or has_period_headers(measures_table):
        series = read_history_series(history, measures_table, measures,
                                     settings.current_period, problems, at_current)
        for i, m in enumerate(measures):
            found = series.get(m.ref.casefold()) if m.ref and series else None
            if found:
                extra.setdefault(i, {})["history"] = found
        if history is not None:
            history_place = places.table_place(history, history_columns(history),
                                               history_is_table)
    measures = [m.with_changes(extra[i]) if i in extra else m for i, m in enumerate(measures)]
    settings_table = tables.get(SETTINGS.casefold())
    m_place = places.measures_place(measures_table, tuple(sources), measures_is_table)
    found_titles = ()
    if titles and m_place.top > 1 and sheet_cells is not None:
        found_titles = places.period_titles(sheet_cells(m_place.sheet), m_place.top,
                                            settings.period)
    where = places.build_places(
        m_place, settings_table,
        Sheet(settings_table, []).columns(SETTINGS_COLUMNS) if settings_table else None,
        history_place, at_current, found_titles, sheets)
    warn_missing_settings(settings_table, settings, sheets, problems)
    return PerformanceWorkbook(tuple(measures), settings, tuple(problems), tuple(sources),
                               where)


#: Sheets whose cells are read as the History table when no Excel table is named History
#: (``History`` itself: workbooks made elsewhere may have one, though Excel reserves it).
HISTORY_SHEETS = ("Past periods", "History")


def _history_range(sheets: tuple[str, ...],
                   sheet_cells: Callable[[str], RawTable | None] | None) -> RawTable | None:
    """The History rows as a plain range on a sheet named ``Past periods`` or ``History``:
    from the first row (within the first 20) naming Ref, Period and Value, down to the
    first blank row."""
    if sheet_cells is None:
        return None
    words = mapping.header_words((c.field, c.headers) for c in HISTORY_COLUMNS)
    for wanted in HISTORY_SHEETS:
        present = next((s for s in sheets if s.casefold() == wanted.casefold()), None)
        cells = sheet_cells(present) if present is not None else None
        if cells is None:
            continue
        top = mapping.find_header_row(cells.rows, words, ("ref", "period", "value"))
        if top is None:
            continue
        header = list(cells.rows[top])
        headed = [ci for ci, v in enumerate(header) if not is_blank(v)]
        left, right = headed[0], headed[-1] + 1
        end = mapping.range_end(cells.rows, top)
        grid = [(list(row[left:right]) + [None] * (right - left))[:right - left]
                for row in cells.rows[top:end]]
        percent = frozenset((ri - top, ci - left) for ri, ci in cells.percent_cells
                            if top <= ri < end and left <= ci < right)
        return RawTable(HISTORY, cells.sheet, cells.top + top, cells.left + left, grid, percent)
    return None



def _plain_range(settings: Settings, sheets: tuple[str, ...],
                 sheet_cells: Callable[[str], RawTable | None] | None,
                 problems: list[Problem]) -> RawTable | None:
    """The Measures table as a range without an Excel table, or ``None`` with the problem."""
    name = settings.measures_sheet or MEASURES
    present = next((s for s in sheets if s.casefold() == name.casefold()), None)
    if present is None:
        if settings.measures_sheet:
            message = (f"Settings 'Measures Sheet' names the sheet '{name}', which the workbook "
                       f"does not have (sheets found: {', '.join(sheets) or 'none'})")
        else:
            message = (f"the workbook has no sheet {MEASURES} with a table {MEASURES} "
                       f"(sheets found: {', '.join(sheets) or 'none'})")
        problems.append(Problem(MEASURES, "", message))
        return None
    cells = sheet_cells(present) if sheet_cells is not None else None
    words = mapping.header_words(((c.field, c.headers) for c in MEASURE_COLUMNS),
                                 column_overrides(settings))
    found = mapping.locate_range(cells, words, MEASURES) if cells is not None else None
    if found is None:
        problems.append(Problem(present, "", (
            f"sheet {present} has no Excel table named {MEASURES}, and none of its first "
            f"{mapping.HEADER_SEARCH_ROWS} rows is a header row naming Ref and Measure (or "
            "Indicator, KPI, Description): add those headers above your measures, or "
            + TABLE_HINT.format(name=MEASURES))))
    return found


def read_workbook(path: str | os.PathLike, *, titles: bool = False) -> PerformanceWorkbook:
    """Read a performance workbook file. File-level failures raise :class:`FileError`;
    data problems are returned in ``problems``, never raised. ``titles``: see
    :func:`parse_tables`."""
    with WorkbookFile(path) as workbook:
        # the tables of one row a measure or more by column where they are plain, alone
        # on their sheets (:mod:`.columnar`): on 5,000 measures the Measures and Benchmarks
        # 0.04 s sooner than by rows, History's 40,000 rows 0.07 s, Comparators' 809,040
        # some 3 s; the same tables
        raw = workbook.tables((MEASURES, BENCHMARKS, SETTINGS, HISTORY, COMPARATORS),
                              by_column=(MEASURES, BENCHMARKS, HISTORY, COMPARATORS))
        return parse_tables(raw.tables, raw.sheets, workbook.sheet, owned=True,
                            titles=titles)
