"""Convert the scorecard workbook to PDF with LibreOffice (``soffice --headless``).

LibreOffice runs with a private, throw-away profile so the conversion works while
the user has LibreOffice open, inside a time limit; the PDF is then moved into
place atomically.
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
                 "libreoffice-calc) or omit --pdf")

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


def convert_to_pdf(xlsx_path, pdf_path=None, timeout: float = 120) -> Path:
    """Convert ``xlsx_path`` to PDF at ``pdf_path`` (default: beside it, ``.pdf``).

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
        command = [
            program, f"-env:UserInstallation={Path(work, 'profile').as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nolockcheck",
            "--convert-to", "pdf", "--outdir", str(outdir), str(xlsx.resolve()),
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
            raise PdfError(f"LibreOffice did not finish converting {xlsx.name} to PDF "
                           f"within {timeout:g} s") from exc
        produced = outdir / f"{xlsx.stem}.pdf"
        if proc.returncode != 0:
            raise PdfError(f"LibreOffice failed to convert {xlsx.name} to PDF "
                           f"(exit code {proc.returncode}): {_last_line(err, out)}")
        if not produced.is_file():
            raise PdfError(f"LibreOffice wrote no PDF for {xlsx.name}: {_last_line(err, out)}")
        with atomic_path(pdf) as tmp:
            shutil.copyfile(produced, tmp)
    return pdf
