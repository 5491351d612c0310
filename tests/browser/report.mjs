// Drives the HTML report of `kpi eval --output report.html` in real headless
// Chromium (run by tests/report_html.rs):
//
//   node tests/browser/report.mjs REPORT.html --records RECORDS.csv
//        [--grades] [--name NAME] [--docs DOC]
//
// Checks: no console errors, page errors or network requests; every employee
// of RECORDS.csv has a row; the charts are drawn (`--grades`: the grade chart
// too, else it must be absent); a click on a person opens their explanation;
// sorting by a column works; print emulation (and a PDF) without errors.
// Saves the page as it opens in target/browser-artifacts/NAME.png (and a
// printed PDF, NAME.pdf; NAME defaults to `report`), and in docs/DOC.png
// too when given `--docs DOC` and KPI_UPDATE_SCREENSHOTS=1 (the README's
// picture). Exits 1 on failure.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.KPI_CHROMIUM || "/usr/bin/chromium";

function parseArgs(argv) {
  const args = { html: null, records: null, grades: false, name: "report", docs: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--records") args.records = argv[++i];
    else if (a === "--name") args.name = argv[++i];
    else if (a === "--docs") args.docs = argv[++i];
    else if (a === "--grades") args.grades = true;
    else if (!a.startsWith("--") && !args.html) args.html = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!args.html || !args.records) {
    throw new Error("usage: report.mjs REPORT.html --records RECORDS.csv [--grades] [--name NAME] [--docs DOC]");
  }
  return args;
}

// The `employee` column of a CSV file (no quoted commas in our examples,
// but quotes around a cell are removed).
function employees(csvPath) {
  const lines = readFileSync(csvPath, "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0].split(",").map((h) => h.trim());
  const col = header.indexOf("employee");
  if (col < 0) throw new Error(`${csvPath}: no employee column`);
  return lines.slice(1).map((l) => l.split(",")[col].trim().replace(/^"(.*)"$/, "$1"));
}

const failures = [];
function check(ok, what) {
  if (ok) console.log(`  ok   ${what}`);
  else {
    console.log(`  FAIL ${what}`);
    failures.push(what);
  }
}

async function bbox(locator) {
  const b = await locator.boundingBox();
  return b && b.width > 0 && b.height > 0;
}

async function checkCharts(page, grades) {
  for (const [cls, expected] of [["chart-histogram", true], ["chart-grades", grades]]) {
    const svg = page.locator(`svg.${cls}`);
    const n = await svg.count();
    if (!expected) {
      check(n === 0, `${cls}: absent (the policy has none)`);
      continue;
    }
    check(n === 1, `${cls}: one chart`);
    if (n !== 1) continue;
    check(await bbox(svg), `${cls}: has a size on the page`);
    const bars = svg.locator("rect.bar");
    const count = await bars.count();
    check(count >= 1, `${cls}: ${count} bar(s)`);
    const drawn = await bars.evaluateAll((rs) =>
      rs.filter((r) => r.getBBox().height > 0 && r.querySelector("title")?.textContent).length,
    );
    check(drawn >= 1, `${cls}: ${drawn} bar(s) with a height and a tooltip`);
    const people = await bars.evaluateAll((rs) => rs.reduce((a, r) => a + Number(r.dataset.count), 0));
    const rows = await page.locator("table.results tbody tr").count();
    check(people === rows, `${cls}: bars count every record (${people} = ${rows})`);
  }
}

// Column index of the total in a results table (its header has data-column="total").
async function totalColumn(table) {
  return table.locator("thead th").evaluateAll((ths) => ths.findIndex((th) => th.dataset.column === "total"));
}

async function checkExplanation(page) {
  const row = page.locator("table.results tbody tr[data-x]").first();
  if ((await row.count()) === 0) {
    check(false, "explanations: rows open an explanation");
    return;
  }
  const who = await row.getAttribute("data-employee");
  const id = await row.getAttribute("data-x");
  const col = await totalColumn(page.locator("table.results").first());
  const total = col >= 0 ? (await row.locator("> *").nth(col).textContent()).trim() : null;
  // keyboard: focus the employee's button and press Enter
  await row.locator("button.who").focus();
  await page.keyboard.press("Enter");
  const dialog = page.locator(`dialog#${id}`);
  check(await dialog.evaluate((d) => d.open), `explanation of ${who}: opens from the keyboard`);
  check(await dialog.isVisible(), `explanation of ${who}: visible`);
  const text = await dialog.locator("pre").textContent();
  check(text.includes(who), `explanation of ${who}: names the employee`);
  if (total !== null) check(text.includes(`= ${total}`), `explanation of ${who}: shows the total ${total}`);
  await page.keyboard.press("Escape");
  check(!(await dialog.evaluate((d) => d.open)), `explanation of ${who}: Escape closes it`);
  // mouse: a click anywhere on another row, closed with the × button
  const other = page.locator("table.results tbody tr[data-x]").nth(1);
  const otherId = await other.getAttribute("data-x");
  const otherWho = await other.getAttribute("data-employee");
  await other.locator("td").last().click();
  const second = page.locator(`dialog#${otherId}`);
  check(await second.isVisible(), `explanation of ${otherWho}: opens on a click on the row`);
  check((await second.locator("pre").textContent()).includes(otherWho), `explanation of ${otherWho}: names the employee`);
  await second.locator("button.close").click();
  check(!(await second.isVisible()), `explanation of ${otherWho}: the close button closes it`);
}

// Values of column `col` of a table's rows, as the table sorts them.
async function columnValues(table, col) {
  return table.locator("tbody tr").evaluateAll(
    (rows, c) => rows.map((r) => r.cells[c].dataset.v ?? r.cells[c].textContent.trim()),
    col,
  );
}

async function checkSorting(page) {
  // the biggest team table, so that the order means something
  const tables = page.locator("table.results");
  const sizes = await tables.evaluateAll((ts) => ts.map((t) => t.tBodies[0].rows.length));
  const table = tables.nth(sizes.indexOf(Math.max(...sizes)));
  const col = await totalColumn(table);
  if (col < 0) {
    check(false, "sorting: the table has a total column");
    return;
  }
  const header = table.locator("thead th").nth(col);
  const nums = async () => (await columnValues(table, col)).map(Number);
  const sorted = (xs, sign) => xs.every((x, i) => i === 0 || sign * (x - xs[i - 1]) >= 0);
  await header.locator("button.sort").click();
  const down = await nums();
  check(await header.getAttribute("aria-sort") === "descending" && sorted(down, -1), `sorting: total descending ${down.join(",")}`);
  await header.locator("button.sort").click();
  const up = await nums();
  check(await header.getAttribute("aria-sort") === "ascending" && sorted(up, 1), `sorting: total ascending ${up.join(",")}`);
  const first = table.locator("thead th").first();
  await first.locator("button.sort").click();
  const names = await columnValues(table, 0);
  const byName = [...names].sort((a, b) => a.localeCompare(b, "zh-Hans-CN", { numeric: true }));
  check(JSON.stringify(names) === JSON.stringify(byName), `sorting: employee ascending ${names.join(",")}`);
}

async function checkPrint(page, errors, name) {
  await page.emulateMedia({ media: "print" });
  check(!(await page.locator("button.print").isVisible()), "print: no print button");
  check(await bbox(page.locator("svg.chart-histogram")), "print: charts kept");
  check((await page.locator("dialog[open]").count()) === 0, "print: explanations hidden");
  const pdf = await page.pdf({ path: resolve(ROOT, `target/browser-artifacts/${name}.pdf`), format: "A4" });
  check(pdf.length > 1000, `print: PDF of ${pdf.length} bytes`);
  check(errors.length === 0, "print: no errors");
  await page.emulateMedia({ media: "screen" });
}

async function screenshot(page, artifacts, name, docs) {
  const shot = resolve(artifacts, `${name}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  console.log(`  screenshot: ${shot}`);
  if (docs && process.env.KPI_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(resolve(ROOT, "docs"), { recursive: true });
    const doc = resolve(ROOT, `docs/${docs}.png`);
    await page.screenshot({ path: doc, fullPage: true });
    console.log(`  screenshot: ${doc}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const expected = employees(args.records);
  const artifacts = resolve(ROOT, "target/browser-artifacts");
  mkdirSync(artifacts, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = [];
    page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!/^(file|data):/.test(r.url())) errors.push(`network request: ${r.url()}`);
    });
    const url = pathToFileURL(resolve(args.html)).href;
    console.log(`report: ${url}`);
    await page.goto(url, { waitUntil: "load" });

    check((await page.title()).length > 0, "has a title");
    const missing = [];
    for (const e of new Set(expected)) {
      if ((await page.locator(`tr[data-employee="${e.replace(/["\\]/g, "\\$&")}"]`).count()) === 0) missing.push(e);
    }
    check(missing.length === 0, `every employee of the data has a row (${new Set(expected).size})${missing.length ? `; missing ${missing.join(", ")}` : ""}`);
    const people = Number(await page.locator("#people").textContent());
    check(people === new Set(expected).size, `the header counts ${people} people`);
    const rows = await page.locator("table.results tbody tr").count();
    check(rows === expected.length, `one row per record (${rows} = ${expected.length})`);
    await checkCharts(page, args.grades);
    await screenshot(page, artifacts, args.name, args.docs); // as it opens, before any click
    await checkExplanation(page);
    await checkSorting(page);

    await checkPrint(page, errors, args.name);
    check(errors.length === 0, `no console errors, page errors or network requests${errors.length ? `:\n    ${errors.join("\n    ")}` : ""}`);
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.error(`\nbrowser test FAILED (${failures.length}):\n  ${failures.join("\n  ")}`);
    process.exit(1);
  }
  console.log("browser test passed");
}

main().catch((e) => {
  console.error(`browser test FAILED: ${e.stack || e}`);
  process.exit(1);
});
