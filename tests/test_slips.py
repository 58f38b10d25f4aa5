"""The slips officers make (SPEC section 3), each a problem at its cell: the percent
scale (see the corpus cases too), a Red measure highlighted, Settings without the
authority or the period."""

from __future__ import annotations

import pytest

from addin.cli import main
from kpi_core.pipeline import assess_workbook, review
from kpi_core.reading.slips import factor_apart, percent_scale
from kpi_core.reading.workbook import read_workbook
from tests.workbooks import measure_row, write_book

SETTINGS = [["Authority", "Test Council"], ["Period", "Q2 2016/17"]]


@pytest.mark.parametrize("value, text, flagged", [
    (71, False, True), (2.0, False, False), (2.01, False, True), (-3, False, True),
    (0.71, False, False), (250, True, False), (None, False, False)])
def test_the_percent_scale_limit_is_200_percent(value, text, flagged):
    assert (percent_scale(value, text) is not None) is flagged


@pytest.mark.parametrize("current, target, flagged", [
    (0.0088, 0.85, True), (0.017, 0.85, True), (0.0171, 0.85, False), (0.85, 0.0088, True),
    (0, 0.85, False), (0.5, None, False)])
def test_a_factor_of_50_between_current_and_target(current, target, flagged):
    assert (factor_apart(current, target) is not None) is flagged


def test_a_red_measure_highlighted_is_a_warning_at_its_highlight_cell(tmp_path, capsys):
    path = write_book(tmp_path / "b.xlsx", [
        measure_row("M1", Current=0.5, Highlight="Yes"),
        measure_row("M2", Current=0.85, Highlight="Yes")], settings=SETTINGS)
    workbook = read_workbook(path)
    reviewed = review(workbook, assess_workbook(workbook))
    [warning] = [p for p in reviewed.problems if "Highlight" in p.message]
    assert (warning.sheet, warning.cell, warning.severity) == ("Measures", "P2", "warning")
    assert review(reviewed, assess_workbook(workbook)) == reviewed  # once
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: Measures!P2: M1 is Red but marked Highlight" in out
    assert "0 error(s), 1 warning(s)" in out


@pytest.mark.parametrize("settings, cell, words", [
    ([["Authority", "Test Council"]], "", "Settings gives no Period"),
    ([["Authority", "Test Council"], ["Period", None]], "B3", "Settings gives no Period"),
    ([["Period", "Q2 2016/17"]], "", "Settings gives no Authority"),
    (None, "", "no Settings table, so no Authority and Period"),
])
def test_settings_without_period_or_authority_is_a_warning(settings, cell, words, tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], settings=settings)
    [warning] = [p for p in read_workbook(path).problems if p.sheet == "Settings"]
    assert warning.severity == "warning" and words in warning.message
    assert warning.cell == cell


def test_settings_with_both_give_no_warning(tmp_path):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1")], settings=SETTINGS)
    assert read_workbook(path).problems == ()
