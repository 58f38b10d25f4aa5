"""Where History is found (SPEC section 3): the table named History on any sheet, else a
plain range on a sheet named ``Past periods`` or ``History`` (workbooks made elsewhere
may have one); a close appends to whichever it is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from kpi_core.authoring.closing import build_close_plan, close_period
from kpi_core.reading.workbook import read_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
ROWS = [["Ref", "Period", "Value"], ["CS01", "Aug 2016", 0.9], ["CS02", "Aug 2016", 0.5]]


def with_history(path: Path, sheet: str, table: bool, top: int = 1) -> Path:
    wb = openpyxl.load_workbook(SAMPLE)
    ws = wb.create_sheet(sheet)
    if top > 1:
        ws.cell(1, 1, "Figures of past months")
    for r, line in enumerate(ROWS, start=top):
        for c, v in enumerate(line, start=1):
            ws.cell(r, c, v)
    if table:
        ws.add_table(Table(displayName="History", ref=f"A{top}:C{top + len(ROWS) - 1}"))
    wb.save(path)
    return path


@pytest.mark.parametrize("sheet, table, top", [
    ("Anything", True, 1), ("Past periods", False, 1), ("History", False, 2),
    ("past periods", False, 3)])
def test_history_is_found_and_a_close_appends_to_it(sheet, table, top, tmp_path):
    book = with_history(tmp_path / "h.xlsx", sheet, table, top)
    workbook = read_workbook(book, titles=True)
    assert not workbook.errors
    cs01 = next(m for m in workbook.measures if m.ref == "CS01")
    assert [(o.period.label, o.value) for o in cs01.history] == [("Aug 2016", 0.9)]
    place = workbook.places.history
    assert (place.sheet, place.top, place.end, place.excel_table) == (
        sheet, top, top + 3, table)
    plan = build_close_plan(workbook, "Q3 2016/17").plan
    [rows] = plan.tables
    assert (rows.sheet, rows.first, rows.added) == (sheet, top + 3, ("Notes",))
    out = tmp_path / "out.xlsx"
    close_period(book, "Q3 2016/17", out)
    ws = openpyxl.load_workbook(out)[sheet]
    assert [ws.cell(top, c).value for c in range(1, 5)] == ["Ref", "Period", "Value", "Notes"]
    assert ws.cell(top + 3, 1).value == "CS01" and ws.cell(top + 3, 2).value == "Sep 2016"
    again = read_workbook(out)
    assert [o.period.label for o in next(m for m in again.measures
                                         if m.ref == "CS01").history] == ["Aug 2016",
                                                                          "Sep 2016"]


def test_a_sheet_of_other_cells_is_not_history(tmp_path):
    wb = openpyxl.load_workbook(SAMPLE)
    wb.create_sheet("Past periods").append(["Notes of the team", "kept here"])
    path = tmp_path / "h.xlsx"
    wb.save(path)
    assert read_workbook(path).places.history is None
    # the close makes its History beside the officer's sheet, not over it
    close_period(path, "Q3 2016/17", tmp_path / "out.xlsx")
    after = openpyxl.load_workbook(tmp_path / "out.xlsx")
    assert after.sheetnames[-2:] == ["Past periods", "Past periods 2"]
    assert after["Past periods"]["A1"].value == "Notes of the team"
    assert "History" in after["Past periods 2"].tables
