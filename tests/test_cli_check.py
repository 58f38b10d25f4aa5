"""`kpi-scorecard check`: exit codes 0/1/2, messages with Sheet!Cell, JSON shape, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from addin.cli import main
from tests.workbooks import measure_row, write_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command in a fresh interpreter, as a user would."""
    return subprocess.run([sys.executable, "-m", "addin.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, timeout=120)


def test_check_sample_exit_0_with_reference_counts():
    done = run_cli("check", str(SAMPLE))
    assert done.returncode == 0, done.stderr
    assert "13 with a RAG (1 Green, 3 Amber, 9 Red)" in done.stdout
    assert "1 no target" in done.stdout


def test_check_json_shape():
    done = run_cli("check", str(SAMPLE), "--json")
    assert done.returncode == 0
    doc = json.loads(done.stdout)
    assert set(doc) == {"measures", "summary", "problems", "columns"}
    assert doc["columns"]["Current"] == {"header": "Current", "cell": "Measures!K3", "how": "name"}
    first = doc["measures"][0]
    assert set(first) == {"ref", "portfolio", "measure", "status", "reason", "target_gap",
                          "benchmark_gaps", "direction", "computed_status", "override_reason",
                          "direction_long", "previous_status", "movement", "trend", "ranks",
                          "quartile"}
    repeat = next(m for m in doc["measures"] if m["ref"] == "CS03")
    assert repeat["status"] == "Red" and repeat["target_gap"] == pytest.approx(-0.11)
    assert repeat["benchmark_gaps"][0]["gap"] == pytest.approx(-0.13)
    assert doc["summary"]["Children's Services"]["Red"] == 9
    assert doc["problems"] == []


def test_check_data_errors_exit_1_naming_the_cell(tmp_path, capsys):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1", Current="abc")])
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Measures!J2: current position 'abc' is not a number" in out


def test_check_json_problems(tmp_path, capsys):
    path = write_book(tmp_path / "b.xlsx", [measure_row("M1", Current="abc"), measure_row("M2")])
    assert main(["check", str(path), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["problems"][0] == {"sheet": "Measures", "cell": "J2", "severity": "error",
                                  "message": "current position 'abc' is not a number"}
    # no Settings: the titles and the next close miss the authority and the period
    assert [(p["sheet"], p["severity"]) for p in doc["problems"][1:]] == [("Settings",
                                                                          "warning")]
    assert "no Authority and Period" in doc["problems"][1]["message"]
    assert doc["measures"][0]["status"] is None and doc["measures"][1]["status"] == "Green"


@pytest.mark.parametrize("content", [None, b"", b"not a workbook at all", "truncated"])
def test_file_errors_exit_2_one_line(tmp_path, content):
    path = tmp_path / "book.xlsx"
    if content == "truncated":
        path.write_bytes(SAMPLE.read_bytes()[:4000])
    elif content is not None:
        path.write_bytes(content)
    done = run_cli("check", str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kpi-scorecard: ") and str(path) in lines[0]


def test_usage_error_exit_2():
    assert run_cli("check").returncode == 2
    assert run_cli("frobnicate").returncode == 2


def test_new_writes_a_fresh_workbook(tmp_path, capsys):
    target = tmp_path / "fresh.xlsx"
    assert main(["new", str(target)]) == 0
    from kpi_core.reading.xlsx import read_tables
    tables = read_tables(target).tables
    assert {"measures", "benchmarks", "settings", "history"} <= set(tables)
    assert tables["history"].rows[0] == ["Ref", "Period", "Value", "Target", "Status", "Notes"]
    assert tables["history"].sheet == "Past periods"  # Excel reserves the name History
    assert all(v is None for row in tables["history"].rows[1:] for v in row)  # empty
    assert "Owner" in tables["measures"].rows[0]  # one return workbook per owner
    assert main(["new", str(target)]) == 2  # never overwrites without --force
    assert "already exists" in capsys.readouterr().err


def test_running_out_of_memory_is_one_line_not_a_traceback(monkeypatch, capsys):
    def exhausted(path):
        raise MemoryError
    monkeypatch.setattr("kpi_core.reading.workbook.read_workbook", exhausted)
    assert main(["check", str(SAMPLE)]) == 2
    err = capsys.readouterr().err
    assert "too large" in err and "Traceback" not in err
