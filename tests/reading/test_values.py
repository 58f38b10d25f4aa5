"""Cell values to typed values: numbers, percent text, markers, words, flags."""

from __future__ import annotations

import pytest

from kpi_core.errors import ValueParseError
from kpi_core.model import DataStatus, Frequency, Polarity, Unit
from kpi_core.reading.values import (
    MISSING_MARKERS, parse_data_status, parse_flag, parse_frequency, parse_polarity,
    parse_reading, parse_tolerance, parse_unit,
)


@pytest.mark.parametrize("cell, value, percent", [
    (0.97, 0.97, False), (97, 97.0, False), ("97%", 0.97, True), (" 97 % ", 0.97, True),
    ("0.97", 0.97, False), ("1,250", 1250.0, False), ("\u00a31,250.50", 1250.5, False),
    ("-5", -5.0, False), ("\u22125", -5.0, False), ("12.5%", 0.125, True), (0, 0.0, False),
])
def test_numbers_and_percent_text(cell, value, percent):
    reading = parse_reading(cell)
    assert reading.value == pytest.approx(value)
    assert reading.is_percent is percent
    assert reading.marker is None


@pytest.mark.parametrize("cell", ["n/a", "N/A", "TBC", "-", "Data unavailable", "Not available",
                                  " not  AVAILABLE ", "\u2013", "tba"])
def test_missing_data_markers(cell):
    reading = parse_reading(cell)
    assert reading.value is None and reading.marker == cell.strip()


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_blank_is_missing_without_marker(cell):
    assert parse_reading(cell).value is None and parse_reading(cell).marker is None


@pytest.mark.parametrize("cell", ["abc", "12abc", "1.2.3", True, float("nan"), float("inf"),
                                  "97%%", "=A1"])
def test_not_a_number(cell):
    with pytest.raises(ValueParseError):
        parse_reading(cell)


def test_markers_are_lower_case_and_squeezed():
    assert all(m == " ".join(m.split()).lower() for m in MISSING_MARKERS)


@pytest.mark.parametrize("word, polarity", [
    ("Higher is better", Polarity.HIGHER), ("higher", Polarity.HIGHER), ("High", Polarity.HIGHER),
    ("Lower is better", Polarity.LOWER), ("LOWER", Polarity.LOWER), ("low", Polarity.LOWER),
    ("Within range", Polarity.RANGE), ("range", Polarity.RANGE), (None, Polarity.HIGHER),
])
def test_polarity_words(word, polarity):
    assert parse_polarity(word) is polarity


@pytest.mark.parametrize("word", ["up", "better", "Higher is worse", 1])
def test_unknown_polarity(word):
    with pytest.raises(ValueParseError, match="polarity"):
        parse_polarity(word)


@pytest.mark.parametrize("cell, tol", [("10%", 0.1), (0.1, 0.1), ("0.05", 0.05), (0, 0.0),
                                       (None, None), (1, 1.0)])
def test_tolerance(cell, tol):
    assert parse_tolerance(cell) == (None if tol is None else pytest.approx(tol))


@pytest.mark.parametrize("cell, message", [(-0.1, "negative"), ("-10%", "negative"),
                                           (10, "more than 100%"), ("n/a", "not a number")])
def test_bad_tolerance(cell, message):
    with pytest.raises(ValueParseError, match=message):
        parse_tolerance(cell)


def test_words_of_other_columns():
    assert parse_data_status("Unavailable") is DataStatus.UNAVAILABLE
    assert parse_data_status("not due") is DataStatus.NOT_DUE
    assert parse_frequency("annual") is Frequency.ANNUAL
    assert parse_unit("%") is Unit.PERCENT and parse_unit("days") is Unit.DAYS
    for parse, bad in ((parse_data_status, "Maybe"), (parse_frequency, "Fortnightly-ish"),
                       (parse_unit, "furlongs"), (parse_flag, "Perhaps")):
        with pytest.raises(ValueParseError):
            parse(bad)


@pytest.mark.parametrize("cell, flag", [("Yes", True), ("y", True), (True, True), (1, True),
                                        ("No", False), (None, False), ("", False), (0, False)])
def test_flags(cell, flag):
    assert parse_flag(cell) is flag
