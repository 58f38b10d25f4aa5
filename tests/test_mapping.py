"""Officers' own headers (issue 10, SPEC section 3): synonyms, folding, Settings
``Column:`` rows, the columns report and the warnings for status fields not found."""

from __future__ import annotations

import json

import pytest

from addin.cli import main
from kpi_core.pipeline import assess_workbook
from kpi_core.reading.mapping import SYNONYMS, fold_header, header_words, match_headers
from kpi_core.reading.tables import MEASURE_COLUMNS
from kpi_core.reading.workbook import read_workbook
from tests.workbooks import write_book

SPEC_SYNONYMS = {  # SPEC section 3, word for word
    "name": ["Indicator", "KPI", "Description"],
    "current": ["Current position", "Actual", "Outturn", "Latest", "Performance"],
    "polarity": ["Good is", "Aim", "Direction"],
    "notes": ["Commentary", "Comments"],
    "cabinet_member": ["Lead Member"],
    "portfolio": ["Directorate", "Service"],
    "owner": ["Lead Officer", "Responsible Officer", "Data Owner"],
}


@pytest.mark.parametrize("field, word", [(f, w) for f, ws in SPEC_SYNONYMS.items() for w in ws])
@pytest.mark.parametrize("dress", [str, str.upper, lambda w: f"  {w}\r\n", lambda w: w.replace(" ", "\n  ")])
def test_every_spec_synonym_answers_folded(field, word, dress):
    words = header_words((c.field, c.headers) for c in MEASURE_COLUMNS)
    assert words[fold_header(dress(word))][0] == field


def test_period_labels_are_passed_on_unused():
    """The seam for the wide layout: period headers reach the period parser as they are."""
    import datetime as dt

    from kpi_core.reading.periods import parse_period
    words = header_words((c.field, c.headers) for c in MEASURE_COLUMNS)
    month_end = dt.datetime(2016, 9, 30)  # a date cell as header, as the reader gives it
    match = match_headers(["Ref", "KPI", "Q1 2016/17", "Q2\r\n2016/17", "2015/16", "Jun 2016",
                           month_end], words)
    assert [h for _ci, h in match.unused] == ["Q1 2016/17", "Q2 2016/17", "2015/16", "Jun 2016",
                                              month_end]
    assert [parse_period(h).label for _ci, h in match.unused] == [
        "Q1 2016/17", "Q2 2016/17", "2015/16", "Jun 2016", "Sep 2016"]
    assert all(fold_header(w) not in words for w in ("q1 2016/17", "2016-06"))
    assert not any("2016" in w for ws in SYNONYMS.values() for w in ws)


OFFICER_HEADERS = ["Directorate", "Lead Member", "Ref", "Indicator", "Good is", "Unit",
                   "Target", "Outturn", "Commentary", "Our RAG last year"]


def _row(ref, target, actual, good="Higher is better", **extra):
    return {"Directorate": "Adults", "Lead Member": "Cllr. A", "Ref": ref,
            "Indicator": f"Indicator {ref}", "Good is": good, "Unit": "%", "Target": target,
            "Outturn": actual, "Commentary": "note", "Our RAG last year": "Red", **extra}


def test_synonym_headers_read_like_our_own(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [_row("A1", 0.9, 0.95), _row("A2", 0.25, 0.36, "Lower"),
                                            _row("A3", 0.9, 0.85)], headers=OFFICER_HEADERS,
                      settings=[["Authority", "Council"], ["Period", "Q2 2016/17"]])
    book = read_workbook(path)
    assert book.problems == ()
    statuses = [a.status.value for a in assess_workbook(book)]
    assert statuses == ["Green", "Red", "Amber"]
    m = book.measures[0]
    assert (m.portfolio, m.cabinet_member, m.name, m.notes) == ("Adults", "Cllr. A", "Indicator A1", "note")
    used = {c.name: (c.header, c.cell, c.how) for c in book.columns}
    assert used["Current"] == ("Outturn", "H1", "synonym")
    assert used["Polarity"] == ("Good is", "E1", "synonym")
    assert used["Ref"] == ("Ref", "C1", "name")
    assert "Our RAG last year" not in {c.header for c in book.columns}


def test_settings_column_rows_win_over_synonyms(tmp_path):
    headers = ["Portfolio", "Ref", "Measure", "Unit", "Target", "Actual", "Q2 Actual"]
    rows = [{"Portfolio": "P", "Ref": "A1", "Measure": "m", "Unit": "%", "Target": 0.9,
             "Actual": 0.5, "Q2 Actual": 0.95}]
    settings = [["Column: Current", "q2  ACTUAL"], ["Column: Polarity", "Good is"],
                ["Column: Wibble", "x"]]
    path = write_book(tmp_path / "b.xlsx", rows, headers=headers, settings=settings)
    book = read_workbook(path)
    assert assess_workbook(book)[0].status.value == "Green"
    used = {c.name: (c.header, c.how) for c in book.columns}
    assert used["Current"] == ("Q2 Actual", "setting")
    texts = [p.text for p in book.problems]
    assert any(t.startswith("Settings!B3: 'Column: Polarity' names the header 'Good is', which "
                            "table Measures does not have (headers seen: 'Portfolio'") for t in texts), texts
    assert any(t.startswith("Settings!B4: 'Column: Wibble' names no column") for t in texts), texts
    assert all(p.severity == "warning" for p in book.problems)


def test_status_fields_not_found_are_warned_naming_the_headers_seen(tmp_path, capsys):
    headers = ["Portfolio", "Ref", "KPI", "Figure", "Goal"]
    path = write_book(tmp_path / "b.xlsx", [{"Portfolio": "P", "Ref": "A1", "KPI": "k",
                                              "Figure": 1, "Goal": 2}], headers=headers)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    seen = "(headers seen: 'Portfolio', 'Ref', 'KPI', 'Figure', 'Goal')"
    for name, consequence in (("Current", "every measure will show Data unavailable"),
                              ("Target", "every measure will show No target"),
                              ("Polarity", "every measure is read as Higher is better")):
        assert (f"warning: Measures!A1: table Measures has no {name} column recognised, so "
                f"{consequence} {seen}") in out
    assert "Measures!C1: Measure from 'KPI' (a built-in synonym)" in out


def test_check_json_columns(tmp_path, capsys):
    path = write_book(tmp_path / "b.xlsx", [_row("A1", 0.9, 0.95)], headers=OFFICER_HEADERS)
    assert main(["check", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["columns"]["Current"] == {"header": "Outturn", "cell": "Measures!H1", "how": "synonym"}
    assert doc["columns"]["Measure"]["header"] == "Indicator"
    assert len(doc["columns"]) == 9


@pytest.mark.parametrize("header", ["Owner", "Lead Officer", "Responsible Officer", "Data Owner"])
def test_owner_is_read_and_reported_by_check(tmp_path, capsys, header):
    headers = ["Portfolio", "Ref", "Measure", "Target", "Current", header]
    rows = [{"Portfolio": "P", "Ref": "A1", "Measure": "m", "Target": 1, "Current": 2,
             header: "  Jo Bloggs "},
            {"Portfolio": "P", "Ref": "A2", "Measure": "n", "Target": 1, "Current": 2}]
    path = write_book(tmp_path / "b.xlsx", rows, headers=headers)
    book = read_workbook(path)
    assert [m.owner for m in book.measures] == ["Jo Bloggs", None]
    assert main(["check", str(path)]) == 0
    how = "" if header == "Owner" else " (a built-in synonym)"
    assert f"Measures!F1: Owner from '{header}'{how}" in capsys.readouterr().out
