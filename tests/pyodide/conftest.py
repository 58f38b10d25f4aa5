# lite_check.py runs inside Pyodide (top-level await, emscripten only): not for pytest to import.
collect_ignore = ["lite_check.py", "node_modules"]
