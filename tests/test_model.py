"""A measure's copy with changes (the reader's, with what the other tables add; the
assessment's, with the comparator groups' averages) is ``dataclasses.replace``'s, field
for field (it passes the fields by position)."""

from __future__ import annotations

import dataclasses

from kpi_core.model import (
    Benchmark, Frequency, Measure, Observation, Period, Polarity, Status, Unit,
)


def test_a_measure_with_changes_is_replace_of_it():
    fields = dataclasses.fields(Measure)
    assert all(f.init and not f.kw_only for f in fields)  # each field is passed by position
    m = Measure("A", "P", "m", cabinet_member="C", outcome="O", polarity=Polarity.LOWER,
                unit=Unit.PERCENT, frequency=Frequency.QUARTERLY, target=0.9, current=0.8,
                previous=0.7, tolerance=0.05, notes="n", highlight=True, row=7,
                rag_override=Status.GREEN, override_reason="why", owner="me")
    history = (Observation(Period.quarter(2016, 1), 0.75),)
    bench = (Benchmark("A", "National Average", "2015", 0.8),)
    for changes in ({"history": history}, {"benchmarks": bench, "history": history},
                    {"comparators": ()}, {}):
        copy = m.with_changes(changes)
        assert copy == dataclasses.replace(m, **changes)
        assert [getattr(copy, f.name) for f in fields] == \
            [getattr(dataclasses.replace(m, **changes), f.name) for f in fields]
