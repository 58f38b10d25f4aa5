"""Build small performance workbooks for tests: real .xlsx files with real Excel tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

HEADERS = ["Portfolio", "Cabinet Member", "Ref", "Measure", "Polarity", "Unit", "Frequency",
           "Target", "Target Upper", "Current", "Previous", "Tolerance", "Amber Threshold",
           "Data Status", "Notes", "Highlight"]


def measure_row(ref: str = "M1", portfolio: str = "Adults", **values: object) -> dict:
    """One measure as a header -> value mapping, with sensible defaults."""
    row = {"Portfolio": portfolio, "Ref": ref, "Measure": f"Measure {ref}", "Unit": "%",
           "Target": 0.9, "Current": 0.95}
    row.update({k.replace("_", " "): v for k, v in values.items()})
    return row


def write_book(path: Path, measures: Sequence[dict] = (), *, headers: Sequence[str] = HEADERS,
               benchmarks: Sequence[Sequence[object]] | None = None,
               settings: Sequence[Sequence[object]] | None = None,
               comparators: Sequence[Sequence[object]] | None = None,
               measures_table: str | None = "Measures", measures_sheet: str = "Measures",
               first_cell: tuple[int, int] = (0, 0)) -> Path:
    """Write a workbook whose Measures table has ``headers`` and one row per mapping.

    Values are written as they are: strings stay strings (even '=1+1'), numbers numbers.
    """
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False})
    ws = wb.add_worksheet(measures_sheet)
    r0, c0 = first_cell
    rows = [[m.get(h) for h in headers] for m in measures]
    add_table(ws, measures_table, headers, rows, r0, c0)
    if benchmarks is not None:
        add_table(wb.add_worksheet("Benchmarks"), "Benchmarks", ["Ref", "Comparator", "Year", "Value"],
               [list(b) for b in benchmarks])
    if settings is not None:
        add_table(wb.add_worksheet("Settings"), "Settings", ["Setting", "Value"],
               [list(s) for s in settings])
    if comparators is not None:
        add_table(wb.add_worksheet("Comparators"), "Comparators",
               ["Ref", "Authority", "Year", "Value", "Group"], [list(c) for c in comparators])
    wb.close()
    return path


def add_table(ws, name, headers, rows, r0=0, c0=0):
    for ci, h in enumerate(headers):
        ws.write_string(r0, c0 + ci, h)
    for ri, row in enumerate(rows, start=1):
        for ci, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, bool):
                ws.write_boolean(r0 + ri, c0 + ci, v)
            elif isinstance(v, (int, float)):
                ws.write_number(r0 + ri, c0 + ci, v)
            else:
                ws.write_string(r0 + ri, c0 + ci, str(v))
    if name:
        ws.add_table(r0, c0, r0 + max(len(rows), 1), c0 + len(headers) - 1, {
            "name": name, "header_row": True,
            "columns": [{"header": h} for h in headers]})
