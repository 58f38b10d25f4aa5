"""One measure assessed whole: the rules, then its comparators and trends.

:func:`assess_measure` combines :mod:`.rules` (status, reason, gaps, direction),
:mod:`.comparators` (ranks, quartile band, the groups' averages as benchmarks) and
:mod:`.trends` (long direction, previous status, RAG movement, trend). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Assessment, Measure, Problem, Settings
from .comparators import assess_comparators
from .rules import apply_override, assess_status, compute_benchmark_gaps, compute_target_gap
from .trends import compute_trends


def assess_measure(measure: Measure, settings: Settings | None = None,
                   problems: tuple[Problem, ...] = ()) -> Assessment:
    """Status (rules 1-6), reason, gaps and direction of one measure; with History (or a
    Previous) also its long direction, previous status, RAG movement and trend
    (:mod:`.trends`); with Comparators rows, its ranks, quartile band and the groups'
    averages as benchmarks (:mod:`.comparators`). ``problems``: the errors found on its
    row, which the assessment carries (shown as Check data, never counted).

    >>> from kpi_core.model import Polarity, Status
    >>> a = assess_measure(Measure("C1", "P", "m", current=0.36, target=0.25,
    ...                            polarity=Polarity.LOWER, rag_override=Status.AMBER,
    ...                            override_reason="recovery plan agreed"))
    >>> a.status.value, a.computed_status.value, a.override_reason
    ('Amber', 'Red', 'recovery plan agreed')
    """
    status, reason = assess_status(measure, settings=settings)
    status, reason, computed = apply_override(status, reason, measure.rag_override,
                                              measure.override_reason)
    comparison = None
    if measure.comparators:
        comparison = assess_comparators(measure)
        if comparison.benchmarks:
            measure = measure.with_changes(
                {"benchmarks": measure.benchmarks + comparison.benchmarks})
        if comparison.note:
            reason = f"{reason}; {comparison.note}"
    return Assessment(  # built once, every field known
        measure=measure, status=status, reason=reason, computed_status=computed,
        override_reason=measure.override_reason if computed is not None else None,
        target_gap=compute_target_gap(measure) if status.is_rag else None,
        benchmark_gaps=compute_benchmark_gaps(measure),
        ranks=comparison.ranks if comparison is not None else (),
        quartile=comparison.quartile if comparison is not None else None,
        problems=problems,
        **compute_trends(measure, status, settings=settings))


def assess_measures(measures: Iterable[Measure], settings: Settings | None = None
                    ) -> tuple[Assessment, ...]:
    return tuple(assess_measure(m, settings) for m in measures)
