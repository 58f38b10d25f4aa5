"""Reading the Comparators table and free-text Benchmarking from real .xlsx files:
the same problem reporting as the other tables, every problem at its Sheet!Cell."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kpi_core.model import GROUP_ENGLAND, GROUP_STATISTICAL_NEIGHBOURS, Unit
from kpi_core.pipeline import assess_workbook
from kpi_core.publishing.measure_rows import benchmarking_text
from kpi_core.reading.workbook import read_workbook
from tests.support.workbooks import HEADERS, measure_row, write_book
from tests.support.paths import ROOT, SAMPLE

WITH_TEXT = [*HEADERS, "Benchmarking"]
BUCKS = "Buckinghamshire County Council"


def _book(tmp_path, measures=None, comparators=None,
          settings=(("Authority", BUCKS), ("Period", "Q2 2016/17")),
          benchmarks=None):
    measures = measures or [measure_row("M1", Target=0.5, Current=0.6)]
    return read_workbook(write_book(tmp_path / "b.xlsx", measures, headers=WITH_TEXT,
                                    settings=[list(s) for s in settings],
                                    comparators=comparators, benchmarks=benchmarks))


def _problems(book, sheet="Comparators"):
    return [(p.cell, p.severity, p.message) for p in book.problems if p.sheet == sheet]


# --- the Comparators table ------------------------------------------------------------

def test_rows_are_read_with_own_and_aggregate_rows_marked(tmp_path):
    book = _book(tmp_path, comparators=[
        ["M1", "Buckinghamshire", "2015", 0.55, "Statistical neighbours"],
        ["M1", "Oxfordshire", "2015", "60%", "SN"],
        ["M1", "Hertfordshire", 2015, None, "Statistical neighbours"],
        ["M1", "England", "2015", 0.5, "England"],
        ["M1", "Surrey", "2014/15", "n/a", "national"],
    ])
    assert _problems(book) == []
    rows = book.measures[0].comparators
    assert [(r.authority, r.year, r.value, r.group, r.year_key, r.own, r.aggregate, r.row)
            for r in rows] == [
        ("Buckinghamshire", "2015", 0.55, GROUP_STATISTICAL_NEIGHBOURS, 2015, True, None, 2),
        ("Oxfordshire", "2015", 0.6, GROUP_STATISTICAL_NEIGHBOURS, 2015, False, None, 3),
        ("Hertfordshire", "2015", None, GROUP_STATISTICAL_NEIGHBOURS, 2015, False, None, 4),
        ("England", "2015", 0.5, GROUP_ENGLAND, 2015, False, "National Average", 5),
        ("Surrey", "2014/15", None, GROUP_ENGLAND, 2014, False, None, 6),
    ]


@pytest.mark.parametrize(("row", "cell", "severity", "message"), [
    (["ZZ", "Oxfordshire", "2015", 0.6, "SN"], "A3", "warning",
     "Ref 'ZZ' is not in the Measures table; its comparator rows are not used"),
    (["M1", "Oxfordshire", "2015", "lots", "SN"], "D3", "error",
     "comparator value 'lots' is not a number"),
    (["M1", "Oxfordshire", "2015", 0.6, "Statistical neighbours"], "B3", "error",
     "Oxfordshire, 2015, Statistical neighbours appears twice for Ref 'M1' (also row 2); "
     "keep one"),
    (["M1", "OXFORDSHIRE", "2015", 0.6, "statistical neighbours"], "B3", "error",
     "OXFORDSHIRE, 2015, Statistical neighbours appears twice for Ref 'M1' (also row 2); "
     "keep one"),
    (["M1", "Oxfordshire", "last year", 0.6, "SN"], "C3", "error",
     "year 'last year' names no year (write it like 2015 or 2015/16)"),
    (["M1", None, "2015", 0.6, "SN"], "B3", "error", "authority is blank"),
    (["M1", "Surrey", "2015", 0.6, None], "E3", "error", "group is blank"),
    (["M1", "Surrey", "2015", 60, "SN"], "D3", "warning",
     "value 60 in a % measure reads as 6000%; percent cells hold fractions (97% is 0.97)"),
])
def test_each_problem_names_its_cell(tmp_path, row, cell, severity, message):
    book = _book(tmp_path, comparators=[["M1", "Oxfordshire", "2015", 0.6, "SN"], row,
                                        ["M1", "Bucks", "2015", 0.5, "SN"]])
    assert _problems(book) == [(cell, severity, message)]


def test_rows_let_go_as_read_give_the_same_values_and_problems(tmp_path):
    """read_workbook owns its tables: the Comparators cells leave the grid once read."""
    from kpi_core.model import Settings
    from kpi_core.reading.comparators import read_comparators
    from kpi_core.reading.xlsx import read_tables
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], comparators=[
        ["M1", "Kent", "2015", 0.4, "SN"], ["M1", "Kent", "2015", 0.5, "SN"],
        ["M1", "Surrey", "last year", 0.3, "SN"], ["M1", BUCKS, "2015", 0.6, "SN"]])
    results = []
    for release in (False, True):
        table = read_tables(path).tables["comparators"]
        problems: list = []
        rows = read_comparators(table, problems, Settings(authority=BUCKS), {"m1": Unit.PERCENT},
                                release_rows=release)
        results.append((rows, problems))
        assert table.rows[0] is not None  # the header stays
        assert all(row is None for row in table.rows[1:]) is release
    assert results[0] == results[1] and results[0][1]


def test_our_own_authority_not_found_says_which_names_it_looked_for(tmp_path):
    book = _book(tmp_path, comparators=[["M1", "Oxfordshire", "2015", 0.6, "SN"]],
                 settings=[("Authority", BUCKS), ("Authority Code", 825)])
    assert book.settings.authority_code == "825"
    (problem,) = _problems(book)
    assert problem[:2] == ("B1", "warning")
    assert problem[2] == (
        "our own authority is on no row: looked for 'Buckinghamshire County Council', "
        "'Buckinghamshire', 'Bucks', 'BCC' (Settings Authority) and '825' (Settings Authority "
        "Code) in column Authority; ranks and quartile bands use each measure's Current")


def test_no_authority_in_settings_is_said_too(tmp_path):
    book = _book(tmp_path, comparators=[["M1", "Oxfordshire", "2015", 0.6, "SN"]], settings=())
    assert [p[2] for p in _problems(book)] == [
        "our own authority cannot be found: Settings gives no Authority or Authority Code; "
        "ranks and quartile bands use each measure's Current"]


def test_our_rows_found_by_authority_code(tmp_path):
    book = _book(tmp_path, comparators=[["M1", 825, "2015", 0.4, "SN"],
                                        ["M1", "Oxfordshire", "2015", 0.6, "SN"]],
                 settings=[("Authority", "Some Council"), ("Authority Code", "825")])
    assert _problems(book) == []
    assert [r.own for r in book.measures[0].comparators] == [True, False]


def test_a_missing_column_is_an_error_at_the_header(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], settings=[["Authority", BUCKS]])
    # a Comparators table without its Group column
    import xlsxwriter
    from tests.support.workbooks import add_table
    wb = xlsxwriter.Workbook(str(tmp_path / "c.xlsx"))
    ws = wb.add_worksheet("Measures")
    add_table(ws, "Measures", HEADERS, [[measure_row("M1").get(h) for h in HEADERS]])
    add_table(wb.add_worksheet("Comparators"), "Comparators", ["Ref", "Authority", "Year", "Value"],
           [["M1", "Oxfordshire", "2015", 0.6]])
    wb.close()
    book = read_workbook(tmp_path / "c.xlsx")
    assert _problems(book) == [("A1", "error", "table Comparators has no column 'Group' "
                                "(its header row starts at A1)")]
    assert path.exists()


@pytest.mark.slow
def test_ranks_and_band_reach_the_json(tmp_path):
    comparators = [["M1", f"LA{i}", "2015", 0.1 * i, "England"] for i in range(1, 9)]
    comparators += [["M1", f"SN{i}", "2015", 0.1 * i, "Statistical neighbours"] for i in (2, 7)]
    comparators += [["M1", "Bucks", "2015", 0.45, "England"], ["M1", "England", "2015", 0.5,
                                                               "England"]]
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1", Target=0.5, Current=0.45)],
                      headers=WITH_TEXT, settings=[["Authority", BUCKS]], comparators=comparators)
    proc = subprocess.run([sys.executable, "-m", "addin.cli", "check", str(path), "--json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (m,) = json.loads(proc.stdout)["measures"]
    # England authorities .1 .. .8 and ours .45: 4 better (.5 .6 .7 .8): 5th of 9; our
    # own row in England stands for the neighbours too: .7 better, .2 not: 2nd of 3
    assert m["ranks"] == [{"group": "England", "rank": 5, "of": 9},
                          {"group": "Statistical neighbours", "rank": 2, "of": 3}]
    # 9 values: Q1 .3, Q2 .45, Q3 .6: .45 on Q2 -> (Q1, Q2] -> C
    assert m["quartile"] == "C"
    assert {g["comparator"] for g in m["benchmark_gaps"]} == {
        "National Average", "Statistical Neighbour Average"}


# --- free-text Benchmarking ------------------------------------------------------------

def test_free_text_is_read_when_the_benchmarks_table_has_none(tmp_path):
    book = _book(tmp_path, measures=[
        measure_row("M1", Benchmarking="Statistical Neighbour Average (2015): 23% "
                                       "National Average (2015): 24%"),
        measure_row("M2", Benchmarking="2014/15 England 82% S East 81 % Bucks 83%"),
        measure_row("M3", Benchmarking="National: 24"),
        measure_row("M4", Benchmarking="SN avg 23%"),  # the table's row wins
    ], benchmarks=[["M4", "National Average", "2015", 0.5]])
    assert book.problems == ()
    got = {m.ref: [(b.comparator, b.year, pytest.approx(b.value)) for b in m.benchmarks]
           for m in book.measures}
    assert got == {
        "M1": [("Statistical Neighbour Average", "2015", 0.23), ("National Average", "2015", 0.24)],
        # Bucks is our own authority: its figure is not a benchmark
        "M2": [("National Average", "2014/15", 0.82), ("South East Average", "2014/15", 0.81)],
        "M3": [("National Average", None, 0.24)],  # a % measure: 24 is 24%
        "M4": [("National Average", "2015", 0.5)],
    }
    assert book.measures[0].unit is Unit.PERCENT


def test_text_that_cannot_be_read_is_shown_as_it_is_with_a_warning_at_its_cell(tmp_path):
    text = "Top 10% nationally"
    book = _book(tmp_path, measures=[measure_row("M1"), measure_row("M2", Benchmarking=text)])
    col = WITH_TEXT.index("Benchmarking")
    (problem,) = book.problems
    assert (problem.sheet, problem.cell, problem.severity) == (
        "Measures", f"{chr(65 + col)}3", "warning")
    assert problem.message.startswith("benchmarking is shown as it is: 'nationally' cannot be "
                                      "read as a benchmark")
    m = book.measures[1]
    assert m.benchmarks == () and m.benchmarking_text == text
    (a,) = [a for a in assess_workbook(book) if a.measure.ref == "M2"]
    assert benchmarking_text(a) == text


def test_the_sample_shows_benchmark_gaps_from_the_reference_text_and_its_rags_unchanged():
    book = read_workbook(SAMPLE)
    assert book.problems == ()
    assessments = {a.measure.ref: a for a in assess_workbook(book)}
    assert benchmarking_text(assessments["CS03"]).splitlines() == [
        "Statistical Neighbour Average (2015): 23% (13 pts worse)",
        "National Average (2015): 24% (12 pts worse)"]
    assert benchmarking_text(assessments["CS11"]).splitlines() == [
        "National Average (2014/15): 82% (11 pts better)",
        "South East Average (2014/15): 81% (12 pts better)",
        "Buckinghamshire County Council (2014/15): 83%"]  # our own figure stays visible
    assert benchmarking_text(assessments["CS13"]).splitlines() == [
        "South East Average (2015): 65% (16 pts worse)",
        "National Average (2015): 61% (12 pts worse)"]
    statuses = [a.status.value for a in assessments.values()]
    assert (statuses.count("Green"), statuses.count("Amber"), statuses.count("Red")) == (1, 3, 9)


def test_an_unknown_ref_is_one_warning_however_many_rows(tmp_path):
    rows = [["ZZ", f"LA{i}", "2015", 0.5, "England"] for i in range(150)]
    book = _book(tmp_path, comparators=[*rows, ["M1", "Bucks", "2015", 0.5, "England"]])
    assert _problems(book) == [("A2", "warning", "Ref 'ZZ' is not in the Measures table; its "
                                                 "comparator rows are not used")]


def test_dfe_suppression_marks_are_authorities_without_data(tmp_path):
    book = _book(tmp_path, comparators=[["M1", "Bucks", "2015", 0.5, "England"],
                                        ["M1", "Surrey", "2015", "x", "England"],
                                        ["M1", "Kent", "2015", "c", "England"],
                                        ["M1", "Essex", "2015", 0.7, "England"]])
    assert _problems(book) == []
    assert [r.value for r in book.measures[0].comparators] == [0.5, None, None, 0.7]
    (a,) = assess_workbook(book)
    assert [(r.rank, r.of) for r in a.ranks] == [(2, 2)]
