"""A scorecard this tool wrote, imported back (SPEC section 7): its ``Data`` sheet holds
every measure, so the same portfolios, cabinet members, measures, targets (ranges too),
current positions and statuses come back, with the benchmarks its text gave and the
council's own figure still in the Benchmarking text. :func:`import_any` reads such a
scorecard from its Data sheet and any other through :mod:`.importing`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..model import Polarity, Status, Unit
from ..reading.benchmark_text import parse_benchmark_text
from .importing import (
    GAP_NOTE, IMPORT_HEADERS, PUBLISHED_RAG, ImportResult, PublishedScorecard,
    import_scorecard, missing_titles, status_of,
)
from .reconcile import reconcile
from .template import DEFAULT_SETTINGS, MEASURE_HEADERS, write_performance_workbook

#: The title every sheet of our scorecard carries: ``<Authority> performance scorecard,
#: <Period>``.
_OUR_TITLE_RE = re.compile(r"^\s*(?P<authority>.+?)\s+performance scorecard,\s*"
                           r"(?P<period>.+?)\s*$")


@dataclass(frozen=True, slots=True)
class DataSheet:
    """The ``Data`` sheet of a scorecard ``regenerate`` wrote: one row per measure, by
    header, and the authority and period its titles name."""

    sheet: str
    rows: tuple[dict[str, object], ...]
    authority: str | None
    period: str | None


def read_data_sheet(path: Path) -> DataSheet | None:
    """The Data sheet of our own scorecard, ``None`` when the workbook has none."""
    from ..publishing.data_sheet import DATA_COLUMNS
    from ..reading.xlsx import read_sheet, sheet_names

    header = [h for h, _get in DATA_COLUMNS]
    names = sheet_names(path)
    for name in reversed(names):  # the Data sheet is last
        cells = read_sheet(path, name)
        if cells is None:
            continue
        top = next((ri for ri, row in enumerate(cells.rows[:5])
                    if [str(v).strip() if v is not None else "" for v in row[:4]]
                    == header[:4]), None)
        if top is None:
            continue
        heads = [str(v).strip() if v is not None else "" for v in cells.rows[top]]
        rows = tuple({h: v for h, v in zip(heads, row) if h}
                     for row in cells.rows[top + 1:] if any(v is not None for v in row))
        authority = period = None
        for title_sheet in names:
            if title_sheet == name:
                continue
            first = read_sheet(path, title_sheet)
            texts = [v for row in (first.rows[:4] if first else ()) for v in row
                     if isinstance(v, str)]
            found = next((m for t in texts if (m := _OUR_TITLE_RE.match(t))), None)
            if found:
                authority, period = found.group("authority"), found.group("period")
                break
        return DataSheet(name, rows, authority, period)
    return None


def _text(value: object) -> str | None:
    return None if value is None or not str(value).strip() else str(value).strip()


def _data_rows(data: DataSheet) -> tuple[list[dict], list[dict], list[str]]:
    """Measures rows (as the template writes them) and Benchmarks rows from the Data
    sheet, and what the officer should know."""
    from ..reading.values import parse_polarity, parse_unit
    from ..reading.history import parse_status

    rows, benchmarks, messages = [], [], []
    for i, d in enumerate(data.rows, start=2):
        ref = _text(d.get("Ref"))
        if ref is None:
            continue
        unit = parse_unit(d.get("Unit")) or Unit.NUMBER
        status = parse_status(d.get("Status")) if _text(d.get("Status")) else None
        computed = parse_status(d.get("Computed Status")) \
            if _text(d.get("Computed Status")) else None
        # the Benchmarking text as the workbook had it (our own figure in it too); from a
        # scorecard without that column, the benchmarks printed with their gaps
        text = _text(d.get("Benchmarking"))
        if text is None:
            text = GAP_NOTE.sub(" ", _text(d.get("Benchmark Gaps")) or "")
            text = " ".join(text.split()) or None
        if text:
            found = parse_benchmark_text(text, ref, authority=data.authority,
                                         percent=unit is Unit.PERCENT)
            for b in found.benchmarks:
                benchmarks.append({"Ref": ref, "Comparator": b.comparator, "Year": b.year,
                                   "Value": b.value})
        row = {
            "Ref": ref, "Portfolio": _text(d.get("Portfolio")), "Measure": _text(d.get("Measure")),
            "Cabinet Member": _text(d.get("Cabinet Member")), "Outcome": _text(d.get("Outcome")),
            "Polarity": (parse_polarity(d.get("Polarity")) or Polarity.HIGHER).value,
            "Unit": unit.value, "Frequency": _text(d.get("Frequency")),
            "Target": d.get("Target"), "Target Upper": d.get("Target Upper"),
            "Current": d.get("Current"), "Previous": d.get("Previous"),
            "Notes": _text(d.get("Notes")), "Benchmarking": text,
            "Highlight": "Yes" if _text(d.get("Highlight")) == "Yes" else None,
            PUBLISHED_RAG: status.value if status else None,
        }
        if computed is not None and status is not None and status.is_rag:
            row["RAG Override"] = status.value  # the officer's judgement, as published
            row["Override Reason"] = _text(d.get("Override Reason")) or "as published"
        if status in (Status.DATA_UNAVAILABLE, Status.NOT_DUE) and \
                isinstance(row["Current"], (int, float)):
            row["Data Status"] = "Unavailable" if status is Status.DATA_UNAVAILABLE \
                else "Not due"
        if status is Status.NOT_DUE and row["Current"] is None and row["Frequency"] is None:
            messages.append(f"{ref} ({data.sheet} row {i}): published Not due without a "
                            "Frequency; set Frequency Annual to keep it Not due")
        rows.append(row)
    return rows, benchmarks, messages


def import_data_sheet(source: Path, out: Path, data: DataSheet, *, period: str | None,
                      authority: str | None) -> ImportResult:
    """A performance workbook from our own scorecard's Data sheet: the same portfolios,
    cabinet members, measures, targets (ranges too), current positions and statuses."""
    period = period or data.period
    authority = authority or data.authority
    rows, benchmarks, messages = _data_rows(
        dataclasses.replace(data, authority=authority, period=period))
    messages += missing_titles(source, out, period, authority)
    settings = dict(DEFAULT_SETTINGS)
    settings.update({"Authority": authority or "", "Period": period or ""})
    headers = tuple(MEASURE_HEADERS) + tuple(h for h in IMPORT_HEADERS if h not in MEASURE_HEADERS)
    title = (f"{authority + ' ' if authority else ''}performance workbook"
             f"{', ' + period if period else ''}, imported from {source.name}")
    write_performance_workbook(out, rows, benchmarks, settings, measure_headers=headers,
                               title=title)
    from ..reading.workbook import read_workbook
    measures = read_workbook(out).measures
    published = {r["Ref"]: found[0] for r in rows
                 if r[PUBLISHED_RAG] and (found := status_of(r[PUBLISHED_RAG]))}
    result = reconcile(measures, published)
    # A published RAG the rules do not give from what the Data sheet holds (a Blue from a
    # stretch target it does not list): kept as the officer's override, as published.
    overrides = {d.ref: d.published for d in result.differences
                 if d.rules.is_rag and d.published.is_rag}
    if any(r["Ref"] in overrides and "RAG Override" not in r for r in rows):
        for r in rows:
            if r["Ref"] in overrides and "RAG Override" not in r:
                r["RAG Override"] = overrides[r["Ref"]].value
                r["Override Reason"] = f"as published in {period}" if period else "as published"
        write_performance_workbook(out, rows, benchmarks, settings, measure_headers=headers,
                                   title=title)
        measures = read_workbook(out).measures
    portfolios = list(dict.fromkeys(m.portfolio for m in measures))
    card = PublishedScorecard(portfolios[0] if len(portfolios) == 1 else
                              f"{len(portfolios)} portfolios", None, period, ())
    return ImportResult(card, tuple(measures), tuple(benchmarks), result, out,
                        tuple(messages))


def import_any(source: str | os.PathLike, out: str | os.PathLike, *,
               period: str | None = None, authority: str | None = None) -> ImportResult:
    """Import ``source`` into a new performance workbook ``out``: from its Data sheet when
    this tool wrote it, else as a published scorecard (:func:`import_scorecard`)."""
    source, out = Path(source), Path(out)
    if source.suffix.lower() in (".xlsx", ".xlsm") and source.is_file():
        data = read_data_sheet(source)
        if data is not None and data.rows:
            return import_data_sheet(source, out, data, period=period, authority=authority)
    return import_scorecard(source, out, period=period, authority=authority)
