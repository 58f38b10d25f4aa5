"""Collect the quarter's figures: filled returns merged into a copy of the workbook.

Three steps, data flowing one way:

- :func:`~kpi_core.reading.returns.read_return` reads a return file as it came back
  (from Excel, LibreOffice or anything else that keeps its document properties): which
  workbook, period and owner it is for, and each row's Ref and input cells, with their
  positions;
- :func:`plan_collect` decides everything once, as frozen data: the cell edits (a
  :class:`~kpi_core.authoring.plan.WorkbookPlan`: only Current, Data Status and Notes of
  Measures) and the report (:class:`CollectReport`): per return, the measures filled
  and left blank, the values refused with the return's ``Sheet!Cell``, the conflicts
  with what the workbook already holds (kept, not overwritten); overall, the owners
  with no return. What officers typed is read by the one parser
  (:mod:`kpi_core.reading.values`). Rows match by Ref, so rows added, removed or
  re-ordered still merge, with a warning;
- :func:`collect` applies the plan with the part-by-part file writer
  (:func:`~kpi_core.authoring.package.write_plan`) to a new copy of BOOK: every other
  part, row and cell is kept byte for byte. BOOK itself is never written.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import atomic_path
from ..errors import FileError, UsageError, ValueParseError
from ..model import DataStatus, Measure, PerformanceWorkbook, Unit
from ..reading.mapping import fold_header
from ..reading.periods import parse_period
from ..reading.properties import read_properties
from ..reading.returns import (
    CURRENT, DATA_STATUS, NOTES, PROP_AUTHORITY, PROP_CREATED, PROP_PERIOD, PROP_SOURCE,
    FIELDS, UNASSIGNED, ReturnFile, ReturnLine, owner_key, read_return,
)
from ..reading.slips import percent_scale
from ..reading.values import is_blank, parse_data_status, parse_reading, parse_text
from ..cells import cell_address, parse_cell_address
from ..reading.scan import CellError, FormulaNoResult
from ..reading.xlsx import read_sheet, read_tables
from .package import write_plan
from .plan import NUMBER, TEXT, CellEdit, CellRef, WorkbookPlan

_REL_TOL = 1e-9


# --- the report ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Refusal:
    """A value of a return that is not merged, at the return's ``Sheet!Cell``."""

    file: str
    sheet: str
    row: int
    col: int
    ref: str | None
    message: str
    value: object = None

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{cell_address(self.row, self.col)}"

    @property
    def text(self) -> str:
        return f"{self.file}: {self.cell}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "cell": self.cell, "ref": self.ref,
                "message": self.message, "value": _jsonable(self.value)}


@dataclass(frozen=True, slots=True)
class Conflict:
    """BOOK (or an earlier return) already holds a different value for a cell: it is
    kept, and the return's value is listed, not written."""

    file: str
    ref: str
    field: str  # Current, Data Status, Notes
    book_cell: str  # e.g. Measures!K5
    held: object
    given: object
    return_cell: str
    held_by: str | None = None  # the earlier return that gave ``held``; None: BOOK

    @property
    def text(self) -> str:
        whose = f"{self.held_by} gave" if self.held_by else "the workbook holds"
        return (f"{self.file}: {self.return_cell}: {self.ref} {self.field} {_show(self.given)} "
                f"not merged: {whose} {_show(self.held)} at {self.book_cell} (kept)")

    def as_dict(self) -> dict:
        return {"file": self.file, "ref": self.ref, "field": self.field,
                "book_cell": self.book_cell, "held": _jsonable(self.held),
                "given": _jsonable(self.given), "return_cell": self.return_cell,
                "held_by": self.held_by}


@dataclass(frozen=True, slots=True)
class ReturnReport:
    """What became of one return."""

    file: str
    owner: str | None
    #: Why the whole return was refused (another workbook or period, a second return
    #: from its owner, not a return), else ``None``.
    refused_file: str | None = None
    filled: tuple[str, ...] = ()
    blank: tuple[str, ...] = ()
    #: The owner's measures in BOOK with no row in the return (rows deleted).
    missing: tuple[str, ...] = ()
    refused: tuple[Refusal, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    warnings: tuple[str, ...] = ()
    cells: int = 0  # cells of Measures this return changes

    @property
    def owner_label(self) -> str:
        return self.owner if self.owner is not None else UNASSIGNED

    def as_dict(self) -> dict:
        return {"file": self.file, "owner": self.owner, "refused_file": self.refused_file,
                "filled": list(self.filled), "blank": list(self.blank),
                "missing": list(self.missing),
                "refused": [r.as_dict() for r in self.refused],
                "conflicts": [c.as_dict() for c in self.conflicts],
                "warnings": list(self.warnings), "cells_merged": self.cells}


@dataclass(frozen=True, slots=True)
class CollectReport:
    """The whole collection: each return's report and the owners with no return."""

    book: str
    returns: tuple[ReturnReport, ...]
    owners_without_return: tuple[str, ...]
    output: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def refused(self) -> bool:
        """True when any value, or any whole return, was refused (exit code 1)."""
        return any(r.refused or r.refused_file for r in self.returns)

    @property
    def cells(self) -> int:
        return sum(r.cells for r in self.returns)

    def totals(self) -> dict[str, int]:
        rs = self.returns
        return {"returns": len(rs), "returns_refused": sum(bool(r.refused_file) for r in rs),
                "filled": sum(len(r.filled) for r in rs), "blank": sum(len(r.blank) for r in rs),
                "missing": sum(len(r.missing) for r in rs),
                "refused": sum(len(r.refused) for r in rs),
                "conflicts": sum(len(r.conflicts) for r in rs), "cells_merged": self.cells,
                "owners_without_return": len(self.owners_without_return)}

    def as_dict(self) -> dict:
        return {"book": self.book, "output": self.output,
                "returns": [r.as_dict() for r in self.returns], "totals": self.totals(),
                "owners_without_return": list(self.owners_without_return),
                "notes": list(self.notes)}

    def lines(self) -> list[str]:
        """The report as the command line prints it."""
        out = []
        for r in self.returns:
            if r.refused_file:
                out.append(f"{r.file}: REFUSED: {r.refused_file}")
                continue
            out.append(f"{r.file} ({r.owner_label}): {len(r.filled)} filled, {len(r.blank)} "
                       f"left blank, {len(r.refused)} refused, {len(r.conflicts)} conflict(s)")
            if r.blank:
                out.append(f"  left blank: {', '.join(r.blank)}")
            out.extend(f"  refused: {x.text}" for x in r.refused)
            out.extend(f"  conflict: {c.text}" for c in r.conflicts)
            out.extend(f"  warning: {w}" for w in r.warnings)
        t = self.totals()
        out.append(f"Overall: {t['returns'] - t['returns_refused']} of {t['returns']} return(s) "
                   f"merged; {t['filled']} measure(s) filled, {t['blank']} left blank, "
                   f"{t['refused']} value(s) refused, {t['conflicts']} conflict(s), "
                   f"{t['cells_merged']} cell(s) written")
        if self.owners_without_return:
            out.append(f"No return from: {'; '.join(self.owners_without_return)}")
        out.extend(f"note: {n}" for n in self.notes)
        return out


def _jsonable(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _show(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, DataStatus):
        return repr(value.value)
    return repr(value)


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Collected:
    """The edits to make and the report, decided together."""

    plan: WorkbookPlan
    report: CollectReport


@dataclass(frozen=True, slots=True)
class BookIdentity:
    """What a return must match: BOOK's file name, authority, period and created stamp."""

    name: str
    authority: str | None
    period: str | None
    created: str | None


def plan_collect(workbook: PerformanceWorkbook, book: BookIdentity,
                 returns: Sequence[ReturnFile]) -> Collected:
    """Decide the edits and the report for merging ``returns`` into ``workbook``.

    Pure: the reader's typed measures (with their rows) and the returns as read in;
    frozen data out. The Measures columns written are those the reader matched
    (``workbook.columns``).
    """
    where = {c.field: c for c in workbook.columns}
    if "ref" not in where:
        raise UsageError(f"{book.name}: the Measures table has no Ref column to match "
                         "returns by")
    if "current" not in where:
        raise UsageError(f"{book.name}: the Measures table has no Current column to merge "
                         "figures into")
    sheet = where["current"].sheet
    cols = {f: parse_cell_address(where[f].cell)[1] for f in FIELDS.values() if f in where}
    by_ref = {m.ref.casefold(): m for m in workbook.measures if m.ref and m.row is not None}
    held_errors = {(p.row, p.col) for p in workbook.errors if p.sheet == sheet}
    state = _State(sheet, cols, held_errors,
                   parse_cell_address(where["target"].cell)[1] if "target" in where else None)
    owners = {owner_key(m.owner): (" ".join(m.owner.split()) if m.owner else None)
              for m in workbook.measures}
    expected: dict[str | None, list[str]] = {}
    for m in workbook.measures:
        if m.ref:
            expected.setdefault(owner_key(m.owner), []).append(m.ref)
    seen_owner: dict[str | None, str] = {}
    reports = []
    for ret in returns:
        refusal = _refuse_file(ret, book, seen_owner)
        if refusal is not None:
            reports.append(ReturnReport(ret.name, ret.owner, refused_file=refusal))
            continue
        key = owner_key(ret.owner)
        seen_owner[key] = ret.name
        reports.append(_merge_return(ret, key, by_ref, expected.get(key, []), state))
    without = tuple(owner for key, owner in owners.items()
                    if key is not None and key not in seen_owner)
    if None in owners and None not in seen_owner:
        without += (UNASSIGNED,)  # the measures with no owner: Unassigned.xlsx, listed last
    notes = []
    if "data_status" not in cols:
        notes.append("the Measures table has no Data Status column: Data Status in returns "
                      "is not merged")
    if "notes" not in cols:
        notes.append("the Measures table has no Notes column: Notes in returns are not merged")
    report = CollectReport(book.name, tuple(reports), without, notes=tuple(notes))
    return Collected(WorkbookPlan(edits=tuple(state.edits.values())), report)


def _same_period(a: str, b: str) -> bool:
    try:
        return parse_period(a) == parse_period(b)
    except (ValueParseError, ValueError):
        return fold_header(a) == fold_header(b)


def _refuse_file(ret: ReturnFile, book: BookIdentity, seen: dict[str | None, str]) -> str | None:
    """Why a whole return cannot be merged, naming it; ``None`` when it can."""
    if ret.unreadable:
        return f"{ret.name} {ret.unreadable}"
    source, authority = ret.prop(PROP_SOURCE) or "another workbook", ret.prop(PROP_AUTHORITY)
    other = (f"{ret.name} is a return of {source}"
             + (f" ({authority})" if authority else "") + f", not of {book.name}"
             + (f" ({book.authority})" if book.authority else ""))
    if fold_header(authority or "") != fold_header(book.authority or ""):
        return other + ": another authority's workbook"
    created = ret.prop(PROP_CREATED)
    if created and book.created:
        if created != book.created:
            return (other + f": that workbook was created {created}, this one {book.created} "
                    "(make the returns from this workbook)")
    elif fold_header(source) != fold_header(book.name):
        return other
    period = ret.prop(PROP_PERIOD) or ""
    if not book.period or not _same_period(period, book.period):
        return (f"{ret.name} is a return for {period}, not for {book.period or 'no period'} "
                f"(the Settings Period of {book.name})")
    key = owner_key(ret.owner)
    if key in seen:
        who = ret.owner if ret.owner is not None else "the measures with no owner"
        return f"{ret.name} is a second return from {who} (the first: {seen[key]})"
    return None


class _State:
    """The edits decided so far, cell by cell, and which return gave each."""

    def __init__(self, sheet: str, cols: dict[str, int], held_errors: set,
                 target_col: int | None) -> None:
        self.sheet, self.cols, self.held_errors = sheet, cols, held_errors
        #: A figure written into a cell without a format takes its Target's (a % shows as %).
        self.target_col = target_col
        self.edits: dict[tuple[int, int], CellEdit] = {}
        self.given_by: dict[tuple[int, int], tuple[str, object]] = {}


def _merge_return(ret: ReturnFile, key: str | None, by_ref: dict[str, Measure],
                  expected: list[str], state: _State) -> ReturnReport:
    name = ret.name
    refused: list[Refusal] = []
    conflicts: list[Conflict] = []
    warnings: list[str] = []
    filled: list[str] = []
    blank: list[str] = []
    cells = 0
    seen_rows: dict[str, int] = {}
    order: list[tuple[str, int]] = []  # (Ref, its row in the return)
    added: list[str] = []
    for line in ret.lines:
        has_input = any(not is_blank(v) for _f, _c, v in line.inputs)
        ref_cell = (ret.sheet, line.row, ret.ref_col)
        ref = None if isinstance(line.ref, (CellError, FormulaNoResult)) else parse_text(line.ref)
        if ref is None:
            if has_input:
                refused.append(Refusal(name, *ref_cell, None, "a row without a Ref: its "
                                       "figures cannot be matched to a measure", line.ref))
            continue
        measure = by_ref.get(ref.casefold())
        if measure is None:
            if has_input:
                refused.append(Refusal(name, *ref_cell, ref, f"Ref '{ref}' is not in the "
                                       "workbook's Measures table: its figures are not merged",
                                       ref))
            else:
                warnings.append(f"{ret.sheet}!{cell_address(line.row, ret.ref_col)}: Ref "
                                f"'{ref}' is not in the workbook's Measures table")
            continue
        if ref.casefold() in seen_rows:
            if has_input:
                refused.append(Refusal(name, *ref_cell, ref, f"Ref '{ref}' appears twice in "
                                       f"this return (also row {seen_rows[ref.casefold()]}); "
                                       "this row is not merged", ref))
            continue
        seen_rows[ref.casefold()] = line.row
        order.append((measure.ref, line.row))
        if owner_key(measure.owner) != key:
            added.append(measure.ref)
        values, row_refused = _read_inputs(ret, line, measure, name)
        refused.extend(row_refused)
        current = values.get("current", (None, 0))[0]
        status = values.get("data_status", (None, 0))[0]
        answered = current is not None or status not in (None, DataStatus.AVAILABLE)
        if answered:
            filled.append(measure.ref)
        elif not row_refused:
            blank.append(measure.ref)
        for fld, (value, col) in values.items():
            if value is None:
                continue
            outcome = _place(state, measure, fld, value, (ret.sheet, line.row, col), name)
            if isinstance(outcome, Conflict):
                conflicts.append(outcome)
            elif outcome:
                cells += 1
    missing = [r for r in expected if r.casefold() not in seen_rows]
    if missing:
        warnings.append(f"{len(missing)} of the owner's measures have no row in this return "
                        f"(rows deleted?): {', '.join(missing)}; they are left as they are")
    if added:
        warnings.append(f"rows of measures with another owner in the workbook (rows added?): "
                        f"{', '.join(added)}; merged all the same")
    rank = {r: i for i, r in enumerate(expected)}
    placed = [(r, row) for r, row in order if r in rank]
    for (before, _), (ref, row) in zip(placed, placed[1:]):
        if rank[ref] < rank[before]:
            warnings.append(f"{ret.sheet}!{cell_address(row, ret.ref_col)}: {ref} stands after "
                            f"{before}, not in the workbook's order (rows re-ordered?); "
                            "matched by Ref all the same")
            break
    return ReturnReport(name, ret.owner, None, tuple(filled), tuple(blank), tuple(missing),
                        tuple(refused), tuple(conflicts), tuple(warnings), cells)


def _read_inputs(ret: ReturnFile, line: ReturnLine, measure: Measure, name: str
                 ) -> tuple[dict[str, tuple[object, int]], list[Refusal]]:
    """Each input cell read by the one parser: field -> (typed value or None, column)."""
    out: dict[str, tuple[object, int]] = {}
    refused: list[Refusal] = []
    percent = measure.unit is Unit.PERCENT
    for fld, col, value in line.inputs:
        label = {"current": "Current", "data_status": "Data Status", "notes": "Notes"}[fld]
        if isinstance(value, (CellError, FormulaNoResult)):
            what = f"the Excel error {value.code}" if isinstance(value, CellError) else \
                f"a formula ({value}) with no saved result"
            refused.append(Refusal(name, ret.sheet, line.row, col, measure.ref,
                                   f"{label} is {what}", value))
            out[fld] = (None, col)
            continue
        try:
            if fld == "current":
                reading = parse_reading(value)
                slip = percent_scale(reading.value, reading.is_percent) if percent else None
                if slip is not None:
                    raise ValueParseError(slip, value)
                typed: object = reading.value if reading.value is not None else reading.marker
            elif fld == "data_status":
                typed = parse_data_status(value) if not is_blank(value) else None
            else:
                typed = parse_text(value)
        except ValueParseError as exc:
            message = str(exc)
            if not message.lower().startswith(label.lower()):
                message = f"{label} {message}"
            refused.append(Refusal(name, ret.sheet, line.row, col, measure.ref, message, value))
            typed = None
        out[fld] = (typed, col)
    return out, refused


def _held(measure: Measure, fld: str) -> object:
    """What BOOK holds for a field (``None``: nothing; Data Status Available counts as
    nothing, as a blank cell reads)."""
    if fld == "current":
        return measure.current if measure.current is not None else measure.current_marker
    if fld == "data_status":
        return None if measure.data_status is DataStatus.AVAILABLE else measure.data_status
    return measure.notes


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=_REL_TOL, abs_tol=1e-12)
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return a == b


def _place(state: _State, measure: Measure, fld: str, value: object,
           at: tuple[str, int, int], file: str) -> Conflict | bool:
    """Plan one cell: an edit (True), nothing to do (False: BOOK holds it already, or
    BOOK has no such column), or a :class:`Conflict` (kept as it is)."""
    col = state.cols.get(fld)
    if col is None:
        return False
    pos = (measure.row, col)
    book_cell = f"{state.sheet}!{cell_address(*pos)}"
    return_cell = f"{at[0]}!{cell_address(at[1], at[2])}"
    label = {"current": CURRENT, "data_status": DATA_STATUS, "notes": NOTES}[fld]
    if pos in state.given_by:
        earlier, given = state.given_by[pos]
        if _same(given, value):
            return False
        return Conflict(file, measure.ref, label, book_cell, given, value, return_cell, earlier)
    held = "an error" if pos in state.held_errors else _held(measure, fld)
    if held is not None:
        if _same(held, value):
            return False
        return Conflict(file, measure.ref, label, book_cell, held, value, return_cell)
    state.given_by[pos] = (file, value)
    if isinstance(value, DataStatus):
        edit = CellEdit(state.sheet, pos[0], col, value.value, TEXT)
    elif isinstance(value, float):
        like = CellRef(state.sheet, pos[0], state.target_col) if state.target_col else None
        edit = CellEdit(state.sheet, pos[0], col, value, NUMBER, like)
    else:
        edit = CellEdit(state.sheet, pos[0], col, str(value), TEXT)
    state.edits[pos] = edit
    return True


# --- the command ----------------------------------------------------------------------------


def default_output(book: Path) -> Path:
    """``<BOOK stem> - collected.xlsx`` (or ``.xlsm``, as BOOK) in the current folder.

    >>> default_output(Path("in/book.xlsm")).name
    'book - collected.xlsm'
    """
    return Path.cwd() / f"{book.stem} - collected{book.suffix.lower()}"


def collect(book: str | os.PathLike, returns: Sequence[str | os.PathLike],
            out: str | os.PathLike | None = None) -> CollectReport:
    """Merge the filled ``returns`` into a new copy of ``book`` at ``out``.

    Writes ``out`` (atomically) when anything is merged; refused values are reported,
    the rest merged. Raises :class:`UsageError` (OUT is BOOK, a return is BOOK, no
    Current column) and :class:`FileError` (a file missing or not a workbook, a part
    the edit would break).
    """
    book = Path(book)
    out = Path(out) if out is not None else default_output(book)
    _check_paths(book, out, [Path(r) for r in returns])
    workbook = read_measures(book)
    identity = BookIdentity(book.name, workbook.settings.authority, workbook.settings.period,
                            read_properties(book).created)
    files = [read_return(r) for r in returns]
    collected = plan_collect(workbook, identity, files)
    report = collected.report
    if not collected.plan.edits:
        return CollectReport(report.book, report.returns, report.owners_without_return, None,
                             report.notes + ("nothing to merge, so nothing was written",))
    with atomic_path(out) as tmp:
        write_plan(book, collected.plan, tmp)
    return CollectReport(report.book, report.returns, report.owners_without_return, str(out),
                         report.notes)


def read_measures(book: Path) -> PerformanceWorkbook:
    """BOOK's Measures and Settings, read and typed as every command reads them; the
    History, Benchmarks and Comparators tables, which ``collect`` leaves alone, are not
    read."""
    from ..reading.tables import MEASURES, SETTINGS
    from ..reading.workbook import parse_tables

    raw = read_tables(book, (MEASURES, SETTINGS))
    return parse_tables(raw.tables, raw.sheets, lambda sheet: read_sheet(book, sheet))


def _check_paths(book: Path, out: Path, returns: list[Path]) -> None:
    if not book.is_file():
        raise FileError(f"{book}: no such file")
    if not returns:
        raise UsageError("give at least one RETURN to collect")

    def same(a: Path, b: Path) -> bool:
        try:
            if a.exists() and b.exists() and os.path.samefile(a, b):
                return True
        except OSError:
            pass
        return a.resolve() == b.resolve()
    if same(book, out):
        raise UsageError(f"{out}: OUT is the input workbook; the input is never overwritten, "
                         "choose another name")
    if out.suffix.lower() != book.suffix.lower():
        raise UsageError(f"{out}: give OUT the input's extension ({book.suffix}); Excel "
                         "refuses a macro-enabled workbook named .xlsx and the other way round")
    for r in returns:
        if same(r, book):
            raise UsageError(f"{r}: is BOOK itself, not a return")
        if same(r, out):
            raise UsageError(f"{out}: OUT is one of the returns; choose another name")
        if not r.is_file():
            raise FileError(f"{r}: no such file")
