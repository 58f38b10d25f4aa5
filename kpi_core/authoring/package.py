"""The file writer: a :class:`~kpi_core.authoring.plan.WorkbookPlan` applied to a copy of
the workbook, part by part.

Every part the plan does not touch is copied byte for byte; the worksheets it edits
are spliced cell by cell (:mod:`kpi_core.authoring.sheetxml`), so the VBA project, its
signature, drawings, sparklines, validations and extensions stay as they were. What
would break is refused, naming it: a shared or array formula over an edited cell,
values where a table grows, a totals row, a digital signature, a protected structure.
The writer decides nothing else: every cell, row and position comes from the plan.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import zipfile
import zlib
from pathlib import Path

from ..cells import SPREADSHEET_NS, cell_address
from ..errors import FileError
from ..reading.package import MAX_PART_BYTES, PackageLayout, TablePart, read_layout
from .plan import BLANK, BOOL, NUMBER, CellEdit, CellRef, TableRows, Value, WorkbookPlan
from .sheetxml import (  # noqa: F401  (the cell splicer's names, re-exported for callers)
    Cell, Row, SheetXml, attr_text, column_index, encode_text, grow_table, number_text,
    parse_range, range_ref, with_dimension, with_shared_count,
)

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"


def refuse_signed(book: Path, layout: PackageLayout) -> None:
    """A digitally signed workbook: any edit would invalidate the signature."""
    signed = [p for p in layout.parts if p.casefold().startswith("_xmlsignatures/")]
    if signed:
        raise FileError(f"{book}: the workbook is digitally signed ({signed[0]}); changing it "
                        "would invalidate the signature, which would be lost. Remove the "
                        "signature in Excel (File > Info > View Signatures), make the change, "
                        "then sign it again")


def write_plan(book: str | os.PathLike, plan: WorkbookPlan, out: str | os.PathLike
               ) -> tuple[str, ...]:
    """Write ``out`` (a temporary the caller renames into place): ``book`` with ``plan``
    applied part by part. Every part the plan does not touch is copied byte for byte; in
    the worksheets it edits, only the edited rows change.

    Raises :class:`FileError` where the plan cannot be applied without breaking something
    (a shared or array formula over an edited cell, cells under a table that new rows
    would overwrite, a totals row, a signature, a protected structure), naming it; and
    ``ValueError`` for a plan with refusals (a caller's mistake: they must be reported,
    not written). Returns the cells (``Sheet!A1``) whose formula the plan replaced by a
    value or a blank, for the caller to say so.
    """
    book, out = Path(book), Path(out)
    if plan.refused:
        raise ValueError("a plan with refusals is not written: "
                         + "; ".join(p.text for p in plan.refusals[:3]))
    layout = read_layout(book)
    refuse_signed(book, layout)
    writer = _PlanWriter(book, layout)
    for edit in plan.edits:
        writer.edit(edit)
    for table in plan.tables:
        writer.table(table)
    parts = writer.render()
    _write_package(book, out, parts, writer.drop)
    return tuple(writer.formula_cells)


class _PlanWriter:
    """The parts a plan changes, built from the book's own bytes."""

    def __init__(self, book: Path, layout: PackageLayout) -> None:
        self.book, self.layout = book, layout
        self.sheets: dict[str, SheetXml] = {}
        self.edits: dict[str, dict[tuple[int, int], bytes]] = {}
        self.names: dict[str, str] = {}  # sheet part -> sheet name, for messages
        self.grow: dict[str, tuple[int, int]] = {}  # sheet part -> (bottom, right) to hold
        self.parts: dict[str, bytes] = {}  # new or changed parts other than worksheets
        self.drop: set[str] = set()
        self.formulas_removed = False
        self.formula_cells: list[str] = []  # Sheet!A1 of each formula replaced

    # sheets and cells

    def part_of(self, sheet_name: str) -> str:
        part = self.layout.sheet_part(sheet_name)
        if part is None:
            raise FileError(f"{self.book}: sheet {sheet_name} is not a worksheet this tool "
                            "can edit")
        return part

    def sheet(self, part: str, name: str = "") -> SheetXml:
        if part not in self.sheets:
            with zipfile.ZipFile(self.book) as z:
                info = z.getinfo(part)
                if info.file_size > MAX_PART_BYTES:
                    raise FileError(f"{self.book}: part {part} is too large to edit")
                self.sheets[part] = SheetXml(z.read(info), part)
            self.edits[part] = {}
        if name:
            self.names.setdefault(part, name)
        return self.sheets[part]

    def style_of(self, ref: CellRef | None) -> str | None:
        if ref is None:
            return None
        part = self.layout.sheet_part(ref.sheet) or next(
            (p for p, n in self.names.items() if n.casefold() == ref.sheet.casefold()), None)
        if part is None:
            return None
        cell = self.sheet(part, ref.sheet).cell(ref.row, ref.col)
        return cell.style if cell is not None else None

    def set(self, part: str, row: int, col: int, xml: bytes) -> None:
        old = self.sheets[part].cell(row, col)
        if old is not None and old.formula is not None:
            self.formulas_removed = True
            if (row, col) not in self.edits[part]:
                self.formula_cells.append(f"{self.names.get(part, part)}!"
                                          f"{cell_address(row, col)}")
        self.edits[part][(row, col)] = xml

    def cell_xml(self, sheet: SheetXml, row: int, col: int, value: Value,
                 style: str | None) -> bytes:
        if value.kind == BLANK:
            return sheet.empty_cell(row, col, style)
        if value.kind == NUMBER:
            return sheet.number_cell(row, col, style, value.value)
        if value.kind == BOOL:
            p = sheet.prefix  # Excel's boolean cell: t="b", 1 or 0
            styled = f' s="{attr_text(style)}"' if style is not None else ""
            return (f'<{p}c r="{cell_address(row, col)}"{styled} t="b"><{p}v>'
                    f'{int(bool(value.value))}</{p}v></{p}c>').encode()
        return sheet.text_cell(row, col, style, value.value)

    def edit(self, edit: CellEdit) -> None:
        part = self.part_of(edit.sheet)
        sheet = self.sheet(part, edit.sheet)
        old = sheet.cell(edit.row, edit.col)
        if edit.kind == BLANK and (old is None or old.is_empty):
            return  # nothing to clear: the cell stays byte for byte
        style = old.style if old is not None else (
            self.style_of(edit.like) or sheet.default_style(edit.row, edit.col))
        self.set(part, edit.row, edit.col,
                 self.cell_xml(sheet, edit.row, edit.col, edit.cell, style))

    # tables

    def table(self, rows: TableRows) -> None:
        if rows.new_sheet:
            self.new_table(rows)
            return
        if not rows.table:
            self.plain_rows(rows)
            return
        table = self.layout.table(rows.table)
        if table is None:
            raise FileError(f"{self.book}: has no table {rows.table} to add rows to")
        if table.totals_rows:
            raise FileError(f"{self.book}: the {rows.table} table has a totals row; new rows "
                            "go above it, which this tool does not do. Turn the totals row "
                            "off (Table Design > Total Row), try again, then turn it on")
        top, left, bottom, right = parse_range(table.ref)
        read_right = rows.right - len(rows.added)
        if (top, left, right) != (rows.top, rows.left, read_right):
            read = range_ref(rows.top, rows.left, rows.top, read_right)
            raise FileError(f"{self.book}: the {rows.table} table stands at {table.ref}, not "
                            f"where it was read (from {read}); nothing was written")
        sheet = self.sheet(table.sheet_part, table.sheet)
        new_bottom = max(bottom, rows.bottom)
        self._check_free(sheet, table, top, bottom, right, rows, new_bottom)
        for i, header in enumerate(rows.added, start=1):
            style = (sheet.cell(top, right).style if sheet.cell(top, right) is not None
                     else None)
            self.set(table.sheet_part, top, right + i,
                     sheet.text_cell(top, right + i, style, header))
        self.row_cells(table.sheet_part, sheet, rows, top)
        new_right = rows.right
        if (new_bottom, new_right) != (bottom, right):
            with zipfile.ZipFile(self.book) as z:
                data = grow_table(z.read(table.table_part), table.ref,
                                  range_ref(top, left, new_bottom, new_right))
            if rows.added:
                data = _add_table_columns(data, rows.added, table.table_part)
            self.parts[table.table_part] = data
            self.grow[table.sheet_part] = (new_bottom, new_right)

    def plain_rows(self, rows: TableRows) -> None:
        """Rows under a plain range (no Excel table): cells only, on empty cells."""
        part = self.part_of(rows.sheet)
        sheet = self.sheet(part, rows.sheet)
        right = rows.right - len(rows.added)
        area = [(rows.first, rows.left, rows.bottom, rows.right)]
        if rows.added:
            area.append((rows.top, right + 1, rows.first - 1, rows.right))
        for a_top, a_left, a_bottom, a_right in area:
            for r in range(a_top, a_bottom + 1):
                for cell in sheet.row_cells(r):
                    if a_left <= cell.col <= a_right and not cell.is_empty:
                        raise FileError(f"{rows.sheet}!{cell_address(r, cell.col)} holds a "
                                        f"value where the new rows go; move it, then try "
                                        "again")
        header = sheet.cell(rows.top, right)
        for i, text in enumerate(rows.added, start=1):
            self.set(part, rows.top, right + i, sheet.text_cell(
                rows.top, right + i, header.style if header is not None else None, text))
        self.row_cells(part, sheet, rows, rows.top)
        self.grow[part] = (rows.bottom, rows.right)

    def row_cells(self, part: str, sheet, rows: TableRows, top: int) -> None:
        """The cells of ``rows`` below the header row ``top``, each styled like the cell
        it copies (``rows.like``), else the last data row's cell above, else the sheet's
        default for its place."""
        last_data = rows.first - 1 if rows.first - 1 > top else None
        for r, line in enumerate(rows.rows):
            row = rows.first + r
            likes = rows.like[r] if r < len(rows.like) else ()
            for i, value in enumerate(line):
                col = rows.left + i
                style = self.style_of(likes[i]) if i < len(likes) else None
                if style is None and last_data is not None:
                    above = sheet.cell(last_data, col)
                    style = above.style if above is not None else None
                if style is None:
                    style = sheet.default_style(row, col)
                self.set(part, row, col, self.cell_xml(sheet, row, col, value, style))

    def _check_free(self, sheet: SheetXml, table: TablePart, top: int, bottom: int,
                    right: int, rows: TableRows, new_bottom: int) -> None:
        """New rows below the table and new columns at its right must land on empty cells
        and on no other table."""
        areas = []
        if new_bottom > bottom:
            areas.append((bottom + 1, rows.left, new_bottom, rows.right))
        if rows.added:
            areas.append((top, right + 1, new_bottom, rows.right))
        for a_top, a_left, a_bottom, a_right in areas:
            for r in range(a_top, a_bottom + 1):
                for cell in sheet.row_cells(r):
                    if a_left <= cell.col <= a_right and not cell.is_empty:
                        raise FileError(
                            f"{table.sheet}!{cell_address(r, cell.col)} holds a value where "
                            f"the {rows.table} table grows (its new rows or columns go "
                            f"there); move it, then try again")
            for other in self.layout.tables:
                if other.sheet_part != table.sheet_part or other is table:
                    continue
                o_top, o_left, o_bottom, o_right = parse_range(other.ref)
                if o_top <= a_bottom and o_bottom >= a_top and o_left <= a_right \
                        and o_right >= a_left:
                    raise FileError(f"the table {other.name} ({other.ref}) stands where the "
                                    f"{rows.table} table grows; move it, then try again")

    def new_table(self, rows: TableRows) -> None:
        """A new sheet (last) holding a new table with the rows."""
        with zipfile.ZipFile(self.book) as z:
            book_xml = z.read(self.layout.workbook_part)
        where = f"a {rows.sheet} sheet with the table {rows.table}"
        columns = ", ".join(rows.headers)
        if re.search(rb"<(?:\w+:)?workbookProtection\b[^>]*lockStructure=\"(?:1|true)\"",
                     book_xml):
            raise FileError(f"{self.book}: the workbook's structure is protected, so {where} "
                            "cannot be added; unprotect it (Review > Protect Workbook) or add "
                            f"the table yourself ({columns}), then try again")
        if b"purl.oclc.org/ooxml" in book_xml:
            raise FileError(f"{self.book}: is saved as Strict Open XML, and this tool adds "
                            f"{where} only to an ordinary Excel Workbook; add the table "
                            f"yourself ({columns}) or save the workbook as an Excel Workbook "
                            "(.xlsx), then try again")
        if self.layout.sheet_part(rows.sheet) is not None:
            raise FileError(f"{self.book}: already has a sheet {rows.sheet}; the table "
                            f"{rows.table} would go there")
        names = {p.casefold() for p in self.layout.parts} | {p.casefold() for p in self.parts}
        n = 1
        while f"xl/worksheets/sheet{n}.xml" in names:
            n += 1
        sheet_part = f"xl/worksheets/sheet{n}.xml"
        m = 1
        while f"xl/tables/table{m}.xml" in names:
            m += 1
        table_part = f"xl/tables/table{m}.xml"
        table_id = max((t.id for t in self.layout.tables), default=0) + 1
        width = len(rows.headers)
        bottom = max(rows.bottom, rows.top + 1)
        ref = range_ref(rows.top, rows.left, bottom, rows.right)
        header = "".join(sheet_text_cell(rows.top, rows.left + i, h)
                         for i, h in enumerate(rows.headers))
        cols_xml = "".join(
            f'<col min="{rows.left + i}" max="{rows.left + i}" width="{max(10, len(h) + 4)}" '
            'customWidth="1"/>' for i, h in enumerate(rows.headers))
        skeleton = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{SPREADSHEET_NS}" xmlns:r="{_REL}"><dimension ref="{ref}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols_xml}</cols>'
            f'<sheetData><row r="{rows.top}">{header}</row></sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/><tableParts count="1"><tablePart r:id="rId1"/></tableParts>'
            '</worksheet>').encode()
        sheet = SheetXml(skeleton, sheet_part)
        self.sheets[sheet_part] = sheet
        self.edits[sheet_part] = {}
        self.names[sheet_part] = rows.sheet
        for r, line in enumerate(rows.rows):
            likes = rows.like[r] if r < len(rows.like) else ()
            for i, value in enumerate(line):
                row, col = rows.first + r, rows.left + i
                style = self.style_of(likes[i]) if i < len(likes) else None
                self.set(sheet_part, row, col, self.cell_xml(sheet, row, col, value, style))
        table_columns = "".join(f'<tableColumn id="{i}" name="{attr_text(h)}"/>'
                                for i, h in enumerate(rows.headers, start=1))
        name = attr_text(rows.table)
        self.parts[table_part] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<table xmlns="{SPREADSHEET_NS}" id="{table_id}" name="{name}" displayName="{name}" '
            f'ref="{ref}" totalsRowShown="0"><autoFilter ref="{ref}"/>'
            f'<tableColumns count="{width}">{table_columns}</tableColumns>'
            '<tableStyleInfo name="TableStyleMedium2" showFirstColumn="0" '
            'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>').encode()
        self.parts[posixpath.join("xl/worksheets/_rels", f"sheet{n}.xml.rels")] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/table" Target="../tables/table{m}.xml"/>'
            '</Relationships>').encode()
        self._register_sheet(rows.sheet, sheet_part, table_part)

    def _register_sheet(self, sheet_name: str, sheet_part: str, table_part: str) -> None:
        """The new sheet in workbook.xml (last), its relationship and content types."""
        book_part = self.layout.workbook_part
        folder, base = posixpath.split(book_part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        with zipfile.ZipFile(self.book) as z:
            book = self.parts.get(book_part, z.read(book_part)).decode("utf-8")
            rels = self.parts.get(rels_part, z.read(rels_part)).decode("utf-8")
            types = self.parts.get("[Content_Types].xml",
                                   z.read("[Content_Types].xml")).decode("utf-8")
        used = set(re.findall(r'\bId\s*=\s*"([^"]*)"', rels))
        k = len(used) + 1
        while f"rId{k}" in used:
            k += 1
        rid = f"rId{k}"
        target = posixpath.relpath(sheet_part, folder or ".")
        rels = insert_before_close(rels, "Relationships",
                                   f'<Relationship Id="{rid}" Type="{_REL}/worksheet" '
                                   f'Target="{target}"/>')
        ids = [int(i) for i in re.findall(r'<(?:\w+:)?sheet\b[^>]*\bsheetId\s*=\s*"(\d+)"', book)]
        main_m = re.search(r"<(\w+:)?sheets\b", book)
        p = main_m.group(1) or "" if main_m else ""
        # declared on the element itself: openpyxl declares it on each sheet, not the root
        rattr = f'xmlns:r="{_REL}" r:id'
        element = (f'<{p}sheet name="{attr_text(sheet_name)}" '
                   f'sheetId="{max(ids, default=0) + 1}" {rattr}="{rid}"/>')
        if not re.search(r"</(?:\w+:)?sheets>", book):
            raise FileError(f"{self.book}: the workbook part lists no sheets; it is damaged")
        book = insert_before_close(book, "sheets", element)
        types = insert_before_close(
            types, "Types",
            f'<Override PartName="/{sheet_part}" ContentType="{_CT_SHEET}"/>'
            f'<Override PartName="/{table_part}" ContentType="{_CT_TABLE}"/>')
        self.parts[book_part] = book.encode("utf-8")
        self.parts[rels_part] = rels.encode("utf-8")
        self.parts["[Content_Types].xml"] = types.encode("utf-8")

    # the parts

    def render(self) -> dict[str, bytes]:
        self._check_formulas()
        out = {}
        shared = 0  # cells that refer to the shared strings, added less removed
        for part, sheet in self.sheets.items():
            shared += sheet.shared_string_change(self.edits[part])
            data = sheet.render(self.edits[part])
            if part in self.grow:
                data = with_dimension(data, sheet, *self.grow[part])
            if data != sheet.data or part not in self.layout.parts:
                out[part] = data
        out.update(self.parts)
        sst = self.layout.shared_strings
        if shared and sst and sst not in out:  # its count moves with the cells using it
            with zipfile.ZipFile(self.book) as z:
                out[sst] = with_shared_count(z.read(sst), shared)
        if self.formulas_removed:
            self._drop_calc_chain(out)
        return out

    def _check_formulas(self) -> None:
        for part, edits in self.edits.items():
            sheet = self.sheets[part]
            for (row, col) in edits:
                cell = sheet.cell(row, col)
                if cell is not None and cell.formula is not None:
                    self._check_formula(sheet, cell, self.names.get(part, part), edits)

    def _check_formula(self, sheet: SheetXml, cell: Cell, sheet_name: str, edits: dict) -> None:
        """A formula that other cells share, or an array over several cells, cannot be
        taken out of one cell without breaking the others."""
        where = f"{sheet_name}!{cell_address(cell.row, cell.col)}"
        kind = cell.formula.get("t")
        if kind == "shared" and "ref" in cell.formula:
            users = [c for c in sheet.shared_formula_users(cell.formula.get("si", ""))
                     if (c.row, c.col) != (cell.row, cell.col) and (c.row, c.col) not in edits]
            if users:
                raise FileError(f"{where} holds a shared formula that {len(users)} other "
                                f"cell(s) use (e.g. {sheet_name}!"
                                f"{cell_address(users[0].row, users[0].col)}); this edit "
                                "would break them. Replace the formulas in that column "
                                "by values (Copy, Paste Values) or retype one, then try again")
        if kind in ("array", "dataTable"):
            ref = cell.formula.get("ref", "")
            if ":" in ref and ref.split(":")[0] != ref.split(":")[1]:
                raise FileError(f"{where} is part of an array formula over {ref}; this edit "
                                "would break it. Replace it by values, then try again")

    def _drop_calc_chain(self, out: dict[str, bytes]) -> None:
        """Formulas were taken out: Excel's calculation chain would name cells without one
        (Excel calls that unreadable content), so it goes; Excel rebuilds it on load."""
        chain = next((p for p in self.layout.parts if p.casefold() == "xl/calcchain.xml"), None)
        if chain is None:
            return
        self.drop.add(chain)
        book_part = self.layout.workbook_part
        folder, base = posixpath.split(book_part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        with zipfile.ZipFile(self.book) as z:
            rels = out.get(rels_part) or z.read(rels_part)
            types = out.get("[Content_Types].xml") or z.read("[Content_Types].xml")
        out[rels_part] = re.sub(rb"<(?:\w+:)?Relationship\b[^>]*calcChain[^>]*/>", b"", rels)
        out["[Content_Types].xml"] = re.sub(
            rb'<(?:\w+:)?Override\b[^>]*PartName="/' + re.escape(chain.encode()) + rb'"[^>]*/>',
            b"", types)


def sheet_text_cell(row: int, col: int, text: str) -> str:
    """An inline-string cell of a sheet this module writes from scratch."""
    return (f'<c r="{cell_address(row, col)}" t="inlineStr"><is><t>{encode_text(text)}</t>'
            '</is></c>')


def _add_table_columns(data: bytes, headers: tuple[str, ...], part: str) -> bytes:
    """A table part with ``headers`` appended to its tableColumns (ids after the last)."""
    match = re.search(rb"<((?:[\w.-]+:)?)tableColumns\b([^>]*)>", data)
    close = re.search(rb"</(?:[\w.-]+:)?tableColumns\s*>", data)
    if match is None or close is None:
        raise FileError(f"part {part} lists no table columns; the table is damaged")
    prefix = match.group(1).decode()
    ids = [int(i) for i in re.findall(rb'<(?:[\w.-]+:)?tableColumn\b[^>]*\sid\s*=\s*"(\d+)"',
                                      data)]
    count = len(re.findall(rb"<(?:[\w.-]+:)?tableColumn\b", data)) + len(headers)
    new = "".join(f'<{prefix}tableColumn id="{max(ids, default=0) + i}" '
                  f'name="{attr_text(h)}"/>' for i, h in enumerate(headers, start=1)).encode()
    opening = re.sub(rb'\scount\s*=\s*"\d+"', f' count="{count}"'.encode(), match.group(0))
    return (data[:match.start()] + opening + data[match.end():close.start()] + new
            + data[close.start():])


def insert_before_close(text: str, element: str, insert: str) -> str:
    """``insert`` just before the last ``</element>`` (any prefix); an empty
    ``<element/>`` is opened.

    >>> insert_before_close("<a><b/></a>", "a", "<c/>")
    '<a><b/><c/></a>'
    >>> insert_before_close("<x:s/>", "s", "<x:t/>")
    '<x:s><x:t/></x:s>'
    """
    closes = list(re.finditer(rf"</(\w+:)?{element}\s*>", text))
    if closes:
        at = closes[-1].start()
        return text[:at] + insert + text[at:]
    empty = re.search(rf"<((?:\w+:)?{element})\b([^>]*?)\s*/>", text)
    if empty is None:
        raise FileError(f"no {element} element to add to; the part is damaged")
    return (text[:empty.start()] + f"<{empty.group(1)}{empty.group(2)}>{insert}"
            f"</{empty.group(1)}>" + text[empty.end():])


def _write_package(book: Path, tmp: Path, parts: dict[str, bytes], drop: set[str]) -> None:
    """Every part of ``book`` into ``tmp`` in its order, byte for byte unless changed;
    new parts last."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(tmp, "w") as zout:
        seen = set()
        for info in zin.infolist():
            name = info.filename
            if name in drop or name in seen:
                continue
            seen.add(name)
            try:
                _copy_part(zin, zout, info, parts.get(name), book)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise FileError(f"{book}: part {name} is damaged or truncated ({exc}); "
                                "nothing was written. Open the workbook in Excel, save it, "
                                "then try again") from exc
            except NotImplementedError as exc:
                raise FileError(f"{book}: part {name} is compressed in a way Excel never "
                                f"uses ({exc}); save the workbook again from Excel") from exc
            except RuntimeError as exc:  # an entry encrypted with a zip password
                raise FileError(f"{book}: part {name} is encrypted inside the zip; Excel "
                                "never writes that: save the workbook again from Excel") \
                    from exc
        for name, data in parts.items():
            if name not in seen:
                zout.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                              compress_type=zipfile.ZIP_DEFLATED)


def _copy_part(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo,
               new: bytes | None, book: Path) -> None:
    """One part into the new package: ``new`` if given, else its own bytes, streamed."""
    out = zipfile.ZipInfo(info.filename, info.date_time)
    out.compress_type = info.compress_type if info.compress_type in (
        zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    out.external_attr = info.external_attr
    out.create_system = info.create_system
    if new is not None:
        zout.writestr(out, new)
        return
    if info.file_size > MAX_PART_BYTES:
        raise FileError(f"{book}: part {info.filename} would inflate to {info.file_size:,} "
                        "bytes; refusing it as a possible zip bomb")
    out.file_size = info.file_size
    with zin.open(info) as src, zout.open(out, "w") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


__all__ = ["Cell", "Row", "SheetXml", "column_index", "encode_text", "grow_table",
           "insert_before_close", "number_text", "parse_range", "range_ref", "refuse_signed",
           "with_dimension", "write_plan"]
