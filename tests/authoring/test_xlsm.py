"""The macro-enabled performance workbook: its VBA module, its button, and that it is
built from its sources (``workbook_templates/build_xlsm.py``).

What is compared, and what is normalised:

- VBA source: the ``.bas`` read with its line endings turned to CRLF (the VBA
  editor stores and exports CRLF; a checkout may have either). Nothing else: the
  ``Attribute VB_Name`` line is stored in the project and compared as it is.
- LibreOffice's copy of the module: LibreOffice drops the ``Attribute`` lines on
  import, prepends ``Rem Attribute VBA_ModuleType=VBAModule`` and
  ``Option VBASupport 1``, uses LF and ends with an extra newline; those four
  differences are undone, nothing else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
from tests.support.paths import TEMPLATES, XLSM
from tests.support.xlsm import (
    BUILD, CAPTION, DIAGNOSTIC_OK, LIBREOFFICE_ADDED, MACRO, MODULE, SHEETS, SYSTEM_PYTHON,
    UNO_HELPER, bas_source, buttons, libreoffice_missing, vba_modules,
)

def cell_values(path: Path) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(path, keep_vba=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in workbook}
    finally:
        workbook.close()


# --- 1. the module in the file is the .bas ------------------------------------------------


def test_committed_xlsm_holds_the_bas_module_verbatim():
    modules = vba_modules(XLSM)
    assert MODULE in modules, f"modules in the project: {sorted(modules)}"
    assert modules[MODULE] == bas_source()


def test_project_has_a_document_module_per_sheet_and_no_stray_module():
    # Excel gives the workbook and every sheet a document module named by its code name;
    # the empty project's bare Module1 is taken out.
    with zipfile.ZipFile(XLSM) as package:
        workbook_xml = package.read("xl/workbook.xml").decode()
        sheet_code_names = [
            re.search(r'<sheetPr\b[^>]*codeName="([^"]+)"', package.read(f"xl/worksheets/sheet{i}.xml").decode()).group(1)
            for i in range(1, len(SHEETS) + 1)
        ]
    assert re.search(r'<workbookPr\b[^>]*codeName="ThisWorkbook"', workbook_xml)
    assert sorted(vba_modules(XLSM)) == sorted(["ThisWorkbook", *sheet_code_names, MODULE])
    # The PROJECT stream declares each kind: a document module declared as a class would
    # clash with its sheet in Excel.
    with zipfile.ZipFile(XLSM) as package:
        ole = olefile.OleFileIO(package.read("xl/vbaProject.bin"))
        declarations = [line for line in ole.openstream("PROJECT").read().decode("cp1252").splitlines()
                        if re.match(r"(Document|Module|Class|BaseClass)=", line)]
        ole.close()
    assert sorted(declarations) == sorted(
        [f"Document={name}/&H00000000" for name in ["ThisWorkbook", *sheet_code_names]] + [f"Module={MODULE}"])


def test_button_on_measures_runs_the_macro():
    found = [{key: button[key] for key in ("sheet", "caption", "macro")} for button in buttons(XLSM)]
    assert found == [{"sheet": "Measures", "caption": CAPTION, "macro": f"[0]!{MACRO}"}]
    assert re.search(rf"^Public Sub {MACRO}\(\)\r$", bas_source(), re.M)


# --- 2. LibreOffice loads the project, binds the button and runs the module ---------------


@pytest.fixture(scope="module")
def libreoffice_report() -> dict:
    reason = libreoffice_missing()
    if reason:
        pytest.skip(reason)
    run = subprocess.run(
        [SYSTEM_PYTHON, str(UNO_HELPER), str(XLSM), "--sheet", "Measures", "--module", MODULE,
         "--call", f"{MODULE}.KpiScorecardDiagnostic", "--call", f"{MODULE}.KpiScorecardSelfTest",
         "--timeout", "120"],
        capture_output=True, text=True, timeout=180,
    )
    assert run.returncode == 0, f"UNO helper failed ({run.returncode}):\n{run.stderr[-3000:]}"
    return json.loads(run.stdout)


@pytest.mark.slow
def test_libreoffice_lists_the_module_in_the_document_basic_library(libreoffice_report):
    library = libreoffice_report["module_library"]
    assert library is not None, f"no library holds {MODULE}: {libreoffice_report['libraries']}"
    source = libreoffice_report["libraries"][library][MODULE]
    imported = [line for line in source.rstrip("\n").split("\n") if line not in LIBREOFFICE_ADDED]
    ours = [line for line in bas_source().rstrip("\r\n").split("\r\n") if not line.startswith("Attribute ")]
    assert imported == ours


@pytest.mark.slow
def test_libreoffice_sees_the_button_bound_to_the_macro(libreoffice_report):
    library = libreoffice_report["module_library"]
    bound = [
        control for control in libreoffice_report["controls"]
        if control["label"] == CAPTION and any(
            event["method"] == "actionPerformed"
            and event["script"] == f"vnd.sun.star.script:{library}.{MODULE}.{MACRO}?language=Basic&location=document"
            for event in control["events"])
    ]
    assert len(bound) == 1, libreoffice_report["controls"]


@pytest.mark.slow
def test_libreoffice_runs_the_module(libreoffice_report):
    # The diagnostic checks the module's own path, command-line and message helpers. Headless
    # LibreOffice swallows Basic compile and runtime errors (the call returns None), so the
    # known string is the proof that the whole module compiled and the helpers ran.
    # For the Sub there is no return value: the check is that its script URI resolves
    # (a missing or misnamed procedure raises ScriptFrameworkErrorException).
    calls = libreoffice_report["calls"]
    assert calls[f"{MODULE}.KpiScorecardDiagnostic"] == {
        "uri": calls[f"{MODULE}.KpiScorecardDiagnostic"]["uri"], "result": DIAGNOSTIC_OK}
    assert "error" not in calls[f"{MODULE}.KpiScorecardSelfTest"], calls


# --- 3. the committed .xlsm is what the build makes now ------------------------------------


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsm") / "performance_workbook.xlsm"
    run = subprocess.run([sys.executable, str(BUILD), str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return out


@pytest.mark.slow
def test_committed_xlsm_is_up_to_date(rebuilt):
    hint = "run: python workbook_templates/build_xlsm.py, and commit performance_workbook.xlsm"
    assert vba_modules(XLSM) == vba_modules(rebuilt), hint
    assert openpyxl.load_workbook(XLSM, keep_vba=True).sheetnames == SHEETS, hint
    assert buttons(XLSM) == buttons(rebuilt), hint
    assert cell_values(XLSM) == cell_values(rebuilt), hint


def test_xlsm_data_sheets_are_the_xlsx_sample():
    assert cell_values(XLSM) == cell_values(TEMPLATES / "performance_workbook.xlsx")
