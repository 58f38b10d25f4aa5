"""Last quarter's published scorecard into a new performance workbook (SPEC section 7).

A council starting with this tool has its committee scorecards, not a workbook of
ours. :func:`import_scorecard` reads one in the reference's layout (``Measure |
Target | Current position | RAG | Benchmarking | Comments``, under a title
``<Portfolio> Portfolio - <Cabinet Member>``, in sections such as "Key areas of good
performance", rows numbered or not), from tab-separated text, an ``.xlsx`` sheet or
a ``.docx`` table, and writes a performance workbook through
:mod:`kpi_core.authoring.template`:

- one Measures row per measure, Refs made from the portfolio's initials (``CS01``);
  the Comments cell split into Outcome and Notes; measures published under "Key
  areas of good performance" highlighted (the reference puts an Amber one there);
- the free-text Benchmarking into Benchmarks rows, by the reader's own parser
  (:mod:`kpi_core.reading.benchmark_text`); the text is kept in Benchmarking too;
- polarity: a published scorecard does not print it; a measure is made
  ``Lower is better`` where only that polarity gives its published RAG (the
  reference's "% repeat referrals": 36% against 25%, Red), and the import says so;
- the published RAG kept, twice: in a column of the officer's own, ``Published RAG``
  (the reader ignores it), and, where the rules give another RAG, as the officer's
  ``RAG Override`` with the reason ``as published in <period>``. An override, not
  History: the published RAG is this period's judgement, shown in this period's
  scorecard with the rules' status beside it; History holds past periods, and
  ``close-period`` moves this period there with its published status. A measure the
  rules cannot give a RAG (a target the text lost) cannot take an override: it is
  listed in the reconciliation, to be fixed by hand.

Then :func:`reconcile` gives what the officer needs before trusting the tool: every
measure whose published RAG differs from the rules', and the workbook default
tolerances that reproduce the most published RAGs.

Reading never judges: this module (authoring) uses the reader and the rules, and
the CLI prints what it returns.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileError, UsageError, ValueParseError
from ..model import Measure, Polarity, Settings, Status, Unit
from ..reading.benchmark_text import canonical_comparator, parse_benchmark_text
from ..reading.values import parse_reading
from .reconcile import (  # noqa: F401  (reconcile, as importing gave it)
    Reconciliation, reconcile, status_with,
)
from .template import DEFAULT_SETTINGS, MEASURE_HEADERS, write_performance_workbook

#: Columns of the officer's own that the import adds (the reader ignores unknown ones;
#: RAG Override and Override Reason are read once the rules know overrides).
PUBLISHED_RAG = "Published RAG"
IMPORT_HEADERS = ("RAG Override", "Override Reason", PUBLISHED_RAG)

#: The status words a published scorecard prints, longest first (a RAG, or why none).
_STATUS_WORDS = sorted(((s.value.casefold(), s) for s in Status), key=lambda w: -len(w[0]))
#: Our own scorecard's benchmark gaps, ``(13 pts worse)``: the gap, not a comparator.
GAP_NOTE = re.compile(r"\(\s*[-\d.,]+\s*(?:pts?|points?|%|days?)?\s*(?:better|worse)\s*\)"
                       r"|\(\s*(?:same|level|on a par)\s*\)", re.I)
_SECTIONS = (("key areas of good performance", "good"),
             ("areas of lower than expected performance", "lower"),
             ("other measures", "other"))
_TITLE_RE = re.compile(r"^\s*(?P<portfolio>.+?)\s+Portfolio\s*(?:[-\u2013\u2014:]\s*"
                       r"(?P<member>.+?))?\s*$")
_PERIOD_RE = re.compile(r"\b(Q[1-4])[\s-]*((?:19|20)\d\d)[/-]?(\d\d)\b", re.I)
#: A Direction of travel cell (our own scorecard has one): not benchmarking.
_DIRECTION = re.compile(r"^\s*(?:[\u25b2\u25bc\u25ba]\s*)?(?:improving|worsening|no change)\b"
                        r"|^\s*was (?:blue|green|amber|red)\b", re.I)
_COMMENTS_RE = re.compile(r"^\s*Outcome\s*:\s*(?P<outcome>.*?)\s*(?:\bNotes?\s*:\s*"
                          r"(?P<notes>.*?))?\s*$", re.S | re.I)
_NOTES_ONLY_RE = re.compile(r"^\s*Notes?\s*:\s*(?P<notes>.*?)\s*$", re.S | re.I)


@dataclass(frozen=True, slots=True)
class PublishedMeasure:
    """One row of a published scorecard, as printed."""

    where: str                     # "line 31", "Sheet1!A12", "table 2 row 5"
    section: str                   # "good", "lower", "other" or "" (none seen)
    name: str
    target: float | None
    current: float | None
    target_text: str
    current_text: str
    rag: Status | None
    benchmarking: str | None
    outcome: str | None
    notes: str | None
    is_percent: bool


@dataclass(frozen=True, slots=True)
class PublishedScorecard:
    portfolio: str | None
    cabinet_member: str | None
    period: str | None
    measures: tuple[PublishedMeasure, ...]
    notes: tuple[str, ...] = ()     # what was read oddly, with where


# --- reading the three sources into lines of cells --------------------------------------

Line = tuple[str, list[str]]  # (where, cells)


def read_text_lines(path: Path) -> list[Line]:
    """Tab-separated text: one line per row, a tab between cells."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")  # saved by Word or Excel on Windows
    return [(f"line {n}", line.split("\t")) for n, line in enumerate(text.splitlines(), 1)]


def read_xlsx_lines(path: Path) -> list[Line]:
    """Every row of every sheet of a workbook (the scorecard is looked for in each)."""
    from ..publishing.data_sheet import DATA_COLUMNS
    from ..cells import cell_address
    from ..reading.xlsx import WorkbookFile

    data_header = [h for h, _get in DATA_COLUMNS]
    lines: list[Line] = []
    with WorkbookFile(path) as workbook:
        for name in workbook.sheets:
            cells = workbook.sheet(name)
            if cells is None:
                continue
            if cells.rows and list(cells.rows[0][:len(data_header)]) == data_header:
                continue  # the analysts' Data sheet of a scorecard we wrote: the same measures
            for ri, row in enumerate(cells.rows):
                texts = [_cell_text(v, (ri, ci) in cells.percent_cells)
                         for ci, v in enumerate(row)]
                lines.append((f"{name}!{cell_address(cells.top + ri, cells.left)}", texts))
    return lines


def _cell_text(value: object, percent: bool) -> str:
    """A cell as the published page shows it: ``97%`` for a percent cell holding 0.97.

    >>> _cell_text(0.97, True), _cell_text(12.0, False), _cell_text(None, False)
    ('97%', '12', '')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return f"{value * 100:.10g}%" if percent else f"{value:.10g}"
    return str(value)


def read_docx_lines(path: Path) -> list[Line]:
    """A Word document's paragraphs and table rows, in document order."""
    try:
        import docx  # python-docx
    except ImportError as exc:
        raise UsageError("reading a .docx scorecard needs python-docx, which is not "
                         "installed: pip install 'kpi-scorecard[import]' (or save the "
                         "scorecard from Word as text, tab-separated, and import that)") \
            from exc
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several kinds for a file that is not .docx
        raise FileError(f"{path}: is not a Word document (.docx) that can be read "
                        f"({type(exc).__name__})") from exc
    lines: list[Line] = []
    tables = paragraphs = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            tables += 1
            for ri, row in enumerate(block.rows, 1):
                seen, texts = set(), []
                for cell in row.cells:  # a merged cell comes once per grid column
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    texts.append(cell.text)
                lines.append((f"table {tables} row {ri}", texts))
        else:
            paragraphs += 1
            lines.append((f"paragraph {paragraphs}", [block.text]))
    return lines


def read_lines(path: str | os.PathLike) -> list[Line]:
    path = Path(path)
    if not path.is_file():
        raise FileError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_lines(path)
    if suffix == ".docx":
        return read_docx_lines(path)
    if suffix in (".txt", ".tsv", ".tab", ".text", ""):
        return read_text_lines(path)
    raise UsageError(f"{path}: give the scorecard as .docx, .xlsx or tab-separated .txt")


# --- lines of cells to published measures ------------------------------------------------

def status_of(cell: str) -> tuple[Status, str] | None:
    """The status word a cell ends with, and the text before it.

    >>> status_of("% 41% Red"), status_of("No target"), status_of("Redbridge")
    ((<Status.RED: 'Red'>, '% 41%'), (<Status.NO_TARGET: 'No target'>, ''), None)
    """
    text = " ".join(cell.split())
    folded = text.casefold()
    for word, status in _STATUS_WORDS:
        if folded == word or folded.endswith(" " + word):
            return status, text[:len(text) - len(word)].strip()
    return None


def _figure_tokens(text: str) -> list[str]:
    """Target and current as printed, ``%`` rejoined to its number (``81 %``).

    >>> _figure_tokens("25% 36%"), _figure_tokens("% 41%"), _figure_tokens("81 % 83")
    (['25%', '36%'], ['%', '41%'], ['81%', '83'])
    """
    tokens: list[str] = []
    for tok in text.split():
        if tok == "%" and tokens and re.fullmatch(r"[\d.,£-]+", tokens[-1]):
            tokens[-1] += "%"
        else:
            tokens.append(tok)
    return tokens


def split_comments(text: str | None) -> tuple[str | None, str | None]:
    """A Comments cell (``Outcome: ... Notes: ...``) into outcome and notes.

    >>> split_comments("Outcome: Children are safe (quality indicator) Notes: Audit done.")
    ('Children are safe (quality indicator)', 'Audit done.')
    >>> split_comments("Backlog cleared by October"), split_comments(None)
    ((None, 'Backlog cleared by October'), (None, None))
    """
    if not text or not text.strip():
        return None, None
    match = _COMMENTS_RE.match(text)
    if match:
        return match.group("outcome") or None, (match.group("notes") or None)
    match = _NOTES_ONLY_RE.match(text)
    return None, (match.group("notes") if match else text.strip()) or None


def _is_comments(cell: str) -> bool:
    return bool(re.match(r"^\s*(Outcome|Notes?)\s*:", cell, re.I))


def _figure(token: str | None) -> tuple[float | None, bool]:
    if token is None:
        return None, False
    try:
        reading = parse_reading(token)
    except ValueParseError:
        return None, token.endswith("%")
    return reading.value, reading.is_percent


def parse_measure_line(where: str, cells: Sequence[str], section: str) -> PublishedMeasure | None:
    """One printed row: ``[number] Measure | Target | Current | RAG | [Benchmarking] |
    Comments``, however the cells were run together (``25% 36%`` in one cell, or
    ``% 41% Red``). ``None`` when the line is not a measure (no RAG word after its name).
    """
    cells = [c.strip() for c in cells if c and c.strip()]
    if cells and re.fullmatch(r"\d{1,3}\.?", cells[0]):
        cells = cells[1:]  # the row's number in the Red/Amber list
    if len(cells) < 2:
        return None
    k = next((i for i in range(1, len(cells)) if status_of(cells[i])), None)
    if k is None:
        return None
    rag, before = status_of(cells[k])
    figures = " ".join(cells[1:k] + [before])
    tokens = _figure_tokens(figures)
    target_text = tokens[-2] if len(tokens) >= 2 else ""
    current_text = tokens[-1] if tokens else ""
    name = cells[0]
    if len(tokens) > 2:  # words run into the figures: they belong to the name
        name = " ".join([name] + tokens[:-2])
    target, t_pct = _figure(target_text or None)
    current, c_pct = _figure(current_text or None)
    rest = [c for c in cells[k + 1:] if not _DIRECTION.match(c)]
    comments_at = next((i for i, c in enumerate(rest) if _is_comments(c)), None)
    if comments_at is None and rest:
        comments_at = len(rest) - 1
        if len(rest) == 1 and parse_benchmark_text(rest[0]).benchmarks:
            comments_at = None  # a lone cell of figures is benchmarking, not comments
    benchmarking = " ".join(rest[:comments_at] if comments_at is not None else rest) or None
    comments = " ".join(rest[comments_at:]) if comments_at is not None else None
    outcome, notes = split_comments(comments)
    return PublishedMeasure(where, section, name, target, current, target_text, current_text,
                            rag, benchmarking, outcome, notes, t_pct or c_pct)


def _is_header(cells: Sequence[str]) -> bool:
    words = {c.strip().casefold() for c in cells if c.strip()}
    return "measure" in words and ("rag" in words or "target" in words)


def parse_scorecard(lines: Iterable[Line], period: str | None = None) -> PublishedScorecard:
    """The title, the period (when printed), sections and measures of a scorecard."""
    portfolio = member = None
    section = ""
    in_table = False
    measures: list[PublishedMeasure] = []
    for where, cells in lines:
        texts = [c.strip() for c in cells if c and c.strip()]
        if not texts:
            continue
        joined = " ".join(texts)
        if period is None and (found := _PERIOD_RE.search(joined)):
            period = f"{found.group(1).upper()} {found.group(2)}/{found.group(3)}"
        folded = joined.casefold().lstrip("\u25ba\u25b6>\u2022 ")
        hit = next((key for words, key in _SECTIONS if folded.startswith(words)), None)
        if hit:
            section = hit
            continue
        if len(texts) == 1 and portfolio is None and (title := _TITLE_RE.match(texts[0])):
            portfolio, member = title.group("portfolio"), title.group("member")
            continue
        if _is_header(texts):
            in_table = True
            continue
        if in_table:
            measure = parse_measure_line(where, cells, section)
            if measure is not None:
                measures.append(measure)
    return PublishedScorecard(portfolio, member, period, tuple(measures))


def period_from_name(name: str) -> str | None:
    """A period in a file name, as councils name their papers.

    >>> period_from_name("children-services-scorecard-q2-2016-17.txt")
    'Q2 2016/17'
    """
    found = _PERIOD_RE.search(name)
    return f"{found.group(1).upper()} {found.group(2)}/{found.group(3)}" if found else None


# --- published measures to the workbook, and the reconciliation ---------------------------

def ref_prefix(portfolio: str | None) -> str:
    """Initials of a portfolio's words, for its Refs.

    >>> ref_prefix("Children's Services"), ref_prefix("Adult Social Care and Health")
    ('CS', 'ASCH')
    >>> ref_prefix(None)
    'M'
    """
    words = [w for w in re.findall(r"[A-Za-z][\w']*", portfolio or "")
             if w.casefold() not in {"and", "of", "the", "for", "&"}]
    return "".join(w[0].upper() for w in words)[:4] or "M"


def infer_polarity(target: float | None, current: float | None, rag: Status | None,
                   settings: Settings = Settings()) -> Polarity:
    """The polarity under which the rules give the published RAG: ``Lower is better``
    only where that alone explains it (a current beyond the target, published Amber or
    Red); otherwise the default, ``Higher is better``.

    >>> infer_polarity(0.25, 0.36, Status.RED), infer_polarity(0.95, 0.97, Status.GREEN)
    (<Polarity.LOWER: 'Lower is better'>, <Polarity.HIGHER: 'Higher is better'>)
    """
    if target is None or current is None or rag is None or not rag.is_rag:
        return Polarity.HIGHER
    fits = {p for p in (Polarity.HIGHER, Polarity.LOWER)
            if status_with(Measure("", "", "", polarity=p, target=target, current=current),
                            settings) is rag}
    if fits == {Polarity.LOWER}:
        return Polarity.LOWER
    if not fits and current > target and rag in (Status.AMBER, Status.RED):
        return Polarity.LOWER
    return Polarity.HIGHER


@dataclass(frozen=True, slots=True)
class ImportResult:
    scorecard: PublishedScorecard
    measures: tuple[Measure, ...]
    benchmarks: tuple[dict, ...]
    reconciliation: Reconciliation
    output: Path
    messages: tuple[str, ...] = field(default=())   # what the officer should know


def build_measures(card: PublishedScorecard, authority: str | None = None
                   ) -> tuple[list[Measure], list[dict], list[str]]:
    """Typed measures (refs, polarity inferred), Benchmarks rows and messages."""
    prefix = ref_prefix(card.portfolio)
    width = max(2, len(str(len(card.measures))))
    measures: list[Measure] = []
    benchmarks: list[dict] = []
    messages: list[str] = []
    for i, p in enumerate(card.measures, 1):
        ref = f"{prefix}{i:0{width}d}"
        unit = Unit.PERCENT if p.is_percent else Unit.NUMBER
        polarity = infer_polarity(p.target, p.current, p.rag)
        if polarity is Polarity.LOWER:
            messages.append(f"{ref} ({p.where}): Polarity set to Lower is better: only that "
                            f"gives the published {p.rag.value} for {p.current_text} against "
                            f"{p.target_text}")
        if p.target is None and p.target_text:
            messages.append(f"{ref} ({p.where}): the target reads '{p.target_text}', not a "
                            "figure; Target left blank")
        if p.current is None and p.current_text:
            messages.append(f"{ref} ({p.where}): the current position reads "
                            f"'{p.current_text}'; Current left blank")
        text = parse_benchmark_text(GAP_NOTE.sub(" ", p.benchmarking or ""), ref,
                                    authority=authority, percent=unit is Unit.PERCENT)
        for b in text.benchmarks:
            benchmarks.append({"Ref": ref, "Comparator": b.comparator, "Year": b.year,
                               "Value": b.value})
            if canonical_comparator(b.comparator) is None and authority is None:
                messages.append(f"{ref} ({p.where}): '{b.comparator}' in Benchmarking is read "
                                "as a comparator; if it is your own council, import again "
                                "with --authority")
        if text.own:
            messages.append(f"{ref} ({p.where}): our own figures in Benchmarking ("
                            + ", ".join(f"{b.label}: {_shown(b.value, unit)}" for b in text.own)
                            + ") are not benchmarks; kept in the Benchmarking text only")
        if text.unread:
            messages.append(f"{ref} ({p.where}): Benchmarking text not read as benchmarks: "
                            f"'{text.unread}' (kept in the Benchmarking column)")
        measures.append(Measure(
            ref=ref, portfolio=card.portfolio or "", name=p.name,
            cabinet_member=card.cabinet_member, outcome=p.outcome, polarity=polarity,
            unit=unit, target=p.target, current=p.current, notes=p.notes,
            benchmarking_text=p.benchmarking, highlight=p.section == "good"))
    return measures, benchmarks, messages


def _shown(value: float, unit: Unit) -> str:
    return f"{value * 100:.10g}%" if unit is Unit.PERCENT else f"{value:.10g}"


def _row(m: Measure, published: Status | None, override: Status | None, period: str | None
         ) -> dict:
    row = {
        "Portfolio": m.portfolio, "Cabinet Member": m.cabinet_member, "Ref": m.ref,
        "Measure": m.name, "Outcome": m.outcome, "Polarity": m.polarity.value,
        "Unit": m.unit.value, "Target": m.target, "Current": m.current, "Notes": m.notes,
        "Benchmarking": m.benchmarking_text, "Highlight": "Yes" if m.highlight else None,
        PUBLISHED_RAG: published.value if published else None,
    }
    if override is not None:
        row["RAG Override"] = override.value
        row["Override Reason"] = f"as published in {period}" if period else "as published"
    return row


def missing_titles(source: Path, out: Path, period: str | None, authority: str | None
                   ) -> list[str]:
    """A warning for each of the period and authority the scorecard and options lack."""
    return [f"warning: {source.name} names no {what}; give it with --{what} or fill "
            f"Settings {what.title()} in {out.name}"
            for what, value in (("period", period), ("authority", authority)) if not value]


def import_scorecard(source: str | os.PathLike, out: str | os.PathLike, *,
                     period: str | None = None, authority: str | None = None) -> ImportResult:
    """Read a published scorecard and write a new performance workbook ``out`` (a
    scorecard this tool wrote: :func:`kpi_core.authoring.own_scorecard.import_any`)."""
    source, out = Path(source), Path(out)
    card = parse_scorecard(read_lines(source), period)
    if not card.measures:
        raise FileError(f"{source}: no measures found; a scorecard in the reference's "
                           "layout has a header row 'Measure | Target | Current position | "
                           "RAG | Benchmarking | Comments' and one row per measure with its "
                           "RAG word")
    period = card.period or period_from_name(source.name)
    card = dataclasses.replace(card, period=period)
    measures, benchmarks, messages = build_measures(card, authority)
    messages += missing_titles(source, out, period, authority)
    published = {m.ref: p.rag for m, p in zip(measures, card.measures) if p.rag}
    result = reconcile(measures, published)
    overrides = {d.ref: d.published for d in result.differences
                 if d.rules.is_rag and d.published.is_rag}
    settings = dict(DEFAULT_SETTINGS)
    settings.update({"Authority": authority or "", "Period": period or "",
                     "Default Tolerance": result.tolerance})
    if result.green_tolerance is not None:
        settings["Default Green Tolerance"] = result.green_tolerance
    headers = tuple(MEASURE_HEADERS) + tuple(h for h in IMPORT_HEADERS if h not in MEASURE_HEADERS)
    title = f"{authority + ' ' if authority else ''}performance workbook" \
            f"{', ' + period if period else ''}, imported from {source.name}"
    write_performance_workbook(
        out, [_row(m, published.get(m.ref), overrides.get(m.ref), period) for m in measures],
        benchmarks, settings, title=title[0].upper() + title[1:], measure_headers=headers)
    return ImportResult(card, tuple(measures), tuple(benchmarks), result, out, tuple(messages))
