"""A static scan of a page for anything that could make a browser fetch: the first half of the no-network check.

(The second half, tests/report/test_browser.py, watches what Chromium actually requests.)
"""

from __future__ import annotations

import re

# Each pattern is a way HTML/CSS/SVG can name another resource; a local fragment (#id) is allowed.
REMOTE = [
    re.compile(r"\b(?:https?|ftp|wss?|file):", re.I),        # any absolute URL, even a namespace name
    re.compile(r"""\b(?:href|src|srcset|action|poster|data)\s*=\s*(?!["']?#)""", re.I),  # attributes but #fragment
    re.compile(r"""url\(\s*(?!["']?#)""", re.I),             # CSS/SVG url() but url(#id)
    re.compile(r"<\s*(?:script|link|img|iframe|object|embed|video|audio|source|base)\b", re.I),
    re.compile(r"@import|@font-face", re.I),
]


def remote_references(page: str) -> list[str]:
    """Snippets of ``page`` that could load something from outside it (empty: self-contained)."""
    return [page[max(0, m.start() - 30): m.end() + 30] for p in REMOTE for m in p.finditer(page)]
