"""The item browser as one self-contained HTML block: inline CSS, inline vanilla JS, the data as inline JSON.

Nothing in it names a URL or loads anything: the data sits in a ``<script type="application/json">``
(``bench.report.items.embedded``: ``<`` written as ``\\u003c``, so no text can close the block) and the
script reads it with ``JSON.parse``. Every text reaches the page through ``textContent``, never as markup.

Only one page of rows is built at first (25); the rest of the view (other pages, the worst items per
system, the items that moved most between the first two runs) is built when asked for or after the first
paint, so 17,600 rows paint as fast as 25 (``benchmarks/report_browser.py`` measures it).
"""

from __future__ import annotations

import html
from typing import Sequence

from bench.report.items import WORST, embedded, payload
from bench.report.model import Section
from bench.results.model import Run

CSS = """
.ib { margin: 8px 0 16px; } .ib [hidden] { display: none !important; }
.ib-controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; font-size: 12px; margin: 6px 0; }
.ib-controls label { display: inline-flex; gap: 4px; align-items: center; }
.ib-controls select, .ib-controls input { font: inherit; max-width: 220px; }
.ib-controls input[type=number] { width: 80px; }
.ib-wrap { overflow-x: auto; }
.ib table { width: 100%; }
.ib th { cursor: pointer; user-select: none; white-space: nowrap; }
.ib th[aria-sort=ascending]::after { content: " \\25B2"; } .ib th[aria-sort=descending]::after { content: " \\25BC"; }
.ib td.c, .ib td.k { max-width: 320px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ib td.k { max-width: 14em; }
.ib tbody tr { cursor: pointer; } .ib tbody tr:hover { background: #f2f6fb; }
.ib tr.sel { background: #e3ecf7; }
.ib-pager { display: flex; gap: 8px; align-items: center; font-size: 12px; }
.ib-detail { border: 1px solid #cfd8e3; padding: 8px 12px; margin: 10px 0; background: #fbfcfe; }
.ib-grid { display: grid; grid-template-columns: minmax(180px, 260px) 1fr; gap: 12px; }
@media (max-width: 760px) { .ib-grid { grid-template-columns: 1fr; } }
.ib-text { white-space: pre-wrap; font-size: 13px; margin: 2px 0 8px; }
.ib-na { color: #8a4b00; font-size: 12px; }
.ib h4 { font-size: 13px; margin: 8px 0 2px; }
.ib-pair td { vertical-align: top; } .ib-pair td.t { white-space: pre-wrap; min-width: 180px; }
"""

# The script holds no URL and calls nothing that could reach outside the page (tests/report/report_offline.py
# scans it); it is ES5 plus typed arrays so any current browser runs it.
JS = r"""
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("ib-data").textContent);
  var M = D.metrics, R = D.runs, PAGE = 25, i, k;
  var N = 0;
  for (i = 0; i < R.length; i++) N += R[i].ids.length;
  var rowRun = new Int32Array(N), rowItem = new Int32Array(N), n = 0;
  for (i = 0; i < R.length; i++) for (k = 0; k < R[i].ids.length; k++) { rowRun[n] = i; rowItem[n] = k; n++; }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function value(r, m, s) {
    var sc = R[rowRun[r]].scores[m];
    if (!sc) return null;
    var v = sc[s][rowItem[r]];
    return v === undefined ? null : v;
  }
  function fmt(v) { return v === null ? "n/a" : v.toFixed(4); }
  function field(r, key) { var c = R[rowRun[r]][key]; return c[rowItem[r]]; }
  var S = {sort: null, dir: 1, run: -1, system: "", doc: "", q: "", m: 0, s: M.length ? M[0].main : 0,
           lo: null, hi: null, page: 0, sel: -1, worst: D.worst};
  var cols = [];
  if (R.length > 1) cols.push({key: "run", label: "run"});
  cols.push({key: "id", label: "id"}, {key: "system", label: "system"}, {key: "doc", label: "document"},
            {key: "candidate", label: "candidate"});
  M.forEach(function (m, j) { cols.push({key: "m" + j, label: m.name + " " + m.stats[m.main], m: j, s: m.main}); });

  // --- filters and sorting: the view is an array of row numbers ---
  var hay = null;
  function haystack(r) {
    if (!hay) {
      hay = new Array(N);
      for (var j = 0; j < N; j++) hay[j] = (field(j, "ids") + "\n" + field(j, "candidates")).toLowerCase();
    }
    return hay[r];
  }
  var view = null;
  function filter() {
    var out = [], q = S.q.toLowerCase();
    for (var r = 0; r < N; r++) {
      if (S.run >= 0 && rowRun[r] !== S.run) continue;
      if (S.system && field(r, "systems") !== S.system) continue;
      if (S.doc && field(r, "docs") !== S.doc) continue;
      if (q && haystack(r).indexOf(q) < 0) continue;
      if (S.lo !== null || S.hi !== null) {
        var v = value(r, S.m, S.s);
        if (v === null || (S.lo !== null && v < S.lo) || (S.hi !== null && v > S.hi)) continue;
      }
      out.push(r);
    }
    view = out;
    sort();
  }
  function sortKey(col) {
    if (col.key === "run") return function (r) { return rowRun[r]; };
    if (col.key === "id" || col.key === "system" || col.key === "doc")
      return function (r) { return R[rowRun[r]].ranks[col.key][rowItem[r]]; };
    if (col.key === "candidate") return function (r) { return field(r, "candidates"); };
    return function (r) { return value(r, col.m, col.s); };
  }
  function sort() {
    if (S.sort === null) { view.sort(function (a, b) { return a - b; }); return; }
    var key = sortKey(S.sort), dir = S.dir, keys = {};
    for (var j = 0; j < view.length; j++) keys[view[j]] = key(view[j]);
    view.sort(function (a, b) {
      var x = keys[a], y = keys[b];
      if (x === y) return a - b;
      if (x === null) return 1;  // no value: last in either direction
      if (y === null) return -1;
      return (x < y ? -1 : 1) * dir;
    });
  }

  // --- the table: one page of rows at a time ---
  function head() {
    var tr = $("ib-head");
    cols.forEach(function (col) {
      var th = el("th", null, col.label);
      th.setAttribute("data-key", col.key);
      th.addEventListener("click", function () {
        if (S.sort === col) S.dir = -S.dir; else { S.sort = col; S.dir = 1; }
        S.page = 0; sort(); page();
      });
      tr.appendChild(th);
    });
  }
  function cell(tr, text, cls) {
    var td = el("td", cls, text);
    if (cls === "c" || cls === "k") td.title = text === null ? "" : String(text);  // the whole text on hover
    tr.appendChild(td);
  }
  function page() {
    var body = $("ib-body"), pages = Math.max(1, Math.ceil(view.length / PAGE));
    if (S.page >= pages) S.page = pages - 1;
    var ths = $("ib-head").children;
    for (var j = 0; j < ths.length; j++)
      ths[j].setAttribute("aria-sort", S.sort === cols[j] ? (S.dir > 0 ? "ascending" : "descending") : "none");
    var frag = document.createDocumentFragment();
    view.slice(S.page * PAGE, S.page * PAGE + PAGE).forEach(function (r) {
      var tr = el("tr", r === S.sel ? "sel" : null);
      tr.setAttribute("data-row", r);
      cols.forEach(function (col) {
        if (col.key === "run") cell(tr, R[rowRun[r]].label, "k");
        else if (col.key === "id") cell(tr, field(r, "ids"), "k");
        else if (col.key === "system") cell(tr, field(r, "systems"), "k");
        else if (col.key === "doc") cell(tr, field(r, "docs"), "k");
        else if (col.key === "candidate") cell(tr, field(r, "candidates"), "c");
        else cell(tr, fmt(value(r, col.m, col.s)), "r");
      });
      tr.addEventListener("click", function () { select(r); });
      frag.appendChild(tr);
    });
    body.textContent = "";
    body.appendChild(frag);
    $("ib-page").textContent = "page " + (S.page + 1) + " of " + pages + " (" + view.length + " of " + N + " items)";
  }

  // --- one item: its texts beside all its scores ---
  function texts(box, title, list, why) {
    box.appendChild(el("h4", null, title));
    if (why !== null) { box.appendChild(el("p", "ib-na", "Unavailable: " + why + ".")); return; }
    list.forEach(function (t) { box.appendChild(el("div", "ib-text", t)); });
  }
  function reason(run, code) { return code < 0 ? R[run].reasons[-code - 1] : null; }
  function select(r) {
    S.sel = r;
    var run = rowRun[r], it = rowItem[r], box = $("ib-detail"), rr = R[run];
    box.textContent = "";
    box.hidden = false;
    var title = "Item " + rr.ids[it] + (rr.systems[it] !== null ? " \u00b7 system " + rr.systems[it] : "") +
      (rr.docs[it] !== null ? " \u00b7 document " + rr.docs[it] : "") + (R.length > 1 ? " \u00b7 run " + rr.label : "");
    box.appendChild(el("h3", null, title));
    var grid = el("div", "ib-grid"), left = el("div"), right = el("div");
    var t = el("table"), tb = el("tbody");
    t.appendChild(el("thead")).appendChild(el("tr")).appendChild(el("th", null, "metric stat"));
    t.tHead.rows[0].appendChild(el("th", null, "value"));
    M.forEach(function (m, j) {
      m.stats.forEach(function (s, si) {
        var tr = el("tr");
        cell(tr, m.name + " " + s);
        cell(tr, fmt(value(r, j, si)), "r");
        tb.appendChild(tr);
      });
    });
    t.appendChild(tb);
    left.appendChild(t);
    texts(right, "Candidate", [rr.candidates[it]], null);
    var ref = rr.refs[it], so = rr.srcs[it];
    texts(right, "References" + (ref >= 0 ? " (" + D.refsets[ref].length + ")" : ""),
          ref >= 0 ? D.refsets[ref].map(function (x) { return D.texts[x]; }) : [], reason(run, ref));
    texts(right, "Source", so >= 0 ? [D.texts[so]] : [], reason(run, so));
    grid.appendChild(left); grid.appendChild(right); box.appendChild(grid);
    var rows = $("ib-body").children;
    for (var j = 0; j < rows.length; j++) rows[j].className = Number(rows[j].getAttribute("data-row")) === r ? "sel" : "";
    var top = box.getBoundingClientRect();
    if (top.top < 0 || top.top > window.innerHeight) box.scrollIntoView();
  }

  // --- the N worst items per system, and the items that moved most between the first two runs ---
  function worse(m) { return M[m].higher ? function (a, b) { return a - b; } : function (a, b) { return b - a; }; }
  function table(box, heads) {
    var t = el("table"), tr = el("tr");
    heads.forEach(function (h) { tr.appendChild(el("th", null, h)); });
    t.appendChild(el("thead")).appendChild(tr);
    box.appendChild(t);
    return t.appendChild(el("tbody"));
  }
  function worst() {
    var box = $("ib-worst"), groups = {}, order = [], cmp = worse(S.m);
    box.textContent = "";
    var m = M[S.m];
    box.appendChild(el("p", "meta", "By " + m.name + " " + m.stats[S.s] + " (" + (m.higher ? "lowest" : "highest") +
      " first: " + (m.higher ? "higher" : "lower") + " is better), among the items the filters keep."));
    view.forEach(function (r) {
      var v = value(r, S.m, S.s);
      if (v === null) return;
      var g = rowRun[r] + "\u0000" + field(r, "systems");
      if (!groups[g]) { groups[g] = []; order.push(r); }
      groups[g].push(r);
    });
    order.sort(function (a, b) {
      return rowRun[a] - rowRun[b] || R[rowRun[a]].ranks.system[rowItem[a]] - R[rowRun[b]].ranks.system[rowItem[b]];
    });
    var heads = (R.length > 1 ? ["run"] : []).concat(["system", "rank", "id", "document", "value", "candidate"]);
    var tb = table(box, heads);
    order.forEach(function (first) {
      var g = groups[rowRun[first] + "\u0000" + field(first, "systems")];
      g.sort(function (a, b) { return cmp(value(a, S.m, S.s), value(b, S.m, S.s)) || a - b; });
      g.slice(0, S.worst).forEach(function (r, j) {
        var tr = el("tr");
        if (R.length > 1) cell(tr, R[rowRun[r]].label);
        cell(tr, field(r, "systems")); cell(tr, j + 1, "r"); cell(tr, field(r, "ids"), "k"); cell(tr, field(r, "docs"), "k");
        cell(tr, fmt(value(r, S.m, S.s)), "r"); cell(tr, field(r, "candidates"), "c");
        tr.addEventListener("click", function () { select(r); });
        tb.appendChild(tr);
      });
    });
  }
  function moved() {
    var box = $("ib-moved");
    if (!box) return;
    box.textContent = "";
    var a = R[0], b = R[1], m = M[S.m];
    if (!a.scores[S.m] || !b.scores[S.m]) {
      box.appendChild(el("p", "meta", m.name + " is not in both runs."));
      return;
    }
    // no prototype: an id named "__proto__" or "constructor" is a key like any other
    var at = Object.create(null), pairs = [];
    b.ids.forEach(function (id, j) { at[id] = j; });
    a.ids.forEach(function (id, j) {
      var x = a.scores[S.m][S.s][j], jb = at[id];
      if (jb === undefined) return;
      var y = b.scores[S.m][S.s][jb];
      if (x === null || y === null) return;
      pairs.push([j, jb, y - x]);
    });
    pairs.sort(function (p, q) { return Math.abs(q[2]) - Math.abs(p[2]) || p[0] - q[0]; });
    box.appendChild(el("p", "meta", pairs.length + " items in both runs; the " + Math.min(S.worst, pairs.length) +
      " with the largest |change| of " + m.name + " " + m.stats[S.s] + " from " + a.label + " to " + b.label + "."));
    var tb = table(box, ["id", "system", a.label, b.label, "change", "candidate: " + a.label, "candidate: " + b.label]);
    tb.parentNode.className = "ib-pair";
    pairs.slice(0, S.worst).forEach(function (p) {
      var tr = el("tr");
      cell(tr, a.ids[p[0]], "k"); cell(tr, a.systems[p[0]]);
      cell(tr, fmt(a.scores[S.m][S.s][p[0]]), "r"); cell(tr, fmt(b.scores[S.m][S.s][p[1]]), "r");
      cell(tr, (p[2] > 0 ? "+" : "") + p[2].toFixed(4), "r");
      cell(tr, a.candidates[p[0]], "t"); cell(tr, b.candidates[p[1]], "t");
      tr.addEventListener("click", function () { select(p[0]); });
      tb.appendChild(tr);
    });
  }
  function later() { worst(); moved(); }

  // --- controls ---
  function options(sel, values) {
    values.forEach(function (v) { var o = el("option", null, v[1]); o.value = v[0]; sel.appendChild(o); });
  }
  function distinct(key, rank) {
    var seen = Object.create(null), out = [];  // a name such as "hasOwnProperty" or "__proto__" is just a name
    for (var r = 0; r < N; r++) {
      var v = field(r, key);
      if (v !== null && !(v in seen)) { seen[v] = 1; out.push(r); }
    }
    out.sort(function (a, b) { return R[rowRun[a]].ranks[rank][rowItem[a]] - R[rowRun[b]].ranks[rank][rowItem[b]]; });
    return out.map(function (r) { return [field(r, key), field(r, key)]; });
  }
  function changed() { S.page = 0; filter(); page(); later(); }
  function number(id) { var v = parseFloat($(id).value); return isNaN(v) ? null : v; }
  function controls() {
    if (R.length > 1) options($("ib-run"), [["-1", "all runs"]].concat(R.map(function (r, j) { return [String(j), r.label]; })));
    else $("ib-run").parentNode.hidden = true;
    options($("ib-system"), [["", "all systems"]].concat(distinct("systems", "system")));
    options($("ib-doc"), [["", "all documents"]].concat(distinct("docs", "doc")));
    var ms = [];
    M.forEach(function (m, j) { m.stats.forEach(function (s, si) { ms.push([j + ":" + si, m.name + " " + s]); }); });
    options($("ib-metric"), ms);
    $("ib-metric").value = S.m + ":" + S.s;
    $("ib-n").value = S.worst;
    $("ib-run").addEventListener("change", function () { S.run = Number(this.value); changed(); });
    $("ib-system").addEventListener("change", function () { S.system = this.value; changed(); });
    $("ib-doc").addEventListener("change", function () { S.doc = this.value; changed(); });
    $("ib-metric").addEventListener("change", function () {
      var p = this.value.split(":"); S.m = Number(p[0]); S.s = Number(p[1]); changed();
    });
    var timer = null;
    $("ib-q").addEventListener("input", function () {
      var q = this.value;
      clearTimeout(timer);
      timer = setTimeout(function () { S.q = q; changed(); }, 150);
    });
    ["ib-lo", "ib-hi"].forEach(function (id) {
      $(id).addEventListener("change", function () { S.lo = number("ib-lo"); S.hi = number("ib-hi"); changed(); });
    });
    $("ib-n").addEventListener("change", function () { var v = parseInt(this.value, 10); S.worst = v > 0 ? v : 1; later(); });
    var pages = function () { return Math.max(1, Math.ceil(view.length / PAGE)); };
    $("ib-first").addEventListener("click", function () { S.page = 0; page(); });
    $("ib-prev").addEventListener("click", function () { S.page = Math.max(0, S.page - 1); page(); });
    $("ib-next").addEventListener("click", function () { S.page = Math.min(pages() - 1, S.page + 1); page(); });
    $("ib-last").addEventListener("click", function () { S.page = pages() - 1; page(); });
  }
  head();
  filter();
  page();
  if (window.performance && performance.mark) performance.mark("ib-first-page");  // benchmarks/report_browser.py
  // everything else after the first page has painted
  setTimeout(function () { controls(); later(); document.getElementById("ib").setAttribute("data-ready", "1"); }, 0);
})();
"""


def block(data: dict, notes: Sequence[str]) -> str:
    """The browser's HTML: controls, an empty table the script fills, the notes (escaped), the data and script."""
    moved = len(data["runs"]) > 1
    note = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        f"<style>{CSS}</style>\n<div class=\"ib\" id=\"ib\">\n"
        + (f"<ul class=\"ib-notes meta\">{note}</ul>\n" if notes else "")
        + "<div class=\"ib-controls\">"
        "<label>run <select id=\"ib-run\"></select></label>"
        "<label>system <select id=\"ib-system\"></select></label>"
        "<label>document <select id=\"ib-doc\"></select></label>"
        "<label>search <input id=\"ib-q\" type=\"search\" placeholder=\"id or candidate text\"></label>"
        "<label>metric <select id=\"ib-metric\"></select></label>"
        "<label>from <input id=\"ib-lo\" type=\"number\" step=\"any\"></label>"
        "<label>to <input id=\"ib-hi\" type=\"number\" step=\"any\"></label>"
        "<label>worst N <input id=\"ib-n\" type=\"number\" min=\"1\" step=\"1\"></label></div>\n"
        "<div class=\"ib-wrap\"><table><thead><tr id=\"ib-head\"></tr></thead><tbody id=\"ib-body\"></tbody></table></div>\n"
        "<div class=\"ib-pager\"><button type=\"button\" id=\"ib-first\">first</button>"
        "<button type=\"button\" id=\"ib-prev\">previous</button><span id=\"ib-page\"></span>"
        "<button type=\"button\" id=\"ib-next\">next</button><button type=\"button\" id=\"ib-last\">last</button></div>\n"
        "<div class=\"ib-detail\" id=\"ib-detail\" hidden></div>\n"
        "<h3>Worst items per system</h3>\n<div class=\"ib-wrap\" id=\"ib-worst\"></div>\n"
        + ("<h3>Items that moved most between the first two runs</h3>\n<div class=\"ib-wrap\" id=\"ib-moved\"></div>\n"
           if moved else "")
        + "</div>\n"
        f"<script type=\"application/json\" id=\"ib-data\">{embedded(data)}</script>\n<script>{JS}</script>"
    )


def section(runs: Sequence[Run], labels: Sequence[str], worst: int = WORST) -> Section:
    """The "Items" section: the browser over every item of ``runs`` (named ``labels``)."""
    data = payload(runs, labels, worst)
    notes = [f"{r['label']}: {n}" for r in data["runs"] for n in r["unavailable"]]
    n = sum(len(r["ids"]) for r in data["runs"])
    text = ("Every item's candidate beside its scores (each metric's main stat; all stats when an item is opened), "
            "sortable by any column (click its header) and filterable by system, document, text and score range. "
            "References and sources are read again from each run's own dataset and shown only where their hash "
            "equals the one the run stored.")
    return Section("Items", (text,), html=block(data, notes),
                   summary=f"{n} items of {len(runs)} run{'s' if len(runs) != 1 else ''}; click one to read it.")
