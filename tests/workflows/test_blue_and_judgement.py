"""Blue and officer judgement through the workbook: the band columns and settings read
with their cells, the scorecard showing Blue and judgement, the template, the live reader, and a
council's published RAG statement giving the same statuses through ``check --json``,
``regenerate`` and ``KPI_RAG`` on xlwings' Office.js server path."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from addin.live import read_live_workbook
from kpi_core.assessing.measure import assess_measures
from kpi_core.authoring.template import MEASURE_HEADERS, write_performance_workbook
from kpi_core.model import Settings, Status, ToleranceBasis
from kpi_core.pipeline import assess_workbook
from kpi_core.publishing.measure_rows import JUDGEMENT_MARK
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.publishing.theme import RAG_COLOURS, RAG_TEXT_COLOURS, STATUS_COLOURS, STYLES
from kpi_core.reading.workbook import read_workbook
from tests.support.colours import contrast_ratio
from tests.support.corpus import BAND_HEADERS
from tests.support.live_fakes import fake_book_from_file
from tests.support.paths import ROOT, SAMPLE
from tests.support.workbooks import measure_row, write_book

COMMENTS = -1  # the last column, whichever columns the scorecard shows
BLUE_FILL = "1D70B8"


# --- colour -------------------------------------------------------------------------------

def test_blue_is_a_fill_with_its_word_at_enough_contrast():
    fill, text = STATUS_COLOURS["rag_blue"]
    assert contrast_ratio(fill, text) >= 4.5          # white on #1D70B8: about 5.2:1
    assert contrast_ratio(fill, text) == pytest.approx(5.17, abs=0.01)
    assert (RAG_COLOURS[Status.BLUE], RAG_TEXT_COLOURS[Status.BLUE]) == (fill, text)
    assert STYLES["rag_blue"]["bg_color"] == fill and STYLES["rag_blue"]["bold"]
    # and it stands apart from the Green it sits beside in charts
    assert contrast_ratio(fill, RAG_COLOURS[Status.GREEN]) > 1.1


# --- reading --------------------------------------------------------------------------------

def _book(tmp_path, rows, settings=None, headers=BAND_HEADERS):
    return read_workbook(write_book(tmp_path / "book.xlsx", rows, headers=headers,
                                    settings=settings))


def test_the_new_columns_and_settings_are_read(tmp_path):
    book = _book(tmp_path, [
        measure_row("M1", Green_Tolerance="5%", Tolerance_Basis="absolute", Stretch_Target=0.98,
                    RAG_Override="amber", Override_Reason="  recovery plan agreed "),
        measure_row("M2"),
    ], settings=[["Default Green Tolerance", 0.02], ["Tolerance Basis", "Absolute"],
                 ["Default Tolerance", 3], ["Use Blue", "No"]])
    assert book.errors == ()
    m1, m2 = book.measures
    assert (m1.green_tolerance, m1.tolerance_basis, m1.stretch_target) == (
        0.05, ToleranceBasis.ABSOLUTE, 0.98)
    assert (m1.rag_override, m1.override_reason) == (Status.AMBER, "recovery plan agreed")
    assert (m2.green_tolerance, m2.tolerance_basis, m2.rag_override) == (None, None, None)
    s = book.settings
    assert (s.default_green_tolerance, s.tolerance_basis, s.default_tolerance) == (
        0.02, ToleranceBasis.ABSOLUTE, 3.0)        # an absolute default may exceed 100%
    assert s.use_blue is True                      # a Stretch Target is filled


@pytest.mark.parametrize("rows, settings, use_blue", [
    ([measure_row("M1")], None, False),
    ([measure_row("M1")], [["Use Blue", "Yes"]], True),
    ([measure_row("M1")], [["Use Blue", "No"]], False),
    ([measure_row("M1", Stretch_Target=0.99)], None, True),
    ([measure_row("M1", RAG_Override="Blue", Override_Reason="exceptional")], None, True),
])
def test_use_blue_from_settings_or_a_filled_stretch_target(tmp_path, rows, settings, use_blue):
    assert _book(tmp_path, rows, settings).settings.use_blue is use_blue


def test_a_relative_tolerance_over_100_percent_points_at_the_basis(tmp_path):
    book = _book(tmp_path, [measure_row("M1", Tolerance=2)])
    assert [p.text for p in book.errors] == [
        "Measures!L2: tolerance 2 is more than 100%; write a fraction such as 0.1 or 10%, or "
        "set Tolerance Basis to Absolute for an amount in the measure's units"]
    assert _book(tmp_path, [measure_row("M1", Tolerance=2, Tolerance_Basis="Absolute")]
                 ).errors == ()


def test_the_live_reader_gives_the_same_measures_with_the_new_columns(tmp_path):
    path = write_book(tmp_path / "live.xlsx", [
        measure_row("M1", Green_Tolerance=0.05, Stretch_Target=0.97, RAG_Override="Red",
                    Override_Reason="data quality concerns"),
        measure_row("M2", Tolerance_Basis="Sideways", Stretch_Target=0.5),
        measure_row("M3", RAG_Override="Green"),
    ], headers=BAND_HEADERS, settings=[["Default Green Tolerance", 0.02], ["Use Blue", "Yes"]])
    saved = read_workbook(path)
    live = read_live_workbook(fake_book_from_file(path))
    assert live.measures == saved.measures and live.settings == saved.settings
    assert live.problems == saved.problems
    assert {p.cell for p in saved.errors} == {"R3", "S3", "T4"}
    assert saved.measures[0].rag_override is Status.RED


# --- the scorecard ------------------------------------------------------------------------

def _workbook_with_blue_and_judgement(tmp_path) -> Path:
    return write_book(tmp_path / "blue.xlsx", [
        measure_row("B1", Measure="Adoptions in time", Target=0.9, Current=0.99,
                    Stretch_Target=0.97),
        measure_row("G1", Measure="Plans reviewed", Target=0.9, Current=0.92,
                    Stretch_Target=0.97),
        measure_row("J1", Measure="Repeat referrals", Polarity="Lower", Target=0.25,
                    Current=0.36, RAG_Override="Amber",
                    Override_Reason="recovery plan agreed with the provider"),
        measure_row("R1", Measure="Visits on time", Target=0.9, Current=0.5),
    ], headers=BAND_HEADERS)


def test_blue_and_judgement_in_the_scorecard_spec(tmp_path):
    book = read_workbook(_workbook_with_blue_and_judgement(tmp_path))
    assert book.errors == () and book.settings.use_blue
    assessments = assess_workbook(book)
    assert [a.status.value for a in assessments] == ["Blue", "Green", "Amber", "Red"]
    assert assessments[2].computed_status is Status.RED
    card = build_scorecard(assessments, book.settings)
    sheet = card.sheet("Adults")
    counts = sheet.blocks[2]
    assert [(r[1].value, r[2].value, r[1].style) for r in counts.rows[:4]] == [
        ("Blue", 1, "rag_blue"), ("Green", 1, "rag_green"), ("Amber", 1, "rag_amber"),
        ("Red", 1, "rag_red")]
    assert counts.rows[4][2].value == 4                      # with a RAG: Blue included
    chart = sheet.charts[0]
    assert (chart.first_row, chart.last_row) == (0, 3)
    assert chart.series[0].point_colours[0] == RAG_COLOURS[Status.BLUE]
    assert "1 Blue, 1 Green, 1 Amber, 1 Red" in chart.alt_text
    key = sheet.blocks[4]                                     # Key areas: Blue and Green
    assert [r[1].value for r in key.rows] == ["Adoptions in time", "Plans reviewed"]
    assert key.rows[0][4].value == "Blue" and key.rows[0][4].style == "rag_blue"
    lower = sheet.blocks[6]
    judged = next(r for r in lower.rows if r[1].value == "Repeat referrals")
    assert judged[4].value == "Amber" + JUDGEMENT_MARK == "Amber (judgement)"
    assert judged[4].style == "rag_amber"
    assert judged[COMMENTS].value.splitlines()[0] == (
        "Amber by officer judgement (rules give Red: 36% against a target of 25% (lower is "
        "better); amber up to 27.5%): recovery plan agreed with the provider")
    summary = card.sheet("Summary")
    header = [c.value for c in summary.blocks[2].header]
    assert header[:6] == ["Portfolio", "Cabinet Member", "Blue", "Green", "Amber", "Red"]
    assert [c.value for c in summary.blocks[2].rows[0][2:6]] == [1, 1, 1, 1]
    assert [s.name for s in summary.charts[0].series] == ["Blue", "Green", "Amber", "Red"]


def test_a_workbook_without_blue_shows_no_blue_anywhere(tmp_path):
    path = write_book(tmp_path / "plain.xlsx", [
        measure_row("G1", Target=0.9, Current=0.95), measure_row("R1", Target=0.9, Current=0.5)])
    out = tmp_path / "plain - Scorecards.xlsx"
    assert main(["regenerate", str(path), "-o", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    words = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value}
    assert not any("Blue" in w for w in words)
    with zipfile.ZipFile(out) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert charts and not any(BLUE_FILL in c for c in charts)


def test_the_rendered_workbook_shows_blue_and_judgement(tmp_path):
    out = tmp_path / "blue - Scorecards.xlsx"
    assert main(["regenerate", str(_workbook_with_blue_and_judgement(tmp_path)), "-o",
                 str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb["Adults"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    adoption = cells["Adoptions in time"]
    rag = ws.cell(adoption.row, adoption.column + 3)
    assert rag.value == "Blue" and rag.fill.fgColor.rgb[-6:] == BLUE_FILL
    assert rag.font.color.rgb[-6:] == "FFFFFF" and rag.font.b
    judged = cells["Repeat referrals"]
    rag = ws.cell(judged.row, judged.column + 3)
    assert rag.value == "Amber (judgement)" and rag.fill.fgColor.rgb[-6:] == "FFBF47"
    header = next(r for r in range(judged.row, 0, -1) if ws.cell(r, 2).value == "Measure")
    comments = next(c for c in range(1, ws.max_column + 1)
                    if ws.cell(header, c).value == "Comments")
    assert "rules give Red" in ws.cell(judged.row, comments).value
    assert ws.row_dimensions[judged.row].height > 15            # the comment wraps
    summary = wb["Summary"]
    header = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Portfolio")
    assert list(header[:6]) == ["Portfolio", "Cabinet Member", "Blue", "Green", "Amber", "Red"]
    with zipfile.ZipFile(out) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert all(BLUE_FILL in c for c in charts)


def test_the_json_says_status_computed_status_and_counts_blue(tmp_path, capsys):
    assert main(["check", str(_workbook_with_blue_and_judgement(tmp_path)), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    judged = next(m for m in doc["measures"] if m["ref"] == "J1")
    assert (judged["status"], judged["computed_status"], judged["override_reason"]) == (
        "Amber", "Red", "recovery plan agreed with the provider")
    assert judged["reason"].startswith("Amber by officer judgement (rules give Red: ")
    plain = next(m for m in doc["measures"] if m["ref"] == "R1")
    assert plain["computed_status"] is None and plain["override_reason"] is None
    assert doc["summary"]["Adults"] == {"Blue": 1, "Green": 1, "Amber": 1, "Red": 1,
                                        "Data unavailable": 0, "Not due": 0, "No target": 0}


def test_without_blue_the_json_summary_has_no_blue_key(tmp_path, capsys):
    path = write_book(tmp_path / "plain.xlsx", [measure_row("G1")])
    assert main(["check", str(path), "--json"]) == 0
    assert "Blue" not in json.loads(capsys.readouterr().out)["summary"]["Adults"]


def test_blue_measures_are_key_areas_only_when_nothing_is_highlighted():
    from kpi_core.model import Measure
    measures = [Measure("B", "P", "blue", current=1.0, target=0.9, stretch_target=0.95),
                Measure("H", "P", "highlighted", current=0.5, target=0.9, highlight=True)]
    card = build_scorecard(assess_measures(measures, Settings(use_blue=True)))
    key = card.sheet("P").blocks[4]
    assert [r[1].value for r in key.rows] == ["highlighted"]
    other = card.sheet("P").blocks[8]
    assert [r[1].value for r in other.rows] == ["blue"]      # not lost: under Other measures


# --- the template -------------------------------------------------------------------------

def test_the_new_workbook_has_the_columns_and_drop_down_lists(tmp_path):
    path = tmp_path / "new.xlsx"
    assert main(["new", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb["Measures"]
    headers = [c.value for c in ws[3]]
    for name in ("Green Tolerance", "Tolerance Basis", "Stretch Target", "RAG Override",
                 "Override Reason"):
        assert name in headers and name in MEASURE_HEADERS

    def lists(sheet):
        return {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    letter = lambda name: openpyxl.utils.get_column_letter(headers.index(name) + 1)  # noqa: E731
    measure_lists = lists(ws)
    assert measure_lists[f"{letter('Tolerance Basis')}4"] == '"Relative,Absolute"'
    assert measure_lists[f"{letter('RAG Override')}4"] == '"Blue,Green,Amber,Red"'
    settings = wb["Settings"]
    rows = {settings.cell(r, 1).value: r for r in range(2, settings.max_row + 1)}
    assert settings.cell(rows["Use Blue"], 2).value == "No"
    assert settings.cell(rows["Default Green Tolerance"], 2).value == 0
    setting_lists = lists(settings)
    assert setting_lists[f"B{rows['Use Blue']}"] == '"Yes,No"'
    assert setting_lists[f"B{rows['Tolerance Basis']}"] == '"Relative,Absolute"'
    book = read_workbook(path)
    assert book.settings == Settings(authority=None, period=None)   # the defaults, said aloud


def test_the_template_round_trips_the_new_columns(tmp_path):
    path = tmp_path / "filled.xlsx"
    write_performance_workbook(path, [
        {"Portfolio": "Adults", "Ref": "A1", "Measure": "Days to assess", "Unit": "days",
         "Polarity": "Lower is better", "Target": 20, "Current": 21.5, "Tolerance": 3,
         "Green Tolerance": 1, "Tolerance Basis": "Absolute", "Stretch Target": 15},
        {"Portfolio": "Adults", "Ref": "A2", "Measure": "Reviews", "Unit": "%", "Target": 0.9,
         "Current": 0.8, "RAG Override": "Amber", "Override Reason": "new team in post"},
    ])
    book = read_workbook(path)
    assert book.errors == ()
    days, reviews = book.measures
    assert (days.tolerance, days.green_tolerance, days.tolerance_basis, days.stretch_target) == (
        3, 1, ToleranceBasis.ABSOLUTE, 15)
    assert (reviews.rag_override, reviews.override_reason) == (Status.AMBER, "new team in post")
    statuses = [(a.status, a.computed_status) for a in assess_workbook(book)]
    assert statuses == [(Status.AMBER, None), (Status.AMBER, Status.RED)]
    ws = openpyxl.load_workbook(path)["Measures"]
    header = [c.value for c in ws[3]]
    tol = ws.cell(4, header.index("Tolerance") + 1)
    assert tol.value == 3 and "%" not in tol.number_format     # 3 days, not 300%


def test_the_sample_keeps_its_thirteen_rags():
    sample = SAMPLE
    book = read_workbook(sample)
    statuses = [a.status.value for a in assess_workbook(book) if a.status.is_rag]
    assert len(statuses) == 13
    assert (statuses.count("Green"), statuses.count("Amber"), statuses.count("Red")) == (1, 3, 9)
    assert book.settings.use_blue is False and book.errors == ()


# --- a council's published statement ----------------------------------------------------
#
# "Green: on target or within 5%; Amber: 5-10% off; Red: more than 10% off." Written into
# the workbook as Settings Default Green Tolerance 5%, Default Tolerance 10%, basis
# Relative. Each measure's status is what the statement says, worked out by hand.

STATEMENT = [
    # ref, measure, polarity, unit, target, current, the statement's status
    ("S01", "Reviews on time", "Higher is better", "%", 0.9, 0.9, "Green"),        # on target
    ("S02", "Assessments in 45 days", "Higher is better", "%", 0.9, 0.95, "Green"),  # better
    ("S03", "Care plans up to date", "Higher is better", "%", 0.9, 0.88, "Green"),   # 2.2% off
    ("S04", "Visits within 10 days", "Higher is better", "%", 0.9, 0.855, "Green"),  # 5% off
    ("S05", "Placements stable", "Higher is better", "%", 0.9, 0.85, "Amber"),       # 5.6% off
    ("S06", "Leavers in education", "Higher is better", "%", 0.9, 0.81, "Amber"),    # 10% off
    ("S07", "Adoptions in time", "Higher is better", "%", 0.9, 0.80, "Red"),         # 11% off
    ("S08", "Households helped", "Higher is better", "number", 400, 380, "Green"),   # 5% off
    ("S09", "Homes improved", "Higher is better", "number", 400, 379, "Amber"),
    ("S10", "Days to pay invoices", "Lower is better", "days", 20, 20.5, "Green"),   # 2.5% off
    ("S11", "Days to assess", "Lower is better", "days", 20, 21, "Green"),           # 5% off
    ("S12", "Days to re-let", "Lower is better", "days", 20, 21.5, "Amber"),
    ("S13", "Days to repair", "Lower is better", "days", 20, 22, "Amber"),           # 10% off
    ("S14", "Days lost to sickness", "Lower is better", "days", 20, 22.2, "Red"),
    ("S15", "Repeat referrals", "Lower is better", "%", 0.25, 0.2625, "Green"),      # 5% off
    ("S16", "Children missing education", "Lower is better", "%", 0.25, 0.28, "Red"),
]


def _statement_by_formula(polarity, target, current):
    """The statement itself, as arithmetic: how far off target, as a share of it."""
    off = (target - current if polarity.startswith("Higher") else current - target) / abs(target)
    return "Green" if off <= 0.05 + 1e-12 else "Amber" if off <= 0.10 + 1e-12 else "Red"


@pytest.mark.parametrize("row", STATEMENT, ids=[r[0] for r in STATEMENT])
def test_the_hand_worked_statuses_are_the_statement(row):
    assert _statement_by_formula(row[2], row[4], row[5]) == row[6]


@pytest.fixture(scope="module")
def statement_book(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("statement")
    return write_book(folder / "council.xlsx", [
        {"Portfolio": "Resources", "Ref": ref, "Measure": name, "Polarity": pol, "Unit": unit,
         "Target": target, "Current": current}
        for ref, name, pol, unit, target, current, _ in STATEMENT],
        settings=[["Authority", "A Council"], ["Period", "Q2 2016/17"],
                  ["Default Green Tolerance", "5%"], ["Default Tolerance", "10%"],
                  ["Tolerance Basis", "Relative"]])


EXPECTED = {ref: status for ref, *_, status in STATEMENT}


@pytest.fixture(scope="module")
def check_json(statement_book) -> dict:
    import subprocess
    import sys
    done = subprocess.run([sys.executable, "-m", "addin.cli", "check", str(statement_book),
                           "--json"], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_the_statement_through_check_json(check_json):
    assert {m["ref"]: m["status"] for m in check_json["measures"]} == EXPECTED
    assert check_json["problems"] == []
    reason = next(m["reason"] for m in check_json["measures"] if m["ref"] == "S04")
    assert reason == ("Green: 85.5% against a target of 90%, green down to 85.5% (higher is "
                      "better); amber down to 81%")


def _rag_cells(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    names = {name: ref for ref, name, *_ in STATEMENT}
    found = {}
    for row in wb["Resources"].iter_rows(values_only=True):
        if len(row) > 4 and row[1] in names:
            found[names[row[1]]] = row[4]
    return found


def test_the_statement_through_regenerate(statement_book, tmp_path):
    out = tmp_path / "council - Scorecards.xlsx"
    assert main(["regenerate", str(statement_book), "-o", str(out)]) == 0
    assert _rag_cells(out) == EXPECTED


@pytest.mark.slow
def test_the_statement_through_kpi_rag_on_the_office_js_server_path(statement_book,
                                                                      check_json, tmp_path):
    from tests.support.udfs import office_js_server
    book = read_workbook(statement_book)
    column = lambda f: [[f(m)] for m in book.measures]  # noqa: E731  (as Excel passes a column)
    current, target = column(lambda m: m.current), column(lambda m: m.target)
    polarity = column(lambda m: m.polarity.value)
    # =KPI_RAG(Measures[Current], Measures[Target], Measures[Polarity], 10%, , , 5%, "Relative")
    calls = [["KPI_RAG", [current, target, polarity, [["10%"]], None, None, [["5%"]],
                          [["Relative"]], None]],
             ["KPI_RAG_REASON", [current, target, polarity, [[0.1]], None, None, [[0.05]],
                                 None, None, column(lambda m: m.unit.value)]]]
    results = office_js_server(calls)["results"]
    by_cells = {m.ref: row[0] for m, row in zip(book.measures, results[0])}
    assert by_cells == EXPECTED
    from_json = {m["ref"]: m["status"] for m in check_json["measures"]}
    out = tmp_path / "again.xlsx"
    assert main(["regenerate", str(statement_book), "-o", str(out)]) == 0
    assert by_cells == from_json == _rag_cells(out)             # all three agree
    assert [row[0] for row in results[1]] == [m["reason"] for m in check_json["measures"]]
