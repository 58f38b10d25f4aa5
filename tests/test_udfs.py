"""The Excel functions (addin/udfs.py): called directly, through xlwings' Office.js
server path, and through xlwings' classic (Windows) registration, each compared with
what kpi_core.assessing.rules gives.

The server and classic paths run in subprocesses: xlwings picks its decorators when
it is first imported (XLWINGS_ON_SERVER, pywin32), and other tests import it plainly.
xlwings' server code is under its noncommercial licence: it is used here, in tests only.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from addin import udfs
from addin.udfs import KPI_BENCHMARK_GAP, KPI_DIRECTION, KPI_GAP, KPI_RAG, KPI_RAG_REASON
from kpi_core.assessing.cells import FUNCTION_ARGS, RANGE_NEEDS_UPPER
from kpi_core.model import Measure, Polarity, Unit
from kpi_core.reading.workbook import read_workbook
from kpi_core.assessing.measure import assess_measure
from kpi_core.assessing.rules import assess_values, compute_direction, compute_gap

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
FUNCTIONS = ("KPI_RAG", "KPI_RAG_REASON", "KPI_GAP", "KPI_BENCHMARK_GAP", "KPI_DIRECTION",
             "KPI_RANK", "KPI_QUARTILE")
POLARITY_WORDS = {  # what officers write -> what it means
    None: Polarity.HIGHER, "Higher is better": Polarity.HIGHER, "higher": Polarity.HIGHER,
    "High": Polarity.HIGHER, "Lower is better": Polarity.LOWER, " lower IS better ": Polarity.LOWER,
    "Low": Polarity.LOWER,
}


# --- called directly: single values ---------------------------------------------------

CURRENTS = (0.0, 0.2475, 0.25, 0.2500001, 0.27, 0.275, 0.2750001, 0.3, 0.81, 0.9, 1.2)
TARGETS = (0.25, 0.9, 0.0, -0.5)
TOLERANCES = (None, 0.0, 0.05, 0.1, 0.5)
THRESHOLDS = (None, 0.3)


@pytest.mark.parametrize("polarity_text", list(POLARITY_WORDS))
def test_rag_and_reason_match_the_rules_over_a_grid(polarity_text):
    polarity = POLARITY_WORDS[polarity_text]
    for c, t, tol, amber in itertools.product(CURRENTS, TARGETS, TOLERANCES, THRESHOLDS):
        status, reason = assess_values(c, t, polarity, tolerance=tol, amber_threshold=amber)
        assert KPI_RAG(c, t, polarity_text, tol, amber) == status.value, (c, t, tol, amber)
        assert KPI_RAG_REASON(c, t, polarity_text, tol, amber) == reason


@pytest.mark.parametrize("current, target, polarity, expected", [
    (0.36, 0.25, "Lower is better", "Red"),       # the reference's CS07
    (0.27, 0.25, "Lower", "Amber"),
    (0.275, 0.25, "Lower", "Amber"),              # on the amber bound: the better status
    (0.81, 0.9, None, "Amber"),                   # 0.9 * 0.9 in floating point: on the bound
    (0.8099999, 0.9, None, "Red"),
    (0.9, 0.9, "Higher", "Green"),
    ("97%", "95%", None, "Green"),                # percent text reads as a fraction
    ("1,250", 1000.0, None, "Green"),
    (5, 5, None, "Green"),                        # Office.js may send whole numbers as int
    (-1.0, 0.0, None, "Red"),                     # target 0: no amber band
])
def test_rag_single_values(current, target, polarity, expected):
    assert KPI_RAG(current, target, polarity) == expected


def test_tolerance_and_amber_threshold_arguments():
    assert KPI_RAG(0.85, 0.9) == "Amber"                       # default 10%: amber down to 0.81
    assert KPI_RAG(0.85, 0.9, None, 0.05) == "Red"             # 5%: amber down to 0.855
    assert KPI_RAG(0.86, 0.9, None, "5%") == "Amber"
    assert KPI_RAG(0.855, 0.9, None, "5%") == "Amber"          # on the bound
    assert KPI_RAG(0.7, 0.9, None, None, 0.7) == "Amber"      # threshold overrides tolerance
    assert KPI_RAG(0.69, 0.9, None, 0.5, 0.7) == "Red"
    assert KPI_RAG(0.3, 0.25, "Lower", None, 0.3) == "Amber"


def test_blanks_follow_the_rules_order():
    assert KPI_RAG(None, 0.25) == "Data unavailable"
    assert KPI_RAG("", 0.25) == "Data unavailable"
    assert KPI_RAG(None, None) == "Data unavailable"          # current missing comes first
    assert KPI_RAG("n/a", 0.25) == "Data unavailable"
    assert KPI_RAG("TBC", None) == "Data unavailable"
    assert KPI_RAG(0.3, None) == "No target"
    assert KPI_RAG(0.3, "  ") == "No target"
    assert KPI_RAG_REASON(None, 0.25) == "Data unavailable: no current position"
    assert KPI_RAG_REASON(" TBC ", 0.25) == "Data unavailable: current position is 'TBC'"
    assert KPI_RAG_REASON(0.3, None, unit="%") == "No target: 30% with no target set"
    for text in (None, "n/a", "TBC"):
        measure = Measure("X", "P", "m", current=None, current_marker=text, target=0.25)
        assert KPI_RAG_REASON(text, 0.25) == assess_measure(measure).reason


@pytest.mark.parametrize("args, message", [
    (("abc", 0.25), "#KPI! current 'abc' is not a number"),
    ((0.3, "lots"), "#KPI! target 'lots' is not a number"),
    ((True, 0.25), "#KPI! current True is not a number"),
    ((float("nan"), 0.25), "#KPI! current 'nan' is not a finite number"),
    (("#DIV/0!", 0.25), "#KPI! current '#DIV/0!' is not a number"),   # an error cell, as text
    ((0.3, 0.25, "Sideways"), "#KPI! polarity 'Sideways' is not one of Higher is better, "
                              "Lower is better, Within range"),
    ((0.3, 0.25, None, 1.5), "#KPI! tolerance 1.5 is more than 100%; write a fraction such "
                             "as 0.1 or 10%, or set Tolerance Basis to Absolute for an amount "
                             "in the measure's units"),
    ((0.3, 0.25, None, -0.1), "#KPI! tolerance -0.1 is negative"),
    ((0.3, 0.25, None, "n/a"), "#KPI! tolerance 'n/a' is not a number"),
    ((0.3, 0.25, None, None, "x"), "#KPI! amber threshold 'x' is not a number"),
    # bad input is reported even where a blank would otherwise decide the status
    ((None, "lots"), "#KPI! target 'lots' is not a number"),
    ((None, 0.25, "Sideways"), "#KPI! polarity 'Sideways' is not one of Higher is better, "
                               "Lower is better, Within range"),
])
def test_bad_input_is_a_message_never_a_status(args, message):
    assert KPI_RAG(*args) == message
    assert KPI_RAG_REASON(*args) == message


def test_within_range_without_its_upper_bound_says_so():
    assert KPI_RAG(0.5, 0.4, "Within range") == "#KPI! " + RANGE_NEEDS_UPPER
    assert KPI_RAG_REASON(0.5, 0.4, "Range") == "#KPI! " + RANGE_NEEDS_UPPER
    assert KPI_DIRECTION(0.5, 0.4, "Range") == "#KPI! " + RANGE_NEEDS_UPPER
    assert KPI_RAG(None, 0.4, "Range") == "Data unavailable"   # as the rules: current first
    # gaps follow the rules, which give the plain difference without an upper bound
    assert KPI_GAP(0.5, 0.4, "Range") == compute_gap(0.5, 0.4, Polarity.RANGE)


def test_reason_unit_argument_words_the_figures():
    assert KPI_RAG_REASON(0.36, 0.25, "Lower is better", unit="%") == assess_values(
        0.36, 0.25, Polarity.LOWER, unit=Unit.PERCENT)[1]
    assert KPI_RAG_REASON("36%", 0.25, "Lower") == assess_values(
        0.36, 0.25, Polarity.LOWER, unit=Unit.PERCENT)[1]
    assert KPI_RAG_REASON(12.0, 10.0, "Lower", unit="days") == assess_values(
        12.0, 10.0, Polarity.LOWER, unit=Unit.DAYS)[1]
    assert KPI_RAG_REASON(12.0, 10.0, None, None, None, None, None, None, None,
                          "furlongs").startswith("#KPI! unit 'furlongs' is not one of")


@pytest.mark.parametrize("polarity_text", list(POLARITY_WORDS) + ["Within range"])
def test_gaps_and_direction_match_the_rules(polarity_text):
    polarity = POLARITY_WORDS.get(polarity_text, Polarity.RANGE)
    values = (None, 0.0, 0.23, 0.25, 0.36, 1.5, -2.0)
    for a, b in itertools.product(values, values):
        assert KPI_GAP(a, b, polarity_text) == compute_gap(a, b, polarity)
        assert KPI_BENCHMARK_GAP(a, b, polarity_text) == compute_gap(a, b, polarity)
        if polarity is not Polarity.RANGE or a is None or b is None:
            direction = compute_direction(a, b, polarity)
            assert KPI_DIRECTION(a, b, polarity_text) == (direction.value if direction else None)


def test_gap_and_direction_blank_and_bad_input():
    assert KPI_GAP(0.36, 0.25, "Lower is better") == pytest.approx(-0.11)
    assert KPI_GAP(None, 0.25) is None and KPI_GAP(0.3, "n/a") is None
    assert KPI_BENCHMARK_GAP(0.36, 0.23, "Lower") == pytest.approx(-0.13)
    assert KPI_DIRECTION(0.30, 0.36, "Lower") == "Improving"
    assert KPI_DIRECTION(0.30, 0.36) == "Worsening"
    assert KPI_DIRECTION(5.0, 5.0) == "No change"
    assert KPI_DIRECTION(5.0, None) is None
    assert KPI_GAP("abc", 0.25) == "#KPI! current 'abc' is not a number"
    assert KPI_BENCHMARK_GAP(0.3, "x") == "#KPI! benchmark 'x' is not a number"
    assert KPI_DIRECTION(0.3, "x") == "#KPI! previous value 'x' is not a number"
    assert KPI_GAP(0.3, 0.2, "up").startswith("#KPI! polarity 'up'")


# --- called directly: columns and ranges ----------------------------------------------

def test_columns_answer_element_by_element_with_scalars_broadcast():
    current = [[0.36], [0.2], [None], ["abc"], [0.3], ["97%"]]
    target = [[0.25], [0.25], [0.25], [0.25], [None], [0.95]]
    polarity = [["Lower"], ["Lower"], [None], ["Lower"], ["Lower"], ["Higher"]]
    assert KPI_RAG(current, target, polarity) == [
        ["Red"], ["Green"], ["Data unavailable"], ["#KPI! current 'abc' is not a number"],
        ["No target"], ["Green"]]
    assert KPI_RAG(current, 0.25, "Lower") == [
        [KPI_RAG(row[0], 0.25, "Lower")] for row in current]
    assert KPI_GAP([[0.36], [None]], [[0.25], [0.25]], "Lower") == [
        [pytest.approx(-0.11)], [None]]
    assert KPI_DIRECTION([[1.0], [2.0]], [[2.0], [2.0]]) == [["Worsening"], ["No change"]]


def test_ranges_keep_their_shape_and_broadcast_rows_and_columns():
    grid = [[0.9, 0.7], [0.85, None]]
    assert KPI_RAG(grid, 0.9) == [["Green", "Red"], ["Amber", "Data unavailable"]]
    # a row of targets against a column of currents: every pair, as Excel's arrays do
    assert KPI_RAG([[0.9], [0.7]], [[0.9, 0.7]]) == [["Green", "Green"], ["Red", "Green"]]
    assert KPI_RAG([[0.9]], [[0.9]]) == [["Green"]]        # a one-cell range stays a range
    assert KPI_RAG([0.9, 0.7], 0.9) == [["Green"], ["Red"]]  # a flat list is a column


def test_ranges_that_do_not_fit_give_one_message():
    assert KPI_RAG([[0.9], [0.7]], [[0.9], [0.8], [0.7]]) == (
        "#KPI! current has 2 rows but target has 3: give ranges of the same size, "
        "or a single cell")
    assert KPI_RAG([[0.9, 0.7]], [[0.9, 0.8, 0.7]]).startswith(
        "#KPI! current has 2 columns but target has 3")
    assert KPI_GAP([[1.0], [2.0]], 1.0, [["Lower"], ["Lower"], ["Lower"]]).startswith(
        "#KPI! current has 2 rows but polarity has 3")
    assert KPI_RAG([], 0.9) == "#KPI! current is an empty or ragged range"


def test_the_sample_workbook_column_by_column_gives_the_scorecard_statuses():
    workbook = read_workbook(SAMPLE)
    measures = workbook.measures
    assert measures and not workbook.errors
    column = lambda f: [[f(m)] for m in measures]  # noqa: E731
    statuses = KPI_RAG(column(lambda m: m.current), column(lambda m: m.target),
                       column(lambda m: m.polarity.value), column(lambda m: m.tolerance),
                       column(lambda m: m.amber_threshold))
    expected = [[assess_measure(m, workbook.settings).status.value] for m in measures]
    assert statuses == expected
    assert {row[0] for row in expected} >= {"Green", "Amber", "Red"}
    reasons = KPI_RAG_REASON(column(lambda m: m.current), column(lambda m: m.target),
                             column(lambda m: m.polarity.value), None, None,
                             column(lambda m: m.target_upper), None, None, None,
                             column(lambda m: m.unit.value))
    assert reasons == [[assess_measure(m, workbook.settings).reason] for m in measures]


def test_wizard_texts_fit_excel_limits():
    for name in FUNCTIONS:
        func = getattr(udfs, name)
        assert func.__doc__ and len(func.__doc__) <= 255, name  # MacroOptions keeps 255
    assert udfs.CATEGORY == "KPI Scorecard"


def _run(script: str, stdin: str = "", **env: str) -> dict:
    """Run a script in a fresh interpreter; its last line of output is JSON."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_imports_and_runs_without_numpy_or_pandas():
    out = _run("""
        import json, sys
        sys.modules["numpy"] = None; sys.modules["pandas"] = None   # as in a bare Pyodide
        import addin.udfs as u
        print(json.dumps(u.KPI_RAG([[0.36], ["n/a"]], 0.25, "Lower")))
    """)
    assert out == [["Red"], ["Data unavailable"]]


# --- through xlwings' Office.js server path -------------------------------------------

def _server(calls: list[list]) -> dict:
    """Run each ``[func_name, args]`` through custom_functions_call; also return the meta."""
    script = """
        import asyncio, json, sys
        import xlwings, xlwings.server
        assert xlwings.server.func is xlwings.func   # the server decorators are in use
        import addin.udfs

        calls = json.load(sys.stdin)
        async def run():
            out = []
            for name, args in calls:
                data = {"client": "Office.js", "func_name": name, "args": args,
                        "caller_address": "Sheet1!H3", "version": xlwings.__version__,
                        "runtime": "1.4", "culture_info_name": "en-GB",
                        "date_format": "dd/mm/yyyy"}
                out.append(await xlwings.server.custom_functions_call(data, addin.udfs))
            return out
        print(json.dumps({"meta": xlwings.server.custom_functions_meta(addin.udfs),
                          "results": asyncio.run(run())}))
    """
    return _run(script, json.dumps(calls), XLWINGS_ON_SERVER="true",
                XLWINGS_LICENSE_KEY="noncommercial")


N = 10_000
_POLARITY_CYCLE = ("Lower is better", "Higher", None, "Low")


def _long_column() -> tuple[list, list, list]:
    current = [[None if i % 97 == 0 else "abc" if i % 101 == 0 else (i % 37) / 36]
               for i in range(N)]
    target = [[None if i % 89 == 0 else 0.5] for i in range(N)]
    polarity = [[_POLARITY_CYCLE[i % 4]] for i in range(N)]
    return current, target, polarity


@pytest.fixture(scope="module")
def server():
    current, target, polarity = _long_column()
    calls = [
        ["KPI_RAG", [[[0.36]], [[0.25]], [["Lower is better"]]]],
        ["KPI_RAG", [[[0.36]], [[0.25]]]],                               # optional args left out
        ["KPI_RAG", [[[0.36]], [[0.25]], None, None, None]],             # ... or sent as null
        ["KPI_RAG", [[[0.86]], [[0.9]], [[None]], [["5%"]], [[None]]]],
        ["KPI_RAG", [[[0.7]], [[0.9]], [[""]], [[None]], [[0.7]]]],
        ["KPI_RAG", [[[0.36], [None], ["abc"], [""], ["n/a"], [0.3]],
                     [[0.25], [0.25], [0.25], [0.25], [0.25], [""]], [["Lower"]]]],
        ["KPI_RAG", [[[0.3]], [[0.25]], [["Sideways"]]]],
        ["KPI_RAG_REASON", [[[0.36]], [[0.25]], [["Lower"]], None, None, None, None, None,
                            None, [["%"]]]],
        ["KPI_GAP", [[[0.36], [None]], [[0.25], [0.25]], [["Lower"]]]],
        ["KPI_BENCHMARK_GAP", [[[0.36]], [[0.23]], [["Lower is better"]]]],
        ["KPI_DIRECTION", [[[0.30], [0.36], [1.0]], [[0.36], [0.30], [None]], [["Lower"]]]],
        ["KPI_RAG", [current, target, polarity]],
    ]
    return _server(calls)


def test_server_meta_describes_every_function(server):
    meta = {f["id"]: f for f in server["meta"]["functions"]}
    assert sorted(meta) == sorted(FUNCTIONS)
    brackets = {name: {a.strip("[]") for a in args if a.startswith("[")}
                for name, args in FUNCTION_ARGS.items()}  # the documented optional arguments
    for name in FUNCTIONS:
        func, entry = getattr(udfs, name), meta[name]
        assert entry["name"] == name
        assert entry["description"] == func.__doc__
        params = entry["parameters"]
        assert [p["name"] for p in params] == list(func.__code__.co_varnames[
            :func.__code__.co_argcount])
        for p in params:
            assert p["description"] and not p["description"].startswith("Positional argument")
            assert p.get("optional", False) == (p["name"] in brackets[name]), (name, p)
            assert p["dimensionality"] == "matrix"
    assert meta["KPI_RAG"]["parameters"][0]["description"] == udfs._CURRENT
    assert meta["KPI_BENCHMARK_GAP"]["parameters"][1]["description"].startswith(
        "A comparator's value")


def test_server_calls_give_what_the_rules_give(server):
    r = server["results"]
    assert r[0] == [["Red"]] and r[1] == [["Green"]] and r[2] == [["Green"]]
    assert r[3] == [["Amber"]] and r[4] == [["Amber"]]
    assert r[5] == [["Red"], ["Data unavailable"], ["#KPI! current 'abc' is not a number"],
                    ["Data unavailable"], ["Data unavailable"], ["No target"]]
    assert r[6] == [["#KPI! polarity 'Sideways' is not one of Higher is better, "
                     "Lower is better, Within range"]]
    assert r[7] == [[assess_values(0.36, 0.25, Polarity.LOWER, unit=Unit.PERCENT)[1]]]
    # a blank gap or direction is written as "" (an empty-looking cell)
    assert r[8] == [[pytest.approx(-0.11)], [""]]
    assert r[9] == [[pytest.approx(-0.13)]]
    assert r[10] == [["Improving"], ["Worsening"], [""]]


def test_server_answers_a_10000_row_column_in_one_call(server):
    current, target, polarity = _long_column()
    answer = server["results"][-1]
    assert len(answer) == N and all(len(row) == 1 for row in answer)
    expected = [[KPI_RAG(c[0], t[0], p[0])] for c, t, p in zip(current, target, polarity)]
    assert answer == expected
    seen = {row[0] for row in answer}
    assert {"Green", "Amber", "Red", "Data unavailable", "No target"} <= seen
    assert "#KPI! current 'abc' is not a number" in seen


# --- through xlwings' classic (Windows COM) registration -------------------------------

def test_classic_registration_sets_category_description_and_argument_help():
    """Import Functions on Windows: xlwings writes VBA wrappers and calls MacroOptions.

    pywin32 is stubbed so xlwings' own classic decorators and ``import_udfs`` run here;
    what they would send to Excel is recorded.
    """
    out = _run("""
        import json, sys, types
        for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
            sys.modules[name] = types.ModuleType(name)
        sys.modules["pythoncom"].CoInitialize = lambda: None
        sys.modules["pywintypes"].com_error = type("com_error", (Exception,), {})
        sys.modules["win32com.client"].Dispatch = lambda x: x
        import xlwings, xlwings.udfs as classic
        xlwings.func, xlwings.arg, xlwings.ret = classic.xlfunc, classic.xlarg, classic.xlret
        import addin.udfs
        classic.udf_modules["addin.udfs"] = {"module": addin.udfs, "filetime": None,
                                             "filename": addin.udfs.__file__}
        calls, imported = [], []
        class Components:
            def Remove(self, c): pass
            def __call__(self, name): return name
            def Import(self, path): imported.append(open(path).read())
        class App:
            Version = "16.0"
            def MacroOptions(self, macro, **kw): calls.append({"macro": macro, **kw})
        class Workbook:
            Name = "performance_workbook.xlsm"
            Application = App()
            VBProject = types.SimpleNamespace(VBComponents=Components())
        classic.import_udfs("addin.udfs", Workbook())
        print(json.dumps({"calls": calls, "vba": imported[0]}))
    """)
    calls = {c["macro"].split("!")[1]: c for c in out["calls"]}
    assert sorted(calls) == sorted(FUNCTIONS)
    for name in FUNCTIONS:
        func, call = getattr(udfs, name), calls[name]
        assert call["Category"] == "KPI Scorecard"
        assert call["Description"] == func.__doc__
        argnames = func.__code__.co_varnames[:func.__code__.co_argcount]
        assert len(call["ArgumentDescriptions"]) == len(argnames)
        assert all(d and not d.startswith("Positional") for d in call["ArgumentDescriptions"])
    assert calls["KPI_RAG"]["ArgumentDescriptions"][0] == udfs._CURRENT
    vba = out["vba"]
    assert ("Function KPI_RAG(current, target, Optional polarity, Optional tolerance, "
            "Optional amber_threshold, Optional target_upper, Optional green_tolerance, "
            "Optional tolerance_basis, Optional stretch_target)") in vba
    assert ("Function KPI_DIRECTION(current, previous, Optional polarity, "
            "Optional target_upper, Optional target, Optional direction_tolerance)") in vba
