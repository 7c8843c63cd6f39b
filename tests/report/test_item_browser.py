"""The item browser in headless Chromium: what a reader clicks does what it says, offline and without errors.

A harness copy of the page records every ``window.onerror``, ``console.error`` and ``alert`` in a list,
and an appended script plays the reader (clicks a header, sets filters, opens an item) and writes what the
page then showed into a ``<pre id="harness-out">``; ``chromium --dump-dom --virtual-time-budget`` returns the
DOM, whose JSON the test checks against the run's own stored values. The page is otherwise the report's
own bytes. Screenshots at 1280 and 720 px are checked to be not blank (and the page fetched nothing).
"""

from __future__ import annotations

import html
import json
import random
import re
import subprocess
from pathlib import Path

import pytest
from report_offline import remote_references
from test_browser import OFFLINE, _chromium, _not_blank, _render

from bench.report import browser, build
from bench.report import html as report_html
from bench.report.model import Report
from bench.results import run_record
from bench.results.model import Run

HEAD = """<script>
window.__errors = [];
window.onerror = function (m) { __errors.push("onerror: " + m); };
console.error = function () { __errors.push("console.error: " + Array.prototype.join.call(arguments, " ")); };
window.alert = function (m) { __errors.push("alert: " + m); };
</script>"""

# helpers the scenario scripts share: the visible rows' cells, and a change event on a control
TOOLS = """
function rows(id) {
  return Array.prototype.map.call(document.querySelectorAll("#" + (id || "ib-body") + " tr"), function (tr) {
    return Array.prototype.map.call(tr.children, function (td) { return td.textContent; });
  });
}
function heads() { return Array.prototype.map.call(document.querySelectorAll("#ib-head th"), function (th) { return th.textContent; }); }
function set(id, v, ev) { var e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event(ev || "change")); }
function steps(list) {
  var out = {}, k = 0;
  function next() {
    if (k === list.length) { out.errors = window.__errors; document.getElementById("harness-out").textContent = JSON.stringify(out); return; }
    list[k++](out);
    setTimeout(next, 400);
  }
  setTimeout(next, 200);
}
"""


def _dom(page_text: str, scenario: str, tmp: Path, width: int = 1280, budget: int = 20000) -> dict:
    """Run ``scenario`` (JS calling ``steps([...])``) on a harness copy of ``page_text``; its JSON output."""
    page = tmp / "harness.html"
    text = page_text.replace("<head>", "<head>\n" + HEAD, 1)
    page.write_text(text.replace("</body>", f'<pre id="harness-out"></pre>\n<script>{TOOLS}\n{scenario}</script>\n'
                                 "</body>", 1))
    proc = subprocess.run([_chromium(), *OFFLINE, f"--user-data-dir={tmp / 'profile-dom'}", "--dump-dom",
                           f"--virtual-time-budget={budget}", f"--window-size={width},900", page.resolve().as_uri()],
                          capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="harness-out">(.*?)</pre>', proc.stdout, re.S)
    assert found and found.group(1), proc.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def _page(sections, title="items") -> str:
    return report_html.render(Report(title, tuple(sections)))


@pytest.fixture(scope="module")
def two_runs(made) -> list[Run]:
    return [run_record.load(p) for p in made["runs"]]


@pytest.fixture(scope="module")
def report_page(made, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("ib") / "report.html"
    _, text = build.write([str(p) for p in made["runs"]], output=str(out), worst=3)
    return text


def test_sort_filter_and_item_as_a_reader_uses_them(report_page, two_runs, tmp_path):
    got = _dom(report_page, """steps([
      function (o) { o.heads = heads(); o.initial = rows(); o.page = document.getElementById("ib-page").textContent; },
      function (o) { document.querySelectorAll("#ib-head th")[5].click(); o.up = rows(); },
      function (o) { document.querySelectorAll("#ib-head th")[5].click(); o.down = rows(); },
      function (o) { set("ib-system", "sys2"); o.sys2 = rows(); o.sys2page = document.getElementById("ib-page").textContent; },
      function (o) { set("ib-system", ""); set("ib-lo", "0.5"); o.range = rows(); o.rangepage = document.getElementById("ib-page").textContent; },
      function (o) { set("ib-lo", ""); },
      function (o) { o.worst = rows("ib-worst tbody"); o.moved = rows("ib-moved tbody"); set("ib-q", "d3/s1", "input"); },
      function (o) { o.search = rows(); document.querySelector("#ib-body tr").click(); },
      function (o) { o.detail = document.getElementById("ib-detail").textContent; o.imgs = document.querySelectorAll("img").length;
                     o.worstAfter = rows("ib-worst tbody"); }
    ]);""", tmp_path)
    assert got["errors"] == []
    runs, n = two_runs, sum(len(r) for r in two_runs)
    assert got["heads"][:5] == ["run", "id", "system", "document", "candidate"] and got["heads"][5] == "rouge1 fmeasure"
    assert len(got["initial"]) == 25 and got["page"] == f"page 1 of {-(-n // 25)} ({n} of {n} items)"
    values = sorted(v for r in runs for v in r.column("rouge1", "fmeasure"))
    assert [float(r[5]) for r in got["up"]] == [round(v, 4) for v in values[:25]]
    assert [float(r[5]) for r in got["down"]] == [round(v, 4) for v in values[::-1][:25]]
    sys2 = [s for r in runs for s in r.samples if s.metadata["system"] == "sys2"]
    assert {r[2] for r in got["sys2"]} == {"sys2"} and f"({len(sys2)} of {n} items)" in got["sys2page"]
    high = [v for v in values if v >= 0.5]
    assert all(float(r[5]) >= 0.5 for r in got["range"]) and f"({len(high)} of {n} items)" in got["rangepage"]
    assert [r[1] for r in got["search"]] == ["d3/s1", "d3/s1"]  # the item in both runs
    first = runs[0].item("d3/s1")
    assert first.candidate in got["detail"] and "rouge2 recall" in got["detail"]
    reference = json.loads((Path(runs[0].config["dataset"]["path"])).read_text().splitlines()[13])["reference"]
    assert f"References (1){reference}" in got["detail"]  # the dataset's text, its hash matching the run's
    assert "Unavailable: its dataset has no source document for the item." in got["detail"]
    assert len(got["worst"]) == 2 * 4 * 3  # two runs x four systems x --worst 3
    run0 = sorted((s.scores["rouge1"]["fmeasure"], s.id) for s in runs[0].samples if s.metadata["system"] == "sys0")
    assert [r[3] for r in got["worst"][:3]] == [i for _, i in run0[:3]]  # higher is better: lowest first
    deltas = sorted(abs(b.scores["rouge1"]["fmeasure"] - a.scores["rouge1"]["fmeasure"])
                    for a, b in zip(runs[0].samples, runs[1].samples))
    assert len(got["moved"]) == 3 and abs(float(got["moved"][0][4])) == round(deltas[-1], 4)
    assert got["imgs"] == 0 and len(got["worstAfter"]) == 2  # the worst items are those the filters keep


HOSTILE = ["</script><img src=x onerror=alert(1)>", "&lt; is not <", "<!-- a comment? -->"]


def test_hostile_texts_are_shown_as_text(tmp_path):
    import bench

    cands = [HOSTILE[0], HOSTILE[1]]
    run = bench.score(cands, [HOSTILE[2], "x"], ids=["<b>id</b>", "i2"], systems=["<i>s</i>", "s"],
                      ci={"resamples": 0})
    text = _page([browser.section([run], ["<run>"])])
    assert remote_references(text) == []
    got = _dom(text, """steps([
      function (o) { o.rows = rows(); document.querySelector("#ib-body tr").click(); },
      function (o) { o.detail = document.getElementById("ib-detail").textContent;
                     o.imgs = document.querySelectorAll("img, b, i").length; }
    ]);""", tmp_path)
    assert got["errors"] == [] and got["imgs"] == 0
    assert [r[:2] for r in got["rows"]] == [["<b>id</b>", "<i>s</i>"], ["i2", "s"]]
    assert [r[3] for r in got["rows"]] == cands and HOSTILE[0] in got["detail"]


def test_names_of_object_properties_are_names_like_any_other(tmp_path):
    import bench

    # ids, systems and documents named like Object.prototype's members: a plain {} lookup would find the
    # inherited member (or throw) instead of the name
    names = ["__proto__", "constructor", "hasOwnProperty", "toString"]
    refs = ["a b c d", "e f g h", "i j k l", "m n o p"]
    first = bench.score(["a b", "e f", "i j", "m n"], refs, ids=names, systems=names, documents=names,
                        ci={"resamples": 0})
    second = bench.score(["a b c", "e", "i j k l", "x"], refs, ids=names[:3] + ["other"], systems=names,
                         documents=names, ci={"resamples": 0})
    text = _page([browser.section([first, second], ["first", "second"])])
    got = _dom(text, """steps([
      function (o) { o.systems = Array.prototype.map.call(document.querySelectorAll("#ib-system option"),
                                                          function (e) { return e.textContent; });
                     o.moved = rows("ib-moved-body").length || document.querySelectorAll("#ib-moved tr").length;
                     o.ready = document.getElementById("ib").getAttribute("data-ready"); }
    ]);""", tmp_path)
    assert got["errors"] == []
    assert sorted(got["systems"][1:]) == sorted(names)  # each once, after "all systems"
    assert got["moved"] == 1 + 3  # a header row and the three ids both runs hold (toString is only in the first)
    assert got["ready"] is not None


@pytest.mark.slow
def test_screenshots_at_two_widths_are_not_blank_and_fetch_nothing(report_page, tmp_path):
    # the browser alone (the report's figures are test_browser's), with an item opened
    start = report_page.rindex("<section", 0, report_page.index("<h2>Items</h2>"))
    page = tmp_path / "items.html"
    page.write_text(report_page[:report_page.index("<body>") + 6] + report_page[start:report_page.index("</section>", start)]
                    + '<script>setTimeout(function () { document.querySelector("#ib-body tr").click(); }, 50);</script>'
                    "</section></body></html>")
    for width in (1280, 720):
        png, urls = _render(page, tmp_path, 1600, width)
        assert [u for u in urls if not u.startswith(("file:", "data:"))] == []
        ink, colours = _not_blank(png)
        assert ink > 0.03 and colours > 16, (width, ink, colours)
    got = _dom(page.read_text(), """steps([function (o) {
      o.overflow = document.documentElement.scrollWidth - window.innerWidth; }]);""", tmp_path, width=720)
    assert got["errors"] == [] and got["overflow"] <= 0  # wide tables scroll in their own box, not the page


def synthetic(n_docs: int = 1100, n_systems: int = 16) -> Run:
    """A run of n_docs x n_systems items with made-up scores (17,600 by default): the browser's size test.
    Built from a two-item run's record, so it costs no scoring."""
    import bench

    base = bench.score(["a b c", "a c d"], ["a b c", "a b d"], systems=["S0", "S1"], documents=["D0", "D0"],
                       ci={"resamples": 0})
    template = base.samples_list()[0]
    rng = random.Random(0)
    samples = [{**template, "id": f"D{d}/S{s}", "candidate": f"summary {d} by system {s}",
                "metadata": {"system": f"S{s}", "document": f"D{d}"},
                "scores": {m: {st: rng.random() for st in stats} for m, stats in template["scores"].items()}}
               for d in range(n_docs) for s in range(n_systems)]
    return Run.of(base.record_dict(), samples)


@pytest.mark.slow
def test_17600_rows_build_one_page_of_rows(tmp_path):
    run = synthetic()
    text = _page([browser.section([run], ["big"])])
    got = _dom(text, """steps([function (o) {
      o.rows = document.querySelectorAll("#ib-body tr").length; o.all = document.querySelectorAll("tr").length;
      o.page = document.getElementById("ib-page").textContent; o.systems = document.querySelectorAll("#ib-system option").length;
      document.querySelectorAll("#ib-head th")[1].click(); o.sorted = rows().slice(0, 3).map(function (r) { return r[1]; });
    }]);""", tmp_path, budget=60000)
    assert got["errors"] == [] and got["rows"] == 25 and got["page"] == "page 1 of 704 (17600 of 17600 items)"
    # rows in the whole DOM: the browser's head and first page, the worst-items table (16 systems x 10) and
    # the page's empty "Built from" head; no other page of rows is built
    assert got["all"] == 1 + 25 + 1 + 16 * 10 + 1 and got["systems"] == 17
    assert got["sorted"] == ["S0", "S0", "S0"]
