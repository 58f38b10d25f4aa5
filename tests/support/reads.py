"""What a workbook reads as, for the tests that compare two ways of reading it (the
columnar lane, the compiled path, the inflater): every table and sheet, and ``check
--json``."""

from __future__ import annotations

from addin.cli import main
from kpi_core.errors import FileError
from kpi_core.reading.xlsx import WorkbookFile


def cells(book):
    """Every table and every sheet of ``book`` as read, or the text of its FileError."""
    try:
        with WorkbookFile(book) as workbook:
            return workbook.tables(), [workbook.sheet(name) for name in workbook.sheets]
    except FileError as exc:
        return str(exc)


def check_json(book, capsys):
    """``kpi-scorecard check BOOK --json``: its exit code, output and errors."""
    capsys.readouterr()
    code = main(["check", str(book), "--json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
