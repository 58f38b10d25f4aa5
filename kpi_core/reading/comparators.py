"""The Comparators table to :class:`~kpi_core.model.ComparatorValue` rows (SPEC section 3).

One row per measure, authority, year and group: ``Ref``, ``Authority``, ``Year``,
``Value``, ``Group``. Read with the same cell helpers and problem reporting as the
other tables (:mod:`kpi_core.reading.rows`):

- a Ref not in the Measures table: a warning at its first row, its rows are not used;
- the same Ref, Authority, Year and Group twice: an error on the second row, which
  is not used;
- a Value that is not a number, a blank Authority, Group or Year, a Year with no
  year in it: an error with its cell; a blank Value, a marker (``n/a``) or DfE's
  suppression marks (``x``, ``c``) are an authority without data for that year;
- our own authority (Settings ``Authority`` by name, or ``Authority Code``) found on
  no row: one warning that says which names and code it looked for.

Here the text is read, never judged: the reader marks our own rows (``own``) and the
rows that are not authorities (``aggregate``: England, the regions, averages), and
gives each year a sort key. Ranks and bands are :mod:`kpi_core.assessing.comparators`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from itertools import compress, count, islice, zip_longest
from operator import is_not

from ..model import (
    GROUP_ENGLAND, GROUP_REGION, GROUP_STATISTICAL_NEIGHBOURS, ComparatorValue, Problem, Settings,
    Unit,
)
from .benchmark_text import (
    NATIONAL, STATISTICAL_NEIGHBOURS, canonical_comparator, is_own_authority, own_authority_names,
)
from .rows import Column, Sheet, is_blank_row, parse_cell
from .tables import COMPARATORS
from .values import COMPARATOR_MARKERS, Reading, parse_reading, parse_text
from ..cells import cell_address
from .columnar import ColumnGrid
from .comparator_rows import ComparatorRows, positions
from .xlsx import RawTable

__all__ = ["COMPARATORS", "COMPARATOR_COLUMNS", "COMPARATOR_MARKERS", "read_comparators"]

COMPARATOR_COLUMNS = (
    Column("ref", ("ref", "reference"), "Ref", required=True),
    Column("authority", ("authority", "local authority", "la", "authority name", "council"),
           "authority", required=True),
    Column("year", ("year", "period"), "year", required=True),
    Column("value", ("value",), "comparator value", required=True),
    Column("group", ("group", "comparator group"), "group", required=True),
)


_YEAR_IN = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
#: ONS codes of England (E92) and its regions (E12): aggregates, not authorities.
_AGGREGATE_CODE = re.compile(r"^E(?:92|12)\d{6}$", re.IGNORECASE)
_AGGREGATE_WORDS = re.compile(r"\b(?:average|avg|mean|total|median)\b", re.IGNORECASE)


def canonical_group(text: str) -> str:
    """The group a Group cell names: the three the rules know by their names, others as written.

    >>> canonical_group("SN"), canonical_group("national"), canonical_group("regional")
    ('Statistical neighbours', 'England', 'Region')
    >>> canonical_group("CIPFA nearest neighbours")
    'CIPFA nearest neighbours'
    """
    key = " ".join(text.split())
    folded = key.casefold()
    if folded in ("region", "regional", "regions"):
        return GROUP_REGION
    if folded in ("england", "national", "all england", "english authorities", "all las"):
        return GROUP_ENGLAND
    known = canonical_comparator(key)
    if known == STATISTICAL_NEIGHBOURS:
        return GROUP_STATISTICAL_NEIGHBOURS
    if known == NATIONAL:
        return GROUP_ENGLAND
    return key


def aggregate_name(authority: str) -> str | None:
    """For a row that is not an authority (England, a region, an average or a total),
    the benchmark name it is offered under; ``None`` for an authority.

    >>> [aggregate_name(a) for a in ("England", "South East", "SN average", "E92000001",
    ...                              "Shire average", "Buckinghamshire", "City of London", "825")]
    ['National Average', 'South East Average', 'Statistical Neighbour Average', 'National Average', 'Shire average', None, None, None]
    """
    key = " ".join(authority.split())
    known = canonical_comparator(key)
    if known is not None:
        return known
    if _AGGREGATE_CODE.match(key):
        return NATIONAL if key.upper().startswith("E92") else key
    return key if _AGGREGATE_WORDS.search(key) else None


def year_key(year: str) -> int | None:
    """The first year a Year cell names, to order years; ``None`` when it names none.

    >>> year_key("2014/15"), year_key("2015"), year_key("FY 2015-16"), year_key("last year")
    (2014, 2015, 2015, None)
    """
    found = _YEAR_IN.search(year)
    return int(found.group(1)) if found else None


def read_comparators(table: RawTable, problems: list[Problem], settings: Settings,
                     units: dict[str, Unit], release_rows: bool = False
                     ) -> dict[str, ComparatorRows]:
    """Comparator rows by Ref (casefolded), problems added to ``problems``.

    ``units`` maps each Measures Ref (casefolded) to its unit: an unknown Ref is
    reported, and a plain number above 2 in a ``%`` measure is a warning (percent
    cells hold fractions), as in the Measures table.

    Read by column: each distinct text is read once, silently where it reads without a
    problem; the rows with anything else (a text with a problem, a value that is not a
    plain number, a percent-scale warning, a blank row) are read one by one, in order,
    as rows, so every problem is reported as, and in the order, a row-by-row read gives.
    With ``release_rows`` (the caller read the table for this alone) the table's cells
    are let go once read.
    """
    sheet = Sheet(table, problems)
    cols = sheet.columns(COMPARATOR_COLUMNS)
    out: dict[str, ComparatorRows] = {}
    if cols is None:
        return out
    reader = _RowReader(sheet, cols, settings, units)
    grid = table.rows
    if isinstance(grid, ColumnGrid):
        columns = grid.columns
    else:
        columns = [list(c) for c in zip_longest(*grid)] if len(grid) > 1 else []
    if not columns or len(columns[0]) < 2:
        return out
    c_ref, c_auth, c_year, c_value, c_group = reader.order
    if BY_ROWS:
        return _by_rows(sheet, reader, columns, table.top + 1, settings)
    # the rows (0 the first under the header) in runs of the same Ref cell, usually one
    # run a measure: found once, for the distinct Refs, the percent check and the measures
    refs = columns[c_ref]
    cuts = [0, *compress(count(1), map(is_not, islice(refs, 2, None), islice(refs, 1, None))),
            len(refs) - 1]
    left_out = reader.seed(columns, [refs[s + 1] for s in cuts[:-1]])
    # the raw cells, by column; every row kept has each of its four texts in the caches
    raw_auths, raw_years, raw_groups = (columns[c][1:] for c in (c_auth, c_year, c_group))
    values = columns[c_value][1:]
    gone = []  # the rows not used: reported, or blank
    for j, result in reader.odd_rows(columns, left_out, values, cuts):
        if result is None:
            gone.append(j)
        else:
            values[j] = result[4]
    # a Ref's rows as runs of the same cell, with the cell; the rows not used left out
    runs: dict[str, list[tuple[int, int, object]]] = {}
    ref_of = reader.refs
    for s, e in _runs_less(cuts, gone):
        raw = refs[s + 1]
        runs.setdefault(ref_of[raw][1], []).append((s, e, raw))
    if release_rows:  # the cells are let go: the rows as the caller sees them
        if isinstance(grid, ColumnGrid):
            for column in columns:
                del column[1:]
        else:
            grid[1:] = [None] * (len(grid) - 1)
        del columns, refs
    first_row = table.top + 1
    auth_texts = _Texts(reader.authorities)
    year_texts = _Texts(reader.years)
    group_texts = _Texts(reader.groups)
    year_keys = {raw: y[1] for raw, y in reader.years.items()}
    own_raws = [raw for raw, a in reader.authorities.items() if a[1]]
    aggregate_names = {raw: a[2] for raw, a in reader.authorities.items() if a[2] is not None}
    own_seen = False
    # Where no two distinct texts of a column fold to the same text, a measure's rows
    # are distinct folded when they are distinct as written: a set checks that at C
    # speed, and only a measure with two rows alike is gone through row by row.
    as_written = reader.folds_apart()
    folded: dict[str, str] = {}
    # Most measures list the same authorities as the one before (two lists compare at C
    # speed): their flags and names are the same, and so is how their rows stand apart.
    last_auths: list | None = None
    own: list[bool] = []
    names: list[str | None] = []
    known: list[tuple[list, list]] = []
    for key, spans in runs.items():
        if len(spans) == 1:
            (s, e, raw), = spans
            m_auths, m_years, m_values = raw_auths[s:e], raw_years[s:e], values[s:e]
            m_groups, numbers = raw_groups[s:e], range(first_row + s, first_row + e)
            written = [ref_of[raw][0]] * (e - s)
        else:
            written, m_auths, m_years, m_values, m_groups, numbers = [], [], [], [], [], []
            for s, e, raw in spans:
                written += [ref_of[raw][0]] * (e - s)
                m_auths += raw_auths[s:e]
                m_years += raw_years[s:e]
                m_values += values[s:e]
                m_groups += raw_groups[s:e]
                numbers += range(first_row + s, first_row + e)
        n = len(written)
        if m_auths == last_auths:
            own, names = own[:], names[:]
        else:
            own, names = _flags(m_auths, own_raws, n), _names(m_auths, aggregate_names, n)
            last_auths = m_auths
        rows = ComparatorRows(written, auth_texts.of(m_auths), year_texts.of(m_years),
                              m_values, group_texts.of(m_groups), _same_or_each(year_keys,
                                                                                 m_years),
                              own, names, numbers)
        own_seen = own_seen or True in own
        if not as_written or not _distinct(rows.authorities, rows.years, rows.groups, known):
            rows = ComparatorRows.of(_without_duplicates(sheet, c_auth, rows, folded))
        out[key] = rows
    if out and not own_seen:
        _own_not_found(sheet, cols["authority"], settings)
    return out


#: Tests set this to read every row one by one, as a row, into ComparatorValue rows: the
#: reading the columns must agree with.
BY_ROWS = False


def _by_rows(sheet: Sheet, reader: _RowReader, columns: list[list], first_row: int,
             settings: Settings) -> dict[str, ComparatorRows]:
    found: dict[str, list[ComparatorValue]] = {}
    for j in range(len(columns[0]) - 1):
        result = reader._row(j + 1, [c[j + 1] for c in columns])
        if result is not None:
            ref, auth, year, group, value = result
            found.setdefault(ref[1], []).append(ComparatorValue(
                ref[0], auth[0], year[0], value, group[0], year[1], auth[1], auth[2],
                first_row + j))
    out = {key: ComparatorRows.of(_without_duplicates(sheet, reader.order[1], rows, {}))
           for key, rows in found.items()}
    if out and not any(r.own for rows in out.values() for r in rows):
        _own_not_found(sheet, reader.cols["authority"], settings)
    return out


class _Texts:
    """A column's texts from its raw cells: the cells themselves where every cell read is
    the text it reads as (no spaces to strip, no name to make canonical)."""

    __slots__ = ("text", "same")

    def __init__(self, cache: dict) -> None:
        self.text = {raw: found[0] for raw, found in cache.items()}
        self.same = all(type(raw) is str and text == raw for raw, text in self.text.items())

    def of(self, raws: list) -> list[str]:
        return raws if self.same else list(map(self.text.__getitem__, raws))


def _same_or_each(found: dict, raws: list) -> list:
    """``found[raw]`` for each raw cell: one look-up where the cells are all one."""
    if raws.count(raws[0]) == len(raws):
        return [found[raws[0]]] * len(raws)
    return list(map(found.__getitem__, raws))


def _flags(raws: list, marked: list, n: int) -> list[bool]:
    """True where a raw cell is one of the ``marked`` (our own authority's few names)."""
    out = [False] * n
    for raw in marked:
        for i in positions(raws, raw):
            out[i] = True
    return out


def _names(raws: list, names: dict, n: int) -> list[str | None]:
    """The name ``names`` gives each raw cell (the aggregates'), ``None`` for the others."""
    if len(names) > 8:
        return list(map(names.get, raws))
    out: list[str | None] = [None] * n
    for raw, name in names.items():
        for i in positions(raws, raw):
            out[i] = name
    return out


def _distinct(authorities: list[str], years: list[str], groups: list[str],
              known: list[tuple[list, list]]) -> bool:
    """No two rows with the same Authority, Year and Group, as written: found without a
    tuple per row where the rows are of one year. Then the Authority and Group cells are
    those of a measure ``known`` to be so (two lists compare at C speed), or each group's
    rows are one run (found by ``count``) whose authorities a set tells apart; a measure
    found so is added to ``known``, a few at most."""
    n = len(authorities)
    if years.count(years[0]) == n:
        for seen_authorities, seen_groups in known:
            if authorities == seen_authorities and groups == seen_groups:
                return True
        start = 0
        while start < n:
            group = groups[start]
            end = start + groups.count(group)
            if groups[start:end].count(group) != end - start:
                break  # the group is not one run
            if len(set(authorities[start:end])) != end - start:
                return False
            start = end
        else:
            if len(known) < 4:
                known.append((authorities, groups))
            return True
    elif len(set(authorities)) == n:
        return True
    return len(set(zip(authorities, years, groups))) == n


def _runs_less(cuts: list[int], gone: list[int]) -> list[tuple[int, int]]:
    """The runs between ``cuts`` less the rows ``gone`` (in order): a run with rows gone
    split around them.

    >>> _runs_less([0, 3, 6], []), _runs_less([0, 3, 6], [1, 3, 4])
    ([(0, 3), (3, 6)], [(0, 1), (2, 3), (5, 6)])
    """
    if not gone:
        return list(zip(cuts, cuts[1:]))
    out = []
    k = 0
    for s, e in zip(cuts, cuts[1:]):
        while k < len(gone) and gone[k] < e:
            if gone[k] > s:
                out.append((s, gone[k]))
            s = gone[k] + 1
            k += 1
        if s < e:
            out.append((s, e))
    return out


def _without_duplicates(sheet: Sheet, ci: int, rows: Iterable[ComparatorValue],
                        folded: dict[str, str]) -> list[ComparatorValue]:
    """A measure's rows less the second of any two with the same Authority, Year and
    Group (an error at the second). Checked measure by measure, so the keys of one
    measure are held at a time, not those of 750,000 rows."""
    seen: dict[tuple[str, str, str], int] = {}
    kept = []
    for r in rows:
        dup = (_fold(r.authority, folded), _fold(r.year, folded), _fold(r.group, folded))
        first = seen.get(dup)
        if first is not None:
            sheet.add(r.row - sheet.table.top, ci, f"{r.authority}, {r.year}, {r.group} appears "
                      f"twice for Ref '{r.ref}' (also row {first}); keep one", r.authority)
            continue
        seen[dup] = r.row
        kept.append(r)
    return kept


class _RowReader:
    """One Comparators row's cells to typed values, each distinct text read once.

    150 authorities on 5,000 measures is 750,000 rows of a few thousand distinct
    texts: the caches keep the work per row to a few dictionary look-ups. A text
    with a problem is not cached, so each of its cells is reported.
    """

    def __init__(self, sheet: Sheet, cols: dict[str, int], settings: Settings,
                 units: dict[str, Unit]) -> None:
        self.sheet, self.cols, self.units = sheet, cols, units
        self.spec = {c.field: c for c in COMPARATOR_COLUMNS}
        self.code = (settings.authority_code or "").strip().casefold()
        self.authority = settings.authority
        self.refs: dict[object, tuple[str, str, Unit]] = {}
        self.years: dict[object, tuple[str, int, str]] = {}
        self.authorities: dict[object, tuple[str, bool, str | None, str]] = {}
        self.groups: dict[object, tuple[str, str]] = {}
        self.unknown: set[str] = set()
        self.markers: dict[str, bool] = {}
        self.order = [cols[f] for f in ("ref", "authority", "year", "value", "group")]

    def folds_apart(self) -> bool:
        """True when no two distinct Authority, Year or Group texts read fold to the same."""
        return all(len(texts) == len({t.casefold() for t in texts}) for texts in (
            {a[0] for a in self.authorities.values()}, {y[0] for y in self.years.values()},
            {g[0] for g in self.groups.values()}))

    def _text(self, ri: int, row: list, field: str) -> str | None:
        ci = self.cols[field]
        text = parse_cell(self.sheet, row, ri, ci, self.spec[field], parse_text)
        if text is None and not any(p.sheet == self.sheet.table.sheet
                                    and p.cell == self.sheet.address(ri, ci)
                                    for p in self.sheet.problems[-5:]):
            self.sheet.add(ri, ci, f"{self.spec[field].label} is blank")
        return text

    def value(self, ri: int, row: list) -> Reading | None:
        """A Value cell that is not a plain number: blank, a marker, text, an error."""
        ci = self.order[3]
        raw = row[ci]
        if raw is None:
            return _NO_DATA
        if type(raw) is str and raw.strip().casefold() in COMPARATOR_MARKERS:
            return Reading(None, marker=raw.strip())
        return parse_cell(self.sheet, row, ri, ci, self.spec["value"], parse_reading, None)

    def seed(self, columns: list[list], ref_cells: list) -> list[set]:
        """Each distinct Ref, Authority, Year and Group cell that reads without a problem,
        read once into the caches (as its first row would read it); the cells left out,
        a set a column. ``ref_cells``: the Ref column's cells, one a run of one cell."""
        left_out = []
        for field, cache, resolve in (("ref", self.refs, self._ref),
                                      ("authority", self.authorities, self._authority),
                                      ("year", self.years, self._year),
                                      ("group", self.groups, self._group)):
            ci = self.cols[field]
            cells = ref_cells if field == "ref" else islice(columns[ci], 1, None)
            unknown = set(cells).difference(cache)
            left_out.append(unknown)
            for raw in list(unknown):
                probe = Sheet(self.sheet.table, [])
                row = [None] * (ci + 1)
                row[ci] = raw
                text = parse_cell(probe, row, 0, ci, self.spec[field], parse_text)
                found = resolve(text) if text is not None and not probe.problems else None
                if found is not None:
                    cache[raw] = found
                    unknown.discard(raw)
        return left_out

    def odd_rows(self, columns: list[list], left_out: list[set], values: list,
                 cuts: list[int]):
        """``(j, (ref, auth, year, group, value))`` or ``(j, None)`` (not used) for each row
        ``j + 1`` the caches do not read alone, in order, its problems reported. A row
        whose texts the caches read and whose Value is blank or a marker is no data, with
        nothing to report: its value is set to ``None`` in ``values`` here. ``cuts``: where
        each run of one Ref cell starts (rows ``j``), and the end."""
        odd: set[int] = set()
        for field, unknown in zip(("ref", "authority", "year", "group"), left_out):
            if unknown:
                cells = islice(columns[self.cols[field]], 1, None)
                odd.update(compress(count(), map(unknown.__contains__, cells)))
        not_plain = [j for j, v in enumerate(values) if type(v) is not float]
        numbers = list(values)  # the plain numbers, 0.0 in place of the rest
        for j in not_plain:
            numbers[j] = 0.0
        no_data = self.no_data
        for j in not_plain:
            raw = values[j]
            if j in odd or not no_data(raw):
                odd.add(j)
            else:
                values[j] = None
        if not math.isfinite(sum(numbers)):
            odd.update(j for j, v in enumerate(numbers) if v - v != 0.0)
        c_ref, _c_auth, _c_year, c_value, _c_group = self.order
        percent_cells = self.sheet.table.percent_cells
        percent = {raw for raw, ref in self.refs.items() if ref[2] is Unit.PERCENT}
        if percent:  # a number above 2 in a % measure: a warning, in its row's turn
            refs = columns[c_ref]
            for s, e in zip(cuts, cuts[1:]):  # runs of one Ref cell
                run = numbers[s:e] if refs[s + 1] in percent else ()
                if run and not -2.0 <= min(run) <= max(run) <= 2.0:
                    for j in range(s, e):
                        if abs(numbers[j]) > 2.0 and (j + 1, c_value) not in percent_cells:
                            odd.add(j)
        for j in sorted(odd):
            yield j, self._row(j + 1, [c[j + 1] for c in columns])

    def no_data(self, raw: object) -> bool:
        """A Value cell that is no data without a word: blank, or a marker (``x``, ``n/a``)."""
        if raw is None:
            return True
        if type(raw) is not str:
            return False
        found = self.markers.get(raw)
        if found is None:
            found = self.markers[raw] = raw.strip().casefold() in COMPARATOR_MARKERS
        return found

    def _row(self, ri: int, row: list) -> tuple | None:
        """One row read as a row: its cells looked up, else read and reported."""
        c_ref, c_auth, c_year, c_value, c_group = self.order
        ref = self.refs.get(row[c_ref])
        auth = self.authorities.get(row[c_auth])
        year = self.years.get(row[c_year])
        group = self.groups.get(row[c_group])
        if ref is None or auth is None or year is None or group is None:
            if is_blank_row(row):
                return None
            ref, auth, year, group = self.slow(ri, row, ref, auth, year, group)
            if ref is None:
                return None
        value = row[c_value]
        percent_cells = self.sheet.table.percent_cells
        if type(value) is not float or value - value != 0.0:
            reading = self.value(ri, row)
            if reading is None:
                return None  # not a number: reported
            value = reading.value
            if (value is not None and ref[2] is Unit.PERCENT and abs(value) > 2
                    and not reading.is_percent and (ri, c_value) not in percent_cells):
                _percent_warning(self.sheet, ri, c_value, value)
        elif abs(value) > 2 and ref[2] is Unit.PERCENT and (ri, c_value) not in percent_cells:
            _percent_warning(self.sheet, ri, c_value, value)
        return ref, auth, year, group, value

    def slow(self, ri: int, row: list, ref, auth, year, group) -> tuple:
        """Read the cells the caches do not know; report what is wrong with them."""
        c_ref, c_auth, c_year, _c_value, c_group = self.order
        missing = False
        texts = {}
        for field, have in (("ref", ref), ("authority", auth), ("year", year), ("group", group)):
            if have is None:
                texts[field] = self._text(ri, row, field)
                missing = missing or texts[field] is None
        if missing:
            return None, None, None, None
        if ref is None:
            text = texts["ref"]
            ref = self._ref(text)
            if ref is None:
                if text.casefold() not in self.unknown:  # one warning per Ref, not per row
                    self.unknown.add(text.casefold())
                    self.sheet.add(ri, c_ref, f"Ref '{text}' is not in the Measures table; its "
                                   "comparator rows are not used", text, severity="warning")
                return None, None, None, None
            self.refs[row[c_ref]] = ref
        if year is None:
            text = texts["year"]
            year = self._year(text)
            if year is None:
                self.sheet.add(ri, c_year, f"year '{text}' names no year (write it like 2015 or "
                               "2015/16)", text)
                return None, None, None, None
            self.years[row[c_year]] = year
        if auth is None:
            auth = self.authorities[row[c_auth]] = self._authority(texts["authority"])
        if group is None:
            group = self.groups[row[c_group]] = self._group(texts["group"])
        return ref, auth, year, group

    def _ref(self, text: str) -> tuple[str, str, Unit] | None:
        unit = self.units.get(text.casefold())
        return None if unit is None else (text, text.casefold(), unit)

    @staticmethod
    def _year(text: str) -> tuple[str, int, str] | None:
        order = year_key(text)
        return None if order is None else (text, order, text.casefold())

    def _authority(self, text: str) -> tuple[str, bool, str | None, str]:
        mine = bool(self.code and text.casefold() == self.code) or is_own_authority(
            text, self.authority)
        return text, mine, None if mine else aggregate_name(text), text.casefold()

    @staticmethod
    def _group(text: str) -> tuple[str, str]:
        name = canonical_group(text)
        return name, name.casefold()


_NO_DATA = Reading(None)


def _fold(text: str, folded: dict[str, str]) -> str:
    found = folded.get(text)
    if found is None:
        found = folded[text] = text.casefold()
    return found


def _percent_warning(sheet: Sheet, ri: int, ci: int, value: float) -> None:
    sheet.add(ri, ci, f"value {value:g} in a % measure reads as {value * 100:g}%; "
              "percent cells hold fractions (97% is 0.97)", value, severity="warning")


def _own_not_found(sheet: Sheet, ci: int, settings: Settings) -> None:
    where = cell_address(sheet.table.top, sheet.table.left + ci)
    if not settings.authority and not settings.authority_code:
        message = ("our own authority cannot be found: Settings gives no Authority or "
                   "Authority Code; ranks and quartile bands use each measure's Current")
    else:
        looked = []
        if settings.authority:
            names = ", ".join(repr(n) for n in own_authority_names(settings.authority))
            looked.append(f"{names} (Settings Authority)")
        if settings.authority_code:
            looked.append(f"'{settings.authority_code}' (Settings Authority Code)")
        message = (f"our own authority is on no row: looked for {' and '.join(looked)} in "
                   f"column Authority; ranks and quartile bands use each measure's Current")
    sheet.problems.append(Problem(sheet.table.sheet, where, message, severity="warning"))
