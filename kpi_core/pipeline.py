"""The one chain every entry point runs: workbook -> assessments -> scorecard -> files.

The command line, the live Excel macro and the frozen executable all call these
functions; none of them holds a rule of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import DataErrors, ValueParseError
from .model import Assessment, PerformanceWorkbook, Problem, Status
from .assessing.measure import assess_measure
from .cells import parse_cell_address

Progress = Callable[[str], None]


def _row_of(problem: Problem) -> int | None:
    try:
        return parse_cell_address(problem.cell)[0] if problem.cell else None
    except ValueError:
        return None


def assess_workbook(workbook: PerformanceWorkbook, measures_sheet: str = "Measures"
                    ) -> tuple[Assessment, ...]:
    """Assess every measure; each assessment carries the errors found on its row."""
    by_row: dict[int, list[Problem]] = {}
    for p in workbook.errors:
        row = _row_of(p)
        if p.sheet.casefold() == measures_sheet.casefold() and row is not None:
            by_row.setdefault(row, []).append(p)
    out = []
    for measure in workbook.measures:
        found = by_row.get(measure.row) if measure.row is not None else None
        if not found:
            out.append(assess_measure(measure, workbook.settings))
            continue
        try:  # shown as Check data, never counted
            a = assess_measure(measure, workbook.settings, tuple(found))
        except ValueParseError:  # e.g. Within range whose Target Upper is the error found
            a = Assessment(measure, Status.DATA_UNAVAILABLE, found[0].text,
                           problems=tuple(found))
        out.append(a)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Result:
    workbook: PerformanceWorkbook
    assessments: tuple[Assessment, ...]
    output: Path | None = None
    pdf: Path | None = None
    html: Path | None = None


def build_and_write(workbook: PerformanceWorkbook, out: str | os.PathLike, *,
                    keep_going: bool = False, pdf: bool = False, title: str | None = None,
                    progress: Progress | None = None, html: bool = False) -> Result:
    """Assess, build the scorecard and write ``out`` (and its web page, its PDF).

    ``html`` writes the web page beside ``out`` (``.html``); ``pdf`` the committee
    PDF (``.pdf``), the page's print version laid out by WeasyPrint.

    Data errors raise :class:`DataErrors` unless ``keep_going``, in which case the
    affected measures show their problem instead of a status.
    """
    from .publishing.xlsx import write_scorecard
    from .publishing.scorecard import build_scorecard

    say = progress or (lambda _msg: None)
    if workbook.errors and not keep_going:
        raise DataErrors(workbook.errors)
    if pdf:  # what is missing for the PDF is said before anything is written
        from .publishing.pdf import check_pdf_route
        check_pdf_route()
    say(f"Assessing {len(workbook.measures):,} measures")
    assessments = assess_workbook(workbook)
    say("Building the scorecard")
    scorecard = build_scorecard(assessments, workbook.settings, title=title)
    out = Path(out)
    say(f"Writing {out}")
    write_scorecard(scorecard, out)
    html_path = pdf_path = None
    if html:
        from .publishing.html import write_html
        html_path = out.with_suffix(".html")
        say(f"Writing {html_path}")
        write_html(scorecard, html_path)
    if pdf:
        pdf_path = write_pdf(scorecard, out.with_suffix(".pdf"), say)
    return Result(workbook, assessments, out, pdf_path, html_path)


def write_pdf(scorecard, target: Path, say: Progress = lambda _msg: None) -> Path:
    """The committee PDF: the page's print version, laid out by WeasyPrint."""
    from .publishing.html import render_html
    from .publishing.pdf import write_committee_pdf

    say(f"Writing {target}")
    return write_committee_pdf(render_html(scorecard, for_print=True), target,
                               language=scorecard.language, title=scorecard.title)
