"""``aggregate`` reads per-item score mappings and columns alike, and both give the blocks the old cell-by-cell
reader gave (copied below as the oracle), bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.stats import aggregate
from bench.stats.intervals import BootSpec, CISpec
from bench.values import available_mean, to_memory, to_stored


def _old_matrix(scores):
    """``aggregate._block``'s reader before issue 28, verbatim: one ``to_memory`` per cell."""
    cols = [(m, s) for m, stats in scores[0].items() for s in stats]
    return np.array([[to_memory(it[m][s]) for m, s in cols] for it in scores], dtype=np.float64)


def _old_means(sub):
    return {m: {s: to_stored(available_mean([it[m][s] for it in sub])) for s in stats} for m, stats in sub[0].items()}


def _run(seed, n_docs=12, systems=("M1", "M2", "M10")):
    """Items of several documents and systems, with a judge column that misses some values (None and NaN)."""
    g = np.random.default_rng(seed)
    ids, scores, meta = [], [], []
    for d in range(n_docs):
        for s in systems:
            ids.append(f"d{d}/{s}")
            f = float(g.random())
            judge = None if g.random() < 0.2 else (math.nan if g.random() < 0.1 else float(g.integers(1, 6)))
            scores.append({"rouge1": {"recall": f / 3, "fmeasure": -0.0 if f < 0.05 else f},
                           "judge": {"score": judge}, "flat": {"v": 0.25}})
            meta.append({"doc_id": f"d{d}", "system": s})
    return ids, scores, meta


def _as_columns(scores):
    return {m: {s: np.array([np.nan if it[m][s] is None else it[m][s] for it in scores], dtype=np.float64)
                for s in stats} for m, stats in scores[0].items()}


@pytest.mark.parametrize("seed", range(4))
def test_the_reader_gives_the_old_matrix_bitwise(seed):
    _, scores, _ = _run(seed)
    cols = aggregate._columns(scores)
    old = _old_matrix(scores)
    for got in (aggregate._matrix(scores, cols), aggregate._matrix(_as_columns(scores), cols)):
        assert got.shape == old.shape and np.array_equal(got.view(np.int64), old.view(np.int64))


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("unit", ["doc", "item"])
def test_columns_give_the_blocks_of_per_item_scores(seed, unit):
    ids, scores, meta = _run(seed)
    ci = CISpec(resamples=200, unit=unit)
    by_item = aggregate.blocks(ci, "doc_id", 0, "system", ids, scores, meta)
    by_column = aggregate.blocks(ci, "doc_id", 0, "system", ids, _as_columns(scores), meta)
    assert repr(by_column) == repr(by_item)  # repr: NaN == NaN and -0.0 != 0.0 count
    assert by_item[0]["metrics"]["judge"]["score"] is not None  # the missing values were bootstrapped around
    for name, group in by_item[1]["values"].items():
        sub = [sc for sc, m in zip(scores, meta) if m["system"] == name]
        assert repr(group["metrics"]) == repr(_old_means(sub))


def test_no_items_and_bad_columns():
    spec = BootSpec()
    assert aggregate._block({"m": {"s": np.array([])}}, None, spec, ()) == ({}, 0)
    assert aggregate._block([], None, spec, ()) == ({}, 0)
    with pytest.raises(ValueError, match="one value per item"):
        aggregate._block({"m": {"s": np.zeros(6), "t": np.zeros(5)}}, None, spec, ())
