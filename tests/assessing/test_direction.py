"""Direction of travel reads one way (SPEC sections 5, 6): one fact a line with its
period and figure, the Settings Direction Tolerance as a no-change band, and RAG
movement counts that add up to the measures with a RAG."""

from __future__ import annotations

import pytest

from addin.udfs import KPI_DIRECTION
from kpi_core.assessing.measure import assess_measure, assess_measures
from kpi_core.assessing.trends import summarise_movement, summarise_movement_totals
from kpi_core.model import (
    Frequency, Measure, Observation, Period, Settings, Status, ToleranceBasis, Unit,
)
from kpi_core.publishing.measure_rows import direction_text
from kpi_core.reading.workbook import read_workbook
from tests.support.workbooks import measure_row, write_book

Q2 = Period.quarter(2016, 2)


def settings(**kw) -> Settings:
    return Settings(period="Q2 2016/17", current_period=Q2, **kw)


def measure(current: float, before: float, year_ago: float | None = None, **kw) -> Measure:
    history = [Observation(Q2.previous(), before)]
    if year_ago is not None:
        history.insert(0, Observation(Q2.year_earlier(), year_ago))
    return Measure("A", "P", "m", unit=Unit.PERCENT, current=current, target=0.5,
                   history=tuple(history), **kw)


@pytest.mark.parametrize("tolerance, basis, word", [
    (0.0, None, "Worsening"), (0.01, None, "No change"), (0.009, None, "Worsening"),
    (0.005, ToleranceBasis.ABSOLUTE, "No change"), (0.004, ToleranceBasis.ABSOLUTE, "Worsening"),
])
def test_the_direction_tolerance_is_a_no_change_band(tolerance, basis, word):
    """Mid and East Antrim: 51.9% -> 51.4% published as "Similar result"."""
    a = assess_measure(measure(0.514, 0.519, tolerance_basis=basis),
                       settings(direction_tolerance=tolerance))
    assert a.direction.value == word


def test_settings_direction_tolerance_is_read(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], settings=[
        ["Authority", "C"], ["Period", "Q2 2016/17"], ["Direction Tolerance", "2%"]])
    assert read_workbook(path).settings.direction_tolerance == pytest.approx(0.02)


def test_kpi_direction_takes_the_tolerance_as_its_last_argument():
    assert KPI_DIRECTION(0.514, 0.519) == "Worsening"
    assert KPI_DIRECTION(0.514, 0.519, None, None, None, 0.01) == "No change"
    assert KPI_DIRECTION(0.514, 0.519, None, None, None, "1%") == "No change"


def test_each_line_names_its_period_and_the_figure_then():
    a = assess_measure(measure(0.6, 0.62, 0.58), settings())
    assert direction_text(a).splitlines() == [
        "▼ Worsening since Q1 2016/17 (62%)", "▲ Improving since Q2 2015/16 (58%)"]
    red = assess_measure(measure(0.6, 0.2, 0.58), settings())
    assert direction_text(red).splitlines()[-1] == "Red in Q1 2016/17"


def test_an_annual_measure_says_its_comparison_with_last_year_once():
    """An annual measure's previous period is the same period a year earlier: one fact,
    one line, then the RAG movement (not the same line twice)."""
    year = Q2.latest(Frequency.ANNUAL)
    m = Measure("A", "P", "m", unit=Unit.PERCENT, current=0.6, target=0.7,
                frequency=Frequency.ANNUAL,
                history=(Observation(year.previous().previous(), 0.5),
                         Observation(year.previous(), 0.65)))
    a = assess_measure(m, settings())
    assert a.direction_long_since == a.direction_since == year.previous().label
    assert direction_text(a).splitlines() == [
        f"▼ Worsening since {year.previous().label} (65%)",
        f"Amber in {year.previous().label}"]


def test_the_previous_column_names_the_previous_period():
    m = Measure("A", "P", "m", unit=Unit.PERCENT, current=0.6, target=0.5, previous=0.55)
    assert direction_text(assess_measure(m, settings())).splitlines()[0] == \
        "▲ Improving since Q1 2016/17 (55%)"


def test_movement_counts_add_up_to_the_measures_with_a_rag():
    with_history = measure(0.6, 0.62)
    without = Measure("B", "P", "n", unit=Unit.PERCENT, current=0.3, target=0.5)
    no_data = Measure("C", "P", "o", unit=Unit.PERCENT, target=0.5)
    assessed = assess_measures([with_history, without, no_data], settings())
    rag = sum(a.status.is_rag for a in assessed)
    totals = summarise_movement_totals(summarise_movement(assessed))
    assert sum(totals.values()) == rag == 2
    assert totals["New"] == 1
    # nothing known of any previous period: nothing to count
    assert sum(summarise_movement_totals(summarise_movement(
        assess_measures([without], settings()))).values()) == 0
    assert assessed[2].status is Status.DATA_UNAVAILABLE
