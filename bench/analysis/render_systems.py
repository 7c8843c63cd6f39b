"""A leaderboard (``bench.analysis.systems.Leaderboard``) as a terminal table or Markdown.

Both renderings are made of the same blocks (``_blocks``): one per metric stat, each a title, the line
saying which test the clusters come from, and the table's rows (``HEADER``). A row for another value
of a system (a corpus value beside the mean) is one more entry in a block's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.analysis.systems import Leaderboard
from bench.stats.leaderboard import SystemRow
from bench.text import md, md_code, md_row

HEADER = ("rank", "cluster", "system", "mean", "95% CI", "docs")


@dataclass(frozen=True)
class Block:
    """One metric stat of a leaderboard as shown: title, how its clusters were decided, its rows."""

    title: str
    significance: str
    rows: tuple[tuple[str, ...], ...]
    headline: str = ""  # Leaderboard.headline: the sentence a reader wants first (none for a corpus block)


def _ci(row: SystemRow) -> str:
    return "n/a" if row.ci is None else row.ci.text()


def _significant(lb: Leaderboard, metric: str, stat: str) -> str:
    """``clusters from ar: 3/120 pairs significant; also bootstrap: 2/120``: the rule first, the others beside it."""
    rule = lb.cluster_test
    counts = {}
    for test in dict.fromkeys(p.test for p in lb.pairs):
        rows = [p for p in lb.pairs if p.metric == metric and p.stat == stat and p.test == test]
        counts[test] = f"{sum(p.significant for p in rows)}/{len(rows)} pairs significant"
    name = "max(bootstrap, ar)" if rule == "max" else rule
    others = [f"{t}: {c}" for t, c in counts.items() if t != rule]
    return f"clusters from {name}: {counts.get(rule, '-')}" + (f"; beside it {'; '.join(others)}" if others else "")


def _row(r: SystemRow) -> tuple[str, ...]:
    return (str(r.rank), str(r.cluster), r.system, f"{r.mean:.4f}", _ci(r), str(r.n_docs))


CORPUS_HEADER = ("rank", "", "system", "corpus", "95% CI", "items")


def _corpus_block(lb: Leaderboard, metric: str) -> Block | None:
    """A corpus metric's corpus values per system (BLEU's corpus score: not a mean of sentence scores),
    best first, with their intervals; ranked by value only (the clusters are the mean's)."""
    rows = [r for r in lb.corpus if r.metric == metric]
    if not rows:
        return None
    return Block(f"{metric} {rows[0].stat} (corpus)",
                 "corpus values from summed statistics; intervals resample each system's documents",
                 tuple((str(k), "", r.system, f"{r.value:.4f}", "n/a" if r.ci is None else r.ci.text(), str(r.n_items))
                       for k, r in enumerate(rows, 1)))


def _blocks(lb: Leaderboard) -> list[Block]:
    out = []
    for metric, stat, rows in lb.blocks():
        out.append(Block(f"{metric} {stat}", _significant(lb, metric, stat), tuple(_row(r) for r in rows),
                         lb.headline(metric, stat)))
        corpus = _corpus_block(lb, metric)
        if corpus is not None and corpus.title not in [b.title for b in out]:
            out.append(corpus)
    return out


def _tail(lb: Leaderboard) -> list[str]:
    return [lb.signature, *([lb.interval_signature] if lb.interval_signature else [])]


def text(lb: Leaderboard) -> str:
    """Aligned columns, one block per metric's stat, then the signature and notes."""
    out = []
    for block in _blocks(lb):
        header = CORPUS_HEADER if block.title.endswith("(corpus)") else HEADER
        table = [header, *block.rows]
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        lines = ["  ".join(c.ljust(w) if i == 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        head = f"{block.title}: {block.significance}" + (f"\n{block.headline}" if block.headline else "")
        out.append(head + "\n" + "\n".join(lines))
    return "\n\n".join(out) + "\n\n" + "\n".join([*_tail(lb), *(f"note: {n}" for n in lb.notes)])


def markdown(lb: Leaderboard) -> str:
    """GitHub Markdown tables, one per metric's stat (for PR comments and step summaries)."""
    out = []
    for block in _blocks(lb):
        header = CORPUS_HEADER if block.title.endswith("(corpus)") else HEADER
        # system names come from the data: escaped (bench.text), so that each row keeps its cells
        out.append(f"### {md(block.title)}\n\n{md(block.significance)}\n")
        if block.headline:
            out.append(f"**{md(block.headline)}**\n")
        out.append(md_row(header))
        out.append("|" + "|".join("---:" if h != "system" else "---" for h in header) + "|")
        out += [md_row(r) for r in block.rows]
        out.append("")
    out.append(" ".join(md_code(s) for s in _tail(lb)))
    out += [f"\n> {md(n)}" for n in lb.notes]
    return "\n".join(out) + "\n"
