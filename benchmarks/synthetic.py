"""Deterministic synthetic performance workbooks for the benchmarks.

:func:`synthetic_rows` gives the Measures and Benchmarks rows of ``n`` measures
(seeded, so a size always gives the same workbook); :func:`workbook_path` writes
it once with :func:`kpi_core.authoring.template.write_performance_workbook` and caches it
in a temporary folder.

The mix: three polarities (a tenth Within range), every unit, a few measures with
missing data (blank or a marker such as ``n/a``), annual measures not yet due,
Data Status Unavailable / Not due, measures with no target, explicit tolerances
and amber thresholds, long comments on about one in five, structured benchmarks
(one to three comparators) on half the measures and free-text benchmarking on
some of the others, a few highlighted measures. The data has no errors, so
``regenerate`` writes the scorecard.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

#: Measures -> portfolios (5,000 in 25 is SPEC section 9's budget job).
PORTFOLIOS = {100: 5, 1_000: 10, 5_000: 25, 20_000: 50}
SEED = 20161017
#: Bump when the generator changes, so cached workbooks are rebuilt.
VERSION = 1

_SERVICES = ("Children's Services", "Adult Social Care", "Public Health", "Transport",
             "Planning and Environment", "Resources", "Communities", "Education and Skills",
             "Health and Wellbeing", "Waste and Recycling")
_NAMES = ("% of plans reviewed in timescales", "Number of referrals", "Days to complete assessment",
          "Spend per resident", "Rate per 10,000 population", "% of residents satisfied",
          "% of repeat referrals", "Average waiting time", "% of roads in good repair",
          "Number of apprenticeships started")
_OUTCOMES = ("Vulnerable children are safe and protected from harm",
             "Residents live healthy, independent lives",
             "A thriving economy with good jobs", "Value for money for the taxpayer")
_SENTENCE = ("Performance has been reviewed with the service lead and an action plan agreed, "
             "with progress monitored monthly by the management team. ")
_MARKERS = ("n/a", "TBC", "-", "Data unavailable", "Not available", None)
_COMPARATORS = ("Statistical Neighbour Average", "National Average", "South East Average")
_UNITS = ("%", "%", "%", "number", "days", "\u00a3", "rate")


def portfolios_for(n: int) -> int:
    """Portfolios for ``n`` measures: the table above, else 5 to 50 by size."""
    return PORTFOLIOS.get(n, max(5, min(50, n // 200)))


def _portfolio_names(k: int) -> list[str]:
    return [f"{_SERVICES[i % len(_SERVICES)]}" + (f" {i // len(_SERVICES) + 1}" if i >= 10 else "")
            for i in range(k)]


def _figure(rng: random.Random, unit: str) -> float:
    if unit == "%":
        return round(rng.uniform(0.05, 0.98), 3)
    if unit == "\u00a3":
        return float(rng.randrange(100, 500_000))
    if unit == "days":
        return float(rng.randrange(1, 120))
    if unit == "rate":
        return round(rng.uniform(1, 900), 1)
    return float(rng.randrange(0, 5_000))


def synthetic_rows(n: int, seed: int = SEED) -> tuple[list[dict], list[dict], dict]:
    """``(measures, benchmarks, settings)`` rows of ``n`` measures, the same every time."""
    rng = random.Random(seed + n)
    names = _portfolio_names(portfolios_for(n))
    measures: list[dict] = []
    benchmarks: list[dict] = []
    for i in range(n):
        p = names[i * len(names) // n]  # contiguous blocks of measures per portfolio
        unit = rng.choice(_UNITS)
        roll = rng.random()
        polarity = ("Within range" if roll < 0.1 else "Lower is better" if roll < 0.4
                    else rng.choice(("Higher is better", "Higher", None)))
        frequency = rng.choice(("Monthly", "Quarterly", "Quarterly", "Annual"))
        target = _figure(rng, unit)
        current: object = round(target * rng.uniform(0.7, 1.3), 3 if unit == "%" else 1)
        if unit == "%":
            current = min(current, 1.0)
        row = {
            "Portfolio": p, "Cabinet Member": f"Cllr. Member {names.index(p) + 1}",
            "Ref": f"M{i + 1:05d}", "Measure": f"{rng.choice(_NAMES)} ({i + 1})",
            "Outcome": rng.choice(_OUTCOMES), "Polarity": polarity, "Unit": unit,
            "Frequency": frequency, "Target": target, "Current": current,
            "Previous": round(target * rng.uniform(0.7, 1.3), 3) if rng.random() < 0.7 else None,
        }
        if unit == "%" and row["Previous"] is not None:
            row["Previous"] = min(row["Previous"], 1.0)
        if polarity == "Within range":
            row["Target Upper"] = round(target * 1.2, 3)
        elif rng.random() < 0.1:
            row["Amber Threshold"] = round(target * (0.85 if polarity != "Lower is better"
                                                     else 1.15), 3)
        if rng.random() < 0.15:
            row["Tolerance"] = rng.choice((0.05, 0.15, 0.2))
        kind = rng.random()
        if kind < 0.05:
            row["Current"] = rng.choice(_MARKERS)           # missing data (or Not due if Annual)
        elif kind < 0.08:
            row["Data Status"] = rng.choice(("Unavailable", "Not due"))
        elif kind < 0.13:
            row["Target"] = None                             # no target
            row.pop("Target Upper", None)
            row.pop("Amber Threshold", None)
        if rng.random() < 0.2:                               # long comments
            row["Notes"] = _SENTENCE * rng.randrange(3, 9)
        elif rng.random() < 0.6:
            row["Notes"] = "On track; reviewed at the quarterly meeting."
        if i % 2 == 0:                                       # benchmarks on half the measures
            for comparator in _COMPARATORS[:rng.randrange(1, 4)]:
                benchmarks.append({"Ref": row["Ref"], "Comparator": comparator,
                                   "Year": rng.choice(("2015", "2015/16")),
                                   "Value": _figure(rng, unit)})
        elif rng.random() < 0.2:
            row["Benchmarking"] = "National Average (2015): 24%"
        if rng.random() < 0.03:
            row["Highlight"] = "Yes"
        measures.append(row)
    settings = {"Authority": "Synthetic County Council", "Period": "Q2 2016/17",
                "Default Tolerance": 0.1}
    return measures, benchmarks, settings


def cache_dir() -> Path:
    folder = Path(os.environ.get("KPI_BENCH_CACHE")
                  or Path(tempfile.gettempdir()) / "kpi-scorecard-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def workbook_path(n: int) -> Path:
    """The synthetic workbook of ``n`` measures, written on first use and cached."""
    return _written_once(cache_dir() / f"synthetic-v{VERSION}-{n}.xlsx", n, history=False)


def _written_once(path: Path, n: int, history: bool) -> Path:
    """``path``, the synthetic workbook of ``n`` measures (with eight periods of History
    each when ``history``), written the first time it is asked for."""
    if not path.exists():
        from kpi_core.authoring.template import write_performance_workbook

        measures, benchmarks, settings = synthetic_rows(n)
        write_performance_workbook(
            path, measures, benchmarks, settings,
            title=f"Synthetic performance workbook, {n:,} measures"
                  + (" with History" if history else ""),
            history=history_rows(measures) if history else None)
    return path


#: Past periods per measure in the history job (SPEC section 9: eight periods of History).
HISTORY_PERIODS = 8


def _past_labels(frequency: str, k: int, i: int) -> list[str]:
    """``k`` period labels before Q2 2016/17 for a measure of ``frequency``, oldest first,
    in the forms councils write (the parser sees every one)."""
    from kpi_core.model import Frequency, Period

    current = Period.quarter(2016, 2)
    kind = {"Monthly": Frequency.MONTHLY, "Annual": Frequency.ANNUAL}.get(frequency,
                                                                        Frequency.QUARTERLY)
    period = current.latest(kind)
    periods = []
    for _ in range(k):
        period = period.previous()
        periods.append(period)
    periods.reverse()
    labels = []
    for j, p in enumerate(periods):
        label = p.label
        if kind is Frequency.QUARTERLY and (i + j) % 3 == 1:  # 2016/17 Q1
            q, fy = label.split()
            label = f"{fy} {q}"
        elif kind is Frequency.MONTHLY and (i + j) % 2 == 1:  # 2016-06
            label = f"{p.start.year}-{p.start.month:02d}"
        elif kind is Frequency.ANNUAL and (i + j) % 2 == 1:  # 2015/2016
            label = f"{p.financial_year}/{p.financial_year + 1}"
        labels.append(label)
    return labels


def history_rows(measures: list[dict], periods: int = HISTORY_PERIODS, seed: int = SEED
                 ) -> list[dict]:
    """``periods`` History rows per measure (``Ref``, ``Period``, ``Value``, some with the
    ``Target`` then and a published ``Status``), the same every time."""
    rng = random.Random(seed)
    rows = []
    for i, m in enumerate(measures):
        target = m.get("Target")
        base = target if isinstance(target, float) else 100.0
        for j, label in enumerate(_past_labels(m.get("Frequency") or "Quarterly", periods, i)):
            value = round(base * rng.uniform(0.7, 1.3), 3)
            if m.get("Unit") == "%":
                value = min(value, 1.0)
            row = {"Ref": m["Ref"], "Period": label, "Value": value}
            if rng.random() < 0.05:
                row["Value"] = "n/a"
            if rng.random() < 0.2 and isinstance(target, float):
                row["Target"] = target
            if rng.random() < 0.1:
                row["Status"] = rng.choice(("Green", "Amber", "Red"))
            rows.append(row)
    return rows


def history_workbook_path(n: int) -> Path:
    """The synthetic workbook of ``n`` measures with eight periods of History each."""
    return _written_once(cache_dir() / f"synthetic-history-v{VERSION}-{n}.xlsx", n,
                         history=True)


# --- SPEC section 9's comparator job: 150 authorities of Comparators per measure ----------

#: Authorities per measure in the England group (ours among them), and how many of them
#: are our statistical neighbours (a second group of the same authorities' rows).
AUTHORITIES = 150
NEIGHBOURS = 10
COMPARATOR_HEADERS = ("Ref", "Authority", "Year", "Value", "Group")


def synthetic_comparators(measures: list[dict], settings: dict, authorities: int = AUTHORITIES,
                          seed: int = SEED) -> list[tuple]:
    """Comparators rows for every measure: ``authorities`` in England (ours among them, our
    own row left out on a tenth of the measures so our Current stands in), the England
    aggregate row, and ``NEIGHBOURS`` of them again as statistical neighbours; a few
    authorities without data (blank or ``x``). One year per measure."""
    rng = random.Random(seed + 7 * len(measures))
    ours = settings["Authority"]
    names = [ours] + [f"Authority {k:03d}" for k in range(1, authorities)]
    rows: list[tuple] = []
    for m in measures:
        unit, ref = m["Unit"], m["Ref"]
        year = rng.choice(("2015", "2015/16"))
        centre = m["Target"] if isinstance(m.get("Target"), float) else _figure(rng, unit)
        values = [round(centre * rng.uniform(0.6, 1.4), 3) for _ in names]
        if unit == "%":
            values = [min(v, 1.0) for v in values]
        skip_ours = rng.random() < 0.1
        for k, (name, value) in enumerate(zip(names, values)):
            if k == 0 and skip_ours:
                continue
            cell: object = value
            if k and rng.random() < 0.02:
                cell = rng.choice((None, "x"))
            rows.append((ref, name, year, cell, "England"))
        rows.append((ref, "England", year, round(sum(values) / len(values), 3), "England"))
        for k in range(NEIGHBOURS + 1):
            if k == 0 and skip_ours:
                continue
            rows.append((ref, names[k], year, values[k], "Statistical neighbours"))
    return rows


def comparators_workbook_path(n: int, authorities: int = AUTHORITIES) -> Path:
    """The synthetic workbook of ``n`` measures with eight periods of History and a
    Comparators table of ``authorities`` per measure (SPEC section 9's last job),
    written on first use and cached (5,000 measures: about 800,000 Comparators rows,
    minutes and 1.2 GB to write once)."""
    path = cache_dir() / f"synthetic-v{VERSION}-{n}-history-comparators-{authorities}.xlsx"
    if path.exists():
        return path
    import xlsxwriter

    from kpi_core.atomic import atomic_path
    from kpi_core.authoring.template import add_performance_sheets

    measures, benchmarks, settings = synthetic_rows(n)
    rows = synthetic_comparators(measures, settings, authorities)
    with atomic_path(path) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False,
                                                  "strings_to_urls": False})
        add_performance_sheets(workbook, measures, benchmarks, settings,
                               title=f"Synthetic performance workbook, {n:,} measures, "
                               f"History, {authorities} authorities of Comparators each",
                               history=history_rows(measures))
        ws = workbook.add_worksheet("Comparators")
        ws.add_table(0, 0, len(rows), len(COMPARATOR_HEADERS) - 1, {
            "name": "Comparators", "data": rows,
            "columns": [{"header": h} for h in COMPARATOR_HEADERS]})
        workbook.close()
    return path
