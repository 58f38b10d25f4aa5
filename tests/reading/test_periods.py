"""Period labels (SPEC section 3): every form councils write, financial-year edges, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from kpi_core.errors import ValueParseError
from kpi_core.model import Frequency, Period
from kpi_core.reading.periods import parse_period


@pytest.mark.parametrize("text, label, frequency", [
    # quarters, quarter first and year first, four- and two-digit years
    ("Q1 2016/17", "Q1 2016/17", Frequency.QUARTERLY),
    ("2016/17 Q1", "Q1 2016/17", Frequency.QUARTERLY),
    ("Q1 16/17", "Q1 2016/17", Frequency.QUARTERLY),
    ("q2 2016-17", "Q2 2016/17", Frequency.QUARTERLY),
    ("Qtr 3 2016/2017", "Q3 2016/17", Frequency.QUARTERLY),
    ("Quarter 4, 2016/17", "Q4 2016/17", Frequency.QUARTERLY),
    ("2016/17 - Q2", "Q2 2016/17", Frequency.QUARTERLY),
    (" Q1  FY2016/17 ", "Q1 2016/17", Frequency.QUARTERLY),
    ("Q4 1999/00", "Q4 1999/00", Frequency.QUARTERLY),
    # months
    ("Jun 2016", "Jun 2016", Frequency.MONTHLY),
    ("June 2016", "Jun 2016", Frequency.MONTHLY),
    ("Sept 2016", "Sep 2016", Frequency.MONTHLY),
    ("2016-06", "Jun 2016", Frequency.MONTHLY),
    ("2016-6", "Jun 2016", Frequency.MONTHLY),
    ("2016-06-30", "Jun 2016", Frequency.MONTHLY),
    ("Apr-16", "Apr 2016", Frequency.MONTHLY),
    ("Mar 17", "Mar 2017", Frequency.MONTHLY),
    ("dec-2016", "Dec 2016", Frequency.MONTHLY),
    ("2017-01", "Jan 2017", Frequency.MONTHLY),
    # financial years
    ("2015/16", "2015/16", Frequency.ANNUAL),
    ("2016-17", "2016/17", Frequency.ANNUAL),
    ("2015/2016", "2015/16", Frequency.ANNUAL),
    ("FY 2015/16", "2015/16", Frequency.ANNUAL),
    ("2016\u201317", "2016/17", Frequency.ANNUAL),  # an en dash, as Word writes it
])
def test_every_form_reads(text, label, frequency):
    period = parse_period(text)
    assert period.label == label
    assert period.frequency is frequency
    assert parse_period(period.label) == period  # the canonical label reads back


@pytest.mark.parametrize("text, fragment", [
    ("2011-12", "could be December 2011 or the financial year 2011/12"),
    ("Q1 2016", "ambiguous: quarter 1 of the calendar year 2016"),
    ("2016 Q1", "ambiguous"),
    ("2016", "ambiguous"),
    ("2016/18", "18 does not follow 2016"),
    ("Q5 2016/17", "not a period label"),
    ("Jun", "not a period label"),
    ("Junk 2016", "not a period label"),
    ("2016-13", "neither a month"),
    ("2016-02-30", "not a date"),
    ("Q1 1850/51", "not a reporting year"),
    ("last quarter", "not a period label"),
    ("", "blank"),
    (None, "blank"),
    (2016, "is a number"),
    (42551.0, "is a number"),
])
def test_unreadable_or_ambiguous_is_refused_never_guessed(text, fragment):
    with pytest.raises(ValueParseError) as exc:
        parse_period(text)
    assert fragment in str(exc.value)


def test_financial_year_edges():
    q4 = parse_period("Q4 2016/17")
    assert (q4.start, q4.end_date) == (dt.date(2017, 1, 1), dt.date(2017, 3, 31))
    q1 = parse_period("Q1 2016/17")
    assert (q1.start, q1.end_date) == (dt.date(2016, 4, 1), dt.date(2016, 6, 30))
    assert q1.previous() == parse_period("Q4 2015/16")
    assert q4.next() == parse_period("Q1 2017/18")
    year = parse_period("2016/17")
    assert (year.start, year.end_date) == (dt.date(2016, 4, 1), dt.date(2017, 3, 31))
    assert year.previous().label == "2015/16"
    # a month in January to March belongs to the financial year that began the April before
    assert parse_period("Feb 2017").financial_year == 2016
    assert parse_period("Apr 2017").financial_year == 2017


def test_monthly_same_month_last_year_and_previous():
    jan = parse_period("Jan 2017")
    assert jan.year_earlier().label == "Jan 2016"
    assert jan.previous().label == "Dec 2016"  # across the calendar year
    assert parse_period("Apr 2016").previous().label == "Mar 2016"  # across the financial year
    assert parse_period("Q2 2016/17").year_earlier().label == "Q2 2015/16"
    assert parse_period("2016/17").year_earlier().label == "2015/16"


@pytest.mark.parametrize("value, frequency, label", [
    (dt.datetime(2016, 6, 30), None, "Jun 2016"),
    (dt.date(2017, 3, 31), None, "Mar 2017"),
    (dt.datetime(2017, 3, 31), Frequency.QUARTERLY, "Q4 2016/17"),
    (dt.datetime(2017, 3, 31), Frequency.ANNUAL, "2016/17"),
    (dt.datetime(2016, 4, 30), Frequency.ANNUAL, "2016/17"),
])
def test_date_cells(value, frequency, label):
    assert parse_period(value, frequency).label == label


def test_periods_sort_by_when_they_end():
    labels = ["Q1 2016/17", "2015/16", "Mar 2016", "Q4 2015/16", "Jun 2016", "Q3 2015/16"]
    ordered = [p.label for p in sorted(parse_period(t) for t in labels)]
    assert ordered == ["Q3 2015/16", "Mar 2016", "Q4 2015/16", "2015/16", "Jun 2016",
                       "Q1 2016/17"]


def test_latest_period_of_a_frequency():
    q2 = parse_period("Q2 2016/17")
    assert q2.latest(Frequency.MONTHLY).label == "Sep 2016"
    assert q2.latest(Frequency.QUARTERLY) == q2
    assert q2.latest(Frequency.ANNUAL).label == "2015/16"
    assert parse_period("Mar 2017").latest(Frequency.ANNUAL).label == "2016/17"


periods = st.builds(
    lambda kind, year, n: (Period.month(year, n % 12 + 1) if kind == 0 else
                           Period.quarter(year, n % 4 + 1) if kind == 1 else Period.year(year)),
    st.integers(0, 2), st.integers(1990, 2090), st.integers(0, 11))


@given(periods)
def test_label_round_trips_and_steps_invert(period):
    assert parse_period(period.label) == period
    assert period.previous().next() == period
    assert period.year_earlier() < period
    assert period.previous() < period < period.next()
    assert period.start <= period.end_date
    assert (period.end_date - period.start).days + 1 in {
        Frequency.MONTHLY: range(28, 32), Frequency.QUARTERLY: range(89, 93),
        Frequency.ANNUAL: range(365, 367)}[period.frequency]


def test_bad_periods_cannot_be_built():
    with pytest.raises(ValueError):
        Period(12 * 2016 + 4, 3)  # a "quarter" ending in May
    with pytest.raises(ValueError):
        Period(12 * 2016, 2)


@given(st.one_of(st.text(max_size=30), st.from_regex(
    r"\A(Q[0-9] ?)?[0-9]{2,4}[-/][0-9]{1,4}( ?Q[0-9])?\Z"), st.integers(), st.floats(),
    st.dates(), st.none()))
def test_any_cell_reads_as_a_period_or_a_value_parse_error(value):
    try:
        period = parse_period(value)
    except ValueParseError as exc:
        assert str(exc)  # a phrase for the reader to put after the cell
    else:
        assert parse_period(period.label) == period


def test_a_whole_number_too_long_to_show_is_a_problem_not_a_crash():
    """Python refuses to print an int of over 4,300 digits (an xlwings cell can hold one)."""
    with pytest.raises(ValueParseError, match="too long to show.*not a period label"):
        parse_period(10 ** 4363)
