"""Speed and memory of kpi-scorecard against the budgets of SPEC section 9, in one run.

    python -m benchmarks.run [--sizes 100,1000,5000,20000] [--repeat N] [--quick]
                             [--json PATH] [--frozen] [--no-pandas] [--release CHECKOUT]
                             [--only-budget]

Every job runs in a fresh process, several times; the table shows medians. Relative
budgets are ratios against a baseline measured in the same run, interleaved (the
machine is shared and noisy: a ratio within one run is steadier than a time), in
wall time and in CPU time (user + system of the process, which load on the machine
disturbs less); absolute budgets are shown next to a bare ``python -c pass`` start.

Jobs:
- start-up: ``python -c pass``, ``python -c "import kpi_core"``, and the cold CLI
  ``python -m addin.cli regenerate`` of the bundled sample workbook;
- regenerate at each size (synthetic workbooks, see :mod:`benchmarks.synthetic`):
  wall time and peak memory of the CLI process, and the split read / assess / build /
  write from a child that times each stage of kpi_core's chain;
- SPEC section 9's jobs at 5,000 measures (or the largest size asked for), each
  round running every one once: the CLI process on the plain workbook, with eight
  periods of History (40,000 rows), with History and 150 authorities of Comparators
  a measure (809,040 rows); the pandas script a user writes instead
  (:mod:`benchmarks.pandas_script`: ``read_excel``, RAG with numpy,
  ``Styler.to_excel`` with openpyxl), whole process against whole process; bare
  XlsxWriter writing the same cells as our file (the floor of the write); the
  stages in-process; with ``--release``, a checkout of the last release
  (``git worktree add ../release <commit>``) runs its CLI and its stages on the
  same workbook in the same rounds;
- ``KPI_RAG`` over 10,000 rows in one call, and per scalar call;
- the frozen onedir executable (build/dist/kpi-scorecard), when built
  (``--frozen`` builds it first with build/kpi-scorecard.spec);
- publication of the sample: the web page (in-process render + write, and the cold CLI
  with ``--html`` against the same without) and the committee PDF (in-process, WeasyPrint's
  import included, and the cold CLI with ``--pdf``, the budgeted one), when WeasyPrint and
  pikepdf are installed.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .synthetic import (
    AUTHORITIES, HISTORY_PERIODS, comparators_workbook_path, history_workbook_path,
    portfolios_for, workbook_path,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
FROZEN = ROOT / "build" / "dist" / "kpi-scorecard" / (
    "kpi-scorecard.exe" if os.name == "nt" else "kpi-scorecard")
DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "latest.json"
DEFAULT_SIZES = (100, 1_000, 5_000, 20_000)
BUDGET_SIZE = 5_000
KPI_RAG_ROWS = 10_000

#: SPEC section 9.
BUDGET_SAMPLE_S = 0.25
BUDGET_FROZEN_S = 0.3
BUDGET_5K_MB = 150
BUDGET_VS_PANDAS = 3.0
GOAL_VS_PANDAS = 4.0
BUDGET_VS_BARE = 1.5
BUDGET_KPI_RAG_S = 0.020
BUDGET_HTML_S = 0.3
BUDGET_PDF_S = 3.0
BUDGET_HISTORY_X = 1.3
BUDGET_COMPARATORS_X = 3.5
BUDGET_COMPARATORS_MB = 300
#: "About linear": (time at 20,000 / time at 1,000) / 20 at most this.
BUDGET_GROWTH = 1.3


# --- running children ----------------------------------------------------------

class ChildFailed(RuntimeError):
    pass


def compile_checkout(root: Path) -> None:
    """Write the bytecode of a checkout's packages (``kpi_core``, ``addin``, ``benchmarks``)."""
    for package in ("kpi_core", "addin", "benchmarks"):
        if (root / package).is_dir():
            compileall.compile_dir(root / package, quiet=1)


def run_child(cmd: list[str], cwd: Path = ROOT) -> dict:
    """Run ``cmd`` in a fresh process: wall seconds, its own peak RSS (KiB), stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        if hasattr(os, "wait4"):
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            maxrss = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
            cpu = usage.ru_utime + usage.ru_stime
        else:  # Windows: no per-child rusage
            proc.wait()
            wall, maxrss, cpu = time.perf_counter() - start, None, None
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode(
            "utf-8", "replace")
    if proc.returncode != 0:
        raise ChildFailed(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{stderr[-2000:]}")
    return {"wall": wall, "maxrss_kb": maxrss, "cpu": cpu, "stdout": stdout}


def child_json(args: list[str], cwd: Path = ROOT) -> dict:
    """A :mod:`benchmarks.child` job's own report, with the wall and CPU time seen from
    outside. ``cwd`` a checkout of another version runs that version's code."""
    run = run_child([sys.executable, "-m", "benchmarks.child", *map(str, args)], cwd=cwd)
    report = json.loads(run["stdout"].strip().splitlines()[-1])
    report["wall"], report["cpu"] = run["wall"], run["cpu"]
    return report


def _own_rss_mb() -> float:
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def repeated(n: int, job) -> list:
    return [job() for _ in range(n)]


def medians(reports: list[dict], keys: tuple[str, ...]) -> dict:
    return {k: median([r.get(k) for r in reports]) for k in keys}


# --- the jobs ----------------------------------------------------------------------

def bench_startup(repeat: int, tmp: Path) -> dict:
    py = sys.executable
    out = tmp / "sample - Scorecards.xlsx"
    cmds = {
        "bare": [py, "-c", "pass"],
        "import_kpi_core": [py, "-c", "import kpi_core"],
        "cli_help": [py, "-m", "addin.cli", "--help"],
        "regenerate_sample": [py, "-m", "addin.cli", "regenerate", str(SAMPLE), "-o", str(out)],
    }
    for cmd in cmds.values():  # warm the file cache and the .pyc files, untimed
        run_child(cmd)
    runs: dict[str, list[float]] = {k: [] for k in cmds}
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(repeat):  # interleaved, so load on the machine hits every job alike
        for key, cmd in cmds.items():
            run = run_child(cmd)
            runs[key].append(run["wall"])
            cpu[key].append(run["cpu"])
    result = {k: median(v) for k, v in runs.items()}
    result["regenerate_sample_minus_bare"] = result["regenerate_sample"] - result["bare"]
    result["cpu"] = {k: median(v) for k, v in cpu.items()}
    result["runs"] = runs
    return result


def bench_size(n: int, repeat: int, tmp: Path, book: Path | None = None) -> dict:
    book = book or workbook_path(n)
    out = tmp / f"scorecard-{n}-{book.stem}.xlsx"
    cli = [sys.executable, "-m", "addin.cli", "regenerate", str(book), "-o", str(out)]
    run_child(cli)  # untimed warm-up
    walls, rss, stages = [], [], []
    for _ in range(repeat):
        run = run_child(cli)
        walls.append(run["wall"])
        rss.append(run["maxrss_kb"])
        stages.append(child_json(["stages", book, out]))
    split = medians(stages, ("import", "read", "assess", "build", "write", "pipeline"))
    wall = median(walls)
    return {
        "measures": n, "portfolios": portfolios_for(n), "book": str(book),
        "wall": wall, "wall_runs": walls,
        "peak_mb": median(rss) / 1024 if median(rss) is not None else None,
        "stages": split, "stage_runs": stages,
        "stages_peak_mb": median([r["maxrss_kb"] for r in stages]) / 1024,
        "wall_per_measure_us": wall / n * 1e6,
        "pipeline_per_measure_us": split["pipeline"] / n * 1e6,
    }


def bench_budget(n: int, repeat: int, tmp: Path, release: Path | None, comparators: bool,
                 pandas: bool, history: bool = True) -> dict:
    """SPEC section 9's jobs at ``n`` measures, interleaved in one run (each round runs
    every job once, so load on the machine hits them alike): the CLI on the plain
    workbook, with History, with History and Comparators; the pandas script a user
    writes instead (:mod:`benchmarks.pandas_script`), whole process against whole
    process; bare XlsxWriter writing the same cells; kpi_core's stages; and, with
    ``release`` (a checkout of the last release), its CLI and stages on the same
    workbook."""
    books = {"plain": workbook_path(n)}
    if history:
        books["history"] = history_workbook_path(n)
    if comparators:
        books["comparators"] = comparators_workbook_path(n)
    cells = tmp / f"cells-{n}.json"
    child_json(["stages", books["plain"], tmp / "prep.xlsx", "--cells", cells])
    py = sys.executable
    jobs: dict[str, tuple[list[str], Path]] = {
        k: ([py, "-m", "addin.cli", "regenerate", str(b), "-o", str(tmp / f"ours-{k}.xlsx")],
            ROOT) for k, b in books.items()}
    if pandas:
        jobs["pandas"] = ([py, str(ROOT / "benchmarks" / "pandas_script.py"),
                           str(books["plain"]), str(tmp / "pandas.xlsx")], ROOT)
    if release:
        jobs["release"] = ([py, "-m", "addin.cli", "regenerate", str(books["plain"]), "-o",
                            str(tmp / "release.xlsx")], release)
    stage_jobs: dict[str, tuple[list, Path]] = {
        "ours": (["stages", books["plain"], tmp / "ours-st.xlsx"], ROOT),
        "bare": (["bare", cells, tmp / "bare.xlsx"], ROOT)}
    if release:
        stage_jobs["release"] = (["stages", books["plain"], tmp / "release-st.xlsx"], release)
    for cmd, cwd in jobs.values():  # warm-up, untimed
        run_child(cmd, cwd=cwd)
    runs: dict[str, list[dict]] = {k: [] for k in jobs}
    stages: dict[str, list[dict]] = {k: [] for k in stage_jobs}
    for _ in range(repeat):
        for key, (cmd, cwd) in jobs.items():
            runs[key].append(run_child(cmd, cwd=cwd))
        for key, (args, cwd) in stage_jobs.items():
            stages[key].append(child_json(args, cwd=cwd))
    result: dict = {"measures": n, "repeat": repeat,
                    "release_checkout": str(release) if release else None,
                    "books": {k: str(b) for k, b in books.items()}}
    for key, found in runs.items():
        result[key] = {"wall": median([r["wall"] for r in found]),
                       "cpu": median([r["cpu"] for r in found]),
                       "peak_mb": (median([r["maxrss_kb"] for r in found]) or 0) / 1024,
                       "wall_runs": [r["wall"] for r in found],
                       "cpu_runs": [r["cpu"] for r in found]}
        if key == "pandas":  # the script's own split
            split = [json.loads(r["stdout"].strip().splitlines()[-1]) for r in found]
            result[key]["stages"] = medians(split, ("import", "read", "rag", "write"))
    result["stages"] = {k: medians(v, ("import", "read", "assess", "build", "write",
                                       "pipeline"))
                        for k, v in stages.items() if k != "bare"}
    result["bare_write"] = median([r["write"] for r in stages["bare"]])
    result["ours_build_write"] = median([r["build"] + r["write"] for r in stages["ours"]])
    return result


def bench_kpi_rag(repeat: int) -> dict:
    return child_json(["kpi_rag", KPI_RAG_ROWS, max(4 * repeat + 1, 5)])


def build_frozen() -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", str(ROOT / "build" / "kpi-scorecard.spec"),
                    "--distpath", str(ROOT / "build" / "dist"),
                    "--workpath", str(ROOT / "build" / "work"), "--noconfirm",
                    "--log-level", "WARN"], cwd=ROOT, check=True)


def bench_frozen(repeat: int, tmp: Path) -> dict | None:
    if not FROZEN.exists():
        return None
    out = tmp / "frozen - Scorecards.xlsx"
    cmds = {"help": [str(FROZEN), "--help"],
            "regenerate_sample": [str(FROZEN), "regenerate", str(SAMPLE), "-o", str(out)]}
    for cmd in cmds.values():
        run_child(cmd, cwd=tmp)
    runs = {k: [run_child(c, cwd=tmp)["wall"] for _ in range(repeat)] for k, c in cmds.items()}
    return {**{k: median(v) for k, v in runs.items()}, "runs": runs, "path": str(FROZEN)}


# --- the table -----------------------------------------------------------------------

def bench_publication(repeat: int, tmp: Path) -> dict:
    """The sample's web page and committee PDF: in-process stages and cold CLI runs."""
    py = sys.executable
    out = tmp / "publish - Scorecards.xlsx"
    base = [py, "-m", "addin.cli", "regenerate", str(SAMPLE), "-o", str(out)]
    have_pdf = all(importlib.util.find_spec(m) is not None for m in ("weasyprint", "pikepdf"))
    cmds = {"xlsx": base, "html": base + ["--html"]}
    if have_pdf:
        cmds["pdf"] = base + ["--pdf"]
    for cmd in cmds.values():  # warm-up, untimed
        run_child(cmd)
    runs: dict[str, list[float]] = {k: [] for k in cmds}
    stages = []
    folder = tmp / "publish"
    folder.mkdir(exist_ok=True)
    for _ in range(repeat):
        for key, cmd in cmds.items():
            runs[key].append(run_child(cmd)["wall"])
        stages.append(child_json(["publish", SAMPLE, folder]))
    result = {k: median(v) for k, v in runs.items()}
    result["html_stage"] = median([r["html"] for r in stages])
    result["read_build_stage"] = median([r["read_build"] for r in stages])
    result["pdf_stage"] = median([r["pdf"] for r in stages])
    result["html_bytes"] = stages[-1]["html_bytes"]
    result["runs"] = runs
    result["pdf_available"] = have_pdf
    return result


def _row(job: str, ours, baseline=None, ratio=None, budget: str = "", met=None, unit="s") -> dict:
    return {"job": job, "ours": ours, "baseline": baseline, "ratio": ratio, "budget": budget,
            "met": met, "unit": unit}


def budget_rows(r: dict) -> list[dict]:
    rows = []
    s = r["startup"]
    bare = s["bare"]
    rows.append(_row("python -c pass (bare interpreter start)", bare))
    rows.append(_row("python -c 'import kpi_core'", s["import_kpi_core"], bare,
                     s["import_kpi_core"] / bare))
    rows.append(_row("kpi-scorecard --help, cold", s["cli_help"], bare, s["cli_help"] / bare))
    rows.append(_row("regenerate sample workbook, cold CLI", s["regenerate_sample"], bare,
                     s["regenerate_sample"] / bare, f"<= {BUDGET_SAMPLE_S} s",
                     s["regenerate_sample"] <= BUDGET_SAMPLE_S))
    rows.append(_row("  same, minus bare interpreter start", s["regenerate_sample_minus_bare"]))
    if s.get("cpu", {}).get("regenerate_sample") is not None:
        c = s["cpu"]
        rows.append(_row("  same, CPU time (bare interpreter: CPU time)", c["regenerate_sample"],
                         c["bare"], c["regenerate_sample"] / c["bare"]))
    f = r.get("frozen")
    if f:
        rows.append(_row("frozen onedir: --help", f["help"], bare, f["help"] / bare))
        rows.append(_row("frozen onedir: regenerate sample", f["regenerate_sample"], bare,
                         f["regenerate_sample"] / bare, f"<= {BUDGET_FROZEN_S} s",
                         f["regenerate_sample"] <= BUDGET_FROZEN_S))
    else:
        rows.append(_row("frozen onedir: regenerate sample (not built)", None, None, None,
                         f"<= {BUDGET_FROZEN_S} s"))
    for n, z in r["regenerate"].items():
        label = f"regenerate {int(n):,} measures / {z['portfolios']} portfolios"
        rows.append(_row(label + ", wall", z["wall"], bare, z["wall"] / bare))
    rows += _budget_rows(r.get("budget"))
    p = r.get("publication")
    if p:
        html_total = p["read_build_stage"] + p["html_stage"]
        rows.append(_row("sample web page: read + build + render + write, in-process",
                         html_total, None, None, f"<= {BUDGET_HTML_S} s",
                         html_total <= BUDGET_HTML_S))
        rows.append(_row("sample web page: render + write alone", p["html_stage"]))
        rows.append(_row("regenerate sample --html, cold CLI (xlsx + html)", p["html"],
                         p["xlsx"], p["html"] / p["xlsx"], unit="x without --html"))
        if p["pdf_available"]:
            rows.append(_row("sample committee PDF, in-process (WeasyPrint's import included)",
                             p["pdf_stage"]))
            rows.append(_row("regenerate sample --pdf, cold CLI (xlsx + pdf)", p["pdf"],
                             p["xlsx"], p["pdf"] / p["xlsx"], f"<= {BUDGET_PDF_S:g} s",
                             p["pdf"] <= BUDGET_PDF_S, unit="x without --pdf"))
    k = r.get("kpi_rag")
    if not k:
        return rows
    rows.append(_row(f"KPI_RAG over {k['rows']:,} rows, one call", k["array_median"], None, None,
                     f"<= {BUDGET_KPI_RAG_S * 1000:g} ms", k["array_median"] <= BUDGET_KPI_RAG_S))
    rows.append(_row("KPI_RAG, per scalar call", k["per_scalar"]))
    if "array9_median" in k:
        rows.append(_row(f"KPI_RAG over {k['rows']:,} rows, all nine arguments",
                         k["array9_median"], k["array_median_interleaved"],
                         k["array9_median"] / k["array_median_interleaved"],
                         f"<= {BUDGET_KPI_RAG_S * 1000:g} ms",
                         k["array9_median"] <= BUDGET_KPI_RAG_S, "x three arguments"))
        rows.append(_row("  same, CPU time (thread_time)", k["array9_cpu_median"],
                         k["array_cpu_median"], k["array9_cpu_median"] / k["array_cpu_median"],
                         f"<= {BUDGET_KPI_RAG_S * 1000:g} ms",
                         k["array9_cpu_median"] <= BUDGET_KPI_RAG_S, "x three arguments"))
    g = r.get("growth")
    if g:
        rows.append(_row("growth 1,000 -> 20,000 (per-measure time ratio)", g["ratio"], None, None,
                         f"<= {BUDGET_GROWTH:g} (linear = 1)", g["ratio"] <= BUDGET_GROWTH,
                         "ratio"))
    return rows


def _budget_rows(b: dict | None) -> list[dict]:
    """The rows of :func:`bench_budget`: SPEC section 9's jobs at 5,000 measures."""
    if not b:
        return []
    rows = []
    n = f"{b['measures']:,} measures"
    plain = b["plain"]
    relevant = b["measures"] == BUDGET_SIZE
    p = b.get("pandas")
    if p:
        for what in ("wall", "cpu"):
            ratio = p[what] / plain[what]
            rows.append(_row(f"{n}: CLI process vs the pandas script's process ({what})",
                             plain[what], p[what], ratio,
                             f">= {BUDGET_VS_PANDAS:g}x faster (goal {GOAL_VS_PANDAS:g}x)"
                             if relevant else "",
                             ratio >= BUDGET_VS_PANDAS if relevant else None, "x faster"))
        rows.append(_row(f"{n}: pandas script, peak memory", p["peak_mb"], unit="MB"))
    rows.append(_row(f"{n}: CLI process, peak memory", plain["peak_mb"], None, None,
                     f"<= {BUDGET_5K_MB} MB" if relevant else "",
                     plain["peak_mb"] <= BUDGET_5K_MB if relevant else None, "MB"))
    ratio = b["ours_build_write"] / b["bare_write"]
    rows.append(_row(f"{n}: build + write vs bare XlsxWriter, same cells",
                     b["ours_build_write"], b["bare_write"], ratio,
                     f"<= {BUDGET_VS_BARE:g}x" if relevant else "",
                     ratio <= BUDGET_VS_BARE if relevant else None, "x the floor"))
    h = b.get("history")
    if h:
        for what in ("wall", "cpu"):
            ratio = h[what] / plain[what]
            rows.append(_row(f"{n} + 8 periods of History ({what})", h[what], plain[what],
                             ratio, f"<= {BUDGET_HISTORY_X:g}x the plain job",
                             ratio <= BUDGET_HISTORY_X, "x plain"))
        rows.append(_row(f"{n} + History, peak memory", h["peak_mb"], unit="MB"))
    c = b.get("comparators")
    if c:
        for what in ("wall", "cpu"):
            ratio = c[what] / plain[what]
            rows.append(_row(f"{n} + History + {AUTHORITIES} authorities of Comparators "
                             f"({what})", c[what], plain[what], ratio,
                             f"<= {BUDGET_COMPARATORS_X:g}x the plain job",
                             ratio <= BUDGET_COMPARATORS_X, "x plain"))
        rows.append(_row(f"{n} + History + Comparators, peak memory", c["peak_mb"], None,
                         None, f"<= {BUDGET_COMPARATORS_MB} MB",
                         c["peak_mb"] <= BUDGET_COMPARATORS_MB, "MB"))
    if b.get("release"):
        r = b["release"]
        for what in ("wall", "cpu"):
            rows.append(_row(f"{n}: CLI process vs the last release's ({what})", plain[what],
                             r[what], r[what] / plain[what], unit="x faster"))
        rows.append(_row(f"{n}: the last release's peak memory", r["peak_mb"], unit="MB"))
    return rows


def _fmt(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "ratio":
        return f"{value:.2f}"
    if value < 0.001:
        return f"{value * 1e6:.1f} us"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def print_table(rows: list[dict], result: dict, stream=sys.stdout) -> None:
    header = ("job", "ours", "baseline", "ratio", "budget", "met")
    lines = [header]
    for row in rows:
        ratio = "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        if row["ratio"] is not None and row["unit"].startswith("x"):
            ratio = f"{row['ratio']:.2f}{row['unit']}"
        elif row["ratio"] is not None:
            ratio = f"{row['ratio']:.2f}x bare"
        if row["unit"] == "ratio":
            ratio = "-"
        met = "" if row["met"] is None else ("yes" if row["met"] else "NO")
        lines.append((row["job"], _fmt(row["ours"], row["unit"]),
                      _fmt(row["baseline"], row["unit"] if row["unit"] != "ratio" else "s"),
                      ratio, row["budget"], met))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for i, line in enumerate(lines):
        print("  ".join(str(v).ljust(w) for v, w in zip(line, widths)).rstrip(), file=stream)
        if i == 0:
            print("  ".join("-" * w for w in widths), file=stream)
    print(file=stream)
    print("stages (median, in-process, s) and time per measure:", file=stream)
    print(f"{'measures':>9} {'portf.':>6} {'read':>7} {'assess':>7} {'build':>7} {'write':>7} "
          f"{'chain':>7} {'wall':>7} {'peak MB':>8} {'chain us/m':>10} {'wall us/m':>10}",
          file=stream)
    for n, z in result["regenerate"].items():
        st = z["stages"]
        print(f"{int(n):>9,} {z['portfolios']:>6} {st['read']:>7.3f} {st['assess']:>7.3f} "
              f"{st['build']:>7.3f} {st['write']:>7.3f} {st['pipeline']:>7.3f} {z['wall']:>7.3f} "
              f"{(z['peak_mb'] or 0):>8.0f} {z['pipeline_per_measure_us']:>10.1f} "
              f"{z['wall_per_measure_us']:>10.1f}", file=stream)
    b = result.get("budget")
    if b:
        print(f"\n{b['measures']:,} measures, by stage (median, in-process, s), interleaved:",
              file=stream)
        names = ("import", "read", "assess", "build", "write", "pipeline")
        print(f"{'':>14} " + " ".join(f"{k:>8}" for k in names), file=stream)
        for key in ("release", "ours"):
            if key in b["stages"]:
                label = "last release" if key == "release" else "now"
                print(f"{label:>14} " + " ".join(f"{b['stages'][key][k]:>8.3f}" for k in names),
                      file=stream)
        if b.get("pandas"):
            ps = b["pandas"]["stages"]
            print("pandas script: " + ", ".join(f"{k} {v:.3f}" for k, v in ps.items()),
                  file=stream)
    if result.get("kpi_rag"):
        print(f"\nKPI_RAG timed: {result['kpi_rag']['source']}", file=stream)


def growth(regenerate: dict) -> dict | None:
    if "1000" not in regenerate or "20000" not in regenerate:
        return None
    small, big = regenerate["1000"], regenerate["20000"]
    return {"ratio": (big["stages"]["pipeline"] / small["stages"]["pipeline"]) / 20,
            "wall_ratio": (big["wall"] / small["wall"]) / 20,
            "basis": "in-process chain (read -> file); wall_ratio includes process start-up"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="measures per synthetic workbook, comma-separated")
    parser.add_argument("--repeat", type=int, help="runs per job (median); default 5, quick 1")
    parser.add_argument("--quick", action="store_true",
                        help="one run per job, pandas with openpyxl only")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument("--frozen", action="store_true",
                        help="build the PyInstaller onedir executable first")
    parser.add_argument("--no-comparators", action="store_true",
                        help="skip the History + Comparators job (its workbook takes minutes "
                        "to write the first time)")
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas baselines")
    parser.add_argument("--no-history", action="store_true",
                        help="skip the History job (eight periods per measure)")
    parser.add_argument("--release", type=Path,
                        help="a checkout of the last release (git worktree add ... <commit>): "
                        "its CLI and stages run interleaved with this one's")
    parser.add_argument("--only-budget", action="store_true",
                        help="only the jobs at 5,000 measures and the sample's start-up")
    args = parser.parse_args(argv)
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    repeat = args.repeat or (1 if args.quick else 5)
    pandas = not args.no_pandas and all(importlib.util.find_spec(m) is not None
                                        for m in ("pandas", "jinja2", "openpyxl"))
    say = lambda msg: print(f"... {msg}", file=sys.stderr, flush=True)  # noqa: E731

    if args.frozen:
        say("building the frozen executable (PyInstaller)")
        build_frozen()
    result: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "repeat": repeat, "sizes": sizes, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    with tempfile.TemporaryDirectory(prefix="kpi-bench-") as name:
        tmp = Path(name)
        for n in sizes:  # in a child, so this process stays small (children inherit its RSS peak)
            say(f"synthetic workbook of {n:,} measures")
            subprocess.run([sys.executable, "-c", "import sys; from benchmarks.synthetic import "
                            f"workbook_path; workbook_path({n})"], cwd=ROOT, check=True)
        history_at = BUDGET_SIZE if BUDGET_SIZE in sizes else max(sizes)
        if not args.no_history:
            say(f"synthetic workbook of {history_at:,} measures with History")
            subprocess.run([sys.executable, "-c", "from benchmarks.synthetic import "
                            f"history_workbook_path; history_workbook_path({history_at})"],
                           cwd=ROOT, check=True)
        compare_at = BUDGET_SIZE if BUDGET_SIZE in sizes else max(sizes)
        if not args.no_comparators:
            say(f"synthetic workbook of {compare_at:,} measures with History and Comparators "
                "(the first time: minutes)")
            subprocess.run([sys.executable, "-c", "from benchmarks.synthetic import "
                            f"comparators_workbook_path; comparators_workbook_path({compare_at})"],
                           cwd=ROOT, check=True)
        # As installed (pip compiles every module it installs; the frozen build holds
        # bytecode too): our checkouts' bytecode is written before any job is timed, else
        # with PYTHONDONTWRITEBYTECODE set each of our processes compiles its modules
        # from source while the pandas script loads site-packages' compiled ones.
        for checkout in [ROOT, *([args.release] if args.release else [])]:
            compile_checkout(checkout)
        result["runner_rss_mb"] = _own_rss_mb()
        say("start-up")
        result["startup"] = bench_startup(repeat, tmp)
        result["regenerate"] = {}
        for n in ([] if args.only_budget else sizes):
            say(f"regenerate {n:,} measures")
            result["regenerate"][str(n)] = bench_size(n, repeat, tmp)
        say(f"SPEC section 9's jobs at {compare_at:,} measures, interleaved"
            + ("" if pandas else " (pandas skipped)")
            + (f", with the last release in {args.release}" if args.release else ""))
        result["budget"] = bench_budget(compare_at, repeat, tmp, args.release,
                                        not args.no_comparators, pandas, not args.no_history)
        if not args.only_budget:
            say("KPI_RAG")
            result["kpi_rag"] = bench_kpi_rag(repeat)
            say("frozen executable" + ("" if FROZEN.exists() else ": not built, skipped"))
            result["frozen"] = bench_frozen(repeat, tmp)
            say("publication: web page and committee PDF of the sample")
            result["publication"] = bench_publication(repeat, tmp)
    result["growth"] = growth(result["regenerate"])
    result["budgets"] = budget_rows(result)
    print_table(result["budgets"], result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"\nWrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
