"""Quarterly returns: one workbook per owner, for the officers who supply the figures.

:func:`build_returns` decides what each return holds, as frozen data (one
:class:`ReturnSpec` per owner, measures with no Owner in one more); :func:`write_return`
writes one with XlsxWriter; :func:`write_returns` does both for a performance workbook.

A return is one sheet, ``Return``: the authority, the period, the owner and short
instructions at the top; then a table, one row per measure, holding Ref, Measure, Unit,
Polarity, Target (and Target Upper when a measure has a range), the measure's last four
periods' figures for context, and the three cells the officer fills: Current, Data
Status (a drop-down list) and Notes. Only those cells are unlocked; the sheet is
protected without a password (against slips, not people). Current is validated as a
number (0% to 200% on ``%`` measures, formatted as a percentage). The document
properties record the workbook the return was made from (its file name, its
authority and when it was created), the period and the owner, which ``collect``
checks before it merges a return (:mod:`kpi_core.authoring.collecting`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path
from ..errors import DataErrors, FileError, UsageError
from ..model import DataStatus, Frequency, Measure, PerformanceWorkbook, Period, Problem, Unit
from ..reading.slips import PERCENT_SCALE_LIMIT
from ..reading.returns import (
    CURRENT, DATA_STATUS, INPUT_HEADERS, NOTES, PROP_AUTHORITY, PROP_CREATED, PROP_OWNER,
    PROP_PERIOD, PROP_SOURCE, PROP_UNASSIGNED, RETURN_SHEET, RETURN_TABLE, UNASSIGNED,
    owner_key,
)

#: How many past periods a return shows for context.
CONTEXT_PERIODS = 4
DATA_STATUS_CHOICES = tuple(d.value for d in DataStatus)
#: The largest figure a Current cell accepts on a measure that is not a percentage.
MAX_INPUT = 1e15
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                       *(f"lpt{i}" for i in range(1, 10))})


@dataclass(frozen=True, slots=True)
class ReturnRow:
    """One measure in a return: what the officer reads, beside the cells they fill."""

    ref: str
    name: str
    unit: Unit
    polarity: str
    target: float | None
    target_upper: float | None
    #: The figures of :attr:`ReturnSpec.context_periods`, oldest first (``None``: none).
    context: tuple[float | None, ...]

    @property
    def percent(self) -> bool:
        return self.unit is Unit.PERCENT


@dataclass(frozen=True, slots=True)
class ReturnSpec:
    """Everything one return workbook holds; :func:`write_return` only lays it out."""

    owner: str | None  # None: the measures with no Owner
    file_name: str
    authority: str | None
    period: str
    source: str  # the performance workbook's file name
    source_created: str | None  # its docProps created stamp, as written
    context_periods: tuple[str, ...]
    rows: tuple[ReturnRow, ...]

    @property
    def owner_label(self) -> str:
        return self.owner if self.owner is not None else "Measures with no owner"

    @property
    def title(self) -> str:
        who = self.authority or "Performance"
        return f"{who}: performance return for {self.period}"

    @property
    def headers(self) -> tuple[str, ...]:
        ranged = any(r.target_upper is not None for r in self.rows)
        return ("Ref", "Measure", "Unit", "Polarity", "Target",
                *(("Target Upper",) if ranged else ()), *self.context_periods,
                *INPUT_HEADERS)

    @property
    def instructions(self) -> tuple[str, ...]:
        return (
            f"Made from {self.source} for {self.period}.",
            f"Fill in the shaded cells of each row: Current (the figure for {self.period}; "
            "a percentage as 71% or 0.71), Data Status (from the list, when there is no "
            "figure: Unavailable or Not due) and Notes (your commentary).",
            "The other cells are locked. Do not add, delete or move rows; save the file "
            "under any name and send it back to the performance team.",
        )


def group_by_owner(measures: Sequence[Measure]) -> dict[str | None, tuple[str | None, list[Measure]]]:
    """Owner key -> (owner as first written, their measures in workbook order); the
    measures with no owner under ``None``, last.

    >>> ms = [Measure("A", "P", "a", owner="Jo"), Measure("B", "P", "b"),
    ...       Measure("C", "P", "c", owner="jo ")]
    >>> {k: (o, [m.ref for m in v]) for k, (o, v) in group_by_owner(ms).items()}
    {'jo': ('Jo', ['A', 'C']), None: (None, ['B'])}
    """
    groups: dict[str | None, tuple[str | None, list[Measure]]] = {}
    for m in measures:
        key = owner_key(m.owner)
        groups.setdefault(key, (" ".join(m.owner.split()) if key else None, []))[1].append(m)
    if None in groups:
        groups[None] = groups.pop(None)
    return groups


def file_name_for(owner: str | None, taken: set[str]) -> str:
    """``<Owner>.xlsx``, made safe for every file system and unique among ``taken``
    (compared case-insensitively, as Windows does); ``Unassigned.xlsx`` for no owner.

    >>> taken = set()
    >>> [file_name_for(o, taken) for o in ("J. Smith/Finance", None, "unassigned", "con")]
    ['J. Smith-Finance.xlsx', 'Unassigned.xlsx', 'unassigned (2).xlsx', 'con_.xlsx']
    """
    stem = UNASSIGNED if owner is None else _UNSAFE.sub("-", owner).strip(" .")[:100] or "Owner"
    if stem.casefold() in _RESERVED:
        stem += "_"
    name, n = f"{stem}.xlsx", 1
    while name.casefold() in taken:
        n += 1
        name = f"{stem} ({n}).xlsx"
    taken.add(name.casefold())
    return name


def context_periods(workbook: PerformanceWorkbook) -> tuple[Period, ...]:
    """The periods a return shows for context, oldest first: the four before the
    Settings Period; without a readable one, the four latest quarters in History."""
    current = workbook.settings.current_period
    if current is not None:
        periods, p = [], current
        for _ in range(CONTEXT_PERIODS):
            p = p.previous()
            periods.append(p)
        return tuple(reversed(periods))
    seen = sorted({o.period for m in workbook.measures for o in m.history
                   if o.period.span == 3})
    return tuple(seen[-CONTEXT_PERIODS:])


def figure_in(measure: Measure, period: Period, last: bool = False) -> float | None:
    """The measure's figure for a context column ``period``: its History value there (a
    monthly measure's value for the month that ends the quarter, an annual one's for
    the year that ends in it); in the ``last`` column, its Previous when History has none.

    >>> from kpi_core.model import Observation
    >>> q = Period.quarter(2016, 1)
    >>> m = Measure("A", "P", "a", frequency=Frequency.MONTHLY,
    ...             history=(Observation(Period.month(2016, 6), 0.5),))
    >>> figure_in(m, q), figure_in(Measure("B", "P", "b", previous=3.0), q, last=True)
    (0.5, 3.0)
    """
    wanted = period
    if measure.frequency not in (None, Frequency.QUARTERLY):
        try:
            wanted = period.latest(measure.frequency)
        except KeyError:  # a frequency periods do not model (weekly, termly)
            wanted = period
        if wanted.end <= period.end - period.span:  # an annual figure of an earlier quarter
            return None
    value = next((o.value for o in measure.history if o.period == wanted), None)
    if value is None and last and not measure.history and \
            measure.frequency in (None, Frequency.QUARTERLY):
        return measure.previous
    return value


def check_refs(workbook: PerformanceWorkbook) -> None:
    """Returns are matched back by Ref: a measure without one, or a Ref used twice, is
    refused (:class:`DataErrors`, with the reader's problems at those cells)."""
    from ..cells import parse_cell_address

    source = next((c for c in workbook.columns if c.field == "ref"), None)
    at_ref = []
    if source is not None:
        col = parse_cell_address(source.cell)[1]
        at_ref = [p for p in workbook.errors if p.sheet == source.sheet and p.col == col]
    if at_ref or any(not m.ref for m in workbook.measures):
        raise DataErrors(at_ref or [Problem("Measures", "", "a measure has no Ref; each "
                                            "return row is matched back by its Ref")])


def build_returns(workbook: PerformanceWorkbook, source: str,
                  source_created: str | None = None) -> tuple[ReturnSpec, ...]:
    """One :class:`ReturnSpec` per owner (in the order owners first appear), then one
    for the measures with no owner, if any. Pure: the reader's typed measures in,
    frozen specs out.

    Raises :class:`UsageError` when the workbook names no Settings Period (a return
    records the period it is for) and :class:`DataErrors` when Refs are blank or repeated.
    """
    settings = workbook.settings
    period = " ".join((settings.period or "").split())
    if not period:
        raise UsageError(f"{source}: the Settings table has no Period; a return records the "
                         "period it is for. Add a Settings row Period (e.g. Q3 2016/17)")
    check_refs(workbook)
    periods = context_periods(workbook)
    labels = tuple(p.label for p in periods)
    taken: set[str] = set()
    specs = []
    for key, (owner, measures) in group_by_owner(workbook.measures).items():
        rows = tuple(ReturnRow(
            m.ref, m.name, m.unit, m.polarity.value, m.target, m.target_upper,
            tuple(figure_in(m, p, last=i == len(periods) - 1) for i, p in enumerate(periods)))
            for m in measures)
        specs.append(ReturnSpec(owner if key is not None else None,
                                file_name_for(owner if key is not None else None, taken),
                                settings.authority, period, source, source_created, labels,
                                rows))
    return tuple(specs)


# --- writing ----------------------------------------------------------------------------

_WIDTHS = {"Ref": 9, "Measure": 46, "Unit": 8, "Polarity": 16, "Target": 11,
           "Target Upper": 11, CURRENT: 13, DATA_STATUS: 14, NOTES: 56}
_INPUT_FILL = "#FFF2CC"  # Excel's pale gold input shading; dark text on it passes 4.5:1
_NUMBER_FORMATS = {Unit.PERCENT: "0.0%", Unit.MONEY: "\u00a3#,##0.##"}
_PLAIN_NUMBER = "#,##0.##"


def write_return(spec: ReturnSpec, path: str | os.PathLike) -> Path:
    """Write one return workbook (atomically); the layout is computed from ``spec``."""
    import xlsxwriter

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                            "strings_to_numbers": False,
                                            "strings_to_urls": False})
        _properties(wb, spec)
        _sheet(wb, spec)
        wb.close()
    return path


def _properties(wb, spec: ReturnSpec) -> None:
    wb.set_properties({
        "title": f"{spec.title}: {spec.owner_label}",
        "subject": f"Performance figures for {spec.period}",
        "author": "kpi-scorecard",
        "company": spec.authority or "",
        "category": "Performance return",
        "keywords": f"performance return, {spec.period}",
        "comments": " ".join(spec.instructions),
    })
    wb.set_custom_property(PROP_SOURCE, spec.source)
    if spec.source_created:
        wb.set_custom_property(PROP_CREATED, spec.source_created, "text")
    if spec.authority:
        wb.set_custom_property(PROP_AUTHORITY, spec.authority)
    wb.set_custom_property(PROP_PERIOD, spec.period)
    wb.set_custom_property(PROP_OWNER, spec.owner if spec.owner is not None else UNASSIGNED)
    wb.set_custom_property(PROP_UNASSIGNED, "Yes" if spec.owner is None else "No")


def _sheet(wb, spec: ReturnSpec) -> None:
    ws = wb.add_worksheet(RETURN_SHEET)
    title = wb.add_format({"bold": True, "font_size": 14})
    note = wb.add_format({"valign": "top"})  # overflows across the empty cells beside it
    header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    plain = wb.add_format({"valign": "top", "border": 1})
    figure = {unit: wb.add_format({"valign": "top", "border": 1,
                                   "num_format": _NUMBER_FORMATS.get(unit, _PLAIN_NUMBER)})
              for unit in Unit}
    inputs = {key: wb.add_format({"valign": "top", "border": 1, "locked": False,
                                  "bg_color": _INPUT_FILL, "text_wrap": key == "notes",
                                  **({"num_format": fmt} if fmt else {})})
              for key, fmt in (("percent", "0.0%"), ("number", _PLAIN_NUMBER), ("text", None),
                               ("notes", None))}

    headers = spec.headers
    col = {h: i for i, h in enumerate(headers)}
    ws.write_string(0, 0, spec.title, title)
    ws.write_string(1, 0, f"Owner: {spec.owner_label}", wb.add_format({"bold": True}))
    for i, line in enumerate(spec.instructions, start=2):
        ws.write_string(i, 0, line, note)
    top = 2 + len(spec.instructions) + 1
    last = top + max(len(spec.rows), 1)
    ws.add_table(top, 0, last, len(headers) - 1, {
        "name": RETURN_TABLE, "autofilter": False, "style": "Table Style Light 1",
        "columns": [{"header": h, "header_format": header} for h in headers]})
    for h, ci in col.items():
        ws.set_column(ci, ci, _WIDTHS.get(h, 11))
    for i, row in enumerate(spec.rows, start=top + 1):
        fig = figure[row.unit]
        ws.write_string(i, col["Ref"], row.ref, plain)
        ws.write_string(i, col["Measure"], row.name, wrap)
        ws.write_string(i, col["Unit"], row.unit.value, plain)
        ws.write_string(i, col["Polarity"], row.polarity, plain)
        for h, value in (("Target", row.target), ("Target Upper", row.target_upper),
                         *zip(spec.context_periods, row.context)):
            if h in col:
                if value is None:
                    ws.write_blank(i, col[h], None, fig)
                else:
                    ws.write_number(i, col[h], value, fig)
        ws.write_blank(i, col[CURRENT], None, inputs["percent" if row.percent else "number"])
        ws.write_blank(i, col[DATA_STATUS], None, inputs["text"])
        ws.write_blank(i, col[NOTES], None, inputs["notes"])
    _validate(ws, spec, top, col)
    ws.protect("", {"format_columns": True, "format_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})
    ws.freeze_panes(top + 1, 2)
    if spec.rows:
        ws.set_selection(top + 1, col[CURRENT], top + 1, col[CURRENT])
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(top)
    ws.set_footer("&CPage &P of &N")
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def _validate(ws, spec: ReturnSpec, top: int, col: dict[str, int]) -> None:
    """Current: a number (0% to 200% on % measures), one rule per run of alike rows;
    Data Status: the list."""
    runs: list[tuple[int, int, bool]] = []
    for i, row in enumerate(spec.rows, start=top + 1):
        if runs and runs[-1][2] == row.percent and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i, row.percent)
        else:
            runs.append((i, i, row.percent))
    c = col[CURRENT]
    for first, last, percent in runs:
        if percent:
            rule = {"minimum": 0, "maximum": PERCENT_SCALE_LIMIT,
                    "error_message": "Type a percentage from 0% to 200%, e.g. 71% (or 0.71). "
                    "No figure? Leave it blank and choose a Data Status.",
                    "input_message": f"The figure for {spec.period}, e.g. 71%"}
        else:
            rule = {"minimum": -MAX_INPUT, "maximum": MAX_INPUT,
                    "error_message": "Type a number. No figure? Leave it blank and choose "
                    "a Data Status.",
                    "input_message": f"The figure for {spec.period}: a number"}
        ws.data_validation(first, c, last, c, {
            "validate": "decimal", "criteria": "between", "error_type": "stop",
            "error_title": "Current", "input_title": "Current", **rule})
    if spec.rows:
        ws.data_validation(top + 1, col[DATA_STATUS], top + len(spec.rows), col[DATA_STATUS], {
            "validate": "list", "source": list(DATA_STATUS_CHOICES), "error_type": "stop",
            "input_title": "Data Status", "input_message": "Blank when the figure is there; "
            "else Unavailable or Not due", "error_title": "Data Status",
            "error_message": "Choose Available, Unavailable or Not due from the list"})


def write_returns(book: str | os.PathLike, folder: str | os.PathLike, *,
                  force: bool = False) -> tuple[Path, ...]:
    """Read ``book`` and write one return per owner into ``folder`` (made if missing).

    Refuses (:class:`UsageError`) to replace a file already there unless ``force``:
    last quarter's returns, filled in, may be in it.
    """
    from ..reading.properties import read_properties
    from ..reading.workbook import read_workbook

    book, folder = Path(book), Path(folder)
    if not book.is_file():
        raise FileError(f"{book}: no such file")
    workbook = read_workbook(book)
    specs = build_returns(workbook, book.name, read_properties(book).created)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: is a file; give a folder for the returns")
    targets = [folder / s.file_name for s in specs]
    there = [t for t in targets if t.exists()]
    if there and not force:
        raise UsageError(f"{there[0]}: already exists ({len(there)} of the {len(targets)} "
                         "returns would replace files there); choose an empty folder, or "
                         "--force")
    folder.mkdir(parents=True, exist_ok=True)
    return tuple(write_return(s, t) for s, t in zip(specs, targets))
