// Run axe-core in headless Chromium against one HTML file; print the result as JSON.
//
//   node tests/a11y/axe_check.js PAGE.html [--chromium PATH] [--screenshot OUT.png --width PX]
//
// Tags: WCAG 2.0/2.1 A and AA and WCAG 2.2 AA. Nothing is downloaded: the browser is
// Debian's chromium (puppeteer-core brings no browser of its own).
"use strict";
const path = require("path");
const puppeteer = require("puppeteer-core");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

async function main() {
  const page_path = process.argv[2];
  if (!page_path) {
    console.error("usage: axe_check.js PAGE.html [--chromium PATH] [--screenshot OUT.png --width PX]");
    process.exit(2);
  }
  const browser = await puppeteer.launch({
    executablePath: option("--chromium", "/usr/bin/chromium"),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    const requests = [];
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
    const width = parseInt(option("--width", "1280"), 10);
    await page.setViewport({ width, height: 900 });
    await page.goto("file://" + path.resolve(page_path), { waitUntil: "load" });
    const screenshot = option("--screenshot", null);
    const scroll_width = await page.evaluate(() => document.documentElement.scrollWidth);
    // each measure's row: the boxes of its name and of its RAG cell, in CSS pixels
    const rows = await page.evaluate(() => Array.from(
      document.querySelectorAll("table.measures tbody tr")).map((tr) => {
        const box = (el) => {
          if (!el) return null;
          const r = el.getBoundingClientRect();
          return { left: r.left, right: r.right, top: r.top + window.scrollY,
                   bottom: r.bottom + window.scrollY, text: el.textContent };
        };
        return { name: box(tr.querySelector('th[scope="row"]')),
                 rag: box(tr.querySelector("td.rag")) };
      }));
    if (screenshot) {
      await page.screenshot({ path: screenshot, fullPage: option("--full", "no") === "yes",
                              captureBeyondViewport: false });
    }
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const result = await page.evaluate(async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags } });
      const brief = (items) => items.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, summary: n.failureSummary })),
        count: v.nodes.length,
      }));
      return { version: window.axe.version, violations: brief(r.violations),
               incomplete: brief(r.incomplete), passes: r.passes.map((p) => p.id) };
    }, TAGS);
    result.tags = TAGS;
    result.viewport_width = width;
    result.scroll_width = scroll_width;
    result.rows = rows;
    result.external_requests = requests;
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((err) => { console.error(String(err && err.stack || err)); process.exit(3); });
