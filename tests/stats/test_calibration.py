"""Calibration by simulation, in small: under a null that holds exactly, each test rejects about alpha.

Synthetic skewed per-document differences, randomly signed (so symmetric about zero); 800 fixed seeds.
The bound is alpha +- 3 standard errors (0.0269..0.0731): a test that rejects 0% or 12% fails here, as
sacrebleu's paired-bootstrap rule does (checked below). The full study on SummEval is
benchmarks/stats_calibration.py (docs/statistics.md).
"""

import math

import numpy as np

from bench.stats import paired, resample

ALPHA, SEEDS, N, B = 0.05, 800, 60, 500
BAND = 3 * math.sqrt(ALPHA * (1 - ALPHA) / SEEDS)


def _null(seed):
    g = np.random.default_rng(1_000 + seed)
    d = g.gamma(0.6, 0.1, N) * np.where(g.integers(2, size=N).astype(bool), 1.0, -1.0)
    return np.stack([d, np.zeros(N)])


def _rates():
    hits = {"bootstrap": 0, "ar": 0, "check": 0, "sacrebleu": 0}
    for seed in range(SEEDS):
        pair = _null(seed)
        hits["bootstrap"] += paired.paired_bootstrap(pair, [(0, 1)], B, np.random.default_rng(seed)).p[0] < ALPHA
        hits["ar"] += paired.approximate_randomization(pair, [(0, 1)], B, np.random.default_rng(seed)).p[0] < ALPHA
        d = pair[0]
        hits["check"] += d.mean() < 0 and paired.one_sample_bootstrap_p(d, B, seed) < ALPHA
        c = resample.counts(resample.bootstrap_indices(np.random.default_rng(seed), N, B), N)
        folded = np.abs(c @ d / N)
        hits["sacrebleu"] += (np.count_nonzero(folded - folded.mean() > abs(d.mean())) + 1) / (B + 1) < ALPHA
    return {k: v / SEEDS for k, v in hits.items()}


def test_tests_reject_about_alpha_under_the_null():
    rates = _rates()
    for test in ("bootstrap", "ar", "check"):
        assert abs(rates[test] - ALPHA) <= BAND, (test, rates[test])
    assert rates["sacrebleu"] > ALPHA + BAND  # the rule the shift and studentisation replace
