"""Run one of addin/lite/main.py's scripts the way xlwings Lite and xlwings Server do:
``python -m tests.support.lite_script_runner < jobs.json``, jobs being
``[{"script": name or "", "payload": {...}, "args": [...]}, ...]`` (args optional).

A fresh interpreter, because xlwings picks its decorators when first imported: with
``XLWINGS_ON_SERVER=true`` they are the ones Lite and Server use (set here before the
import). xlwings' remote engine is under its noncommercial licence: tests only.

Prints one JSON list, a document per job: the actions the script returned (what the add-in applies in
Excel), the book's sheets and names afterwards, what the script printed, and the
custom functions' and scripts' registration data of main.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
import json
import os
import sys
from pathlib import Path

MAIN = Path(__file__).resolve().parents[2] / "addin" / "lite" / "main.py"


def load_main():
    spec = importlib.util.spec_from_file_location("main", MAIN)
    module = importlib.util.module_from_spec(spec)
    sys.modules["main"] = module
    spec.loader.exec_module(module)
    return module


def run(script: str, payload: dict, args: list | None = None) -> dict:
    import xlwings as xw
    import xlwings.server

    assert xlwings.server.func is xw.func, "the Lite/Server decorators are not in use"
    main = load_main()
    book = xw.Book(json=payload)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        if script:
            asyncio.run(xlwings.server.custom_scripts_call(
                main, script, typehint_to_value={xw.Book: book}, args=args or []))
    return {
        "actions": book.json()["actions"],
        "sheets": [s.name for s in book.sheets],
        "names": [{"name": n.name, "refers_to": n.refers_to} for s in book.sheets
                  for n in s.names],
        "printed": printed.getvalue(),
        "functions": xlwings.server.custom_functions_meta(main),
        "scripts": xlwings.server.custom_scripts_meta(main),
    }


if __name__ == "__main__":
    # Before xlwings is first imported, and only in this process (pytest imports this
    # module too when it collects doctests: it must not change the tests' environment).
    os.environ["XLWINGS_ON_SERVER"] = "true"
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    print(json.dumps([run(job["script"], job["payload"], job.get("args"))
                      for job in json.load(sys.stdin)], default=str))
