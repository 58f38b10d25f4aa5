"""Measures for the scorecard and rendering tests, built directly with ``Measure(...)``.

``reference_measures()`` is the Children's Services portfolio of the reference
scorecard (Q2 2016/17); ``mixed_measures()`` adds a portfolio with every unit, a
range target, markers, data problems and awkward text.
"""

from __future__ import annotations

from dataclasses import replace

from kpi_core.model import (
    Assessment, Benchmark, DataStatus, Frequency, Measure, Polarity, Problem, Settings, Unit,
)
from kpi_core.assessing.measure import assess_measures

CS = "Children's Services"
MEMBER = "Cllr. Lin Hazell"
SAFE = "Vulnerable children are safe and protected from harm"
SETTINGS = Settings(authority="Buckinghamshire County Council", period="Q2 2016/17")


def _cs(ref: str, name: str, target: float | None, current: float | None, **kw) -> Measure:
    return Measure(ref=ref, portfolio=CS, name=name, cabinet_member=MEMBER, outcome=SAFE,
                   unit=Unit.PERCENT, frequency=Frequency.MONTHLY, target=target,
                   current=current, **kw)


def reference_measures() -> list[Measure]:
    return [
        _cs("CS01", "% of Child Protection Plans reviewed in timescales", 0.95, 0.97,
            highlight=True, previous=0.93,
            notes="Reviews for Children Looked After are also improving and now above target."),
        _cs("CS02", "% Children Looked After seen in the last 6 weeks", 1.0, 0.98,
            highlight=True, notes="This continues to be an area of focus."),
        _cs("CS07", "% repeat referrals", 0.25, 0.36, polarity=Polarity.LOWER, previous=0.33,
            benchmarks=(Benchmark("CS07", "Statistical Neighbour Average", "2015", 0.23),
                        Benchmark("CS07", "National Average", "2015", 0.24)),
            notes="In August we audited 194 repeat referrals. Of these, 28% were due to "
                  "partners re-referring whilst waiting for EH panel or data input errors."),
        _cs("CS08", "% of social work staff supervisions completed", 0.89, 0.57),
        _cs("CS09", "% children seen during assessment", 1.0, 0.95),
        _cs("CS10", "% of children in need (not including CP, CLA) seen in the last 4 weeks",
            1.0, 0.73),
        _cs("CS11", "% of children subject to a Child Protection Plan seen in the last 2 weeks",
            0.98, 0.83),
        _cs("CS12", "% of children in need reviewed in last 3 months (not including Child "
                    "Protection, Children Looked After)", 0.85, 0.55),
        _cs("CS13", "% of contacts received actioned within 24 hours (1 working day)", 0.90, 0.62,
            notes=" ".join(["Staff resources (30% lower than expected) impacting on KPI but "
                            "mitigated with additional support from across the BU."] * 8)),
        _cs("CS14", "% referrals completed within 3 working days", 1.0, 0.85),
        _cs("CS15", "% assessments completed in 45 working days", 1.0, 0.93,
            benchmarking_text="2014/15 England 82% S East 81 % Bucks 83%"),
        _cs("CS16", "% ICPC held within 15 working days of the strategy discussion", 1.0, 0.80),
        _cs("CS17", "% of CLA placed in county", 0.55, 0.49,
            benchmarks=(Benchmark("CS17", "South East Average", "2015", 0.65),
                        Benchmark("CS17", "National Average", "2015", 0.61))),
        _cs("CS18", "% of CLA are placed no more than 20 miles away from home", None, 0.41,
            benchmarks=(Benchmark("CS18", "South East Average", "2015", 0.69),)),
    ]


RES = "Resources: Finance/IT"


def mixed_measures() -> list[Measure]:
    def res(ref: str, name: str, **kw) -> Measure:
        return Measure(ref=ref, portfolio=RES, name=name, **kw)

    return [
        res("R1", "Council tax collected", unit=Unit.MONEY, target=1250000.0, current=1312345.0),
        res("R2", "Average days to pay invoices", unit=Unit.DAYS, polarity=Polarity.LOWER,
            target=10.0, current=12.5, previous=11.0),
        res("R3", "Sickness absence rate", unit=Unit.RATE, polarity=Polarity.LOWER,
            target=8.0, current=7.25),
        res("R4", "Staff turnover within range", unit=Unit.PERCENT, polarity=Polarity.RANGE,
            target=0.08, target_upper=0.12, current=0.10),
        res("R5", "Complaints answered", unit=Unit.NUMBER, target=None, current=42.0),
        res("R6", "Annual residents survey satisfaction", unit=Unit.PERCENT,
            frequency=Frequency.ANNUAL, target=0.7, current=None, current_marker="TBC"),
        res("R7", "Calls answered in 20 seconds", unit=Unit.PERCENT, target=0.8, current=None,
            data_status=DataStatus.UNAVAILABLE),
        res("R8", "=SUM(A1:A2) formula-looking name", unit=Unit.NUMBER, target=5.0,
            current=5.0, notes="+44 1234 567890 and @mention; -not a formula"),
    ]


def with_problem(assessment: Assessment, message: str = "current position 'abc' is not a number"
                 ) -> Assessment:
    return replace(assessment, problems=(Problem("Measures", "J12", message, "abc"),))


def reference_assessments() -> tuple[Assessment, ...]:
    return assess_measures(reference_measures(), SETTINGS)


def mixed_assessments() -> tuple[Assessment, ...]:
    """Both portfolios; the last Resources measure carries a data problem."""
    items = list(assess_measures(reference_measures() + mixed_measures(), SETTINGS))
    items.append(with_problem(assess_measures(
        [Measure("R9", RES, "Budget variance", unit=Unit.MONEY, target=0.0)], SETTINGS)[0]))
    return tuple(items)
