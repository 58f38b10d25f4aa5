"""``collect`` of 25 returns covering 5,000 measures against reading the same cells
(SPEC section 9: within 2x).

    python -m benchmarks.collect [--measures 5000] [--owners 25] [--repeat 7]

The workbook is the synthetic one of :mod:`benchmarks.synthetic` with the quarter open
(Current, Data Status and Notes blank) and one Owner per 200 measures; ``returns``
writes the 25 returns, each filled in (openpyxl, once, cached) with a figure for every
measure, a Data Status on some and a note on a third. Then, interleaved in one
process with the garbage collector paused (as the command line runs):

- **read**: the reader reading the same cells, as every command reads them: BOOK's
  Measures and Settings tables (``read_tables``) typed into measures and settings
  (``parse_tables``: the one parser, every problem with its cell), and each return's
  sheet (``read_sheet``). The budget's baseline;
- **scan**: the same cells scanned only, untyped (``read_tables`` and ``read_sheet``),
  shown for comparison;
- **collect**: :func:`kpi_core.authoring.collecting.collect`, whole: BOOK read and typed,
  the returns read and parsed, the plan, the part-by-part write of OUT and its read-back.

Prints the median wall time of each and the ratios, and the same ratios of CPU time
(steadier on a shared machine); ``--json`` writes them.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from .synthetic import cache_dir, synthetic_rows

VERSION = 1
BUDGET_RATIO = 2.0


def prepare(n: int, owners: int) -> tuple[Path, list[Path]]:
    """The open-quarter workbook and its filled returns, written once and cached."""
    folder = cache_dir() / f"collect-v{VERSION}-{n}-{owners}"
    book = folder / "book.xlsx"
    done = folder / "ready"
    if done.exists():
        return book, sorted((folder / "returns").glob("*.xlsx"))
    import openpyxl

    from kpi_core.authoring.returns import write_returns
    from kpi_core.authoring.template import write_performance_workbook

    folder.mkdir(parents=True, exist_ok=True)
    measures, benchmarks, settings = synthetic_rows(n)
    per = max(1, n // owners)
    for i, m in enumerate(measures):
        for field in ("Current", "Data Status", "Notes", "RAG Override", "Override Reason"):
            m.pop(field, None)
        m["Owner"] = f"Officer {min(i // per, owners - 1) + 1:02d}"
    write_performance_workbook(book, measures, benchmarks, settings,
                               title=f"Synthetic workbook, {n:,} measures, quarter open")
    units = {m["Ref"]: m["Unit"] for m in measures}
    for k, path in enumerate(write_returns(book, folder / "returns")):
        wb = openpyxl.load_workbook(path)
        ws = wb["Return"]
        top = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Ref")
        cols = {ws.cell(top, c).value: c for c in range(1, ws.max_column + 1)}
        for r in range(top + 1, ws.max_row + 1):
            ref = ws.cell(r, 1).value
            if not ref:
                continue
            j = int(ref[1:])
            if units[ref] == "%":
                ws.cell(r, cols["Current"]).value = f"{(j % 90) + 5}%" if j % 2 else (j % 90) / 100
            else:
                ws.cell(r, cols["Current"]).value = float(j % 997)
            if j % 11 == 0:
                ws.cell(r, cols["Data Status"]).value = "Available"
            if j % 3 == 0:
                ws.cell(r, cols["Notes"]).value = f"Officer {k + 1}'s commentary on {ref}."
        wb.save(path)
    done.write_text("ok")
    return book, sorted((folder / "returns").glob("*.xlsx"))


def read_same_cells(book: Path, returns: list[Path]) -> None:
    from kpi_core.reading.workbook import parse_tables
    from kpi_core.reading.xlsx import read_sheet, read_tables

    raw = read_tables(book, ("Measures", "Settings"))
    parse_tables(raw.tables, raw.sheets)
    for r in returns:
        read_sheet(r, "Return")


def scan_same_cells(book: Path, returns: list[Path]) -> None:
    from kpi_core.reading.xlsx import read_sheet, read_tables

    read_tables(book, ("Measures", "Settings"))
    for r in returns:
        read_sheet(r, "Return")


def run_collect(book: Path, returns: list[Path], out: Path) -> None:
    from kpi_core.authoring.collecting import collect

    report = collect(book, returns, out)
    if report.refused or not report.output:
        raise SystemExit("the benchmark's returns should merge whole: " + "; ".join(
            report.lines()[:5]))


def measure(n: int, owners: int, repeat: int) -> dict:
    book, returns = prepare(n, owners)
    out = book.with_name("collected.xlsx")
    from addin.cli import gc_paused

    run_collect(book, returns, out)  # warm: imports, caches, the file system
    read_same_cells(book, returns)
    times: dict[str, list[float]] = {"read": [], "scan": [], "collect": []}
    cpu: dict[str, list[float]] = {"read": [], "scan": [], "collect": []}
    for _ in range(repeat):
        for name, job in (("read", lambda: read_same_cells(book, returns)),
                          ("scan", lambda: scan_same_cells(book, returns)),
                          ("collect", lambda: run_collect(book, returns, out))):
            gc.collect()
            with gc_paused():  # as the command line runs
                start, start_cpu = time.perf_counter(), time.process_time()
                job()
                times[name].append(time.perf_counter() - start)
                cpu[name].append(time.process_time() - start_cpu)
    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    read, coll, scan = med["read"], med["collect"], med["scan"]
    return {"measures": n, "returns": len(returns), "repeat": repeat,
            "read_s": round(read, 3), "scan_s": round(scan, 3), "collect_s": round(coll, 3),
            "ratio": round(coll / read, 2), "ratio_to_scan": round(coll / scan, 2),
            "cpu_s": {k: round(v, 3) for k, v in med_cpu.items()},
            "cpu_ratio": round(med_cpu["collect"] / med_cpu["read"], 2),
            "cpu_ratio_to_scan": round(med_cpu["collect"] / med_cpu["scan"], 2),
            "budget_ratio": BUDGET_RATIO,
            "met": coll / read <= BUDGET_RATIO,
            "runs": {k: [round(t, 3) for t in v] for k, v in times.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=5_000)
    parser.add_argument("--owners", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = measure(args.measures, args.owners, args.repeat)
    print(f"collect of {result['returns']} returns covering {result['measures']:,} measures: "
          f"{result['collect_s']:.3f} s; reading the same cells: {result['read_s']:.3f} s; "
          f"ratio {result['ratio']:.2f} (budget <= {BUDGET_RATIO:g}: "
          f"{'met' if result['met'] else 'NOT met'}); the cells scanned only, untyped: "
          f"{result['scan_s']:.3f} s (ratio {result['ratio_to_scan']:.2f}); CPU time ratios "
          f"{result['cpu_ratio']:.2f} and {result['cpu_ratio_to_scan']:.2f}; medians of "
          f"{args.repeat}, interleaved")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
