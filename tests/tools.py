"""What the browser and Pyodide tests need beyond Python, and how a missing tool is
reported: a skip with its reason on a fresh machine, a failure under CI (``.ci/run``
installs everything, so nothing may skip there)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def missing_axe(root: Path) -> str | None:
    """What the axe-core check lacks on this machine, in words; ``None`` if nothing."""
    if shutil.which("node") is None:
        return "Node is not installed (apt-get install nodejs npm); cannot run axe-core"
    if not ((root / "node_modules" / "axe-core").is_dir()
            and (root / "node_modules" / "puppeteer-core").is_dir()):
        return ("axe-core and puppeteer-core are not installed: run 'npm ci' in the project "
                "folder")
    return None


def require(missing: str | None) -> None:
    """Skip with ``missing`` as the reason, or fail under CI; nothing when ``None``."""
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
