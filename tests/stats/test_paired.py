"""Paired tests against sacrebleu on the same resample indices, and their edge cases."""

import numpy as np
import pytest

from bench.stats import paired, resample
from tests.stats.sacrebleu_oracle import sacrebleu_p

pytest.importorskip("sacrebleu")


def _systems(seed=0, n=100, shift=0.01):
    g = np.random.default_rng(seed)
    base = g.beta(4, 6, n)
    return np.stack([base, np.clip(base + shift + g.normal(0, 0.03, n), 0, 1)])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_approximate_randomization_equals_sacrebleu_on_the_same_swaps(seed):
    scores = _systems(seed, shift=0.004)
    ours = paired.approximate_randomization(scores, [(1, 0)], 2000, np.random.default_rng(seed))
    assert ours.p[0] == sacrebleu_p("ar", scores[0], scores[1], 2000, seed)


def test_bootstrap_draws_are_sacrebleus_resamples(monkeypatch):
    """Same generator, same indices: our resampled differences are sacrebleu's (it works in float32)."""
    from sacrebleu import significance as sig

    scores = _systems(3)
    seen = {}
    real = sig._compute_p_value
    monkeypatch.setattr(sig, "_compute_p_value", lambda stats, diff: seen.setdefault("stats", (stats, diff)) and real(stats, diff))
    sacrebleu_p("bootstrap", scores[0], scores[1], 500, 7)
    gen = np.random.default_rng(7)
    counts = resample.counts(resample.bootstrap_indices(gen, 100, 500), 100)
    ours = np.abs(counts @ (scores[1] - scores[0]) / 100)
    stats, diff = seen["stats"]
    np.testing.assert_allclose(stats, ours - ours.mean(), atol=2e-6)  # sacrebleu's centred |d*|
    assert diff == pytest.approx(abs(scores[1].mean() - scores[0].mean()), abs=1e-15)


def test_bootstrap_p_is_shifted_to_the_null():
    """A clear effect is significant; its bootstrap distribution is centred on it, not on zero."""
    scores = _systems(0, shift=0.03)
    r = paired.paired_bootstrap(scores, [(1, 0)], 1000, np.random.default_rng(0))
    assert r.p[0] == pytest.approx(1 / 1001)
    lo, hi = r.ci[0]
    assert lo < r.delta[0] < hi and lo > 0


def test_identical_systems_are_never_different():
    scores = np.stack([np.linspace(0, 1, 50)] * 2)
    assert paired.approximate_randomization(scores, [(0, 1)], 500, np.random.default_rng(0)).p[0] == 1.0
    assert paired.paired_bootstrap(scores, [(0, 1)], 500, np.random.default_rng(0)).p[0] == 1.0


def test_all_pairs_at_once_equal_one_pair_at_a_time():
    g = np.random.default_rng(4)
    scores = g.random((5, 40))
    pairs = [(i, j) for i in range(5) for j in range(i + 1, 5)]
    together = paired.approximate_randomization(scores, pairs, 300, np.random.default_rng(9))
    bs = paired.paired_bootstrap(scores, pairs, 300, np.random.default_rng(9))
    for k, pair in enumerate(pairs):
        assert together.p[k] == paired.approximate_randomization(scores, [pair], 300, np.random.default_rng(9)).p[0]
        assert bs.p[k] == paired.paired_bootstrap(scores, [pair], 300, np.random.default_rng(9)).p[0]


def test_chunked_bootstrap_resamples_equal_one_block(monkeypatch):
    """Index rows drawn chunk by chunk are the rows of one block (numpy's integer stream has no
    carry-over), so memory bounds never change a bootstrap number. Swap masks are drawn from
    buffered bits, which do carry over: AR equals one block (and sacrebleu) while B x n fits
    one chunk (20M cells), and is still deterministic beyond."""
    scores = np.random.default_rng(1).random((3, 30))
    pairs = [(0, 1), (0, 2), (1, 2)]
    whole = paired.paired_bootstrap(scores, pairs, 400, np.random.default_rng(2))
    monkeypatch.setattr(resample, "CHUNK_CELLS", 30 * 7)  # 7 rows a chunk
    chunked = paired.paired_bootstrap(scores, pairs, 400, np.random.default_rng(2))
    np.testing.assert_array_equal(whole.p, chunked.p)
    np.testing.assert_array_equal(whole.ci, chunked.ci)
    ar = [paired.approximate_randomization(scores, pairs, 400, np.random.default_rng(2)).p for _ in range(2)]
    np.testing.assert_array_equal(*ar)


def test_bootstrap_p_is_the_studentised_shifted_count_of_a_direct_loop():
    scores = _systems(5, n=40, shift=0.01)
    r = paired.paired_bootstrap(scores, [(1, 0)], 300, np.random.default_rng(1))
    d = scores[1] - scores[0]
    t_obs = d.mean() / (d.std(ddof=1) / np.sqrt(40))
    extreme = 0
    for row in resample.bootstrap_indices(np.random.default_rng(1), 40, 300):
        x = d[row]
        extreme += abs((x.mean() - d.mean()) / (x.std(ddof=1) / np.sqrt(40))) >= abs(t_obs)
    assert r.p[0] == (extreme + 1) / 301
    assert r.delta[0] == pytest.approx(d.mean(), abs=1e-15)


def test_a_constant_nonzero_difference_is_significant():
    base = np.arange(30) / 64  # dyadic: the difference is exactly 0.25 on every document
    r = paired.paired_bootstrap(np.stack([base + 0.25, base]), [(0, 1)], 200, np.random.default_rng(0))
    assert r.p[0] == 1 / 201
