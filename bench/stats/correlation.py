"""Correlations of metric scores with human judgments, at three levels, batched over resamples.

Scores are systems x documents matrices (``X`` a metric, ``Z`` a human
dimension). Levels, in the words of the SummEval / G-Eval / UniEval scripts
and of nlpstats (Deutsch et al. 2021):

- ``sample`` (nlpstats "global"): every (system, document) cell pooled;
- ``summary`` (nlpstats "input"): per document, correlate over its systems,
  then average over documents;
- ``system``: per-system means over documents, then correlate over systems.

A group whose metric or human scores are all equal has no correlation. The
rule is explicit (``constant``): ``skip`` leaves such documents out of the
summary-level average (as the G-Eval and UniEval scripts and nlpstats do);
``zero`` counts them as 0. The number used and skipped is reported.

Point values are scipy's own (``pearsonr``, ``spearmanr``, ``kendalltau``,
tau-b or tau-c), so they equal scipy exactly; resampled values are computed
here in batches of whole arrays (equal to scipy within 1e-12, tested), which is
what makes a 1,000-resample interval take milliseconds instead of seconds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Callable

import numpy as np

LEVELS = ("sample", "summary", "system")
COEFFICIENTS = ("pearson", "spearman", "kendall", "kendall_c")
CONSTANT_RULES = ("skip", "zero")


@dataclass(frozen=True)
class Value:
    """A correlation with the number of groups it averaged and skipped (summary level; else 1 and 0)."""

    value: float
    used: int
    skipped: int


# ---- point values: scipy itself -------------------------------------------------------------

def _scipy(coefficient: str) -> Callable[[np.ndarray, np.ndarray], float]:
    import scipy.stats as st

    if coefficient == "pearson":
        return lambda x, z: float(st.pearsonr(x, z)[0])
    if coefficient == "spearman":
        return lambda x, z: float(st.spearmanr(x, z)[0])
    if coefficient == "kendall":
        return lambda x, z: float(st.kendalltau(x, z, variant="b")[0])
    if coefficient == "kendall_c":
        return lambda x, z: float(st.kendalltau(x, z, variant="c")[0])
    raise ValueError(coefficient)


def _constant(v: np.ndarray) -> bool:
    return bool(np.all(v == v[0]))


def point(X: np.ndarray, Z: np.ndarray, level: str, coefficient: str, constant: str = "skip") -> Value:
    """The correlation of ``X`` with ``Z`` (systems x documents) at ``level``, by scipy."""
    f = _scipy(coefficient)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on constant input; the rule below decides
        if level == "sample":
            x, z = X.ravel(), Z.ravel()
            return Value(float("nan") if _constant(x) or _constant(z) else f(x, z), 1, 0)
        if level == "system":
            x, z = X.mean(axis=1), Z.mean(axis=1)
            return Value(float("nan") if _constant(x) or _constant(z) else f(x, z), 1, 0)
        values, skipped = [], 0
        for j in range(X.shape[1]):
            x, z = X[:, j], Z[:, j]
            if _constant(x) or _constant(z):
                skipped += 1
                if constant == "zero":
                    values.append(0.0)
                continue
            values.append(f(x, z))
    used = len(values)
    return Value(float(np.mean(values)) if values else float("nan"), used, skipped)


# ---- batched values: whole arrays at once ---------------------------------------------------

def average_ranks(a: np.ndarray) -> np.ndarray:
    """Ranks (1..k) along the last axis, ties sharing their average rank (``scipy.stats.rankdata``'s
    default), for many rows at once: one sort, then tie groups found by ``bincount`` over all rows."""
    shape = a.shape
    k = shape[-1]
    rows = a.reshape(-1, k)
    order = np.argsort(rows, axis=1, kind="stable")
    sorted_ = np.take_along_axis(rows, order, axis=1)
    new_group = np.ones_like(sorted_, dtype=bool)
    new_group[:, 1:] = sorted_[:, 1:] != sorted_[:, :-1]
    group = np.cumsum(new_group.ravel()) - 1  # tie groups, numbered across all rows
    size = np.bincount(group)
    first = np.cumsum(size) - size  # flat position of each group's first member
    position = np.arange(group.size) - (np.arange(len(rows)) * k).repeat(k)  # 0-based within the row
    start = position[first]
    avg = start + (size + 1) / 2.0  # mean of ranks start+1 .. start+size
    ranks = np.empty_like(rows, dtype=np.float64)
    np.put_along_axis(ranks, order, avg[group].reshape(rows.shape), axis=1)
    return ranks.reshape(shape)


class Batch:
    """One matrix under every resample (B x systems x documents) and, computed once each, the views and
    transforms the coefficients need, so one metric's work is shared by every human dimension."""

    def __init__(self, M: np.ndarray, source: np.ndarray | None = None, weights: np.ndarray | None = None):
        self.M = M
        # When M is a reweighting of one matrix (bootstrap resamples are): the matrix and, per resample,
        # how often each of its cells was drawn (B x cells). Pooled Kendall then needs no sorting at all.
        self.source = source
        self.weights = weights
        self._cache: dict[tuple[str, str], object] = {}

    def pair_signs(self) -> np.ndarray:
        """``sign(v_b - v_a)`` for every pair of the source's cells (cells x cells, float64)."""
        def make():
            v = self.source.ravel()
            return np.sign(v[None, :] - v[:, None])
        return self._get("sample", "pair_signs", make)

    def weighted_untied(self) -> np.ndarray:
        """Per resample: pairs of drawn cells whose values differ (``w^T [v_a != v_b] w / 2``)."""
        def make():
            untied = (self.pair_signs() != 0).astype(np.float64)
            return ((self.weights @ untied) * self.weights).sum(axis=1) / 2
        return self._get("sample", "untied", make)

    def view(self, level: str) -> np.ndarray:
        """The values a level correlates, along the last axis: pooled cells, per-document systems, system means."""
        key = (level, "view")
        if key not in self._cache:
            B = self.M.shape[0]
            if level == "sample":
                v = self.M.reshape(B, -1)
            elif level == "summary":
                v = np.swapaxes(self.M, 1, 2)
            elif level == "system":
                v = self.M.mean(axis=2)
            else:
                raise ValueError(level)
            self._cache[key] = v
        return self._cache[key]

    def _get(self, level: str, kind: str, make):
        key = (level, kind)
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def constant(self, level: str) -> np.ndarray:
        """Where the values along the last axis are all equal (no correlation is defined)."""
        v = self.view(level)
        return self._get(level, "constant", lambda: v.max(axis=-1) == v.min(axis=-1))

    def centred(self, level: str, ranked: bool) -> tuple[np.ndarray, np.ndarray]:
        """Centred values (or ranks) and their norms along the last axis."""
        def make():
            v = average_ranks(self.view(level)) if ranked else self.view(level)
            c = v - v.mean(axis=-1, keepdims=True)
            return c, np.sqrt((c * c).sum(axis=-1))
        return self._get(level, "ranks" if ranked else "values", make)

    def signs(self, level: str) -> tuple[np.ndarray, np.ndarray]:
        """Pair signs ``sign(v_j - v_i)`` (i < j) along the last axis, and how many are non-zero."""
        def make():
            v = self.view(level)
            i, j = np.triu_indices(v.shape[-1], 1)
            s = np.sign(v[..., j] - v[..., i]).astype(np.int8)
            return s, np.count_nonzero(s, axis=-1)
        return self._get(level, "signs", make)

    def distinct_max(self, level: str) -> int:
        """The most distinct values any row holds along the last axis."""
        return int(self.distinct(level).max())

    def distinct(self, level: str) -> np.ndarray:
        """How many distinct values lie along the last axis (tau-c)."""
        def make():
            srt = np.sort(self.view(level), axis=-1)
            return 1 + np.count_nonzero(np.diff(srt, axis=-1), axis=-1)
        return self._get(level, "distinct", make)


# pooled samples beyond this many values: pair signs grow as n^2; see _kendall_long
PAIRWISE_LIMIT = 64
# a side with at most this many distinct values (human scores: means of 1-5 ratings) is counted by category
CATEGORY_LIMIT = 64


def _kendall_long(x: Batch, z: Batch, coefficient: str) -> np.ndarray:
    """Kendall's tau of long rows (pooled samples).

    Bootstrap resamples are reweightings of one matrix: with w the per-cell draw counts of a resample,
    concordant minus discordant pairs are ``w^T (S_x * S_z) w / 2`` (S the cells' pair-sign matrices)
    and the untied pairs ``w^T [x_a != x_b] w / 2``: one matrix product for all resamples, exact (integer
    counts far below 2^53). Otherwise, when one side takes few distinct values (human ratings do),
    O(n k) per row by cumulative counts per category; else scipy row by row."""
    if x.weights is not None and z.weights is not None and x.weights is z.weights:
        w = x.weights
        s = ((w @ (x.pair_signs() * z.pair_signs())) * w).sum(axis=1) / 2
        with np.errstate(invalid="ignore", divide="ignore"):
            if coefficient == "kendall":
                return s / np.sqrt(x.weighted_untied() * z.weighted_untied())
            n = w.sum(axis=1)
            m = np.minimum(x.distinct("sample"), z.distinct("sample"))
            return np.where(m > 1, 2.0 * s / (n * n * (m - 1) / m), np.nan)
    if x.distinct_max("sample") <= CATEGORY_LIMIT < z.distinct_max("sample"):
        x, z = z, x  # tau is symmetric: let z be the few-valued side
    vx, vz = x.view("sample"), z.view("sample")
    if z.distinct_max("sample") > CATEGORY_LIMIT:
        f = _scipy(coefficient)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.array([f(a, b) for a, b in zip(vx, vz)])
    B, n = vx.shape
    out = np.empty(B)
    for lo in range(0, B, 128):  # bound memory at rows x n x categories
        out[lo:lo + 128] = _kendall_by_category(vx[lo:lo + 128], vz[lo:lo + 128], coefficient)
    return out


def _kendall_by_category(vx: np.ndarray, vz: np.ndarray, coefficient: str) -> np.ndarray:
    rows, n = vx.shape
    cats, codes = np.unique(vz, return_inverse=True)
    codes = codes.reshape(vz.shape)
    k = len(cats)
    order = np.argsort(vx, axis=1, kind="stable")
    xs = np.take_along_axis(vx, order, axis=1)
    cs = np.take_along_axis(codes, order, axis=1)
    onehot = np.zeros((rows, n, k), dtype=np.int32)
    np.put_along_axis(onehot, cs[..., None], 1, axis=2)
    before = np.cumsum(onehot, axis=1) - onehot  # per category: how many earlier in x order
    # earlier values tied in x are not "smaller": subtract the counts from the start of each tie group
    new_group = np.ones((rows, n), dtype=bool)
    new_group[:, 1:] = xs[:, 1:] != xs[:, :-1]
    start = np.maximum.accumulate(np.where(new_group, np.arange(n)[None, :], 0), axis=1)
    smaller = np.take_along_axis(before, start[..., None], axis=1)  # counts of strictly smaller x, per category
    below = np.cumsum(smaller, axis=2) - smaller  # categories strictly below
    above = smaller.sum(axis=2, keepdims=True) - np.cumsum(smaller, axis=2)  # strictly above
    conc = np.take_along_axis(below, cs[..., None], axis=2)[..., 0].sum(axis=1, dtype=np.int64)
    disc = np.take_along_axis(above, cs[..., None], axis=2)[..., 0].sum(axis=1, dtype=np.int64)
    s = (conc - disc).astype(np.float64)
    total = n * (n - 1) / 2
    ties_x = np.array([_tied_pairs(row) for row in xs])
    counts_z = np.stack([np.bincount(c, minlength=k) for c in codes])
    ties_z = (counts_z * (counts_z - 1) / 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if coefficient == "kendall":
            return s / np.sqrt((total - ties_x) * (total - ties_z))
        m = np.minimum(np.array([1 + np.count_nonzero(np.diff(row)) for row in xs]), np.count_nonzero(counts_z, axis=1))
        return np.where(m > 1, 2.0 * s / (n * n * (m - 1) / m), np.nan)


def _tied_pairs(sorted_row: np.ndarray) -> float:
    """Pairs of equal values in a sorted row."""
    edges = np.flatnonzero(np.diff(sorted_row)) + 1
    sizes = np.diff(np.concatenate([[0], edges, [len(sorted_row)]]))
    return float((sizes * (sizes - 1) / 2).sum())


def correlate(x: Batch, z: Batch, level: str, coefficient: str, constant: str = "skip") -> np.ndarray:
    """The ``level`` correlation of every resample of ``x`` with the same resample of ``z`` -> B values
    (NaN where a resample has no defined value)."""
    if coefficient in ("pearson", "spearman"):
        cx, nx = x.centred(level, coefficient == "spearman")
        cz, nz = z.centred(level, coefficient == "spearman")
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.clip((cx * cz).sum(axis=-1) / (nx * nz), -1.0, 1.0)
    elif coefficient in ("kendall", "kendall_c"):
        k = x.view(level).shape[-1]
        if k > PAIRWISE_LIMIT:
            r = _kendall_long(x, z, coefficient)
        else:
            sx, nnx = x.signs(level)
            sz, nnz = z.signs(level)
            s = np.einsum("...k,...k->...", sx, sz, dtype=np.int64).astype(np.float64)
            with np.errstate(invalid="ignore", divide="ignore"):
                if coefficient == "kendall":
                    r = s / np.sqrt(nnx.astype(np.float64) * nnz)
                else:
                    m = np.minimum(x.distinct(level), z.distinct(level))
                    r = np.where(m > 1, 2.0 * s / (k * k * (m - 1) / m), np.nan)
    else:
        raise ValueError(coefficient)
    r = np.where(x.constant(level) | z.constant(level), np.nan, r)
    if level != "summary":
        return r
    if constant == "zero":
        return np.nan_to_num(r, nan=0.0).mean(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a resample of only constant documents: NaN, dropped
        return np.nanmean(r, axis=1)


def batched(X: np.ndarray, Z: np.ndarray, level: str, coefficient: str, constant: str = "skip") -> np.ndarray:
    """Correlations of resampled matrices ``X[b]`` and ``Z[b]`` (B x systems x documents) -> B values."""
    return correlate(Batch(X), Batch(Z), level, coefficient, constant)


def value(X: np.ndarray, Z: np.ndarray, level: str, coefficient: str, constant: str = "skip") -> Value:
    """The correlation of ``X`` with ``Z`` (systems x documents) at ``level``, by the batched code on the
    data itself (equal to ``point``, scipy's, within 1e-12: tested), with the groups used and skipped."""
    r = correlate(Batch(X[None]), Batch(Z[None]), level, coefficient, constant)[0]
    if level != "summary":
        return Value(float(r), 1, 0)
    skipped = int(np.count_nonzero(Batch(X[None]).constant("summary") | Batch(Z[None]).constant("summary")))
    used = X.shape[1] - (skipped if constant == "skip" else 0)
    return Value(float(r), used, skipped)


def pairwise_accuracy(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """System-level pairwise accuracy along the last axis (Kocmi et al. 2021): the share of system pairs the
    metric orders as the humans do, over pairs the humans do not tie (a metric tie is a miss)."""
    k = x.shape[-1]
    i, j = np.triu_indices(k, 1)
    sx = np.sign(x[..., j] - x[..., i])
    sz = np.sign(z[..., j] - z[..., i])
    decided = sz != 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((sx == sz) & decided).sum(axis=-1) / decided.sum(axis=-1)
