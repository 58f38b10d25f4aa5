"""Build ``performance_workbook.xlsm``: the sample performance workbook with the
``Regenerate scorecards`` button and the ``KpiScorecard`` VBA module.

    python workbook_templates/build_xlsm.py [OUT.xlsm]

Everything comes from text sources: the data sheets are the ``.xlsx`` sample's
(``kpi_core.template.add_performance_sheets`` with ``sample_data.py``, as
``build_templates.py`` writes them), the module is ``vba/KpiScorecard.bas``. Three steps:

1. an empty VBA project as Excel makes one: pyopenvba's ``ExcelFile.create_new``
   writes a workbook from a template captured from Excel, and
   ``vba_project_bytes()`` gives its ``vbaProject.bin`` (ThisWorkbook, Sheet1,
   an empty Module1; references stdole and Office). Nothing binary is committed.
2. XlsxWriter writes the workbook as ``.xlsm`` around that project
   (``add_vba_project``), code names ThisWorkbook / Sheet1..SheetN, and puts the
   form-control button on the Measures sheet bound to ``RegenerateScorecards``.
3. pyopenvba opens the result and edits the project: a document module for each
   sheet the empty project lacks, Module1 out, ``KpiScorecard`` in
   (``VBAProject.add_module``), then ``ExcelFile.save``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

import xlsxwriter
from pyopenvba import ExcelFile, VBAModuleKind


HERE = Path(__file__).resolve().parent
# Run as a script from a checkout: kpi_core from the repository, sample_data from this folder.
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import sample_data  # noqa: E402

from kpi_core.template import add_performance_sheets  # noqa: E402
MODULE_SOURCE = HERE / "vba" / "KpiScorecard.bas"
DEFAULT_OUTPUT = HERE / "performance_workbook.xlsm"

MODULE_NAME = "KpiScorecard"
MACRO_NAME = "RegenerateScorecards"
BUTTON_CAPTION = "Regenerate scorecards"
BUTTON_SHEET = "Measures"
BUTTON_WIDTH_PX = 170
BUTTON_HEIGHT_PX = 32
# Columns left empty between the last column of the Measures data and the button.
BUTTON_GAP_COLUMNS = 1

#: VB_Base of an Excel worksheet document module ([MS-OVBA] host class; as Excel writes it).
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"


def read_module_source(path: Path = MODULE_SOURCE) -> str:
    """The module text with CRLF line endings, as the VBA editor stores and exports it."""
    text = path.read_text(encoding="ascii")
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def build_empty_vba_project() -> bytes:
    """The ``vbaProject.bin`` of a new Excel workbook (from pyopenvba's Excel-captured template)."""
    with tempfile.TemporaryDirectory(prefix="kpi-xlsm-") as scratch:
        with ExcelFile.create_new(Path(scratch) / "empty.xlsm") as empty:
            return empty.vba_project_bytes()


def worksheet_document_header(code_name: str) -> str:
    """The attribute header Excel writes for a worksheet's document module."""
    return (
        f'Attribute VB_Name = "{code_name}"\r\n'
        f'Attribute VB_Base = "{WORKSHEET_BASE}"\r\n'
        "Attribute VB_GlobalNameSpace = False\r\n"
        "Attribute VB_Creatable = False\r\n"
        "Attribute VB_PredeclaredId = True\r\n"
        "Attribute VB_Exposed = True\r\n"
        "Attribute VB_TemplateDerived = False\r\n"
        "Attribute VB_Customizable = True\r\n"
    )


def write_button(sheet) -> None:
    """The form-control button on the Measures sheet, in the header row right of the table."""
    last_column = sheet.dim_colmax if sheet.dim_colmax is not None else -1
    sheet.insert_button(
        0,
        last_column + 1 + BUTTON_GAP_COLUMNS,
        {
            "macro": MACRO_NAME,
            "caption": BUTTON_CAPTION,
            "width": BUTTON_WIDTH_PX,
            "height": BUTTON_HEIGHT_PX,
            "description": "Regenerate the committee scorecards from this workbook",
        },
    )


def write_xlsxwriter_part(path: Path, vba_project: bytes) -> list[str]:
    """Write the workbook with the empty project and the button; return the sheets' code names."""
    # The same options and properties as the .xlsx sample (build_templates.py).
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({
        "title": f"{sample_data.AUTHORITY} performance workbook, {sample_data.PERIOD}",
        "author": "kpi-scorecard",
    })
    sheets = add_performance_sheets(workbook, sample_data.MEASURES, sample_data.BENCHMARKS, sample_data.SETTINGS)
    workbook.add_vba_project(io.BytesIO(vba_project), is_stream=True)
    write_button(sheets[BUTTON_SHEET])
    workbook.close()
    return [sheet.vba_codename for sheet in workbook.worksheets()]


def add_modules(source_path: Path, output: Path, sheet_code_names: list[str], module_source: str) -> None:
    """Give every sheet its document module and put the KpiScorecard module in the project."""
    with ExcelFile(source_path) as book:
        project = book.vba_project()
        present = {name.casefold() for name in project.module_names()}
        for code_name in sheet_code_names:
            if code_name.casefold() not in present:
                project.add_module(code_name, worksheet_document_header(code_name), kind=VBAModuleKind.other)
        if "module1" in present:
            project.delete_module("Module1")
        project.add_module(MODULE_NAME, module_source)
        problems = project.validate()
        if problems:
            raise RuntimeError("the VBA project is inconsistent: " + "; ".join(problems))
        book.save(output)


def build_xlsm(output: Path = DEFAULT_OUTPUT) -> Path:
    """Write the macro-enabled performance workbook to ``output`` (atomically) and return it."""
    output = Path(output)
    module_source = read_module_source()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-xlsm-", dir=output.parent) as scratch:
        stage = Path(scratch) / "stage.xlsm"
        finished = Path(scratch) / "finished.xlsm"
        code_names = write_xlsxwriter_part(stage, build_empty_vba_project())
        add_modules(stage, finished, code_names, module_source)
        os.replace(finished, output)
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    print(build_xlsm(args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
