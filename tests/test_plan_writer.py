"""The file writer applies a plan and decides nothing: cells set and cleared with their
formats kept, rows added to a table (and a column at its right), a new sheet with a
table; every other part byte for byte."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from kpi_core.authoring.package import write_plan
from kpi_core.authoring.plan import (
    BLANK, NUMBER, TEXT, CellEdit, CellRef, TableRows, Value, WorkbookPlan,
)
from kpi_core.errors import FileError
from kpi_core.model import Problem

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"


def test_cells_set_and_cleared_keep_their_formats(tmp_path):
    out = tmp_path / "out.xlsx"
    before = openpyxl.load_workbook(SAMPLE)["Measures"]
    plan = WorkbookPlan(edits=(CellEdit("Measures", 4, 11, None, BLANK),
                               CellEdit("Measures", 4, 12, 0.5, NUMBER),
                               CellEdit("Settings", 3, 2, "Q3 2016/17", TEXT)))
    write_plan(SAMPLE, plan, out)
    after = openpyxl.load_workbook(out)
    ws = after["Measures"]
    assert ws.cell(4, 11).value is None and ws.cell(4, 12).value == 0.5
    assert ws.cell(4, 12).number_format == before.cell(4, 12).number_format
    assert after["Settings"].cell(3, 2).value == "Q3 2016/17"
    with zipfile.ZipFile(SAMPLE) as a, zipfile.ZipFile(out) as b:
        changed = {n for n in a.namelist() if a.read(n) != b.read(n)}
    # Settings' period was a shared string, now inline text: the count moves with it
    assert changed == {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml",
                       "xl/sharedStrings.xml"}


def test_rows_and_a_column_added_to_a_table(tmp_path):
    out = tmp_path / "out.xlsx"
    rows = (Value.of("AS01"), Value.of("Q2 2016/17"), Value.of(0.7), Value.of(0.85),
            Value.of(None), Value.of("a note"), Value.of("yes"))
    plan = WorkbookPlan(tables=(TableRows(
        "History", "Past periods", 1, 1,
        ("Ref", "Period", "Value", "Target", "Status", "Notes", "Checked"), 157, (rows,),
        added=("Checked",), like=((None, None, CellRef("Measures", 4, 11), None, None, None,
                                   None),)),))
    write_plan(DEMO, plan, out)
    ws = openpyxl.load_workbook(out)["Past periods"]
    assert ws.tables["History"].ref == "A1:G157"
    assert [c.name for c in ws.tables["History"].tableColumns][-2:] == ["Notes", "Checked"]
    assert [c.value for c in ws[157]] == ["AS01", "Q2 2016/17", 0.7, 0.85, None, "a note",
                                          "yes"]
    assert ws.cell(1, 7).value == "Checked"
    assert ws.cell(157, 3).number_format.endswith("%")


def test_a_new_sheet_with_a_table(tmp_path):
    out = tmp_path / "out.xlsx"
    plan = WorkbookPlan(tables=(TableRows(
        "History", "Past periods", 1, 1, ("Ref", "Period", "Value"), 2,
        ((Value.of("CS01"), Value("Sep 2016", TEXT), Value.of(3.0)),), new_sheet=True),))
    write_plan(SAMPLE, plan, out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[-1] == "Past periods"
    ws = wb["Past periods"]
    assert ws.tables["History"].ref == "A1:C2"
    assert [c.value for c in ws[2]] == ["CS01", "Sep 2016", 3]


def test_a_value_where_the_table_grows_is_refused(tmp_path):
    out = tmp_path / "out.xlsx"
    plan = WorkbookPlan(tables=(TableRows("Settings", "Settings", 1, 1, ("Setting", "Value"),
                                          8, ((Value.of("x"), Value.of("y")),)),))
    grown = tmp_path / "grown.xlsx"
    wb = openpyxl.load_workbook(SAMPLE)
    wb["Settings"].cell(8, 2).value = "in the way"
    wb.save(grown)
    with pytest.raises(FileError, match=r"Settings!B8 holds a value"):
        write_plan(grown, plan, out)


def test_a_plan_with_refusals_is_not_written(tmp_path):
    plan = WorkbookPlan(problems=(Problem.at("Measures", 4, 11, "no figure"),))
    with pytest.raises(ValueError, match="Measures!K4: no figure"):
        write_plan(SAMPLE, plan, tmp_path / "out.xlsx")
    assert not (tmp_path / "out.xlsx").exists()
