"""Fill a quarterly return in headless LibreOffice Calc, as an officer would, and save it.

Run with the system Python that has python3-uno (``/usr/bin/python3``):

    /usr/bin/python3 tests/uno_fill_return.py RETURN.xlsx OUT.xlsx '{"CF01": {"Current": "71%"}}'

Each text is entered as typed into the cell (``setFormula``: Calc's own input parsing,
so ``71%`` becomes 0.71 formatted as a percentage and ``0.71`` a number), into the
unlocked cells of the protected sheet; the file is stored with Calc's own Excel 2007-365
filter. soffice runs with a private profile (``-env:UserInstallation``), as in
``uno_inspect_xlsm.py``, and is always ended. Prints ``{"filled": n}``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from uno_inspect_xlsm import connect, prop, start_soffice, stop_soffice  # noqa: E402


def fill(source: Path, out: Path, values: dict[str, dict[str, str]], timeout: float = 90) -> int:
    import uno

    deadline = time.monotonic() + timeout
    profile = Path(tempfile.mkdtemp(prefix="kpi-lo-profile-"))
    pipe_name = f"kpi_return_{os.getpid()}_{int(time.time() * 1000)}"
    process = start_soffice(profile, pipe_name)
    watchdog = threading.Timer(timeout, lambda: (stop_soffice(process), os._exit(3)))
    watchdog.daemon = True
    watchdog.start()
    try:
        context = connect(uno, pipe_name, process, deadline)
        desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)
        doc = desktop.loadComponentFromURL(source.resolve().as_uri(), "_blank", 0,
                                           (prop(uno, "Hidden", True),))
        if doc is None:
            raise SystemExit(f"LibreOffice could not load {source}")
        filled = 0
        try:
            sheet = doc.Sheets.getByName("Return")
            header, cols = None, {}
            for r in range(30):
                texts = {sheet.getCellByPosition(c, r).getString(): c for c in range(40)}
                if "Ref" in texts and "Current" in texts:
                    header, cols = r, texts
                    break
            if header is None:
                raise SystemExit("no header row in the return")
            rows = {}
            for r in range(header + 1, header + 2000):
                ref = sheet.getCellByPosition(cols["Ref"], r).getString()
                if not ref:
                    break
                rows[ref] = r
            for ref, cells in values.items():
                for name, text in cells.items():
                    sheet.getCellByPosition(cols[name], rows[ref]).setFormula(text)
                    filled += 1
            doc.storeToURL(out.resolve().as_uri(),
                           (prop(uno, "FilterName", "Calc MS Excel 2007 XML"),))
        finally:
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge drops as soffice quits: expected
            pass
        return filled
    finally:
        watchdog.cancel()
        stop_soffice(process)
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source, out, values = Path(args[0]), Path(args[1]), json.loads(args[2])
    print(json.dumps({"filled": fill(source, out, values)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
