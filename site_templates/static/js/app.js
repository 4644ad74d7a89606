// progress-bulletin: sorting and filtering of tables. Without JavaScript the
// tables are complete and readable; this only adds convenience.
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    if (!cell) return numeric ? -Infinity : "";
    var v = cell.getAttribute("data-value");
    if (numeric) {
      var n = parseFloat(v === null ? cell.textContent : v);
      return isNaN(n) ? -Infinity : n;
    }
    return cell.textContent.trim();
  }
  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th[data-sort]");
    heads.forEach(function (th, index) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      function sort() {
        var numeric = th.getAttribute("data-sort") === "number";
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var c = numeric ? x - y : x.localeCompare(y, document.documentElement.lang);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }
  function makeFilterable(form, table) {
    form.hidden = false;
    var count = form.querySelector("output");
    function apply() {
      var q = (form.q.value || "").trim().toLowerCase();
      var want = { region: form.region.value, stage: form.stage.value, sector: form.sector.value };
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
          (!want.region || row.getAttribute("data-region") === want.region) &&
          (!want.stage || row.getAttribute("data-stage") === want.stage) &&
          (!want.sector || row.getAttribute("data-sector") === want.sector);
        row.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = shown + " / " + table.tBodies[0].rows.length;
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    apply();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    var form = document.querySelector("form.filters");
    var table = document.querySelector("table[data-filterable='yes']");
    if (form && table) makeFilterable(form, table);
  });
})();
