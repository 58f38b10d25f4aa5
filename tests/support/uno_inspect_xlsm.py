"""Open a macro-enabled workbook in headless LibreOffice and report its macros as JSON.

Run with the system Python that has python3-uno (``/usr/bin/python3``), not the
project's: ``uno`` only imports there, so it is imported inside ``main``.

    /usr/bin/python3 tests/support/uno_inspect_xlsm.py BOOK.xlsm --sheet Measures \\
        --call KpiScorecard.KpiScorecardDiagnostic --call KpiScorecard.KpiScorecardSelfTest

Prints one JSON document:
``{"libraries": {library: {module: source}}, "controls": [{"sheet", "name",
"label", "events": [{"listener", "method", "script_type", "script"}]}],
"calls": {"Module.Procedure": {"uri", "result"} or {"uri", "error"}}}``.

soffice runs with a private profile in a temporary folder, listens on a pipe of
its own, and is always ended (terminate, then kill of its process group) --
also when the whole run overruns ``--timeout``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def start_soffice(profile: Path, pipe_name: str) -> subprocess.Popen:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("soffice is not on PATH")
    return subprocess.Popen(
        [
            soffice,
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={profile.as_uri()}",
            f"--accept=pipe,name={pipe_name};urp;StarOffice.ComponentContext",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_soffice(process: subprocess.Popen) -> None:
    """End soffice and anything it started: its process group, politely then by force."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def connect(uno, pipe_name: str, process: subprocess.Popen, deadline: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    url = f"uno:pipe,name={pipe_name};urp;StarOffice.ComponentContext"
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"soffice exited early with code {process.returncode}")
        try:
            return resolver.resolve(url)
        except Exception as exc:  # NoConnectException until soffice listens
            last_error = exc
            time.sleep(0.25)
    raise SystemExit(f"could not connect to soffice: {last_error}")


def prop(uno, name: str, value):
    from com.sun.star.beans import PropertyValue

    return PropertyValue(Name=name, Value=value)


def basic_libraries(doc) -> dict[str, dict[str, str]]:
    libraries = doc.BasicLibraries
    found: dict[str, dict[str, str]] = {}
    for name in libraries.getElementNames():
        if not libraries.isLibraryLoaded(name):
            libraries.loadLibrary(name)
        library = libraries.getByName(name)
        found[name] = {module: library.getByName(module) for module in library.getElementNames()}
    return found


def form_controls(doc, sheet_name: str) -> list[dict]:
    sheet = doc.Sheets.getByName(sheet_name)
    controls = []
    forms = sheet.DrawPage.Forms
    for f in range(forms.getCount()):
        form = forms.getByIndex(f)
        for i in range(form.getCount()):
            model = form.getByIndex(i)
            events = [
                {
                    "listener": event.ListenerType,
                    "method": event.EventMethod,
                    "script_type": event.ScriptType,
                    "script": event.ScriptCode,
                }
                for event in form.getScriptEvents(i)
            ]
            info = model.getPropertySetInfo()
            controls.append(
                {
                    "sheet": sheet_name,
                    "form": form.Name,
                    "name": model.Name,
                    "label": model.Label if info.hasPropertyByName("Label") else None,
                    "events": events,
                }
            )
    return controls


def call_macros(doc, library: str, calls: list[str]) -> dict[str, dict]:
    provider = doc.getScriptProvider()
    results: dict[str, dict] = {}
    for call in calls:
        uri = f"vnd.sun.star.script:{library}.{call}?language=Basic&location=document"
        try:
            result, _, _ = provider.getScript(uri).invoke((), (), ())
            results[call] = {"uri": uri, "result": result}
        except Exception as exc:  # a Basic error comes back as a UNO exception: report it
            results[call] = {"uri": uri, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"}
    return results


def inspect(book: Path, sheet: str, module: str, calls: list[str], timeout: float) -> dict:
    import uno

    deadline = time.monotonic() + timeout
    profile = Path(tempfile.mkdtemp(prefix="kpi-lo-profile-"))
    pipe_name = f"kpi_xlsm_{os.getpid()}_{int(time.time() * 1000)}"
    process = start_soffice(profile, pipe_name)
    # Whatever hangs (a dialog, a stuck call), soffice goes and this process ends.
    watchdog = threading.Timer(timeout, lambda: (stop_soffice(process), os._exit(3)))
    watchdog.daemon = True
    watchdog.start()
    try:
        context = connect(uno, pipe_name, process, deadline)
        desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        always_execute = uno.getConstantByName("com.sun.star.document.MacroExecMode.ALWAYS_EXECUTE_NO_WARN")
        doc = desktop.loadComponentFromURL(
            book.resolve().as_uri(),
            "_blank",
            0,
            (prop(uno, "Hidden", True), prop(uno, "MacroExecutionMode", always_execute)),
        )
        if doc is None:
            raise SystemExit(f"LibreOffice could not load {book}")
        try:
            libraries = basic_libraries(doc)
            holding = [name for name, modules in libraries.items() if module in modules]
            report = {
                "libraries": libraries,
                "module_library": holding[0] if holding else None,
                "controls": form_controls(doc, sheet),
                "calls": call_macros(doc, holding[0], calls) if holding else {},
            }
        finally:
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge drops as soffice quits: expected
            pass
        return report
    finally:
        watchdog.cancel()
        stop_soffice(process)
        shutil.rmtree(profile, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("book", type=Path)
    parser.add_argument("--sheet", default="Measures", help="sheet whose form controls are listed")
    parser.add_argument("--module", default="KpiScorecard", help="module whose library the calls use")
    parser.add_argument("--call", action="append", default=[], help="Module.Procedure to run (repeatable)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds for the whole run")
    args = parser.parse_args(argv)
    report = inspect(args.book, args.sheet, args.module, args.call, args.timeout)
    json.dump(report, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
