"""The xlwings Lite script *Close period* (addin/lite/main.py -> addin/book_close.py), run
against xlwings' own Book built from the Office.js payload, as in tests/test_lite_scripts.py.

One plan, two writers: the plan :func:`build_close_plan` makes from the file is applied
by the file writer, and the Lite script (reading the live tables, applying through
xlwings) must leave the same cells in every sheet."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import xlwings
from openpyxl.worksheet.table import Table

from kpi_core.authoring.closing import build_close_plan
from kpi_core.authoring.package import write_plan
from kpi_core.reading.workbook import read_workbook
from tests.lite_payload import apply_actions, book_payload
from tests.test_lite_scripts import run_jobs, sheet_grid

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"


def settings_with_a_notes_column(path: Path) -> Path:
    """The sample with its Settings table as ``Setting | Notes | Value``."""
    wb = openpyxl.load_workbook(SAMPLE)
    old = wb["Settings"]
    rows = [[c.value for c in row] for row in old.iter_rows()]
    index = wb.sheetnames.index("Settings")
    wb.remove(old)
    ws = wb.create_sheet("Settings", index)
    ws.append(["Setting", "Notes", "Value"])
    for name, value in rows[1:]:
        ws.append([name, f"what {name} means" if name else None, value])
    ws.add_table(Table(displayName="Settings", ref=f"A1:C{len(rows)}"))
    wb.save(path)
    return path


def grids(payload: dict) -> dict[str, list[list]]:
    """Each sheet's values, trailing blank rows and columns trimmed."""
    out = {}
    for sheet in payload["sheets"]:
        rows = [list(r) for r in sheet["values"]]
        while rows and all(v in (None, "") for v in rows[-1]):
            rows.pop()
        width = max((max((i + 1 for i, v in enumerate(r) if v not in (None, "")), default=0)
                     for r in rows), default=0)
        out[sheet["name"]] = [[None if v == "" else v for v in (r + [None] * width)[:width]]
                              for r in rows]
    return out


def both_writers(book: Path, tmp_path: Path, nxt: str = "Q3 2016/17"):
    """(the plan, the file writer's sheets, the Lite script's sheets, what Lite printed)."""
    closing = build_close_plan(read_workbook(book, titles=True), nxt)
    assert not closing.refused, closing.problems
    out = tmp_path / "file.xlsx"
    write_plan(book, closing.plan, out)
    payload = book_payload(book, xlwings.__version__)
    [result] = run_jobs(("close_period", payload, [nxt]))
    after = apply_actions(payload, result["actions"])
    return (closing, grids(book_payload(out, xlwings.__version__)), grids(after),
            result["printed"])


@pytest.mark.parametrize("which", ["sample", "demo", "settings with a third column"])
def test_the_file_writer_and_the_lite_writer_leave_the_same_cells(which, tmp_path):
    book = {"sample": SAMPLE, "demo": DEMO}.get(which) or settings_with_a_notes_column(
        tmp_path / "three.xlsx")
    closing, by_file, by_lite, printed = both_writers(book, tmp_path)
    assert list(by_lite) == list(by_file)  # the same sheets, in the same order
    for name in by_file:
        assert by_lite[name] == by_file[name], name
    # and they are the plan's cells
    for (sheet, row, col), value in closing.plan.cells().items():
        assert by_file[sheet][row - 1][col - 1] == value.value, (sheet, row, col)
    settings = by_file["Settings"]
    header = settings[0]
    period_row = next(r for r in settings if r[0] == "Period")
    assert period_row[header.index("Value")] == "Q3 2016/17"  # Value, never Notes
    assert f"Closed {closing.closed}: {closing.rows} row(s) added to History" in printed


def test_closing_the_sample_in_lite_starts_a_clean_quarter(tmp_path):
    closing, _by_file, by_lite, printed = both_writers(SAMPLE, tmp_path)
    # each new History Value and Target takes its measure's cell format (14 rows)
    payload = book_payload(SAMPLE, xlwings.__version__)
    [result] = run_jobs(("close_period", payload))
    copies = [a for a in result["actions"] if a["func"] == "copyFromRange"]
    assert len(copies) == 28 and all(a["args"][2] == "formats" for a in copies)
    assert copies[0]["args"][:2] == [0, "$K$4"] and copies[0]["start_column"] == 2  # C2
    assert "Past periods" in by_lite and "History" not in by_lite
    history = by_lite["Past periods"]
    assert history[0] == ["Ref", "Period", "Value", "Target", "Status", "Notes"]
    assert {line[1] for line in history[1:]} == {"Sep 2016"}  # monthly measures: their month
    measures = by_lite["Measures"]
    assert measures[0][0].endswith("Q3 2016/17")  # the title names the period opened
    header = measures[2]
    for line in measures[3:]:
        for name in ("Current", "Data Status", "RAG Override", "Override Reason", "Notes",
                     "Highlight"):
            assert line[header.index(name)] is None, (line[2], name)


def test_a_period_closed_already_changes_nothing():
    payload = book_payload(DEMO, xlwings.__version__)
    closed = json.loads(json.dumps(payload))
    [first] = run_jobs(("close_period", closed))
    again = apply_actions(closed, first["actions"])
    # put the Settings period back and a figure in: the same period closed twice
    for line in sheet_grid(again, "Settings"):
        if line[0] == "Period":
            line[1] = "Q2 2016/17"
    measures = sheet_grid(again, "Measures")
    measures[3][measures[2].index("Current")] = 0.5
    [second] = run_jobs(("close_period", again))
    assert second["actions"] == []
    assert "Nothing was changed" in second["printed"]
    assert "already has Q2 2016/17 in History" in second["printed"]


def test_an_empty_quarter_and_a_skipped_one_change_nothing():
    payload = book_payload(DEMO, xlwings.__version__)
    [first] = run_jobs(("close_period", payload))
    closed = apply_actions(payload, first["actions"])
    [empty, skip, allowed] = run_jobs(("close_period", closed, ["Q4 2016/17"]),
                                      ("close_period", payload, ["Q3 2017/18"]),
                                      ("close_period", payload, ["Q3 2017/18", True]))
    assert empty["actions"] == [] and "no measure has a figure for Q3 2016/17" in \
        empty["printed"]
    assert skip["actions"] == [] and "--allow-gap" in skip["printed"]
    assert ["Period", "Q3 2017/18"] in sheet_grid(apply_actions(payload, allowed["actions"]),
                                                  "Settings")
    assert "the periods between are left out" in allowed["printed"]


def test_data_errors_change_nothing():
    payload = book_payload(SAMPLE, xlwings.__version__)
    grid = sheet_grid(payload, "Measures")
    cur = grid[2].index("Current")
    grid[3][cur] = "abc"
    [result] = run_jobs(("close_period", payload))
    assert result["actions"] == []
    assert "Measures!" in result["printed"] and "Nothing was changed" in result["printed"]
