"""What openpyxl keeps when it loads and saves a workbook: the evidence behind
``close-period`` editing the package's XML parts directly (kpi_core/authoring/closing.py).

    .venv/bin/python tests/support/openpyxl_probe.py [FOLDER]

Builds one ``.xlsm`` holding a feature per row (XlsxWriter for what it writes; parts
added by hand for slicers, threaded comments, custom XML and x14 data validation;
LibreOffice through UNO for a pivot table and an external link), round-trips it
through ``openpyxl.load_workbook(keep_vba=True)`` and ``save``, and prints, per
feature, whether its parts and markup are still there. Not a test: it documents
a third-party library's behaviour, which may change with its version.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XLSM = ROOT / "workbook_templates" / "performance_workbook.xlsm"


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\xff\x00\x00" * 4 for _ in range(4))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def build_xlsxwriter_part(path: Path, folder: Path) -> None:
    import xlsxwriter
    with zipfile.ZipFile(XLSM) as z:
        vba = z.read("xl/vbaProject.bin")
    (folder / "vbaProject.bin").write_bytes(vba)
    png = folder / "dot.png"
    png.write_bytes(tiny_png())
    wb = xlsxwriter.Workbook(str(path))
    wb.add_vba_project(str(folder / "vbaProject.bin"))
    wb.set_vba_name("ThisWorkbook")
    ws = wb.add_worksheet("Data")
    ws.set_vba_name("Sheet1")
    for r in range(6):
        ws.write_row(r, 0, [f"row{r}", r, r * 2, r % 3])
    ws.add_table(7, 0, 10, 2, {"name": "Tbl", "columns": [{"header": h} for h in "ABC"]})
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "=Data!$B$1:$B$6"})
    ws.insert_chart("F2", chart)
    ws.insert_image("F20", str(png))
    ws.insert_textbox("F30", "a shape")
    ws.insert_button("K2", {"macro": "RegenerateScorecards", "caption": "Go"})
    ws.conditional_format("B1:B6", {"type": "cell", "criteria": ">", "value": 2,
                                    "format": wb.add_format({"bg_color": "#FFC7CE"})})
    ws.conditional_format("C1:C6", {"type": "data_bar", "data_bar_2010": True})
    ws.data_validation("D1:D6", {"validate": "list", "source": ["0", "1", "2"]})
    ws.add_sparkline("E1", {"range": "Data!B1:D1", "markers": True})
    ws.write_comment("A1", "a note")
    ws.write_url("A12", "https://example.org/", string="link")
    ws.write_rich_string("A13", wb.add_format({"bold": True}), "bold", " plain")
    ws.insert_checkbox("A14", True)
    wb.define_name("Chosen", "=Data!$B$2")
    wb.close()


SHEET_EXT = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" count="1">'
    '<x14:dataValidation type="list" allowBlank="1"><x14:formula1><xm:f>Data!$A$1:$A$3</xm:f>'
    '</x14:formula1><xm:sqref>G1:G3</xm:sqref></x14:dataValidation></x14:dataValidations></ext>'
    '<ext uri="{A8765BA9-456A-4dab-B4F3-ACF838C121DE}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:slicerList><x14:slicer r:id="rIdSlicer1"/></x14:slicerList></ext></extLst>')


def add_hand_parts(src: Path, dst: Path) -> None:
    """Slicer, threaded comment + persons, custom XML, x14 data validation: added by hand."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                # x14 extensions go where an extLst belongs: the end of the worksheet
                if "<extLst>" in text:
                    text = text.replace("<extLst>", SHEET_EXT[:-len("</extLst>")].replace("<extLst>", "<extLst>", 1), 1)
                    text = text.replace("</extLst></extLst>", "</extLst>")
                else:
                    text = text.replace("</worksheet>", SHEET_EXT + "</worksheet>")
                data = text.encode()
            elif info.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                data = data.replace(b"</Relationships>",
                                    b'<Relationship Id="rIdSlicer1" Type="http://schemas.microsoft.com/office/2007/relationships/slicer" Target="../slicers/slicer1.xml"/>'
                                    b'<Relationship Id="rIdThread1" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
                                    b"</Relationships>")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>",
                                    b'<Relationship Id="rIdPersons" Type="http://schemas.microsoft.com/office/2017/10/relationships/person" Target="persons/person.xml"/>'
                                    b'<Relationship Id="rIdCustom" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml" Target="../customXml/item1.xml"/>'
                                    b"</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>",
                                    b'<Override PartName="/xl/slicers/slicer1.xml" ContentType="application/vnd.ms-excel.slicer+xml"/>'
                                    b'<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
                                    b'<Override PartName="/xl/persons/person.xml" ContentType="application/vnd.ms-excel.person+xml"/>'
                                    b"</Types>")
            zout.writestr(info, data)
        zout.writestr("xl/slicers/slicer1.xml",
                      '<slicers xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
                      '<slicer name="S1" cache="Slicer_A" caption="A" rowHeight="241300"/></slicers>')
        zout.writestr("xl/threadedComments/threadedComment1.xml",
                      '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
                      '<threadedComment ref="B2" dT="2024-01-01T00:00:00.00" personId="{00000000-0000-0000-0000-000000000001}" '
                      'id="{00000000-0000-0000-0000-000000000002}"><text>a thread</text></threadedComment></ThreadedComments>')
        zout.writestr("xl/persons/person.xml",
                      '<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
                      '<person displayName="Officer" id="{00000000-0000-0000-0000-000000000001}" providerId="None"/></personList>')
        zout.writestr("customXml/item1.xml", '<root xmlns="urn:example">custom</root>')


UNO_SCRIPT = r'''
import sys, uno
from com.sun.star.beans import PropertyValue
from com.sun.star.table import CellRangeAddress, CellAddress
def prop(n, v):
    p = PropertyValue(); p.Name = n; p.Value = v; return p
out, other, port = sys.argv[1], sys.argv[2], sys.argv[3]
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
import time
for _ in range(100):
    try:
        ctx = resolver.resolve(f"uno:socket,host=localhost,port={port};urp;StarOffice.ComponentContext"); break
    except Exception: time.sleep(0.2)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
sheet = doc.Sheets.getByIndex(0)
rows = [("Group", "Value"), ("a", 1), ("b", 2), ("a", 3)]
for r, row in enumerate(rows):
    for c, v in enumerate(row):
        cell = sheet.getCellByPosition(c, r)
        if isinstance(v, str): cell.setString(v)
        else: cell.setValue(v)
sheet.getCellByPosition(3, 0).setFormula("='" + uno.systemPathToFileUrl(other) + "'#$Sheet1.A1")
src = CellRangeAddress(); src.Sheet = 0; src.StartColumn = 0; src.StartRow = 0; src.EndColumn = 1; src.EndRow = 3
pilots = sheet.getDataPilotTables()
desc = pilots.createDataPilotDescriptor(); desc.setSourceRange(src)
from com.sun.star.sheet.DataPilotFieldOrientation import ROW, DATA
fields = desc.getDataPilotFields()
fields.getByIndex(0).Orientation = ROW
fields.getByIndex(1).Orientation = DATA
dest = CellAddress(); dest.Sheet = 0; dest.Column = 6; dest.Row = 0
pilots.insertNewByName("Pivot1", dest, desc)
doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", "Calc MS Excel 2007 XML"),))
doc.close(True)
'''


def build_libreoffice_part(path: Path, folder: Path) -> bool:
    """A pivot table and an external link, made by LibreOffice (what XlsxWriter cannot write)."""
    import xlsxwriter
    other = folder / "other.xlsx"
    wb = xlsxwriter.Workbook(str(other))
    wb.add_worksheet("Sheet1").write_number(0, 0, 42)
    wb.close()
    script = folder / "uno_pivot.py"
    script.write_text(UNO_SCRIPT)
    port = "2093"
    profile = folder / "lo-profile"
    office = subprocess.Popen(["soffice", "--headless", "--norestore", "--nologo",
                               f"-env:UserInstallation={profile.as_uri()}",
                               f"--accept=socket,host=localhost,port={port};urp;"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        done = subprocess.run(["/usr/bin/python3", str(script), str(path), str(other), port],
                              capture_output=True, text=True, timeout=120)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
        return done.returncode == 0 and path.exists()
    finally:
        office.terminate()
        office.wait(30)


FEATURES = [
    # feature, regex over "name\ncontent" of every part, the package it lives in
    ("chart (DrawingML)", r"xl/charts/chart\d+\.xml", "xw"),
    ("image (PNG in a drawing)", r"xl/media/image\d+\.png", "xw"),
    ("shape (text box)", r"<xdr:sp>|<xdr:sp ", "xw"),
    ("form-control button (VML) with its macro", r"FmlaMacro>\[0\]!RegenerateScorecards", "xw"),
    ("button linked from its sheet (legacyDrawing)", r"xl/worksheets/sheet1\.xml\n.*<legacyDrawing ", "xw"),
    ("VBA project (xl/vbaProject.bin)", r"xl/vbaProject\.bin", "xw"),
    ("conditional format (cell rule)", r"<conditionalFormatting ", "xw"),
    ("conditional format, 2010 data bar (x14 extLst)", r"x14:dataBar", "xw"),
    ("data validation (list)", r"<dataValidation ", "xw"),
    ("data validation, x14 extension", r"x14:dataValidation ", "xw"),
    ("sparklines (x14 extLst)", r"x14:sparklineGroup", "xw"),
    ("comment (legacy note)", r"xl/comments", "xw"),
    ("threaded comment + persons", r"xl/threadedComments/", "xw"),
    ("defined name", r"<definedName name=\"Chosen\"", "xw"),
    ("table", r"xl/tables/table\d+\.xml", "xw"),
    ("hyperlink", r"<hyperlink ", "xw"),
    ("rich text run", r"<r><rPr><b/>", "xw"),
    ("cell checkbox (featurePropertyBag)", r"featurePropertyBag", "xw"),
    ("slicer (x14 slicerList + part)", r"xl/slicers/slicer1\.xml", "xw"),
    ("custom XML part", r"customXml/item1\.xml", "xw"),
    ("pivot table + cache", r"xl/pivotTables/pivotTable\d+\.xml", "lo"),
    ("external link", r"xl/externalLinks/externalLink\d+\.xml", "lo"),
]


def package_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        parts = []
        for name in z.namelist():
            data = z.read(name)
            text = data.decode("utf-8", "replace") if not name.endswith((".bin", ".png")) else ""
            parts.append(f"{name}\n{text}")
        return "\n\x00".join(parts)


def has(feature_regex: str, text: str) -> bool:
    return any(re.search(feature_regex, part, re.S) for part in text.split("\n\x00"))


def main(argv: list[str]) -> int:
    import warnings
    import openpyxl
    folder = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="openpyxl-probe-"))
    folder.mkdir(parents=True, exist_ok=True)
    xw_raw, xw = folder / "raw.xlsm", folder / "features.xlsm"
    build_xlsxwriter_part(xw_raw, folder)
    add_hand_parts(xw_raw, xw)
    lo = folder / "pivot.xlsx"
    lo_ok = build_libreoffice_part(lo, folder)
    books = {"xw": (xw, folder / "features-openpyxl.xlsm")}
    if lo_ok:
        books["lo"] = (lo, folder / "pivot-openpyxl.xlsx")
    caught = {}
    for key, (src, dst) in books.items():
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            wb = openpyxl.load_workbook(src, keep_vba=src.suffix == ".xlsm")
            wb.save(dst)
        caught[key] = sorted({str(w.message) for w in seen})
    import importlib.util
    pillow = importlib.util.find_spec("PIL") is not None
    print(f"openpyxl {openpyxl.__version__} (Pillow {'installed' if pillow else 'absent'}: "
          "openpyxl keeps images only with it); files in {folder}".replace("{folder}",
                                                                          str(folder)))
    print("rich text is kept only with load_workbook(rich_text=True); tried with the default")
    print("| feature | in the input | after openpyxl load + save |")
    print("|---|---|---|")
    for feature, regex, key in FEATURES:
        if key not in books:
            print(f"| {feature} | not built (LibreOffice failed) | |")
            continue
        src, dst = books[key]
        before, after = has(regex, package_text(src)), has(regex, package_text(dst))
        print(f"| {feature} | {'yes' if before else 'NO'} | {'kept' if after else 'DROPPED'} |")
    for key, messages in caught.items():
        for m in messages:
            print(f"warning while loading {books[key][0].name}: {m}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
