"""The scorecard spec: sheets, sections, rows, cell values and style names. No files."""

from __future__ import annotations

import re
import pytest
from hypothesis import given, strategies as st

from kpi_core.model import Benchmark, Direction, Measure, Status, Unit
from kpi_core.assessing.measure import assess_measures
from kpi_core.publishing.data_sheet import CHECK_DATA, value_style
from kpi_core.publishing.scorecard import (
    KEY_AREAS, LABEL_NOT_DUE, LABEL_NO_TARGET, LABEL_PROBLEMS, LABEL_RAG_TOTAL, LABEL_UNAVAILABLE,
    LOWER_AREAS, OTHER_MEASURES, TABLE_HEADERS, build_scorecard, build_sheet_names, comments_text,
)
from kpi_core.publishing.spec import Heading, Table
from tests.scorecard_samples import (
    CS, MEMBER, RES, SETTINGS, mixed_assessments, reference_assessments, with_problem,
)

def _table(sheet, key: str) -> Table:
    return next(b for b in sheet.blocks if isinstance(b, Table) and b.key == key)


def _by_header(table: Table, row) -> dict:
    """A measure row's cells by their column's header (columns with nothing to show in
    the whole scorecard are left out, so positions vary)."""
    return {h.value: cell for h, cell in zip(table.header, row)}


def _names(table: Table) -> list[str]:
    return [_by_header(table, row)["Measure"].value for row in table.rows if len(row) > 2]


def _row(sheet, name: str) -> dict:
    for block in sheet.blocks:
        if isinstance(block, Table) and block.header is not None:
            for row in block.rows:
                if len(row) > 2 and _by_header(block, row)["Measure"].value == name:
                    return _by_header(block, row)
    raise AssertionError(f"{name!r} not in {sheet.name}")


def _counts(sheet) -> dict[str, int]:
    return {row[1].value: row[2].value for row in _table(sheet, "counts").rows}


@pytest.fixture(scope="module")
def card():
    return build_scorecard(mixed_assessments(), SETTINGS)


# --- sheet names ---------------------------------------------------------------

@pytest.mark.parametrize("portfolio, expected", [
    ("Children's Services", "Children's Services"),
    ("Adults: Health/Care", "Adults- Health-Care"),
    ("What? [draft] *new* \\x", "What- (draft) -new- -x"),
    ("'Quoted'", "Quoted"),
    ("History", "History (2)"),
    ("SUMMARY", "SUMMARY (2)"),
    ("   ", "Portfolio"),
])
def test_sheet_name_is_cleaned(portfolio, expected):
    assert build_sheet_names([portfolio])[portfolio] == expected


def test_sheet_names_are_unique_ignoring_case_after_shortening():
    long_a = "Communities, Health and Adult Social Care A"
    long_b = "Communities, Health and Adult Social Care B"
    names = build_sheet_names([long_a, long_b, "resources", "Resources"])
    assert names[long_a] == long_a[:31]
    assert names[long_b] == long_a[:27] + " (2)"
    assert names["Resources"] == "Resources (2)"
    assert len({n.casefold() for n in names.values()}) == 4


def test_sheet_name_cut_does_not_end_in_apostrophe():
    name = build_sheet_names(["x" * 30 + "'s portfolio"])["x" * 30 + "'s portfolio"]
    assert name == "x" * 30


@given(st.lists(st.text(min_size=0, max_size=50), min_size=1, max_size=12))
def test_sheet_names_always_valid(portfolios):
    names = build_sheet_names(portfolios)
    assert set(names) == set(portfolios)
    values = list(names.values())
    assert len({v.casefold() for v in values}) == len(values)
    for v in values:
        assert 1 <= len(v) <= 31
        assert not re.search(r"[\[\]:*?/\\]", v)
        assert not v.startswith("'") and not v.endswith("'")
        assert v.casefold() not in ("history", "summary")


# --- workbook shape ------------------------------------------------------------

def test_sheets_summary_first_then_portfolios_in_order(card):
    assert [s.name for s in card.sheets] == ["Summary", CS, "Resources- Finance-IT", "Data"]
    assert card.sheets[2].label == RES
    assert card.title == "Buckinghamshire County Council performance scorecard, Q2 2016/17"
    assert card.author == card.company == "Buckinghamshire County Council"
    assert "Q2 2016/17" in card.subject


def test_title_argument_overrides_document_title():
    assert build_scorecard(reference_assessments(), SETTINGS, title="Cabinet, 5 Dec").title \
        == "Cabinet, 5 Dec"


def test_portfolio_titles(card):
    sheet = card.sheet(CS)
    headings = [b for b in sheet.blocks if isinstance(b, Heading)]
    assert headings[0].text == f"Children's Services Portfolio - {MEMBER}"
    assert headings[1].text == "Buckinghamshire County Council performance scorecard, Q2 2016/17"
    assert card.sheets[2].blocks[0].text == "Resources: Finance/IT Portfolio"  # no member
    assert [h.text for h in headings[2:] if not h.text.startswith("RAG movement since")] == [
        KEY_AREAS, LOWER_AREAS, OTHER_MEASURES]


def test_portfolio_counts_match_reference(card):
    counts = _counts(card.sheet(CS))
    assert counts == {"Green": 1, "Amber": 3, "Red": 9, LABEL_RAG_TOTAL: 13,
                      LABEL_UNAVAILABLE: 0, LABEL_NOT_DUE: 0, LABEL_NO_TARGET: 1}


def test_problem_rows_counted_apart(card):
    counts = _counts(card.sheets[2])
    assert counts[LABEL_PROBLEMS] == 1
    assert counts[LABEL_RAG_TOTAL] == counts["Green"] + counts["Amber"] + counts["Red"] == 5
    assert counts[LABEL_UNAVAILABLE] == 1 and counts[LABEL_NOT_DUE] == 1
    assert counts[LABEL_NO_TARGET] == 1
    assert LABEL_PROBLEMS not in _counts(card.sheet(CS))


def test_chart_alt_text_describes_counts(card):
    chart = card.sheet(CS).charts[0]
    assert "13 measures with a RAG: 1 Green, 3 Amber, 9 Red." in chart.alt_text
    rows = _table(card.sheet(CS), "counts").rows
    assert [rows[r][chart.categories_column].value
            for r in range(chart.first_row, chart.last_row + 1)] == ["Green", "Amber", "Red"]


def test_summary_sheet_counts_and_total(card):
    summary = card.sheets[0]
    table = _table(summary, "summary")
    header = [c.value for c in table.header]
    assert header[:9] == ["Portfolio", "Cabinet Member", "Green", "Amber", "Red", "With a RAG",
                          "Data unavailable", "Not due", "No target"]
    assert header[header.index("Total") - 1:header.index("Total") + 1] == ["Data problems", "Total"]
    rows = {r[0].value: dict(zip(header, (c.value for c in r))) for r in table.rows}
    assert rows[CS]["Red"] == 9 and rows[CS]["With a RAG"] == 13 and rows[CS]["Total"] == 14
    assert rows[RES]["Data problems"] == 1 and rows[RES]["Total"] == 9
    assert rows["Total"]["Total"] == 23 == len(mixed_assessments())
    assert rows["Total"]["Green"] == rows[CS]["Green"] + rows[RES]["Green"]
    chart = summary.charts[0]
    assert [s.name for s in chart.series] == ["Green", "Amber", "Red"]
    assert chart.last_row == 1  # the total row is not charted
    assert f"{CS}: 1 Green, 3 Amber, 9 Red." in chart.alt_text


def test_summary_has_no_problem_column_without_problems():
    header = [c.value for c in _table(build_scorecard(reference_assessments(), SETTINGS)
                                      .sheets[0], "summary").header]
    assert "Data problems" not in header


# --- sections ------------------------------------------------------------------

def test_sections_follow_reference(card):
    sheet = card.sheet(CS)
    assert _names(_table(sheet, "key")) == [
        "% of Child Protection Plans reviewed in timescales",
        "% Children Looked After seen in the last 6 weeks"]  # an Amber highlighted too
    lower = _table(sheet, "lower")
    assert len(lower.rows) == 11
    assert [r[0].value for r in lower.rows] == list(range(1, 12))
    assert _by_header(lower, lower.rows[0])["Measure"].value == "% repeat referrals"
    assert _names(_table(sheet, "other")) == [
        "% of CLA are placed no more than 20 miles away from home"]


def test_every_measure_appears_exactly_once(card):
    for sheet, portfolio in ((card.sheets[1], CS), (card.sheets[2], RES)):
        shown = [n for key in ("key", "lower", "other") for n in _names(_table(sheet, key))]
        expected = [a.measure.name for a in mixed_assessments() if a.measure.portfolio == portfolio]
        assert sorted(shown) == sorted(expected)


def test_greens_are_key_areas_when_nothing_highlighted(card):
    sheet = card.sheets[2]
    key = _names(_table(sheet, "key"))
    assert "Council tax collected" in key and "Staff turnover within range" in key
    key_table = _table(sheet, "key")
    assert all(_by_header(key_table, r)["RAG"].value == "Green" for r in key_table.rows)
    other = _names(_table(sheet, "other"))
    assert {"Complaints answered", "Annual residents survey satisfaction",
            "Calls answered in 20 seconds", "Budget variance"} == set(other)


def test_green_not_highlighted_goes_to_other_when_some_are_highlighted():
    measures = [Measure("A", "P", "green one", target=1.0, current=2.0),
                Measure("B", "P", "red star", target=1.0, current=0.1, highlight=True)]
    sheet = build_scorecard(assess_measures(measures)).sheets[1]
    assert _names(_table(sheet, "key")) == ["red star"]
    assert _names(_table(sheet, "lower")) == []
    assert _names(_table(sheet, "other")) == ["green one"]


def test_empty_section_has_a_note():
    sheet = build_scorecard(assess_measures([Measure("A", "P", "m", target=1.0,
                                                     current=2.0)])).sheets[1]
    lower = _table(sheet, "lower")
    assert lower.header is not None
    assert lower.rows[0][1].value == "No measures in this section."


# --- row cells -----------------------------------------------------------------

def test_row_columns_and_rag_style(card):
    row = _row(card.sheet(CS), "% repeat referrals")
    assert [c.value for c in list(row.values())[:6]] == [
        1, "% repeat referrals", 0.25, 0.36, "Red",
        f"{Direction.WORSENING.label} since the previous period (33%)"]
    assert row["RAG"].style == "rag_red"
    assert row["Target"].style == "pct0"
    assert row["Benchmarking"].value == (
        "Statistical Neighbour Average (2015): 23% (13 pts worse)\n"
        "National Average (2015): 24% (12 pts worse)")
    assert row["Comments"].value.startswith(
        "Outcome: Vulnerable children are safe and protected from harm\nNotes: In August")


def test_free_benchmarking_text_shown_as_it_is(card):
    row = _row(card.sheet(CS), "% assessments completed in 45 working days")
    assert row["Benchmarking"].value == "2014/15 England 82% S East 81 % Bucks 83%"


def test_comments_leave_out_missing_parts(card):
    assert _row(card.sheets[2], "=SUM(A1:A2) formula-looking name")["Comments"].value \
        == "Notes: +44 1234 567890 and @mention; -not a formula"
    assert _row(card.sheets[2], "Council tax collected")["Comments"].value is None


def test_range_target_marker_and_statuses(card):
    sheet = card.sheets[2]
    assert _row(sheet, "Staff turnover within range")["Target"].value == "8% to 12%"
    survey = _row(sheet, "Annual residents survey satisfaction")
    assert survey["Current position"].value == "TBC"
    assert survey["RAG"].value == "Not due" and survey["RAG"].style == "status"
    assert _row(sheet, "Complaints answered")["RAG"].value == "No target"
    assert _row(sheet, "Complaints answered")["Target"].value is None
    assert _row(sheet, "Average days to pay invoices")["Current position"].style \
        == "days1"


def test_problem_row_reads_check_data(card):
    row = _row(card.sheets[2], "Budget variance")
    assert row["RAG"].value == CHECK_DATA and row["RAG"].style == "check"
    assert row["Comments"].value == \
        "Measures!J12: current position 'abc' is not a number"


def test_problem_row_never_in_key_or_lower():
    a = with_problem(assess_measures([Measure("A", "P", "m", target=1.0, current=2.0,
                                              highlight=True)])[0])
    sheet = build_scorecard([a]).sheets[1]
    assert _names(_table(sheet, "key")) == [] and _names(_table(sheet, "other")) == ["m"]
    assert _counts(sheet)[LABEL_RAG_TOTAL] == 0


def test_benchmarks_without_current_have_no_gap():
    m = Measure("A", "P", "m", unit=Unit.PERCENT, target=0.5, current=None,
                benchmarks=(Benchmark("A", "National Average", None, 0.4),))
    row = _row(build_scorecard(assess_measures([m])).sheets[1], "m")
    assert row["Benchmarking"].value == "National Average: 40%"


@pytest.mark.parametrize("value, unit, style", [
    (0.97, Unit.PERCENT, "pct0"), (0.275, Unit.PERCENT, "pct1"), (0.2755, Unit.PERCENT, "pct2"),
    (0.1 + 0.2, Unit.PERCENT, "pct0"), (1250.0, Unit.MONEY, "money0"),
    (12.5, Unit.MONEY, "money2"), (4.0, Unit.DAYS, "days0"), (4.5, Unit.DAYS, "days1"),
    (7.25, Unit.RATE, "rate"), (1234.0, Unit.NUMBER, "number0"), (3.14, Unit.NUMBER, "number2"),
])
def test_value_style(value, unit, style):
    assert value_style(value, unit) == style


def test_spec_is_frozen(card):
    with pytest.raises(AttributeError):
        card.sheets[0].name = "x"  # type: ignore[misc]


def test_no_settings_still_builds():
    card = build_scorecard(assess_measures([Measure("A", "Adults", "m")]))
    assert card.title == "Performance scorecard" and card.author == "kpi-scorecard"
    assert card.sheets[1].blocks[1].text == "Performance scorecard"


def test_statuses_round_trip_on_rag_column():
    measures = [Measure(str(i), "P", f"m{i}", target=1.0, current=c)
                for i, c in enumerate((1.0, 0.95, 0.5))]
    sheet = build_scorecard(assess_measures(measures)).sheets[1]
    rags = {n: _row(sheet, n)["RAG"] for n in ("m0", "m1", "m2")}
    assert [(c.value, c.style) for c in rags.values()] == [
        ("Green", "rag_green"), ("Amber", "rag_amber"), ("Red", "rag_red")]


# --- nothing printed empty ------------------------------------------------------

def test_columns_with_nothing_to_show_are_left_out_of_the_whole_scorecard():
    plain = [Measure("A", "P", "m", target=1.0, current=2.0),
             Measure("B", "Q", "n", target=1.0, current=0.5)]
    card = build_scorecard(assess_measures(plain))
    headers = {tuple(h.value for h in b.header) for s in card.sheets[1:] if not s.data
               for b in s.blocks if isinstance(b, Table) and b.header is not None}
    assert headers == {("No.", "Measure", "Target", "Current position", "RAG", "Comments")}
    for sheet in card.sheets[1:-1]:
        assert len(sheet.columns) == 6
        for block in sheet.blocks:
            if isinstance(block, Table) and block.header is not None:
                assert all(len(r) in (2, 6) for r in block.rows)  # a note, or a full row
    # one measure elsewhere with a previous value brings the column back everywhere
    with_previous = plain[:1] + [Measure("B", "Q", "n", target=1.0, current=0.5, previous=0.4)]
    card = build_scorecard(assess_measures(with_previous))
    for sheet in card.sheets[1:-1]:
        header = next(b for b in sheet.blocks if isinstance(b, Table) and b.header).header
        assert [h.value for h in header] == ["No.", "Measure", "Target", "Current position",
                                             "RAG", "Direction of travel", "Comments"]
    assert "Direction" in [h.value for h in card.sheets[-1].blocks[0].header]  # Data keeps all


def test_comments_lines_judgement_first():
    m = Measure("A", "P", "m", target=1.0, current=0.5, outcome="Safe", notes="Audited",
                rag_override=Status.AMBER, override_reason="plan agreed")
    text = comments_text(assess_measures([m])[0])
    lines = text.split("\n")
    assert lines[0].startswith("Amber by officer judgement (rules give Red")
    assert lines[1:] == ["Outcome: Safe", "Notes: Audited"]


def test_portfolio_subtitle_is_the_period_under_the_page_title(card):
    sub = next(b for b in card.sheet(CS).blocks if isinstance(b, Heading)
               and b.style == "subtitle")
    assert sub.text == "Buckinghamshire County Council performance scorecard, Q2 2016/17"
    assert sub.under_title == "Q2 2016/17"
