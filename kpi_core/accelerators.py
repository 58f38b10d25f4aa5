"""The optional compiled accelerators (the ``fast`` extra) that the reader and the
writer share: the same results without them (SPEC section 2: a compiled accelerator,
a pure fallback). ``KPI_SCORECARD_PURE=1`` turns them off, as xlwings Lite (Pyodide,
no compiled wheels) runs.
"""

from __future__ import annotations

import functools
import os

#: Set to ``1`` to read and write with nothing compiled (as xlwings Lite does): the
#: same results.
ENV_PURE = "KPI_SCORECARD_PURE"


def pure() -> bool:
    """The environment asks for nothing compiled (:data:`ENV_PURE`)."""
    return os.environ.get(ENV_PURE, "") not in ("", "0")


def fast_zlib():
    """zlib-ng's zlib (python-zlib-ng, the ``fast`` extra): zlib's API and its deflate
    format, quicker both ways; ``None`` where it is not installed (the pure install,
    Pyodide) or :func:`pure` asks for nothing compiled."""
    return None if pure() else _zlib_ng()


@functools.cache
def _zlib_ng():
    try:
        from zlib_ng import zlib_ng
    except ImportError:
        return None
    return zlib_ng
