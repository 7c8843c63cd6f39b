"""Seeded resample indices and the count matrices that make resampled means one product.

A bootstrap resample of n units is a row of n indices drawn with replacement;
its mean is ``counts_row . values / n`` where ``counts_row[i]`` says how often
unit i was drawn. Turning index rows into count rows lets every metric, stat
and system share one (B x n) x (n x k) product (``weighted_sums``, in a fixed
summation order so every machine gets the same bits) instead of B fancy-indexing
passes. Rows are produced in chunks so memory stays bounded for large n.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

import numpy as np

# ~20M int64 cells (160 MB) per chunk of index rows, whatever n is.
CHUNK_CELLS = 20_000_000


def rng(seed: int, *salt: str) -> np.random.Generator:
    """A generator for ``seed``; with ``salt`` (e.g. a group name) an independent stream that
    does not depend on which other groups exist, so a group's interval is the same in any run
    that holds it."""
    if not salt:
        return np.random.default_rng(seed)
    digest = hashlib.sha256("\x00".join(salt).encode()).digest()
    return np.random.default_rng([seed, int.from_bytes(digest[:8], "little")])


def chunks(resamples: int, n: int) -> Iterator[int]:
    """Row counts per chunk: at most ``CHUNK_CELLS`` cells, at least one row."""
    step = max(1, min(resamples, CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < resamples:
        k = min(step, resamples - done)
        yield k
        done += k


def bootstrap_indices(gen: np.random.Generator, n: int, rows: int) -> np.ndarray:
    """``rows`` x ``n`` indices drawn with replacement, exactly as ``scipy.stats.bootstrap``
    (``rng.integers(0, n, (rows, n))``) and sacrebleu's paired bootstrap
    (``rng.choice(n, (rows, n))``, the same stream) draw them."""
    return gen.integers(0, n, (rows, n))


def counts(indices: np.ndarray, n: int) -> np.ndarray:
    """How often each of ``n`` units appears in each row of ``indices`` (rows x n, float64)."""
    rows = indices.shape[0]
    flat = (indices + n * np.arange(rows)[:, None]).ravel()
    return np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(np.float64)


def bootstrap_counts(gen: np.random.Generator, n: int, resamples: int) -> Iterator[np.ndarray]:
    """Count matrices for ``resamples`` bootstrap rows of ``n`` units, chunk by chunk, from one stream."""
    for rows in chunks(resamples, n):
        yield counts(bootstrap_indices(gen, n, rows), n)


def swap_masks(gen: np.random.Generator, n: int, rows: int) -> np.ndarray:
    """``rows`` x ``n`` booleans, True where a unit keeps its two systems' outputs in place, drawn
    as sacrebleu's approximate randomisation draws them (``rng.integers(2, size=..., dtype=bool)``)."""
    return gen.integers(2, size=(rows, n), dtype=bool)


def weighted_sums(c: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``c @ v`` (rows x units times units x columns) summed unit after unit, so every element is the
    same bits in every process, on every machine, whatever the other columns are.

    BLAS blocks a product by columns, threads and CPU kernels: the same column got a last-bit
    different sum when a shard merge held the stats in another order (seen in CI), and would across
    machines. Each step here is one elementwise multiply and add of a whole rows x columns slab."""
    rows, units = c.shape
    out = np.zeros((rows, v.shape[1]))
    term = np.empty_like(out)
    for j in range(units):
        np.multiply(c[:, j:j + 1], v[j], out=term)
        out += term
    return out
