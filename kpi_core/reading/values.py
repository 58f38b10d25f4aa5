"""Cell values to typed values: the one place where text is interpreted.

Every ``parse_*`` function takes what a cell holds (``None``, a number, a bool or
text) and returns a typed value, or raises :class:`ValueParseError` with a
phrase about the value. Callers add the sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from ..errors import ValueParseError
from ..model import DataStatus, Frequency, Polarity, Status, ToleranceBasis, Unit

#: Text officers write where a figure is not (yet) known. Compared lower-cased,
#: spaces squeezed.
MISSING_MARKERS = frozenset({
    "n/a", "na", "n.a.", "n.a", "#n/a", "tbc", "tba", "tbd", "-", "--", "\u2013", "\u2014",
    "..", "data unavailable", "not available", "unavailable", "no data",
    "not yet available", "awaiting data", "data not available", "not applicable",
})

#: What DfE and ONS tables write for a suppressed or unavailable figure (LAIT downloads are
#: full of ``x`` and ``c``): in a range of comparator values, an authority without data,
#: like a blank or ``n/a``. Compared lower-cased, stripped.
COMPARATOR_MARKERS = frozenset({"x", "c", "z", "u", ":", "low", "*", "~", "[x]", "[c]",
                                "[z]", "[u]", "[low]"})

_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

#: Figures at or beyond this size are refused: Excel keeps 15 significant digits, no
#: council measure comes near it, and it keeps every gap and percentage finite.
MAX_FIGURE = 1e15

#: Characters XML 1.0 cannot carry (C0 controls but tab, newline and return; lone
#: surrogates; U+FFFE and U+FFFF). A workbook file cannot hold them, but a live Excel
#: range can; they would make the written scorecard unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class Reading:
    """A figure as read: its value, or the marker text that stands for missing data."""

    value: float | None
    marker: str | None = None
    is_percent: bool = False

    @property
    def missing(self) -> bool:
        return self.value is None


def _squeeze(text: str) -> str:
    return " ".join(text.split()).lower()


def _describe(value: object) -> str:
    text = _str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _str(value: object) -> str:
    """``str(value)``, also for integers too long for ``str`` (Python refuses > 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"a number of {int(value.bit_length() * 0.30103) + 1} digits"
    return str(value)


def is_blank(value: object) -> bool:
    """True for an empty cell or one holding only spaces.

    >>> is_blank(None), is_blank("  "), is_blank(0)
    (True, True, False)
    """
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value: object) -> str | None:
    """Text of a cell, stripped; ``None`` when blank. Numbers are shown without ``.0``.

    Characters XML cannot hold (control characters, lone surrogates) are dropped.

    >>> parse_text("  CS07 "), parse_text(2015.0), parse_text(None), parse_text("a\\x01b")
    ('CS07', '2015', None, 'ab')
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date):
        return _date_text(value)
    text = _NOT_XML.sub("", _str(value)).strip()
    return text or None


def _date_text(value: dt.date) -> str:
    """A date cell as ISO text: ``2016-09-30``, with the time only when it has one.

    >>> _date_text(dt.datetime(2016, 9, 30)), _date_text(dt.datetime(2016, 9, 30, 17, 30))
    ('2016-09-30', '2016-09-30 17:30')
    """
    if isinstance(value, dt.datetime) and value.time() != dt.time():
        return value.isoformat(sep=" ", timespec="minutes")
    return value.isoformat()[:10]


def parse_reading(value: object) -> Reading:
    """A figure: a number, percent text (``97%``), blank, or a missing-data marker.

    >>> parse_reading("97%")
    Reading(value=0.97, marker=None, is_percent=True)
    >>> parse_reading(" TBC ")
    Reading(value=None, marker='TBC', is_percent=False)
    >>> parse_reading("1,250")
    Reading(value=1250.0, marker=None, is_percent=False)
    >>> parse_reading("abc")
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: 'abc' is not a number
    """
    if is_blank(value):
        return Reading(None)
    if isinstance(value, bool):
        raise ValueParseError(f"{value} is not a number", value)
    if isinstance(value, dt.date):
        raise ValueParseError(f"{_date_text(value)!r} is a date, not a number; format the "
                              "cell as a number or a percentage", value)
    if isinstance(value, dt.time):
        raise ValueParseError(f"{value.isoformat()!r} is a time of day, not a number; format "
                              "the cell as a number or a percentage", value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise ValueParseError(f"{_describe(value)} is not a finite number", value)
        return Reading(_checked_size(float(value) if abs(value) < MAX_FIGURE else math.inf,
                                     value))
    text = _str(value).strip()
    if _squeeze(text) in MISSING_MARKERS:
        return Reading(None, marker=text)
    compact = text.replace(",", "").replace("\u00a3", "").replace(" ", "").replace("\u2212", "-")
    is_percent = compact.endswith("%")
    if is_percent:
        compact = compact[:-1]
    if not _NUMBER_RE.match(compact):
        raise ValueParseError(f"{_describe(text)} is not a number", value)
    number = _checked_size(float(compact), text)
    return Reading(number / 100 if is_percent else number, is_percent=is_percent)


def _checked_size(number: float, value: object) -> float:
    """``number`` when it is a figure a measure can have, else :class:`ValueParseError`.

    >>> _checked_size(1e308, "1e308")
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: '1e308' is too large for a figure (the limit is 1e+15)
    """
    if not abs(number) < MAX_FIGURE:
        raise ValueParseError(f"{_describe(value)} is too large for a figure "
                              f"(the limit is {MAX_FIGURE:g})", value)
    return number


def parse_number(value: object) -> float | None:
    """A number or ``None`` (blank or marker); percent text reads as a fraction.

    >>> parse_number("10%"), parse_number(0.1), parse_number("n/a")
    (0.1, 0.1, None)
    """
    return parse_reading(value).value


def parse_tolerance(value: object, basis: ToleranceBasis = ToleranceBasis.RELATIVE,
                    what: str = "tolerance") -> float | None:
    """A band beyond (or short of) the target; blank is ``None``.

    ``Relative`` (the default): a fraction of the target, ``0.1`` or ``10%``, at most
    100%. ``Absolute``: an amount in the measure's own units, any size (``2`` days;
    ``5%`` or ``0.05`` on a % measure is 5 percentage points). ``what`` names the
    value in a message.

    >>> parse_tolerance("10%"), parse_tolerance(0.05), parse_tolerance(None)
    (0.1, 0.05, None)
    >>> parse_tolerance(2, ToleranceBasis.ABSOLUTE)
    2.0
    >>> parse_tolerance(-0.1)
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: tolerance -0.1 is negative
    >>> parse_tolerance(2, what="green tolerance")
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: green tolerance 2 is more than 100%; write a fraction such as 0.1 or 10%, or set Tolerance Basis to Absolute for an amount in the measure's units
    """
    reading = parse_reading(value)
    if reading.value is None:
        if reading.marker:
            raise ValueParseError(f"{what} {_describe(reading.marker)} is not a number", value)
        return None
    tol = reading.value
    if tol < 0:
        raise ValueParseError(f"{what} {_format_plain(tol)} is negative", value)
    if tol > 1 and basis is not ToleranceBasis.ABSOLUTE:
        raise ValueParseError(
            f"{what} {_format_plain(tol)} is more than 100%; write a fraction such as 0.1 or "
            "10%, or set Tolerance Basis to Absolute for an amount in the measure's units",
            value)
    return tol


def _format_plain(number: float) -> str:
    return f"{number:g}"


_POLARITY_WORDS = {
    "higher is better": Polarity.HIGHER, "higher": Polarity.HIGHER, "high": Polarity.HIGHER,
    "lower is better": Polarity.LOWER, "lower": Polarity.LOWER, "low": Polarity.LOWER,
    "within range": Polarity.RANGE, "range": Polarity.RANGE, "in range": Polarity.RANGE,
}


def _parse_word(value: object, words: dict, what: str, choices: str, blank: object) -> object:
    """The enum member a word stands for (case and spaces ignored); ``blank`` for a blank cell."""
    if is_blank(value):
        return blank
    member = words.get(_squeeze(_str(value)))
    if member is None:
        raise ValueParseError(f"{what} {_describe(value)} is not one of {choices}", value)
    return member


def parse_polarity(value: object) -> Polarity:
    """Polarity words and their short forms; blank means higher is better.

    >>> parse_polarity(" lower IS better"), parse_polarity("Range"), parse_polarity(None)
    (<Polarity.LOWER: 'Lower is better'>, <Polarity.RANGE: 'Within range'>, <Polarity.HIGHER: 'Higher is better'>)
    """
    return _parse_word(value, _POLARITY_WORDS, "polarity",
                       "Higher is better, Lower is better, Within range", Polarity.HIGHER)


_BASIS_WORDS = {
    "relative": ToleranceBasis.RELATIVE, "absolute": ToleranceBasis.ABSOLUTE,
}


def parse_tolerance_basis(value: object) -> ToleranceBasis | None:
    """``Relative`` (tolerances are fractions of the target) or ``Absolute`` (amounts in
    the measure's units); blank is ``None`` (the workbook's default applies).

    >>> parse_tolerance_basis(" absolute "), parse_tolerance_basis(None)
    (<ToleranceBasis.ABSOLUTE: 'Absolute'>, None)
    """
    return _parse_word(value, _BASIS_WORDS, "tolerance basis", "Relative, Absolute", None)


_OVERRIDE_WORDS = {
    "blue": Status.BLUE, "green": Status.GREEN, "amber": Status.AMBER, "red": Status.RED,
    "b": Status.BLUE, "g": Status.GREEN, "a": Status.AMBER, "r": Status.RED,
}


def parse_rag_override(value: object) -> Status | None:
    """An officer's RAG: ``Blue``, ``Green``, ``Amber`` or ``Red`` (or ``B``/``G``/``A``/``R``);
    blank is ``None`` (no override).

    >>> parse_rag_override("amber"), parse_rag_override(" "), parse_rag_override("R")
    (<Status.AMBER: 'Amber'>, None, <Status.RED: 'Red'>)
    >>> parse_rag_override("Purple")
    Traceback (most recent call last):
    ...
    kpi_core.errors.ValueParseError: RAG override 'Purple' is not one of Blue, Green, Amber, Red
    """
    return _parse_word(value, _OVERRIDE_WORDS, "RAG override", "Blue, Green, Amber, Red", None)


_DATA_STATUS_WORDS = {
    "available": DataStatus.AVAILABLE, "unavailable": DataStatus.UNAVAILABLE,
    "data unavailable": DataStatus.UNAVAILABLE, "not available": DataStatus.UNAVAILABLE,
    "not due": DataStatus.NOT_DUE, "not yet due": DataStatus.NOT_DUE,
}


def parse_data_status(value: object) -> DataStatus:
    """``Available`` (also blank), ``Unavailable`` or ``Not due``.

    >>> parse_data_status("not due"), parse_data_status("")
    (<DataStatus.NOT_DUE: 'Not due'>, <DataStatus.AVAILABLE: 'Available'>)
    """
    return _parse_word(value, _DATA_STATUS_WORDS, "data status",
                       "Available, Unavailable, Not due", DataStatus.AVAILABLE)


_FREQUENCY_WORDS = {
    "weekly": Frequency.WEEKLY, "monthly": Frequency.MONTHLY, "termly": Frequency.TERMLY,
    "quarterly": Frequency.QUARTERLY, "half-yearly": Frequency.HALF_YEARLY,
    "half yearly": Frequency.HALF_YEARLY, "six-monthly": Frequency.HALF_YEARLY,
    "annual": Frequency.ANNUAL, "annually": Frequency.ANNUAL, "yearly": Frequency.ANNUAL,
}


def parse_frequency(value: object) -> Frequency | None:
    """``Monthly``, ``Quarterly``, ``Annual`` (and Weekly, Termly, Half-yearly); blank is ``None``.

    >>> parse_frequency("Annually"), parse_frequency(None)
    (<Frequency.ANNUAL: 'Annual'>, None)
    """
    return _parse_word(value, _FREQUENCY_WORDS, "frequency",
                       "Monthly, Quarterly, Annual (or Weekly, Termly, Half-yearly)", None)


_UNIT_WORDS = {
    "%": Unit.PERCENT, "percent": Unit.PERCENT, "percentage": Unit.PERCENT, "per cent": Unit.PERCENT,
    "number": Unit.NUMBER, "no.": Unit.NUMBER, "no": Unit.NUMBER, "count": Unit.NUMBER, "#": Unit.NUMBER,
    "days": Unit.DAYS, "day": Unit.DAYS,
    "\u00a3": Unit.MONEY, "gbp": Unit.MONEY, "money": Unit.MONEY, "pounds": Unit.MONEY,
    "rate": Unit.RATE,
}


def parse_unit(value: object) -> Unit | None:
    """``%``, ``number``, ``days``, ``£``, ``rate``; blank is ``None`` (the reader infers it).

    >>> parse_unit("Percent"), parse_unit("£")
    (<Unit.PERCENT: '%'>, <Unit.MONEY: '£'>)
    """
    return _parse_word(value, _UNIT_WORDS, "unit", "%, number, days, \u00a3, rate", None)


_YES = frozenset({"yes", "y", "true", "1", "x", "\u2713"})
_NO = frozenset({"no", "n", "false", "0"})


def parse_flag(value: object) -> bool:
    """``Yes`` (also ``Y``, ``x``, ``TRUE``) is True; blank and ``No`` are False.

    >>> parse_flag("Yes"), parse_flag(None), parse_flag(True), parse_flag("no")
    (True, False, True, False)
    """
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if value in (0, 1):
            return bool(value)
    else:
        word = _squeeze(_str(value))
        if word in _YES:
            return True
        if word in _NO:
            return False
    raise ValueParseError(f"{_describe(value)} is not Yes or No", value)
