// Drives the workbench of `kpi serve` in real headless Chromium (run by
// tests/workbench_browser.rs, which starts the server on a git repository
// holding a copy of policies/ with two commits):
//
//   node tests/browser/workbench.mjs --url http://127.0.0.1:PORT/
//        --policy tmall_after_sales.kpi --policy-file DIR/tmall_after_sales.kpi
//        --records RECORDS.csv --context CONTEXT.csv --expected EVAL.json
//        [--docs workbench]
//
// Checks, in order: the page opens with no console errors, page errors or
// requests to other hosts; a policy with an error typed into the editor
// shows the diagnostic at the right line (list and inline); hover shows a
// score range; the fix makes it clean; uploading the S1 records and
// context gives results equal to `kpi eval --format json` (EVAL.json);
// sorting and the team filter; a click on a person shows the explanation;
// what-if answers; the xlsx export downloads a workbook; the previous git
// revision gives a diff; saving writes the file and shows its git diff.
// Screenshots of each state go to target/browser-artifacts/workbench-*.png
// (and the results state to docs/DOC.png with KPI_UPDATE_SCREENSHOTS=1).
// Exits 1 on failure.

import { chromium } from "playwright-core";
import { mkdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, resolve, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.KPI_CHROMIUM || "/usr/bin/chromium";
const ART = join(ROOT, "target", "browser-artifacts");
const TIMEOUT = 20_000;

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--")) throw new Error(`unknown argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const k of ["url", "policy", "policy-file", "records", "context", "expected"]) {
    if (!args[k]) throw new Error(`missing --${k}`);
  }
  return args;
}

const failures = [];
function check(ok, what) {
  if (ok) console.log(`  ok   ${what}`);
  else {
    console.log(`  FAIL ${what}`);
    failures.push(what);
  }
}

async function step(name, f) {
  console.log(`${name}`);
  try {
    await f();
  } catch (e) {
    check(false, `${name}: ${e.message.split("\n")[0]}`);
  }
}

const args = parseArgs(process.argv.slice(2));
mkdirSync(ART, { recursive: true });
const base = new URL(args.url);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN", acceptDownloads: true });
const page = await context.newPage();
page.setDefaultTimeout(TIMEOUT);
const problems = [];
page.on("console", (m) => {
  // 422 is the API's answer while the policy or the data has errors (e.g.
  // records uploaded before the context file): shown on the page, not a fault
  if (m.type() === "error" && !/status of 422/.test(m.text())) problems.push(`console: ${m.text()}`);
});
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("request", (r) => {
  const u = new URL(r.url());
  if (!["blob:", "data:"].includes(u.protocol) && u.host !== base.host) problems.push(`request to another host: ${r.url()}`);
});
const shot = async (name) => {
  await page.screenshot({ path: join(ART, `workbench-${name}.png`) });
};

const original = readFileSync(args["policy-file"], "utf8");
const expected = JSON.parse(readFileSync(args.expected, "utf8"));

await step("open the page", async () => {
  await page.goto(new URL(`/?policy=${encodeURIComponent(args.policy)}`, base).href);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForSelector(".cm-content");
  await page.waitForFunction(() => document.querySelector("#status")?.classList.contains("ok"));
  check((await page.locator("#policy-select").inputValue()) === args.policy, "the policy is selected");
  check((await page.locator(".cm-content").innerText()).includes("policy \"售后KPI考核报表\""), "the editor shows the policy");
  check((await page.locator("#diagnostics li").count()) === 0, "no diagnostics for the seed policy");
  check((await page.locator(".cm-content .tok-keyword, .cm-content span").count()) > 10, "the policy is highlighted");
  await shot("1-open");
});

// The line the typed error lands on: the last line of the file.
const lines = original.split("\n");
const errorLine = original.endsWith("\n") ? lines.length : lines.length + 1;

await step("type a policy with an error", async () => {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  if (!original.endsWith("\n")) await page.keyboard.press("Enter");
  await page.keyboard.type("item broken = refund_rate_typo + 1");
  await page.keyboard.press("Escape");
  const diag = page.locator('#diagnostics li.error[data-code="kpi::unknown_name"]');
  await diag.first().waitFor();
  check((await diag.first().getAttribute("data-line")) === String(errorLine), `the diagnostic is on line ${errorLine}`);
  check((await diag.first().innerText()).includes("refund_rate_typo"), "the message names the unknown name");
  const inline = page.locator(".cm-lintRange-error");
  await inline.first().waitFor();
  check((await inline.first().innerText()).includes("refund_rate_typo"), "the name is underlined in the editor");
  check((await page.locator("#status").innerText()).length > 0, "the status counts the errors");
  await shot("2-error");
});

await step("hover shows a score range", async () => {
  const line = page.locator(".cm-line", { hasText: "total = sum of items" }).first();
  await line.scrollIntoViewIfNeeded();
  const box = await line.boundingBox();
  await page.mouse.move(box.x + 12, box.y + box.height / 2);
  const tip = page.locator(".cm-kpi-hover");
  await tip.waitFor();
  check((await tip.innerText()).includes("total"), "the hover names `total`");
  check((await page.locator(".cm-kpi-hover .hover-range").count()) === 1, "the hover shows its reachable range");
  await page.mouse.move(5, 5);
});

await step("fix it", async () => {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Shift+Home");
  await page.keyboard.press("Backspace");
  await page.waitForFunction(() => document.querySelectorAll("#diagnostics li").length === 0 && document.querySelector("#status").classList.contains("ok"));
  check(true, "no diagnostics after the fix");
  await shot("3-fixed");
});

await step("upload the S1 example data", async () => {
  await page.setInputFiles("#records-input", args.records);
  await page.setInputFiles("#context-input", args.context);
  await page.waitForSelector("#results-table tbody tr");
  await page.waitForFunction((n) => document.querySelectorAll("#results-table tbody tr").length === n, expected.results.length);
  const got = await page.$$eval("#results-table tbody tr", (trs) =>
    trs.map((tr) => ({
      employee: tr.dataset.employee,
      period: tr.dataset.period,
      cells: Object.fromEntries([...tr.querySelectorAll("td[data-col]")].map((td) => [td.dataset.col, td.textContent])),
    })),
  );
  check(got.length === expected.results.length, `${got.length} rows, as many as kpi eval's ${expected.results.length}`);
  let mismatches = 0;
  for (const r of expected.results) {
    const row = got.find((g) => g.employee === r.employee && g.period === r.period);
    if (!row) {
      mismatches++;
      console.log(`    missing ${r.employee} ${r.period}`);
      continue;
    }
    for (const [k, v] of Object.entries(r.outputs)) {
      if (row.cells[k] !== String(v)) {
        mismatches++;
        console.log(`    ${r.employee} ${r.period} ${k}: page ${row.cells[k]} vs kpi eval ${v}`);
      }
    }
  }
  check(mismatches === 0, "every cell equals kpi eval's output");
  check((await page.locator(".charts svg rect.bar").count()) > 0, "the histogram is drawn");
  check((await page.locator(".payroll table").count()) === 1, "the team summary is shown");
  // the top of the policy beside the results, for the README's picture
  await page.evaluate(() => {
    document.querySelector(".cm-scroller").scrollTop = 0;
    const pane = document.querySelector(".side-pane");
    pane.scrollTop = document.querySelector(".exports").offsetTop - 50;
  });
  await page.waitForTimeout(200);
  await shot("4-results");
  if (args.docs && process.env.KPI_UPDATE_SCREENSHOTS === "1") {
    copyFileSync(join(ART, "workbench-4-results.png"), join(ROOT, "docs", `${args.docs}.png`));
    console.log(`  updated docs/${args.docs}.png`);
  }
});

await step("sort and filter", async () => {
  await page.locator("#results-table th.sortable", { hasText: /^total/ }).first().click();
  const totals = await page.$$eval('#results-table tbody td[data-col="total"]', (tds) => tds.map((td) => Number(td.textContent)));
  check(totals.length > 1 && totals.every((v, i) => i === 0 || totals[i - 1] >= v), "a click on `total` sorts by it, highest first");
  const teams = await page.$$eval("#team-filter option", (os) => os.map((o) => o.value).filter(Boolean));
  if (teams.length) {
    await page.selectOption("#team-filter", teams[0]);
    const shown = await page.$$eval("#results-table tbody tr td:nth-child(3)", (tds) => tds.map((td) => td.textContent));
    check(shown.length > 0 && shown.every((t) => t === teams[0]), `the team filter shows team ${teams[0]} only`);
    await page.selectOption("#team-filter", "");
  }
});

await step("click a person", async () => {
  const first = expected.results[1] || expected.results[0];
  await page.locator(`#results-table tbody tr[data-employee="${first.employee}"][data-period="${first.period}"]`).click();
  await page.waitForFunction((e) => document.querySelector("#explanation").textContent.includes(e), first.employee);
  const text = await page.locator("#explanation").innerText();
  check(text.includes("评分明细") || text.includes("Score sheet"), "the explanation is kpi explain's score sheet");
  check(text.includes(String(first.outputs.total)), "it shows the person's total");
  await page.locator("#explanation").scrollIntoViewIfNeeded();
  await shot("5-explain");
});

await step("what-if", async () => {
  await page.fill("#whatif-target", "total >= 95");
  await page.locator('#whatif-form button[type="submit"]').click();
  await page.waitForSelector("#whatif-result table, #whatif-result .ok");
  check(true, "the what-if panel answers");
});

await step("export xlsx", async () => {
  await page.locator("#tab-data").click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator('button.export[data-format="xlsx"]').click()]);
  const file = join(ART, "workbench-results.xlsx");
  await download.saveAs(file);
  const bytes = readFileSync(file);
  check(bytes.length > 1000 && bytes.subarray(0, 2).toString() === "PK", `an xlsx workbook was downloaded (${download.suggestedFilename()}, ${bytes.length} bytes)`);
});

await step("pick the previous git revision", async () => {
  await page.locator("#tab-versions").click();
  await page.waitForSelector("button.revision");
  const revs = page.locator("button.revision");
  check((await revs.count()) === 2, "the history lists the two commits");
  await revs.nth(1).click();
  await page.waitForSelector("#diff-summary");
  const rows = await page.locator("#diff-table tbody tr").count();
  check(rows > 0, `the diff shows ${rows} changed output(s)`);
  const text = await page.locator("#diff-view").innerText();
  check(text.includes("→") && !/null|undefined/.test(text), "the diff summary reads well (no null/undefined)");
  await shot("6-diff");
});

await step("save", async () => {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type("# 由工作台保存");
  await page.waitForFunction(() => !document.querySelector("#modified").hidden);
  await page.locator("#save").click();
  await page.waitForSelector("#save-dialog[open] pre.git-diff");
  check((await page.locator("#save-dialog pre.git-diff").innerText()).includes("+# 由工作台保存"), "the git diff of the saved file is shown");
  await shot("7-saved");
  await page.locator("#save-dialog button").click();
});

await step("switch to English", async () => {
  await page.locator("#lang").click();
  await page.waitForFunction(() => document.querySelector("#tab-data").textContent === "Data & results");
  check((await page.locator("#lang").innerText()) === "中文", "the page is in English, with a way back");
  await page.locator("#lang").click();
  await page.waitForFunction(() => document.querySelector("#tab-data").textContent === "数据与结果");
  check(true, "and back in Chinese");
});

check(problems.length === 0, `no console errors, page errors or foreign requests${problems.length ? `: ${problems.join("; ")}` : ""}`);
await browser.close();
writeFileSync(join(ART, "workbench-result.txt"), failures.length ? failures.join("\n") + "\n" : "ok\n");
if (failures.length) {
  console.log(`${failures.length} check(s) failed`);
  process.exit(1);
}
console.log("all workbench checks passed");
