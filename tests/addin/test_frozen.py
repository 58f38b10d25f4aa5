"""The PyInstaller onedir build (build/kpi-scorecard.spec) and the executable it makes.

Builds into a temporary folder once per run (about 10-60 s), then runs the
executable the way the .xlsm's Regenerate scorecards button does. Here it is a
Linux executable; the same spec on Windows gives kpi-scorecard.exe.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from tests.support.paths import ROOT

SPEC_FILE = ROOT / "build" / "kpi-scorecard.spec"
SAMPLE_XLSX = ROOT / "workbook_templates" / "performance_workbook.xlsx"
SAMPLE_XLSM = ROOT / "workbook_templates" / "performance_workbook.xlsm"
#: Packages the bundle must not carry (start-up time and size; SPEC 9).
UNWANTED = ("numpy", "pandas", "openpyxl", "tkinter", "_tkinter")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> dict[str, Path]:
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed: pip install -e '.[build]'")
    base = tmp_path_factory.mktemp("frozen")
    dist, work = base / "dist", base / "work"
    run = subprocess.run(
        [sys.executable, "-m", "PyInstaller", str(SPEC_FILE), "--distpath", str(dist),
         "--workpath", str(work), "--noconfirm", "--log-level", "WARN"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert run.returncode == 0, f"PyInstaller failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
    exe = dist / "kpi-scorecard" / ("kpi-scorecard.exe" if os.name == "nt" else "kpi-scorecard")
    assert exe.is_file(), f"no executable at {exe}"
    return {"exe": exe, "bundle": exe.parent, "work": work / "kpi-scorecard", "base": base}


def run_exe(exe: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_help_lists_the_commands(frozen):
    run = run_exe(frozen["exe"], "--help", cwd=frozen["base"])
    assert run.returncode == 0, run.stderr
    for command in ("regenerate", "check", "new"):
        assert command in run.stdout


def test_regenerate_the_sample_xlsx(frozen, tmp_path):
    out = tmp_path / "out.xlsx"
    run = run_exe(frozen["exe"], "regenerate", str(SAMPLE_XLSX), "-o", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert zipfile.is_zipfile(out)
    with zipfile.ZipFile(out) as package:
        assert "xl/workbook.xml" in package.namelist()
        assert "xl/vbaProject.bin" not in package.namelist()


def test_regenerate_the_xlsm_as_the_button_calls_it(frozen, tmp_path):
    # The command line the VBA builds: "<exe>" regenerate "<book.xlsm>" -o "<folder>\<name> - Scorecards.xlsx"
    out = tmp_path / "performance_workbook - Scorecards.xlsx"
    run = run_exe(frozen["exe"], "regenerate", str(SAMPLE_XLSM), "-o", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert zipfile.is_zipfile(out)


def test_bundled_sample_is_in_the_bundle(frozen, tmp_path):
    assert (frozen["bundle"] / "_internal" / "workbook_templates" / SAMPLE_XLSX.name).is_file()
    out = tmp_path / "from-bundled-sample.xlsx"
    run = run_exe(frozen["exe"], "regenerate", "-o", str(out), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert out.is_file()


def test_missing_workbook_is_exit_code_2(frozen, tmp_path):
    run = run_exe(frozen["exe"], "regenerate", str(tmp_path / "absent.xlsx"), "-o", str(tmp_path / "o.xlsx"),
                  cwd=tmp_path)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr


def test_bundle_leaves_out_heavy_packages(frozen):
    # PyInstaller's table of the bundled pure-Python modules (a Python literal: (archive, [(name, path, kind)])).
    _, entries = ast.literal_eval((frozen["work"] / "PYZ-00.toc").read_text())
    names = {entry[0] for entry in entries}
    assert "kpi_core.reading.tables" in names and "addin.cli" in names
    unwanted = sorted(n for n in names if n.split(".")[0] in UNWANTED)
    assert unwanted == []
    binaries = [p.name for p in (frozen["bundle"] / "_internal").rglob("*") if p.is_dir()]
    assert not any(name in UNWANTED for name in binaries)
