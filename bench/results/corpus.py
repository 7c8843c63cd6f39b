"""Corpus values of a stored run's items: any subset (one system, a resample) scored from summed statistics.

A stored run keeps each corpus metric's per-item sufficient statistics (``corpus_stats`` in
``samples.jsonl``); what turns a sum of them into a score is the metric itself, built again from
the options the run recorded (its config). So the gate, ``bench systems`` and ``bench compare`` get
sacrebleu's corpus BLEU of any set of items without scoring a text again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from bench.errors import BenchError
from bench.results.model import Run, thawed

Score = Callable[[Sequence[float]], float]


@dataclass(frozen=True)
class CorpusMetric:
    """One corpus metric of a run: its per-item statistics (item order) and the scorer of summed statistics."""

    name: str
    stat: str
    rows: tuple[tuple[float, ...], ...]
    score: Score

    def value(self, indices: Sequence[int] | None = None) -> float:
        """The corpus value of the items at ``indices`` (all items: the run's corpus value)."""
        from bench.stats.corpus import corpus_value

        rows = self.rows if indices is None else [self.rows[k] for k in indices]
        return corpus_value(rows, self.score)


def corpus_metric(run: Run, metric: str, stat: str | None = None) -> CorpusMetric | None:
    """``metric``'s corpus statistics and scorer in ``run``, or None: not a corpus metric, or a run stored
    before its statistics were (its corpus value is still in ``run.metrics[metric].corpus``)."""
    summary = run.metrics.get(metric)
    if summary is None or not summary.facts.corpus:
        return None
    rows = run.corpus_rows(metric)
    if rows is None:
        return None
    stat = summary.primary if stat is None else stat
    built = _metric_of(run, metric)
    return CorpusMetric(metric, stat, tuple(rows), lambda summed: built.corpus_from(summed)[stat])


def _metric_of(run: Run, metric: str):
    """The metric object that scored ``metric`` in ``run``, built from the run's recorded options."""
    from bench.config import parse
    from bench.metrics.registry import build

    config = parse(thawed(run.config))
    for family, spec in config.metrics.items():
        built = build(family, spec)
        if metric in built.names() and hasattr(built, "corpus_from"):
            return built
    raise BenchError(f"run {run.name} records no metric family that scores {metric!r} as a corpus",
                     "re-run the experiment with this bench")
