"""The command line starts without what it does not need: no numpy, pandas, openpyxl
or xlwings in ``regenerate``, ``check`` or ``--help`` (each costs 0.1-0.6 s of start-up;
SPEC section 9). Checked in a fresh interpreter, never by timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.support.paths import ROOT, SAMPLE

HEAVY = ("numpy", "pandas", "openpyxl", "xlwings")

_PROBE = """
import json, sys
from addin.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stdout.flush()
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
"""


pytestmark = pytest.mark.slow  # every test here starts another program


def _modules_after(*argv: str, cwd: Path) -> set[str]:
    run = subprocess.run([sys.executable, "-c", _PROBE, *argv], cwd=cwd, capture_output=True,
                         text=True, timeout=120, env=None)
    line = next(l for l in run.stdout.splitlines() if l.startswith("MODULES "))
    return set(json.loads(line[len("MODULES "):]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize("argv", [
    ("regenerate", str(SAMPLE), "-o", "{tmp}/out.xlsx"),
    ("regenerate", str(SAMPLE), "-o", "{tmp}/out.xlsx", "--json"),
    ("check", str(SAMPLE)),
    ("--help",),
])
def test_the_command_line_imports_nothing_heavy(tmp_path, argv):
    modules = _modules_after(*(a.format(tmp=tmp_path) for a in argv), cwd=ROOT)
    assert "kpi_core" in modules
    assert _heavy(modules) == []


def test_the_probe_would_see_a_heavy_import(tmp_path):
    probe = subprocess.run([sys.executable, "-c", "import json, sys, xlsxwriter; "
                            "print(json.dumps(sorted(sys.modules)))"],
                           capture_output=True, text=True, timeout=60)
    assert "xlsxwriter" in json.loads(probe.stdout)


_EXIT_PROBE = """
import atexit, sys
marker = sys.argv.pop(1)
atexit.register(lambda: open(marker, "w").write("atexit ran"))
from addin.cli import run
run()
"""


@pytest.mark.parametrize("argv, code", [
    (("regenerate", str(SAMPLE), "-o", "{tmp}/out.xlsx", "--json"), 0),
    (("regenerate", "{tmp}/missing.xlsx"), 2),
])
def test_the_process_entry_ends_at_once_and_loses_nothing(tmp_path, argv, code):
    """``run`` ends the process without Python's teardown: its exit code, all of its
    output through a pipe, the file it wrote and the atexit handlers are still there."""
    marker = tmp_path / "atexit.txt"
    done = subprocess.run([sys.executable, "-c", _EXIT_PROBE, str(marker),
                           *(a.format(tmp=tmp_path) for a in argv)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == code, done.stderr
    assert marker.read_text() == "atexit ran"
    if code == 0:
        summary = json.loads(done.stdout)  # the whole document, flushed before the end
        assert summary and (tmp_path / "out.xlsx").stat().st_size > 0
    else:
        assert "missing.xlsx" in done.stderr


def test_a_profiler_still_gets_to_write_its_profile(tmp_path):
    """Under cProfile (or a debugger, or coverage) the process ends as Python's does, so
    the tool writes what it gathered: ``python -m cProfile -o F -m addin.cli ...``."""
    profile = tmp_path / "cli.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m",
                           "addin.cli", "regenerate", str(SAMPLE), "-o",
                           str(tmp_path / "out.xlsx")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0


_GC_PROBE = """
import atexit, gc, json, sys
marker = sys.argv.pop(1)
from addin.cli import run
before = [s["collections"] for s in gc.get_stats()]
atexit.register(lambda: open(marker, "w").write(json.dumps({
    "enabled": gc.isenabled(), "before": before,
    "after": [s["collections"] for s in gc.get_stats()]})))
run()
"""


def test_the_process_entry_makes_no_collection_at_the_end(tmp_path):
    """The collector is off through the command and stays off to the process's end: no
    collection walks what the command made just before the system frees it whole."""
    marker = tmp_path / "gc.json"
    done = subprocess.run([sys.executable, "-c", _GC_PROBE, str(marker), "regenerate",
                           str(SAMPLE), "-o", str(tmp_path / "out.xlsx")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(marker.read_text())
    assert seen["enabled"] is False
    assert seen["after"] == seen["before"]
