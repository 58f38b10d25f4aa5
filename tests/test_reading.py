"""Reading a performance workbook: the sample, and every problem named with Sheet!Cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from kpi_core.errors import FileError
from kpi_core.model import Polarity, Status, Unit
from kpi_core.reading.rows import table_from_values
from kpi_core.reading.workbook import parse_tables, read_workbook
from kpi_core.assessing.measure import assess_measures
from kpi_core.assessing.summary import summarise
from kpi_core.reading.xlsx import read_tables
from tests.workbooks import HEADERS, measure_row, write_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"

# The reference scorecard's RAG column, for every measure with a target and a current.
REFERENCE_RAG = {
    "% of Child Protection Plans reviewed in timescales": "Green",
    "% Children Looked After seen in the last 6 weeks": "Amber",
    "% repeat referrals": "Red",
    "% of social work staff supervisions completed": "Red",
    "% children seen during assessment": "Amber",
    "% of children in need (not including CP, CLA) seen in the last 4 weeks": "Red",
    "% of children subject to a Child Protection Plan seen in the last 2 weeks": "Red",
    "% of children in need reviewed in last 3 months (not including Child Protection, "
    "Children Looked After)": "Red",
    "% of contacts received actioned within 24 hours (1 working day)": "Red",
    "% referrals completed within 3 working days": "Red",
    "% assessments completed in 45 working days": "Amber",
    "% ICPC held within 15 working days of the strategy discussion": "Red",
    "% of CLA placed in county": "Red",
}


def test_sample_matches_reference_rag():
    book = read_workbook(SAMPLE)
    assert book.problems == ()
    assert book.settings.authority == "Buckinghamshire County Council"
    assert book.settings.period == "Q2 2016/17"
    statuses = {a.measure.name: a.status.value for a in assess_measures(book.measures, book.settings)}
    with_rag = {name: s for name, s in statuses.items() if name in REFERENCE_RAG}
    assert with_rag == REFERENCE_RAG
    counts = summarise(assess_measures(book.measures))["Children's Services"]
    assert (counts["Green"], counts["Amber"], counts["Red"], counts["No target"]) == (1, 3, 9, 1)


def test_sample_details():
    book = read_workbook(SAMPLE)
    by_ref = {m.ref: m for m in book.measures}
    assert by_ref["CS03"].polarity is Polarity.LOWER
    assert all(m.unit is Unit.PERCENT for m in book.measures)
    assert [m.ref for m in book.measures if m.highlight] == ["CS01", "CS02"]
    assert {b.comparator for b in by_ref["CS03"].benchmarks} == {
        "Statistical Neighbour Average", "National Average"}
    assert by_ref["CS14"].target is None  # lost in the reference: left blank, not invented


def test_sample_is_up_to_date_with_its_generator(tmp_path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "build_templates", ROOT / "workbook_templates" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.build_sample(tmp_path / "fresh.xlsx")

    def dump(path):
        wb = openpyxl.load_workbook(path)
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb}
    assert dump(fresh) == dump(SAMPLE)


def problems_of(path):
    book = read_workbook(path)
    return [(p.sheet, p.cell, p.message, p.severity) for p in book.problems]


def only_error(path):
    errors = [p for p in read_workbook(path).problems if p.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("field, value, cell, text", [
    ("Current", "abc", "J3", "current position 'abc' is not a number"),
    ("Target", "lots", "H3", "target 'lots' is not a number"),
    ("Previous", "x1", "K3", "previous value 'x1' is not a number"),
    ("Polarity", "Upwards", "E3", "polarity 'Upwards' is not one of"),
    ("Tolerance", -0.1, "L3", "tolerance -0.1 is negative"),
    ("Tolerance", "ten", "L3", "tolerance 'ten' is not a number"),
    ("Data Status", "Maybe", "N3", "data status 'Maybe'"),
    ("Frequency", "Sometimes", "G3", "frequency 'Sometimes'"),
    ("Highlight", "Perhaps", "P3", "highlight 'Perhaps' is not Yes or No"),
    ("Amber Threshold", 0.95, "M3", "amber threshold 0.95 is above the target 0.9"),
    ("Ref", None, "C3", "Ref is blank"),
])
def test_bad_cells_are_named(tmp_path, field, value, cell, text):
    bad = measure_row("M2", **{field: value})
    if value is None:
        bad.pop(field)
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1"), bad])
    problem = only_error(path)
    assert (problem.sheet, problem.cell) == ("Measures", cell)
    assert text in problem.message
    assert problem.text.startswith(f"Measures!{cell}: ")


def test_lower_is_better_threshold_below_target(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row(
        "M1", Polarity="Lower is better", Target=0.25, Amber_Threshold=0.2)])
    assert "below the target" in only_error(path).message


def test_within_range_without_target_upper(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1", Polarity="Within range", Target=4,
                                                          Unit="days", Current=5)])
    problem = only_error(path)
    assert problem.cell == "I2" and "Target Upper" in problem.message


def test_duplicate_ref(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("CS07"), measure_row("cs07")])
    problem = only_error(path)
    assert problem.cell == "C3" and "used twice" in problem.message and "row 2" in problem.message


def test_missing_required_column(tmp_path):
    headers = [h for h in HEADERS if h != "Measure"]
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], headers=headers)
    problem = only_error(path)
    assert problem.cell == "A1" and "no column 'Measure'" in problem.message


def test_duplicate_header(tmp_path):
    # Excel keeps table headers unique, but 'Comments' is another name for 'Notes'
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], headers=HEADERS + ["Comments"])
    problem = only_error(path)
    assert problem.cell == "Q1" and "appears twice" in problem.message


def test_missing_table_and_sheet(tmp_path):
    no_table = write_book(tmp_path / "a.xlsx", [measure_row("M1")], measures_table=None,
                          headers=["Portfolio", "Target", "Current"])  # no header row either
    assert "has no Excel table named Measures" in only_error(no_table).message
    no_sheet = write_book(tmp_path / "b.xlsx", [measure_row("M1")], measures_table="Other",
                          measures_sheet="Data")
    problem = only_error(no_sheet)
    assert problem.sheet == "Measures" and "no sheet Measures" in problem.message
    assert "Data" in problem.message  # names the sheets it did find


def test_empty_table(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [])
    assert "has no measures" in only_error(path).message


def test_formula_without_saved_result(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Measures"
    ws.append(["Portfolio", "Ref", "Measure", "Target", "Current"])
    ws.append(["Adults", "A1", "m", 0.9, "=0.5+0.45"])
    from openpyxl.worksheet.table import Table
    ws.add_table(Table(displayName="Measures", ref="A1:E2"))
    wb.save(tmp_path / "f.xlsx")
    problem = only_error(tmp_path / "f.xlsx")
    assert problem.cell == "E2"
    assert "formula" in problem.message and "no saved result" in problem.message


def test_table_away_from_a1_gives_true_addresses(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1", Current="oops")], first_cell=(4, 2))
    assert only_error(path).cell == "L6"  # J2 shifted 4 rows down and 2 columns right


def test_percent_text_sets_unit_and_blank_unit_reads_formats(tmp_path):
    row = measure_row("M1", Target="95%", Current="97%")
    row.pop("Unit")
    book = read_workbook(write_book(tmp_path / "b.xlsx", [row]))
    assert book.measures[0].unit is Unit.PERCENT and book.measures[0].target == pytest.approx(0.95)


def test_benchmarks_and_settings(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")],
                      benchmarks=[["M1", "National Average", 2015, 0.8], ["ZZ", "X", "", 0.1]],
                      settings=[["Authority", "Somewhere Council"], ["Default Tolerance", "5%"]])
    book = read_workbook(path)
    assert book.settings.default_tolerance == pytest.approx(0.05)
    assert book.measures[0].benchmarks[0].label == "National Average (2015)"
    warning = [p for p in book.problems if p.sheet == "Benchmarks"]
    assert warning and warning[0].severity == "warning" and warning[0].cell == "A3"


def test_two_d_list_path_matches_file_path():
    raw = read_tables(SAMPLE).tables
    rebuilt = {name: table_from_values(t.name, t.sheet, f"{chr(64 + t.left)}{t.top}", t.rows)
               for name, t in raw.items()}
    from_file = read_workbook(SAMPLE)
    from_values = parse_tables(rebuilt)
    assert [m.ref for m in from_values.measures] == [m.ref for m in from_file.measures]
    assert [m.current for m in from_values.measures] == [m.current for m in from_file.measures]
    assert from_values.problems == from_file.problems


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "is empty"),
    (b"Portfolio,Ref,Measure\nA,B,C\n", "not an Excel workbook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "password-protected workbook or a legacy .xls"),
    ("truncated", "damaged or truncated"),
])
def test_file_errors(tmp_path, content, message):
    path = tmp_path / "book.xlsx"
    if content == "truncated":
        path.write_bytes(SAMPLE.read_bytes()[:3000])
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(FileError, match=message):
        read_workbook(path)


def test_statuses_enum_words():
    assert [s.value for s in Status] == ["Blue", "Green", "Amber", "Red", "Data unavailable",
                                         "Not due", "No target"]
