"""The xlwings Lite scripts run as the add-in runs them: ``(script, payload[, args])`` jobs
in a fresh interpreter (tests/support/lite_script_runner.py), and what to compare their
results with."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kpi_core.pipeline import assess_workbook
from kpi_core.publishing.scorecard import build_scorecard
from kpi_core.reading.workbook import read_workbook
from tests.support.paths import ROOT


def run_jobs(*jobs: tuple) -> list[dict]:
    """Run ``(script, payload[, args])`` jobs in one fresh interpreter."""
    proc = subprocess.run([sys.executable, "-m", "tests.support.lite_script_runner"], cwd=ROOT,
                          input=json.dumps([{"script": j[0], "payload": j[1],
                                             "args": j[2] if len(j) > 2 else []}
                                            for j in jobs], default=str),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def sheet_grid(payload: dict, name: str) -> list[list]:
    return next(s["values"] for s in payload["sheets"] if s["name"] == name)


def generated_names(path: Path) -> list[str]:
    """The sheets the scorecard spec of a workbook has (Summary, portfolios, Data...)."""
    workbook = read_workbook(path)
    return [s.name for s in build_scorecard(assess_workbook(workbook), workbook.settings).sheets]
