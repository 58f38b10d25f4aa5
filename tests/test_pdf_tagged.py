"""The committee PDF: the web page through LibreOffice Writer, checked with pikepdf (the
structure tree, not the option asked for), and the ways the route can fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import kpi_core.publishing.pdf as pdf_module
from addin.cli import main
from kpi_core.errors import PdfError
from kpi_core.pipeline import write_pdf
from kpi_core.publishing.pdf import (
    HTML_IMPORT_FILTER, NO_PIKEPDF, TAGGED_PDF_OPTIONS, convert_html_to_pdf, find_soffice,
    pdf_export_argument,
)
from kpi_core.publishing.scorecard import build_scorecard
from tests.scorecard_samples import SETTINGS, mixed_assessments

pikepdf = pytest.importorskip("pikepdf", reason="pikepdf is not installed (pip install '.[pdf]')")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "workbook_templates" / "performance_workbook.xlsx"
A4 = (595.3, 841.9)


def _needs_writer():
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot test the tagged PDF")


def structure(pdf) -> list[tuple[str, dict]]:
    """Every structure element as (role, its dictionary), depth first."""
    out = []

    def walk(node):
        kids = node.get("/K")
        if kids is None:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append((str(kid.S), kid))
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return out


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> Path:
    """`regenerate --pdf` of the bundled sample, as a clerk runs it."""
    if find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed; cannot test the tagged PDF")
    folder = tmp_path_factory.mktemp("tagged")
    out = folder / "sample.xlsx"
    done = subprocess.run([sys.executable, "-m", "addin.cli", "regenerate", str(SAMPLE), "-o",
                           str(out), "--pdf", "--json"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["pdf"] == str(out.with_suffix(".pdf")) and "html" not in doc
    assert sorted(p.name for p in folder.iterdir()) == ["sample.pdf", "sample.xlsx"]
    return out.with_suffix(".pdf")


@pytest.mark.slow
def test_sample_pdf_is_tagged(sample_pdf):
    with pikepdf.open(sample_pdf) as pdf:
        root = pdf.Root
        assert "/StructTreeRoot" in root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == ("Buckinghamshire County Council performance "
                                          "scorecard, Q2 2016/17")
        roles = [r for r, _k in structure(pdf)]
        for role in ("/H1", "/H2", "/H3", "/Table", "/TR", "/TH", "/TD", "/Figure"):
            assert role in roles, role
        assert roles.count("/H1") == 1
        figures = [k for r, k in structure(pdf) if r == "/Figure"]
        assert len(figures) == 2  # the Summary chart and the portfolio's chart
        for fig in figures:
            assert str(fig.Alt).startswith(("Stacked bar chart of measures",
                                            "Bar chart of Children's Services: 13 measures"))
        with pdf.open_metadata() as meta:
            assert meta.get("dc:language") == {"en-GB"}


@pytest.mark.slow
def test_sample_pdf_is_a4_and_at_most_four_pages(sample_pdf):
    with pikepdf.open(sample_pdf) as pdf:
        assert 1 <= len(pdf.pages) <= 4
        for page in pdf.pages:
            box = sorted(round(float(v), 1) for v in page.MediaBox[2:])
            assert box == pytest.approx(A4, abs=1)


@pytest.mark.slow
def test_pdf_text_has_every_measure_and_table_headers_repeat(sample_pdf):
    text = subprocess.run(["pdftotext", str(sample_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for words in ("% repeat referrals", "Key areas of good performance", "Other measures",
                  "% of CLA placed in county", "Statistical Neighbour Average (2015): 23%"):
        assert words in flat
    pages = [p for p in text.split("\f") if p.strip()]
    assert sum("Current position" in " ".join(p.split()) for p in pages[1:]) >= 2  # repeated
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in " ".join(page.split())


@pytest.mark.slow
def test_mixed_scorecard_pdf(tmp_path):
    _needs_writer()
    card = build_scorecard(mixed_assessments(), SETTINGS)
    out = write_pdf(card, tmp_path / "mixed.pdf")
    with pikepdf.open(out) as pdf:
        roles = [r for r, _k in structure(pdf)]
        assert roles.count("/H2") >= 2 and roles.count("/Figure") == 3
        assert str(pdf.Root.Lang) == "en-GB"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed.pdf"]


def test_export_options_are_json_after_the_filter():
    arg = pdf_export_argument()
    name, options = arg.split(":", 2)[1:]
    assert arg.startswith("pdf:") and name == "writer_pdf_Export"
    decoded = json.loads(options)
    assert decoded["UseTaggedPDF"] == {"type": "boolean", "value": "true"}
    assert set(decoded) == set(TAGGED_PDF_OPTIONS)


def _page(tmp_path) -> Path:
    page = tmp_path / "card.html"
    page.write_text("<!DOCTYPE html><html lang='en-GB'><title>t</title><h1>x</h1></html>")
    return page


def test_writer_command(tmp_path, monkeypatch):
    seen = {}
    source = pikepdf.new()
    source.add_blank_page(page_size=(842, 595))

    class Recorder:
        def __init__(self, command, **kwargs):
            seen["command"] = command
            outdir = command[command.index("--outdir") + 1]
            os.makedirs(outdir, exist_ok=True)
            source.save(os.path.join(outdir, "card.pdf"))
            self.returncode = 0

        def communicate(self, timeout=None):
            seen["timeout"] = timeout
            return "", ""

    monkeypatch.setattr(pdf_module, "find_soffice", lambda: "/opt/lo/soffice")
    monkeypatch.setattr(pdf_module.subprocess, "Popen", Recorder)
    out = convert_html_to_pdf(_page(tmp_path), tmp_path / "done.pdf", timeout=42,
                              title="A title")
    command = seen["command"]
    assert f"--infilter={HTML_IMPORT_FILTER}" in command and "--headless" in command
    assert command[command.index("--convert-to") + 1] == pdf_export_argument()
    assert any(a.startswith("-env:UserInstallation=file:///") for a in command)
    assert seen["timeout"] == 42
    with pikepdf.open(out) as pdf:
        assert str(pdf.Root.Lang) == "en-GB" and bool(pdf.Root.ViewerPreferences.DisplayDocTitle)
        assert str(pdf.docinfo.Title) == "A title"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.html", "done.pdf"]


def test_missing_pikepdf_is_said_before_libreoffice_runs(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pikepdf", None)  # import pikepdf raises ImportError
    monkeypatch.setattr(pdf_module, "find_soffice",
                        lambda: pytest.fail("LibreOffice started without pikepdf"))
    with pytest.raises(PdfError) as info:
        convert_html_to_pdf(_page(tmp_path), tmp_path / "x.pdf")
    assert str(info.value) == NO_PIKEPDF and "pip install 'kpi-scorecard[pdf]'" in NO_PIKEPDF


def test_cli_says_what_is_missing(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "pikepdf", None)
    out = tmp_path / "card.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "kpi-scorecard: the tagged PDF needs pikepdf" in err and "Traceback" not in err
    assert not out.with_suffix(".pdf").exists()


def test_missing_libreoffice_names_writer(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    with pytest.raises(PdfError, match="apt-get install libreoffice-writer"):
        convert_html_to_pdf(_page(tmp_path), tmp_path / "x.pdf")


@pytest.mark.skipif(os.name == "nt", reason="uses a shell script as a fake LibreOffice")
def test_writer_timeout(tmp_path, monkeypatch):
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: str(script))
    with pytest.raises(PdfError, match="within 1 s"):
        convert_html_to_pdf(_page(tmp_path), tmp_path / "x.pdf", timeout=1)
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.skipif(os.name == "nt", reason="uses a shell script as a fake LibreOffice")
def test_unreadable_pdf_from_libreoffice(tmp_path, monkeypatch):
    script = tmp_path / "fake-soffice"
    script.write_text('#!/bin/sh\nfor a; do case "$prev" in --outdir) d="$a";; esac; prev="$a"; '
                      'done\nmkdir -p "$d"; echo "not a pdf" > "$d/card.pdf"\n')
    script.chmod(0o755)
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: str(script))
    with pytest.raises(PdfError, match="unreadable PDF"):
        convert_html_to_pdf(_page(tmp_path), tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.slow
def test_html_and_pdf_together(tmp_path, capsys):
    _needs_writer()
    out = tmp_path / "both.xlsx"
    assert main(["regenerate", str(SAMPLE), "-o", str(out), "--html", "--pdf", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["html"] == str(out.with_suffix(".html")) and doc["pdf"] == str(out.with_suffix(".pdf"))
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "Skip to main content" in page  # the web page, not the print version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.html", "both.pdf", "both.xlsx"]
    with pikepdf.open(out.with_suffix(".pdf")) as pdf:
        assert str(pdf.Root.Lang) == "en-GB" and len(pdf.pages) <= 4


@pytest.mark.slow
def test_sparklines_become_figures_with_alt_text(tmp_path):
    """A hand-built spec with a Trend column of sparklines (the history work fills it)."""
    _needs_writer()
    from kpi_core.publishing.spec import Sparkline
    from tests.test_render_html import _with_trend
    card = _with_trend(build_scorecard(mixed_assessments(), SETTINGS), lambda name: Sparkline(
        (0.4, 0.5, None, 0.6), ("Q3", "Q4", "Q1", "Q2"), f"Trend of {name}: 40% to 60%"))
    out = write_pdf(card, tmp_path / "trend.pdf")
    with pikepdf.open(out) as pdf:
        alts = [str(k.Alt) for r, k in structure(pdf) if r == "/Figure"]
    trends = [a for a in alts if a.startswith("Trend of ")]
    assert len(trends) == len(mixed_assessments())
    assert len(alts) == len(trends) + 3  # and the three charts
