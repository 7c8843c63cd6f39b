"""Seeded resample indices and the resampled sums every bootstrap in bench is made of.

A bootstrap resample of n units is a row of n indices drawn with replacement;
its mean is ``counts_row . values / n`` where ``counts_row[i]`` says how often
unit i was drawn. Turning index rows into count rows lets every metric, stat
and system share one (B x n) x (n x k) product instead of B fancy-indexing
passes. Record intervals take that product in a fixed summation order
(``weighted_sums``, ``bootstrap_sums``) so every machine gets the same bits.

``bootstrap_sums`` is the path that scales: it never holds a resamples x units
matrix of indices or float counts, only the compact counts of a group of rows
(``GROUP_CELLS`` bytes), so 10^6 units cost the same transient memory as 10^4.
Its resamples are those of ``bootstrap_counts`` (the same draws from the same
stream: numpy's bounded integers below 2**32 come from the generator's own
buffered 32-bit stream, so one (rows, n) call and any split of it into row
groups give the same numbers and leave the generator in the same state; tested).
"""

from __future__ import annotations

import hashlib
from typing import Iterator

import numpy as np

# ~20M int64 cells (160 MB) per chunk of index rows, whatever n is (``bootstrap_counts``, ``chunks``).
CHUNK_CELLS = 20_000_000
# ``bootstrap_sums``: bytes of compact counts held per group of resample rows (one byte a cell almost always),
# index cells drawn per call (at least one row; the indices, their bincount and its cast: small enough to stay in
# cache, which makes bincount twice as fast as 16 MB calls), the most rows per
# group (more rows only make the folded slabs outgrow the cache), and the float64 cells of one folded slab of units.
GROUP_CELLS = 1 << 26
DRAW_CELLS = 1 << 17
GROUP_ROWS = 256
BLOCK_CELLS = 1 << 16


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
    same bits in every process, on every machine, whatever the other columns are:
    ``out[r, k] = (((0.0 + c[r, 0] * v[0, k]) + c[r, 1] * v[1, k]) + ...)``, each product and sum rounded
    on its own.

    BLAS blocks a product by columns, threads and CPU kernels: the same column got a last-bit
    different sum when a shard merge held the stats in another order (seen in CI), and would across
    machines. The units are added in slabs (``_fold``), in C, in that order."""
    c = np.asarray(c)
    v = np.asarray(v, dtype=np.float64)
    if c.ndim != 2 or v.ndim != 2 or c.shape[1] != v.shape[0]:
        raise ValueError(f"weighted_sums needs rows x units and units x columns, got {c.shape} and {v.shape}")
    return _fold(c, np.ascontiguousarray(v))


def bootstrap_sums(gen: np.random.Generator, n: int, resamples: int, *values: np.ndarray) -> list[np.ndarray]:
    """For each of ``values`` (units x columns), its ``resamples`` x columns resampled sums: exactly
    ``weighted_sums(c, v)`` over the chunks ``c`` of ``bootstrap_counts(gen, n, resamples)`` stacked, the same
    bits, with the generator left in the same state, in memory that does not grow with ``resamples`` and
    grows with ``n`` far slower than ``values`` themselves do: ``GROUP_CELLS`` bytes of counts and three int64
    arrays of ``max(n, DRAW_CELLS)`` cells while a row is drawn (about 90 MiB at 10^6 units; tracemalloc's peak
    in benchmarks/bootstrap_scale.py).

    Every matrix is summed over the same resamples, so one call serves sums and their divisors (a ratio
    of means) or two systems' statistics (a paired test)."""
    if n < 1:
        raise ValueError(f"bootstrap_sums needs at least one unit, got n={n}")
    mats = [np.ascontiguousarray(np.asarray(v, dtype=np.float64)) for v in values]
    for v in mats:
        if v.ndim != 2 or v.shape[0] != n:
            raise ValueError(f"bootstrap_sums needs {n} units x columns, got {v.shape}")
    outs = [np.empty((resamples, v.shape[1])) for v in mats]
    step = max(1, min(resamples, GROUP_ROWS, GROUP_CELLS // n))
    for start in range(0, resamples, step):
        rows = min(step, resamples - start)
        counts_rows = _group_counts(gen, n, rows)
        for v, out in zip(mats, outs):
            out[start:start + rows] = _fold(counts_rows, v)
        del counts_rows  # before the next group's are drawn: one group in memory at a time
    return outs


def _group_counts(gen: np.random.Generator, n: int, rows: int) -> np.ndarray:
    """``rows`` x ``n`` counts of the next ``rows`` bootstrap rows, in the narrowest unsigned type that holds them
    (a unit drawn 256 times in one row widens it; the counts are exact in every type)."""
    out = np.empty((rows, n), dtype=np.uint8)
    per_call = max(1, DRAW_CELLS // n)
    for s in range(0, rows, per_call):
        q = min(per_call, rows - s)
        idx = gen.integers(0, n, (q, n))  # the same numbers as the rows of one (rows, n) call
        idx += n * np.arange(q)[:, None]
        cnt = np.bincount(idx.ravel(), minlength=q * n).reshape(q, n)
        del idx
        top = int(cnt.max())
        if top > np.iinfo(out.dtype).max:
            out = out.astype(np.min_scalar_type(top))
        out[s:s + q] = cnt
    return out


def _fold(c: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``weighted_sums`` of ``c`` (rows x units, any real dtype) and a C-contiguous float64 ``v``.

    A slab of units is laid out units x columns x rows, the running total prepended as its first unit,
    and reduced along the units axis: numpy reduces a non-innermost axis by adding whole rows of the
    slab one after another (``out[:] += slab[i]``: a sequential fold per element, no pairwise summation,
    which numpy applies only along the innermost axis). A slab of one element per unit would make the
    units axis innermost, so a lone column of a lone row gets a zero column beside it."""
    rows, units = c.shape
    cols = v.shape[1]
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols))
    if rows * cols == 1:
        return _fold(c, np.hstack([v, np.zeros((units, 1))]))[:, :1].copy()
    acc = np.zeros((cols, rows))
    step = max(1, BLOCK_CELLS // (rows * cols))
    slab = np.empty((min(step, units) + 1, cols, rows))
    for j0 in range(0, units, step):
        m = min(step, units - j0)
        t = slab[:m + 1]
        t[0] = acc
        block = np.array(c[:, j0:j0 + m].T, dtype=np.float64, order="C")  # units x rows, as floats
        np.multiply(block[:, None, :], v[j0:j0 + m, :, None], out=t[1:])  # c * v, in that order
        np.add.reduce(t, axis=0, out=acc)
    return np.ascontiguousarray(acc.T)
