"""The close decided once, as a plan (SPEC section 7): what it edits, what it adds to
History, and every refusal with its cell; the writers are tested elsewhere."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl

from kpi_core.authoring.closing import PER_PERIOD, build_close_plan
from kpi_core.authoring.plan import BLANK, TEXT
from kpi_core.model import CellRef
from kpi_core.reading.workbook import read_workbook
from tests.figures import enter

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
DEMO = ROOT / "workbook_templates" / "demo_performance_workbook.xlsx"


def test_the_sample_plan():
    workbook = read_workbook(SAMPLE, titles=True)
    closing = build_close_plan(workbook, "Q3 2016/17")
    plan = closing.plan
    assert not plan.problems and (closing.closed, closing.opened) == ("Q2 2016/17",
                                                                      "Q3 2016/17")
    cells = {(e.sheet, e.address): e for e in plan.edits}
    assert cells[("Settings", "B3")].value == "Q3 2016/17" and cells[("Settings", "B3")].kind \
        == TEXT
    assert cells[("Measures", "A1")].value.endswith(", Q3 2016/17")  # the title
    cols = dict(workbook.places.measures.columns)
    for m in workbook.measures:
        for field in PER_PERIOD:
            assert cells[("Measures", CellRef("Measures", m.row, cols[field]).address)].kind \
                == BLANK, (m.ref, field)
        previous = cells[("Measures", CellRef("Measures", m.row, cols["previous"]).address)]
        assert previous.value == m.current
    [rows] = plan.tables
    assert (rows.table, rows.sheet, rows.new_sheet) == ("History", "Past periods", True)
    assert rows.headers == ("Ref", "Period", "Value", "Target", "Status", "Notes")
    assert [r[0].value for r in rows.rows] == [m.ref for m in workbook.measures]


def test_a_title_keeps_its_own_words_and_line_breaks(tmp_path):
    wb = openpyxl.load_workbook(SAMPLE)
    wb["Measures"]["A1"] = "Scorecard workbook\nQ2 2016/17 (draft)"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    plan = build_close_plan(read_workbook(path, titles=True), "Q3 2016/17").plan
    [title] = [e for e in plan.edits if (e.sheet, e.address) == ("Measures", "A1")]
    assert title.value == "Scorecard workbook\nQ3 2016/17 (draft)"


def test_refusals_name_their_cells(tmp_path):
    workbook = read_workbook(DEMO, titles=True)
    gap = build_close_plan(workbook, "Q4 2016/17")
    assert gap.refused and gap.usage
    [p] = gap.plan.refusals
    assert p.text.startswith("Settings!B3: --next Q4 2016/17: the period after Q2 2016/17 "
                             "is Q3 2016/17")
    assert not build_close_plan(workbook, "Q4 2016/17", allow_gap=True).refused
    blank = {"current": None, "rag_override": None, "override_reason": None}
    empty = enter(DEMO, tmp_path / "empty.xlsx", {m.ref: blank for m in workbook.measures})
    [p] = build_close_plan(read_workbook(empty), "Q3 2016/17").plan.refusals
    assert (p.sheet, p.cell) == ("Measures", "K3") and "no measure has a figure" in p.message


def test_a_row_history_already_holds_is_refused_at_its_cell():
    workbook = read_workbook(DEMO)
    places = replace(workbook.places, history_current=(
        ("as01", workbook.settings.current_period, "Past periods", 40, 2),))
    closing = build_close_plan(replace(workbook, places=places), "Q3 2016/17")
    [p] = closing.plan.refusals
    assert p.text.startswith("Past periods!B40: AS01 already has Q2 2016/17 in History")
    assert not closing.usage


def test_measures_without_a_figure_are_warnings():
    workbook = read_workbook(DEMO)
    plan = build_close_plan(workbook, "Q3 2016/17").plan
    assert not plan.refused
    # CF05 is annual: its 2015/16 outturn stays open, no warning; none is blank otherwise
    assert [p.cell for p in plan.warnings] == []
