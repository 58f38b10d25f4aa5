"""The ``slow`` marker kept honest: a test that starts another program (LibreOffice,
Chromium, Node and Pyodide, PyInstaller, or a fresh Python process) must be marked
``slow``, so ``pytest -m "not slow"`` is the quick in-process run."""

from __future__ import annotations

import subprocess

import pytest


@pytest.fixture(autouse=True)
def _programs_only_in_slow_tests(request, monkeypatch):
    if request.node.get_closest_marker("slow") is not None:
        return

    def refuse(self, args, *_args, **_kwargs):
        raise AssertionError(f"{request.node.nodeid} starts {args!r}: mark it "
                             "@pytest.mark.slow (it starts another program)")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
