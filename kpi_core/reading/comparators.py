"""The Comparators table to :class:`~kpi_core.model.ComparatorValue` rows (SPEC section 3).

One row per measure, authority, year and group: ``Ref``, ``Authority``, ``Year``,
``Value``, ``Group``. Read with the same cell helpers and problem reporting as the
other tables (:mod:`kpi_core.reading.tables`):

- a Ref not in the Measures table: a warning, the row is not used;
- the same Ref, Authority, Year and Group twice: an error on the second row, which
  is not used;
- a Value that is not a number, a blank Authority, Group or Year, a Year with no
  year in it: an error with its cell; a blank Value or a marker (``n/a``) is an
  authority without data for that year;
- our own authority (Settings ``Authority`` by name, or ``Authority Code``) found on
  no row: one warning that says which names and code it looked for.

Here the text is read, never judged: the reader marks our own rows (``own``) and the
rows that are not authorities (``aggregate``: England, the regions, averages), and
gives each year a sort key. Ranks and bands are :mod:`kpi_core.assessing.comparators`.
"""

from __future__ import annotations

import re

from ..model import (
    GROUP_ENGLAND, GROUP_REGION, GROUP_STATISTICAL_NEIGHBOURS, ComparatorValue, Problem, Settings,
    Unit,
)
from .benchmark_text import (
    NATIONAL, STATISTICAL_NEIGHBOURS, canonical_comparator, is_own_authority, own_authority_names,
)
from .tables import COMPARATORS, Column, _is_blank_row, _parse, _Sheet
from .values import Reading, parse_reading, parse_text
from .xlsx import RawTable, cell_address

__all__ = ["COMPARATORS", "COMPARATOR_COLUMNS", "read_comparators"]

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
                     units: dict[str, Unit]) -> dict[str, list[ComparatorValue]]:
    """Comparator rows by Ref (casefolded), problems added to ``problems``.

    ``units`` maps each Measures Ref (casefolded) to its unit: an unknown Ref is
    reported, and a plain number above 2 in a ``%`` measure is a warning (percent
    cells hold fractions), as in the Measures table.
    """
    sheet = _Sheet(table, problems)
    cols = sheet.columns(COMPARATOR_COLUMNS)
    out: dict[str, list[ComparatorValue]] = {}
    if cols is None:
        return out
    spec = {c.field: c for c in COMPARATOR_COLUMNS}
    c_ref, c_auth, c_year, c_value, c_group = (cols[f] for f in (
        "ref", "authority", "year", "value", "group"))
    # 150 authorities on 5,000 measures is 750,000 rows of a few hundred distinct
    # names: each distinct text is read once.
    authorities: dict[str, tuple[str, bool, str | None]] = {}
    groups: dict[str, str] = {}
    years: dict[str, int | None] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    own_seen = False
    code = (settings.authority_code or "").strip().casefold()
    name = settings.authority

    def text(ri: int, row: list, ci: int, field: str) -> str | None:
        value = row[ci] if ci < len(row) else None
        if type(value) is str:
            value = value.strip()
            if value and value.isprintable():
                return value
        return _parse(sheet, row, ri, ci, spec[field], parse_text)

    for ri in range(1, len(table.rows)):
        row = table.rows[ri]
        if _is_blank_row(row):
            continue
        ref = text(ri, row, c_ref, "ref")
        authority = text(ri, row, c_auth, "authority")
        year = text(ri, row, c_year, "year")
        group = text(ri, row, c_group, "group")
        raw = row[c_value] if c_value < len(row) else None
        if type(raw) is float and raw - raw == 0.0:
            reading = Reading(raw)
        else:
            reading = _parse(sheet, row, ri, c_value, spec["value"], parse_reading, None)
            if reading is None:
                continue  # not a number: reported
        missing = [(f, ci) for f, ci, v in (("ref", c_ref, ref), ("authority", c_auth, authority),
                                             ("year", c_year, year), ("group", c_group, group))
                   if v is None]
        if missing:
            for field, ci in missing:
                if not any(p.cell == sheet.address(ri, ci) and p.sheet == table.sheet
                           for p in problems[-4:]):
                    sheet.add(ri, ci, f"{spec[field].label} is blank")
            continue
        key = ref.casefold()
        unit = units.get(key)
        if unit is None:
            sheet.add(ri, c_ref, f"Ref '{ref}' is not in the Measures table; this comparator "
                      "row is not used", ref, severity="warning")
            continue
        if year not in years:
            years[year] = year_key(year)
        order = years[year]
        if order is None:
            sheet.add(ri, c_year, f"year '{year}' names no year (write it like 2015 or "
                      "2015/16)", year)
            continue
        found = authorities.get(authority)
        if found is None:
            mine = bool(code and authority.casefold() == code) or is_own_authority(authority, name)
            found = authorities[authority] = (authority, mine,
                                              None if mine else aggregate_name(authority))
        _, mine, aggregate = found
        g = groups.get(group)
        if g is None:
            g = groups[group] = canonical_group(group)
        dup = (key, authority.casefold(), year.casefold(), g.casefold())
        if dup in seen:
            sheet.add(ri, c_auth, f"{authority}, {year}, {g} appears twice for Ref '{ref}' "
                      f"(also row {seen[dup]}); keep one", authority)
            continue
        seen[dup] = table.top + ri
        value = reading.value
        if (unit is Unit.PERCENT and value is not None and abs(value) > 2
                and not reading.is_percent and (ri, c_value) not in table.percent_cells):
            sheet.add(ri, c_value, f"value {value:g} in a % measure reads as {value * 100:g}%; "
                      "percent cells hold fractions (97% is 0.97)", value, severity="warning")
        own_seen = own_seen or mine
        out.setdefault(key, []).append(ComparatorValue(
            ref, authority, year, value, g, order, mine, aggregate, table.top + ri))
    if out and not own_seen:
        _own_not_found(sheet, cols["authority"], settings)
    return out


def _own_not_found(sheet: _Sheet, ci: int, settings: Settings) -> None:
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
