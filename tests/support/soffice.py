"""LibreOffice replaced by a recorder, for the tests of the command we give it."""

from __future__ import annotations

import os
from collections.abc import Callable

import kpi_core.publishing.pdf as pdf_module


def record_soffice(monkeypatch, write_pdf: Callable[[str], None]) -> dict:
    """Make the PDF converters run a recorder instead of LibreOffice: ``write_pdf(outdir)``
    writes the PDF LibreOffice would have written. Returns what the recorder saw: the
    ``command`` and the ``timeout`` it was given."""
    seen: dict = {}

    class Recorder:
        def __init__(self, command, **kwargs):
            seen["command"] = command
            outdir = command[command.index("--outdir") + 1]
            os.makedirs(outdir, exist_ok=True)
            write_pdf(outdir)
            self.returncode = 0

        def communicate(self, timeout=None):
            seen["timeout"] = timeout
            return "", ""

    monkeypatch.setattr(pdf_module, "find_soffice", lambda: "/opt/lo/soffice")
    monkeypatch.setattr(pdf_module.subprocess, "Popen", Recorder)
    return seen
