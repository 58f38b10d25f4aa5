"""The Excel functions' band arguments: target_upper, green_tolerance,
tolerance_basis, stretch_target for KPI_RAG and KPI_RAG_REASON (unit last), target_upper
and target for KPI_DIRECTION; each answer compared with kpi_core.assessing.rules."""

from __future__ import annotations

import itertools

import pytest

from addin import udfs
from addin.udfs import KPI_DIRECTION, KPI_RAG, KPI_RAG_REASON
from kpi_core.assessing.cells import ARG_DOCS, FUNCTION_ARGS, FUNCTION_DOCS, RANGE_NEEDS_UPPER, arg_doc
from kpi_core.assessing.rules import assess_values, compute_direction
from kpi_core.model import Polarity, ToleranceBasis, Unit
from tests.support.udfs import office_js_server

WORDS = {"Higher": Polarity.HIGHER, "Lower is better": Polarity.LOWER,
         "Within range": Polarity.RANGE}
BASES = {None: ToleranceBasis.RELATIVE, "Relative": ToleranceBasis.RELATIVE,
         "absolute": ToleranceBasis.ABSOLUTE}


@pytest.mark.parametrize("polarity", list(WORDS))
@pytest.mark.parametrize("basis", list(BASES))
def test_all_nine_arguments_match_the_rules_over_a_grid(polarity, basis):
    pol = WORDS[polarity]
    currents = (0.3, 0.36, 0.38, 0.4, 0.5, 0.6, 0.62, 0.63, 0.66, 0.7, 0.9)
    for c, tol, green, stretch in itertools.product(currents, (0.05, 0.1), (None, 0.0, 0.05),
                                                    (None, 0.55)):
        target, upper = (0.4, 0.6) if pol is Polarity.RANGE else (0.5, None)
        if stretch is not None and pol is Polarity.LOWER:
            stretch = 0.45
        if pol is Polarity.RANGE:
            stretch = None
        if green is not None and green > tol:
            continue
        status, reason = assess_values(
            c, target, pol, tolerance=tol, target_upper=upper, green_tolerance=green,
            basis=BASES[basis], stretch_target=stretch, unit=Unit.PERCENT)
        args = (c, target, polarity, tol, None, upper, green, basis, stretch)
        assert KPI_RAG(*args) == status.value, args
        assert KPI_RAG_REASON(*args, "%") == reason


def test_within_range_works_in_cells_with_its_upper_bound():
    assert KPI_RAG(0.5, 0.4, "Within range", None, None, 0.6) == "Green"
    assert KPI_RAG(0.65, 0.4, "Range", None, None, 0.6) == "Amber"    # amber up to 66%
    assert KPI_RAG(0.7, 0.4, "Range", None, None, 0.6) == "Red"
    assert KPI_RAG(0.62, 0.4, "Range", None, None, 0.6, 0.05) == "Green"
    assert KPI_RAG_REASON(0.5, "40%", "Range", None, None, "60%") == (
        "Green: 50% against a target range of 40% to 60%; amber from 36% to 66%")
    assert KPI_RAG(0.5, 0.6, "Range", None, None, 0.4) == (
        "#KPI! target upper 0.4 is below the target 0.6; the range runs from target to "
        "target_upper")
    assert KPI_RAG(0.5, 0.4, "Range") == "#KPI! " + RANGE_NEEDS_UPPER
    assert "target_upper" in RANGE_NEEDS_UPPER


def test_a_council_statement_in_one_formula():
    # "Green: on target or within 5%; Amber: 5-10% off; Red: more than 10% off"
    rag = lambda c: KPI_RAG(c, 100.0, None, "10%", None, None, "5%")  # noqa: E731
    assert [rag(c) for c in (100.0, 95.0, 94.9, 90.0, 89.9)] == [
        "Green", "Green", "Amber", "Amber", "Red"]


def test_absolute_tolerances_in_cells():
    # 2 days' grace, 5 days amber, lower is better, target 20 days
    args = lambda c: (c, 20.0, "Lower", 5, None, None, 2, "Absolute")  # noqa: E731
    assert [KPI_RAG(*args(c)) for c in (22.0, 22.5, 25.0, 25.5)] == [
        "Green", "Amber", "Amber", "Red"]
    assert KPI_RAG_REASON(*args(22.5), None, "days") == (
        "Amber: 22.5 days against a target of 20 days, green up to 22 days (lower is better); "
        "amber up to 25 days")
    # 0.05 on a % measure is 5 percentage points
    assert KPI_RAG(0.85, 0.9, None, 0.1, None, None, 0.05, "Absolute") == "Green"
    assert KPI_RAG(0.849, 0.9, None, 0.1, None, None, 0.05, "Absolute") == "Amber"


def test_blue_in_cells():
    assert KPI_RAG(0.99, 0.95, None, None, None, None, None, None, 0.98) == "Blue"
    assert KPI_RAG(0.97, 0.95, None, None, None, None, None, None, "98%") == "Green"
    assert KPI_RAG(10.0, 12.0, "Lower", None, None, None, None, None, 10.0) == "Blue"
    assert KPI_RAG_REASON(0.99, 0.95, None, None, None, None, None, None, 0.98, "%") == (
        "Blue: 99% against a target of 95%, stretch target 98% reached (higher is better); "
        "amber down to 85.5%")


@pytest.mark.parametrize("args, message", [
    ((0.9, 0.9, None, 0.05, None, None, 0.1),
     "green tolerance 0.1 is larger than the tolerance 0.05: the green band must lie inside "
     "the amber band (equal is allowed)"),
    ((0.9, 0.9, None, None, None, None, 0.15),            # against the default 10%
     "green tolerance 0.15 is larger than the tolerance 0.1"),
    ((0.9, 0.9, None, None, 0.87, None, 0.05),
     "amber threshold 0.87 lies inside the green band (green down to 0.855)"),
    ((0.9, 0.9, None, None, None, None, None, "Sideways"),
     "tolerance basis 'Sideways' is not one of Relative, Absolute"),
    ((0.9, 0.9, None, None, None, None, 2),
     "green tolerance 2 is more than 100%"),
    ((0.9, 0.9, None, None, None, None, "lots"), "green tolerance 'lots' is not a number"),
    ((0.9, 0.9, None, None, None, None, None, None, 0.8),
     "stretch target 0.8 is below the target 0.9; for higher-is-better it must be at or above"),
    ((0.2, 0.25, "Lower", None, None, None, None, None, 0.3),
     "stretch target 0.3 is above the target 0.25"),
    ((0.9, 0.9, None, None, None, None, None, None, "x"), "stretch target 'x' is not a number"),
    ((0.5, 0.4, "Range", None, None, "top"), "target upper 'top' is not a number"),
])
def test_bad_new_arguments_are_messages(args, message):
    assert KPI_RAG(*args).startswith("#KPI! " + message)
    assert KPI_RAG_REASON(*args).startswith("#KPI! " + message)


def test_an_absolute_basis_allows_bands_over_one():
    assert KPI_RAG(22.0, 20.0, "Lower", 5, None, None, 2, "Absolute") == "Green"
    assert KPI_RAG(22.0, 20.0, "Lower", 5).startswith("#KPI! tolerance 5 is more than 100%")


def test_columns_broadcast_the_new_arguments():
    current = [[0.5], [0.65], [0.99], [22.5]]
    target = [[0.4], [0.4], [0.95], [20.0]]
    polarity = [["Range"], ["Range"], ["Higher"], ["Lower"]]
    upper = [[0.6], [0.6], [None], [None]]
    tol = [[None], [None], [None], [5]]
    green = [[None], [None], [None], [2]]
    basis = [[None], [None], [None], ["Absolute"]]
    stretch = [[None], [None], [0.98], [None]]
    assert KPI_RAG(current, target, polarity, tol, None, upper, green, basis, stretch) == [
        ["Green"], ["Amber"], ["Blue"], ["Amber"]]


def test_direction_of_a_range_in_cells():
    assert KPI_DIRECTION(0.55, 0.7, "Within range", 0.6, 0.4) == "Improving"
    assert KPI_DIRECTION(0.3, 0.5, "Range", 0.6, 0.4) == "Worsening"
    assert KPI_DIRECTION(0.45, 0.5, "Range", 0.6, 0.4) == "No change"     # both inside
    assert KPI_DIRECTION(0.55, 0.7, "Range", 0.6) == (
        "#KPI! Within range needs the target (the bottom of the range) as well: give it as "
        "the argument target")
    assert KPI_DIRECTION(0.55, 0.7, "Range") == "#KPI! " + RANGE_NEEDS_UPPER
    for c, p in itertools.product((0.3, 0.45, 0.7, None), (0.35, 0.5, 0.65, None)):
        d = compute_direction(c, p, Polarity.RANGE, 0.4, 0.6)
        assert KPI_DIRECTION(c, p, "Range", 0.6, 0.4) == (d.value if d else None)


def test_argument_docs_are_defined_once_and_fit_excel():
    for name, args in FUNCTION_ARGS.items():
        func = getattr(udfs, name)
        assert func.__doc__ == FUNCTION_DOCS[name] and len(func.__doc__) <= 255
        names = func.__code__.co_varnames[:func.__code__.co_argcount]
        assert [a.strip("[]") for a in args] == list(names)
        for a in names:
            assert 0 < len(arg_doc(name, a)) <= 255
    assert set(ARG_DOCS) >= {"target_upper", "green_tolerance", "tolerance_basis",
                             "stretch_target"}


@pytest.mark.slow
def test_the_server_meta_carries_the_shared_docs():
    meta = {f["id"]: f for f in office_js_server([])["meta"]["functions"]}
    for name, args in FUNCTION_ARGS.items():
        params = meta[name]["parameters"]
        assert [p["name"] for p in params] == [a.strip("[]") for a in args]
        assert [p["description"] for p in params] == [arg_doc(name, a.strip("[]"))
                                                      for a in args]
