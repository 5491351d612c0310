// The versions pane: the policy's git history (/api/history) and the diff
// of a picked revision against the editor's text on the loaded data
// (/api/diff, `kpi diff REV:path NEW`).

import { h, clear } from "./dom.js";
import { tr } from "./i18n.js";

export function showHistory(root, history, onPick) {
  clear(root);
  if (!history.revisions.length) {
    root.append(h("p", { class: "placeholder" }, tr("noHistory")));
    if (history.note) root.append(h("pre", { class: "notice" }, history.note));
    return;
  }
  root.append(
    h("p", { class: "muted" }, tr("pickRevision")),
    h(
      "ol",
      { class: "revisions", id: "revisions" },
      ...history.revisions.map((r) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              class: "revision",
              dataset: { commit: r.commit },
              onclick: (e) => {
                for (const b of root.querySelectorAll("button.revision.active")) b.classList.remove("active");
                e.currentTarget.classList.add("active");
                onPick(r);
              },
            },
            h("code", {}, r.short),
            " ",
            h("span", { class: "subject" }, r.subject),
            h("span", { class: "muted" }, ` — ${r.author}, ${r.date.slice(0, 10)}`),
          ),
        ),
      ),
    ),
    h("div", { id: "diff-view" }),
  );
}

function signed(v) {
  return v && !String(v).startsWith("-") && v !== "0" && v !== "0.00" ? `+${v}` : v;
}

// One mover: the money change when the policy pays, and the total's.
function mover(m, s, p) {
  const parts = [];
  if (p.outputs.length) parts.push(`${signed(m.money_delta)} (${m.money_before} → ${m.money_after})`);
  if (m.total_delta) parts.push(`${s.total_output} ${signed(m.total_delta)} (${m.total_before} → ${m.total_after})`);
  return parts.join(", ");
}

export function showDiff(root, d) {
  const s = d.summary;
  const p = s.payroll;
  const version = (v) => `${v.source} (${v.policy}${v.version ? ` ${v.version}` : ""})`;
  const changes = [];
  for (const r of d.changed) {
    for (const c of r.changes) changes.push({ r, c });
  }
  const parts = [
    h("dl", { class: "facts" }, h("dt", {}, tr("diffOld")), h("dd", {}, version(d.old)), h("dt", {}, tr("diffNew")), h("dd", {}, version(d.new))),
    h("p", { id: "diff-summary" }, tr("diffRecords", { n: d.records, c: d.changed.length })),
    p.outputs.length
      ? h(
          "table",
          { class: "summary", id: "diff-payroll" },
          h("thead", {}, h("tr", {}, h("th", {}, tr("payroll")), h("th", { class: "num" }, tr("before")), h("th", { class: "num" }, tr("after")), h("th", { class: "num" }, tr("delta")))),
          h(
            "tbody",
            {},
            ...(p.per_output.length > 1 ? p.per_output : []).map((l) =>
              h("tr", {}, h("td", {}, l.output), h("td", { class: "num" }, l.before), h("td", { class: "num" }, l.after), h("td", { class: "num" }, signed(l.delta))),
            ),
            h("tr", { class: "sum" }, h("td", {}, p.outputs.join(" + ")), h("td", { class: "num" }, p.before), h("td", { class: "num" }, p.after), h("td", { class: "num delta" }, signed(p.delta))),
          ),
        )
      : null,
    s.transitions.length
      ? h(
          "div",
          {},
          h("h4", {}, `${tr("gradeMoves")} (${s.grade_people})`),
          h("ul", { class: "moves" }, ...s.transitions.map((t) => h("li", {}, `${t.output}: ${t.from} → ${t.to} ×${t.count}`))),
        )
      : null,
    s.movers.length
      ? h(
          "div",
          {},
          h("h4", {}, tr("movers")),
          h(
            "ul",
            { class: "moves" },
            ...s.movers.map((m) =>
              h("li", {}, `${m.employee} ${m.period} ${m.team || ""}: ${mover(m, s, p)}`),
            ),
          ),
        )
      : null,
    changes.length
      ? h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            { class: "results", id: "diff-table" },
            h(
              "thead",
              {},
              h("tr", {}, ...["employee", "periodCol", "team", "output", "old", "new", "delta"].map((k) => h("th", {}, tr(k)))),
            ),
            h(
              "tbody",
              {},
              ...changes.map(({ r, c }) =>
                h(
                  "tr",
                  { class: c.status },
                  h("td", { class: "key" }, r.employee),
                  h("td", {}, r.period),
                  h("td", {}, r.team || ""),
                  h("td", {}, c.output),
                  h("td", { class: "num" }, c.old ?? ""),
                  h("td", { class: "num" }, c.new ?? ""),
                  h("td", { class: "num" }, signed(c.delta ?? "")),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "ok" }, tr("noChanges")),
  ];
  clear(root).append(...parts.filter(Boolean));
}

// A unified diff, lines coloured by their first character.
export function diffBlock(text) {
  return h(
    "pre",
    { class: "git-diff" },
    ...text.split("\n").map((l) => h("span", { class: l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : l.startsWith("@@") ? "hunk" : null }, `${l}\n`)),
  );
}
