"""Which column of an officer's own table is which field (SPEC section 3).

Headers compare folded: case ignored, line breaks (also those Excel saves as
``_x000D_``, decoded by the reader) and repeated spaces made one space. A header is
matched, in this order, by the workbook's own Settings rows ``Column: <our name>`` =
``<your header>``, by the column's own names (``Current``), then by the built-in
synonyms below (``Actual``, ``Outturn``, ...). A header that matches nothing is passed
on unused, never swallowed: the wide quarterly layout (headers that are period
labels, ``Q1 2016/17``) is read from those by the History reader.

Pure functions over header cells: no workbook, no rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .xlsx import RawTable

#: Built-in synonyms of SPEC section 3 (and a few more seen in councils' workbooks),
#: by field. The Column definitions in :mod:`kpi_core.reading.tables` carry each
#: field's own names; these answer too, after them.
SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "portfolio": ("directorate", "service", "service area", "department"),
    "cabinet_member": ("lead member", "portfolio holder", "cabinet lead"),
    "ref": ("reference", "ref.", "ref no", "ref no.", "kpi ref", "pi ref", "indicator ref",
            "measure ref", "code", "id"),
    "name": ("indicator", "kpi", "description", "measure name", "indicator name",
             "kpi name", "kpi description", "performance indicator", "measure description"),
    "current": ("current position", "actual", "outturn", "latest", "performance",
                "current value", "current performance", "latest position", "latest value",
                "actual performance", "result"),
    "polarity": ("good is", "aim", "direction", "good performance is", "polarity (good is)",
                 "higher or lower is better"),
    "notes": ("commentary", "comments", "comment", "narrative"),
    "target": ("target value", "current target"),
    "previous": ("previous position", "previous value", "last period", "last quarter"),
    "unit": ("units", "measure type"),
    "benchmarking_text": ("benchmark", "benchmarks", "comparison"),
    "owner": ("lead officer", "responsible officer", "data owner", "measure owner",
              "officer responsible"),
}
#: The fields a RAG is decided from: a table without them gets a warning naming the
#: headers it has.
STATUS_FIELDS = ("current", "target", "polarity")
#: The fields that tell a measures header row from a title row above it.
HEADER_ROW_FIELDS = ("ref", "name")
#: How far down a sheet without an Excel table the header row is looked for.
HEADER_SEARCH_ROWS = 20


def fold_header(value: object) -> str:
    """A header as compared: case folded, line breaks and repeated spaces one space.

    >>> fold_header("  Current\\r\\nPosition "), fold_header("Good   is"), fold_header(None)
    ('current position', 'good is', '')
    >>> fold_header("Target\\u00a0(%)"), fold_header(2015.0)
    ('target (%)', '2015')
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    """Where each field was found in a header row.

    ``found`` maps a field to its column index; ``how`` says by what
    (``"name"``, ``"synonym"`` or ``"setting"``); ``duplicates`` lists
    (field, column, first column) for a field met twice; ``unused`` the columns
    no field took, as (column, header cell as read: text, or a date), for readers of
    other layouts (the wide quarterly layout's period headers).
    """

    found: Mapping[str, int]
    how: Mapping[str, str]
    duplicates: tuple[tuple[str, int, int], ...]
    unused: tuple[tuple[int, object], ...]


def header_words(fields: Iterable[tuple[str, Sequence[str]]],
                 overrides: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Folded header -> (field, how), in order of precedence: settings, names, synonyms.

    ``fields`` gives each field with its own names; ``overrides`` maps a field to the
    workbook's header for it (Settings ``Column:`` rows): such a field answers to that
    header alone.

    >>> words = header_words([("current", ("current",)), ("ref", ("ref",))],
    ...                      {"current": "Q2 Actual"})
    >>> words["q2 actual"], "current" in words, "actual" in words, words["reference"]
    (('current', 'setting'), False, False, ('ref', 'synonym'))
    """
    overrides = overrides or {}
    words: dict[str, tuple[str, str]] = {}
    for field, header in overrides.items():
        words.setdefault(fold_header(header), (field, "setting"))
    fields = list(fields)
    for field, names in fields:
        if field in overrides:
            continue
        for name in names:
            words.setdefault(fold_header(name), (field, "name"))
    for field, _names in fields:
        if field in overrides:
            continue
        for name in SYNONYMS.get(field, ()):
            words.setdefault(fold_header(name), (field, "synonym"))
    return words


def match_headers(header: Sequence[object], words: Mapping[str, tuple[str, str]]) -> HeaderMatch:
    """Each field's column in a header row; the first of a repeated field wins.

    >>> words = header_words([("ref", ("ref",)), ("name", ("measure",)),
    ...                       ("notes", ("notes",))])
    >>> m = match_headers(["Ref", "Indicator", "Q1 2016/17", "Comments", "Notes"], words)
    >>> dict(m.found), m.how["name"], m.duplicates, m.unused
    ({'ref': 0, 'name': 1, 'notes': 3}, 'synonym', (('notes', 4, 3),), ((2, 'Q1 2016/17'),))
    """
    found: dict[str, int] = {}
    how: dict[str, str] = {}
    duplicates: list[tuple[str, int, int]] = []
    unused: list[tuple[int, object]] = []
    for ci, value in enumerate(header):
        folded = fold_header(value)
        hit = words.get(folded)
        if hit is None:
            if folded:
                unused.append((ci, " ".join(value.split()) if isinstance(value, str) else value))
            continue
        field, kind = hit
        if field in found:
            duplicates.append((field, ci, found[field]))
            continue
        found[field] = ci
        how[field] = kind
    return HeaderMatch(found, how, tuple(duplicates), tuple(unused))


def find_header_row(rows: Sequence[Sequence[object]], words: Mapping[str, tuple[str, str]],
                    needed: Sequence[str] = HEADER_ROW_FIELDS,
                    limit: int = HEADER_SEARCH_ROWS) -> int | None:
    """The index of the first row, within the first ``limit``, that names every field
    in ``needed`` (title rows above a plain range are passed over).

    >>> words = header_words([("ref", ("ref",)), ("name", ("measure",))])
    >>> find_header_row([["Council scorecard"], [], ["Ref", "Indicator"], ["A1", "x"]], words)
    2
    >>> find_header_row([["Ref only"]], words) is None
    True
    """
    for ri, row in enumerate(rows[:limit]):
        fields = {words[f][0] for f in map(fold_header, row) if f in words}
        if all(n in fields for n in needed):
            return ri
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def range_end(rows: Sequence[Sequence[object]], start: int,
              key_columns: Sequence[int] = ()) -> int:
    """The index just past a plain range that starts (with its header row) at ``start``.

    It ends at the first blank row (a totals row after it is not a measure), or at a
    row whose ``key_columns`` (Ref) are blank and whose first text begins with "Total"
    (a totals row straight under the measures).

    >>> range_end([["Ref"], ["A1"], ["A2"], [None, " "], ["Total"]], 0)
    3
    >>> range_end([["Ref", "Measure", "n"], ["A1", "a", 1], [None, "Totals", 1]], 0, (0,))
    2
    """
    for ri in range(start + 1, len(rows)):
        row = rows[ri]
        if all(_blank(v) for v in row):
            return ri
        if key_columns and all(ci >= len(row) or _blank(row[ci]) for ci in key_columns):
            first = next((v for v in row if not _blank(v)), "")
            if isinstance(first, str) and first.strip().casefold().startswith("total"):
                return ri
    return len(rows)


def locate_range(cells: RawTable, words: Mapping[str, tuple[str, str]], name: str
                 ) -> RawTable | None:
    """The measures in a sheet's cells without an Excel table: from the first header row
    (within the first 20 rows) that names Ref and Measure, across its headed columns,
    down to the first blank row. ``None`` when no such header row is found.

    >>> words = header_words([("ref", ("ref",)), ("name", ("measure",))])
    >>> sheet = RawTable("Measures", "Measures", 1, 1, [["Scorecard"], [None, "Ref", "KPI", None],
    ...                  [None, "A1", "x"], [], [None, "Total", None, 2]], frozenset({(2, 1)}))
    >>> found = locate_range(sheet, words, "Measures")
    >>> found.top, found.left, found.rows, found.percent_cells
    (2, 2, [['Ref', 'KPI'], ['A1', 'x']], frozenset({(1, 0)}))
    """
    rows = cells.rows
    top = find_header_row(rows, words)
    if top is None:
        return None
    header = list(rows[top])
    headed = [ci for ci, v in enumerate(header) if not _blank(v)]
    left, right = headed[0], headed[-1] + 1
    keys = [ci for ci, v in enumerate(header) if words.get(fold_header(v), ("",))[0] == "ref"]
    end = range_end(rows, top, keys)
    grid = [(list(row[left:right]) + [None] * (right - left))[:right - left]
            for row in rows[top:end]]
    percent = frozenset((ri - top, ci - left) for ri, ci in cells.percent_cells
                        if top <= ri < end and left <= ci < right)
    return RawTable(name, cells.sheet, cells.top + top, cells.left + left, grid, percent)
