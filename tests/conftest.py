"""The ``slow`` marker kept honest: a test that starts another program (LibreOffice,
Chromium, Node and Pyodide, PyInstaller, or a fresh Python process), in its own body or in
a fixture it uses, must be marked ``slow``, so ``pytest -m "not slow"`` is the quick
in-process run."""

from __future__ import annotations

import contextlib
import subprocess
from unittest import mock

import pytest


def _no_programs(item):
    if item.get_closest_marker("slow") is not None:
        return contextlib.nullcontext()

    def refuse(self, args, *_args, **_kwargs):
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
