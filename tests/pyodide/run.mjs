// Run a Python file inside Pyodide under Node, with wheels installed from local files
// only (nothing is downloaded): node run.mjs WHEEL_DIR SCRIPT.py [FILE ...]
// Each FILE is copied into Pyodide's file system under /data/ by its base name.
import { loadPyodide } from "pyodide";
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";

const [wheelDir, script, ...files] = process.argv.slice(2);
const pyodide = await loadPyodide();  // from node_modules/pyodide: no network
const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
for (const name of readdirSync(wheelDir).filter((f) => f.endsWith(".whl")).sort()) {
  pyodide.unpackArchive(new Uint8Array(readFileSync(join(wheelDir, name))), "wheel",
                        { extractDir: sitePackages });
  console.log(`installed ${name}`);
}
pyodide.FS.mkdirTree("/data");
for (const file of files) {
  pyodide.FS.writeFile(`/data/${basename(file)}`, new Uint8Array(readFileSync(file)));
}
try {
  await pyodide.runPythonAsync(readFileSync(script, "utf8"), { filename: script });
} catch (err) {
  console.error(String(err));
  process.exit(1);
}
