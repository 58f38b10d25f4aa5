"""Figures as people read them: ``97%``, ``£1,250``, ``13 pts worse``.

Used by the reason lines and the scorecard text alike, so a figure reads the same
everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Unit


def _trim(number: float) -> str:
    """A number with up to two decimals, thousands separated, no trailing zeros.

    >>> _trim(27.500000001), _trim(1250.0), _trim(-0.0)
    ('27.5', '1,250', '0')
    """
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: float | None, unit: Unit) -> str:
    """A figure in its unit; blank for ``None``.

    >>> format_value(0.275, Unit.PERCENT), format_value(1250, Unit.MONEY), format_value(4.5, Unit.DAYS)
    ('27.5%', '£1,250', '4.5 days')
    """
    if value is None:
        return ""
    # Each figure's text is kept, by unit: a scorecard with History writes past figures
    # in the direction of travel and again in the Data sheet's trend, and figures recur.
    memo = (_PERCENTS if unit is Unit.PERCENT else _NUMBERS if unit is Unit.NUMBER
            else _OTHERS.get(unit))
    if memo is None:
        return _format_value(value, unit)
    text = memo.get(value)
    if text is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        text = memo[value] = _format_value(value, unit)
    return text


def format_values(values: Sequence[float | None], unit: Unit) -> list[str]:
    """:func:`format_value` of each of ``values``, the texts kept before looked up at C
    speed (a trend's eight figures).

    >>> format_values((0.5, None, 0.275), Unit.PERCENT)
    ['50%', '', '27.5%']
    """
    memo = (_PERCENTS if unit is Unit.PERCENT else _NUMBERS if unit is Unit.NUMBER
            else _OTHERS.get(unit))
    if memo is None:
        return [format_value(v, unit) for v in values]
    texts = list(map(memo.get, values))
    if None in texts:  # a figure not seen before (each made here, and kept), or no figure
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        make = _MAKERS[unit]  # the unit's own, chosen once for the figures
        for i, text in enumerate(texts):
            if text is None:
                value = values[i]
                if value is None:
                    texts[i] = ""
                else:
                    texts[i] = memo[value] = make(value)
    return texts


def format_series(periods: Sequence[str], values: Sequence[float | None], unit: Unit) -> str:
    """Consecutive periods' figures in words, oldest first, as a trend reads (the Data
    sheet's Trend, a sparkline's text alternative): the first and last period, then
    each figure, ``no figure`` where a period has none.

    >>> format_series(("Q4 2015/16", "Q1 2016/17", "Q2 2016/17"), (0.8, None, 0.95),
    ...               Unit.PERCENT)
    'Q4 2015/16 to Q2 2016/17: 80%, no figure, 95%'
    >>> format_series(("Q2 2016/17",), (12.0,), Unit.NUMBER)
    'Q2 2016/17: 12'
    """
    texts = format_values(values, unit)  # "": no figure
    if "" in texts:
        texts = [text or "no figure" for text in texts]
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    return f"{span}: {', '.join(texts)}"


def _format_value(value: float, unit: Unit) -> str:
    return _MAKERS.get(unit, _trim)(value)


def _money_text(value: float) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}\u00a3{_trim(abs(value))}"


def _days_text(value: float) -> str:
    return f"{_trim(value)} day" + ("" if abs(value) == 1 else "s")


def _percent_text(value: float) -> str:
    """A fraction as a percentage, :func:`_trim`'s text of it then ``%`` (in one step: a
    scorecard with History formats tens of thousands of past figures).

    >>> _percent_text(0.275), _percent_text(-0.00001), _percent_text(12.5)
    ('27.5%', '0%', '1,250%')
    """
    text = f"{value * 100:,.2f}".rstrip("0").rstrip(".")
    return "0%" if text == "-0" or not text else text + "%"


#: How a figure of each unit is written.
_MAKERS = {Unit.PERCENT: _percent_text, Unit.MONEY: _money_text, Unit.DAYS: _days_text,
           Unit.NUMBER: _trim, Unit.RATE: _trim}
#: Figures' texts by unit (a value and any number equal to it read the same: ``-0.0``
#: and ``0.0``, ``1`` and ``1.0``), each memo cleared when it reaches _MEMO_SIZE.
_MEMO_SIZE = 1 << 16
_PERCENTS: dict[float, str] = {}
_NUMBERS: dict[float, str] = {}
_OTHERS: dict[Unit, dict[float, str]] = {u: {} for u in Unit
                                         if u is not Unit.PERCENT and u is not Unit.NUMBER}


def format_magnitude(gap: float, unit: Unit) -> str:
    """The size of a gap in the unit's words: percentage points for ``%``.

    >>> format_magnitude(-0.13, Unit.PERCENT), format_magnitude(2, Unit.NUMBER)
    ('13 pts', '2')
    """
    size = abs(gap)
    if unit is Unit.PERCENT:
        return f"{_trim(size * 100)} pt" + ("" if round(size * 100, 2) == 1 else "s")
    return format_value(size, unit)


#: A gap that rounds to nothing in its unit reads as level.
_ZERO_MAGNITUDES = frozenset({"0", "0 pts", "0 days", "\u00a30"})


def format_gap(gap: float | None, unit: Unit) -> str:
    """A signed gap (positive is better) as words.

    >>> format_gap(-0.13, Unit.PERCENT), format_gap(0.11, Unit.PERCENT), format_gap(0.0, Unit.DAYS)
    ('13 pts worse', '11 pts better', 'level')
    """
    if gap is None:
        return ""
    magnitude = format_magnitude(gap, unit)
    if magnitude in _ZERO_MAGNITUDES:
        return "level"
    return f"{magnitude} {'better' if gap > 0 else 'worse'}"
