"""Krippendorff's alpha and the annotator resample, against the PyPI ``krippendorff`` package (a test-only oracle)."""

from __future__ import annotations

from types import SimpleNamespace

import krippendorff
import numpy as np
import pytest

from bench.stats.agreement import (
    LEVELS,
    annotator_matrix,
    coincidences,
    dimension_alphas,
    krippendorff_alpha,
    resampled_annotator_mean,
)

DIMS = ("coherence", "consistency", "fluency", "relevance")

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 coders x 12 units.
K2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
])


def _oracle(data: np.ndarray, level: str) -> float:
    return krippendorff.alpha(reliability_data=data, level_of_measurement=level)


PUBLISHED = [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]  # ibid., rounded


@pytest.mark.parametrize("level, published", PUBLISHED)
def test_krippendorffs_worked_example(level, published):
    assert round(krippendorff_alpha(K2011, level), 3) == published
    assert krippendorff_alpha(K2011, level) == pytest.approx(_oracle(K2011, level), abs=1e-12)


def test_coincidence_matrix_of_the_worked_example():
    values, o = coincidences(K2011)
    assert values.tolist() == [1, 2, 3, 4, 5]
    # Krippendorff (2011), the coincidence matrix's marginals n_c and total n (unit 12 is not pairable).
    assert o.sum(axis=0).tolist() == pytest.approx([9, 13, 10, 5, 3])
    assert o.sum() == pytest.approx(40)
    np.testing.assert_allclose(o, o.T)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(8))
def test_random_data_with_missing_values_equals_the_oracle(level, seed):
    rng = np.random.default_rng(seed)
    for _ in range(10):
        annotators, units, k = rng.integers(2, 9), rng.integers(2, 60), rng.integers(2, 8)
        data = rng.integers(1, k + 1, (annotators, units)).astype(float)
        data[rng.random(data.shape) < rng.uniform(0.0, 0.6)] = np.nan
        try:
            expected = _oracle(data, level)
        except ValueError:  # the oracle refuses what has no alpha (one value, nothing pairable)
            assert np.isnan(krippendorff_alpha(data, level))
            continue
        assert krippendorff_alpha(data, level) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("level", ("interval", "ratio", "ordinal"))
def test_continuous_values_equal_the_oracle(level):
    rng = np.random.default_rng(42)
    data = 10.0 + rng.normal(0.0, 1.0, (4, 50)) + rng.normal(0.0, 1.0, 50)  # positive; a unit effect: alpha > 0
    data[rng.random(data.shape) < 0.2] = np.nan
    assert krippendorff_alpha(data, level) == pytest.approx(_oracle(data, level), abs=1e-12)


def test_alpha_ignores_which_annotator_sits_in_which_row():
    """Pairs form within a unit only: shuffling each unit's values across rows (turker slots) changes nothing."""
    rng = np.random.default_rng(3)
    data = rng.integers(1, 6, (5, 40)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    shuffled = np.stack([rng.permutation(col) for col in data.T], axis=1)
    for level in LEVELS:
        assert krippendorff_alpha(shuffled, level) == pytest.approx(krippendorff_alpha(data, level), abs=1e-12)


def test_perfect_agreement_is_one_and_undefined_is_nan():
    assert krippendorff_alpha([[1, 2, 3, 4], [1, 2, 3, 4]], "interval") == 1.0
    assert np.isnan(krippendorff_alpha([[3, 3, 3], [3, 3, 3]], "interval"))  # no expected disagreement
    assert np.isnan(krippendorff_alpha([[1, np.nan], [np.nan, 2]], "nominal"))  # nothing pairable
    assert np.isnan(krippendorff_alpha(np.full((2, 3), np.nan), "ordinal"))


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown level of measurement 'intervall'"):
        krippendorff_alpha(K2011, "intervall")
    with pytest.raises(ValueError, match="must be 2-D"):
        krippendorff_alpha([1, 2, 3], "interval")


# --- alphas of items' annotators ------------------------------------------------------------------------


def _item(i: int, panel: list[dict]) -> SimpleNamespace:
    return SimpleNamespace(id=f"i{i}", metadata={"annotators": {"expert": panel}})


def test_annotator_matrix_pads_short_panels_with_nan():
    items = [_item(0, [{"a": 1}, {"a": 2}, {"a": 3}]), _item(1, [{"a": 4}])]
    np.testing.assert_array_equal(annotator_matrix(items, "expert", "a"), [[1, 4], [2, np.nan], [3, np.nan]])
    with pytest.raises(ValueError, match=r"item 'i0' has no metadata\['annotators'\]\['turker'\]"):
        annotator_matrix(items, "turker", "a")


def test_dimension_alphas_are_the_alpha_of_each_dimension():
    rng = np.random.default_rng(5)
    scores = rng.integers(1, 6, (3, 30, 2))
    items = [_item(i, [{"x": int(scores[k, i, 0]), "y": int(scores[k, i, 1])} for k in range(3)]) for i in range(30)]
    for level in ("interval", "ordinal"):
        alphas = dimension_alphas(items, "expert", level)
        assert list(alphas) == ["x", "y"]
        for j, dim in enumerate(("x", "y")):
            assert alphas[dim] == pytest.approx(_oracle(scores[:, :, j].astype(float), level), abs=1e-12)
    assert list(dimension_alphas(items, "expert", dims=["y"])) == ["y"]


# --- the annotator resample ----------------------------------------------------------------------------


def test_resampled_annotator_mean_is_the_mean_of_drawn_rows():
    scores = np.arange(12, dtype=float).reshape(4, 3)
    rows = np.random.default_rng(9).integers(0, 4, 4)
    np.testing.assert_array_equal(resampled_annotator_mean(scores, 9), scores[rows].mean(axis=0))
    gen = np.random.default_rng(9)
    np.testing.assert_array_equal(resampled_annotator_mean(scores, gen), scores[rows].mean(axis=0))
    # a generator advances: the next call is another resample of the same stream
    np.testing.assert_array_equal(resampled_annotator_mean(scores, gen),
                                  scores[np.random.default_rng(9).integers(0, 4, (2, 4))[1]].mean(axis=0))


def test_resampled_annotator_mean_is_seeded_and_nan_aware():
    scores = np.array([[1.0, np.nan], [3.0, np.nan], [5.0, 2.0]])
    a, b = resampled_annotator_mean(scores, 0), resampled_annotator_mean(scores, 0)
    np.testing.assert_array_equal(a, b)
    assert resampled_annotator_mean(scores[:1], 1)[0] == 1.0  # one annotator: its own scores
    means = np.array([resampled_annotator_mean(scores, s) for s in range(200)])
    assert set(means[:, 0]) == {total / 3 for total in range(3, 16, 2)}  # every mean of 3 draws of 1, 3, 5
    assert set(means[~np.isnan(means[:, 1]), 1]) == {2.0}  # only annotator 3 scored item 2
    assert np.isnan(means[:, 1]).any()  # some resamples miss annotator 3 entirely
    with pytest.raises(ValueError, match="annotators x items"):
        resampled_annotator_mean(np.zeros(3), 0)


# --- SummEval's experts and turkers -------------------------------------------------------------------


@pytest.fixture(scope="module")
def annotation_items(annotations_path):
    """The 1,200 annotated SummEval items (conftest's fixture skips, or fails under CI=true, when absent)."""
    from bench.data import DatasetSpec, load_items

    return load_items(DatasetSpec(source="summeval_annotations", path=str(annotations_path)))


@pytest.mark.summeval
@pytest.mark.parametrize("group", ("expert", "turker"))
@pytest.mark.parametrize("level", ("interval", "ordinal", "nominal"))
def test_summeval_alphas_equal_the_oracle(annotation_items, group, level):
    alphas = dimension_alphas(annotation_items, group, level)
    assert list(alphas) == list(DIMS)
    for dim in DIMS:
        data = annotator_matrix(annotation_items, group, dim)
        assert data.shape == ({"expert": 3, "turker": 5}[group], 1200)
        assert alphas[dim] == pytest.approx(_oracle(data, level), abs=1e-12)
        assert 0.0 < alphas[dim] < 1.0
