"""Period labels as councils write them, to :class:`~kpi_core.model.Period` (SPEC section 3).

One parser for every label: quarters (``Q1 2016/17``, ``2016/17 Q1``, ``Q1 16/17``),
months (``Jun 2016``, ``June 2016``, ``2016-06``, ``Apr-16``), financial years
(``2015/16``, ``2016-17``) and dates (a month-end date in a Period column). Financial
years start in April. A label that cannot be read, or that could be read two ways
(``2011-12``: December 2011 or the year 2011/12?), raises
:class:`~kpi_core.errors.ValueParseError`; the reader turns it into a problem with its
cell. It never guesses.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

from ..errors import ValueParseError
from ..model import Frequency, Period

_MONTHS = {name: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}

_YEAR = r"(\d{4}|\d{2})"
_FY = rf"(?:fy\s*)?{_YEAR}\s*[/-]\s*{_YEAR}"
_Q = r"(?:q|qtr|quarter)\s*([1-4])"
_QUARTER_FIRST = re.compile(rf"^{_Q}\s*[,-]?\s*{_FY}$")
_YEAR_FIRST = re.compile(rf"^{_FY}\s*[,-]?\s*{_Q}$")
_QUARTER_CALENDAR = re.compile(rf"^(?:{_Q}\s*[,-]?\s*(\d{{4}})|(\d{{4}})\s*[,-]?\s*{_Q})$")
_FINANCIAL_YEAR = re.compile(rf"^{_FY}$")
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?\s*[-' ]?\s*'?(\d{4}|\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")

#: Years outside this range are typing mistakes, not reporting periods.
_EARLIEST, _LATEST = 1950, 2100


def _full_year(text: str, label: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000
    if not _EARLIEST <= year <= _LATEST:
        raise ValueParseError(f"period {label!r} has the year {year}, which is not a "
                              "reporting year", label)
    return year


def _financial_year(first: str, second: str, label: str) -> int:
    """The start year of ``first/second``, which must be consecutive years."""
    start = _full_year(first, label)
    if len(second) == 4:
        follows = int(second) == start + 1
    else:
        follows = int(second) == (start + 1) % 100
    if not follows:
        raise ValueParseError(
            f"period {label!r} is not a financial year: {second} does not follow {first} "
            f"(write it like {_example(start)})", label)
    return start


def _example(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def _clean(text: str) -> str:
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2019", "'")
    return " ".join(text.split()).casefold()


def parse_period(value: object, frequency: Frequency | None = None) -> Period:
    """A period label (or a date cell) as a :class:`Period`.

    ``frequency`` matters for dates only: a date gives the month that holds it,
    or the quarter or financial year of ``frequency`` that ends with it.

    >>> [parse_period(t).label for t in ("Q1 2016/17", "2016/17 Q1", "Q1 16/17", "Q4 2016-17")]
    ['Q1 2016/17', 'Q1 2016/17', 'Q1 2016/17', 'Q4 2016/17']
    >>> [parse_period(t).label for t in ("Jun 2016", "June 2016", "2016-06", "Apr-16")]
    ['Jun 2016', 'Jun 2016', 'Jun 2016', 'Apr 2016']
    >>> [parse_period(t).label for t in ("2015/16", "2016-17", "2015/2016", "FY 2015/16")]
    ['2015/16', '2016/17', '2015/16', '2015/16']
    >>> parse_period(dt.datetime(2016, 6, 30)).label
    'Jun 2016'
    >>> parse_period(dt.datetime(2016, 6, 30), Frequency.QUARTERLY).label
    'Q1 2016/17'
    >>> parse_period("2011-12")
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: period '2011-12' could be December 2011 or the financial year 2011/12: write Dec 2011 or 2011/12
    """
    if isinstance(value, Period):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return _from_date(value, frequency)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueParseError("period is blank", value)
    if isinstance(value, bool) or not isinstance(value, str):
        shown = ("(a whole number too long to show)" if isinstance(value, int)
                 and abs(value) >= 10 ** 15 else repr(value))  # a 4,300-digit int has no repr
        raise ValueParseError(
            f"period {shown} is a number, not a period label: write it like Q1 2016/17, "
            "Jun 2016 or 2016/17 (a year alone could be a calendar or a financial year)",
            value)
    return _parse_label(value)


@functools.lru_cache(maxsize=4096)
def _parse_label(value: str) -> Period:
    """A label's period; cached, as History repeats the same few labels thousands of times."""
    label = value.strip()
    text = _clean(label)
    if m := _QUARTER_FIRST.match(text):
        return Period.quarter(_financial_year(m[2], m[3], label), int(m[1]))
    if m := _YEAR_FIRST.match(text):
        return Period.quarter(_financial_year(m[1], m[2], label), int(m[3]))
    if m := _ISO_MONTH.match(text):
        return _iso(m, label)
    if m := _FINANCIAL_YEAR.match(text):
        return Period.year(_financial_year(m[1], m[2], label))
    if m := _MONTH_YEAR.match(text):
        month = _MONTHS.get(m[1])
        if month is not None:
            return Period.month(_full_year(m[2], label), month)
    if m := _QUARTER_CALENDAR.match(text):
        quarter, year = (m[1], m[2]) if m[1] else (m[4], m[3])
        raise ValueParseError(
            f"period {label!r} is ambiguous: quarter {quarter} of the calendar year {year} or "
            f"of a financial year? Write it like Q{quarter} {_example(int(year))} (financial "
            "years start in April)", label)
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        raise ValueParseError(
            f"period {label!r} is ambiguous: the financial year {_example(year - 1)} or "
            f"{_example(year)}? Write the financial year like {_example(year)}", label)
    raise ValueParseError(
        f"period {label!r} is not a period label: write it like Q1 2016/17, Jun 2016 or "
        "2016/17", label)


def _iso(m: re.Match, label: str) -> Period:
    """``2016-06`` (a month), ``2016-06-30`` (a date), or ``2016-17`` (a financial year)."""
    year, second, day = m[1], m[2], m[3]
    if day is not None:
        try:
            return Period.month(_full_year(year, label), dt.date(int(year), int(second),
                                                                   int(day)).month)
        except ValueError as exc:
            raise ValueParseError(f"period {label!r} is not a date ({exc})", label) from exc
    number = int(second)
    is_month = len(second) == 2 and 1 <= number <= 12 or len(second) == 1 and number >= 1
    is_year = len(second) == 2 and number == (int(year) + 1) % 100
    if is_month and is_year:
        start = int(year)
        month_name = dt.date(2000, number, 1).strftime("%b")
        raise ValueParseError(
            f"period {label!r} could be {dt.date(2000, number, 1).strftime('%B')} {start} or "
            f"the financial year {_example(start)}: write {month_name} {start} or "
            f"{_example(start)}", label)
    if is_year:
        return Period.year(_financial_year(year, second, label))
    if is_month:
        return Period.month(_full_year(year, label), number)
    raise ValueParseError(
        f"period {label!r} is neither a month (like 2016-06) nor a financial year "
        "(like 2016-17)", label)


def _from_date(value: dt.date, frequency: Frequency | None) -> Period:
    if not _EARLIEST <= value.year <= _LATEST:
        raise ValueParseError(f"period {value:%Y-%m-%d} is in {value.year}, which is not a "
                              "reporting year", value)
    if frequency in (Frequency.QUARTERLY, Frequency.ANNUAL):
        return Period.containing(value, frequency)
    return Period.containing(value)
