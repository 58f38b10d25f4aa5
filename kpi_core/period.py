"""Reporting periods: calendar months, financial quarters and financial years, each
held as the month it ends and the months it spans, with the labels councils write
(``Jun 2016``, ``Q1 2016/17``, ``2016/17``), and the frequencies a measure is reported
at. Text is read into them by :func:`kpi_core.reading.periods.parse_period`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
from dataclasses import dataclass


class Frequency(enum.Enum):
    WEEKLY = "Weekly"
    MONTHLY = "Monthly"
    TERMLY = "Termly"
    QUARTERLY = "Quarterly"
    HALF_YEARLY = "Half-yearly"
    ANNUAL = "Annual"


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")
#: Months a period of each frequency spans.
_SPANS = {1: Frequency.MONTHLY, 3: Frequency.QUARTERLY, 12: Frequency.ANNUAL}
_SPAN_OF = {frequency: span for span, frequency in _SPANS.items()}


def financial_year_label(start_year: int) -> str:
    """The financial year starting in April of ``start_year``, as councils write it.

    >>> financial_year_label(2016), financial_year_label(1999)
    ('2016/17', '1999/00')
    """
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@functools.lru_cache(maxsize=4096)
def period_label(end: int, span: int) -> str:
    """The label of the period ending in month ``end`` (months since year 0) and spanning
    ``span`` months; cached, as a scorecard names the same few periods thousands of times.

    >>> period_label(12 * 2016 + 5, 1), period_label(12 * 2017 + 2, 3), period_label(24206, 12)
    ('Jun 2016', 'Q4 2016/17', '2016/17')
    """
    year, month0 = divmod(end, 12)
    if span == 1:
        return f"{_MONTH_NAMES[month0]} {year}"
    start_year = year if month0 >= 3 else year - 1
    fy = financial_year_label(start_year)
    if span == 3:
        return f"Q{(end - 12 * start_year - 3) // 3 + 1} {fy}"
    return fy


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A reporting period: a calendar month, a financial quarter or a financial year.

    Financial years start in April: Q1 is April to June, Q4 2016/17 is January to
    March 2017. Held as the month it ends in (``end``: months since year 0, January
    of year ``y`` is ``12 * y``) and the months it spans (1, 3 or 12), so periods sort
    by when they end, a month before the quarter and the year that end with it.
    Build them with :meth:`month`, :meth:`quarter` and :meth:`year`; text is read by
    :func:`kpi_core.reading.periods.parse_period`.

    >>> q4 = Period.quarter(2016, 4)
    >>> q4.label, q4.start, q4.end_date
    ('Q4 2016/17', datetime.date(2017, 1, 1), datetime.date(2017, 3, 31))
    >>> q4.previous().label, q4.year_earlier().label, q4.next().label
    ('Q3 2016/17', 'Q4 2015/16', 'Q1 2017/18')
    >>> Period.month(2016, 6).year_earlier().label, Period.year(2015).label
    ('Jun 2015', '2015/16')
    >>> sorted([Period.year(2016), Period.quarter(2016, 4), Period.month(2017, 3)])[0].label
    'Mar 2017'
    """

    end: int
    span: int

    def __post_init__(self) -> None:
        if self.span not in _SPANS:
            raise ValueError(f"a period spans 1, 3 or 12 months, not {self.span}")
        if self.span > 1 and (self.end - 2) % self.span:  # quarters and years end in Mar, Jun...
            raise ValueError("a financial quarter or year ends in March, June, September "
                             "or December (years: March)")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``month`` (1-12) of ``year``."""
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} is not 1 to 12")
        return cls(12 * year + month - 1, 1)

    @classmethod
    def quarter(cls, start_year: int, quarter: int) -> Period:
        """Quarter ``quarter`` (1-4) of the financial year starting in April ``start_year``."""
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter {quarter} is not 1 to 4")
        return cls(12 * start_year + 3 + 3 * quarter - 1, 3)

    @classmethod
    def year(cls, start_year: int) -> Period:
        """The financial year from April ``start_year`` to March ``start_year + 1``."""
        return cls(12 * (start_year + 1) + 2, 12)

    @classmethod
    def containing(cls, date: _dt.date, frequency: Frequency = Frequency.MONTHLY) -> Period:
        """The period of ``frequency`` that holds ``date``.

        >>> Period.containing(_dt.date(2017, 2, 28), Frequency.QUARTERLY).label
        'Q4 2016/17'
        """
        return cls.month(date.year, date.month).within(frequency)

    @property
    def frequency(self) -> Frequency:
        """``Monthly``, ``Quarterly`` or ``Annual``."""
        return _SPANS[self.span]

    @property
    def financial_year(self) -> int:
        """The calendar year in April of which this period's financial year starts."""
        year, month0 = divmod(self.end, 12)
        return year if month0 >= 3 else year - 1

    @property
    def start(self) -> _dt.date:
        """The first day of the period."""
        year, month0 = divmod(self.end - self.span + 1, 12)
        return _dt.date(year, month0 + 1, 1)

    @property
    def end_date(self) -> _dt.date:
        """The last day of the period."""
        year, month0 = divmod(self.end + 1, 12)
        return _dt.date(year, month0 + 1, 1) - _dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """``Jun 2016``, ``Q1 2016/17`` or ``2016/17``."""
        return period_label(self.end, self.span)

    def previous(self) -> Period:
        """The period of the same frequency just before this one."""
        return Period(self.end - self.span, self.span)

    def next(self) -> Period:
        """The period of the same frequency just after this one."""
        return Period(self.end + self.span, self.span)

    def year_earlier(self) -> Period:
        """The same period a year earlier (a month's same month last year)."""
        return Period(self.end - 12, self.span)

    def latest(self, frequency: Frequency) -> Period:
        """The latest period of ``frequency`` that ends by the time this one does: a
        monthly measure's period in ``Q2 2016/17`` is ``Sep 2016``, an annual one's is
        ``2015/16`` (the last complete year).

        >>> q2 = Period.quarter(2016, 2)
        >>> q2.latest(Frequency.MONTHLY).label, q2.latest(Frequency.ANNUAL).label
        ('Sep 2016', '2015/16')
        >>> Period.month(2016, 8).latest(Frequency.QUARTERLY).label
        'Q1 2016/17'
        """
        span = _SPAN_OF[frequency]
        if span == 1:
            return Period(self.end, 1)
        return Period(self.end - (self.end - 2) % span, span)

    def within(self, frequency: Frequency) -> Period:
        """The period of ``frequency`` that holds this period's last month."""
        span = _SPAN_OF[frequency]
        return Period(self.end + (-(self.end - 2)) % span, span)

    def __str__(self) -> str:
        return self.label
