"""A figure's kept text is the text it reads as: the memo of :func:`format_value` gives,
on a second call, what the first computed, for every unit."""

from __future__ import annotations

import random

import pytest

from kpi_core import formatting
from kpi_core.formatting import format_value
from kpi_core.model import Unit

VALUES = [0.0, -0.0, 1, 1.0, True, -1.0, 0.5, 0.275, 27.500000001, 1250.0, -1250.5, 1e-9,
          123456789.125, 1e20, float("inf"), float("nan"), 0.995, 0.9949999, 2, -0.004]


@pytest.mark.parametrize("unit", list(Unit))
def test_kept_texts_are_the_texts_computed(unit):
    rng = random.Random(unit.value)
    values = VALUES + [round(rng.uniform(-1000, 1000), rng.randrange(6)) for _ in range(500)]
    for value in values + values[::-1]:  # each read once unkept, then kept
        assert format_value(value, unit) == formatting._format_value(value, unit), value


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(formatting, "_MEMO_SIZE", 10)
    for i in range(100):
        assert format_value(i / 7, Unit.PERCENT) == formatting._format_value(i / 7, Unit.PERCENT)
    assert len(formatting._PERCENTS) <= 10


@pytest.mark.parametrize("unit", list(Unit))
def test_several_figures_read_as_each_one(unit):
    from kpi_core.formatting import format_values

    rng = random.Random(str(unit))
    for _ in range(200):
        values = [None if rng.random() < 0.2 else round(rng.uniform(-2, 2), rng.randrange(5))
                  for _ in range(rng.randrange(10))]
        assert format_values(values, unit) == [format_value(v, unit) for v in values]
        assert format_values(tuple(values), unit) == [format_value(v, unit) for v in values]
    assert all(format_value(v, unit) for v in VALUES)  # "" only for no figure


def test_a_percentage_is_its_hundredfold_trimmed():
    rng = random.Random(7)
    for value in VALUES + [rng.uniform(-20, 20) for _ in range(2000)] + \
            [round(rng.uniform(-1, 1), rng.randrange(7)) for _ in range(2000)]:
        assert formatting._percent_text(value) == f"{formatting._trim(value * 100)}%", value


@pytest.mark.parametrize("unit", list(Unit))
def test_figures_not_kept_before_read_as_computed(unit, monkeypatch):
    """format_values makes the texts of figures not kept before itself: the same texts."""
    from kpi_core.formatting import format_values

    monkeypatch.setattr(formatting, "_MEMO_SIZE", 50)  # cleared now and then too
    rng = random.Random(f"cold {unit}")
    for _ in range(300):
        values = [None if rng.random() < 0.2 else round(rng.uniform(-3000, 3000),
                                                        rng.randrange(6))
                  for _ in range(rng.randrange(10))]
        assert format_values(values, unit) == \
            ["" if v is None else formatting._format_value(v, unit) for v in values]
