"""The xlwings Lite scripts and functions of addin/lite/main.py, run in CPython against
xlwings' own ``Book`` built from the JSON an Office.js client sends (xlwings' remote
engine, as in xlwings Lite and xlwings Server), asserting on the actions they return:
what the add-in would apply in Excel. Excel itself is not in the loop.

Runs in subprocesses (tests/support/lite_script_runner.py): xlwings picks the Lite/Server
decorators only when ``XLWINGS_ON_SERVER`` is set before its first import. Its remote
engine is under xlwings' noncommercial licence: used here, in tests only.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
import xlwings

from addin import udfs
from addin.book_render import column_points, lay_out
from kpi_core.pipeline import assess_workbook, build_and_write
from kpi_core.publishing.measure_rows import trend_text
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.spec import Sparkline
from kpi_core.publishing.theme import RAG_COLOURS
from kpi_core.reading.workbook import read_workbook
from kpi_core.model import Status
from tests.support.lite_payload import apply_actions, book_payload, sheet_payload
from tests.support.workbooks import measure_row, write_book
from tests.support.lite import generated_names, run_jobs, sheet_grid
from tests.support.paths import DEMO, SAMPLE

MARKER = "KpiScorecard_Generated"


pytestmark = pytest.mark.slow  # every test here runs the scripts in a fresh Python


def quoted(sheet: str) -> str:
    return f"'{sheet.replace(chr(39), chr(39) * 2)}'" if not sheet.isalnum() else sheet


def sample_payload() -> dict:
    return book_payload(SAMPLE, xlwings.__version__)


def actions_on(result: dict, payload_after: dict, sheet: str, func: str) -> list[dict]:
    """The ``func`` actions aimed at ``sheet`` (by its final position)."""
    position = [s["name"] for s in payload_after["sheets"]].index(sheet)
    return [a for a in result["actions"] if a["func"] == func and a["sheet_position"] == position]


def covering(actions: list[dict], row: int, col: int) -> list[dict]:
    return [a for a in actions if a["start_row"] <= row < a["start_row"] + a["row_count"]
            and a["start_column"] <= col < a["start_column"] + a["column_count"]]


@pytest.fixture(scope="module")
def first_run():
    payload = sample_payload()
    [result] = run_jobs(("regenerate_scorecards", payload))
    return payload, result, apply_actions(payload, result["actions"])


def test_regenerate_adds_the_summary_and_portfolio_sheets_after_the_users_sheets(first_run):
    payload, result, after = first_run
    generated = generated_names(SAMPLE)
    assert generated[:2] == ["Summary", "Children's Services"]
    added = [a["args"][1] for a in result["actions"] if a["func"] == "addSheet"]
    assert len(added) == len(generated)
    assert result["sheets"] == ["Measures", "Benchmarks", "Settings"] + generated
    assert [s["name"] for s in after["sheets"]] == result["sheets"]
    assert sorted(n["name"] for n in result["names"]) == sorted(
        f"{quoted(g)}!{MARKER}" for g in generated)
    assert f"Wrote {', '.join(generated)}" in result["printed"]
    # the spec's Excel tables (the Data sheet's) are tables in the workbook too
    for spec in build_scorecard(assess_workbook(read_workbook(SAMPLE))).sheets:
        for block in spec.blocks:
            if getattr(block, "excel_table", False):
                [table] = [a for a in actions_on(result, after, spec.name, "addTable")]
                assert table["args"][3] == block.key and table["args"][1] is True
    # the user's own sheets are never addressed
    for i in range(3):
        assert not [a for a in result["actions"] if a["sheet_position"] == i]


def test_every_measure_has_its_status_word_and_fill_in_its_row(first_run):
    _payload, result, after = first_run
    workbook = read_workbook(SAMPLE)
    assessments = assess_workbook(workbook)
    grid = sheet_grid(after, "Children's Services")
    fills = actions_on(result, after, "Children's Services", "setRangeColor")
    font_colours = [a for a in actions_on(result, after, "Children's Services", "setFontProperty")
                    if a["args"][0] == "color"]
    seen = {}
    for a in assessments:
        rows = [r for r, line in enumerate(grid) if a.measure.name in line]
        assert len(rows) == 1, a.measure.name
        line = grid[rows[0]]
        status = a.status.value
        assert status in line, (a.measure.name, line)
        seen[status] = seen.get(status, 0) + 1
        if a.status in RAG_COLOURS:
            col = line.index(status)
            [fill] = covering(fills, rows[0], col)
            assert fill["args"] == [RAG_COLOURS[a.status]]
            [font] = covering(font_colours, rows[0], col)
            assert font["args"][1] == ("#000000" if a.status is Status.AMBER else "#FFFFFF")
    assert seen["Green"] == 1 and seen["Amber"] == 3 and seen["Red"] == 9


@pytest.mark.filterwarnings("ignore:Sparkline Group extension:UserWarning")  # openpyxl
@pytest.mark.parametrize("path", [SAMPLE, DEMO], ids=["sample", "demo"])
def test_the_sheets_hold_what_the_committee_workbook_holds(path, tmp_path):
    """Cell for cell the values, number formats, fills, widths and heights of the .xlsx
    the CLI writes (the demo has History: trends, directions, sparklines)."""
    payload = book_payload(path, xlwings.__version__)
    [result] = run_jobs(("regenerate_scorecards", payload))
    after = apply_actions(payload, result["actions"])
    workbook = read_workbook(path)
    out = build_and_write(workbook, tmp_path / "card.xlsx").output
    card = build_scorecard(assess_workbook(workbook), workbook.settings)
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        grid = sheet_grid(after, ws.title)
        formats = actions_on(result, after, ws.title, "setNumberFormat")
        fills = actions_on(result, after, ws.title, "setRangeColor")
        widths = actions_on(result, after, ws.title, "setColumnWidth")
        compared = 0
        spec_cells = lay_out(card.sheet(ws.title)).cells
        for row in ws.iter_rows():
            for cell in row:
                r, c = cell.row - 1, cell.column - 1
                mine = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
                if isinstance(mine, str) and mine.startswith("'"):
                    mine = mine[1:]
                if c >= len(card.sheet(ws.title).columns):
                    continue  # the hidden columns holding the sparklines' figures
                spec = spec_cells.get((r, c))
                if spec is not None and isinstance(spec.value, Sparkline):
                    # Lite draws no sparkline: the block characters the file renderer
                    # writes where it cannot draw one
                    assert mine == trend_text(spec.value.values), (ws.title, cell.coordinate)
                    continue
                expected = cell.value  # a float through the file's text: to 15 digits
                if isinstance(expected, float):
                    expected = pytest.approx(expected, rel=1e-14)
                assert mine == expected, (ws.title, cell.coordinate)
                if cell.value is not None:
                    compared += 1
                    if cell.number_format != "General":
                        assert [a["args"][0] for a in covering(formats, r, c)] == [
                            cell.number_format], (ws.title, cell.coordinate)
                    if cell.fill.fgColor.rgb not in (None, "00000000"):
                        assert [a["args"][0].upper().lstrip("#") for a in covering(fills, r, c)
                                ] == [cell.fill.fgColor.rgb[-6:]], (ws.title, cell.coordinate)
        assert compared > 20
        heights = actions_on(result, after, ws.title, "setRowHeight")
        for r, dim in ws.row_dimensions.items():
            if dim.ht is not None:
                assert [a["args"][0] for a in covering(heights, r - 1, 0)] == [  # XlsxWriter
                    pytest.approx(dim.ht, abs=0.75)], (  # rounds a height to whole pixels
                    ws.title, r)
        assert [a["args"][0] for a in sorted(widths, key=lambda a: a["start_column"])] == [
            column_points(c.width) for c in card.sheet(ws.title).columns]


def test_a_second_run_replaces_its_sheets_and_leaves_the_users_alone(first_run):
    _payload, _result, after = first_run
    # the officer keeps last quarter's summary by renaming it, and adds a sheet of their own
    second = json.loads(json.dumps(after))
    for sheet in second["sheets"]:
        if sheet["name"] == "Summary":
            sheet["name"] = "Summary Q1"
    for name in second["names"]:
        if name["scope_sheet_name"] == "Summary":
            name["scope_sheet_name"] = "Summary Q1"
    notes = [["My notes"], ["=not a formula, kept"], [42.0]]
    second["sheets"].append(sheet_payload("Notes", notes))
    [result] = run_jobs(("regenerate_scorecards", second))
    third = apply_actions(second, result["actions"])
    names = [s["name"] for s in third["sheets"]]
    generated = generated_names(SAMPLE)
    assert names == ["Measures", "Benchmarks", "Settings", "Summary Q1"] + generated + ["Notes"]
    deleted = [a for a in result["actions"] if a["func"] == "sheetDelete"]
    assert len(deleted) == len(generated) - 1        # not the renamed Summary
    # a new sheet's Excel table keeps its name: it is added once the old one has gone
    tables = [a["args"][3] for a in result["actions"] if a["func"] == "addTable"]
    assert tables == [a["args"][3] for a in _result["actions"] if a["func"] == "addTable"]
    assert sheet_grid(third, "Notes") == notes
    assert sheet_grid(third, "Summary Q1") == sheet_grid(after, "Summary")
    assert sheet_grid(third, "Children's Services") == sheet_grid(after, "Children's Services")
    # each generated sheet carries one marker, under its own name
    markers = sorted((n["scope_sheet_name"], n["refers_to"]) for n in third["names"]
                     if n["name"].endswith(MARKER))
    assert markers == sorted([(g, f'="{g}:{g}"') for g in generated]
                             + [("Summary Q1", '="Summary:Summary"')])  # renamed: not ours


def test_a_users_own_summary_sheet_keeps_its_name_and_contents():
    payload = sample_payload()
    payload["sheets"].insert(0, sheet_payload("Summary", [["Officer's own summary"]]))
    [result] = run_jobs(("regenerate_scorecards", payload))
    after = apply_actions(payload, result["actions"])
    names = [s["name"] for s in after["sheets"]]
    assert names[0] == "Summary" and "Summary (scorecard)" in names
    assert sheet_grid(after, "Summary") == [["Officer's own summary"]]


@pytest.fixture(scope="module")
def bad_book(tmp_path_factory) -> dict:
    path = write_book(tmp_path_factory.mktemp("lite") / "bad.xlsx", [
        measure_row("M1", Current="abc"),
        measure_row("M2", Measure="=HYPERLINK(\"x\")", Current=0.5),
        measure_row("M3", Polarity="Sideways"),
    ])
    return book_payload(path, xlwings.__version__)


def test_check_lists_each_problem_with_its_cell_on_a_sheet_and_in_the_pane(bad_book):
    [check, regen] = run_jobs(("check_workbook", bad_book), ("regenerate_scorecards", bad_book))
    after = apply_actions(bad_book, check["actions"])
    assert [s["name"] for s in after["sheets"]] == ["Measures", "Check"]
    grid = sheet_grid(after, "Check")
    rows = {line[0]: line for line in grid if line and isinstance(line[0], str)
            and line[0].startswith("Measures!")}
    assert "Measures!J2" in rows and rows["Measures!J2"][1] == "Error"
    assert "'abc'" in rows["Measures!J2"][2]
    assert "Measures!E4" in rows                              # the polarity
    assert "Measures!J2: current position 'abc'" in check["printed"]
    assert "error(s)" in grid[1][0]
    # Regenerate with errors changes nothing and says why
    assert regen["actions"] == []
    assert "nothing was changed" in regen["printed"] and "Measures!J2" in regen["printed"]


def test_check_of_a_clean_workbook_replaces_only_its_own_check_sheet():
    payload = sample_payload()
    payload["sheets"].append(sheet_payload("Check", [["the officer's checklist"]]))
    [first] = run_jobs(("check_workbook", payload))
    after = apply_actions(payload, first["actions"])
    assert [s["name"] for s in after["sheets"]][-2:] == ["Check", "Check (scorecard)"]
    assert sheet_grid(after, "Check (scorecard)")[1][0].startswith("No problems found")
    [second] = run_jobs(("check_workbook", after))
    again = apply_actions(after, second["actions"])
    assert [s["name"] for s in again["sheets"]] == [s["name"] for s in after["sheets"]]
    assert sheet_grid(again, "Check") == [["the officer's checklist"]]


def test_formula_like_text_is_written_as_text():
    payload = sample_payload()
    grid = sheet_grid(payload, "Measures")
    header = grid[2]
    grid[3][header.index("Measure")] = "=1+1"
    [result] = run_jobs(("regenerate_scorecards", payload))
    written = [v for a in result["actions"] if a["func"] == "setValues"
               for row in a["values"] for v in row]
    assert "'=1+1" in written and "=1+1" not in written


def test_main_registers_the_desktop_functions_with_their_help_and_both_scripts():
    [result] = run_jobs(("", sample_payload()))
    functions = {f["id"]: f for f in result["functions"]["functions"]}
    assert sorted(functions) == sorted(udfs.__all__)
    for name in udfs.__all__:
        func = getattr(udfs, name)
        assert functions[name]["description"] == func.__doc__
        params = functions[name]["parameters"]
        assert [p["name"] for p in params] == list(
            func.__code__.co_varnames[:func.__code__.co_argcount])
        assert all(p["description"] and not p["description"].startswith("Positional")
                   for p in params)
    assert functions["KPI_RAG"]["parameters"][0]["description"] == udfs._CURRENT
    scripts = {s["function_name"]: s["name"] for s in result["scripts"]}
    assert scripts == {"check_workbook": "Check workbook",
                       "regenerate_scorecards": "Regenerate scorecards",
                       "close_period": "Close period"}


def test_check_and_regenerate_each_replace_only_their_own_sheets():
    payload = sample_payload()
    [check] = run_jobs(("check_workbook", payload))
    checked = apply_actions(payload, check["actions"])
    [regen] = run_jobs(("regenerate_scorecards", checked))
    both = apply_actions(checked, regen["actions"])
    assert [s["name"] for s in both["sheets"]] == [
        "Measures", "Benchmarks", "Settings", "Check"] + generated_names(SAMPLE)
    assert not [a for a in regen["actions"] if a["func"] == "sheetDelete"]
    [again] = run_jobs(("check_workbook", both))
    assert len([a for a in again["actions"] if a["func"] == "sheetDelete"]) == 1
    final = apply_actions(both, again["actions"])
    assert [s["name"] for s in final["sheets"]] == [s["name"] for s in both["sheets"]]
    assert sheet_grid(final, "Summary") == sheet_grid(both, "Summary")
