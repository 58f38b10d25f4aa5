"""Comparators (SPEC section 5, DfE LAIT conventions): ranks, quartile bands, group
averages as benchmarks. Vectors worked by hand, numpy's percentile as the oracle for
the quartiles, and property tests for the invariants."""

from __future__ import annotations

import math

import numpy
import pytest
from hypothesis import assume, given, settings, strategies as st

from kpi_core.assessing.comparators import (
    Ranking, assess_comparators, band_of, compute_quartile_band, compute_quartiles,
    compute_rank, describe_comparison, ordinal,
)
from kpi_core.assessing.measure import assess_measure
from kpi_core.model import (
    GROUP_ENGLAND, GROUP_STATISTICAL_NEIGHBOURS, Benchmark, ComparatorValue, Measure, Polarity,
    Rank, Unit,
)
from kpi_core.publishing.measure_rows import benchmarking_text

HI, LO = Polarity.HIGHER, Polarity.LOWER
SN, ENG = GROUP_STATISTICAL_NEIGHBOURS, GROUP_ENGLAND


# --- quartiles, worked by hand (R type 7: position (n - 1) p of the sorted values) ---------

@pytest.mark.parametrize(("values", "expected"), [
    # odd count, positions 1, 2, 3 fall on values
    ([50, 10, 40, 20, 30], (20, 30, 40)),
    # even count: positions 0.75, 1.5, 2.25
    ([1, 2, 3, 4], (1.75, 2.5, 3.25)),
    # six values with a tie: sorted 1 1 3 4 5 9, positions 1.25, 2.5, 3.75
    ([3, 1, 4, 1, 5, 9], (1.5, 3.5, 4.75)),
    # eight: sorted 2 4 4 5 7 9 10 12, positions 1.75, 3.5, 5.25
    ([2, 4, 4, 5, 7, 9, 10, 12], (4, 6, 9.25)),
    # all equal
    ([5, 5, 5, 5], (5, 5, 5)),
    # missing values are left out: the same as the four
    ([1, None, 2, 3, float("nan"), 4], (1.75, 2.5, 3.25)),
    # seven, negative and positive: sorted -3 -1 0 2 2 8 10, positions 1.5, 3, 4.5
    ([2, -1, 8, 0, -3, 10, 2], (-0.5, 2, 5)),
])
def test_quartiles_by_hand(values, expected):
    assert compute_quartiles(values) == pytest.approx(expected)


def test_quartiles_of_nothing_refused():
    with pytest.raises(ValueError):
        compute_quartiles([None])


# --- bands, worked by hand: [min,Q1] (Q1,Q2] (Q2,Q3] (Q3,max], A best ----------------------

FIVE = [10, 20, 30, 40, 50]  # Q1 20, Q2 30, Q3 40


@pytest.mark.parametrize(("value", "higher", "lower"), [
    (10, "D", "A"),   # the minimum
    (20, "D", "A"),   # on Q1: the interval [min, Q1]
    (25, "C", "B"),
    (30, "C", "B"),   # on Q2: (Q1, Q2]
    (35, "B", "C"),
    (40, "B", "C"),   # on Q3: (Q2, Q3]
    (45, "A", "D"),
    (50, "A", "D"),   # the maximum
    (5, "D", "A"),    # beyond the group's range (the functions allow it)
    (99, "A", "D"),
])
def test_bands_by_hand_odd_count(value, higher, lower):
    assert compute_quartile_band(value, FIVE, HI) == higher
    assert compute_quartile_band(value, FIVE, LO) == lower


@pytest.mark.parametrize(("value", "band"), [
    (1, "D"), (1.75, "D"), (1.76, "C"), (2, "C"), (2.5, "C"), (2.51, "B"), (3, "B"),
    (3.25, "B"), (3.26, "A"), (4, "A"),
])
def test_bands_by_hand_even_count(value, band):
    assert compute_quartile_band(value, [4, 3, 2, 1], HI) == band


def test_a_value_on_a_quartile_computed_in_floating_point_is_on_it():
    values = [0.1, 0.2, 0.3, 0.4]
    q1 = compute_quartiles(values)[0]
    assert q1 == pytest.approx(0.175)
    assert compute_quartile_band(0.175, values, HI) == "D"   # on Q1, whatever the rounding
    assert compute_quartile_band(0.175, values, LO) == "A"
    assert compute_quartile_band(0.17501, values, HI) == "C"


def test_ties_all_equal_sit_in_the_first_interval():
    assert compute_quartile_band(5, [5, 5, 5, 5], HI) == "D"
    assert compute_quartile_band(5, [5, 5, 5, 5], LO) == "A"


@pytest.mark.parametrize("values", [[], [1], [1, 2], [1, 2, 3], [1, None, 2, None, 3]])
def test_fewer_than_four_values_give_no_band(values):
    assert compute_quartile_band(2, values, HI) is None


def test_band_of_given_quartiles():
    assert band_of(2.5, (1.75, 2.5, 3.25)) == "C"
    assert band_of(2.5, (1.75, 2.5, 3.25), LO) == "B"


# --- ranks, worked by hand: 1 best, ties min, we count ---------------------------------------

@pytest.mark.parametrize(("value", "values", "polarity", "rank"), [
    (0.36, [0.23, 0.36, 0.24, 0.40], HI, 2),
    (0.36, [0.23, 0.36, 0.24, 0.40], LO, 3),
    (5, [7, 7, 5, 5, 1], HI, 3),      # two 7s better; the 5s share 3rd
    (5, [7, 7, 5, 5, 1], LO, 2),      # only 1 is better
    (7, [7, 7, 5, 5, 1], HI, 1),
    (7, [7, 7, 5, 5, 1], LO, 4),
    (1, [7, 7, 5, 5, 1], HI, 5),
    (5, [7, None, 5, None], HI, 2),   # missing values are not authorities with data
    (9, [], HI, 1),                   # alone
    (6, [7, 5], HI, 2),               # ours not among the values: the same rank as if it were
    (0.30000000000000004, [0.1 + 0.2, 0.3, 0.5], HI, 2),  # equal up to rounding: a tie
])
def test_ranks_by_hand(value, values, polarity, rank):
    assert compute_rank(value, values, polarity) == rank
    assert Ranking(values).rank(value, polarity) == rank


@pytest.mark.parametrize(("n", "word"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                         (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
                                         (102, "102nd"), (112, "112th")])
def test_ordinals(n, word):
    assert ordinal(n) == word


# --- numpy as the oracle ------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
figures = st.one_of(finite, st.integers(-1000, 1000).map(float),
                    st.sampled_from([0.1, 0.2, 0.3, 0.25, 0.5, 1 / 3]))


@settings(max_examples=400, deadline=None)
@given(st.lists(figures, min_size=1, max_size=200))
def test_quartiles_equal_numpy_percentile_default(values):
    expected = numpy.percentile(numpy.array(values, dtype=float), [25, 50, 75])
    assert compute_quartiles(values) == tuple(float(q) for q in expected)


def test_quartiles_equal_numpy_on_a_national_spread():
    values = [round(0.05 + (i * 37 % 151) / 200, 3) for i in range(151)]
    expected = numpy.percentile(values, [25, 50, 75])  # numpy's default method is linear
    assert compute_quartiles(values) == tuple(float(q) for q in expected)


# --- properties: a better value never ranks or bands worse ---------------------------------

MERIT = {"A": 4, "B": 3, "C": 2, "D": 1, None: 0}


@settings(max_examples=400, deadline=None)
@given(others=st.lists(st.one_of(st.none(), figures), min_size=0, max_size=40),
       ours=figures, step=st.floats(min_value=0, max_value=1e6, allow_nan=False),
       polarity=st.sampled_from([HI, LO]))
def test_improving_our_value_never_worsens_rank_or_band(others, ours, step, polarity):
    better = ours + step if polarity is HI else ours - step
    assume(math.isfinite(better))
    rank_now = compute_rank(ours, others, polarity)
    rank_better = compute_rank(better, others, polarity)
    assert rank_better <= rank_now
    # we count in the group: the quartiles move with our value
    band_now = compute_quartile_band(ours, [*others, ours], polarity)
    band_better = compute_quartile_band(better, [*others, better], polarity)
    assert MERIT[band_better] >= MERIT[band_now]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(st.none(), figures), max_size=60), value=figures,
       polarity=st.sampled_from([HI, LO]))
def test_the_sorted_ranking_gives_the_definition(values, value, polarity):
    assert Ranking(values).rank(value, polarity) == compute_rank(value, values, polarity)
    assert 1 <= compute_rank(value, values, polarity) <= len([v for v in values
                                                               if v is not None]) + 1


@settings(max_examples=200, deadline=None)
@given(others=st.lists(st.floats(0, 1), min_size=3, max_size=30),
       current=st.floats(0, 1), step=st.floats(0, 1), polarity=st.sampled_from([HI, LO]))
def test_a_better_current_never_ranks_worse_through_assess_measure(others, current, step,
                                                                   polarity):
    better = current + step if polarity is HI else current - step
    rows = tuple(_rows(SN, "2015", others) + _rows(ENG, "2015", others))

    def rank_and_band(c):
        a = assess_measure(Measure("M", "P", "m", polarity=polarity, current=c, comparators=rows))
        return [r.rank for r in a.ranks], MERIT[a.quartile]

    (r_now, b_now), (r_better, b_better) = rank_and_band(current), rank_and_band(better)
    assert all(x <= y for x, y in zip(r_better, r_now))
    assert b_better >= b_now


# --- a measure's Comparators rows ------------------------------------------------------------

def _rows(group, year, values, start=0, year_key=None, **kw):
    key = year_key if year_key is not None else int(year[:4])
    return [ComparatorValue("M", f"LA{start + i}", year, v, group, key, **kw)
            for i, v in enumerate(values)]


def _own(group, year, value):
    return ComparatorValue("M", "Us", year, value, group, int(year[:4]), own=True)


def _measure(rows, current=None, polarity=HI, benchmarks=(), **kw):
    return Measure("M", "P", "m", polarity=polarity, current=current, unit=Unit.PERCENT,
                   comparators=tuple(rows), benchmarks=tuple(benchmarks), **kw)


def test_third_of_eleven_statistical_neighbours_and_national_quartile_b():
    sn = _rows(SN, "2015", [0.9, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    eng = _rows(ENG, "2015", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1], start=20)
    eng.append(ComparatorValue("M", "England", "2015", 0.55, ENG, 2015,
                               aggregate="National Average"))
    # 12 authorities with ours 0.8: sorted .1 .2 .3 .4 .5 .6 .7 .8 .8 .9 1.0 1.1,
    # positions 2.75, 5.5, 8.25: Q1 .375, Q2 .65, Q3 .825 -> 0.8 in (Q2, Q3]: B
    c = assess_comparators(_measure(sn + eng, current=0.8))
    assert c.ranks == (Rank(SN, 3, 11, "2015"), Rank(ENG, 4, 12, "2015"))  # .9, 1.0, 1.1 better
    assert c.quartile == "B"
    assert describe_comparison(c.ranks, c.quartile) == (
        "3rd of 11 statistical neighbours; 4th of 12 authorities in England; national quartile B")
    # the England row is a benchmark, not an authority; the neighbours' mean is one too
    assert [(b.comparator, b.year) for b in c.benchmarks] == [
        ("Statistical Neighbour Average", "2015"), ("National Average", "2015")]
    assert c.benchmarks[0].value == pytest.approx(sum([0.9, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2,
                                                       0.1, 0.05]) / 10)
    assert c.benchmarks[1].value == 0.55


def test_the_scorecard_benchmarking_cell_adds_rank_and_band():
    sn = _rows(SN, "2015", [0.9, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    m = _measure(sn, current=0.8, target=0.75,
                 benchmarks=[Benchmark("M", "National Average", "2015", 0.6)])
    text = benchmarking_text(assess_measure(m))
    assert text.splitlines() == [
        "National Average (2015): 60% (20 pts better)",
        "Statistical Neighbour Average (2015): 46% (34 pts better)",
        "3rd of 11 statistical neighbours"]


def test_free_text_only_measure_still_shows_its_text_and_the_rank():
    sn = _rows(SN, "2015", [0.9, 0.1])
    m = Measure("M", "P", "m", current=0.5, benchmarking_text="See LAIT",
                comparators=tuple(sn))
    a = assess_measure(m)
    assert a.measure.benchmarks[0].comparator == "Statistical Neighbour Average"
    assert benchmarking_text(a).splitlines()[-1] == "2nd of 3 statistical neighbours"


def test_our_own_row_is_used_for_its_year_and_current_where_it_is_missing():
    rows = _rows(SN, "2015", [0.2, 0.4]) + [_own(SN, "2015", 0.1)]
    assert assess_comparators(_measure(rows, current=0.9)).ranks == (Rank(SN, 3, 3, "2015"),)
    rows = _rows(SN, "2015", [0.2, 0.4]) + _rows(SN, "2016", [0.2, 0.4], year_key=2016) \
        + [_own(SN, "2015", 0.1)]
    # 2016 is the latest year and has no row of ours: our Current stands in
    assert assess_comparators(_measure(rows, current=0.3)).ranks == (Rank(SN, 2, 3, "2016"),)
    # without a Current, the latest year with our value
    assert assess_comparators(_measure(rows, current=None)).ranks == (Rank(SN, 3, 3, "2015"),)


def test_our_row_blank_counts_as_missing_and_our_row_in_another_group_is_ours():
    rows = _rows(SN, "2015", [0.2, 0.4]) + [_own(SN, "2015", None)]
    assert assess_comparators(_measure(rows, current=0.3)).ranks == (Rank(SN, 2, 3, "2015"),)
    rows = _rows(SN, "2014/15", [0.2, 0.4]) + _rows(ENG, "2014/15", [0.3, 0.5, 0.6]) \
        + [_own(ENG, "2014/15", 0.45), ]
    rows += _rows(SN, "2015/16", [0.1], year_key=2015)  # a later year, no row of ours, no Current
    ranks = assess_comparators(_measure(rows, current=None)).ranks
    assert ranks == (Rank(SN, 1, 3, "2014/15"), Rank(ENG, 3, 4, "2014/15"))


def test_lower_is_better_ranks_and_bands_the_other_way():
    eng = _rows(ENG, "2015", [10, 20, 30, 40])
    c = assess_comparators(_measure(eng, current=20, polarity=LO))
    # authorities 10 20 20 30 40 (ours counted): Q1 20, Q2 20, Q3 30; 20 is on Q1: band A
    assert c.ranks == (Rank(ENG, 2, 5, "2015"),)
    assert c.quartile == "A"
    c = assess_comparators(_measure(eng, current=20, polarity=HI))
    assert c.ranks == (Rank(ENG, 3, 5, "2015"),) and c.quartile == "D"


def test_fewer_than_four_authorities_rank_but_give_no_band():
    c = assess_comparators(_measure(_rows(ENG, "2015", [0.2, 0.4]), current=0.3))
    assert c.ranks == (Rank(ENG, 2, 3, "2015"),)
    assert c.quartile is None


def test_authorities_without_data_and_aggregates_are_not_counted():
    rows = _rows(ENG, "2015", [0.2, None, 0.4, None, 0.6, 0.8])
    rows += [ComparatorValue("M", "England", "2015", 0.1, ENG, 2015, aggregate="National Average"),
             ComparatorValue("M", "South East", "2015", 0.9, ENG, 2015,
                             aggregate="South East Average")]
    c = assess_comparators(_measure(rows, current=0.5))
    assert c.ranks == (Rank(ENG, 3, 5, "2015"),)
    # authorities .2 .4 .5 .6 .8: Q1 .4, Q2 .5, Q3 .6: 0.5 on Q2 -> (Q1, Q2]: C
    assert c.quartile == "C"
    assert [(b.comparator, b.value) for b in c.benchmarks] == [
        ("National Average", 0.1), ("South East Average", 0.9)]


def test_a_benchmark_already_given_is_not_replaced():
    rows = _rows(SN, "2015", [0.2, 0.4]) + [
        ComparatorValue("M", "England", "2015", 0.1, ENG, 2015, aggregate="National Average")]
    rows += _rows(ENG, "2015", [0.3])
    given_ = [Benchmark("M", "National Average", "2015", 0.24),
              Benchmark("M", "Statistical neighbour average", "2015", 0.23)]
    c = assess_comparators(_measure(rows, current=0.3, benchmarks=given_))
    assert c.benchmarks == ()
    a = assess_measure(_measure(rows, current=0.3, benchmarks=given_))
    assert a.measure.benchmarks == tuple(given_)


def test_a_group_with_no_other_authority_with_data_gives_nothing():
    rows = _rows(SN, "2015", [None, None]) + [_own(SN, "2015", 0.3)]
    assert assess_comparators(_measure(rows, current=0.3)) == assess_comparators(_measure(()))


def test_within_range_gets_no_rank_or_band_and_says_so():
    eng = _rows(ENG, "2015", [10, 20, 30, 40, 50])
    m = _measure(eng, current=25, polarity=Polarity.RANGE, target=20, target_upper=30)
    a = assess_measure(m)
    assert a.ranks == () and a.quartile is None
    assert a.reason.endswith("; no rank or quartile band: Within range measures are not ranked")
    assert a.status.value == "Green"


def test_a_measure_without_comparators_is_assessed_as_before():
    m = Measure("M", "P", "m", current=0.5, target=0.4)
    a = assess_measure(m)
    assert a.ranks == () and a.quartile is None and a.measure is m


def test_a_council_group_of_its_own_is_ranked_under_its_name():
    rows = _rows("Shire counties", "2015", [0.1, 0.9, 0.2])
    c = assess_comparators(_measure(rows, current=0.5))
    assert c.ranks == (Rank("Shire counties", 2, 4, "2015"),)
    assert c.benchmarks[0].comparator == "Shire counties Average"
    assert describe_comparison(c.ranks, None) == "2nd of 4 Shire counties"
