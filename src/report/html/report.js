// The HTML report's script (inlined by src/report/html.rs): sorts a table
// by the column whose header is clicked and opens a person's explanation.
(function () {
  "use strict";

  // A row's sort key in column `col`: the number in `data-v`, else the text.
  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) return null;
    var v = cell.getAttribute("data-v");
    if (v === null) {
      var t = cell.textContent.trim();
      return t === "" ? null : t;
    }
    var n = Number(v);
    return isNaN(n) ? v : n;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), "zh-Hans-CN", { numeric: true });
  }

  function sort(table, th) {
    var col = th.cellIndex;
    var numeric = th.classList.contains("num");
    var current = th.getAttribute("aria-sort");
    var dir = current
      ? current === "ascending" ? "descending" : "ascending"
      : numeric ? "descending" : "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (c) {
      c.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", dir);
    var sign = dir === "ascending" ? 1 : -1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var a = key(r1, col), b = key(r2, col);
      if (a === null || b === null) return (a === null) - (b === null); // empty cells last
      return sign * compare(a, b);
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.tHead.addEventListener("click", function (e) {
      var button = e.target.closest("button.sort");
      if (button) sort(table, button.closest("th"));
    });
  });

  function explain(id) {
    var dialog = document.getElementById(id);
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-action=print]")) {
      window.print();
      return;
    }
    var row = e.target.closest("table.results tbody tr[data-x]");
    if (row && !e.target.closest("a")) explain(row.getAttribute("data-x"));
  });

  // A click on the backdrop (outside the dialog's box) closes it.
  document.querySelectorAll("dialog.explanation").forEach(function (dialog) {
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog) dialog.close();
    });
  });
})();
