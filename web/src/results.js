// The results of /api/eval: payroll totals, charts, a table sortable by
// any column and filtered by team; a click on a row asks for the person's
// explanation and fills in the what-if panel.

import { h, clear, cellText, addDecimals, money } from "./dom.js";
import { tr } from "./i18n.js";

let state = { data: null, sort: null, team: "", onPick: null, selected: null };

export function showResults(root, data, onPick) {
  state = { ...state, data, onPick };
  if (state.team && !data.teams.includes(state.team)) state.team = "";
  render(root);
}

export function clearResults(root, message, details = []) {
  state.data = null;
  clear(root).append(
    h("p", { class: "placeholder" }, message),
    ...details,
  );
}

function render(root) {
  const { data } = state;
  const report = data.report;
  clear(root);
  const teamSelect = h(
    "select",
    {
      id: "team-filter",
      onchange: (e) => {
        state.team = e.target.value;
        render(root);
      },
    },
    h("option", { value: "" }, tr("allTeams")),
    ...data.teams.map((t) => h("option", { value: t, selected: t === state.team }, t)),
  );
  const rows = report.rows
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => !state.team || r.team === state.team);
  root.append(
    h(
      "div",
      { class: "results-bar" },
      h("label", {}, `${tr("team")} `, teamSelect),
      h("span", { class: "muted", id: "row-count" }, tr("people", { n: rows.length })),
    ),
    payroll(report),
    charts(data),
    table(report, rows, root),
  );
  if (data.warnings.length || data.notices.length) {
    root.append(
      h(
        "details",
        { class: "notes" },
        h("summary", {}, `${tr("warnings")} (${data.warnings.length}) · ${tr("notices")} (${data.notices.length})`),
        ...data.warnings.map((w) => h("pre", { class: "warning" }, `${w.code}: ${w.message}${w.help ? `\n${tr("help")}: ${w.help}` : ""}`)),
        ...data.notices.map((n) => h("pre", { class: "notice" }, n)),
      ),
    );
  }
}

function payroll(report) {
  const teams = report.teams.filter((t) => !state.team || t.team === state.team);
  const moneyCols = report.payouts.map((k) => report.columns[k]);
  const head = h(
    "tr",
    {},
    h("th", {}, tr("periodCol")),
    h("th", {}, tr("team")),
    h("th", { class: "num" }, tr("headcount")),
    report.total !== null ? h("th", { class: "num" }, tr("average")) : null,
    ...moneyCols.map((c) => h("th", { class: "num" }, c.label || c.name)),
  );
  const body = teams.map((t) =>
    h(
      "tr",
      {},
      h("td", {}, t.period),
      h("td", {}, t.team || "—"),
      h("td", { class: "num" }, t.headcount),
      report.total !== null ? h("td", { class: "num" }, t.average_total ?? "—") : null,
      ...t.payroll.map((p) => h("td", { class: "num" }, p === null ? "—" : money(p))),
    ),
  );
  const total = h(
    "tr",
    { class: "sum" },
    h("td", { colspan: 2 }, "Σ"),
    h("td", { class: "num" }, teams.reduce((n, t) => n + t.headcount, 0)),
    report.total !== null ? h("td", {}) : null,
    ...moneyCols.map((_, k) => h("td", { class: "num", dataset: { payroll: k } }, money(addDecimals(teams.map((t) => t.payroll[k]))))),
  );
  return h(
    "section",
    { class: "payroll" },
    h("h3", {}, moneyCols.length ? tr("payroll") : `${tr("headcount")} · ${tr("average")}`),
    h("table", { class: "summary" }, h("thead", {}, head), h("tbody", {}, ...body, teams.length > 1 ? total : null)),
  );
}

function charts(data) {
  const svgs = data.charts[state.team] || data.charts[""] || [];
  const box = h("section", { class: "charts" });
  for (const svg of svgs) {
    const holder = h("div", { class: "chart-holder" });
    // the server's SVG (src/report/html.rs), escaped there
    holder.innerHTML = svg;
    box.append(holder);
  }
  return box;
}

function numberOf(cell) {
  return cell && cell.Number ? Number(cell.Number.value) : null;
}

function compare(a, b, col) {
  const ka = col < 0 ? keyOf(a, col) : a.cells[col];
  const kb = col < 0 ? keyOf(b, col) : b.cells[col];
  const na = col < 0 ? null : numberOf(ka);
  const nb = col < 0 ? null : numberOf(kb);
  if (na !== null && nb !== null) return na - nb;
  const ta = col < 0 ? ka : cellText(ka);
  const tb = col < 0 ? kb : cellText(kb);
  return ta.localeCompare(tb, "zh");
}

function keyOf(row, col) {
  return col === -3 ? row.employee : col === -2 ? row.period : row.team || "";
}

function table(report, rows, root) {
  if (state.sort) {
    const { col, dir } = state.sort;
    rows = [...rows].sort((x, y) => dir * compare(x.r, y.r, col));
  }
  const th = (label, col, numeric) =>
    h(
      "th",
      {
        class: numeric ? "num sortable" : "sortable",
        dataset: { col },
        "aria-sort": state.sort && state.sort.col === col ? (state.sort.dir > 0 ? "ascending" : "descending") : null,
        onclick: () => {
          const dir = state.sort && state.sort.col === col ? -state.sort.dir : numeric ? -1 : 1;
          state.sort = { col, dir };
          render(root);
        },
      },
      label,
      state.sort && state.sort.col === col ? (state.sort.dir > 0 ? " ▲" : " ▼") : "",
    );
  const numeric = (c) => !["Bool", "Text"].includes(typeof c.kind === "string" ? c.kind : Object.keys(c.kind)[0]);
  const head = h(
    "tr",
    {},
    th(tr("employee"), -3, false),
    th(tr("periodCol"), -2, false),
    th(tr("team"), -1, false),
    ...report.columns.map((c, k) => th(c.label || c.name, k, numeric(c) && !c.kind.Grade)),
  );
  const body = rows.map(({ r, i }) =>
    h(
      "tr",
      {
        class: state.selected === i ? "selected" : null,
        dataset: { row: i, employee: r.employee, period: r.period },
        tabindex: 0,
        onclick: () => pick(r, i, root),
        onkeydown: (e) => {
          if (e.key === "Enter") pick(r, i, root);
        },
      },
      h("td", { class: "key" }, r.employee),
      h("td", {}, r.period),
      h("td", {}, r.team || ""),
      ...r.cells.map((c, k) =>
        h("td", { class: numeric(report.columns[k]) && !report.columns[k].kind.Grade ? "num" : null, dataset: { col: report.columns[k].name } }, cellText(c)),
      ),
    ),
  );
  return h("div", { class: "table-wrap" }, h("table", { id: "results-table", class: "results" }, h("thead", {}, head), h("tbody", {}, ...body)));
}

function pick(r, i, root) {
  state.selected = i;
  for (const tr of root.querySelectorAll("tr.selected")) tr.classList.remove("selected");
  const row = root.querySelector(`tr[data-row="${i}"]`);
  if (row) row.classList.add("selected");
  if (state.onPick) state.onPick(r);
}

// The what-if answer (/api/whatif) as a table.
export function whatifTable(w) {
  const head = h(
    "p",
    { class: "whatif-head" },
    `${w.employee} ${w.period}: ${w.output} = ${w.current} → ${w.target}`,
    w.gap ? ` (${w.gap})` : "",
  );
  if (w.met) return h("div", {}, head, h("p", { class: "ok" }, tr("whatifMet")));
  const rows = w.inputs.map((c) =>
    h(
      "tr",
      {},
      h("td", {}, c.label ? `${c.label} (${c.id})` : c.id),
      h("td", { class: "num" }, c.current),
      ...(c.best
        ? [
            h("td", { class: "num" }, c.best.needed),
            h("td", { class: "num" }, c.best.change),
            h("td", {}, `${c.best.result}${c.best.verified ? " ✓" : " ?"}`),
          ]
        : [h("td", { colspan: 3, class: "muted" }, c.outcome === "no_effect" ? tr("noEffect") : tr("unreachable"))]),
    ),
  );
  return h(
    "div",
    {},
    head,
    h(
      "table",
      { class: "results whatif" },
      h("thead", {}, h("tr", {}, h("th", {}, tr("input")), h("th", {}, tr("current")), h("th", {}, tr("needed")), h("th", {}, tr("change")), h("th", {}, `${tr("then")} ${w.output}`))),
      h("tbody", {}, ...rows),
    ),
  );
}
