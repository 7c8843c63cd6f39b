"""``bench compare``' core: N runs of the same items side by side, each against the first.

Pure: it takes ``Run``s (``bench.results.model.Run``, saved or not) and returns a ``Comparison``.
For every metric the runs share, its primary stat (its ``Facts``): each run's mean with the run's
own interval (the one ``bench ls`` and ``bench show`` print), and each later run's difference
from the first with the paired tests of ``bench systems`` (``bench.stats.paired`` on items paired
by id, the same seeded resamples for every run, the same correction over the runs of one metric
and test; ``spec.cluster_test`` decides *significant*, the others are reported beside it). Runs are
named by what differs in their configs (``bench.analysis.labels``). Runs must score the same
items against the same references; their metric settings may differ (that is what a sweep
compares).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from bench.analysis import artefacts, labels
from bench.analysis.artefacts import Source
from bench.errors import BenchError
from bench.signature import Signature
from bench.stats import correction, paired
from bench.stats.leaderboard import SystemsSpec
from bench.stats.pairing import natural_key
from bench.values import Interval


@dataclass(frozen=True)
class Shown:
    """A metric compared: the stat shown (its primary) and its direction."""

    metric: str
    stat: str
    higher_is_better: bool


@dataclass(frozen=True)
class Value:
    """One run's mean of one metric, with the run's own interval (None: n/a or not recorded)."""

    label: str
    metric: str
    stat: str
    mean: float
    ci: Interval | None
    interval_signature: str | None


@dataclass(frozen=True)
class Difference:
    """One later run against the first on one metric, by one test (``decides``: the test that says *significant*)."""

    label: str
    metric: str
    stat: str
    delta: float
    better: bool | None  # None: no difference
    test: str
    p: float
    p_adjusted: float
    significant: bool
    decides: bool


@dataclass(frozen=True)
class CorpusValue:
    """One run's corpus value of a corpus metric (BLEU, chrF) with the run's own interval of it, and for a
    later run its difference from the first with sacrebleu's paired bootstrap p (two-sided; None for the first)."""

    label: str
    metric: str
    stat: str
    value: float
    ci: Interval | None
    delta: float | None = None
    p: float | None = None


@dataclass(frozen=True)
class Comparison:
    """Everything ``bench compare`` decided; its JSON form (``to_json``) is these fields in the ``compare``
    envelope. ``labels``: each run's name in the table; ``legend``: the full labels when they were too long."""

    signature: str
    labels: tuple[str, ...]
    metrics: tuple[Shown, ...]
    values: tuple[Value, ...]  # one per (run, metric)
    differences: tuple[Difference, ...]  # one per (later run, metric, test)
    sources: tuple[Source, ...]
    notes: tuple[str, ...] = ()
    legend: tuple[str, ...] = ()
    corpus: tuple[CorpusValue, ...] = ()  # per (run, corpus metric): the corpus value papers report

    def to_json(self) -> dict[str, Any]:
        """The tidy-rows JSON contract (``bench compare --format json``; what the artefact stores)."""
        return artefacts.plain("compare", self)

    def value(self, label: str, metric: str) -> Value:
        return next(v for v in self.values if v.label == label and v.metric == metric)

    def deciding(self, label: str, metric: str) -> Difference | None:
        """The deciding test's difference of a later run on a metric (None for the first run)."""
        return next((d for d in self.differences if d.label == label and d.metric == metric and d.decides), None)


def signature(spec: SystemsSpec) -> str:
    """``compare|tests:bootstrap,ar|decides:ar|resamples:10000|seed:0|correction:holm|alpha:0.05|unit:item``."""
    return str(Signature("compare", (
        ("tests", ",".join(spec.tests)), ("decides", spec.cluster_test), ("resamples", str(spec.resamples)),
        ("seed", str(spec.seed)), ("correction", spec.correction), ("alpha", f"{spec.alpha:g}"), ("unit", "item"))))


def _check(runs: Sequence[Any], where: Sequence[Any]) -> list[str]:
    """The items the runs share (natural order); a BenchError when they score different items or references.

    Items first: a run that lacks an item also has a different references fingerprint (it covers every
    item), and "different references" would hide the item to add; the message names it, as ``bench systems``
    does. Then each shared item's references, then the fingerprint (a run without per-item hashes)."""
    first = runs[0]
    ids = list(first.ids)
    want = {s.id: s.references_sha256 for s in first.samples}
    for run, place in zip(runs[1:], where[1:]):
        other = set(run.ids)
        if other != set(ids):
            parts = []
            for name, lacking in ((place, set(ids) - other), (where[0], other - set(ids))):
                if lacking:
                    shown = sorted(lacking, key=natural_key)
                    parts.append(f"{name} lacks {', '.join(shown[:5])}" + (f" and {len(shown) - 5} more" if len(shown) > 5 else ""))
            raise BenchError(f"runs {where[0]} and {place} score different items ({len(ids)} vs {len(other)}): "
                             + "; ".join(parts), "compare runs of the same items (score the missing ones, or select the common ones)")
        bad = sorted((s.id for s in run.samples if s.references_sha256 is not None
                      and want.get(s.id) is not None and s.references_sha256 != want[s.id]), key=natural_key)
        if bad:
            raise BenchError(f"the runs' references differ for items {', '.join(bad[:5])}"
                             + (f" and {len(bad) - 5} more" if len(bad) > 5 else ""),
                             "compare runs scored against the same references")
        if run.inputs.references_fingerprint != first.inputs.references_fingerprint:
            raise BenchError(f"runs {where[0]} and {place} score against different references",
                             "compare runs scored on the same dataset, split and selection")
    return sorted(ids, key=natural_key)


def compare(runs: Sequence[Any], spec: SystemsSpec, metrics: Sequence[str] | None = None,
            names: Sequence[str] | None = None) -> Comparison:
    """The comparison of ``runs`` (at least two validated ``Run``s) under ``spec`` (pure: no disk, no printing)."""
    if len(runs) < 2:
        raise BenchError("a comparison needs at least two runs", "pass two or more runs")
    spec.cluster_tests()
    if names and len(names) != len(runs):
        raise BenchError(f"names has {len(names)} names for {len(runs)} runs", "give one name per run")
    where = artefacts.where(runs)
    ids = _check(runs, where)
    shared = [m for m in runs[0].metrics if all(m in r.metrics for r in runs)]
    if metrics:
        unknown = [m for m in metrics if m not in shared]
        if unknown:
            raise BenchError(f"no metric {', '.join(unknown)} in every run", f"choose from {', '.join(shared) or '(none)'}")
        shared = [m for m in shared if m in metrics]
    if not shared:
        raise BenchError("the runs share no metric", "compare runs scored with the same metrics")
    named = labels.of(runs)
    names_ = list(names) if names else list(named.short)
    legend = () if names else named.legend
    chosen = [Shown(m, runs[0].facts[m].primary, runs[0].facts[m].higher_is_better) for m in shared]
    values, diffs = [], []
    left_out: list[str] = []
    for shown in chosen:
        metric, stat = shown.metric, shown.stat
        for label, run in zip(names_, runs):
            info = run.interval_info
            values.append(Value(label, metric, stat, float(run.metrics[metric][stat]),
                                run.metrics[metric].interval_of(stat), None if info is None else info.signature))
        by_id = [dict(zip(run.ids, run.scores(metric, stat))) for run in runs]
        scores = np.array([[float(col[i]) for i in ids] for col in by_id])
        kept = ~np.isnan(scores).any(axis=0)  # NaN: an item without a value (an unparsed LLM-judge answer)
        if not kept.all():  # the paired tests pair items with a value in every run
            if kept.sum() < 2:
                raise BenchError(f"metric {metric} has a value in every run on {int(kept.sum())} item(s) (the others "
                                 "have none: unparsed judge answers); a paired test needs 2",
                                 "rescore the items without a value, or leave the metric out (metrics=[...])")
            left_out.append(f"{metric}: {int((~kept).sum())} item(s) without a value in some run left out of the "
                            f"paired tests; tested on {int(kept.sum())}")
            scores = scores[:, kept]
        pairs = [(k, 0) for k in range(1, len(runs))]  # delta = run k - first
        tested: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for test in spec.tests:
            gen = np.random.default_rng(spec.seed)
            if test == "bootstrap":
                result = paired.paired_bootstrap(scores, pairs, spec.resamples, gen, spec.level)
            else:
                result = paired.approximate_randomization(scores, pairs, spec.resamples, gen)
            tested[test] = (result.delta, result.p, correction.adjust(result.p, spec.correction))
        if spec.cluster_test == "max":  # both tests must find it: the larger adjusted p, as bench systems
            (d, pb, qb), (_, pa, qa) = tested["bootstrap"], tested["ar"]
            tested["max"] = (d, np.maximum(pb, pa), np.maximum(qb, qa))
        for test, (delta_, p_, q_) in tested.items():
            for (k, _), delta, p, q in zip(pairs, delta_, p_, q_):
                diffs.append(Difference(names_[k], metric, stat, float(delta),
                                        bool((delta > 0) == shown.higher_is_better) if delta != 0 else None, test,
                                        float(p), float(q), bool(q < spec.alpha), test == spec.cluster_test))
    note = spec.resolution_note(len(runs) - 1)
    return Comparison(signature(spec), tuple(names_), tuple(chosen), tuple(values), tuple(diffs),
                      tuple(Source.of(r, w) for r, w in zip(runs, where)), ((note,) if note else ()) + tuple(left_out),
                      tuple(legend),
                      corpus_values(runs, names_, [m.metric for m in chosen], ids, spec))


def corpus_values(runs: Sequence[Any], names: Sequence[str], metrics: Sequence[str], ids: Sequence[str],
                  spec: SystemsSpec) -> tuple[CorpusValue, ...]:
    """Each run's corpus value of each corpus metric every run holds statistics for, and each later run's
    difference from the first with sacrebleu's paired bootstrap on the items' statistics paired by id
    (``spec.ci_resamples`` resamples, ``spec.seed``; ``bench.stats.corpus.paired_bootstrap_p``)."""
    from bench.results.corpus import corpus_metric
    from bench.stats.corpus import paired_bootstrap_p

    out: list[CorpusValue] = []
    for metric in metrics:
        found = [corpus_metric(run, metric) for run in runs]
        if any(f is None for f in found):
            continue
        aligned = []
        for run, f in zip(runs, found):
            at = {i: k for k, i in enumerate(run.ids)}
            aligned.append([f.rows[at[i]] for i in ids])
        first = found[0].value()
        for k, (label, run, f) in enumerate(zip(names, runs, found)):
            value = f.value()
            ci = run.metrics[metric].corpus_intervals.get(f.stat)
            if k == 0:
                out.append(CorpusValue(label, metric, f.stat, value, ci))
            else:
                p = paired_bootstrap_p(aligned[0], aligned[k], found[0].score, spec.ci_resamples, spec.seed)
                out.append(CorpusValue(label, metric, f.stat, value, ci, value - first, p))
    return tuple(out)
