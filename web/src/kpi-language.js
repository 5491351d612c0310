// Syntax highlighting for kpi policies: a stream tokenizer (CodeMirror's
// StreamLanguage) that knows the keywords, types, units, Chinese
// identifiers, strings (also “…”), comments (# and //) and operators of
// grammar/kpi.pest. Highlighting only: the server's checker is the judge.

import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";

const KEYWORDS = new Set([
  "policy", "version", "description", "input", "context", "const", "let", "item", "weight",
  "band", "match", "cases", "steps", "each", "above", "below", "cap", "ceil", "scale", "from",
  "to", "total", "weighted", "sum", "of", "items", "grade", "by", "output", "test", "given",
  "expect", "row", "team", "if", "then", "else", "and", "or", "not", "in", "default", "key",
  "distribute", "desc", "asc", "employee", "period", "table", "fn", "且", "或",
]);
const TYPES = new Set([
  "number", "count", "points", "percent", "money", "seconds", "minutes", "hours", "days",
  "bool", "text",
]);
const ATOMS = new Set(["true", "false", "x"]);
// Words that introduce a new name.
const DECLARES = new Set(["input", "context", "const", "let", "item", "output", "table", "fn"]);
const UNITS = /^(%|‰|％|s\b|min\b|h\b|d\b|秒|分钟|小时|天|元)/u;
const IDENT = /^[\p{L}_][\p{L}\p{N}_]*/u;

function tokenBase(stream, state) {
  if (stream.eatSpace()) return null;
  if (stream.match("#") || stream.match("//")) {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^“[^”]*”?/u)) {
    return "string";
  }
  if (state.unit) {
    state.unit = false;
    if (stream.match(UNITS)) return "unit";
  }
  if (stream.match(/^[¥￥]/u)) {
    state.unit = false;
    return "unit";
  }
  if (stream.match(/^[0-9０-９]+(?:[.．][0-9０-９]+)?/u)) {
    state.unit = true;
    return "number";
  }
  if (stream.match(/^\d{4}-\d{2}/)) return "number";
  const word = stream.match(IDENT);
  if (word) {
    const w = word[0];
    const declaring = state.declare;
    state.declare = DECLARES.has(w);
    if (KEYWORDS.has(w)) return "keyword";
    if (TYPES.has(w)) return "typeName";
    if (ATOMS.has(w)) return "atom";
    if (declaring) return "variableName.definition";
    if (stream.match(/^\s*[(（]/u, false)) return "variableName.function";
    return "variableName";
  }
  state.declare = false;
  if (stream.match(/^(->|<=|>=|!=|==|[<>≤≥≠＜＞=+\-*/×÷|])/u)) return "operator";
  if (stream.match(/^[()[\]{}（）]/u)) return "bracket";
  stream.next();
  return "punctuation";
}

export const kpiLanguage = StreamLanguage.define({
  name: "kpi",
  startState: () => ({ declare: false, unit: false }),
  copyState: (s) => ({ ...s }),
  token: tokenBase,
  languageData: { commentTokens: { line: "#" } },
});

export const kpiHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.keyword, color: "#8a2be2", fontWeight: "600" },
    { tag: t.typeName, color: "#0b7285" },
    { tag: t.atom, color: "#b35900" },
    { tag: t.number, color: "#1864ab" },
    { tag: t.unit, color: "#1c7ed6", fontWeight: "600" },
    { tag: t.string, color: "#2b8a3e" },
    { tag: t.comment, color: "#868e96", fontStyle: "italic" },
    { tag: t.definition(t.variableName), color: "#c92a2a", fontWeight: "600" },
    { tag: t.function(t.variableName), color: "#5f3dc4" },
    { tag: t.operator, color: "#495057" },
  ]),
);
