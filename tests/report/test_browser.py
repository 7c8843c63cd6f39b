"""The HTML report in a real browser: headless Chromium renders it, fetches nothing, and the screenshot is not blank.

No-network check, two independent halves:
1. static: the page names no resource outside itself (tests/report/report_offline.py: no URL, no src=,
   no href/url() but #fragments, no script/link/img, no @import);
2. dynamic: Chromium runs with every request black-holed (``--proxy-server=127.0.0.1:9`` and
   ``--host-resolver-rules=MAP * ~NOTFOUND``, so nothing can leave the machine even if the page asked)
   and writes a NetLog (``--log-net-log``): every URL request the *page* started (its initiator is the
   page's origin; Chromium's own background requests say "not an origin") must be a file: or data: URL.
   A control page with a remote <img> and a CSS url() must show up there, so the check cannot pass vacuously
   (e.g. if a Chromium release renamed the NetLog fields).

Skips when chromium is absent, except under CI=true, where that is a failure (.ci/run installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from report_offline import remote_references

from bench.report import build


def _chromium() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; CI=true requires it (.ci/run installs it with apt-get)")
    pytest.skip("chromium is not installed (apt-get install chromium); the browser test needs it")


# Headless, and nothing can leave the machine even if a page asked (every proxied request goes nowhere).
OFFLINE = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]


def _render(page: Path, out: Path, height: int = 2000, width: int = 1200) -> tuple[Path, list[str]]:
    """Screenshot ``page`` offline; returns (png, URLs the page itself requested)."""
    png, netlog = out / f"{page.stem}-{width}.png", out / f"{page.stem}-{width}.netlog.json"
    proc = subprocess.run(
        [_chromium(), *OFFLINE, f"--user-data-dir={out / ('profile-' + page.stem)}", f"--log-net-log={netlog}",
         f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120)
    assert png.is_file(), proc.stderr[-2000:]
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = [e["params"]["url"] for e in log["events"]
            if e["type"] == start and e.get("params", {}).get("initiator") not in (None, "not an origin")]
    return png, urls


def _not_blank(png: Path) -> tuple[float, int]:
    from PIL import Image

    with Image.open(png) as im:
        rgb = im.convert("RGB")
        pixels = list(rgb.getdata())
    ink = sum(1 for p in pixels if min(p) < 235) / len(pixels)
    return ink, len(set(pixels))


def test_control_page_requests_are_detected(tmp_path):
    page = tmp_path / "control.html"
    page.write_text('<!DOCTYPE html><p>x</p><img src="http://example.invalid/a.png">'
                    '<div style="background:url(https://example.invalid/b.png)">y</div>')
    assert remote_references(page.read_text())
    _, urls = _render(page, tmp_path, 600)
    assert "http://example.invalid/a.png" in urls and "https://example.invalid/b.png" in urls


def test_report_renders_offline_and_is_not_blank(made, tmp_path):
    paths = [str(p) for p in (*made["runs"], made["systems"], made["meta"], made["check"])]
    page, text = build.write(paths, output=str(tmp_path / "report.html"))
    assert remote_references(text) == []
    png, urls = _render(page, tmp_path)
    assert [u for u in urls if not u.startswith(("file:", "data:"))] == []
    ink, colours = _not_blank(png)
    assert ink > 0.03 and colours > 16, (ink, colours)  # text, axes and coloured markers, not an empty page
