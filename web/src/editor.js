// The policy editor: CodeMirror 6 with kpi highlighting, the server's
// checker as a linter (debounced 300 ms), score ranges on hover, and
// completion of declared names and keywords.

import { EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection, hoverTooltip, highlightActiveLineGutter } from "@codemirror/view";
import { EditorState, Compartment } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { bracketMatching, indentOnInput } from "@codemirror/language";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { searchKeymap, highlightSelectionMatches } from "@codemirror/search";
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { kpiLanguage, kpiHighlight } from "./kpi-language.js";
import { h } from "./dom.js";
import { tr } from "./i18n.js";

// Character (code point) column → CodeMirror position (UTF-16 units).
function position(doc, line, column) {
  if (line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  let offset = 0;
  let chars = 1;
  for (const ch of l.text) {
    if (chars >= column) break;
    offset += ch.length;
    chars += 1;
  }
  return l.from + offset;
}

// The server's diagnostic (kpi check --format json) → CodeMirror's, one per
// label: the primary label carries the message, the others their own text.
export function toCodeMirror(doc, d) {
  const severity = d.severity === "error" ? "error" : d.severity === "warning" ? "warning" : "info";
  const labels = d.labels && d.labels.length ? d.labels : [{ primary: true, line: 1, column: 1, end_line: 1, end_column: 1 }];
  return labels.map((l) => {
    const from = position(doc, l.line, l.column);
    let to = position(doc, l.end_line, l.end_column);
    if (to <= from) to = Math.min(doc.length, from + 1);
    return {
      from,
      to,
      severity: l.primary ? severity : "info",
      source: d.code || "kpi",
      message: l.primary ? d.message : l.label || d.message,
      renderMessage: () =>
        h(
          "div",
          { class: "cm-kpi-diag" },
          h("div", { class: "diag-head" }, h("code", {}, d.code || ""), " ", l.primary ? d.message : l.label || ""),
          l.primary && l.label ? h("div", { class: "diag-label" }, "↳ ", l.label) : null,
          d.help ? h("div", { class: "diag-help" }, `${tr("help")}: ${d.help}`) : null,
        ),
    };
  });
}

const WORD = /[\p{L}\p{N}_]/u;

// The identifier under `pos`, if any.
function wordAt(doc, pos) {
  const line = doc.lineAt(pos);
  const text = line.text;
  let start = pos - line.from;
  let end = start;
  while (start > 0 && WORD.test(text[start - 1])) start--;
  while (end < text.length && WORD.test(text[end])) end++;
  if (start === end) return null;
  return { from: line.from + start, to: line.from + end, text: text.slice(start, end) };
}

const KEYWORDS = "policy version description input context const let item weight band match cases steps each above below cap ceil scale from to total weighted sum of items grade by output test given expect row team if then else and or not in default key distribute desc asc table fn number count points percent money seconds minutes hours days bool text true false".split(" ");

// options: { check(text) → Promise<{diagnostics, symbols}>, onChange(text) }
export function createEditor(parent, options) {
  let symbols = [];
  const langConf = new Compartment();

  const lint = linter(
    async (view) => {
      const doc = view.state.doc;
      const result = await options.check(doc.toString());
      if (!result) return [];
      // keep the names of the last policy that checked while one is being fixed
      if (result.errors === 0) symbols = result.symbols || [];
      return (result.diagnostics || []).flatMap((d) => toCodeMirror(doc, d));
    },
    { delay: 300 },
  );

  const hover = hoverTooltip((view, pos) => {
    const w = wordAt(view.state.doc, pos);
    if (!w) return null;
    const s = symbols.find((x) => x.name === w.text);
    if (!s) return null;
    return {
      pos: w.from,
      end: w.to,
      above: true,
      create: () => ({
        dom: h(
          "div",
          { class: "cm-kpi-hover" },
          h("div", {}, h("strong", {}, s.name), s.label ? ` “${s.label}”` : "", h("span", { class: "muted" }, ` · ${s.kind} : ${s.type}`)),
          s.range ? h("div", { class: "hover-range" }, `${tr("rangeLabel")}: ${s.range}`) : null,
        ),
      }),
    };
  });

  const complete = (ctx) => {
    const w = ctx.matchBefore(/[\p{L}_][\p{L}\p{N}_]*/u);
    if (!w || (w.from === w.to && !ctx.explicit)) return null;
    return {
      from: w.from,
      options: [
        ...symbols.map((s) => ({ label: s.name, type: "variable", detail: s.type, info: s.label || undefined })),
        ...KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
      ],
    };
  };

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        highlightSelectionMatches(),
        kpiLanguage,
        kpiHighlight,
        lint,
        lintGutter(),
        hover,
        autocompletion({ override: [complete] }),
        langConf.of([]),
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onChange(u.state.doc.toString());
        }),
        EditorView.lineWrapping,
      ],
    }),
  });

  return {
    view,
    text: () => view.state.doc.toString(),
    // Replaces the whole text (a file loaded, or formatted).
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    relint: () => forceLinting(view),
    goTo(line, column) {
      const pos = position(view.state.doc, line, column);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    },
    symbols: () => symbols,
  };
}
