// Small DOM helpers: elements are built with textContent, never from
// strings of HTML (except the server's SVG charts).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// The text of a results cell as serialised by the server (ResultCell).
export function cellText(c) {
  if (c === "Empty" || c === null || c === undefined) return "";
  if (c.Number) return c.Number.text;
  if ("Bool" in c) return c.Bool ? "true" : "false";
  if ("Text" in c) return c.Text;
  return "";
}

// Exact sum of decimal strings ("1234.50" + "0.125"), as a string.
export function addDecimals(values) {
  let scale = 0;
  const parsed = [];
  for (const v of values) {
    if (v === null || v === undefined || v === "") continue;
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(v));
    if (!m) continue;
    parsed.push(m);
    scale = Math.max(scale, (m[3] || "").length);
  }
  let sum = 0n;
  for (const [, sign, int, frac = ""] of parsed) {
    const n = BigInt(int + frac.padEnd(scale, "0"));
    sum += sign ? -n : n;
  }
  const neg = sum < 0n;
  let digits = (neg ? -sum : sum).toString().padStart(scale + 1, "0");
  const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return (neg ? "-" : "") + text;
}

// Money to the fen (half away from zero) with thousands separators:
// "12345.5" → "¥12,345.50".
export function money(v) {
  const s = addDecimals([v]);
  const neg = s.startsWith("-");
  const [int, frac = ""] = s.replace("-", "").split(".");
  let fen = BigInt(int + (frac + "00").slice(0, 2));
  if (frac.length > 2 && frac[2] >= "5") fen += 1n;
  const digits = fen.toString().padStart(3, "0");
  const grouped = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${neg && fen !== 0n ? "-" : ""}¥${grouped}.${digits.slice(-2)}`;
}
