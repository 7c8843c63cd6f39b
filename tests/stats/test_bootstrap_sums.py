"""``resample.weighted_sums`` and ``resample.bootstrap_sums`` against the implementation they replaced.

The oracle below is the code every stored interval was computed with (bench before issue 28, copied
verbatim): index rows drawn in chunks of ``CHUNK_CELLS``, float64 count matrices, and units added one
after another by a Python loop. Every comparison is bitwise (``-0.0`` and NaN payloads included)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.stats import intervals, resample

CHUNK_CELLS = 20_000_000


def _old_chunks(resamples, n):
    step = max(1, min(resamples, CHUNK_CELLS // max(n, 1)))
    done = 0
    while done < resamples:
        k = min(step, resamples - done)
        yield k
        done += k


def _old_counts(indices, n):
    rows = indices.shape[0]
    flat = (indices + n * np.arange(rows)[:, None]).ravel()
    return np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(np.float64)


def _old_bootstrap_counts(gen, n, resamples):
    for rows in _old_chunks(resamples, n):
        yield _old_counts(gen.integers(0, n, (rows, n)), n)


def _old_weighted_sums(c, v):
    rows, units = c.shape
    out = np.zeros((rows, v.shape[1]))
    term = np.empty_like(out)
    for j in range(units):
        np.multiply(c[:, j:j + 1], v[j], out=term)
        out += term
    return out


def _old_sums(gen, n, resamples, v):
    return np.concatenate([_old_weighted_sums(c, v) for c in _old_bootstrap_counts(gen, n, resamples)])


def _same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.int64), b.view(np.int64))


def _values(g, n, k, kind):
    """Columns that make summation order visible: mixed signs, zeros and -0.0, ties, magnitudes 1e-300..1e300."""
    if kind == "normal":
        return g.standard_normal((n, k))
    if kind == "mixed":
        v = g.standard_normal((n, k)) * 10.0 ** g.integers(-30, 30, (n, k))
        v[g.random((n, k)) < 0.2] = 0.0
        v[g.random((n, k)) < 0.2] = -0.0
        return v
    if kind == "ties":
        return g.choice(np.array([-1.5, -0.0, 0.0, 0.1, 1 / 3, 2.0]), (n, k))
    if kind == "extreme":
        return g.choice(np.array([1e300, -1e300, 1e-300, -5e-324, 1.0, -1.0, 0.1]), (n, k))
    if kind == "whole":
        return g.integers(0, 50, (n, k)).astype(np.float64)
    raise AssertionError(kind)


KINDS = ("normal", "mixed", "ties", "extreme", "whole")


def test_the_oracle_is_order_sensitive():
    """Summing in any other order (numpy's pairwise sum, BLAS) gives other bits on these values: a test
    that compares against the oracle can tell the fixed order from another one."""
    g = np.random.default_rng(0)
    c = _old_counts(g.integers(0, 500, (20, 500)), 500)
    v = _values(g, 500, 3, "mixed")
    old = _old_weighted_sums(c, v)
    assert not _same_bits(old, c @ v)
    terms = np.ascontiguousarray((c[:, :, None] * v[None]).transpose(0, 2, 1))  # rows x cols x units
    assert not _same_bits(old, terms.sum(axis=2))  # the innermost axis: numpy sums it pairwise


@pytest.mark.parametrize("seed", range(40))
def test_weighted_sums_equal_the_unit_by_unit_loop_bitwise(seed):
    g = np.random.default_rng(seed)
    rows = int(g.choice([1, 2, 3, 7, 50, 257]))
    units = int(g.choice([1, 2, 5, 64, 300, 2000]))
    cols = int(g.choice([1, 2, 3, 12, 40]))
    v = _values(g, units, cols, KINDS[seed % len(KINDS)])
    c = _old_counts(g.integers(0, units, (rows, units)), units)
    if seed % 4 == 0:
        c = g.standard_normal((rows, units))  # any real weights, not only counts
    assert _same_bits(resample.weighted_sums(c, v), _old_weighted_sums(c, v))


@pytest.mark.parametrize("seed", range(40))
def test_bootstrap_sums_equal_the_old_draws_and_sums_bitwise(seed, monkeypatch):
    g = np.random.default_rng(1000 + seed)
    n = int(g.choice([1, 2, 3, 10, 99, 1000, 10_000]))
    resamples = min(int(g.choice([1, 2, 5, 33, 300, 1000])), max(3, 300_000 // n))  # the oracle loops in Python
    cols = int(g.choice([1, 2, 12]))
    if seed % 3 == 0:  # small groups, draws and slabs: every boundary moves, the numbers must not
        monkeypatch.setattr(resample, "GROUP_CELLS", int(g.integers(1, 5 * n + 2)))
        monkeypatch.setattr(resample, "DRAW_CELLS", int(g.integers(1, 3 * n + 2)))
        monkeypatch.setattr(resample, "BLOCK_CELLS", int(g.integers(1, 400)))
    v = _values(g, n, cols, KINDS[seed % len(KINDS)])
    w = _values(g, n, 1, "whole")
    new_gen, old_gen = np.random.default_rng(seed), np.random.default_rng(seed)
    got, got_w = resample.bootstrap_sums(new_gen, n, resamples, v, w)
    assert _same_bits(got, _old_sums(old_gen, n, resamples, v))
    assert new_gen.bit_generator.state == old_gen.bit_generator.state  # the next draw is the same too
    ref_w = np.concatenate([c @ w for c in _old_bootstrap_counts(np.random.default_rng(seed), n, resamples)])
    assert _same_bits(got_w, ref_w)


def test_non_finite_values_give_the_old_bits():
    """0 * inf is NaN and inf - inf is NaN: every unit, drawn or not, still enters every sum as before."""
    g = np.random.default_rng(7)
    v = g.standard_normal((200, 6))
    v[3, 0] = np.inf
    v[10, 1] = -np.inf
    v[[20, 21], 2] = [np.inf, -np.inf]
    v[50, 3] = np.nan
    v[60:70, 4] = np.inf
    with np.errstate(invalid="ignore"):
        got = resample.bootstrap_sums(np.random.default_rng(1), 200, 300, v)[0]
        ref = _old_sums(np.random.default_rng(1), 200, 300, v)
    assert not np.isfinite(got[:, :5]).any() and np.isfinite(got[:, 5]).all()
    assert _same_bits(got, ref)


def test_a_unit_drawn_more_than_255_times_widens_the_counts():
    g = np.random.default_rng(2)
    v = g.standard_normal((2, 3))
    got = resample.bootstrap_sums(np.random.default_rng(3), 2, 5, v)[0]  # ~1 in 2 draws: counts ~1
    assert _same_bits(got, _old_sums(np.random.default_rng(3), 2, 5, v))
    n = 600  # counts of 256+ need a unit drawn 256 times in 600 draws: force it with a rigged generator

    class Rigged:
        def __init__(self):
            self.gen = np.random.default_rng(4)

        def integers(self, lo, hi, shape):
            idx = self.gen.integers(lo, hi, shape)
            idx[..., :300] = 7
            return idx

    v = g.standard_normal((n, 2))
    got = resample.bootstrap_sums(Rigged(), n, 4, v)[0]
    ref = np.concatenate([_old_weighted_sums(_old_counts(Rigged().integers(0, n, (4, n)), n), v)])
    assert _same_bits(got, ref)


@pytest.mark.parametrize("n", [1, 2, 5, 3001])
def test_split_draws_are_the_same_stream(n):
    """What ``bootstrap_sums`` relies on: rows drawn in several calls equal one call, whatever the split."""
    one = np.random.default_rng(9)
    a = one.integers(0, n, (11, n))
    parts = np.random.default_rng(9)
    b = np.concatenate([parts.integers(0, n, (q, n)) for q in (1, 4, 2, 1, 3)])
    assert np.array_equal(a, b) and one.bit_generator.state == parts.bit_generator.state


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("by_doc", [False, True])
def test_resampled_means_equal_the_old_ratio_of_sums_bitwise(seed, by_doc):
    """``bootstrap_means`` (items, and documents of uneven sizes: a ratio of means) as it was computed."""
    g = np.random.default_rng(seed)
    n_items = int(g.choice([5, 40, 700]))
    values = _values(g, n_items, int(g.choice([1, 4, 12])), KINDS[seed % len(KINDS)])
    units = [f"d{int(u)}" for u in g.integers(0, max(2, n_items // 3), n_items)] if by_doc else None
    spec = intervals.BootSpec(resamples=int(g.choice([10, 1000])), seed=seed)
    got = intervals.bootstrap_means(values, units, spec, resample.rng(seed, "g"))
    sums, sizes = intervals._unit_sums(values, units)
    n = len(sizes)
    old = []
    for c in _old_bootstrap_counts(resample.rng(seed, "g"), n, spec.resamples):
        old.append(_old_weighted_sums(c, sums) / n if units is None else _old_weighted_sums(c, sums) / (c @ sizes)[:, None])
    assert _same_bits(got, np.concatenate(old))


def _random_ids(g, n, kind):
    def digits():  # 1 to 24 digits, leading zeros included
        return "".join(map(str, g.integers(0, 10, int(g.integers(1, 25)))))

    if kind == "plain":  # prefixes, leading zeros, pure numbers, names without digits, the empty name
        pool = ["s", "S", "item-", "a-", "a", "doc_", "", "x\x00", "~"]
        return {str(g.choice(pool)) + (("0" * int(g.integers(0, 3)) + digits()) if g.random() < 0.9 else "")
                for _ in range(n)}
    if kind == "tokens":  # several number runs, unicode digits: the general key
        return {f"d{digits()}/M{digits()}" if g.random() < 0.8 else f"s{digits()}\u0663{g.integers(9)}" for _ in range(n)}
    raise AssertionError(kind)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["plain", "tokens"])
def test_natural_sorted_is_the_natural_key_order(seed, kind):
    """The unit order decides which unit each drawn index picks: the fast order must be the old one exactly."""
    g = np.random.default_rng(seed)
    names = _random_ids(g, int(g.choice([1, 5, 300, 3000])), kind)
    assert intervals.natural_sorted(names) == sorted(names, key=lambda u: (intervals.natural_key(u), u))


def test_natural_sorted_falls_back_on_any_other_name():
    names = {"s10", "s9", "s09", "9", "", "s", "d2/M10", "d2/M9"}  # two plain-looking sets joined by one other
    assert intervals.natural_sorted(names) == sorted(names, key=lambda u: (intervals.natural_key(u), u))
    assert intervals.natural_sorted({"s10", "s9", "s09", "9", "", "s"}) == ["", "9", "s", "s09", "s9", "s10"]
