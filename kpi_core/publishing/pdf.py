"""The two PDFs: the committee PDF, and the workbook as LibreOffice Calc prints it.

The committee PDF (:func:`write_committee_pdf`) is the web page's print version laid
out by WeasyPrint (``pip install 'kpi-scorecard[pdf]'``): it honours the page-break
rules (each portfolio starts a page, no row split, no heading left at a page's foot),
repeats table headers, numbers the pages ``Page x of y`` and, as PDF/UA-1, tags
Part/Sect/H1-H3/Caption/Figure with its alternative text/Link and the tables. pikepdf
then adds what WeasyPrint leaves out: each TH's /Scope (Column in a table's head, Row
in its body) and, whatever WeasyPrint writes, the PDF/UA-1 identification, /Lang and
the title shown. No LibreOffice is needed.

:func:`convert_to_pdf` prints a workbook through LibreOffice Calc (``soffice
--headless``, a private throw-away profile, a time limit): untagged, it shows how
the workbook prints, which is what the tests check. The PDF is moved into place
atomically.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..atomic import atomic_path
from ..errors import FileError, PdfError

NOT_INSTALLED = ("LibreOffice is not installed: install it (e.g. apt-get install "
                 "libreoffice-calc) to print the workbook as Calc does")

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
    (:func:`write_committee_pdf`); this one shows how the workbook prints.
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


MISSING_WEASYPRINT = ("the committee PDF needs WeasyPrint and pikepdf, which are not "
                      "installed: pip install 'kpi-scorecard[pdf]' (WeasyPrint also needs "
                      "the Pango library: apt-get install libpango-1.0-0 on Debian or "
                      "Ubuntu), or omit --pdf")
#: The PDF/UA identification schema of the XMP metadata.
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"


def _libraries():
    """WeasyPrint and pikepdf, or a :class:`PdfError` saying what to install."""
    try:
        import pikepdf
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without Pango
        raise PdfError(f"{MISSING_WEASYPRINT} ({exc})") from exc
    return weasyprint, pikepdf


def check_pdf_route() -> None:
    """Raise :class:`PdfError` now, before anything is written, when the PDF cannot be made."""
    _libraries()


def _set_scope(pikepdf, element, scope: str) -> None:
    attrs = element.get("/A")
    entries = list(attrs) if isinstance(attrs, pikepdf.Array) else \
        ([attrs] if attrs is not None else [])
    table = next((a for a in entries if isinstance(a, pikepdf.Dictionary)
                  and a.get("/O") == pikepdf.Name.Table), None)
    if table is None:
        table = pikepdf.Dictionary(O=pikepdf.Name.Table)
        entries.append(table)
        element.A = entries[0] if len(entries) == 1 else pikepdf.Array(entries)
    table.Scope = pikepdf.Name("/" + scope)


def _mend_structure(pikepdf, root) -> int:
    """Give every TH a /Scope: Column under THead, Row under TBody (the page's
    ``scope="col"``/``scope="row"``); and write a one-kid /K as the kid itself (as
    PDF allows), which checkers that do not descend arrays can read. Returns how
    many TH were given their scope."""
    done = 0
    stack = [(root, None)]
    while stack:
        node, section = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        if isinstance(kids, pikepdf.Array):
            if len(kids) == 1 and node is not root:
                node.K = kids = kids[0]
            else:
                kids = list(kids)
        if not isinstance(kids, list):
            kids = [kids]
        for kid in kids:
            if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
                continue
            role = kid.S
            if role == pikepdf.Name.TH:
                _set_scope(pikepdf, kid, "Column" if section == "/THead" else "Row")
                done += 1
            inner = str(role) if role in (pikepdf.Name.THead, pikepdf.Name.TBody,
                                          pikepdf.Name.TFoot) else section
            if role == pikepdf.Name.Table:
                inner = None
            stack.append((kid, inner))
    return done


def finish_pdf(source, target, language: str, title: str | None = None) -> None:
    """Copy ``source`` to ``target`` with what PDF/UA-1 asks and WeasyPrint leaves out:
    each TH's /Scope, ``pdfuaid:part`` 1 in the XMP, /Lang, the title shown."""
    _weasyprint, pikepdf = _libraries()
    with pikepdf.open(source) as pdf:
        root = pdf.Root
        if "/StructTreeRoot" in root:
            _mend_structure(pikepdf, root.StructTreeRoot)
        root.Lang = pikepdf.String(language)
        prefs = root.get("/ViewerPreferences")
        if prefs is None:
            root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        else:
            prefs.DisplayDocTitle = True
        if root.get("/MarkInfo") is None:
            root.MarkInfo = pikepdf.Dictionary(Marked=True)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta.register_xml_namespace(PDFUAID, "pdfuaid")
            meta["pdfuaid:part"] = "1"
            meta["dc:language"] = [language]
            if title:
                meta["dc:title"] = title
        if title:
            pdf.docinfo["/Title"] = pikepdf.String(title)
        pdf.save(target)


def write_committee_pdf(page: str, target, *, language: str = "en-GB",
                        title: str | None = None) -> Path:
    """Lay out ``page`` (the web page's print version, as text) as the tagged committee
    PDF at ``target``, atomically, and return the path.

    Raises :class:`~kpi_core.errors.PdfError` when WeasyPrint or pikepdf is missing
    (saying what to install) or the layout fails, and
    :class:`~kpi_core.errors.FileError` when the PDF cannot be written.
    """
    weasyprint, pikepdf = _libraries()
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="kpi-pdf-") as work:
        laid = Path(work, "laid.pdf")
        try:
            weasyprint.HTML(string=page, base_url=work).write_pdf(
                laid, pdf_variant="pdf/ua-1", uncompressed_pdf=False)
        except OSError as exc:
            raise FileError(f"{target}: cannot be written ({exc.strerror or exc})") from exc
        with atomic_path(target) as tmp:
            try:
                finish_pdf(laid, tmp, language, title)
            except pikepdf.PdfError as exc:
                raise PdfError(f"WeasyPrint wrote an unreadable PDF for {target.name}: "
                               f"{exc}") from exc
            except OSError as exc:
                raise FileError(f"{target}: cannot be written ({exc.strerror or exc})") \
                    from exc
    return target
