"""The summary table printed at the end of a run."""

from __future__ import annotations

from typing import Any, Mapping

from bench.signature import Signature

from bench.metrics.registry import display_order

# Column labels for the usual stats; any other stat gets a column under its own name.
LABELS = {"precision": "P", "recall": "R", "fmeasure": "F", "f1": "F"}


def _primaries(metrics: Mapping[str, Mapping[str, float]], primary: Mapping[str, str] | None) -> dict[str, str]:
    """Metric -> the stat an interval column shows: the record's primary stat."""
    from bench.results.run_record import primary_of

    return {**primary_of({"metrics": metrics}), **(primary or {})}


def _ci_text(ci: object) -> str:
    return "n/a" if ci is None else f"[{ci[0]:.4f}, {ci[1]:.4f}]"


def table(metrics: Mapping[str, Mapping[str, float]], higher_is_better: Mapping[str, bool] | None = None,
          intervals: Mapping[str, Any] | None = None, primary: Mapping[str, str] | None = None,
          corpus: Mapping[str, Mapping[str, float]] | None = None) -> str:
    """Metric rows, one column per stat (P/R/F first), four decimals (stored values keep full precision).

    A lower-is-better metric is marked ``(lower is better)``. With ``intervals``
    (a record's block) a last column holds the interval of the row's primary stat
    (``primary``, the record's); ``n/a`` where there were too few units for one.
    With ``corpus`` (a record's block: BLEU, chrF) a ``corpus`` column holds the corpus-level
    value of the row's primary stat (from summed statistics; the other columns are item means).
    """
    higher_is_better = higher_is_better or {}
    primary = _primaries(metrics, primary)
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
        if intervals is not None:
            stat = primary.get(name)
            ci = (intervals["metrics"].get(name) or {}).get(stat) if stat else None
            rows[-1].append(_ci_text(ci) + (f" ({LABELS.get(stat, stat)})" if stat and ci is not None else ""))
        if corpus:
            stat = primary.get(name)
            value = (corpus.get(name) or {}).get(stat) if stat else None
            rows[-1].append("-" if value is None else f"{value:.4f}")
    if intervals is not None:
        level = dict(Signature.parse(intervals["signature"]).components).get("level", "95")
        unit = "document" if intervals.get("unit_field") else "item"
        count = intervals["n_units"]
        rows[0].append(f"{level}% CI ({count} {unit}{'' if count == 1 else 's'})")
        columns = [*columns, rows[0][-1]]
    if corpus:  # after the interval of the item mean
        rows[0].append("corpus")
        columns = [*columns, "corpus"]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns) + 1)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def groups_table(groups: Mapping[str, Any], higher_is_better: Mapping[str, bool] | None = None,
                 primary: Mapping[str, str] | None = None) -> str:
    """Per group (``group_by``): the main stat of every metric with its interval."""
    values = groups["values"]
    if not values:
        return ""
    first = next(iter(values.values()))["metrics"]
    primary = _primaries(first, primary)
    cols = [(m, primary.get(m)) for m, stats in sorted(first.items(), key=lambda kv: display_order(kv[0]))]
    cols = [(m, s) for m, s in cols if s]
    rows = [[groups["by"], "items", *(f"{m} {LABELS.get(s, s)}" for m, s in cols)]]
    for name, g in values.items():
        cells = []
        for m, s in cols:
            ci = (g["intervals"].get(m) or {}).get(s)
            cells.append(f"{g['metrics'][m][s]:.4f} {_ci_text(ci)}")
        rows.append([name, str(g["n_items"]), *cells])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def of_record(record: Mapping[str, Any]) -> str:
    """The summary a run prints: the metric table with intervals, then the groups, if any."""
    out = table(record["metrics"], record.get("higher_is_better"), record.get("intervals"), record.get("primary"),
                record.get("corpus"))
    if record.get("groups"):
        out += "\n\n" + groups_table(record["groups"], record.get("higher_is_better"), record.get("primary"))
    return out
