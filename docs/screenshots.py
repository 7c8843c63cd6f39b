"""Screenshots of a bench HTML report's sections for docs/reports.md, with headless Chromium.

    python docs/screenshots.py REPORT.html OUTDIR [--width 1200] [--height 1500]

Writes ``OUTDIR/report-<section>.png`` for each section of the page (``runs``, ``leaderboard``,
``meta-evaluation``, ``items``, ...): the top ``--height`` pixels of that section at ``--width`` pixels.
The page is first opened once with a small script appended to a copy of it, which reports where each
section starts (Chromium's ``--dump-dom``); then one screenshot of the whole page is cut into sections.
For the items section, the copy also opens the first item, so the picture shows an item beside its scores.
Offline like the browser tests: every request is black-holed. Nothing is written outside OUTDIR.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OFFLINE = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
           "--hide-scrollbars", "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]

# Appended to the copy: open the first item (a click, as a reader would), then report every section's top.
PROBE = """
<script>
window.addEventListener("load", function () {
  var row = document.querySelector("#ib-body tr");
  if (row) row.click();
  setTimeout(function () {
    var out = {height: document.documentElement.scrollHeight, sections: []};
    document.querySelectorAll("section[id]").forEach(function (s) {
      out.sections.push([s.id, Math.round(s.getBoundingClientRect().top + window.scrollY)]);
    });
    var pre = document.createElement("pre");
    pre.id = "shot-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
});
</script>
"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("docs/screenshots.py: error: chromium is not installed; apt-get install chromium")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="docs/screenshots.py", description=__doc__.splitlines()[0])
    p.add_argument("report", type=Path)
    p.add_argument("outdir", type=Path)
    p.add_argument("--width", type=int, default=1200)
    p.add_argument("--height", type=int, default=1500)
    args = p.parse_args(argv)
    from PIL import Image

    args.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(args.report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                        encoding="utf-8")
        common = [_chromium(), *OFFLINE, f"--user-data-dir={tmp}/profile", "--virtual-time-budget=5000"]
        dom = subprocess.run([*common, f"--window-size={args.width},{args.height}", "--dump-dom", page.as_uri()],
                             capture_output=True, text=True, timeout=120).stdout
        found = re.search(r'<pre id="shot-probe">(.*?)</pre>', dom, re.S)
        if not found:
            sys.exit("docs/screenshots.py: error: the page did not report its sections; is it a bench report?")
        probe = json.loads(found.group(1).replace("&quot;", '"'))
        full = Path(tmp) / "full.png"
        subprocess.run([*common, f"--window-size={args.width},{probe['height']}", f"--screenshot={full}",
                        page.as_uri()], capture_output=True, timeout=120, check=True)
        with Image.open(full) as image:
            tops = probe["sections"]
            for k, (name, top) in enumerate(tops):
                end = tops[k + 1][1] if k + 1 < len(tops) else probe["height"]
                box = (0, max(0, top - 8), args.width, min(end, top + args.height, image.height))
                out = args.outdir / f"report-{name}.png"
                # 256 colours hold a page of text and flat plots; the files stay a fraction of the RGB size
                image.crop(box).convert("RGB").quantize(256).save(out, optimize=True)
                print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
