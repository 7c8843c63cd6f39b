"""The summary table printed at the end of a run."""

from __future__ import annotations

from typing import Mapping

from bench.metrics.registry import display_order

# Column labels for the usual stats; any other stat gets a column under its own name.
LABELS = {"precision": "P", "recall": "R", "fmeasure": "F", "f1": "F"}


def table(metrics: Mapping[str, Mapping[str, float]], higher_is_better: Mapping[str, bool] | None = None) -> str:
    """Metric rows, one column per stat (P/R/F first), four decimals (stored values keep full precision).

    A lower-is-better metric is marked ``(lower is better)``.
    """
    higher_is_better = higher_is_better or {}
    columns: list[str] = []
    for values in metrics.values():
        for stat in values:
            label = LABELS.get(stat, stat)
            if label not in columns:
                columns.append(label)
    order = {"P": 0, "R": 1, "F": 2}
    columns.sort(key=lambda c: (order.get(c, 3), c))
    rows = [["metric", *columns]]
    # The metrics' usual order (registry.display_order: ROUGE first), then the rest; stored records sort keys.
    for name, values in sorted(metrics.items(), key=lambda kv: display_order(kv[0])):
        by_label = {LABELS.get(stat, stat): v for stat, v in values.items()}
        label = name if higher_is_better.get(name, True) else f"{name} (lower is better)"
        rows.append([label, *(f"{by_label[c]:.4f}" if c in by_label else "-" for c in columns)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns) + 1)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
