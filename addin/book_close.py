"""Close the period inside the open workbook (the xlwings Lite script *Close period*).

The same closing as ``kpi-scorecard close-period`` (:mod:`kpi_core.authoring.closing`),
done on the live tables through xlwings' object model, since Lite cannot write a file:
each measure's Current, Target and status go into the ``History`` table under the
period it belongs to (the closing module's rule, per frequency), Previous takes what
Current held, Current (and a RAG Override with its reason) is cleared, and Settings
``Period`` names the next period. Nothing changes when the data has errors, the period
cannot be read, or History already holds a row this closing would add.

Differences from the command line, which edits a copy: this edits the open workbook
(Excel's Undo does not reach a script's changes: save a copy first); new History rows
are added to the table by Excel, which moves cells below the table down.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi_core.authoring.closing import (
    HISTORY_FIELDS, HISTORY_HEADERS, JUDGEMENTS, closing_period, find_repeated_row,
)
from kpi_core.errors import KpiError, ValueParseError
from kpi_core.model import Period
from kpi_core.pipeline import assess_workbook
from kpi_core.reading.periods import parse_period
from kpi_core.reading.tables import HISTORY, MEASURES, SETTINGS, measure_columns
from kpi_core.reading.workbook import parse_tables
from kpi_core.reading.values import is_blank

from .book_render import cell_value
from .live import NumberFormats, read_live_sheet, read_live_tables


@dataclass(frozen=True, slots=True)
class ClosedInBook:
    closed: str = ""
    opened: str = ""
    rows: int = 0            # History rows added
    history_added: bool = False
    refused: str = ""        # why nothing was changed, when it was not


def as_text(label: str) -> str:
    """A period label written so Excel keeps it as text (``Sep 2016`` and ``2015/16``
    would become dates).

    >>> as_text("Sep 2016")
    "'Sep 2016"
    """
    return "'" + label


def _say_refused(say, reason: str) -> ClosedInBook:
    say(f"Nothing was changed: {reason}")
    return ClosedInBook(refused=reason)


def _header_index(raw, words_by_field: dict[str, tuple[str, ...]]) -> dict[str, int | None]:
    header = [" ".join(str(v).split()).casefold() if v is not None else "" for v in raw.rows[0]]
    return {f: next((i for i, h in enumerate(header) if h in words), None)
            for f, words in words_by_field.items()}


def close_book(book, next_period: str = "", number_formats: NumberFormats | None = None,
               say=print) -> ClosedInBook:
    """Close the workbook's current period (Settings ``Period``) and open ``next_period``
    (blank: the period right after it)."""
    formats = number_formats if number_formats is not None else {}
    tables = read_live_tables(book, formats)
    workbook = parse_tables(tables, tuple(s.name for s in book.sheets),
                            lambda name: read_live_sheet(book, name, formats))
    if workbook.errors:
        for p in workbook.errors[:30]:
            say(f"  {p.text}")
        return _say_refused(say, f"{len(workbook.errors)} problem(s) in the data; "
                                 "run 'Check workbook' to list them on a sheet")
    raw_s = tables.get(SETTINGS.casefold())
    period_at = None
    if raw_s is not None:
        for ri, row in enumerate(raw_s.rows[1:], start=1):
            if row and isinstance(row[0], str) and row[0].strip().casefold() == "period":
                period_at = (raw_s.sheet, raw_s.top + ri, raw_s.left + 1)
                break
    if period_at is None or not workbook.settings.period:
        return _say_refused(say, "the Settings table has no Period (a row 'Period' with the "
                                 "current period, e.g. Q2 2016/17)")
    closed_text = workbook.settings.period
    try:
        current = parse_period(closed_text)
        opened: Period = parse_period(next_period) if next_period.strip() else current.next()
    except (ValueParseError, ValueError, KpiError) as exc:
        return _say_refused(say, f"{exc}")
    try:
        after = opened > current
    except TypeError:
        after = False
    if not after:
        return _say_refused(say, f"{opened.label} is not after the current period "
                                 f"{current.label}")
    raw_m = tables.get(MEASURES.casefold()) or read_live_sheet(book, MEASURES, formats)
    cols = measure_columns(raw_m)
    if "current" not in cols:
        return _say_refused(say, "the Measures table has no Current column")
    rows = []
    for a in assess_workbook(workbook):
        m = a.measure
        if not m.ref or m.row is None:
            continue
        closing = closing_period(m, current, opened)
        if closing is not None:
            rows.append((m, a, closing))

    raw_h = tables.get(HISTORY.casefold())
    placed = None
    if raw_h is not None:
        placed = _header_index(raw_h, HISTORY_FIELDS)
        missing = [f.title() for f in ("ref", "period", "value") if placed[f] is None]
        if missing:
            return _say_refused(say, f"the History table has no column {', '.join(missing)}")
        repeat = find_repeated_row(raw_h, placed, rows)
        if repeat is not None:
            ri, ref, period = repeat
            return _say_refused(say, f"History already has {ref} for {period.label} "
                                     f"({raw_h.sheet} row {raw_h.top + ri}): "
                                     "was this period closed already?")

    # Every check passed: now the changes.
    sheet = book.sheets[raw_m.sheet]
    for m, _a, _closing in rows:
        current_cell = sheet.range((m.row, raw_m.left + cols["current"]))
        if "previous" in cols:
            held = raw_m.rows[m.row - raw_m.top][cols["current"]]
            sheet.range((m.row, raw_m.left + cols["previous"])).value = (
                None if is_blank(held) else cell_value(held))
        current_cell.clear_contents()
        for field in JUDGEMENTS:  # an officer's judgement of the closed figure goes with it
            if field in cols and not is_blank(raw_m.rows[m.row - raw_m.top][cols[field]]):
                sheet.range((m.row, raw_m.left + cols[field])).clear_contents()

    def history_row(m, a, closing, order: dict[str, int | None], width: int) -> list:
        line = [None] * width
        values = {"ref": m.ref, "period": as_text(closing.label), "value": m.current,
                  "target": m.target, "status": a.status.value}
        for field, value in values.items():
            if order.get(field) is not None:
                line[order[field]] = value
        return line

    history_added = False
    if raw_h is not None:
        width = len(raw_h.rows[0])
        lines = [history_row(m, a, c, placed, width) for m, a, c in rows]
        blank_tail = 0  # blank rows at the table's end (a fresh table has one) are filled
        while (len(raw_h.rows) - 1 - blank_tail > 0
               and all(is_blank(v) for v in raw_h.rows[-1 - blank_tail])):
            blank_tail += 1
        hsheet = book.sheets[raw_h.sheet]
        first_blank = raw_h.top + len(raw_h.rows) - blank_tail
        fill, rest = lines[:blank_tail], lines[blank_tail:]
        if fill:
            hsheet.range((first_blank, raw_h.left)).value = fill
        table = next(t for t in hsheet.tables if t.name.casefold() == HISTORY.casefold())
        for line in rest:
            table.rows.add(values=line)
    elif rows:
        order = {f: i for i, f in enumerate(("ref", "period", "value", "target", "status"))}
        lines = [history_row(m, a, c, order, len(HISTORY_HEADERS)) for m, a, c in rows]
        hsheet = book.sheets.add(HISTORY, after=book.sheets[len(book.sheets) - 1])
        hsheet.range((1, 1)).value = [list(HISTORY_HEADERS)] + lines
        hsheet.tables.add(source=hsheet.range((1, 1), (1 + len(lines), len(HISTORY_HEADERS))),
                          name=HISTORY, has_headers=True)
        history_added = True
    s_name, s_row, s_col = period_at
    book.sheets[s_name].range((s_row, s_col)).value = as_text(opened.label)
    say(f"Closed {closed_text}: {len(rows)} row(s) added to History"
        + (" (a new History sheet)" if history_added else "")
        + f"; Previous holds the closed figures, Current is blank; Settings Period is now "
          f"{opened.label}.")
    return ClosedInBook(closed_text, opened.label, len(rows), history_added)
