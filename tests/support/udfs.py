"""The Excel functions run in a fresh interpreter: plainly, or through xlwings' Office.js
server path (the way xlwings Lite and the server call them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from tests.support.paths import ROOT


def run_python(script: str, stdin: str = "", **env: str) -> dict:
    """Run a script in a fresh interpreter; its last line of output is JSON."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def office_js_server(calls: list[list]) -> dict:
    """Run each ``[func_name, args]`` through custom_functions_call; also return the meta."""
    script = """
        import asyncio, json, sys
        import xlwings, xlwings.server
        assert xlwings.server.func is xlwings.func   # the server decorators are in use
        import addin.udfs

        calls = json.load(sys.stdin)
        async def run():
            out = []
            for name, args in calls:
                data = {"client": "Office.js", "func_name": name, "args": args,
                        "caller_address": "Sheet1!H3", "version": xlwings.__version__,
                        "runtime": "1.4", "culture_info_name": "en-GB",
                        "date_format": "dd/mm/yyyy"}
                out.append(await xlwings.server.custom_functions_call(data, addin.udfs))
            return out
        print(json.dumps({"meta": xlwings.server.custom_functions_meta(addin.udfs),
                          "results": asyncio.run(run())}))
    """
    return run_python(script, json.dumps(calls), XLWINGS_ON_SERVER="true",
                      XLWINGS_LICENSE_KEY="noncommercial")
