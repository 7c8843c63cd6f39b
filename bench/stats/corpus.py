"""Resampling corpus values that are not means (BLEU, chrF): from summed sufficient statistics.

A corpus BLEU is not the mean of sentence BLEUs: it is computed once from the column sums of every
item's sufficient statistics (n-gram matches and totals, lengths). A resample of the corpus is
therefore a resample of those rows, summed, then scored again; never a mean of item scores.

- ``corpus_interval``: the percentile bootstrap interval of a corpus value, drawing the same units as
  every other interval of the run (documents when the dataset names them, else items: see
  ``bench.stats.intervals``), from its own seeded stream (salted with the metric's name).
- ``paired_bootstrap_p``: sacrebleu's paired bootstrap test (``sacrebleu.significance._paired_bs_test``,
  after Koehn 2004 and the Moses script): the same indices, float32 statistics and p-value, so a
  p-value here equals sacrebleu's for the same seed (tested). What ``bench compare`` reports.
- ``one_sided_p``: the gate's test on the same resamples of summed statistics: the share of resampled
  differences that do not have the observed sign (as ``bench.stats.paired.one_sample_bootstrap_p`` for
  means). On SummEval null pairs read as "p < 0.05 and a drop", sacrebleu's two-sided p flags as many
  drops as this one-sided test (about alpha), where a calibrated two-sided test would flag half as many:
  its centred statistic is liberal, so the gate decides with this one (docs/gate.md has the measured
  rates and ``benchmarks/gate_calibration.py`` the command).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from bench.stats import resample
from bench.stats.intervals import BootSpec, _unit_sums, percentile_bounds
from bench.values import Interval

Score = Callable[[Sequence[float]], float]  # summed sufficient statistics -> the corpus value


def corpus_value(rows: Sequence[Sequence[float]], score: Score) -> float:
    """The corpus value of all rows (their column sums, scored)."""
    return score(np.asarray(rows, dtype=np.float64).sum(axis=0))


def corpus_draws(rows: Sequence[Sequence[float]], units: Sequence[str] | None, spec: BootSpec, score: Score,
                 gen: np.random.Generator) -> np.ndarray:
    """``spec.resamples`` corpus values, each of a resample of units (all of a drawn unit's items)."""
    values = np.asarray(rows, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError("rows must be items x statistics")
    sums, _ = _unit_sums(values, units)
    # counts x unit sums: the statistics are whole numbers, so float64 sums are exact in any order
    return np.array([score(summed) for summed in resample.bootstrap_sums(gen, len(sums), spec.resamples, sums)[0]],
                    dtype=np.float64)


def corpus_interval(rows: Sequence[Sequence[float]], units: Sequence[str] | None, spec: BootSpec, score: Score,
                    *salt: str) -> Interval | None:
    """The percentile bootstrap interval of the corpus value of ``rows`` (None: fewer than ``min_units`` units).

    ``units`` as for ``bench.stats.intervals.unit_intervals`` (None: items); the stream is
    ``resample.rng(spec.seed, "corpus", *salt)``. The interval always holds the corpus value."""
    n_units = len(rows) if units is None else len(set(units))
    if n_units < spec.min_units:
        return None
    draws = corpus_draws(rows, None if units is None else list(units), spec, score,
                         resample.rng(spec.seed, "corpus", *salt))
    lo, hi = percentile_bounds(draws[:, None], spec.level)
    # the interval is drawn around the corpus value: a bound a percentile puts beside it (a corpus whose
    # resamples all score alike, or a very low level) moves onto it, as every stored interval of a mean does
    value = corpus_value(rows, score)
    return Interval(min(float(lo[0]), value), max(float(hi[0]), value))


def paired_bootstrap_p(base_rows: Sequence[Sequence[float]], run_rows: Sequence[Sequence[float]], score: Score,
                       resamples: int = 1000, seed: int = 0) -> float:
    """sacrebleu's paired bootstrap p-value of the corpus values of two systems on the same items.

    As ``sacrebleu.significance._paired_bs_test``: ``default_rng(seed).choice(n, (resamples, n))`` item
    indices shared by both systems, float32 statistics summed per resample, the test statistic the
    absolute difference of the two corpus values, the resampled absolute differences centred on their
    mean, and p = (#{centred > observed} + 1) / (resamples + 1). Two-sided: the caller reads the
    direction from the observed difference."""
    base = np.asarray(base_rows, dtype=np.float32)
    run = np.asarray(run_rows, dtype=np.float32)
    if base.shape != run.shape or base.ndim != 2:
        raise ValueError("both systems need one row of statistics per item, the same items")
    n = len(base)
    gen = np.random.default_rng(seed)
    idxs = gen.choice(n, size=(resamples, n), replace=True)
    observed = abs(score(np.asarray(base_rows, dtype=np.float64).sum(0).tolist())
                   - score(np.asarray(run_rows, dtype=np.float64).sum(0).tolist()))
    # one resample at a time (sacrebleu indexes all at once: resamples x items x stats floats); the same sums
    scores_base = np.array([score(base[row].sum(0)) for row in idxs])
    scores_run = np.array([score(run[row].sum(0)) for row in idxs])
    diffs = np.abs(scores_run - scores_base)
    centred = diffs - diffs.mean()
    return (int(np.sum(centred > observed)) + 1) / (resamples + 1)


def one_sided_p(base_rows: Sequence[Sequence[float]], run_rows: Sequence[Sequence[float]], score: Score,
                resamples: int = 2000, seed: int = 0) -> float:
    """One-sided paired bootstrap p-value that the corpus values' difference (run - base) has its observed
    sign only by chance: items resampled jointly (``resample.bootstrap_sums`` from ``default_rng(seed)``),
    each side's statistics summed exactly (whole numbers in float64) and scored; p = (#{resampled
    differences on the other side of zero, or zero} + 1) / (resamples + 1); 1 when the values are equal."""
    base = np.asarray(base_rows, dtype=np.float64)
    run = np.asarray(run_rows, dtype=np.float64)
    if base.shape != run.shape or base.ndim != 2:
        raise ValueError("both systems need one row of statistics per item, the same items")
    observed = score(run.sum(0).tolist()) - score(base.sum(0).tolist())
    if observed == 0.0:
        return 1.0
    gen = np.random.default_rng(seed)
    opposite = 0
    for b, r in zip(*resample.bootstrap_sums(gen, len(base), resamples, base, run)):
        d = score(r) - score(b)
        opposite += (d >= 0.0) if observed < 0 else (d <= 0.0)
    return (opposite + 1) / (resamples + 1)
