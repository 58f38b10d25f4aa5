# Runs INSIDE Pyodide (node run.mjs WHEELS lite_check.py SAMPLE.xlsx PAYLOAD.json), as in
# xlwings Lite: kpi_core and addin from this project's wheel, XlsxWriter, defusedxml and
# xlwings from theirs, all installed from local files. Prints what it computed, and a
# last line of JSON for tests/test_lite_pyodide.py.
#
# XLWINGS_ON_SERVER / XLWINGS_LICENSE_KEY select xlwings' Lite/Server decorators and
# remote engine here, in a test, under xlwings' noncommercial licence; xlwings Lite sets
# up its own.
import os

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402

assert sys.platform == "emscripten", sys.platform
import xlwings as xw  # noqa: E402
import xlwings.server  # noqa: E402

from addin import udfs  # noqa: E402
from addin.book_scripts import regenerate_book  # noqa: E402
from kpi_core.pipeline import assess_workbook  # noqa: E402
from kpi_core.publishing.scorecard import build_scorecard  # noqa: E402
from kpi_core.publishing.xlsx import render_workbook  # noqa: E402
from kpi_core.reading.workbook import read_workbook  # noqa: E402

print(f"Python {sys.version.split()[0]} on {sys.platform}, xlwings {xw.__version__}")

workbook = read_workbook("/data/performance_workbook.xlsx")
assessments = assess_workbook(workbook)
for a in assessments:
    print(f"  {a.measure.ref:6} {a.status.value:18} {a.measure.name}")
rags = Counter(a.status.value for a in assessments if a.status.is_rag)
print(f"RAGs computed inside Pyodide: {sum(rags.values())} "
      f"({rags['Green']} Green, {rags['Amber']} Amber, {rags['Red']} Red)")

card = build_scorecard(assessments, workbook.settings)
buffer = io.BytesIO()
render_workbook(card, buffer)
print(f"Scorecard spec: sheets {[s.name for s in card.sheets]}; "
      f".xlsx rendered in memory: {len(buffer.getvalue()):,} bytes")

# Every KPI_* function, on the sample's columns (one array call each), directly and through
# xlwings' custom-function call as Lite makes it.
measures = workbook.measures
column = lambda f: [[f(m)] for m in measures]  # noqa: E731
current, target = column(lambda m: m.current), column(lambda m: m.target)
polarity, unit = column(lambda m: m.polarity.value), column(lambda m: m.unit.value)
NAMED = {  # each function's arguments by name; the ones left out are sent as blanks
    "KPI_RAG": dict(current=current, target=target, polarity=polarity),
    "KPI_RAG_REASON": dict(current=current, target=target, polarity=polarity, unit=unit),
    "KPI_GAP": dict(current=current, target=target, polarity=polarity),
    "KPI_BENCHMARK_GAP": dict(current=current, benchmark=target, polarity=polarity),
    # the sample has no Previous column: a small column of its own
    "KPI_DIRECTION": dict(current=[[0.30], [0.36], [0.5], [None]],
                          previous=[[0.36], [0.30], [0.5], [0.4]], polarity=[["Lower"]]),
    "KPI_RANK": dict(value=[[0.3]], values=[[0.1], [0.3], [0.5]], polarity=[["Lower"]]),
    "KPI_QUARTILE": dict(value=[[0.3]], values=[[0.1], [0.3], [0.5], [0.7]],
                         polarity=[["Lower"]]),
}


def positional(name):
    code = getattr(udfs, name).__code__
    params = code.co_varnames[:code.co_argcount]
    unknown = set(NAMED[name]) - set(params)
    assert not unknown, f"{name} has no argument {unknown}: update lite_check.py"
    args = [NAMED[name].get(p) for p in params]
    while args and args[-1] is None:
        args.pop()
    return args


CALLS = {name: positional(name) for name in NAMED if hasattr(udfs, name)}
missing = sorted(set(udfs.__all__) - set(CALLS))
assert not missing, f"add a call for {missing} to lite_check.py"
direct, through_lite = {}, {}


async def call_all():
    for name in udfs.__all__:
        args = CALLS[name]
        direct[name] = getattr(udfs, name)(*args)
        data = {"client": "Office.js", "func_name": name, "args": args,
                "caller_address": "Sheet1!A1", "version": xw.__version__, "runtime": "1.4",
                "culture_info_name": "en-GB", "date_format": "dd/mm/yyyy"}
        through_lite[name] = await xlwings.server.custom_functions_call(data, udfs)

await call_all()  # noqa: F704  top-level await: Pyodide runs this file async, as Lite does
for name in udfs.__all__:
    shown = [row[0] for row in direct[name]][:4] if isinstance(direct[name], list) else direct[name]
    print(f"  {name}: {shown} ...")

# The Regenerate script's work on xlwings' Book built from the workbook's payload.
payload = json.load(open("/data/payload.json"))
book = xw.Book(json=payload)
written = regenerate_book(book, {})
actions = book.json()["actions"]
print(f"Regenerate inside Pyodide: {len(actions)} actions, sheets now {[s.name for s in book.sheets]}")

# main.py's Regenerate script as Lite calls it, on a workbook whose Unit column is blank:
# the number formats come through Lite's asynchronous read (the stand-in in run.mjs), so
# the 0%-formatted Current and Target cells make those measures % ones.
import importlib.util  # noqa: E402

spec = importlib.util.spec_from_file_location("main", "/data/main.py")
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)
book = xw.Book(json=json.load(open("/data/payload_nounit.json")))
await xlwings.server.custom_scripts_call(  # noqa: F704
    main, "regenerate_scorecards", typehint_to_value={xw.Book: book})
script_actions = book.json()["actions"]
script_formats = sorted({a["args"][0] for a in script_actions if a["func"] == "setNumberFormat"})
print(f"main.py's Regenerate scorecards inside Pyodide: {len(script_actions)} actions, "
      f"number formats {script_formats}")

# The Close period script's work on the sample (no History yet: a History table is added).
from addin.book_close import close_book  # noqa: E402

closing_book = xw.Book(json=payload)
closed = close_book(closing_book, "", {})
print(f"Close period inside Pyodide: {closed.closed} -> {closed.opened}, "
      f"{closed.rows} History rows, new sheet for History: {closed.history_added}")

print(json.dumps({
    "platform": sys.platform,
    "statuses": {a.measure.ref: a.status.value for a in assessments},
    "rags": dict(rags),
    "sheets": [s.name for s in card.sheets],
    "xlsx_bytes": len(buffer.getvalue()),
    "functions": sorted(udfs.__all__),
    "direct": direct,
    "through_lite": through_lite,
    "written": list(written.sheets),
    "actions": Counter(a["func"] for a in actions),
    "script_sheets": [s.name for s in book.sheets],
    "script_formats": script_formats,
    "closed": [closed.closed, closed.opened, closed.rows, closed.history_added],
}, default=str))
