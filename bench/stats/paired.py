"""Paired significance tests between systems scored on the same documents.

Both tests take a systems x documents score matrix and a list of system pairs
and return two-sided p-values for "the two systems' means differ", all pairs at
once (one matrix product per chunk of resamples).

- **Paired bootstrap** (Koehn 2004, as in sacrebleu): resample documents, once
  for all systems, so the pairing is kept. The p-value needs the null imposed:
  the bootstrap distribution of the difference is centred on the observed
  difference, so it is *shifted* to zero before asking how often it lands as far
  from zero as the observation. Counting ``|d*| >= |d|`` without the shift (the
  distribution around the observed effect) would make p about 0.5 for every real
  effect and never reject. sacrebleu centres ``|d*|`` on its own mean instead, a
  one-tailed count of a folded statistic, and rejects about 12% of null cases at
  alpha 0.05 (``benchmarks/stats_calibration.py``). The shifted mean alone
  rejected 6.5% there: the bootstrap spread of a mean is a little too narrow
  (the n rather than n - 1 divisor; normal rather than t tails), so the shifted
  difference is *studentised* by each resample's own standard error
  (bootstrap-t; Efron and Tibshirani 1993, ch. 16; Hall and Wilson 1991):
  ``t* = (d* - d) / se*``, ``t = d / se``, ``p = (#{|t*| >= |t|} + 1) / (B + 1)``.
- **Approximate randomisation** (Noreen 1989; Riezler and Maxwell 2005, as in
  sacrebleu): under the null the two outputs for a document are exchangeable, so
  each resample swaps them per document at random (flips the sign of that
  document's difference) and ``p = (#{|d*| >= |d|} + 1) / (B + 1)``.

All pairs share one BLAS product per chunk of resamples (ten thousand resamples of 120 pairs take a
fraction of a second); the results are the same bits on one machine, and another CPU's kernels may
move a resampled mean by its last bit. Record intervals, which a shard merge must reproduce exactly,
use ``resample.bootstrap_sums`` instead.

Counts use ``>=`` where sacrebleu uses ``>``: with identical systems every
shuffled difference equals the observed zero, and ``>`` would call them
different at p = 1/(B+1). The +1 keeps p > 0 and the test valid at any B.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bench.stats import resample

TESTS = ("bootstrap", "ar")


@dataclass(frozen=True)
class PairedResult:
    """Per pair: the observed mean difference (a - b), its p-value and, for the bootstrap, the
    percentile interval of the difference."""

    delta: np.ndarray
    p: np.ndarray
    ci: np.ndarray | None = None  # pairs x 2, bootstrap only


def _pair_arrays(pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    a = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    b = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    return a, b


def paired_bootstrap(scores: np.ndarray, pairs: Sequence[tuple[int, int]], resamples: int,
                     gen: np.random.Generator, level: float = 0.95) -> PairedResult:
    """Two-sided shifted paired bootstrap for every pair of rows of ``scores`` (systems x docs)."""
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[1]
    a, b = _pair_arrays(pairs)
    diffs = scores[a] - scores[b]  # pairs x docs
    observed = diffs.mean(axis=1)
    squares = (diffs * diffs).T
    t_obs = _studentised(observed, (diffs * diffs).mean(axis=1), observed, n)
    draws = np.empty((resamples, len(pairs)))
    extreme = np.zeros(len(pairs), dtype=np.int64)
    row = 0
    for c in resample.bootstrap_counts(gen, n, resamples):
        means = c @ diffs.T / n
        draws[row:row + len(c)] = means
        t_star = _studentised(means - observed, c @ squares / n, means, n)
        extreme += np.count_nonzero(np.abs(t_star) >= np.abs(t_obs), axis=0)  # NaN (0/0) never counts
        row += len(c)
    extreme[observed == 0.0] = resamples  # no difference at all is no evidence of one: p = 1
    tail = (1.0 - level) / 2.0
    ci = np.stack([np.percentile(draws, tail * 100, axis=0), np.percentile(draws, (1 - tail) * 100, axis=0)], axis=1)
    return PairedResult(observed, (extreme + 1) / (resamples + 1), ci)


def _studentised(shift: np.ndarray, second_moment: np.ndarray, mean: np.ndarray, n: int) -> np.ndarray:
    """``shift / se`` with se the standard error of a mean of n values (n - 1 divisor) from their
    first and second moments; a zero se gives +-inf for a non-zero shift (and NaN for 0/0)."""
    var = np.maximum(second_moment - mean * mean, 0.0) * (n / max(n - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return shift / np.sqrt(var / n)


def approximate_randomization(scores: np.ndarray, pairs: Sequence[tuple[int, int]], resamples: int,
                              gen: np.random.Generator) -> PairedResult:
    """Two-sided paired approximate randomisation for every pair of rows of ``scores``.

    One set of swap masks serves all pairs, as sacrebleu's one mask serves all
    metrics; each pair's test is valid on its own, and the correction for many
    pairs is applied to the p-values afterwards."""
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[1]
    a, b = _pair_arrays(pairs)
    diffs = scores[a] - scores[b]
    observed = np.abs(diffs.mean(axis=1))
    extreme = np.zeros(len(pairs), dtype=np.int64)
    for rows in resample.chunks(resamples, n):
        signs = np.where(resample.swap_masks(gen, n, rows), 1.0, -1.0)
        shuffled = np.abs(signs @ diffs.T / n)
        extreme += np.count_nonzero(shuffled >= observed, axis=0)
    return PairedResult(diffs.mean(axis=1), (extreme + 1) / (resamples + 1))


def one_sample_bootstrap_p(diffs: Sequence[float], resamples: int, seed: int) -> float:
    """One-sided bootstrap p-value that the mean of ``diffs`` has the observed sign only by chance
    (``bench check``'s paired test; see ``bench.compare``)."""
    d = np.asarray(diffs, dtype=np.float64)
    mean = d.mean()
    if mean == 0.0:
        return 1.0
    gen = np.random.default_rng(seed)
    n = len(d)
    means = resample.bootstrap_sums(gen, n, resamples, d[:, None])[0][:, 0] / n
    opposite = int(np.count_nonzero(means >= 0.0 if mean < 0 else means <= 0.0))
    return (opposite + 1) / (resamples + 1)
