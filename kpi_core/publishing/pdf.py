"""Convert to PDF with LibreOffice (``soffice --headless``): the committee PDF from the
web page through Writer (tagged: headings, tables, figures with alternative text),
and the workbook through Calc (untagged; how the workbook prints).

LibreOffice runs with a private, throw-away profile so the conversion works while
the user has LibreOffice open, inside a time limit; the PDF is then moved into
place atomically.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..atomic import atomic_path
from ..errors import FileError, PdfError

NOT_INSTALLED = ("LibreOffice is not installed: install it (e.g. apt-get install "
                 "libreoffice-calc) or omit --pdf")
NOT_INSTALLED_WRITER = ("LibreOffice is not installed: install it (e.g. apt-get install "
                        "libreoffice-writer) or omit --pdf")

_OTHER_PLACES = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def find_soffice() -> str | None:
    """The LibreOffice program: ``soffice`` or ``libreoffice`` on PATH, else where it
    is usually installed (Program Files on Windows, /Applications on a Mac); ``None``
    when there is none."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    places = list(_OTHER_PLACES)
    if os.name == "nt":
        for var, default in (("PROGRAMFILES", r"C:\Program Files"),
                             ("PROGRAMFILES(X86)", r"C:\Program Files (x86)")):
            places.append(str(Path(os.environ.get(var, default),
                                   "LibreOffice", "program", "soffice.exe")))
    return next((p for p in places if Path(p).is_file()), None)


def _last_line(*texts: str) -> str:
    for text in texts:
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if lines:
            return lines[-1][:300]
    return "no message"


def _kill(proc: subprocess.Popen) -> None:
    """Stop LibreOffice and the processes it started (its own process group)."""
    try:
        if os.name != "nt":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()


def _run_soffice(program: str, arguments: list[str], work: Path, source: Path,
                 timeout: float) -> str:
    """Run LibreOffice with a private profile in ``work``; its output text, or a PdfError."""
    command = [
        program, f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
        "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
        *arguments,
    ]
    try:
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, errors="replace",
            start_new_session=os.name != "nt")
    except OSError as exc:
        raise PdfError(f"LibreOffice could not be started ({program}): "
                       f"{exc.strerror or exc}") from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill(proc)
        raise PdfError(f"LibreOffice did not finish converting {source.name} to PDF "
                       f"within {timeout:g} s") from exc
    if proc.returncode != 0:
        raise PdfError(f"LibreOffice failed to convert {source.name} to PDF "
                       f"(exit code {proc.returncode}): {_last_line(err, out)}")
    return _last_line(err, out)


def convert_to_pdf(xlsx_path, pdf_path=None, timeout: float = 120) -> Path:
    """Convert ``xlsx_path`` to PDF at ``pdf_path`` (default: beside it, ``.pdf``) with Calc.

    Calc's PDF is untagged: the committee PDF comes from the web page
    (:func:`convert_html_to_pdf`); this one shows how the workbook prints.
    Raises :class:`~kpi_core.errors.PdfError` when LibreOffice is not installed,
    takes longer than ``timeout`` seconds or fails, and
    :class:`~kpi_core.errors.FileError` when the workbook is missing or the PDF
    cannot be written.
    """
    xlsx = Path(xlsx_path)
    if not xlsx.is_file():
        raise FileError(f"{xlsx}: no such workbook to convert to PDF")
    pdf = Path(pdf_path) if pdf_path is not None else xlsx.with_suffix(".pdf")
    program = find_soffice()
    if program is None:
        raise PdfError(NOT_INSTALLED)
    with tempfile.TemporaryDirectory(prefix="kpi-pdf-") as work:
        outdir = Path(work, "out")
        said = _run_soffice(program, ["--convert-to", "pdf", "--outdir", str(outdir),
                                      str(xlsx.resolve())], Path(work), xlsx, timeout)
        produced = outdir / f"{xlsx.stem}.pdf"
        if not produced.is_file():
            raise PdfError(f"LibreOffice wrote no PDF for {xlsx.name}: {said}")
        with atomic_path(pdf) as tmp:
            shutil.copyfile(produced, tmp)
    return pdf


#: Writer's HTML import (``HTML (StarWriter)``): it tags h1-h6 as H1-H6, tables as
#: Table/TR/TH/TD and ``img`` as Figure with its alt text. (The Writer/Web filter,
#: ``HTML``, tags headings as plain paragraphs.)
HTML_IMPORT_FILTER = "HTML (StarWriter)"
#: writer_pdf_Export options, as the JSON LibreOffice 7.4+ accepts after the filter name.
TAGGED_PDF_OPTIONS = {
    "UseTaggedPDF": True,
    "ExportBookmarks": True,
    "DisplayPDFDocumentTitle": True,
    "UseLosslessCompression": True,
    "ExportNotes": False,
    "ExportFormFields": False,
    "PDFUACompliance": False,
}
NO_PIKEPDF = ("the tagged PDF needs pikepdf (to set the document language): "
              "pip install 'kpi-scorecard[pdf]', or omit --pdf")


def pdf_export_argument(options: dict[str, bool] = TAGGED_PDF_OPTIONS) -> str:
    """The ``--convert-to`` value: the PDF filter with its options as JSON.

    >>> pdf_export_argument({"UseTaggedPDF": True})
    'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}'
    """
    encoded = {name: {"type": "boolean", "value": "true" if value else "false"}
               for name, value in options.items()}
    return "pdf:writer_pdf_Export:" + json.dumps(encoded, separators=(",", ":"))


def _pikepdf():
    try:
        import pikepdf
    except ImportError as exc:
        raise PdfError(NO_PIKEPDF) from exc
    return pikepdf


def mark_pdf(source: Path, target: Path, language: str, title: str | None = None) -> None:
    """Copy ``source`` to ``target`` with the document language set and its title shown.

    LibreOffice writes its own locale (e.g. en-US) as /Lang, whatever the page's
    ``lang``; the structure elements inherit the document's.
    """
    pikepdf = _pikepdf()
    with pikepdf.open(source) as pdf:
        root = pdf.Root
        root.Lang = pikepdf.String(language)
        prefs = root.get("/ViewerPreferences")
        if prefs is None:
            root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        else:
            prefs.DisplayDocTitle = True
        mark = root.get("/MarkInfo")
        if mark is None:
            root.MarkInfo = pikepdf.Dictionary(Marked=True)
        if title:
            with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
                meta["dc:title"] = title
                meta["dc:language"] = [language]
            pdf.docinfo["/Title"] = pikepdf.String(title)
        pdf.save(target)


def convert_html_to_pdf(html_path, pdf_path=None, timeout: float = 120, *,
                        language: str = "en-GB", title: str | None = None) -> Path:
    """Convert the web page at ``html_path`` to a tagged PDF at ``pdf_path`` (A4).

    LibreOffice Writer opens the page with :data:`HTML_IMPORT_FILTER` and exports it
    with :data:`TAGGED_PDF_OPTIONS`; pikepdf then sets /Lang to ``language`` and
    /DisplayDocTitle. Errors as :func:`convert_to_pdf`; a missing pikepdf is a
    :class:`~kpi_core.errors.PdfError` saying how to install it.
    """
    page = Path(html_path)
    if not page.is_file():
        raise FileError(f"{page}: no such web page to convert to PDF")
    pdf = Path(pdf_path) if pdf_path is not None else page.with_suffix(".pdf")
    _pikepdf()  # before starting LibreOffice: say at once what is missing
    program = find_soffice()
    if program is None:
        raise PdfError(NOT_INSTALLED_WRITER)
    with tempfile.TemporaryDirectory(prefix="kpi-pdf-") as work:
        outdir = Path(work, "out")
        said = _run_soffice(program, [f"--infilter={HTML_IMPORT_FILTER}",
                                      "--convert-to", pdf_export_argument(),
                                      "--outdir", str(outdir), str(page.resolve())],
                            Path(work), page, timeout)
        produced = outdir / f"{page.stem}.pdf"
        if not produced.is_file():
            raise PdfError(f"LibreOffice wrote no PDF for {page.name}: {said}"
                           + (" (is libreoffice-writer installed?)"
                              if "no export filter" in said.lower() else ""))
        with atomic_path(pdf) as tmp:
            try:
                mark_pdf(produced, tmp, language, title)
            except PdfError:
                raise
            except Exception as exc:  # pikepdf.PdfError and friends: a broken PDF
                raise PdfError(f"LibreOffice wrote an unreadable PDF for {page.name}: "
                               f"{exc}") from exc
    return pdf
