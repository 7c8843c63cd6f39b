"""A report as one self-contained HTML file: inline CSS, inline SVG figures, inline script (the item browser),
no URL."""

from __future__ import annotations

import html
import re

from bench.report.model import Report, Section, Table
from bench.text import inline_html

# System fonts only (nothing to fetch); the figures carry their glyphs as paths.
CSS = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b;
       max-width: 1100px; margin: 24px auto; padding: 0 24px; background: #ffffff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; }
h3 { font-size: 14px; margin: 18px 0 6px; }
figure { margin: 12px 0 18px; } figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: #555; margin-top: 2px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; } th { background: #f4f4f4; text-align: left; }
td.r { text-align: right; font-variant-numeric: tabular-nums; }
code, .sig { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; }
.sig { white-space: pre-wrap; word-break: break-all; color: #555; background: #fafafa; padding: 6px 8px;
       border: 1px solid #eee; }
details { margin: 6px 0 12px; } summary { cursor: default; color: #333; }
.meta { color: #555; font-size: 12px; }
p.summary { font-size: 15px; border-left: 3px solid #0072b2; padding: 2px 0 2px 10px; margin: 8px 0 12px; }
"""


def _inline(text: str) -> str:
    """Report markup (`code`, **bold**; bench.text) as HTML, every piece of text escaped."""
    return inline_html(text)


def table(t: Table) -> str:
    """A ``<table>``; columns aligned ``r`` get right-aligned (numeric) cells."""
    align = t.align.ljust(len(t.columns), "l")
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    body = "\n".join("<tr>" + "".join(f'<td class="{a}">{html.escape(v)}</td>' for v, a in zip(row, align)) + "</tr>"
                     for row in t.rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


FOLD = 20  # rows: a longer secondary table is folded (<details> needs no script)


def anchors(sections: "list[Section] | tuple[Section, ...]") -> list[str]:
    """Each section's id, from its title's kind (``runs``, ``leaderboard``, ``meta-evaluation``, ``items``):
    stable links (``report.html#leaderboard``) and the contents line; a repeated kind gets ``-2``, ``-3``."""
    out: list[str] = []
    for s in sections:
        base = re.sub(r"[^a-z0-9]+", "-", re.split(r"[(:]", s.title)[0].lower()).strip("-") or "section"
        name, k = base, 1
        while name in out:
            k += 1
            name = f"{base}-{k}"
        out.append(name)
    return out


def section(s: Section, anchor: str = "") -> str:
    """One section, top-down: heading, summary, paragraphs, the headline tables (open), figures, the other
    tables (long ones folded), signature."""
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    parts = [f"<section{ident}>\n<h2>{html.escape(s.title)}</h2>"]
    if s.summary:
        parts.append(f'<p class="summary">{_inline(s.summary)}</p>')
    parts += [f"<p>{_inline(p)}</p>" for p in s.paragraphs]
    parts += [f"<h3>{_inline(caption)}</h3>\n{table(t)}" for caption, t in s.tables]
    for f in s.figures:
        parts.append(f'<figure id="fig-{html.escape(f.name)}">\n{f.svg}<figcaption>{_inline(f.caption)}'
                     "</figcaption>\n</figure>")
    for caption, t in s.more:
        if len(t.rows) > FOLD:
            parts.append(f"<details><summary>{_inline(caption)} ({len(t.rows)} rows)</summary>\n{table(t)}\n</details>")
        else:
            parts.append(f"<h3>{_inline(caption)}</h3>\n{table(t)}")
    if s.html:  # an interactive block (the item browser), built and escaped by its own module
        parts.append(s.html)
    if s.signature:
        parts.append(f'<h3>Signatures</h3>\n<div class="sig">{html.escape(s.signature)}</div>')
    return "\n".join(parts) + "\n</section>"


def render(report: Report) -> str:
    """The whole HTML document (UTF-8; deterministic for the same report)."""
    sources = Table(("kind", "path", "identity"), tuple((s.kind, s.path, s.identity) for s in report.sources), "lll")
    ids = anchors(report.sections)
    body = "\n".join(section(s, a) for s, a in zip(report.sections, ids))
    contents = ""
    if len(report.sections) > 1:  # a fragment link only: the page still names nothing outside itself
        contents = ('<nav class="meta">Contents: ' + " · ".join(
            f'<a href="#{a}">{html.escape(s.title)}</a>' for s, a in zip(report.sections, ids)) + "</nav>\n")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{html.escape(report.title)}"
        f"</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{html.escape(report.title)}</h1>\n"
        f"<p class=\"meta\">{html.escape(report.signature)}</p>\n{contents}{body}\n"
        f"<section>\n<h2>Built from</h2>\n{table(sources)}\n</section>\n</body>\n</html>\n"
    )
