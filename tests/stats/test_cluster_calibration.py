"""The cluster rule in use, under a null that holds exactly: false splits within alpha + 2 SE, and
splits only where the declared test alone separates a pair (a "smaller p of any test" rule fails here).

Small and fast version of ``python benchmarks/stats_calibration.py --only splits`` (docs/statistics.md):
5 exchangeable systems (each document's outputs permuted among them), 40 documents, 300 fixed seeds.
"""

import functools
import math

import numpy as np

from bench.stats.leaderboard import SystemsSpec, Table, leaderboard

ALPHA, SEEDS, K, N, B = 0.05, 300, 5, 40, 300
BOUND = ALPHA + 2 * math.sqrt(ALPHA * (1 - ALPHA) / SEEDS)


def _null(seed):
    g = np.random.default_rng(5_000 + seed)
    base = g.gamma(2.0, 0.1, (K, N))  # skewed per-document scores, then permuted within each document
    return np.take_along_axis(base, np.argsort(g.random((K, N)), axis=0), axis=0)


@functools.lru_cache(maxsize=None)
def _rates(rule):
    """(false-split rate of ``rule``, rate of each test alone, rate of "any test separates")."""
    splits, alone, either = 0, {"bootstrap": 0, "ar": 0}, 0
    systems, docs = tuple(f"S{s}" for s in range(K)), tuple(f"d{d}" for d in range(N))
    for seed in range(SEEDS):
        lb = leaderboard([Table("m", "f", systems, docs, _null(seed))],
                         SystemsSpec(resamples=B, ci_resamples=20, seed=seed, cluster_test=rule))
        split = max(r.cluster for r in lb.systems) > 1
        sig = {t: any(r.significant for r in lb.pairs if r.test == t) for t in ("bootstrap", "ar")}
        decided = sig["ar"] and sig["bootstrap"] if rule == "max" else sig[rule]
        assert split == decided, (rule, seed)  # clusters split exactly when the declared test separates a pair
        splits += split
        for t in alone:
            alone[t] += sig[t]
        either += sig["ar"] or sig["bootstrap"]
    return splits / SEEDS, {t: v / SEEDS for t, v in alone.items()}, either / SEEDS


def test_the_default_rule_splits_about_alpha_and_only_on_its_own_test():
    rate, _, any_test = _rates(SystemsSpec().cluster_test)
    assert rate <= BOUND, rate
    assert any_test > rate  # the old "any test" rule splits more often than the rule in use


def test_max_rule_is_no_more_liberal_than_either_test():
    rate, alone, _ = _rates("max")
    assert rate <= min(alone.values()) and max(alone.values()) <= BOUND
