"""The one chain every entry point runs: workbook -> assessments -> scorecard -> files.

The command line, the live Excel macro and the frozen executable all call these
functions; none of them holds a rule of its own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .atomic import atomic_paths
from .errors import DataErrors, FileError, ValueParseError
from .model import Assessment, PerformanceWorkbook, Problem, Status
from .assessing.measure import assess_measure

Progress = Callable[[str], None]


def assess_workbook(workbook: PerformanceWorkbook) -> tuple[Assessment, ...]:
    """Assess every measure; each assessment carries the errors found on its row of the
    sheet the measures were read from (whatever its name)."""
    sheet = measures_sheet_of(workbook).casefold()
    by_row: dict[int, list[Problem]] = {}
    for p in workbook.errors:
        row = p.row
        if p.sheet.casefold() == sheet and row is not None:
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


def review(workbook: PerformanceWorkbook, assessments: tuple[Assessment, ...]
           ) -> PerformanceWorkbook:
    """``workbook`` with the warnings only an assessment can raise added to its problems:
    a Red measure marked Highlight (it would lead "Key areas of good performance"), at
    its Highlight cell. Reviewed once: a second review adds nothing."""
    place = workbook.places.measures
    col = place.column("highlight") if place is not None else None
    found = []
    for a in assessments:
        m = a.measure
        if m.highlight and a.status is Status.RED and not a.problems:
            found.append(Problem.at(
                measures_sheet_of(workbook), m.row, col,
                f"{m.ref} is Red but marked Highlight, so it leads \"Key areas of good "
                "performance\"; clear Highlight unless that is meant (was it last quarter's?)",
                "Yes", severity="warning"))
    known = set(workbook.problems)
    new = tuple(p for p in found if p not in known)
    return replace(workbook, problems=workbook.problems + new) if new else workbook


def measures_sheet_of(workbook: PerformanceWorkbook) -> str:
    """The sheet the measures were read from: where the reader found their table, else
    the sheet their columns were matched on, else ``Measures``."""
    if workbook.places.measures is not None:
        return workbook.places.measures.sheet
    return workbook.columns[0].sheet if workbook.columns else "Measures"


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
    from .publishing.xlsx import render_workbook
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
    html_path = out.with_suffix(".html") if html else None
    pdf_path = out.with_suffix(".pdf") if pdf else None
    targets = [p for p in (out, html_path, pdf_path) if p is not None]
    # All or nothing: every file is made in a temporary first; none replaces its target
    # unless all are ready.
    with atomic_paths(*targets) as temps:
        made = dict(zip(targets, temps))
        say(f"Writing {out}")
        _render_into(out, lambda: render_workbook(scorecard, made[out]))
        if html_path is not None:
            from .publishing.html import render_html
            say(f"Writing {html_path}")
            text = render_html(scorecard)
            _render_into(html_path, lambda: made[html_path].write_text(
                text, encoding="utf-8", newline="\n"))
        if pdf_path is not None:
            write_pdf(scorecard, made[pdf_path], say)
    return Result(review(workbook, assessments), assessments, out, pdf_path, html_path)


def _render_into(target: Path, render: Callable[[], object]) -> None:
    """Run a renderer that writes ``target``'s temporary; a failure names ``target``."""
    from xlsxwriter.exceptions import FileCreateError
    try:
        render()
    except (FileCreateError, OSError) as exc:
        raise FileError(f"{target}: cannot be written ({getattr(exc, 'strerror', None) or exc})"
                        ) from exc


def write_pdf(scorecard, target: Path, say: Progress = lambda _msg: None) -> Path:
    """The committee PDF: the page's print version, laid out by WeasyPrint."""
    from .publishing.html import render_html
    from .publishing.pdf import write_committee_pdf

    say(f"Writing {target}")
    return write_committee_pdf(render_html(scorecard, for_print=True), target,
                               language=scorecard.language, title=scorecard.title)
