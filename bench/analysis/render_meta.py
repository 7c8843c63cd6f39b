"""A meta-evaluation (``bench.analysis.meta.MetaEvaluation``) as a terminal table or Markdown: one block
per level and coefficient, metrics as rows, human dimensions as columns, each cell ``value [lo, hi]`` (``-``: a metric that rates
another dimension, not paired with this one);
then the legend of runs named by letters."""

from __future__ import annotations

from bench.analysis.meta import Correlation, MetaEvaluation
from bench.text import md, md_code, md_row


def _cell(row: Correlation) -> str:
    v = "n/a" if row.value is None else f"{row.value:.3f}"
    ci = "" if row.ci is None else " " + row.ci.text(3)
    mark = f" ({row.cluster})" if row.cluster is not None else ""
    return v + ci + mark


def _blocks(result: MetaEvaluation) -> dict[tuple[str, str], dict[str, dict[str, Correlation]]]:
    blocks: dict[tuple[str, str], dict[str, dict[str, Correlation]]] = {}
    names = result.labels()
    for row in result.correlations:
        blocks.setdefault((row.level, row.coefficient), {}).setdefault(names[row.metric, row.stat], {})[row.human] = row
    return blocks


def by_cell(result: MetaEvaluation) -> dict[tuple[str, str], dict[str, dict[str, Correlation]]]:
    """(level, coefficient) -> metric label -> human dimension -> its correlation: what every rendering
    (these tables, ``render_latex.meta``) shows, with the same metric labels."""
    return _blocks(result)


def _humans(block) -> list[str]:
    """The human dimensions of a block, in order of first appearance (a metric that rates one dimension,
    an LLM judge's, has a cell in its own column only)."""
    return list(dict.fromkeys(h for cells in block.values() for h in cells))


def _cells(cells, humans) -> list[str]:
    return [_cell(cells[h]) if h in cells else "-" for h in humans]  # "-": not paired (MetaSpec.pairing)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _skips(block) -> str:
    skipped = {h: r.groups_skipped for cells in block.values() for h, r in cells.items() if r.groups_skipped}
    return f"; documents skipped (constant): {', '.join(f'{h} {n}' for h, n in skipped.items())}" if skipped else ""


def best(result: MetaEvaluation) -> list[str]:
    """Per compared cell and human field: the metrics (or a sweep's settings) in the top cluster."""
    out = []
    for (level, coef), block in _blocks(result).items():
        for h in _humans(block):
            top = [name for name, cells in block.items() if h in cells and cells[h].cluster == 1]
            if top:
                out.append(f"best at {level} {coef} for {h}: {', '.join(top)}")
    return out


def text(result: MetaEvaluation) -> str:
    """Aligned blocks; ``(k)``: significance cluster where metrics were compared; then the top clusters."""
    out = []
    for (level, coef), block in _blocks(result).items():
        humans = _humans(block)
        rows = [["metric", *humans]] + [[name, *_cells(cells, humans)] for name, cells in block.items()]
        out.append(f"{level} level, {coef}{_skips(block)}\n" + "\n".join(_table(rows)))
    if best(result):
        out.append("no test separates, in each line (top cluster, PERM/Williams with correction):\n" + "\n".join(best(result)))
    if result.agreement:
        out.append(f"human agreement (Krippendorff's alpha, {result.agreement_level}): "
                   + ", ".join(f"{h} {a:.3f}" for h, a in result.agreement.items() if a is not None))
    if result.legend:
        out.append("runs:\n" + "\n".join(result.legend))
    out.append(f"{result.systems} systems x {result.documents} documents; {result.signature}")
    return "\n\n".join(out)


def markdown(result: MetaEvaluation) -> str:
    """GitHub Markdown, one table per level and coefficient."""
    out = []
    for (level, coef), block in _blocks(result).items():
        humans = _humans(block)
        # human fields, metric labels and run labels come from the data: escaped (bench.text)
        out.append(f"### {md(f'{level} level, {coef}{_skips(block)}')}\n")
        out.append(md_row(["metric", *humans]))
        out.append("|---|" + "---:|" * len(humans))
        out += [md_row([name, *_cells(cells, humans)]) for name, cells in block.items()]
        out.append("")
    if best(result):
        out += ["no test separates, in each line (top cluster, PERM/Williams with correction):", "",
                *(f"- {md(line)}" for line in best(result)), ""]
    if result.legend:
        out += ["runs:", "", *(f"- {md(line)}" for line in result.legend), ""]
    out.append(f"{result.systems} systems x {result.documents} documents; {md_code(result.signature)}")
    return "\n".join(out) + "\n"
