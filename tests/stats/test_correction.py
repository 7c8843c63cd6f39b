"""Holm and Benjamini-Hochberg against scipy and a direct definition."""

import itertools

import numpy as np
import pytest
import scipy.stats

from bench.stats.correction import adjust, benjamini_hochberg, holm


@pytest.mark.parametrize("seed", range(5))
def test_bh_equals_scipy(seed):
    p = np.random.default_rng(seed).random(37) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), scipy.stats.false_discovery_control(p, method="bh"), rtol=1e-15)


def _holm_direct(p):
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


@pytest.mark.parametrize("seed", range(5))
def test_holm_equals_its_definition(seed):
    p = np.random.default_rng(seed).random(20) ** 4
    np.testing.assert_allclose(holm(p), _holm_direct(p), rtol=1e-15)


def test_holm_rejections_are_the_step_down_procedure():
    """Holm rejects H_(1..k-1) where k is the first p_(k) > alpha / (m - k + 1)."""
    for p in itertools.product([0.001, 0.012, 0.02, 0.04, 0.3], repeat=3):
        p = np.array(p)
        order = np.argsort(p, kind="stable")
        rejected = np.zeros(3, bool)
        for k, i in enumerate(order):
            if p[i] > 0.05 / (3 - k):
                break
            rejected[i] = True
        np.testing.assert_array_equal(holm(p) <= 0.05, rejected)


def test_none_and_unknown():
    assert list(adjust([0.2, 0.01], "none")) == [0.2, 0.01]
    with pytest.raises(ValueError, match="holm, bh, none"):
        adjust([0.1], "bonferonni")
