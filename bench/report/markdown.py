"""A report as GitHub Markdown (PR comments, ``$GITHUB_STEP_SUMMARY``): the tables, without the figures.

Figures are left out on purpose: a PR comment or step summary cannot show a
local file, and GitHub strips inline SVG. The HTML report has them.

Every string is escaped (``bench.text``): table cells and titles as plain text, paragraphs and captions
from the report markup, so that a name holding ``|``, a line break or a backtick keeps each table's shape
and no raw HTML from an item's text or a name reaches the page.
"""

from __future__ import annotations

import html

from bench.report.model import Report, Section, Table
from bench.text import inline_md, inline_plain, md, md_code, md_fence


def table(t: Table, code: tuple[int, ...] = ()) -> str:
    """A pipe table of plain-text cells (the columns in ``code`` as code spans); columns aligned ``r`` are
    right-aligned."""
    align = t.align.ljust(len(t.columns), "l")

    def cell(i: int, text: str) -> str:
        return md_code(text, in_table=True) if i in code else md(text)

    out = ["| " + " | ".join(md(c) for c in t.columns) + " |",
           "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    out += ["| " + " | ".join(cell(i, v) for i, v in enumerate(row)) + " |" for row in t.rows]
    return "\n".join(out)


FOLD = 20  # rows: a longer secondary table is folded (GitHub renders <details> in Markdown)


def _titled(caption: str, t: Table) -> list[str]:
    return [f"**{inline_md(caption)}**", "", table(t), ""]


def section(s: Section) -> str:
    """One section, top-down as in HTML: heading, summary, paragraphs, the headline tables, the other tables
    (long ones folded), signature as code."""
    out = [f"## {md(s.title)}", ""]
    for p in (s.summary, *s.paragraphs) if s.summary else s.paragraphs:
        out += [inline_md(p), ""]
    for caption, t in s.tables:
        out += _titled(caption, t)
    for caption, t in s.more:
        if len(t.rows) > FOLD:
            # <summary> is HTML: its text is HTML-escaped, not Markdown
            summary = html.escape(f"{inline_plain(caption)} ({len(t.rows)} rows)")
            out += [f"<details><summary>{summary}</summary>", "", table(t), "", "</details>", ""]
        else:
            out += _titled(caption, t)
    if s.signature:
        out += [md_fence(s.signature), ""]
    return "\n".join(out)


def render(report: Report) -> str:
    """The whole Markdown document (deterministic for the same report)."""
    sources = Table(("kind", "path", "identity"), tuple((s.kind, s.path, s.identity) for s in report.sources), "lll")
    out = [f"# {md(report.title)}", "", md_code(report.signature), ""]
    out += [section(s) for s in report.sections]
    out += ["## Built from", "", table(sources, code=(1, 2)), "",
            "_Plots: see the HTML report (`bench report ... --format html`)._", ""]
    return "\n".join(out)
