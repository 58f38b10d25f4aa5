"""Close a period: this period on record in History, the next one started clean.

:func:`build_close_plan` decides everything once, as a frozen
:class:`~kpi_core.authoring.plan.WorkbookPlan` built from what the reader found
(positions as integers, never searched for again): each measure's Current, Target,
published status and Notes become rows of the ``History`` table under the period
closed (on a ``Past periods`` sheet made for it when there is none), ``Previous``
takes what ``Current`` held, the per-period cells are cleared (Current, Data Status,
RAG Override, Override Reason, Notes, Highlight), Settings ``Period`` and any title
above the Measures header that names the period name the next one. Each measure is
recorded under its own frequency's period (:func:`closing_period`); in the wide
layout, under its period's own Measures column.

Two writers apply the plan and decide nothing: :func:`close_period` writes a new file
part by part (:func:`kpi_core.authoring.package.write_plan`), then reads it back as
``check`` reads it before it replaces OUT; ``addin/book_close.py`` edits the open
workbook through xlwings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path
from ..errors import DataErrors, FileError, KpiError, UsageError, ValueParseError
from ..model import (
    Assessment, CellRef, Measure, PerformanceWorkbook, Period, Problem, TablePlace,
)
from ..pipeline import assess_workbook
from ..reading.periods import parse_period
from ..reading.workbook import read_workbook
from .package import write_plan
from .plan import BLANK, NUMBER, TEXT, CellEdit, TableRows, Value, WorkbookPlan
from .template import HISTORY_HEADERS, HISTORY_SHEET

HISTORY_TABLE = "History"
#: The Measures fields that belong to the period closed: cleared once it is on record
#: (last quarter's Highlight must not put a measure under Key areas this quarter).
PER_PERIOD = ("current", "data_status", "rag_override", "override_reason", "notes",
              "highlight")
_HISTORY_FIELDS = ("ref", "period", "value", "target", "status", "notes")
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True, slots=True)
class ClosePlan:
    """A close decided: the plan for the writers, and what it does in words."""

    plan: WorkbookPlan
    closed: str = ""  # the period closed, as Settings wrote it
    opened: str = ""  # the period opened
    rows: int = 0  # History rows added
    history_added: bool = False  # the Past periods sheet and its History table are new
    in_columns: int = 0  # measures whose closed period has its own Measures column (wide)
    figures: int = 0  # measures with a figure for the period closed
    #: refused for how it was asked (the next period, no Settings Period), not for the
    #: data: the command line's usage error
    usage: bool = False

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.plan.problems

    @property
    def refused(self) -> bool:
        return self.plan.refused

    def summary(self) -> str:
        where = (f"History (on a new sheet, {self.plan.tables[0].sheet})"
                 if self.history_added else "History")
        wide = (f", {self.in_columns} kept in their period's Measures column"
                if self.in_columns else "")
        return (f"Closed {self.closed}: {self.rows} row(s) added to {where}{wide}; Previous "
                f"holds the closed figures; Current, Data Status, RAG Override, Override "
                f"Reason, Notes and Highlight are cleared; {self.opened} opened")


@dataclass(frozen=True, slots=True)
class Closed:
    """What :func:`close_period` wrote."""

    output: Path
    closed: str
    opened: str
    rows: int
    history_added: bool
    notes: tuple[str, ...] = ()
    in_columns: int = 0
    warnings: tuple[Problem, ...] = ()
    summary: str = ""


def default_output(book: Path, next_period: str) -> Path:
    """``<BOOK stem> - <next period>.xlsx`` (or ``.xlsm``, as BOOK) in the current folder,
    the characters a file name cannot hold (the ``/`` of ``2016/17``) made ``-``; a
    period already at the end of BOOK's name is replaced, not added to.

    >>> default_output(Path("in/book.xlsm"), "Q3 2016/17").name
    'book - Q3 2016-17.xlsm'
    >>> default_output(Path("demo - Q3 2016-17.xlsx"), "Q4 2016/17").name
    'demo - Q4 2016-17.xlsx'
    >>> default_output(Path("Plan - Sep 2016.xlsx"), "Oct 2016").name
    'Plan - Oct 2016.xlsx'
    """
    label = _UNSAFE_NAME.sub("-", " ".join(next_period.split()))
    stem = book.stem
    head, sep, tail = stem.rpartition(" - ")
    if sep and _is_period_label(tail):
        stem = head
    return Path.cwd() / f"{stem} - {label}{book.suffix.lower()}"


def _is_period_label(text: str) -> bool:
    """A period label as a file name writes it (``Q3 2016-17``: the ``/`` made ``-``)."""
    for candidate in (text, re.sub(r"(\d{4})-(\d{2})\b", r"\1/\2", text)):
        try:
            parse_period(candidate)
            return True
        except (ValueParseError, ValueError):
            continue
    return False


def closing_period(measure: Measure, current: Period, opened: Period) -> Period | None:
    """The period a measure's Current belongs to when closing moves it on, or ``None``
    when its own period is still open.

    A measure of another frequency than the workbook's stands for its latest period
    (:meth:`Period.latest`, as the History reader reads it): a monthly measure in
    ``Q2 2016/17`` is ``Sep 2016``; an annual one keeps its outturn (``2015/16``)
    until closing reaches the next year's.

    >>> from kpi_core.model import Frequency
    >>> q2, q3, q4 = (parse_period(f"Q{q} 2016/17") for q in (2, 3, 4))
    >>> closing_period(Measure("M", "P", "m", frequency=Frequency.MONTHLY), q2, q3).label
    'Sep 2016'
    >>> closing_period(Measure("A", "P", "a", frequency=Frequency.ANNUAL), q2, q3) is None
    True
    >>> closing_period(Measure("A", "P", "a", frequency=Frequency.ANNUAL), q3, q4).label
    '2015/16'
    """
    if measure.frequency is None:
        return current
    try:
        now, then = current.latest(measure.frequency), opened.latest(measure.frequency)
    except KeyError:
        return current  # a frequency periods do not model (weekly, termly): the workbook's
    if now == then:
        return None
    return current if now == current else now


def build_close_plan(workbook: PerformanceWorkbook, next_period: str, *,
                     allow_gap: bool = False,
                     assessments: tuple[Assessment, ...] | None = None) -> ClosePlan:
    """The close of ``workbook``'s current period (Settings ``Period``) and the opening of
    ``next_period`` (blank: the period right after it), decided once.

    Refusals are problems of severity ``error`` in the plan, each at its cell: the data's
    own errors, no Settings Period, a next period that does not read or is not the one
    right after (unless ``allow_gap``), no measure with a figure for the period closed,
    a (Ref, period) History already holds. Measures with no figure are warnings.
    ``workbook`` must be read with ``titles=True`` for the title cells to be renamed.
    """
    places = workbook.places
    refusals: list[Problem] = []
    warnings: list[Problem] = []
    notes: list[str] = []
    period_cell = places.setting("period")
    settings_sheet = places.settings.sheet if places.settings else "Settings"

    def refuse(message: str, at: CellRef | None = None, sheet: str = settings_sheet,
               value: object = None, usage: bool = False) -> ClosePlan:
        refusals.append(Problem.at(at.sheet if at else sheet, at.row if at else None,
                                   at.col if at else None, message, value))
        return ClosePlan(WorkbookPlan(problems=(*workbook.errors, *refusals)), usage=usage)

    if workbook.errors:
        return ClosePlan(WorkbookPlan(problems=workbook.errors))
    closed_text = " ".join((workbook.settings.period or "").split())
    current = workbook.settings.current_period
    if places.settings is None:
        return refuse("the workbook has no Settings table, so no current period to close; "
                      "add a Settings sheet with a table Settings (Setting, Value) and a row "
                      "Period, e.g. Q2 2016/17", usage=True)
    if period_cell is None or current is None:
        return refuse("the Settings table has no Period, so there is no current period to "
                      "close; add a row Period with the period the workbook holds now (e.g. "
                      "Q2 2016/17)", period_cell, usage=True)
    opened_text = " ".join(str(next_period or "").split()) or current.next().label
    try:
        opened = parse_period(opened_text)
    except (ValueParseError, ValueError) as exc:
        return refuse(f"--next {opened_text!r}: {exc}; write it as the Settings Period is "
                      f"written, e.g. {current.next().label}", period_cell, value=opened_text,
                      usage=True)
    try:
        after = opened > current
    except TypeError:
        after = False
    if not after:
        return refuse(f"--next {opened.label} is not after the current period "
                      f"{current.label}; the next one is {current.next().label}",
                      period_cell, value=opened_text, usage=True)
    if opened != current.next():
        if not allow_gap:
            return refuse(f"--next {opened.label}: the period after {current.label} is "
                          f"{current.next().label}; to skip the periods between, say so "
                          "with --allow-gap", period_cell, value=opened_text, usage=True)
        notes.append(f"{opened.label} is not the period right after {current.label} "
                     f"({current.next().label}); the periods between are left out "
                     "(--allow-gap)")
    m_place = places.measures
    cols = dict(m_place.columns) if m_place else {}
    if m_place is None or "current" not in cols:
        return refuse("the Measures table has no Current column, so there is no current "
                      "position to close", sheet=m_place.sheet if m_place else "Measures")
    if assessments is None:
        assessments = assess_workbook(workbook)

    edits: list[CellEdit] = []
    history: list[tuple[Measure, Assessment, Period]] = []
    wide = _wide_columns(m_place)
    set_aside = {(key, period): (sheet, row, col)
                 for key, period, sheet, row, col in places.history_current}
    in_columns = figures = 0
    sheet = m_place.sheet
    for a in assessments:
        m = a.measure
        if not m.ref or m.row is None:
            continue
        closing = closing_period(m, current, opened)
        if closing is None:
            continue  # e.g. an annual measure whose year is still the same
        held = m.current if m.current is not None else m.current_marker
        current_at = CellRef(sheet, m.row, cols["current"])
        if m.current is not None:
            figures += 1
        else:
            warnings.append(Problem.at(sheet, m.row, cols["current"],
                                       f"{m.ref} has no figure for {closing.label}; History "
                                       "records it blank", held, severity="warning"))
        key = (m.ref.casefold(), closing)
        if closing in wide:  # the wide layout: the period's own column is its history
            in_columns += 1
            if m.current is not None and key not in set_aside:
                edits.append(CellEdit(sheet, m.row, wide[closing], m.current, NUMBER,
                                      like=current_at))
        else:
            if key in set_aside:
                at_sheet, row, col = set_aside[key]
                return refuse(f"{m.ref} already has {closing.label} in History; closing "
                              f"{closed_text} would add it twice: delete that row (Current "
                              "holds the figure)", CellRef(at_sheet, row, col),
                              value=closing.label)
            history.append((m, a, closing))
        if "previous" in cols:
            edits.append(CellEdit(sheet, m.row, cols["previous"], *_value(held),
                                  like=current_at))
        for field in PER_PERIOD:
            if field in cols:
                edits.append(CellEdit(sheet, m.row, cols[field], None, BLANK))
    if figures == 0:
        return refuse(f"no measure has a figure for {closed_text}: there is nothing to close "
                      f"(was it closed already?); enter this period's figures in Current "
                      "first", CellRef(sheet, m_place.top, cols["current"]))
    if "previous" not in cols:
        notes.append("the Measures table has no Previous column: the closed period's "
                     "figures are kept in History only")
    edits.append(CellEdit(period_cell.sheet, period_cell.row, period_cell.col, opened_text,
                          TEXT))
    label = r"\s+".join(re.escape(word) for word in closed_text.split())
    for ref, text in places.titles:  # the rest of the title kept as typed, line breaks too
        renamed = re.sub(r"(?<![\w/])" + label + r"(?![\w/])", opened_text, text,
                         flags=re.IGNORECASE)
        edits.append(CellEdit(ref.sheet, ref.row, ref.col, renamed, TEXT))
    tables, history_added = _history_rows(places.history, history, cols, sheet, notes,
                                          _free_sheet_name(places.sheets))
    plan = WorkbookPlan(tuple(edits), tables, tuple(warnings), tuple(notes))
    return ClosePlan(plan, closed_text, opened_text, len(history), history_added, in_columns,
                     figures)


def _free_sheet_name(sheets: tuple[str, ...]) -> str:
    """``Past periods``, or ``Past periods 2``... where a sheet of the officer's has it.

    >>> _free_sheet_name(("Measures",)), _free_sheet_name(("Measures", "past periods"))
    ('Past periods', 'Past periods 2')
    """
    taken = {s.casefold() for s in sheets}
    name, n = HISTORY_SHEET, 1
    while name.casefold() in taken:
        n += 1
        name = f"{HISTORY_SHEET} {n}"
    return name


def _value(held: float | str | None) -> tuple[float | str | None, str]:
    v = Value.of(held)
    return v.value, v.kind


def _wide_columns(place: TablePlace) -> dict[Period, int]:
    """Measures headers that are period labels (the wide layout), period -> column; not
    the columns read as fields (a Current headed ``Q2 2016/17`` by a mapping)."""
    fields = {c for _f, c in place.columns}
    found: dict[Period, int] = {}
    for i, text in enumerate(place.headers):
        col = place.left + i
        if col in fields or not any(ch.isdigit() for ch in text):
            continue
        try:
            found.setdefault(parse_period(text), col)
        except (ValueParseError, ValueError):
            continue  # a header of the officer's own, not a period
    return found


def _history_rows(place: TablePlace | None, rows: list[tuple[Measure, Assessment, Period]],
                  cols: dict[str, int], sheet: str, notes: list[str], new_sheet: str
                  ) -> tuple[tuple[TableRows, ...], bool]:
    """The History rows of the closed period, into the table (or range) the reader found,
    a Notes column added where it has none; a new table on a new sheet where there is
    none."""
    if not rows:
        return (), False

    def line(m: Measure, a: Assessment, closing: Period, fields: tuple[str, ...]):
        values = {"ref": Value(m.ref, TEXT), "period": Value(closing.label, TEXT),
                  "value": Value.of(m.current), "target": Value.of(m.target),
                  "status": Value(a.status.value, TEXT), "notes": Value.of(m.notes)}
        return tuple(values.get(f, Value.of(None)) for f in fields)

    def likes(m: Measure, fields: tuple[str, ...]):
        source = {"value": "current", "target": "target"}
        return tuple(CellRef(sheet, m.row, cols[source[f]])
                     if f in source and source[f] in cols else None for f in fields)

    if place is None:
        fields = _HISTORY_FIELDS
        return (TableRows(HISTORY_TABLE, new_sheet, 1, 1, HISTORY_HEADERS, 2,
                          tuple(line(m, a, c, fields) for m, a, c in rows),
                          like=tuple(likes(m, fields) for m, _a, _c in rows),
                          new_sheet=True),), True
    by_col = {col: field for field, col in place.columns}
    fields = tuple(by_col.get(place.left + i, "") for i in range(len(place.headers)))
    headers = place.headers
    added: tuple[str, ...] = ()
    if "notes" not in by_col.values():
        fields, headers, added = fields + ("notes",), headers + ("Notes",), ("Notes",)
    for f in ("target", "status"):
        if f not in fields:
            notes.append(f"the {HISTORY_TABLE} table has no {f.title()} column; the {f}s "
                         "are not recorded")
    first = max(place.end, place.top + 1)
    return (TableRows(place.name if place.excel_table else "", place.sheet, place.top,
                      place.left, headers, first,
                      tuple(line(m, a, c, fields) for m, a, c in rows), added,
                      tuple(likes(m, fields) for m, _a, _c in rows)),), False


def close_period(book: str | os.PathLike, next_period: str, out: str | os.PathLike, *,
                 allow_gap: bool = False) -> Closed:
    """Write ``out``: ``book`` with its current period closed and ``next_period`` opened.

    Raises :class:`DataErrors` (the workbook's errors and the close's refusals, each at
    its cell; nothing written), :class:`UsageError` (OUT is BOOK or another kind of
    file) and :class:`FileError` (the file, or a part this edit would break).
    """
    book, out = Path(book), Path(out)
    _check_paths(book, out)
    if not str(next_period).strip():
        raise UsageError("--next '': give the period to open, e.g. 'Q3 2016/17'")
    workbook = read_workbook(book, titles=True)
    closing = build_close_plan(workbook, next_period, allow_gap=allow_gap)
    if closing.usage:
        raise UsageError(f"{book}: " + "; ".join(p.text for p in closing.plan.refusals))
    if closing.refused:
        raise DataErrors(closing.plan.refusals)
    del workbook
    with atomic_path(out) as tmp:
        formulas = write_plan(book, closing.plan, tmp)
        _verify(tmp, out, closing)
    notes = closing.plan.notes
    if formulas:
        notes += (f"formulas replaced by values or cleared in {', '.join(formulas[:5])}"
                  + (" and more" if len(formulas) > 5 else "")
                  + "; their results are in Previous and History",)
    return Closed(out, closing.closed, closing.opened, closing.rows, closing.history_added,
                  notes, closing.in_columns, closing.plan.warnings, closing.summary())


def _check_paths(book: Path, out: Path) -> None:
    if not book.exists():
        raise FileError(f"{book}: no such file")
    try:
        same = out.exists() and os.path.samefile(book, out)
    except OSError:
        same = False
    if same or book.resolve() == out.resolve():
        raise UsageError(f"{out}: OUT is the input workbook; the input is never overwritten, "
                         "choose another name")
    if out.suffix.lower() != book.suffix.lower():
        raise UsageError(f"{out}: give OUT the input's extension ({book.suffix}); Excel "
                         "refuses a macro-enabled workbook named .xlsx and the other way round")


def _verify(path: Path, out: Path, closing: ClosePlan) -> None:
    """Read back what was written as ``check`` reads it: no error the input did not have
    (e.g. a period recorded twice, in History and in a Measures column of that period),
    the next period set, History complete."""
    written = read_workbook(path)
    if written.errors:
        lead = Problem("close-period", "", f"closing {closing.closed} would leave these "
                       "errors in the new workbook, so nothing was written:")
        raise DataErrors([lead, *written.errors])
    if " ".join((written.settings.period or "").split()) != closing.opened:
        raise FileError(f"{out}: writing the next period failed (Settings Period reads "
                        f"{written.settings.period!r}); nothing was written")
    place = written.places.history
    if closing.rows and (place is None or place.end - place.top - 1 < closing.rows):
        raise FileError(f"{out}: the History table does not hold the {closing.rows} rows "
                        "written; nothing was written")


__all__ = ["HISTORY_HEADERS", "HISTORY_SHEET", "HISTORY_TABLE", "PER_PERIOD", "ClosePlan",
           "Closed", "KpiError", "build_close_plan", "close_period", "closing_period",
           "default_output"]
