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
// A stand-in for the one xlwings Lite client read the scripts make (the JS side, which
// only exists inside Excel): table number formats, answered from LITE_STUB_FORMATS
// ({sheet: {address: [[format, ...], ...]}}, taken from the .xlsx by the test).
if (process.env.LITE_STUB_FORMATS) {
  const formats = JSON.parse(readFileSync(process.env.LITE_STUB_FORMATS, "utf8"));
  globalThis.xlwings = {
    async getRangeData(sheet, address, keys) {
      const found = formats[sheet]?.[address.replaceAll("$", "")];
      if (!found) throw new Error(`no formats for ${sheet}!${address}`);
      return Object.fromEntries([...keys].map((k) => [k, found]));
    },
  };
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
