"""Bootstrap intervals against scipy on the same generator, and the document unit against a direct loop."""

import numpy as np
import pytest
import scipy.stats

from bench.errors import BenchError
from bench.stats import resample
from bench.stats.intervals import BootSpec, bootstrap_means, mean_intervals


@pytest.mark.parametrize("level,seed", [(0.95, 0), (0.9, 3), (0.99, 11)])
def test_item_intervals_equal_scipy_percentile_bootstrap(level, seed):
    x = np.random.default_rng(seed).beta(2, 5, 257)
    ours = mean_intervals(x[:, None], None, BootSpec(resamples=999, level=level), np.random.default_rng(seed))[0]
    ref = scipy.stats.bootstrap((x,), np.mean, n_resamples=999, confidence_level=level, method="percentile",
                                rng=np.random.default_rng(seed), vectorized=True, batch=None).confidence_interval
    assert ours.lo == pytest.approx(ref.low, abs=1e-15) and ours.hi == pytest.approx(ref.high, abs=1e-15)


def test_many_columns_share_the_resamples():
    g = np.random.default_rng(0)
    x = g.random((80, 3))
    both = mean_intervals(x, None, BootSpec(resamples=300), np.random.default_rng(1))
    for k in range(3):
        alone = mean_intervals(x[:, [k]], None, BootSpec(resamples=300), np.random.default_rng(1))[0]
        assert (both[k].lo, both[k].hi) == pytest.approx((alone.lo, alone.hi), abs=1e-15)  # BLAS sums in blocks


def test_document_unit_resamples_whole_documents():
    """A resample's mean is the mean over all items of the drawn documents (a direct loop agrees)."""
    g = np.random.default_rng(2)
    docs = [f"d{k}" for k in range(12) for _ in range(g.integers(1, 4))]
    x = g.random(len(docs))
    spec = BootSpec(resamples=50, unit="doc")
    draws = bootstrap_means(x[:, None], docs, spec, np.random.default_rng(5))[:, 0]
    names = list(dict.fromkeys(docs))
    idx = resample.bootstrap_indices(np.random.default_rng(5), len(names), 50)
    for row, want in zip(idx, draws):
        picked = [v for k in row for d, v in zip(docs, x) if d == names[k]]
        assert want == pytest.approx(np.mean(picked), abs=1e-14)


def test_document_intervals_are_wider_when_documents_cluster():
    """16 systems per document share the document's difficulty: resampling items understates the spread."""
    g = np.random.default_rng(0)
    difficulty = np.repeat(g.normal(0.4, 0.1, 100), 16)
    x = difficulty + g.normal(0, 0.02, 1600)
    docs = [str(k) for k in range(100) for _ in range(16)]
    item = mean_intervals(x[:, None], None, BootSpec(), np.random.default_rng(0))[0]
    doc = mean_intervals(x[:, None], docs, BootSpec(unit="doc"), np.random.default_rng(0))[0]
    assert (doc.hi - doc.lo) > 2.5 * (item.hi - item.lo)


def test_too_few_units_give_no_interval():
    assert mean_intervals(np.array([[0.5, 0.2]]), None, BootSpec(), np.random.default_rng(0)) == [None, None]
    assert mean_intervals(np.ones((10, 1)), ["a"] * 10, BootSpec(unit="doc"), np.random.default_rng(0)) == [None]


@pytest.mark.parametrize("bad", [dict(resamples=0), dict(level=1.0), dict(unit="doc_id"), dict(min_units=1)])
def test_bad_settings_are_one_line_errors(bad):
    with pytest.raises(BenchError):
        BootSpec(**bad)


def test_signature_names_every_setting():
    assert BootSpec(unit="doc").signature == "ci|boot:1000|level:95|unit:doc|seed:0|method:percentile|min:5"


def test_weighted_sums_are_the_product_in_a_fixed_order():
    """Units are added one after another, exactly as a plain loop adds them (BLAS promises no order)."""
    g = np.random.default_rng(3)
    c = resample.counts(resample.bootstrap_indices(g, 70, 50), 70)
    v = g.random((70, 4))
    loop = np.zeros((50, 4))
    for j in range(70):
        loop += c[:, j:j + 1] * v[j]
    assert np.array_equal(resample.weighted_sums(c, v), loop)
    np.testing.assert_allclose(resample.weighted_sums(c, v), c @ v, rtol=1e-14)
