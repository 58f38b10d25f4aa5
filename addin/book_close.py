"""Close the period inside the open workbook (the xlwings Lite script *Close period*).

The same close as ``kpi-scorecard close-period``: the live tables are read as the
command line reads the file, :func:`kpi_core.authoring.closing.build_close_plan`
decides every edit, and :func:`addin.book_plan.apply_plan` makes them through xlwings,
since Lite cannot write a file. No rule lives here. Nothing changes when the plan is
refused (the data has errors, the period cannot be read or is not the next one, no
measure has a figure, History already holds a row the close would add).

Differences from the command line, which edits a copy: this edits the open workbook
(Excel's Undo does not reach a script's changes: save a copy first).
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi_core.authoring.closing import build_close_plan
from kpi_core.errors import KpiError
from kpi_core.reading.workbook import parse_tables

from .book_plan import apply_plan
from .live import NumberFormats, read_live_sheet, read_live_tables


@dataclass(frozen=True, slots=True)
class ClosedInBook:
    closed: str = ""
    opened: str = ""
    rows: int = 0            # History rows added
    history_added: bool = False
    refused: str = ""        # why nothing was changed, when it was not


def read_plan(book, next_period: str = "", number_formats: NumberFormats | None = None,
              allow_gap: bool = False):
    """The close of the open workbook, decided (nothing applied)."""
    formats = number_formats if number_formats is not None else {}
    tables = read_live_tables(book, formats)
    workbook = parse_tables(tables, tuple(s.name for s in book.sheets),
                            lambda name: read_live_sheet(book, name, formats), titles=True)
    return build_close_plan(workbook, next_period, allow_gap=allow_gap)


def close_book(book, next_period: str = "", number_formats: NumberFormats | None = None,
               say=print, allow_gap: bool = False) -> ClosedInBook:
    """Close the workbook's current period (Settings ``Period``) and open ``next_period``
    (blank: the period right after it)."""
    closing = read_plan(book, next_period, number_formats, allow_gap)
    if closing.refused:
        refusals = closing.plan.refusals
        for p in refusals[:30]:
            say(f"  {p.text}")
        reason = (refusals[0].message if len(refusals) == 1 else
                  f"{len(refusals)} problem(s); run 'Check workbook' to list them on a sheet")
        say(f"Nothing was changed: {reason}")
        return ClosedInBook(refused=reason)
    try:
        apply_plan(book, closing.plan)
    except KpiError as exc:
        say(f"Nothing was changed: {exc}")
        return ClosedInBook(refused=str(exc))
    for p in closing.plan.warnings[:30]:
        say(f"  warning: {p.text}")
    for note in closing.plan.notes:
        say(f"  note: {note}")
    say(closing.summary() + ".")
    return ClosedInBook(closing.closed, closing.opened, closing.rows, closing.history_added)
