"""``python -m benchmarks.run`` runs end to end on the smallest workbook and writes its
JSON. A smoke test only: no timing is asserted (the machine is shared; see README)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_command_runs_and_writes_json(tmp_path):
    out = tmp_path / "latest.json"
    argv = [sys.executable, "-m", "benchmarks.run", "--sizes", "100", "--repeat", "1",
            "--quick", "--json", str(out)]
    have_pandas = all(importlib.util.find_spec(m) for m in ("pandas", "jinja2", "openpyxl"))
    if not have_pandas:
        argv.append("--no-pandas")
    env_cache = {"KPI_BENCH_CACHE": str(tmp_path / "cache")}
    import os
    run = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env={**os.environ, **env_cache})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "regenerate sample workbook, cold CLI" in run.stdout

    result = json.loads(out.read_text(encoding="utf-8"))
    for key in ("machine", "startup", "regenerate", "budget", "kpi_rag", "frozen",
                "growth", "budgets", "publication"):
        assert key in result
    assert {"bare", "import_kpi_core", "regenerate_sample",
            "regenerate_sample_minus_bare"} <= set(result["startup"])
    size = result["regenerate"]["100"]
    assert size["portfolios"] == 5
    assert {"read", "assess", "build", "write", "pipeline"} <= set(size["stages"])
    assert size["wall"] > 0 and size["peak_mb"] > 0
    pub = result["publication"]
    assert pub["html_stage"] > 0 and pub["html_bytes"] > 10_000 and pub["html"] > 0
    assert (pub["pdf_stage"] is not None) == pub["pdf_available"]
    budget = result["budget"]
    assert budget["measures"] == 100
    for job in ("plain", "history", "comparators"):  # every CLI job, whole process
        assert budget[job]["wall"] > 0 and budget[job]["cpu"] > 0 and budget[job]["peak_mb"] > 0
    assert ("pandas" in budget) == have_pandas
    if have_pandas:  # the script's own split, read included
        assert {"import", "read", "rag", "write"} <= set(budget["pandas"]["stages"])
    assert {"read", "assess", "build", "write"} <= set(budget["stages"]["ours"])
    assert budget["bare_write"] > 0
    assert result["kpi_rag"]["rows"] == 10_000
    assert result["growth"] is None  # needs 1,000 and 20,000
    for row in result["budgets"]:
        assert set(row) >= {"job", "ours", "baseline", "ratio", "budget", "met"}
    assert any(row["budget"] == "<= 0.25 s" for row in result["budgets"])
    assert any("pandas script" in row["job"] for row in result["budgets"]) == have_pandas


def test_the_synthetic_workbook_is_deterministic_and_clean(tmp_path, monkeypatch):
    from benchmarks import synthetic
    from kpi_core.reading.workbook import read_workbook

    monkeypatch.setenv("KPI_BENCH_CACHE", str(tmp_path))
    assert synthetic.synthetic_rows(100) == synthetic.synthetic_rows(100)
    book = read_workbook(synthetic.workbook_path(100))
    assert len(book.measures) == 100 and book.errors == ()
    assert len({m.portfolio for m in book.measures}) == 5
    # half from the Benchmarks table, and those with free text read from it
    measures, _benchmarks, _settings = synthetic.synthetic_rows(100)
    texts = sum(1 for m in measures if m.get("Benchmarking"))
    assert texts > 0
    assert sum(1 for m in book.measures if m.benchmarks) == 50 + texts


def test_the_comparators_workbook_reads_clean_with_ranks_and_bands(tmp_path, monkeypatch):
    from benchmarks import synthetic
    from kpi_core.pipeline import assess_workbook
    from kpi_core.reading.workbook import read_workbook

    monkeypatch.setenv("KPI_BENCH_CACHE", str(tmp_path))
    book = read_workbook(synthetic.comparators_workbook_path(100))
    assert book.errors == () and book.problems == ()
    assert all(len(m.comparators) >= 150 for m in book.measures)
    assessments = assess_workbook(book)
    ranked = [a for a in assessments if a.ranks]
    assert len(ranked) > 80 and any(a.quartile for a in ranked)
    assert all(a.ranks == () for a in assessments if a.measure.polarity.value == "Within range")


def test_the_history_workbook_has_eight_periods_of_history(tmp_path, monkeypatch):
    """The history job benchmarks this file: it must be the file with History (an earlier
    version wrote it but returned None, so the job silently ran the plain workbook)."""
    from benchmarks import synthetic
    from kpi_core.reading.workbook import read_workbook

    monkeypatch.setenv("KPI_BENCH_CACHE", str(tmp_path))
    path = synthetic.history_workbook_path(100)
    assert path is not None and path == synthetic.history_workbook_path(100)
    book = read_workbook(path)
    assert len(book.measures) == 100 and book.errors == ()
    with_history = [m for m in book.measures if m.history]
    assert len(with_history) > 80
    assert max(len(m.history) for m in book.measures) == synthetic.HISTORY_PERIODS


def test_the_collect_benchmark_merges_every_return_and_writes_json(tmp_path, monkeypatch):
    """``python -m benchmarks.collect`` at a small size: every measure filled by its
    owner's return, merged whole (the job raises otherwise); no timing asserted."""
    monkeypatch.setenv("KPI_BENCH_CACHE", str(tmp_path))
    from benchmarks import collect as job

    out = tmp_path / "collect.json"
    assert job.main(["--measures", "100", "--owners", "5", "--repeat", "1", "--json",
                     str(out)]) == 0
    result = json.loads(out.read_text(encoding="utf-8"))
    assert (result["measures"], result["returns"]) == (100, 5)
    assert result["collect_s"] > 0 and result["read_s"] > 0 and result["scan_s"] > 0
    from kpi_core.reading.workbook import read_workbook
    book = tmp_path / f"collect-v{job.VERSION}-100-5" / "collected.xlsx"
    assert sum(m.current is not None for m in read_workbook(book).measures) == 100
