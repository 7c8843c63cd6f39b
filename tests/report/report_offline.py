"""A static scan of a page for anything that could make a browser fetch: the first half of the no-network check.

(The second half, tests/report/test_browser.py, watches what Chromium actually requests.)

The page may hold inline scripts (the item browser) of two kinds only: ``<script type="application/json">``
data blocks, which a browser never runs and whose text holds no ``<`` at all (bench writes it as ``\\u003c``,
so no text in them can close the block), and plain ``<script>`` code, which must name nothing outside the page
and call nothing that could reach outside it (``fetch``, ``XMLHttpRequest``, ``import``, ``WebSocket``,
``eval`` ...). The data blocks are item texts, so they are checked for being inert rather than scanned for
URLs (an article may quote one); everything else is scanned for every way HTML/CSS/SVG can name a resource.
"""

from __future__ import annotations

import re

# Each pattern is a way HTML/CSS/SVG can name another resource; a local fragment (#id) is allowed.
REMOTE = [
    re.compile(r"\b(?:https?|ftp|wss?|file):", re.I),        # any absolute URL, even a namespace name
    re.compile(r"""\b(?:href|src|srcset|action|poster|data)\s*=\s*(?!["']?#)""", re.I),  # attributes but #fragment
    re.compile(r"""url\(\s*(?!["']?#)""", re.I),             # CSS/SVG url() but url(#id)
    re.compile(r"<\s*(?:link|img|iframe|object|embed|video|audio|source|base|frame|track|portal)\b", re.I),
    re.compile(r"@import|@font-face", re.I),
]
# What a script may not do: reach the network, load code, or turn text into code.
SCRIPT = [
    re.compile(r"\b(?:fetch|eval|importScripts|sendBeacon|open)\s*\(", re.I),
    re.compile(r"\b(?:XMLHttpRequest|WebSocket|EventSource|Worker|SharedWorker|RTCPeerConnection|Function)\b"),
    re.compile(r"\bimport\b"),
    re.compile(r"\b(?:location|innerHTML|outerHTML|insertAdjacentHTML|document\.write|srcdoc|setAttribute\s*\(\s*[\"']src)",
               re.I),
    re.compile(r"setTimeout\s*\(\s*[\"']"),  # a string handler is eval
]
BLOCK = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
DATA = re.compile(r"""^\s+type\s*=\s*"application/json"\s+id\s*=\s*"[\w-]+"\s*$""")


def remote_references(page: str) -> list[str]:
    """Snippets of ``page`` that could load something from outside it, or run what it should not (empty:
    self-contained)."""
    found: list[str] = []
    rest = []
    at = 0
    for m in BLOCK.finditer(page):
        attrs, body = m.group(1), m.group(2)
        rest.append(page[at:m.start()])
        at = m.end()
        if DATA.match(attrs):
            if "<" in body:  # could end the block or open a comment that changes how the page parses
                found.append(f"'<' inside the data block {attrs.strip()}")
        elif attrs.strip():
            found.append(f"<script{attrs}>: only plain inline scripts and JSON data blocks are allowed")
        else:
            found += [body[max(0, s.start() - 30): s.end() + 30] for p in SCRIPT for s in p.finditer(body)]
            rest.append(body)  # its text is still page text: no URL, no url(), no src= in it either
    rest.append(page[at:])
    outside = "".join(rest)
    if re.search(r"<\s*script\b", outside, re.I):
        found.append("a <script> tag that is not closed")
    found += [outside[max(0, m.start() - 30): m.end() + 30] for p in REMOTE for m in p.finditer(outside)]
    return found
