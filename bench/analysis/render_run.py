"""One run's metrics (``bench show RUN --format markdown``) as Markdown; ``rows`` is what this table and the
LaTeX one (``render_latex.run``) show: per metric each stat's mean with the run's interval, then each
corpus value (BLEU, chrF: from summed statistics, not a mean) with its interval; quality metrics first,
the descriptive statistics (not gated) apart."""

from __future__ import annotations

from typing import Any

from bench.metrics.registry import display_order
from bench.results.model import MetricSummary, Run
from bench.signature import Signature
from bench.text import md, md_code, md_row
from bench.values import Interval

Entry = tuple[str, float, "Interval | None"]  # (stat label, value, interval)


def _entries(m: MetricSummary, with_intervals: bool) -> list[Entry]:
    out: list[Entry] = [(stat, mean, m.interval_of(stat) if with_intervals else None) for stat, mean in m.items()]
    for stat, corpus in (m.corpus or {}).items():
        name = "corpus" if len(m.corpus) == 1 else f"corpus {stat}"
        out.append((name, corpus, m.corpus_intervals.get(stat) if with_intervals else None))
    return out


def rows(run: Run) -> list[tuple[bool, list[tuple[MetricSummary, list[Entry]]]]]:
    """``(descriptive, [(metric, [(stat, value, interval), ...]), ...])``: the quality metrics, then the
    descriptive statistics (where the run has any), each in the usual order (ROUGE first)."""
    with_intervals = run.interval_info is not None
    metrics = sorted(run.metrics.values(), key=lambda m: display_order(m.name))
    out = []
    for descriptive in (False, True):
        chosen = [(m, _entries(m, with_intervals)) for m in metrics if bool(m.facts.descriptive) == descriptive]
        if chosen:
            out.append((descriptive, chosen))
    return out


def _value(x: float, ci: Any, with_intervals: bool) -> str:
    shown = "n/a" if x != x else f"{x:.4f}"
    return shown + ((" n/a" if ci is None else f" {ci.text()}") if with_intervals else "")


def markdown(run: Run) -> str:
    """GitHub Markdown: a table of the quality metrics and one of the descriptive statistics (with their
    ranges), then the interval's signature and each metric's."""
    info = run.interval_info
    with_intervals = info is not None
    out = [f"### {md(run.experiment)}: {run.inputs.items} items\n"]
    if info is not None:
        level = Signature.parse(info.signature).as_dict().get("level", "?")
        out.append(f"mean [{md(level)}% bootstrap interval over "
                   f"{info.n_units} {md(info.unit)}s]; corpus: the corpus value from summed statistics\n")
    for descriptive, metrics in rows(run):
        head = ["metric", "stat", "value", *(["range"] if descriptive else [])]
        if descriptive:
            out.append("descriptive (not gated)\n")
        out.append(md_row(head))
        out.append("|---|---|---:|" + ("---|" if descriptive else ""))
        for m, entries in metrics:
            for i, (stat, x, ci) in enumerate(entries):
                name = (m.name if m.higher_is_better else f"{m.name} (lower is better)") if i == 0 else ""
                if i == 0 and m.missing:
                    name += f" ({m.missing} missing)"
                row = [name, stat, _value(x, ci, with_intervals)]
                if descriptive:
                    row.append(m.facts.range_text() if i == 0 else "")
                out.append(md_row(row))
        out.append("")
    if info is not None:
        out.append(f"intervals: {md_code(info.signature)}\n")
    out += [f"- {md(m.name)}: {md_code(m.signature)}" for _, metrics in rows(run) for m, _ in metrics if m.signature]
    return "\n".join(out) + "\n"
