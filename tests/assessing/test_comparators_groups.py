"""select_group_years, worked by column, gives what its definition gives worked row by row."""

from __future__ import annotations

import random

import pytest

from kpi_core.assessing.comparators import GroupYear, select_group_years
from kpi_core.model import ComparatorValue, Measure
from kpi_core.reading.comparator_rows import ComparatorRows

AUTHORITIES = [("Kent", False, None), ("Surrey", False, None), ("Slough", False, None),
               ("Reading", False, None), ("Hampshire", False, None), ("Us", True, None),
               ("England", False, "National Average"), ("South East", False, "South East Average")]
GROUPS = ["England", "Statistical neighbours", "Shire counties"]
YEARS = [("2013/14", 2013), ("2014/15", 2014), ("2015/16", 2015)]
VALUES = [0.1, 0.2, 0.3, 0.3, 0.5, None, None]


def _by_definition(rows: list[ComparatorValue], current: float | None) -> list[GroupYear]:
    """Each group's latest year with our value (our row in the group and year, else in
    the year in any group, else our Current for the group's latest year); the other
    authorities with data, sorted; the aggregate rows with data."""
    own_by_year: dict[str, float] = {}
    for r in rows:
        if r.own and r.value is not None:
            own_by_year.setdefault(r.year, r.value)
    out = []
    for group in dict.fromkeys(r.group for r in rows):
        in_group = [r for r in rows if r.group == group]
        keys = {r.year: r.year_key for r in in_group}
        for k, year in enumerate(sorted(keys, key=lambda y: (keys[y], y), reverse=True)):
            here = [r for r in in_group if r.year == year]
            ours = next((r.value for r in here if r.own and r.value is not None), None)
            ours = own_by_year.get(year) if ours is None else ours
            ours = current if ours is None and k == 0 else ours
            if ours is None:
                continue
            others = sorted(r.value for r in here
                            if not r.own and r.aggregate is None and r.value is not None)
            found = tuple(r for r in here if r.aggregate is not None and r.value is not None
                          and not r.own)
            if others:
                out.append(GroupYear(group, year, ours, tuple(others), found))
            break
    return out


def _rows(seed: int, together: bool) -> list[ComparatorValue]:
    rng = random.Random(seed)
    rows = []
    for group in rng.sample(GROUPS, rng.randrange(1, 4)):
        for year, key in rng.sample(YEARS, rng.randrange(1, 4)):
            for authority, own, aggregate in rng.sample(AUTHORITIES, rng.randrange(1, 9)):
                rows.append(ComparatorValue("M", authority, year, rng.choice(VALUES), group, key,
                                            own, aggregate, len(rows) + 2))
    if not together:
        rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("seed", range(200))
@pytest.mark.parametrize("together", [True, False])
def test_the_columns_give_the_definition(seed, together):
    rows = _rows(seed, together)
    current = random.Random(seed).choice([None, 0.25])
    expected = _by_definition(rows, current)
    for comparators in (tuple(rows), ComparatorRows.of(rows)):
        measure = Measure("M", "P", "m", current=current, comparators=comparators)
        got = select_group_years(measure)
        assert got == expected


def test_the_cases_hold_aggregates_ours_and_groups_left_out():
    found = [_by_definition(_rows(seed, True), None) for seed in range(200)]
    assert sum(any(g.aggregates for g in f) for f in found) > 20
    assert sum(not f for f in found) > 5 and sum(len(f) > 1 for f in found) > 20
