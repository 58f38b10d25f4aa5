"""What the xlwings Lite scripts do to the open workbook: check it, regenerate its
scorecard sheets (SPEC section 8). Also usable from xlwings Server, whose scripts get
the same ``Book``.

Each function takes an xlwings ``Book`` (in Lite and Server, one built from the
workbook's contents, whose changes go back to Excel as actions) and works inside the
workbook: nothing is written beside it, as a browser add-in cannot. The steps are the
ones the desktop's live macro takes (:mod:`addin.live`): the live tables are read into
the same grids the file reader makes, assessed and built into the same
:class:`~kpi_core.publishing.scorecard.Scorecard` spec by :mod:`kpi_core`, and only the
sheets marked as generated before are replaced (the same marker and plan as
:func:`addin.live.plan_sheets`). :mod:`addin.book_render` writes the sheets.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kpi_core.model import PerformanceWorkbook, Problem
from kpi_core.pipeline import assess_workbook, review
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.spec import Cell, Column, Heading, Sheet, Table
from kpi_core.reading.tables import MEASURES

from .book_render import add_excel_tables, render_sheet
from .live import (
    MARKER_NAME, TABLE_NAMES, NumberFormats, marker_formula, plan_sheets, read_live_workbook, read_markers,
)

CHECK_SHEET = "Check"
#: How many problems the output pane lists before saying how many more there are.
PRINT_LIMIT = 30
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Written:
    """What a script did to the workbook."""

    sheets: tuple[str, ...] = ()    # the sheets it wrote, in order
    removed: tuple[str, ...] = ()   # generated sheets it deleted with nothing in their place
    problems: tuple[Problem, ...] = ()


async def read_number_formats(book) -> NumberFormats:
    """The number formats of the tables the reader reads, in xlwings Lite (and of the
    ``Measures`` sheet's used range where it has no Measures table).

    Lite's ``Book`` carries values only; formats are fetched from Excel on demand
    (``await rng.get_number_format()``). Elsewhere (xlwings Server) none are fetched and
    no cell counts as percent-formatted: a blank Unit is then ``%`` only where the
    figures are written as ``97%``.
    """
    if sys.platform != "emscripten":
        return {}
    wanted = {n.casefold() for n in TABLE_NAMES}
    formats: dict[str, Sequence[Sequence[object]]] = {}
    for sheet in book.sheets:
        for table in sheet.tables:
            key = table.name.casefold()
            if key in wanted and key not in formats:
                formats[key] = await table.range.get_number_format()
    if MEASURES.casefold() not in formats:
        for sheet in book.sheets:
            if sheet.name.casefold() == MEASURES.casefold():
                key = f"sheet:{sheet.name.casefold()}"
                formats[key] = await sheet.used_range.get_number_format()
    return formats


def replace_generated_sheets(book, sheets: Sequence[Sheet], owns: Callable[[str], bool]
                             ) -> Written:
    """Write ``sheets`` into ``book``, each in the place of the sheet generated from the same
    source before; delete the generated sheets that ``owns`` (their source name) and that
    nothing replaces. A sheet without the marker, or renamed since, is never touched.
    """
    markers = {s: src for s, src in read_markers(book).items() if owns(src)}
    plan = plan_sheets([s.name for s in book.sheets], [s.name for s in sheets], markers.get)
    specs = {s.name: s for s in sheets}
    taken = {s.name.casefold() for s in book.sheets}
    placed, layouts = {}, {}
    for n, item in enumerate(plan.sheets):
        temporary = f"kpi new {n}"
        while temporary.casefold() in taken:
            temporary += "+"
        taken.add(temporary.casefold())
        if item.before is not None:
            anchor = book.sheets[item.before]
            sheet = (book.sheets.add(temporary, before=anchor) if anchor.index == 1 else
                     book.sheets.add(temporary, after=book.sheets[anchor.index - 2]))
        elif item.after_source is not None:
            sheet = book.sheets.add(temporary, after=placed[item.after_source])
        else:
            sheet = book.sheets.add(temporary, after=book.sheets[len(book.sheets) - 1])
        layouts[item.source] = render_sheet(sheet, specs[item.source])
        placed[item.source] = sheet
    for name in plan.delete:
        book.sheets[name].delete()
    tables = {t.name.casefold() for s in book.sheets for t in s.tables}
    for item in plan.sheets:
        sheet = placed[item.source]
        sheet.name = item.name
        sheet.names.add(MARKER_NAME, marker_formula(item.source, item.name))
        add_excel_tables(sheet, layouts[item.source], tables)
    return Written(tuple(item.name for item in plan.sheets), plan.removed)


# --- Check workbook --------------------------------------------------------------------

def build_check_sheet(book_name: str, problems: Sequence[Problem]) -> Sheet:
    """The ``Check`` sheet: every problem with its ``Sheet!Cell``, errors first."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if problems:
        summary = (f"{errors} error(s) and {warnings} warning(s). Errors stop the scorecard; "
                   "fix each at its cell, then run Check workbook again.")
    else:
        summary = "No problems found: the scorecard can be regenerated."
    ordered = sorted(problems, key=lambda p: p.severity != "error")
    rows = tuple((Cell(f"{p.sheet}!{p.cell}" if p.cell else p.sheet, "text"),
                  Cell(p.severity.capitalize(), "text_bold" if p.severity == "error" else "text"),
                  Cell(p.message, "wrap")) for p in ordered)
    blocks = (Heading(f"Check of {book_name}", "title"), Heading(summary, "subtitle"))
    if rows:
        header = tuple(Cell(h, "header") for h in ("Cell", "Severity", "Problem"))
        blocks += (Table("problems", header, rows, repeat_header=True),)
    return Sheet(name=CHECK_SHEET, label=CHECK_SHEET,
                 columns=(Column(22), Column(11), Column(90, wrap=True)), blocks=blocks)


def _print_problems(problems: Sequence[Problem], say: Say) -> None:
    for p in problems[:PRINT_LIMIT]:
        say(f"  {p.severity}: {p.text}")
    if len(problems) > PRINT_LIMIT:
        say(f"  ... and {len(problems) - PRINT_LIMIT} more")


def check_book(book, number_formats: NumberFormats | None = None, say: Say = print
               ) -> Written:
    """List the workbook's problems on the ``Check`` sheet and in the output pane."""
    workbook = read_live_workbook(book, number_formats if number_formats is not None else {})
    workbook = review(workbook, assess_workbook(workbook))
    problems = workbook.problems
    say(f"Checked {len(workbook.measures)} measure(s): {len(workbook.errors)} error(s), "
        f"{len(problems) - len(workbook.errors)} warning(s).")
    _print_problems(problems, say)
    written = replace_generated_sheets(book, [build_check_sheet(book.name, problems)],
                                       lambda source: source == CHECK_SHEET)
    return Written(written.sheets, written.removed, problems)


# --- Regenerate scorecards -------------------------------------------------------------

def regenerate_book(book, number_formats: NumberFormats | None = None, say: Say = print
                    ) -> Written:
    """Regenerate the scorecard sheets inside the workbook from its live tables.

    With errors in the data nothing is changed: they are listed in the output pane.
    """
    workbook: PerformanceWorkbook = read_live_workbook(
        book, number_formats if number_formats is not None else {})
    if workbook.errors:
        say(f"{len(workbook.errors)} problem(s) in the data; nothing was changed. "
            "Run 'Check workbook' to list them on a sheet.")
        _print_problems(workbook.errors, say)
        return Written(problems=workbook.problems)
    say(f"Assessing {len(workbook.measures)} measure(s)")
    scorecard = build_scorecard(assess_workbook(workbook), workbook.settings)
    written = replace_generated_sheets(book, scorecard.sheets,
                                       lambda source: source != CHECK_SHEET)
    say("Wrote " + ", ".join(written.sheets)
        + (f"; removed {', '.join(written.removed)}" if written.removed else ""))
    return Written(written.sheets, written.removed, workbook.problems)
