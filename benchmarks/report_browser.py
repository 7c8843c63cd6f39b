"""First paint of the HTML report's item browser on 17,600 items, in headless Chromium.

    python benchmarks/report_browser.py [--docs 1100] [--systems 16] [--repeats 5]

A synthetic run of docs x systems items (17,600 by default, SummEval's 1,600 eleven times over; made-up
scores, one short candidate each, no scoring) becomes a report page holding the item browser. Chromium
(headless, offline, a fresh profile each time) opens it; a PerformanceObserver appended to a copy of the
page reads Chromium's ``first-contentful-paint``, when the browser's first page of rows was built (its
``ib-first-page`` performance mark) and when its lazy parts (controls, worst items per system) were done,
all from navigation start. Printed: the page size and the median of the repeats.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import _smoke  # noqa: E402  (beside this file: a script's own folder is on sys.path)

# reads the paint timing, and when the browser marked itself ready, into the DOM that --dump-dom prints
PROBE = """<pre id="probe"></pre><script>
var probe = {};
function done() { if (probe.ready !== undefined) document.getElementById("probe").textContent = JSON.stringify(probe); }
new PerformanceObserver(function (list) { list.getEntries().forEach(function (e) {
  if (e.name === "first-contentful-paint") { probe.fcp = e.startTime; done(); } }); }).observe({type: "paint", buffered: true});
(function wait() { var b = document.getElementById("ib");
  if (b.getAttribute("data-ready")) {
    probe.ready = performance.now(); probe.rows = performance.getEntriesByName("ib-first-page")[0].startTime; done();
  } else setTimeout(wait, 5); })();
</script>"""


def synthetic(n_docs: int, n_systems: int):
    """A run of n_docs x n_systems items with made-up scores, from a two-item run's record (no scoring)."""
    import bench
    from bench.results.model import Run

    base = bench.score(["a b c", "a c d"], ["a b c", "a b d"], systems=["S0", "S1"], documents=["D0", "D0"],
                       ci={"resamples": 0})
    template = base.samples_list()[0]
    rng = random.Random(0)
    samples = [{**template, "id": f"D{d}/S{s}",
                "candidate": f"summary {d} by system {s}: " + " ".join(rng.choice("abcdefgh") * 5 for _ in range(40)),
                "metadata": {"system": f"S{s}", "document": f"D{d}"},
                "scores": {m: {st: rng.random() for st in stats} for m, stats in template["scores"].items()}}
               for d in range(n_docs) for s in range(n_systems)]
    return Run.of(base.record_dict(), samples)


def measure(page: Path, chromium: str, tmp: Path) -> dict:
    """One cold load: first-contentful-paint and browser-ready times (ms); retried when the dump came first."""
    for attempt in range(3):
        profile = tmp / f"profile-{attempt}"
        proc = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                               "--disable-extensions", "--disable-background-networking", "--proxy-server=127.0.0.1:9",
                               "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}", "--dump-dom",
                               "--window-size=1280,900", page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=300)
        shutil.rmtree(profile, ignore_errors=True)
        found = re.search(r'<pre id="probe">([^<]+)</pre>', proc.stdout)
        got = json.loads(found.group(1)) if found else {}
        # --dump-dom prints at the load event: a small page (a smoke run's) has loaded before its first paint
        if "fcp" in got or (got and _smoke.on()):
            return got
    raise SystemExit(f"no paint timing from {page} (Chromium dumped the page before its first paint three times)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=1100)
    ap.add_argument("--systems", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    _smoke.announce()
    from bench.report import browser, html
    from bench.report.model import Report

    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    docs, repeats = _smoke.cap(args.docs, 20), _smoke.cap(args.repeats, 1)
    run = synthetic(docs, args.systems)
    tmp = Path(tempfile.mkdtemp())
    text = html.render(Report("bench report: synthetic", (browser.section([run], ["synthetic"]),)))
    page = tmp / "page.html"
    page.write_text(text.replace("</body>", PROBE + "</body>", 1))
    got = [measure(page, chromium, tmp) for _ in range(repeats)]
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(run)} items ({docs} documents x {args.systems} systems), page {len(text.encode()) / 1e6:.1f} MB, "
          f"median of {repeats} cold loads, ms from navigation start:")
    for key, what in (("fcp", "first contentful paint"), ("rows", "first page of rows built"),
                      ("ready", "browser ready (controls, worst items per system)")):
        values = [g[key] for g in got if key in g]
        print(f"  {what}: " + (f"{statistics.median(values):.0f} ms" if values else "n/a (the page loaded first)"))


if __name__ == "__main__":
    main()
