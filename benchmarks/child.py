"""The jobs the benchmark runs, each in a fresh process: ``python -m benchmarks.child JOB ...``.

Each prints one JSON object on stdout: its timings (``perf_counter``, seconds, after
its imports unless named ``import``) and its own peak memory (``maxrss_kb``).

``stages BOOK OUT [--cells JSON]``   kpi_core's chain, stage by stage: read, assess,
                                     build, write (the chain of kpi_core.pipeline);
                                     ``--cells`` also saves the scorecard's data rows
                                     (after timing) for the baseline below
``bare CELLS OUT``                   the same cells with XlsxWriter and no logic (the floor):
                                     the portfolio tables' rows and the Data sheet's cells
                                     (the pandas script a user writes instead is
                                     benchmarks/pandas_script.py, its own process)
``kpi_rag ROWS REPEAT``              KPI_RAG over ROWS rows in one call, and per scalar call;
                                     then with all nine arguments as columns,
                                     interleaved with the three-argument call
``publish BOOK FOLDER``              the web page and the committee PDF of BOOK: read +
                                     assess + build, then the page (render and write),
                                     then the PDF (print page, LibreOffice Writer, pikepdf)
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time

clock = time.perf_counter


def _fills() -> dict[str, tuple[str, str]]:
    """The RAG fills and text colours of the scorecard's theme, by status word, for the
    baselines (read before their clocks start: they import no kpi_core)."""
    from kpi_core.model import RAG_STATUSES
    from kpi_core.publishing.theme import RAG_COLOURS, RAG_TEXT_COLOURS
    return {s.value: (RAG_COLOURS[s], RAG_TEXT_COLOURS[s]) for s in RAG_STATUSES}


def _maxrss_kb() -> int:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss  # macOS gives bytes


def _vmhwm_kb() -> int | None:
    """Peak RSS of this process image alone (Linux); ru_maxrss can carry the parent's."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _emit(result: dict) -> None:
    result["maxrss_kb"] = _vmhwm_kb() or _maxrss_kb()
    print(json.dumps(result))


def job_stages(book: str, out: str, cells: str | None = None) -> None:
    t0 = clock()
    from addin.cli import gc_paused
    from kpi_core.pipeline import assess_workbook
    from kpi_core.reading.workbook import read_workbook
    from kpi_core.publishing.xlsx import write_scorecard
    from kpi_core.publishing.scorecard import build_scorecard
    t1 = clock()
    with gc_paused():  # as the command line runs it
        result = _stages(book, out, cells, t0, t1, read_workbook, assess_workbook,
                         build_scorecard, write_scorecard)
    _emit(result)


def _stages(book, out, cells, t0, t1, read_workbook, assess_workbook, build_scorecard,
            write_scorecard) -> dict:
    workbook = read_workbook(book)
    t2 = clock()
    assessments = assess_workbook(workbook)
    t3 = clock()
    scorecard = build_scorecard(assessments, workbook.settings)
    t4 = clock()
    write_scorecard(scorecard, out)
    t5 = clock()
    result = {"import": t1 - t0, "read": t2 - t1, "assess": t3 - t2, "build": t4 - t3,
              "write": t5 - t4, "pipeline": t5 - t1, "measures": len(workbook.measures),
              "errors": len(workbook.errors),
              "comparator_rows": sum(len(m.comparators) for m in workbook.measures)}
    if cells:
        save_cells(scorecard, cells)
    return result


def save_cells(scorecard, path: str) -> None:
    """The scorecard's measure rows (not titles, counts or charts), per portfolio sheet:
    ``{"headers": [...], "sheets": {name: [[[value, style], ...], ...]}, "data": rows}``,
    ``data`` the Data sheet's table (header row first, values only): the bare XlsxWriter
    baseline writes it too (the same cells as our file)."""
    from kpi_core.publishing.data_sheet import DATA_SHEET
    from kpi_core.publishing.measure_rows import TABLE_HEADERS
    from kpi_core.publishing.spec import Sparkline, Table

    sheets, data = {}, []
    for sheet in scorecard.sheets[1:]:
        if sheet.name == DATA_SHEET:
            for block in sheet.blocks:
                if isinstance(block, Table) and block.header is not None:
                    data = [[c.value for c in block.header]]
                    data += [[None if isinstance(c.value, Sparkline) else c.value for c in row]
                             for row in block.cell_rows()]
            continue
        rows = []
        for block in sheet.blocks:
            if isinstance(block, Table) and block.header is not None:
                rows += [[[c.value, c.style] for c in row] for row in block.rows
                         if len(row) == len(TABLE_HEADERS)]
        sheets[sheet.name] = rows
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({"headers": list(TABLE_HEADERS), "sheets": sheets, "data": data}, fh)


def _load_cells(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def job_bare(cells_path: str, out: str) -> None:
    data = _load_cells(cells_path)
    fills = _fills()
    t0 = clock()
    import gc

    import xlsxwriter
    gc.disable()  # the same as our command line, so the floor is no higher than ours
    t1 = clock()
    workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False, "in_memory": True})
    plain = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    rag = {word: workbook.add_format({"border": 1, "bold": True, "bg_color": fill,
                                      "font_color": text})
           for word, (fill, text) in fills.items()}
    headers = data["headers"]
    for name, rows in data["sheets"].items():
        ws = workbook.add_worksheet(name)
        ws.write_row(0, 0, headers, plain)
        for r, row in enumerate(rows, start=1):
            for c, (value, _style) in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value, rag.get(value, plain) if c == 4 else plain)
                else:
                    ws.write_number(r, c, value, plain)
    if data.get("data"):  # the Data sheet's cells: plain, as our file has them
        ws = workbook.add_worksheet("Data")
        for r, row in enumerate(data["data"]):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
    workbook.close()
    t2 = clock()
    _emit({"import": t1 - t0, "write": t2 - t1})


def _rag_columns(rows: int):
    """Deterministic columns for KPI_RAG: current, target, polarity, tolerance, threshold."""
    import random
    rng = random.Random(10_000)
    current, target, polarity = [], [], []
    for _ in range(rows):
        t = round(rng.uniform(0.1, 0.9), 3)
        target.append(t)
        current.append(round(t * rng.uniform(0.7, 1.3), 3))
        polarity.append(rng.choice(("Higher is better", "Lower is better")))
    return current, target, polarity


def _rag_columns_nine(rows: int):
    """All nine KPI_RAG arguments, as a council's table fills them: every polarity
    (Within range with its upper bound), tolerances relative and absolute, green
    bands, some amber thresholds beyond the green bound, stretch targets."""
    import random
    rng = random.Random(9_000)
    cols = [[] for _ in range(9)]
    for i in range(rows):
        t = round(rng.uniform(0.1, 0.9), 3)
        pol = ("Higher is better", "Lower is better", "Within range")[i % 3]
        absolute = i % 4 == 0
        tol = round(0.1 * t, 4) if absolute else rng.choice((0.05, 0.1))
        green = round(0.02 * t, 4) if absolute else rng.choice((0.0, 0.02, 0.05))
        upper = round(t * 1.2, 3) if pol == "Within range" else None
        threshold = None
        if pol != "Within range" and i % 5 == 0:
            threshold = round(t * (0.8 if pol.startswith("Higher") else 1.2), 3)
        stretch = None
        if pol != "Within range" and i % 2 == 0:
            stretch = round(t * (1.05 if pol.startswith("Higher") else 0.95), 3)
        row = (round(t * rng.uniform(0.7, 1.3), 3), t, pol, tol, threshold, upper, green,
               "Absolute" if absolute else "Relative", stretch)
        for col, value in zip(cols, row):
            col.append(value)
    return cols


def job_kpi_rag(rows: int, repeat: int) -> None:
    """KPI_RAG from addin.udfs when it exists; else kpi_core.assessing.rules.assess_values (its core)."""
    t0 = clock()
    current, target, polarity = _rag_columns(rows)
    try:
        from addin.udfs import KPI_RAG  # noqa: N811
        source = "addin.udfs.KPI_RAG"
        func = getattr(KPI_RAG, "__wrapped__", KPI_RAG)

        def array_call():
            return func([[v] for v in current], [[v] for v in target],
                        [[v] for v in polarity])

        def scalar_call(i):
            return func(current[i], target[i], polarity[i])

        array_call()  # the signature must work before it is timed
    except ImportError:
        from kpi_core.model import Polarity
        from kpi_core.assessing.rules import assess_values
        source = "kpi_core.assessing.rules.assess_values (addin/udfs.py not written yet)"
        words = {p.value: p for p in Polarity}

        def array_call():
            return [assess_values(c, t, words[p])[0].value
                    for c, t, p in zip(current, target, polarity)]

        def scalar_call(i):
            return assess_values(current[i], target[i], words[polarity[i]])[0].value
    t1 = clock()
    runs = []
    for _ in range(repeat):
        start = clock()
        array_call()
        runs.append(clock() - start)
    start = clock()
    for i in range(rows):
        scalar_call(i)
    per_scalar = (clock() - start) / rows
    nine = {}
    if source == "addin.udfs.KPI_RAG":
        columns = [[[v] for v in col] for col in _rag_columns_nine(rows)]
        answer = func(*columns)  # every argument a column; the answers must be statuses
        bad = [row[0] for row in answer if row[0].startswith("#KPI!")]
        assert not bad, bad[:3]
        runs9, cpu9, cpu3 = [], [], []
        cpu = time.thread_time  # CPU time of this thread: steadier than wall on a shared machine
        for _ in range(repeat):  # interleaved with the three-argument call: same conditions
            start, start_cpu = clock(), cpu()
            func(*columns)
            runs9.append(clock() - start)
            cpu9.append(cpu() - start_cpu)
            start, start_cpu = clock(), cpu()
            array_call()
            runs.append(clock() - start)
            cpu3.append(cpu() - start_cpu)
        nine = {"array9_median": statistics.median(runs9), "array9_runs": runs9,
                "array_median_interleaved": statistics.median(runs[repeat:]),
                "array9_cpu_median": statistics.median(cpu9),
                "array_cpu_median": statistics.median(cpu3),
                "statuses9": sorted({row[0] for row in answer})}
    _emit({"import": t1 - t0, "array_median": statistics.median(runs[:repeat]),
           "array_runs": runs[:repeat], "per_scalar": per_scalar, "rows": rows,
           "source": source, **nine})


def job_publish(book: str, folder: str) -> None:
    t0 = clock()
    from pathlib import Path

    import importlib.util

    from kpi_core.pipeline import assess_workbook, write_pdf
    from kpi_core.publishing.html import write_html
    from kpi_core.publishing.scorecard import build_scorecard
    from kpi_core.reading.workbook import read_workbook
    t1 = clock()
    workbook = read_workbook(book)
    card = build_scorecard(assess_workbook(workbook), workbook.settings)
    t2 = clock()
    page = write_html(card, Path(folder, "page.html"))
    t3 = clock()
    result = {"import": t1 - t0, "read_build": t2 - t1, "html": t3 - t2,
              "html_bytes": page.stat().st_size, "pdf": None}
    if all(importlib.util.find_spec(m) is not None for m in ("weasyprint", "pikepdf")):
        write_pdf(card, Path(folder, "card.pdf"))
        result["pdf"] = clock() - t3
    _emit(result)


def main(argv: list[str]) -> None:
    job, *args = argv
    if job == "stages":
        cells = None
        if "--cells" in args:
            i = args.index("--cells")
            cells = args[i + 1]
            del args[i:i + 2]
        job_stages(*args, cells=cells)
    elif job == "bare":
        job_bare(*args)
    elif job == "publish":
        job_publish(*args)
    elif job == "kpi_rag":
        job_kpi_rag(int(args[0]), int(args[1]))
    else:
        raise SystemExit(f"unknown job {job!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
