"""The live macro's pure parts: reading live tables (with fake xlwings objects holding real
2-D values) and planning which sheets to replace; no Excel needed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from addin.live import (
    MARKER_NAME, Plan, marker_formula, parse_marker, plan_sheets, read_live_tables,
    read_live_workbook, scorecard_path,
)
from kpi_core.reading.workbook import parse_tables, read_workbook
from kpi_core.reading.scan import CellError
from kpi_core.reading.xlsx import RawTable, read_tables
from tests.workbooks import measure_row, write_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"


# --- fakes shaped like xlwings Book / Sheet / Table / Range ----------------------------

class FakeRange:
    """A block of cells: values as xlwings gives them and each cell's number format."""

    def __init__(self, values, formats, row, column):
        self.values, self.formats, self.row, self.column = values, formats, row, column

    def options(self, ndim=None, err_to_str=False):
        assert ndim == 2 and err_to_str  # errors must come as text, not as blanks
        return self

    @property
    def value(self):
        return [list(r) for r in self.values]

    @property
    def number_format(self):
        codes = {f for r in self.formats for f in r}
        return codes.pop() if len(codes) == 1 else None  # Excel: None when mixed

    def __getitem__(self, key):
        rows, col = key
        rows = rows if isinstance(rows, slice) else slice(rows, rows + 1)
        cols = slice(col, col + 1)
        return FakeRange([r[cols] for r in self.values[rows]],
                         [r[cols] for r in self.formats[rows]],
                         self.row + (rows.start or 0), self.column + col)


class FakeTable:
    def __init__(self, name, rng):
        self.name, self.range = name, rng


class FakeSheet:
    def __init__(self, name, tables=()):
        self.name, self.tables = name, list(tables)


class FakeBook:
    def __init__(self, sheets):
        self.sheets = sheets


def _xlwings_value(value):
    """What xlwings returns for a cell the file reader read: numbers as floats, errors
    as their text (err_to_str), blanks as None."""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def fake_book_from_file(path: Path, percent_format: str = "0.0%") -> FakeBook:
    """The workbook as xlwings would see it open in Excel: same sheets, tables, cells."""
    raw = read_tables(path)
    sheets = {name: FakeSheet(name) for name in raw.sheets}
    for table in raw.tables.values():
        values = [[_xlwings_value(v) for v in row] for row in table.rows]
        formats = [[percent_format if (ri, ci) in table.percent_cells else "General"
                    for ci in range(len(row))] for ri, row in enumerate(table.rows)]
        rng = FakeRange(values, formats, table.top, table.left)
        sheets[table.sheet].tables.append(FakeTable(table.name, rng))
    return FakeBook(list(sheets.values()))


# --- read_live_tables ------------------------------------------------------------------

def _same(live, saved) -> None:
    assert live.measures == saved.measures
    assert live.settings == saved.settings
    assert live.problems == saved.problems


def test_live_sample_gives_the_same_measures_as_the_saved_file():
    saved = read_workbook(SAMPLE)
    live = read_live_workbook(fake_book_from_file(SAMPLE))
    assert len(live.measures) == 14 and live.settings.authority
    assert any(m.benchmarks for m in live.measures)
    _same(live, saved)


def test_live_tables_carry_position_and_percent_cells_like_the_file():
    raw = read_tables(SAMPLE)
    live = read_live_tables(fake_book_from_file(SAMPLE))
    assert sorted(live) == ["benchmarks", "measures", "settings"]
    for key, table in live.items():
        assert isinstance(table, RawTable)
        saved = raw.tables[key]
        assert (table.name, table.sheet, table.top, table.left) == (
            saved.name, saved.sheet, saved.top, saved.left)
        assert table.percent_cells == saved.percent_cells  # mixed columns read cell by cell


def test_live_errors_have_the_same_cells_as_the_saved_file(tmp_path):
    path = write_book(tmp_path / "bad.xlsx", [
        measure_row("A1", Current="abc"),
        measure_row("A2", Polarity="Sideways", Tolerance=1.5),
        measure_row("A1", Target="lots"),                # a duplicate Ref, bad target
        measure_row("A4", Current=45.0),                 # a % measure given 45 (warning)
        measure_row("A5", Polarity="Within range", Target=0.4),  # no Target Upper
    ], first_cell=(2, 1), settings=[["Authority", "Bucks"], ["Default Tolerance", "lots"]],
        benchmarks=[["A2", "National Average", "2015", 0.5], ["ZZ", "Region", "2015", 1.0]])
    saved = read_workbook(path)
    live = read_live_workbook(fake_book_from_file(path))
    assert len(saved.errors) >= 5
    cells = {(p.sheet, p.cell) for p in live.problems}
    assert ("Measures", "K4") in cells                  # Current of the first row at B3
    _same(live, saved)


def test_an_excel_error_value_is_reported_not_read_as_blank():
    values = [["Portfolio", "Ref", "Measure", "Target", "Current"],
              ["Adults", "A1", "m", 0.9, "#DIV/0!"]]
    formats = [["General"] * 5, ["General"] * 5]
    book = FakeBook([FakeSheet("Measures", [FakeTable(
        "Measures", FakeRange(values, formats, 2, 1))])])
    problems = read_live_workbook(book).errors
    assert [(p.cell, p.message) for p in problems] == [
        ("E3", "current position is the Excel error #DIV/0!")]


def test_live_without_a_measures_table_says_so_like_the_file():
    book = FakeBook([FakeSheet("Measures"), FakeSheet("Notes")])
    live = parse_tables(read_live_tables(book), ("Measures", "Notes"))
    assert read_live_workbook(book).problems == live.problems
    assert "sheet Measures has no Excel table named Measures" in live.problems[0].message


# --- plan_sheets -----------------------------------------------------------------------

def _plan(existing, generated, markers) -> Plan:
    return plan_sheets(existing, generated, markers.get)


def test_first_run_appends_after_the_last_sheet_in_order():
    plan = _plan(["Measures", "Benchmarks", "Settings"], ["Summary", "Adults", "Children"], {})
    assert [(s.name, s.replaces, s.before, s.after_source) for s in plan.sheets] == [
        ("Summary", None, None, None), ("Adults", None, None, "Summary"),
        ("Children", None, None, "Adults")]
    assert plan.delete == ()


def test_rerun_replaces_its_own_sheets_in_place_and_drops_stale_ones():
    existing = ["Cover", "Summary", "Measures", "Adults", "Old Portfolio", "Notes"]
    markers = {"Summary": "Summary", "Adults": "Adults", "Old Portfolio": "Old Portfolio"}
    plan = _plan(existing, ["Summary", "Adults", "Children"], markers)
    assert [(s.name, s.replaces, s.before, s.after_source) for s in plan.sheets] == [
        ("Summary", "Summary", "Summary", None),
        ("Adults", "Adults", "Adults", None),
        ("Children", None, None, "Adults")]
    assert plan.delete == ("Summary", "Adults", "Old Portfolio")
    assert plan.removed == ("Old Portfolio",)
    untouched = set(existing) - set(plan.delete)
    assert untouched == {"Cover", "Measures", "Notes"}


def test_a_users_own_sheet_with_a_generated_name_is_never_touched():
    existing = ["Summary", "Measures", "summary (scorecard)"]   # both the user's
    plan = _plan(existing, ["Summary", "Measures", "Adults"], {})
    names = [s.name for s in plan.sheets]
    assert names == ["Summary (scorecard 2)", "Measures (scorecard)", "Adults"]
    assert plan.delete == () and all(s.replaces is None for s in plan.sheets)
    # next run: the renamed sheets are recognised by their markers and replaced
    markers = {n: s for n, s in zip(names, ["Summary", "Measures", "Adults"])}
    again = _plan(existing + names, ["Summary", "Measures", "Adults"], markers)
    assert [s.name for s in again.sheets] == names
    assert [s.replaces for s in again.sheets] == names
    assert set(again.delete) == set(names)


def test_long_names_stay_within_31_characters_when_suffixed():
    source = "Children's Services and Familie"    # 31 characters
    plan = _plan([source], [source], {})
    assert plan.sheets[0].name == "Children's Services (scorecard)"
    assert len(plan.sheets[0].name) <= 31


def test_new_sheet_before_the_first_old_one_when_nothing_precedes_it():
    plan = _plan(["Measures", "Adults"], ["A new portfolio", "Adults"], {"Adults": "Adults"})
    assert (plan.sheets[0].before, plan.sheets[0].after_source) == ("Adults", None)
    assert plan.sheets[1].replaces == "Adults"


def test_markers_survive_only_under_the_name_they_were_given():
    formula = marker_formula("Summary", "Summary (scorecard)")
    assert parse_marker(formula, "Summary (scorecard)") == "Summary"
    assert parse_marker(formula, "SUMMARY (SCORECARD)") == "Summary"
    assert parse_marker(formula, "Summary (2)") is None        # the user's copy
    assert parse_marker(formula, "Last quarter") is None       # renamed to keep it
    assert parse_marker('="x"', "x") is None and parse_marker(None, "x") is None
    tricky = 'He said "no"'
    assert parse_marker(marker_formula(tricky, tricky), tricky) == tricky
    assert MARKER_NAME == "KpiScorecard_Generated"


def test_scorecard_path_is_beside_the_book():
    assert scorecard_path("C:/Perf/Q2.xlsm") == Path("C:/Perf/Q2 - Scorecards.xlsx")


# --- kpi-scorecard regenerate --live ---------------------------------------------------

@pytest.mark.skipif(sys.platform.startswith("win") or sys.platform == "darwin",
                    reason="Excel may be present: --live would attach to it")
def test_cli_live_needs_excel_and_never_imports_xlwings_here():
    script = textwrap.dedent(f"""
        import sys
        from addin.cli import main
        assert "xlwings" not in sys.modules, "the CLI imported xlwings at start-up"
        code = main(["regenerate", "--live", {str(SAMPLE)!r}])
        assert "xlwings" not in sys.modules, "--live imported xlwings before refusing"
        sys.exit(code)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "--live" in proc.stderr and "Excel on Windows or Mac" in proc.stderr
    assert "Traceback" not in proc.stderr


# --- apply_plan against a fake workbook that behaves like Excel's sheet tabs -------------

class TabBook:
    """Sheet tabs in order; copies get Excel's ' (2)' names; names are sheet-scoped."""

    def __init__(self, names):
        self.tabs = [Tab(self, n) for n in names]

    @property
    def sheets(self):
        return Tabs(self)


class Tabs:
    def __init__(self, book):
        self.book = book

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.book.tabs[key]
        return next(t for t in self.book.tabs if t.name.casefold() == key.casefold())

    def __iter__(self):
        return iter(list(self.book.tabs))


class Tab:
    def __init__(self, book, name):
        self.book, self._name, self.markers = book, name, {}
        self.names = self

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        assert all(t is self or t.name.casefold() != value.casefold() for t in self.book.tabs)
        self._name = value

    def add(self, name, refers_to):  # sheet.names.add
        self.markers[name] = refers_to
        return type("Name", (), {"api": type("Api", (), {"Visible": True})()})()

    def copy(self, before=None, after=None):
        target = (before or after).book
        name, n = self.name, 2
        while any(t.name.casefold() == name.casefold() for t in target.tabs):
            name, n = f"{self.name} ({n})", n + 1
        new = Tab(target, name)
        i = target.tabs.index(before) if before is not None else target.tabs.index(after) + 1
        target.tabs.insert(i, new)
        return new

    def delete(self):
        self.book.tabs.remove(self)


def test_apply_plan_puts_copies_in_place_and_marks_them():
    from addin.live import apply_plan

    book = TabBook(["Cover", "Summary", "Measures", "Adults", "Gone", "Summary (scorecard)"])
    markers = {"Summary (scorecard)": "Summary", "Adults": "Adults", "Gone": "Gone"}
    # "Summary" is the user's own sheet; last run's summary went in as "Summary (scorecard)"
    scorecard = TabBook(["Summary", "Adults", "Children"])
    plan = plan_sheets([t.name for t in book.tabs], ["Summary", "Adults", "Children"],
                       markers.get)
    apply_plan(book, scorecard, plan)
    assert [t.name for t in book.tabs] == [
        "Cover", "Summary", "Measures", "Adults", "Children", "Summary (scorecard)"]
    marked = {t.name: parse_marker(t.markers.get(MARKER_NAME), t.name) for t in book.tabs}
    assert marked == {"Cover": None, "Summary": None, "Measures": None, "Adults": "Adults",
                      "Children": "Children", "Summary (scorecard)": "Summary"}
