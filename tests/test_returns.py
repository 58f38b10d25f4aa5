"""``kpi-scorecard returns``: one return workbook per owner, with the right measures,
protection, validation, formats and document properties (SPEC section 7)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from addin.cli import main
from kpi_core.authoring.returns import (
    DATA_STATUS_CHOICES, PROP_AUTHORITY, PROP_CREATED, PROP_OWNER, PROP_PERIOD, PROP_SOURCE,
    PROP_UNASSIGNED, build_returns, write_returns,
)
from kpi_core.errors import DataErrors, UsageError
from kpi_core.reading.properties import read_properties
from kpi_core.reading.workbook import read_workbook
from tests.returns_books import demo_data, header_row, open_quarter_demo
from tests.workbooks import write_book

DEMO_OWNERS = {  # Ref -> owner, from the demo's data
    m["Ref"]: m["Owner"] for m in demo_data.MEASURES}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("returns")
    book = open_quarter_demo(folder / "book.xlsx")
    return book, write_returns(book, folder / "out")


def _rows(path: Path):
    wb = openpyxl.load_workbook(path)
    ws = wb["Return"]
    top, cols = header_row(ws)
    rows = [r for r in range(top + 1, ws.max_row + 1) if ws.cell(r, cols["Ref"]).value]
    return wb, ws, top, cols, rows


def test_one_file_per_owner_with_their_measures(made):
    book, paths = made
    owners = [o for o in dict.fromkeys(DEMO_OWNERS.values()) if o]
    assert [p.name for p in paths] == [f"{o}.xlsx" for o in owners] + ["Unassigned.xlsx"]
    for path in paths:
        _wb, ws, _top, cols, rows = _rows(path)
        refs = [ws.cell(r, cols["Ref"]).value for r in rows]
        owner = None if path.name == "Unassigned.xlsx" else path.stem
        assert refs == [ref for ref, o in DEMO_OWNERS.items() if o == owner], path.name
    assert len(owners) == 4 and [r for r, o in DEMO_OWNERS.items() if o is None] == ["EP05"]


def test_headers_context_and_figures(made):
    _book, paths = made
    _wb, ws, top, cols, rows = _rows(paths[1])  # Tom Ashgrove: CF01-CF04
    headers = [c.value for c in ws[top] if c.value]
    assert headers == ["Ref", "Measure", "Unit", "Polarity", "Target", "Target Upper",
                       "Q2 2015/16", "Q3 2015/16", "Q4 2015/16", "Q1 2016/17",
                       "Current", "Data Status", "Notes"]
    cf01 = {h: ws.cell(rows[0], c).value for h, c in cols.items()}
    history = {h["Period"]: h["Value"] for h in demo_data.HISTORY if h["Ref"] == "CF01"}
    assert cf01["Measure"] == "% of single assessments completed within 45 working days"
    assert (cf01["Unit"], cf01["Polarity"], cf01["Target"]) == ("%", "Higher is better", 0.85)
    assert [cf01[p] for p in ("Q2 2015/16", "Q3 2015/16", "Q4 2015/16", "Q1 2016/17")] == \
        [history[p] for p in ("Q2 2015/16", "Q3 2015/16", "Q4 2015/16", "Q1 2016/17")]
    assert cf01["Current"] is None and cf01["Notes"] is None
    assert ws.cell(rows[0], cols["Target"]).number_format == "0.0%"
    cf04 = {h: ws.cell(rows[3], c).value for h, c in cols.items()}
    assert (cf04["Polarity"], cf04["Target"], cf04["Target Upper"]) == ("Within range", 40, 50)
    # the authority, period, owner and instructions stand above the table
    top_text = " ".join(str(ws.cell(r, 1).value) for r in range(1, top))
    assert demo_data.AUTHORITY in top_text and "Q2 2016/17" in top_text
    assert "Owner: Tom Ashgrove (fictional)" in top_text and "Data Status" in top_text


def test_monthly_and_annual_context(made):
    _book, paths = made
    _wb, ws, _top, cols, rows = _rows(paths[0])  # Priya Halloway: AS01-AS05, CF05
    by_ref = {ws.cell(r, cols["Ref"]).value: r for r in rows}
    as05 = {h["Period"]: h["Value"] for h in demo_data.HISTORY if h["Ref"] == "AS05"}
    got = [ws.cell(by_ref["AS05"], cols[q]).value for q in ("Q3 2015/16", "Q4 2015/16")]
    assert got == [as05["Dec 2015"], as05["Mar 2016"]]  # the month that ends the quarter
    cf05 = {h["Period"]: h["Value"] for h in demo_data.HISTORY if h["Ref"] == "CF05"}
    got = [ws.cell(by_ref["CF05"], cols[q]).value
           for q in ("Q2 2015/16", "Q3 2015/16", "Q4 2015/16", "Q1 2016/17")]
    assert "2015/16" not in cf05 and got == [None] * 4  # its last outturn, 2014/15, is older


def test_an_annual_figure_stands_in_the_quarter_that_ends_its_year():
    from kpi_core.authoring.returns import figure_in
    from kpi_core.model import Frequency, Measure, Observation, Period

    m = Measure("A", "P", "a", frequency=Frequency.ANNUAL,
                history=(Observation(Period.year(2015), 0.6),))
    quarters = [Period.quarter(2015, q) for q in (2, 3, 4)] + [Period.quarter(2016, 1)]
    assert [figure_in(m, q) for q in quarters] == [None, None, 0.6, None]


def test_only_the_input_cells_are_unlocked_and_the_sheet_is_protected(made):
    _book, paths = made
    for path in paths:
        _wb, ws, top, cols, rows = _rows(path)
        assert ws.protection.sheet and not ws.protection.password
        inputs = {cols["Current"], cols["Data Status"], cols["Notes"]}
        for r in range(1, rows[-1] + 1):
            for c in range(1, max(cols.values()) + 1):
                unlocked = r in rows and c in inputs
                assert ws.cell(r, c).protection.locked is not unlocked, (path.name, r, c)


def test_current_is_validated_and_percent_formatted(made):
    _book, paths = made
    _wb, ws, _top, cols, rows = _rows(paths[1])
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter
    cur, status = letter(cols["Current"]), letter(cols["Data Status"])
    pct = rules[f"{cur}{rows[0]}:{cur}{rows[1]}"]  # CF01, CF02: % measures
    assert (pct.type, pct.errorStyle) == ("decimal", None)  # stop: Excel refuses the rest
    assert (float(pct.formula1), float(pct.formula2)) == (0, 2)  # 0% to 200%
    other = rules[f"{cur}{rows[2]}:{cur}{rows[3]}"]
    assert other.type == "decimal" and float(other.formula1) < 0 < float(other.formula2)
    dl = rules[f"{status}{rows[0]}:{status}{rows[-1]}"]
    assert dl.type == "list" and dl.formula1 == '"' + ",".join(DATA_STATUS_CHOICES) + '"'
    assert ws.cell(rows[0], cols["Current"]).number_format == "0.0%"
    assert ws.cell(rows[2], cols["Current"]).number_format != "0.0%"


def test_document_properties_and_print_settings(made):
    book, paths = made
    created = read_properties(book).created
    assert created
    for path in paths:
        props = read_properties(path)
        unassigned = path.name == "Unassigned.xlsx"
        assert props.custom[PROP_SOURCE] == "book.xlsx"
        assert props.custom[PROP_CREATED] == created
        assert props.custom[PROP_AUTHORITY] == demo_data.AUTHORITY
        assert props.custom[PROP_PERIOD] == "Q2 2016/17"
        assert props.custom[PROP_UNASSIGNED] == ("Yes" if unassigned else "No")
        if not unassigned:
            assert props.custom[PROP_OWNER] == path.stem
        assert props.title.endswith(path.stem if not unassigned else "Measures with no owner")
        ws = openpyxl.load_workbook(path)["Return"]
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
        assert ws.page_setup.fitToWidth in (None, 1)  # one page wide (1 is the default)
        assert ws.print_title_rows and "&P" in ws.oddFooter.center.text
        assert len(ws.tables) == 1 and ws.freeze_panes


def test_build_returns_is_pure_data(tmp_path):
    workbook = read_workbook(open_quarter_demo(tmp_path / "b.xlsx"))
    specs = build_returns(workbook, "b.xlsx", "2026-01-01T00:00:00Z")
    assert [s.owner for s in specs][-1] is None
    assert sum(len(s.rows) for s in specs) == len(workbook.measures)
    assert all(len(r.context) == 4 for s in specs for r in s.rows)


def test_refused_without_period_or_with_repeated_refs(tmp_path):
    rows = [{"Portfolio": "P", "Ref": "A1", "Measure": "m", "Owner": "Jo"},
            {"Portfolio": "P", "Ref": "A1", "Measure": "n", "Owner": "Jo"}]
    headers = ["Portfolio", "Ref", "Measure", "Owner"]
    with pytest.raises(UsageError, match="no Period"):
        build_returns(read_workbook(write_book(tmp_path / "a.xlsx", rows[:1], headers=headers)),
                      "a.xlsx")
    twice = write_book(tmp_path / "b.xlsx", rows, headers=headers,
                       settings=[["Period", "Q2 2016/17"]])
    with pytest.raises(DataErrors, match=r"Measures!B3: Ref 'A1' is used twice"):
        build_returns(read_workbook(twice), "b.xlsx")


def test_cli_writes_the_folder_and_never_replaces_a_return(tmp_path, capsys):
    book = open_quarter_demo(tmp_path / "book.xlsx")
    assert main(["returns", str(book), "-o", str(tmp_path / "r")]) == 0
    out = capsys.readouterr().out
    assert "Wrote" in out and "5 return(s)" in out and "kpi-scorecard collect" in out
    assert main(["returns", str(book), "-o", str(tmp_path / "r")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["returns", str(book), "-o", str(tmp_path / "r"), "--force"]) == 0


def test_without_owners_every_measure_is_unassigned_with_a_note(tmp_path, capsys):
    sample = Path(__file__).resolve().parent.parent / "workbook_templates" / "performance_workbook.xlsx"
    assert main(["returns", str(sample), "-o", str(tmp_path / "r")]) == 0
    assert "note: no measure has an Owner" in capsys.readouterr().out
    _wb, ws, _top, cols, rows = _rows(tmp_path / "r" / "Unassigned.xlsx")
    assert len(rows) == len(read_workbook(sample).measures)
