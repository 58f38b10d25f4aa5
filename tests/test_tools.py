"""The README's test command on a fresh machine: a test whose tools are missing skips
and says why; under CI (``.ci/run``) it fails instead."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.tools import missing_axe, require
from tests.support.paths import ROOT


def test_without_npm_ci_the_reason_names_it(tmp_path, monkeypatch):
    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/" + name)
    assert missing_axe(tmp_path) == ("axe-core and puppeteer-core are not installed: run "
                                     "'npm ci' in the project folder")
    for package in ("axe-core", "puppeteer-core"):
        (tmp_path / "node_modules" / package).mkdir(parents=True)
    assert missing_axe(tmp_path) is None


def test_a_missing_tool_skips_with_its_reason_and_fails_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="npm ci"):
        require("run 'npm ci'")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        require("run 'npm ci'")
    require(None)  # nothing missing: nothing happens


@pytest.mark.slow  # a fresh pytest process
@pytest.mark.skipif((ROOT / "node_modules" / "axe-core").is_dir(),
                    reason="this checkout has run npm ci")
def test_the_accessibility_tests_skip_here_with_the_reason(tmp_path):
    """The README's command on this checkout: no node_modules, so the axe-core tests skip
    (chromium or not) and pytest prints why."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "tests/publishing/test_accessibility.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300,
                          env={k: v for k, v in os.environ.items() if k != "CI"})
    assert done.returncode == 0, done.stdout[-2000:]
    assert "passed" not in done.stdout.splitlines()[-1]
    assert "SKIPPED" in done.stdout and ("npm ci" in done.stdout or "chromium" in done.stdout)
