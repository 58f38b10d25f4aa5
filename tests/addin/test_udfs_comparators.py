"""KPI_RANK and KPI_QUARTILE: called directly and through xlwings' Office.js server
path (as tests/addin/test_udfs.py runs the other functions), each compared with
kpi_core.assessing.comparators."""

from __future__ import annotations

import pytest

from addin import udfs
from addin.udfs import KPI_QUARTILE, KPI_RANK
from kpi_core.assessing.cells import arg_doc
from kpi_core.assessing.comparators import compute_quartile_band, compute_rank
from kpi_core.model import Polarity
from tests.support.udfs import office_js_server

COLUMN = [[0.2], [0.35], [None], ["x"], [0.35], [0.5], ["n/a"], [0.1]]  # as Excel sends a range
FIGURES = [0.2, 0.35, 0.35, 0.5, 0.1]


@pytest.mark.parametrize(("polarity", "meaning"), [
    (None, Polarity.HIGHER), ("Higher is better", Polarity.HIGHER), ("Lower", Polarity.LOWER),
    ("Low", Polarity.LOWER)])
def test_rank_and_quartile_give_what_the_rules_give(polarity, meaning):
    for value in (0.05, 0.1, 0.2, 0.25, 0.35, 0.5, 0.7):
        assert KPI_RANK(value, COLUMN, polarity) == compute_rank(value, FIGURES, meaning)
        assert KPI_QUARTILE(value, COLUMN, polarity) == compute_quartile_band(
            value, FIGURES, meaning)


def test_element_wise_over_value_with_polarity_broadcast():
    values = [[0.5], [0.35], [0.1], [None]]
    assert KPI_RANK(values, COLUMN) == [[1], [2], [5], [None]]
    assert KPI_RANK(values, COLUMN, [["Lower"], ["Higher"], ["Lower"], ["Lower"]]) == [
        [5], [2], [1], [None]]
    # Q1 .2, Q2 .35, Q3 .35 over the five figures
    assert KPI_QUARTILE(values, COLUMN) == [["A"], ["C"], ["D"], [None]]
    assert KPI_QUARTILE(values, COLUMN, "Lower") == [["D"], ["B"], ["A"], [None]]


def test_bad_input_is_a_message_in_the_cell():
    assert KPI_RANK("abc", COLUMN) == "#KPI! value 'abc' is not a number"
    assert KPI_RANK(0.3, [[0.1], ["lots"]]) == "#KPI! values 'lots' is not a number"
    assert KPI_RANK(0.3, COLUMN, "Sideways").startswith("#KPI! polarity 'Sideways'")
    assert KPI_RANK(0.3, COLUMN, "Within range") == (
        "#KPI! Within range measures get no rank or quartile band")
    assert KPI_QUARTILE(0.3, [[0.1], [0.2], [None]]) == (
        "#KPI! a quartile band needs at least 4 values; values has 2")
    assert KPI_QUARTILE([[0.3], [0.4]], [[0.1], [0.2], [0.3], [0.4]], [["Lower"], ["x"]]) == [
        ["C"], ["#KPI! polarity 'x' is not one of Higher is better, Lower is better, "
                "Within range"]]


def test_wizard_texts():
    for func in (KPI_RANK, KPI_QUARTILE):
        assert func.__doc__ and len(func.__doc__) <= 255
    for name in ("value", "values", "polarity"):
        assert len(arg_doc("KPI_RANK", name)) <= 255 and len(arg_doc("KPI_QUARTILE", name)) <= 255


@pytest.fixture(scope="module")
def server():
    column = [[0.1 * i] for i in range(1, 153)] + [["x"], [None]]
    return office_js_server([
        ["KPI_RANK", [[[0.35]], COLUMN]],                                   # polarity left out
        ["KPI_RANK", [[[0.5], [0.1], [None]], COLUMN, [["Lower"]]]],
        ["KPI_QUARTILE", [[[0.2], [0.25], [0.5]], COLUMN, None]],
        ["KPI_QUARTILE", [[[0.3]], [[0.1], [0.2]]]],
        ["KPI_RANK", [column, column, [["Lower is better"]]]],             # a national column
        ["KPI_QUARTILE", [column, column]],
    ])


@pytest.mark.slow
def test_server_meta_describes_rank_and_quartile(server):
    meta = {f["id"]: f for f in server["meta"]["functions"]}
    for name in ("KPI_RANK", "KPI_QUARTILE"):
        entry = meta[name]
        assert entry["description"] == getattr(udfs, name).__doc__
        params = entry["parameters"]
        assert [p["name"] for p in params] == ["value", "values", "polarity"]
        assert [p.get("optional", False) for p in params] == [False, False, True]
        assert all(p["dimensionality"] == "matrix" and p["description"] for p in params)
    assert meta["KPI_RANK"]["parameters"][1]["description"] == arg_doc("KPI_RANK", "values")
    assert meta["KPI_QUARTILE"]["parameters"][1]["description"].startswith("The England")


@pytest.mark.slow
def test_server_calls_give_what_the_rules_give(server):
    r = server["results"]
    assert r[0] == [[2]]
    assert r[1] == [[5], [1], [""]]   # a blank value gives an empty-looking cell
    assert r[2] == [["D"], ["C"], ["A"]]
    assert r[3] == [["#KPI! a quartile band needs at least 4 values; values has 2"]]
    figures = [0.1 * i for i in range(1, 153)]
    assert r[4][:152] == [[compute_rank(v, figures, Polarity.LOWER)] for v in figures]
    assert r[4][152:] == [["#KPI! value 'x' is not a number"], [""]]
    assert r[5][:152] == [[compute_quartile_band(v, figures)] for v in figures]
    assert [row[0] for row in r[5][:152]].count("A") == 38
