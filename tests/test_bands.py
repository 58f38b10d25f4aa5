"""Rules 4-6 as councils write them (issue 14): the green band, relative and absolute
tolerances, Blue, the officer's override. Every band on every polarity, on its
boundary and just past it; property tests of the invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings, strategies as st

from kpi_core.assessing.measure import assess_measure
from kpi_core.assessing.rules import apply_override, assess_values, compute_rag
from kpi_core.assessing.summary import summarise, summarise_totals
from kpi_core.model import Measure, Polarity, Settings, Status, ToleranceBasis, Unit

HIGHER, LOWER, RANGE = Polarity.HIGHER, Polarity.LOWER, Polarity.RANGE
REL, ABS = ToleranceBasis.RELATIVE, ToleranceBasis.ABSOLUTE
G, A, R, B = Status.GREEN, Status.AMBER, Status.RED, Status.BLUE
#: "Just past" a bound: far beyond the 1e-9 relative error the comparisons allow.
EPS = 1e-6

# (id, polarity, target, tolerance, green tolerance, basis, amber threshold,
#  green bound, amber bound) -- the bounds worked out by hand from SPEC section 4.
ONE_SIDED = [
    ("higher-relative", HIGHER, 100.0, 0.10, 0.05, REL, None, 95.0, 90.0),
    ("higher-relative-percent", HIGHER, 0.9, 0.10, 0.05, REL, None, 0.855, 0.81),
    ("higher-absolute-points", HIGHER, 0.9, 0.10, 0.05, ABS, None, 0.85, 0.80),
    ("higher-absolute-days", HIGHER, 20.0, 3.0, 1.0, ABS, None, 19.0, 17.0),
    ("higher-negative-relative", HIGHER, -10.0, 0.10, 0.05, REL, None, -10.5, -11.0),
    ("higher-negative-absolute", HIGHER, -10.0, 2.0, 1.0, ABS, None, -11.0, -12.0),
    ("higher-zero-absolute", HIGHER, 0.0, 2.0, 1.0, ABS, None, -1.0, -2.0),
    ("higher-threshold-with-green", HIGHER, 100.0, 0.10, 0.05, REL, 80.0, 95.0, 80.0),
    ("higher-equal-bands", HIGHER, 100.0, 0.05, 0.05, REL, None, 95.0, 95.0),
    ("higher-met-or-not", HIGHER, 100.0, 0.0, 0.0, REL, None, 100.0, 100.0),
    ("higher-no-green-band", HIGHER, 100.0, 0.10, 0.0, REL, None, 100.0, 90.0),
    ("lower-relative", LOWER, 20.0, 0.10, 0.05, REL, None, 21.0, 22.0),
    ("lower-relative-percent", LOWER, 0.25, 0.10, 0.04, REL, None, 0.26, 0.275),
    ("lower-absolute-days", LOWER, 20.0, 3.0, 1.0, ABS, None, 21.0, 23.0),
    ("lower-absolute-points", LOWER, 0.25, 0.05, 0.02, ABS, None, 0.27, 0.30),
    ("lower-negative-relative", LOWER, -10.0, 0.10, 0.05, REL, None, -9.5, -9.0),
    ("lower-negative-absolute", LOWER, -10.0, 2.0, 1.0, ABS, None, -9.0, -8.0),
    ("lower-zero-absolute", LOWER, 0.0, 2.0, 1.0, ABS, None, 1.0, 2.0),
    ("lower-threshold-with-green", LOWER, 20.0, 0.10, 0.05, REL, 30.0, 21.0, 30.0),
    ("lower-equal-bands", LOWER, 20.0, 0.05, 0.05, REL, None, 21.0, 21.0),
    ("lower-met-or-not", LOWER, 20.0, 0.0, 0.0, ABS, None, 20.0, 20.0),
]


def _one_sided_cases():
    for case_id, pol, t, tol, green, basis, threshold, gb, ab in ONE_SIDED:
        worse = -1.0 if pol is HIGHER else 1.0
        step = EPS * max(1.0, abs(gb), abs(ab))
        points = [(t, G, "target"), (gb, G, "on-green-bound"),
                  (gb + worse * step, A if ab != gb else R, "past-green-bound"),
                  (ab, A if ab != gb else G, "on-amber-bound"),
                  (ab + worse * step, R, "past-amber-bound"),
                  (t - worse * 5 * max(1.0, abs(t)), G, "well-better")]
        for current, expected, where in points:
            yield pytest.param(pol, t, tol, green, basis, threshold, current, expected,
                               id=f"{case_id}-{where}")


@pytest.mark.parametrize("pol, target, tol, green, basis, threshold, current, expected",
                         list(_one_sided_cases()))
def test_one_sided_bands_on_and_just_past_each_boundary(pol, target, tol, green, basis,
                                                        threshold, current, expected):
    got = compute_rag(current, target, pol, tol, threshold, green_tolerance=green, basis=basis)
    assert got is expected
    status, reason = assess_values(current, target, pol, tolerance=tol, amber_threshold=threshold,
                                   green_tolerance=green, basis=basis)
    assert status is expected and reason.startswith(f"{expected.value}: ")


# (id, target, upper, tolerance, green, basis, (green low, green high), (amber low, amber high))
RANGES = [
    ("range-relative", 0.4, 0.6, 0.10, 0.05, REL, (0.38, 0.63), (0.36, 0.66)),
    ("range-absolute", 40.0, 60.0, 5.0, 2.0, ABS, (38.0, 62.0), (35.0, 65.0)),
    ("range-negative-relative", -20.0, -10.0, 0.10, 0.05, REL, (-21.0, -9.5), (-22.0, -9.0)),
    ("range-zero-bottom-relative", 0.0, 10.0, 0.10, 0.05, REL, (0.0, 10.5), (0.0, 11.0)),
    ("range-zero-bottom-absolute", 0.0, 10.0, 2.0, 1.0, ABS, (-1.0, 11.0), (-2.0, 12.0)),
    ("range-no-green-band", 0.4, 0.6, 0.10, 0.0, REL, (0.4, 0.6), (0.36, 0.66)),
    ("range-equal-bands", 40.0, 60.0, 2.0, 2.0, ABS, (38.0, 62.0), (38.0, 62.0)),
]


def _range_cases():
    for case_id, t, u, tol, green, basis, (gl, gh), (al, ah) in RANGES:
        step = EPS * max(1.0, abs(al), abs(ah))
        no_amber_low, no_amber_high = al == gl, ah == gh
        points = [((t + u) / 2, G, "middle"), (gl, G, "on-green-low"), (gh, G, "on-green-high"),
                  (gl - step, R if no_amber_low else A, "past-green-low"),
                  (gh + step, R if no_amber_high else A, "past-green-high"),
                  (al, G if no_amber_low else A, "on-amber-low"),
                  (ah, G if no_amber_high else A, "on-amber-high"),
                  (al - step, R, "past-amber-low"), (ah + step, R, "past-amber-high")]
        for current, expected, where in points:
            yield pytest.param(t, u, tol, green, basis, current, expected, id=f"{case_id}-{where}")


@pytest.mark.parametrize("target, upper, tol, green, basis, current, expected",
                         list(_range_cases()))
def test_within_range_bands_on_and_just_past_each_boundary(target, upper, tol, green, basis,
                                                           current, expected):
    got = compute_rag(current, target, RANGE, tol, target_upper=upper, green_tolerance=green,
                      basis=basis)
    assert got is expected


@pytest.mark.parametrize("pol, target", [(HIGHER, 0.0), (LOWER, 0.0)])
def test_a_zero_target_with_relative_tolerances_has_no_band(pol, target):
    worse = -1.0 if pol is HIGHER else 1.0
    kwargs = dict(green_tolerance=0.5, basis=REL)
    assert compute_rag(0.0, target, pol, 0.5, **kwargs) is G
    assert compute_rag(worse * EPS, target, pol, 0.5, **kwargs) is R


def test_relative_error_keeps_floating_point_bounds_on_the_bound():
    # 0.9 - 0.9 * 0.05 is 0.855 give or take a unit in the last place
    assert compute_rag(0.855, 0.9, green_tolerance=0.05) is G
    assert compute_rag(0.81, 0.9, green_tolerance=0.05) is A
    assert compute_rag(0.3, 0.25, LOWER, 0.05, green_tolerance=0.05, basis=ABS) is G


def test_defaults_come_from_the_workbook():
    measure = Measure("M", "P", "m", current=0.96, target=1.0)
    assert assess_measure(measure).status is A                      # no green band by default
    workbook = Settings(default_green_tolerance=0.05)
    assert assess_measure(measure, workbook).status is G
    days = Measure("D", "P", "m", current=22.0, target=20.0, polarity=LOWER, unit=Unit.DAYS,
                   tolerance=3)
    assert assess_measure(days, Settings(tolerance_basis=ABS)).status is A  # 3 days
    # the measure's own basis wins over the workbook's
    rel = Measure("D", "P", "m", current=22.0, target=20.0, polarity=LOWER, tolerance=0.05,
                  tolerance_basis=REL)
    assert assess_measure(rel, Settings(tolerance_basis=ABS)).status is R


# --- Blue (rule 5) -----------------------------------------------------------------------

@pytest.mark.parametrize("pol, target, stretch, current, expected", [
    (HIGHER, 0.9, 0.95, 0.95, B),            # on the stretch: the better status
    (HIGHER, 0.9, 0.95, 0.95 - EPS, G),
    (HIGHER, 0.9, 0.95, 1.0, B),
    (HIGHER, 0.9, 0.9, 0.9, B),              # a stretch at the target
    (HIGHER, 0.9, 0.95, 0.85, A),            # Amber is never Blue
    (LOWER, 20.0, 15.0, 15.0, B),
    (LOWER, 20.0, 15.0, 15.0 + EPS * 15, G),
    (LOWER, 20.0, 15.0, 21.0, A),
    (HIGHER, -10.0, -5.0, -5.0, B),          # negative targets
    (LOWER, 0.0, -2.0, -2.0, B),
    (RANGE, 0.4, 0.5, 0.5, G),               # Within range has no Blue
])
def test_blue_where_a_green_measure_reaches_its_stretch(pol, target, stretch, current, expected):
    upper = 0.6 if pol is RANGE else None
    assert compute_rag(current, target, pol, target_upper=upper, stretch_target=stretch) \
        is expected


def test_blue_only_where_the_workbook_uses_it():
    m = Measure("M", "P", "m", current=0.99, target=0.95, stretch_target=0.98)
    assert assess_measure(m, Settings(use_blue=True)).status is B
    assert assess_measure(m, Settings(use_blue=False)).status is G
    assert assess_measure(m).status is B  # no workbook: a filled stretch target uses Blue


# --- reasons -----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, reason", [
    (dict(current=0.96, target=1.0, unit=Unit.PERCENT, green_tolerance=0.05),
     "Green: 96% against a target of 100%, green down to 95% (higher is better); "
     "amber down to 90%"),
    (dict(current=21.5, target=20.0, polarity=LOWER, unit=Unit.DAYS, tolerance=3,
          green_tolerance=1, basis=ABS),
     "Amber: 21.5 days against a target of 20 days, green up to 21 days (lower is better); "
     "amber up to 23 days"),
    (dict(current=0.5, target=0.4, polarity=RANGE, target_upper=0.6, unit=Unit.PERCENT,
          green_tolerance=0.05),
     "Green: 50% against a target range of 40% to 60%, green from 38% to 63%; "
     "amber from 36% to 66%"),
    (dict(current=0.99, target=0.95, unit=Unit.PERCENT, stretch_target=0.98),
     "Blue: 99% against a target of 95%, stretch target 98% reached (higher is better); "
     "amber down to 85.5%"),
    (dict(current=0.96, target=0.95, unit=Unit.PERCENT, stretch_target=0.98),
     "Green: 96% against a target of 95%, stretch target 98% not reached (higher is better); "
     "amber down to 85.5%"),
    (dict(current=0.94, target=1.0, unit=Unit.PERCENT, tolerance=0.05, green_tolerance=0.05),
     "Red: 94% against a target of 100%, green down to 95% (higher is better); no amber band"),
    # no green band: the wording of before, unchanged
    (dict(current=0.36, target=0.25, polarity=LOWER, unit=Unit.PERCENT),
     "Red: 36% against a target of 25% (lower is better); amber up to 27.5%"),
])
def test_reasons_name_the_bands_used(kwargs, reason):
    current, target = kwargs.pop("current"), kwargs.pop("target")
    polarity = kwargs.pop("polarity", HIGHER)
    assert assess_values(current, target, polarity, **kwargs)[1] == reason


# --- officer judgement (rule 6) ---------------------------------------------------------

def test_an_override_replaces_the_rag_and_keeps_the_rules_status():
    m = Measure("CS07", "P", "% repeat referrals", polarity=LOWER, unit=Unit.PERCENT,
                current=0.36, target=0.25, rag_override=A,
                override_reason="recovery plan agreed with the provider")
    a = assess_measure(m)
    assert (a.status, a.computed_status) == (A, R)
    assert a.override_reason == "recovery plan agreed with the provider"
    assert a.reason == ("Amber by officer judgement (rules give Red: 36% against a target of 25% "
                        "(lower is better); amber up to 27.5%): recovery plan agreed with the "
                        "provider")
    plain = assess_measure(Measure("CS07", "P", "m", current=0.36, target=0.25, polarity=LOWER))
    assert plain.computed_status is None and plain.override_reason is None


def test_an_override_of_a_status_rules_1_to_3_decide_does_not_stand():
    m = Measure("X", "P", "m", current=None, target=0.25, rag_override=G, override_reason="x")
    a = assess_measure(m)
    assert a.status is Status.DATA_UNAVAILABLE and a.computed_status is None
    assert apply_override(Status.NO_TARGET, "No target: 1", R, "why") == (
        Status.NO_TARGET, "No target: 1", None)


def test_summary_counts_blue_only_where_used():
    green = assess_measure(Measure("A", "P", "m", current=1.0, target=1.0))
    blue = assess_measure(Measure("B", "P", "m", current=1.0, target=0.9, stretch_target=1.0))
    assert "Blue" not in summarise([green])["P"]
    assert summarise([green], use_blue=True)["P"]["Blue"] == 0
    assert summarise([green, blue])["P"]["Blue"] == 1
    assert summarise_totals(summarise([green, blue]))["Blue"] == 1
    assert "Blue" not in summarise_totals(summarise([green]))
    judged = assess_measure(Measure("C", "P", "m", current=0.5, target=1.0, rag_override=B,
                                    override_reason="exceptional"))
    assert summarise([judged])["P"] == {**summarise([judged])["P"], "Blue": 1, "Red": 0}


# --- properties ---------------------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
fraction = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
polarities = st.sampled_from([HIGHER, LOWER, RANGE])
bases = st.sampled_from([REL, ABS])


@settings(max_examples=400, deadline=None)
@given(current=finite, target=finite, width=st.floats(0, 1e3), pol=polarities, basis=bases,
       tol=fraction, g1=fraction, g2=fraction, stretch=st.one_of(st.none(), finite))
def test_widening_the_green_band_never_makes_a_status_worse(current, target, width, pol, basis,
                                                            tol, g1, g2, stretch):
    narrow, wide = sorted((g1, g2))
    upper = target + width if pol is RANGE else None
    if stretch is not None and pol is not RANGE:
        stretch = target + abs(stretch) * (1 if pol is HIGHER else -1)  # on the right side
    before = compute_rag(current, target, pol, tol, None, upper, green_tolerance=narrow,
                         basis=basis, stretch_target=stretch)
    after = compute_rag(current, target, pol, tol, None, upper, green_tolerance=wide,
                        basis=basis, stretch_target=stretch)
    assert after.rank >= before.rank, (before, after)


@settings(max_examples=400, deadline=None)
@given(current=st.one_of(st.none(), finite), target=st.one_of(st.none(), finite),
       pol=st.sampled_from([HIGHER, LOWER]), basis=bases, tol=fraction, green=fraction,
       stretch=st.one_of(st.none(), finite), use_blue=st.booleans(),
       override=st.sampled_from([B, G, A, R]), reason=st.text(min_size=1, max_size=40))
def test_an_override_never_changes_the_computed_status(current, target, pol, basis, tol, green,
                                                       stretch, use_blue, override, reason):
    assume(green <= tol)
    measure = Measure("M", "P", "m", polarity=pol, current=current, target=target,
                      tolerance=tol, green_tolerance=green, tolerance_basis=basis,
                      stretch_target=stretch)
    workbook = Settings(use_blue=use_blue)
    rules = assess_measure(measure, workbook)
    from dataclasses import replace
    judged = assess_measure(replace(measure, rag_override=override, override_reason=reason),
                            workbook)
    if rules.status.is_rag:
        assert judged.computed_status is rules.status
        assert judged.status is override and judged.override_reason == reason
        assert rules.reason in judged.reason
    else:
        assert judged.status is rules.status and judged.computed_status is None
    assert judged.target_gap == rules.target_gap


@settings(max_examples=300, deadline=None)
@given(current=finite, target=finite, pol=st.sampled_from([HIGHER, LOWER]), tol=fraction,
       green=fraction, basis=bases, stretch=finite)
def test_a_stretch_target_only_turns_green_into_blue(current, target, pol, tol, green, basis,
                                                     stretch):
    plain = compute_rag(current, target, pol, tol, green_tolerance=green, basis=basis)
    stretched = compute_rag(current, target, pol, tol, green_tolerance=green, basis=basis,
                            stretch_target=stretch)
    assert stretched is plain or (plain is G and stretched is B)
    assert not math.isnan(current)


@settings(max_examples=300, deadline=None)
@given(a=finite, b=finite, target=finite, pol=st.sampled_from([HIGHER, LOWER]), tol=fraction,
       green=fraction, basis=bases, stretch=st.one_of(st.none(), finite))
def test_a_better_current_never_gives_a_worse_status_with_bands(a, b, target, pol, tol, green,
                                                                basis, stretch):
    assume(green <= tol)
    worse, better = sorted((a, b)) if pol is HIGHER else sorted((a, b), reverse=True)
    kwargs = dict(green_tolerance=green, basis=basis, stretch_target=stretch)
    assert compute_rag(better, target, pol, tol, **kwargs).rank >= \
        compute_rag(worse, target, pol, tol, **kwargs).rank
