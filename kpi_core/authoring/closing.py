"""Close a period: this period's figures into History, the next period opened.

:func:`close_period` writes a new workbook (never the input) in which each measure's
Current, Target and published status are rows of the ``History`` table under the
current period (Settings ``Period``), ``Previous`` holds what ``Current`` held,
``Current`` is blank and Settings ``Period`` names the next period. Each measure is
recorded under its own frequency's period (:func:`closing_period`); in the wide
layout, under its period's own Measures column. What is written is read back as
``check`` reads it before it replaces OUT.

Why the package's XML is edited directly, not through openpyxl: openpyxl rebuilds
the whole file from what it understands, and drops what it does not (sparklines,
x14 conditional formats and data validations, slicers, threaded comments, shapes,
images without Pillow, cell checkboxes, custom XML parts, rich text;
``tests/openpyxl_probe.py`` shows each). Here every part is copied byte for byte
except the worksheets and table parts that change, and in those only the edited
rows and the table's range change. The VBA project, its signature, the button's
VML, every drawing and extension stay as they were, so nothing can be lost and
nothing has to be refused for being unknown. What is refused (exit 2) is what
would break: a shared or array formula spanning cells this edit changes, cells
under the History table that appending would overwrite, a digital signature the
edit would invalidate.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..atomic import atomic_path
from ..errors import DataErrors, FileError, KpiError, UsageError, ValueParseError
from ..model import Assessment, Measure, Period, Problem
from ..pipeline import assess_workbook
from ..reading.tables import MEASURES, SETTINGS, measure_columns
from ..reading.workbook import read_workbook
from ..reading.history import HISTORY_COLUMNS
from ..reading.periods import parse_period
from ..reading.values import is_blank, parse_text
from ..cells import (
    OFFICE_RELATIONSHIPS_NS, PACKAGE_RELATIONSHIPS_NS, SPREADSHEET_NS, cell_address,
    parse_cell_address,
)
from ..reading.package import MAX_PART_BYTES, PackageLayout, TablePart, read_layout
from ..reading.xlsx import RawTable, read_tables
from .package import (
    SheetXml, cell_text, grow_table, parse_range, range_ref, shared_strings, with_dimension,
    with_shared_count,
)

HISTORY_TABLE = "History"
#: Measures fields that judge the closed period's figure, cleared with it (issue 14's names).
JUDGEMENTS = ("rag_override", "override_reason")
HISTORY_HEADERS = ("Ref", "Period", "Value", "Target", "Status")
#: History's columns and the headers each answers to, as the History reader reads them.
HISTORY_FIELDS = {c.field: c.headers for c in HISTORY_COLUMNS}


def find_repeated_row(history: RawTable, columns: dict, rows: list
                      ) -> tuple[int, str, Period] | None:
    """The first History row (its index in ``history.rows``, Ref and period) for a
    (Ref, period) that closing ``rows`` (``(measure, assessment, period)``) would add:
    it would be there twice. Rows the reader cannot read are left to the reader."""
    adding = {(m.ref.casefold(), closing) for m, _a, closing in rows}
    for ri, row in enumerate(history.rows[1:], start=1):
        ref, period = row[columns["ref"]], row[columns["period"]]
        if is_blank(ref) or is_blank(period):
            continue
        try:
            key = (parse_text(ref).casefold(), parse_period(period))
        except (KpiError, ValueError):
            continue
        if key in adding:
            return ri, parse_text(ref), key[1]
    return None
_REL = OFFICE_RELATIONSHIPS_NS
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_MAIN = SPREADSHEET_NS
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True, slots=True)
class Closed:
    """What :func:`close_period` wrote."""

    output: Path
    closed: str  # the period closed, as Settings wrote it
    opened: str  # the period opened
    rows: int  # History rows added
    history_added: bool  # the History sheet and table were created
    notes: tuple[str, ...] = ()
    in_columns: int = 0  # measures whose closed period has its own Measures column (wide)


def default_output(book: Path, next_period: str) -> Path:
    """``<BOOK stem> - <next period>.xlsx`` (or ``.xlsm``, as BOOK) in the current folder,
    the characters a file name cannot hold (the ``/`` of ``2016/17``) made ``-``.

    >>> default_output(Path("in/book.xlsm"), "Q3 2016/17").name
    'book - Q3 2016-17.xlsm'
    """
    label = _UNSAFE_NAME.sub("-", " ".join(next_period.split()))
    return Path.cwd() / f"{book.stem} - {label}{book.suffix.lower()}"


def close_period(book: str | os.PathLike, next_period: str, out: str | os.PathLike) -> Closed:
    """Write ``out``: ``book`` with its current period closed and ``next_period`` opened.

    Raises :class:`DataErrors` (the workbook's errors; nothing written),
    :class:`UsageError` (OUT is BOOK, no Settings Period, a next period that is not
    a period or not after the current one) and :class:`FileError` (the file, or a
    part this edit would break).
    """
    book, out = Path(book), Path(out)
    _check_paths(book, out)
    workbook = read_workbook(book)
    if workbook.errors:
        raise DataErrors(workbook.errors)
    layout = read_layout(book)
    _refuse_signed(book, layout)
    raw = read_tables(book, (SETTINGS, HISTORY_TABLE)).tables
    measures_at = _measure_columns(book, workbook)
    period_cell = _settings_period(raw.get(SETTINGS.casefold()), book)
    closed_text = workbook.settings.period or ""
    current = _current_period(closed_text, period_cell)
    opened_text = " ".join(str(next_period).split())
    try:
        opened = parse_period(opened_text)
    except (ValueParseError, ValueError) as exc:
        raise UsageError(f"--next {next_period!r}: {exc}; write it as the Settings Period "
                         f"is written (e.g. {current.next().label})") from exc
    try:
        after = opened > current
    except TypeError:
        after = False
    if not after:
        raise UsageError(f"--next {opened.label} is not after the current period "
                         f"{current.label} (Settings Period); the next period comes later, "
                         f"e.g. {current.next().label}")
    notes = []
    if opened != current.next():
        notes.append(f"{opened.label} is not the period right after {current.label} "
                     f"({current.next().label}); the periods between are left out")

    assessments = assess_workbook(workbook)
    plan = _Plan(book, layout, raw, measures_at, closed_text, current, opened, opened_text,
                 period_cell, notes)
    parts = plan.build(assessments)
    plan.release()  # the parsed worksheets: only their rendered bytes are needed now
    del workbook, assessments
    with atomic_path(out) as tmp:
        _write_package(book, tmp, parts, plan.drop)
        _verify(tmp, out, opened_text, plan)
    return Closed(out, closed_text, opened_text, plan.rows_added, plan.history_added,
                  tuple(notes), plan.wide_recorded)


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


def _refuse_signed(book: Path, layout: PackageLayout) -> None:
    signed = [p for p in layout.parts if p.casefold().startswith("_xmlsignatures/")]
    if signed:
        raise FileError(f"{book}: the workbook is digitally signed ({signed[0]}); changing it "
                        "would invalidate the signature, which would be lost. Remove the "
                        "signature in Excel (File > Info > View Signatures), close the period, "
                        "then sign it again")


def _settings_period(table: RawTable | None, book: Path) -> tuple[str, int, int]:
    """(sheet, row, col) of the Settings Period value cell."""
    if table is None:
        raise UsageError(f"{book}: has no Settings table, so no current period to close; add "
                         "a Settings sheet with a table Settings (Setting, Value) and a row "
                         "Period, e.g. Q2 2016/17")
    header = [" ".join(str(v).split()).casefold() if v is not None else "" for v in table.rows[0]]
    if "setting" in header and "value" in header:
        s, v = header.index("setting"), header.index("value")
        for ri, row in enumerate(table.rows[1:], start=1):
            name = row[s] if s < len(row) else None
            if isinstance(name, str) and " ".join(name.split()).casefold() == "period":
                value = row[v] if v < len(row) else None
                if is_blank(value):
                    break
                return table.sheet, table.top + ri, table.left + v
    raise UsageError(f"{book}: the Settings table has no Period, so no current period to "
                     "close; add a row Period with the period the workbook holds now "
                     "(e.g. Q2 2016/17)")


def _measure_columns(book: Path, workbook) -> tuple[str, int, dict[str, int]]:
    """The Measures sheet's name, its header row and each field's worksheet column, as
    the reader matched the headers (its column sources where it reports them, else the
    table's header row)."""
    sources = getattr(workbook, "columns", ())  # issue 10: which header each field came from
    if sources:
        return (sources[0].sheet, parse_cell_address(sources[0].cell)[0],
                {c.field: parse_cell_address(c.cell)[1] for c in sources})
    table = read_tables(book, (MEASURES,)).tables[MEASURES.casefold()]
    return (table.sheet, table.top,
            {f: table.left + i for f, i in measure_columns(table).items()})


def _current_period(text: str, cell: tuple[str, int, int]) -> Period:
    sheet, row, col = cell
    try:
        return parse_period(text)
    except (ValueParseError, ValueError) as exc:
        raise DataErrors([Problem(sheet, cell_address(row, col), str(exc), text)]) from exc


# --- the plan: which cells of which parts change --------------------------------------


class _Plan:
    def __init__(self, book: Path, layout: PackageLayout, raw: dict[str, RawTable],
                 measures_at: tuple[str, int, dict[str, int]], closed_text: str,
                 current: Period,
                 opened: Period, opened_text: str, period_cell: tuple[str, int, int],
                 notes: list[str]) -> None:
        self.book, self.layout, self.raw = book, layout, raw
        # the Measures sheet, its header row, field -> its column
        self.m_sheet, self.header_row, self.cols = measures_at
        part = layout.sheet_part(self.m_sheet)
        if part is None:
            raise FileError(f"{book}: sheet {self.m_sheet} is not a worksheet this tool can edit")
        self.m_part = part
        self.closed_text, self.current, self.opened = closed_text, current, opened
        self.opened_text, self.period_cell, self.notes = opened_text, period_cell, notes
        self.sheets: dict[str, SheetXml] = {}
        self.edits: dict[str, dict[tuple[int, int], bytes]] = {}
        self.grow: dict[str, tuple[int, int]] = {}  # sheet part -> (bottom, right) to hold
        self.parts: dict[str, bytes] = {}  # new or changed parts other than worksheets
        self.drop: set[str] = set()
        self.formulas_removed = False
        self.rows_added = 0
        self.history_added = False
        self.expect_history_rows = 0
        self.cleared: list[str] = []
        self.names: dict[str, str] = {}  # sheet part -> sheet name, for messages
        self.wide_recorded = 0  # measures whose closed period has a Measures column

    # sheets and cells

    def sheet(self, part: str) -> SheetXml:
        if part not in self.sheets:
            with zipfile.ZipFile(self.book) as z:
                info = z.getinfo(part)
                if info.file_size > MAX_PART_BYTES:
                    raise FileError(f"{self.book}: part {part} is too large to edit")
                self.sheets[part] = SheetXml(z.read(info), part)
            self.edits[part] = {}
        return self.sheets[part]

    def set(self, part: str, row: int, col: int, xml: bytes, sheet_name: str) -> None:
        sheet = self.sheet(part)
        old = sheet.cell(row, col)
        if old is not None and old.formula is not None:
            self.formulas_removed = True
            self.names[part] = sheet_name
        self.edits[part][(row, col)] = xml

    def release(self) -> None:
        self.sheets.clear()
        self.edits.clear()

    def _check_formulas(self) -> None:
        for part, edits in self.edits.items():
            sheet = self.sheets[part]
            for (row, col) in edits:
                cell = sheet.cell(row, col)
                if cell is not None and cell.formula is not None:
                    self._check_formula(sheet, cell, self.names[part], edits)

    def _check_formula(self, sheet: SheetXml, cell, sheet_name: str, edits: dict) -> None:
        """A formula that other cells share, or an array over several cells, cannot be
        taken out of one cell without breaking the others."""
        where = f"{sheet_name}!{cell_address(cell.row, cell.col)}"
        kind = cell.formula.get("t")
        if kind == "shared" and "ref" in cell.formula:
            users = [c for c in sheet.shared_formula_users(cell.formula.get("si", ""))
                     if (c.row, c.col) != (cell.row, cell.col) and (c.row, c.col) not in edits]
            if users:
                raise FileError(f"{where} holds a shared formula that {len(users)} other "
                                f"cell(s) use (e.g. {sheet_name}!"
                                f"{cell_address(users[0].row, users[0].col)}); closing the "
                                "period would break them. Replace the formulas in that column "
                                "by values (Copy, Paste Values) or retype one, then try again")
        if kind in ("array", "dataTable"):
            ref = cell.formula.get("ref", "")
            if ":" in ref and ref.split(":")[0] != ref.split(":")[1]:
                raise FileError(f"{where} is part of an array formula over {ref}; closing the "
                                "period would break it. Replace it by values, then try again")

    # the whole plan

    def build(self, assessments: tuple[Assessment, ...]) -> dict[str, bytes]:
        cols, name, part = self.cols, self.m_sheet, self.m_part
        if "current" not in cols:
            raise UsageError(f"{self.book}: the Measures table has no Current column, so "
                             "there is no current position to close")
        sheet = self.sheet(part)
        wide = self._wide_columns(sheet)
        history_rows: list[tuple[Measure, Assessment, Period]] = []
        for a in assessments:
            m = a.measure
            if not m.ref or m.row is None:
                continue
            closing = closing_period(m, self.current, self.opened)
            if closing is None:
                continue  # e.g. an annual measure whose year is still the same
            current_col = cols["current"]
            cur = sheet.cell(m.row, current_col)
            if closing in wide:  # the wide layout: the period's own column is its history
                self._fill_wide(sheet, m, wide[closing], cur)
            else:
                history_rows.append((m, a, closing))
            if "previous" in cols:
                prev_col = cols["previous"]
                old_prev = sheet.cell(m.row, prev_col)
                style = old_prev.style if old_prev is not None else (
                    cur.style if cur is not None else sheet.default_style(m.row, prev_col))
                xml = (sheet.value_copy(cur, sheet, m.row, prev_col, style) if cur is not None
                       else sheet.empty_cell(m.row, prev_col, style))
                self.set(part, m.row, prev_col, xml, name)
            if cur is not None and not cur.is_empty:
                if cur.formula is not None:
                    self.cleared.append(f"{name}!{cell_address(m.row, current_col)}")
                self.set(part, m.row, current_col,
                         sheet.empty_cell(m.row, current_col, cur.style), name)
            # An officer's RAG Override judged the closed figure (History keeps the status
            # it gave); over a blank Current it could not stand.
            for field in JUDGEMENTS:
                if field in cols:
                    col = cols[field]
                    old = sheet.cell(m.row, col)
                    if old is not None and not old.is_empty:
                        self.set(part, m.row, col, sheet.empty_cell(m.row, col, old.style),
                                 name)
        if "previous" not in cols:
            self.notes.append("the Measures table has no Previous column: the closed period's "
                              "figures are kept in History only")
        if self.cleared:
            self.notes.append(f"Current formulas cleared in {', '.join(self.cleared[:5])}"
                              + (" and more" if len(self.cleared) > 5 else "")
                              + "; their results are in Previous and History")
        self._settings()
        self._history(history_rows)
        self._check_formulas()
        out = {}
        shared = 0  # cells that refer to the shared strings, added less removed
        for part, sheet in self.sheets.items():
            shared += sheet.shared_string_change(self.edits[part])
            data = sheet.render(self.edits[part])
            if part in self.grow:
                data = with_dimension(data, sheet, *self.grow[part])
            if data != sheet.data:
                out[part] = data
        out.update(self.parts)
        sst = self.layout.shared_strings
        if shared and sst and sst not in out:
            with zipfile.ZipFile(self.book) as z:
                out[sst] = with_shared_count(z.read(sst), shared)
        if self.formulas_removed:
            self._drop_calc_chain(out)
        return out

    def _wide_columns(self, sheet: SheetXml) -> dict[Period, int]:
        """Measures headers that are period labels (the wide layout), period -> column;
        not the columns read as fields (a Current headed ``Q2 2016/17`` by a mapping)."""
        cells = [c for c in sheet.row_cells(self.header_row) if c.col not in self.cols.values()]
        wanted = {int(c.value_text) for c in cells
                  if c.kind == "s" and c.value_text and c.value_text.strip().isdigit()}
        strings: dict[int, str] = {}
        if wanted and self.layout.shared_strings:
            with zipfile.ZipFile(self.book) as z:
                info = z.getinfo(self.layout.shared_strings)
                if info.file_size <= MAX_PART_BYTES:
                    strings = shared_strings(z.read(info), wanted)
        found: dict[Period, int] = {}
        for c in cells:
            text = cell_text(c, sheet, strings)
            if text and any(ch.isdigit() for ch in text):
                try:
                    found.setdefault(parse_period(text), c.col)
                except (ValueParseError, ValueError):
                    continue  # a header of the officer's own, not a period
        return found

    def _fill_wide(self, sheet: SheetXml, m: Measure, col: int, cur) -> None:
        """The closed figure into the period's own column, where that cell is blank (where
        it holds a figure, that figure is the period's history already)."""
        self.wide_recorded += 1
        cell = sheet.cell(m.row, col)
        if m.current is None or (cell is not None and not cell.is_empty):
            return
        style = cell.style if cell is not None else (
            cur.style if cur is not None else sheet.default_style(m.row, col))
        self.set(self.m_part, m.row, col, sheet.number_cell(m.row, col, style, m.current),
                 self.m_sheet)

    def _settings(self) -> None:
        sheet_name, row, col = self.period_cell
        table = self.layout.table(SETTINGS)
        sheet = self.sheet(table.sheet_part)
        old = sheet.cell(row, col)
        style = old.style if old is not None else sheet.default_style(row, col)
        self.set(table.sheet_part, row, col, sheet.text_cell(row, col, style, self.opened_text),
                 sheet_name)

    # History

    def _history(self, rows: list) -> None:
        table = self.layout.table(HISTORY_TABLE)
        if table is None:
            if self.layout.sheet_part(HISTORY_TABLE) is not None:
                raise UsageError(f"{self.book}: sheet {HISTORY_TABLE} has no Excel table named "
                                 f"{HISTORY_TABLE}; make its rows a table (Insert > Table, "
                                 f"name it {HISTORY_TABLE} under Table Design) with the "
                                 f"columns {', '.join(HISTORY_HEADERS)}, or rename the sheet")
            if rows:
                self._new_history(rows)
            return
        if table.totals_rows:
            raise FileError(f"{self.book}: the {HISTORY_TABLE} table has a totals row; new rows "
                            "go above it, which this tool does not do. Turn the totals row off "
                            "(Table Design > Total Row), close the period, then turn it on")
        raw_h = self.raw.get(HISTORY_TABLE.casefold())
        header = [" ".join(str(v).split()).casefold() if v is not None else ""
                  for v in raw_h.rows[0]]
        found = {f: next((i for i, h in enumerate(header) if h in words), None)
                 for f, words in HISTORY_FIELDS.items()}
        missing = [f.title() for f in ("ref", "period", "value") if found[f] is None]
        if missing:
            raise UsageError(f"{self.book}: the {HISTORY_TABLE} table has no column "
                             f"{', '.join(missing)}; its columns are "
                             f"{', '.join(HISTORY_HEADERS)}")
        for f in ("target", "status"):
            if found[f] is None:
                self.notes.append(f"the {HISTORY_TABLE} table has no {f.title()} column; "
                                  f"the {f}s are not recorded")
        self._refuse_repeat(raw_h, found, rows)
        top, left, bottom, right = parse_range(table.ref)
        sheet = self.sheet(table.sheet_part)
        first = bottom + 1  # blank rows at the table's end (a fresh table has one) are filled
        while first - 1 > top and not any(
                not c.is_empty for c in sheet.row_cells(first - 1) if left <= c.col <= right):
            first -= 1
        last_data = first - 1 if first - 1 > top else None
        placed = {f: left + i for f, i in found.items() if i is not None}
        self._check_below(sheet, table, bottom, left, right, first + len(rows) - 1 - bottom)
        self._append(sheet, table.sheet_part, table.sheet, rows, placed, first, last_data)
        new_bottom = max(bottom, first + len(rows) - 1)
        if new_bottom > bottom:
            new_ref = range_ref(top, left, new_bottom, right)
            with zipfile.ZipFile(self.book) as z:
                self.parts[table.table_part] = grow_table(z.read(table.table_part), table.ref,
                                                          new_ref)
            self.grow[table.sheet_part] = (new_bottom, right)
        self.expect_history_rows = new_bottom - top

    def _refuse_repeat(self, raw_h: RawTable, found: dict, rows: list) -> None:
        """A History row for a (Ref, period) this closing would add: it would be there twice."""
        repeat = find_repeated_row(raw_h, found, rows)
        if repeat is not None:
            ri, ref, period = repeat
            where = cell_address(raw_h.top + ri, raw_h.left + found["period"])
            raise DataErrors([Problem(raw_h.sheet, where,
                                      f"{ref} already has {period.label} in "
                                      f"History; closing {self.closed_text} would add it "
                                      "twice: delete that row (Current holds the figure)",
                                      period.label)])

    def _check_below(self, sheet: SheetXml, table: TablePart, bottom: int, left: int,
                     right: int, count: int) -> None:
        if count <= 0:
            return
        for r in range(bottom + 1, bottom + count + 1):
            for cell in sheet.row_cells(r):
                if left <= cell.col <= right and not cell.is_empty:
                    raise FileError(f"{table.sheet}!{cell_address(r, cell.col)} holds a value "
                                    f"just below the {HISTORY_TABLE} table, where the closed "
                                    f"period's {count} rows go; move it further down, then "
                                    "try again")
        for other in self.layout.tables:
            if other.sheet_part != table.sheet_part or other is table:
                continue
            o_top, o_left, o_bottom, o_right = parse_range(other.ref)
            if o_top <= bottom + count and o_bottom > bottom and o_left <= right \
                    and o_right >= left:
                raise FileError(f"the table {other.name} ({other.ref}) stands below the "
                                f"{HISTORY_TABLE} table, where its new rows go; move it")

    def _append(self, sheet: SheetXml, part: str, sheet_name: str, rows: list,
                placed: dict[str, int], first: int, last_data: int | None) -> None:
        msheet, cols = self.sheet(self.m_part), self.cols
        settings_sheet = self.sheet(self.layout.table(SETTINGS).sheet_part)
        period_src = settings_sheet.cell(self.period_cell[1], self.period_cell[2])

        def style(col: int, row: int, source_cell=None) -> str | None:
            if source_cell is not None and source_cell.style is not None:
                return source_cell.style
            if last_data is not None:
                above = sheet.cell(last_data, col)
                if above is not None and above.style is not None:
                    return above.style
            return sheet.default_style(row, col)

        for i, (m, a, closing) in enumerate(rows):
            r = first + i
            ref_src = msheet.cell(m.row, cols["ref"])
            c = placed["ref"]
            self.set(part, r, c, sheet.value_copy(ref_src, msheet, r, c, style(c, r)), sheet_name)
            c = placed["period"]
            if closing == self.current and period_src is not None and period_src.formula is None:
                xml = sheet.value_copy(period_src, settings_sheet, r, c, style(c, r))
            else:
                xml = sheet.text_cell(r, c, style(c, r), closing.label)
            self.set(part, r, c, xml, sheet_name)
            c = placed["value"]
            cur = msheet.cell(m.row, cols["current"])
            self.set(part, r, c, sheet.number_cell(r, c, style(c, r, cur), m.current)
                     if m.current is not None else sheet.empty_cell(r, c, style(c, r)),
                     sheet_name)
            if "target" in placed:
                c = placed["target"]
                tgt = msheet.cell(m.row, cols["target"]) if "target" in cols else None
                self.set(part, r, c, sheet.number_cell(r, c, style(c, r, tgt), m.target)
                         if m.target is not None else sheet.empty_cell(r, c, style(c, r)),
                         sheet_name)
            if "status" in placed:
                c = placed["status"]
                self.set(part, r, c, sheet.text_cell(r, c, style(c, r), a.status.value),
                         sheet_name)
        self.rows_added = len(rows)

    def _new_history(self, rows: list) -> None:
        """A History sheet (last) holding a History table, with the closed period's rows."""
        self.history_added = True
        with zipfile.ZipFile(self.book) as z:
            book_xml = z.read(self.layout.workbook_part)
            if re.search(rb"<(?:\w+:)?workbookProtection\b[^>]*lockStructure=\"(?:1|true)\"",
                         book_xml):
                raise FileError(f"{self.book}: the workbook's structure is protected, so no "
                                "History sheet can be added; unprotect it (Review > Protect "
                                "Workbook) or add the History table yourself "
                                f"({', '.join(HISTORY_HEADERS)}), then try again")
            if b"purl.oclc.org/ooxml" in book_xml:
                raise FileError(f"{self.book}: is saved as Strict Open XML, and this tool adds "
                                "a History sheet only to an ordinary Excel Workbook; add the "
                                f"History table yourself ({', '.join(HISTORY_HEADERS)}) or save "
                                "the workbook as an Excel Workbook (.xlsx), then try again")
        names = {p.casefold() for p in self.layout.parts}
        n = 1
        while f"xl/worksheets/sheet{n}.xml" in names:
            n += 1
        sheet_part = f"xl/worksheets/sheet{n}.xml"
        m = 1
        while f"xl/tables/table{m}.xml" in names:
            m += 1
        table_part = f"xl/tables/table{m}.xml"
        table_id = max((t.id for t in self.layout.tables), default=0) + 1
        bottom = 1 + max(len(rows), 1)
        ref = range_ref(1, 1, bottom, len(HISTORY_HEADERS))
        header = "".join(
            f'<c r="{cell_address(1, i)}" t="inlineStr"><is><t>{h}</t></is></c>'
            for i, h in enumerate(HISTORY_HEADERS, start=1))
        widths = (10, 14, 12, 12, 18)
        cols_xml = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                           for i, w in enumerate(widths, start=1))
        skeleton = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><dimension ref="{ref}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols_xml}</cols>'
            f'<sheetData><row r="1">{header}</row></sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
            '</worksheet>').encode()
        sheet = SheetXml(skeleton, sheet_part)
        self.sheets[sheet_part] = sheet
        self.edits[sheet_part] = {}
        placed = {f: i for i, f in enumerate(("ref", "period", "value", "target", "status"),
                                             start=1)}
        self._append(sheet, sheet_part, HISTORY_TABLE, rows, placed, 2, None)
        columns = "".join(f'<tableColumn id="{i}" name="{h}"/>'
                          for i, h in enumerate(HISTORY_HEADERS, start=1))
        self.parts[table_part] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<table xmlns="{_MAIN}" id="{table_id}" name="{HISTORY_TABLE}" '
            f'displayName="{HISTORY_TABLE}" ref="{ref}" totalsRowShown="0">'
            f'<autoFilter ref="{ref}"/><tableColumns count="{len(HISTORY_HEADERS)}">{columns}'
            '</tableColumns><tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" '
            'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>').encode()
        self.parts[posixpath.join("xl/worksheets/_rels", f"sheet{n}.xml.rels")] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS_NS}">'
            f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table{m}.xml"/>'
            '</Relationships>').encode()
        self._register_sheet(sheet_part, table_part)
        self.expect_history_rows = len(rows)

    def _register_sheet(self, sheet_part: str, table_part: str) -> None:
        """The new sheet in workbook.xml (last), its relationship and content types."""
        book_part = self.layout.workbook_part
        folder, base = posixpath.split(book_part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        with zipfile.ZipFile(self.book) as z:
            book = z.read(book_part).decode("utf-8")
            rels = z.read(rels_part).decode("utf-8")
            types = z.read("[Content_Types].xml").decode("utf-8")
        used = set(re.findall(r'\bId\s*=\s*"([^"]*)"', rels))
        k = len(used) + 1
        while f"rId{k}" in used:
            k += 1
        rid = f"rId{k}"
        target = posixpath.relpath(sheet_part, folder or ".")
        rels = _insert_before_close(rels, "Relationships",
                                    f'<Relationship Id="{rid}" Type="{_REL}/worksheet" '
                                    f'Target="{target}"/>')
        ids = [int(i) for i in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bsheetId\s*=\s*"(\d+)"', book)]
        prefix_m = re.search(r'xmlns:(\w+)\s*=\s*"' + re.escape(_REL) + '"', book)
        main_m = re.search(r"<(\w+:)?sheets\b", book)
        p = main_m.group(1) or "" if main_m else ""
        rattr = f"{prefix_m.group(1)}:id" if prefix_m else f'xmlns:r="{_REL}" r:id'
        element = (f'<{p}sheet name="{HISTORY_TABLE}" sheetId="{max(ids, default=0) + 1}" '
                   f'{rattr}="{rid}"/>')
        if not re.search(r"</(?:\w+:)?sheets>", book):
            raise FileError(f"{self.book}: the workbook part lists no sheets; it is damaged")
        book = _insert_before_close(book, "sheets", element)
        types = _insert_before_close(
            types, "Types",
            f'<Override PartName="/{sheet_part}" ContentType="{_CT_SHEET}"/>'
            f'<Override PartName="/{table_part}" ContentType="{_CT_TABLE}"/>')
        self.parts[book_part] = book.encode("utf-8")
        self.parts[rels_part] = rels.encode("utf-8")
        self.parts["[Content_Types].xml"] = types.encode("utf-8")

    def _drop_calc_chain(self, out: dict[str, bytes]) -> None:
        """Formulas were taken out: Excel's calculation chain would name cells without one
        (Excel calls that unreadable content), so it goes; Excel rebuilds it on load."""
        chain = next((p for p in self.layout.parts if p.casefold() == "xl/calcchain.xml"), None)
        if chain is None:
            return
        self.drop.add(chain)
        book_part = self.layout.workbook_part
        folder, base = posixpath.split(book_part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        with zipfile.ZipFile(self.book) as z:
            rels = out.get(rels_part) or z.read(rels_part)
            types = out.get("[Content_Types].xml") or z.read("[Content_Types].xml")
        out[rels_part] = re.sub(rb"<(?:\w+:)?Relationship\b[^>]*calcChain[^>]*/>", b"", rels)
        out["[Content_Types].xml"] = re.sub(
            rb'<(?:\w+:)?Override\b[^>]*PartName="/' + re.escape(chain.encode()) + rb'"[^>]*/>',
            b"", types)


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


def _insert_before_close(text: str, element: str, insert: str) -> str:
    """``insert`` just before the last ``</element>`` (any prefix); an empty
    ``<element/>`` is opened."""
    closes = list(re.finditer(rf"</(\w+:)?{element}\s*>", text))
    if closes:
        at = closes[-1].start()
        return text[:at] + insert + text[at:]
    empty = re.search(rf"<((?:\w+:)?{element})\b([^>]*?)\s*/>", text)
    if empty is None:
        raise FileError(f"no {element} element to add to; the part is damaged")
    return (text[:empty.start()] + f"<{empty.group(1)}{empty.group(2)}>{insert}"
            f"</{empty.group(1)}>" + text[empty.end():])


# --- writing the package ---------------------------------------------------------------


def _write_package(book: Path, tmp: Path, parts: dict[str, bytes], drop: set[str]) -> None:
    """Every part of ``book`` into ``tmp`` in its order, byte for byte unless changed;
    new parts last."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(tmp, "w") as zout:
        seen = set()
        for info in zin.infolist():
            name = info.filename
            if name in drop or name in seen:
                continue
            seen.add(name)
            try:
                _copy_part(zin, zout, info, parts.get(name), book)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise FileError(f"{book}: part {name} is damaged or truncated ({exc}); "
                                "nothing was written. Open the workbook in Excel, save it, "
                                "then try again") from exc
            except NotImplementedError as exc:
                raise FileError(f"{book}: part {name} is compressed in a way Excel never "
                                f"uses ({exc}); save the workbook again from Excel") from exc
            except RuntimeError as exc:  # an entry encrypted with a zip password
                raise FileError(f"{book}: part {name} is encrypted inside the zip; Excel "
                                "never writes that: save the workbook again from Excel") \
                    from exc
        for name, data in parts.items():
            if name not in seen:
                zout.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                              compress_type=zipfile.ZIP_DEFLATED)


def _copy_part(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo,
               new: bytes | None, book: Path) -> None:
    """One part into the new package: ``new`` if given, else its own bytes, streamed."""
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type = info.compress_type if info.compress_type in (
        zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    out.create_system = info.create_system
    if new is not None:
        zout.writestr(out, new)
        return
    if info.file_size > MAX_PART_BYTES:
        raise FileError(f"{book}: part {info.filename} would inflate to {info.file_size:,} "
                        "bytes; refusing it as a possible zip bomb")
    out.file_size = info.file_size
    with zin.open(info) as src, zout.open(out, "w") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


def _verify(path: Path, out: Path, opened_text: str, plan: _Plan) -> None:
    """Read back what was written as ``check`` reads it: no error the input did not have
    (e.g. a period recorded twice, in History and in a Measures column of that period),
    the next period set, History complete."""
    written = read_workbook(path)
    if written.errors:
        lead = Problem("close-period", "", f"closing {plan.closed_text} would leave these "
                       "errors in the new workbook, so nothing was written:")
        raise DataErrors([lead, *written.errors])
    if " ".join((written.settings.period or "").split()) != opened_text:
        raise FileError(f"{out}: writing the next period failed (Settings Period reads "
                        f"{written.settings.period!r}); nothing was written")
    history = read_tables(path, (HISTORY_TABLE,)).tables.get(HISTORY_TABLE.casefold())
    count = len(history.rows) - 1 if history is not None else 0
    if count < plan.expect_history_rows:
        raise FileError(f"{out}: the History table reads {count} rows after writing, not "
                        f"{plan.expect_history_rows}; nothing was written")
