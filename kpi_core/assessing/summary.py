"""The status counts: one counter serving the Summary sheet, the portfolio sheets, the
JSON report and the command line's summary. Pure.

A measure whose row has data errors (``problems``) is counted only as a problem: its
status cannot be trusted, and the scorecard shows it as ``Check data``. ``Blue`` is
counted only where the workbook uses Blue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Assessment, Settings, Status


@dataclass(frozen=True, slots=True)
class Counts:
    """Measures by status; ``problems`` counts rows that show ``Check data``."""

    green: int = 0
    amber: int = 0
    red: int = 0
    unavailable: int = 0
    not_due: int = 0
    no_target: int = 0
    problems: int = 0
    blue: int = 0

    @property
    def with_rag(self) -> int:
        return self.blue + self.green + self.amber + self.red

    @property
    def total(self) -> int:
        return self.with_rag + self.unavailable + self.not_due + self.no_target + self.problems

    def of(self, status: Status) -> int:
        """The count of one status.

        >>> Counts(green=3, not_due=1).of(Status.GREEN), Counts(not_due=1).of(Status.NOT_DUE)
        (3, 1)
        """
        return getattr(self, _FIELDS[status])

    def by_status(self, use_blue: bool = False) -> dict[str, int]:
        """Every status by its word, zeros included, in the order of :class:`Status`;
        ``Blue`` only with ``use_blue``.

        >>> Counts(red=2).by_status()
        {'Green': 0, 'Amber': 0, 'Red': 2, 'Data unavailable': 0, 'Not due': 0, 'No target': 0}
        """
        return {s.value: self.of(s) for s in Status if use_blue or s is not Status.BLUE}

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(_astuple(self), _astuple(other))))


_FIELDS = {Status.GREEN: "green", Status.AMBER: "amber", Status.RED: "red",
           Status.DATA_UNAVAILABLE: "unavailable", Status.NOT_DUE: "not_due",
           Status.NO_TARGET: "no_target", Status.BLUE: "blue"}


def _astuple(counts: Counts) -> tuple[int, ...]:
    return (counts.green, counts.amber, counts.red, counts.unavailable, counts.not_due,
            counts.no_target, counts.problems, counts.blue)


def count_statuses(assessments: Iterable[Assessment]) -> Counts:
    """Measures by status; a measure with data problems counts only as a problem.

    >>> from kpi_core.assessing.measure import assess_measures
    >>> from kpi_core.model import Measure
    >>> count_statuses(assess_measures([Measure("A", "P", "m", current=1.0, target=2.0)])).red
    1
    """
    tally = dict.fromkeys(Status, 0)
    problems = 0
    for a in assessments:
        if a.problems:
            problems += 1
        else:
            tally[a.status] += 1
    return Counts(tally[Status.GREEN], tally[Status.AMBER], tally[Status.RED],
                  tally[Status.DATA_UNAVAILABLE], tally[Status.NOT_DUE],
                  tally[Status.NO_TARGET], problems, tally[Status.BLUE])


def uses_blue(assessments: Iterable[Assessment], settings: Settings | None = None) -> bool:
    """Whether Blue shows: the workbook uses it (Settings ``Use Blue``, or a Stretch
    Target filled), or a measure is Blue all the same (an officer's override).

    >>> from kpi_core.assessing.measure import assess_measures
    >>> from kpi_core.model import Measure
    >>> uses_blue(assess_measures([Measure("A", "P", "m", current=1.0, target=1.0)]))
    False
    """
    return bool(settings and settings.use_blue) or any(a.status is Status.BLUE
                                                       for a in assessments)


def summarise(assessments: Iterable[Assessment], use_blue: bool | None = None
              ) -> dict[str, dict[str, int]]:
    """Counts per portfolio (in first-seen order) of every status, zeros included, as
    the JSON report and the command line give them.

    ``Blue`` is counted only where the workbook uses Blue: ``use_blue`` says so
    (Settings), else a measure that is Blue does. Measures with data errors are left
    out (a portfolio with no other measure is left out too).

    >>> from kpi_core.assessing.measure import assess_measures
    >>> from kpi_core.model import Measure
    >>> a = assess_measures([Measure("A", "P", "m", current=1.0, target=1.0)])
    >>> summarise(a)["P"]["Green"], summarise(a)["P"]["Red"], "Blue" in summarise(a)["P"]
    (1, 0, False)
    """
    assessments = tuple(assessments)
    blue = uses_blue(assessments) if use_blue is None else use_blue or uses_blue(assessments)
    portfolios: dict[str, list[Assessment]] = {}
    for a in assessments:
        if not a.problems:
            portfolios.setdefault(a.measure.portfolio, []).append(a)
    return {portfolio: count_statuses(items).by_status(blue)
            for portfolio, items in portfolios.items()}


def summarise_totals(summary: dict[str, dict[str, int]]) -> dict[str, int]:
    """The per-portfolio counts added up over every portfolio."""
    totals = Counts().by_status(any("Blue" in counts for counts in summary.values()))
    for counts in summary.values():
        for status, n in counts.items():
            totals[status] += n
    return totals
