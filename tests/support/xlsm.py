"""The macro-enabled workbook as the tests see it: its VBA modules (olevba), its
form-control buttons (VML) and LibreOffice's UNO helper."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
from oletools.olevba import VBA_Parser

from tests.support.paths import TEMPLATES

BAS = TEMPLATES / "vba" / "KpiScorecard.bas"
BUILD = TEMPLATES / "build_xlsm.py"
UNO_HELPER = Path(__file__).resolve().parent / "uno_inspect_xlsm.py"
SYSTEM_PYTHON = "/usr/bin/python3"

MODULE = "KpiScorecard"
MACRO = "RegenerateScorecards"
CAPTION = "Regenerate scorecards"
DIAGNOSTIC_OK = "KpiScorecard module OK"
SHEETS = ["Measures", "Benchmarks", "Settings"]
LIBREOFFICE_ADDED = ("Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1")


def bas_source() -> str:
    return BAS.read_text(encoding="ascii").replace("\r\n", "\n").replace("\n", "\r\n")


def vba_modules(path: Path) -> dict[str, str]:
    """Module name -> source as stored in the file's VBA project, read by olevba."""
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros(), f"olevba finds no VBA project in {path}"
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def buttons(path: Path) -> list[dict[str, str]]:
    """The form-control buttons of each sheet, from its VML drawing: sheet, caption, macro, anchor."""
    found = []
    workbook = openpyxl.load_workbook(path, keep_vba=True)
    with zipfile.ZipFile(path) as package:
        for index, name in enumerate(workbook.sheetnames, start=1):
            rels = f"xl/worksheets/_rels/sheet{index}.xml.rels"
            if rels not in package.namelist():
                continue
            for target in re.findall(r'Target="\.\./drawings/(vmlDrawing\d+\.vml)"', package.read(rels).decode()):
                vml = package.read(f"xl/drawings/{target}").decode()
                for shape in re.findall(r"<v:shape\b.*?</v:shape>", vml, re.S):
                    if 'ObjectType="Button"' not in shape:
                        continue
                    found.append({
                        "sheet": name,
                        "caption": re.sub(r"<[^>]+>", "", re.search(r"<v:textbox.*?</v:textbox>", shape, re.S).group()),
                        "macro": re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", shape).group(1),
                        "anchor": re.search(r"<x:Anchor>(.*?)</x:Anchor>", shape).group(1),
                    })
    workbook.close()
    return found


def libreoffice_missing() -> str | None:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} does not exist; python3-uno needs the system Python"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno: apt-get install python3-uno"
    return None
