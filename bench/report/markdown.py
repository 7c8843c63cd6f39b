"""A report as GitHub Markdown (PR comments, ``$GITHUB_STEP_SUMMARY``): the tables, without the figures.

Figures are left out on purpose: a PR comment or step summary cannot show a
local file, and GitHub strips inline SVG. The HTML report has them.
"""

from __future__ import annotations

from bench.report.model import Report, Section, Table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(t: Table) -> str:
    """A pipe table; columns aligned ``r`` are right-aligned."""
    align = t.align.ljust(len(t.columns), "l")
    out = ["| " + " | ".join(_cell(c) for c in t.columns) + " |",
           "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in t.rows]
    return "\n".join(out)


def section(s: Section) -> str:
    """One section: heading, paragraphs, tables (long ones folded), signature as code."""
    out = [f"## {s.title}", ""]
    for p in s.paragraphs:
        out += [p, ""]
    for caption, t in s.tables:
        if len(t.rows) > 20:  # GitHub renders <details> in Markdown: long tables stay folded
            out += [f"<details><summary>{caption} ({len(t.rows)} rows)</summary>", "", table(t), "", "</details>", ""]
        else:
            out += [f"**{caption}**", "", table(t), ""]
    if s.signature:
        out += ["```", s.signature, "```", ""]
    return "\n".join(out)


def render(report: Report) -> str:
    """The whole Markdown document (deterministic for the same report)."""
    sources = Table(("kind", "path", "identity"), tuple((s.kind, f"`{s.path}`", f"`{s.identity}`")
                                                        for s in report.sources), "lll")
    out = [f"# {report.title}", "", f"`{report.signature}`", ""]
    out += [section(s) for s in report.sections]
    out += ["## Built from", "", table(sources), "", "_Plots: see the HTML report (`bench report ... --format html`)._", ""]
    return "\n".join(out)
