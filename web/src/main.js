// The workbench page: the editor pane (policy text, live diagnostics,
// format, save), the data pane (uploads, results, charts, payroll, a
// person's explanation, what-if) and the versions pane (git history →
// diff on the loaded data). Everything is computed by the server, which
// calls the kpi library; this file only moves text and JSON around.

import { createEditor } from "./editor.js";
import { get, post, send, upload, download, ApiError } from "./api.js";
import { h, $, clear } from "./dom.js";
import { tr, setLang, lang, translatePage } from "./i18n.js";
import { showResults, clearResults, whatifTable } from "./results.js";
import { showHistory, showDiff, diffBlock } from "./versions.js";

const app = {
  path: null,
  // per path: the text on disk and the editor's draft
  saved: new Map(),
  drafts: new Map(),
  clean: false,
  hasData: false,
  evalSeq: 0,
  evalTimer: null,
  editor: null,
  loading: false,
};

function policyReq(text = app.editor.text()) {
  return {
    text,
    path: app.path,
    lang: lang(),
    period: $("#period").value.trim() || null,
    percent_fractions: $("#fractions").checked,
  };
}

function setStatus(text, kind = "") {
  const s = $("#status");
  s.textContent = text;
  s.className = `status ${kind}`;
}

function errorBox(e) {
  const body = e instanceof ApiError ? e.body : {};
  const items = (body.diagnostics || []).map((d) => {
    const l = (d.labels || []).find((x) => x.primary) || (d.labels || [])[0];
    return h(
      "li",
      { class: d.severity },
      h("code", {}, d.code || ""),
      " ",
      l && l.line ? `${tr("line", { n: l.line })}: ` : "",
      d.message,
      d.help ? h("div", { class: "diag-help" }, `${tr("help")}: ${d.help}`) : null,
    );
  });
  return h(
    "div",
    { class: "error-box", role: "alert" },
    h("p", {}, e.message),
    items.length ? h("ul", { class: "diagnostics" }, ...items) : null,
    ...(body.notices || []).map((n) => h("pre", { class: "notice" }, n)),
  );
}

// ------------------------------------------------------------------ editor

async function check(text) {
  const req = policyReq(text);
  let result;
  try {
    result = await post("/api/check", req);
  } catch (e) {
    setStatus(e.message, "error");
    return null;
  }
  if (text !== app.editor.text()) return result;
  showDiagnostics(result);
  const wasClean = app.clean;
  app.clean = result.errors === 0;
  if (app.clean) scheduleEval(wasClean ? 400 : 0);
  else if (app.hasData) clearResults($("#results"), tr("fixFirst"));
  return result;
}

function showDiagnostics(result) {
  const list = clear($("#diagnostics"));
  const { errors, warnings } = result;
  setStatus(errors || warnings ? tr("nErrors", { e: errors, w: warnings }) : tr("clean"), errors ? "error" : warnings ? "warning" : "ok");
  for (const d of result.diagnostics) {
    const l = (d.labels || []).find((x) => x.primary) || (d.labels || [])[0] || { line: 1, column: 1 };
    list.append(
      h(
        "li",
        {
          class: `diag ${d.severity}`,
          dataset: { line: l.line, code: d.code || "" },
          onclick: () => app.editor.goTo(l.line, l.column),
        },
        h("span", { class: "where" }, tr("line", { n: l.line })),
        h("code", {}, d.code || ""),
        h("span", { class: "message" }, d.message),
        ...(d.labels || []).filter((x) => x.label).map((x) => h("div", { class: "diag-label" }, `${tr("line", { n: x.line })}:${x.column} ${x.label}`)),
        d.help ? h("div", { class: "diag-help" }, `${tr("help")}: ${d.help}`) : null,
      ),
    );
  }
}

function onChange(text) {
  if (app.loading) return;
  app.drafts.set(app.path, text);
  $("#modified").hidden = app.saved.get(app.path) === text;
}

async function loadPolicy(path) {
  app.path = path;
  const url = new URL(location.href);
  url.searchParams.set("policy", path);
  history.replaceState(null, "", url);
  let text = app.drafts.get(path);
  if (text === undefined) {
    const r = await get(`/api/policy?path=${encodeURIComponent(path)}`);
    app.saved.set(path, r.text);
    text = r.text;
  }
  app.loading = true;
  app.editor.setText(text);
  app.loading = false;
  $("#modified").hidden = app.saved.get(path) === text;
  if (!$("#versions-pane").hidden) loadHistory();
}

async function save() {
  const text = app.editor.text();
  try {
    const r = await send("PUT", "/api/policy", { path: app.path, text });
    app.saved.set(app.path, text);
    app.drafts.delete(app.path);
    $("#modified").hidden = true;
    setStatus(tr("saved"), "ok");
    const box = clear($("#save-diff"));
    box.append(r.diff ? diffBlock(r.diff) : h("p", { class: "muted" }, r.note || tr("noChanges")));
    $("#save-dialog").showModal();
  } catch (e) {
    setStatus(e.message, "error");
  }
}

async function format() {
  try {
    const r = await post("/api/format", policyReq());
    if (r.text !== app.editor.text()) app.editor.setText(r.text);
  } catch (e) {
    setStatus(e.message, "error");
  }
}

// -------------------------------------------------------------------- data

function scheduleEval(delay = 0) {
  clearTimeout(app.evalTimer);
  app.evalTimer = setTimeout(runEval, delay);
}

async function runEval() {
  const root = $("#results");
  if (!app.hasData) {
    clearResults(root, tr("noData"));
    return;
  }
  if (!app.clean) {
    clearResults(root, tr("fixFirst"));
    return;
  }
  const seq = ++app.evalSeq;
  root.classList.add("busy");
  try {
    const data = await post("/api/eval", policyReq());
    if (seq !== app.evalSeq) return;
    showResults(root, data, explain);
  } catch (e) {
    if (seq !== app.evalSeq) return;
    clearResults(root, "", [errorBox(e)]);
  } finally {
    root.classList.remove("busy");
  }
}

async function explain(row) {
  $("#whatif-employee").value = row.employee;
  $("#whatif-period").value = row.period;
  const box = $("#explanation");
  box.textContent = "…";
  try {
    const r = await post("/api/explain", { ...policyReq(), employee: row.employee, at: row.period });
    box.textContent = r.text;
    box.dataset.employee = row.employee;
  } catch (e) {
    clear(box).append(errorBox(e));
  }
}

async function whatif(ev) {
  ev.preventDefault();
  const box = clear($("#whatif-result"));
  try {
    const r = await post("/api/whatif", {
      ...policyReq(),
      employee: $("#whatif-employee").value.trim(),
      at: $("#whatif-period").value.trim() || null,
      target: $("#whatif-target").value.trim(),
    });
    box.append(whatifTable(r.whatif));
  } catch (e) {
    box.append(errorBox(e));
  }
}

function showFiles(listing) {
  const fmt = (n) => (n > 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
  clear($("#records-files")).append(...listing.records.map(([name, size]) => h("span", { class: "file" }, `${name} · ${fmt(size)}`)));
  clear($("#context-files")).append(...(listing.context ? [h("span", { class: "file" }, `${listing.context[0]} · ${fmt(listing.context[1])}`)] : []));
  app.hasData = listing.records.length > 0;
}

async function uploadFiles(role, files) {
  for (const f of files) {
    if (f.size > 32 * 1024 * 1024) {
      setStatus(`${tr("uploadFailed")}: ${f.name} > 32 MiB`, "error");
      continue;
    }
    try {
      showFiles(await upload(role, f));
    } catch (e) {
      setStatus(`${tr("uploadFailed")}: ${e.message}`, "error");
    }
  }
  scheduleEval();
}

function dropZone(zone, input, role) {
  input.addEventListener("change", () => {
    uploadFiles(role, [...input.files]);
    input.value = "";
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    const files = [...e.dataTransfer.files];
    uploadFiles(role, role === "context" ? files.slice(0, 1) : files);
  });
}

async function exportAs(format) {
  try {
    const name = await download("/api/export", { ...policyReq(), format });
    setStatus(`${tr("export")}: ${name}`, "ok");
  } catch (e) {
    setStatus(e.message, "error");
  }
}

// ---------------------------------------------------------------- versions

async function loadHistory() {
  const root = $("#history");
  try {
    const r = await get(`/api/history?path=${encodeURIComponent(app.path)}`);
    showHistory(root, r, compareWith);
  } catch (e) {
    clear(root).append(errorBox(e));
  }
}

async function compareWith(rev) {
  const view = $("#diff-view");
  if (!app.hasData) {
    clear(view).append(h("p", { class: "placeholder" }, tr("needData")));
    return;
  }
  clear(view).append(h("p", { class: "muted" }, "…"));
  try {
    const r = await post("/api/diff", { ...policyReq(), rev: rev.commit });
    showDiff(view, r.diff);
  } catch (e) {
    clear(view).append(errorBox(e));
  }
}

function showTab(which) {
  for (const [tab, pane] of [["#tab-data", "#data-pane"], ["#tab-versions", "#versions-pane"]]) {
    const on = tab === which;
    $(tab).classList.toggle("active", on);
    $(tab).setAttribute("aria-selected", String(on));
    $(pane).hidden = !on;
  }
  if (which === "#tab-versions") loadHistory();
}

// -------------------------------------------------------------------- start

function applyLang(l) {
  setLang(l);
  localStorage.setItem("kpi-lang", l);
  $("#lang").textContent = l === "zh" ? "EN" : "中文";
  translatePage();
}

async function start() {
  const info = await get("/api/info");
  const stored = localStorage.getItem("kpi-lang");
  const nav = (navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : null;
  applyLang(stored || nav || info.lang || "zh");
  app.editor = createEditor($("#editor"), { check, onChange });
  const { policies } = await get("/api/policies");
  const select = $("#policy-select");
  for (const p of policies) select.append(h("option", { value: p }, p));
  select.addEventListener("change", () => loadPolicy(select.value));
  const wanted = new URL(location.href).searchParams.get("policy");
  const first = policies.includes(wanted) ? wanted : policies[0];
  if (first) {
    select.value = first;
    await loadPolicy(first);
  }
  $("#save").addEventListener("click", save);
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "s") {
      e.preventDefault();
      save();
    }
  });
  $("#format").addEventListener("click", format);
  $("#lang").addEventListener("click", () => {
    applyLang(lang() === "zh" ? "en" : "zh");
    app.editor.relint();
    scheduleEval();
  });
  dropZone($("#drop-records"), $("#records-input"), "records");
  dropZone($("#drop-context"), $("#context-input"), "context");
  $("#clear-data").addEventListener("click", async () => {
    showFiles(await send("DELETE", "/api/data", {}));
    scheduleEval();
  });
  $("#period").addEventListener("change", () => scheduleEval());
  $("#fractions").addEventListener("change", () => scheduleEval());
  for (const b of document.querySelectorAll("button.export")) {
    b.addEventListener("click", () => exportAs(b.dataset.format));
  }
  $("#whatif-form").addEventListener("submit", whatif);
  $("#tab-data").addEventListener("click", () => showTab("#tab-data"));
  $("#tab-versions").addEventListener("click", () => showTab("#tab-versions"));
  showFiles(await get("/api/data"));
  scheduleEval();
  document.body.dataset.ready = "true";
}

start().catch((e) => setStatus(e.message, "error"));
