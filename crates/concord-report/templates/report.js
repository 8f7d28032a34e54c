(function () {
  document.documentElement.classList.add("js");
  var table = document.getElementById("matrix");
  if (table) {
    var body = table.tBodies[0];
    var heads = table.querySelectorAll("th[data-sort]");
    var sortBy = function (th) {
      var key = th.getAttribute("data-sort");
      var col = parseInt(th.getAttribute("data-col") || "-1", 10);
      var desc = th.getAttribute("aria-sort") !== "descending";
      var rows = Array.prototype.slice.call(body.rows);
      var val = function (tr) {
        if (key === "rank") return -parseInt(tr.getAttribute("data-rank"), 10);
        if (key === "corroboration") return parseInt(tr.getAttribute("data-corroboration"), 10);
        return tr.cells[col] && tr.cells[col].classList.contains("on") ? 1 : 0;
      };
      rows.sort(function (a, b) {
        var d = val(a) - val(b);
        if (d === 0) return parseInt(a.getAttribute("data-rank"), 10) - parseInt(b.getAttribute("data-rank"), 10);
        return desc ? -d : d;
      });
      rows.forEach(function (tr) { body.appendChild(tr); });
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", desc ? "descending" : "ascending");
    };
    heads.forEach(function (th) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(th); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(th); });
    });
  }
  var openHash = function () {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  };
  window.addEventListener("hashchange", openHash);
  openHash();
  var toggle = function (open) {
    document.querySelectorAll("details.cluster").forEach(function (d) { d.open = open; });
  };
  var ex = document.getElementById("expand-all");
  var co = document.getElementById("collapse-all");
  if (ex) ex.addEventListener("click", function () { toggle(true); });
  if (co) co.addEventListener("click", function () { toggle(false); });
})();
