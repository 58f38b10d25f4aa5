"""The History table's look-up path gives what the cell-by-cell path gives: the same
observations, the same problems at the same cells, in the same order."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest

from kpi_core.model import Frequency, Measure, Period, Unit
from kpi_core.reading.columnar import ColumnGrid
from kpi_core.reading.history import HistoryReader
from kpi_core.reading.periods import parse_period
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.scan import CellError, FormulaNoResult

MEASURES = [
    Measure("M1", "P", "percent", unit=Unit.PERCENT, current=0.95, frequency=Frequency.QUARTERLY),
    Measure("M2", "P", "number", current=12.0),
    Measure("m3", "P", "monthly", unit=Unit.PERCENT, frequency=Frequency.MONTHLY, current=0.5),
    Measure("M4", "P", "annual", frequency=Frequency.ANNUAL, current=3.0),
    Measure("M5", "P", "termly", frequency=Frequency.TERMLY, current=0.9),
]

REFS = ["M1", "M2", "m3", "M3", " M1 ", "M4", "M5", "M9", None, "", "  ", 7.0, "M\x01",
        CellError("#N/A"), "M2"]
LABELS = ["Q1 2016/17", "Q4 2015/16", "2015/16 Q2", "Q2 2016/17", "Q3 2016/17", "Q1 2016",
          "Jun 2016", "Aug 2016", "2015/16", "2014/15", "Q3 2015/16", None, "", "soon",
          dt.datetime(2016, 6, 30), dt.datetime(2016, 8, 31), 42.0, FormulaNoResult("A1"),
          "Q1 16/17", "Sep 2016"]
VALUES = [0.5, 0.91, 1.0, 2.0, 2.5, -3.0, 71.0, 120.0, None, "n/a", "abc", "85%", 5, "250%", "3",
          float("nan"), float("inf"), 1e300, True, CellError("#DIV/0!"), 0.0]
TARGETS = [None, None, None, 0.9, 2.0, 3.5, 90.0, "lots", "80%", 4, CellError("#REF!"), 0.7,
           "3", " "]
STATUSES = [None, None, None, "Green", "g", " amber ", "R", "Purple", "", "  ", 1.0,
            "Data unavailable", "Green", FormulaNoResult("B2")]


def _rows(seed: int, n: int, headers: list[str]) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = [headers]
    for _ in range(n):
        cells = {"Ref": rng.choice(REFS), "Period": rng.choice(LABELS),
                 "Value": rng.choice(VALUES), "Target": rng.choice(TARGETS),
                 "Status": rng.choice(STATUSES)}
        row = [cells[h] for h in headers]
        if rng.random() < 0.05:
            row = row[:rng.randrange(len(row) + 1)]  # a short row (a live range's may be)
        if rng.random() < 0.03:
            row = [None] * len(headers)
        rows.append(row)
    return rows


def _read(rows: list[list[object]], fast: bool, current: Period | None,
          by_column: bool = False):
    problems: list = []
    at_current: list = []
    reader = HistoryReader(MEASURES, current, problems, at_current)
    table = table_from_values("History", "Past", "B3", rows)
    if by_column:  # as the columnar lane gives it: every column the table's height
        width = max(map(len, rows))
        table = replace(table, rows=ColumnGrid(
            [[row[ci] if ci < len(row) else None for row in rows] for ci in range(width)]))
    reader.read_table(table, fast=fast)
    return reader.series(), problems, at_current


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("headers", [
    ["Ref", "Period", "Value", "Target", "Status"],
    ["Ref", "Period", "Value"],
    ["Period", "Ref", "Value", "Status"],
])
@pytest.mark.parametrize("current", [parse_period("Q2 2016/17"), None])
@pytest.mark.parametrize("by_column", [False, True])
def test_the_look_up_path_reads_as_the_cell_by_cell_path(seed, headers, current, by_column):
    rows = _rows(seed, 300, headers)
    fast, slow = _read(rows, True, current, by_column), _read(rows, False, current)
    assert fast[0] == slow[0]
    assert [p.text for p in fast[1]] == [p.text for p in slow[1]]
    assert fast[1] == slow[1]
    assert fast[2] == slow[2]
    assert slow[1] and any(slow[0].values())  # the cases hold both problems and history


def test_the_look_up_path_takes_the_usual_rows():
    rows = [["Ref", "Period", "Value", "Target", "Status"]] + [
        ["M2", label, float(i), None, "Green"] for i, label in
        enumerate(["Q3 2015/16", "Q4 2015/16", "Q1 2016/17"] * 3)]
    fast, slow = _read(rows, True, None), _read(rows, False, None)
    assert fast == slow
    assert len(fast[1]) == 6  # each period twice more: reported by the checks across rows


def _quarters(n: int) -> list[str]:
    return [Period.quarter(2014 + (q + 1) // 4, (q + 1) % 4 + 1).label for q in range(n)]


def _months(n: int) -> list[str]:
    return [Period.month(2015 + (m + 3) // 12, (m + 3) % 12 + 1).label for m in range(n)]


# Each measure's periods in order, up to the period after Q2 2016/17 (the current one)
SORTED = {"M1": _quarters(11), "M2": _quarters(9), "m3": _months(20),
          "M4": ["2013/14", "2014/15", "2015/16", "2016/17", "2017/18"], "M5": _quarters(10)}


def _sorted_rows(seed: int) -> list[list[object]]:
    """A History table sorted by Ref, each measure's periods in order, then spoilt a little:
    a row given twice, rows swapped, a label of another frequency, a Ref in other case, a
    row that does not read, the table shuffled."""
    rng = random.Random(seed)
    rows: list[list[object]] = [
        [ref, label, 0.5, None, "Green"] for ref, labels in SORTED.items()
        for label in labels[:rng.randrange(len(labels) + 1)]]
    for _ in range(rng.randrange(4)):
        i = rng.randrange(len(rows) + 1)
        spoil = rng.randrange(6)
        if spoil == 0 and rows:
            rows.insert(i, list(rng.choice(rows)))
        elif spoil == 1 and rows:
            j = rng.randrange(len(rows))
            rows[i - 1], rows[j] = rows[j], rows[i - 1]
        elif spoil == 2:
            rows.insert(i, [rng.choice(list(SORTED)), rng.choice(["Jun 2016", "2015/16",
                                                                   "Q1 2016/17"]), 0.5])
        elif spoil == 3 and rows:
            rows[i - 1] = [str(rows[i - 1][0]).swapcase()] + rows[i - 1][1:]
        elif spoil == 4:
            rows.insert(i, [rng.choice(list(SORTED)), "soon", "n/a", None, "Purple"])
        elif spoil == 5 and seed % 3 == 0:
            rng.shuffle(rows)
    return [["Ref", "Period", "Value", "Target", "Status"]] + rows


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.parametrize("current", [parse_period("Q2 2016/17"), parse_period("Q4 2017/18"),
                                     None])
def test_sorted_history_with_its_problems_reads_as_the_cell_by_cell_path(seed, current):
    rows = _sorted_rows(seed)
    fast, slow = _read(rows, True, current), _read(rows, False, current)
    assert [p.text for p in fast[1]] == [p.text for p in slow[1]]
    assert fast == slow


def test_clean_sorted_history_is_kept_in_runs():
    rows = [["Ref", "Period", "Value"]] + [
        [ref, label, 0.5] for ref, labels in SORTED.items() for label in labels[:2]]
    problems: list = []
    reader = HistoryReader(MEASURES, parse_period("Q2 2016/17"), problems, [])
    reader.read_table(table_from_values("History", "Past", "B3", rows))
    assert not reader.found and set(reader.runs) == {"m1", "m2", "m3", "m4", "m5"}
    assert not problems
    assert [o.period.label for o in reader.series()["m4"]] == SORTED["M4"][:2]


@pytest.mark.parametrize("seed", range(20))
def test_the_wide_layout_and_the_table_read_as_the_cell_by_cell_path(seed):
    measures = [replace(m, row=4 + i) for i, m in enumerate(MEASURES)]
    wide = table_from_values("Measures", "Measures", "B3", [
        ["Ref", "Q3 2015/16", "Q4 2015/16", "Jun 2016"]] + [
        [m.ref, 0.5, None if i % 2 else 0.25, 0.5] for i, m in enumerate(measures)])
    rows = _sorted_rows(seed)

    def read(fast: bool):
        problems: list = []
        at_current: list = []
        reader = HistoryReader(measures, parse_period("Q2 2016/17"), problems, at_current)
        reader.read_wide(wide, measures)
        reader.read_table(table_from_values("History", "Past", "B3", rows), fast=fast)
        return reader.series(), problems, at_current

    fast, slow = read(True), read(False)
    assert [p.text for p in fast[1]] == [p.text for p in slow[1]]
    assert fast == slow
