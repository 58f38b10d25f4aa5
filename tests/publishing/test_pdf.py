"""PDF export through LibreOffice: a real conversion, and the ways it can fail."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import time

import pytest

import kpi_core.publishing.pdf as pdf_module
from kpi_core.errors import FileError, PdfError
from kpi_core.publishing.pdf import NOT_INSTALLED, convert_to_pdf, find_soffice
from kpi_core.publishing.xlsx import write_scorecard
from kpi_core.publishing.scorecard import build_scorecard
from tests.support.scorecard_samples import SETTINGS, mixed_assessments
from tests.support.soffice import record_soffice


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "Scorecard Q2.xlsx"
    return write_scorecard(build_scorecard(mixed_assessments(), SETTINGS), path)


def _pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; cannot read the PDF text")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


@pytest.mark.slow
def test_converts_with_libreoffice(book, tmp_path):
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot test the PDF export")
    target = tmp_path / "out" / "scorecard.pdf"
    target.parent.mkdir()
    assert convert_to_pdf(book, target) == target
    assert target.read_bytes().startswith(b"%PDF")
    text = " ".join(_pdf_text(target).split())
    for words in ("% repeat referrals", "Council tax collected", "Key areas of good performance",
                  "Check data", "Page 1 of"):
        assert words in text
    if os.name != "nt":
        mask = os.umask(0)
        os.umask(mask)
        assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in target.parent.iterdir()] == ["scorecard.pdf"]


@pytest.mark.slow
def test_default_pdf_path_is_beside_the_workbook(book):
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot test the PDF export")
    out = convert_to_pdf(book, timeout=120)
    assert out == book.with_suffix(".pdf") and out.is_file()


def test_missing_libreoffice(book, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    with pytest.raises(PdfError, match="LibreOffice is not installed") as info:
        convert_to_pdf(book, tmp_path / "x.pdf")
    assert str(info.value) == NOT_INSTALLED
    assert not (tmp_path / "x.pdf").exists()


def test_find_soffice_with_empty_path(monkeypatch):
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(pdf_module, "_OTHER_PLACES", ())
    assert find_soffice() is None


def _fake(tmp_path, body: str) -> str:
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


@pytest.mark.skipif(os.name == "nt", reason="uses a shell script as a fake LibreOffice")
@pytest.mark.slow
def test_timeout_is_a_pdf_error(book, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: _fake(tmp_path, "sleep 30"))
    start = time.perf_counter()
    with pytest.raises(PdfError, match="within 1 s"):
        convert_to_pdf(book, tmp_path / "x.pdf", timeout=1)
    assert time.perf_counter() - start < 10
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.skipif(os.name == "nt", reason="uses a shell script as a fake LibreOffice")
@pytest.mark.slow
def test_failure_exit_code_is_a_pdf_error(book, tmp_path, monkeypatch):
    script = _fake(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 3")
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: script)
    with pytest.raises(PdfError, match=r"exit code 3\): Error: source file could not be loaded"):
        convert_to_pdf(book, tmp_path / "x.pdf")


@pytest.mark.skipif(os.name == "nt", reason="uses a shell script as a fake LibreOffice")
@pytest.mark.slow
def test_no_pdf_produced_is_a_pdf_error(book, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: _fake(tmp_path, "exit 0"))
    with pytest.raises(PdfError, match="wrote no PDF"):
        convert_to_pdf(book, tmp_path / "x.pdf")


def test_private_profile_and_headless_arguments(book, tmp_path, monkeypatch):
    def write_pdf(outdir):
        with open(os.path.join(outdir, "Scorecard Q2.pdf"), "wb") as f:
            f.write(b"%PDF-1.4 fake")

    seen = record_soffice(monkeypatch, write_pdf)
    out = convert_to_pdf(book, tmp_path / "done.pdf", timeout=42)
    assert out.read_bytes() == b"%PDF-1.4 fake"
    command = seen["command"]
    assert command[0] == "/opt/lo/soffice" and "--headless" in command
    assert command[command.index("--convert-to") + 1] == "pdf"
    profile = next(a for a in command if a.startswith("-env:UserInstallation="))
    assert profile.startswith("-env:UserInstallation=file:///") and profile.endswith("/profile")
    assert seen["timeout"] == 42


def test_missing_workbook_is_a_file_error(tmp_path):
    with pytest.raises(FileError, match="no such workbook"):
        convert_to_pdf(tmp_path / "missing.xlsx")
