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
from dataclasses import replace

from ..model import ColumnSource, PerformanceWorkbook, Problem, Settings
from . import mapping
from .comparators import read_comparators
from .history import read_history
from .tables import (
    BENCHMARKS, COMPARATORS, HISTORY, MEASURE_COLUMNS, MEASURES, SETTINGS, TABLE_HINT,
    apply_use_blue, column_overrides, has_period_headers, read_benchmarks,
    read_free_text_benchmarks, read_measures, read_settings,
)
from .xlsx import RawTable, WorkbookFile


def parse_tables(tables: Mapping[str, RawTable], sheets: tuple[str, ...] = (),
                 sheet_cells: Callable[[str], RawTable | None] | None = None,
                 owned: bool = False) -> PerformanceWorkbook:
    """Typed measures (benchmarks attached), settings and every problem, from raw tables.

    ``tables`` is keyed by table name, casefolded; ``sheets`` (the workbook's sheet
    names) sharpens the message when the Measures table is missing. Without a table
    named Measures, the measures are looked for as a plain range on the sheet
    ``Measures`` (or the one Settings ``Measures Sheet`` names): ``sheet_cells(name)``
    gives that sheet's cells (from the file, or from the live workbook). With ``owned``
    (the tables were read for this alone) the Comparators rows are let go as they are
    read.
    """
    problems: list[Problem] = []
    settings = Settings()
    if SETTINGS.casefold() in tables:
        settings = read_settings(tables[SETTINGS.casefold()], problems)
    elif SETTINGS.casefold() in (s.casefold() for s in sheets):
        problems.append(Problem(SETTINGS, "", f"sheet {SETTINGS} has no table named {SETTINGS}; "
                                "its values are not read", severity="warning"))
    measures_table = tables.get(MEASURES.casefold())
    if measures_table is None:
        measures_table = _plain_range(settings, sheets, sheet_cells, problems)
        if measures_table is None:
            return PerformanceWorkbook((), settings, tuple(problems))
    sources: list[ColumnSource] = []
    measures = read_measures(measures_table, problems, settings, sources)
    settings = apply_use_blue(settings, measures)
    if BENCHMARKS.casefold() in tables:
        refs = {m.ref.casefold() for m in measures if m.ref}
        found = read_benchmarks(tables[BENCHMARKS.casefold()], problems, refs)
        measures = [m if m.ref.casefold() not in found else
                    replace(m, benchmarks=tuple(found.pop(m.ref.casefold())))
                    for m in measures]
    measures = read_free_text_benchmarks(measures_table, measures, settings, problems,
                                          sources)
    if COMPARATORS.casefold() in tables:
        units = {m.ref.casefold(): m.unit for m in measures if m.ref}
        rows = read_comparators(tables[COMPARATORS.casefold()], problems, settings, units,
                                release_rows=owned)
        measures = [m if m.ref.casefold() not in rows else
                    replace(m, comparators=tuple(rows.pop(m.ref.casefold())))
                    for m in measures]
    history = tables.get(HISTORY.casefold())
    if history is not None or has_period_headers(measures_table):
        measures = read_history(history, measures_table, list(measures),
                                settings.current_period, problems)
    return PerformanceWorkbook(tuple(measures), settings, tuple(problems), tuple(sources))


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


def read_workbook(path: str | os.PathLike) -> PerformanceWorkbook:
    """Read a performance workbook file. File-level failures raise :class:`FileError`;
    data problems are returned in ``problems``, never raised."""
    with WorkbookFile(path) as workbook:
        raw = workbook.tables((MEASURES, BENCHMARKS, SETTINGS, HISTORY, COMPARATORS))
        return parse_tables(raw.tables, raw.sheets, workbook.sheet, owned=True)
