"""The Comparators table read by column gives what reading it row by row gives: the same
rows for each measure, the same problems at the same cells, in the same order."""

from __future__ import annotations

import random

import pytest

from kpi_core.model import Settings, Unit
from kpi_core.reading import comparators
from kpi_core.reading.columnar import ColumnGrid
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.scan import CellError

UNITS = {"m1": Unit.PERCENT, "m2": Unit.NUMBER, "m3": Unit.PERCENT, "m4": Unit.NUMBER}
REFS = ["M1", "M2", "m3", "M3", " M1 ", "M4", "M9", None, "", 7.0, "M\x01", CellError("#N/A")]
AUTHORITIES = ["Kent", "Surrey", "Bucks", "Buckinghamshire", " Kent", "KENT", "England",
               "South East", "SN average", "E92000001", "Oxfordshire", "Slough", 825.0, None,
               "", "Reading", "Milton Keynes", "Hampshire", CellError("#REF!")]
YEARS = ["2015", "2014/15", "2016/17", " 2015", "last year", 2015.0, None, "FY 2015-16"]
GROUPS = ["England", "Statistical neighbours", "SN", "national", "Region", "CIPFA nearest",
          "england", None, "  SN "]
VALUES = [0.5, 0.25, 0.9, 1.5, 2.5, -3.0, 71.0, None, "x", " X ", "c", "[low]", "n/a", "lots",
          "60%", "250%", float("nan"), float("inf"), 0.0, CellError("#DIV/0!"), True, 4103.5]


def _rows(seed: int, n: int) -> list[list[object]]:
    rng = random.Random(seed)
    rows: list[list[object]] = [["Ref", "Authority", "Year", "Value", "Group"]]
    ref = rng.choice(REFS)
    for _ in range(n):
        if rng.random() < 0.1:
            ref = rng.choice(REFS)  # rows of one Ref together, mostly, as councils keep them
        row = [ref, rng.choice(AUTHORITIES), rng.choice(YEARS), rng.choice(VALUES),
               rng.choice(GROUPS)]
        if rng.random() < 0.03:
            row = [None] * 5
        rows.append(row)
    return rows


def _read(rows, by_rows: bool, by_column: bool, monkeypatch, settings):
    monkeypatch.setattr(comparators, "BY_ROWS", by_rows)
    table = table_from_values("Comparators", "Comparators", "B3", rows, frozenset({3}))
    if by_column:
        columns = [list(c) for c in zip(*table.rows)]
        table = type(table)(table.name, table.sheet, table.top, table.left, ColumnGrid(columns),
                            frozenset((ri, 3) for ri in range(1, len(rows), 7)))
    problems: list = []
    found = comparators.read_comparators(table, problems, settings, UNITS)
    return {k: list(v) for k, v in found.items()}, problems


@pytest.mark.parametrize("seed", range(16))
@pytest.mark.parametrize("by_column", [False, True])
@pytest.mark.parametrize("settings", [Settings(authority="Buckinghamshire County Council"),
                                      Settings(authority_code="825"), Settings()])
def test_the_columns_read_as_the_rows(seed, by_column, settings, monkeypatch):
    rows = _rows(seed, 400)
    fast = _read(rows, False, by_column, monkeypatch, settings)
    slow = _read(rows, True, by_column, monkeypatch, settings)
    assert fast[0] == slow[0]
    assert [p.text for p in fast[1]] == [p.text for p in slow[1]]
    assert fast[1] == slow[1]
    assert slow[1] and any(slow[0].values())  # the cases hold both problems and rows


def test_the_usual_table_reads_as_the_rows(monkeypatch):
    """One text a cell, our own rows, aggregates, markers and blanks, no problem."""
    rows = [["Ref", "Authority", "Year", "Value", "Group"]]
    for m in ("M1", "M2", "M4"):
        for year in ("2014/15", "2015/16"):
            for i, group in enumerate(("England", "Statistical neighbours")):
                for a in ("Kent", "Bucks", "England", "Surrey", "Slough"):
                    rows.append([m, a, year, [0.5, None, "x", 0.25][(len(rows) + i) % 4], group])
    settings = Settings(authority="Buckinghamshire County Council")
    fast = _read(rows, False, True, monkeypatch, settings)
    assert fast == _read(rows, True, True, monkeypatch, settings)
    assert fast[1] == [] and sum(r.own for r in fast[0]["m1"]) == 4


@pytest.mark.parametrize("seed", range(40))
def test_one_years_groups_in_runs_read_as_the_rows(seed, monkeypatch):
    """The usual shape (a measure's rows of one year, each group's rows together, often
    the same authorities as the measure before): an authority twice in a group, a group
    in two runs, or neither, as a row-by-row read."""
    rng = random.Random(seed)
    rows = [["Ref", "Authority", "Year", "Value", "Group"]]
    names = ["Kent", "Bucks", "England", "Surrey", "Slough", "Reading", "Hampshire"]
    layout: list[tuple[str, list[str]]] = []
    for m in ("M1", "M2", "M4", "m1", "M3"):
        year = rng.choice(["2015", "2015/16"])
        if not layout or rng.random() < 0.4:  # else the authorities of the measure before
            groups = rng.sample(["England", "Statistical neighbours", "CIPFA nearest", "SN"],
                                rng.randrange(1, 4))
            if rng.random() < 0.3:
                groups.append(groups[0])  # a group's rows in two runs
            layout = [(g, rng.sample(names, rng.randrange(1, len(names) + 1))) for g in groups]
        for group, authorities in layout:
            for a in authorities:
                rows.append([m, a, year, rng.choice([0.5, 0.25, None, "x"]), group])
                if rng.random() < 0.03:
                    rows.append([m, a, year, 0.75, group])  # the same authority twice
    settings = Settings(authority="Buckinghamshire County Council")
    fast = _read(rows, False, True, monkeypatch, settings)
    assert fast == _read(rows, True, True, monkeypatch, settings)
