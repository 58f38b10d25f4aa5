"""The xlwings Lite script *Close period* (addin/lite/main.py -> addin/book_close.py), run
against xlwings' own Book built from the Office.js payload, as in tests/test_lite_scripts.py:
the same closing as ``kpi-scorecard close-period``, done inside the open workbook."""

from __future__ import annotations

import json
from pathlib import Path

import xlwings

from kpi_core.authoring.closing import closing_period
from kpi_core.pipeline import assess_workbook
from kpi_core.reading.periods import parse_period
from kpi_core.reading.workbook import read_workbook
from tests.lite_payload import apply_actions, book_payload
from tests.test_lite_scripts import run_jobs, sheet_grid

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"


def expected_history(path: Path, opened: str) -> list[list]:
    workbook = read_workbook(path)
    current, nxt = parse_period(workbook.settings.period), parse_period(opened)
    rows = []
    for a in assess_workbook(workbook):
        closing = closing_period(a.measure, current, nxt)
        if closing is not None:
            rows.append([a.measure.ref, closing.label, a.measure.current,
                         a.measure.target, a.status.value])
    return rows


def column(grid: list[list], header: str) -> tuple[int, int]:
    """(header row, column) of a header in a sheet's grid."""
    for r, line in enumerate(grid):
        if header in line:
            return r, line.index(header)
    raise KeyError(header)


def test_closing_the_sample_adds_a_history_table_and_opens_the_next_quarter():
    payload = book_payload(SAMPLE, xlwings.__version__)
    [result] = run_jobs(("close_period", payload))
    after = apply_actions(payload, result["actions"])
    assert [s["name"] for s in after["sheets"]] == ["Measures", "Benchmarks", "Settings",
                                                    "History"]
    [table] = [a for a in result["actions"] if a["func"] == "addTable"]
    assert table["args"][1] is True and table["args"][3] == "History"  # headers, name
    history = sheet_grid(after, "History")
    assert history[0] == ["Ref", "Period", "Value", "Target", "Status"]
    assert history[1:] == expected_history(SAMPLE, "Q3 2016/17")
    assert {line[1] for line in history[1:]} == {"Sep 2016"}  # monthly measures: their month
    written = [v for a in result["actions"] if a["func"] == "setValues"
               for line in a["values"] for v in line]
    assert "'Sep 2016" in written and "Sep 2016" not in written  # text, not a date
    settings = sheet_grid(after, "Settings")
    assert ["Period", "Q3 2016/17"] in settings
    before, grid = sheet_grid(payload, "Measures"), sheet_grid(after, "Measures")
    top, cur = column(before, "Current")
    _, prev = column(before, "Previous")
    cleared = {(a["start_row"], a["start_column"]) for a in result["actions"]
               if a["func"] == "rangeClearContents" and a["sheet_position"] == 0}
    measure_rows = [r for r in range(top + 1, len(before)) if before[r][cur] is not None]
    assert len(measure_rows) == 14
    for r in measure_rows:
        assert (r, cur) in cleared
        assert grid[r][prev] == before[r][cur]
    assert "Closed Q2 2016/17: 14 row(s) added to History" in result["printed"]


def test_closing_the_demo_appends_to_its_history_table_and_keeps_the_old_rows():
    payload = book_payload(DEMO, xlwings.__version__)
    [result] = run_jobs(("close_period", payload))
    after = apply_actions(payload, result["actions"])
    old, new = sheet_grid(payload, "History"), sheet_grid(after, "History")
    expected = expected_history(DEMO, "Q3 2016/17")
    assert new[:len(old)] == old
    added = [line[:5] for line in new[len(old):]]
    assert added == expected and len(added) == len(
        [a for a in result["actions"] if a["func"] == "addTableRow"])


def test_a_period_closed_already_changes_nothing():
    payload = book_payload(DEMO, xlwings.__version__)
    history = next(s for s in payload["sheets"] if s["name"] == "History")
    closed = json.loads(json.dumps(payload))
    [first] = run_jobs(("close_period", closed))
    again = apply_actions(closed, first["actions"])
    # put the Settings period back: the same period closed twice
    for line in next(s for s in again["sheets"] if s["name"] == "Settings")["values"]:
        if line[0] == "Period":
            line[1] = "Q2 2016/17"
    [second] = run_jobs(("close_period", again))
    assert second["actions"] == []
    assert "Nothing was changed: History already has" in second["printed"]
    assert history  # the demo has its own History table


def test_the_next_period_is_checked_and_may_skip_ahead():
    payload = book_payload(SAMPLE, xlwings.__version__)
    [back, skip, nonsense] = run_jobs(("close_period", payload, ["Q1 2016/17"]),
                                      ("close_period", payload, ["Q4 2016/17"]),
                                      ("close_period", payload, ["next quarter"]))
    assert back["actions"] == [] and "is not after the current period" in back["printed"]
    assert nonsense["actions"] == [] and "Nothing was changed" in nonsense["printed"]
    assert ["Period", "Q4 2016/17"] in sheet_grid(apply_actions(payload, skip["actions"]),
                                                  "Settings")


def test_data_errors_change_nothing():
    payload = book_payload(SAMPLE, xlwings.__version__)
    grid = sheet_grid(payload, "Measures")
    top, cur = column(grid, "Current")
    grid[top + 1][cur] = "abc"
    [result] = run_jobs(("close_period", payload))
    assert result["actions"] == []
    assert "Measures!" in result["printed"] and "Nothing was changed" in result["printed"]
