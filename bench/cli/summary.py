"""The summary tables a run prints (``bench run``, ``bench merge``) and ``bench show``'s groups: renderings
of a typed ``Run``, nothing else.

Quality metrics come first, one row each, with the interval of the row's primary stat and, for the
metrics that have one (BLEU, chrF), the corpus value and its interval; descriptive statistics (lengths,
compression, coverage, density, n-gram ratios) follow in a block of their own, with their range, because
they describe the summaries and are never gated unless asked for.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from bench.metrics.registry import display_order
from bench.results.model import Group, IntervalInfo, MetricSummary, Run
from bench.stats.intervals import natural_key

# Column labels for the usual stats; any other stat gets a column under its own name.
LABELS = {"precision": "P", "recall": "R", "fmeasure": "F", "f1": "F"}
DESCRIPTIVE_HEADING = "descriptive (not gated)"


def ci_text(ci: object) -> str:
    """An interval as every table prints it, ``n/a`` where there were too few units for one."""
    return "n/a" if ci is None else ci.text()  # type: ignore[attr-defined]


def ci_heading(info: IntervalInfo, what: str = "CI") -> str:
    """``95% CI (12 documents)``."""
    count = info.n_units
    return f"{info.level}% {what} ({count} {info.unit}{'' if count == 1 else 's'})"


def ordered(metrics: Iterable[MetricSummary]) -> list[MetricSummary]:
    """The metrics' usual order (registry.display_order: ROUGE first), then the rest."""
    return sorted(metrics, key=lambda m: display_order(m.name))


def value_text(value: float) -> str:
    """A mean as every table prints it: four decimals, ``n/a`` for a stat no item has a value of (NaN)."""
    return "n/a" if value != value else f"{value:.4f}"


def missing_text(m: MetricSummary) -> str:
    """`` (2 missing)`` for a metric with items without a value (unparsed LLM-judge answers), else ``""``."""
    return f" ({m.missing} missing)" if m.missing else ""


def _label(m: MetricSummary) -> str:
    return (m.name if m.higher_is_better else f"{m.name} (lower is better)") + missing_text(m)


def _align(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def table(metrics: Sequence[MetricSummary], info: IntervalInfo | None = None, first: str = "metric",
          ranges: bool = False) -> str:
    """Metric rows, one column per stat (P/R/F first), four decimals (stored values keep full precision).

    A lower-is-better metric is marked ``(lower is better)``. With ``info`` (the run had intervals) a
    column holds the interval of the row's primary stat, ``n/a`` where there were too few units. Metrics
    with a corpus value (BLEU, chrF: from summed statistics; the other columns are item means) add a
    ``corpus`` column, and with ``info`` its interval. ``ranges``: a last column with each metric's range.
    """
    metrics = ordered(metrics)
    columns: list[str] = []
    for m in metrics:
        for stat in m:
            label = LABELS.get(stat, stat)
            if label not in columns:
                columns.append(label)
    order = {"P": 0, "R": 1, "F": 2}
    columns.sort(key=lambda c: (order.get(c, 3), c))
    corpus = any(m.corpus_value is not None for m in metrics)
    head = [first, *columns]
    if info is not None:
        head.append(ci_heading(info))
    if corpus:
        head += ["corpus", *(["corpus CI"] if info is not None else [])]
    if ranges:
        head.append("range")
    rows = [head]
    for m in metrics:
        by_label = {LABELS.get(stat, stat): v for stat, v in m.items()}
        row = [_label(m), *(value_text(by_label[c]) if c in by_label else "-" for c in columns)]
        if info is not None:
            row.append(ci_text(m.interval) + (f" ({LABELS.get(m.primary, m.primary)})" if m.interval is not None else ""))
        if corpus:
            value = m.corpus_value
            row.append("-" if value is None else f"{value:.4f}")
            if info is not None:
                row.append("-" if value is None else ci_text(m.corpus_interval))
        if ranges:
            row.append(m.facts.range_text())
        rows.append(row)
    return _align(rows)


def groups_table(groups: Mapping[str, Group], by: str | None) -> str:
    """Per group (``group_by``): the main stat of every metric with its interval, quality metrics first."""
    if not groups:
        return ""
    first = next(iter(groups.values()))
    cols = sorted(ordered(first.metrics.values()), key=lambda m: m.facts.descriptive)  # stable: quality first
    rows = [[by or "group", "items", *(f"{m.name} {LABELS.get(m.primary, m.primary)}" for m in cols)]]
    for name in sorted(groups, key=natural_key):  # M0, M1, M2, ..., M10 (stored in string order)
        g = groups[name]
        cells = [f"{value_text(g.metrics[m.name].value)} {ci_text(g.metrics[m.name].interval)}" for m in cols]
        rows.append([name, str(g.n_items), *cells])
    return _align(rows)


def of_run(run: Run) -> str:
    """The summary a run prints: quality metrics with intervals and corpus values, then the descriptive
    statistics in a block of their own, then the groups, if any."""
    quality = [m for m in run.metrics.values() if not m.facts.descriptive]
    descriptive = [m for m in run.metrics.values() if m.facts.descriptive]
    info = run.interval_info
    parts = []
    if quality:
        parts.append(table(quality, info))
    if descriptive:
        parts.append(table(descriptive, info, first=DESCRIPTIVE_HEADING, ranges=True))
    if run.groups:
        parts.append(groups_table(run.groups, run.group_by))
    usage = usage_lines(run)
    if usage:
        parts.append(usage)
    return "\n\n".join(parts)


def usage_lines(run: Run) -> str:
    """What model-based metrics (an LLM judge) used: tokens, cost when priced, unparsed answers, cut
    sources, and how many answers came from the cache (one line per metric that reports tokens)."""
    lines = []
    for name, notes in sorted(run.notes.items()):
        if "prompt_tokens" not in notes:
            continue
        text = f"{name}: {notes['prompt_tokens']:,} prompt + {notes.get('completion_tokens', 0):,} completion tokens"
        if notes.get("cost_usd") is not None:
            text += f", cost ${notes['cost_usd']:.4f}"
        text += f"; unparsed {notes.get('unparsed_items', 0)} item(s)"
        if notes.get("truncated_sources"):
            text += f"; {notes['truncated_sources']} source(s) truncated"
        lines.append(text)
    for notes in run.volatile.notes.values():  # the run's calls are noted once, on its first judge metric
        if "calls_made" in notes:
            lines.append(f"model calls: {notes['calls_made']} made, {notes.get('cache_hit_requests', 0)} answered "
                         "from the response cache")
            break
    return "\n".join(lines)
