"""The outputs of one run are written all or nothing (SPEC section 7): made in
temporaries, renamed only when all are ready; if any cannot be written, no file already
there is replaced, and the message names the file with a reason that fits it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addin.cli import main
from kpi_core import atomic

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"


def earlier_run(tmp_path: Path) -> dict[Path, bytes]:
    """OUT.xlsx and OUT.html as a previous run left them."""
    out = tmp_path / "OUT.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--html"]) == 0
    return {p: p.read_bytes() for p in (out, out.with_suffix(".html"))}


def unchanged(before: dict[Path, bytes]) -> None:
    for path, data in before.items():
        assert path.read_bytes() == data, f"{path.name} was replaced"
    folder = next(iter(before)).parent
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], list(folder.iterdir())


def test_a_folder_where_the_pdf_goes_leaves_the_workbook_and_page_as_they_were(tmp_path,
                                                                               capsys):
    before = earlier_run(tmp_path)
    (tmp_path / "OUT.pdf").mkdir()
    capsys.readouterr()
    code = main(["regenerate", str(SAMPLE), "-o", str(tmp_path / "OUT.xlsx"), "--html",
                 "--pdf"])
    err = capsys.readouterr().err
    assert code == 2
    assert "OUT.pdf: is a folder" in err and "Excel" not in err
    unchanged(before)


def test_a_page_that_cannot_be_replaced_puts_the_workbook_back(tmp_path, capsys,
                                                               monkeypatch):
    before = earlier_run(tmp_path)
    real = os.replace

    def locked(src, dst):
        if str(dst).endswith("OUT.html") and ".tmp" in str(src):
            raise PermissionError(13, "Permission denied")
        return real(src, dst)
    monkeypatch.setattr(atomic.os, "replace", locked)
    capsys.readouterr()
    code = main(["regenerate", str(SAMPLE), "-o", str(tmp_path / "OUT.xlsx"), "--html"])
    err = capsys.readouterr().err
    assert code == 2
    assert "OUT.html: cannot be written (Permission denied); is the page open in another " \
           "program?" in err
    unchanged(before)


def test_a_pdf_that_cannot_be_made_replaces_nothing(tmp_path, capsys, monkeypatch):
    before = earlier_run(tmp_path)
    from kpi_core.errors import PdfError

    def broken(*_args, **_kw):
        raise PdfError("WeasyPrint wrote an unreadable PDF for OUT.pdf: test")
    monkeypatch.setattr("kpi_core.publishing.pdf.write_committee_pdf", broken)
    monkeypatch.setattr("kpi_core.publishing.pdf.check_pdf_route", lambda: None)
    capsys.readouterr()
    code = main(["regenerate", str(SAMPLE), "-o", str(tmp_path / "OUT.xlsx"), "--html",
                 "--pdf"])
    assert code == 2
    assert "unreadable PDF for OUT.pdf" in capsys.readouterr().err
    unchanged(before)
    assert not (tmp_path / "OUT.pdf").exists()


@pytest.mark.parametrize("suffix, words", [(".xlsx", "is it open in Excel?"),
                                           (".pdf", "is it open in a PDF reader")])
def test_the_reason_fits_the_kind_of_file(suffix, words):
    assert words in atomic._why(Path("OUT" + suffix), PermissionError(13, "Permission denied"))
