"""Build ``performance_workbook.xlsm``: the sample performance workbook with the
``Regenerate scorecards`` button and the ``KpiScorecard`` VBA module.

    python workbook_templates/build_xlsm.py [OUT.xlsm]

Everything comes from text sources: the data sheets are the ``.xlsx`` sample's
(``kpi_core.authoring.template.add_performance_sheets`` with ``sample_data.py``, as
``build_templates.py`` writes them), the module is ``vba/KpiScorecard.bas``.
Nothing binary is kept in the repository. Two passes:

1. The project. XlsxWriter writes the sheets to a scratch ``.xlsm`` with no VBA;
   pyopenvba's ``ExcelFile.add_vba_project()`` gives it the project Excel makes
   for a first macro (from a template captured from Excel: references stdole
   and Office; a ``Document`` module for the workbook and for each sheet, code
   names ThisWorkbook, Sheet1..SheetN as Excel names them), then
   ``vba_project().add_module("KpiScorecard", source)`` and ``save``. Its
   ``xl/vbaProject.bin`` is the project.
2. The workbook. XlsxWriter writes the sheets again, as ``.xlsm``, with that
   project (``add_vba_project``; XlsxWriter gives the workbook and sheets the same
   code names) and the form-control button on Measures bound to
   ``RegenerateScorecards``.

(Adding the module with pyopenvba to a file XlsxWriter already gave a project
would declare the extra sheets' document modules as classes in the PROJECT
stream: pyopenvba only declares documents it made itself.)
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from pyopenvba import ExcelFile

HERE = Path(__file__).resolve().parent
# Run as a script from a checkout: kpi_core from the repository, sample_data from this folder.
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import sample_data  # noqa: E402

from kpi_core.authoring.template import add_performance_sheets  # noqa: E402

MODULE_SOURCE = HERE / "vba" / "KpiScorecard.bas"
DEFAULT_OUTPUT = HERE / "performance_workbook.xlsm"

MODULE_NAME = "KpiScorecard"
MACRO_NAME = "RegenerateScorecards"
BUTTON_CAPTION = "Regenerate scorecards"
BUTTON_SHEET = "Measures"
BUTTON_WIDTH_PX = 170
BUTTON_HEIGHT_PX = 32
# The button stands top-left, in the frozen rows above the Measures table, on the
# wide Measure column (D), so it never scrolls out of sight.
BUTTON_ROW, BUTTON_COLUMN, BUTTON_X_OFFSET = 0, 3, 160
WORKBOOK_CODE_NAME = "ThisWorkbook"


def read_module_source(path: Path = MODULE_SOURCE) -> str:
    """The module text with CRLF line endings, as the VBA editor stores and exports it."""
    text = path.read_text(encoding="ascii")
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def write_button(sheet) -> None:
    """The form-control button on the Measures sheet, above the table, always in view."""
    sheet.insert_button(
        BUTTON_ROW,
        BUTTON_COLUMN,
        {
            "x_offset": BUTTON_X_OFFSET,
            "macro": MACRO_NAME,
            "caption": BUTTON_CAPTION,
            "width": BUTTON_WIDTH_PX,
            "height": BUTTON_HEIGHT_PX,
            "description": "Regenerate the committee scorecards from this workbook",
        },
    )


def write_workbook(path: Path, vba_project: bytes | None) -> list[str]:
    """Write the sample workbook, with the project and the button when given one.

    Returns the sheets' code names (none without a project)."""
    # The same options and properties as the .xlsx sample (build_templates.py).
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({
        "title": f"{sample_data.AUTHORITY} performance workbook, {sample_data.PERIOD}",
        "author": "kpi-scorecard",
    })
    sheets = add_performance_sheets(workbook, sample_data.MEASURES, sample_data.BENCHMARKS,
                                    sample_data.SETTINGS, title=sample_data.TITLE)
    if vba_project is not None:
        workbook.add_vba_project(io.BytesIO(vba_project), is_stream=True)
        workbook.set_vba_name(WORKBOOK_CODE_NAME)
        write_button(sheets[BUTTON_SHEET])
    workbook.close()
    return [sheet.vba_codename for sheet in workbook.worksheets()] if vba_project is not None else []


def build_vba_project(module_source: str, scratch: Path) -> tuple[bytes, list[str]]:
    """The ``vbaProject.bin`` for the sample's sheets with the module; and its document modules."""
    bare, with_project = scratch / "bare.xlsm", scratch / "with-project.xlsm"
    write_workbook(bare, vba_project=None)
    with ExcelFile(bare) as book:
        project = book.add_vba_project()
        documents = project.module_names()
        project.add_module(MODULE_NAME, module_source)
        problems = project.validate()
        if problems:
            raise RuntimeError("the VBA project is inconsistent: " + "; ".join(problems))
        book.save(with_project)
    with zipfile.ZipFile(with_project) as package:
        return package.read("xl/vbaProject.bin"), documents


def build_xlsm(output: Path = DEFAULT_OUTPUT) -> Path:
    """Write the macro-enabled performance workbook to ``output`` (atomically) and return it."""
    output = Path(output)
    module_source = read_module_source()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kpi-xlsm-", dir=output.parent) as scratch:
        vba_project, documents = build_vba_project(module_source, Path(scratch))
        finished = Path(scratch) / "finished.xlsm"
        code_names = write_workbook(finished, vba_project)
        if sorted(documents) != sorted([WORKBOOK_CODE_NAME, *code_names]):
            raise RuntimeError(f"document modules {documents} do not match the code names "
                               f"{[WORKBOOK_CODE_NAME, *code_names]} XlsxWriter gave the workbook")
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
