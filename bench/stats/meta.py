"""Meta-evaluation resampling: intervals on correlations and tests between metrics.

Deutsch, Dror and Roth (2021), "A Statistical Analysis of Summarization
Evaluation Metrics Using Resampling Methods" (and its nlpstats package):

- intervals: BOOT-INPUTS resamples documents, BOOT-SYSTEMS resamples systems,
  BOOT-BOTH (default) both; the same seeded resamples serve every metric, human
  dimension, level and coefficient, so intervals of two metrics are paired.
  Optionally the annotators are resampled too: each resample averages a
  resampled set of annotators (with replacement), which no reference tool does.
- tests, metric X vs metric Y on one human dimension: PERM-BOTH (default; also
  PERM-INPUTS, PERM-SYSTEMS) swaps the two metrics' (standardised) scores per
  system and per document at random; Williams' test for dependent correlations
  (the closed form nlpstats takes from R's ``psych::r.test``).

Everything is vectorised over resamples (``bench.stats.correlation.batched``);
nlpstats loops in Python and draws from numpy's global, unseeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.stats import correlation

SCHEMES = ("inputs", "systems", "both")
TESTS = ("perm-both", "perm-inputs", "perm-systems", "williams")


@dataclass(frozen=True)
class Resamples:
    """Row (system) and column (document) indices per resample."""

    systems: np.ndarray  # B x m
    docs: np.ndarray  # B x n


def draw(gen: np.random.Generator, m: int, n: int, resamples: int, scheme: str) -> Resamples:
    """Seeded indices for ``scheme`` (systems drawn first, then documents, as nlpstats does)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown resampling scheme {scheme!r}")
    rows = gen.integers(0, m, (resamples, m)) if scheme in ("systems", "both") else np.tile(np.arange(m), (resamples, 1))
    cols = gen.integers(0, n, (resamples, n)) if scheme in ("inputs", "both") else np.tile(np.arange(n), (resamples, 1))
    return Resamples(rows, cols)


def gather(M: np.ndarray, r: Resamples) -> np.ndarray:
    """B x m x n: the matrix ``M`` (m x n) under each resample."""
    return M[r.systems[:, :, None], r.docs[:, None, :]]


def weights(r: Resamples, m: int, n: int) -> np.ndarray:
    """Per resample, how often each cell (system-major) was drawn: B x (m n)."""
    B = len(r.systems)
    cs = np.zeros((B, m))
    cd = np.zeros((B, n))
    np.add.at(cs, (np.arange(B)[:, None], r.systems), 1)
    np.add.at(cd, (np.arange(B)[:, None], r.docs), 1)
    return (cs[:, :, None] * cd[:, None, :]).reshape(B, m * n)


def gather_human(Z: np.ndarray, r: Resamples, annotators: np.ndarray | None = None) -> np.ndarray:
    """Like ``gather`` for human scores; ``Z`` may be A x m x n (per annotator): then each resample
    averages the annotators ``annotators[b]`` (B x A indices, drawn with replacement), or all of
    them when annotators are not resampled."""
    if Z.ndim == 2:
        return gather(Z, r)
    if annotators is None:
        return gather(Z.mean(axis=0), r)
    out = np.empty((len(r.systems), Z.shape[1], Z.shape[2]))
    for b in range(len(r.systems)):  # B small matrices: the annotator mean differs per resample
        out[b] = Z[annotators[b]].mean(axis=0)[r.systems[b][:, None], r.docs[b][None, :]]
    return out


def percentile_interval(values: np.ndarray, level: float) -> tuple[float, float] | None:
    """Percentile bounds of the defined (non-NaN) resampled values; None when none is defined."""
    v = values[~np.isnan(values)]
    if len(v) == 0:
        return None
    tail = (1.0 - level) / 2.0
    return float(np.percentile(v, tail * 100)), float(np.percentile(v, (1 - tail) * 100))


def _standardise(M: np.ndarray) -> np.ndarray:
    # over all cells, as nlpstats: swapping cells of two metrics needs them on one scale
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant matrix: all NaN, its test is n/a
        return (M - M.mean()) / M.std()


def permutation_p(X: np.ndarray, Y: np.ndarray, Z: np.ndarray, level: str, coefficient: str, constant: str,
                  method: str, resamples: int, gen: np.random.Generator, chunk: int = 250) -> float:
    """Two-sided p-value that X and Y correlate equally with Z, by permutation (``perm-both`` etc.)."""
    Xs, Ys, Zs = _standardise(X), _standardise(Y), _standardise(Z)
    if np.isnan(Xs).any() or np.isnan(Ys).any() or np.isnan(Zs).any():  # a constant matrix: nothing to test
        return float("nan")
    z = correlation.Batch(Zs[None])  # never permuted: its ranks and pair signs are made once, then broadcast

    def diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return (correlation.correlate(correlation.Batch(a), z, level, coefficient, constant)
                - correlation.correlate(correlation.Batch(b), z, level, coefficient, constant))

    observed = diff(Xs[None], Ys[None])[0]
    if np.isnan(observed):
        return float("nan")
    m, n = X.shape
    extreme = 0
    done = 0
    while done < resamples:
        k = min(chunk, resamples - done)
        swap = np.zeros((k, m, n), dtype=bool)
        if method in ("perm-systems", "perm-both"):
            swap ^= gen.integers(2, size=(k, m, 1), dtype=bool)
        if method in ("perm-inputs", "perm-both"):
            swap ^= gen.integers(2, size=(k, 1, n), dtype=bool)
        d = diff(np.where(swap, Ys, Xs), np.where(swap, Xs, Ys))
        extreme += int(np.count_nonzero(np.abs(d) >= abs(observed)))  # NaN never counts
        done += k
    return (extreme + 1) / (resamples + 1)


def williams_p(X: np.ndarray, Y: np.ndarray, Z: np.ndarray, level: str, coefficient: str, constant: str) -> float:
    """Williams' two-sided test that r(X, Z) = r(Y, Z) given r(X, Y), with n as nlpstats takes it
    (systems at system level, documents' largest system count at summary level, cells when pooled)."""
    from scipy.stats import t as t_dist

    r12 = abs(correlation.point(X, Z, level, coefficient, constant).value)
    r13 = abs(correlation.point(Y, Z, level, coefficient, constant).value)
    r23 = abs(correlation.point(X, Y, level, coefficient, constant).value)
    n = {"system": X.shape[0], "summary": X.shape[0], "sample": X.size}[level]
    if n <= 3:  # the test's t has n - 3 degrees of freedom: undefined (n/a), not a division by zero
        return float("nan")
    det = 1 - r12 ** 2 - r23 ** 2 - r13 ** 2 + 2 * r12 * r23 * r13
    av = (r12 + r13) / 2
    cube = (1 - r23) ** 3
    with np.errstate(invalid="ignore", divide="ignore"):  # an undefined correlation (NaN) gives NaN, n/a
        t = (r12 - r13) * np.sqrt((n - 1) * (1 + r23) / ((2 * (n - 1) / (n - 3)) * det + av ** 2 * cube))
    return float(t_dist.sf(abs(t), n - 3) * 2)
