"""The summary table printed at the end of a run."""

from __future__ import annotations

from typing import Mapping


def table(metrics: Mapping[str, Mapping[str, float]]) -> str:
    """Metric rows, P/R/F columns, four decimals (the stored values keep full precision)."""
    stats = ["precision", "recall", "f"]
    rows = [["metric", "P", "R", "F"]]
    # ROUGE rows first in their usual order, then the rest; stored records sort keys alphabetically.
    for name, values in sorted(metrics.items(), key=lambda kv: (not kv[0].startswith("rouge"), kv[0])):
        f = values.get("fmeasure", values.get("f1"))
        rows.append([name, *(f"{v:.4f}" for v in (values["precision"], values["recall"], f))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(stats) + 1)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
