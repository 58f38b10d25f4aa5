"""The slips officers make when they type a quarter's figures (SPEC section 3), as
words for the problem at the cell; the readers put them where they found the value.

The percent-scale mistake: percent cells hold fractions, so ``71`` typed for 71% on a
``%`` measure reads as 7,100% (an error). ``0.88%`` typed for 88% reads as 0.0088: not
impossible on its own, but 97 times short of an 85% target (a warning).
"""

from __future__ import annotations

#: Above this, a plain number on a % measure is the percent-scale mistake (200%).
PERCENT_SCALE_LIMIT = 2.0
#: Current and Target this many times apart on a % measure: probably a slip.
FACTOR_APART = 50.0


def _g(value: float) -> str:
    return f"{value:,.6g}" if abs(value) >= 1000 else f"{value:.6g}"


def percent_scale(value: float | None, is_percent_text: bool = False) -> str | None:
    """The message for a plain number above 200% on a % measure, else ``None``.

    >>> percent_scale(71)
    '71 on a % measure reads as 7,100%; type 71% or 0.71'
    >>> percent_scale(0.71), percent_scale(2.0), percent_scale(250, is_percent_text=True)
    (None, None, None)
    """
    if value is None or is_percent_text or abs(value) <= PERCENT_SCALE_LIMIT:
        return None
    shown = f"{value * 100:,.6g}" if abs(value * 100) < 1e6 else f"{value * 100:,.0f}"
    return (f"{_g(value)} on a % measure reads as {shown}%; type {_g(value)}% or "
            f"{_g(value / 100)}")


def factor_apart(current: float | None, target: float | None) -> str | None:
    """The message when a % measure's Current and Target are 50 times apart or more.

    >>> factor_apart(0.0088, 0.85)
    'current 0.88% is 97 times below the target 85%: was 88% meant? Percent cells hold fractions (88% is 0.88)'
    >>> factor_apart(0.5, 0.85) is None, factor_apart(0, 0.85) is None
    (True, True)
    """
    if current is None or target is None or current == 0 or target == 0:
        return None
    ratio = abs(target / current)
    if max(ratio, 1 / ratio) < FACTOR_APART * (1 - 1e-9):  # 50 itself counts
        return None
    meant = current * 100 if ratio > 1 else current / 100
    way = "below" if ratio > 1 else "above"
    return (f"current {_g(current * 100)}% is {max(ratio, 1 / ratio):.0f} times {way} the "
            f"target {_g(target * 100)}%: was {_g(meant * 100)}% meant? Percent cells hold "
            f"fractions ({_g(meant * 100)}% is {_g(meant)})")
