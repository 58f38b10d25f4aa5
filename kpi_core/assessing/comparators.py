"""How we compare: rank within comparator groups, the national quartile band, and group
averages as benchmarks (SPEC section 5, the DfE LAIT conventions). Pure functions.

- :func:`compute_rank`: 1 is best by polarity, ties take the lowest rank (``min``).
- :func:`compute_quartiles` / :func:`compute_quartile_band`: quartiles by linear
  interpolation (R type 7, numpy's default percentile), intervals ``[min, Q1]``,
  ``(Q1, Q2]``, ``(Q2, Q3]``, ``(Q3, max]``, band ``A`` the best by polarity. A band
  needs at least four values (:data:`MIN_FOR_QUARTILES`); with fewer there is none.
- :func:`assess_comparators`: a measure's Comparators rows to its ranks (one per
  group, for the latest year with our value: where our own row is missing for the
  group's latest year, our Current stands in), its band over the ``England`` group
  (authorities only: England, regions and averages are benchmarks instead) and the
  benchmarks the groups offer: an aggregate row's value, else the unweighted mean of
  the group's other authorities with data, where the measure has no benchmark of
  that name already. Within range measures get no rank or band.

Comparisons allow a relative error of 1e-9, as the status rules do: two values that
differ by less are a tie, and a value equal to a quartile up to rounding is on it.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import eq

from ..model import (
    GROUP_ENGLAND, GROUP_REGION, GROUP_STATISTICAL_NEIGHBOURS, Benchmark, ComparatorValue, Measure,
    Polarity, Rank,
)
from ..reading.comparator_rows import ComparatorRows

#: A quartile band needs this many authorities with data.
MIN_FOR_QUARTILES = 4
BANDS = "ABCD"
REL_TOL = 1e-9

#: The benchmark name a group's average goes by.
GROUP_AVERAGE_NAMES = {GROUP_STATISTICAL_NEIGHBOURS: "Statistical Neighbour Average",
                       GROUP_ENGLAND: "National Average", GROUP_REGION: "Regional Average"}


def _close(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def _better(a: float, b: float, polarity: Polarity) -> bool:
    """``a`` strictly better than ``b`` (not within rounding of it)."""
    if _close(a, b):
        return False
    return a < b if polarity is Polarity.LOWER else a > b


def _present(values: Iterable[float | None]) -> list[float]:
    return [v for v in values if v is not None and not math.isnan(v)]


def compute_rank(value: float, values: Iterable[float | None],
                 polarity: Polarity = Polarity.HIGHER) -> int:
    """Rank of ``value`` among ``values``: 1 + how many are strictly better (ties ``min``).

    ``values`` is the group, ours among them or not (either gives the same rank);
    missing values (``None``) are left out.

    >>> compute_rank(0.36, [0.23, 0.36, 0.24, 0.40])
    2
    >>> compute_rank(0.36, [0.23, 0.36, 0.24, 0.40], Polarity.LOWER)
    3
    >>> compute_rank(5, [7, 7, 5, 5, None, 1])     # two 7s better; the 5s tie at 3rd
    3
    """
    return 1 + sum(1 for v in _present(values) if _better(v, value, polarity))


def _lerp(a: float, b: float, t: float) -> float:
    """numpy's linear interpolation, term for term, so the quartiles equal its percentile."""
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def compute_quartiles(values: Iterable[float | None]) -> tuple[float, float, float]:
    """``(Q1, Q2, Q3)`` by linear interpolation between order statistics (R type 7,
    numpy's default): the ``p`` quantile sits at position ``(n - 1) * p`` of the
    sorted values.

    >>> compute_quartiles([1, 2, 3, 4])           # positions 0.75, 1.5, 2.25
    (1.75, 2.5, 3.25)
    >>> compute_quartiles([10, 20, 30, 40, 50])   # positions 1, 2, 3: on values
    (20.0, 30.0, 40.0)
    """
    xs = sorted(_present(values))
    if not xs:
        raise ValueError("quartiles of no values")
    return _sorted_quartiles(xs)


def _sorted_quartiles(xs: list[float]) -> tuple[float, float, float]:
    n = len(xs)
    out = []
    for p in (0.25, 0.5, 0.75):
        h = (n - 1) * p
        lo = math.floor(h)
        hi = min(lo + 1, n - 1)
        out.append(float(_lerp(xs[lo], xs[hi], h - lo)))
    return out[0], out[1], out[2]


def compute_quartile_band(value: float, values: Iterable[float | None],
                          polarity: Polarity = Polarity.HIGHER) -> str | None:
    """The quartile band ``A`` (best) to ``D`` of ``value`` among ``values`` (ours among
    them, as LAIT bands every authority); ``None`` with fewer than four values.

    Intervals ``[min, Q1]``, ``(Q1, Q2]``, ``(Q2, Q3]``, ``(Q3, max]`` whatever the
    polarity; higher-is-better names them D, C, B, A, lower-is-better A, B, C, D.

    >>> vals = [10, 20, 30, 40, 50]                       # Q1 20, Q2 30, Q3 40
    >>> [compute_quartile_band(v, vals) for v in vals]    # 20 is on Q1: the lowest band
    ['D', 'D', 'C', 'B', 'A']
    >>> [compute_quartile_band(v, vals, Polarity.LOWER) for v in vals]
    ['A', 'A', 'B', 'C', 'D']
    >>> compute_quartile_band(1, [1, 2, 3]) is None
    True
    """
    present = _present(values)
    if len(present) < MIN_FOR_QUARTILES:
        return None
    return band_of(value, compute_quartiles(present), polarity)


def band_of(value: float, quartiles: tuple[float, float, float],
            polarity: Polarity = Polarity.HIGHER) -> str:
    """The band of ``value`` given the quartiles ``(Q1, Q2, Q3)`` (a value on a quartile
    belongs to the interval below it).

    >>> band_of(2.5, (1.75, 2.5, 3.25)), band_of(2.5, (1.75, 2.5, 3.25), Polarity.LOWER)
    ('C', 'B')
    """
    position = 3
    for i, q in enumerate(quartiles):
        if value <= q or _close(value, q):
            position = i
            break
    return BANDS[3 - position] if polarity is not Polarity.LOWER else BANDS[position]


class Ranking:
    """A group's values sorted once, to rank many values against them (a column of
    ``KPI_RANK``): the same answers as :func:`compute_rank`, in ``log n`` each.

    >>> r = Ranking([7, 7, 5, 5, None, 1])
    >>> r.rank(5), r.rank(5, Polarity.LOWER), r.rank(8), r.rank(0, Polarity.LOWER), len(r)
    (3, 2, 1, 1, 5)
    """

    def __init__(self, values: Iterable[float | None]) -> None:
        self.values = sorted(_present(values))

    @classmethod
    def of_sorted(cls, values: Sequence[float]) -> Ranking:
        """A ranking of values already sorted, none missing."""
        ranking = cls.__new__(cls)
        ranking.values = values
        return ranking

    def __len__(self) -> int:
        return len(self.values)

    def rank(self, value: float, polarity: Polarity = Polarity.HIGHER) -> int:
        xs, n = self.values, len(self.values)
        if polarity is Polarity.LOWER:
            i = bisect_left(xs, value)
            while i > 0 and _close(xs[i - 1], value):
                i -= 1
            return 1 + i
        i = bisect_right(xs, value)
        while i < n and _close(xs[i], value):
            i += 1
        return 1 + n - i


@dataclass(frozen=True, slots=True)
class Comparison:
    """What a measure's Comparators rows say: ranks, band, benchmarks the groups offer,
    and a note for the reason (``None`` when there is nothing to say)."""

    ranks: tuple[Rank, ...] = ()
    quartile: str | None = None
    benchmarks: tuple[Benchmark, ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class GroupYear:
    """One group in the year it is compared in: our value, the other authorities' values
    (sorted), and the aggregate rows with a value."""

    group: str
    year: str
    ours: float
    others: tuple[float, ...]
    aggregates: tuple[ComparatorValue, ...]


def select_group_years(measure: Measure) -> list[GroupYear]:
    """Each group's latest year with our value, in the order the groups first appear.

    Our value is our own row's for that year (in the group, else in any group);
    for the group's latest year, our Current where our own row is missing or blank.
    Groups where we have no value in any year, or no other authority has data, are
    left out.

    Worked by column (:class:`ComparatorRows`): a group's rows and a year's found at C
    speed; only the rows of the year compared in are gone through one by one.
    """
    rows = measure.comparators
    if not isinstance(rows, ComparatorRows):
        rows = ComparatorRows.of(rows)
    groups, years, values, own, aggregates = (rows.groups, rows.years, rows.values, rows.own,
                                              rows.aggregates)
    n = len(values)
    if not n:
        return []
    everyone = range(n)
    one_year = years.count(years[0]) == n  # the usual table: a measure's latest year alone
    order = None if one_year else _year_order(rows)
    # our own rows and the aggregates, found once: few or none of a measure's rows
    own_at = list(compress(everyone, own))
    aggregate_at = _named_at(aggregates)
    own_by_year: dict[str, float] = {}
    for i in own_at:
        if values[i] is not None:
            own_by_year.setdefault(years[i], values[i])
    out = []
    for group, at in _group_rows(groups):
        group_years = years if one_year else _take(years, at)
        if one_year or group_years.count(group_years[0]) == len(group_years):
            latest = group_years[:1]
        else:
            in_group = dict.fromkeys(group_years)
            latest = (sorted(in_group, key=lambda y: (order[y], y), reverse=True)
                      if order is not None else sorted(in_group, reverse=True))
        for k, year in enumerate(latest):
            sel = at if len(latest) == 1 else _where(group_years, year, at)
            vals = _take(values, sel)
            ours_at = _within(own_at, sel)
            ours = next((vals[i] for i in ours_at if vals[i] is not None), None)
            if ours is None:
                ours = own_by_year.get(year)
            if ours is None and k == 0:
                ours = measure.current
            if ours is None:
                continue
            names_at = _within(aggregate_at, sel)
            found: tuple[ComparatorValue, ...] = ()
            if names_at:
                found = tuple(rows[sel[i]] for i in names_at
                              if values[sel[i]] is not None and not own[sel[i]])
            # the authorities: not our own rows, not aggregates, with data
            if ours_at or names_at:
                if type(vals) is not list:
                    vals = list(vals)
                for i in sorted({*ours_at, *names_at}, reverse=True):
                    del vals[i]
            others = [v for v in vals if v is not None]  # one pass: None is compared slowly
            if others:
                others.sort()
                out.append(GroupYear(group, year, ours, tuple(others), found))
            break
    return out


def _group_rows(groups: Sequence[str]) -> list[tuple[str, Sequence[int]]]:
    """Each group, in the order it first appears, with the indexes of its rows: a range
    where each group's rows are one run (the usual table, found by ``count``)."""
    runs: list[tuple[str, Sequence[int]]] = []
    start, n = 0, len(groups)
    while start < n:
        group = groups[start]
        end = start + groups.count(group)
        if groups[start:end].count(group) != end - start:  # not one run
            everyone = range(n)
            return [(g, _where(groups, g, everyone)) for g in dict.fromkeys(groups)]
        runs.append((group, range(start, end)))
        start = end
    return runs


def _within(found: list[int], sel: Sequence[int]) -> list[int]:
    """The rows ``found`` (indexes of the whole column, in order) that ``sel`` holds, as
    indexes into ``sel``: where ``sel`` is a range, without going through its rows."""
    if not found:
        return []
    if isinstance(sel, range) and sel.step == 1:
        start, stop = sel.start, sel.stop
        return [i - start for i in found if start <= i < stop]
    wanted = set(found)
    return [k for k, i in enumerate(sel) if i in wanted]


def _named_at(names: Sequence[str | None]) -> list[int]:
    """Where ``names`` holds a name, not ``None`` (the aggregate rows: few or none)."""
    n, blank = len(names), names.count(None)
    if blank == n:
        return []
    found = list(compress(range(n), names))  # at C speed; "" (falsy) is seen below
    if len(found) + blank != n:
        found = [i for i, name in enumerate(names) if name is not None]
    return found


def _where(column: Sequence, value: object, at: Sequence[int]) -> Sequence[int]:
    """The indexes ``at`` (``column``'s own, in step) where ``column`` holds ``value``: a
    range where they are one run (the usual Comparators table: a group's rows together)."""
    first = column.index(value)
    last = first + column.count(value)
    if column[first:last].count(value) == last - first:
        return at[first:last]
    return list(compress(at, map(eq, column, repeat(value))))


def _take(column: Sequence, at: Sequence[int]) -> list:
    """``column``'s items at the indexes ``at``: a slice where ``at`` is a range."""
    if isinstance(at, range) and at.step == 1:
        return column[at.start:at.stop]
    return list(map(column.__getitem__, at))


def _year_order(rows: ComparatorRows) -> dict[str, int] | None:
    """Each year's sort key: the key of the last row to open a (group, year) pair (a year
    text's rows all have the same key when read from a workbook); ``None`` where every
    row has the same key (the years then go by their text alone)."""
    years, keys = rows.years, rows.year_keys
    if not keys or keys.count(keys[0]) == len(keys):
        return None
    if len(set(zip(years, keys))) == len(set(years)):
        return dict(zip(years, keys))
    order: dict[str, int] = {}
    opened: set[tuple[str, str]] = set()
    for group, year, key in zip(rows.groups, years, keys):
        if (group, year) not in opened:
            opened.add((group, year))
            order[year] = key
    return order


def _average_name(group: str) -> str:
    return GROUP_AVERAGE_NAMES.get(group, f"{group} Average")


def assess_comparators(measure: Measure) -> Comparison:
    """Ranks, the national quartile band and the groups' benchmarks of one measure.

    >>> rows = [ComparatorValue("M", a, "2015", v, "Statistical neighbours", 2015,
    ...                         own=a == "Us") for a, v in
    ...         (("Us", 0.30), ("A", 0.20), ("B", 0.40), ("C", 0.30), ("D", 0.10))]
    >>> c = assess_comparators(Measure("M", "P", "m", polarity=Polarity.LOWER, comparators=tuple(rows)))
    >>> c.ranks, c.quartile
    ((Rank(group='Statistical neighbours', rank=3, of=5, year='2015'),), None)
    >>> [(b.comparator, b.year, b.value) for b in c.benchmarks]
    [('Statistical Neighbour Average', '2015', 0.25)]
    """
    have = {b.comparator.casefold() for b in measure.benchmarks}
    benchmarks: list[Benchmark] = []
    ranks: list[Rank] = []
    quartile = None
    ranked = measure.polarity is not Polarity.RANGE
    for gy in select_group_years(measure):
        offered = [Benchmark(measure.ref, r.aggregate, gy.year, r.value)
                   for r in gy.aggregates]
        if not offered:
            offered = [Benchmark(measure.ref, _average_name(gy.group), gy.year,
                                 math.fsum(gy.others) / len(gy.others))]
        for b in offered:
            if b.comparator.casefold() not in have:
                have.add(b.comparator.casefold())
                benchmarks.append(b)
        if not ranked:
            continue
        ranking = Ranking.of_sorted(gy.others)
        ranks.append(Rank(gy.group, ranking.rank(gy.ours, measure.polarity), len(ranking) + 1,
                          gy.year))
        if gy.group == GROUP_ENGLAND and len(gy.others) + 1 >= MIN_FOR_QUARTILES:
            everyone = list(gy.others)
            insort(everyone, gy.ours)  # we count: the quartiles are of every authority
            quartile = band_of(gy.ours, _sorted_quartiles(everyone), measure.polarity)
    note = None
    if not ranked and measure.comparators:
        note = "no rank or quartile band: Within range measures are not ranked"
    return Comparison(tuple(ranks), quartile, tuple(benchmarks), note)


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``.

    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th']
    """
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def describe_comparison(ranks: Sequence[Rank], quartile: str | None) -> str:
    """The scorecard's words: ``3rd of 11 statistical neighbours; national quartile B``.

    >>> describe_comparison([Rank("Statistical neighbours", 3, 11), Rank("England", 40, 152),
    ...                      Rank("Shire counties", 2, 9)], "B")
    '3rd of 11 statistical neighbours; 40th of 152 authorities in England; 2nd of 9 Shire counties; national quartile B'
    """
    parts = []
    for r in ranks:
        if r.group == GROUP_STATISTICAL_NEIGHBOURS:
            where = "statistical neighbours"
        elif r.group == GROUP_ENGLAND:
            where = "authorities in England"
        elif r.group == GROUP_REGION:
            where = "authorities in the region"
        else:
            where = r.group
        parts.append(f"{ordinal(r.rank)} of {r.of} {where}")
    if quartile:
        parts.append(f"national quartile {quartile}")
    return "; ".join(parts)
