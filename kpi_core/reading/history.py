"""Past periods' figures: the ``History`` table and the wide layout (SPEC section 3).

``History`` holds one row per measure and past period: ``Ref``, ``Period``,
``Value``, optional ``Target`` (the target in force then) and ``Status`` (the RAG
published then). The wide layout many officers keep is read by the same code:
Measures headers that are period labels (``Q1 2016/17``, ``Q2 2016/17`` ...) are
each measure's history. Every problem names its cell: an unreadable period, an
unknown Ref, a (Ref, Period) given twice, a period after the current one, a value
that is not a number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import count, islice, repeat
from math import inf
from operator import itemgetter
from typing import NamedTuple

from ..errors import ValueParseError
from ..formatting import format_value
from ..model import Frequency, Measure, Observation, Period, Problem, Status, Unit
from . import slips
from .periods import parse_period
from .rows import Column, Sheet, is_blank_row, parse_cell
from .columnar import ColumnGrid
from .values import MAX_FIGURE, Reading, is_blank, parse_reading, parse_text
from .xlsx import RawTable


HISTORY_COLUMNS = (
    Column("ref", ("ref", "reference", "ref."), "Ref", required=True),
    Column("period", ("period", "quarter", "month", "year"), "period", required=True),
    Column("value", ("value", "actual", "outturn"), "value", required=True),
    Column("target", ("target",), "target"),
    Column("status", ("status", "rag", "published status"), "status"),
    Column("notes", ("notes", "comments", "commentary"), "notes"),
)
#: The frequencies a period can have; a measure's other Frequency words (Termly...)
#: take the frequency of its History labels.
PERIOD_FREQUENCIES = frozenset({Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL})

_STATUS_WORDS = {s.value.casefold(): s for s in Status} | {
    "b": Status.BLUE, "g": Status.GREEN, "a": Status.AMBER, "r": Status.RED,
}


def parse_status(value: object) -> Status | None:
    """A published status word (``Green``, ``G``, ``Data unavailable``...); ``None`` if blank.

    >>> parse_status(" amber "), parse_status("R"), parse_status(None)
    (<Status.AMBER: 'Amber'>, <Status.RED: 'Red'>, None)
    """
    if is_blank(value):
        return None
    text = " ".join(str(value).split()).casefold()
    status = _STATUS_WORDS.get(text)
    if status is None:
        raise ValueParseError(
            f"status {parse_text(value)!r} is not a status: use Blue, Green, Amber, Red, "
            "Data unavailable, Not due or No target", value)
    return status


class _Found(NamedTuple):
    """One observation and where it came from, before the checks across rows (a
    NamedTuple: 40,000 rows are made at C speed)."""

    key: str
    observation: Observation
    sheet: Sheet
    ri: int
    period_ci: int


_observation = itemgetter(1)


class _Rows:
    """A History table's columns, and what its rows have shown ordinary: each Ref text
    (its Ref casefolded, and whether its measure is a percentage), period label and
    status text read once, then found by look-ups (a text with a problem is not kept,
    so each of its cells is reported)."""

    def __init__(self, sheet: Sheet, cols: dict[str, int], measures: dict[str, Measure]
                 ) -> None:
        self.sheet = sheet
        self.ref_ci, self.period_ci, self.value_ci = cols["ref"], cols["period"], cols["value"]
        self.target_ci, self.status_ci = cols.get("target"), cols.get("status")
        self.width = max(self.ref_ci, self.period_ci, self.value_ci, self.target_ci or 0,
                         self.status_ci or 0) + 1
        # each measure's Ref as the Measures table has it, as the general path reads it
        self.refs: dict[str, tuple[str, bool]] = {
            m.ref: (key, m.unit is Unit.PERCENT) for key, m in measures.items()
            if m.ref.isprintable() and m.ref.strip() == m.ref}
        self.periods: dict[str, Period] = {}
        self.unread: set[str] = set()  # labels that are not periods on their own
        #: a Value or Target text -> its figure, and whether it is the percent-scale slip
        self.readings: dict[str, tuple[float | None, bool]] = {}
        self.statuses: dict[str, Status | None] = {}

    def reading(self, ri: int, row: list, ci: int, column: Column) -> Reading | object:
        """A Value or Target cell that is not a plain number, read by the general parser
        (``_BAD``: its problem is recorded); a text read without one is kept."""
        problems = self.sheet.problems
        count = len(problems)
        found = parse_cell(self.sheet, row, ri, ci, column, parse_reading, _BAD)
        text = row[ci]
        if type(text) is str and found is not _BAD and len(problems) == count:
            self.readings[text] = (found.value, slips.percent_scale(
                found.value, found.is_percent) is not None)
        return found


class HistoryReader:
    """Collects observations from either layout, checks them and attaches them to measures.

    ``current`` is the Settings period; a measure's own current period is the latest
    period of its frequency that ends by then (:meth:`Period.latest`).
    """

    def __init__(self, measures: Iterable[Measure], current: Period | None,
                 problems: list[Problem],
                 at_current: list[tuple[str, Period, str, int, int]] | None = None) -> None:
        self.measures = {m.ref.casefold(): m for m in measures if m.ref}
        self.current = current
        self.problems = problems
        self.found: list[_Found] = []
        #: History table runs kept whole by :meth:`read_table`, by Ref (casefolded): the
        #: run's observations, oldest first, its sheet, its first row and the period column
        self.runs: dict[str, tuple[list[Observation], Sheet, int, int]] = {}
        #: History table rows for the current period or later (Ref, period, sheet, row, column),
        #: set aside from the history: a close must not add them again.
        self.at_current = at_current if at_current is not None else []

    # --- the History table -----------------------------------------------------------

    def read_table(self, table: RawTable, *, fast: bool = True) -> None:
        """The History table's rows. The usual row (a Ref, a period label and a status
        text seen before, plain numbers) is read with look-ups alone; any other goes
        through :meth:`_read_row`, which reads it the same way or reports it (``fast``
        off: every row does, as the tests compare).

        History is usually sorted by Ref, each measure's periods in order: consecutive
        used rows of one Ref, each a later period of the same frequency, are a run, and a
        run of a Ref not met before that needs no check across rows (of its measure's
        frequency, when that is a period's, and ending before the current period) is kept
        whole in ``runs``; the rows of any other go to ``found``, checked one by one by
        :meth:`series`."""
        sheet = Sheet(table, self.problems)
        cols = sheet.columns(HISTORY_COLUMNS)
        if cols is None:
            return
        rows = _Rows(sheet, cols, self.measures)
        ref_ci, period_ci, value_ci = cols["ref"], cols["period"], cols["value"]
        target_ci, status_ci = rows.target_ci, rows.status_ci
        refs, periods, readings, statuses = rows.refs, rows.periods, rows.readings, rows.statuses
        found = self.found
        new = tuple.__new__
        grid = table.rows
        if not fast:
            for ri in range(1, len(grid)):
                read = self._read_row(rows, ri, grid[ri])
                if read is not None:
                    found.append(_Found(read[0], read[1], sheet, ri, period_ci))
            return
        # the cells each row needs zipped from their columns, no list made for a row the
        # look-ups take; a short row's missing cells are None, as :meth:`_read_row` pads it
        if isinstance(grid, ColumnGrid):
            columns = grid.columns
        else:
            columns = [[row[ci] if ci < len(row) else None for row in grid]
                       for ci in range(rows.width)]
        limit = slips.PERCENT_SCALE_LIMIT
        blank = repeat(None)
        # the Refs met before (the wide layout's, the rows read cell by cell, the runs not
        # kept whole): a run of one of them is checked row by row
        seen = {item.key for item in found}
        end_run, runs, measures = self._end_run, self.runs, self.measures
        # the month a kept run must end before, by span (none: no current period)
        limits = self._last_ends() or dict.fromkeys((1, 3, 12), inf)  # month, quarter, year
        run_limit = 0
        run_key = run = None
        run_ri = run_end = run_span = 0
        for ri, ref, period, value, target, status in zip(
                count(1), islice(columns[ref_ci], 1, None), islice(columns[period_ci], 1, None),
                islice(columns[value_ci], 1, None),
                islice(columns[target_ci], 1, None) if target_ci is not None else blank,
                islice(columns[status_ci], 1, None) if status_ci is not None else blank):
            ref = refs.get(ref)
            period = periods.get(period)
            if type(value) is float and -MAX_FIGURE < value < MAX_FIGURE:
                slip = value > limit or value < -limit  # on a % measure
            else:
                value, slip = readings.get(value, _UNREAD)
            if target is None:
                pass
            elif type(target) is float and -MAX_FIGURE < target < MAX_FIGURE:
                slip = slip or target > limit or target < -limit
            else:
                target, target_slip = readings.get(target, _UNREAD)
                slip = slip or target_slip
            if status is not None:
                status = statuses.get(status, _MISS)
            if (ref is not None and period is not None and value is not _MISS
                    and target is not _MISS and status is not _MISS
                    and not (slip and ref[1])):
                key = ref[0]
                observation = new(Observation, (period, value, target, status))
            else:
                read = self._read_row(rows, ri, grid[ri])
                if read is None:  # not used: the run, if any, ends before the next row
                    run_span = 0
                    continue
                key, observation = read
                period = observation.period
            if key == run_key and period.span == run_span and period.end > run_end:
                run.append(observation)
                run_end = period.end
                continue
            if run_key is not None:
                if run_end < run_limit:
                    runs[run_key] = (run, sheet, run_ri, period_ci)
                else:
                    end_run(run_key, run, sheet, run_ri, period_ci, seen)
            if key in seen or key in runs:
                run_key = None
                found.append(new(_Found, (key, observation, sheet, ri, period_ci)))
                continue
            run_key, run, run_ri, run_end, run_span = (key, [observation], ri, period.end,
                                                       period.span)
            # kept whole if of its measure's frequency (when that is a period's), and
            # ending before the current period
            own = measures[key].frequency
            run_limit = (limits[run_span] if own is period.frequency
                         or own not in PERIOD_FREQUENCIES else 0)
        if run_key is not None:
            if run_end < run_limit:
                runs[run_key] = (run, sheet, run_ri, period_ci)
            else:
                end_run(run_key, run, sheet, run_ri, period_ci, seen)

    def _end_run(self, key: str, run: list[Observation], sheet: Sheet, ri: int,
                 period_ci: int, seen: set[str]) -> None:
        """A run of History rows of one Ref (``key``) from row ``ri`` that is not kept whole
        (another frequency than its measure's, or reaching the current period): its rows go
        to ``found``, checked one by one by :meth:`series`."""
        seen.add(key)
        self.found.extend(_Found(key, observation, sheet, row, period_ci)
                          for row, observation in enumerate(run, ri))

    def _read_row(self, rows: _Rows, ri: int, row: list) -> tuple[str, Observation] | None:
        """One History row read cell by cell, its problems reported: its Ref (casefolded)
        and observation, ``None`` if it is not used. What it finds ordinary (a Ref, a
        label, a status text) goes into ``rows``' look-ups."""
        sheet, spec = rows.sheet, _SPEC
        ref_ci, period_ci, value_ci = rows.ref_ci, rows.period_ci, rows.value_ci
        target_ci, status_ci = rows.target_ci, rows.status_ci
        if len(row) < rows.width:
            row = row + [None] * (rows.width - len(row))
        # The common cells (plain text Ref and Period, a number) are read inline; any
        # other goes through parse_cell, which reads it the same way or reports it.
        raw_ref = ref = row[ref_ci]
        if not (type(ref) is str and ref.isprintable() and (ref := ref.strip())):
            if is_blank_row(row):
                return None
            ref = parse_cell(sheet, row, ri, ref_ci, spec["ref"], parse_text)
            raw_ref = None  # read by the general parser: not kept as a look-up
        if ref is None:
            if not _blamed(self.problems, sheet, ri, ref_ci):
                sheet.add(ri, ref_ci, "Ref is blank")
            return None
        key = ref.casefold()
        measure = self.measures.get(key)
        if measure is None:
            sheet.add(ri, ref_ci, f"Ref '{ref}' is not in the Measures table; this "
                      "history row is not used", ref, severity="warning")
            return None
        if raw_ref is not None:
            rows.refs[raw_ref] = (key, measure.unit is Unit.PERCENT)
        label = row[period_ci]
        period = None
        if type(label) is str:
            period = rows.periods.get(label)
            if period is None and label not in rows.unread:
                period = _quick_period(label)
                if period is None:
                    rows.unread.add(label)
                else:
                    rows.periods[label] = period
        if period is None:
            frequency = (measure.frequency if measure.frequency in PERIOD_FREQUENCIES
                         else None)
            period = parse_cell(sheet, row, ri, period_ci, spec["period"],
                                lambda v: parse_period(v, frequency))
        value = _quick_reading(row[value_ci]) or \
            rows.reading(ri, row, value_ci, spec["value"])
        target = _NONE
        if target_ci is not None and row[target_ci] is not None:
            target = _quick_reading(row[target_ci]) or \
                rows.reading(ri, row, target_ci, spec["target"])
        status = None
        if status_ci is not None and row[status_ci] is not None:
            text = row[status_ci]
            count = len(self.problems)
            status = parse_cell(sheet, row, ri, status_ci, spec["status"], parse_status, _BAD)
            if type(text) is str and len(self.problems) == count:
                rows.statuses[text] = status
        if measure.unit is Unit.PERCENT and value is not _BAD:
            for ci, reading in ((value_ci, value), (target_ci, target)):
                if reading is _BAD:
                    continue
                message = slips.percent_scale(reading.value, reading.is_percent)
                if message is not None:
                    sheet.add(ri, ci, message, reading.value)
                    value = _BAD  # the row is not used
        if period is None or value is _BAD or target is _BAD or status is _BAD:
            if period is None and not _blamed(self.problems, sheet, ri, period_ci):
                sheet.add(ri, period_ci, "period is blank")
            return None
        return key, Observation(period, value.value, target.value, status)

    # --- the wide layout ---------------------------------------------------------------

    def read_wide(self, table: RawTable, measures: Iterable[Measure]) -> None:
        """Measures headers that are period labels: each row's cells are its history."""
        sheet = Sheet(table, self.problems)
        header = table.rows[0] if table.rows else []
        columns: list[tuple[int, Period]] = []
        for ci, value in enumerate(header):
            if not isinstance(value, str) or not any(ch.isdigit() for ch in value):
                continue
            try:
                columns.append((ci, parse_period(value)))
            except ValueParseError as exc:
                if _looks_like_a_period(str(exc)):
                    sheet.add(0, ci, f"header {exc}; the column is not read as history",
                              value, severity="warning")
        if not columns:
            return
        by_row = {m.row: m for m in measures if m.ref and m.row is not None}
        for ri in range(1, len(table.rows)):
            measure = by_row.get(table.top + ri)
            if measure is None:
                continue
            row = table.rows[ri]
            for ci, period in columns:
                label = Column("value", (), f"{period.label} value")
                reading = parse_cell(sheet, row, ri, ci, label, parse_reading, _BAD)
                if reading is _BAD or (reading.value is None and reading.marker is None):
                    continue  # a blank cell: no figure that period
                self.found.append(_Found(measure.ref.casefold(),
                                         Observation(period, reading.value), sheet, ri, ci))

    # --- checks across rows, and the measures with their history -----------------------

    def attach(self, measures: list[Measure]) -> list[Measure]:
        """The measures with their checked history, oldest first."""
        kept = self.series()
        return [replace(m, history=kept[m.ref.casefold()])
                if m.ref and kept.get(m.ref.casefold()) else m for m in measures]

    def series(self) -> dict[str, tuple[Observation, ...]]:
        """Each measure's checked history, oldest first, by Ref (casefolded): the runs
        :meth:`read_table` kept whole, and ``found`` checked observation by observation
        (a Ref's run first, when it has one)."""
        # by Ref: its periods kept (by the month each ends: one frequency a measure),
        # the measure, and the frequency its rows must have (``None``: the first kept's)
        kept: dict[str, list] = {}
        last_end = self._last_ends()
        runs = self.runs
        for item in self.found:
            state = kept.get(item.key)
            if state is None and item.key in runs:  # after its run kept whole
                run, sheet, ri, period_ci = runs[item.key]
                state = kept[item.key] = [
                    {o.period.end: _Found(item.key, o, sheet, row, period_ci)
                     for row, o in enumerate(run, ri)},
                    self.measures[item.key], run[0].period.frequency]
            elif state is None:
                measure = self.measures[item.key]
                state = kept[item.key] = [{}, measure, measure.frequency
                                          if measure.frequency in PERIOD_FREQUENCIES else None]
            series, measure, own = state
            obs = item.observation
            period = obs.period
            frequency = period.frequency
            if own is not None and frequency is not own:
                item.sheet.add(item.ri, item.period_ci, _wrong_frequency(measure, period, own),
                               period.label, severity="warning")
                continue
            earlier = series.get(period.end)
            if earlier is not None:
                item.sheet.add(item.ri, item.period_ci,
                               f"{measure.ref} has {period.label} twice (also "
                               f"{earlier.sheet.table.sheet}!"
                               f"{earlier.sheet.address(earlier.ri, earlier.period_ci)}); "
                               "keep one", period.label)
                continue
            if last_end is not None and period.end >= last_end[period.span]:
                t = item.sheet.table
                self.at_current.append((item.key, period, t.sheet, t.top + item.ri,
                                        t.left + item.period_ci))
                if period.end > last_end[period.span]:
                    item.sheet.add(item.ri, item.period_ci,
                                   f"period {period.label} is after the current period "
                                   f"{self.current.label} (Settings Period); history holds "
                                   "past periods only", period.label)
                else:
                    self._same_as_current(item, measure)
                continue
            series[period.end] = item
            if own is None:
                state[2] = frequency
        out = {key: tuple(run) for key, (run, _sheet, _ri, _ci) in runs.items()
               if key not in kept}
        observation = _observation
        for key, (series, _measure, _own) in kept.items():
            if series:
                ends = list(series)
                if ends != sorted(ends):
                    series = {end: series[end] for end in sorted(ends)}
                out[key] = tuple(map(observation, series.values()))
        return out

    def _last_ends(self) -> dict[int, int] | None:
        """A measure's current period, by span: the last month each period may end in."""
        if self.current is None:
            return None
        return {(p := self.current.latest(f)).span: p.end for f in PERIOD_FREQUENCIES}

    def _same_as_current(self, item: _Found, measure: Measure) -> None:
        """A row for the current period: Current is the figure; say so if they differ."""
        value = item.observation.value
        if value is None or measure.current is not None and \
                abs(value - measure.current) <= 1e-9 * max(abs(value), abs(measure.current)):
            return  # nothing that disagrees with Current
        fmt: Callable[[float | None], str] = (
            lambda v: "blank" if v is None else format_value(v, measure.unit))
        item.sheet.add(item.ri, item.period_ci,
                       f"{measure.ref} {item.observation.period.label} is the current period: "
                       f"the figure used is Current ({fmt(measure.current)}), not this one "
                       f"({fmt(value)})", item.observation.period.label, severity="warning")


_SPEC = {c.field: c for c in HISTORY_COLUMNS}
#: A plain number on a % measure beyond this is the percent-scale slip (reported).
_PERCENT_LIMIT = slips.PERCENT_SCALE_LIMIT
_BAD = object()  # a cell whose problem is already recorded
_MISS = object()
_UNREAD = (_MISS, False)
_NONE = Reading(None)


def _quick_reading(value: object) -> Reading | None:
    """A plain finite number's reading without the general parser; ``None`` for anything
    else (NaN fails the comparison)."""
    if type(value) is float and -MAX_FIGURE < value < MAX_FIGURE:
        return Reading(value)
    return None


def _quick_period(value: object) -> Period | None:
    """A text label's period; ``None`` when it is not text or does not read (the general
    path then reports it with its cell)."""
    if type(value) is str:
        try:
            return parse_period(value)
        except ValueParseError:
            return None
    return None


def _blamed(problems: list[Problem], sheet: Sheet, ri: int, ci: int) -> bool:
    cell = sheet.address(ri, ci)
    return any(p.sheet == sheet.table.sheet and p.cell == cell for p in problems)


def _wrong_frequency(measure: Measure, period: Period, own: Frequency) -> str:
    return (f"{measure.ref} is {own.value.lower()} but {period.label} is "
            f"{period.frequency.value.lower()}; this row is not used")


def _looks_like_a_period(message: str) -> bool:
    """True when a header failed as a period because it is ambiguous, not because it is
    some other column of the officer's."""
    return "not a period label" not in message and "is a number" not in message


def history_columns(table: RawTable) -> dict[str, int]:
    """Field -> column index (0-based, within ``table``) of the History columns found in
    its header row, matched as :func:`read_history` matches them."""
    return Sheet(table, []).columns(HISTORY_COLUMNS) or {}


def read_history(history: RawTable | None, measures_table: RawTable | None,
                 measures: list[Measure], current: Period | None,
                 problems: list[Problem],
                 at_current: list[tuple[str, Period, str, int, int]] | None = None
                 ) -> list[Measure]:
    """The measures with their history from the History table and the wide layout;
    ``at_current`` collects the rows for the current period or later."""
    reader = _read(history, measures_table, measures, current, problems, at_current)
    return reader.attach(measures)


def read_history_series(history: RawTable | None, measures_table: RawTable | None,
                        measures: list[Measure], current: Period | None,
                        problems: list[Problem],
                        at_current: list[tuple[str, Period, str, int, int]] | None = None
                        ) -> dict[str, tuple[Observation, ...]]:
    """:func:`read_history` as each measure's history by Ref (casefolded), the measures
    left as they are."""
    return _read(history, measures_table, measures, current, problems, at_current).series()


def _read(history: RawTable | None, measures_table: RawTable | None,
          measures: list[Measure], current: Period | None, problems: list[Problem],
          at_current: list[tuple[str, Period, str, int, int]] | None) -> HistoryReader:
    reader = HistoryReader(measures, current, problems, at_current)
    if measures_table is not None:
        reader.read_wide(measures_table, measures)
    if history is not None:
        reader.read_table(history)
    return reader
