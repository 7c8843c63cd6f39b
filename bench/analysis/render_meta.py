"""A meta-evaluation (its JSON form) as a terminal table or Markdown: one block per level and coefficient,
metrics as rows, human dimensions as columns, each cell ``value [lo, hi]``."""

from __future__ import annotations

from typing import Any, Mapping


def _cell(row: Mapping[str, Any]) -> str:
    v = "n/a" if row["value"] is None else f"{row['value']:.3f}"
    ci = "" if row["ci"] is None else f" [{row['ci'][0]:.3f}, {row['ci'][1]:.3f}]"
    mark = f" ({row['cluster']})" if "cluster" in row else ""
    return v + ci + mark


def _blocks(payload: Mapping[str, Any]):
    blocks: dict[tuple[str, str], dict[str, dict[str, Mapping[str, Any]]]] = {}
    stats: dict[str, set[str]] = {}
    for row in payload["correlations"]:
        stats.setdefault(row["metric"], set()).add(row["stat"])
    for row in payload["correlations"]:
        # one stat of a metric is named by the metric (its primary, as the run chose it); several by metric.stat
        name = row["metric"] if len(stats[row["metric"]]) == 1 else f"{row['metric']}.{row['stat']}"
        if row.get("higher_is_better") is False:  # correlated as its negation (bench.analysis.meta)
            name += " (lower is better, negated)"
        blocks.setdefault((row["level"], row["coefficient"]), {}).setdefault(name, {})[row["human"]] = row
    return blocks


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def _skips(block) -> str:
    skipped = {h: r["groups_skipped"] for cells in block.values() for h, r in cells.items() if r["groups_skipped"]}
    return f"; documents skipped (constant): {', '.join(f'{h} {n}' for h, n in skipped.items())}" if skipped else ""


def best(payload: Mapping[str, Any]) -> list[str]:
    """Per compared cell and human field: the metrics (or a sweep's settings) in the top cluster."""
    out = []
    for (level, coef), block in _blocks(payload).items():
        for h in next(iter(block.values())):
            top = [name for name, cells in block.items() if cells[h].get("cluster") == 1]
            if top:
                out.append(f"best at {level} {coef} for {h}: {', '.join(top)}")
    return out


def text(payload: Mapping[str, Any]) -> str:
    """Aligned blocks; ``(k)``: significance cluster where metrics were compared; then the top clusters."""
    out = []
    for (level, coef), block in _blocks(payload).items():
        humans = list(next(iter(block.values())))
        rows = [["metric", *humans]] + [[name, *(_cell(cells[h]) for h in humans)] for name, cells in block.items()]
        out.append(f"{level} level, {coef}{_skips(block)}\n" + "\n".join(_table(rows)))
    if best(payload):
        out.append("no test separates, in each line (top cluster, PERM/Williams with correction):\n" + "\n".join(best(payload)))
    agreement = payload.get("agreement")
    if agreement:
        out.append("human agreement (Krippendorff's alpha, interval): "
                   + ", ".join(f"{h} {a:.3f}" for h, a in agreement.items() if a is not None))
    out.append(f"{payload['systems']} systems x {payload['documents']} documents; {payload['signature']}")
    return "\n\n".join(out)


def markdown(payload: Mapping[str, Any]) -> str:
    """GitHub Markdown, one table per level and coefficient."""
    out = []
    for (level, coef), block in _blocks(payload).items():
        humans = list(next(iter(block.values())))
        out.append(f"### {level} level, {coef}{_skips(block)}\n")
        out.append("| metric | " + " | ".join(humans) + " |")
        out.append("|---|" + "---:|" * len(humans))
        out += [f"| {name} | " + " | ".join(_cell(cells[h]) for h in humans) + " |" for name, cells in block.items()]
        out.append("")
    out.append(f"{payload['systems']} systems x {payload['documents']} documents; `{payload['signature']}`")
    return "\n".join(out) + "\n"
