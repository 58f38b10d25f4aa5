"""The ``slow`` marker kept honest: a test that starts another program (LibreOffice,
Chromium, Node and Pyodide, PyInstaller, or a fresh Python process), in its own body or in
a fixture it uses, must be marked ``slow``, so ``pytest -m "not slow"`` is the quick
in-process run."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from unittest import mock

import pytest


def _is_library_lookup(args) -> bool:
    """``ctypes.util.find_library`` runs ``ldconfig``, ``gcc`` or ``objdump`` to find a C
    library, at the first import of a package that loads one (WeasyPrint's Pango): in
    whichever test imports it first, quick or slow, so it does not count as starting a
    program."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_globals.get("__name__") == "ctypes.util":
            return True
        frame = frame.f_back
    return False


def _no_programs(item):
    if item.get_closest_marker("slow") is not None:
        return contextlib.nullcontext()

    popen_init = subprocess.Popen.__init__

    def refuse(self, args, *more, **kwargs):
        if _is_library_lookup(args):
            return popen_init(self, args, *more, **kwargs)
        raise AssertionError(f"{item.nodeid} starts {args!r}: mark it @pytest.mark.slow "
                             "(it starts another program)")

    return mock.patch.object(subprocess.Popen, "__init__", refuse)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _no_programs(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with _no_programs(item):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    with _no_programs(item):
        yield
