"""Correlations against scipy (point values) and nlpstats (intervals, permutation and Williams tests)."""

import numpy as np
import pytest
import scipy.stats as st

from bench.stats import correlation, meta

# nlpstats (the reference) warns on a resampled input whose scores are constant; bench skips those
# inputs without a warning (constant="skip"), and the values are compared either way
NLPSTATS_CONSTANT = "ignore:An input array is constant:scipy.stats.ConstantInputWarning"


def _data(m=8, n=12, seed=0):
    g = np.random.default_rng(seed)
    X = np.round(g.random((m, n)), 3)
    Y = np.round(X + g.normal(0, 0.2, (m, n)), 3)
    Z = np.round((g.random((m, n)) * 3 + 2 * X) * 3) / 3  # few distinct values, ties, like mean ratings
    Z[:, 0] = 3.0  # one document whose human scores are all equal
    return X, Y, Z


@pytest.mark.parametrize("level", correlation.LEVELS)
@pytest.mark.parametrize("coefficient", correlation.COEFFICIENTS)
@pytest.mark.parametrize("constant", correlation.CONSTANT_RULES)
def test_values_equal_scipy(level, coefficient, constant):
    X, _, Z = _data()
    want = correlation.point(X, Z, level, coefficient, constant)
    got = correlation.value(X, Z, level, coefficient, constant)
    assert got.value == pytest.approx(want.value, abs=1e-12)
    assert (got.used, got.skipped) == (want.used, want.skipped)


def test_summary_level_rule_for_constant_documents():
    X, _, Z = _data()
    skip = correlation.point(X, Z, "summary", "kendall", "skip")
    zero = correlation.point(X, Z, "summary", "kendall", "zero")
    per_doc = [st.kendalltau(X[:, j], Z[:, j])[0] for j in range(1, 12)]
    assert skip.value == pytest.approx(np.mean(per_doc)) and (skip.used, skip.skipped) == (11, 1)
    assert zero.value == pytest.approx(np.sum(per_doc) / 12) and (zero.used, zero.skipped) == (12, 1)


@pytest.mark.parametrize("level", correlation.LEVELS)
@pytest.mark.parametrize("coefficient", correlation.COEFFICIENTS)
def test_resampled_values_equal_scipy_on_each_resample(level, coefficient):
    X, _, Z = _data(seed=3)
    r = meta.draw(np.random.default_rng(1), *X.shape, 40, "both")
    w = meta.weights(r, *X.shape)
    got = correlation.correlate(correlation.Batch(meta.gather(X, r), X, w), correlation.Batch(meta.gather(Z, r), Z, w),
                                level, coefficient)
    want = [correlation.point(meta.gather(X, r)[b], meta.gather(Z, r)[b], level, coefficient).value for b in range(40)]
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_pairwise_accuracy():
    x = np.array([0.1, 0.2, 0.3, 0.3])
    z = np.array([1.0, 3.0, 2.0, 4.0])
    # pairs (i<j): (0,1)+ (0,2)+ (0,3)+ (1,2)- (1,3)+ (2,3): metric tie, a miss -> 4/6
    assert correlation.pairwise_accuracy(x, z) == pytest.approx(4 / 6)


nlpstats = pytest.importorskip("nlpstats.correlations")


# the summary level resamples the most (one correlation per input): slow tier
@pytest.mark.parametrize("level,nl", [("system", "system"), ("sample", "global"), pytest.param("summary", "input", marks=pytest.mark.slow)])
@pytest.mark.parametrize("scheme", meta.SCHEMES)
@pytest.mark.filterwarnings(NLPSTATS_CONSTANT)
def test_intervals_agree_with_nlpstats_within_monte_carlo_error(level, nl, scheme):
    X, _, Z = _data(m=8, n=10, seed=5)
    B = 2000
    r = meta.draw(np.random.default_rng(0), 8, 10, B, scheme)
    w = meta.weights(r, 8, 10)
    ours = meta.percentile_interval(correlation.correlate(
        correlation.Batch(meta.gather(X, r), X, w), correlation.Batch(meta.gather(Z, r), Z, w), level, "pearson"), 0.95)
    np.random.seed(0)  # nlpstats draws from numpy's global generator
    theirs = nlpstats.bootstrap(X, Z, nl, "pearson", scheme, n_resamples=B)
    width = theirs.upper - theirs.lower
    assert abs(ours[0] - theirs.lower) < 0.12 * width and abs(ours[1] - theirs.upper) < 0.12 * width


@pytest.mark.parametrize("method", ["perm-both", "perm-inputs", "perm-systems"])
def test_permutation_p_agrees_with_nlpstats_within_monte_carlo_error(method):
    X, Y, Z = _data(m=8, n=10, seed=7)
    B = 2000
    ours = meta.permutation_p(X, Y, Z, "system", "pearson", "skip", method, B, np.random.default_rng(0))
    np.random.seed(0)
    theirs = nlpstats.permutation_test(X, Y, Z, "system", "pearson", method.split("-")[1], n_resamples=B).pvalue
    assert abs(ours - theirs) < 4 * np.sqrt(theirs * (1 - theirs) / B) + 2 / B


@pytest.mark.parametrize("level,nl", [("system", "system"), ("sample", "global"), ("summary", "input")])
@pytest.mark.filterwarnings(NLPSTATS_CONSTANT)
def test_williams_equals_nlpstats(level, nl):
    X, Y, Z = _data(m=12, n=10, seed=2)
    ours = meta.williams_p(X, Y, Z, level, "pearson", "skip")
    assert ours == pytest.approx(nlpstats.williams_test(X, Y, Z, nl, "pearson").pvalue, abs=1e-12)
