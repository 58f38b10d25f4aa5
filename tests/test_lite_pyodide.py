"""kpi_core and the Excel functions inside Pyodide, the Python xlwings Lite runs, under Node.

The wheel of this checkout is built here (``python -m build --wheel``); XlsxWriter,
defusedxml and xlwings are the versions pinned in addin/lite/requirements.txt, fetched
as wheels with pip (the project's usual package index) into a folder. Pyodide is the
npm package in tests/pyodide (installed by .ci/run: ``npm ci`` there), loaded from
node_modules, and every wheel is unpacked from its local file: nothing is downloaded
at run time. Inside, the sample is read, assessed, built into the scorecard spec and
rendered; every KPI_* function is called directly and through xlwings' custom-function
call; the Regenerate and Close period scripts' work runs on xlwings' Book. The run's output is printed
into the test log.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings

from addin import udfs
from kpi_core.pipeline import assess_workbook
from kpi_core.reading.workbook import read_workbook
from tests.test_lite_scripts import generated_names, run_jobs
from tests.tools import require
from tests.lite_payload import book_payload, table_number_formats, without_column

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_DIR = ROOT / "tests" / "pyodide"
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
REQUIREMENTS = ROOT / "addin" / "lite" / "requirements.txt"
MAIN = ROOT / "addin" / "lite" / "main.py"

pytestmark = pytest.mark.slow


def pinned_requirements() -> list[str]:
    """The ``name==version`` lines of the requirements.txt an officer pastes into Lite."""
    return [line.strip() for line in REQUIREMENTS.read_text().splitlines()
            if re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", line.strip())]


def test_requirements_pin_every_pure_dependency_and_name_the_wheel():
    pins = {line.split("==")[0].lower(): line for line in pinned_requirements()}
    assert {"xlwings", "xlsxwriter", "defusedxml"} <= set(pins)
    assert pins["xlwings"] == f"xlwings=={xlwings.__version__}"  # the one the tests run
    wheel_lines = [line for line in REQUIREMENTS.read_text().splitlines()
                   if line.strip().endswith(".whl") and not line.startswith("#")]
    assert len(wheel_lines) == 1 and wheel_lines[0].startswith("https://")
    assert "kpi_scorecard-0.1.0-py3-none-any.whl" in wheel_lines[0]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheels")
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                            str(ROOT)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    [wheel] = out.glob("kpi_scorecard-*-py3-none-any.whl")
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
         "--platform", "any", "--python-version", "3.12", "--implementation", "py",
         "-d", str(out), *pinned_requirements()],
        capture_output=True, text=True, timeout=600)
    assert download.returncode == 0, download.stdout[-3000:] + download.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def pyodide_run(wheels, tmp_path_factory) -> tuple[dict, str]:
    node = shutil.which("node")
    missing = ("Node is not installed" if not node else
               "Pyodide is not installed: run `npm ci` in tests/pyodide"
               if not (PYODIDE_DIR / "node_modules" / "pyodide").is_dir() else None)
    require(missing)  # .ci/run installs both, and CI must not skip
    data = tmp_path_factory.mktemp("data")
    sample = book_payload(SAMPLE, xlwings.__version__)
    (data / "payload.json").write_text(json.dumps(sample, default=str))
    (data / "payload_nounit.json").write_text(
        json.dumps(without_column(sample, "Measures", "Unit"), default=str))
    (data / "formats.json").write_text(json.dumps(table_number_formats(SAMPLE)))
    proc = subprocess.run([node, "run.mjs", str(wheels), "lite_check.py", str(SAMPLE),
                           str(data / "payload.json"), str(data / "payload_nounit.json"),
                           str(MAIN)], cwd=PYODIDE_DIR, capture_output=True, text=True,
                          timeout=600, env={**os.environ,
                                            "LITE_STUB_FORMATS": str(data / "formats.json")})
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1]), proc.stdout


def test_the_sample_inside_pyodide_gives_the_scorecards_statuses(pyodide_run, capsys):
    result, output = pyodide_run
    with capsys.disabled():  # the run's own account, into the test log
        print("\n--- Pyodide run (tests/pyodide/lite_check.py) ---")
        print("\n".join(output.splitlines()[:-1]))
    assert result["platform"] == "emscripten"
    assert result["rags"] == {"Green": 1, "Amber": 3, "Red": 9}
    workbook = read_workbook(SAMPLE)
    expected = {a.measure.ref: a.status.value for a in assess_workbook(workbook)}
    assert result["statuses"] == expected
    assert result["sheets"] == generated_names(SAMPLE)
    assert result["xlsx_bytes"] > 5000


def test_every_function_inside_pyodide_answers_as_in_cpython(pyodide_run):
    result, _ = pyodide_run
    assert result["functions"] == sorted(udfs.__all__)
    workbook = read_workbook(SAMPLE)
    measures = workbook.measures
    column = lambda f: [[f(m)] for m in measures]  # noqa: E731
    expected_rag = udfs.KPI_RAG(column(lambda m: m.current), column(lambda m: m.target),
                                column(lambda m: m.polarity.value))
    assert result["direct"]["KPI_RAG"] == expected_rag
    assert result["through_lite"]["KPI_RAG"] == expected_rag
    assert result["direct"]["KPI_DIRECTION"] == [["Improving"], ["Worsening"], ["No change"],
                                                 [None]]
    reasons = result["direct"]["KPI_RAG_REASON"]
    assert reasons == [[a.reason] for a in assess_workbook(workbook)]
    for name in udfs.__all__:
        direct, lite = result["direct"][name], result["through_lite"][name]
        assert lite == [["" if v is None else v for v in row] for row in direct], name


def test_the_regenerate_script_runs_inside_pyodide(pyodide_run):
    result, _ = pyodide_run
    generated = generated_names(SAMPLE)
    assert result["written"] == generated
    assert result["actions"]["addSheet"] == len(generated) == result["actions"]["namesAdd"]
    assert result["actions"]["setValues"] == len(generated)


def test_mains_script_reads_number_formats_the_lite_way(pyodide_run):
    """With the Unit column blank, % comes from the cells' 0% formats, which Lite reads
    asynchronously (here answered by the stand-in in run.mjs); in CPython, with no client
    to ask, the same workbook's measures are plain numbers."""
    result, _ = pyodide_run
    assert result["script_sheets"][3:] == generated_names(SAMPLE)
    assert "0%" in result["script_formats"]
    [cpython] = run_jobs(("regenerate_scorecards", without_column(
        book_payload(SAMPLE, xlwings.__version__), "Measures", "Unit")))
    formats = {a["args"][0] for a in cpython["actions"] if a["func"] == "setNumberFormat"}
    assert "0%" not in formats and formats


def test_the_close_period_script_runs_inside_pyodide(pyodide_run):
    result, _ = pyodide_run
    assert result["closed"] == ["Q2 2016/17", "Q3 2016/17", 14, True]
